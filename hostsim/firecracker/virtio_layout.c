/* Firecracker's virtio-mmio layout and announcements: see virtio_layout.h.
 * AML encodings from ACPI 6.5 chapter 20 (ScopeOp 0x10, DeviceOp 0x5B 0x82,
 * NameOp 0x08, BufferOp 0x11, StringPrefix 0x0D, BytePrefix 0x0A,
 * DWordPrefix 0x0C, PkgLength) and the resource descriptors of 6.4.3
 * (Fixed Memory Range 0x86, Extended Interrupt 0x89, End Tag 0x79). */
#include <stdio.h>
#include <string.h>

#include "hostsim/firecracker/virtio_layout.h"

struct fc_virtio_slot fc_virtio_slot(unsigned i)
{
    return (struct fc_virtio_slot){.base = FC_VIRTIO_MMIO_START + i * FC_VIRTIO_MMIO_SIZE,
                                   .gsi = FC_VIRTIO_FIRST_GSI + i};
}

/* linux-loader writes the size with the largest unit that divides it. */
static int format_size(char *out, size_t outsz, uint64_t size)
{
    if (size % (1ull << 30) == 0)
        return snprintf(out, outsz, "%lluG", (unsigned long long)(size >> 30));
    if (size % (1ull << 20) == 0)
        return snprintf(out, outsz, "%lluM", (unsigned long long)(size >> 20));
    if (size % (1ull << 10) == 0)
        return snprintf(out, outsz, "%lluK", (unsigned long long)(size >> 10));
    return snprintf(out, outsz, "%llu", (unsigned long long)size);
}

int fc_virtio_cmdline_args(unsigned n, int root, char *out, size_t outsz)
{
    size_t used = 0;
    int w;
    if (outsz == 0)
        return -1;
    out[0] = '\0';
    if (root != 0) {
        w = snprintf(out, outsz, "root=/dev/vda %s", root == 2 ? "ro" : "rw");
        if (w < 0 || (size_t)w >= outsz)
            return -1;
        used = (size_t)w;
    }
    for (unsigned i = 0; i < n; i++) {
        struct fc_virtio_slot s = fc_virtio_slot(i);
        char size[24];
        format_size(size, sizeof size, FC_VIRTIO_MMIO_SIZE);
        w = snprintf(out + used, outsz - used, "%svirtio_mmio.device=%s@0x%llx:%u", used ? " " : "",
                     size, (unsigned long long)s.base, s.gsi);
        if (w < 0 || (size_t)w >= outsz - used)
            return -1;
        used += (size_t)w;
    }
    return (int)used;
}

/* ---- a small AML writer ---- */

struct aml {
    uint8_t *p;
    size_t cap, len;
    bool overflow;
};

static void put(struct aml *a, const void *src, size_t n)
{
    if (n > a->cap - a->len) {
        a->overflow = true;
        return;
    }
    memcpy(a->p + a->len, src, n);
    a->len += n;
}

static void put8(struct aml *a, uint8_t v)
{
    put(a, &v, 1);
}

static void put32(struct aml *a, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(a, b, 4);
}

/* PkgLength (ACPI 20.2.4) for `body` bytes that follow it: the encoded
 * value counts the PkgLength bytes too. */
static void put_pkglength(struct aml *a, size_t body)
{
    if (body + 1 < 0x40) {
        put8(a, (uint8_t)(body + 1));
        return;
    }
    for (unsigned extra = 1; extra <= 3; extra++) {
        size_t v = body + 1 + extra;
        if (v < (1ull << (4 + 8 * extra))) {
            put8(a, (uint8_t)((extra << 6) | (v & 0x0F)));
            for (unsigned i = 0; i < extra; i++)
                put8(a, (uint8_t)(v >> (4 + 8 * i)));
            return;
        }
    }
    a->overflow = true;
}

