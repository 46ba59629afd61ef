/* fs/tree.c: the initrd's index built from archives written here
 * (tests/unit/cpio_build.h), with every rule fs/tree.h states for names,
 * implied directories, duplicates, hard links and skipped entries, and the
 * path walk's answers against Linux's (what a Linux shell gives on the same
 * tree unpacked: ls, stat, readlink). */
#include "fs/tree.h"
#include "sys/linux_abi.h"
#include "tests/unit/cpio_build.h"
#include "tests/unit/unit.h"

static struct cpio_build b;
static struct fs_tree t;

static void build(void)
{
    fs_tree_free(&t);
    fs_tree_build(&t, b.p, b.len);
}

/* The node at path (followed), or FS_NONE. */
static uint32_t at(const char *path)
{
    struct fs_walk w;
    return fs_tree_resolve(&t, FS_ROOT, path, strlen(path), FS_FOLLOW, &w) == 0 ? w.node : FS_NONE;
}

static long walk(uint32_t start, const char *path, unsigned flags, struct fs_walk *w)
{
    return fs_tree_resolve(&t, start, path, strlen(path), flags, w);
}

/* The names in dir, in order, joined by spaces. */
static const char *children(uint32_t dir)
{
    static char out[512];
    size_t o = 0;
    out[0] = '\0';
    for (uint32_t c = t.nodes[dir].first_child; c != FS_NONE; c = t.nodes[c].next_sibling)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%.*s", o ? " " : "",
                              (int)t.nodes[c].name_len, t.nodes[c].name);
    return out;
}

TEST(names_are_normalised_and_directories_implied)
{
    cb_init(&b);
    cb_file(&b, "./top.txt", "top");
    cb_file(&b, "/abs//x.txt", "x");
    cb_file(&b, "a/b/c.txt", "c"); /* neither a nor a/b has an entry */
    cb_dir(&b, "a/b/");            /* a later entry for a/b: its metadata */
    cb_file(&b, "./a/./b/d.txt", "d");
    cb_entry(&b, ".", 040700, "", 0); /* the root's own entry */
    cb_trailer(&b);
    build();
    CHECK(t.error == NULL);
    CHECK_EQ(t.skipped, 0u);
    CHECK_EQ(t.entries, 6u);
    CHECK_STR(children(FS_ROOT), "top.txt abs a");
    CHECK_STR(children(at("/a")), "b");
    CHECK_STR(children(at("/a/b")), "c.txt d.txt");
    CHECK_STR(children(at("/abs")), "x.txt");
    CHECK_EQ(t.nodes[at("/a")].mode, (uint32_t)(LINUX_S_IFDIR | 0755)); /* implied */
    CHECK_EQ(t.nodes[at("/a")].mtime, 0u);
    CHECK_EQ(t.nodes[at("/a/b")].mtime, 1700000000u); /* its entry */
    CHECK_EQ(t.nodes[FS_ROOT].mode, (uint32_t)(LINUX_S_IFDIR | 0700));
    const struct fs_node *c = &t.nodes[at("a/b/c.txt")];
    CHECK_EQ(c->size, 1u);
    CHECK(memcmp(c->data, "c", 1) == 0);
    /* link counts: a directory has 2 plus one per subdirectory */
    CHECK_EQ(t.nodes[FS_ROOT].nlink, 4u); /* abs, a */
    CHECK_EQ(t.nodes[at("/a")].nlink, 3u);
    CHECK_EQ(t.nodes[at("/a/b")].nlink, 2u);
    CHECK_EQ(c->nlink, 1u);
    struct fs_counts n;
    fs_tree_count(&t, &n);
    CHECK_EQ(n.files, 4u);
    CHECK_EQ(n.dirs, 3u);
    CHECK_EQ(n.symlinks, 0u);
    /* every node has its own inode number */
    for (uint32_t i = 0; i < t.count; i++)
        for (uint32_t j = i + 1; j < t.count; j++)
            CHECK(t.nodes[i].ino != t.nodes[j].ino);
}

