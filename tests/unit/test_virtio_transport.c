/* The register sequences of the virtio transports against simulated
 * register blocks written from the specification (virtio 1.2): virtio-mmio
 * Version 1, the legacy interface (4.2.4), and Version 2 (4.2.2-4.2.3)
 * (bus/virtio_mmio/virtio_mmio_transport.c), and the legacy virtio-pci I/O
 * BAR (4.1.4.8, 4.1.5.1.3.1; drivers/virtio/virtio_pci_legacy.c), driven
 * through the virtio core as a driver would. The simulated devices compute
 * where the rings are the way a device does (legacy: from the page number,
 * Queue Align and queue size) and the tests compare that with where the
 * driver put them. Devices that break the rules are failed with a message. */
#include <stdint.h>

#include "bus/virtio_mmio/virtio_mmio_transport.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtqueue.h"
#include "tests/unit/unit.h"

/* Ring memory: host memory, given to the devices as guest-physical
 * RING_PHYS (a page number that fits the legacy 32-bit registers). */
static uint8_t ring_mem[1 << 16] __attribute__((aligned(4096)));
static uint8_t state_mem[1 << 16] __attribute__((aligned(4096)));
#define RING_PHYS 0x40000000ull

static void make_queue(struct virtq *vq, uint16_t size)
{
    memset(vq, 0, sizeof *vq);
    virtq_init(vq, 0, size, ring_mem, RING_PHYS, state_mem, RING_PHYS + sizeof ring_mem, false,
               false);
}

/* Where a legacy device finds the rings (2.7.2): the descriptor table at the
 * page, the available ring after it, the used ring on the next Queue Align
 * boundary after the available ring. */
static void legacy_rings(uint64_t desc, uint32_t num, uint32_t align, uint64_t *avail,
                         uint64_t *used)
{
    *avail = desc + 16ull * num;
    uint64_t end = *avail + 2 * (3 + (uint64_t)num);
    *used = (end + align - 1) / align * align;
}

/* ======== virtio-mmio ======== */

#define MQ 4
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

/* ======== legacy virtio-pci ======== */

struct pci_sim {
    uint32_t host_features, guest_features;
    uint16_t queue_sel;
    uint8_t status, isr;
    bool msix;
    uint16_t config_vector, qvec[MQ];
    struct {
        uint16_t size;
        uint32_t pfn;
    } q[MQ];
    uint8_t config[64];
    unsigned width_errors; /* a header register accessed with another width */
    bool refuse_vectors;
    unsigned notified[MQ];
};

/* Width of each header register (4.1.4.8); 0: device-specific area. */
static unsigned pci_reg_width(const struct pci_sim *s, unsigned off)
{
    switch (off) {
    case VPCI_LEGACY_DEVICE_FEATURES:
    case VPCI_LEGACY_DRIVER_FEATURES:
    case VPCI_LEGACY_QUEUE_ADDRESS:
        return 4;
    case VPCI_LEGACY_QUEUE_SIZE:
    case VPCI_LEGACY_QUEUE_SELECT:
    case VPCI_LEGACY_QUEUE_NOTIFY:
        return 2;
    case VPCI_LEGACY_DEVICE_STATUS:
    case VPCI_LEGACY_ISR_STATUS:
        return 1;
    case VPCI_LEGACY_CONFIG_MSIX_VECTOR:
    case VPCI_LEGACY_QUEUE_MSIX_VECTOR:
        return s->msix ? 2 : 0;
    default:
        return 0;
    }
}

static unsigned pci_config_at(const struct pci_sim *s)
{
    return s->msix ? VPCI_LEGACY_CONFIG_MSIX : VPCI_LEGACY_CONFIG;
}

static uint32_t pci_read(void *ctx, unsigned off, unsigned size)
{
    struct pci_sim *s = ctx;
    unsigned w = pci_reg_width(s, off);
    unsigned q = s->queue_sel < MQ ? s->queue_sel : 0;
    if (w == 0) {
        if (off < pci_config_at(s)) {
            s->width_errors++;
            return 0;
        }
        uint32_t v = 0;
        for (unsigned i = 0; i < size && off - pci_config_at(s) + i < sizeof s->config; i++)
            v |= (uint32_t)s->config[off - pci_config_at(s) + i] << (8 * i);
        return v;
    }
    if (w != size)
        s->width_errors++;
    switch (off) {
    case VPCI_LEGACY_DEVICE_FEATURES:
        return s->host_features;
    case VPCI_LEGACY_DRIVER_FEATURES:
        return s->guest_features;
    case VPCI_LEGACY_QUEUE_ADDRESS:
        return s->queue_sel < MQ ? s->q[q].pfn : 0;
    case VPCI_LEGACY_QUEUE_SIZE:
        return s->queue_sel < MQ ? s->q[q].size : 0;
    case VPCI_LEGACY_QUEUE_SELECT:
        return s->queue_sel;
    case VPCI_LEGACY_DEVICE_STATUS:
        return s->status;
    case VPCI_LEGACY_ISR_STATUS: {
        uint8_t v = s->isr;
        s->isr = 0; /* reading acknowledges */
        return v;
    }
    case VPCI_LEGACY_CONFIG_MSIX_VECTOR:
        return s->config_vector;
    default: /* VPCI_LEGACY_QUEUE_MSIX_VECTOR */
        return s->qvec[q];
    }
}

