/* The e1000 driver's state, shared by its kernel files: hw.c (register
 * access, reset, MAC address, ring programming), irq.c (interrupt modes and
 * handlers) and net.c (probe, the event-loop work, netdev, removal). The
 * ring logic is pure (ring.h). */
#ifndef DRIVERS_E1000_E1000_H
#define DRIVERS_E1000_E1000_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/event.h"
#include "core/irq.h"
#include "dev/netdev.h"
#include "drivers/e1000/ring.h"

/* The controller families: they differ in EERD's layout and in what the
 * 82574 adds (MSI-X with IVAR, per-queue interrupt causes). */
enum e1000_family { E1000_FAMILY_8254X, E1000_FAMILY_82574 };

/* MSI-X entries on the 82574: receive queue 0, transmit queue 0, the rest. */
enum { E1000_VEC_RX, E1000_VEC_TX, E1000_VEC_OTHER, E1000_VECTORS };

struct e1000 {
    struct netdev nd;
    struct pci_dev *pci;
    const char *model; /* "82540EM" ... */
    enum e1000_family family;
    volatile uint8_t *regs;
    struct e1000_rx_ring rx;
    struct e1000_tx_ring tx;
    void *rx_desc_mem, *tx_desc_mem, *rx_pool, *tx_pool; /* dma_alloc'ed */
    uint64_t rx_desc_dev, tx_desc_dev;                   /* the rings as the device sees them */
    unsigned tx_tail_written;                            /* TDT's value as last written */
    struct work work;     /* everything but acknowledging runs here */
    struct work tx_flush; /* writes TDT once for the frames queued in a pass */
    struct poller poller; /* without an interrupt */
    bool polling;
    struct irq_action actions[E1000_VECTORS];
    unsigned nvectors;           /* set up by pci_irq_setup */
    volatile uint32_t pending;   /* causes read by the interrupt handler */
    bool broken;                 /* disabled after a protocol violation */
    bool registered;             /* netdev_register succeeded */
    bool in_work;                /* inside the work function: TDT is written at its end */
    unsigned logged;             /* messages about bad frames so far */
    uint64_t rx_budget_hits;     /* passes ended by the receive budget */
    uint64_t missed, crc_errors; /* the device's statistics registers, accumulated */
    struct e1000 *next;          /* the driver's list of bound devices */
};

/* ---- hw.c ---- */
uint32_t e1000_read(const struct e1000 *e, uint32_t reg);
void e1000_write(const struct e1000 *e, uint32_t reg, uint32_t v);
/* Masks every interrupt, resets the MAC and waits (bounded) for the reset
 * to finish. Returns 0, or -1 with a log line. */
int e1000_reset(struct e1000 *e);
/* The Ethernet address: RAL0/RAH0 when marked valid, else the EEPROM,
 * else a random locally administered one (each fallback logged). */
void e1000_read_mac(struct e1000 *e);
/* Programs both rings, the filters and the checksum engine, and enables
 * receive and transmit. */
void e1000_start(struct e1000 *e);
/* Receive and transmit off, every interrupt masked. */
void e1000_stop(struct e1000 *e);
bool e1000_link_up(const struct e1000 *e);
/* Adds the statistics registers (clear on read) to the netdev counters. */
void e1000_collect_stats(struct e1000 *e);

/* ---- irq.c ---- */
/* MSI-X (82574: three vectors through IVAR), MSI or INTx, as bus/pci
 * offers; nothing usable leaves the device polled. Unmasks the causes the
 * driver serves. */
void e1000_irq_setup(struct e1000 *e);
void e1000_irq_teardown(struct e1000 *e);
/* Transmit write-backs interrupt too (the exit flush waits for them). */
void e1000_irq_tx_on(struct e1000 *e);
/* The causes the interrupt handlers collected, plus ICR's (its read
 * acknowledges them; in MSI-X mode the 82574 needs them written back). */
uint32_t e1000_irq_take(struct e1000 *e);
const char *e1000_irq_mode_name(const struct e1000 *e);

/* ---- net.c ---- */
/* The device broke its protocol: logged once, stopped, link down; the
 * kernel carries on without it. */
void e1000_fail(struct e1000 *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
