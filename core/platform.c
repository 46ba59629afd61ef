/* core/platform.h: the description, kept here and only here. */
#include "core/platform.h"

#include <stdbool.h>

#include "core/kernel.h"

static const struct bootinfo *boot;
static const struct cmdline *cmdline;
static struct acpi_info acpi; /* found == false until init fills it */
static uint64_t usable;
static bool sealed;

/* The identity map covers the low 4 GiB (arch/x86_64/entry.S). */
static const struct phys_window identity = {0, 0x100000000ull};

static void check_open(const char *what)
{
    if (sealed)
        panic("platform: %s set after the description was sealed", what);
}

const struct bootinfo *platform_boot(void)
{
    return boot;
}

const struct framebuffer *platform_framebuffer(void)
{
    return boot != NULL && boot->framebuffer.kind != FRAMEBUFFER_NONE ? &boot->framebuffer : NULL;
}

const struct cmdline *platform_cmdline(void)
{
    return cmdline;
}

const struct acpi_info *platform_acpi(void)
{
    return &acpi;
}

const struct phys_window *platform_phys(void)
{
    return &identity;
}

uint64_t platform_usable_memory(void)
{
    return usable;
}

unsigned platform_cpu_count(void)
{
    const struct acpi_info *a = platform_acpi();
    return a->have_madt && a->cpu_count ? a->cpu_count : 1;
}

void platform_set_boot(const struct bootinfo *bi)
{
    check_open("boot information");
    boot = bi;
}

void platform_set_memory(uint64_t usable_bytes)
{
    check_open("memory");
    usable = usable_bytes;
}

struct acpi_info *platform_acpi_fill(void)
{
    check_open("ACPI");
    return &acpi;
}

void platform_set_cmdline(const struct cmdline *cl)
{
    check_open("command line");
    cmdline = cl;
}

void platform_seal(void)
{
    sealed = true;
}
