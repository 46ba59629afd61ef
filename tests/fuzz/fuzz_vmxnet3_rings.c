/* libFuzzer harness: vmxnet3's transmit and receive completion-ring
 * consumers (drivers/vmxnet3/vmxnet3_ring.c) driven by a device that writes
 * whatever the input says into the completion rings (index, ring id,
 * length, sop/eop, error, type and generation bits), sometimes well-formed
 * completions of what was posted, while the driver posts, reaps and
 * reposts. The driver's view must stay consistent:
 *   - a transmit completion accepted names the oldest descriptor in flight;
 *   - a receive frame accepted names the oldest posted descriptor, is
 *     within its buffer, and had sop and eop set in the completion;
 *   - counts never exceed the ring, never underflow;
 *   - once a ring reports a violation, nothing more is accepted or posted,
 *     and the reason is a non-empty string.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_vmxnet3_rings.c drivers/vmxnet3/vmxnet3_ring.c klib/format.c */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "drivers/vmxnet3/vmxnet3_ring.h"
#include "tests/fuzz/fuzz_input.h"

#define MAX_SIZE 128
#define BUF 2048

static uint32_t tx_ring[MAX_SIZE * 4], tx_comp[MAX_SIZE * 4];
static uint32_t rx_ring[MAX_SIZE * 4], rx_comp[2 * MAX_SIZE * 4];

/* A device-side cursor over a completion ring: where it writes next and
 * with which generation, so that well-formed completions can be produced. */
struct cursor {
    unsigned next, size;
    bool gen;
};

static void cursor_step(struct cursor *c)
{
    if (++c->next == c->size) {
        c->next = 0;
        c->gen = !c->gen;
    }
}

static void fuzz_tx(struct fuzz_input *in, uint16_t size, uint16_t comp_size)
{
    struct vmx_tx t;
    vmx_tx_init(&t, tx_ring, tx_comp, size, comp_size);
    struct cursor dev = {0, comp_size, true};
    unsigned dev_done = 0; /* the device's idea of the next descriptor to complete */
    unsigned expect = 0;   /* ours: the oldest in flight */
    unsigned in_flight = 0;
    while (in->n) {
        switch (fuzz_take(in, 1) % 4) {
        case 0: { /* post */
            uint32_t len = fuzz_take(in, 2) % (BUF + 1);
            bool csum = fuzz_take(in, 1) & 1;
            struct vmx_tx_csum cs = {34, 40};
            int r = vmx_tx_post(&t, 0x10000, len, csum ? &cs : NULL);
            if (r >= 0) {
                BROKEN_IF(t.broken || len == 0 || in_flight == size || in_flight == comp_size);
                BROKEN_IF((unsigned)r != (expect + in_flight) % size);
                in_flight++;
            }
            break;
        }
        case 1: { /* the device completes the next one properly */
            volatile uint32_t *c = tx_comp + 4 * dev.next;
            c[0] = dev_done % size;
            c[3] = dev.gen ? 1u << 31 : 0;
            dev_done++;
            cursor_step(&dev);
            break;
        }
        case 2: { /* the device writes anything */
            volatile uint32_t *c = tx_comp + 4 * dev.next;
            c[0] = fuzz_take(in, 4);
            c[3] = fuzz_take(in, 4);
            if (fuzz_take(in, 1) & 1)
                cursor_step(&dev);
            break;
        }
        case 3: { /* reap */
            bool was_broken = t.broken;
            unsigned idx = ~0u;
            int r = vmx_tx_reap(&t, &idx);
            BROKEN_IF(was_broken && r != -1);
            if (r == 1) {
                BROKEN_IF(in_flight == 0 || idx != expect);
                expect = (expect + 1) % size;
                in_flight--;
            } else if (r == -1) {
                BROKEN_IF(!t.broken || t.error[0] == '\0');
            }
            break;
        }
        }
        BROKEN_IF(t.in_flight != in_flight || t.in_flight > size);
        if (t.broken) {
            BROKEN_IF(vmx_tx_post(&t, 0x10000, 60, NULL) != -1);
            return;
        }
    }
}

static void fuzz_rx(struct fuzz_input *in, uint16_t size, uint16_t comp_size, uint32_t buf_len)
{
    struct vmx_rx r;
    vmx_rx_init(&r, rx_ring, rx_comp, size, comp_size, buf_len, 0);
    struct cursor dev = {0, comp_size, true};
    unsigned dev_next = 0, expect = 0, posted = 0;
    while (in->n) {
        switch (fuzz_take(in, 1) % 4) {
        case 0: { /* post */
            int i = vmx_rx_post(&r, 0x20000);
            if (i >= 0) {
                BROKEN_IF(posted == size || (unsigned)i != (expect + posted) % size);
                posted++;
            }
            break;
        }
        case 1: { /* a proper completion of the next buffer */
            volatile uint32_t *c = rx_comp + 4 * dev.next;
            uint32_t len = fuzz_take(in, 2) % (buf_len + 1);
            c[0] = (dev_next % size) | 3u << 14;
            c[2] = len;
            c[3] = 3u << 24 | (dev.gen ? 1u << 31 : 0);
            dev_next++;
            cursor_step(&dev);
            break;
        }
        case 2: { /* anything */
            volatile uint32_t *c = rx_comp + 4 * dev.next;
            c[0] = fuzz_take(in, 4);
            c[2] = fuzz_take(in, 4);
            c[3] = fuzz_take(in, 4);
            if (fuzz_take(in, 1) & 1)
                cursor_step(&dev);
            break;
        }
        case 3: { /* take a frame */
            bool was_broken = r.broken;
            uint32_t dw0 = rx_comp[4 * r.comp_next];
            struct vmx_rx_frame f;
            int rc = vmx_rx_next(&r, &f);
            BROKEN_IF(was_broken && rc != -1);
            if (rc == 1) {
                BROKEN_IF(posted == 0 || f.index != expect || f.len > buf_len);
                BROKEN_IF(!(dw0 & (1u << 14)) || !(dw0 & (1u << 15)));
                BROKEN_IF(((dw0 >> 16) & 0x3FF) != 0);
                expect = (expect + 1) % size;
                posted--;
            } else if (rc == -1) {
                BROKEN_IF(!r.broken || r.error[0] == '\0');
            }
            break;
        }
        }
        BROKEN_IF(r.posted != posted || r.posted > size);
        if (r.broken) {
            BROKEN_IF(vmx_rx_post(&r, 0x20000) != -1);
            return;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint8_t cfg = (uint8_t)fuzz_take(&in, 1);
    /* Ring sizes 1..128 and completion rings of their size or more (the
     * device's limits are the caller's business; the logic must hold for
     * any). */
    uint16_t ring = (uint16_t)(1 + fuzz_take(&in, 1) % MAX_SIZE);
    uint16_t comp = (uint16_t)(ring + fuzz_take(&in, 1) % (MAX_SIZE + 1));
    if (cfg & 1) {
        if (comp > MAX_SIZE)
            comp = MAX_SIZE;
        fuzz_tx(&in, ring, comp);
    } else {
        uint32_t buf_len = 1 + fuzz_take(&in, 2) % BUF;
        fuzz_rx(&in, ring, comp, buf_len);
    }
    return 0;
}
