/* The AML decoding primitives (ACPI 6.5, 20.2) shared by the device finder
 * (aml_devices.c) and the \\_S5_ reader below. Pure logic: every read is
 * bounded by the limit the caller gives. core/aml.h describes the reader. */
#include <string.h>

#include "core/aml.h"
#include "core/aml_decode.h"
#include "core/unaligned.h"

/* The value counts the PkgLength bytes themselves (20.2.4). */
const char *aml_pkg_length(const uint8_t *a, size_t pos, size_t limit, size_t *body, size_t *end)
{
    if (pos >= limit)
        return "is truncated before its PkgLength";
    unsigned follow = a[pos] >> 6;
    if (follow > limit - pos - 1)
        return "has a PkgLength that runs past the end of the table";
    size_t v;
    if (follow == 0) {
        v = a[pos] & 0x3F;
    } else {
        if (a[pos] & 0x30) /* bits 4-5 reserved (zero) in the multi-byte form */
            return "has a malformed PkgLength";
        v = a[pos] & 0x0F;
        for (unsigned k = 1; k <= follow; k++)
            v |= (size_t)a[pos + k] << (4 + 8 * (k - 1));
    }
    if (v < 1 + follow)
        return "has a PkgLength too small for its contents";
    if (v > limit - pos)
        return "runs past the end of the table";
    *body = pos + 1 + follow;
    *end = pos + v;
    return NULL;
}

bool aml_pkg_ok(const uint8_t *a, size_t pos, size_t limit, size_t *body, size_t *end)
{
    return aml_pkg_length(a, pos, limit, body, end) == NULL;
}

static bool lead_name_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}
static bool name_char(uint8_t c)
{
    return lead_name_char(c) || (c >= '0' && c <= '9');
}
bool aml_name_seg(const uint8_t *p)
{
    return lead_name_char(p[0]) && name_char(p[1]) && name_char(p[2]) && name_char(p[3]);
}

/* NameString (20.2.2) at pos within limit; last gets its final NameSeg ("" for
 * the null name). Returns false when it does not decode. */
bool aml_name_string(const uint8_t *a, size_t pos, size_t limit, size_t *next, char last[5])
{
    last[0] = '\0';
    if (pos < limit && a[pos] == OP_ROOT_CHAR) {
        pos++;
    } else {
        while (pos < limit && a[pos] == '^')
            pos++;
    }
    if (pos >= limit)
        return false;
    unsigned count;
    if (a[pos] == 0x00) {
        *next = pos + 1;
        return true;
    } else if (a[pos] == OP_DUAL_NAME) {
        count = 2;
        pos++;
    } else if (a[pos] == OP_MULTI_NAME) {
        if (limit - pos < 2 || a[pos + 1] == 0)
            return false;
        count = a[pos + 1];
        pos += 2;
    } else {
        count = 1;
    }
    for (unsigned i = 0; i < count; i++) {
        if (limit - pos < 4 || !aml_name_seg(a + pos))
            return false;
        memcpy(last, a + pos, 4);
        last[4] = '\0';
        pos += 4;
    }
    *next = pos;
    return true;
}

/* Length of the data object at pos (20.2.3 DataObject; Buffer and Package
 * by PkgLength), or 0 when it is not one this reader understands. */
size_t aml_data_object(const uint8_t *a, size_t pos, size_t limit)
{
    if (pos >= limit)
        return 0;
    size_t avail = limit - pos, body, end;
    switch (a[pos]) {
    case OP_ZERO:
    case OP_ONE:
    case OP_ONES:
        return 1;
    case OP_BYTE:
        return avail >= 2 ? 2 : 0;
    case OP_WORD:
        return avail >= 3 ? 3 : 0;
    case OP_DWORD:
        return avail >= 5 ? 5 : 0;
    case OP_QWORD:
        return avail >= 9 ? 9 : 0;
    case OP_STRING: {
        const uint8_t *nul = memchr(a + pos + 1, 0, avail - 1);
        return nul ? (size_t)(nul - a) + 1 - pos : 0;
    }
    case OP_BUFFER:
    case OP_PACKAGE:
    case OP_VAR_PACKAGE:
        return aml_pkg_ok(a, pos + 1, limit, &body, &end) ? end - pos : 0;
    default:
        return 0;
    }
}

