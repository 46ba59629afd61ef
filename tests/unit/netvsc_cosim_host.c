/* The host half of the netvsc co-simulation (netvsc_cosim_host.h). */
#include <string.h>

#include "hostsim/guest_mem.h"
#include "hostsim/registry.h"
#include "hostsim/vmbus/netvsp.h"
#include "hostsim/vmbus/server.h"
#include "tests/unit/netvsc_cosim_host.h"

#define SENT_MAX 64
#define HV_SUCCESS 0

static struct guest_mem mem;
static struct vmbus_host host;
static struct {
    struct netvsp vsp;
    struct cosim_frame sent[SENT_MAX];
    unsigned nsent;
} nic[COSIM_NICS];
static unsigned nnics;
static uint8_t queue[64][240];
static size_t qlen[64];
static unsigned qhead, qtail;
static uint64_t flags;
static char violation[512];

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx;
    (void)vp;
    (void)sint;
    if (qtail - qhead == 64 || len > 240)
        return -1;
    memcpy(queue[qtail % 64], msg, len);
    qlen[qtail++ % 64] = len;
    return 0;
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx;
    (void)vp;
    (void)sint;
    flags |= 1ull << relid;
}

static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    if (violation[0] == '\0')
        snprintf(violation, sizeof violation, "%s", what);
}

static void hook_misbehaving(void *ctx, const char *what)
{
    (void)ctx;
    (void)what; /* netvsp records that it misbehaved */
}

static void transmit(void *ctx, const uint8_t *frame, size_t len, uint16_t start, uint16_t off)
{
    unsigned i = (unsigned)(uintptr_t)ctx;
    if (nic[i].nsent == SENT_MAX || len > sizeof nic[i].sent[0].data)
        return; /* the test takes them often enough */
    struct cosim_frame *f = &nic[i].sent[nic[i].nsent++];
    memcpy(f->data, frame, len);
    f->len = len;
    f->csum_start = start;
    f->csum_offset = off;
}

void cosim_host_start(uint8_t *ram, size_t bytes, unsigned nics, const uint32_t *max_version,
                      const char *const *misbehave)
{
    memset(&mem, 0, sizeof mem);
    guest_mem_add(&mem, 0, bytes, ram);
    struct vmbus_host_hooks hooks = {.post = hook_post,
                                     .signal = hook_signal,
                                     .violation = hook_violation,
                                     .misbehaving = hook_misbehaving};
    vmbus_host_init(&host, &mem, 1, 0x50003, &hooks);
    nnics = nics;
    for (unsigned i = 0; i < nics; i++) {
        uint8_t mac[6] = {2, 0, 0, 0, 0, (uint8_t)(i + 1)};
        struct netvsp_hooks h = {.transmit = transmit, .ctx = (void *)(uintptr_t)i};
        netvsp_init(&nic[i].vsp, mac, &h);
        nic[i].vsp.max_version = max_version[i];
        if (misbehave[i] != NULL)
            nic[i].vsp.misbehave =
                (enum netvsp_misbehave)hostsim_misbehave_find(misbehave[i])->code;
        vmbus_host_add_channel(&host, &nic[i].vsp.service);
    }
}

uint16_t cosim_host_post(uint32_t conn_id, const void *msg, size_t len)
{
    vmbus_host_message(&host, conn_id, msg, len);
    return HV_SUCCESS;
}

uint16_t cosim_host_signal(uint32_t conn_id)
{
    for (unsigned i = 0; i < host.nchannels; i++)
        if (host.channel[i].connection_id == conn_id)
            vmbus_host_channel_signalled(&host, host.channel[i].relid);
    return HV_SUCCESS;
}

size_t cosim_host_take(uint8_t msg[240])
{
    if (qhead == qtail)
        return 0;
    size_t len = qlen[qhead % 64];
    memcpy(msg, queue[qhead++ % 64], len);
    return len;
}

uint64_t cosim_host_flags(void)
{
    uint64_t f = flags;
    flags = 0;
    return f;
}

unsigned cosim_host_deliver(unsigned i, const uint8_t *const *frames, const size_t *lens,
                            unsigned n, uint32_t csum)
{
    struct netvsp_frame f[NETVSP_MAX_RANGES];
    if (n > NETVSP_MAX_RANGES)
        n = NETVSP_MAX_RANGES;
    for (unsigned k = 0; k < n; k++)
        f[k] = (struct netvsp_frame){frames[k], lens[k], csum};
    return netvsp_deliver(&nic[i].vsp, f, n);
}

unsigned cosim_host_sent(unsigned i, struct cosim_frame *out, unsigned max)
{
    unsigned n = nic[i].nsent < max ? nic[i].nsent : max;
    memcpy(out, nic[i].sent, n * sizeof *out);
    memmove(nic[i].sent, nic[i].sent + n, (nic[i].nsent - n) * sizeof *out);
    nic[i].nsent -= n;
    return n;
}

void cosim_host_set_link(unsigned i, bool up)
{
    netvsp_set_link(&nic[i].vsp, up);
}

int cosim_host_rescind(unsigned i)
{
    return vmbus_host_rescind(&host, i + 1); /* relids follow the channels' order */
}

const char *cosim_host_violation(void)
{
    return violation[0] != '\0' ? violation : NULL;
}

uint32_t cosim_host_version(unsigned i)
{
    return nic[i].vsp.version;
}

unsigned cosim_host_rx_busy(unsigned i)
{
    unsigned n = 0;
    for (unsigned s = 0; s < nic[i].vsp.rx_nsections; s++)
        n += nic[i].vsp.rx_owner[s] != 0;
    return n;
}

uint32_t cosim_host_filter(unsigned i)
{
    return nic[i].vsp.filter;
}

bool cosim_host_open(unsigned i)
{
    return nic[i].vsp.ch != NULL && nic[i].vsp.ch->open;
}

bool cosim_host_misbehaved(unsigned i)
{
    return nic[i].vsp.misbehaved;
}
