/* virtio-blk (virtio 1.2, 5.2) behind the blkdev class. A request is three
 * buffers: the header {type, reserved, sector} the device reads, the data,
 * and the status byte it writes (5.2.6). Several requests are in flight at
 * once, one slot each; a full queue answers BLK_EBUSY. The status byte is
 * preset to a value the device never writes, so a completion that leaves it
 * alone is caught. Writes to a device that offers RO (feature 5) are refused
 * here too, before anything reaches the device, never silently.
 *
 * Features asked for: VERSION_1, EVENT_IDX, INDIRECT_DESC (one descriptor per
 * request when offered; Firecracker does not), RO, BLK_SIZE, FLUSH.
 * Firecracker's block device: capacity only in its configuration, FLUSH when
 * its cache type is Writeback, RO for read-only drives, IN/OUT/FLUSH/GET_ID
 * and UNSUPP for anything else. */
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/event.h"
#include "core/log.h"
#include "core/time.h"
#include "dev/blkdev.h"
#include "drivers/virtio/blk_config.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtqueue.h"

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20
#define STATUS_UNWRITTEN 0xff /* a status byte the device never writes (5.2.6: 0, 1, 2) */
#define LOG_LIMIT 10          /* messages about failed requests per device */

#define QUEUE_MAX 256
#define SLOTS_MAX 32
#define GET_ID_TIMEOUT_NS 1000000000ull

struct vblk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct vblk_slot {
    struct vblk_req_hdr hdr; /* read by the device */
    uint8_t status;          /* written by the device */
    uint8_t id[VIRTIO_BLK_ID_BYTES];
    bool in_use;
    bool abandoned; /* an internal request that timed out: never reused */
    bool internal_done;
    struct blk_request *req; /* NULL for the driver's own GET_ID */
};

struct vblk {
    struct blkdev bd;
    struct virtio_dev *vd;
    struct virtq *vq;
    struct vblk_slot *slots;
    unsigned nslots;
    uint32_t sectors_per_block; /* 512-byte sectors per blkdev sector */
    bool irq;
    bool registered; /* blkdev_register succeeded */
    unsigned logged;
};

static const char *name_of(struct vblk *b)
{
    return b->bd.name[0] ? b->bd.name : b->vd->location;
}

/* Completes every request in flight with an error: the device is gone. */
static void fail_all(struct vblk *b)
{
    for (unsigned i = 0; i < b->nslots; i++) {
        struct vblk_slot *s = &b->slots[i];
        if (!s->in_use)
            continue;
        s->in_use = false;
        if (s->req)
            blkdev_complete(&b->bd, s->req, BLK_EIO);
        else
            s->internal_done = true;
    }
}

static int status_to_error(struct vblk *b, struct vblk_slot *s)
{
    /* The byte is device-writable memory: judged and logged from one read. */
    uint8_t status = *(volatile uint8_t *)&s->status;
    switch (status) {
    case VIRTIO_BLK_S_OK:
        return 0;
    case VIRTIO_BLK_S_IOERR:
        if (b->logged++ < LOG_LIMIT)
            kprintf("%s: device reports an I/O error (type %u, sector %lu)\n", name_of(b),
                    s->hdr.type, (unsigned long)s->hdr.sector);
        return BLK_EIO;
    case VIRTIO_BLK_S_UNSUPP:
        if (s->req && b->logged++ < LOG_LIMIT)
            kprintf("%s: device does not support request type %u\n", name_of(b), s->hdr.type);
        return BLK_EINVAL;
    case STATUS_UNWRITTEN:
        if (b->logged++ < LOG_LIMIT)
            kprintf("%s: device completed a request without writing its status\n", name_of(b));
        return BLK_EIO;
    default:
        /* Only OK, IOERR and UNSUPP exist (virtio 1.2, 5.2.6): anything else
         * is a broken device, disabled like any other protocol violation. */
        virtio_fail(b->vd, "virtio-blk %s: device wrote undefined status %u", name_of(b), status);
        return BLK_EIO;
    }
}

