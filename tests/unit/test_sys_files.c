/* The file layer (sys/files/) through __anyvm_syscall, on an initrd built
 * here: every call and error docs/architecture.md promises, with the values
 * Linux 6.1 gives for the same tree on a read-only mount (as root). */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/cpio_build.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define AT_FDCWD LINUX_AT_FDCWD

static struct cpio_build b;

static void fresh(void)
{
    host_sys_reset(1u << 20);
}

/* /hello.txt, /empty, /run.sh (0755), /dir/{note.txt,sub/deep.txt},
 * /link -> dir/note.txt, /dirlink -> /dir, /tty (a character device),
 * /dangling -> nowhere. */
static void mount_sample(void)
{
    fresh();
    cb_init(&b);
    cb_file(&b, "hello.txt", "hello, initrd\n");
    cb_file(&b, "empty", "");
    cb_entry(&b, "run.sh", 0100755, "#!/bin/sh\n", 10);
    cb_dir(&b, "dir");
    cb_file(&b, "dir/note.txt", "a note\n");
    cb_file(&b, "dir/sub/deep.txt", "deep\n");
    cb_link(&b, "link", "dir/note.txt");
    cb_link(&b, "dirlink", "/dir");
    struct cb_fields f = {
        .mode = 020620, .nlink = 1, .rdevmajor = 4, .rdevminor = 1, .namesize = 4};
    cb_full(&b, "070701", f, "tty", "");
    cb_link(&b, "dangling", "nowhere");
    cb_trailer(&b);
    CHECK_EQ(sys_files_mount(b.p, b.len, 0, 0), 0);
}

static long open_(const char *path, long flags)
{
    return SC(LINUX_NR_open, path, flags, 0);
}

TEST(mount_says_what_it_holds)
{
    mount_sample();
    char line[128];
    snprintf(line, sizeof line,
             "initrd: 5 files, 2 directories, 3 symlinks, 1 other, %zu bytes (cpio newc)\n", b.len);
    CHECK(LOG_CONTAINS(line));
}

TEST(not_an_archive_is_refused_and_named)
{
    fresh();
    static const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0};
    CHECK_EQ(sys_files_mount(gz, sizeof gz, 0, 0), 0);
    CHECK(LOG_CONTAINS("initrd: not a cpio newc archive (8 bytes starting 1f 8b 08 00: "
                       "gzip-compressed"));
    CHECK(LOG_CONTAINS("; not used\n"));
    unit_log_clear();
    CHECK_EQ(sys_files_mount("070707", 6, 0, 0), 0);
    CHECK(LOG_CONTAINS("old portable cpio format"));
    /* the tree stays what it was: here the sample mounted before, or the
     * empty root */
}

TEST(an_initrd_on_the_image_is_refused)
{
    mount_sample();
    cb_init(&b);
    cb_file(&b, "other", "x");
    cb_trailer(&b);
    uint64_t at = (uintptr_t)b.p;
    unit_log_clear();
    CHECK_EQ(sys_files_mount(b.p, b.len, at + b.len - 1, at + b.len + 4096), 0);
    char line[160];
    snprintf(line, sizeof line, "initrd: [%#llx, %#llx) overlaps the kernel image",
             (unsigned long long)at, (unsigned long long)(at + b.len));
    CHECK(LOG_CONTAINS(line));
    CHECK(LOG_CONTAINS("; not used\n"));
    CHECK_EQ(open_("/other", 0), -LINUX_ENOENT); /* the tree stays the one before */
    /* right after the image, or right before it: fine */
    CHECK_EQ(sys_files_mount(b.p, b.len, at - 4096, at), 0);
    CHECK(open_("/other", 0) >= 0);
    CHECK_EQ(sys_files_mount(b.p, b.len, at + b.len, at + b.len + 4096), 0);
    CHECK(open_("/other", 0) >= 0);
}

