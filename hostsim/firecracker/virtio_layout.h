/* Where Firecracker puts its virtio-mmio devices and how it announces them
 * on the command line (src/vmm/src/builder.rs build_microvm_for_boot,
 * device_manager/mmio.rs, vmm_config/drive.rs and linux-loader's cmdline
 * add_virtio_mmio_device; the DSDT's part is dsdt.c):
 *   - attach order: block devices (the root device first, then the others
 *     in configuration order), then network interfaces;
 *   - device i: 4 KiB at 0xC0001000 + i * 0x1000, GSI 5 + i (edge);
 *   - the kernel command line gets, after "pci=off" and before any " -- ",
 *     "root=/dev/vda rw|ro" when a root drive is configured, then one
 *     "virtio_mmio.device=4K@0xc0001000:5" per device.
 * Pure logic. */
#ifndef HOSTSIM_FC_VIRTIO_LAYOUT_H
#define HOSTSIM_FC_VIRTIO_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FC_VIRTIO_MMIO_START 0xC0001000ull /* layout.rs: the slot after the boot timer */
#define FC_VIRTIO_MMIO_SIZE 0x1000ull
#define FC_VIRTIO_FIRST_GSI 5 /* arch GSI_LEGACY_START .. END for devices */
#define FC_VIRTIO_LAST_GSI 23
#define FC_VIRTIO_MAX_DEVICES (FC_VIRTIO_LAST_GSI - FC_VIRTIO_FIRST_GSI + 1)

struct fc_virtio_slot {
    uint64_t base;
    unsigned gsi;
};

/* Slot of the i-th attached device. */
struct fc_virtio_slot fc_virtio_slot(unsigned i);

/* The words Firecracker adds to the boot arguments for n devices, space
 * separated: "root=/dev/vda rw " (root: 0 none, 1 read-write, 2 read-only)
 * then the virtio_mmio.device entries. Returns the length, or -1 when out
 * is too small. */
int fc_virtio_cmdline_args(unsigned n, int root, char *out, size_t outsz);

#endif
