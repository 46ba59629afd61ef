/* libFuzzer harness: an initrd (the input, all of it, as the boot loader
 * would hand it over) read by fs/cpio_newc.c and indexed by fs/tree.c.
 *
 * Invariants checked:
 *   - the reader's entries lie inside the input, in order, and it ends with
 *     the trailer, an error with an offset inside the input, or nothing;
 *   - the tree: every node but the root is reached from the root exactly
 *     once through the child lists, its parent is the directory that lists
 *     it, only directories have children; names and data point into the
 *     input; names are 1 to 255 bytes without '/' or NUL and never "." or
 *     ".."; a symbolic link's target is 1 to 4095 bytes without NUL; a
 *     directory's link count is 2 plus its subdirectories; the counts by
 *     type add up;
 *   - walking the path fs_tree_path gives for a node, without following the
 *     last link, ends at that node; a walk never fails with an errno other
 *     than those fs_tree_resolve names;
 *   - the tree is freed without a leak (LeakSanitizer).
 * Seeds (tests/fuzz/seeds/initrd/) are archives GNU cpio wrote:
 *   cd TREE && find . -mindepth 1 | sort | cpio -o -H newc (and -H crc)
 * for a tree with a file, an empty file, a directory, a subdirectory and a
 * symbolic link. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/cpio_newc.h"
#include "fs/tree.h"
#include "sys/linux_abi.h"
#include "tests/fuzz/fuzz_input.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

static const uint8_t *base;
static size_t size;

static bool inside(const void *p, size_t n)
{
    const uint8_t *q = p;
    return q >= base && n <= size && (size_t)(q - base) <= size - n;
}

static void check_reader(void)
{
    struct cpio_newc_reader r;
    struct cpio_newc_entry e;
    enum cpio_newc_result res;
    size_t last = 0;
    bool first = true;
    cpio_newc_init(&r, base, size);
    while ((res = cpio_newc_next(&r, &e)) == CPIO_ENTRY) {
        BROKEN_IF(!first && e.offset <= last);
        BROKEN_IF(!inside(base + e.offset, CPIO_HEADER_SIZE));
        BROKEN_IF(!inside(e.name, e.name_len + 1) || e.name[e.name_len] != '\0');
        BROKEN_IF(strlen(e.name) != e.name_len);
        BROKEN_IF(!inside(e.data, e.size));
        last = e.offset;
        first = false;
    }
    BROKEN_IF(res == CPIO_ERROR && (r.error == NULL || r.error_off > size));
    BROKEN_IF(res == CPIO_END && r.error != NULL);
}

static void check_node(const struct fs_tree *t, uint32_t i)
{
    const struct fs_node *n = &t->nodes[i];
    uint32_t type = fs_node_type(n);
    if (i != FS_ROOT) {
        BROKEN_IF(n->name_len == 0 || n->name_len > LINUX_NAME_MAX);
        BROKEN_IF(!inside(n->name, n->name_len));
        BROKEN_IF(memchr(n->name, '/', n->name_len) || memchr(n->name, '\0', n->name_len));
        BROKEN_IF(n->name_len == 1 && n->name[0] == '.');
        BROKEN_IF(n->name_len == 2 && n->name[0] == '.' && n->name[1] == '.');
        BROKEN_IF(!fs_tree_is_dir(t, n->parent));
    }
    if (type != LINUX_S_IFDIR)
        BROKEN_IF(n->first_child != FS_NONE);
    if (type == LINUX_S_IFLNK)
        BROKEN_IF(n->size == 0 || n->size >= LINUX_PATH_MAX || memchr(n->data, '\0', n->size));
    if (n->size)
        BROKEN_IF(!inside(n->data, n->size));
    BROKEN_IF((type == LINUX_S_IFREG || type == LINUX_S_IFLNK) != (n->data != NULL) &&
              !(type == LINUX_S_IFREG && n->data == NULL && n->size == 0));
}

static bool allowed_errno(long r)
{
    return r == -LINUX_ENOENT || r == -LINUX_ENOTDIR || r == -LINUX_ENAMETOOLONG ||
           r == -LINUX_ELOOP;
}

static void check_tree(const struct fs_tree *t)
{
    BROKEN_IF(t->count == 0);
    uint8_t *seen = calloc(t->count, 1);
    uint32_t *subdirs = calloc(t->count, sizeof *subdirs);
    BROKEN_IF(seen == NULL || subdirs == NULL);
    /* a walk over the child lists from the root, with an explicit stack */
    uint32_t *stack = malloc(t->count * sizeof *stack);
    uint32_t depth = 0, visited = 1;
    stack[depth++] = FS_ROOT;
    seen[FS_ROOT] = 1;
    while (depth) {
        uint32_t dir = stack[--depth];
        for (uint32_t c = t->nodes[dir].first_child; c != FS_NONE; c = t->nodes[c].next_sibling) {
            BROKEN_IF(c >= t->count || seen[c]);
            BROKEN_IF(t->nodes[c].parent != dir);
            seen[c] = 1;
            visited++;
            if (fs_tree_is_dir(t, c)) {
                subdirs[dir]++;
                stack[depth++] = c;
            }
        }
    }
    BROKEN_IF(visited != t->count);
    struct fs_counts k;
    fs_tree_count(t, &k);
    BROKEN_IF(k.files + k.dirs + k.symlinks + k.others != t->count - 1);
    char path[LINUX_PATH_MAX + 512];
    for (uint32_t i = 0; i < t->count; i++) {
        check_node(t, i);
        if (fs_tree_is_dir(t, i))
            BROKEN_IF(t->nodes[i].nlink != 2 + subdirs[i]);
        size_t need = fs_tree_path(t, i, path, sizeof path);
        BROKEN_IF(need > sizeof path);
        struct fs_walk w;
        long r = fs_tree_resolve(t, FS_ROOT, path, need - 1, 0, &w);
        if (need - 1 < LINUX_PATH_MAX)
            BROKEN_IF(r != 0 || w.node != i);
        /* and with the last link followed: a node, or a walk's error */
        r = fs_tree_resolve(t, FS_ROOT, path, need - 1, FS_FOLLOW, &w);
        BROKEN_IF(r != 0 && !allowed_errno(r));
        BROKEN_IF(r == 0 && w.node >= t->count);
    }
    free(stack);
    free(subdirs);
    free(seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    /* a copy of exactly the input's size: ASan sees any read past it */
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, data, n);
    base = copy;
    size = n;
    check_reader();
    struct fs_tree t;
    fs_tree_build(&t, copy, n);
    if (t.count)
        check_tree(&t);
    fs_tree_free(&t);
    free(copy);
    return 0;
}
