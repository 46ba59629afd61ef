/* Azure's provisioning handshake for an image without a provisioning
 * agent (Microsoft, "Creating generalized images without a provisioning
 * agent", learn.microsoft.com/azure/virtual-machines/linux/no-agent): once
 * the VM has its DHCP address it must "report ready", or "Failing to
 * report ready to Azure will result in your VM being rebooted!". The report
 * is two HTTP requests to the WireServer (168.63.129.16, port 80): GET
 * /machine/?comp=goalstate for ContainerId, InstanceId and Incarnation,
 * then POST /machine/?comp=health with a <Health> document whose State is
 * Ready, both with the header "x-ms-version: 2012-11-30".
 *
 * When: the SMBIOS chassis asset tag is Azure's, 7783-7084-3265-9085-8269-
 * 3286-77 (Microsoft, "Troubleshoot Linux update agent issues",
 * learn.microsoft.com/azure/automation/troubleshoot/update-agent-issues-linux,
 * "Dmidecode check": an asset tag "different than 7783-7084-3265-9085-8269-
 * 3286-77" is not an Azure VM's; Linux shows the field as
 * /sys/class/dmi/id/chassis_asset_tag, drivers/firmware/dmi-id.c), or
 * azure.wireserver=ADDR is given: that alone enables the report, to ADDR
 * instead of 168.63.129.16 (how the tests run it, and a way to force it).
 * Neither: nothing is sent.
 *
 * How: a service (core/service.h) that starts one work item; from then on
 * everything runs from the event loop (timers, lwIP's callbacks through
 * net/azure/wire_http.c), whenever the app waits, and the app never waits
 * for it. It waits for an IPv4 address (DHCP's, or net.ip='s when one is
 * configured), tries, and after a failure (no connection, no answer, a
 * status other than 2xx, a malformed goal state) tries again after 1, 2, 4
 * ... 60 seconds, for as long as the VM runs. Every outcome is one line. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/log.h"
#include "core/param.h"
#include "core/platform.h"
#include "core/service.h"
#include "core/smbios.h"
#include "core/time.h"
#include "klib/format.h"
#include "lwip/netif.h"
#include "net/azure/goalstate.h"
#include "net/azure/wire_http.h"
#include "net/stack/addr_parse.h"

KERNEL_PARAM(p_wireserver, "azure.wireserver",
             "report ready to this WireServer IPv4 address (on Azure: 168.63.129.16)");

#define AZURE_ASSET_TAG "7783-7084-3265-9085-8269-3286-77"
#define WIRESERVER_DEFAULT "168.63.129.16"
/* The header every WireServer request carries (the article's scripts). */
#define HEADERS "x-ms-version: 2012-11-30\r\nx-ms-agent-name: anyvm\r\nConnection: close\r\n"
#define ANSWER_MAX (32u * 1024) /* a goal state is a few KiB */
#define EXCHANGE_NS (15 * 1000000000ull)
#define RETRY_MAX_S 60

enum stage { OFF, WAIT_ADDRESS, GOAL_STATE, HEALTH, BACKOFF, DONE };

static struct {
    enum stage stage;
    ip4_addr_t server;
    char server_text[16];
    char *answer; /* ANSWER_MAX bytes while the report is under way */
    struct azure_goalstate gs;
    unsigned failures;
} az;

static char request[1024];

static bool have_address(void)
{
    struct netif *netif;
    NETIF_FOREACH(netif)
    {
        if (netif->name[0] == 'l' && netif->name[1] == 'o')
            continue;
        if (netif_is_up(netif) && netif_is_link_up(netif) &&
            !ip4_addr_isany_val(*netif_ip4_addr(netif)))
            return true;
    }
    return false;
}

static void exchange_done(const char *error, const struct http_reply *reply, const char *buf);

static void retry_fire(struct timer *t);
static struct timer retry = {.fn = retry_fire};

static void failed(const char *step, const char *why)
{
    unsigned s = az.failures < 6 ? 1u << az.failures : RETRY_MAX_S;
    if (s > RETRY_MAX_S)
        s = RETRY_MAX_S;
    az.failures++;
    kprintf("azure: ready report failed: %s: %s; retrying in %us\n", step, why, s);
    az.stage = BACKOFF;
    timer_arm(&retry, time_now_ns() + s * 1000000000ull);
}

static void ask_goal_state(void)
{
    int n = ksnprintf(request, sizeof request,
                      "GET /machine/?comp=goalstate HTTP/1.1\r\nHost: %s\r\n" HEADERS "\r\n",
                      az.server_text);
    az.stage = GOAL_STATE;
    wire_http_start(&az.server, request, (size_t)n, az.answer, ANSWER_MAX, EXCHANGE_NS,
                    exchange_done);
}

