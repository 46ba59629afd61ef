/* The kernel command line Firecracker writes at 0x20000 (src/vmm/src/builder.rs).
 * boot_args (or, without them, DEFAULT_KERNEL_CMDLINE) is split at the first
 * " -- " that is outside double quotes into boot arguments and init
 * arguments, both trimmed (linux-loader v0.14.0 src/cmdline/mod.rs
 * Cmdline::try_from); without --enable-pci Firecracker then inserts "pci=off"
 * after the boot arguments (src/vmm/src/builder.rs); the result is
 * "BOOT pci=off -- INIT", at most 2048 bytes with its NUL. The virtio
 * devices' words (root=/dev/vda rw, virtio_mmio.device=...; builder.rs,
 * device_manager/mmio.rs) are inserted the same way, after pci=off:
 * "BOOT pci=off EXTRA -- INIT". Pure logic. */
#ifndef HOSTSIM_FC_CMDLINE_H
#define HOSTSIM_FC_CMDLINE_H

#include <stddef.h>

/* src/vmm/src/vmm_config/boot_source.rs DEFAULT_KERNEL_CMDLINE */
#define FC_DEFAULT_CMDLINE                                                                         \
    "reboot=k panic=1 nomodule 8250.nr_uarts=0 i8042.noaux i8042.nomux i8042.dumbkbd "             \
    "swiotlb=noforce"

/* boot_args NULL means "not configured"; extra (NULL or "") holds the
 * device words. out gets the NUL-terminated line (outsz must be >= 2048).
 * Returns its length including the NUL, or -1 with a reason in err (too
 * long). */
int fc_cmdline_build(const char *boot_args, const char *extra, char *out, size_t outsz, char *err,
                     size_t errlen);

#endif
