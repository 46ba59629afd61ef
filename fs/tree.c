/* fs/tree.h: building the index of an initrd and walking paths in it. */
#include "fs/tree.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "fs/cpio_newc.h"
#include "sys/linux_abi.h"

#define SKIPS_LOGGED 8 /* skipped entries named one by one; the rest are counted */
#define FIRST_CAP 16
#define IMPLIED_DIR_MODE (LINUX_S_IFDIR | 0755)

bool fs_tree_is_dir(const struct fs_tree *t, uint32_t node)
{
    return fs_node_type(&t->nodes[node]) == LINUX_S_IFDIR;
}

void fs_tree_free(struct fs_tree *t)
{
    free(t->nodes);
    memset(t, 0, sizeof *t);
}

/* ---- building ---- */

/* An archive's name as the log shows it: printable ASCII as it is, other
 * bytes as \xNN (a name must not drive the terminal of whoever reads the
 * serial log), at most about 100 characters. */
static const char *shown(const char *s, size_t n, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
        if (i + 1 < n && o + 8 >= size) {
            memcpy(out + o, "...", 3);
            o += 3;
        }
    }
    out[o] = '\0';
    return out;
}

static void skip(struct fs_tree *t, const struct cpio_newc_entry *e, const char *why)
{
    char name[112];
    if (t->skipped < SKIPS_LOGGED)
        kprintf("initrd: '%s' skipped: %s\n", shown(e->name, e->name_len, name, sizeof name), why);
    else if (t->skipped == SKIPS_LOGGED)
        kprintf("initrd: further skipped entries are counted, not named\n");
    t->skipped++;
}

/* A new node under parent, last among its siblings; FS_NONE when the
 * index cannot grow. */
static uint32_t add_node(struct fs_tree *t, uint32_t parent, const char *name, uint32_t len)
{
    if (t->count == t->cap) {
        uint32_t cap = t->cap ? t->cap : FIRST_CAP;
        if (cap > UINT32_MAX / 2 / sizeof *t->nodes)
            return FS_NONE;
        struct fs_node *grown = realloc(t->nodes, (size_t)cap * 2 * sizeof *t->nodes);
        if (grown == NULL)
            return FS_NONE;
        t->nodes = grown;
        t->cap = cap * 2;
    }
    uint32_t i = t->count++;
    struct fs_node *n = &t->nodes[i];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->name_len = len;
    n->parent = parent;
    n->first_child = n->last_child = n->next_sibling = FS_NONE;
    n->mode = IMPLIED_DIR_MODE;
    n->nlink = 1;
    n->ino = i + 1;
    if (i != FS_ROOT) {
        struct fs_node *p = &t->nodes[parent];
        if (p->last_child == FS_NONE)
            p->first_child = i;
        else
            t->nodes[p->last_child].next_sibling = i;
        p->last_child = i;
    }
    return i;
}

static uint32_t find_child(const struct fs_tree *t, uint32_t dir, const char *name, size_t len)
{
    for (uint32_t c = t->nodes[dir].first_child; c != FS_NONE; c = t->nodes[c].next_sibling)
        if (t->nodes[c].name_len == len && memcmp(t->nodes[c].name, name, len) == 0)
            return c;
    return FS_NONE;
}

/* The next component of an archive name at *p (slashes skipped), or false
 * at the end. "." components are dropped. */
static bool next_component(const char **p, const char *end, const char **c, size_t *len)
{
    for (;;) {
        while (*p < end && **p == '/')
            (*p)++;
        if (*p == end)
            return false;
        *c = *p;
        while (*p < end && **p != '/')
            (*p)++;
        *len = (size_t)(*p - *c);
        if (!(*len == 1 && (*c)[0] == '.'))
            return true;
    }
}

/* From the root through the directories before the last component of a
 * name (c and len: its first component; p: what follows it), making those
 * the tree has no entry for (yet). Returns the last component's directory,
 * with c and len now that component; FS_NONE with why the reason, or NULL
 * when the index cannot grow. */
static uint32_t walk_to_parent(struct fs_tree *t, const char *p, const char *end, const char **c,
                               size_t *len, const char **why)
{
    uint32_t dir = FS_ROOT;
    const char *next;
    size_t next_len;
    while (next_component(&p, end, &next, &next_len)) {
        uint32_t sub = find_child(t, dir, *c, *len);
        if (sub != FS_NONE && !fs_tree_is_dir(t, sub)) {
            *why = "a component on its way is not a directory";
            return FS_NONE;
        }
        if (sub == FS_NONE && (sub = add_node(t, dir, *c, (uint32_t)*len)) == FS_NONE) {
            *why = NULL;
            return FS_NONE;
        }
        dir = sub;
        *c = next;
        *len = next_len;
    }
    return dir;
}

