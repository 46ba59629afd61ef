/* Finds virtio-mmio devices in ACPI AML (ACPI 6.5, 20 "ACPI Machine Language
 * Specification"; 6.4 "Resource Data Types"). QEMU microvm describes each
 * device in its DSDT as
 *
 *   Device (VR23) {
 *       Name (_HID, "LNRO0005")
 *       Name (_UID, 0x17)
 *       Name (_CCA, One)
 *       Name (_CRS, ResourceTemplate () {
 *           Memory32Fixed (ReadWrite, 0xFEB02E00, 0x200)
 *           Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 47 }
 *       })
 *   }
 *
 * This is not an interpreter. Every DeviceOp (0x5B 0x82) in the block is a
 * candidate: its PkgLength and NameString are decoded and checked, then the
 * top level of its body is walked for Name (_HID / _CID / _STA / _CRS)
 * declarations whose values are data objects (strings, integers, buffers,
 * packages); nested packages (methods, devices, scopes, If/Else) are skipped
 * by their PkgLength. The _CRS buffer's resource template is decoded with
 * every length checked. Anything malformed about an LNRO0005 device is
 * reported and that device is skipped; other devices are of no interest. */
#include "bus/virtio_mmio/virtio_mmio.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

#define VIRTIO_MMIO_HID "LNRO0005"

/* AML opcodes (20.3). */
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
#define OP_VAR_PACKAGE 0x13
#define OP_METHOD 0x14
#define OP_DUAL_NAME 0x2E
#define OP_MULTI_NAME 0x2F
#define OP_EXT 0x5B
#define OP_IF 0xA0
#define OP_ELSE 0xA1
#define OP_WHILE 0xA2
#define OP_ONES 0xFF
#define EXT_FIELD 0x81
#define EXT_DEVICE 0x82
#define EXT_PROCESSOR 0x83
#define EXT_POWER_RES 0x84
#define EXT_THERMAL_ZONE 0x85

/* Resource descriptors (6.4.2, 6.4.3). */
#define RES_SMALL_IRQ 0x04 /* type field of a small item */
#define RES_SMALL_END 0x0F
#define RES_LARGE_MEMORY32_FIXED 0x86
#define RES_LARGE_EXT_IRQ 0x89

/* Work bound: a block crafted with a DeviceOp at every other byte must not
 * take quadratic time. Real tables use a few times their length. */
#define WORK_PER_BYTE 64

struct scan {
    const uint8_t *aml;
    size_t len;
    const char *table;
    uint64_t work_left;
};

/* One "Name (X, value)" of interest inside a device body: where its data
 * object starts and ends. */
struct named {
    bool found, is_method;
    size_t start, end;
};

static void report(const struct scan *s, const char *dev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(const struct scan *s, const char *dev, const char *fmt, ...)
{
    char msg[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("virtio-mmio: %s device %s: %s; skipped\n", s->table, dev, msg);
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* PkgLength (20.2.4) at pos, within [pos, limit). The value counts the
 * PkgLength bytes themselves. Returns false when it does not decode or the
 * package would run past limit; *end is where the package ends. */
static bool pkg_length(const uint8_t *a, size_t pos, size_t limit, size_t *body, size_t *end)
{
    if (pos >= limit)
        return false;
    unsigned follow = a[pos] >> 6;
    if (follow > limit - pos - 1)
        return false;
    size_t v;
    if (follow == 0) {
        v = a[pos] & 0x3F;
    } else {
        if (a[pos] & 0x30) /* bits 4-5 reserved (zero) in the multi-byte form */
            return false;
        v = a[pos] & 0x0F;
        for (unsigned k = 1; k <= follow; k++)
            v |= (size_t)a[pos + k] << (4 + 8 * (k - 1));
    }
    if (v < 1 + follow || v > limit - pos)
        return false;
    *body = pos + 1 + follow;
    *end = pos + v;
    return true;
}

static bool lead_name_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}
static bool name_char(uint8_t c)
{
    return lead_name_char(c) || (c >= '0' && c <= '9');
}
static bool name_seg(const uint8_t *p)
{
    return lead_name_char(p[0]) && name_char(p[1]) && name_char(p[2]) && name_char(p[3]);
}

/* NameString (20.2.2) at pos within limit; last gets its final NameSeg ("" for
 * the null name). Returns false when it does not decode. */
static bool name_string(const uint8_t *a, size_t pos, size_t limit, size_t *next, char last[5])
{
    last[0] = '\0';
    if (pos < limit && a[pos] == '\\') {
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
        if (limit - pos < 4 || !name_seg(a + pos))
            return false;
        memcpy(last, a + pos, 4);
        last[4] = '\0';
        pos += 4;
    }
    *next = pos;
    return true;
}

/* Length of the data object at pos (20.2.3 DataObject; Buffer and Package
 * by PkgLength), or 0 when it is not one this scanner understands. */
static size_t data_object(const uint8_t *a, size_t pos, size_t limit)
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
        return pkg_length(a, pos + 1, limit, &body, &end) ? end - pos : 0;
    default:
        return 0;
    }
}

