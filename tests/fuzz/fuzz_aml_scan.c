/* libFuzzer harness: the AML scan for virtio-mmio devices
 * (bus/virtio_mmio/virtio_mmio_aml.c) over arbitrary definition blocks.
 * Seeds worth giving it: QEMU microvm DSDTs (tests/unit/test_aml.c
 * holds two). Found devices must satisfy what the transport relies on.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_aml_scan.c bus/virtio_mmio/virtio_mmio_aml.c \
 *     bus/virtio_mmio/virtio_mmio_cmdline.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/virtio_mmio/virtio_mmio.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy so ASan sees any read past the end. */
    uint8_t *aml = malloc(size ? size : 1);
    memcpy(aml, data, size);
    struct virtio_mmio_desc out[8];
    unsigned n = 0;
    unsigned added = virtio_mmio_scan_aml(aml, size, "DSDT", out, &n, 8);
    if (added != n || n > 8)
        abort();
    /* A second table appends after the first, up to the same limit. */
    unsigned more = virtio_mmio_scan_aml(aml, size, "SSDT0", out, &n, 8);
    if (n != added + more || n > 8)
        abort();
    char err[96];
    for (unsigned i = 0; i < n; i++) {
        if (virtio_mmio_check(&out[i], err, sizeof err) != 0 || out[i].name[4] != '\0')
            abort();
        for (unsigned j = 0; j < i; j++)
            if (out[i].base < out[j].base + out[j].size && out[j].base < out[i].base + out[i].size)
                abort();
    }
    free(aml);
    return 0;
}