static bool known_type(uint32_t type)
{
    switch (type) {
    case LINUX_S_IFREG:
    case LINUX_S_IFDIR:
    case LINUX_S_IFLNK:
    case LINUX_S_IFCHR:
    case LINUX_S_IFBLK:
    case LINUX_S_IFIFO:
    case LINUX_S_IFSOCK:
        return true;
    default:
        return false;
    }
}

/* Why an entry cannot be taken as it stands (its own fields), or NULL. */
static const char *entry_fault(const struct cpio_newc_entry *e)
{
    uint32_t type = e->mode & LINUX_S_IFMT;
    if (e->name_len >= LINUX_PATH_MAX)
        return "a name of 4096 bytes or more (PATH_MAX)";
    if (!known_type(type))
        return "not a file type Linux knows";
    if (!e->checksum_ok)
        return "its data does not add up to its header's checksum (070702)";
    if (type == LINUX_S_IFLNK) {
        if (e->size == 0 || e->size >= LINUX_PATH_MAX)
            return "a symbolic link's target must be 1 to 4095 bytes";
        if (memchr(e->data, '\0', e->size) != NULL)
            return "a symbolic link's target holds a NUL";
    }
    return NULL;
}

/* Hard links: a regular file with nlink > 1 shares its data with the
 * earlier entries of the same file, whichever of them carries it. */
static void join_hard_links(struct fs_tree *t, uint32_t i)
{
    struct fs_node *n = &t->nodes[i];
    for (uint32_t j = 0; j < t->count; j++) {
        struct fs_node *o = &t->nodes[j];
        if (j == i || fs_node_type(o) != LINUX_S_IFREG || o->nlink < 2 ||
            o->cpio_ino != n->cpio_ino || o->cpio_dev_major != n->cpio_dev_major ||
            o->cpio_dev_minor != n->cpio_dev_minor)
            continue;
        if (o->ino < n->ino)
            n->ino = o->ino;
        if (n->size != 0 && o->size == 0) {
            o->data = n->data;
            o->size = n->size;
        } else if (n->size == 0 && o->size != 0) {
            n->data = o->data;
            n->size = o->size;
        }
    }
}

static void set_metadata(struct fs_node *n, const struct cpio_newc_entry *e)
{
    n->mode = e->mode;
    n->uid = e->uid;
    n->gid = e->gid;
    n->mtime = e->mtime;
    n->nlink = e->nlink ? e->nlink : 1;
    n->rdev_major = e->rdevmajor;
    n->rdev_minor = e->rdevminor;
    n->cpio_ino = e->ino;
    n->cpio_dev_major = e->devmajor;
    n->cpio_dev_minor = e->devminor;
    uint32_t type = e->mode & LINUX_S_IFMT;
    bool has_data = type == LINUX_S_IFREG || type == LINUX_S_IFLNK;
    n->data = has_data ? e->data : NULL;
    n->size = has_data ? e->size : 0;
}

/* Takes one entry into the tree; false when the index cannot grow. */
static bool take(struct fs_tree *t, const struct cpio_newc_entry *e)
{
    const char *why = entry_fault(e);
    if (why != NULL) {
        skip(t, e, why);
        return true;
    }
    const char *p = e->name, *end = e->name + e->name_len, *c;
    size_t len;
    uint32_t dir;
    if (!next_component(&p, end, &c, &len)) {
        if ((e->mode & LINUX_S_IFMT) != LINUX_S_IFDIR) {
            skip(t, e, "it names the root, which is a directory");
            return true;
        }
        set_metadata(&t->nodes[FS_ROOT], e);
        t->entries++;
        return true;
    }
    /* Every component is checked before any directory is made for it. */
    const char *q = p, *k = c;
    size_t klen = len;
    do {
        if (klen == 2 && k[0] == '.' && k[1] == '.') {
            skip(t, e, "'..' in the name");
            return true;
        }
        if (klen > LINUX_NAME_MAX) {
            skip(t, e, "a component of the name is longer than 255 bytes");
            return true;
        }
    } while (next_component(&q, end, &k, &klen));
    dir = walk_to_parent(t, p, end, &c, &len, &why);
    if (dir == FS_NONE) {
        if (why == NULL)
            return false;
        skip(t, e, why);
        return true;
    }
    uint32_t i = find_child(t, dir, c, len);
    if (i != FS_NONE && fs_tree_is_dir(t, i) && t->nodes[i].first_child != FS_NONE &&
        (e->mode & LINUX_S_IFMT) != LINUX_S_IFDIR) {
        skip(t, e, "it would replace a directory that holds entries");
        return true;
    }
    if (i == FS_NONE)
        i = add_node(t, dir, c, (uint32_t)len);
    if (i == FS_NONE)
        return false;
    set_metadata(&t->nodes[i], e);
    if ((e->mode & LINUX_S_IFMT) == LINUX_S_IFREG && e->nlink > 1)
        join_hard_links(t, i);
    t->entries++;
    return true;
}