TEST(reading_a_file)
{
    mount_sample();
    int fd = (int)open_("/hello.txt", LINUX_O_RDONLY);
    CHECK(fd >= 3);
    char buf[64];
    memset(buf, 0, sizeof buf);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 5), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, sizeof buf), 9);
    CHECK(memcmp(buf, ", initrd\n", 9) == 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, sizeof buf), 0); /* the end */
    CHECK_EQ(SC(LINUX_NR_pread64, fd, buf, 4, 7), 4);
    CHECK(memcmp(buf, "init", 4) == 0);
    CHECK_EQ(SC(LINUX_NR_pread64, fd, buf, 4, 100), 0);
    CHECK_EQ(SC(LINUX_NR_pread64, fd, buf, 4, -1), -LINUX_EINVAL);
    /* lseek: SET, CUR, END, past the end, DATA, HOLE, before 0 */
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 2, LINUX_SEEK_SET), 2);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 3, LINUX_SEEK_CUR), 5);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 2), 2);
    CHECK(memcmp(buf, ", ", 2) == 0);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, -1, LINUX_SEEK_END), 13);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 100, LINUX_SEEK_END), 114);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 1), 0);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 3, LINUX_SEEK_DATA), 3);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 3, LINUX_SEEK_HOLE), 14);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 14, LINUX_SEEK_DATA), -LINUX_ENXIO);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, -20, LINUX_SEEK_END), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, INT64_MAX, LINUX_SEEK_END), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 0, 5), -LINUX_EINVAL);
    /* readv, as musl's stdio reads */
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 0, LINUX_SEEK_SET), 0);
    char a[3], c[40];
    struct linux_iovec iov[2] = {{(uintptr_t)a, sizeof a}, {(uintptr_t)c, sizeof c}};
    CHECK_EQ(SC(LINUX_NR_readv, fd, iov, 2), 14);
    CHECK(memcmp(a, "hel", 3) == 0 && memcmp(c, "lo, initrd\n", 11) == 0);
    /* no write, and no bad buffer */
    CHECK_EQ(SC(LINUX_NR_write, fd, "x", 1), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 0, LINUX_SEEK_SET), 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, 16, 4), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_close, fd), 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 1), -LINUX_EBADF);
    /* an empty file */
    fd = (int)open_("empty", LINUX_O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 0, LINUX_SEEK_DATA), -LINUX_ENXIO);
    CHECK_EQ(SC(LINUX_NR_close, fd), 0);
}

TEST(reads_come_from_the_archive_in_place)
{
    mount_sample();
    int fd = (int)open_("/hello.txt", LINUX_O_RDONLY);
    char *in_archive = memmem(b.p, b.len, "hello, initrd", 13);
    CHECK(in_archive != NULL);
    in_archive[0] = 'J';
    char buf[5];
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 5), 5);
    CHECK(memcmp(buf, "Jello", 5) == 0);
    in_archive[0] = 'h';
}

