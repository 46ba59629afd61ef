/* Calls that name a file by its path, in an image without the file layer
 * (sys/files/: the initrd as a read-only tree). An image has the layer when
 * its app's C library code names a file: libc/port/syscall_arch.h makes
 * every musl function that does (open, fopen, stat, opendir, access,
 * readlink, getcwd, ...) refer to __anyvm_files, which pulls the layer's
 * archive members into the link, and sys/syscall.c then hands it these
 * calls. An app that never names a file (hello) links none of it.
 *
 * Here the file namespace is empty: every lookup finds nothing, ENOENT, as
 * on a Linux machine whose tree holds no such file, after the path itself
 * was checked as Linux checks it (fs/namei.c getname: EFAULT for a bad
 * pointer, ENAMETOOLONG when no NUL comes within PATH_MAX bytes; an empty
 * path is ENOENT unless AT_EMPTY_PATH makes the call about the descriptor
 * itself, fs/stat.c vfs_fstatat). Only syscall() with a number the
 * compiler could not see reaches this without the layer. */
#include "sys/calls.h"
#include "sys/uaccess.h"

long sys_path_check(long p, size_t *len)
{
    for (uint64_t i = 0; i < LINUX_PATH_MAX; i++) {
        char c;
        if (!user_read(&c, p + (long)i, 1))
            return -LINUX_EFAULT;
        if (c == '\0') {
            *len = i;
            return 0;
        }
    }
    return -LINUX_ENAMETOOLONG;
}

static long lookup(long path)
{
    size_t len;
    long r = sys_path_check(path, &len);
    return r != 0 ? r : -LINUX_ENOENT;
}

/* open(path, flags, mode), stat(path, buf), lstat, access(path, mode),
 * readlink(path, buf, size): the path is the first argument. */
long sys_open(const long *a)
{
    return lookup(a[0]);
}

/* openat(dirfd, path, ...), readlinkat, faccessat, faccessat2: the path is
 * the second; a relative path against a directory descriptor finds nothing
 * either (no descriptor is a directory here). */
long sys_openat(const long *a)
{
    return lookup(a[1]);
}

/* newfstatat(dirfd, path, buf, flags) and statx(dirfd, path, flags, mask,
 * buf): with AT_EMPTY_PATH and "" the call is about dirfd itself. */
long sys_newfstatat(const long *a)
{
    size_t len;
    long r = sys_path_check(a[1], &len);
    if (r != 0)
        return r;
    if (len == 0 && (a[3] & LINUX_AT_EMPTY_PATH)) {
        const long fstat_args[6] = {a[0], a[2]};
        return sys_fstat(fstat_args);
    }
    return -LINUX_ENOENT;
}

long sys_statx(const long *a)
{
    size_t len;
    long r = sys_path_check(a[1], &len);
    if (r != 0)
        return r;
    /* statx on a descriptor needs struct statx, which nothing here fills:
     * C libraries fall back to fstat when it is not implemented. */
    return len == 0 && (a[2] & LINUX_AT_EMPTY_PATH) ? -LINUX_ENOSYS : -LINUX_ENOENT;
}
