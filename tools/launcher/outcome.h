/* The guest's exit status, from the two places it shows (the kernel's
 * contract; docs/cli.md, `anyvm run`, "Exit status of run"): the last line `anyvm: exit status N`
 * on the serial port (or `anyvm: panic: ...`, status 127), and the VMM's
 * exit code, which QEMU's isa-debug-exit port or hostsim's --exit-port make
 * (2N+1) & 0xff. The serial scanner reads the transcript as it arrives,
 * line by line, and keeps only what the reconciliation needs. */
#ifndef LAUNCHER_OUTCOME_H
#define LAUNCHER_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

/* `anyvm run`'s own codes when there is no guest status to pass on */
#define OUTCOME_PANIC_STATUS 127
#define OUTCOME_VMM_FAILED 123 /* the VMM itself failed: an error exit code, or killed */
#define OUTCOME_TIMEOUT 124
#define OUTCOME_NO_STATUS 125   /* the VM ended, but without a status */
#define OUTCOME_NOT_STARTED 126 /* bad input or a missing tool: no VMM was started */

/* A line longer than this is judged by its start (a panic) and its last
 * OUTCOME_LINE_TAIL bytes (an exit status line ends it). */
#define OUTCOME_LINE_MAX 4096
#define OUTCOME_LINE_TAIL 256
#define OUTCOME_DIGITS_MAX 40

struct serial_scan {
    unsigned char line[OUTCOME_LINE_MAX];
    size_t len;
    bool line_panic; /* "anyvm: panic: " was in a dropped part of this line */
    bool have_status;
    char digits[OUTCOME_DIGITS_MAX + 1]; /* the status as printed (capped) */
    unsigned status_mod;                 /* the status modulo 256 */
    bool nonblank;                       /* the transcript has a non-blank byte */
    bool exception;                      /* a kernel exception report was seen */
    bool any;                            /* any byte at all */
    unsigned char last;                  /* the last byte */
};

void serial_scan_init(struct serial_scan *s);
void serial_scan_feed(struct serial_scan *s, const unsigned char *p, size_t n);
/* The end of the transcript: the last line, unterminated, counts too. */
void serial_scan_finish(struct serial_scan *s);

/* How the VMM ended and what it said, for the reconciliation. */
struct vmm_end {
    bool timed_out;
    double timeout;       /* seconds, for the message */
    int rc;               /* exit code; -S when signal S killed it */
    bool stderr_nonblank; /* the VMM wrote something other than blanks on stderr */
    bool exit_device;     /* isa-debug-exit / --exit-port was there */
};

/* The exit code of `anyvm run`; *message (static or in buf) is the line
 * for stderr, or NULL. */
int outcome(const struct serial_scan *s, const struct vmm_end *e, char *buf, size_t size,
            const char **message);

#endif