TEST(open_flags_on_a_read_only_tree)
{
    mount_sample();
    CHECK_EQ(open_("/nope", LINUX_O_RDONLY), -LINUX_ENOENT);
    CHECK_EQ(open_("/hello.txt", LINUX_O_WRONLY), -LINUX_EROFS);
    CHECK_EQ(open_("/hello.txt", LINUX_O_RDWR), -LINUX_EROFS);
    CHECK_EQ(open_("/hello.txt", LINUX_O_RDONLY | LINUX_O_TRUNC), -LINUX_EROFS);
    CHECK_EQ(open_("/hello.txt", LINUX_O_RDONLY | LINUX_O_APPEND) >= 0, 1);
    CHECK_EQ(open_("/new", LINUX_O_WRONLY | LINUX_O_CREAT), -LINUX_EROFS);
    CHECK_EQ(open_("/new", LINUX_O_RDONLY | LINUX_O_CREAT), -LINUX_EROFS);
    CHECK_EQ(open_("/dangling", LINUX_O_RDONLY | LINUX_O_CREAT), -LINUX_EROFS);
    CHECK_EQ(open_("/nodir/new", LINUX_O_WRONLY | LINUX_O_CREAT), -LINUX_ENOENT);
    CHECK_EQ(open_("/hello.txt/new", LINUX_O_WRONLY | LINUX_O_CREAT), -LINUX_ENOTDIR);
    CHECK_EQ(open_("/new/", LINUX_O_RDONLY | LINUX_O_CREAT), -LINUX_EISDIR);
    CHECK_EQ(open_("/hello.txt", LINUX_O_RDONLY | LINUX_O_CREAT | LINUX_O_EXCL), -LINUX_EEXIST);
    CHECK_EQ(open_("/link", LINUX_O_RDONLY | LINUX_O_CREAT | LINUX_O_EXCL), -LINUX_EEXIST);
    CHECK(open_("/hello.txt", LINUX_O_RDONLY | LINUX_O_CREAT) >= 0); /* exists: no write */
    CHECK_EQ(open_("/hello.txt", LINUX_O_WRONLY | LINUX_O_CREAT), -LINUX_EROFS);
    CHECK_EQ(open_("/dir", LINUX_O_RDONLY | LINUX_O_CREAT), -LINUX_EISDIR);
    CHECK_EQ(open_("/dir", LINUX_O_WRONLY), -LINUX_EISDIR);
    CHECK_EQ(open_("/dir", LINUX_O_RDONLY | LINUX_O_TRUNC), -LINUX_EISDIR);
    CHECK_EQ(open_("/hello.txt", LINUX_O_RDONLY | LINUX_O_DIRECTORY), -LINUX_ENOTDIR);
    CHECK_EQ(open_("/hello.txt/", LINUX_O_RDONLY), -LINUX_ENOTDIR);
    CHECK_EQ(open_("/link", LINUX_O_RDONLY | LINUX_O_NOFOLLOW), -LINUX_ELOOP);
    CHECK(open_("/dirlink/", LINUX_O_RDONLY | LINUX_O_NOFOLLOW) >= 0); /* the slash follows */
    CHECK_EQ(open_("/tty", LINUX_O_RDONLY), -LINUX_ENXIO);
    CHECK_EQ(open_("/tty", LINUX_O_WRONLY), -LINUX_ENXIO);
    long tmpfile = LINUX_O_TMPFILE_BIT | LINUX_O_DIRECTORY;
    CHECK_EQ(open_("/dir", tmpfile | LINUX_O_RDONLY), -LINUX_EINVAL);
    CHECK_EQ(open_("/dir", tmpfile | LINUX_O_RDWR), -LINUX_EROFS);
    CHECK_EQ(open_("/hello.txt", tmpfile | LINUX_O_RDWR), -LINUX_ENOTDIR);
    CHECK_EQ(open_("/dir", LINUX_O_TMPFILE_BIT | LINUX_O_RDWR), -LINUX_EINVAL);
    CHECK_EQ(open_("/hello.txt", LINUX_O_PATH), -LINUX_EINVAL);
    CHECK_EQ(open_("", LINUX_O_RDONLY), -LINUX_ENOENT);
    CHECK_EQ(open_(NULL, LINUX_O_RDONLY), -LINUX_EFAULT);
    static char longest[LINUX_PATH_MAX];
    memset(longest, '/', sizeof longest);
    CHECK_EQ(open_(longest, LINUX_O_RDONLY), -LINUX_ENAMETOOLONG);
    longest[LINUX_PATH_MAX - 1] = '\0';
    CHECK(open_(longest, LINUX_O_RDONLY) >= 0); /* 4095 slashes: the root */
}

