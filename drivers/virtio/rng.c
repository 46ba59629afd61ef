/* virtio-rng, the entropy device (virtio 1.2, 5.4): one request queue; the
 * driver offers a buffer, the device fills it with random bytes, and they go
 * into the kernel's pool (dev/random.c). A request is made at probe and
 * again whenever the pool asks for more. Completions arrive as events from
 * the event loop (core/event.h). */
#include <stdlib.h>

#include "core/dma.h"
#include "core/event.h"
#include "core/log.h"
#include "core/time.h"
#include "dev/random.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtqueue.h"

#define RNG_BYTES 64
#define RNG_QUEUE_MAX 8           /* one request in flight at a time needs no more */
#define SEED_WAIT_NS 100000000ull /* at probe: wait this long for the first bytes */

struct vrng {
    struct virtio_dev *vd;
    struct virtq *vq;
    uint8_t buf[RNG_BYTES];
    bool in_flight;
    bool irq;
    uint64_t fed;
};

static void process(struct vrng *r)
{
    if (r->vd->broken)
        return;
    for (;;) {
        void *token;
        uint32_t len;
        int rc = virtq_get_used(r->vq, &token, &len);
        if (rc < 0) {
            virtio_fail(r->vd, "virtio-rng: %s", r->vq->error);
            r->in_flight = false;
            return;
        }
        if (rc == 0) {
            if (r->irq && virtq_enable_interrupts(r->vq))
                continue;
            return;
        }
        /* len was checked against the buffer by virtq_get_used. */
        if (r->fed == 0)
            kprintf("virtio-rng: first %u bytes fed to the random pool\n", len);
        random_add_entropy(r->buf, len, len * 8);
        r->fed += len;
        r->in_flight = false;
    }
}

/* random.h source callback: starts a fill unless one is under way. */
static void vrng_request(void *ctx)
{
    struct vrng *r = ctx;
    if (r->in_flight || r->vd->broken)
        return;
    struct virtq_buf b = {.addr = dma_addr(r->buf), .len = RNG_BYTES, .device_writes = true};
    if (virtq_add(r->vq, &b, 1, r) == 0) {
        r->in_flight = true;
        virtq_kick(r->vq);
    } else if (r->vq->broken) {
        virtio_fail(r->vd, "virtio-rng: %s", r->vq->error);
    }
}

static void vrng_event(struct virtio_dev *vd, uint32_t isr)
{
    (void)isr;
    if (vd->priv)
        process(vd->priv);
}

static bool seeded(void *ctx)
{
    struct vrng *r = ctx;
    return !r->in_flight || r->vd->broken;
}

static int vrng_probe(struct virtio_dev *vd, const struct virtio_device_id *id)
{
    (void)id;
    if (virtio_begin_init(vd, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX) != 0)
        return -1;
    struct vrng *r = calloc(1, sizeof *r);
    if (r == NULL) {
        virtio_fail(vd, "virtio-rng: out of memory");
        return -1;
    }
    r->vd = vd;
    r->irq = virtio_irq_setup(vd);
    r->vq = virtq_create(vd, 0, RNG_QUEUE_MAX);
    if (r->vq == NULL) {
        virtio_fail(vd, "virtio-rng: queue could not be set up");
        free(r);
        return -1;
    }
    vd->priv = r;
    vd->on_event = vrng_event;
    if (r->irq)
        virtq_enable_interrupts(r->vq);
    else
        virtq_disable_interrupts(r->vq);
    virtio_driver_ok(vd);
    if (vd->broken) {
        vd->ops->set_status(vd, 0);
        vd->priv = NULL;
        vd->on_event = NULL;
        virtq_free(r->vq);
        free(r);
        return -1;
    }
    /* Beyond the pool's RANDOM_MAX_SOURCES (it says so) the device is not
     * asked again later, but its first bytes below still seed the pool. */
    bool source = random_register_source("virtio-rng", vrng_request, r) == 0;
    vrng_request(r);
    /* Seed the pool before applications start, when the device is quick. */
    wait_until(seeded, r, time_now_ns() + SEED_WAIT_NS);
    kprintf("virtio-rng %s: %s%s\n", vd->location,
            r->fed ? "feeding the random pool" : "no bytes yet; the pool will take them later",
            source ? "" : " (once: not one of the pool's sources)");
    return 0;
}

static const struct virtio_device_id vrng_ids[] = {{VIRTIO_ID_RNG}, {0}};
static const struct virtio_driver virtio_rng_driver = {
    .drv = {.name = "virtio-rng", .bus = &virtio_bus},
    .ids = vrng_ids,
    .probe = vrng_probe,
};
VIRTIO_DRIVER_REGISTER(virtio_rng_driver);
