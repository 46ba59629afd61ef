/* tests/unit/host_sys.h. */
#include "tests/unit/host_sys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/console.h"
#include "core/kernel.h"
#include "core/page_alloc.h"
#include "sys/sys.h"
#include "core/wallclock.h"
#include "tests/unit/host_platform.h"

char host_console[HOST_CONSOLE_BYTES + 1];
size_t host_console_len;
jmp_buf *host_exit_jmp;
int host_exit_status = -1;
unsigned host_exits;
uint64_t host_wallclock_ns;
uint64_t host_fs_base;
_Alignas(4096) uint8_t host_pool[HOST_POOL_BYTES];

struct page_allocator kernel_pages;

void console_write(const char *buf, size_t n)
{
    size_t room = HOST_CONSOLE_BYTES - host_console_len;
    if (n > room)
        n = room;
    if (n == 0)
        return;
    memcpy(host_console + host_console_len, buf, n);
    host_console_len += n;
    host_console[host_console_len] = '\0';
}

void kernel_exit(int status)
{
    host_exit_status = status;
    host_exits++;
    if (host_exit_jmp == NULL) {
        fprintf(stderr, "host_sys: kernel_exit(%d) outside HOST_EXITS\n", status);
        abort();
    }
    longjmp(*host_exit_jmp, 1);
}

uint64_t wallclock_boot_ns(void)
{
    return host_wallclock_ns;
}

void arch_set_fs_base(uint64_t base)
{
    host_fs_base = base;
}

uint64_t arch_get_fs_base(void)
{
    return host_fs_base;
}

void host_sys_reset(size_t pool_bytes)
{
    host_platform_reset();
    sys_reset();
    page_alloc_init(&kernel_pages);
    if (pool_bytes > HOST_POOL_BYTES)
        pool_bytes = HOST_POOL_BYTES;
    page_alloc_add(&kernel_pages, (uint64_t)(uintptr_t)host_pool, pool_bytes);
    host_console_len = 0;
    host_console[0] = '\0';
    host_exit_jmp = NULL;
    host_exit_status = -1;
    host_exits = 0;
    host_wallclock_ns = 0;
    host_fs_base = 0;
}
