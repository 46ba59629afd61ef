/* The serial scanner and the reconciliation of the two statuses
 * (outcome.h). The transcript is read as Python's bytes.decode("utf-8",
 * "replace").replace("\r", "").splitlines() reads it, which the rest of the
 * tool (the boot matrix's status reading) does: CR bytes vanish and a line
 * ends at LF, VT, FF, FS, GS, RS, NEL (C2 85), LS and PS (E2 80 A8/A9).
 * Digits and blanks are ASCII ones. */
#include "tools/launcher/outcome.h"

#include <stdio.h>
#include <string.h>

static const char EXIT_PREFIX[] = "anyvm: exit status ";
static const char PANIC[] = "anyvm: panic: ";
static const char EXCEPTION[] = "anyvm: exception ";
static const char AT_RIP[] = " at rip=0x";

void serial_scan_init(struct serial_scan *s)
{
    memset(s, 0, sizeof(*s));
}

static const unsigned char *find(const unsigned char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static bool blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == 0x1f;
}

/* "anyvm: exit status N" followed by nothing but blanks to the line's end,
 * anywhere in the line (after firmware text): 1 and the digits, else 0. */
static bool exit_line(const unsigned char *p, size_t n, const unsigned char **digits,
                      size_t *ndigits)
{
    size_t k = sizeof(EXIT_PREFIX) - 1;
    for (const unsigned char *at = find(p, n, EXIT_PREFIX); at;
         at = find(at + 1, n - (size_t)(at + 1 - p), EXIT_PREFIX)) {
        const unsigned char *d = at + k, *end = p + n, *q = d;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q == d)
            continue;
        const unsigned char *r = q;
        while (r < end && blank(*r))
            r++;
        if (r == end) {
            *digits = d;
            *ndigits = (size_t)(q - d);
            return true;
        }
    }
    return false;
}

static void end_line(struct serial_scan *s)
{
    const unsigned char *d;
    size_t nd;
    if (exit_line(s->line, s->len, &d, &nd)) {
        unsigned m = 0;
        for (size_t i = 0; i < nd; i++)
            m = (m * 10 + (unsigned)(d[i] - '0')) & 0xff;
        while (nd > 1 && d[0] == '0') { /* as a number: no leading zeros */
            d++;
            nd--;
        }
        s->have_status = true;
        s->status_mod = m;
        size_t keep = nd < OUTCOME_DIGITS_MAX ? nd : OUTCOME_DIGITS_MAX;
        memcpy(s->digits, d, keep);
        s->digits[keep] = 0;
    } else if (s->line_panic || find(s->line, s->len, PANIC)) {
        s->have_status = true;
        s->status_mod = OUTCOME_PANIC_STATUS;
        snprintf(s->digits, sizeof(s->digits), "%d", OUTCOME_PANIC_STATUS);
    }
    const unsigned char *e = find(s->line, s->len, EXCEPTION);
    if (e && find(e, s->len - (size_t)(e - s->line), AT_RIP))
        s->exception = true;
    s->len = 0;
    s->line_panic = false;
}

/* A line that outgrew the buffer: what matters of its start is whether it
 * holds a panic; of the rest, its tail. */
static void squeeze(struct serial_scan *s)
{
    if (find(s->line, s->len, PANIC))
        s->line_panic = true;
    memmove(s->line, s->line + s->len - OUTCOME_LINE_TAIL, OUTCOME_LINE_TAIL);
    s->len = OUTCOME_LINE_TAIL;
}

void serial_scan_feed(struct serial_scan *s, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        s->any = true;
        s->last = c;
        if (!(c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)))
            s->nonblank = true;
        if (c == '\r')
            continue;
        if (c == '\n' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e)) {
            end_line(s);
            continue;
        }
        if (c == 0x85 && s->len >= 1 && s->line[s->len - 1] == 0xc2) {
            s->len -= 1; /* NEL */
            end_line(s);
            continue;
        }
        if ((c == 0xa8 || c == 0xa9) && s->len >= 2 && s->line[s->len - 2] == 0xe2 &&
            s->line[s->len - 1] == 0x80) {
            s->len -= 2; /* LINE / PARAGRAPH SEPARATOR */
            end_line(s);
            continue;
        }
        if (s->len == OUTCOME_LINE_MAX)
            squeeze(s);
        s->line[s->len++] = c;
    }
}