/* A directory's link count: itself, its entry in its parent, and each
 * subdirectory's "..". */
static void count_dir_links(struct fs_tree *t)
{
    for (uint32_t i = 0; i < t->count; i++)
        if (fs_tree_is_dir(t, i))
            t->nodes[i].nlink = 2;
    for (uint32_t i = 1; i < t->count; i++)
        if (fs_tree_is_dir(t, i))
            t->nodes[t->nodes[i].parent].nlink++;
}

/* Reads the archive that starts at offset `start`; true when it ended
 * with its trailer (*end: the offset after it). */
static bool take_archive(struct fs_tree *t, const uint8_t *base, size_t size, size_t start,
                         size_t *end)
{
    struct cpio_newc_reader r;
    struct cpio_newc_entry e;
    cpio_newc_init(&r, base + start, size - start);
    enum cpio_newc_result res;
    while ((res = cpio_newc_next(&r, &e)) == CPIO_ENTRY) {
        if (!take(t, &e)) {
            t->out_of_memory = true;
            char name[112];
            kprintf("initrd: out of memory for the index at '%s' (offset %zu); the entries "
                    "before it are used\n",
                    shown(e.name, e.name_len, name, sizeof name), start + e.offset);
            return false;
        }
    }
    if (res == CPIO_ERROR) {
        t->error = r.error;
        t->error_off = start + r.error_off;
        kprintf("initrd: malformed cpio archive at offset %zu: %s; %u entr%s before it %s used\n",
                t->error_off, r.error, t->entries, t->entries == 1 ? "y" : "ies",
                t->entries == 1 ? "is" : "are");
        return false;
    }
    *end = start + r.off;
    return true;
}

void fs_tree_build(struct fs_tree *t, const void *archive, size_t size)
{
    memset(t, 0, sizeof *t);
    if (add_node(t, FS_ROOT, "", 0) == FS_NONE) {
        t->out_of_memory = true;
        return;
    }
    /* One archive after another, as Linux unpacks an initramfs
     * (Documentation/driver-api/early-userspace/buffer-format.rst): zero
     * bytes between them are skipped, and each further archive starts at
     * a multiple of 4 with a newc magic. Later entries win over earlier
     * ones across archives too. */
    const uint8_t *base = archive;
    size_t at = 0;
    while (take_archive(t, base, size, at, &at)) {
        while (at < size && base[at] == 0)
            at++;
        if (at == size)
            break;
        if (at % 4 != 0 || !cpio_newc_magic(base + at, size - at)) {
            kprintf("initrd: %zu bytes after the trailer at offset %zu are not a cpio newc "
                    "archive; ignored\n",
                    size - at, at);
            break;
        }
    }
    count_dir_links(t);
}

const char fs_tree_no_memory[] = "no memory for the index";

uint32_t fs_tree_add_file(struct fs_tree *t, const char *path, const char **why)
{
    *why = fs_tree_no_memory;
    if (t->count == 0 && add_node(t, FS_ROOT, "", 0) == FS_NONE)
        return FS_NONE;
    const char *p = path, *end = path + strlen(path), *c;
    size_t len;
    if (!next_component(&p, end, &c, &len)) {
        *why = "the path names the root";
        return FS_NONE;
    }
    uint32_t dir = walk_to_parent(t, p, end, &c, &len, why);
    if (dir == FS_NONE) {
        if (*why == NULL)
            *why = fs_tree_no_memory;
        return FS_NONE;
    }
    uint32_t i = find_child(t, dir, c, len);
    if (i != FS_NONE) {
        if (t->nodes[i].generated)
            return i;
        *why = "the initrd has it";
        return FS_NONE;
    }
    if ((i = add_node(t, dir, c, (uint32_t)len)) == FS_NONE)
        return FS_NONE;
    t->nodes[i].mode = LINUX_S_IFREG | 0444;
    t->nodes[i].generated = true;
    count_dir_links(t);
    return i;
}

