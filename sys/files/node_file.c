/* Open files of the tree: two kinds of struct sys_file (sys/fd.h), a
 * regular file and a directory, each referring to its node. A regular
 * file's read copies from the archive, where its bytes stay, into the
 * application's buffer; nothing else is copied. A directory lists "." and
 * "..", then its entries in the order the archive gave them; its position
 * (what lseek and d_off speak of) is the index in that list. Semantics are
 * Linux 6.1's: fs/read_write.c (generic_file_llseek_size, vfs_setpos),
 * fs/libfs.c (dcache_readdir, dcache_dir_lseek), fs/readdir.c
 * (getdents64). */
#include "sys/files/files.h"

#include <stdlib.h>
#include <string.h>

#include "sys/uaccess.h"

struct open_node {
    struct sys_file f;
    uint32_t node;
    uint64_t pos;  /* a file's byte offset; a directory's entry index */
    uint32_t next; /* a directory: the entry at pos when pos >= 2, FS_NONE past the last */
};

/* st_dev of every file of the tree: an anonymous device, as Linux gives
 * its initramfs (rootfs) one with major 0. */
#define TREE_DEV_MINOR 1
#define BLOCK_SIZE 4096
/* include/linux/dirent.h: d_name's offset in struct linux_dirent64. */
#define DIRENT_NAME_OFF 19

static const struct fs_node *node_at(uint32_t i)
{
    return &sys_files_tree()->nodes[i];
}

static struct open_node *as_open(struct sys_file *f)
{
    return (struct open_node *)f;
}

void sys_files_stat_node(uint32_t i, struct linux_stat *st)
{
    const struct fs_node *n = node_at(i);
    uint32_t type = fs_node_type(n);
    memset(st, 0, sizeof *st);
    st->st_dev = linux_makedev(0, TREE_DEV_MINOR);
    st->st_ino = n->ino;
    st->st_nlink = n->nlink;
    st->st_mode = n->mode;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    if (type == LINUX_S_IFCHR || type == LINUX_S_IFBLK)
        st->st_rdev = linux_makedev(n->rdev_major, n->rdev_minor);
    st->st_size = n->size;
    st->st_blksize = BLOCK_SIZE;
    st->st_blocks = ((int64_t)n->size + 511) / 512;
    st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec = n->mtime;
}

static void node_fstat(struct sys_file *f, struct linux_stat *st)
{
    sys_files_stat_node(as_open(f)->node, st);
}

static void node_release(struct sys_file *f)
{
    free(f);
}

/* ---- regular files ---- */

static long copy_out(const struct fs_node *n, void *buf, size_t count, uint64_t off)
{
    if (off >= n->size)
        return 0;
    uint64_t k = n->size - off < count ? n->size - off : count;
    memcpy(buf, n->data + off, k);
    return (long)k;
}

static long file_read(struct sys_file *f, void *buf, size_t n)
{
    struct open_node *o = as_open(f);
    long k = copy_out(node_at(o->node), buf, n, o->pos);
    o->pos += (uint64_t)k;
    return k;
}

static long file_pread(struct sys_file *f, void *buf, size_t n, uint64_t off)
{
    return copy_out(node_at(as_open(f)->node), buf, n, off);
}

/* generic_file_llseek_size with the file's size as its end; a position
 * below 0 is EINVAL (vfs_setpos), one past the end is allowed. */
