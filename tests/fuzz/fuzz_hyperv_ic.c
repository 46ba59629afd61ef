/* libFuzzer harness: the integration-service messages
 * (drivers/hyperv/ic_msg.c) on arbitrary packets. Invariants: an accepted
 * message's body lies inside the packet; negotiation answers with counts 1
 * and 1 and versions from both lists, or 0 and 0; a KVP answer is written
 * only into a body with room for it; the service bodies are read and
 * written only when long enough (ASan checks every access), and a timesync
 * time is never before 1970; responding changes only the status and flags.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hyperv_ic.c drivers/hyperv/ic_msg.c drivers/hyperv/ic_kvp.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hyperv/ic_kvp.h"
#include "drivers/hyperv/ic_msg.h"
#include "tests/fuzz/fuzz_input.h"

static const struct ic_version fw[] = {{3, 0}, {1, 0}};
static const struct ic_version ours[] = {{4, 0}, {3, 2}, {3, 0}, {1, 0}};

static bool listed(const struct ic_version *v, const struct ic_version *list, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i].major == v->major && list[i].minor == v->minor)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so ASan sees any read past the packet */
    uint8_t *pkt = malloc(size ? size : 1);
    memcpy(pkt, data, size);
    struct ic_message m;
    const char *why = NULL;
    if (ic_parse(pkt, size, &m, &why) != 0) {
        BROKEN_IF(why == NULL);
        free(pkt);
        return 0;
    }
    BROKEN_IF(m.body != pkt + IC_BODY || IC_BODY + (size_t)m.body_len > size);
    struct ic_version f, v;
    uint32_t flags;
    uint64_t ns;
    uint8_t tflags;
    switch (m.type) {
    case IC_MSG_NEGOTIATE:
        if (ic_negotiate(&m, fw, 2, ours, 4, &f, &v, &why) == 0) {
            BROKEN_IF(m.body[0] != 1 || m.body[2] != 1);
            BROKEN_IF(!listed(&f, fw, 2) || !listed(&v, ours, 4));
        } else {
            BROKEN_IF(why == NULL);
        }
        break;
    case IC_MSG_SHUTDOWN:
        (void)ic_shutdown_flags(&m, &flags, &why);
        break;
    case IC_MSG_HEARTBEAT:
        (void)ic_heartbeat_answer(&m, &why);
        break;
    case IC_MSG_TIMESYNC:
        if (ic_timesync(&m, &ns, &tflags, &why) == 0)
            BROKEN_IF(ns % 100 != 0);
        break;
    case IC_MSG_KVP: {
        static const struct kvp_entry pool[] = {{"OSName", "anyvm"}};
        uint32_t st = ic_kvp_answer(&m, pool, 1, &why);
        BROKEN_IF(st != IC_STATUS_OK && st != IC_STATUS_FAIL && st != KVP_STATUS_NO_MORE);
        if (st == IC_STATUS_OK)
            BROKEN_IF(m.body_len < KVP_ENUMERATE_BODY || m.body[20] != 'O');
        break;
    }
    default:
        break;
    }
    uint8_t before[IC_BODY];
    memcpy(before, pkt, IC_BODY);
    ic_respond(pkt, IC_STATUS_FAIL);
    BROKEN_IF(memcmp(before, pkt, 20) != 0 || memcmp(before + 24, pkt + 24, 1) != 0);
    BROKEN_IF(pkt[25] != (IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE));
    free(pkt);
    return 0;
}