/* Integer value of a data object (Zero, One, Ones, Byte..QWord constants). */
bool aml_integer_value(const uint8_t *a, size_t pos, size_t end, uint64_t *v)
{
    size_t n = end - pos;
    switch (a[pos]) {
    case OP_ZERO:
        *v = 0;
        return true;
    case OP_ONE:
        *v = 1;
        return true;
    case OP_ONES:
        *v = UINT64_MAX;
        return true;
    case OP_BYTE:
        *v = a[pos + 1];
        return n == 2;
    case OP_WORD:
        *v = rd16(a + pos + 1);
        return n == 3;
    case OP_DWORD:
        *v = rd32(a + pos + 1);
        return n == 5;
    case OP_QWORD:
        *v = rd64(a + pos + 1);
        return n == 9;
    default:
        return false;
    }
}

/* 6.1.5: three letters (5 bits each, 'A' = 1) and four hex digits, stored
 * in byte order "PNP" first. */
void aml_eisa_id(uint32_t v, char out[8])
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t b0 = v & 0xFF, b1 = (v >> 8) & 0xFF, b2 = (v >> 16) & 0xFF, b3 = v >> 24;
    out[0] = (char)('@' + ((b0 >> 2) & 0x1F));
    out[1] = (char)('@' + (((b0 & 3) << 3) | (b1 >> 5)));
    out[2] = (char)('@' + (b1 & 0x1F));
    out[3] = hex[b2 >> 4];
    out[4] = hex[b2 & 15];
    out[5] = hex[b3 >> 4];
    out[6] = hex[b3 & 15];
    out[7] = '\0';
}

/* ---- \_S5_ (20.2.5.2 DefName, 20.2.5.4 DefPackage, 20.2.3 integers) ---- */

/* The integer element at *k of a package ending at end. */
static const char *package_integer(const uint8_t *t, size_t end, size_t *k, uint64_t *v)
{
    if (*k >= end)
        return "has fewer elements than it declares";
    switch (t[*k]) {
    case OP_ZERO:
    case OP_ONE:
    case OP_BYTE:
    case OP_WORD:
    case OP_DWORD:
    case OP_QWORD:
        break;
    default:
        return "has an element that is not an integer constant";
    }
    size_t n = aml_data_object(t, *k, end);
    if (n == 0 || !aml_integer_value(t, *k, *k + n, v))
        return "is truncated inside an integer";
    *k += n;
    return NULL;
}

/* pos: the byte after PackageOp. */
static const char *s5_package(const uint8_t *t, size_t len, size_t pos, uint8_t *a, uint8_t *b)
{
    size_t body, end;
    const char *why = aml_pkg_length(t, pos, len, &body, &end);
    if (why != NULL)
        return why;
    if (body >= end)
        return "has a PkgLength too small for its contents";
    size_t k = body;
    uint8_t count = t[k++];
    if (count == 0)
        return "is empty";
    uint64_t va, vb;
    if ((why = package_integer(t, end, &k, &va)) != NULL)
        return why;
    vb = va; /* a one-element package names the same type for both registers */
    if (count >= 2 && (why = package_integer(t, end, &k, &vb)) != NULL)
        return why;
    if (va > 7 || vb > 7)
        return "has an SLP_TYP value above 7";
    *a = (uint8_t)va;
    *b = (uint8_t)vb;
    return NULL;
}

int aml_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb,
                const char **why, size_t *offset)
{
    for (size_t i = 1; i + 4 <= len; i++) {
        if (aml[i] != '_' || memcmp(aml + i, "_S5_", 4) != 0)
            continue;
        bool named = aml[i - 1] == OP_NAME ||
                     (aml[i - 1] == OP_ROOT_CHAR && i >= 2 && aml[i - 2] == OP_NAME);
        if (!named)
            continue;
        if (i + 4 < len && aml[i + 4] != OP_PACKAGE)
            continue;
        uint8_t a = 0, b = 0;
        const char *w = s5_package(aml, len, i + 5, &a, &b);
        if (w != NULL) {
            *why = w;
            *offset = i;
            return -1;
        }
        *slp_typa = a;
        *slp_typb = b;
        return 1;
    }
    return 0;
}