static long file_lseek(struct sys_file *f, int64_t off, int whence)
{
    struct open_node *o = as_open(f);
    int64_t size = node_at(o->node)->size, base;
    switch (whence) {
    case LINUX_SEEK_SET:
        base = 0;
        break;
    case LINUX_SEEK_CUR:
        base = (int64_t)o->pos;
        break;
    case LINUX_SEEK_END:
        base = size;
        break;
    case LINUX_SEEK_DATA: /* all data, no holes */
        if ((uint64_t)off >= (uint64_t)size)
            return -LINUX_ENXIO;
        base = 0;
        break;
    case LINUX_SEEK_HOLE: /* the one hole is at the end */
        if ((uint64_t)off >= (uint64_t)size)
            return -LINUX_ENXIO;
        base = 0;
        off = size;
        break;
    default:
        return -LINUX_EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -LINUX_EINVAL;
    o->pos = (uint64_t)(base + off);
    return (long)o->pos;
}

static const struct sys_file_ops file_ops = {
    .kind = "initrd file",
    .mode = LINUX_S_IFREG,
    .read = file_read,
    .pread = file_pread,
    .lseek = file_lseek,
    .fstat = node_fstat,
    .release = node_release,
};

/* ---- directories ---- */

static long dir_read(struct sys_file *f, void *buf, size_t n)
{
    (void)f;
    (void)buf;
    (void)n;
    return -LINUX_EISDIR;
}

static long dir_pread(struct sys_file *f, void *buf, size_t n, uint64_t off)
{
    (void)off;
    return dir_read(f, buf, n);
}

/* Moves the listing to entry pos ("." 0, ".." 1, the entries from 2). */
static void dir_seek_to(struct open_node *o, uint64_t pos)
{
    uint32_t c = node_at(o->node)->first_child;
    for (uint64_t i = 2; i < pos && c != FS_NONE; i++)
        c = node_at(c)->next_sibling;
    o->pos = pos;
    o->next = c;
}

/* dcache_dir_lseek: SEEK_SET and SEEK_CUR to a position >= 0. */
static long dir_lseek(struct sys_file *f, int64_t off, int whence)
{
    struct open_node *o = as_open(f);
    if (whence == LINUX_SEEK_CUR) {
        if (off > 0 && (int64_t)o->pos > INT64_MAX - off)
            return -LINUX_EINVAL;
        off += (int64_t)o->pos;
    } else if (whence != LINUX_SEEK_SET) {
        return -LINUX_EINVAL;
    }
    if (off < 0)
        return -LINUX_EINVAL;
    if ((uint64_t)off != o->pos)
        dir_seek_to(o, (uint64_t)off);
    return off;
}

/* d_type: the file type bits of the mode, shifted (include/linux/fs.h,
 * fs_umode_to_dtype: DT_DIR 4, DT_REG 8, DT_LNK 10, ...). */
static uint8_t dtype(const struct fs_node *n)
{
    return (uint8_t)(fs_node_type(n) >> 12);
}

static long dir_getdents(struct sys_file *f, void *buf, size_t count)
{
    struct open_node *o = as_open(f);
    const struct fs_node *dir = node_at(o->node);
    uint8_t *out = buf;
    size_t used = 0;
    for (;;) {
        uint32_t entry;
        const char *name;
        size_t len;
        if (o->pos == 0) {
            entry = o->node, name = ".", len = 1;
        } else if (o->pos == 1) {
            entry = dir->parent, name = "..", len = 2;
        } else if (o->next != FS_NONE) {
            entry = o->next, name = node_at(entry)->name, len = node_at(entry)->name_len;
        } else {
            break;
        }
        size_t reclen = (DIRENT_NAME_OFF + len + 1 + 7) & ~(size_t)7;
        if (reclen > count - used) {
            if (used == 0)
                return -LINUX_EINVAL;
            break;
        }
        struct linux_dirent64 d = {
            .d_ino = node_at(entry)->ino,
            .d_off = (int64_t)o->pos + 1,
            .d_reclen = (uint16_t)reclen,
            .d_type = dtype(node_at(entry)),
        };
        memcpy(out + used, &d, DIRENT_NAME_OFF);
        memcpy(out + used + DIRENT_NAME_OFF, name, len);
        memset(out + used + DIRENT_NAME_OFF + len, 0, reclen - DIRENT_NAME_OFF - len);
        used += reclen;
        if (o->pos >= 2)
            o->next = node_at(o->next)->next_sibling;
        else if (o->pos == 1)
            o->next = dir->first_child;
        o->pos++;
    }
    return (long)used;
}

static const struct sys_file_ops dir_ops = {
    .kind = "initrd directory",
    .mode = LINUX_S_IFDIR,
    .read = dir_read,
    .pread = dir_pread,
    .lseek = dir_lseek,
    .fstat = node_fstat,
    .release = node_release,
};

/* getdents64(fd, buf, count), fs/readdir.c: the descriptor, then the
 * buffer (access_ok), then whether the file is a directory at all. */
long sys_files_getdents64(const long *a)
{
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    uint64_t buf = (uint64_t)a[1], count = (uint32_t)a[2];
    if (f == NULL)
        return -LINUX_EBADF;
    if (!user_range_ok(buf, count))
        return -LINUX_EFAULT;
    if (f->ops != &dir_ops)
        return -LINUX_ENOTDIR;
    return dir_getdents(f, user_ptr(buf), count);
}

uint32_t sys_files_node_of(const struct sys_file *f)
{
    if (f->ops != &file_ops && f->ops != &dir_ops)
        return FS_NONE;
    return ((const struct open_node *)f)->node;
}

long sys_files_open_node(uint32_t node, uint32_t flags)
{
    struct open_node *o = malloc(sizeof *o);
    if (o == NULL)
        return -LINUX_ENOMEM;
    bool dir = fs_tree_is_dir(sys_files_tree(), node);
    /* refs 0 and no epoll watchers (sys/fd.h) */
    *o = (struct open_node){
        .f = {.ops = dir ? &dir_ops : &file_ops, .flags = flags & ~(uint32_t)LINUX_O_CLOEXEC},
        .node = node,
        .next = dir ? node_at(node)->first_child : FS_NONE,
    };
    int fd = sys_fd_install(&o->f, 0, flags & LINUX_O_CLOEXEC);
    if (fd < 0)
        free(o);
    return fd;
}
