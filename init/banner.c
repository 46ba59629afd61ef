/* The boot banner: version, boot path, hypervisor, clock. */
#include "init/banner.h"

#include "arch/x86_64/arch_timer.h"
#include "arch/x86_64/intc.h"
#include "core/log.h"
#include "hv/hv.h"

#ifndef ANYVM_VERSION
#define ANYVM_VERSION "0.1"
#endif

void banner_version(void)
{
    kprintf("\nanyvm %s\n", ANYVM_VERSION); /* a fresh line after firmware output */
}

void banner_boot(const struct bootinfo *bi)
{
    if (bi->protocol == BOOT_MULTIBOOT)
        kprintf("boot: multiboot (loader %s)\n", bi->loader_name[0] ? bi->loader_name : "unnamed");
    else if (bi->protocol == BOOT_UEFI)
        kprintf("boot: uefi (firmware %s)\n", bi->loader_name);
    else
        kprintf("boot: %s\n", boot_protocol_name(bi->protocol));
    const struct framebuffer *fb = &bi->framebuffer;
    if (fb->kind != FRAMEBUFFER_NONE)
        kprintf("framebuffer: %s %ux%ux%u at %#llx\n", framebuffer_kind_name(fb->kind), fb->width,
                fb->height, fb->bpp, (unsigned long long)fb->addr);
    if (bi->smbios)
        kprintf("smbios: entry point at %#llx\n", (unsigned long long)bi->smbios);
    if (bi->memmap_truncated)
        kprintf("boot: %u memory map entries beyond %u were ignored\n", bi->memmap_truncated,
                BOOTINFO_MEMMAP_MAX);
}

void banner_hypervisor(void)
{
    char text[160];
    hv_format_identity(hv_get(), text, sizeof text);
    kprintf("hypervisor: %s\n", text);
    hv_format_caps(hv_get(), text, sizeof text);
    kprintf("hv: capabilities: %s\n", text);
    hv_format_backdoor(hv_get(), text, sizeof text);
    if (text[0] != '\0')
        kprintf("%s\n", text);
}

void banner_clock(void)
{
    uint64_t khz = tsc_hz() / 1000;
    kprintf("clock: tsc %lu.%03lu MHz (%s)\n", (unsigned long)(khz / 1000),
            (unsigned long)(khz % 1000), tsc_source());
    kprintf("timer: %s\n", arch_timer_name());
}
