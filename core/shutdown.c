/* Ending the VM: the app's status, or a panic. */
#include <stdarg.h>

#include "core/arch.h"
#include "core/device.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/service.h"

void kernel_exit(int status)
{
    services_stop(); /* may print (net.stats), so before the status line */
    kprintf("anyvm: exit status %d\n", status);
    devices_quiesce();
    arch_power_off(status);
}

void panic(const char *fmt, ...)
{
    static int in_panic;
    arch_irq_off_for_panic();
    if (in_panic++) /* a panic while panicking: stop without printing again */
        arch_fail_stop(PANIC_STATUS);
    va_list ap;
    va_start(ap, fmt);
    kprintf("anyvm: panic: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    kprintf("anyvm: exit status %d\n", PANIC_STATUS);
    arch_fail_stop(PANIC_STATUS);
}
