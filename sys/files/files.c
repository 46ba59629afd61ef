/* The file layer's entry (sys/calls.h, struct sys_files): the calls it
 * answers, mounting the initrd and the banner line, the working directory's
 * reset. __anyvm_files is the symbol the C library's
 * file functions refer to (libc/port/syscall.h): it pulls this file, and
 * through its table every other file of the layer, into the image. */
#include "sys/files/files.h"

#include <string.h>

#include "core/log.h"
#include "fs/cpio_newc.h"

uint32_t sys_files_cwd = FS_ROOT;

/* Until an initrd is mounted the tree is a root alone: an empty
 * directory. */
static struct fs_node empty_root = {
    .name = "",
    .first_child = FS_NONE,
    .last_child = FS_NONE,
    .next_sibling = FS_NONE,
    .mode = LINUX_S_IFDIR | 0755,
    .nlink = 2,
    .ino = 1,
};
static const struct fs_tree empty_tree = {.nodes = &empty_root, .count = 1, .cap = 1};
static struct fs_tree initrd;
static bool mounted;

const struct fs_tree *sys_files_tree(void)
{
    return mounted ? &initrd : &empty_tree;
}

static const char *plural(uint32_t n)
{
    return n == 1 ? "" : "s";
}

/* What the first bytes of something that is not a newc archive suggest. */
static const char *guess(const uint8_t *p, uint64_t size)
{
    if (size >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return "gzip-compressed: anyvm reads an uncompressed archive";
    if (size >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
        return "zstd-compressed: anyvm reads an uncompressed archive";
    if (size >= 4 && memcmp(p,
                            "\xfd"
                            "7zX",
                            4) == 0)
        return "xz-compressed: anyvm reads an uncompressed archive";
    if (size >= 6 && memcmp(p, "070707", 6) == 0)
        return "the old portable cpio format: make it with cpio -H newc";
    return "no newc magic 070701 or 070702";
}

static void mount(const void *base, uint64_t size, uint64_t image_start, uint64_t image_end)
{
    const uint8_t *p = base;
    uint64_t at = (uintptr_t)base;
    if (at < image_end && at + size > image_start) {
        kprintf("initrd: [%#llx, %#llx) overlaps the kernel image [%#llx, %#llx); not used\n",
                (unsigned long long)at, (unsigned long long)(at + size),
                (unsigned long long)image_start, (unsigned long long)image_end);
        return;
    }
    if (!cpio_newc_magic(base, size)) {
        uint8_t head[4] = {0};
        memcpy(head, p, size < 4 ? size : 4);
        kprintf("initrd: not a cpio newc archive (%llu bytes starting %02x %02x %02x %02x: "
                "%s); not used\n",
                (unsigned long long)size, head[0], head[1], head[2], head[3], guess(p, size));
        return;
    }
    if (mounted)
        fs_tree_free(&initrd);
    mounted = false;
    fs_tree_build(&initrd, base, size);
    if (initrd.count == 0) {
        kprintf("initrd: no memory for its index; not used\n");
        return;
    }
    mounted = true;
    sys_files_cwd = FS_ROOT;
    struct fs_counts c;
    fs_tree_count(&initrd, &c);
    kprintf("initrd: %u file%s, %u director%s, %u symlink%s", c.files, plural(c.files), c.dirs,
            c.dirs == 1 ? "y" : "ies", c.symlinks, plural(c.symlinks));
    if (c.others)
        kprintf(", %u other%s", c.others, plural(c.others));
    kprintf(", %llu bytes (cpio newc)", (unsigned long long)size);
    if (initrd.skipped)
        kprintf("; %u entr%s skipped", initrd.skipped, initrd.skipped == 1 ? "y" : "ies");
    kprintf("\n");
}

static void reset(void)
{
    sys_files_cwd = FS_ROOT;
}

/* The calls the layer answers: each call that names a file by its path,
 * the working directory's, and getdents64 (only a directory of the tree can
 * be listed). */
static sys_call_fn *call(long nr)
{
    switch (nr) {
    case LINUX_NR_open:
        return sys_files_open;
    case LINUX_NR_openat:
        return sys_files_openat;
    case LINUX_NR_stat:
        return sys_files_stat;
    case LINUX_NR_lstat:
        return sys_files_lstat;
    case LINUX_NR_newfstatat:
        return sys_files_newfstatat;
    case LINUX_NR_statx:
        return sys_files_statx;
    case LINUX_NR_access:
        return sys_files_access;
    case LINUX_NR_faccessat:
        return sys_files_faccessat;
    case LINUX_NR_faccessat2:
        return sys_files_faccessat2;
    case LINUX_NR_readlink:
        return sys_files_readlink;
    case LINUX_NR_readlinkat:
        return sys_files_readlinkat;
    case LINUX_NR_getdents64:
        return sys_files_getdents64;
    case LINUX_NR_chdir:
        return sys_files_chdir;
    case LINUX_NR_fchdir:
        return sys_files_fchdir;
    case LINUX_NR_getcwd:
        return sys_files_getcwd;
    default:
        return NULL;
    }
}

/* The kernel's own files join the initrd's tree (or make one when there is
 * no initrd). */
static long generate(const char *path, const void *data, uint32_t size)
{
    if (!mounted) {
        memset(&initrd, 0, sizeof initrd);
        mounted = true;
    }
    const char *why;
    uint32_t node = fs_tree_add_file(&initrd, path, &why);
    if (node == FS_NONE) {
        if (initrd.count == 0)
            mounted = false;
        /* Else the initrd's tree is in the way: it has the file, or a
         * non-directory where a directory of the path would be. */
        return why == fs_tree_no_memory ? -LINUX_ENOMEM : -LINUX_EEXIST;
    }
    initrd.nodes[node].data = data;
    initrd.nodes[node].size = size;
    return 0;
}

const struct sys_files __anyvm_files = {
    .call = call, .mount = mount, .reset = reset, .generate = generate};
