/* libFuzzer harness: the e1000 receive-ring consumer (drivers/e1000/rx_ring.c)
 * and transmit reaper (tx_ring.c) driven by a device that writes whatever
 * the input says into the descriptors (status, length, errors, even the
 * buffer address), in the device's part of the ring or anywhere else. The
 * driver's view must stay consistent: a frame it hands out lies inside the
 * buffer of the descriptor it came from, with a length from the Ethernet
 * header's 14 bytes to the buffer's 2048; its indices stay in the ring and
 * the one descriptor it keeps back is right behind the next it will read;
 * once it reports the ring broken nothing more is taken. The reaper never
 * takes more descriptors than were in flight, and only in order.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_e1000_rx.c drivers/e1000/rx_ring.c drivers/e1000/tx_ring.c net/inet_csum.c */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "drivers/e1000/ring.h"
#include "tests/fuzz/fuzz_input.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

#define MAX_COUNT 64

static struct e1000_rx_desc rx_desc[MAX_COUNT];
static struct e1000_tx_desc tx_desc[MAX_COUNT];
static uint8_t rx_pool[MAX_COUNT * E1000_BUF_SIZE];
static uint8_t tx_pool[MAX_COUNT * E1000_BUF_SIZE];

static void fuzz_rx(struct fuzz_input *in, unsigned count)
{
    struct e1000_rx_ring r;
    e1000_rx_init(&r, rx_desc, count, rx_pool, (uintptr_t)rx_pool);
    BROKEN_IF(r.tail != count - 1 || r.next != 0);
    bool was_broken = false;
    while (in->n > 0) {
        unsigned op = fuzz_take(in, 1);
        if (op & 1) {
            /* The device writes a descriptor: which, and what. */
            unsigned i = fuzz_take(in, 1) % count;
            rx_desc[i].length = (uint16_t)fuzz_take(in, 2);
            rx_desc[i].errors = (uint8_t)fuzz_take(in, 1);
            rx_desc[i].status = (uint8_t)fuzz_take(in, 1);
            if (op & 2)
                rx_desc[i].addr = fuzz_take(in, 4);
            continue;
        }
        /* The driver takes what is there, within a budget as net.c does. */
        for (unsigned budget = 2 * count; budget > 0; budget--) {
            const uint8_t *frame = NULL;
            size_t len = 0;
            unsigned at = r.next;
            uint8_t status = rx_desc[at].status;
            enum e1000_rx_result res = e1000_rx_next(&r, &frame, &len);
            BROKEN_IF(was_broken && res != E1000_RX_BROKEN);
            if (res == E1000_RX_BROKEN) {
                BROKEN_IF(!r.broken || r.error == NULL);
                was_broken = true;
                break;
            }
            if (res == E1000_RX_EMPTY)
                break;
            if (res == E1000_RX_FRAME) {
                BROKEN_IF(frame != rx_pool + (size_t)at * E1000_BUF_SIZE);
                BROKEN_IF(len < E1000_FRAME_MIN || len > E1000_BUF_SIZE);
                BROKEN_IF(!(status & E1000_RXD_STAT_EOP) || !(status & E1000_RXD_STAT_DD));
                volatile uint8_t sink = frame[len - 1]; /* inside the pool (ASan) */
                (void)sink;
                e1000_rx_release(&r);
            }
            /* Given back: its own buffer, status clear, kept back. */
            BROKEN_IF(rx_desc[at].addr != (uintptr_t)rx_pool + (uint64_t)at * E1000_BUF_SIZE);
            BROKEN_IF(rx_desc[at].status != 0);
            BROKEN_IF(r.tail != at);
            BROKEN_IF(r.next >= count || (r.tail + 1) % count != r.next);
        }
    }
}

static void fuzz_tx(struct fuzz_input *in, unsigned count)
{
    struct e1000_tx_ring r;
    e1000_tx_init(&r, tx_desc, count, tx_pool, (uintptr_t)tx_pool);
    uint8_t frame[1518];
    memset(frame, 0x5A, sizeof frame);
    while (in->n > 0) {
        unsigned op = fuzz_take(in, 1);
        if (op % 3 == 0) {
            unsigned len = fuzz_take(in, 2) % 1600;
            struct netdev_tx_offload off = {op & 8, (uint16_t)fuzz_take(in, 1),
                                            (uint16_t)fuzz_take(in, 1)};
            struct netdev_buf b = {frame, len};
            unsigned before = r.in_flight;
            int rc = e1000_tx_put(&r, &b, 1, &off);
            BROKEN_IF(rc == 0 && (r.in_flight <= before || r.in_flight > before + 2));
            BROKEN_IF(rc != 0 && r.in_flight != before);
        } else if (op % 3 == 1) {
            /* The device sets or clears status anywhere in the ring. */
            unsigned i = fuzz_take(in, 1) % count;
            tx_desc[i].upper = fuzz_take(in, 4);
        } else {
            unsigned before = r.in_flight, clean = r.next_clean;
            unsigned got = e1000_tx_reap(&r);
            BROKEN_IF(got > before || r.in_flight != before - got);
            BROKEN_IF(r.next_clean != (clean + got) % count);
        }
        BROKEN_IF(r.in_flight > count - 1 || r.next_use >= count || r.next_clean >= count);
        BROKEN_IF((r.next_clean + r.in_flight) % count != r.next_use);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned cfg = fuzz_take(&in, 1);
    unsigned count = E1000_RING_MIN * (1 + (cfg >> 1) % (MAX_COUNT / E1000_RING_MIN));
    if (cfg & 1)
        fuzz_tx(&in, count);
    else
        fuzz_rx(&in, count);
    return 0;
}