TEST(duplicates_last_wins)
{
    cb_init(&b);
    cb_file(&b, "f", "first");
    cb_file(&b, "f", "second");
    cb_file(&b, "g", "a file");
    cb_dir(&b, "g"); /* a file becomes a directory */
    cb_file(&b, "g/in", "x");
    cb_file(&b, "g", "no");      /* cannot replace a directory that holds entries */
    cb_file(&b, "f/under", "x"); /* f is a file */
    cb_dir(&b, "e");
    cb_file(&b, "e", "empty directory replaced");
    cb_trailer(&b);
    build();
    CHECK_EQ(t.skipped, 2u);
    CHECK_STR(children(FS_ROOT), "f g e");
    CHECK_EQ(t.nodes[at("f")].size, 6u);
    CHECK(memcmp(t.nodes[at("f")].data, "second", 6) == 0);
    CHECK(fs_tree_is_dir(&t, at("g")));
    CHECK(at("g/in") != FS_NONE);
    CHECK(!fs_tree_is_dir(&t, at("e")));
    CHECK(LOG_CONTAINS("initrd: 'g' skipped: it would replace a directory that holds entries"));
    CHECK(LOG_CONTAINS("initrd: 'f/under' skipped: a component on its way is not a directory"));
}

TEST(bad_entries_are_skipped_and_named)
{
    cb_init(&b);
    cb_file(&b, "ok", "1");
    cb_file(&b, "a/../escape", "x");
    cb_file(&b, "..", "x");
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = '\0';
    cb_file(&b, longname, "x");
    cb_entry(&b, "weird", 0070644, "", 0); /* no such file type */
    cb_entry(&b, "nolink", 0120777, "", 0);
    cb_entry(&b, "nul", 0120777, "a\0b", 3);
    struct cb_fields f = {.mode = 0100644, .nlink = 1, .filesize = 2, .namesize = 4, .check = 7};
    cb_full(&b, "070702", f, "crc", "ab");
    cb_file(&b, "bad\033[2Jname/x", "x"); /* through a file? no: "bad..." does not exist */
    cb_entry(&b, "dev", 020600, "", 0);   /* a device node is kept */
    cb_trailer(&b);
    build();
    CHECK(t.error == NULL);
    CHECK_EQ(t.skipped, 7u);
    CHECK_STR(children(FS_ROOT), "ok bad\033[2Jname dev");
    CHECK(LOG_CONTAINS("'a/../escape' skipped: '..' in the name"));
    CHECK(LOG_CONTAINS("longer than 255 bytes"));
    CHECK(LOG_CONTAINS("'weird' skipped: not a file type Linux knows"));
    CHECK(LOG_CONTAINS("'nolink' skipped: a symbolic link's target must be 1 to 4095 bytes"));
    CHECK(LOG_CONTAINS("'nul' skipped: a symbolic link's target holds a NUL"));
    CHECK(LOG_CONTAINS("'crc' skipped: its data does not add up"));
    struct fs_counts n;
    fs_tree_count(&t, &n);
    CHECK_EQ(n.others, 1u);
    CHECK_EQ(t.nodes[at("dev")].mode, 020600u);
}

TEST(log_names_are_escaped_and_limited)
{
    cb_init(&b);
    for (int i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "x\033%d/../y", i);
        cb_file(&b, name, "x");
    }
    cb_trailer(&b);
    build();
    CHECK_EQ(t.skipped, 12u);
    CHECK(LOG_CONTAINS("initrd: 'x\\x1b0/../y' skipped"));
    CHECK(!LOG_CONTAINS("\033"));
    CHECK(LOG_CONTAINS("'x\\x1b7/../y'"));
    CHECK(!LOG_CONTAINS("'x\\x1b8/../y'"));
    CHECK(LOG_CONTAINS("further skipped entries are counted"));
}

TEST(hard_links_share_data_and_inode)
{
    cb_init(&b);
    /* GNU cpio: the data comes with the last name of the file */
    struct cb_fields f = {.ino = 7, .mode = 0100644, .nlink = 3, .namesize = 2};
    cb_full(&b, "070701", f, "a", "");
    cb_full(&b, "070701", f, "b", "");
    f.filesize = 4;
    cb_full(&b, "070701", f, "c", "data");
    f.devminor = 1; /* the same ino on another device: another file */
    f.namesize = 2;
    f.filesize = 0;
    cb_full(&b, "070701", f, "d", "");
    cb_trailer(&b);
    build();
    uint32_t a = at("a"), bb = at("b"), c = at("c"), d = at("d");
    CHECK_EQ(t.nodes[a].size, 4u);
    CHECK_EQ(t.nodes[bb].size, 4u);
    CHECK(memcmp(t.nodes[a].data, "data", 4) == 0);
    CHECK_EQ(t.nodes[a].ino, t.nodes[c].ino);
    CHECK_EQ(t.nodes[bb].ino, t.nodes[c].ino);
    CHECK_EQ(t.nodes[c].nlink, 3u);
    CHECK_EQ(t.nodes[d].size, 0u);
    CHECK(t.nodes[d].ino != t.nodes[c].ino);
}

