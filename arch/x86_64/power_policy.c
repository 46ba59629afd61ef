/* The exit policy as pure logic: see power_policy.h. */
#include "arch/x86_64/power_policy.h"

#include "klib/format.h"
#include <string.h>

unsigned exit_plan(const struct exit_platform *p, int status, bool failure,
                   enum exit_method plan[EXIT_PLAN_MAX])
{
    unsigned n = 0;
    if (p->exit_port != 0)
        plan[n++] = EXIT_METHOD_PORT;
    if (p->firecracker) {
        /* Firecracker's process exit code is 0 after the i8042 reset and 1
         * after a triple fault: the only way it can say "failed". */
        plan[n++] = (status == 0 && !failure) ? EXIT_METHOD_I8042_RESET : EXIT_METHOD_TRIPLE_FAULT;
        return n;
    }
    if (p->acpi_s5)
        plan[n++] = EXIT_METHOD_ACPI_S5;
    plan[n++] = EXIT_METHOD_HALT;
    return n;
}

const char *exit_method_name(enum exit_method m)
{
    switch (m) {
    case EXIT_METHOD_PORT:
        return "exit port";
    case EXIT_METHOD_ACPI_S5:
        return "ACPI S5";
    case EXIT_METHOD_I8042_RESET:
        return "i8042 reset";
    case EXIT_METHOD_TRIPLE_FAULT:
        return "triple fault";
    case EXIT_METHOD_HALT:
        return "halt";
    }
    return "?";
}

static void describe_plan(const struct exit_platform *p, int status, bool failure, char *buf,
                          size_t len)
{
    enum exit_method plan[EXIT_PLAN_MAX];
    unsigned n = exit_plan(p, status, failure, plan);
    size_t at = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < n && at + 1 < len; i++) {
        int w;
        if (plan[i] == EXIT_METHOD_PORT)
            w = ksnprintf(buf + at, len - at, "%sport %#x", i ? ", else " : "",
                          (unsigned)p->exit_port);
        else
            w = ksnprintf(buf + at, len - at, "%s%s", i ? ", else " : "",
                          exit_method_name(plan[i]));
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

void exit_plan_describe(const struct exit_platform *p, char *buf, size_t len)
{
    if (len == 0)
        return;
    char ok[64], fail[64];
    describe_plan(p, 0, false, ok, sizeof ok);
    describe_plan(p, 1, true, fail, sizeof fail);
    if (strcmp(ok, fail) == 0)
        ksnprintf(buf, len, "%s", ok);
    else
        ksnprintf(buf, len, "%s (failure: %s)", ok, fail);
}

static int digit_value(char c, unsigned radix)
{
    unsigned v;
    if (c >= '0' && c <= '9')
        v = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
        v = (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
        v = (unsigned)(c - 'A' + 10);
    else
        return -1;
    return v < radix ? (int)v : -1;
}

int exit_port_parse(const char *value, uint16_t *port, char *err, size_t errlen)
{
    static const char why[] = " is not an I/O port number (1-0xffff, decimal or 0x-hex)";
    if (value == NULL || value[0] == '\0') {
        ksnprintf(err, errlen, EXIT_PORT_PARAM " needs a value: a port number (1-0xffff)");
        return -1;
    }
    const char *s = value;
    unsigned radix = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        radix = 16;
        s += 2;
    }
    uint32_t v = 0;
    unsigned digits = 0;
    for (; *s != '\0' && digits <= EXIT_PORT_MAX_DIGITS; s++, digits++) {
        int d = digit_value(*s, radix);
        if (d < 0)
            break;
        v = v * radix + (uint32_t)d;
        if (v > 0xFFFF)
            break;
    }
    if (digits == 0 || digits > EXIT_PORT_MAX_DIGITS || *s != '\0' || v == 0 || v > 0xFFFF) {
        /* Quote at most 16 bytes of the value; the command line is untrusted
         * but has been checked for control characters by then. */
        ksnprintf(err, errlen, EXIT_PORT_PARAM "=%.16s%s%s", value, strlen(value) > 16 ? "..." : "",
                  why);
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

int exit_port_scan(const char *line, size_t max, uint16_t *port)
{
    static const char key[] = EXIT_PORT_PARAM "=";
    const size_t klen = sizeof key - 1;
    int found = -1;
    size_t i = 0;
    while (i < max && line[i] != '\0') {
        while (i < max && blank(line[i]))
            i++;
        size_t start = i;
        while (i < max && line[i] != '\0' && !blank(line[i]))
            i++;
        size_t len = i - start;
        if (len == 2 && line[start] == '-' && line[start + 1] == '-')
            break; /* the app's arguments follow */
        if (len <= klen || len > klen + 2 + EXIT_PORT_MAX_DIGITS ||
            memcmp(line + start, key, klen) != 0)
            continue;
        char value[16];
        memcpy(value, line + start + klen, len - klen);
        value[len - klen] = '\0';
        uint16_t p;
        char err[8];
        if (exit_port_parse(value, &p, err, sizeof err) == 0) {
            *port = p;
            found = 0;
        } else {
            found = -1; /* the last occurrence counts, as cmdline_get has it */
        }
    }
    return found;
}

/* An OEM ID field without its blank padding equals want. */
static bool oem_is(const char *oem, const char *want)
{
    if (oem == NULL)
        return false;
    size_t n = strlen(want);
    if (strncmp(oem, want, n) != 0)
        return false;
    for (const char *s = oem + n; *s != '\0'; s++)
        if (*s != ' ')
            return false;
    return true;
}

bool platform_is_firecracker(const char *acpi_oem_id, const char *mp_oem_id)
{
    return oem_is(acpi_oem_id, "FIRECK") || oem_is(mp_oem_id, "FC");
}
