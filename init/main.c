/* kernel_main: what every boot path funnels into. Brings the machine up in
 * dependency order, fills the platform description (core/platform.h), prints
 * the banner, starts the buses, runs the application, and ends the VM with
 * its exit status. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/power.h"
#include "core/acpi.h"
#include "core/cmdline.h"
#include "core/device.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/platform.h"
#include "core/service.h"
#include "core/time.h"
#include "core/wallclock.h"
#include "hv/hv.h"
#include "core/arch.h"
#include "init/banner.h"
#include "init/init.h"

static struct cmdline cmdline;

void kernel_main(struct bootinfo *bi)
{
    banner_version();
    banner_boot(bi);
    platform_set_boot(bi);
    hv_detect();
    banner_hypervisor();

    uint64_t usable = mm_init(bi);
    platform_set_memory(usable);
    kprintf("memory: %lu KiB usable\n", (unsigned long)(usable / 1024));

    struct acpi_info *acpi = platform_acpi_fill();
    if (acpi_parse(platform_phys(), bi->rsdp, acpi) != 0)
        kprintf("acpi: no RSDP found; assuming one CPU and legacy interrupts\n");
    arch_power_init(acpi, platform_phys()); /* reads the BIOS data area */
    paging_guard_null_page();               /* the BIOS data area has been read by now */
    kprintf("cpus: %u (%s)\n", platform_cpu_count(), acpi->have_madt ? "ACPI MADT" : "no MADT");
    kprintf("interrupts: %s\n", intc_init(acpi));

    tsc_init();
    time_init(tsc_hz(), bi->entry_tsc);
    cpu_irq_enable();
    banner_clock();
    wallclock_init(acpi);

    cmdline_check(bi->cmdline, sizeof bi->cmdline, &cmdline);
    platform_set_cmdline(&cmdline);
    platform_seal();
    initrd_start();

    /* Every bus linked into this image (none for an app without device
     * layers: apps/NAME/app.mk) enumerates and binds its drivers. */
    buses_start();
    /* Then the services linked into it (the network stack: core/service.h). */
    services_start();

    arch_fpu_enable();
    kprintf("anyvm: boot to main: %lu us\n", (unsigned long)(time_now_ns() / 1000));
    app_start(&cmdline);
}
