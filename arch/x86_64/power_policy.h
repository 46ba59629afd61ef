/* How the kernel ends the VM: which methods, in which order, for a status.
 * Pure logic (arch/x86_64/power_policy.c); power.c carries the methods out.
 *
 * The policy: the exit-status port only when the command line names one
 * (anyvm.exit_port=PORT: QEMU's isa-debug-exit, hostsim --exit-port; never
 * guessed, since an unclaimed port may belong to a device); then, on
 * Firecracker, its documented exits (the i8042 reset ends it with status 0, a
 * triple fault with status 1); elsewhere an ACPI S5 power-off where the FADT
 * offers one; and otherwise interrupts off and halt for good. A reset is
 * never used as an exit where it is not documented as one: QEMU without
 * -no-reboot would boot the image again and run the app again, forever. */
#ifndef ARCH_X86_64_POWER_POLICY_H
#define ARCH_X86_64_POWER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_PORT_PARAM "anyvm.exit_port"

enum exit_method {
    EXIT_METHOD_PORT,         /* write the status to the exit port */
    EXIT_METHOD_ACPI_S5,      /* ACPI soft-off */
    EXIT_METHOD_I8042_RESET,  /* 0xFE to port 0x64: Firecracker's clean exit */
    EXIT_METHOD_TRIPLE_FAULT, /* Firecracker's failure exit */
    EXIT_METHOD_HALT,         /* interrupts off, hlt forever */
};

struct exit_platform {
    uint16_t exit_port; /* 0: none was asked for */
    bool acpi_s5;       /* the FADT offers a sleep control we can drive */
    bool firecracker;   /* the reset is the documented exit */
};

#define EXIT_PLAN_MAX 3

/* The methods to try in order to end with status; the last one always ends
 * or stops the VM. failure: a panic or early failure rather than the app's
 * return. Returns how many were written to plan. */
unsigned exit_plan(const struct exit_platform *p, int status, bool failure,
                   enum exit_method plan[EXIT_PLAN_MAX]);
const char *exit_method_name(enum exit_method m);

/* "exit: ..." text for the banner: the plan for status 0 and for a failure. */
void exit_plan_describe(const struct exit_platform *p, char *buf, size_t len);

/* The value of anyvm.exit_port: a port number 1-0xffff, decimal or 0x-hex,
 * at most EXIT_PORT_MAX_DIGITS digits. Returns 0 with *port set, or -1 with a
 * reason in err. */
#define EXIT_PORT_MAX_DIGITS 6
int exit_port_parse(const char *value, uint16_t *port, char *err, size_t errlen);

/* For a command line that cannot be parsed, or before it is parsed: the
 * value of the last word "anyvm.exit_port=VALUE" before a "--" word, if
 * exit_port_parse accepts it (unquoted only). Words are separated by blanks,
 * tabs and newlines. Returns 0 with *port, or -1 when there is none. The
 * early failure path in arch/x86_64/early_fail.S applies the same rule. */
int exit_port_scan(const char *line, size_t max, uint16_t *port);

/* Firecracker, recognised from the tables it writes: ACPI OEM ID "FIRECK"
 * (Firecracker v1.8.0 and later, src/vmm/src/acpi/mod.rs OEM_ID) or the MP
 * table OEM ID "FC" padded with blanks (every release,
 * src/vmm/src/arch/x86_64/mptable.rs MPC_OEM; checked at tag v1.16.1,
 * commit 2038188f145f). Either string may be NULL or empty when that table
 * is absent. */
bool platform_is_firecracker(const char *acpi_oem_id, const char *mp_oem_id);

#endif
