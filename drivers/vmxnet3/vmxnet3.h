/* The vmxnet3 driver's state, shared by its files: vmxnet3.c (probe,
 * activation, removal), vmxnet3_cmd.c (registers, commands, failing the
 * device), vmxnet3_identity.c (versions, MAC), vmxnet3_shared.c (the driver shared area and queue
 * descriptors), vmxnet3_irq.c (interrupt modes and masking), vmxnet3_net.c
 * (transmit, receive and events in the event loop) and vmxnet3_ring.c (the
 * generation-bit rings). */
#ifndef DRIVERS_VMXNET3_VMXNET3_H
#define DRIVERS_VMXNET3_VMXNET3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/event.h"
#include "core/irq.h"
#include "dev/netdev.h"
#include "drivers/vmxnet3/vmxnet3_ring.h"

/* Ring sizes (multiples of 32, vmxnet3_regs.h). Every receive buffer holds
 * a whole frame: MTU + Ethernet header + one VLAN tag, rounded up. */
#define VMX_TX_RING 64
#define VMX_RX_RING 128
#define VMX_RX_RING1 32 /* given to the device empty (vmxnet3_ring.h) */
#define VMX_BUF_BYTES 2048
#define VMX_MTU 1500

/* MSI-X vectors: receive, transmit, events. With MSI or INTx there is one
 * (index 0) for all three. */
#define VMX_VEC_RX 0
#define VMX_VEC_TX 1
#define VMX_VEC_EVENT 2
#define VMX_VECTORS 3

struct vmx;

struct vmx_vector {
    struct vmx *v;
    uint8_t index; /* the device's interrupt index (IMR register) */
};

/* Register access: the BARs in the kernel (vmxnet3.c), a simulated device
 * in host tests. bar is VMXNET3_BAR0 or VMXNET3_BAR1. */
struct vmx_io {
    uint32_t (*read)(void *ctx, unsigned bar, uint32_t off);
    void (*write)(void *ctx, unsigned bar, uint32_t off, uint32_t val);
    void *ctx;
};

struct vmx {
    struct netdev nd;
    struct pci_dev *pd;
    struct device *dev; /* &pd->dev: what device_disable marks */
    volatile uint8_t *bar0, *bar1;
    struct vmx_io io;
    char name[24];          /* "vmxnet3 00:03.0" for messages */
    uint32_t revision, upt; /* the one-bit choices written to VRRS and UVRS */

    /* Device memory: the shared area, the queue descriptors and the rings in
     * one allocation (vmx_layout), and the frame buffers. */
    uint8_t *ctl;
    uint64_t ctl_pa;
    size_t ctl_bytes;
    uint8_t *shared, *qdesc;
    uint8_t *tx_bufs, *rx_bufs;
    uint64_t tx_bufs_pa, rx_bufs_pa;
    struct vmx_tx tx;
    struct vmx_rx rx;
    uint32_t tx_deferred; /* frames posted since TXPROD was last written */
    bool in_service;      /* vmx_work is handing frames up: replies are batched */

    /* Interrupts. */
    struct irq_action actions[VMX_VECTORS];
    struct vmx_vector vectors[VMX_VECTORS];
    unsigned nvectors; /* 0: polled */
    uint8_t rx_index, tx_index, event_index;
    bool auto_mask;
    volatile uint32_t fired; /* bit per interrupt index, set by the handlers */
    struct work work;
    struct poller poller;
    bool polled;

    bool active;     /* ACTIVATE_DEV succeeded and not yet quiesced */
    bool broken;     /* the device broke the protocol: it is disabled */
    bool registered; /* netdev_register succeeded */
    unsigned logged;
    struct vmx *next; /* vmxnet3.c's list of bound devices */
};

/* vmxnet3_shared.c: offsets of everything in the control allocation. */
struct vmx_layout {
    size_t shared, qdesc, tx_ring, tx_data, tx_comp, rx_ring0, rx_ring1, rx_comp, bytes;
};
void vmx_layout(struct vmx_layout *l);
/* What the device is told in the shared area. */
struct vmx_shared_config {
    uint64_t qdesc_pa;
    uint64_t tx_ring_pa, tx_data_pa, tx_comp_pa, rx_ring0_pa, rx_ring1_pa, rx_comp_pa;
    uint16_t tx_size, tx_comp_size, rx0_size, rx1_size, rx_comp_size;
    uint16_t mtu;
    uint8_t num_intrs, rx_intr, tx_intr, event_intr;
    bool auto_mask;
    uint32_t revision, upt; /* the chosen one-bit masks */
};
/* Fills the shared area (VMXNET3_SHARED_BYTES) and the two queue
 * descriptors; both must be zeroed before. */
void vmx_shared_fill(uint8_t *shared, uint8_t *qdesc, const struct vmx_shared_config *c);

/* vmxnet3_cmd.c */
uint32_t vmx_read(struct vmx *v, unsigned bar, uint32_t off);
void vmx_write(struct vmx *v, unsigned bar, uint32_t off, uint32_t val);
/* A SET command (nothing to read back: QEMU logs a read after one). */
void vmx_set(struct vmx *v, uint32_t cmd);
/* A GET command, or ACTIVATE_DEV: its answer read back from CMD. */
uint32_t vmx_command(struct vmx *v, uint32_t cmd);
/* The device broke the protocol: logged, the device stopped and disabled,
 * the link reported down. */
void vmx_fail(struct vmx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message about one frame or event, at most a few per device. */
void vmx_note(struct vmx *v, const char *what, const char *why);
/* The device stops using our memory: QUIESCE_DEV, RESET_DEV, and the shared
 * area's address cleared (QEMU deactivates on DSAL = 0). */
void vmx_stop_device(struct vmx *v);
/* IMR[index] = 1 (masked) or 0. */
void vmx_mask(struct vmx *v, unsigned index, bool masked);
/* Unmasks the indices in the mask. */
void vmx_irq_unmask(struct vmx *v, uint32_t which);

/* vmxnet3_identity.c */
/* Selects the highest revision and UPT version both sides know and writes
 * them back; -1 with a message when they share none. */
int vmx_negotiate(struct vmx *v);
/* nd.mac from MACL/MACH; an all-zero, all-ones or multicast address is
 * replaced by a random locally administered one (logged) and written back
 * so that the device's filter passes our frames. */
void vmx_read_mac(struct vmx *v);

/* vmxnet3_irq.c */
/* Chooses the mode from GET_CONF_INTR and the kernel parameters, attaches
 * the handlers; falls back to polling. Fills the interrupt indices. */
void vmx_irq_setup(struct vmx *v);
/* Unmasks every index in use (after ACTIVATE_DEV: QEMU ignores BAR0 before). */
void vmx_irq_unmask_all(struct vmx *v);
void vmx_irq_teardown(struct vmx *v);
/* "msix", "msi", "intx" (pci_irq_mode_name), or "polled". */
const char *vmx_irq_mode(const struct vmx *v);

/* vmxnet3_net.c */
extern const struct netdev_ops vmx_netdev_ops;
/* The event-loop work: events, transmit completions, received frames. */
void vmx_work(struct work *w);
void vmx_poll(struct poller *p);
/* Reads GET_LINK and tells the class. */
void vmx_update_link(struct vmx *v);
/* Posts every receive buffer (before activation). */
int vmx_rx_fill(struct vmx *v);
/* Writes TXPROD for frames not yet announced. */
void vmx_tx_kick(struct vmx *v);
/* Transmit completions taken; true when nothing is left in flight. */
bool vmx_tx_idle(struct vmx *v);

#endif
