/* The register sequences of the virtio-mmio transport
 * (bus/virtio_mmio/virtio_mmio_transport.c) against a simulated register
 * block written from the specification (virtio 1.2): Version 1, the legacy
 * interface (4.2.4), and Version 2 (4.2.2-4.2.3), driven through the virtio
 * core as a driver would. The simulated device computes where the rings are
 * the way a device does (legacy: from QueuePFN, GuestPageSize, QueueAlign
 * and QueueNum) and the tests compare that with where the driver put them.
 * Devices that break the rules are failed with a message. */
#include <stdint.h>

#include "bus/virtio_mmio/virtio_mmio_transport.h"
#include "drivers/virtio/virtqueue.h"
#include "core/event.h"
#include "tests/unit/unit.h"
#include "tests/unit/virtio_sim_rings.h"

/* ======== virtio-mmio ======== */

struct mmio_sim {
    uint32_t version, device_id;
    uint32_t host_features[2], host_sel, guest_features[2], guest_sel;
    uint32_t page_size, queue_sel, status, isr, generation;
    struct {
        uint32_t num_max, num, align, pfn, ready;
        uint64_t desc, driver, device;
    } q[MQ];
    uint8_t config[256];
    unsigned narrow; /* register accesses not 32 bits wide */
    unsigned generation_reads;
    unsigned host_sel_1_reads; /* HostFeatures read with HostFeaturesSel 1 */
    unsigned page_size_before_pfn;
    unsigned notified[MQ];
    bool pfn_ignored; /* misbehaviour: QueuePFN does not take the write */
};

static uint32_t mmio_read(void *ctx, unsigned off, unsigned size)
{
    struct mmio_sim *s = ctx;
    if (off >= VMMIO_CONFIG) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size && off - VMMIO_CONFIG + i < sizeof s->config; i++)
            v |= (uint32_t)s->config[off - VMMIO_CONFIG + i] << (8 * i);
        return v;
    }
    if (size != 4)
        s->narrow++;
    unsigned q = s->queue_sel < MQ ? s->queue_sel : 0;
    switch (off) {
    case VMMIO_MAGIC:
        return VMMIO_MAGIC_VALUE;
    case VMMIO_VERSION:
        return s->version;
    case VMMIO_DEVICE_ID:
        return s->device_id;
    case VMMIO_DEVICE_FEATURES:
        if (s->host_sel == 1)
            s->host_sel_1_reads++;
        return s->host_sel < 2 ? s->host_features[s->host_sel] : 0;
    case VMMIO_QUEUE_NUM_MAX:
        return s->queue_sel < MQ ? s->q[q].num_max : 0;
    case VMMIO_LEGACY_QUEUE_PFN:
        return s->version == 1 ? s->q[q].pfn : 0;
    case VMMIO_QUEUE_READY:
        return s->version == 2 ? s->q[q].ready : 0;
    case VMMIO_INTERRUPT_STATUS:
        return s->isr;
    case VMMIO_STATUS:
        return s->status;
    case VMMIO_CONFIG_GENERATION:
        s->generation_reads++;
        return s->version == 2 ? s->generation : 0;
    default:
        return 0;
    }
}

