/* libFuzzer harness: the split virtqueue (drivers/virtio/virtqueue.c) driven
 * by a device that writes whatever the input says into the used ring,
 * avail_event, flags and even the descriptor table, while the driver adds,
 * kicks and takes completions. The driver's view must stay consistent: every
 * completion it accepts is a request in flight with a length within its
 * writable bytes, descriptors are never lost or handed out twice, and once it
 * reports a broken device nothing more is accepted.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_virtq_used.c drivers/virtio/virtqueue.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtqueue.h"
#include "tests/fuzz/fuzz_input.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

#define MAX_SIZE 256
#define SLOTS (2 * MAX_SIZE)

struct slot {
    bool in_flight;
    uint32_t writable;
    unsigned ndesc;
};

static uint8_t ring[65536] __attribute__((aligned(4096)));
static uint8_t state[MAX_SIZE * (VIRTQ_MAX_INDIRECT * 16 + 16)] __attribute__((aligned(4096)));
static struct slot slots[SLOTS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint8_t cfg = (uint8_t)fuzz_take(&in, 1);
    uint16_t qsize = (uint16_t)(1u << (cfg % 9)); /* 1 .. 256 */
    bool event_idx = cfg & 0x10, indirect = cfg & 0x20;
    struct virtq vq;
    memset(&vq, 0, sizeof vq);
    if (virtq_ring_bytes(qsize) > sizeof ring || virtq_state_bytes(qsize, indirect) > sizeof state)
        abort();
    virtq_init(&vq, 0, qsize, ring, (uintptr_t)ring, state, (uintptr_t)state, event_idx, indirect);
    memset(slots, 0, sizeof slots);
    unsigned in_flight = 0, descs_in_flight = 0;
    volatile struct virtq_used *used = vq.used;

    while (in.n) {
        switch (fuzz_take(&in, 1) % 8) {
        case 0: { /* the driver adds a request */
            unsigned n = 1 + fuzz_take(&in, 1) % 20;
            struct virtq_buf b[20];
            uint32_t writable = 0;
            unsigned nread = fuzz_take(&in, 1) % (n + 1);
            for (unsigned i = 0; i < n; i++) {
                b[i].addr = 0x100000 + i * 0x1000;
                b[i].len = fuzz_take(&in, 2);
                b[i].device_writes = i >= nread;
                if (b[i].device_writes)
                    writable += b[i].len;
            }
            unsigned s = 0;
            while (s < SLOTS && slots[s].in_flight)
                s++;
            if (s == SLOTS)
                abort(); /* more in flight than descriptors: impossible */
            uint16_t free_before = vq.num_free;
            if (virtq_add(&vq, b, n, &slots[s]) == 0) {
                if (vq.broken)
                    abort();
                slots[s] = (struct slot){true, writable, (unsigned)(free_before - vq.num_free)};
                in_flight++;
                descs_in_flight += slots[s].ndesc;
            } else if (vq.num_free != free_before) {
                abort(); /* a refused request took descriptors */
            }
            break;
        }
        case 1:
            virtq_kick_prepare(&vq);
            break;
        case 2: { /* the device writes a used entry at an index of its choice */
            uint16_t at = (uint16_t)fuzz_take(&in, 2);
            used->ring[at % qsize].id =
                fuzz_take(&in, 1) % 2 ? fuzz_take(&in, 4) : fuzz_take(&in, 1) % qsize;
            used->ring[at % qsize].len =
                fuzz_take(&in, 1) % 2 ? fuzz_take(&in, 4) : fuzz_take(&in, 2);
            break;
        }
        case 3: { /* the device moves used->idx */
            uint32_t k = fuzz_take(&in, 1);
            used->idx = (uint16_t)(k & 0x80 ? fuzz_take(&in, 2) : used->idx + (k & 7));
            break;
        }
        case 4: { /* the driver takes completions */
            for (unsigned round = 0; round < 8; round++) {
                void *tok = NULL;
                uint32_t len = 0;
                bool was_broken = vq.broken;
                int r = virtq_get_used(&vq, &tok, &len);
                if (r == 0)
                    break;
                if (r < 0) {
                    if (!vq.broken || vq.error[0] == '\0')
                        abort();
                    break;
                }
                if (was_broken || r != 1)
                    abort();
                struct slot *s = tok;
                if (s < slots || s >= slots + SLOTS || !s->in_flight || len > s->writable)
                    abort();
                s->in_flight = false;
                in_flight--;
                descs_in_flight -= s->ndesc;
            }
            break;
        }
        case 5: /* notification suppression, both ways */
            if (fuzz_take(&in, 1) & 1)
                virtq_enable_interrupts(&vq);
            else
                virtq_disable_interrupts(&vq);
            used->flags = (uint16_t)fuzz_take(&in, 2);
            *(volatile uint16_t *)((uint8_t *)vq.used + 4 + 8 * (size_t)qsize) =
                (uint16_t)fuzz_take(&in, 2);
            break;
        case 6: { /* the device scribbles over the descriptor table or avail ring */
            size_t off = fuzz_take(&in, 2) % (16 * (size_t)qsize + 6 + 2 * (size_t)qsize);
            ((volatile uint8_t *)vq.desc)[off] = (uint8_t)fuzz_take(&in, 1);
            break;
        }
        case 7: /* the driver's bookkeeping must add up */
            if (vq.in_flight != in_flight || (!vq.broken && vq.num_free + descs_in_flight != qsize))
                abort();
            break;
        }
        if (vq.broken) {
            struct virtq_buf b = {0x1000, 1, true};
            void *tok;
            uint32_t len;
            if (virtq_add(&vq, &b, 1, &slots[0]) != -1 || virtq_get_used(&vq, &tok, &len) != -1 ||
                virtq_kick_prepare(&vq))
                abort();
        }
    }
    if (vq.in_flight != in_flight || (!vq.broken && vq.num_free + descs_in_flight != qsize))
        abort();
    return 0;
}
