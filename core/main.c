/* kernel_main: what every boot path funnels into. Brings the machine up in
 * dependency order, prints the banner, runs the application, and ends the VM
 * with its exit status. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch_timer.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/power.h"
#include "arch/x86_64/power_policy.h"
#include "bus/bus.h"
#include "core/acpi.h"
#include "core/cmdline.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/time.h"
#include "hv/hv.h"
#include <string.h>

#ifndef ANYVM_VERSION
#define ANYVM_VERSION "0.1"
#endif

struct acpi_info kernel_acpi;
static struct cmdline cmdline;

const struct cmdline *kernel_cmdline(void)
{
    return &cmdline;
}

static void print_boot(const struct bootinfo *bi)
{
    if (bi->protocol == BOOT_MULTIBOOT)
        kprintf("boot: multiboot (loader %s)\n", bi->loader_name[0] ? bi->loader_name : "unnamed");
    else
        kprintf("boot: %s\n", boot_protocol_name(bi->protocol));
    if (bi->memmap_truncated)
        kprintf("boot: %u memory map entries beyond %u were ignored\n", bi->memmap_truncated,
                BOOTINFO_MEMMAP_MAX);
}

static void print_hypervisor(void)
{
    char text[160];
    hv_format_identity(hv_get(), text, sizeof text);
    kprintf("hypervisor: %s\n", text);
    hv_format_caps(hv_get(), text, sizeof text);
    kprintf("hv: capabilities: %s\n", text);
}

/* The command line comes from the loader: shown with every byte outside
 * printable ASCII as \xNN, so it cannot drive the terminal of whoever reads
 * the serial log. */
static void print_cmdline(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char chunk[128];
    size_t n = 0;
    kprintf("cmdline: ");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (n + 5 > sizeof chunk) {
            chunk[n] = '\0';
            kprintf("%s", chunk);
            n = 0;
        }
        if (c >= 0x20 && c < 0x7f) {
            chunk[n++] = (char)c;
        } else {
            chunk[n++] = '\\';
            chunk[n++] = 'x';
            chunk[n++] = hex[c >> 4];
            chunk[n++] = hex[c & 15];
        }
    }
    chunk[n] = '\0';
    kprintf("%s\n", chunk);
}

/* anyvm.exit_port=PORT: where the exit status goes (arch/x86_64/power_policy.h). */
static void configure_exit(void)
{
    const char *v = cmdline_get(&cmdline, EXIT_PORT_PARAM);
    char err[128];
    uint16_t port;
    if (v != NULL) {
        if (exit_port_parse(v, &port, err, sizeof err) != 0) {
            kprintf("anyvm: bad command line: %s\n", err);
            kernel_exit(CMDLINE_ERROR_STATUS);
        }
        arch_set_exit_port(port);
    }
    char how[192];
    arch_describe_exit(how, sizeof how);
    kprintf("exit: %s\n", how);
}

static void print_clock(void)
{
    uint64_t khz = tsc_hz() / 1000;
    kprintf("clock: tsc %lu.%03lu MHz (%s)\n", (unsigned long)(khz / 1000),
            (unsigned long)(khz % 1000), tsc_source());
}

/* Parameters of anyvm's own; the subsystem named by the prefix reads them. */
static const char *const anyvm_params[] = {
    "pci.list",                  /* bus/pci: print every function */
    "pci.nomsi",                 /* bus/pci: use INTx only */
    "virtio_net.rx_buffer_size", /* drivers/virtio/net.c: small RX buffers (tests) */
};

static bool is_anyvm_param(const char *key)
{
    for (unsigned i = 0; i < sizeof anyvm_params / sizeof anyvm_params[0]; i++)
        if (strcmp(key, anyvm_params[i]) == 0)
            return true;
    return false;
}

/* Parses the command line; on malformed input ends the VM with a clear
 * message. Linux-style parameters added by VMMs are noted and ignored. */
static void parse_cmdline(const struct bootinfo *bi)
{
    print_cmdline(bi->cmdline);
    char err[128];
    if (cmdline_parse(bi->cmdline, &cmdline, err, sizeof err) != 0) {
        kprintf("anyvm: bad command line: %s\n", err);
        uint16_t port; /* still carry the status where the line names a port */
        if (exit_port_scan(bi->cmdline, sizeof bi->cmdline, &port) == 0)
            arch_set_exit_port(port);
        kernel_exit(CMDLINE_ERROR_STATUS);
    }
    configure_exit();
    char noted[256];
    size_t len = 0;
    noted[0] = '\0';
    for (unsigned i = 0; i < cmdline.nparams; i++) {
        const char *key = cmdline.params[i].key;
        if (strcmp(key, EXIT_PORT_PARAM) == 0)
            continue;
        if (is_anyvm_param(key)) {
            if (!buses_init) /* every one of them configures a bus or driver */
                kprintf("anyvm: '%s' has no effect: this app links no device layers "
                        "(apps/NAME/app.mk)\n",
                        key);
            continue;
        }
        if (!cmdline_is_linux_param(key)) {
            kprintf("anyvm: unknown parameter '%s' ignored\n", key);
            continue;
        }
        bool seen = false; /* note each key once, however often it repeats */
        for (unsigned j = 0; j < i && !seen; j++)
            seen = strcmp(cmdline.params[j].key, key) == 0;
        size_t k = strlen(key);
        if (!seen && len + k + 2 < sizeof noted) {
            memcpy(noted + len, key, k);
            len += k;
            noted[len++] = ' ';
            noted[len] = '\0';
        }
    }
    if (len) {
        noted[len - 1] = '\0';
        kprintf("anyvm: Linux parameters noted and ignored: %s\n", noted);
    }
}

void kernel_main(struct bootinfo *bi)
{
    kprintf("\nanyvm %s\n", ANYVM_VERSION); /* a fresh line after firmware output */
    print_boot(bi);
    hv_detect();
    print_hypervisor();

    uint64_t usable = mm_init(bi);
    kprintf("memory: %lu KiB usable\n", (unsigned long)(usable / 1024));

    if (acpi_parse(&kernel_phys, bi->rsdp, &kernel_acpi) != 0)
        kprintf("acpi: no RSDP found; assuming one CPU and legacy interrupts\n");
    arch_power_init(&kernel_acpi, &kernel_phys); /* reads the BIOS data area */
    paging_guard_null_page();                    /* the BIOS data area has been read by now */
    unsigned cpus = kernel_acpi.have_madt && kernel_acpi.cpu_count ? kernel_acpi.cpu_count : 1;
    kprintf("cpus: %u (%s)\n", cpus, kernel_acpi.have_madt ? "ACPI MADT" : "no MADT");
    kprintf("interrupts: %s\n", intc_init(&kernel_acpi));

    tsc_init();
    time_init(tsc_hz(), bi->entry_tsc);
    timer_init();
    cpu_irq_enable();
    print_clock();
    kprintf("timer: %s\n", arch_timer_name());

    parse_cmdline(bi);
    /* Absent when the app links no device layers (apps/NAME/app.mk). */
    if (buses_init)
        buses_init();

    extern const char anyvm_app_name[]; /* generated by the Makefile */
    char *argv[CMDLINE_MAX_ARGS + 2];
    argv[0] = (char *)anyvm_app_name;
    for (unsigned i = 0; i < cmdline.argc; i++)
        argv[i + 1] = cmdline.argv[i];
    argv[cmdline.argc + 1] = NULL;
    kprintf("anyvm: boot to main: %lu us\n", (unsigned long)(time_now_ns() / 1000));
    kernel_exit(main((int)cmdline.argc + 1, argv));
}
