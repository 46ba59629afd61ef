/* Calls that name a file by its path. The file namespace is empty until a
 * file system arrives (the initrd comes with the network stack): every
 * lookup finds nothing, ENOENT, as on a Linux machine whose tree holds no
 * such file, after the path itself was checked as Linux checks it
 * (fs/namei.c getname: EFAULT for a bad pointer, ENAMETOOLONG when no NUL
 * comes within PATH_MAX bytes; an empty path is ENOENT unless AT_EMPTY_PATH
 * makes the call about the descriptor itself, fs/stat.c vfs_fstatat). */
#include "sys/calls.h"
#include "sys/uaccess.h"

/* 0 when the path at p is a readable string within PATH_MAX, else -errno;
 * *empty says it is "". */
static long check_path(long p, bool *empty)
{
    for (uint64_t i = 0; i < LINUX_PATH_MAX; i++) {
        char c;
        if (!user_read(&c, p + (long)i, 1))
            return -LINUX_EFAULT;
        if (c == '\0') {
            *empty = i == 0;
            return 0;
        }
    }
    return -LINUX_ENAMETOOLONG;
}

static long lookup(long path)
{
    bool empty;
    long r = check_path(path, &empty);
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
    bool empty;
    long r = check_path(a[1], &empty);
    if (r != 0)
        return r;
    if (empty && (a[3] & LINUX_AT_EMPTY_PATH)) {
        const long fstat_args[6] = {a[0], a[2]};
        return sys_fstat(fstat_args);
    }
    return -LINUX_ENOENT;
}

long sys_statx(const long *a)
{
    bool empty;
    long r = check_path(a[1], &empty);
    if (r != 0)
        return r;
    /* statx on a descriptor needs struct statx, which nothing here fills:
     * C libraries fall back to fstat when it is not implemented. */
    return empty && (a[2] & LINUX_AT_EMPTY_PATH) ? -LINUX_ENOSYS : -LINUX_ENOENT;
}
