/* virtio-mmio transport, device side: see mmio.h. Section numbers are those
 * of virtio 1.2. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostsim/log.h"
#include "hostsim/virtio/mmio.h"

#define DEFINED_ISR_BITS (VMMIO_INT_USED_RING | VMMIO_INT_CONFIG)

void vmmio_init(struct vmmio *d, const char *kind, uint64_t base, unsigned gsi, uint32_t device_id,
                uint64_t offered, unsigned nqueues, uint16_t queue_max, const struct guest_mem *mem,
                const struct vmmio_backend *backend, void *backend_ctx,
                const struct vmmio_host *host, void *host_ctx)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "virtio-%s@0x%llx", kind, (unsigned long long)base);
    d->base = base;
    d->gsi = gsi;
    d->device_id = device_id;
    d->offered = offered | VIRTIO_F_VERSION_1; /* Firecracker: feature page 1 always has bit 0 */
    d->nqueues = nqueues <= VMMIO_MAX_QUEUES ? nqueues : VMMIO_MAX_QUEUES;
    d->queue_max = queue_max;
    d->mem = mem;
    d->backend = backend;
    d->backend_ctx = backend_ctx;
    d->host = host;
    d->host_ctx = host_ctx;
}

void vmmio_add_field(struct vmmio *d, uint16_t offset, uint16_t width, uint16_t count,
                     const char *name)
{
    if (d->nfields < VMMIO_MAX_FIELDS &&
        (uint32_t)offset + (uint32_t)width * count <= VMMIO_CONFIG_MAX)
        d->field[d->nfields++] = (struct vmmio_field){offset, width, count, name};
}

static void set_live(struct vmmio *d, bool live)
{
    if (d->live == live)
        return;
    d->live = live;
    if (d->host->live != NULL)
        d->host->live(d->host_ctx, d, live);
}