TEST(malformed_archive_keeps_what_came_before)
{
    cb_init(&b);
    cb_file(&b, "one", "1");
    cb_file(&b, "two", "2");
    size_t bad = b.len;
    cb_file(&b, "three", "3");
    b.p[bad + 20] = 'z';
    cb_trailer(&b);
    build();
    CHECK(t.error != NULL);
    CHECK_EQ(t.error_off, bad);
    CHECK_EQ(t.entries, 2u);
    CHECK_STR(children(FS_ROOT), "one two");
    char line[160];
    snprintf(line, sizeof line, "initrd: malformed cpio archive at offset %zu: ", bad);
    CHECK(LOG_CONTAINS(line));
    CHECK(LOG_CONTAINS("; 2 entries before it are used\n"));
    /* nothing at all: the root alone */
    fs_tree_free(&t);
    fs_tree_build(&t, "070701", 6);
    CHECK_EQ(t.count, 1u);
    CHECK(fs_tree_is_dir(&t, FS_ROOT));
    CHECK_EQ(t.nodes[FS_ROOT].nlink, 2u);
}

/* Archives one after another (Linux's initramfs: buffer-format.rst): zero
 * padding between them is skipped, the later entries win; anything else
 * after a trailer is named and ignored. */
TEST(concatenated_archives)
{
    cb_init(&b);
    cb_file(&b, "a", "first a");
    cb_file(&b, "only-first", "1");
    cb_trailer(&b);
    while (b.len % 512)
        cb_bytes(&b, "", 1); /* cpio's block padding */
    cb_file(&b, "a", "second a");
    cb_dir(&b, "d");
    cb_trailer(&b);
    cb_file(&b, "third", "3"); /* right after a trailer, no padding */
    cb_trailer(&b);
    cb_bytes(&b, "\0\0\0\0\0\0\0\0", 8);
    build();
    CHECK(t.error == NULL);
    CHECK_STR(children(FS_ROOT), "a only-first d third");
    CHECK_EQ(t.nodes[at("a")].size, 8u);
    CHECK(memcmp(t.nodes[at("a")].data, "second a", 8) == 0);
    CHECK(!LOG_CONTAINS("ignored"));
    /* junk after a trailer: named, the rest kept */
    cb_init(&b);
    cb_file(&b, "kept", "k");
    cb_trailer(&b);
    size_t junk = b.len;
    cb_bytes(&b, "\0\0\0\0junk", 8);
    build();
    char line[128];
    snprintf(line, sizeof line,
             "initrd: 4 bytes after the trailer at offset %zu are not a cpio newc archive; ignored",
             junk + 4);
    CHECK(LOG_CONTAINS(line));
    CHECK_STR(children(FS_ROOT), "kept");
    /* a second archive that is malformed: its offset counts from the start */
    cb_init(&b);
    cb_file(&b, "one", "1");
    cb_trailer(&b);
    size_t second = b.len;
    cb_file(&b, "two", "2");
    b.p[second + 20] = '?';
    build();
    snprintf(line, sizeof line, "initrd: malformed cpio archive at offset %zu: ", second);
    CHECK(LOG_CONTAINS(line));
    CHECK_EQ(t.error_off, second);
    CHECK_STR(children(FS_ROOT), "one");
}

static void sample(void)
{
    cb_init(&b);
    cb_dir(&b, "d");
    cb_file(&b, "d/f", "file");
    cb_dir(&b, "d/sub");
    cb_link(&b, "d/up", "..");
    cb_link(&b, "d/abs", "/d/sub");
    cb_link(&b, "d/rel", "sub/../f");
    cb_link(&b, "d/chain", "rel");
    cb_link(&b, "d/dangling", "nothing");
    cb_link(&b, "d/loop1", "loop2");
    cb_link(&b, "d/loop2", "loop1");
    cb_link(&b, "d/self", "self/x");
    cb_link(&b, "d/tofile_slash", "f/");
    cb_link(&b, "d/deepdangle", "sub/none/x");
    cb_file(&b, "top", "t");
    cb_trailer(&b);
    build();
}

