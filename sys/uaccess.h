/* Checking what an application passes to a system call. The application runs
 * in the kernel's address space, so nothing faults on its behalf: a pointer
 * that Linux would refuse with EFAULT (NULL, the first page, beyond the user
 * half, a range that wraps) must be refused here before it is touched. What
 * cannot be checked is whether memory inside that range belongs to the
 * application; a wild pointer inside it is the application's bug, as on any
 * system without memory protection between the two. */
#ifndef SYS_UACCESS_H
#define SYS_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sys/linux_abi.h"

/* Nothing is ever placed in page 0: a pointer into it is a NULL pointer
 * with an offset (a field of a NULL structure). */
#define SYS_USER_LOWEST 0x1000ull

/* True when [p, p+len) may be read or written for the application. An empty
 * range is always fine (Linux's access_ok: read(fd, NULL, 0) returns 0). */
static inline bool user_range_ok(uint64_t p, uint64_t len)
{
    if (len == 0)
        return true;
    return p >= SYS_USER_LOWEST && p <= LINUX_TASK_SIZE_MAX && len <= LINUX_TASK_SIZE_MAX - p;
}

/* The same for one object of a given size; the pointer comes as the raw
 * argument (long), the object is then reached through user_ptr. */
static inline bool user_object_ok(long p, uint64_t size)
{
    return size != 0 && user_range_ok((uint64_t)p, size);
}

static inline void *user_ptr(uint64_t p)
{
    return (void *)(uintptr_t)p;
}

/* Structures are copied in and out whole with memcpy: the application may
 * hand over a misaligned pointer, and a copy is read once. False when the
 * range is refused (the caller returns -EFAULT); nothing was copied then. */
static inline bool user_read(void *dst, long src, size_t n)
{
    if (!user_object_ok(src, n))
        return false;
    memcpy(dst, user_ptr((uint64_t)src), n);
    return true;
}

static inline bool user_write(long dst, const void *src, size_t n)
{
    if (!user_object_ok(dst, n))
        return false;
    memcpy(user_ptr((uint64_t)dst), src, n);
    return true;
}

#endif
