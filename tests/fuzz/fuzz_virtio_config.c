/* libFuzzer harness: the virtio core's configuration policy
 * (drivers/virtio/virtio.c: virtio_config_read, virtio_config_read_bytes,
 * virtio_config_write) over a simulated device whose configuration bytes,
 * generation counter and changing values all come from the input, with a
 * generation (a modern interface, 2.5.1) or without one (legacy, 2.5.4).
 *
 * Input: byte 0 bit 0 legacy (no generation); byte 1 config_len (0-64);
 * 64 bytes of configuration; then operations, each an opcode byte and its
 * arguments; the device's generation values and per-read noise are drawn
 * from the same stream as the operations go on.
 *
 * Invariants: the transport is never asked for an access outside
 * config_len, misaligned or of another width than 1, 2 or 4, nor anything
 * at all once the device is broken, nor more than RETRIES+1 passes per
 * call; a read that succeeds returns exactly what the device presented in
 * its last pass, and that pass lay between two equal generation reads
 * (modern) or equalled the pass before it (legacy); a read that fails
 * leaves the device broken with FAILED written, a message logged, and 0 (or
 * zeroed bytes) returned; out-of-range calls fail without any access.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_virtio_config.c drivers/virtio/virtio.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/virtio.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_virtio_sim.h"

static char last_log[256];

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof last_log, fmt, ap);
    va_end(ap);
}

#define LOG_MAX 8192 /* a failing 64-byte snapshot: 100 passes of 64 reads + 2 */

/* What the device did, in order: generation reads and raw reads. */
struct event {
    enum { EV_GEN, EV_READ } kind;
    uint32_t value;
    unsigned offset, size;
};

static struct {
    struct virtio_sim sim;
    struct fuzz_input *in;
    struct event log[LOG_MAX];
    unsigned nlog;
    unsigned accesses; /* raw reads and writes of the current call */
} dev;

static void record(struct event e)
{
    if (dev.nlog < LOG_MAX)
        dev.log[dev.nlog++] = e;
}

static uint32_t sim_config_read(struct virtio_dev *vd, unsigned off, unsigned size)
{
    sim_check_access(vd, off, size);
    dev.accesses++;
    uint32_t v = (uint32_t)sim_config_le(&dev.sim, off, size);
    /* Now and then the device changes the value under the driver. */
    uint8_t noise = (uint8_t)fuzz_take(dev.in, 1);
    if (noise & 0x80)
        v ^= (uint32_t)(noise & 0x7F) << (8 * (noise % size));
    if (size < 4)
        v &= (1u << (8 * size)) - 1;
    record((struct event){EV_READ, v, off, size});
    return v;
}

