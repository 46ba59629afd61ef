/* The VMware PVSCSI adapter (PCI 15AD:07C0) as a PCI driver: reset,
 * the rings (SETUP_RINGS, SETUP_MSG_RING), interrupts, the event-loop
 * work that takes completions, disabling a device that breaks the
 * protocol, and removal. Facts from VMware's public pvscsi header and the
 * driver flow it implies (reset, set up rings, unmask, kick per request);
 * QEMU 7.2's model (hw/scsi/vmw_pvscsi.c) is the device tested here.
 * docs/pvscsi.md describes the driver. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "drivers/pvscsi/pvscsi.h"
#include "drivers/pvscsi/pvscsi_hw.h"
#include "klib/format.h"

static struct pvscsi *adapters; /* for remove and quiesce, by PCI function */

static uint32_t reg_read(struct pvscsi *a, unsigned off)
{
    return *(volatile uint32_t *)(a->regs + off);
}

static void reg_write(struct pvscsi *a, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(a->regs + off) = v;
}

/* An adapter command with its payload, word by word; the status after the
 * last word. */
static uint32_t adapter_command(struct pvscsi *a, uint32_t cmd, const void *data, size_t bytes)
{
    reg_write(a, PVSCSI_REG_COMMAND, cmd);
    const uint8_t *p = data;
    for (size_t i = 0; i + 4 <= bytes; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        reg_write(a, PVSCSI_REG_COMMAND_DATA, w);
    }
    return reg_read(a, PVSCSI_REG_COMMAND_STATUS);
}

/* ADAPTER_RESET: the device drops every request and forgets the rings; it
 * touches no guest memory afterwards. */
