/* The time synchronisation IC (class 9527e630-d0ae-497b-adce-e80ab0175caf;
 * Linux hyperv.h struct ictimesync_data (v1/v3: parenttime, childtime,
 * roundtriptime u64, flags u8) and ictimesync_ref_data (v4: parenttime,
 * vmreferencetime u64, flags u8, leapflags, stratum, reserved); openvmm
 * timesync.rs). Times in 100 ns since 1601-01-01 UTC. The host sends SYNC
 * (set the clock now) first, then a SAMPLE about every 5 s; the guest
 * echoes each message. Versions 1.0, 3.0, 4.0 (Linux supports all three;
 * openvmm offers 4.0 only). Instance GUID: the one openvmm offers. */
#include <string.h>

#include "hostsim/vmbus/ic_services.h"

#define FLAG_SYNC 1
#define FLAG_SAMPLE 2
#define V4_BODY 24 /* openvmm's size; Linux's packed struct takes 22 */
#define V3_BODY 25
#define PERIOD_TICKS 5
#define SAMPLES 0 /* state[0]: answers */
#define TICKS 1   /* state[1]: ticks since the last sample */
#define SENT 2    /* state[2]: messages sent */

static void sample(struct vmbus_ic *ic)
{
    const struct vmbus_ic_env *e = ic->env;
    uint8_t b[V3_BODY] = {0};
    uint64_t parent = e->wall_time(e->ctx);
    uint8_t flags = ic->state[SENT] == 0 ? FLAG_SYNC : FLAG_SAMPLE;
    memcpy(b, &parent, 8);
    uint16_t len;
    if (ic->message.major >= 4) {
        uint64_t ref = e->reference_time(e->ctx);
        memcpy(b + 8, &ref, 8);
        b[16] = flags;
        len = V4_BODY;
    } else {
        b[24] = flags; /* childtime and roundtrip 0 */
        len = V3_BODY;
    }
    if (vmbus_ic_request(ic, b, len) == 0)
        ic->state[SENT]++;
    ic->state[TICKS] = 0;
}

static void answer(struct vmbus_ic *ic, uint32_t status, const uint8_t *body, uint16_t len)
{
    (void)body;
    if (status != 0)
        vmbus_ic_logf(ic, "the guest answered a sample with status 0x%x (%u bytes)", status, len);
    ic->state[SAMPLES]++;
}

static void tick(struct vmbus_ic *ic)
{
    if (++ic->state[TICKS] >= PERIOD_TICKS)
        sample(ic);
}

const struct vmbus_ic_kind vmbus_ic_timesync = {
    .name = "timesync",
    .class_guid = "9527e630-d0ae-497b-adce-e80ab0175caf",
    .instance_guid = "2dd1ce17-079e-403c-b352-a1921ee207ee",
    .msgtype = IC_MSG_TIMESYNC,
    .versions = {{1, 0}, {3, 0}, {4, 0}},
    .nversions = 3,
    .ready = sample,
    .answer = answer,
    .tick = tick,
};

uint64_t vmbus_ic_time_samples(const struct vmbus_ic *ic)
{
    return ic->state[SAMPLES];
}
