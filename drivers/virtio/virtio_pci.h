/* virtio over PCI (virtio 1.2, 4.1): what virtio_pci.c (the kernel driver),
 * virtio_pci_caps.c (the capability walk and its checks, pure) and
 * virtio_pci_legacy.c (the legacy I/O-port interface, pure) share, and what
 * their host tests and fuzzers use. Private to drivers/virtio/. */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_regs.h"

/* ---- identification (4.1.2) ---- */

#define VPCI_VENDOR 0x1AF4
#define VPCI_DEVICE_FIRST 0x1000      /* the whole virtio range ... */
#define VPCI_DEVICE_LAST 0x107F       /* ... 4.1.2.1 */
#define VPCI_TRANSITIONAL_LAST 0x103F /* 0x1000-0x103F: transitional (4.1.2.3) */
#define VPCI_MODERN_BASE 0x1040       /* non-transitional: 0x1040 + virtio device ID */

/* True for vendor 0x1AF4 devices 0x1000-0x107F, the IDs virtio-pci owns. */
bool vpci_id_supported(uint16_t vendor, uint16_t device);
/* The virtio device ID of a supported PCI device ID: device - 0x1040, or
 * for a transitional ID the fixed table of 4.1.2.1 (net, block, balloon,
 * console, SCSI, entropy, 9P), else the subsystem device ID (4.1.2.3: a
 * transitional device's subsystem ID is its virtio ID). */
uint32_t vpci_virtio_id(uint16_t device, uint16_t subsys_device);
static inline bool vpci_is_transitional(uint16_t device)
{
    return device >= VPCI_DEVICE_FIRST && device <= VPCI_TRANSITIONAL_LAST;
}

/* ---- virtio structure capabilities (4.1.4) ---- */

/* struct virtio_pci_cap: offsets of its fields. */
#define VPCI_CAP_LEN 2
#define VPCI_CAP_CFG_TYPE 3
#define VPCI_CAP_BAR 4
#define VPCI_CAP_OFFSET 8
#define VPCI_CAP_LENGTH 12
#define VPCI_CAP_SIZE 16              /* sizeof(struct virtio_pci_cap) */
#define VPCI_CAP_NOTIFY_MULTIPLIER 16 /* struct virtio_pci_notify_cap */
#define VPCI_NOTIFY_CAP_SIZE 20       /* sizeof(struct virtio_pci_notify_cap) */
#define VPCI_CAP_MAX_BAR 5            /* 4.1.4: values 0x0-0x5 name a BAR */

/* cfg_type values (4.1.4). */
#define VPCI_CFG_COMMON 1
#define VPCI_CFG_NOTIFY 2
#define VPCI_CFG_ISR 3
#define VPCI_CFG_DEVICE 4

/* Smallest usable structures: the common configuration through
 * queue_device (4.1.4.3), one 16-bit notification (4.1.4.4), the ISR byte
 * (4.1.4.5); the device-specific structure may be empty (an entropy
 * device has none). */
#define VPCI_COMMON_MIN_LENGTH 0x38
#define VPCI_NOTIFY_MIN_LENGTH 2
#define VPCI_ISR_MIN_LENGTH 1

struct vpci_cap_region {
    bool found;
    uint8_t cap; /* where its capability is in configuration space */
    uint8_t bar;
    uint32_t offset, length;
};

struct vpci_caps {
    struct vpci_cap_region common, notify, isr, device;
    uint32_t notify_multiplier;
    unsigned vendor_caps; /* vendor-specific capabilities seen, usable or not */
    bool list_malformed;  /* the capability list loops or points outside */
};

/* Configuration-space reads of one function (the kernel's pci_read8/32; a
 * simulated space in tests). */
struct vpci_config_access {
    uint8_t (*read8)(void *ctx, uint16_t off);
    uint32_t (*read32)(void *ctx, uint16_t off);
    void *ctx;
    uint8_t header_type;
};