/* Event-loop context. */
static void process(struct vblk *b)
{
    if (b->vd->broken) {
        /* Disabled elsewhere (NEEDS_RESET, a configuration read that never
         * settles): what it still holds will never complete, so its
         * waiters get an error now rather than at their timeout. */
        fail_all(b);
        return;
    }
    for (;;) {
        void *token;
        uint32_t len;
        int r = virtq_get_used(b->vq, &token, &len);
        if (r < 0) {
            virtio_fail(b->vd, "virtio-blk %s: %s", name_of(b), b->vq->error);
            fail_all(b);
            return;
        }
        if (r == 0) {
            if (b->irq && virtq_enable_interrupts(b->vq))
                continue;
            return;
        }
        struct vblk_slot *s = token;
        int err = status_to_error(b, s);
        s->in_use = false;
        if (s->req) {
            struct blk_request *req = s->req;
            s->req = NULL;
            blkdev_complete(&b->bd, req, err);
        } else {
            s->internal_done = true; /* read_id looks at s->status */
        }
        if (b->vd->broken) { /* the status just read disabled the device */
            fail_all(b);
            return;
        }
    }
}

static void vblk_event(struct virtio_dev *vd, uint32_t isr)
{
    struct vblk *b = vd->priv;
    if (b == NULL)
        return;
    if (isr & VIRTIO_ISR_CONFIG)
        kprintf("%s: configuration change (capacity now %lu sectors)\n", name_of(b),
                (unsigned long)virtio_config_read(vd, VIRTIO_BLK_CFG_CAPACITY, 8));
    process(b);
}

static struct vblk_slot *take_slot(struct vblk *b)
{
    for (unsigned i = 0; i < b->nslots; i++) {
        struct vblk_slot *s = &b->slots[i];
        if (!s->in_use && !s->abandoned) {
            s->in_use = true;
            return s;
        }
    }
    return NULL;
}

/* Queues a request of type with data (may be NULL, len 0) in slot s.
 * Returns 0 or a blk error. */
static int queue_request(struct vblk *b, struct vblk_slot *s, uint32_t type, uint64_t sector,
                         void *data, uint32_t len, bool device_writes)
{
    s->hdr = (struct vblk_req_hdr){.type = type, .reserved = 0, .sector = sector};
    s->status = STATUS_UNWRITTEN;
    struct virtq_buf bufs[3];
    unsigned n = 0;
    bufs[n++] = (struct virtq_buf){.addr = dma_addr(&s->hdr), .len = sizeof s->hdr};
    if (len)
        bufs[n++] =
            (struct virtq_buf){.addr = dma_addr(data), .len = len, .device_writes = device_writes};
    bufs[n++] = (struct virtq_buf){.addr = dma_addr(&s->status), .len = 1, .device_writes = true};
    if (virtq_add(b->vq, bufs, n, s) != 0) {
        s->in_use = false;
        if (b->vq->broken) {
            virtio_fail(b->vd, "virtio-blk %s: %s", name_of(b), b->vq->error);
            fail_all(b);
            return BLK_EIO;
        }
        return BLK_EBUSY; /* not enough free descriptors */
    }
    virtq_kick(b->vq);
    return 0;
}

static int vblk_submit(struct blkdev *bd, struct blk_request *req)
{
    struct vblk *b = bd->priv;
    uint32_t type;
    bool device_writes = false;
    uint64_t bytes = (uint64_t)req->count * bd->sector_size;
    switch (req->op) {
    case BLK_READ:
        type = VIRTIO_BLK_T_IN;
        device_writes = true;
        break;
    case BLK_WRITE:
        type = VIRTIO_BLK_T_OUT;
        break;
    case BLK_FLUSH:
        type = VIRTIO_BLK_T_FLUSH;
        bytes = 0;
        break;
    default:
        return BLK_EINVAL;
    }
    int rc;
    struct vblk_slot *s;
    if (b->vd->broken) {
        rc = BLK_EIO;
    } else if ((s = take_slot(b)) == NULL) {
        rc = BLK_EBUSY;
    } else {
        s->req = req;
        /* 5.2.6: the sector is always in 512-byte units. */
        uint64_t sector = req->op == BLK_FLUSH ? 0 : req->sector * b->sectors_per_block;
        rc = queue_request(b, s, type, sector, req->buf, (uint32_t)bytes, device_writes);
        if (rc != 0)
            s->req = NULL;
    }
    return rc;
}

static const struct blkdev_ops vblk_ops = {.submit = vblk_submit};

static bool internal_done(void *ctx)
{
    return ((struct vblk_slot *)ctx)->internal_done;
}

/* GET_ID (5.2.6): up to 20 bytes of identification, not necessarily ended
 * by a zero. Only printable characters are kept. Waits at most a second. */