/* Appends `op` + PkgLength + the bytes built so far in `inner`. */
static void put_package(struct aml *a, const uint8_t *op, size_t oplen, const struct aml *inner)
{
    if (inner->overflow) {
        a->overflow = true;
        return;
    }
    put(a, op, oplen);
    put_pkglength(a, inner->len);
    put(a, inner->p, inner->len);
}

static void put_integer(struct aml *a, uint32_t v)
{
    if (v == 0) {
        put8(a, 0x00); /* ZeroOp */
    } else if (v == 1) {
        put8(a, 0x01); /* OneOp */
    } else if (v <= 0xFF) {
        put8(a, 0x0A);
        put8(a, (uint8_t)v);
    } else {
        put8(a, 0x0C);
        put32(a, v);
    }
}

static void put_name(struct aml *a, const char seg[4])
{
    put8(a, 0x08); /* NameOp */
    put(a, seg, 4);
}

/* Device (Vnnn) { _HID "LNRO0005", _UID n, _CRS {Memory32Fixed, Interrupt} } */
static void put_device(struct aml *a, unsigned i)
{
    struct fc_virtio_slot s = fc_virtio_slot(i);
    uint8_t dev_buf[128], crs_buf[64];
    struct aml dev = {dev_buf, sizeof dev_buf, 0, false};
    struct aml crs = {crs_buf, sizeof crs_buf, 0, false};

    /* Fixed Memory Range Descriptor (6.4.3.4): read-write, base, length. */
    put8(&crs, 0x86);
    put8(&crs, 9);
    put8(&crs, 0);
    put8(&crs, 1); /* read-write */
    put32(&crs, (uint32_t)s.base);
    put32(&crs, (uint32_t)FC_VIRTIO_MMIO_SIZE);
    /* Extended Interrupt Descriptor (6.4.3.6): consumer, edge, active-high,
     * exclusive; one interrupt number. */
    put8(&crs, 0x89);
    put8(&crs, 6);
    put8(&crs, 0);
    put8(&crs, 0x01 | 0x02); /* consumer | edge-triggered */
    put8(&crs, 1);           /* table length */
    put32(&crs, s.gsi);
    put8(&crs, 0x79); /* End Tag, checksum 0 */
    put8(&crs, 0);

    char seg[5];
    snprintf(seg, sizeof seg, "V%03u", i % 1000);
    static const char hid[] = "LNRO0005";
    put_name(&dev, "_HID");
    put8(&dev, 0x0D);           /* StringPrefix */
    put(&dev, hid, sizeof hid); /* with its NUL */
    put_name(&dev, "_UID");
    put_integer(&dev, i);
    put_name(&dev, "_CRS");
    uint8_t buf_body[80];
    struct aml body = {buf_body, sizeof buf_body, 0, false};
    put_integer(&body, (uint32_t)crs.len); /* BufferSize */
    put(&body, crs.p, crs.len);
    static const uint8_t buffer_op[] = {0x11};
    put_package(&dev, buffer_op, sizeof buffer_op, &body);

    uint8_t device_op[6] = {0x5B, 0x82};
    /* DeviceOp PkgLength NameSeg TermList: the name belongs inside. */
    uint8_t named_buf[160];
    struct aml named = {named_buf, sizeof named_buf, 0, false};
    put(&named, seg, 4);
    put(&named, dev.p, dev.len);
    named.overflow |= dev.overflow;
    put_package(a, device_op, 2, &named);
}

size_t fc_virtio_dsdt(unsigned n, uint8_t *buf, size_t cap)
{
    if (n == 0)
        return 0;
    uint8_t inner_buf[160 * FC_VIRTIO_MAX_DEVICES + 16];
    struct aml inner = {inner_buf, sizeof inner_buf, 0, false};
    put(&inner, "\\_SB_", 5); /* RootChar + NameSeg */
    for (unsigned i = 0; i < n; i++)
        put_device(&inner, i);
    struct aml out = {buf, cap, 0, false};
    static const uint8_t scope_op[] = {0x10};
    put_package(&out, scope_op, sizeof scope_op, &inner);
    return out.overflow ? 0 : out.len;
}