int vmmio_fail(struct vmmio *d, const char *fmt, ...)
{
    if (d->broken)
        return -1;
    char msg[400];
    int n = snprintf(msg, sizeof msg, "%s: ", d->name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    d->broken = true;
    set_live(d, false);
    d->host->fault(d->host_ctx, d, msg);
    return -1;
}

static void reset(struct vmmio *d)
{
    set_live(d, false);
    for (unsigned i = 0; i < VMMIO_MAX_QUEUES; i++)
        d->queue[i] = (struct vmmio_queue){0};
    d->status = 0;
    d->acked = 0;
    d->isr = 0;
    d->queue_sel = 0;
    d->device_features_sel = d->driver_features_sel = 0;
    if (d->backend->reset != NULL)
        d->backend->reset(d);
}

struct devq *vmmio_live_queue(struct vmmio *d, unsigned q)
{
    if (!d->live || d->broken || q >= d->nqueues || !d->queue[q].ready)
        return NULL;
    return &d->queue[q].q;
}

void vmmio_notified(struct vmmio *d, unsigned q)
{
    if (vmmio_live_queue(d, q) != NULL)
        d->backend->process(d, q);
}

int vmmio_queue_done(struct vmmio *d, unsigned q)
{
    struct devq *vq = vmmio_live_queue(d, q);
    if (vq == NULL)
        return 0;
    devq_publish(vq);
    int want = devq_need_interrupt(vq);
    if (want < 0)
        return vmmio_fail(d, "%s", vq->err);
    if (want) {
        d->isr |= VMMIO_INT_USED_RING;
        d->host->irq(d->host_ctx, d->gsi);
    }
    return 0;
}

/* ---- status and features (3.1.1, 2.1, 2.2) ---- */

static uint32_t next_status(uint32_t cur)
{
    switch (cur) {
    case 0:
        return VIRTIO_STATUS_ACKNOWLEDGE;
    case VIRTIO_STATUS_ACKNOWLEDGE:
        return VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    case VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER:
        return VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    case VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK:
        return cur | VIRTIO_STATUS_DRIVER_OK;
    default:
        return 0; /* DRIVER_OK reached: nothing follows but a reset */
    }
}

static int features_ok(struct vmmio *d)
{
    if (!(d->acked & VIRTIO_F_VERSION_1))
        return vmmio_fail(d,
                          "FEATURES_OK without VIRTIO_F_VERSION_1 acknowledged (driver features "
                          "0x%llx; 6.1: a driver must accept VERSION_1; this device is modern "
                          "only)",
                          (unsigned long long)d->acked);
    if (d->backend->features_ok != NULL)
        return d->backend->features_ok(d);
    return 0;
}

static int driver_ok(struct vmmio *d)
{
    /* Each queue was started at QueueReady, after FEATURES_OK, so it knows
     * whether EVENT_IDX was negotiated. */
    for (unsigned i = 0; i < d->nqueues; i++) {
        if (!d->queue[i].ready)
            return vmmio_fail(d,
                              "DRIVER_OK while queue %u is not ready; hostsim expects every "
                              "queue of the device set up first (4.2.3.2)",
                              i);
    }
    if (d->backend->activate != NULL && d->backend->activate(d) != 0)
        return -1;
    set_live(d, true);
    return 0;
}

static void write_status(struct vmmio *d, uint32_t v)
{
    uint32_t cur = d->status;
    if (v == 0) {
        hs_debug("%s: reset by the driver", d->name);
        reset(d);
        return;
    }
    if (v & VIRTIO_STATUS_FAILED) {
        /* 2.1.1: the driver gives up; it must not clear bits it set. */
        if ((v & cur) != cur) {
            vmmio_fail(d,
                       "status 0x%x clears bits of 0x%x (2.1.1: the driver must not clear a "
                       "status bit; only writing 0 resets)",
                       v, cur);
            return;
        }
        hs_debug("%s: the driver set FAILED (status 0x%x)", d->name, v);
        d->status = v;
        set_live(d, false);
        return;
    }
    uint32_t want = next_status(cur);
    if (v != want) {
        if (want == 0)
            vmmio_fail(d, "status 0x%x written after 0x%x (DRIVER_OK); only 0 (reset) may follow",
                       v, cur);
        else
            vmmio_fail(d,
                       "status 0x%x written after 0x%x; expected 0x%x (3.1.1: ACKNOWLEDGE, "
                       "DRIVER, FEATURES_OK, DRIVER_OK in turn: 0 -> 1 -> 3 -> 0xb -> 0xf)",
                       v, cur, want);
        return;
    }
    if (v & ~cur & VIRTIO_STATUS_FEATURES_OK) {
        if (features_ok(d) != 0)
            return;
    }
    d->status = v;
    if (v & ~cur & VIRTIO_STATUS_DRIVER_OK) {
        if (driver_ok(d) != 0)
            return;
    }
}

static void write_driver_features(struct vmmio *d, uint32_t v)
{
    if (!d->driver_features_sel_written) {
        vmmio_fail(d, "DriverFeatures written before DriverFeaturesSel (4.2.2.2)");
        return;
    }
    if (d->status != (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)) {
        vmmio_fail(d,
                   "DriverFeatures written with status 0x%x; features are acknowledged only "
                   "between DRIVER and FEATURES_OK, status 0x3 (3.1.1)",
                   d->status);
        return;
    }
    uint32_t page = d->driver_features_sel;
    uint64_t offered = page < 2 ? (uint32_t)(d->offered >> (32 * page)) : 0;
    if (v & ~offered) {
        vmmio_fail(d,
                   "DriverFeatures page %u = 0x%08x acknowledges bits 0x%08x the device does "
                   "not offer (offered 0x%08llx; 2.2.1)",
                   page, v, v & (uint32_t)~offered, (unsigned long long)offered);
        return;
    }
    if (page < 2) {
        uint64_t mask = 0xFFFFFFFFull << (32 * page);
        d->acked = (d->acked & ~mask) | ((uint64_t)v << (32 * page));
    }
}

/* ---- queues (4.2.3.2) ---- */

/* The queue a configuration register write applies to, or NULL after
 * reporting why it may not be written now. */
static struct vmmio_queue *configurable_queue(struct vmmio *d, const char *reg)
{
    uint32_t want = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    if (d->status != want) {
        vmmio_fail(d,
                   "%s written with status 0x%x; queues are set up after FEATURES_OK and "
                   "before DRIVER_OK, status 0xb (3.1.1)",
                   reg, d->status);
        return NULL;
    }
    if (d->queue_sel >= d->nqueues) {
        vmmio_fail(d, "%s written for queue %u; the device has %u queue%s (QueueNumMax 0)", reg,
                   d->queue_sel, d->nqueues, d->nqueues == 1 ? "" : "s");
        return NULL;
    }
    struct vmmio_queue *vq = &d->queue[d->queue_sel];
    if (vq->ready) {
        vmmio_fail(d, "%s written for queue %u while QueueReady is 1 (4.2.2.2)", reg, d->queue_sel);
        return NULL;
    }
    return vq;
}

static void set_low(uint64_t *v, uint32_t lo)
{
    *v = (*v & 0xFFFFFFFF00000000ull) | lo;
}

static void set_high(uint64_t *v, uint32_t hi)
{
    *v = (*v & 0xFFFFFFFFull) | ((uint64_t)hi << 32);
}

static void write_queue_ready(struct vmmio *d, uint32_t v)
{
    if (v > 1) {
        vmmio_fail(d, "QueueReady written with %u; only 0 or 1 are defined", v);
        return;
    }
    if (v == 0) {
        /* 4.2.2.2: writing 0 stops using the queue, at any time. */
        if (d->queue_sel < d->nqueues) {
            d->queue[d->queue_sel].ready = false;
            devq_stop(&d->queue[d->queue_sel].q);
        }
        return;
    }
    struct vmmio_queue *vq = configurable_queue(d, "QueueReady");
    if (vq == NULL)
        return;
    if (vq->num == 0) {
        vmmio_fail(d, "queue %u made ready without QueueNum written (4.2.3.2)", d->queue_sel);
        return;
    }
    if (vq->num > d->queue_max) {
        vmmio_fail(d, "queue %u: QueueNum %u is larger than QueueNumMax %u (4.2.2.2)", d->queue_sel,
                   vq->num, d->queue_max);
        return;
    }
    if (devq_start(&vq->q, d->mem, d->queue_sel, (uint16_t)vq->num, d->queue_max, vq->desc,
                   vq->driver, vq->device, (d->acked & VIRTIO_F_EVENT_IDX) != 0) != 0) {
        vmmio_fail(d, "%s", vq->q.err);
        return;
    }
    vq->ready = true;
}

static void write_queue_notify(struct vmmio *d, uint32_t v)
{
    if (v >= d->nqueues) {
        vmmio_fail(d, "QueueNotify written with %u; the device has queues 0 to %u", v,
                   d->nqueues - 1);
        return;
    }
    if (d->status & VIRTIO_STATUS_FAILED)
        return;
    if (!(d->status & VIRTIO_STATUS_DRIVER_OK)) {
        vmmio_fail(d,
                   "QueueNotify for queue %u with status 0x%x, before DRIVER_OK (3.1.1: no "
                   "available buffer notifications before DRIVER_OK)",
                   v, d->status);
        return;
    }
    if (!d->queue[v].ready) {
        vmmio_fail(d, "QueueNotify for queue %u, which is not ready", v);
        return;
    }
    d->host->notify(d->host_ctx, d, v);
}

/* ---- configuration space (4.2.2.2 access widths) ---- */

/* The field an access falls in, checked for width and alignment; NULL after
 * reporting. */
static const struct vmmio_field *config_field(struct vmmio *d, unsigned off, unsigned size,
                                              bool write)
{
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct vmmio_field *f = &d->field[i];
        unsigned end = f->offset + f->width * f->count;
        if (off < f->offset || off >= end)
            continue;
        unsigned want = f->width == 1 ? 1 : f->width == 2 ? 2 : 4;
        unsigned rel = off - f->offset;
        if (size != want || rel % want != 0 || off + size > end) {
            vmmio_fail(d,
                       "config %s of %u byte%s at offset 0x%x (field %s, %u-bit): 4.2.2.2 "
                       "wants %u-byte aligned accesses of %u byte%s for it",
                       write ? "write" : "read", size, size == 1 ? "" : "s", off, f->name,
                       f->width * 8, want, want, want == 1 ? "" : "s");
            return NULL;
        }
        return f;
    }
    vmmio_fail(d,
               "config %s of %u byte%s at offset 0x%x: no field of this device's configuration "
               "is there with the features it offers (2.5.1)",
               write ? "write" : "read", size, size == 1 ? "" : "s", off);
    return NULL;
}

