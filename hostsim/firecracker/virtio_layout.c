/* Firecracker's virtio-mmio layout and command-line words: see
 * virtio_layout.h. */
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
