/* libFuzzer harness: the untrusted inputs of the exit policy
 * (arch/x86_64/power_policy.c, arch/x86_64/mptable.c). Input:
 *   byte 0      which: 0 exit_port_parse, 1 exit_port_scan, 2 the MP table
 *               search (the rest is placed at 0x9fc00 and at 0xf0000 in a
 *               stand-in for the first MiB), 3 all three
 *   bytes 1-    the value, the command line, or the memory
 * A port accepted is 1-0xffff and is what the text says, decimal or hex; the
 * scan agrees with parsing the words itself; an OEM ID found belongs to a
 * floating pointer and a table whose checksums hold.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_exit_policy.c arch/x86_64/power_policy.c arch/x86_64/mptable.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/mptable.h"
#include "arch/x86_64/power_policy.h"

static void parse(const uint8_t *d, size_t n)
{
    char v[64];
    if (n >= sizeof v)
        n = sizeof v - 1;
    memcpy(v, d, n);
    v[n] = '\0';
    char err[96];
    uint16_t port = 0;
    if (exit_port_parse(v, &port, err, sizeof err) == 0) {
        char *end;
        unsigned long want =
            strtoul(v, &end, (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? 16 : 10);
        if (port == 0 || *end != '\0' || want != port || v[0] == '-' || v[0] == '+' || v[0] == ' ')
            abort();
    } else if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0') {
        abort();
    }
}

static void scan(const uint8_t *d, size_t n)
{
    uint16_t port = 0;
    int r = exit_port_scan((const char *)d, n, &port);
    if (r != 0 && r != -1)
        abort();
    if (r == 0) {
        /* the words of the line hold "anyvm.exit_port=" + a value parse accepts */
        char line[4096];
        size_t m = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, d, m);
        line[m] = '\0';
        if (strstr(line, EXIT_PORT_PARAM "=") == NULL)
            abort();
    }
}

static void mp(const uint8_t *d, size_t n)
{
    static uint8_t *low;
    if (low == NULL)
        low = malloc(0x100000);
    memset(low, 0, 0x100000);
    size_t a = n < 0x400 ? n : 0x400, b = n < 0x10000 ? n : 0x10000;
    memcpy(low + 0x9FC00, d, a);
    memcpy(low + 0xF0000, d, b);
    struct phys_window w = {(uintptr_t)low, 0x100000};
    char oem[9];
    memset(oem, 'x', sizeof oem);
    if (mptable_find_oem(&w, 0, 0, oem) == 0) {
        if (oem[8] != '\0' || strlen(oem) > 8)
            abort();
        /* some "_MP_" in the places searched names a "PCMP" holding that OEM ID */
        int seen = 0;
        for (uint32_t at = 0x9FC00; at < 0x100000 && !seen; at += 16) {
            if (at == 0xA0000)
                at = 0xF0000;
            if (memcmp(low + at, "_MP_", 4) != 0)
                continue;
            uint32_t t;
            memcpy(&t, low + at + 4, 4);
            seen = t < 0x100000 - 16 && memcmp(low + t, "PCMP", 4) == 0 &&
                   memcmp(low + t + 8, oem, strlen(oem)) == 0;
        }
        if (!seen)
            abort();
    } else if (oem[0] != '\0') {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned which = data[0] & 3;
    if (which == 0 || which == 3)
        parse(data + 1, size - 1);
    if (which == 1 || which == 3)
        scan(data + 1, size - 1);
    if (which == 2 || which == 3)
        mp(data + 1, size - 1);
    return 0;
}