static void send_health(void)
{
    static char body[768];
    size_t len = azure_health_report(&az.gs, body, sizeof body);
    int n = ksnprintf(request, sizeof request,
                      "POST /machine/?comp=health HTTP/1.1\r\nHost: %s\r\n" HEADERS
                      "Content-Type: text/xml;charset=utf-8\r\nContent-Length: %u\r\n\r\n%s",
                      az.server_text, (unsigned)len, body);
    if (len == 0 || n <= 0 || (size_t)n >= sizeof request) {
        failed("health report", "it does not fit its buffer");
        return;
    }
    az.stage = HEALTH;
    wire_http_start(&az.server, request, (size_t)n, az.answer, ANSWER_MAX, EXCHANGE_NS,
                    exchange_done);
}

static void exchange_done(const char *error, const struct http_reply *reply, const char *buf)
{
    const char *step = az.stage == GOAL_STATE ? "goal state" : "health report";
    if (error != NULL) {
        failed(step, error);
        return;
    }
    if (reply->status < 200 || reply->status > 299) {
        char why[24];
        ksnprintf(why, sizeof why, "HTTP status %u", reply->status);
        failed(step, why);
        return;
    }
    if (az.stage == GOAL_STATE) {
        const char *why = azure_goalstate_parse(buf + reply->body_off, reply->body_len, &az.gs);
        if (why != NULL) {
            failed(step, why);
            return;
        }
        send_health();
        return;
    }
    kprintf("azure: ready reported (incarnation %u)\n", (unsigned)az.gs.incarnation);
    az.stage = DONE;
    free(az.answer);
    az.answer = NULL;
}

static void retry_fire(struct timer *t)
{
    (void)t;
    if (az.stage == BACKOFF)
        ask_goal_state();
}

/* Runs from the event loop: first after the services started, then each
 * time an interface's IPv4 settings change while no address was there. */
static void kick(struct work *w)
{
    (void)w;
    if (az.stage == WAIT_ADDRESS && have_address())
        ask_goal_state();
}

static struct work kick_work = WORK_INIT(kick);

static void netif_changed(struct netif *netif, netif_nsc_reason_t reason,
                          const netif_ext_callback_args_t *args)
{
    (void)netif, (void)args;
    if (az.stage == WAIT_ADDRESS &&
        (reason & (LWIP_NSC_IPV4_SETTINGS_CHANGED | LWIP_NSC_IPV4_ADDRESS_CHANGED |
                   LWIP_NSC_LINK_CHANGED | LWIP_NSC_STATUS_CHANGED)))
        work_queue(&kick_work); /* not from inside lwIP */
}

NETIF_DECLARE_EXT_CALLBACK(netif_callback)

static void first_kick(struct work *w)
{
    (void)w;
    netif_add_ext_callback(&netif_callback, netif_changed); /* lwIP is up by now */
    kick(NULL);
}

static struct work first_work = WORK_INIT(first_kick);

static bool asset_tag_says_azure(void)
{
    const struct bootinfo *bi = platform_boot();
    /* UEFI names the entry point; the BIOS area holds one only where BIOS
     * firmware ran, before a multiboot loader (SeaBIOS or Hyper-V's BIOS,
     * then GRUB), which is how Azure's generation 1 boots. A PVH or Linux
     * protocol boot (Firecracker, hostsim) has neither, and its VMM may map
     * nothing there, where each of the scan's 4096 reads is an exit. */
    if (bi->smbios == 0 && bi->protocol != BOOT_MULTIBOOT)
        return false;
    char tag[40];
    return smbios_chassis_asset_tag(platform_phys(), bi->smbios, tag, sizeof tag) &&
           strcmp(tag, AZURE_ASSET_TAG) == 0;
}

static void start(void)
{
    bool azure = asset_tag_says_azure();
    const char *given = param_value(&p_wireserver);
    const char *addr = azure ? WIRESERVER_DEFAULT : NULL;
    uint8_t b[4];
    if (given != NULL && addr_parse_ip4(given, b))
        addr = given;
    else if (given != NULL)
        kprintf("azure: azure.wireserver=%s is not an IPv4 address; %s\n", given,
                azure ? "using " WIRESERVER_DEFAULT : "not reporting ready");
    if (addr == NULL)
        return;
    if (!addr_parse_ip4(addr, b))
        return;
    IP4_ADDR(&az.server, b[0], b[1], b[2], b[3]);
    ksnprintf(az.server_text, sizeof az.server_text, "%s", addr);
    az.answer = malloc(ANSWER_MAX);
    if (az.answer == NULL) {
        kprintf("azure: no memory for the WireServer's answer; not reporting ready\n");
        return;
    }
    kprintf("azure: will report ready to %s once an interface has an IPv4 address (%s)\n",
            az.server_text, azure ? "SMBIOS chassis asset tag" : "azure.wireserver");
    az.stage = WAIT_ADDRESS;
    work_queue(&first_work);
}

static void stop(void)
{
    wire_http_cancel();
    timer_cancel(&retry);
}

SERVICE_REGISTER(azure_ready, "azure", start, stop);
