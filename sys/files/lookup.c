/* From a call's (dirfd, path) to a node of the tree, in the order Linux 6.1
 * checks them (fs/namei.c: getname_flags, then path_init, then the walk).
 * The path is read where the application keeps it: sys_path_check has
 * made sure it is readable up to its NUL. */
#include "sys/files/files.h"

#include "sys/uaccess.h"

long sys_files_at(long dirfd, long upath, unsigned flags, bool empty_ok, struct sys_files_target *t)
{
    size_t len;
    long r = sys_path_check(upath, &len);
    t->node = FS_NONE;
    t->file = NULL;
    t->empty = false;
    t->walk = (struct fs_walk){FS_NONE, false, false};
    if (r != 0)
        return r;
    if (len == 0 && !empty_ok)
        return -LINUX_ENOENT;
    t->empty = len == 0;
    const char *path = user_ptr((uint64_t)upath);
    uint32_t start = sys_files_cwd;
    /* An absolute path never looks at dirfd. */
    if (len == 0 || path[0] != '/') {
        if ((int)dirfd != LINUX_AT_FDCWD) {
            struct sys_file *f = sys_fd_file((unsigned)dirfd);
            if (f == NULL)
                return -LINUX_EBADF;
            start = sys_files_node_of(f);
            if (len == 0) {
                /* The call is about dirfd itself, whatever it is. */
                t->node = start;
                t->file = start == FS_NONE ? f : NULL;
                return 0;
            }
            if (start == FS_NONE || !fs_tree_is_dir(sys_files_tree(), start))
                return -LINUX_ENOTDIR;
        } else if (len == 0) {
            t->node = sys_files_cwd;
            return 0;
        }
    }
    r = fs_tree_resolve(sys_files_tree(), start, path, len, flags, &t->walk);
    t->node = t->walk.node;
    return r;
}
