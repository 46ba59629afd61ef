/* libFuzzer harness: PCI enumeration (bus/pci/pci_scan.c with pci_dev.c and
 * pci_bar.c: bridges, bus numbering, BAR sizing) and the pure PCI logic on
 * what it found (capability walk, MSI-X table placement, INTx routing), over
 * a simulated configuration space that is all input.
 *
 * Input: byte 0 the number of interrupt source overrides (0-3) and bytes
 * 1-18 their ISA IRQ, GSI (2 bytes) and flags (3 bytes each); then records
 * of 154 bytes, one function each: bus, device << 3 | function, six
 * 32-bit masks of the BAR registers' writable bits, and the first 128 bytes
 * of its configuration space (the rest is zero). The first record at a
 * location wins; 16 functions at most.
 *
 * The simulated hardware: BAR registers keep their low type bits and take
 * only the writable bits; the command register and a bridge's bus-number
 * registers are writable; everything else is read-only.
 *
 * Invariants: the scan ends within a bounded number of configuration
 * accesses; every function listed exists at its place, once; a function
 * behind a bridge sits on its secondary bus, whose range lies inside the
 * bridge's and every enclosing bridge's, and the bridge's registers hold
 * that range; the ranges of two bridges are nested or disjoint; every BAR
 * register and command register is back to its value before sizing; a
 * decoded BAR has a power-of-two size equal to the lowest writable address
 * bit of what the register read back, a base aligned to it, and lies inside
 * its address space (64 KiB of ports, 4 GiB for 32-bit memory, no
 * wrap-around); a capability found has the ID asked for at a dword-aligned
 * offset of at least 0x40; an MSI-X table placed lies wholly inside its
 * BAR; INTx routing fails exactly without a pin, for a pin above 4 or a
 * line of 0 or 0xFF, and otherwise yields the line or its override.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_pci_scan.c bus/pci/pci_scan.c bus/pci/pci_dev.c bus/pci/pci_bar.c \
 *     bus/pci/pci_bar_decode.c bus/pci/pci_cap_walk.c bus/pci/pci_format.c \
 *     bus/pci/pci_irq_logic.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

#define MAXF 16
#define RECORD 154
#define IMAGE 128
#define MAX_ACCESSES 200000

struct fn {
    uint8_t bus, dev, fn;
    uint8_t orig[256], cur[256];
    uint32_t mask[6]; /* writable bits of each BAR register */
};

static struct fn fns[MAXF];
static unsigned nfns;
static unsigned long accesses;

static struct fn *find(uint8_t bus, uint8_t dev, uint8_t fn)
{
    for (unsigned i = 0; i < nfns; i++)
        if (fns[i].bus == bus && fns[i].dev == dev && fns[i].fn == fn)
            return &fns[i];
    return NULL;
}

static unsigned layout(const struct fn *f)
{
    return f->orig[PCI_HEADER_TYPE] & PCI_HEADER_LAYOUT;
}

/* BAR register index for an offset, -1 when not a BAR of this header. */
static int bar_reg(const struct fn *f, uint16_t off)
{
    unsigned n = layout(f) == PCI_HEADER_ENDPOINT ? 6 : layout(f) == PCI_HEADER_BRIDGE ? 2 : 0;
    if (off < PCI_BAR0 || off >= PCI_BAR0 + 4 * n)
        return -1;
    return (off - PCI_BAR0) / 4;
}

uint32_t pci_config_read(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                         unsigned size)
{
    if (++accesses > MAX_ACCESSES)
        abort(); /* the scan must end */
    if ((size != 1 && size != 2 && size != 4) || off % size != 0)
        abort(); /* the kernel's accessors only ask for these */
    struct fn *f = segment == 0 ? find(bus, dev, fn) : NULL;
    if (f == NULL || off >= 256)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)f->cur[off + i] << (8 * i);
    return v;
}

void pci_config_write(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                      unsigned size, uint32_t v)
{
    if (++accesses > MAX_ACCESSES)
        abort();
    if ((size != 1 && size != 2 && size != 4) || off % size != 0)
        abort();
    struct fn *f = segment == 0 ? find(bus, dev, fn) : NULL;
    if (f == NULL || off >= 256)
        return;
    int r = bar_reg(f, off);
    if (r >= 0) {
        if (size != 4)
            abort(); /* BARs are sized with dword accesses */
        uint32_t old = f->cur[off] | (uint32_t)f->cur[off + 1] << 8 |
                       (uint32_t)f->cur[off + 2] << 16 | (uint32_t)f->cur[off + 3] << 24;
        uint32_t now = (old & ~f->mask[r]) | (v & f->mask[r]);
        for (unsigned i = 0; i < 4; i++)
            f->cur[off + i] = (uint8_t)(now >> (8 * i));
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        unsigned at = off + i;
        bool writable = at == PCI_COMMAND || at == PCI_COMMAND + 1 ||
                        (layout(f) == PCI_HEADER_BRIDGE && at >= PCI_BRIDGE_PRIMARY_BUS &&
                         at <= PCI_BRIDGE_SUBORDINATE_BUS);
        if (writable)
            f->cur[at] = (uint8_t)(v >> (8 * i));
    }
}

