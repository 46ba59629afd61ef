/* vmxnet3, VMware's paravirtual NIC (PCI 15AD:07B0), behind the netdev
 * class: probe, version negotiation, activation, removal and quiesce. One
 * transmit and one receive queue; frames up to a 1500-byte MTU, each in one
 * buffer. The layouts and constants are in vmxnet3_regs.h with their
 * sources; the rings in vmxnet3_ring.c, registers and commands in
 * vmxnet3_cmd.c, versions and the MAC in vmxnet3_identity.c, interrupts in
 * vmxnet3_irq.c, the data path in vmxnet3_net.c.
 *
 * Bring-up (Linux vmxnet3_probe_device and vmxnet3_activate_dev):
 *   1. VRRS and UVRS: the highest revision and UPT version both sides know,
 *      written back as one bit (QEMU offers revision 1 and UPT 1 only and
 *      ignores the write; Linux writes the choice back too);
 *   2. MAC from MACL/MACH, checked (a multicast, all-zero or all-one address
 *      is replaced by a random locally administered one, logged);
 *   3. interrupts per GET_CONF_INTR; rings, buffers, the shared area;
 *   4. DSAL then DSAH, ACTIVATE_DEV and its status read back from CMD;
 *   5. RXPROD, UPDATE_RX_MODE, UPDATE_MAC_FILTERS, GET_LINK, unmask.
 * Teardown: QUIESCE_DEV, RESET_DEV, DSAL = DSAH = 0 (QEMU deactivates on
 * DSAL = 0), then the memory is freed. */
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/time.h"
#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_regs.h"
#include "klib/format.h"

/* At exit the device gets this long to send what was queued. */
#define TX_FLUSH_LIMIT_NS 1000000000ull

/* Bound devices, for remove and quiesce (struct pci_dev carries no driver
 * pointer). */
static struct vmx *instances;

/* Register access for vmxnet3_cmd.c: the BARs, mapped uncached. */
static uint32_t hw_read(void *ctx, unsigned bar, uint32_t off)
{
    struct vmx *v = ctx;
    volatile uint8_t *base = bar == VMXNET3_BAR0 ? v->bar0 : v->bar1;
    return *(volatile uint32_t *)(base + off);
}

static void hw_write(void *ctx, unsigned bar, uint32_t off, uint32_t val)
{
    struct vmx *v = ctx;
    volatile uint8_t *base = bar == VMXNET3_BAR0 ? v->bar0 : v->bar1;
    *(volatile uint32_t *)(base + off) = val;
}

static int alloc_memory(struct vmx *v, struct vmx_layout *l)
{
    vmx_layout(l);
    v->ctl_bytes = l->bytes;
    v->ctl = dma_alloc(l->bytes, VMXNET3_RING_ALIGN, &v->ctl_pa);
    v->tx_bufs = dma_alloc((size_t)VMX_TX_RING * VMX_BUF_BYTES, 64, &v->tx_bufs_pa);
    v->rx_bufs = dma_alloc((size_t)VMX_RX_RING * VMX_BUF_BYTES, 64, &v->rx_bufs_pa);
    if (!v->ctl || !v->tx_bufs || !v->rx_bufs) {
        kprintf("%s: out of memory for rings and buffers\n", v->name);
        return -1;
    }
    v->shared = v->ctl + l->shared;
    v->qdesc = v->ctl + l->qdesc;
    vmx_tx_init(&v->tx, v->ctl + l->tx_ring, v->ctl + l->tx_comp, VMX_TX_RING, VMX_TX_RING);
    vmx_rx_init(&v->rx, v->ctl + l->rx_ring0, v->ctl + l->rx_comp, VMX_RX_RING,
                VMX_RX_RING + VMX_RX_RING1, VMX_BUF_BYTES, 0);
    return 0;
}

/* Frees everything; the device must have let go (vmx_stop_device). */
static void free_all(struct vmx *v)
{
    work_cancel(&v->work);
    if (v->polled)
        poller_remove(&v->poller);
    vmx_irq_teardown(v);
    if (v->ctl)
        dma_free(v->ctl, v->ctl_bytes);
    if (v->tx_bufs)
        dma_free(v->tx_bufs, (size_t)VMX_TX_RING * VMX_BUF_BYTES);
    if (v->rx_bufs)
        dma_free(v->rx_bufs, (size_t)VMX_RX_RING * VMX_BUF_BYTES);
    free(v);
}