static void adapter_reset(struct pvscsi *a)
{
    reg_write(a, PVSCSI_REG_INTR_MASK, 0);
    adapter_command(a, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
}

void pvscsi_kick(struct pvscsi *a, bool rw)
{
    reg_write(a, rw ? PVSCSI_REG_KICK_RW_IO : PVSCSI_REG_KICK_NON_RW_IO, 0);
}

void pvscsi_disable(struct pvscsi *a, const char *fmt, ...)
{
    if (a->disabled)
        return;
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    a->disabled = true;
    device_disable(&a->pci->dev, "pvscsi: %s", why); /* the log line */
    a->q.broken = true;                              /* nothing more is submitted or accepted */
    adapter_reset(a);
    pvscsi_queue_fail_all(&a->q);
}

static void take_messages(struct pvscsi *a)
{
    struct pvscsi_msg_desc m;
    int r;
    while ((r = pvscsi_queue_take_msg(&a->q, &m)) == 1)
        pvscsi_hotplug_message(a, &m);
    if (r < 0)
        pvscsi_disable(a, "%s", a->q.error);
}

void pvscsi_process(struct pvscsi *a)
{
    if (a->disabled)
        return;
    if (pvscsi_queue_poll(&a->q) < 0) {
        pvscsi_disable(a, "%s", a->q.error);
        return;
    }
    take_messages(a);
}

static void pvscsi_work(struct work *w)
{
    pvscsi_process(container_of(w, struct pvscsi, work));
}

/* Interrupt context: acknowledge (INTR_STATUS is write-1-to-clear; on a
 * shared INTx line 0 means another device's) and wake the loop. */
static void pvscsi_irq(void *ctx)
{
    struct pvscsi *a = ctx;
    uint32_t status = reg_read(a, PVSCSI_REG_INTR_STATUS);
    if (status == 0 || status == 0xFFFFFFFFu)
        return;
    reg_write(a, PVSCSI_REG_INTR_STATUS, status);
    work_queue(&a->work);
}

static void pvscsi_poll(struct poller *p)
{
    pvscsi_process(container_of(p, struct pvscsi, poller));
}

/* The registers: the first memory BAR of at least 32 KiB. */
static volatile uint8_t *map_registers(struct pci_dev *d, const char *name)
{
    for (unsigned i = 0; i < 6; i++) {
        const struct pci_bar *b = &d->bar[i];
        if ((d->bar_bad & (1u << i)) || b->io || b->base == 0 || b->size < PVSCSI_MEM_SPACE_SIZE)
            continue;
        volatile uint8_t *p = pci_map_bar(d, i);
        if (p == NULL)
            kprintf("pvscsi %s: BAR %u cannot be mapped\n", name, i);
        return p;
    }
    kprintf("pvscsi %s: no memory BAR of at least %u bytes\n", name, PVSCSI_MEM_SPACE_SIZE);
    return NULL;
}

static unsigned log2_of(uint32_t n)
{
    unsigned l = 0;
    while ((1u << l) < n)
        l++;
    return l;
}

/* The device writes the rings' sizes into the state page (the Log2
 * fields); a value other than what SETUP_RINGS asked for means it works on
 * other rings than ours. 0 is taken as "not written". */
static bool sizes_agree(struct pvscsi *a, uint32_t said, uint32_t entries, const char *ring)
{
    if (said == 0 || said == log2_of(entries))
        return true;
    kprintf("%s: device says the %s ring has 2^%u entries, it was set up with %u\n", a->name, ring,
            said, entries);
    return false;
}

static int setup_rings(struct pvscsi *a)
{
    const size_t pages = 1 + PVSCSI_REQ_PAGES + PVSCSI_CMP_PAGES + PVSCSI_MSG_PAGES;
    a->rings_bytes = pages * PVSCSI_PAGE_SIZE;
    a->rings = dma_alloc(a->rings_bytes, PVSCSI_PAGE_SIZE, &a->rings_dev);
    if (a->rings == NULL) {
        kprintf("%s: out of memory for the rings\n", a->name);
        return -1;
    }
    uint8_t *base = a->rings;
    uint64_t dev = a->rings_dev;
    uint64_t req_dev = dev + PVSCSI_PAGE_SIZE;
    uint64_t cmp_dev = req_dev + PVSCSI_REQ_PAGES * PVSCSI_PAGE_SIZE;
    uint64_t msg_dev = cmp_dev + PVSCSI_CMP_PAGES * PVSCSI_PAGE_SIZE;

    struct pvscsi_setup_rings sr;
    memset(&sr, 0, sizeof sr);
    sr.req_ring_pages = PVSCSI_REQ_PAGES;
    sr.cmp_ring_pages = PVSCSI_CMP_PAGES;
    sr.rings_state_ppn = dev >> PVSCSI_PAGE_SHIFT;
    for (unsigned i = 0; i < PVSCSI_REQ_PAGES; i++)
        sr.req_ring_ppns[i] = (req_dev >> PVSCSI_PAGE_SHIFT) + i;
    for (unsigned i = 0; i < PVSCSI_CMP_PAGES; i++)
        sr.cmp_ring_ppns[i] = (cmp_dev >> PVSCSI_PAGE_SHIFT) + i;
    uint32_t st = adapter_command(a, PVSCSI_CMD_SETUP_RINGS, &sr, sizeof sr);
    if (st != 0) {
        kprintf("%s: SETUP_RINGS failed (status %#x)\n", a->name, st);
        return -1;
    }
    /* SETUP_MSG_RING: a device without it answers -1 to the command
     * alone. QEMU answers the payload with a word count rather than 0, so
     * only -1 is a failure. */
    a->msg_ring = false;
    reg_write(a, PVSCSI_REG_COMMAND, PVSCSI_CMD_SETUP_MSG_RING);
    if (reg_read(a, PVSCSI_REG_COMMAND_STATUS) != PVSCSI_STATUS_FAILED) {
        struct pvscsi_setup_msg_ring mr;
        memset(&mr, 0, sizeof mr);
        mr.pages = PVSCSI_MSG_PAGES;
        for (unsigned i = 0; i < PVSCSI_MSG_PAGES; i++)
            mr.ring_ppns[i] = (msg_dev >> PVSCSI_PAGE_SHIFT) + i;
        a->msg_ring =
            adapter_command(a, PVSCSI_CMD_SETUP_MSG_RING, &mr, sizeof mr) != PVSCSI_STATUS_FAILED;
    }
    volatile struct pvscsi_rings_state *state = (volatile struct pvscsi_rings_state *)base;
    uint32_t req_entries = PVSCSI_REQ_PAGES * PVSCSI_REQ_PER_PAGE;
    uint32_t cmp_entries = PVSCSI_CMP_PAGES * PVSCSI_CMP_PER_PAGE;
    uint32_t msg_entries = PVSCSI_MSG_PAGES * PVSCSI_MSG_PER_PAGE;
    if (!sizes_agree(a, state->req_entries_log2, req_entries, "request") ||
        !sizes_agree(a, state->cmp_entries_log2, cmp_entries, "completion") ||
        (a->msg_ring && !sizes_agree(a, state->msg_entries_log2, msg_entries, "message")))
        return -1;
    pvscsi_queue_init(
        &a->q, a->name, state, (volatile struct pvscsi_req_desc *)(base + PVSCSI_PAGE_SIZE),
        req_entries, (volatile struct pvscsi_cmp_desc *)(base + (cmp_dev - dev)), cmp_entries,
        a->msg_ring ? (volatile struct pvscsi_msg_desc *)(base + (msg_dev - dev)) : NULL,
        msg_entries, a->slots, PVSCSI_SLOTS);
    return 0;
}

static void adapter_free(struct pvscsi *a)
{
    if (a->rings)
        dma_free(a->rings, a->rings_bytes);
    free(a);
}

static int pvscsi_probe(struct pci_dev *d, const struct pci_device_id *id)
{
    (void)id;
    struct pvscsi *a = calloc(1, sizeof *a);
    if (a == NULL)
        return -1;
    a->pci = d;
    ksnprintf(a->namebuf, sizeof a->namebuf, "pvscsi %s", d->dev.name);
    a->name = a->namebuf;
    pci_enable(d, true, false, true); /* memory decoding and bus mastering */
    a->regs = map_registers(d, d->dev.name);
    if (a->regs == NULL) {
        free(a);
        return -1;
    }
    adapter_reset(a);
    if (setup_rings(a) != 0) {
        adapter_reset(a);
        adapter_free(a);
        return -1;
    }
    a->work.fn = pvscsi_work;
    pvscsi_hotplug_init(a);
    a->action = (struct irq_action){.fn = pvscsi_irq, .ctx = a, .name = a->name};
    a->irq = pci_irq_setup(d, &a->action, 1) != 0;
    if (!a->irq) {
        kprintf("%s: no interrupt; completions are polled\n", a->name);
        a->poller.fn = pvscsi_poll;
        poller_add(&a->poller);
        a->polling = true;
    }
    reg_write(a, PVSCSI_REG_INTR_MASK,
              PVSCSI_INTR_CMPL_MASK | (a->msg_ring ? PVSCSI_INTR_MSG_MASK : 0));
    kprintf("%s: rings of %u requests and %u completions, %s, interrupt %s\n", a->name,
            a->q.req_entries, a->q.cmp_entries, a->msg_ring ? "message ring" : "no message ring",
            !a->irq                       ? "none (polled)"
            : d->irq_mode == PCI_IRQ_MSIX ? "MSI-X"
            : d->irq_mode == PCI_IRQ_MSI  ? "MSI"
                                          : "INTx");
    a->next = NULL;
    struct pvscsi **p = &adapters;
    while (*p)
        p = &(*p)->next;
    *p = a;
    pvscsi_scan(a);
    return 0;
}

static struct pvscsi *adapter_of(struct pci_dev *d)
{
    for (struct pvscsi *a = adapters; a; a = a->next)
        if (a->pci == d)
            return a;
    return NULL;
}

/* The adapter is going away: the device is reset first so it writes no
 * more memory, requests in flight fail with an error, the disks leave the
 * block class, and everything is freed. */
static void pvscsi_remove(struct pci_dev *d)
{
    struct pvscsi *a = adapter_of(d);
    if (a == NULL)
        return;
    adapter_reset(a);
    if (a->irq)
        pci_irq_teardown(d);
    if (a->polling)
        poller_remove(&a->poller);
    work_cancel(&a->work);
    work_cancel(&a->hotplug_work);
    a->q.broken = true;
    pvscsi_queue_fail_all(&a->q);
    pvscsi_disks_remove(a);
    for (struct pvscsi **p = &adapters; *p; p = &(*p)->next) {
        if (*p == a) {
            *p = a->next;
            break;
        }
    }
    kprintf("%s: removed\n", a->name);
    adapter_free(a);
}

/* Before the VM ends: no more DMA. */
static void pvscsi_quiesce(struct pci_dev *d)
{
    struct pvscsi *a = adapter_of(d);
    if (a != NULL)
        adapter_reset(a);
}

static const struct pci_device_id pvscsi_ids[] = {
    {PVSCSI_VENDOR_VMWARE, PVSCSI_DEVICE_ID, 0, 0},
    {0, 0, 0, 0},
};

static const struct pci_driver pvscsi_driver = {
    .drv = {.name = "pvscsi", .bus = &pci_bus},
    .ids = pvscsi_ids,
    .probe = pvscsi_probe,
    .remove = pvscsi_remove,
    .quiesce = pvscsi_quiesce,
};
PCI_DRIVER_REGISTER(pvscsi_driver);
