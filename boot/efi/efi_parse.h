/* What the EFI entry takes from the firmware, turned into struct bootinfo
 * terms. Pure logic on bytes the caller copied or points at (no firmware
 * calls), so host unit tests drive it with recorded and malformed input.
 * Every function checks what it reads: the firmware is untrusted. */
#ifndef BOOT_EFI_EFI_PARSE_H
#define BOOT_EFI_EFI_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_spec.h"

/* How efi_cmdline_to_utf8 read the load options. */
enum efi_cmdline_form {
    EFI_CMDLINE_UCS2,         /* UCS-2 (UTF-16 surrogate pairs accepted), as the spec has it */
    EFI_CMDLINE_WIDENED_UTF8, /* UTF-8 bytes each widened to a code unit (OVMF's -kernel) */
};

/* Converts the loaded image's LoadOptions (size bytes at opts; the text
 * ends at the first NUL code unit or at the end) to UTF-8 in out (outlen
 * bytes, NUL-terminated). Returns its form, or -1 with the reason in err:
 * an odd size, an unpaired surrogate, or text longer than outlen - 1
 * bytes. Code units that are all below 0x100 and whose low bytes form UTF-8
 * with at least one multi-byte sequence are taken as those bytes: OVMF's
 * loader for QEMU's -kernel widens each byte of QEMU's command line to a
 * code unit (OvmfPkg X86QemuLoadImageLib, UnicodeSPrintAsciiFormat "%a"),
 * and such a sequence read as UCS-2 would be mojibake (U+00C3 U+00A9 for
 * "é"). */
int efi_cmdline_to_utf8(const uint8_t *opts, uint64_t size, char *out, size_t outlen, char *err,
                        unsigned errlen);

/* The `initrd=PATH` kernel parameter of cmdline (efi_initrd_path.c) as
 * the NUL-terminated UCS-2 name EFI_FILE_PROTOCOL.Open takes, '/' read as
 * '\\' and a leading '\\' added when missing: 1, 0 when there is none,
 * -1 with the reason in err when it is empty, longer than outlen - 2
 * characters or not printable ASCII. */
int efi_initrd_path(const char *cmdline, efi_char16 *out, unsigned outlen, char *err,
                    unsigned errlen);
/* Removes the " initrd=initrd" OVMF's -kernel loader appends to the load
 * options when it offers an initrd; 1 when it was there. */
int efi_drop_loader_initrd_word(char *cmdline);

/* Appends the final UEFI memory map (map_size bytes of desc_size-byte
 * descriptors, UEFI 2.10 section 7.2 GetMemoryMap) to bi's map with e820
 * types (boot services, loader and conventional memory are RAM after
 * ExitBootServices), merging neighbours of one type. Descriptors that do
 * not add up are reported and skipped. Returns 0, or -1 with the reason in
 * err when the sizes are unusable or no RAM was found. */
int efi_memmap_convert(struct bootinfo *bi, const uint8_t *map, uint64_t map_size,
                       uint64_t desc_size, char *err, unsigned errlen);

/* The e820 type (enum memmap_type) of an EFI memory type after
 * ExitBootServices. */
uint32_t efi_memory_type_to_e820(uint32_t efi_type);

/* The VendorTable of the first of n configuration-table entries with guid,
 * 0 when there is none. */
uint64_t efi_config_find(const struct efi_configuration_table *t, uint64_t n,
                         const struct efi_guid *guid);

/* Finds the ACPI node with _HID hid in the device path at dp (at most max
 * bytes readable; a serial port's path begins with its PCI root bridge's
 * node) and gives its _UID. Returns 0, or -1 when there is none or a
 * node's length is bad (below 4 bytes, past max). */
int efi_device_path_find_acpi(const uint8_t *dp, size_t max, uint32_t hid, uint32_t *uid);

/* Describes the graphics output mode (info, SizeOfInfo info_size, its
 * framebuffer at base, size bytes) as fb. Returns 0, or -1 with the reason
 * in *why (a mode with no framebuffer, Blt only, masks that are not
 * contiguous, a framebuffer shorter than its lines). bootinfo_set_framebuffer
 * checks the result against the memory map. */
int efi_gop_framebuffer(const struct efi_graphics_output_mode_information *info, uint64_t info_size,
                        uint64_t base, uint64_t size, struct framebuffer *fb, const char **why);

#endif
