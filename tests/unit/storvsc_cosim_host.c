/* hostsim's VMBus host and storvsc back end for test_storvsc_cosim.c: see
 * storvsc_cosim_host.h. The glue is the Hyper-V machine's
 * (hostsim/hyperv/vmbus_machine.c), restated: messages to the guest wait in
 * a queue, signals call the test. */
#include <stdio.h>
#include <string.h>

#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/server.h"
#include "hostsim/vmbus/storvsc.h"
#include "tests/unit/storvsc_cosim_host.h"

#define QUEUE 64

void (*cosim_guest_signal)(uint32_t relid);
void (*cosim_guest_message)(void);

static struct guest_mem mem;
static struct vmbus_host host;
static struct storvsc_host ctl[COSIM_CONTROLLERS];
static bool offered[COSIM_CONTROLLERS];
static struct {
    uint8_t msg[240];
    uint8_t len;
} queue[QUEUE];
static unsigned qhead, qtail;
static char violation[512], misbehaved[256];
static int rescind_ctl = -1;
static uint64_t rescind_at;

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx, (void)vp, (void)sint;
    if (qtail - qhead == QUEUE || len > 240)
        return -1;
    memcpy(queue[qtail % QUEUE].msg, msg, len);
    queue[qtail++ % QUEUE].len = (uint8_t)len;
    if (cosim_guest_message != NULL)
        cosim_guest_message();
    return 0;
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx, (void)vp, (void)sint;
    if (cosim_guest_signal != NULL)
        cosim_guest_signal(relid);
}

static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    snprintf(violation, sizeof violation, "%s", what);
}

static void hook_misbehaving(void *ctx, const char *what)
{
    (void)ctx;
    snprintf(misbehaved, sizeof misbehaved, "%s", what);
}

void cosim_host_reset(void)
{
    memset(&mem, 0, sizeof mem);
    /* everything the process can address, 1:1 */
    guest_mem_add(&mem, 0x10000, (1ull << 47) - 0x10000, (void *)(uintptr_t)0x10000);
    struct vmbus_host_hooks hooks = {.post = hook_post,
                                     .signal = hook_signal,
                                     .violation = hook_violation,
                                     .misbehaving = hook_misbehaving};
    vmbus_host_init(&host, &mem, 1, 0x50003u, &hooks);
    for (unsigned c = 0; c < COSIM_CONTROLLERS; c++) {
        storvsc_host_init(&ctl[c], c);
        offered[c] = false;
    }
    qhead = qtail = 0;
    violation[0] = misbehaved[0] = '\0';
}

int cosim_host_add_disk(unsigned c, int fd, bool read_only, uint64_t bytes, const char *serial)
{
    if (c >= COSIM_CONTROLLERS || storvsc_host_add_disk(&ctl[c], fd, read_only, bytes, serial) != 0)
        return -1;
    if (!offered[c] && (ctl[c].channel = vmbus_host_add_channel(&host, &ctl[c].service)) == NULL)
        return -1;
    offered[c] = true;
    return 0;
}

int cosim_host_hot_add(unsigned c, int fd, uint64_t bytes, const char *serial)
{
    if (c >= COSIM_CONTROLLERS || storvsc_host_add_disk(&ctl[c], fd, false, bytes, serial) != 0)
        return -1;
    return storvsc_host_enumerate(&ctl[c]);
}

void cosim_host_misbehave(unsigned c, int kind)
{
    ctl[c].misbehave = (enum storvsc_host_misbehave)kind;
}

void cosim_host_max_version(unsigned c, uint16_t v)
{
    ctl[c].max_version = v;
}

int cosim_host_post(uint32_t connection_id, const void *msg, size_t len)
{
    return vmbus_host_message(&host, connection_id, msg, len);
}

void cosim_host_signal(uint32_t connection_id)
{
    for (unsigned i = 0; i < host.nchannels; i++)
        if (host.channel[i].connection_id == connection_id)
            vmbus_host_channel_signalled(&host, host.channel[i].relid);
    if (rescind_ctl >= 0 && ctl[rescind_ctl].srbs >= rescind_at) {
        cosim_host_rescind((unsigned)rescind_ctl);
        rescind_ctl = -1;
    }
}

void cosim_host_rescind_after(unsigned c, uint64_t srbs)
{
    rescind_ctl = (int)c;
    rescind_at = ctl[c].srbs + srbs;
}

int cosim_host_take(uint8_t msg[240], uint8_t *len)
{
    if (qhead == qtail)
        return 0;
    memcpy(msg, queue[qhead % QUEUE].msg, queue[qhead % QUEUE].len);
    *len = queue[qhead++ % QUEUE].len;
    return 1;
}

int cosim_host_rescind(unsigned c)
{
    return ctl[c].channel == NULL ? -1 : vmbus_host_rescind(&host, ctl[c].channel->relid);
}

const char *cosim_host_violation(void)
{
    return violation;
}

const char *cosim_host_misbehaved(void)
{
    return misbehaved;
}

uint64_t cosim_host_srbs(unsigned c)
{
    return ctl[c].srbs;
}

uint64_t cosim_host_flushes(unsigned c)
{
    return ctl[c].flushes;
}
