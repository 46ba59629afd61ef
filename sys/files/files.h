/* Inside the file layer: the initrd as a read-only tree under the
 * Linux-shaped calls (docs/architecture.md, "Files: the initrd"). The tree
 * (fs/tree.h) indexes the archive where the boot loader put it; an open
 * file refers to its node and reads straight from the archive. The layer
 * is linked only into images whose app names a file (sys/path.c). */
#ifndef SYS_FILES_FILES_H
#define SYS_FILES_FILES_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/tree.h"
#include "sys/calls.h"
#include "sys/fd.h"

/* The tree the app sees: the initrd's once mounted, else the root alone. */
const struct fs_tree *sys_files_tree(void);
/* The working directory (a directory node); the root after sys_reset. */
extern uint32_t sys_files_cwd;

/* What a call's (dirfd, path) pair names: a node, or, for an empty path
 * with AT_EMPTY_PATH, the open file dirfd itself when it is not one of the
 * tree's (then node is FS_NONE and file is set). */
struct sys_files_target {
    uint32_t node;
    struct sys_file *file;
    bool empty;          /* the path was "" (and empty_ok) */
    struct fs_walk walk; /* the walk's details (tree.h) */
};

/* Resolves the application's path at upath from dirfd (AT_FDCWD: the
 * working directory) as Linux's path walk does, in its order: the path
 * string (EFAULT, ENAMETOOLONG; empty: ENOENT unless empty_ok), the
 * descriptor when the path is relative (EBADF; ENOTDIR when it is not a
 * directory), then the walk (fs_tree_resolve with flags). Returns 0 or
 * -errno; on -ENOENT, t->walk says whether only the last component was
 * missing. */
long sys_files_at(long dirfd, long upath, unsigned flags, bool empty_ok,
                  struct sys_files_target *t);

/* The node an open file of the tree refers to, or FS_NONE when f is
 * another kind of file (the console). */
uint32_t sys_files_node_of(const struct sys_file *f);

/* Opens node with the open flags (already checked by open) and installs
 * it; returns the descriptor or -errno (ENOMEM, EMFILE). */
long sys_files_open_node(uint32_t node, uint32_t flags);

/* What stat reports about node. */
void sys_files_stat_node(uint32_t node, struct linux_stat *st);

sys_call_fn sys_files_open, sys_files_openat, sys_files_stat, sys_files_lstat, sys_files_newfstatat,
    sys_files_statx, sys_files_access, sys_files_faccessat, sys_files_faccessat2,
    sys_files_readlink, sys_files_readlinkat, sys_files_getdents64, sys_files_chdir,
    sys_files_fchdir, sys_files_getcwd;

#endif
