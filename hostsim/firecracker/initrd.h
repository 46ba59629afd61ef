/* Where Firecracker puts the initrd (initrd_path): at the top of the first
 * RAM region ("low memory", [0, min(RAM, 3 GiB))), its start rounded down
 * to a 4 KiB page (src/vmm/src/arch/x86_64/mod.rs initrd_load_addr), after
 * the kernel has been loaded. The Linux boot protocol then names it in the
 * zero page (hdr.ramdisk_image, hdr.ramdisk_size: 32-bit fields, Linux
 * Documentation/arch/x86/boot.rst; the low region always fits them), PVH
 * as the one module of hvm_start_info (its modlist at 0x6040). Firecracker
 * refuses an initrd larger than the region; hostsim also refuses one that
 * would land on the kernel it has just loaded (Firecracker would overwrite
 * it) and an empty file. Pure logic. */
#ifndef HOSTSIM_FC_INITRD_H
#define HOSTSIM_FC_INITRD_H

#include <stddef.h>
#include <stdint.h>

/* The initrd's guest-physical address for initrd_size bytes in a first RAM
 * region of lowmem_size bytes, above kernel_end (the end of the loaded
 * kernel's last segment, .bss included). Returns 0 and *addr, or -1 with
 * the reason in err. */
int fc_initrd_place(uint64_t lowmem_size, uint64_t kernel_end, uint64_t initrd_size, uint64_t *addr,
                    char *err, size_t errlen);

#endif
