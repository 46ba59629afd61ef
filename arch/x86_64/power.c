/* Ending the VM: the methods of the plan power_policy.c draws up. A method
 * that does not end the VM (an exit port nobody listens on, a sleep register
 * that does nothing) falls through to the next; the last one always stops. */
#include <stdint.h>
#include "klib/format.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/mptable.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/power_policy.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/platform.h"

#define SLP_EN_PM1 (1u << 13) /* PM1_CNT.SLP_EN (ACPI 6.5, 4.8.4.2.1) */
#define SLP_EN_HWR 0x20       /* SLEEP_CONTROL_REG.SLP_EN (4.8.3.7) */
#define SCI_EN 1u
#define BDA_EBDA_SEGMENT 0x40E /* BIOS data area: EBDA segment (u16) */
#define BDA_BASE_MEM_KIB 0x413 /* BIOS data area: base memory in KiB (u16) */

/* Until arch_power_init and the command line say more: no port, no ACPI,
 * not Firecracker, so an early panic halts. */
static struct exit_platform platform;
static const char *recognised_by = "";
static unsigned methods_tried; /* a fault while ending resumes with the next method */

static int acpi_can_sleep(const struct acpi_info *a)
{
    if (!a->have_fadt)
        return 0;
    if (a->hw_reduced)
        return a->sleep_control.address != 0;
    return a->pm1a_cnt_port != 0 && a->pm1a_cnt_port <= 0xFFFF;
}

void arch_power_init(const struct acpi_info *acpi, const struct phys_window *w)
{
    platform.acpi_s5 = acpi_can_sleep(acpi);
    if (platform_is_firecracker(acpi->found ? acpi->oem_id : NULL, NULL)) {
        platform.firecracker = true;
        recognised_by = "ACPI OEM ID FIRECK";
        return;
    }
    /* Firecracker has written ACPI tables, OEM ID FIRECK, since v1.8.0;
     * only one without them is known by its MP table. The scan is not made
     * where there are ACPI tables: it reads 64 KiB of the BIOS area, which
     * on a VMM that maps nothing there (a Hyper-V Gen2, hostsim's Hyper-V)
     * is thousands of exits, a third of a second under a slow KVM. */
    if (acpi->found)
        return;
    const uint8_t *bda = phys_ptr(w, BDA_EBDA_SEGMENT, 8);
    uint64_t ebda = bda ? (uint64_t)(bda[0] | bda[1] << 8) << 4 : 0;
    uint64_t base_mem = bda ? (uint64_t)(bda[5] | bda[6] << 8) * 1024 : 0;
    char mp_oem[9];
    if (mptable_find_oem(w, ebda, base_mem, mp_oem) == 0 && platform_is_firecracker(NULL, mp_oem)) {
        platform.firecracker = true;
        recognised_by = "MP table OEM ID FC";
    }
}

void arch_set_exit_port(uint16_t port)
{
    platform.exit_port = port;
}

void arch_describe_exit(char *buf, size_t len)
{
    char plan[128];
    exit_plan_describe(&platform, plan, sizeof plan);
    if (platform.firecracker)
        ksnprintf(buf, len, "%s (Firecracker: %s)", plan, recognised_by);
    else
        ksnprintf(buf, len, "%s", plan);
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
    if (a->hw_reduced) {
        /* Hardware-reduced ACPI: SLP_TYP in bits 2-4 of the sleep control
         * register. QEMU microvm's GED uses S5 = 5 when the DSDT names none. */
        uint8_t typ = a->have_s5 ? a->s5_slp_typa : 5;
        gas_write8(&a->sleep_control, (uint8_t)(((typ & 7) << 2) | SLP_EN_HWR));
        return;
    }
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
    /* The chipset takes a moment; give it one before falling through. */
    for (int i = 0; i < 100000; i++)
        cpu_pause();
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

static void halt_forever(void) __attribute__((noreturn));
static void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void end_vm(int status, bool failure) __attribute__((noreturn));
static void end_vm(int status, bool failure)
{
    cpu_irq_disable();
    enum exit_method plan[EXIT_PLAN_MAX];
    unsigned n = exit_plan(&platform, status, failure, plan);
    while (methods_tried < n) {
        enum exit_method m = plan[methods_tried++];
        switch (m) {
        case EXIT_METHOD_PORT:
            outb(platform.exit_port, (uint8_t)status);
            break;
        case EXIT_METHOD_ACPI_S5:
            acpi_sleep_s5();
            break;
        case EXIT_METHOD_I8042_RESET:
            i8042_reset();
            break;
        case EXIT_METHOD_TRIPLE_FAULT:
            triple_fault();
        case EXIT_METHOD_HALT:
            kprintf("anyvm: halted: this VMM offers no exit the kernel can use "
                    "(anyvm.exit_port, ACPI S5); stop it from the host\n");
            halt_forever();
        }
    }
    /* Every method ran and the VM is still here (the i8042 reset of a VMM
     * that is not Firecracker after all): never run anything again. */
    halt_forever();
}

void arch_irq_off_for_panic(void)
{
    cpu_irq_disable();
}

void arch_power_off(int status)
{
    end_vm(status, false);
}

void arch_fail_stop(int status)
{
    end_vm(status, true);
}
