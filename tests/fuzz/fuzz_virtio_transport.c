/* libFuzzer harness: the transports' register sequences against a device
 * that answers every register read with input bytes: virtio-mmio Version 2
 * and Version 1 (bus/virtio_mmio/virtio_mmio_transport.c) and the legacy
 * virtio-pci I/O BAR (drivers/virtio/virtio_pci_legacy.c), driven through
 * the virtio core (virtio.c) as a driver does: initialisation, queue sizes,
 * queue set-up with rings in the layout virtqueue.c gives them, the
 * interrupt (MSI-X or not), configuration reads, notifications.
 *
 * Input: byte 0 the transport (0 mmio Version 2, 1 mmio Version 1, 2
 * legacy pci; bits 0-1), for pci bit 2: the interrupt comes up as MSI-X, bit
 * 3: it is set up before the queues, bit 4: a cooperative device, whose
 * status, queue address, QueueReady and vector registers read back what the
 * driver wrote (per queue), so that the sequences get past set-up; byte 1
 * the size of the window; then the device's answers, one per register read
 * (4 bytes for a 32-bit register, 2 or 1 for narrower ones), 0 once the
 * input is used up.
 *
 * Invariants: every access lies inside the window, with the register's
 * width (32 bits below 0x100 on mmio, 4.2.2.2; each legacy pci register's
 * own width, 4.1.4.8); a legacy interface never writes FEATURES_OK nor
 * feature bits above 31 (3.1.2, 2.2.3) and never touches a Version 2 only
 * register; a queue is taken only after the device confirmed it (QueuePFN
 * or the pci queue address read back as written, QueueReady read back as
 * 1, MSI-X vectors read back as entry 0), with a size the device allowed
 * (legacy pci: exactly its size, a power of two up to 32768); a size
 * reported by queue_max is at most 32768; a failed device has FAILED set
 * and is given nothing more.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_virtio_transport.c drivers/virtio/virtio.c \
 *     drivers/virtio/virtio_pci_legacy.c bus/virtio_mmio/virtio_mmio_transport.c \
 *     drivers/virtio/virtqueue.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/virtio_mmio/virtio_mmio_transport.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtqueue.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

enum kind { MMIO_MODERN, MMIO_LEGACY, PCI_LEGACY };

static struct {
    enum kind kind;
    const uint8_t *p;
    size_t n;
    uint32_t window;
    bool msix;
    uint8_t status;
    uint32_t last_written[256]; /* per register offset, what the driver wrote last */
    bool written[256];
    uint32_t last_read[256];
    bool broken_when_written; /* a write reached a broken device */
    struct virtio_dev *vd;
    bool echo;                  /* the cooperative device of byte 0 bit 4 */
    bool page_size_written;     /* GuestPageSize, since the queue set-up began */
    uint32_t queue_sel;         /* as the driver last selected */
    uint32_t queue_reg[4][256]; /* per queue: what the driver wrote at each offset */
    bool queue_written[4][256];
} sim;

/* Registers a cooperative device reads back as written: per queue for the
 * queue registers, once for status and the configuration vector. */
static bool per_queue(unsigned off)
{
    if (sim.kind == PCI_LEGACY)
        return off == VPCI_LEGACY_QUEUE_ADDRESS || off == VPCI_LEGACY_QUEUE_MSIX_VECTOR;
    return off == VMMIO_LEGACY_QUEUE_PFN || off == VMMIO_QUEUE_READY;
}
static bool echoed(unsigned off)
{
    if (sim.kind == PCI_LEGACY)
        return off == VPCI_LEGACY_DEVICE_STATUS || off == VPCI_LEGACY_CONFIG_MSIX_VECTOR;
    return off == VMMIO_STATUS;
}

static uint32_t answer(unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes && sim.n; i++, sim.n--)
        v |= (uint32_t)*sim.p++ << (8 * i);
    return v;
}

/* The width a legacy pci register has (0: the device-specific area). */
static unsigned pci_width(unsigned off)
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
    default:
        return sim.msix && (off == VPCI_LEGACY_CONFIG_MSIX_VECTOR ||
                            off == VPCI_LEGACY_QUEUE_MSIX_VECTOR)
                   ? 2
                   : 0;
    }
}

