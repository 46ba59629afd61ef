/* The legacy virtio-pci interface (drivers/virtio/virtio_pci_legacy.c)
 * against a simulated I/O BAR written from the specification (virtio 1.2,
 * 4.1.4.8 and 4.1.5.1.3.1), driven through the virtio core as a driver
 * would: each header register with its own width, the device's fixed queue
 * size, the page number read back, the MSI-X vector registers and the
 * configuration moving from 20 to 24. The simulated device computes where
 * the rings are from the page number and its queue size and the tests
 * compare. Devices that break the rules are failed with a message. */
#include <stdint.h>

#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtqueue.h"
#include "core/event.h"
#include "tests/unit/unit.h"
#include "tests/unit/virtio_sim_rings.h"

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
    /* The core may have registered the device's poller: take it off the
     * event loop's list before the structure is cleared. */
    poller_remove(&pl.vd.poller);
    work_cancel(&pl.vd.work);
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
