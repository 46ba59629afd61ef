/* core/aml.h. Every DeviceOp (0x5B 0x82) in the block is a candidate: its
 * PkgLength and NameString are decoded and checked, then the top level of its
 * body is walked for Name (_HID / _CID / _STA / _CRS) declarations whose
 * values are data objects (strings, integers, buffers, packages); nested
 * packages (methods, devices, scopes, If/Else) are skipped by their
 * PkgLength. A _CRS buffer's resource template is decoded with every length
 * checked. The work is bounded: a block crafted with a DeviceOp at every
 * other byte must not take quadratic time. */
#include "core/aml.h"

#include <stdarg.h>
#include "klib/format.h"
#include <string.h>

#include "core/aml_decode.h"
#include "core/log.h"
#include "core/unaligned.h"

/* Resource descriptors (6.4.2 small, 6.4.3 large). */
#define RES_SMALL_IRQ 0x04
#define RES_SMALL_IO 0x08
#define RES_SMALL_FIXED_IO 0x09
#define RES_SMALL_END 0x0F
#define RES_LARGE_MEMORY32 0x85
#define RES_LARGE_MEMORY32_FIXED 0x86
#define RES_LARGE_DWORD_SPACE 0x87
#define RES_LARGE_EXT_IRQ 0x89
#define RES_LARGE_QWORD_SPACE 0x8A
#define SPACE_MEMORY 0 /* Address Space Descriptor resource type (6.4.3.5) */

#define WORK_PER_BYTE 64

struct scan {
    const uint8_t *aml;
    size_t len;
    const char *table, *who;
    uint64_t work_left;
};

/* One "Name (X, value)" of interest inside a device body: where its data
 * object starts and ends. */
struct named {
    bool found, is_method;
    size_t start, end;
};

static void vreport(const char *who, const char *table, const char *dev, const char *fmt,
                    va_list ap)
{
    char msg[120];
    kvsnprintf(msg, sizeof msg, fmt, ap);
    kprintf("%s: %s device %s: %s; skipped\n", who, table, dev, msg);
}

