/* The AML writer: see aml.h. Opcodes from ACPI 6.5, 20.3 "AML Byte Stream
 * Byte Values"; PkgLength from 20.2.4 "Package Length Encoding"; NameString
 * from 20.2.2 "Name Objects Encoding". */
#include <string.h>

#include "hostsim/acpi/aml.h"

#define OP_ZERO 0x00
#define OP_ONE 0x01
#define OP_NAME 0x08
#define OP_BYTE 0x0A
#define OP_WORD 0x0B
#define OP_DWORD 0x0C
#define OP_STRING 0x0D
#define OP_QWORD 0x0E
#define OP_SCOPE 0x10
#define OP_BUFFER 0x11
#define OP_PACKAGE 0x12
#define OP_METHOD 0x14
#define OP_DUAL_NAME 0x2E
#define OP_MULTI_NAME 0x2F
#define OP_EXT 0x5B
#define OP_ROOT '\\'
#define OP_PARENT '^'
#define OP_RETURN 0xA4
#define OP_ONES 0xFF
#define EXT_DEVICE 0x82

#define RD_IRQ_NOFLAGS 0x22 /* small item 0x4, length 2 */
#define RD_IO 0x47          /* small item 0x8, length 7 */
#define RD_END_TAG 0x79     /* small item 0xF, length 1 */
#define RD_MEMORY32_FIXED 0x86
#define RD_EXT_IRQ 0x89

#define PKGLENGTH_MAX (1u << 28) /* four bytes: 4 + 8 + 8 + 8 bits */

void hs_aml_init(struct hs_aml *a, uint8_t *buf, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->buf = buf;
    a->cap = cap;
}

size_t hs_aml_finish(struct hs_aml *a)
{
    if (a->error || a->depth != 0)
        return 0;
    return a->len;
}

static void put(struct hs_aml *a, const void *src, size_t n)
{
    if (a->error)
        return;
    if (n > a->cap - a->len) {
        a->error = true;
        return;
    }
    memcpy(a->buf + a->len, src, n);
    a->len += n;
}

static void put8(struct hs_aml *a, uint8_t v)
{
    put(a, &v, 1);
}

static void put_le(struct hs_aml *a, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(a, b, n);
}

/* Moves everything from `at` on by n bytes and writes src there. */
static void insert(struct hs_aml *a, size_t at, const uint8_t *src, size_t n)
{
    if (a->error)
        return;
    if (n > a->cap - a->len) {
        a->error = true;
        return;
    }
    memmove(a->buf + at + n, a->buf + at, a->len - at);
    memcpy(a->buf + at, src, n);
    a->len += n;
}

/* 20.2.4: the value counts the PkgLength bytes too. One byte holds up to 63
 * in bits 5:0; otherwise bits 7:6 say how many bytes follow, bits 3:0 hold
 * the low nibble and each following byte the next 8 bits. */
static size_t encode_pkglength(size_t body, uint8_t out[4])
{
    if (body + 1 <= 0x3F) {
        out[0] = (uint8_t)(body + 1);
        return 1;
    }
    for (unsigned extra = 1; extra <= 3; extra++) {
        size_t v = body + 1 + extra;
        if (v < (1ull << (4 + 8 * extra))) {
            out[0] = (uint8_t)((extra << 6) | (v & 0x0F));
            for (unsigned i = 0; i < extra; i++)
                out[1 + i] = (uint8_t)(v >> (4 + 8 * i));
            return 1 + extra;
        }
    }
    return 0;
}

static bool lead_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
    return lead_char(c) || (c >= '0' && c <= '9');
}

/* NameString (20.2.2): RootChar or ParentPrefixChars, then one NameSeg, a
 * DualNamePath or a MultiNamePath. */
