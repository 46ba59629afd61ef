/* The UEFI entry's boot information: efi_main (efi_main.c) filled a struct
 * bootinfo before leaving boot services; arch_boot takes it in here like
 * any protocol's, through the physical window, and starts the console the
 * platform offers (efi_console.c). Linked only into the .efi:
 * the ELF images reach this through a weak reference that stays null. */
#include <stdint.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "core/phys.h"

extern char efi_memmap_error[];                    /* efi_main.c */
void efi_console_start(const struct bootinfo *bi); /* efi_console.c */

int bootinfo_from_uefi(struct bootinfo *bi, const struct phys_window *w, uint64_t addr, char *err,
                       unsigned errlen)
{
    const struct bootinfo *from = phys_ptr(w, addr, sizeof *from);
    if (from == NULL || from->protocol != BOOT_UEFI) {
        bootinfo_error(err, errlen, "uefi", "no boot information at ", addr, "");
        return -1;
    }
    uint64_t tsc = bi->entry_tsc;
    memcpy(bi, from, sizeof *bi);
    bi->entry_tsc = tsc;
    /* The UEFI path's early console (arch_boot chose none): from here on
     * what was kept in the early buffer shows. */
    efi_console_start(bi);
    if (bi->memmap_count == 0) {
        unsigned pos = 0;
        for (const char *p = efi_memmap_error; *p && pos + 1 < errlen; p++)
            err[pos++] = *p;
        if (errlen)
            err[pos] = '\0';
        return -1;
    }
    return 0;
}
