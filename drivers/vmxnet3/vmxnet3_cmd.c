/* vmxnet3's register conversation, shared by the driver's files: register
 * access through the callbacks in struct vmx_io (the BARs in the kernel, a
 * simulated device in host tests), commands, interrupt masks, stopping the
 * device, and what happens when it breaks the protocol. Pure: no hardware
 * access of its own. */
#include <stdarg.h>

#include "core/log.h"
#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_regs.h"
#include "klib/format.h"

#define LOG_LIMIT 10

uint32_t vmx_read(struct vmx *v, unsigned bar, uint32_t off)
{
    return v->io.read(v->io.ctx, bar, off);
}

void vmx_write(struct vmx *v, unsigned bar, uint32_t off, uint32_t val)
{
    v->io.write(v->io.ctx, bar, off, val);
}

void vmx_set(struct vmx *v, uint32_t cmd)
{
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_CMD, cmd);
}

uint32_t vmx_command(struct vmx *v, uint32_t cmd)
{
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_CMD, cmd);
    return vmx_read(v, VMXNET3_BAR1, VMXNET3_REG_CMD);
}

void vmx_mask(struct vmx *v, unsigned index, bool masked)
{
    vmx_write(v, VMXNET3_BAR0, VMXNET3_REG_IMR + index * VMXNET3_REG_ALIGN, masked ? 1 : 0);
}

void vmx_irq_unmask(struct vmx *v, uint32_t which)
{
    for (unsigned i = 0; i < VMX_VECTORS; i++)
        if (which & (1u << i))
            vmx_mask(v, i, false);
}

void vmx_note(struct vmx *v, const char *what, const char *why)
{
    if (v->logged < LOG_LIMIT) {
        v->logged++;
        kprintf("%s: %s: %s%s\n", v->name, what, why,
                v->logged == LOG_LIMIT ? " (further messages suppressed)" : "");
    }
}

void vmx_stop_device(struct vmx *v)
{
    vmx_set(v, VMXNET3_CMD_QUIESCE_DEV);
    vmx_set(v, VMXNET3_CMD_RESET_DEV);
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_DSAL, 0);
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_DSAH, 0);
    v->active = false;
}

void vmx_fail(struct vmx *v, const char *fmt, ...)
{
    if (v->broken)
        return;
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    v->broken = true;
    device_disable(v->dev, "vmxnet3%s%s: %s", v->nd.name[0] ? " " : "", v->nd.name, why);
    /* Masked first: a device that keeps interrupting is not heard again. */
    for (unsigned i = 0; i < v->nvectors; i++)
        vmx_mask(v, i, true);
    vmx_stop_device(v);
    if (v->registered)
        netdev_set_link(&v->nd, false);
    else
        v->nd.link_up = false;
}
