/* From the entry stubs to kernel_main: the console first (so every later
 * failure is visible), exception handling, then the protocol's boot-info
 * parser. entry.S recorded which entry was used and the loader's pointer. */
#include <stdint.h>

#include "arch/x86_64/entry.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/power_policy.h"
#include "arch/x86_64/trap.h"
#include "boot/bootinfo.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/platform.h"
#include "init/init.h"

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002

static struct bootinfo bootinfo;

/* Only the .efi links the UEFI entry (boot/efi/); in the ELF images this
 * weak reference stays null and the UEFI path cannot be taken. */
extern __typeof__(bootinfo_from_uefi) bootinfo_from_uefi __attribute__((weak));

/* The entry code has checked that RAM reaches the end of .bss (entry.S,
 * early_fail.S), so the stack and every variable are there. */
void arch_boot(void) __attribute__((noreturn));
void arch_boot(void)
{
    /* The UEFI path probes no legacy port: its console follows what the
     * firmware said (bootinfo_from_uefi). */
    if (boot_protocol != BOOT_UEFI)
        console_select_early();
    gdt_init();
    idt_init();

    struct bootinfo *bi = &bootinfo;
    bi->entry_tsc = boot_entry_tsc;
    char err[128] = "";
    int rc = -1;
    switch (boot_protocol) {
    case BOOT_MULTIBOOT:
        if (boot_magic != MULTIBOOT_LOADER_MAGIC) {
            kprintf("anyvm: multiboot entry with EAX=%#x, not %#x\n", boot_magic,
                    MULTIBOOT_LOADER_MAGIC);
            break;
        }
        rc = bootinfo_from_multiboot(bi, platform_phys(), boot_info_addr, err, sizeof err);
        break;
    case BOOT_PVH:
        rc = bootinfo_from_pvh(bi, platform_phys(), boot_info_addr, err, sizeof err);
        break;
    case BOOT_LINUX64:
        rc = bootinfo_from_linux(bi, platform_phys(), boot_info_addr, err, sizeof err);
        break;
    case BOOT_UEFI:
        if (bootinfo_from_uefi != NULL)
            rc = bootinfo_from_uefi(bi, platform_phys(), boot_info_addr, err, sizeof err);
        break;
    default:
        kprintf("anyvm: unknown entry path %u\n", boot_protocol);
        break;
    }
    uint16_t port; /* a refused line may still name where the status goes */
    if (rc != 0 && exit_port_scan(bi->cmdline, sizeof bi->cmdline, &port) == 0)
        arch_set_exit_port(port);
    if (rc != 0)
        panic("cannot use the %s boot information at %#lx: %s",
              boot_protocol_name((enum boot_protocol)boot_protocol), (unsigned long)boot_info_addr,
              err[0] ? err : "invalid");
    bi->protocol = (enum boot_protocol)boot_protocol;
    kernel_main(bi);
}
