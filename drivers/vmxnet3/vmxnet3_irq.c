/* vmxnet3 interrupts. The device says which type it wants and how masking
 * works with GET_CONF_INTR (bits 1:0 auto/INTx/MSI/MSI-X, bits 3:2 the mask
 * mode; Linux vmxnet3_alloc_intr_resources). With MSI-X the driver asks for
 * three vectors, receive, transmit and events, each with its own interrupt
 * index; with MSI or INTx there is one index, 0, for all of them (QEMU
 * accepts no other: vmxnet3_verify_intx). The kernel parameters of bus/pci
 * narrow the choice further: `pci.nomsix` (MSI, else INTx) and `pci.nomsi`
 * (INTx).
 *
 * A handler only acknowledges and masks: it writes 1 to the index's IMR
 * register (with autoMask the device has masked it already), notes the
 * index and queues the driver's work; the work unmasks what it served once
 * it is done (vmxnet3_net.c). A device that has something pending while
 * masked interrupts again when unmasked, so nothing is lost between the
 * work's last look and the unmask. With INTx the line may be shared: ICR
 * reads 0 when the interrupt was not this device's. */
#include "core/log.h"
#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_regs.h"

/* Interrupt context. */
static void vmx_msi_handler(void *ctx)
{
    struct vmx_vector *vec = ctx;
    struct vmx *v = vec->v;
    vmx_mask(v, vec->index, true);
    __atomic_or_fetch(&v->fired, 1u << vec->index, __ATOMIC_RELAXED);
    work_queue(&v->work);
}

/* Interrupt context; the line may be shared. */
static void vmx_intx_handler(void *ctx)
{
    struct vmx_vector *vec = ctx;
    struct vmx *v = vec->v;
    if (vmx_read(v, VMXNET3_BAR1, VMXNET3_REG_ICR) == 0)
        return; /* not ours */
    vmx_mask(v, 0, true);
    __atomic_or_fetch(&v->fired, 1u, __ATOMIC_RELAXED);
    work_queue(&v->work);
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = {"auto", "INTx", "MSI", "MSI-X"};
    return names[type & VMXNET3_IT_MASK];
}

void vmx_irq_setup(struct vmx *v)
{
    uint32_t conf = vmx_command(v, VMXNET3_CMD_GET_CONF_INTR);
    uint32_t type = conf & VMXNET3_IT_MASK;
    uint32_t mask_mode = (conf >> VMXNET3_IMM_SHIFT) & VMXNET3_IMM_MASK;
    enum pci_irq_mode best = type == VMXNET3_IT_INTX  ? PCI_IRQ_INTX
                             : type == VMXNET3_IT_MSI ? PCI_IRQ_MSI
                                                      : PCI_IRQ_MSIX;
    /* Lazy masking (2) and the reserved 3 are treated as "the driver masks":
     * the handlers always do. */
    v->auto_mask = mask_mode == VMXNET3_IMM_AUTO;
    for (unsigned i = 0; i < VMX_VECTORS; i++) {
        v->vectors[i] = (struct vmx_vector){v, (uint8_t)i};
        v->actions[i] = (struct irq_action){.fn = vmx_msi_handler, .ctx = &v->vectors[i]};
    }
    bool want_msix = best == PCI_IRQ_MSIX;
    unsigned n = pci_irq_setup_upto(v->pd, v->actions, want_msix ? VMX_VECTORS : 1, best);
    v->nvectors = n;
    if (n == VMX_VECTORS && v->pd->irq_mode == PCI_IRQ_MSIX) {
        v->rx_index = VMX_VEC_RX;
        v->tx_index = VMX_VEC_TX;
        v->event_index = VMX_VEC_EVENT;
    } else {
        v->rx_index = v->tx_index = v->event_index = 0;
        if (n == 1 && v->pd->irq_mode == PCI_IRQ_INTX)
            v->actions[0].fn = vmx_intx_handler;
    }
    kprintf("%s: device asks for %s interrupts (mask mode %u); got %s (%u vector%s)\n", v->name,
            type_name(type), mask_mode, vmx_irq_mode(v), n, n == 1 ? "" : "s");
}

const char *vmx_irq_mode(const struct vmx *v)
{
    return v->nvectors == 0 ? "polled" : pci_irq_mode_name(v->pd->irq_mode);
}

void vmx_irq_unmask_all(struct vmx *v)
{
    if (v->nvectors > 0)
        vmx_irq_unmask(v, (1u << v->nvectors) - 1);
}

void vmx_irq_teardown(struct vmx *v)
{
    if (v->nvectors > 0) {
        for (unsigned i = 0; i < v->nvectors; i++)
            vmx_mask(v, i, true);
        pci_irq_teardown(v->pd);
        v->nvectors = 0;
    }
}
