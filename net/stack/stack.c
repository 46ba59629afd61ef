/* The TCP/IP stack as a kernel service (core/service.h): lwIP (NO_SYS=1,
 * net/lwip/include/lwipopts.h) with one interface per network device,
 * present at boot or found later, configured from the command line or by
 * DHCP. Everything here runs in thread context: at start, from the event
 * loop (received frames, timers, device changes), or in a system call. */
#include "core/log.h"
#include "core/service.h"
#include "dev/netdev.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "net/stack/addr_config.h"
#include "net/stack/addr_report.h"
#include "net/stack/drain.h"
#include "net/stack/netif_netdev.h"
#include "net/stack/resolv_conf.h"
#include "net/stack/stats.h"
#include "net/stack/timers.h"

static struct stack_if *interfaces;

static struct stack_if *find(struct netdev *nd)
{
    for (struct stack_if *sif = interfaces; sif; sif = sif->next)
        if (sif->nd == nd)
            return sif;
    return NULL;
}

static void added(struct netdev *nd)
{
    struct stack_if *sif = stack_if_attach(nd);
    if (sif == NULL)
        return;
    struct stack_if **p = &interfaces;
    while (*p)
        p = &(*p)->next;
    *p = sif;
    addr_config_apply(sif);
    stack_timers_update();
}

static void link_changed(struct netdev *nd)
{
    struct stack_if *sif = find(nd);
    if (sif)
        stack_if_link_changed(sif);
}

static void removed(struct netdev *nd)
{
    for (struct stack_if **p = &interfaces; *p; p = &(*p)->next) {
        if ((*p)->nd == nd) {
            struct stack_if *sif = *p;
            *p = sif->next;
            addr_config_release(sif);
            stack_if_detach(sif);
            return;
        }
    }
}

static struct netdev_watcher watcher = {
    .added = added, .link_changed = link_changed, .removed = removed};

static void start(void)
{
    lwip_init();
    addr_report_start();
    addr_config_dns();
    resolv_conf_update();
    for (struct netdev *nd = netdev_first(); nd; nd = nd->next)
        added(nd);
    netdev_watch(&watcher); /* devices found later (hot plug, late probe) */
    stack_stats_start((const struct stack_if *const *)&interfaces);
    unsigned n = 0;
    for (struct stack_if *sif = interfaces; sif; sif = sif->next)
        n++;
    kprintf("net: lwIP %s, %u interface%s\n", LWIP_VERSION_STRING, n, n == 1 ? "" : "s");
}

/* How long the end of the VM waits for TCP to deliver what it holds: a
 * few retransmission timeouts, not a peer that stopped answering. */
#define DRAIN_LIMIT_NS 3000000000ull

static void stop(void)
{
    stack_drain(DRAIN_LIMIT_NS);
    stack_stats_print(interfaces);
}

SERVICE_REGISTER(net_stack, "net", start, stop);