static void pci_write(void *ctx, unsigned off, unsigned size, uint32_t v)
{
    struct pci_sim *s = ctx;
    unsigned w = pci_reg_width(s, off);
    unsigned q = s->queue_sel < MQ ? s->queue_sel : 0;
    if (w == 0) {
        if (off < pci_config_at(s)) {
            s->width_errors++;
            return;
        }
        for (unsigned i = 0; i < size && off - pci_config_at(s) + i < sizeof s->config; i++)
            s->config[off - pci_config_at(s) + i] = (uint8_t)(v >> (8 * i));
        return;
    }
    if (w != size)
        s->width_errors++;
    switch (off) {
    case VPCI_LEGACY_DRIVER_FEATURES:
        s->guest_features = v;
        break;
    case VPCI_LEGACY_QUEUE_ADDRESS:
        if (s->queue_sel < MQ)
            s->q[q].pfn = v;
        break;
    case VPCI_LEGACY_QUEUE_SELECT:
        s->queue_sel = (uint16_t)v;
        break;
    case VPCI_LEGACY_QUEUE_NOTIFY:
        if (v < MQ)
            s->notified[v]++;
        break;
    case VPCI_LEGACY_DEVICE_STATUS:
        s->status = (uint8_t)v;
        if (v == 0)
            for (unsigned i = 0; i < MQ; i++)
                s->q[i].pfn = 0;
        break;
    case VPCI_LEGACY_CONFIG_MSIX_VECTOR:
        s->config_vector = s->refuse_vectors ? VPCI_MSI_NO_VECTOR : (uint16_t)v;
        break;
    case VPCI_LEGACY_QUEUE_MSIX_VECTOR:
        s->qvec[q] = s->refuse_vectors ? VPCI_MSI_NO_VECTOR : (uint16_t)v;
        break;
    default:
        break; /* read-only registers */
    }
}

static struct pci_sim ps;
static struct vpci_legacy pl;
static bool install_gives_msix;
static unsigned installs;

static int test_irq_install(struct vpci_legacy *l, bool *msix_on)
{
    (void)l;
    installs++;
    ps.msix = install_gives_msix; /* what enabling the capability does */
    *msix_on = install_gives_msix;
    return 0;
}

static struct virtio_dev *lpci_init(uint32_t io_size)
{
    memset(&ps, 0, sizeof ps);
    memset(&pl, 0, sizeof pl);
    installs = 0;
    install_gives_msix = false;
    ps.host_features = (uint32_t)(VIRTIO_F_ANY_LAYOUT | VIRTIO_F_EVENT_IDX | (1u << 5));
    ps.q[0].size = 256;
    ps.q[1].size = 8;
    ps.q[2].size = 100; /* not a power of two */
    for (unsigned i = 0; i < sizeof ps.config; i++)
        ps.config[i] = (uint8_t)(0x40 + i);
    pl.io = (struct virtio_regs){pci_read, pci_write, &ps};
    pl.io_size = io_size;
    pl.irq_install = test_irq_install;
    pl.vd.device_id = VIRTIO_ID_NET;
    strcpy(pl.vd.location, "pci test");
    return vpci_legacy_setup(&pl) == 0 ? &pl.vd : NULL;
}

TEST(pci_legacy_setup)
{
    struct virtio_dev *vd = lpci_init(32);
    CHECK(vd != NULL);
    CHECK(vd->legacy && vd->queue_size_fixed);
    CHECK_EQ(vd->config_len, 12u); /* BAR0 of 32 bytes, configuration from 20 */
    CHECK(lpci_init(19) == NULL);  /* no room for the header */
}