TEST(walks)
{
    sample();
    struct fs_walk w;
    uint32_t d = at("/d"), f = at("/d/f"), sub = at("/d/sub");
    CHECK(d != FS_NONE && f != FS_NONE && sub != FS_NONE);
    CHECK_EQ(at("/"), FS_ROOT);
    CHECK_EQ(at("///"), FS_ROOT);
    CHECK_EQ(at("."), FS_ROOT);
    CHECK_EQ(at("/.."), FS_ROOT);
    CHECK_EQ(at("../../d"), d);
    CHECK_EQ(at("d//sub/."), sub);
    CHECK_EQ(at("d/sub/.."), d);
    CHECK_EQ(at("/d/sub/"), sub);
    CHECK_EQ(at("d/up/top"), at("top"));
    CHECK_EQ(at("d/abs"), sub);
    CHECK_EQ(at("d/rel"), f);
    CHECK_EQ(at("d/chain"), f);
    CHECK_EQ(at("d/abs/../f"), f); /* ".." of where the link led */
    /* relative to a start directory */
    CHECK_EQ(walk(d, "f", 0, &w), 0);
    CHECK_EQ(w.node, f);
    CHECK_EQ(walk(sub, "../f", 0, &w), 0);
    CHECK_EQ(w.node, f);
    CHECK_EQ(walk(sub, "/top", 0, &w), 0);
    CHECK_EQ(w.node, at("top"));
    /* the last link is followed only when asked */
    CHECK_EQ(walk(FS_ROOT, "d/chain", 0, &w), 0);
    CHECK_EQ(fs_node_type(&t.nodes[w.node]), (uint32_t)LINUX_S_IFLNK);
    CHECK_STR(children(d), "f sub up abs rel chain dangling loop1 loop2 self tofile_slash "
                           "deepdangle");
    /* ... but always with a trailing slash */
    CHECK_EQ(walk(FS_ROOT, "d/abs/", 0, &w), 0);
    CHECK_EQ(w.node, sub);
    CHECK(w.trailing_slash);
}

TEST(walk_errors)
{
    sample();
    struct fs_walk w;
    CHECK_EQ(walk(FS_ROOT, "", FS_FOLLOW, &w), -LINUX_ENOENT);
    CHECK_EQ(walk(FS_ROOT, "/nope", FS_FOLLOW, &w), -LINUX_ENOENT);
    CHECK(w.last_missing);
    CHECK_EQ(walk(FS_ROOT, "/nope/x", FS_FOLLOW, &w), -LINUX_ENOENT);
    CHECK(!w.last_missing);
    CHECK_EQ(walk(FS_ROOT, "/nope/", FS_FOLLOW, &w), -LINUX_ENOENT);
    CHECK(w.last_missing && w.trailing_slash);
    CHECK_EQ(walk(FS_ROOT, "d/f/", FS_FOLLOW, &w), -LINUX_ENOTDIR);
    CHECK_EQ(walk(FS_ROOT, "d/f/x", FS_FOLLOW, &w), -LINUX_ENOTDIR);
    CHECK_EQ(walk(FS_ROOT, "d/f/.", FS_FOLLOW, &w), -LINUX_ENOTDIR);
    CHECK_EQ(walk(FS_ROOT, "d/f/..", FS_FOLLOW, &w), -LINUX_ENOTDIR);
    CHECK_EQ(walk(FS_ROOT, "top/", 0, &w), -LINUX_ENOTDIR);
    CHECK_EQ(walk(FS_ROOT, "d/tofile_slash", FS_FOLLOW, &w), -LINUX_ENOTDIR);
    CHECK_EQ(walk(FS_ROOT, "d/dangling", FS_FOLLOW, &w), -LINUX_ENOENT);
    CHECK(w.last_missing); /* the link's target would be created by O_CREAT */
    CHECK_EQ(walk(FS_ROOT, "d/dangling", 0, &w), 0);
    CHECK_EQ(walk(FS_ROOT, "d/deepdangle", FS_FOLLOW, &w), -LINUX_ENOENT);
    CHECK(!w.last_missing);
    CHECK_EQ(walk(FS_ROOT, "d/loop1", FS_FOLLOW, &w), -LINUX_ELOOP);
    CHECK_EQ(walk(FS_ROOT, "d/loop1/x", 0, &w), -LINUX_ELOOP);
    CHECK_EQ(walk(FS_ROOT, "d/self", FS_FOLLOW, &w), -LINUX_ELOOP);
    CHECK_EQ(walk(FS_ROOT, "d/loop1", 0, &w), 0); /* the link itself */
    char name[300];
    memset(name, 'n', 256);
    name[256] = '\0';
    CHECK_EQ(walk(FS_ROOT, name, FS_FOLLOW, &w), -LINUX_ENAMETOOLONG);
    name[255] = '\0';
    CHECK_EQ(walk(FS_ROOT, name, FS_FOLLOW, &w), -LINUX_ENOENT);
}