static int activate(struct vmx *v, const struct vmx_layout *l)
{
    struct vmx_shared_config c = {
        .qdesc_pa = v->ctl_pa + l->qdesc,
        .tx_ring_pa = v->ctl_pa + l->tx_ring,
        .tx_data_pa = v->ctl_pa + l->tx_data,
        .tx_comp_pa = v->ctl_pa + l->tx_comp,
        .rx_ring0_pa = v->ctl_pa + l->rx_ring0,
        .rx_ring1_pa = v->ctl_pa + l->rx_ring1,
        .rx_comp_pa = v->ctl_pa + l->rx_comp,
        .tx_size = VMX_TX_RING,
        .tx_comp_size = VMX_TX_RING,
        .rx0_size = VMX_RX_RING,
        .rx1_size = VMX_RX_RING1,
        .rx_comp_size = VMX_RX_RING + VMX_RX_RING1,
        .mtu = VMX_MTU,
        .num_intrs = (uint8_t)(v->nvectors ? v->nvectors : 1),
        .rx_intr = v->rx_index,
        .tx_intr = v->tx_index,
        .event_intr = v->event_index,
        .auto_mask = v->auto_mask,
        .revision = v->revision,
        .upt = v->upt,
    };
    vmx_shared_fill(v->shared, v->qdesc, &c);
    if (vmx_rx_fill(v) != 0) {
        kprintf("%s: receive buffers not posted: %s\n", v->name, v->rx.error);
        return -1;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE); /* all of it before the device looks */
    uint64_t pa = v->ctl_pa + l->shared;
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_DSAL, (uint32_t)pa);
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_DSAH, (uint32_t)(pa >> 32));
    uint32_t status = vmx_command(v, VMXNET3_CMD_ACTIVATE_DEV);
    if (status != 0) {
        kprintf("%s: ACTIVATE_DEV failed with status 0x%x\n", v->name, status);
        vmx_stop_device(v);
        return -1;
    }
    v->active = true;
    vmx_write(v, VMXNET3_BAR0, VMXNET3_REG_RXPROD, v->rx.fill);
    vmx_write(v, VMXNET3_BAR0, VMXNET3_REG_RXPROD2, 0);
    vmx_set(v, VMXNET3_CMD_UPDATE_RX_MODE);
    vmx_set(v, VMXNET3_CMD_UPDATE_MAC_FILTERS);
    vmx_update_link(v);
    vmx_irq_unmask_all(v);
    return 0;
}

static int vmx_probe(struct pci_dev *pd, const struct pci_device_id *id)
{
    (void)id;
    struct vmx *v = calloc(1, sizeof *v);
    if (v == NULL) {
        kprintf("vmxnet3 %s: out of memory\n", pd->dev.name);
        return -1;
    }
    v->pd = pd;
    v->dev = &pd->dev;
    ksnprintf(v->name, sizeof v->name, "vmxnet3 %s", pd->dev.name);
    v->work.fn = vmx_work;
    v->poller.fn = vmx_poll;
    /* BAR0 and BAR1 by index (Linux vmxnet3_alloc_pci_resources), each big
     * enough for the registers used. */
    if (pd->bar[VMXNET3_BAR0].size < VMXNET3_BAR0_BYTES ||
        pd->bar[VMXNET3_BAR1].size < VMXNET3_BAR1_BYTES || pd->bar[VMXNET3_BAR0].io ||
        pd->bar[VMXNET3_BAR1].io) {
        kprintf("%s: BAR0 (%llu bytes) or BAR1 (%llu bytes) is missing, too small or I/O\n",
                v->name, (unsigned long long)pd->bar[VMXNET3_BAR0].size,
                (unsigned long long)pd->bar[VMXNET3_BAR1].size);
        free(v);
        return -1;
    }
    pci_enable(pd, true, false, true);
    v->bar0 = pci_map_bar(pd, VMXNET3_BAR0);
    v->bar1 = pci_map_bar(pd, VMXNET3_BAR1);
    v->io = (struct vmx_io){hw_read, hw_write, v};
    if (v->bar0 == NULL || v->bar1 == NULL) {
        kprintf("%s: BARs cannot be mapped\n", v->name);
        free(v);
        return -1;
    }
    if (vmx_negotiate(v) != 0) {
        free(v);
        return -1;
    }
    /* A driver before us (firmware's PXE) may have left it active. */
    vmx_set(v, VMXNET3_CMD_RESET_DEV);
    vmx_read_mac(v);
    struct vmx_layout l;
    if (alloc_memory(v, &l) != 0) {
        free_all(v);
        return -1;
    }
    vmx_irq_setup(v);
    if (v->nvectors == 0) {
        v->polled = true;
        poller_add(&v->poller);
    }
    if (activate(v, &l) != 0) {
        free_all(v);
        return -1;
    }
    v->nd.driver = "vmxnet3";
    v->nd.dev = &pd->dev;
    v->nd.mtu = VMX_MTU;
    v->nd.features = NETDEV_FEATURE_TX_CSUM;
    v->nd.ops = &vmx_netdev_ops;
    v->nd.priv = v;
    kprintf("%s: revision %u, UPT %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, interrupts %s (%u "
            "vector%s), "
            "%u receive buffers of %u bytes, link %s\n",
            v->name, (unsigned)__builtin_ctz(v->revision) + 1, (unsigned)__builtin_ctz(v->upt) + 1,
            v->nd.mac[0], v->nd.mac[1], v->nd.mac[2], v->nd.mac[3], v->nd.mac[4], v->nd.mac[5],
            vmx_irq_mode(v), v->nvectors, v->nvectors == 1 ? "" : "s", VMX_RX_RING, VMX_BUF_BYTES,
            v->nd.link_up ? "up" : "down");
    if (netdev_register(&v->nd) != 0) {
        vmx_stop_device(v);
        free_all(v);
        return -1;
    }
    v->registered = true;
    v->next = instances;
    instances = v;
    return 0;
}