TEST(pci_legacy_initialisation_sequence)
{
    struct virtio_dev *vd = lpci_init(64);
    CHECK_EQ(virtio_begin_init(vd, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | (1u << 5)), 0);
    CHECK_EQ(ps.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER); /* 3.1.2 */
    CHECK_EQ(ps.guest_features, (uint32_t)(VIRTIO_F_ANY_LAYOUT | VIRTIO_F_EVENT_IDX | (1u << 5)));
    /* Device-specific configuration at 20 while MSI-X is off. */
    uint8_t mac[6];
    CHECK_EQ(virtio_config_read_bytes(vd, 0, mac, 6), 0);
    CHECK_EQ(mac[0], 0x40);
    CHECK_EQ(mac[5], 0x45);
    CHECK_EQ(virtio_config_read(vd, 10, 2), 0x4b4au);

    /* The size is the device's (4.1.5.1.3.1). */
    CHECK_EQ(vd->ops->queue_max(vd, 0), 256);
    struct virtq vq;
    make_queue(&vq, 128);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 128, vq.desc_phys, vq.avail_phys, vq.used_phys), -1);
    CHECK(LOG_CONTAINS("queue 0: size 128 asked, the device has 256"));
    CHECK(!vd->broken);
    make_queue(&vq, 256);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    uint64_t desc = (uint64_t)ps.q[0].pfn * VPCI_LEGACY_QUEUE_ALIGN, avail, used;
    legacy_rings(desc, ps.q[0].size, VPCI_LEGACY_QUEUE_ALIGN, &avail, &used);
    CHECK_EQ(desc, vq.desc_phys);
    CHECK_EQ(avail, vq.avail_phys);
    CHECK_EQ(used, vq.used_phys);
    /* The same queue twice: refused. */
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), -1);
    vd->ops->queue_notify(vd, 0);
    CHECK_EQ(ps.notified[0], 1u);

    /* INTx: no vector registers, configuration stays at 20. */
    CHECK_EQ(vd->ops->irq_setup(vd), 0);
    CHECK_EQ(vd->ops->irq_setup(vd), 0);
    CHECK_EQ(installs, 1u);
    CHECK_EQ(virtio_config_read(vd, 0, 1), 0x40u);
    virtio_driver_ok(vd);
    CHECK(ps.status & VIRTIO_STATUS_DRIVER_OK);
    CHECK(!vd->broken);
    CHECK_EQ(ps.width_errors, 0u);

    /* Reading the ISR acknowledges it (4.1.4.5). */
    ps.isr = 3;
    CHECK_EQ(vpci_legacy_isr(&pl), 3u);
    CHECK_EQ(vpci_legacy_isr(&pl), 0u);
}

TEST(pci_legacy_msix_moves_the_configuration)
{
    struct virtio_dev *vd = lpci_init(64);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    struct virtq vq;
    make_queue(&vq, 256);
    CHECK_EQ(vd->ops->queue_max(vd, 0), 256);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    ps.qvec[0] = ps.config_vector = VPCI_MSI_NO_VECTOR;
    install_gives_msix = true;
    CHECK_EQ(vd->ops->irq_setup(vd), 0);
    /* Entry 0 for the configuration change and for the queue set up
     * before the interrupt (4.1.5.1.2). */
    CHECK_EQ(ps.config_vector, VPCI_MSIX_ENTRY);
    CHECK_EQ(ps.qvec[0], VPCI_MSIX_ENTRY);
    /* "once you enable MSI-X on the device, the other fields move" */
    CHECK_EQ(vd->config_len, 40u);
    CHECK_EQ(virtio_config_read(vd, 0, 4), 0x43424140u);
    /* A queue set up afterwards gets its vector before its address. */
    ps.q[1].size = 8;
    make_queue(&vq, 8);
    CHECK_EQ(vd->ops->queue_max(vd, 1), 8);
    CHECK_EQ(vd->ops->queue_enable(vd, 1, 8, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    CHECK_EQ(ps.qvec[1], VPCI_MSIX_ENTRY);
    CHECK(!vd->broken);
    CHECK_EQ(ps.width_errors, 0u);
}

TEST(pci_legacy_violations)
{
    /* A vector the device cannot map. */
    struct virtio_dev *vd = lpci_init(64);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    ps.refuse_vectors = true;
    install_gives_msix = true;
    CHECK_EQ(vd->ops->irq_setup(vd), -1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("configuration interrupt cannot use MSI-X entry 0"));

    /* A queue size that is not a power of two (2.7). */
    unit_log_clear();
    vd = lpci_init(64);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    CHECK_EQ(vd->ops->queue_max(vd, 2), 0);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("queue 2 has size 100, not a power of two up to 32768"));

    /* A queue in use before set-up. */
    unit_log_clear();
    vd = lpci_init(64);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    ps.q[1].pfn = 7;
    CHECK_EQ(vd->ops->queue_max(vd, 1), 0);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("queue 1 is in use (address 0x7)"));

    /* No such queue: size 0, nothing failed. */
    vd = lpci_init(64);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    CHECK_EQ(vd->ops->queue_max(vd, 3), 0);
    CHECK_EQ(vd->ops->queue_max(vd, VPCI_LEGACY_MAX_QUEUES), 0);
    CHECK(!vd->broken);

    /* A reset forgets the queues: set up again afterwards. */
    struct virtq vq;
    make_queue(&vq, 256);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    CHECK_EQ(virtio_begin_init(vd, 0), 0);
    CHECK_EQ(ps.q[0].pfn, 0u);
    CHECK_EQ(vd->ops->queue_enable(vd, 0, 256, vq.desc_phys, vq.avail_phys, vq.used_phys), 0);
    CHECK(!vd->broken);
}

UNIT_MAIN()