TEST(forty_links_and_no_more)
{
    /* l0 -> l1 -> ... -> l40 -> file: 41 links on the way is one too many */
    cb_init(&b);
    char name[16], target[16];
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof name, "l%d", i);
        snprintf(target, sizeof target, "l%d", i + 1);
        cb_link(&b, name, i == 40 ? "file" : target);
    }
    cb_file(&b, "file", "x");
    cb_trailer(&b);
    build();
    struct fs_walk w;
    CHECK_EQ(walk(FS_ROOT, "l1", FS_FOLLOW, &w), 0); /* 40 links */
    CHECK_EQ(w.node, at("file"));
    CHECK_EQ(walk(FS_ROOT, "l0", FS_FOLLOW, &w), -LINUX_ELOOP);
}

TEST(paths_of_nodes)
{
    sample();
    char buf[64];
    CHECK_EQ(fs_tree_path(&t, FS_ROOT, buf, sizeof buf), 2u);
    CHECK_STR(buf, "/");
    CHECK_EQ(fs_tree_path(&t, at("/d/sub"), buf, sizeof buf), 7u);
    CHECK_STR(buf, "/d/sub");
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(fs_tree_path(&t, at("/d/sub"), buf, 6), 7u); /* too small: nothing written */
    CHECK_EQ(buf[0], 'x');
    CHECK_EQ(fs_tree_path(&t, at("/d/sub"), NULL, 0), 7u);
}

/* The kernel's own files (the network stack's /etc/resolv.conf): added with
 * their directories to a tree or to none, found again, never over the
 * archive's. */
TEST(kernel_files_join_the_tree_and_yield_to_the_archive)
{
    const char *why;
    fs_tree_free(&t);
    memset(&t, 0, sizeof t);
    uint32_t r = fs_tree_add_file(&t, "etc/resolv.conf", &why);
    CHECK(r != FS_NONE && t.nodes[r].generated);
    CHECK_EQ(t.nodes[r].mode, 0100444u);
    CHECK_EQ(at("/etc/resolv.conf"), r);
    CHECK(fs_tree_is_dir(&t, at("/etc")));
    CHECK_EQ(fs_tree_add_file(&t, "etc/resolv.conf", &why), r); /* again: the same node */
    uint32_t h = fs_tree_add_file(&t, "etc/hosts", &why);
    CHECK(h != FS_NONE && h != r);
    CHECK_STR(children(at("/etc")), "resolv.conf hosts");
    CHECK_EQ(t.nodes[at("/etc")].nlink, 2u);

    cb_init(&b);
    cb_file(&b, "etc/hosts", "10.0.0.1 mine\n");
    cb_file(&b, "top", "t");
    cb_trailer(&b);
    build();
    CHECK_EQ(fs_tree_add_file(&t, "etc/hosts", &why), FS_NONE);
    CHECK_STR(why, "the initrd has it");
    CHECK_EQ(fs_tree_add_file(&t, "top/x", &why), FS_NONE);
    CHECK_STR(why, "a component on its way is not a directory");
    CHECK_EQ(fs_tree_add_file(&t, "/", &why), FS_NONE);
    uint32_t n = fs_tree_add_file(&t, "etc/resolv.conf", &why);
    CHECK(n != FS_NONE && at("/etc/resolv.conf") == n);
    CHECK_STR(children(at("/etc")), "hosts resolv.conf");
}

UNIT_MAIN()