/* ---- register decoding ---- */

static int check_register_access(struct vmmio *d, uint64_t offset, unsigned size, bool write)
{
    if (size != 4 || offset % 4 != 0) {
        vmmio_fail(d,
                   "%u-byte %s at register 0x%03llx; 4.2.2.2 allows only 32-bit aligned accesses "
                   "to registers 0x000-0x0ff",
                   size, write ? "write" : "read", (unsigned long long)offset);
        return -1;
    }
    return 0;
}

static int wrong_direction(struct vmmio *d, uint64_t offset, bool write)
{
    return vmmio_fail(d, "%s of register 0x%03llx, which is %s (4.2.2.2)", write ? "write" : "read",
                      (unsigned long long)offset, write ? "read-only" : "write-only");
}

static uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

void vmmio_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size)
{
    struct vmmio *d = ctx;
    (void)vcpu;
    if (d->broken)
        return;
    if (offset >= VMMIO_CONFIG) {
        unsigned off = (unsigned)(offset - VMMIO_CONFIG);
        if (config_field(d, off, size, false) != NULL)
            memcpy(data, d->config + off, size);
        return;
    }
    if (check_register_access(d, offset, size, false) != 0)
        return;
    uint32_t v = 0;
    struct vmmio_queue *sel = d->queue_sel < d->nqueues ? &d->queue[d->queue_sel] : NULL;
    switch (offset) {
    case VMMIO_MAGIC_VALUE:
        v = VMMIO_MAGIC;
        break;
    case VMMIO_VERSION:
        v = VMMIO_VERSION_MODERN;
        break;
    case VMMIO_DEVICE_ID:
        v = d->device_id;
        break;
    case VMMIO_VENDOR_ID:
        v = 0; /* Firecracker: vendor 0 */
        break;
    case VMMIO_DEVICE_FEATURES:
        if (!d->device_features_sel_written) {
            vmmio_fail(d, "DeviceFeatures read before DeviceFeaturesSel was written (4.2.2.2)");
            return;
        }
        if (d->device_features_sel < 2)
            v = (uint32_t)(d->offered >> (32 * d->device_features_sel));
        break;
    case VMMIO_QUEUE_NUM_MAX:
        v = sel != NULL ? d->queue_max : 0; /* 0: no such queue */
        break;
    case VMMIO_QUEUE_READY:
        v = sel != NULL && sel->ready;
        break;
    case VMMIO_INTERRUPT_STATUS:
        v = d->isr;
        break;
    case VMMIO_STATUS:
        v = d->status;
        break;
    case VMMIO_CONFIG_GENERATION:
        v = 0; /* the configuration never changes */
        break;
    case VMMIO_DEVICE_FEATURES_SEL:
    case VMMIO_DRIVER_FEATURES:
    case VMMIO_DRIVER_FEATURES_SEL:
    case VMMIO_QUEUE_SEL:
    case VMMIO_QUEUE_NUM:
    case VMMIO_QUEUE_NOTIFY:
    case VMMIO_INTERRUPT_ACK:
    case VMMIO_QUEUE_DESC_LOW:
    case VMMIO_QUEUE_DESC_HIGH:
    case VMMIO_QUEUE_DRIVER_LOW:
    case VMMIO_QUEUE_DRIVER_HIGH:
    case VMMIO_QUEUE_DEVICE_LOW:
    case VMMIO_QUEUE_DEVICE_HIGH:
        wrong_direction(d, offset, false);
        return;
    default:
        if (offset >= VMMIO_SHM_SEL && offset <= VMMIO_SHM_BASE_HIGH)
            vmmio_fail(d,
                       "shared memory register 0x%03llx used; the device has no shared "
                       "memory regions (4.2.3.1.1: drivers not expecting them must not)",
                       (unsigned long long)offset);
        else if (offset == VMMIO_QUEUE_RESET)
            vmmio_fail(d, "QueueReset read; VIRTIO_F_RING_RESET is not offered");
        else
            vmmio_fail(d, "read of 0x%03llx, which is no register (4.2.2.2)",
                       (unsigned long long)offset);
        return;
    }
    memcpy(data, &v, 4);
}