/* Walks the vendor-specific capabilities (4.1.4.1: the first usable one of
 * each type counts) and checks each against its BAR: capability length,
 * BAR number, an assigned memory BAR not marked bad (bar_bad bit n), the
 * structure's minimum length and offset + length inside the BAR, and a
 * notify_off_multiplier of 0 or an even power of two (4.1.4.4). Unusable
 * capabilities are reported with kprintf (prefixed "virtio-pci NAME") and
 * skipped. */
void vpci_parse_caps(const struct vpci_config_access *cfg, const struct pci_bar bar[6],
                     uint8_t bar_bad, const char *name, struct vpci_caps *out);

/* ---- the legacy interface (4.1.4.8) ---- */

/* The register block at the start of I/O BAR0 (4.1.4.8, "Legacy
 * Interfaces: A Note on PCI Device Layout"). */
#define VPCI_LEGACY_DEVICE_FEATURES 0     /* 32, R: feature bits 0-31 */
#define VPCI_LEGACY_DRIVER_FEATURES 4     /* 32, RW */
#define VPCI_LEGACY_QUEUE_ADDRESS 8       /* 32, RW: ring address / 4096 */
#define VPCI_LEGACY_QUEUE_SIZE 12         /* 16, R */
#define VPCI_LEGACY_QUEUE_SELECT 14       /* 16, RW */
#define VPCI_LEGACY_QUEUE_NOTIFY 16       /* 16, RW */
#define VPCI_LEGACY_DEVICE_STATUS 18      /* 8, RW */
#define VPCI_LEGACY_ISR_STATUS 19         /* 8, R; reading acknowledges */
#define VPCI_LEGACY_CONFIG_MSIX_VECTOR 20 /* 16, RW, only while MSI-X is enabled */
#define VPCI_LEGACY_QUEUE_MSIX_VECTOR 22  /* 16, RW, only while MSI-X is enabled */
#define VPCI_LEGACY_CONFIG 20             /* device-specific configuration, MSI-X off */
#define VPCI_LEGACY_CONFIG_MSIX 24        /* ... MSI-X on: "the other fields move" */
/* Queue Address counts 4096-byte pages (4.1.5.1.3.1). */
#define VPCI_LEGACY_QUEUE_ALIGN 4096u
#define VPCI_LEGACY_MAX_QUEUES 64 /* queues this transport tracks; more than any driver uses */

/* MSI-X vector registers (4.1.4.3, 4.1.5.1.2): every source uses table
 * entry 0; NO_VECTOR reads back when the device could not map one. */
#define VPCI_MSIX_ENTRY 0
#define VPCI_MSI_NO_VECTOR 0xFFFF

struct vpci_legacy {
    struct virtio_dev vd;
    struct virtio_regs io; /* BAR0 */
    uint32_t io_size;      /* bytes of BAR0 */
    bool msix;             /* MSI-X enabled: vector registers present, configuration at 24 */
    uint64_t live_queues;  /* bit q: queue q was given its rings */
    bool irq_installed;
    /* Installs the interrupt (virtio_pci.c; the test's own in host tests):
     * 0 with *msix_on saying whether MSI-X is enabled now, or -1. */
    int (*irq_install)(struct vpci_legacy *l, bool *msix_on);
    /* Takes it away again (device removal); may be NULL. */
    void (*irq_remove)(struct vpci_legacy *l);
    void *owner; /* the kernel's state for this device */
};

/* Fills l->vd (ops, legacy, fixed queue sizes, config_len) once l->io,
 * l->io_size and l->msix (MSI-X already enabled, e.g. by a previous
 * kernel) are set. -1 when BAR0 is too small for the registers. */
int vpci_legacy_setup(struct vpci_legacy *l);
/* Reads (and so acknowledges) the ISR status: VIRTIO_ISR_* bits. */
uint32_t vpci_legacy_isr(struct vpci_legacy *l);

#endif