TEST(what_the_descriptor_keeps)
{
    mount_sample();
    int fd = (int)SC(LINUX_NR_openat, AT_FDCWD, "hello.txt",
                     LINUX_O_RDONLY | LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | LINUX_O_CREAT);
    CHECK(fd >= 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, fd, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_fcntl, fd, LINUX_F_GETFL),
             LINUX_O_RDONLY | LINUX_O_NONBLOCK | LINUX_O_LARGEFILE);
    int fd2 = (int)open_("hello.txt", 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, fd2, LINUX_F_GETFD), 0);
    /* dup shares the position */
    int d = (int)SC(LINUX_NR_dup, fd);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 3), 3);
    CHECK_EQ(SC(LINUX_NR_lseek, d, 0, LINUX_SEEK_CUR), 3);
    CHECK_EQ(SC(LINUX_NR_close, fd), 0);
    CHECK_EQ(SC(LINUX_NR_read, d, buf, 2), 2);
    CHECK(memcmp(buf, "lo", 2) == 0);
}

/* The records of one getdents64 call as "name/type name/type ...". */
static const char *records(const uint8_t *buf, long n)
{
    static char out[512];
    size_t o = 0;
    out[0] = '\0';
    for (long at = 0; at < n;) {
        struct linux_dirent64 d;
        memcpy(&d, buf + at, sizeof d);
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s/%u", o ? " " : "",
                              (const char *)buf + at + 19, d.d_type);
        if (d.d_reclen == 0 || d.d_reclen % 8)
            return "bad d_reclen";
        at += d.d_reclen;
    }
    return out;
}

TEST(listing_a_directory)
{
    mount_sample();
    int fd = (int)open_("/", LINUX_O_RDONLY | LINUX_O_DIRECTORY);
    CHECK(fd >= 0);
    uint8_t buf[1024];
    long n = SC(LINUX_NR_getdents64, fd, buf, sizeof buf);
    CHECK(n > 0);
    CHECK_STR(records(buf, n), "./4 ../4 hello.txt/8 empty/8 run.sh/8 dir/4 link/10 dirlink/10 "
                               "tty/2 dangling/10");
    CHECK_EQ(SC(LINUX_NR_getdents64, fd, buf, sizeof buf), 0); /* the end */
    /* d_off of a record is the position after it: lseek there and go on */
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 0, LINUX_SEEK_SET), 0);
    n = SC(LINUX_NR_getdents64, fd, buf, 48); /* "." 24 bytes, ".." 24 bytes */
    CHECK_STR(records(buf, n), "./4 ../4");
    struct linux_dirent64 d;
    memcpy(&d, buf + 24, sizeof d);
    CHECK_EQ(d.d_off, 2);
    n = SC(LINUX_NR_getdents64, fd, buf, 40);
    CHECK_STR(records(buf, n), "hello.txt/8");
    CHECK_EQ(SC(LINUX_NR_getdents64, fd, buf, 10), -LINUX_EINVAL); /* "empty" does not fit */
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 5, LINUX_SEEK_SET), 5);
    n = SC(LINUX_NR_getdents64, fd, buf, sizeof buf);
    CHECK_STR(records(buf, n), "dir/4 link/10 dirlink/10 tty/2 dangling/10");
    CHECK_EQ(SC(LINUX_NR_lseek, fd, -2, LINUX_SEEK_CUR), 8);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 0, LINUX_SEEK_END), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, -1, LINUX_SEEK_SET), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 99, LINUX_SEEK_SET), 99);
    CHECK_EQ(SC(LINUX_NR_getdents64, fd, buf, sizeof buf), 0);
    /* ".." and "." carry the inode numbers of the parent and the directory */
    int sub = (int)open_("/dir/sub", LINUX_O_RDONLY);
    n = SC(LINUX_NR_getdents64, sub, buf, sizeof buf);
    CHECK_STR(records(buf, n), "./4 ../4 deep.txt/8");
    struct linux_stat st;
    CHECK_EQ(SC(LINUX_NR_stat, "/dir", &st), 0);
    memcpy(&d, buf + 24, sizeof d);
    CHECK_EQ(d.d_ino, st.st_ino);
    /* a directory is not read, a file not listed */
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 1), -LINUX_EISDIR);
    CHECK_EQ(SC(LINUX_NR_pread64, fd, buf, 1, 0), -LINUX_EISDIR);
    int file = (int)open_("/hello.txt", 0);
    CHECK_EQ(SC(LINUX_NR_getdents64, file, buf, sizeof buf), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_getdents64, 1, buf, sizeof buf), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_getdents64, 99, buf, sizeof buf), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_getdents64, fd, 8, sizeof buf), -LINUX_EFAULT);
}