/* Integer value of a data object (Zero, One, Ones, Byte..QWord constants). */
static bool integer_value(const uint8_t *a, size_t pos, size_t end, uint64_t *v)
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
        *v = le16(a + pos + 1);
        return n == 3;
    case OP_DWORD:
        *v = le32(a + pos + 1);
        return n == 5;
    case OP_QWORD:
        *v = le32(a + pos + 1) | (uint64_t)le32(a + pos + 5) << 32;
        return n == 9;
    default:
        return false;
    }
}

/* 6.1.5: an EISA ID packs three letters (5 bits each, 'A' = 1) and four hex
 * digits into a 32-bit integer stored in byte order "PNP" first. */
static void eisa_id(uint32_t v, char out[8])
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

/* Is the ID object at [pos, end) (a String or an EISA ID integer) the
 * virtio-mmio ID? */
static bool id_matches(const uint8_t *a, size_t pos, size_t end)
{
    if (a[pos] == OP_STRING) {
        size_t n = end - pos - 2; /* without prefix and NUL */
        return n == sizeof VIRTIO_MMIO_HID - 1 && memcmp(a + pos + 1, VIRTIO_MMIO_HID, n) == 0;
    }
    uint64_t v;
    if (integer_value(a, pos, end, &v) && v <= UINT32_MAX) {
        char id[8];
        eisa_id((uint32_t)v, id);
        return strcmp(id, VIRTIO_MMIO_HID) == 0; /* 7 characters: never, but honest */
    }
    return false;
}

/* _CID may also be a Package of IDs (6.1.2). */
static bool cid_matches(const uint8_t *a, size_t pos, size_t end)
{
    if (a[pos] != OP_PACKAGE)
        return id_matches(a, pos, end);
    size_t body, pend;
    if (!pkg_length(a, pos + 1, end, &body, &pend) || body >= pend)
        return false;
    size_t p = body + 1; /* NumElements */
    while (p < pend) {
        size_t n = data_object(a, p, pend);
        if (n == 0)
            return false;
        if (id_matches(a, p, p + n))
            return true;
        p += n;
    }
    return false;
}