void vmmio_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                 unsigned size)
{
    struct vmmio *d = ctx;
    (void)vcpu;
    if (d->broken)
        return;
    if (offset >= VMMIO_CONFIG) {
        unsigned off = (unsigned)(offset - VMMIO_CONFIG);
        const struct vmmio_field *f = config_field(d, off, size, true);
        if (f != NULL)
            vmmio_fail(d,
                       "config write to %s at offset 0x%x; the field is read-only for the "
                       "driver with the features offered",
                       f->name, off);
        return;
    }
    if (check_register_access(d, offset, size, true) != 0)
        return;
    uint32_t v = le32(data);
    struct vmmio_queue *vq;
    switch (offset) {
    case VMMIO_DEVICE_FEATURES_SEL:
        d->device_features_sel = v;
        d->device_features_sel_written = true;
        break;
    case VMMIO_DRIVER_FEATURES_SEL:
        d->driver_features_sel = v;
        d->driver_features_sel_written = true;
        break;
    case VMMIO_DRIVER_FEATURES:
        write_driver_features(d, v);
        break;
    case VMMIO_QUEUE_SEL:
        d->queue_sel = v;
        break;
    case VMMIO_QUEUE_NUM:
        if ((vq = configurable_queue(d, "QueueNum")) != NULL)
            vq->num = v;
        break;
    case VMMIO_QUEUE_READY:
        write_queue_ready(d, v);
        break;
    case VMMIO_QUEUE_NOTIFY:
        write_queue_notify(d, v);
        break;
    case VMMIO_INTERRUPT_ACK:
        if (v & ~DEFINED_ISR_BITS) {
            vmmio_fail(d, "InterruptACK 0x%x sets undefined bits (4.2.2.2: only 0x1 and 0x2)", v);
            return;
        }
        d->isr &= ~v;
        break;
    case VMMIO_STATUS:
        write_status(d, v);
        break;
    case VMMIO_QUEUE_DESC_LOW:
        if ((vq = configurable_queue(d, "QueueDescLow")) != NULL)
            set_low(&vq->desc, v);
        break;
    case VMMIO_QUEUE_DESC_HIGH:
        if ((vq = configurable_queue(d, "QueueDescHigh")) != NULL)
            set_high(&vq->desc, v);
        break;
    case VMMIO_QUEUE_DRIVER_LOW:
        if ((vq = configurable_queue(d, "QueueDriverLow")) != NULL)
            set_low(&vq->driver, v);
        break;
    case VMMIO_QUEUE_DRIVER_HIGH:
        if ((vq = configurable_queue(d, "QueueDriverHigh")) != NULL)
            set_high(&vq->driver, v);
        break;
    case VMMIO_QUEUE_DEVICE_LOW:
        if ((vq = configurable_queue(d, "QueueDeviceLow")) != NULL)
            set_low(&vq->device, v);
        break;
    case VMMIO_QUEUE_DEVICE_HIGH:
        if ((vq = configurable_queue(d, "QueueDeviceHigh")) != NULL)
            set_high(&vq->device, v);
        break;
    case VMMIO_MAGIC_VALUE:
    case VMMIO_VERSION:
    case VMMIO_DEVICE_ID:
    case VMMIO_VENDOR_ID:
    case VMMIO_DEVICE_FEATURES:
    case VMMIO_QUEUE_NUM_MAX:
    case VMMIO_INTERRUPT_STATUS:
    case VMMIO_CONFIG_GENERATION:
        wrong_direction(d, offset, true);
        break;
    default:
        if (offset >= VMMIO_SHM_SEL && offset <= VMMIO_SHM_BASE_HIGH)
            vmmio_fail(d,
                       "shared memory register 0x%03llx used; the device has no shared "
                       "memory regions (4.2.3.1.1: drivers not expecting them must not)",
                       (unsigned long long)offset);
        else if (offset == VMMIO_QUEUE_RESET)
            vmmio_fail(d, "QueueReset written; VIRTIO_F_RING_RESET is not offered");
        else
            vmmio_fail(d, "write of 0x%03llx, which is no register (4.2.2.2)",
                       (unsigned long long)offset);
        break;
    }
}
