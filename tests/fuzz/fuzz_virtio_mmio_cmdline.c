/* libFuzzer harness: virtio_mmio.device= values and whole command lines
 * carrying them (bus/virtio_mmio/virtio_mmio_cmdline.c, core/cmdline.c).
 * Every accepted entry must satisfy what the transport relies on.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_virtio_mmio_cmdline.c bus/virtio_mmio/virtio_mmio_cmdline.c core/cmdline.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/virtio_mmio/virtio_mmio.h"
#include "core/cmdline.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

static void check_desc(const struct virtio_mmio_desc *d)
{
    if (d->size < VIRTIO_MMIO_REGS_SIZE || (d->base & 3) || d->base + d->size < d->base ||
        d->irq == 0 || d->irq > VIRTIO_MMIO_MAX_IRQ)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    struct virtio_mmio_desc d;
    char err[96];
    if (virtio_mmio_parse_device(text, &d, err, sizeof err) == 0)
        check_desc(&d);
    else if (strnlen(err, sizeof err) == sizeof err || err[0] == '\0')
        abort(); /* a rejection always says why, NUL-terminated */

    static struct cmdline cl;
    if (cmdline_parse(text, &cl, err, sizeof err) == 0) {
        struct virtio_mmio_desc out[4];
        unsigned entries;
        unsigned n = virtio_mmio_from_cmdline(&cl, out, 4, &entries);
        if (n > 4 || n > entries)
            abort();
        for (unsigned i = 0; i < n; i++) {
            check_desc(&out[i]);
            for (unsigned j = 0; j < i; j++)
                if (out[i].base < out[j].base + out[j].size &&
                    out[j].base < out[i].base + out[i].size)
                    abort(); /* overlapping windows must have been refused */
        }
    }
    free(text);
    return 0;
}
