/* Memory calls: anonymous mappings from the page allocator. The kernel and
 * the application share one identity-mapped address space with no
 * protection between them, so a mapping is a run of free pages, zeroed as
 * Linux guarantees for anonymous memory, and recorded (sys/vma.h): only
 * recorded ranges are ever freed, zeroed or accepted by the calls that take
 * an address. Protection and advice cannot be enforced; they are checked
 * and accepted on recorded ranges.
 *
 * Checks and their order follow Linux 6.1 (arch/x86/kernel/sys_x86_64.c,
 * mm/mmap.c, mm/mremap.c, mm/madvise.c, mm/mprotect.c, mm/msync.c), with
 * these differences, each because a range here may be memory the kernel
 * uses: munmap of a range not wholly mapped here is EINVAL (Linux unmaps
 * what it finds and returns 0); MAP_FIXED is EINVAL unless the range lies
 * wholly in a mapping made here (it is then zeroed, as Linux replaces the
 * pages); MREMAP_FIXED and MREMAP_DONTUNMAP are EINVAL. MAP_SHARED
 * anonymous memory is the same as private (no other process can share
 * it), MAP_HUGETLB is ENOMEM (as on a Linux with no huge pages reserved),
 * and there is no brk heap: brk returns 0, which musl 1.2.3's allocators take as
 * failure and answer with mmap (src/malloc/mallocng/malloc.c, alloc_meta;
 * src/malloc/lite_malloc.c, __simple_malloc). */
#include <string.h>

#include "core/log.h"
#include "core/page_alloc.h"
#include "sys/calls.h"
#include "sys/fd.h"
#include "sys/uaccess.h"
#include "sys/vma.h"

#define PAGE_MASK_LOW (PAGE_SIZE - 1)

static bool page_aligned(uint64_t v)
{
    return (v & PAGE_MASK_LOW) == 0;
}

/* len rounded up to pages; 0 when that overflows (PAGE_ALIGN in Linux). */
static uint64_t page_round(uint64_t len)
{
    return len > UINT64_MAX - PAGE_MASK_LOW ? 0 : (len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
}

static void zero(uint64_t start, uint64_t end)
{
    memset(user_ptr(start), 0, end - start);
}

static void release(uint64_t start, uint64_t end)
{
    if (page_free(&kernel_pages, start, (end - start) / PAGE_SIZE) != 0)
        kprintf("sys: pages 0x%llx-0x%llx of a mapping could not be returned\n",
                (unsigned long long)start, (unsigned long long)end);
}

/* New zeroed memory of len bytes (a multiple of the page), recorded. */
static long map_new(uint64_t len)
{
    if (len > LINUX_TASK_SIZE_MAX)
        return -LINUX_ENOMEM;
    uint64_t p = page_alloc(&kernel_pages, len / PAGE_SIZE, 0);
    if (p == 0)
        return -LINUX_ENOMEM;
    if (!user_range_ok(p, len) || vma_add(p, p + len) != 0) {
        release(p, p + len);
        return -LINUX_ENOMEM;
    }
    zero(p, p + len);
    return (long)p;
}

/* Forgets and frees [start, end), which the record covers. */
static long unmap(uint64_t start, uint64_t end)
{
    if (vma_remove(start, end) != 0)
        return -LINUX_ENOMEM;
    release(start, end);
    return 0;
}

void sys_mem_reset(void)
{
    vma_reset(release);
}

long sys_mmap(const long *a)
{
    uint64_t addr = (uint64_t)a[0], len = (uint64_t)a[1], flags = (uint64_t)a[3];
    if (!page_aligned((uint64_t)a[5]))
        return -LINUX_EINVAL;
    if (!(flags & LINUX_MAP_ANONYMOUS))
        return sys_fd_file((unsigned)a[4]) == NULL ? -LINUX_EBADF : -LINUX_ENODEV;
    if (flags & LINUX_MAP_HUGETLB)
        return -LINUX_ENOMEM;
    if (len == 0)
        return -LINUX_EINVAL;
    len = page_round(len);
    if (len == 0)
        return -LINUX_ENOMEM;
    switch (flags & LINUX_MAP_TYPE) {
    case LINUX_MAP_SHARED:
    case LINUX_MAP_SHARED_VALIDATE:
    case LINUX_MAP_PRIVATE:
        break;
    default:
        return -LINUX_EINVAL;
    }
    if (!(flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)))
        return map_new(len); /* the address is only a hint, and not taken */
    if (!page_aligned(addr))
        return -LINUX_EINVAL;
    if (len > LINUX_TASK_SIZE_MAX || addr > LINUX_TASK_SIZE_MAX - len)
        return -LINUX_ENOMEM;
    if (flags & LINUX_MAP_FIXED_NOREPLACE)
        return vma_overlaps(addr, addr + len) ? -LINUX_EEXIST : -LINUX_EINVAL;
    if (!vma_covers(addr, addr + len))
        return -LINUX_EINVAL;
    zero(addr, addr + len);
    return (long)addr;
}

long sys_munmap(const long *a)
{
    uint64_t addr = (uint64_t)a[0], len = (uint64_t)a[1];
    if (!page_aligned(addr) || addr > LINUX_TASK_SIZE_MAX || len > LINUX_TASK_SIZE_MAX - addr)
        return -LINUX_EINVAL;
    len = page_round(len);
    if (len == 0 || !vma_covers(addr, addr + len))
        return -LINUX_EINVAL;
    return unmap(addr, addr + len);
}

