/* The initrd the loader handed over (boot/: the first multiboot or PVH
 * module, the Linux zero page's ramdisk fields) becomes the app's file
 * tree (sys/files/). Its memory is never handed out: mm_init keeps it out
 * of the page allocator (core/memmap.c, memmap_reserved). The file layer
 * is given the image's bounds too: an initrd a loader put on the image has
 * had its bytes overwritten by the image or by the entry code zeroing
 * .bss, and is refused there. */
#include <stdint.h>

#include "core/log.h"
#include "core/platform.h"
#include "init/init.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"

extern char __image_start[], __image_end[];

void initrd_start(void)
{
    const struct bootinfo *bi = platform_boot();
    uint64_t base = bi->initrd_base, size = bi->initrd_size;
    if (size == 0)
        return;
    if (sys_files_mount((const void *)(uintptr_t)base, size, (uintptr_t)__image_start,
                        (uintptr_t)__image_end) == -LINUX_ENOSYS)
        kprintf("initrd: %llu bytes, not read: this app names no file\n", (unsigned long long)size);
}