static void put_namestring(struct hs_aml *a, const char *path)
{
    if (path == NULL || *path == '\0') {
        a->error = true;
        return;
    }
    const char *p = path;
    if (*p == OP_ROOT) {
        put8(a, OP_ROOT);
        p++;
    } else {
        while (*p == OP_PARENT) {
            put8(a, OP_PARENT);
            p++;
        }
    }
    char segs[255][4];
    unsigned n = 0;
    while (*p != '\0') {
        if (n == 255) {
            a->error = true;
            return;
        }
        unsigned len = 0;
        while (p[len] != '\0' && p[len] != '.')
            len++;
        if (len == 0 || len > 4 || !lead_char(p[0])) {
            a->error = true;
            return;
        }
        for (unsigned i = 0; i < 4; i++) {
            char c = i < len ? p[i] : '_';
            if (!name_char(c)) {
                a->error = true;
                return;
            }
            segs[n][i] = c;
        }
        n++;
        p += len;
        if (*p == '.') {
            p++;
            if (*p == '\0') {
                a->error = true;
                return;
            }
        }
    }
    if (n == 0) { /* "\" alone is the root: NullName after RootChar */
        put8(a, 0x00);
        return;
    }
    if (n == 2)
        put8(a, OP_DUAL_NAME);
    else if (n > 2) {
        put8(a, OP_MULTI_NAME);
        put8(a, (uint8_t)n);
    }
    put(a, segs, 4 * (size_t)n);
}

static void open_object(struct hs_aml *a, bool buffer)
{
    if (a->error)
        return;
    if (a->depth >= HS_AML_MAX_DEPTH) {
        a->error = true;
        return;
    }
    a->open[a->depth].body = a->len;
    a->open[a->depth].buffer = buffer;
    a->depth++;
}

void hs_aml_scope(struct hs_aml *a, const char *path)
{
    put8(a, OP_SCOPE);
    open_object(a, false);
    put_namestring(a, path);
}

void hs_aml_device(struct hs_aml *a, const char *path)
{
    put8(a, OP_EXT);
    put8(a, EXT_DEVICE);
    open_object(a, false);
    put_namestring(a, path);
}

void hs_aml_method(struct hs_aml *a, const char *path, unsigned nargs, bool serialized)
{
    if (nargs > 7) {
        a->error = true;
        return;
    }
    put8(a, OP_METHOD);
    open_object(a, false);
    put_namestring(a, path);
    /* MethodFlags: bits 2:0 ArgCount, bit 3 SerializeFlag, 7:4 SyncLevel 0. */
    put8(a, (uint8_t)(nargs | (serialized ? 0x08 : 0)));
}

void hs_aml_package(struct hs_aml *a, unsigned nelements)
{
    if (nelements > 0xFF) { /* NumElements is a ByteData (20.2.5.4) */
        a->error = true;
        return;
    }
    put8(a, OP_PACKAGE);
    open_object(a, false);
    put8(a, (uint8_t)nelements);
}

void hs_aml_resources(struct hs_aml *a)
{
    put8(a, OP_BUFFER);
    open_object(a, true);
}

/* The shortest integer encoding, never Zero/One: what a BufferSize gets
 * (iasl writes a ResourceTemplate's size this way). */
static size_t encode_size(size_t v, uint8_t out[5])
{
    if (v <= 0xFF) {
        out[0] = OP_BYTE;
        out[1] = (uint8_t)v;
        return 2;
    }
    if (v <= 0xFFFF) {
        out[0] = OP_WORD;
        out[1] = (uint8_t)v;
        out[2] = (uint8_t)(v >> 8);
        return 3;
    }
    out[0] = OP_DWORD;
    for (unsigned i = 0; i < 4; i++)
        out[1 + i] = (uint8_t)(v >> (8 * i));
    return 5;
}

void hs_aml_end(struct hs_aml *a)
{
    if (a->error)
        return;
    if (a->depth == 0) {
        a->error = true;
        return;
    }
    a->depth--;
    size_t body = a->open[a->depth].body;
    if (a->open[a->depth].buffer) {
        /* End Tag (6.4.2.9) with checksum 0, then the BufferSize in front. */
        put8(a, RD_END_TAG);
        put8(a, 0);
        uint8_t size[5];
        size_t n = encode_size(a->len - body, size);
        insert(a, body, size, n);
    }
    size_t len = a->len - body;
    uint8_t pkg[4];
    size_t n = len + 4 < PKGLENGTH_MAX ? encode_pkglength(len, pkg) : 0;
    if (n == 0) {
        a->error = true;
        return;
    }
    insert(a, body, pkg, n);
}

void hs_aml_name(struct hs_aml *a, const char *path)
{
    put8(a, OP_NAME);
    put_namestring(a, path);
}

void hs_aml_return(struct hs_aml *a)
{
    put8(a, OP_RETURN);
}