long sys_mremap(const long *a)
{
    uint64_t old = (uint64_t)a[0], old_len = (uint64_t)a[1], new_len = (uint64_t)a[2];
    uint64_t flags = (uint64_t)a[3];
    if (flags & ~(uint64_t)(LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP))
        return -LINUX_EINVAL;
    if (flags & (LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP))
        return -LINUX_EINVAL;
    if (!page_aligned(old))
        return -LINUX_EINVAL;
    old_len = page_round(old_len);
    new_len = page_round(new_len);
    if (new_len == 0 || old_len == 0) /* old_len 0 duplicates a shared mapping */
        return -LINUX_EINVAL;
    if (old > UINT64_MAX - old_len || !vma_covers(old, old + old_len))
        return -LINUX_EFAULT;
    if (new_len <= old_len) {
        long r = new_len < old_len ? unmap(old + new_len, old + old_len) : 0;
        return r < 0 ? r : (long)old;
    }
    if (!(flags & LINUX_MREMAP_MAYMOVE))
        return -LINUX_ENOMEM; /* growing in place is not offered */
    long p = map_new(new_len);
    if (p < 0)
        return p;
    memcpy(user_ptr((uint64_t)p), user_ptr(old), old_len);
    long r = unmap(old, old + old_len);
    if (r < 0) {
        unmap((uint64_t)p, (uint64_t)p + new_len);
        return r;
    }
    return p;
}

long sys_mprotect(const long *a)
{
    uint64_t start = (uint64_t)a[0], len = (uint64_t)a[1], prot = (uint64_t)a[2];
    const uint64_t known = LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC | LINUX_PROT_SEM |
                           LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP;
    if ((prot & LINUX_PROT_GROWSDOWN) && (prot & LINUX_PROT_GROWSUP))
        return -LINUX_EINVAL;
    if (!page_aligned(start))
        return -LINUX_EINVAL;
    if (len == 0)
        return 0;
    len = page_round(len);
    if (len == 0 || start > UINT64_MAX - len)
        return -LINUX_ENOMEM;
    if (prot & ~known)
        return -LINUX_EINVAL;
    return vma_covers(start, start + len) ? 0 : -LINUX_ENOMEM;
}

static bool advice_known(long advice)
{
    switch (advice) {
    case LINUX_MADV_NORMAL:
    case LINUX_MADV_RANDOM:
    case LINUX_MADV_SEQUENTIAL:
    case LINUX_MADV_WILLNEED:
    case LINUX_MADV_DONTNEED:
    case LINUX_MADV_FREE:
    case LINUX_MADV_REMOVE:
    case LINUX_MADV_DONTFORK:
    case LINUX_MADV_DOFORK:
    case LINUX_MADV_MERGEABLE:
    case LINUX_MADV_UNMERGEABLE:
    case LINUX_MADV_HUGEPAGE:
    case LINUX_MADV_NOHUGEPAGE:
    case LINUX_MADV_DONTDUMP:
    case LINUX_MADV_DODUMP:
    case LINUX_MADV_WIPEONFORK:
    case LINUX_MADV_KEEPONFORK:
    case LINUX_MADV_COLD:
    case LINUX_MADV_PAGEOUT:
    case LINUX_MADV_POPULATE_READ:
    case LINUX_MADV_POPULATE_WRITE:
    case LINUX_MADV_DONTNEED_LOCKED:
        return true;
    default:
        return false;
    }
}

long sys_madvise(const long *a)
{
    uint64_t start = (uint64_t)a[0], len_in = (uint64_t)a[1];
    int advice = (int)a[2];
    if (!advice_known(advice) || !page_aligned(start))
        return -LINUX_EINVAL;
    uint64_t len = page_round(len_in);
    if (len_in != 0 && len == 0)
        return -LINUX_EINVAL;
    if (start > UINT64_MAX - len)
        return -LINUX_EINVAL;
    if (len == 0)
        return 0;
    if (!vma_covers(start, start + len))
        return -LINUX_ENOMEM;
    /* Private anonymous memory reads as zeros after these (madvise(2)). */
    if (advice == LINUX_MADV_DONTNEED || advice == LINUX_MADV_DONTNEED_LOCKED ||
        advice == LINUX_MADV_REMOVE)
        zero(start, start + len);
    return 0;
}

long sys_msync(const long *a)
{
    uint64_t start = (uint64_t)a[0], len = (uint64_t)a[1], flags = (uint64_t)a[2];
    if (flags & ~(uint64_t)(LINUX_MS_ASYNC | LINUX_MS_INVALIDATE | LINUX_MS_SYNC))
        return -LINUX_EINVAL;
    if (!page_aligned(start))
        return -LINUX_EINVAL;
    if ((flags & LINUX_MS_ASYNC) && (flags & LINUX_MS_SYNC))
        return -LINUX_EINVAL;
    len = page_round(len);
    if (start > UINT64_MAX - len)
        return -LINUX_ENOMEM;
    if (len == 0)
        return 0;
    return vma_covers(start, start + len) ? 0 : -LINUX_ENOMEM;
}

long sys_brk(const long *a)
{
    (void)a;
    return 0;
}