void fs_tree_count(const struct fs_tree *t, struct fs_counts *c)
{
    memset(c, 0, sizeof *c);
    for (uint32_t i = 1; i < t->count; i++) {
        switch (fs_node_type(&t->nodes[i])) {
        case LINUX_S_IFREG:
            c->files++;
            break;
        case LINUX_S_IFDIR:
            c->dirs++;
            break;
        case LINUX_S_IFLNK:
            c->symlinks++;
            break;
        default:
            c->others++;
        }
    }
}

/* ---- walking ---- */

/* What is left to walk of one path: the one given, or a link's target. */
struct seg {
    const char *p;
    size_t n;
};

static void skip_slashes(struct seg *s)
{
    while (s->n > 0 && s->p[0] == '/') {
        s->p++;
        s->n--;
    }
}

/* True when no component is left on any level of the walk. */
static bool nothing_left(struct seg *stack, int depth)
{
    for (int i = 0; i < depth; i++) {
        skip_slashes(&stack[i]);
        if (stack[i].n != 0)
            return false;
    }
    return true;
}

long fs_tree_resolve(const struct fs_tree *t, uint32_t start, const char *path, size_t len,
                     unsigned flags, struct fs_walk *w)
{
    struct seg stack[LINUX_MAXSYMLINKS + 1];
    int depth = 0;
    unsigned links = 0;
    uint32_t cur = len > 0 && path[0] == '/' ? FS_ROOT : start;
    bool must_be_dir = false;
    w->node = FS_NONE;
    w->last_missing = false;
    w->trailing_slash = false;
    if (len == 0)
        return -LINUX_ENOENT;
    stack[depth++] = (struct seg){path, len};
    while (depth > 0) {
        struct seg *s = &stack[depth - 1];
        skip_slashes(s);
        if (s->n == 0) {
            depth--;
            continue;
        }
        const char *c = s->p;
        size_t clen = 0;
        while (clen < s->n && c[clen] != '/')
            clen++;
        s->p += clen;
        s->n -= clen;
        bool slash_after = s->n > 0;
        bool last = nothing_left(stack, depth);
        if (last && slash_after)
            must_be_dir = w->trailing_slash = true;
        /* cur is a directory here: the walk only ever moves into one
         * (below), or ends. */
        if (clen > LINUX_NAME_MAX)
            return -LINUX_ENAMETOOLONG;
        if (clen == 1 && c[0] == '.')
            continue;
        if (clen == 2 && c[0] == '.' && c[1] == '.') {
            cur = t->nodes[cur].parent;
            continue;
        }
        uint32_t child = find_child(t, cur, c, clen);
        if (child == FS_NONE) {
            w->last_missing = last;
            return -LINUX_ENOENT;
        }
        const struct fs_node *n = &t->nodes[child];
        if (fs_node_type(n) == LINUX_S_IFLNK && (!last || must_be_dir || (flags & FS_FOLLOW))) {
            if (++links > LINUX_MAXSYMLINKS)
                return -LINUX_ELOOP;
            /* The target continues the walk from the link's directory, or
             * from the root when it is absolute. */
            stack[depth++] = (struct seg){(const char *)n->data, n->size};
            if (n->data[0] == '/')
                cur = FS_ROOT;
            continue;
        }
        if (!last && fs_node_type(n) != LINUX_S_IFDIR)
            return -LINUX_ENOTDIR;
        cur = child;
    }
    if (must_be_dir && !fs_tree_is_dir(t, cur))
        return -LINUX_ENOTDIR;
    w->node = cur;
    return 0;
}

size_t fs_tree_path(const struct fs_tree *t, uint32_t node, char *buf, size_t size)
{
    size_t need = 1; /* the NUL */
    for (uint32_t i = node; i != FS_ROOT; i = t->nodes[i].parent)
        need += 1 + t->nodes[i].name_len;
    if (node == FS_ROOT)
        need = 2;
    if (need > size)
        return need;
    size_t at = need - 1;
    buf[at] = '\0';
    for (uint32_t i = node; i != FS_ROOT; i = t->nodes[i].parent) {
        at -= t->nodes[i].name_len;
        memcpy(buf + at, t->nodes[i].name, t->nodes[i].name_len);
        buf[--at] = '/';
    }
    if (node == FS_ROOT)
        buf[0] = '/';
    return need;
}