static void mmio_write(void *ctx, unsigned off, unsigned size, uint32_t v)
{
    struct mmio_sim *s = ctx;
    if (off >= VMMIO_CONFIG) {
        for (unsigned i = 0; i < size && off - VMMIO_CONFIG + i < sizeof s->config; i++)
            s->config[off - VMMIO_CONFIG + i] = (uint8_t)(v >> (8 * i));
        return;
    }
    if (size != 4)
        s->narrow++;
    unsigned q = s->queue_sel < MQ ? s->queue_sel : 0;
    switch (off) {
    case VMMIO_DEVICE_FEATURES_SEL:
        s->host_sel = v;
        break;
    case VMMIO_DRIVER_FEATURES_SEL:
        s->guest_sel = v;
        break;
    case VMMIO_DRIVER_FEATURES:
        if (s->guest_sel < 2)
            s->guest_features[s->guest_sel] = v;
        break;
    case VMMIO_LEGACY_GUEST_PAGE_SIZE:
        s->page_size = v;
        break;
    case VMMIO_QUEUE_SEL:
        s->queue_sel = v;
        break;
    case VMMIO_QUEUE_NUM:
        s->q[q].num = v;
        break;
    case VMMIO_LEGACY_QUEUE_ALIGN:
        s->q[q].align = v;
        break;
    case VMMIO_LEGACY_QUEUE_PFN:
        if (s->page_size != 0)
            s->page_size_before_pfn++;
        if (!s->pfn_ignored)
            s->q[q].pfn = v;
        break;
    case VMMIO_QUEUE_READY:
        s->q[q].ready = v;
        break;
    case VMMIO_QUEUE_DESC_LOW:
        s->q[q].desc = (s->q[q].desc & ~0xFFFFFFFFull) | v;
        break;
    case VMMIO_QUEUE_DESC_HIGH:
        s->q[q].desc = (s->q[q].desc & 0xFFFFFFFFull) | (uint64_t)v << 32;
        break;
    case VMMIO_QUEUE_DRIVER_LOW:
        s->q[q].driver = (s->q[q].driver & ~0xFFFFFFFFull) | v;
        break;
    case VMMIO_QUEUE_DRIVER_HIGH:
        s->q[q].driver = (s->q[q].driver & 0xFFFFFFFFull) | (uint64_t)v << 32;
        break;
    case VMMIO_QUEUE_DEVICE_LOW:
        s->q[q].device = (s->q[q].device & ~0xFFFFFFFFull) | v;
        break;
    case VMMIO_QUEUE_DEVICE_HIGH:
        s->q[q].device = (s->q[q].device & 0xFFFFFFFFull) | (uint64_t)v << 32;
        break;
    case VMMIO_QUEUE_NOTIFY:
        if (v < MQ)
            s->notified[v]++;
        break;
    case VMMIO_INTERRUPT_ACK:
        s->isr &= ~v;
        break;
    case VMMIO_STATUS:
        s->status = v;
        if (v == 0) { /* reset: every queue forgotten (4.2.4, Status) */
            for (unsigned i = 0; i < MQ; i++)
                s->q[i].pfn = s->q[i].ready = 0;
            s->guest_features[0] = s->guest_features[1] = 0;
        }
        break;
    default:
        break;
    }
}

static struct mmio_sim ms;
static struct vmmio mm;

static struct virtio_dev *mmio_init(uint32_t version)
{
    memset(&ms, 0, sizeof ms);
    /* The core may have registered the device's poller: take it off the
     * event loop's list before the structure is cleared. */
    poller_remove(&mm.vd.poller);
    work_cancel(&mm.vd.work);
    memset(&mm, 0, sizeof mm);
    ms.version = version;
    ms.device_id = VIRTIO_ID_BLOCK;
    ms.host_features[0] = (uint32_t)(VIRTIO_F_EVENT_IDX | VIRTIO_F_ANY_LAYOUT | (1u << 9));
    ms.host_features[1] = version == 2 ? 1 : 0; /* VERSION_1 is bit 32 */
    ms.q[0].num_max = 1024;
    ms.q[1].num_max = 256;
    for (unsigned i = 0; i < sizeof ms.config; i++)
        ms.config[i] = (uint8_t)(0x80 + i);
    mm.regs = (struct virtio_regs){mmio_read, mmio_write, &ms};
    mm.size = 0x200;
    mm.version = version;
    mm.vd.device_id = VIRTIO_ID_BLOCK;
    strcpy(mm.vd.location, "mmio test");
    return vmmio_setup(&mm) == 0 ? &mm.vd : NULL;
}

TEST(mmio_setup_by_version)
{
    struct virtio_dev *vd = mmio_init(1);
    CHECK(vd != NULL);
    CHECK(vd->legacy);
    CHECK(!vd->queue_size_fixed);
    CHECK_EQ(vd->config_len, 0x100u);
    CHECK(vd->ops->config_generation == NULL); /* 2.5.4 */
    vd = mmio_init(2);
    CHECK(vd != NULL && !vd->legacy && vd->ops->config_generation != NULL);
    CHECK(mmio_init(3) == NULL);
    memset(&mm, 0, sizeof mm);
    mm.version = 2;
    mm.size = 0xFC; /* smaller than the registers */
    CHECK_EQ(vmmio_setup(&mm), -1);
}