void serial_scan_finish(struct serial_scan *s)
{
    if (s->len)
        end_line(s);
}

/* isa-debug-exit: QEMU exits with (2N+1) & 0xff, so an odd code gives N
 * modulo 128. 0 is a normal QEMU exit (ACPI power-off); anything else is
 * not a debug-exit code. */
static int status_from_exit_code(int rc)
{
    if (rc > 0 && rc < 256 && rc % 2 == 1)
        return (rc - 1) / 2;
    return -1;
}

int outcome(const struct serial_scan *s, const struct vmm_end *e, char *buf, size_t size,
            const char **message)
{
    *message = NULL;
    if (e->timed_out) {
        snprintf(buf, size, "anyvm: the VM did not end within %g s; killed it", e->timeout);
        *message = buf;
        return OUTCOME_TIMEOUT;
    }
    int rc = e->rc;
    /* the guest's status as the process exit code carries it */
    int st = (int)s->status_mod;
    if (!e->exit_device) {
        if (s->have_status) {
            if (rc != 0 && strcmp(s->digits, "0") == 0) {
                snprintf(buf, size,
                         "anyvm: warning: the VMM exited with code %d after the guest "
                         "reported status 0",
                         rc);
                *message = buf;
            }
            return st;
        }
        snprintf(buf, size,
                 "anyvm: the VMM exited with code %d and the guest printed no "
                 "`anyvm: exit status` line",
                 rc);
        *message = buf;
        return OUTCOME_NO_STATUS;
    }
    int v = status_from_exit_code(rc);
    if (s->have_status && rc == (int)((2 * s->status_mod + 1) & 0xff))
        return st;
    if (v >= 0 && s->have_status) {
        snprintf(buf, size,
                 "anyvm: warning: the VMM exit code %d carries status %d, but the serial "
                 "port says %s",
                 rc, v, s->digits);
        *message = buf;
        return v;
    }
    if (v >= 0) {
        /* No serial line. Exit code 1 is also how QEMU and hostsim report
         * their own failures: believe it is status 0 only if they said
         * nothing. */
        if (rc == 1 && e->stderr_nonblank) {
            if (!s->nonblank) {
                *message = "anyvm: the VMM failed (exit code 1) before the guest printed "
                           "anything";
                return OUTCOME_VMM_FAILED;
            }
            *message = "anyvm: the VMM exited with code 1 (a VMM error, or a triple fault "
                       "under hostsim) and the guest printed no `anyvm: exit status` line";
            return OUTCOME_NO_STATUS;
        }
        snprintf(buf, size,
                 "anyvm: note: the guest printed no `anyvm: exit status` line; status %d "
                 "comes from the VMM exit code %d alone",
                 v, rc);
        *message = buf;
        return v;
    }
    if (s->have_status) {
        if (rc == 0)
            return st; /* ACPI power-off: the serial line tells */
        snprintf(buf, size,
                 "anyvm: warning: the VMM failed (exit code %d) after the guest reported "
                 "status %s",
                 rc, s->digits);
        *message = buf;
        return st;
    }
    if (rc == 0) {
        *message = "anyvm: the VMM exited with code 0 (an ACPI power-off, or a reset or triple "
                   "fault under QEMU's -no-reboot) and the guest printed no `anyvm: exit "
                   "status` line";
        return OUTCOME_NO_STATUS;
    }
    snprintf(buf, size,
             "anyvm: the VMM failed: it ended with exit code %d, which is no isa-debug-exit "
             "status, and the guest printed no `anyvm: exit status` line",
             rc);
    *message = buf;
    return OUTCOME_VMM_FAILED;
}
