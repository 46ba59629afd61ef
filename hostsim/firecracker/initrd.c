/* hostsim/firecracker/initrd.h. */
#include "hostsim/firecracker/initrd.h"

#include <stdio.h>

#define PAGE 4096ull

int fc_initrd_place(uint64_t lowmem_size, uint64_t kernel_end, uint64_t initrd_size, uint64_t *addr,
                    char *err, size_t errlen)
{
    if (initrd_size == 0) {
        snprintf(err, errlen, "the initrd is empty");
        return -1;
    }
    if (initrd_size > lowmem_size) {
        snprintf(err, errlen,
                 "the initrd (%llu bytes) is larger than the first RAM region (%llu bytes), "
                 "where Firecracker puts it",
                 (unsigned long long)initrd_size, (unsigned long long)lowmem_size);
        return -1;
    }
    uint64_t at = (lowmem_size - initrd_size) & ~(PAGE - 1);
    if (at < kernel_end) {
        snprintf(err, errlen,
                 "the initrd (%llu bytes) would start at 0x%llx, inside the kernel loaded up to "
                 "0x%llx: give the VM more memory (--mem)",
                 (unsigned long long)initrd_size, (unsigned long long)at,
                 (unsigned long long)kernel_end);
        return -1;
    }
    *addr = at;
    return 0;
}
