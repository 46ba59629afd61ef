/* The working directory: where relative paths start (the root until the
 * app moves it). Linux 6.1's fs/open.c (chdir, fchdir) and fs/d_path.c
 * (getcwd: the length with the NUL, ERANGE when the buffer is smaller). */
#include "sys/files/files.h"

#include "sys/uaccess.h"

long sys_files_chdir(const long *a)
{
    struct sys_files_target t;
    long r = sys_files_at(LINUX_AT_FDCWD, a[0], FS_FOLLOW, false, &t);
    if (r != 0)
        return r;
    if (!fs_tree_is_dir(sys_files_tree(), t.node))
        return -LINUX_ENOTDIR;
    sys_files_cwd = t.node;
    return 0;
}

long sys_files_fchdir(const long *a)
{
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    if (f == NULL)
        return -LINUX_EBADF;
    uint32_t node = sys_files_node_of(f);
    if (node == FS_NONE || !fs_tree_is_dir(sys_files_tree(), node))
        return -LINUX_ENOTDIR;
    sys_files_cwd = node;
    return 0;
}

long sys_files_getcwd(const long *a)
{
    uint64_t size = (uint64_t)a[1];
    size_t need = fs_tree_path(sys_files_tree(), sys_files_cwd, NULL, 0);
    if (need > LINUX_PATH_MAX)
        return -LINUX_ENAMETOOLONG;
    if (need > size)
        return -LINUX_ERANGE;
    if (!user_range_ok((uint64_t)a[0], need))
        return -LINUX_EFAULT;
    fs_tree_path(sys_files_tree(), sys_files_cwd, user_ptr((uint64_t)a[0]), need);
    return (long)need;
}
