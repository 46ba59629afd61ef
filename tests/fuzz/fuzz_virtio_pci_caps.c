/* libFuzzer harness: the virtio-pci capability walk and its checks against
 * the BARs (drivers/virtio/virtio_pci_caps.c, over bus/pci/pci_cap_walk.c)
 * on a configuration space and BARs that are all input.
 *
 * Input: byte 0 bar_bad; six BARs of 6 bytes each (flags: bit 0 I/O, bit 1
 * unassigned; log2 of the size plus one, 0 = no BAR; a 32-bit base shifted
 * left by 12);
 * then the 256 bytes of configuration space (zero-filled when short).
 *
 * Invariants: every region taken comes from a vendor capability reachable
 * on the list, at least 0x40 and dword aligned, whose whole structure lies
 * inside the 256 bytes, of the region's cfg_type; its BAR, offset and length
 * are the capability's bytes; the BAR is an assigned memory BAR not marked
 * bad; offset + length lies inside it without wrapping; the length is at
 * least the type's minimum; the notify multiplier is 0 or an even power of
 * two. The region taken for each type is the first usable one in list order
 * (checked by an independent walk here), the walk stays inside the space,
 * reads a bounded number of bytes and ends.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_virtio_pci_caps.c drivers/virtio/virtio_pci_caps.c bus/pci/pci_cap_walk.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/pci/pci_regs.h"
#include "drivers/virtio/virtio_pci.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

static uint8_t space[256];
static struct pci_bar bars[6];
static uint8_t bar_bad;
static unsigned reads;

static uint8_t rd8(void *ctx, uint16_t off)
{
    (void)ctx;
    if (off >= sizeof space)
        abort(); /* a capability field read past the 256 bytes */
    reads++;
    return space[off];
}

static uint32_t rd32(void *ctx, uint16_t off)
{
    (void)ctx;
    if (off % 4 != 0 || off + 4u > sizeof space)
        abort(); /* virtio_pci_cap's 32-bit fields are dword aligned (4.1.4) */
    reads++;
    return space[off] | (uint32_t)space[off + 1] << 8 | (uint32_t)space[off + 2] << 16 |
           (uint32_t)space[off + 3] << 24;
}

static uint32_t le32(unsigned at)
{
    return space[at] | (uint32_t)space[at + 1] << 8 | (uint32_t)space[at + 2] << 16 |
           (uint32_t)space[at + 3] << 24;
}

/* ---- an independent oracle: the list as written, and what is usable ---- */

static unsigned min_length(uint8_t type)
{
    return type == VPCI_CFG_COMMON   ? VPCI_COMMON_MIN_LENGTH
           : type == VPCI_CFG_NOTIFY ? VPCI_NOTIFY_MIN_LENGTH
           : type == VPCI_CFG_ISR    ? VPCI_ISR_MIN_LENGTH
                                     : 0;
}

static bool usable(uint8_t c)
{
    uint8_t type = space[c + 3];
    unsigned need = type == VPCI_CFG_NOTIFY ? 20 : 16;
    if (space[c + 2] < need || c + need > 256)
        return false;
    uint8_t b = space[c + 4];
    if (b > 5 || (bar_bad >> b & 1) || bars[b].io || bars[b].size == 0 || bars[b].base == 0)
        return false;
    uint64_t off = le32(c + 8), len = le32(c + 12);
    if (len < min_length(type) || off + len > bars[b].size)
        return false;
    if (type == VPCI_CFG_NOTIFY) {
        uint32_t m = le32(c + 16);
        if (m != 0 && (m < 2 || (m & (m - 1)) != 0))
            return false;
    }
    return true;
}

/* The first usable capability of each type 1-4 in list order (0 = none). */
static void oracle(uint8_t first[5])
{
    memset(first, 0, 5);
    if (!(space[PCI_STATUS] & PCI_STATUS_CAP_LIST))
        return;
    bool seen[256] = {false};
    uint8_t p = space[PCI_CAP_PTR] & 0xFC;
    for (unsigned steps = 0; p >= 0x40 && !seen[p] && steps < 48; steps++) {
        seen[p] = true;
        uint8_t type = space[p + 3];
        if (space[p] == PCI_CAP_ID_VENDOR && type >= 1 && type <= 4 && first[type] == 0 &&
            usable(p))
            first[type] = p;
        p = space[p + 1] & 0xFC;
    }
}

static void check_region(const struct vpci_cap_region *r, uint8_t type, uint8_t want_cap)
{
    if (!r->found) {
        if (want_cap != 0 || r->cap != 0)
            abort();
        return;
    }
    uint8_t c = r->cap;
    if (c != want_cap || c < 0x40 || c % 4 != 0 || space[c] != PCI_CAP_ID_VENDOR ||
        space[c + 3] != type)
        abort();
    unsigned need = type == VPCI_CFG_NOTIFY ? 20 : 16;
    if (c + need > 256 || space[c + 2] < need)
        abort();
    if (r->bar != space[c + 4] || r->offset != le32(c + 8) || r->length != le32(c + 12))
        abort();
    const struct pci_bar *b = &bars[r->bar];
    if (r->bar > 5 || (bar_bad >> r->bar & 1) || b->io || b->base == 0 || b->size == 0)
        abort();
    if ((uint64_t)r->offset + r->length > b->size || r->length < min_length(type))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + 6 * 6)
        return 0;
    bar_bad = data[0];
    for (unsigned i = 0; i < 6; i++) {
        const uint8_t *d = data + 1 + 6 * i;
        unsigned lg = d[1] % 40;
        bool io = d[0] & 1;
        uint64_t base = (uint64_t)(d[2] | d[3] << 8 | d[4] << 16 | (uint32_t)d[5] << 24) << 12;
        bars[i] = (struct pci_bar){
            .base = (d[0] & 2) ? 0 : base,
            .size = lg ? 1ull << (lg - 1) : 0,
            .io = io,
        };
    }
    memset(space, 0, sizeof space);
    size_t n = size - 37 < sizeof space ? size - 37 : sizeof space;
    memcpy(space, data + 37, n);

    reads = 0;
    struct vpci_config_access cfg = {rd8, rd32, NULL, space[PCI_HEADER_TYPE]};
    struct vpci_caps caps;
    vpci_parse_caps(&cfg, bars, bar_bad, "fuzz", &caps);
    /* 48 capabilities at most, each walk from the head: bounded. */
    if (reads > 48 * 48 * 2 + 48 * 8 + 64 || caps.vendor_caps > 48)
        abort();

    uint8_t first[5];
    /* CardBus headers keep the pointer elsewhere: compare only types 0/1. */
    if ((space[PCI_HEADER_TYPE] & PCI_HEADER_LAYOUT) == PCI_HEADER_CARDBUS)
        return 0;
    oracle(first);
    check_region(&caps.common, VPCI_CFG_COMMON, first[VPCI_CFG_COMMON]);
    check_region(&caps.notify, VPCI_CFG_NOTIFY, first[VPCI_CFG_NOTIFY]);
    check_region(&caps.isr, VPCI_CFG_ISR, first[VPCI_CFG_ISR]);
    check_region(&caps.device, VPCI_CFG_DEVICE, first[VPCI_CFG_DEVICE]);
    if (caps.notify.found) {
        uint32_t m = caps.notify_multiplier;
        if (m != le32(caps.notify.cap + 16) || (m != 0 && (m < 2 || (m & (m - 1)) != 0)))
            abort();
    }
    return 0;
}