static void read_id(struct vblk *b)
{
    struct vblk_slot *s = take_slot(b);
    if (s == NULL)
        return;
    s->req = NULL;
    s->internal_done = false;
    memset(s->id, 0, sizeof s->id);
    if (queue_request(b, s, VIRTIO_BLK_T_GET_ID, 0, s->id, sizeof s->id, true) != 0)
        return;
    if (!wait_until(internal_done, s, time_now_ns() + GET_ID_TIMEOUT_NS)) {
        s->abandoned = true; /* the device may still write into it */
        kprintf("%s: no answer to GET_ID within a second; continuing without an id\n",
                b->vd->location);
        return;
    }
    if (s->status != VIRTIO_BLK_S_OK)
        return;
    size_t n = 0;
    for (size_t i = 0; i < sizeof s->id && s->id[i]; i++)
        if (s->id[i] >= 0x20 && s->id[i] < 0x7f && n < sizeof b->bd.serial - 1)
            b->bd.serial[n++] = (char)s->id[i];
    b->bd.serial[n] = '\0';
}

static void vblk_free(struct vblk *b)
{
    virtq_free(b->vq);
    free(b->slots);
    free(b);
}

static int vblk_probe(struct virtio_dev *vd, const struct virtio_device_id *id)
{
    (void)id;
    uint64_t wanted = VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | VIRTIO_F_INDIRECT_DESC |
                      VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH;
    if (virtio_begin_init(vd, wanted) != 0)
        return -1;
    struct vblk *b = calloc(1, sizeof *b);
    if (b == NULL) {
        virtio_fail(vd, "virtio-blk: out of memory");
        return -1;
    }
    b->vd = vd;
    uint64_t f = vd->features;
    struct vblk_config cfg;
    if (vblk_read_config(vd, &cfg) != 0)
        goto fail;
    b->sectors_per_block = cfg.sector_size / VIRTIO_BLK_SECTOR;
    b->irq = virtio_irq_setup(vd);
    b->vq = virtq_create(vd, 0, QUEUE_MAX);
    if (b->vq == NULL) {
        virtio_fail(vd, "virtio-blk: queue could not be set up");
        goto fail;
    }
    /* Without indirect descriptors a request takes three of them. */
    unsigned per_queue = b->vq->indirect ? b->vq->size : b->vq->size / 3;
    b->nslots = per_queue < SLOTS_MAX ? per_queue : SLOTS_MAX;
    if (b->nslots == 0)
        b->nslots = 1;
    b->slots = calloc(b->nslots, sizeof *b->slots);
    if (b->slots == NULL) {
        virtio_fail(vd, "virtio-blk: out of memory");
        goto fail;
    }
    b->bd.driver = "virtio-blk";
    b->bd.dev = &vd->dev;
    b->bd.sector_size = cfg.sector_size;
    b->bd.capacity = cfg.capacity;
    b->bd.read_only = f & VIRTIO_BLK_F_RO;
    b->bd.has_flush = f & VIRTIO_BLK_F_FLUSH;
    b->bd.ops = &vblk_ops;
    b->bd.priv = b;
    vd->priv = b;
    vd->on_event = vblk_event;
    if (b->irq)
        virtq_enable_interrupts(b->vq);
    else
        virtq_disable_interrupts(b->vq);
    virtio_driver_ok(vd);
    if (vd->broken)
        goto fail;
    read_id(b);
    if (vd->broken || blkdev_register(&b->bd) != 0)
        goto fail;
    b->registered = true;
    return 0;
fail:
    /* Reset first: the device must not write into what is freed. An
     * abandoned GET_ID slot is freed too, which the reset makes safe. */
    vd->ops->set_status(vd, 0);
    vd->priv = NULL;
    vd->on_event = NULL;
    vblk_free(b);
    return -1;
}

/* The device is going away: requests still in flight fail with BLK_EIO, the
 * class forgets it, the device is reset, its memory freed. */
static void vblk_remove(struct virtio_dev *vd)
{
    struct vblk *b = vd->priv;
    if (b == NULL)
        return;
    vd->ops->set_status(vd, 0);
    fail_all(b);
    if (b->registered)
        blkdev_unregister(&b->bd);
    vd->priv = NULL;
    vd->on_event = NULL;
    vblk_free(b);
}

static const struct virtio_device_id vblk_ids[] = {{VIRTIO_ID_BLOCK}, {0}};
static const struct virtio_driver virtio_blk_driver = {
    .drv = {.name = "virtio-blk", .bus = &virtio_bus},
    .ids = vblk_ids,
    .probe = vblk_probe,
    .remove = vblk_remove,
};
VIRTIO_DRIVER_REGISTER(virtio_blk_driver);