enum pci_mech pci_config_mech(uint16_t segment, uint8_t bus)
{
    (void)bus;
    return segment == 0 ? PCI_MECH_PORT : PCI_MECH_NONE;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The size a BAR of f decodes to, from what its register reads back after
 * all ones were written (PCI 3.0, 6.2.5.1), computed here on its own. */
static uint64_t expected_size(const struct fn *f, unsigned i, bool *is64)
{
    uint32_t orig = le32(f->orig + PCI_BAR0 + 4 * i);
    uint32_t rb = (orig & ~f->mask[i]) | f->mask[i];
    *is64 = false;
    if (orig & PCI_BAR_IO) {
        uint64_t m = rb & ~3u;
        if (m == 0)
            return 0;
        if ((m & 0xFFFF0000u) == 0)
            m |= 0xFFFF0000u;
        return m & (~m + 1);
    }
    uint64_t m = rb & ~0xFu;
    if ((orig & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_TYPE_64) {
        *is64 = true;
        uint32_t orig_hi = le32(f->orig + PCI_BAR0 + 4 * (i + 1));
        uint32_t rb_hi = (orig_hi & ~f->mask[i + 1]) | f->mask[i + 1];
        m |= (uint64_t)rb_hi << 32;
    }
    return m & (~m + 1);
}

static void check_bars(const struct pci_dev *d, const struct fn *f)
{
    unsigned n = layout(f) == PCI_HEADER_ENDPOINT ? 6 : layout(f) == PCI_HEADER_BRIDGE ? 2 : 0;
    /* Sizing put every register back, and the command register. */
    for (unsigned i = 0; i < n; i++)
        if (memcmp(f->cur + PCI_BAR0 + 4 * i, f->orig + PCI_BAR0 + 4 * i, 4) != 0)
            abort();
    if (memcmp(f->cur + PCI_COMMAND, f->orig + PCI_COMMAND, 2) != 0)
        abort();
    for (unsigned i = 0; i < 6; i++) {
        const struct pci_bar *b = &d->bar[i];
        if (i >= n || (d->bar_bad & (1u << i))) {
            if (b->size != 0 || b->base != 0)
                abort();
            continue;
        }
        if (b->size == 0)
            continue;
        if ((b->size & (b->size - 1)) != 0 || b->base % b->size != 0 || b->base + b->size < b->base)
            abort();
        if (b->io && b->base + b->size > 0x10000)
            abort();
        if (!b->io && !b->is64 && b->base + b->size > (1ull << 32))
            abort();
        bool is64;
        uint64_t want = expected_size(f, i, &is64);
        if (b->size != want || b->is64 != is64)
            abort();
    }
}

static void check_caps(const struct pci_dev *d, const struct fn *f)
{
    static const uint8_t ids[] = {PCI_CAP_ID_PM, PCI_CAP_ID_MSI, PCI_CAP_ID_VENDOR, PCI_CAP_ID_PCIE,
                                  PCI_CAP_ID_MSIX};
    for (unsigned k = 0; k < sizeof ids; k++) {
        uint8_t c = pci_find_capability(d, ids[k], 0);
        if (c != 0 && (c < PCI_CAP_FIRST || c % 4 != 0 || f->cur[c] != ids[k]))
            abort();
        uint8_t next = c ? pci_find_next_capability(d, ids[k], c) : 0;
        if (next != 0 && (next < PCI_CAP_FIRST || next % 4 != 0 || f->cur[next] != ids[k]))
            abort();
    }
    uint8_t x = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
    if (x == 0 || x > 0xF4)
        return;
    uint16_t ctrl =
        (uint16_t)(f->cur[x + PCI_MSIX_CONTROL] | f->cur[x + PCI_MSIX_CONTROL + 1] << 8);
    uint32_t table = le32(f->cur + x + PCI_MSIX_TABLE);
    uint64_t addr;
    unsigned entries;
    const char *why;
    if (pci_msix_table(table, ctrl, d->bar, &addr, &entries, &why) != 0) {
        if (why == NULL)
            abort();
        return;
    }
    const struct pci_bar *b = &d->bar[table & PCI_MSIX_BIR];
    if ((table & PCI_MSIX_BIR) > 5 || b->io || b->base == 0 || addr < b->base ||
        addr - b->base + (uint64_t)entries * PCI_MSIX_ENTRY_SIZE > b->size ||
        entries != (ctrl & PCI_MSIX_CTRL_SIZE) + 1u)
        abort();
}

static void check_intx(const struct pci_dev *d, const struct acpi_irq_override *ov, unsigned nov)
{
    struct pci_intx_route r;
    const char *why = NULL;
    int rc = pci_intx_route(d->irq_pin, d->irq_line, ov, nov, &r, &why);
    bool bad = d->irq_pin == 0 || d->irq_pin > 4 || d->irq_line == 0 || d->irq_line == 0xFF;
    if ((rc != 0) != bad || (rc != 0 && why == NULL))
        abort();
    if (rc != 0)
        return;
    if (d->irq_line >= 16) {
        if (r.gsi != d->irq_line || !r.level || !r.active_low)
            abort();
        return;
    }
    const struct acpi_irq_override *o = NULL;
    for (unsigned i = 0; i < nov && o == NULL; i++)
        if (ov[i].isa_irq == d->irq_line)
            o = &ov[i];
    if (r.gsi != (o ? o->gsi : d->irq_line))
        abort();
}

static bool is_ancestor(const struct pci_dev *a, const struct pci_dev *d)
{
    for (const struct pci_dev *p = d->parent; p; p = p->parent)
        if (p == a)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 19)
        return 0;
    struct acpi_irq_override ov[3];
    unsigned nov = data[0] % 4;
    for (unsigned i = 0; i < 3; i++)
        ov[i] = (struct acpi_irq_override){data[1 + 6 * i],
                                           (uint32_t)(data[2 + 6 * i] | data[3 + 6 * i] << 8),
                                           (uint16_t)(data[4 + 6 * i] | data[5 + 6 * i] << 8)};
    nfns = 0;
    for (size_t at = 19; at < size && nfns < MAXF; at += RECORD) {
        uint8_t rec[RECORD] = {0};
        memcpy(rec, data + at, size - at < RECORD ? size - at : RECORD);
        uint8_t bus = rec[0], dev = rec[1] >> 3, fn = rec[1] & 7;
        if (find(bus, dev, fn))
            continue;
        struct fn *f = &fns[nfns++];
        memset(f, 0, sizeof *f);
        f->bus = bus;
        f->dev = dev;
        f->fn = fn;
        memcpy(f->orig, rec + 2 + 24, IMAGE);
        for (unsigned i = 0; i < 6; i++) {
            uint32_t m = le32(rec + 2 + 4 * i);
            uint32_t orig = le32(f->orig + PCI_BAR0 + 4 * i);
            /* The type bits never change: I/O bits 1:0, memory bits 3:0. */
            f->mask[i] = m & ((orig & PCI_BAR_IO) ? ~3u : ~0xFu);
        }
        memcpy(f->cur, f->orig, sizeof f->cur);
    }
    accesses = 0;
    struct pci_root root = {0, 0, 255};
    pci_scan(&root, 1);

    unsigned count = 0;
    for (struct pci_dev *d = pci_scan_first(); d; d = d->scan_next, count++) {
        const struct fn *f = find(d->bus, d->slot, d->fn);
        if (f == NULL || count >= nfns)
            abort(); /* listed but not there, or listed twice */
        for (struct pci_dev *e = d->scan_next; e; e = e->scan_next)
            if (e->bus == d->bus && e->slot == d->slot && e->fn == d->fn)
                abort();
        if (d->vendor != (f->orig[0] | f->orig[1] << 8) || d->irq_pin > 4)
            abort();
        const struct pci_dev *p = d->parent;
        if (p == NULL) {
            if (d->bus != root.bus_start)
                abort();
        } else {
            if (p->header_type != PCI_HEADER_BRIDGE || d->bus != p->secondary_bus ||
                p->secondary_bus <= p->bus || p->subordinate_bus < p->secondary_bus)
                abort();
            const struct fn *pf = find(p->bus, p->slot, p->fn);
            if (pf == NULL || pf->cur[PCI_BRIDGE_SECONDARY_BUS] != p->secondary_bus ||
                pf->cur[PCI_BRIDGE_SUBORDINATE_BUS] != p->subordinate_bus)
                abort();
            for (const struct pci_dev *a = p->parent; a; a = a->parent)
                if (p->secondary_bus < a->secondary_bus || p->subordinate_bus > a->subordinate_bus)
                    abort();
        }
        check_bars(d, f);
        check_caps(d, f);
        check_intx(d, ov, nov);
    }
    /* Two bridges with something behind them: nested or disjoint ranges. */
    for (struct pci_dev *a = pci_scan_first(); a; a = a->scan_next)
        for (struct pci_dev *b = a->scan_next; b; b = b->scan_next) {
            bool a_used = false, b_used = false;
            for (struct pci_dev *d = pci_scan_first(); d; d = d->scan_next) {
                a_used |= d->parent == a;
                b_used |= d->parent == b;
            }
            if (!a_used || !b_used)
                continue;
            bool disjoint =
                a->subordinate_bus < b->secondary_bus || b->subordinate_bus < a->secondary_bus;
            if (!disjoint && !is_ancestor(a, b) && !is_ancestor(b, a))
                abort();
        }
    if (count != pci_count())
        abort();
    pci_scan_release();
    return 0;
}