static void check_access(unsigned off, unsigned size)
{
    if (size != 1 && size != 2 && size != 4)
        abort();
    if ((uint64_t)off + size > sim.window)
        abort(); /* outside the window */
    if (sim.kind == PCI_LEGACY) {
        unsigned config = sim.msix ? VPCI_LEGACY_CONFIG_MSIX : VPCI_LEGACY_CONFIG;
        unsigned w = pci_width(off);
        if (w ? w != size : off < config)
            abort(); /* a header register with another width, or into its middle */
        return;
    }
    if (off < VMMIO_CONFIG && size != 4)
        abort(); /* 4.2.2.2 */
    if (sim.kind == MMIO_LEGACY && off < VMMIO_CONFIG &&
        (off == VMMIO_QUEUE_READY || off == VMMIO_CONFIG_GENERATION ||
         (off >= VMMIO_QUEUE_DESC_LOW && off <= VMMIO_QUEUE_DEVICE_HIGH)))
        abort(); /* a Version 2 register on a Version 1 device */
    if (sim.kind == MMIO_MODERN &&
        (off == VMMIO_LEGACY_GUEST_PAGE_SIZE || off == VMMIO_LEGACY_QUEUE_ALIGN ||
         off == VMMIO_LEGACY_QUEUE_PFN))
        abort();
}

static uint32_t reg_read(void *ctx, unsigned off, unsigned size)
{
    (void)ctx;
    check_access(off, size);
    uint32_t v = answer(size);
    if (sim.echo && off < 256) {
        unsigned q = sim.queue_sel % 4;
        if (per_queue(off) && sim.queue_sel < 4)
            v = sim.queue_written[q][off] ? sim.queue_reg[q][off] : 0;
        else if (echoed(off) && sim.written[off])
            v = sim.last_written[off];
    }
    if (off < 256)
        sim.last_read[off] = v;
    return v;
}

static void reg_write(void *ctx, unsigned off, unsigned size, uint32_t v)
{
    (void)ctx;
    check_access(off, size);
    unsigned status_reg = sim.kind == PCI_LEGACY ? VPCI_LEGACY_DEVICE_STATUS : VMMIO_STATUS;
    if (sim.vd && sim.vd->broken && off != status_reg)
        sim.broken_when_written = true;
    if (off < 256) {
        sim.last_written[off] = v;
        sim.written[off] = true;
    }
    if (sim.kind == MMIO_LEGACY && off == VMMIO_LEGACY_GUEST_PAGE_SIZE)
        sim.page_size_written = v == VMMIO_LEGACY_PAGE_SIZE;
    unsigned sel = sim.kind == PCI_LEGACY ? VPCI_LEGACY_QUEUE_SELECT : VMMIO_QUEUE_SEL;
    if (off == sel)
        sim.queue_sel = v;
    else if (off < 256 && per_queue(off) && sim.queue_sel < 4) {
        sim.queue_reg[sim.queue_sel][off] = v;
        sim.queue_written[sim.queue_sel][off] = true;
    }
    if (off == status_reg) {
        sim.status = (uint8_t)v;
        if (v == 0) { /* a reset forgets the queues */
            memset(sim.queue_reg, 0, sizeof sim.queue_reg);
            memset(sim.queue_written, 0, sizeof sim.queue_written);
        }
        if (sim.kind != MMIO_MODERN && (v & VIRTIO_STATUS_FEATURES_OK))
            abort(); /* 3.1.2 */
    }
    if (sim.kind == MMIO_LEGACY && off == VMMIO_DRIVER_FEATURES &&
        (!sim.written[VMMIO_DRIVER_FEATURES_SEL] || sim.last_written[VMMIO_DRIVER_FEATURES_SEL]))
        abort(); /* legacy mmio: feature word 0 only, selected first */
}

static int irq_pci(struct vpci_legacy *l, bool *msix_on)
{
    (void)l;
    *msix_on = sim.msix;
    return 0;
}

static int irq_mmio(struct vmmio *m)
{
    (void)m;
    return 0;
}

static uint8_t ring[65536] __attribute__((aligned(4096)));
static uint8_t state[1 << 20] __attribute__((aligned(4096)));
#define RING_PHYS 0x40000000ull

