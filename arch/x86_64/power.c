/* Ending the VM. Each method is tried in turn; one that the platform lacks
 * simply has no effect and the next is tried. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/power.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/platform.h"
#include "hv/hv.h"

#define DEBUG_EXIT_PORT 0xF4  /* QEMU isa-debug-exit, hostsim --exit-port */
#define SLP_EN_PM1 (1u << 13) /* PM1_CNT.SLP_EN (ACPI 6.5, 4.8.4.2.1) */
#define SLP_EN_HWR 0x20       /* SLEEP_CONTROL_REG.SLP_EN (4.8.3.7) */
#define SCI_EN 1u

static void debug_exit(int status)
{
    /* Only where an unclaimed port is known to be harmless (QEMU, KVM VMMs). */
    if (hv_is_qemu_like())
        outb(DEBUG_EXIT_PORT, (uint8_t)status);
}

static void gas_write8(const struct acpi_gas *g, uint8_t v)
{
    if (g->address == 0)
        return;
    if (g->space == 1 && g->address <= 0xFFFF)
        outb((uint16_t)g->address, v);
    else if (g->space == 0 && g->address < 0x100000000ull)
        *(volatile uint8_t *)(uintptr_t)g->address = v;
}

static void acpi_sleep_s5(void)
{
    const struct acpi_info *a = platform_acpi();
    if (!a->have_fadt)
        return;
    if (a->hw_reduced) {
        /* Hardware-reduced ACPI: SLP_TYP in bits 2-4 of the sleep control
         * register. QEMU microvm's GED uses S5 = 5 when the DSDT names none. */
        uint8_t typ = a->have_s5 ? a->s5_slp_typa : 5;
        gas_write8(&a->sleep_control, (uint8_t)(((typ & 7) << 2) | SLP_EN_HWR));
        return;
    }
    if (a->pm1a_cnt_port == 0 || a->pm1a_cnt_port > 0xFFFF)
        return;
    uint16_t cnt = inw((uint16_t)a->pm1a_cnt_port);
    if (!(cnt & SCI_EN) && a->smi_cmd_port && a->smi_cmd_port <= 0xFFFF && a->acpi_enable_value) {
        outb((uint16_t)a->smi_cmd_port, a->acpi_enable_value);
        for (int i = 0; i < 100000 && !(inw((uint16_t)a->pm1a_cnt_port) & SCI_EN); i++)
            cpu_pause();
    }
    uint8_t typa = a->have_s5 ? a->s5_slp_typa : 0;
    uint8_t typb = a->have_s5 ? a->s5_slp_typb : 0;
    outw((uint16_t)a->pm1a_cnt_port, (uint16_t)(((typa & 7) << 10) | SLP_EN_PM1));
    if (a->pm1b_cnt_port && a->pm1b_cnt_port <= 0xFFFF)
        outw((uint16_t)a->pm1b_cnt_port, (uint16_t)(((typb & 7) << 10) | SLP_EN_PM1));
}

static void i8042_reset(void)
{
    /* Wait (bounded) for the controller's input buffer to drain, then pulse
     * the reset line: Firecracker ends the VM with exit status 0 on this. */
    for (int i = 0; i < 1000 && (inb(0x64) & 2); i++)
        cpu_pause();
    outb(0x64, 0xFE);
}

static void triple_fault(void) __attribute__((noreturn));
static void triple_fault(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty = {0, 0};
    __asm__ volatile("lidt %0; int3" : : "m"(empty));
    for (;;)
        __asm__ volatile("cli; hlt");
}

void arch_irq_off_for_panic(void)
{
    cpu_irq_disable();
}

void arch_power_off(int status)
{
    cpu_irq_disable();
    debug_exit(status);
    acpi_sleep_s5();
    i8042_reset();
    if (platform_acpi()->reset_supported)
        gas_write8(&platform_acpi()->reset_reg, platform_acpi()->reset_value);
    triple_fault();
}

void arch_fail_stop(int status)
{
    cpu_irq_disable();
    debug_exit(status);
    triple_fault();
}