static bool pkg_opcode(const uint8_t *a, size_t pos, size_t limit, size_t *len_at)
{
    switch (a[pos]) {
    case OP_SCOPE:
    case OP_BUFFER:
    case OP_PACKAGE:
    case OP_VAR_PACKAGE:
    case OP_METHOD:
    case OP_IF:
    case OP_ELSE:
    case OP_WHILE:
        *len_at = pos + 1;
        return true;
    case OP_EXT:
        if (limit - pos < 2)
            return false;
        switch (a[pos + 1]) {
        case EXT_FIELD:
        case EXT_DEVICE:
        case EXT_PROCESSOR:
        case EXT_POWER_RES:
        case EXT_THERMAL_ZONE:
            *len_at = pos + 2;
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* Walks the top level of a device body for the names this scanner needs. */
static void walk_body(struct scan *s, size_t pos, size_t end, struct named *hid, struct named *cid,
                      struct named *sta, struct named *crs)
{
    const uint8_t *a = s->aml;
    while (pos < end) {
        if (s->work_left == 0)
            return;
        s->work_left--;
        size_t len_at, body, pend;
        if (a[pos] == OP_NAME && end - pos >= 5 && name_seg(a + pos + 1)) {
            size_t obj = pos + 5;
            size_t n = data_object(a, obj, end);
            if (n == 0) {
                pos++; /* not a value we understand: crawl on */
                continue;
            }
            /* A long string was searched for its end: charge for it. */
            uint64_t cost = n / 16;
            s->work_left = cost < s->work_left ? s->work_left - cost : 0;
            struct named *slot = memcmp(a + pos + 1, "_HID", 4) == 0   ? hid
                                 : memcmp(a + pos + 1, "_CID", 4) == 0 ? cid
                                 : memcmp(a + pos + 1, "_STA", 4) == 0 ? sta
                                 : memcmp(a + pos + 1, "_CRS", 4) == 0 ? crs
                                                                       : NULL;
            if (slot != NULL && !slot->found)
                *slot = (struct named){true, false, obj, obj + n};
            pos = obj + n;
        } else if (pkg_opcode(a, pos, end, &len_at) && pkg_length(a, len_at, end, &body, &pend)) {
            /* A method named _CRS/_HID/_STA computes its value: noted, not run. */
            if (a[pos] == OP_METHOD && pend - body >= 4 && name_seg(a + body)) {
                struct named *slot = memcmp(a + body, "_CRS", 4) == 0   ? crs
                                     : memcmp(a + body, "_HID", 4) == 0 ? hid
                                     : memcmp(a + body, "_STA", 4) == 0 ? sta
                                                                        : NULL;
                if (slot != NULL && !slot->found)
                    *slot = (struct named){true, true, body, pend};
            }
            pos = pend;
        } else {
            pos++;
        }
    }
}

/* Decodes a _CRS resource template (6.4) into d. Returns NULL or a reason. */
static const char *decode_crs(const uint8_t *a, size_t pos, size_t end, struct virtio_mmio_desc *d)
{
    if (a[pos] != OP_BUFFER)
        return "_CRS is not a Buffer";
    size_t body, bend;
    if (!pkg_length(a, pos + 1, end, &body, &bend))
        return "_CRS buffer length is malformed";
    size_t n = data_object(a, body, bend);
    uint64_t declared;
    if (n == 0 || !integer_value(a, body, body + n, &declared))
        return "_CRS buffer size is not a constant";
    const uint8_t *r = a + body + n;
    size_t rlen = bend - (body + n);
    if (declared < rlen) /* the initializer may not exceed the buffer (19.6.10) */
        rlen = (size_t)declared;

    bool have_mem = false, have_irq = false, have_end = false;
    size_t p = 0;
    while (p < rlen && !have_end) {
        uint8_t tag = r[p];
        if (tag & 0x80) {
            if (rlen - p < 3)
                return "resource template: truncated large descriptor";
            size_t dlen = le16(r + p + 1);
            const uint8_t *data = r + p + 3;
            if (dlen > rlen - p - 3)
                return "resource template: descriptor runs past the buffer";
            if (tag == RES_LARGE_MEMORY32_FIXED && !have_mem) {
                if (dlen != 9)
                    return "Memory32Fixed descriptor has the wrong length";
                d->base = le32(data + 1);
                d->size = le32(data + 5);
                have_mem = true;
            } else if (tag == RES_LARGE_EXT_IRQ && !have_irq) {
                if (dlen < 6 || data[1] == 0 || 2 + 4 * (size_t)data[1] > dlen)
                    return "Extended Interrupt descriptor is malformed";
                d->irq = le32(data + 2);
                have_irq = true;
            }
            p += 3 + dlen;
        } else {
            size_t dlen = tag & 7;
            unsigned type = (tag >> 3) & 0x0F;
            if (dlen > rlen - p - 1)
                return "resource template: descriptor runs past the buffer";
            if (type == RES_SMALL_IRQ && !have_irq) {
                if (dlen != 2 && dlen != 3)
                    return "IRQ descriptor has the wrong length";
                uint32_t mask = le16(r + p + 1);
                if (mask == 0)
                    return "IRQ descriptor names no IRQ";
                unsigned irq = 0;
                while (!(mask & (1u << irq)))
                    irq++;
                d->irq = irq;
                have_irq = true;
            } else if (type == RES_SMALL_END) {
                have_end = true;
            }
            p += 1 + dlen;
        }
    }
    if (!have_end)
        return "resource template has no End Tag";
    if (!have_mem)
        return "_CRS has no Memory32Fixed range";
    if (!have_irq)
        return "_CRS has no interrupt";
    return NULL;
}

static bool overlaps(const struct virtio_mmio_desc *a, const struct virtio_mmio_desc *b)
{
    return a->base < b->base + b->size && b->base < a->base + a->size;
}

/* A DeviceOp candidate at pos (DefDevice := DeviceOp PkgLength NameString
 * TermList, 20.2.5.2). */
static void try_device(struct scan *s, size_t pos, struct virtio_mmio_desc *out, unsigned *n,
                       unsigned max, unsigned *added)
{
    const uint8_t *a = s->aml;
    size_t body, end, name_end;
    char name[5];
    if (!pkg_length(a, pos + 2, s->len, &body, &end)) {
        /* With a real name after it this is a device whose length is wrong
         * (a truncated or corrupt table); else just two bytes of data. */
        size_t at = pos + 3 + (a[pos + 2] >> 6);
        if (at < s->len && name_string(a, at, s->len, &name_end, name) && name[0] != '\0')
            kprintf("virtio-mmio: %s: Device %s at offset %#zx: its length is malformed or runs "
                    "past the end of the table; skipped\n",
                    s->table, name, pos);
        return;
    }
    if (!name_string(a, body, end, &name_end, name) || name[0] == '\0')
        return; /* not a device */
    struct named hid = {0}, cid = {0}, sta = {0}, crs = {0};
    walk_body(s, name_end, end, &hid, &cid, &sta, &crs);
    bool ours = (hid.found && !hid.is_method && id_matches(a, hid.start, hid.end)) ||
                (cid.found && !cid.is_method && cid_matches(a, cid.start, cid.end));
    if (!ours)
        return;
    uint64_t status;
    if (sta.found && !sta.is_method && integer_value(a, sta.start, sta.end, &status) &&
        !(status & 1))
        return; /* _STA says not present (6.3.7) */
    if (!crs.found) {
        report(s, name, "no _CRS");
        return;
    }
    if (crs.is_method) {
        report(s, name, "_CRS is a method (not supported: no AML interpreter)");
        return;
    }
    struct virtio_mmio_desc d;
    memset(&d, 0, sizeof d);
    memcpy(d.name, name, sizeof d.name);
    const char *why = decode_crs(a, crs.start, crs.end, &d);
    if (why != NULL) {
        report(s, name, "%s", why);
        return;
    }
    char err[96];
    if (virtio_mmio_check(&d, err, sizeof err) != 0) {
        report(s, name, "%s", err);
        return;
    }
    for (unsigned i = 0; i < *n; i++) {
        if (overlaps(&d, &out[i])) {
            report(s, name, "its range overlaps the device at %#llx",
                   (unsigned long long)out[i].base);
            return;
        }
    }
    if (*n >= max) {
        report(s, name, "more than %u devices", max);
        return;
    }
    out[(*n)++] = d;
    (*added)++;
}

unsigned virtio_mmio_scan_aml(const uint8_t *aml, size_t len, const char *table,
                              struct virtio_mmio_desc *out, unsigned *n, unsigned max)
{
    struct scan s = {aml, len, table, (uint64_t)len * WORK_PER_BYTE + 4096};
    unsigned added = 0;
    for (size_t i = 0; i + 3 < len; i++) {
        if (aml[i] != OP_EXT || aml[i + 1] != EXT_DEVICE)
            continue;
        if (s.work_left == 0) {
            kprintf("virtio-mmio: %s: too many device candidates; scan stopped at offset %#zx\n",
                    table, i);
            break;
        }
        try_device(&s, i, out, n, max, &added);
    }
    return added;
}