void hs_aml_integer(struct hs_aml *a, uint64_t v)
{
    if (v == 0)
        put8(a, OP_ZERO);
    else if (v == 1)
        put8(a, OP_ONE);
    else if (v == UINT64_MAX)
        put8(a, OP_ONES);
    else if (v <= 0xFF)
        hs_aml_byte(a, (uint8_t)v);
    else if (v <= 0xFFFF)
        hs_aml_word(a, (uint16_t)v);
    else if (v <= 0xFFFFFFFF)
        hs_aml_dword(a, (uint32_t)v);
    else
        hs_aml_qword(a, v);
}

void hs_aml_byte(struct hs_aml *a, uint8_t v)
{
    put8(a, OP_BYTE);
    put8(a, v);
}

void hs_aml_word(struct hs_aml *a, uint16_t v)
{
    put8(a, OP_WORD);
    put_le(a, v, 2);
}

void hs_aml_dword(struct hs_aml *a, uint32_t v)
{
    put8(a, OP_DWORD);
    put_le(a, v, 4);
}

void hs_aml_qword(struct hs_aml *a, uint64_t v)
{
    put8(a, OP_QWORD);
    put_le(a, v, 8);
}

void hs_aml_string(struct hs_aml *a, const char *s)
{
    /* 20.2.3: AsciiCharList is 0x01-0x7F, then NullChar. */
    for (const char *p = s; *p != '\0'; p++) {
        if ((unsigned char)*p > 0x7F) {
            a->error = true;
            return;
        }
    }
    put8(a, OP_STRING);
    put(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 19.6.35: "UUUNNNN": each letter as 5 bits (A = 1) in bits 14:0 of the
 * first 16 bits, the product number as four nibbles, the whole stored so
 * that its bytes read in that order (the two 16-bit halves big-endian). */
uint32_t hs_aml_eisa_id_value(const char *id)
{
    if (id == NULL || strlen(id) != 7)
        return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < 3; i++) {
        if (id[i] < 'A' || id[i] > 'Z')
            return 0;
        v = (v << 5) | (uint32_t)(id[i] - 'A' + 1);
    }
    for (unsigned i = 3; i < 7; i++) {
        int d = hex_digit(id[i]);
        if (d < 0)
            return 0;
        v = (v << 4) | (uint32_t)d;
    }
    /* v is now the 32-bit big-endian reading; AML stores it byte-swapped. */
    return __builtin_bswap32(v);
}

void hs_aml_eisa_id(struct hs_aml *a, const char *id)
{
    uint32_t v = hs_aml_eisa_id_value(id);
    if (v == 0) {
        a->error = true;
        return;
    }
    hs_aml_dword(a, v);
}

/* ---- resource descriptors ---- */

static bool in_resources(struct hs_aml *a)
{
    if (a->error || a->depth == 0 || !a->open[a->depth - 1].buffer) {
        a->error = true;
        return false;
    }
    return true;
}

void hs_aml_rd_irq_noflags(struct hs_aml *a, uint16_t mask)
{
    if (!in_resources(a))
        return;
    put8(a, RD_IRQ_NOFLAGS);
    put_le(a, mask, 2);
}

void hs_aml_rd_io(struct hs_aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    if (!in_resources(a))
        return;
    put8(a, RD_IO);
    put8(a, 0x01); /* Information: bit 0, decodes 16 address bits */
    put_le(a, min, 2);
    put_le(a, max, 2);
    put8(a, align);
    put8(a, len);
}

void hs_aml_rd_memory32_fixed(struct hs_aml *a, bool writable, uint32_t base, uint32_t len)
{
    if (!in_resources(a))
        return;
    put8(a, RD_MEMORY32_FIXED);
    put_le(a, 9, 2); /* length of the data that follows */
    put8(a, writable ? 0x01 : 0x00);
    put_le(a, base, 4);
    put_le(a, len, 4);
}

void hs_aml_rd_interrupt(struct hs_aml *a, bool consumer, bool edge, bool active_low, bool shared,
                         uint32_t gsi)
{
    if (!in_resources(a))
        return;
    put8(a, RD_EXT_IRQ);
    put_le(a, 6, 2); /* flags, table length, one DWord */
    put8(a, (uint8_t)((consumer ? 0x01 : 0) | (edge ? 0x02 : 0) | (active_low ? 0x04 : 0) |
                      (shared ? 0x08 : 0)));
    put8(a, 1);
    put_le(a, gsi, 4);
}
