/* The initrd's file tree: an index of a cpio newc archive (fs/cpio_newc.h)
 * that stays where the boot loader put it. Each node points at its name and
 * its data inside the archive; nothing of a file is copied, so a file's
 * bytes cost no memory beyond the archive's own, and reading a file is a
 * copy from the archive into the reader's buffer.
 *
 * What the archive may hold and what becomes of it (fs_tree_build):
 *   - names: a leading "/" or "./", repeated slashes, "." components and a
 *     trailing "/" are dropped ("./a//b/" is "a/b"); a name of "." (or "/")
 *     is the root: a directory entry there gives the root its mode, owner
 *     and time. A name with a ".." component, a component longer than 255
 *     bytes (NAME_MAX) or 4096 bytes or more in all (PATH_MAX) is skipped.
 *   - directories a path implies ("a/b/c" without an "a" or "a/b" entry)
 *     exist, as 0755 directories owned by root with time 0.
 *   - the same name twice: the later entry wins (its type, mode, data), as
 *     when Linux unpacks an initramfs; but an entry that is not a directory
 *     cannot replace a directory that holds entries (it is skipped).
 *   - an entry under a name that is not a directory ("f/x" when "f" is a
 *     file or a symbolic link) is skipped.
 *   - regular files, directories, symbolic links (the data is the target:
 *     1 to 4095 bytes, no NUL), character and block devices, FIFOs and
 *     sockets are kept; any other file type is skipped. Hard links (the
 *     same devmajor, devminor and ino, nlink > 1) share the data that one
 *     of them carries and one inode number.
 *   - 070702 entries whose data does not add up to the checksum are skipped.
 * Each skipped entry is logged ("initrd: 'a/../b' skipped: ..."; the first
 * few, then a count). A malformed archive (fs/cpio_newc.c) is logged with
 * the offset and the reason, and the entries read before the fault are
 * kept. The end: the TRAILER!!! entry, then zero padding (cpio pads to 512
 * bytes) up to the end of the initrd, or another archive whose entries are
 * taken as well (as Linux takes concatenated archives); anything else
 * after a trailer is logged and ignored.
 *
 * Lookups resolve paths as Linux does: "." and "..", repeated slashes,
 * symbolic links followed (at most 40 on one walk, else ELOOP), a trailing
 * slash demanding a directory; the errors are Linux's errno values, negated.
 * Pure logic: memory comes from malloc and realloc. */
#ifndef FS_TREE_H
#define FS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_ROOT 0u
#define FS_NONE 0xffffffffu

struct fs_node {
    const char *name;  /* the last component, in the archive (not NUL-terminated) */
    uint32_t name_len; /* 0 for the root */
    uint32_t parent;   /* the root is its own parent */
    uint32_t first_child, last_child, next_sibling; /* FS_NONE when none */
    uint32_t mode;                                  /* st_mode */
    uint32_t uid, gid, nlink, mtime;
    uint32_t rdev_major, rdev_minor;
    uint32_t ino;      /* the inode number files report (hard links share it) */
    uint32_t cpio_ino; /* the archive's, to join hard links */
    uint32_t cpio_dev_major, cpio_dev_minor;
    const uint8_t *data; /* a regular file's bytes, a symbolic link's target */
    uint32_t size;
    bool generated; /* made by the kernel (fs_tree_add_file), not the archive */
};

struct fs_tree {
    struct fs_node *nodes; /* nodes[FS_ROOT] is "/" */
    uint32_t count, cap;
    /* What fs_tree_build found. */
    uint32_t entries;   /* archive entries taken into the tree */
    uint32_t skipped;   /* entries skipped (each logged, the first few) */
    const char *error;  /* the archive is malformed: why; NULL when it is not */
    size_t error_off;   /* where */
    bool out_of_memory; /* the index could not grow: the entries after were dropped */
};

/* Builds t over the archive at [archive, archive + size), which must stay in
 * place and unchanged as long as t is used. t always ends up with at least
 * the root (an empty tree when the archive gives nothing usable), unless
 * even the root could not be allocated: then t->count is 0 and
 * t->out_of_memory is true. Logs as said above, each line starting
 * "initrd: ". */
void fs_tree_build(struct fs_tree *t, const void *archive, size_t size);
void fs_tree_free(struct fs_tree *t);

/* The node of a file the kernel adds at path (relative, its components
 * plain names, the string kept by the caller), made as a read-only regular
 * file (0444, empty) with the directories on its way when missing; t gets
 * its root first if it has none. The same path again gives the same node.
 * FS_NONE when the path names something the archive made (the archive's
 * wins) or something on its way is not a directory (*why says which), or
 * when the index cannot grow (*why is then fs_tree_no_memory). */
uint32_t fs_tree_add_file(struct fs_tree *t, const char *path, const char **why);
extern const char fs_tree_no_memory[];

/* Counts by type, for the banner. */
struct fs_counts {
    uint32_t files, dirs, symlinks, others; /* the root not counted */
};
void fs_tree_count(const struct fs_tree *t, struct fs_counts *c);

/* Resolving a path. Flags: */
#define FS_FOLLOW 1u /* follow a symbolic link in the last component */

/* Resolves path[0..len) from the directory `start` (or the root, for an
 * absolute path). On success returns 0 and *node; else a negated errno:
 * -ENOENT (a component is missing; the empty path too), -ENOTDIR (a
 * component other than the last, or the last when a "/" follows it, is not
 * a directory), -ENAMETOOLONG (a component longer than NAME_MAX), -ELOOP
 * (more than MAXSYMLINKS links followed). When the result is -ENOENT
 * because only the last component is missing from a directory that
 * exists, *last_missing is true (open with O_CREAT then fails with EROFS,
 * not ENOENT); *trailing_slash says whether the last component had a "/"
 * after it. */
struct fs_walk {
    uint32_t node;
    bool last_missing;
    bool trailing_slash;
};
long fs_tree_resolve(const struct fs_tree *t, uint32_t start, const char *path, size_t len,
                     unsigned flags, struct fs_walk *w);

/* Writes the absolute path of node into buf (NUL-terminated) when it fits in
 * size bytes. Returns the bytes the path needs with its NUL. */
size_t fs_tree_path(const struct fs_tree *t, uint32_t node, char *buf, size_t size);

/* The node's type bits. */
static inline uint32_t fs_node_type(const struct fs_node *n)
{
    return n->mode & 0170000u;
}
bool fs_tree_is_dir(const struct fs_tree *t, uint32_t node);

#endif
