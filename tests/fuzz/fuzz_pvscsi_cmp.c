/* libFuzzer harness: the PVSCSI completion and message consumers
 * (drivers/pvscsi/pvscsi_queue.c) against a device that writes whatever
 * the input says: completion entries with any context, lengths and status,
 * producer indices anywhere, the request consumer index anywhere. The
 * driver's view must stay consistent: every command it completes was in
 * flight and is completed once, the lengths it passes on are within the
 * request's, and once it reports a broken device it accepts nothing more.
 * Input: a stream of operations, one byte each and its operands.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_pvscsi_cmp.c drivers/pvscsi/pvscsi_queue.c dev/scsi/\*.c klib/format.c */
#include <string.h>

#include "drivers/pvscsi/pvscsi_queue.h"
#include "tests/fuzz/fuzz_input.h"

uint64_t dma_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

#define REQ 32
#define CMP 128
#define MSG 32
static uint8_t state[4096] __attribute__((aligned(4096)));
static uint8_t reqs[REQ * 128] __attribute__((aligned(4096)));
static uint8_t cmps[CMP * 32] __attribute__((aligned(4096)));
static uint8_t msgs[MSG * 128] __attribute__((aligned(4096)));
static struct pvscsi_slot slots[REQ];
static struct scsi_cmd cmds[REQ];
static uint8_t data[REQ][64];
static bool issued[REQ];         /* the harness's own record of what is in flight */
static uint32_t context_of[REQ]; /* each one's context, as the device read it */
/* Per completion entry: written for a context in flight at the time. An
 * entry written for any other context must never complete anything. */
static bool entry_legit[CMP];
static bool polling; /* done() from poll, not fail_all */
static struct pvscsi_queue q;

static void done(struct pvscsi_slot *s)
{
    struct scsi_cmd *c = s->cmd;
    size_t i = (size_t)(c - cmds);
    BROKEN_IF(i >= REQ || !issued[i]);
    issued[i] = false;
    BROKEN_IF(polling && q.broken); /* nothing accepted once broken */
    /* The entry being accepted is the one before the consumer index. */
    BROKEN_IF(polling && !entry_legit[(q.cmp_cons - 1) % CMP]);
    BROKEN_IF(c->sense_len > sizeof c->sense || c->residual > c->cdb.data_len);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *in_data, size_t size)
{
    struct fuzz_input in = {in_data, size};
    memset(state, 0, sizeof state);
    memset(cmps, 0, sizeof cmps);
    memset(slots, 0, sizeof slots);
    memset(issued, 0, sizeof issued);
    memset(entry_legit, 0, sizeof entry_legit);
    pvscsi_queue_init(&q, "fuzz", (volatile struct pvscsi_rings_state *)state,
                      (volatile struct pvscsi_req_desc *)reqs, REQ,
                      (volatile struct pvscsi_cmp_desc *)cmps, CMP,
                      (volatile struct pvscsi_msg_desc *)msgs, MSG, slots, REQ);
    uint32_t cmp_prod = 0;
    for (unsigned steps = 0; in.n && steps < 4096; steps++) {
        uint8_t op = (uint8_t)fuzz_take(&in, 1);
        switch (op % 6) {
        case 0: { /* the driver submits one */
            unsigned i = 0;
            while (i < REQ && issued[i])
                i++;
            if (i == REQ)
                break;
            memset(&cmds[i], 0, sizeof cmds[i]);
            scsi_cdb_inquiry(&cmds[i].cdb, (uint16_t)(fuzz_take(&in, 1) % sizeof data[i]));
            cmds[i].data = data[i];
            bool rw;
            enum pvscsi_submit_result r = pvscsi_queue_submit(&q, &cmds[i], 0, 0, done, NULL, &rw);
            if (r == PVSCSI_QUEUED) {
                issued[i] = true;
                context_of[i] = get32(reqs + ((get32(state) - 1) % REQ) * 128);
            }
            BROKEN_IF(r == PVSCSI_QUEUED && q.broken);
            /* The device consumes it at once, as QEMU does. */
            put32(state + 4, get32(state + 0));
            break;
        }
        case 1: { /* the device completes a request it holds, honestly or not */
            uint8_t *e = cmps + (cmp_prod % CMP) * 32;
            uint8_t pick = (uint8_t)fuzz_take(&in, 1);
            uint64_t ctx =
                pick < REQ && slots[pick].in_use ? slots[pick].context : fuzz_take(&in, 4);
            memcpy(e, &ctx, 8);
            bool legit = false;
            for (unsigned i = 0; i < REQ; i++)
                legit |= issued[i] && context_of[i] == ctx;
            entry_legit[cmp_prod % CMP] = legit;
            uint64_t dlen = fuzz_take(&in, 1);
            memcpy(e + 8, &dlen, 8);
            put32(e + 16, fuzz_take(&in, 2));
            uint32_t st = fuzz_take(&in, 4);
            memcpy(e + 20, &st, 4);
            cmp_prod++;
            put32(state + 12, cmp_prod);
            break;
        }
        case 2: /* a producer index anywhere */
            cmp_prod = fuzz_take(&in, 4);
            put32(state + 12, cmp_prod);
            break;
        case 3: { /* the driver polls */
            bool was_broken = q.broken;
            polling = true;
            int n = pvscsi_queue_poll(&q);
            polling = false;
            BROKEN_IF(was_broken && n != -1);
            BROKEN_IF(n == -1 && (!q.broken || q.error[0] == '\0'));
            break;
        }
        case 4: { /* messages */
            put32(state + 128, fuzz_take(&in, 4));
            struct pvscsi_msg_desc m;
            int r;
            unsigned taken = 0;
            while ((r = pvscsi_queue_take_msg(&q, &m)) == 1)
                BROKEN_IF(++taken > MSG);
            BROKEN_IF(r == -1 && !q.broken);
            break;
        }
        case 5: /* the request consumer index anywhere */
            put32(state + 4, fuzz_take(&in, 4));
            break;
        }
        unsigned n = 0;
        for (unsigned i = 0; i < REQ; i++)
            n += issued[i];
        BROKEN_IF(n != q.in_flight);
    }
    pvscsi_queue_fail_all(&q);
    for (unsigned i = 0; i < REQ; i++)
        BROKEN_IF(issued[i]);
    return 0;
}
