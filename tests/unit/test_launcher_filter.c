/* tools/launcher/serial_filter.c, the filter `anyvm run` and `anyvm logs`
 * pass the guest's serial through, on what SeaBIOS and GRUB really write
 * (recorded from QEMU 7.2 -M pc and the GRUB 2.06 ISO), cut into chunks at
 * every position. */
#include <stdlib.h>
#include <string.h>

#include "tools/launcher/serial_filter.h"
#include "tests/unit/unit.h"

#define S(x) (x), sizeof(x) - 1

static const char SEABIOS[] =
    "\x1b"
    "c\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
    "Booting from DVD/CD...\r\n\x1b[0;30;47mWelcome to GRUB!\r\n\n\x1b[H\x1b[J\x1b[1;1H\r\n";
static const char KERNEL[] =
    "anyvm 0.1-abc\r\nboot: multiboot\r\nHello, \x1b[1mworld\x1b[0m!\r\nanyvm: exit status 0\r\n";
static const char WANT[] = "SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from DVD/CD...\n"
                           "Welcome to GRUB!\n\n\nanyvm 0.1-abc\nboot: multiboot\nHello, "
                           "\x1b[1mworld\x1b[0m!\nanyvm: exit status 0\n";

/* The filter's output for in, fed in chunks of `chunk` bytes (0: at once)
 * after a first cut at `cut`. */
static char *run(const char *in, size_t n, size_t cut, size_t chunk, size_t *outlen)
{
    struct serial_filter f;
    char *out = malloc(2 * n + 2);
    size_t o = 0, i = 0;
    serial_filter_init(&f);
    if (cut) {
        o += serial_filter_feed(&f, (const unsigned char *)in, cut, (unsigned char *)out);
        i = cut;
    }
    while (i < n) {
        size_t k = chunk ? chunk : n - i;
        k = k < n - i ? k : n - i;
        o += serial_filter_feed(&f, (const unsigned char *)in + i, k, (unsigned char *)out + o);
        i += k;
    }
    o += serial_filter_finish(&f, (unsigned char *)out + o);
    out[o] = 0;
    *outlen = o;
    return out;
}

static bool same(const char *in, size_t n, size_t cut, size_t chunk, const char *want,
                 size_t wantlen)
{
    size_t len;
    char *out = run(in, n, cut, chunk, &len);
    bool ok = len == wantlen && memcmp(out, want, len) == 0;
    free(out);
    return ok;
}

static char *firmware_and_kernel(size_t *n)
{
    size_t a = sizeof(SEABIOS) - 1, b = sizeof(KERNEL) - 1;
    char *data = malloc(a + b + 1);
    memcpy(data, SEABIOS, a);
    memcpy(data + a, KERNEL, b + 1);
    *n = a + b;
    return data;
}

TEST(firmware_escapes_dropped_app_escapes_kept)
{
    size_t n;
    char *data = firmware_and_kernel(&n);
    CHECK(same(data, n, 0, 0, S(WANT)));
    free(data);
}

TEST(any_cut_into_two_chunks_gives_the_same)
{
    size_t n;
    char *data = firmware_and_kernel(&n);
    for (size_t cut = 1; cut < n; cut++)
        CHECK(same(data, n, cut, 0, S(WANT)));
    free(data);
}

TEST(byte_by_byte)
{
    size_t n;
    char *data = firmware_and_kernel(&n);
    CHECK(same(data, n, 0, 1, S(WANT)));
    free(data);
}

TEST(osc_and_charset_sequences)
{
    CHECK(same(S("\x1b]0;title\x07"
                 "a\x1b]2;t\x1b\\b\x1b(Bc\x1b"
                 "7d\r\n"),
               0, 0, S("abcd\n")));
}

TEST(a_lone_cr_is_kept_and_a_final_one_flushed)
{
    CHECK(same(S("anyvm x\r\n50%\r100%\r"), 0, 0, S("anyvm x\n50%\r100%\r")));
    /* the final CR held at a chunk's end, then flushed */
    CHECK(same(S("anyvm x\r\n50%\r100%\r"), 0, 1, S("anyvm x\n50%\r100%\r")));
}

TEST(banner_only_at_a_line_start)
{
    /* "xanyvm " in the middle of a firmware line does not end the filtering */
    CHECK(
        same(S("xanyvm \x1b[2Jy\r\nanyvm 1\r\n\x1b[1mz"), 0, 0, S("xanyvm y\nanyvm 1\n\x1b[1mz")));
}

TEST(a_broken_csi_keeps_its_last_byte)
{
    /* ESC [ 1 then a control byte: the sequence ends, the byte is text */
    CHECK(same(S("\x1b[1\nx"), 0, 0, S("\nx")));
}

TEST(non_utf8_bytes_pass_unchanged)
{
    CHECK(same(S("\xff\xfe\r\nanyvm \xc3\x28\x80\r\n"), 0, 0, S("\xff\xfe\nanyvm \xc3\x28\x80\n")));
}

UNIT_MAIN();
