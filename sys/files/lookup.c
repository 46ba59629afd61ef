/* From a call's (dirfd, path) to a node of the tree, in the order Linux 6.1
 * checks them (fs/namei.c: getname_flags, then path_init, then the walk).
 * The path is read where the application keeps it: sys_path_check has
 * made sure it is readable up to its NUL. */
#include "sys/files/files.h"

#include "sys/uaccess.h"

long files_at(long dirfd, long upath, unsigned flags, bool empty_ok, struct files_target *t)
{
    size_t len;
    long r = sys_path_check(upath, &len);
    t->node = TREE_NONE;
    t->file = NULL;
    t->empty = false;
    t->walk = (struct tree_walk){TREE_NONE, false, false};
    if (r != 0)
        return r;
    if (len == 0 && !empty_ok)
        return -LINUX_ENOENT;
    t->empty = len == 0;
    const char *path = user_ptr((uint64_t)upath);
    uint32_t start = files_cwd;
    /* An absolute path never looks at dirfd. */
    if (len == 0 || path[0] != '/') {
        if ((int)dirfd != LINUX_AT_FDCWD) {
            struct sys_file *f = sys_fd_file((unsigned)dirfd);
            if (f == NULL)
                return -LINUX_EBADF;
            start = files_node_of(f);
            if (len == 0) {
                /* The call is about dirfd itself, whatever it is. */
                t->node = start;
                t->file = start == TREE_NONE ? f : NULL;
                return 0;
            }
            if (start == TREE_NONE || !tree_is_dir(files_tree(), start))
                return -LINUX_ENOTDIR;
        } else if (len == 0) {
            t->node = files_cwd;
            return 0;
        }
    }
    r = tree_resolve(files_tree(), start, path, len, flags, &t->walk);
    t->node = t->walk.node;
    return r;
}
