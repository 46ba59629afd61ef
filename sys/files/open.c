/* open and openat on a read-only tree. The errors and their order are
 * Linux 6.1's for a file system mounted read-only (fs/open.c
 * build_open_flags; fs/namei.c open_last_lookups, lookup_open, do_open,
 * may_open; inode_permission's sb_permission):
 *
 *   - the path, then dirfd, then the walk (sys_files_at): ENOENT, ENOTDIR,
 *     ELOOP, ENAMETOOLONG, EBADF, EFAULT;
 *   - O_CREAT: a missing file (in a directory that exists) is EROFS, as
 *     creating it would write; a name with a trailing slash EISDIR; an
 *     existing file with O_EXCL EEXIST (O_EXCL does not follow a final
 *     symbolic link), an existing directory EISDIR;
 *   - O_DIRECTORY on something else: ENOTDIR; O_NOFOLLOW on a symbolic
 *     link: ELOOP;
 *   - write access (O_WRONLY, O_RDWR, O_TRUNC, which asks for it): a
 *     directory EISDIR, a regular file EROFS;
 *   - O_TMPFILE: EINVAL without write access or with O_CREAT, else EROFS
 *     once the directory is found;
 *   - devices, FIFOs and sockets: ENXIO (no driver stands behind them);
 *   - O_PATH: not supported, EINVAL.
 * What an open file keeps of the flags is what fcntl(F_GETFL) reports:
 * the access mode and the status flags, with O_LARGEFILE as on every
 * 64-bit Linux. */
#include "sys/files/files.h"

/* include/uapi/asm-generic/fcntl.h's O_TMPFILE: __O_TMPFILE with
 * O_DIRECTORY; fs/open.c's O_TMPFILE_MASK adds O_CREAT, which it refuses. */
#define O_TMPFILE (LINUX_O_TMPFILE_BIT | LINUX_O_DIRECTORY)
#define O_TMPFILE_MASK (O_TMPFILE | LINUX_O_CREAT)
/* The creation flags an open file does not keep (fs/open.c do_dentry_open). */
#define CREATION_FLAGS (LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY | LINUX_O_TRUNC)

static bool wants_write(uint32_t flags)
{
    return (flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY || (flags & LINUX_O_TRUNC);
}

static long open_at(long dirfd, long upath, uint32_t flags)
{
    if (flags & LINUX_O_PATH)
        return -LINUX_EINVAL;
    bool tmpfile = flags & LINUX_O_TMPFILE_BIT;
    if (tmpfile && ((flags & O_TMPFILE_MASK) != O_TMPFILE || !wants_write(flags)))
        return -LINUX_EINVAL;
    bool creat = flags & LINUX_O_CREAT;
    unsigned follow =
        (flags & LINUX_O_NOFOLLOW) || (creat && (flags & LINUX_O_EXCL)) ? 0 : FS_FOLLOW;
    struct sys_files_target t;
    long r = sys_files_at(dirfd, upath, follow, false, &t);
    if (tmpfile)
        return r != 0                                     ? r
               : fs_tree_is_dir(sys_files_tree(), t.node) ? -LINUX_EROFS
                                                          : -LINUX_ENOTDIR;
    /* open_last_lookups refuses O_CREAT with a trailing slash before it
     * looks at the last component at all. */
    if (creat && t.walk.trailing_slash && (r == 0 || r == -LINUX_ENOENT || r == -LINUX_ENOTDIR))
        return -LINUX_EISDIR;
    if (r == -LINUX_ENOENT && creat && t.walk.last_missing)
        return -LINUX_EROFS;
    if (r != 0)
        return r;
    const struct fs_node *n = &sys_files_tree()->nodes[t.node];
    uint32_t type = fs_node_type(n);
    if (creat) {
        if (flags & LINUX_O_EXCL)
            return -LINUX_EEXIST;
        if (type == LINUX_S_IFDIR)
            return -LINUX_EISDIR;
    }
    if ((flags & LINUX_O_DIRECTORY) && type != LINUX_S_IFDIR)
        return -LINUX_ENOTDIR;
    switch (type) {
    case LINUX_S_IFLNK:
        return -LINUX_ELOOP;
    case LINUX_S_IFDIR:
        if (wants_write(flags))
            return -LINUX_EISDIR;
        break;
    case LINUX_S_IFREG:
        if (wants_write(flags))
            return -LINUX_EROFS;
        break;
    default:
        return -LINUX_ENXIO;
    }
    return sys_files_open_node(t.node, (flags & ~(uint32_t)CREATION_FLAGS) | LINUX_O_LARGEFILE);
}

long sys_files_open(const long *a)
{
    return open_at(LINUX_AT_FDCWD, a[0], (uint32_t)a[1]);
}

long sys_files_openat(const long *a)
{
    return open_at(a[0], a[1], (uint32_t)a[2]);
}