TEST(stat_family)
{
    mount_sample();
    struct linux_stat st, lst;
    CHECK_EQ(SC(LINUX_NR_stat, "/hello.txt", &st), 0);
    CHECK_EQ(st.st_mode, 0100644u);
    CHECK_EQ(st.st_size, 14);
    CHECK_EQ(st.st_nlink, 1u);
    CHECK_EQ(st.st_mtime_sec, 1700000000u);
    CHECK_EQ(st.st_blocks, 1);
    CHECK_EQ(st.st_blksize, 4096);
    CHECK(st.st_ino != 0);
    /* through the link, and the link itself */
    CHECK_EQ(SC(LINUX_NR_stat, "/link", &st), 0);
    CHECK_EQ(SC(LINUX_NR_lstat, "/link", &lst), 0);
    CHECK_EQ(st.st_size, 7);
    CHECK_EQ(lst.st_mode, 0120777u);
    CHECK_EQ(lst.st_size, 12); /* the target's length */
    CHECK(lst.st_ino != st.st_ino);
    CHECK_EQ(SC(LINUX_NR_stat, "/dangling", &st), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_lstat, "/dangling", &st), 0);
    CHECK_EQ(SC(LINUX_NR_stat, "/dir", &st), 0);
    CHECK_EQ(st.st_mode, 040755u);
    CHECK_EQ(st.st_nlink, 3u);
    CHECK_EQ(SC(LINUX_NR_stat, "/tty", &st), 0);
    CHECK_EQ(st.st_rdev, linux_makedev(4, 1));
    CHECK_EQ(SC(LINUX_NR_stat, "/", &st), 0);
    CHECK_EQ(st.st_nlink, 3u);
    CHECK_EQ(SC(LINUX_NR_stat, "/hello.txt", 8), -LINUX_EFAULT);
    /* newfstatat: dirfd, flags, AT_EMPTY_PATH on the tree's and on the console */
    int dir = (int)open_("/dir", 0);
    CHECK_EQ(SC(LINUX_NR_newfstatat, dir, "note.txt", &st, 0), 0);
    CHECK_EQ(st.st_size, 7);
    CHECK_EQ(SC(LINUX_NR_newfstatat, dir, "", &st, LINUX_AT_EMPTY_PATH), 0);
    CHECK_EQ(st.st_mode, 040755u);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 1, "", &st, LINUX_AT_EMPTY_PATH), 0);
    CHECK_EQ(st.st_mode & LINUX_S_IFMT, (uint32_t)LINUX_S_IFCHR);
    CHECK_EQ(SC(LINUX_NR_newfstatat, AT_FDCWD, "", &st, LINUX_AT_EMPTY_PATH), 0);
    CHECK_EQ(st.st_ino, 1u); /* the working directory: the root */
    CHECK_EQ(SC(LINUX_NR_newfstatat, dir, "", &st, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 1, "x", &st, 0), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 99, "x", &st, 0), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 99, "/hello.txt", &st, 0), 0); /* absolute: no dirfd */
    CHECK_EQ(SC(LINUX_NR_newfstatat, AT_FDCWD, "link", &st, LINUX_AT_SYMLINK_NOFOLLOW), 0);
    CHECK_EQ(st.st_mode, 0120777u);
    CHECK_EQ(SC(LINUX_NR_newfstatat, AT_FDCWD, "link", &st, 0x4000), -LINUX_EINVAL);
    /* fstat of an open file says the same as stat */
    int fd = (int)open_("/dir/note.txt", 0);
    CHECK_EQ(SC(LINUX_NR_fstat, fd, &st), 0);
    CHECK_EQ(SC(LINUX_NR_stat, "/link", &lst), 0);
    CHECK_EQ(memcmp(&st, &lst, sizeof st), 0);
}

