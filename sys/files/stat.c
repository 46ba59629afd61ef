/* The calls that ask about a file by its path: the stat family, statx,
 * access and readlink, with Linux 6.1's checks in Linux's order (fs/stat.c
 * vfs_statx, do_statx, do_readlinkat; fs/open.c do_faccessat; fs/namei.c
 * inode_permission). The caller is root: reading is always allowed;
 * writing is EROFS for a regular file, a directory or a symbolic link, as
 * on any read-only mount; executing needs an x bit unless it is a
 * directory. */
#include "sys/files/files.h"

#include <string.h>

#include "sys/uaccess.h"

#define STAT_FLAGS (LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT | LINUX_AT_EMPTY_PATH)
#define ACCESS_FLAGS (LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH)
#define S_IRWXO 7

static unsigned follow_unless(uint32_t at_flags)
{
    return at_flags & LINUX_AT_SYMLINK_NOFOLLOW ? 0 : FS_FOLLOW;
}

/* The stat of what a lookup found: a node, or an open file of another
 * kind (the console, through AT_EMPTY_PATH). */
static void stat_target(const struct sys_files_target *t, struct linux_stat *st)
{
    if (t->node != FS_NONE)
        sys_files_stat_node(t->node, st);
    else
        sys_fd_stat(t->file, st);
}

static long stat_at(long dirfd, long upath, long ubuf, uint32_t at_flags)
{
    if (at_flags & ~(uint32_t)STAT_FLAGS)
        return -LINUX_EINVAL;
    struct sys_files_target t;
    long r =
        sys_files_at(dirfd, upath, follow_unless(at_flags), at_flags & LINUX_AT_EMPTY_PATH, &t);
    if (r != 0)
        return r;
    struct linux_stat st;
    stat_target(&t, &st);
    return user_write(ubuf, &st, sizeof st) ? 0 : -LINUX_EFAULT;
}

long sys_files_stat(const long *a)
{
    return stat_at(LINUX_AT_FDCWD, a[0], a[1], 0);
}

long sys_files_lstat(const long *a)
{
    return stat_at(LINUX_AT_FDCWD, a[0], a[1], LINUX_AT_SYMLINK_NOFOLLOW);
}

long sys_files_newfstatat(const long *a)
{
    return stat_at(a[0], a[1], a[2], (uint32_t)a[3]);
}

/* include/linux/kdev_t.h, new_decode_dev. */
static uint32_t dev_major(uint64_t dev)
{
    return (uint32_t)(dev >> 8) & 0xfff;
}

static uint32_t dev_minor(uint64_t dev)
{
    return (uint32_t)(dev & 0xff) | ((uint32_t)(dev >> 12) & 0xfff00);
}

static struct linux_statx_timestamp stamp(uint64_t sec, uint64_t nsec)
{
    return (struct linux_statx_timestamp){(int64_t)sec, (uint32_t)nsec, 0};
}

/* statx(dirfd, path, flags, mask, buf): every basic field is filled
 * whatever mask asks (as Linux may); there is no birth time. */
long sys_files_statx(const long *a)
{
    uint32_t at_flags = (uint32_t)a[2], mask = (uint32_t)a[3];
    if (mask & LINUX_STATX_RESERVED)
        return -LINUX_EINVAL;
    if ((at_flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE)
        return -LINUX_EINVAL;
    if (at_flags & ~(uint32_t)(STAT_FLAGS | LINUX_AT_STATX_SYNC_TYPE))
        return -LINUX_EINVAL;
    struct sys_files_target t;
    long r = sys_files_at(a[0], a[1], follow_unless(at_flags), at_flags & LINUX_AT_EMPTY_PATH, &t);
    if (r != 0)
        return r;
    struct linux_stat st;
    stat_target(&t, &st);
    struct linux_statx x;
    memset(&x, 0, sizeof x);
    x.stx_mask = LINUX_STATX_BASIC_STATS;
    x.stx_blksize = (uint32_t)st.st_blksize;
    x.stx_nlink = (uint32_t)st.st_nlink;
    x.stx_uid = st.st_uid;
    x.stx_gid = st.st_gid;
    x.stx_mode = (uint16_t)st.st_mode;
    x.stx_ino = st.st_ino;
    x.stx_size = (uint64_t)st.st_size;
    x.stx_blocks = (uint64_t)st.st_blocks;
    x.stx_atime = stamp(st.st_atime_sec, st.st_atime_nsec);
    x.stx_ctime = stamp(st.st_ctime_sec, st.st_ctime_nsec);
    x.stx_mtime = stamp(st.st_mtime_sec, st.st_mtime_nsec);
    x.stx_rdev_major = dev_major(st.st_rdev);
    x.stx_rdev_minor = dev_minor(st.st_rdev);
    x.stx_dev_major = dev_major(st.st_dev);
    x.stx_dev_minor = dev_minor(st.st_dev);
    return user_write(a[4], &x, sizeof x) ? 0 : -LINUX_EFAULT;
}

/* do_faccessat, as root on a read-only mount. */
static long access_at(long dirfd, long upath, uint32_t mode, uint32_t at_flags)
{
    if (mode & ~(uint32_t)S_IRWXO)
        return -LINUX_EINVAL;
    if (at_flags & ~(uint32_t)ACCESS_FLAGS)
        return -LINUX_EINVAL;
    struct sys_files_target t;
    long r =
        sys_files_at(dirfd, upath, follow_unless(at_flags), at_flags & LINUX_AT_EMPTY_PATH, &t);
    if (r != 0 || t.node == FS_NONE)
        return r;
    const struct fs_node *n = &sys_files_tree()->nodes[t.node];
    uint32_t type = fs_node_type(n);
    if ((mode & LINUX_W_OK) &&
        (type == LINUX_S_IFREG || type == LINUX_S_IFDIR || type == LINUX_S_IFLNK))
        return -LINUX_EROFS;
    if ((mode & LINUX_X_OK) && type != LINUX_S_IFDIR && !(n->mode & LINUX_S_IXUGO))
        return -LINUX_EACCES;
    return 0;
}

long sys_files_access(const long *a)
{
    return access_at(LINUX_AT_FDCWD, a[0], (uint32_t)a[1], 0);
}

long sys_files_faccessat(const long *a)
{
    return access_at(a[0], a[1], (uint32_t)a[2], 0);
}

long sys_files_faccessat2(const long *a)
{
    return access_at(a[0], a[1], (uint32_t)a[2], (uint32_t)a[3]);
}

/* do_readlinkat: the size first; the empty path means dirfd itself, which
 * is never a symbolic link here (ENOENT); anything else that is not a
 * link is EINVAL. The target is copied without a NUL, cut at size. */
static long readlink_at(long dirfd, long upath, long ubuf, int size)
{
    if (size <= 0)
        return -LINUX_EINVAL;
    struct sys_files_target t;
    long r = sys_files_at(dirfd, upath, 0, true, &t);
    if (r != 0)
        return r;
    if (t.empty)
        return -LINUX_ENOENT;
    const struct fs_node *n = &sys_files_tree()->nodes[t.node];
    if (fs_node_type(n) != LINUX_S_IFLNK)
        return -LINUX_EINVAL;
    size_t k = n->size < (uint32_t)size ? n->size : (uint32_t)size;
    return user_write(ubuf, n->data, k) ? (long)k : -LINUX_EFAULT;
}

long sys_files_readlink(const long *a)
{
    return readlink_at(LINUX_AT_FDCWD, a[0], a[1], (int)a[2]);
}

long sys_files_readlinkat(const long *a)
{
    return readlink_at(a[0], a[1], a[2], (int)a[3]);
}
