/* What the entry code (entry.S, boot/efi/efi_entry.S) records before the
 * kernel's C code runs: which way it came (enum boot_protocol), the boot
 * loader's magic and information pointer, and the TSC at entry. */
#ifndef ARCH_X86_64_ENTRY_H
#define ARCH_X86_64_ENTRY_H

#include <stdint.h>

extern uint64_t boot_entry_tsc, boot_info_addr;
extern uint32_t boot_protocol, boot_magic;

#endif