static void report(const struct scan *s, const char *dev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(const struct scan *s, const char *dev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(s->who, s->table, dev, fmt, ap);
    va_end(ap);
}

void aml_skip(const struct aml_device *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(d->who, d->table, d->name, fmt, ap);
    va_end(ap);
}

/* Is the ID object at [pos, end) (a String or an EISA ID integer) id? */
static bool id_matches(const uint8_t *a, size_t pos, size_t end, const char *id)
{
    if (a[pos] == OP_STRING) {
        size_t n = end - pos - 2; /* without prefix and NUL */
        return n == strlen(id) && memcmp(a + pos + 1, id, n) == 0;
    }
    uint64_t v;
    if (aml_integer_value(a, pos, end, &v) && v <= UINT32_MAX) {
        char eisa[8];
        aml_eisa_id((uint32_t)v, eisa);
        return strcmp(eisa, id) == 0;
    }
    return false;
}

/* _CID may also be a Package of IDs (6.1.2). */
static bool cid_matches(const uint8_t *a, size_t pos, size_t end, const char *id)
{
    if (a[pos] != OP_PACKAGE)
        return id_matches(a, pos, end, id);
    size_t body, pend;
    if (!aml_pkg_ok(a, pos + 1, end, &body, &pend) || body >= pend)
        return false;
    size_t p = body + 1; /* NumElements */
    while (p < pend) {
        size_t n = aml_data_object(a, p, pend);
        if (n == 0)
            return false;
        if (id_matches(a, p, p + n, id))
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

/* Walks the top level of a device body for the names this reader needs. */
static void walk_body(struct scan *s, size_t pos, size_t end, struct named *hid, struct named *cid,
                      struct named *sta, struct named *crs)
{
    const uint8_t *a = s->aml;
    while (pos < end) {
        if (s->work_left == 0)
            return;
        s->work_left--;
        size_t len_at, body, pend;
        if (a[pos] == OP_NAME && end - pos >= 5 && aml_name_seg(a + pos + 1)) {
            size_t obj = pos + 5;
            size_t n = aml_data_object(a, obj, end);
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
        } else if (pkg_opcode(a, pos, end, &len_at) && aml_pkg_ok(a, len_at, end, &body, &pend)) {
            /* A method named _CRS/_HID/_STA computes its value: noted, not run. */
            if (a[pos] == OP_METHOD && pend - body >= 4 && aml_name_seg(a + body)) {
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

static void add_mem(struct aml_resources *r, uint64_t base, uint64_t size)
{
    if (r->nmem < AML_MAX_RESOURCES)
        r->mem[r->nmem++] = (struct aml_mem){base, size};
}

static void add_irq(struct aml_resources *r, uint32_t n, bool level, bool low)
{
    if (r->nirq < AML_MAX_RESOURCES)
        r->irq[r->nirq++] = (struct aml_irq){n, level, low};
}

/* One large descriptor (6.4.3). Returns NULL or a reason. */
static const char *large_item(uint8_t tag, const uint8_t *d, size_t len, struct aml_resources *r)
{
    switch (tag) {
    case RES_LARGE_MEMORY32_FIXED: /* info, base, length */
        if (len != 9)
            return "Memory32Fixed descriptor has the wrong length";
        add_mem(r, rd32(d + 1), rd32(d + 5));
        return NULL;
    case RES_LARGE_MEMORY32: /* info, min, max, alignment, length */
        if (len != 17)
            return "Memory32 descriptor has the wrong length";
        add_mem(r, rd32(d + 1), rd32(d + 13));
        return NULL;
    case RES_LARGE_DWORD_SPACE: /* type, flags, flags, granularity, min, max, offset, length */
        if (len < 23)
            return "DWord address space descriptor is too short";
        if (d[0] == SPACE_MEMORY)
            add_mem(r, rd32(d + 7), rd32(d + 19));
        return NULL;
    case RES_LARGE_QWORD_SPACE:
        if (len < 43)
            return "QWord address space descriptor is too short";
        if (d[0] == SPACE_MEMORY)
            add_mem(r, rd64(d + 11), rd64(d + 35));
        return NULL;
    case RES_LARGE_EXT_IRQ: { /* flags, count, interrupts (6.4.3.6) */
        if (len < 6 || d[1] == 0 || 2 + 4 * (size_t)d[1] > len)
            return "Extended Interrupt descriptor is malformed";
        bool level = !(d[0] & 2), low = d[0] & 4;
        for (unsigned i = 0; i < d[1]; i++)
            add_irq(r, rd32(d + 2 + 4 * i), level, low);
        return NULL;
    }
    default:
        return NULL; /* not one we need */
    }
}

/* One small descriptor (6.4.2). Returns NULL or a reason. */
static const char *small_item(unsigned type, const uint8_t *d, size_t len, struct aml_resources *r)
{
    switch (type) {
    case RES_SMALL_IRQ: { /* mask, optional flags (6.4.2.1) */
        if (len != 2 && len != 3)
            return "IRQ descriptor has the wrong length";
        uint32_t mask = rd16(d);
        if (mask == 0)
            return "IRQ descriptor names no IRQ";
        unsigned irq = 0;
        while (!(mask & (1u << irq)))
            irq++;
        /* Without the flags byte: edge-triggered, active high. */
        bool level = len == 3 && !(d[2] & 1), low = len == 3 && (d[2] & 8);
        add_irq(r, irq, level, low);
        return NULL;
    }
    case RES_SMALL_IO: /* info, min, max, alignment, length (6.4.2.5) */
        if (len != 7)
            return "IO descriptor has the wrong length";
        if (r->nio < AML_MAX_RESOURCES)
            r->io[r->nio++] = (struct aml_io){(uint16_t)rd16(d + 1), d[6]};
        return NULL;
    case RES_SMALL_FIXED_IO: /* base (10 bits), length (6.4.2.6) */
        if (len != 3)
            return "FixedIO descriptor has the wrong length";
        if (r->nio < AML_MAX_RESOURCES)
            r->io[r->nio++] = (struct aml_io){(uint16_t)(rd16(d) & 0x3FF), d[2]};
        return NULL;
    default:
        return NULL;
    }
}

/* Decodes a _CRS resource template (6.4) into r. Returns NULL or a reason. */
static const char *decode_crs(const uint8_t *a, size_t pos, size_t end, struct aml_resources *r)
{
    if (a[pos] != OP_BUFFER)
        return "_CRS is not a Buffer";
    size_t body, bend;
    if (!aml_pkg_ok(a, pos + 1, end, &body, &bend))
        return "_CRS buffer length is malformed";
    size_t n = aml_data_object(a, body, bend);
    uint64_t declared;
    if (n == 0 || !aml_integer_value(a, body, body + n, &declared))
        return "_CRS buffer size is not a constant";
    const uint8_t *t = a + body + n;
    size_t tlen = bend - (body + n);
    if (declared < tlen) /* the initializer may not exceed the buffer (19.6.10) */
        tlen = (size_t)declared;

    size_t p = 0;
    while (p < tlen) {
        uint8_t tag = t[p];
        const char *why;
        if (tag & 0x80) {
            if (tlen - p < 3)
                return "resource template: truncated large descriptor";
            size_t dlen = rd16(t + p + 1);
            if (dlen > tlen - p - 3)
                return "resource template: descriptor runs past the buffer";
            if ((why = large_item(tag, t + p + 3, dlen, r)) != NULL)
                return why;
            p += 3 + dlen;
        } else {
            size_t dlen = tag & 7;
            unsigned type = (tag >> 3) & 0x0F;
            if (dlen > tlen - p - 1)
                return "resource template: descriptor runs past the buffer";
            if (type == RES_SMALL_END)
                return NULL;
            if ((why = small_item(type, t + p + 1, dlen, r)) != NULL)
                return why;
            p += 1 + dlen;
        }
    }
    return "resource template has no End Tag";
}

/* A DeviceOp candidate at pos (DefDevice := DeviceOp PkgLength NameString
 * TermList, 20.2.5.2). Returns true when found() was called. */
static bool try_device(struct scan *s, size_t pos, const char *id,
                       void (*found)(const struct aml_device *d, void *ctx), void *ctx)
{
    const uint8_t *a = s->aml;
    size_t body, end, name_end;
    char name[5];
    if (!aml_pkg_ok(a, pos + 2, s->len, &body, &end)) {
        /* With a real name after it this is a device whose length is wrong
         * (a truncated or corrupt table); else just two bytes of data. */
        size_t at = pos + 3 + (a[pos + 2] >> 6);
        if (at < s->len && aml_name_string(a, at, s->len, &name_end, name) && name[0] != '\0')
            kprintf("%s: %s: Device %s at offset %#zx: its length is malformed or runs "
                    "past the end of the table; skipped\n",
                    s->who, s->table, name, pos);
        return false;
    }
    if (!aml_name_string(a, body, end, &name_end, name) || name[0] == '\0')
        return false; /* not a device */
    struct named hid = {0}, cid = {0}, sta = {0}, crs = {0};
    walk_body(s, name_end, end, &hid, &cid, &sta, &crs);
    bool ours = (hid.found && !hid.is_method && id_matches(a, hid.start, hid.end, id)) ||
                (cid.found && !cid.is_method && cid_matches(a, cid.start, cid.end, id));
    if (!ours)
        return false;
    uint64_t status;
    if (sta.found && !sta.is_method && aml_integer_value(a, sta.start, sta.end, &status) &&
        !(status & 1))
        return false; /* _STA says not present (6.3.7) */
    if (!crs.found) {
        report(s, name, "no _CRS");
        return false;
    }
    if (crs.is_method) {
        report(s, name, "_CRS is a method (not supported: no AML interpreter)");
        return false;
    }
    struct aml_device d;
    memset(&d, 0, sizeof d);
    memcpy(d.name, name, sizeof d.name);
    d.table = s->table;
    d.who = s->who;
    d.offset = pos;
    const char *why = decode_crs(a, crs.start, crs.end, &d.res);
    if (why != NULL) {
        report(s, name, "%s", why);
        return false;
    }
    found(&d, ctx);
    return true;
}

unsigned aml_find_devices(const uint8_t *aml, size_t len, const char *table, const char *who,
                          const char *id, void (*found)(const struct aml_device *d, void *ctx),
                          void *ctx)
{
    struct scan s = {aml, len, table, who, (uint64_t)len * WORK_PER_BYTE + 4096};
    unsigned calls = 0;
    for (size_t i = 0; i + 3 < len; i++) {
        if (aml[i] != OP_EXT || aml[i + 1] != EXT_DEVICE)
            continue;
        if (s.work_left == 0) {
            kprintf("%s: %s: too many device candidates; scan stopped at offset %#zx\n", who, table,
                    i);
            break;
        }
        calls += try_device(&s, i, id, found, ctx);
    }
    return calls;
}
