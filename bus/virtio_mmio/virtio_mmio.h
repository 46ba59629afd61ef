/* virtio-mmio (virtio 1.2, 4.2): devices at fixed physical addresses with one
 * interrupt line each, announced two ways by the VMMs:
 *   - on the kernel command line, `virtio_mmio.device=<size>@<base>:<irq>[:<id>]`
 *     (Linux's syntax; Firecracker, QEMU microvm with acpi=off), parsed by
 *     virtio_mmio_cmdline.c;
 *   - in the ACPI DSDT/SSDTs as Device objects with _HID "LNRO0005" and a
 *     _CRS (QEMU microvm with its default ACPI), found by virtio_mmio_aml.c.
 * Both parsers are pure logic (host-tested and fuzzed); virtio_mmio.c is the
 * register-level transport and the bus bring-up. */
#ifndef BUS_VIRTIO_MMIO_VIRTIO_MMIO_H
#define BUS_VIRTIO_MMIO_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/cmdline.h"

#define VIRTIO_MMIO_MAX_DEVICES 32
#define VIRTIO_MMIO_REGS_SIZE 0x100       /* control registers; device config follows */
#define VIRTIO_MMIO_MAX_SIZE (1ull << 30) /* largest window accepted (it is mapped whole) */
#define VIRTIO_MMIO_MAX_IRQ 255

/* One announced device. */
struct virtio_mmio_desc {
    uint64_t base, size; /* register window */
    uint32_t irq;        /* GSI (ISA IRQ number below 16) */
    uint32_t id;         /* Linux platform-device id (command line only), informational */
    bool has_id;
    char name[5]; /* ACPI device name ("VR23"), "" for the command line */
};

/* Parses the value of one virtio_mmio.device= parameter. Returns 0, or -1
 * with a one-line reason in err. */
int virtio_mmio_parse_device(const char *value, struct virtio_mmio_desc *out, char *err,
                             size_t errlen);

/* Checks what the transport needs of an announced window (at least the
 * 0x100 bytes of registers, at most VIRTIO_MMIO_MAX_SIZE, 4-byte aligned, no
 * wrap-around, IRQ 1-255).
 * Returns 0, or -1 with a reason in err. */
int virtio_mmio_check(const struct virtio_mmio_desc *d, char *err, size_t errlen);

/* Collects every virtio_mmio.device= entry of the command line (parameters,
 * and also arguments after `--`, where QEMU microvm appends them). Malformed
 * entries and ones overlapping an earlier entry are reported with kprintf and
 * skipped. Returns the number stored in out; *entries (may be NULL) gets the
 * number of entries seen, accepted or not. */
unsigned virtio_mmio_from_cmdline(const struct cmdline *cl, struct virtio_mmio_desc *out,
                                  unsigned max, unsigned *entries);

/* Scans one AML definition block (the table without its 36-byte header) for
 * Device objects whose _HID (or _CID) is "LNRO0005", through the kernel's AML
 * reader (core/aml.h), and takes the first memory range and interrupt of
 * their _CRS. A _CRS computed by a method is not supported. Malformed
 * devices are reported with kprintf (prefixed with table) and skipped.
 * Appends to out[*n] up to max; returns the number appended. */
unsigned virtio_mmio_scan_aml(const uint8_t *aml, size_t len, const char *table,
                              struct virtio_mmio_desc *out, unsigned *n, unsigned max);

/* The same over the DSDT and every SSDT (core/acpi.h acpi_find_devices).
 * Returns the number stored in out. */
unsigned virtio_mmio_from_acpi(const struct phys_window *w, const struct acpi_info *info,
                               struct virtio_mmio_desc *out, unsigned max);

/* The virtio-mmio bus (bus/virtio_mmio/virtio_mmio.c, registered with the
 * bus core after PCI) finds the devices (the command line when it has
 * virtio_mmio.device= entries, else the ACPI DSDT and SSDTs), prints one line
 * per device and adds each to the virtio bus. A device's line is routed
 * (edge, active high) when its driver installs the interrupt. */

#endif