/* The instance bound to pd, taken off the list when take is set. */
static struct vmx *instance_of(struct pci_dev *pd, bool take)
{
    for (struct vmx **p = &instances; *p; p = &(*p)->next) {
        struct vmx *v = *p;
        if (v->pd == pd) {
            if (take)
                *p = v->next;
            return v;
        }
    }
    return NULL;
}

/* What the NIC did, when it stops (removal or exit). */
static void summary(struct vmx *v, const char *when)
{
    const struct netdev_stats *s = &v->nd.stats;
    kprintf("vmxnet3 %s: %s: received %llu frames (%llu errors, %llu dropped), sent %llu frames "
            "(%llu with the checksum left to the device, %llu dropped)\n",
            v->nd.name, when, (unsigned long long)s->rx_packets, (unsigned long long)s->rx_errors,
            (unsigned long long)s->rx_dropped, (unsigned long long)s->tx_packets,
            (unsigned long long)s->tx_csum_offloaded, (unsigned long long)s->tx_dropped);
}

/* Hot unplug (devinfo's `remove net0`, core/device.h): the class forgets
 * the NIC, the device lets go of our memory, then it is freed. */
static void vmx_remove(struct pci_dev *pd)
{
    struct vmx *v = instance_of(pd, true);
    if (v == NULL)
        return;
    summary(v, "removed");
    if (v->registered)
        netdev_unregister(&v->nd);
    if (!v->broken)
        vmx_stop_device(v); /* a broken device was stopped when it broke */
    free_all(v);
}

static bool tx_done(void *ctx)
{
    return vmx_tx_idle(ctx);
}

/* Exit: what was queued leaves before the device is stopped. */
static void vmx_quiesce(struct pci_dev *pd)
{
    struct vmx *v = instance_of(pd, false);
    if (v == NULL || v->broken || !v->active)
        return;
    vmx_tx_kick(v);
    if (!wait_until(tx_done, v, time_now_ns() + TX_FLUSH_LIMIT_NS))
        kprintf("%s: %u frames still unsent at exit\n", v->name, v->tx.in_flight);
    vmx_irq_teardown(v);
    vmx_stop_device(v);
    summary(v, "stopped at exit");
}

static const struct pci_device_id vmx_ids[] = {
    {VMXNET3_VENDOR_VMWARE, VMXNET3_DEVICE_ID, 0, 0},
    {0, 0, 0, 0},
};

static const struct pci_driver vmxnet3_driver = {
    .drv = {.name = "vmxnet3", .bus = &pci_bus},
    .ids = vmx_ids,
    .probe = vmx_probe,
    .remove = vmx_remove,
    .quiesce = vmx_quiesce,
};
PCI_DRIVER_REGISTER(vmxnet3_driver);
