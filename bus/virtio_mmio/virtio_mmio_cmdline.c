/* virtio_mmio.device=<size>@<baseaddr>:<irq>[:<id>] from the kernel command
 * line, in Linux's syntax (Documentation/admin-guide/kernel-parameters.txt):
 * size is a number with an optional K, M or G suffix (binary multiples),
 * base a number in C notation (0x hex, leading 0 octal, else decimal), irq
 * and id decimal. Firecracker writes `4K@0xc0001000:5`, QEMU microvm with
 * acpi=off `512@0xfeb00e00:12`. Pure logic: the values come from the VMM and
 * are checked, never trusted. */
#include "bus/virtio_mmio/virtio_mmio.h"

#include <stdarg.h>
#include "klib/format.h"
#include <string.h>

#include "core/log.h"

#define KEY "virtio_mmio.device"

static int reject(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reject(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errlen != 0)
        kvsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* Parses an unsigned number at *s in base (0 = C notation). Returns 0 and
 * advances *s, or -1 when there are no digits or the value overflows. */
static int parse_number(const char **s, unsigned base, uint64_t *out)
{
    const char *p = *s;
    if (base == 0) {
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            base = 16;
            p += 2;
        } else if (p[0] == '0' && digit_value(p[1]) < 8) {
            base = 8;
            p++;
        } else {
            base = 10;
        }
    }
    uint64_t v = 0;
    const char *start = p;
    for (; (unsigned)digit_value(*p) < base; p++) {
        unsigned d = (unsigned)digit_value(*p);
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    if (p == start)
        return -1;
    *s = p;
    *out = v;
    return 0;
}

int virtio_mmio_parse_device(const char *value, struct virtio_mmio_desc *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen != 0)
        err[0] = '\0';
    if (value == NULL || value[0] == '\0')
        return reject(err, errlen, "empty value");
    const char *p = value;

    uint64_t size;
    if (parse_number(&p, 0, &size) != 0)
        return reject(err, errlen, "size is not a number (want <size>@<base>:<irq>)");
    unsigned shift = 0;
    switch (*p) {
    case 'K':
    case 'k':
        shift = 10;
        p++;
        break;
    case 'M':
    case 'm':
        shift = 20;
        p++;
        break;
    case 'G':
    case 'g':
        shift = 30;
        p++;
        break;
    default:
        break;
    }
    if (shift != 0) {
        if (size > (UINT64_MAX >> shift))
            return reject(err, errlen, "size overflows");
        size <<= shift;
    }
    if (*p != '@')
        return reject(err, errlen, "expected '@' after the size at column %llu",
                      (unsigned long long)(p - value + 1));
    p++;

    uint64_t base;
    if (parse_number(&p, 0, &base) != 0)
        return reject(err, errlen, "base address is not a number or overflows");
    if (*p != ':')
        return reject(err, errlen, "expected ':' after the base address at column %llu",
                      (unsigned long long)(p - value + 1));
    p++;

    uint64_t irq;
    if (parse_number(&p, 10, &irq) != 0)
        return reject(err, errlen, "IRQ is not a decimal number");
    uint64_t id = 0;
    if (*p == ':') {
        p++;
        if (parse_number(&p, 10, &id) != 0 || id > UINT32_MAX)
            return reject(err, errlen, "device id is not a decimal number");
        out->has_id = true;
    }
    if (*p != '\0')
        return reject(err, errlen, "unexpected text at column %llu",
                      (unsigned long long)(p - value + 1));

    if (irq > UINT32_MAX)
        return reject(err, errlen, "IRQ %llu is out of range (1-%u)", (unsigned long long)irq,
                      VIRTIO_MMIO_MAX_IRQ);
    out->base = base;
    out->size = size;
    out->irq = (uint32_t)irq;
    out->id = (uint32_t)id;
    return virtio_mmio_check(out, err, errlen);
}

int virtio_mmio_check(const struct virtio_mmio_desc *d, char *err, size_t errlen)
{
    /* What the transport needs of the window: the 0x100 bytes of control
     * registers (4.2.2), 32-bit aligned, not wrapping around; and an
     * interrupt line other than the timer's. */
    if (d->size < VIRTIO_MMIO_REGS_SIZE)
        return reject(err, errlen, "size %#llx is smaller than the 0x100-byte register block",
                      (unsigned long long)d->size);
    if (d->base & 3)
        return reject(err, errlen, "base address %#llx is not 4-byte aligned",
                      (unsigned long long)d->base);
    if (d->base + d->size < d->base)
        return reject(err, errlen, "window at %#llx wraps around the address space",
                      (unsigned long long)d->base);
    /* The window is mapped whole: a huge one (64T@...) would spend every
     * free page on page tables for registers that are a few KiB. */
    if (d->size > VIRTIO_MMIO_MAX_SIZE)
        return reject(err, errlen, "size %#llx is larger than the %#llx a device window may be",
                      (unsigned long long)d->size, (unsigned long long)VIRTIO_MMIO_MAX_SIZE);
    if (d->irq == 0 || d->irq > VIRTIO_MMIO_MAX_IRQ)
        return reject(err, errlen, "IRQ %u is out of range (1-%u)", d->irq, VIRTIO_MMIO_MAX_IRQ);
    return 0;
}

static bool overlaps(const struct virtio_mmio_desc *a, const struct virtio_mmio_desc *b)
{
    return a->base < b->base + b->size && b->base < a->base + a->size;
}

/* Handles one entry's value; returns 1 when stored. */
static int take_entry(const char *value, struct virtio_mmio_desc *out, unsigned n, unsigned max)
{
    char err[96];
    struct virtio_mmio_desc d;
    if (virtio_mmio_parse_device(value, &d, err, sizeof err) != 0) {
        kprintf("virtio-mmio: " KEY "=%s rejected: %s\n", value ? value : "", err);
        return 0;
    }
    for (unsigned i = 0; i < n; i++) {
        if (overlaps(&d, &out[i])) {
            kprintf("virtio-mmio: " KEY "=%s rejected: overlaps the device at %#llx\n", value,
                    (unsigned long long)out[i].base);
            return 0;
        }
    }
    if (n >= max) {
        kprintf("virtio-mmio: " KEY "=%s ignored: more than %u devices\n", value, max);
        return 0;
    }
    out[n] = d;
    return 1;
}

unsigned virtio_mmio_from_cmdline(const struct cmdline *cl, struct virtio_mmio_desc *out,
                                  unsigned max, unsigned *entries)
{
    unsigned n = 0, seen = 0;
    for (unsigned i = 0; i < cl->nparams && i < CMDLINE_MAX_PARAMS; i++) {
        if (cl->params[i].key == NULL || strcmp(cl->params[i].key, KEY) != 0)
            continue;
        seen++;
        n += (unsigned)take_entry(cl->params[i].value, out, n, max);
    }
    /* QEMU appends its entries to the end of the line, after an `--` the
     * user gave: they then reach us as application arguments. */
    static const char prefix[] = KEY "=";
    for (unsigned i = 0; i < cl->argc && i < CMDLINE_MAX_ARGS; i++) {
        const char *a = cl->argv[i];
        if (a == NULL || strncmp(a, prefix, sizeof prefix - 1) != 0)
            continue;
        seen++;
        n += (unsigned)take_entry(a + sizeof prefix - 1, out, n, max);
    }
    if (entries != NULL)
        *entries = seen;
    return n;
}
