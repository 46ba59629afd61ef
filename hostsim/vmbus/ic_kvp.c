/* The key-value pair exchange IC (class a9a0f4e7-5a45-4d96-b827-
 * 8a841e8c03e6, Linux hyperv.h HV_KVP_GUID; versions from Linux hv_kvp.c,
 * 3.0, 4.0 and 5.0). As Hyper-V learns a guest's name and addresses, the
 * host enumerates the guest's AUTO pool once the service is ready and again
 * every ENUMERATE_TICKS ticks, and logs the pairs when they changed.
 *
 * Layout (Linux include/uapi/linux/hyperv.h, struct hv_kvp_msg): the body
 * starts with hv_kvp_hdr (operation u8 @0, pool u8 @1); ENUMERATE (3) of
 * pool AUTO (2) carries the index u32 @4, and the answer's
 * hv_kvp_exchg_msg_value: value_type u32 @8, key_size u32 @12 and
 * value_size u32 @16 in bytes with the NUL, key @20 (512 bytes) and value
 * @532 (2048), UTF-16LE; status HV_S_CONT (0x80070103) ends it (Linux
 * drivers/hv/hv_kvp.c). The instance GUID is hostsim's own. */
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/ic_services.h"

#define BODY 2580
#define OP_ENUMERATE 3
#define POOL_AUTO 2
#define S_CONT 0x80070103u
#define KEY_AT 20
#define KEY_BYTES 512
#define VALUE_AT (KEY_AT + KEY_BYTES)
#define VALUE_BYTES 2048
#define MAX_PAIRS 64
#define ENUMERATE_TICKS 3
#define INDEX 0 /* state[0]: the index asked */
#define TICKS 1 /* state[1]: ticks since the last enumeration ended */
#define SEEN 2  /* state[2]: a hash of this enumeration's pairs */
#define LAST 3  /* state[3]: the last complete enumeration's hash, logged */
#define LINE_BYTES (KEY_BYTES / 2 + VALUE_BYTES / 2 + 2)

/* This enumeration's pairs, logged at its end when they changed (one KVP
 * service per VM). */
static char pairs[MAX_PAIRS][LINE_BYTES];

static void ask(struct vmbus_ic *ic, uint32_t index)
{
    uint8_t b[BODY] = {0};
    b[0] = OP_ENUMERATE;
    b[1] = POOL_AUTO;
    memcpy(b + 4, &index, 4);
    if (vmbus_ic_request(ic, b, sizeof b) == 0)
        ic->state[INDEX] = index;
}

static void start(struct vmbus_ic *ic)
{
    ic->state[SEEN] = 1469598103934665603ull; /* FNV-1a's offset basis */
    ask(ic, 0);
}

/* UTF-16LE of size bytes (with its NUL) at p into ASCII ('?' for the rest):
 * 0, or -1 when the size is odd, too large or the NUL is missing. */
static int ascii(const uint8_t *p, uint32_t size, uint32_t room, char *out)
{
    if (size < 2 || size > room || size % 2 || p[size - 2] || p[size - 1])
        return -1;
    uint32_t n = size / 2 - 1;
    for (uint32_t i = 0; i < n; i++) {
        unsigned c = p[2 * i] | p[2 * i + 1] << 8;
        out[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[n] = '\0';
    return 0;
}

static void answer(struct vmbus_ic *ic, uint32_t status, const uint8_t *body, uint16_t len)
{
    if (status == S_CONT) {
        if (ic->state[SEEN] != ic->state[LAST]) {
            for (uint64_t i = 0; i < ic->state[INDEX]; i++)
                vmbus_ic_noticef(ic, "the guest says %s", pairs[i]);
            vmbus_ic_noticef(ic, "the guest's AUTO pool holds %llu pairs",
                             (unsigned long long)ic->state[INDEX]);
        }
        ic->state[LAST] = ic->state[SEEN];
        ic->state[TICKS] = 0;
        return;
    }
    if (status != 0) {
        /* A guest may have nothing to answer with (Linux answers HV_E_FAIL
         * while no KVP daemon runs): not a protocol violation. Asked again
         * at the next round. */
        vmbus_ic_logf(ic, "ENUMERATE %llu answered with status 0x%x",
                      (unsigned long long)ic->state[INDEX], status);
        ic->state[TICKS] = 0;
        if (ic->state[LAST] == 0)
            ic->state[LAST] = 1; /* the rounds go on */
        return;
    }
    uint32_t ks = 0, vs = 0;
    char key[KEY_BYTES / 2], value[VALUE_BYTES / 2];
    if (len >= BODY) {
        memcpy(&ks, body + 12, 4);
        memcpy(&vs, body + 16, 4);
    }
    if (len < BODY || body[0] != OP_ENUMERATE || body[1] != POOL_AUTO ||
        ascii(body + KEY_AT, ks, KEY_BYTES, key) != 0 ||
        ascii(body + VALUE_AT, vs, VALUE_BYTES, value) != 0 || ic->state[INDEX] >= MAX_PAIRS) {
        vmbus_host_violation(ic->channel->host,
                             "kvp IC: ENUMERATE answer %llu: %u bytes, key %u and value %u "
                             "bytes: expected the request's operation and pool, "
                             "NUL-terminated UTF-16 within 512 and 2048 bytes, at most %d pairs",
                             (unsigned long long)ic->state[INDEX], len, ks, vs, MAX_PAIRS);
        return;
    }
    /* FNV-1a over key and value: the pairs are logged when they changed */
    for (const char *s = key; *s; s++)
        ic->state[SEEN] = (ic->state[SEEN] ^ (uint8_t)*s) * 1099511628211ull;
    for (const char *s = value; *s; s++)
        ic->state[SEEN] = (ic->state[SEEN] ^ (uint8_t)*s) * 1099511628211ull;
    ic->state[SEEN] = (ic->state[SEEN] ^ 0xFF) * 1099511628211ull;
    snprintf(pairs[ic->state[INDEX]], LINE_BYTES, "%s=%s", key, value);
    ask(ic, (uint32_t)ic->state[INDEX] + 1);
}

static void tick(struct vmbus_ic *ic)
{
    if (ic->state[LAST] != 0 && ++ic->state[TICKS] >= ENUMERATE_TICKS)
        start(ic);
}

const struct vmbus_ic_kind vmbus_ic_kvp = {
    .name = "kvp",
    .class_guid = "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6",
    .instance_guid = "242ff919-07db-4180-9c2e-b86cb68c8c55",
    .msgtype = IC_MSG_KVP,
    .versions = {{3, 0}, {4, 0}, {5, 0}},
    .nversions = 3,
    .ready = start,
    .answer = answer,
    .tick = tick,
};