static void sim_config_write(struct virtio_dev *vd, unsigned off, unsigned size, uint32_t v)
{
    sim_check_access(vd, off, size);
    dev.accesses++;
    for (unsigned i = 0; i < size; i++)
        dev.sim.config[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t sim_generation(struct virtio_dev *vd)
{
    BROKEN_IF(vd->broken); /* nothing is asked of a broken device */
    uint8_t step = (uint8_t)fuzz_take(dev.in, 1);
    if (step & 1)
        dev.sim.generation += step >> 1;
    record((struct event){EV_GEN, dev.sim.generation, 0, 0});
    return dev.sim.generation;
}

/* The bytes of one pass ending at event index end (exclusive): the last
 * `units` raw reads, each unit bytes. Returns false when the log does not
 * hold such a pass there. */
static bool pass_bytes(unsigned end, unsigned units, unsigned offset, unsigned unit, uint8_t *out)
{
    if (end < units)
        return false;
    for (unsigned k = 0; k < units; k++) {
        const struct event *e = &dev.log[end - units + k];
        if (e->kind != EV_READ || e->offset != offset + k * unit || e->size != unit)
            return false;
        for (unsigned b = 0; b < unit; b++)
            out[k * unit + b] = (uint8_t)(e->value >> (8 * b));
    }
    return true;
}

/* Checks one read of len bytes at offset (accesses of unit bytes) that
 * returned got (valid unless failed). */
static void check_read(bool ok_range, unsigned offset, unsigned unit, unsigned len,
                       const uint8_t *got, bool was_broken, unsigned log_start)
{
    bool broken = dev.sim.vd.broken;
    unsigned units = len / (unit ? unit : 1);
    if (was_broken || !ok_range) {
        if (dev.accesses != 0 || !broken)
            abort();
        for (unsigned i = 0; i < len; i++)
            if (got[i] != 0)
                abort();
        return;
    }
    bool has_gen = dev.sim.vd.ops->config_generation != NULL;
    unsigned passes_max = has_gen ? VIRTIO_CONFIG_RETRIES : VIRTIO_CONFIG_RETRIES + 1;
    if (dev.accesses > passes_max * units)
        abort();
    if (broken) {
        if (dev.accesses != passes_max * units || !(dev.sim.status & VIRTIO_STATUS_FAILED) ||
            strstr(last_log, "disabled:") == NULL)
            abort();
        for (unsigned i = 0; i < len; i++)
            if (got[i] != 0)
                abort();
        return;
    }
    if (dev.nlog >= LOG_MAX)
        abort(); /* cannot happen within RETRIES passes: the log is sized for them */
    uint8_t last[VIRTIO_CONFIG_SNAPSHOT_MAX], before[VIRTIO_CONFIG_SNAPSHOT_MAX];
    if (has_gen) {
        /* gen, pass, gen: the generation equal on both sides. */
        unsigned end = dev.nlog - 1;
        const struct event *g1 = &dev.log[end];
        if (end < units + 1 || end - units - 1 < log_start || g1->kind != EV_GEN)
            abort();
        const struct event *g0 = &dev.log[end - units - 1];
        if (g0->kind != EV_GEN || g0->value != g1->value ||
            !pass_bytes(end, units, offset, unit, last))
            abort();
    } else {
        /* Two passes in a row that agree. */
        if (!pass_bytes(dev.nlog, units, offset, unit, last) || dev.nlog - log_start < 2 * units ||
            !pass_bytes(dev.nlog - units, units, offset, unit, before) ||
            memcmp(last, before, len) != 0)
            abort();
    }
    if (memcmp(got, last, len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    memset(&dev, 0, sizeof dev);
    dev.in = &in;
    bool is_legacy = fuzz_take(&in, 1) & 1;
    sim_init(&dev.sim, is_legacy, fuzz_take(&in, 1) % (SIM_CONFIG_BYTES + 1));
    for (unsigned i = 0; i < SIM_CONFIG_BYTES; i++)
        dev.sim.config[i] = (uint8_t)fuzz_take(&in, 1);

    while (in.n) {
        uint8_t op = (uint8_t)fuzz_take(&in, 1);
        unsigned offset = fuzz_take(&in, 1) % (SIM_CONFIG_BYTES + 8);
        bool was_broken = dev.sim.vd.broken;
        dev.accesses = 0;
        dev.nlog = 0;
        last_log[0] = '\0';
        switch (op % 3) {
        case 0: { /* a field of 1, 2, 3 (refused), 4 or 8 bytes */
            static const unsigned sizes[] = {1, 2, 4, 8, 3};
            unsigned sz = sizes[(op >> 2) % 5];
            uint64_t v = virtio_config_read(&dev.sim.vd, offset, sz);
            uint8_t got[8];
            for (unsigned i = 0; i < 8; i++)
                got[i] = (uint8_t)(v >> (8 * i));
            if (sz == 3) {
                if (dev.accesses != 0 || !dev.sim.vd.broken || v != 0)
                    abort();
                break;
            }
            unsigned unit = sz < 4 ? sz : 4;
            bool ok = offset % unit == 0 && offset + sz <= dev.sim.vd.config_len;
            check_read(ok, offset, unit, sz, got, was_broken, 0);
            break;
        }
        case 1: { /* a snapshot of several bytes */
            unsigned len = (op >> 2) % (VIRTIO_CONFIG_SNAPSHOT_MAX + 2);
            uint8_t got[VIRTIO_CONFIG_SNAPSHOT_MAX + 2];
            memset(got, 0xEE, sizeof got);
            int rc = virtio_config_read_bytes(&dev.sim.vd, offset, got, len);
            bool ok = len > 0 && len <= VIRTIO_CONFIG_SNAPSHOT_MAX &&
                      offset + len <= dev.sim.vd.config_len;
            if ((rc == 0) != (!dev.sim.vd.broken) || (rc == 0 && (!ok || was_broken)))
                abort();
            check_read(ok, offset, 1, len, got, was_broken, 0);
            break;
        }
        case 2: { /* a write */
            static const unsigned sizes[] = {1, 2, 4, 8};
            unsigned sz = sizes[(op >> 2) % 4];
            uint8_t before[SIM_CONFIG_BYTES];
            memcpy(before, dev.sim.config, SIM_CONFIG_BYTES);
            uint64_t v = (uint64_t)fuzz_take(&in, 4) << 32 | fuzz_take(&in, 4);
            virtio_config_write(&dev.sim.vd, offset, sz, v);
            bool ok = offset % sz == 0 && offset + sz <= dev.sim.vd.config_len;
            if (was_broken || !ok) {
                if (dev.accesses != 0 || memcmp(before, dev.sim.config, SIM_CONFIG_BYTES) != 0 ||
                    !dev.sim.vd.broken)
                    abort();
                break;
            }
            for (unsigned i = 0; i < SIM_CONFIG_BYTES; i++) {
                bool inside = i >= offset && i < offset + sz;
                uint8_t want = inside ? (uint8_t)(v >> (8 * (i - offset))) : before[i];
                if (dev.sim.config[i] != want)
                    abort();
            }
            break;
        }
        }
        if (dev.sim.vd.broken && !(dev.sim.status & VIRTIO_STATUS_FAILED))
            abort();
    }
    return 0;
}