TEST(statx_fills_the_basic_fields)
{
    mount_sample();
    struct linux_statx x;
    struct linux_stat st;
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/hello.txt", 0, LINUX_STATX_BASIC_STATS, &x), 0);
    CHECK_EQ(SC(LINUX_NR_stat, "/hello.txt", &st), 0);
    CHECK_EQ(x.stx_mask, LINUX_STATX_BASIC_STATS);
    CHECK_EQ(x.stx_mode, 0100644u);
    CHECK_EQ(x.stx_size, 14u);
    CHECK_EQ(x.stx_ino, st.st_ino);
    CHECK_EQ(x.stx_mtime.tv_sec, 1700000000);
    CHECK_EQ(x.stx_dev_major, 0u);
    CHECK_EQ(x.stx_dev_minor, 1u);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/tty", 0, 0, &x), 0);
    CHECK_EQ(x.stx_rdev_major, 4u);
    CHECK_EQ(x.stx_rdev_minor, 1u);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/link", LINUX_AT_SYMLINK_NOFOLLOW, 0, &x), 0);
    CHECK_EQ(x.stx_mode, 0120777u);
    CHECK_EQ(SC(LINUX_NR_statx, 2, "", LINUX_AT_EMPTY_PATH, 0, &x), 0);
    CHECK_EQ(x.stx_mode & LINUX_S_IFMT, (unsigned)LINUX_S_IFCHR);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/x", 0, LINUX_STATX_RESERVED, &x), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/x", LINUX_AT_STATX_SYNC_TYPE, 0, &x), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/x", 0x10000, 0, &x), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "/hello.txt", 0, 0, 8), -LINUX_EFAULT);
}

TEST(access_as_root_on_a_read_only_tree)
{
    mount_sample();
    CHECK_EQ(SC(LINUX_NR_access, "/hello.txt", LINUX_F_OK), 0);
    CHECK_EQ(SC(LINUX_NR_access, "/hello.txt", LINUX_R_OK), 0);
    CHECK_EQ(SC(LINUX_NR_access, "/hello.txt", LINUX_W_OK), -LINUX_EROFS);
    CHECK_EQ(SC(LINUX_NR_access, "/hello.txt", LINUX_X_OK), -LINUX_EACCES);
    CHECK_EQ(SC(LINUX_NR_access, "/run.sh", LINUX_X_OK | LINUX_R_OK), 0);
    CHECK_EQ(SC(LINUX_NR_access, "/dir", LINUX_X_OK), 0);
    CHECK_EQ(SC(LINUX_NR_access, "/dir", LINUX_W_OK), -LINUX_EROFS);
    CHECK_EQ(SC(LINUX_NR_access, "/tty", LINUX_W_OK), 0); /* a device is not on the mount */
    CHECK_EQ(SC(LINUX_NR_access, "/nope", LINUX_F_OK), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_access, "/hello.txt", 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_faccessat, AT_FDCWD, "dir/note.txt", LINUX_R_OK), 0);
    CHECK_EQ(SC(LINUX_NR_faccessat2, AT_FDCWD, "dangling", LINUX_F_OK, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_faccessat2, AT_FDCWD, "dangling", LINUX_F_OK, LINUX_AT_SYMLINK_NOFOLLOW),
             0);
    CHECK_EQ(SC(LINUX_NR_faccessat2, AT_FDCWD, "dangling", LINUX_F_OK, 0x4), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_faccessat2, 1, "", LINUX_W_OK, LINUX_AT_EMPTY_PATH), 0);
}