TEST(mmio_legacy_initialisation_sequence)
{
    struct virtio_dev *vd = mmio_init(1);
    CHECK_EQ(virtio_begin_init(vd, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | (1u << 9)), 0);
    /* 3.1.2: no FEATURES_OK; word 0 of the features only (4.2.4). */
    CHECK_EQ(ms.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    CHECK_EQ(ms.guest_features[0],
             (uint32_t)(VIRTIO_F_EVENT_IDX | VIRTIO_F_ANY_LAYOUT | (1u << 9)));
    CHECK_EQ(ms.guest_features[1], 0u);
    CHECK_EQ(ms.host_sel_1_reads, 0u);
    CHECK_EQ(vd->features, (uint64_t)ms.guest_features[0]);
    /* Configuration without a generation: read twice (2.5.4), never 0xfc. */
    CHECK_EQ(virtio_config_read(vd, 0, 8), 0x8786858483828180ull);
    CHECK_EQ(ms.generation_reads, 0u);

    /* 4.2.4 queue set-up: the driver may choose a smaller size. */
    CHECK_EQ(vd->ops->queue_max(vd, 0), 1024);
    struct virtq vq;
    make_queue(&vq, 256);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    CHECK_EQ(ms.page_size, VMMIO_LEGACY_PAGE_SIZE);
    CHECK_EQ(ms.page_size_before_pfn, 1u);
    CHECK_EQ(ms.q[0].num, 256u);
    CHECK_EQ(ms.q[0].align, 4096u);
    uint64_t desc = (uint64_t)ms.q[0].pfn * ms.page_size, avail, used;
    legacy_rings(desc, ms.q[0].num, ms.q[0].align, &avail, &used);
    CHECK_EQ(desc, vq.desc_phys);
    CHECK_EQ(avail, vq.avail_phys);
    CHECK_EQ(used, vq.used_phys);
    vd->ops->queue_notify(vd, 0);
    CHECK_EQ(ms.notified[0], 1u);
    virtio_driver_ok(vd); /* no irq_install: polling */
    CHECK(ms.status & VIRTIO_STATUS_DRIVER_OK);
    CHECK(!vd->broken);
    CHECK_EQ(ms.narrow, 0u); /* 4.2.2.2: 32-bit register accesses only */

    /* Interrupt status and acknowledgement. */
    ms.isr = 3;
    CHECK_EQ(vmmio_interrupt_status(&mm), 3u);
    vmmio_interrupt_ack(&mm, 1);
    CHECK_EQ(ms.isr, 2u);
}

TEST(mmio_legacy_queue_violations)
{
    struct virtio_dev *vd = mmio_init(1);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    struct virtq vq;
    make_queue(&vq, 256);
    /* Rings not in the legacy layout: refused, the device is not blamed. */
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys + 4096),
             -1);
    CHECK(!vd->broken);
    CHECK_EQ(ms.q[0].pfn, 0u);
    /* Larger than QueueNumMax. */
    CHECK_EQ(vd->ops->queue_enable(vd, 1, 512, vq.desc_phys, vq.desc_phys + 16 * 512,
                                   (vq.desc_phys + 16 * 512 + 6 + 2 * 512 + 4095) / 4096 * 4096),
             -1);
    /* A device whose QueuePFN does not take the page number is failed. */
    ms.pfn_ignored = true;
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), -1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("queue 0: QueuePFN reads 0 after 0x40000 was written"));

    /* A queue already in use before set-up. */
    vd = mmio_init(1);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    ms.q[1].pfn = 0x1234;
    CHECK_EQ(vd->ops->queue_max(vd, 1), 0);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("queue 1 is in use (QueuePFN 0x1234)"));
}

TEST(mmio_legacy_ring_address_limits)
{
    struct virtio_dev *vd = mmio_init(1);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    /* Page number 0 means "not in use", and above 2^44 it does not fit. */
    uint64_t avail, used;
    legacy_rings(0, 16, 4096, &avail, &used);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 16, 0, avail, used), -1);
    uint64_t high = 1ull << 44;
    legacy_rings(high, 16, 4096, &avail, &used);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 16, high, avail, used), -1);
    CHECK(!vd->broken);
    CHECK_EQ(ms.q[0].pfn, 0u);
}

TEST(mmio_modern_sequence)
{
    struct virtio_dev *vd = mmio_init(2);
    CHECK_EQ(virtio_begin_init(vd, VIRTIO_F_EVENT_IDX), 0);
    CHECK_EQ(ms.status,
             VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    CHECK_EQ(ms.guest_features[0], (uint32_t)VIRTIO_F_EVENT_IDX);
    CHECK_EQ(ms.guest_features[1], 1u); /* VERSION_1 */
    CHECK_EQ(virtio_config_read(vd, 4, 4), 0x87868584u);
    CHECK_EQ(ms.generation_reads, 2u);
    struct virtq vq;
    make_queue(&vq, 64);
    CHECK_EQ(vd->ops->queue_max(vd, 0), 1024);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 64, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    CHECK_EQ(ms.q[0].desc, vq.desc_phys);
    CHECK_EQ(ms.q[0].driver, vq.avail_phys);
    CHECK_EQ(ms.q[0].device, vq.used_phys);
    CHECK_EQ(ms.q[0].num, 64u);
    CHECK_EQ(ms.q[0].ready, 1u);
    CHECK_EQ(ms.q[0].pfn, 0u); /* no legacy register touched */
    CHECK_EQ(ms.page_size, 0u);
    /* A queue live before set-up breaks 4.2.3.2. */
    ms.q[1].ready = 1;
    CHECK_EQ(vd->ops->queue_max(vd, 1), 0);
    CHECK(vd->broken);
    CHECK_EQ(ms.narrow, 0u);
}

UNIT_MAIN()