static struct vmmio mm;
static struct vpci_legacy pl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    memset(&sim, 0, sizeof sim);
    sim.kind = (enum kind)((data[0] & 3) % 3);
    sim.echo = data[0] & 16;
    sim.p = data + 2;
    sim.n = size - 2;
    struct virtio_dev *vd;
    if (sim.kind == PCI_LEGACY) {
        memset(&pl, 0, sizeof pl);
        sim.window = 16 + data[1] % 64;
        sim.msix = data[0] & 4;
        pl.io = (struct virtio_regs){reg_read, reg_write, NULL};
        pl.io_size = sim.window;
        pl.irq_install = irq_pci;
        vd = &pl.vd;
        if (vpci_legacy_setup(&pl) != 0) {
            if (sim.window >= VPCI_LEGACY_CONFIG)
                abort();
            return 0;
        }
        /* The MSI-X switch happens at irq_setup; until then MSI-X is off. */
        bool msix_later = sim.msix;
        sim.msix = false;
        sim.vd = vd;
        if (virtio_begin_init(vd, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | 0xFFFFFFFFull) == 0 &&
            (sim.last_written[VPCI_LEGACY_DRIVER_FEATURES] &
             ~sim.last_read[VPCI_LEGACY_DEVICE_FEATURES]) != 0)
            abort(); /* only what was offered */
        if (data[0] & 8) {
            sim.msix = msix_later;
            vd->ops->irq_setup(vd);
            if (!vd->broken && sim.msix &&
                (sim.last_written[VPCI_LEGACY_CONFIG_MSIX_VECTOR] != VPCI_MSIX_ENTRY ||
                 sim.last_read[VPCI_LEGACY_CONFIG_MSIX_VECTOR] != VPCI_MSIX_ENTRY))
                abort();
        }
    } else {
        memset(&mm, 0, sizeof mm);
        sim.window = VMMIO_CONFIG + data[1];
        mm.regs = (struct virtio_regs){reg_read, reg_write, NULL};
        mm.size = sim.window;
        mm.version = sim.kind == MMIO_LEGACY ? VMMIO_VERSION_LEGACY : VMMIO_VERSION_MODERN;
        mm.irq_install = irq_mmio;
        vd = &mm.vd;
        if (vmmio_setup(&mm) != 0)
            abort();
        sim.vd = vd;
        virtio_begin_init(vd, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | 0xFFFFFFFFull);
    }
    if (vd->legacy && (vd->features >> 32) != 0)
        abort();

    for (unsigned q = 0; q < 4 && !vd->broken; q++) {
        uint16_t max = vd->ops->queue_max(vd, q);
        if (max > VIRTQ_MAX_SIZE)
            abort();
        if (sim.kind == PCI_LEGACY && max != 0 && (max & (max - 1)) != 0)
            abort();
        if (max == 0 || vd->broken)
            continue;
        uint16_t qsize = vd->queue_size_fixed ? max : 1;
        while (!vd->queue_size_fixed && qsize * 2u <= max && qsize < 256)
            qsize = (uint16_t)(qsize * 2);
        if (virtq_ring_bytes(qsize) > sizeof ring || virtq_state_bytes(qsize, false) > sizeof state)
            continue;
        struct virtq vq;
        memset(&vq, 0, sizeof vq);
        virtq_init(&vq, (uint16_t)q, qsize, ring, RING_PHYS, state, RING_PHYS + sizeof ring, false,
                   false);
        sim.page_size_written = false;
        int rc = vd->ops->queue_enable(vd, q, qsize, vq.desc_phys, vq.avail_phys, vq.used_phys);
        if (rc != 0)
            continue;
        if (vd->broken)
            abort(); /* taken from a failed device */
        uint32_t pfn = (uint32_t)(vq.desc_phys / 4096);
        switch (sim.kind) {
        case MMIO_LEGACY:
            if (sim.last_written[VMMIO_LEGACY_QUEUE_PFN] != pfn ||
                sim.last_read[VMMIO_LEGACY_QUEUE_PFN] != pfn ||
                sim.last_written[VMMIO_LEGACY_QUEUE_ALIGN] != VIRTQ_LEGACY_ALIGN ||
                sim.last_written[VMMIO_QUEUE_NUM] != qsize || !sim.page_size_written)
                abort();
            break;
        case MMIO_MODERN:
            if (sim.last_read[VMMIO_QUEUE_READY] != 1 || sim.last_written[VMMIO_QUEUE_NUM] != qsize)
                abort();
            break;
        case PCI_LEGACY:
            if (sim.last_written[VPCI_LEGACY_QUEUE_ADDRESS] != pfn ||
                sim.last_read[VPCI_LEGACY_QUEUE_ADDRESS] != pfn ||
                sim.last_read[VPCI_LEGACY_QUEUE_SIZE] != qsize)
                abort();
            if (sim.msix && sim.last_read[VPCI_LEGACY_QUEUE_MSIX_VECTOR] != VPCI_MSIX_ENTRY)
                abort();
            break;
        }
        vd->ops->queue_notify(vd, q);
    }
    if (!vd->broken)
        vd->ops->irq_setup(vd);
    for (unsigned off = 0; off < 16 && !vd->broken; off += 4)
        virtio_config_read(vd, off, 4);
    if (!vd->broken)
        virtio_driver_ok(vd);
    if (vd->broken && !(sim.status & VIRTIO_STATUS_FAILED))
        abort();
    if (sim.broken_when_written)
        abort();
    return 0;
}