TEST(readlink_gives_the_target)
{
    mount_sample();
    char buf[32];
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(SC(LINUX_NR_readlink, "/link", buf, sizeof buf), 12);
    CHECK(memcmp(buf, "dir/note.txt", 12) == 0);
    CHECK_EQ(buf[12], 'x'); /* no NUL */
    CHECK_EQ(SC(LINUX_NR_readlink, "/link", buf, 3), 3);
    CHECK_EQ(SC(LINUX_NR_readlink, "/link", buf, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_readlink, "/link", buf, -1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_readlink, "/hello.txt", buf, sizeof buf), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_readlink, "/nope", buf, sizeof buf), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_readlink, "", buf, sizeof buf), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_readlink, "/link", 8, sizeof buf), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_readlink, "/dirlink/../link", buf, sizeof buf), 12);
    int dir = (int)open_("/", 0);
    CHECK_EQ(SC(LINUX_NR_readlinkat, dir, "dangling", buf, sizeof buf), 7);
    CHECK_EQ(SC(LINUX_NR_readlinkat, dir, "", buf, sizeof buf), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_readlinkat, 99, "", buf, sizeof buf), -LINUX_EBADF);
}

TEST(working_directory)
{
    mount_sample();
    char buf[64];
    CHECK_EQ(SC(LINUX_NR_getcwd, buf, sizeof buf), 2);
    CHECK_STR(buf, "/");
    CHECK_EQ(SC(LINUX_NR_chdir, "dirlink/sub"), 0);
    CHECK_EQ(SC(LINUX_NR_getcwd, buf, sizeof buf), 9);
    CHECK_STR(buf, "/dir/sub"); /* where the link led */
    CHECK_EQ(SC(LINUX_NR_getcwd, buf, 8), -LINUX_ERANGE);
    CHECK_EQ(SC(LINUX_NR_getcwd, NULL, 64), -LINUX_EFAULT);
    int fd = (int)open_("deep.txt", 0);
    CHECK(fd >= 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 5), 5);
    CHECK(memcmp(buf, "deep\n", 5) == 0);
    CHECK(open_("../note.txt", 0) >= 0);
    CHECK_EQ(SC(LINUX_NR_chdir, "/hello.txt"), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_chdir, "/nope"), -LINUX_ENOENT);
    int root = (int)open_("/", 0);
    CHECK_EQ(SC(LINUX_NR_fchdir, root), 0);
    CHECK_EQ(SC(LINUX_NR_getcwd, buf, sizeof buf), 2);
    CHECK_EQ(SC(LINUX_NR_fchdir, fd), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_fchdir, 1), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_fchdir, 99), -LINUX_EBADF);
    /* openat relative to a directory; dirfd that is not one */
    int dir = (int)open_("/dir", 0);
    CHECK(SC(LINUX_NR_openat, dir, "sub/deep.txt", 0) >= 0);
    CHECK_EQ(SC(LINUX_NR_openat, fd, "x", 0), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_openat, 1, "x", 0), -LINUX_ENOTDIR);
    CHECK_EQ(SC(LINUX_NR_openat, 99, "x", 0), -LINUX_EBADF);
    /* sys_reset: back at the root */
    CHECK_EQ(SC(LINUX_NR_chdir, "/dir"), 0);
    fresh();
    CHECK_EQ(SC(LINUX_NR_getcwd, buf, sizeof buf), 2);
}

TEST(nothing_is_said_on_the_console)
{
    mount_sample();
    unit_log_clear();
    char buf[8];
    open_("/nope", 0);
    SC(LINUX_NR_getdents64, 1, buf, sizeof buf);
    SC(LINUX_NR_chdir, "/");
    SC(LINUX_NR_getcwd, buf, sizeof buf);
    CHECK(!LOG_CONTAINS("not implemented"));
}

UNIT_MAIN()
