/* libFuzzer harness: the VMBus ring reader and writer
 * (bus/vmbus/vmbus_ring.c) against a host that writes whatever the input
 * says into the shared control page and data area. Invariants: the guest's
 * own index stays 8-aligned and inside the ring; a packet accepted has
 * offset8 >= 2, len8 >= offset8, a known type and no unknown flags, and
 * fits the bytes that were available and the reader's buffer; a read that
 * is refused or finds nothing moves nothing; a write publishes its own
 * write index, whatever the host wrote there.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_vmbus_ring.c bus/vmbus/vmbus_ring.c */
#include <stdint.h>
#include <string.h>

#include "bus/vmbus/vmbus_ring.h"
#include "tests/fuzz/fuzz_input.h"

#define PAGE 4096u

static uint8_t in_mem[PAGE + 2 * PAGE] __attribute__((aligned(4096)));
static uint8_t out_mem[PAGE + PAGE] __attribute__((aligned(4096)));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    memset(in_mem, 0, sizeof in_mem);
    memset(out_mem, 0, sizeof out_mem);
    struct vmbus_ring r, w;
    if (vmbus_ring_init(&r, in_mem, sizeof in_mem, false) != 0 ||
        vmbus_ring_init(&w, out_mem, sizeof out_mem, true) != 0)
        abort();
    while (in.n > 0) {
        unsigned op = fuzz_take(&in, 1) % 4;
        if (op == 0) { /* the host writes bytes into the inbound data area */
            uint32_t at = fuzz_take(&in, 2) % r.size, n = fuzz_take(&in, 1);
            for (uint32_t i = 0; i < n && in.n > 0; i++)
                in_mem[PAGE + (at + i) % r.size] = (uint8_t)fuzz_take(&in, 1);
        } else if (op == 1) { /* ... or an index or field of either control page */
            uint32_t v = fuzz_take(&in, 4);
            unsigned which = fuzz_take(&in, 1) % 4;
            memcpy((which < 2 ? in_mem : out_mem) + (which % 2 ? 12 : 0), &v, 4);
            if (which == 3)
                memcpy(out_mem + 4, &v, 4); /* the outbound read index */
        } else if (op == 2) {
            uint8_t buf[2 * PAGE];
            size_t buflen = fuzz_take(&in, 2) % sizeof buf;
            struct vmbus_pkt pkt;
            bool signal;
            const char *why;
            uint32_t before = r.own;
            uint32_t write;
            memcpy(&write, in_mem, 4);
            uint32_t avail = write >= before ? write - before : r.size - before + write;
            enum vmbus_ring_result res = vmbus_ring_read(&r, buf, buflen, &pkt, &signal, &why);
            BROKEN_IF(r.own % 8 != 0 || r.own >= r.size);
            if (res != VMBUS_RING_OK) {
                BROKEN_IF(r.own != before);
                BROKEN_IF(res == VMBUS_RING_BROKEN && why == NULL);
                continue;
            }
            BROKEN_IF(pkt.offset < 16 || pkt.len < pkt.offset || pkt.len > buflen);
            BROKEN_IF(pkt.len + 8 > avail || write >= r.size);
            BROKEN_IF(pkt.type != 6 && pkt.type != 7 && pkt.type != 9 && pkt.type != 0xB);
            BROKEN_IF(pkt.flags > 1);
            BROKEN_IF(r.own != (before + pkt.len + 8) % r.size);
        } else {
            uint8_t payload[512] = {0};
            size_t len = 1 + fuzz_take(&in, 2) % sizeof payload;
            struct vmbus_sg part = {payload, len};
            bool signal;
            const char *why;
            uint32_t before = w.own;
            enum vmbus_ring_result res = vmbus_ring_write(&w, &part, 1, &signal, &why);
            uint32_t published;
            memcpy(&published, out_mem, 4);
            BROKEN_IF(w.own % 8 != 0 || w.own >= w.size);
            if (res != VMBUS_RING_OK) {
                BROKEN_IF(w.own != before);
            } else {
                /* the host may scribble over the write index; a write
                 * publishes the guest's own */
                BROKEN_IF(published != w.own);
                BROKEN_IF(w.own != (before + ((len + 7) & ~7u) + 8) % w.size);
            }
        }
    }
    return 0;
}
