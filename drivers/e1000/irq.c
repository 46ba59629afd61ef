/* e1000 interrupts (e1000.h). The handlers only acknowledge and queue the
 * driver's work; frames are handled from the event loop (net.c).
 *
 * MSI-X (82574 only, [82574] ch. 7, "MSI-X and Vectors"): IVAR sends the
 * receive queue's causes to entry 0, the transmit queue's to entry 1 and
 * every other cause (link change among them) to entry 2. In MSI-X mode ICR
 * is not cleared by reading it ([82574] ch. 10, ICR), so the work writes
 * back the causes it read (ICR is write-1-to-clear); a cause left set would
 * not signal again. The MSI-X handlers touch no register.
 *
 * MSI and INTx: one vector; the handler reads ICR, which acknowledges
 * every cause at once ([SDM] ch. 13, ICR: read to clear) and lowers the
 * level-triggered INTx line. The line may be shared: ICR 0 means the
 * interrupt was another device's. */
#include "core/arch.h"
#include "core/log.h"
#include "drivers/e1000/e1000.h"

/* What the driver serves: frames received (RXT0, and RXO/RXDMT0 so that a
 * ring running dry is refilled at once) and link changes (LSC). Transmit
 * write-backs (TXDW) are not asked for: the ring is reaped on every pass
 * and whenever it runs short, so an interrupt per frame sent would only
 * cost time; the exit flush turns them on (e1000_irq_tx_on). */
#define CAUSES_COMMON (E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 | E1000_ICR_LSC)
#define CAUSES_MSIX (E1000_ICR_RXQ0 | E1000_ICR_OTHER)

static void msix_handler(void *ctx)
{
    struct e1000 *e = ctx;
    work_queue(&e->work);
}

static void line_handler(void *ctx)
{
    struct e1000 *e = ctx;
    if (e->regs == NULL)
        return;
    uint32_t icr = e1000_read(e, E1000_ICR);
    if (icr == 0)
        return; /* not ours (a shared INTx line) */
    e->pending |= icr;
    work_queue(&e->work);
}

static void poll(struct poller *p)
{
    struct e1000 *e = container_of(p, struct e1000, poller);
    work_queue(&e->work);
}

void e1000_irq_setup(struct e1000 *e)
{
    bool msix_capable = e->family == E1000_FAMILY_82574;
    unsigned want = msix_capable ? E1000_VECTORS : 1;
    for (unsigned i = 0; i < E1000_VECTORS; i++)
        e->actions[i] = (struct irq_action){.fn = line_handler, .ctx = e};
    if (msix_capable)
        for (unsigned i = 0; i < E1000_VECTORS; i++)
            e->actions[i].fn = msix_handler;
    e->nvectors = pci_irq_setup(e->pci, e->actions, want);
    uint32_t causes = CAUSES_COMMON;
    if (e->nvectors == 0) {
        kprintf("e1000 %s: no interrupt; polling\n", e->pci->dev.name);
        e->poller.fn = poll;
        poller_add(&e->poller);
        e->polling = true;
        return;
    }
    if (e->pci->irq_mode == PCI_IRQ_MSIX) {
        /* One entry (a short table) serves every cause; three give each
         * its own. */
        uint32_t rx = e->nvectors == E1000_VECTORS ? E1000_VEC_RX : 0;
        uint32_t tx = e->nvectors == E1000_VECTORS ? E1000_VEC_TX : 0;
        uint32_t other = e->nvectors == E1000_VECTORS ? E1000_VEC_OTHER : 0;
        e1000_write(e, E1000_IVAR,
                    (rx | E1000_IVAR_VALID) << E1000_IVAR_RXQ0_SHIFT |
                        (tx | E1000_IVAR_VALID) << E1000_IVAR_TXQ0_SHIFT |
                        (other | E1000_IVAR_VALID) << E1000_IVAR_OTHER_SHIFT);
        e1000_write(e, E1000_CTRL_EXT, e1000_read(e, E1000_CTRL_EXT) | E1000_CTRL_EXT_PBA_CLR);
        causes |= CAUSES_MSIX;
    } else if (msix_capable) {
        /* MSI or INTx on an 82574: for the per-queue causes to stay unused
         * IVAR is cleared (its entries apply to MSI-X only). */
        e1000_write(e, E1000_IVAR, 0);
    }
    (void)e1000_read(e, E1000_ICR);
    e1000_write(e, E1000_IMS, causes);
}

void e1000_irq_tx_on(struct e1000 *e)
{
    uint32_t causes = E1000_ICR_TXDW;
    if (e->pci->irq_mode == PCI_IRQ_MSIX)
        causes |= E1000_ICR_TXQ0;
    e1000_write(e, E1000_IMS, causes);
}

void e1000_irq_teardown(struct e1000 *e)
{
    e1000_write(e, E1000_IMC, ~0u);
    if (e->polling) {
        poller_remove(&e->poller);
        e->polling = false;
    }
    if (e->nvectors)
        pci_irq_teardown(e->pci);
    e->nvectors = 0;
}

uint32_t e1000_irq_take(struct e1000 *e)
{
    uint64_t flags = arch_irq_save();
    uint32_t causes = e->pending;
    e->pending = 0;
    arch_irq_restore(flags);
    uint32_t icr = e1000_read(e, E1000_ICR);
    if (e->pci->irq_mode == PCI_IRQ_MSIX && icr != 0)
        e1000_write(e, E1000_ICR, icr);
    return causes | icr;
}

const char *e1000_irq_mode_name(const struct e1000 *e)
{
    return e->nvectors == 0 ? "none (polled)" : pci_irq_mode_name(e->pci->irq_mode);
}
