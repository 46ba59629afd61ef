/* The loaded image's LoadOptions, UCS-2, to the UTF-8 command line
 * (efi_parse.h says which forms are taken). Pure logic. */
#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_parse.h"
#include "core/unaligned.h"

#define WHO "uefi"

/* Length in bytes of the UTF-8 sequence that starts with b at s[0..n),
 * 0 when it is not a well-formed one (RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
static unsigned utf8_sequence(const uint8_t *s, uint64_t n)
{
    uint8_t b = s[0];
    unsigned len;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        len = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0)
            lo = 0xA0;
        if (b == 0xED)
            hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0)
            lo = 0x90;
        if (b == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (unsigned i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

/* Whether the n code units at opts are bytes widened to code units that
 * form UTF-8 with at least one multi-byte sequence. */
static bool widened_utf8(const uint8_t *opts, uint64_t n)
{
    uint8_t seq[4];
    bool multibyte = false;
    for (uint64_t i = 0; i < n;) {
        uint64_t k = 0;
        for (; k < 4 && i + k < n; k++) {
            uint16_t u = rd16(opts + 2 * (i + k));
            if (u > 0xFF && k == 0)
                return false;
            seq[k] = u > 0xFF ? 0 : (uint8_t)u; /* 0 ends any sequence */
        }
        unsigned len = utf8_sequence(seq, k);
        if (len == 0)
            return false;
        multibyte |= len > 1;
        i += len;
    }
    return multibyte;
}

static int put(char *out, size_t outlen, size_t *pos, uint32_t cp)
{
    uint8_t b[4];
    unsigned n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | cp >> 18);
        b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (*pos + n > outlen - 1)
        return -1;
    for (unsigned i = 0; i < n; i++)
        out[(*pos)++] = (char)b[i];
    return 0;
}

int efi_cmdline_to_utf8(const uint8_t *opts, uint64_t size, char *out, size_t outlen, char *err,
                        unsigned errlen)
{
    size_t pos = 0;
    if (outlen == 0)
        return -1;
    out[0] = '\0';
    if (opts == NULL || size == 0)
        return EFI_CMDLINE_UCS2;
    if (size % 2 != 0) {
        bootinfo_error(err, errlen, WHO, "load options of odd size ", size,
                       " bytes are not UCS-2 text");
        return -1;
    }
    uint64_t n = 0; /* code units before the first NUL */
    while (n < size / 2 && rd16(opts + 2 * n) != 0)
        n++;

    if (widened_utf8(opts, n)) {
        if (n > outlen - 1) {
            bootinfo_error(err, errlen, WHO, "command line of ", n,
                           " bytes is longer than the 2047 bytes the kernel takes");
            return -1;
        }
        for (uint64_t i = 0; i < n; i++)
            out[i] = (char)rd16(opts + 2 * i);
        out[n] = '\0';
        return EFI_CMDLINE_WIDENED_UTF8;
    }
    for (uint64_t i = 0; i < n; i++) {
        uint32_t u = rd16(opts + 2 * i);
        if (u >= 0xDC00 && u <= 0xDFFF) {
            bootinfo_error(err, errlen, WHO, "load options: unpaired low surrogate at character ",
                           i, "");
            out[0] = '\0';
            return -1;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = i + 1 < n ? rd16(opts + 2 * (i + 1)) : 0;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                bootinfo_error(err, errlen, WHO,
                               "load options: unpaired high surrogate at character ", i, "");
                out[0] = '\0';
                return -1;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i++;
        }
        if (put(out, outlen, &pos, u) != 0) {
            bootinfo_error(err, errlen, WHO, "command line of ", n,
                           " characters is longer than the 2047 bytes the kernel takes");
            out[0] = '\0';
            return -1;
        }
    }
    out[pos] = '\0';
    return EFI_CMDLINE_UCS2;
}
