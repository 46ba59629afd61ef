/* From the entry stubs to kernel_main: the console first (so every later
 * failure is visible), exception handling, then the protocol's boot-info
 * parser. entry.S recorded which entry was used and the loader's pointer. */
#include <stdint.h>

#include "arch/x86_64/power.h"
#include "arch/x86_64/trap.h"
#include "boot/bootinfo.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/platform.h"
#include "drivers/uart/uart16550.h"
#include "init/init.h"

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002
#define COM1 0x3F8

extern uint64_t boot_entry_tsc, boot_info_addr;
extern uint32_t boot_protocol, boot_magic;

static struct bootinfo bootinfo;

extern char __bss_end[];

/* The loader put the image at 1 MiB and the entry code zeroed .bss, but
 * nothing checked that RAM reaches the end of .bss: with too little memory the
 * tail of .bss is not there (writes vanish), and the kernel would run on with
 * state it cannot keep. Probe the last word before relying on any of it. */
static int image_fits_in_ram(void)
{
    volatile uint64_t *last = (volatile uint64_t *)(((uintptr_t)__bss_end - 8) & ~(uintptr_t)7);
    static const uint64_t probe = 0x5a5aa5a55a5aa5a5ull;
    *last = probe;
    int ok = *last == probe;
    *last = ~probe;
    ok = ok && *last == ~probe;
    *last = 0;
    return ok;
}

void arch_boot(void) __attribute__((noreturn));
void arch_boot(void)
{
    if (!image_fits_in_ram()) {
        uart16550_write_raw(COM1, "\nanyvm: panic: not enough memory: the image needs RAM up to "
                                  "the end of its .bss (see `make bench`, memory floor)\n"
                                  "anyvm: exit status 127\n");
        arch_fail_stop(PANIC_STATUS);
    }
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
    default:
        kprintf("anyvm: unknown entry path %u\n", boot_protocol);
        break;
    }
    if (rc != 0)
        panic("cannot use the %s boot information at %#lx: %s",
              boot_protocol_name((enum boot_protocol)boot_protocol), (unsigned long)boot_info_addr,
              err[0] ? err : "invalid");
    bi->protocol = (enum boot_protocol)boot_protocol;
    kernel_main(bi);
}
