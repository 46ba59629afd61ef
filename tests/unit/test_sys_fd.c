/* sys/fd.c and sys/console_file.c through __anyvm_syscall: descriptors 0-2
 * on the console, the calls on descriptors and their error paths (unknown
 * descriptors, NULL and overflowing buffers, iovec counts and lengths),
 * dup/fcntl/ioctl, and a second kind of file plugged in the documented way
 * (sys/fd.h), as sockets will be. */
#include "core/event.h"
#include "core/time.h"
#include "sys/fd.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static void fresh(void)
{
    host_sys_reset(1u << 20);
}

TEST(descriptors_1_and_2_write_to_the_console)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_write, 1, "out ", 4), 4);
    CHECK_EQ(SC(LINUX_NR_write, 2, "err ", 4), 4);
    CHECK_EQ(SC(LINUX_NR_write, 0, "in", 2), 2); /* a terminal opened read-write */
    CHECK_STR(host_console, "out err in");
    /* A register with more than 32 bits: Linux's unsigned int fd is its low half. */
    CHECK_EQ(SC(LINUX_NR_write, (1ull << 32) | 1, "!", 1), 1);
    CHECK_STR(host_console, "out err in!");
    CHECK_EQ(SC(LINUX_NR_write, 1, "", 0), 0);
    CHECK_EQ(SC(LINUX_NR_write, 1, NULL, 0), 0);
}

TEST(reads_of_the_console_see_end_of_file)
{
    fresh();
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, 0, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_read, 1, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_read, 0, NULL, 0), 0);
    struct linux_iovec iov[2] = {{(uintptr_t)buf, 4}, {(uintptr_t)buf + 4, 4}};
    CHECK_EQ(SC(LINUX_NR_readv, 0, iov, 2), 0);
}

TEST(bad_buffers_are_efault_and_nothing_is_written)
{
    fresh();
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_write, 1, NULL, 5), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_write, 1, 0x10, 5), -LINUX_EFAULT); /* a field of a NULL struct */
    CHECK_EQ(SC(LINUX_NR_write, 1, buf, -1), -LINUX_EFAULT); /* wraps around */
    CHECK_EQ(SC(LINUX_NR_write, 1, UINT64_MAX - 2, 5), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_write, 1, 1ull << 47, 1), -LINUX_EFAULT); /* beyond the user half */
    CHECK_EQ(SC(LINUX_NR_read, 0, NULL, 5), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_read, 0, buf, UINT64_MAX), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_fstat, 1, NULL), -LINUX_EFAULT);
    CHECK_EQ(host_console_len, 0u);
}

TEST(unknown_descriptors_are_ebadf)
{
    fresh();
    char buf[8];
    struct linux_stat st;
    long bad[] = {3, 255, 256, -1, 1000000, INT32_MIN};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(SC(LINUX_NR_write, bad[i], "x", 1), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_read, bad[i], buf, 1), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_close, bad[i]), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_fstat, bad[i], &st), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_lseek, bad[i], 0, 0), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_ioctl, bad[i], LINUX_TIOCGWINSZ, buf), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_fcntl, bad[i], LINUX_F_GETFL), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_dup, bad[i]), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_pread64, bad[i], buf, 1, 0), -LINUX_EBADF);
        CHECK_EQ(SC(LINUX_NR_writev, bad[i], NULL, 0), -LINUX_EBADF);
    }
    CHECK_EQ(host_console_len, 0u);
}

TEST(writev_gathers_and_checks_every_segment_first)
{
    fresh();
    struct linux_iovec iov[3] = {
        {(uintptr_t) "ab", 2}, {(uintptr_t)NULL, 0}, {(uintptr_t) "cde", 3}};
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, 3), 5);
    CHECK_STR(host_console, "abcde");
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, 0), 0);
    CHECK_EQ(SC(LINUX_NR_writev, 1, NULL, 0), 0);
    CHECK_EQ(SC(LINUX_NR_writev, 1, NULL, 1), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, LINUX_UIO_MAXIOV + 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, -1), -LINUX_EINVAL); /* musl's int -1, widened */
    /* A bad segment anywhere fails the call before anything is written. */
    iov[2].iov_base = 0;
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, 3), -LINUX_EFAULT);
    iov[2].iov_base = (uintptr_t) "cde";
    iov[2].iov_len = (uint64_t)-1; /* above SSIZE_MAX */
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, 3), -LINUX_EINVAL);
    iov[2].iov_len = UINT64_MAX / 2; /* fits ssize_t, wraps past the user half */
    CHECK_EQ(SC(LINUX_NR_writev, 1, iov, 3), -LINUX_EFAULT);
    CHECK_STR(host_console, "abcde");
}

TEST(the_console_cannot_seek)
{
    fresh();
    char buf[4];
    struct linux_iovec iov = {(uintptr_t)buf, sizeof buf};
    CHECK_EQ(SC(LINUX_NR_lseek, 1, 0, LINUX_SEEK_SET), -LINUX_ESPIPE);
    CHECK_EQ(SC(LINUX_NR_lseek, 1, 0, 5), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_pread64, 0, buf, sizeof buf, 0), -LINUX_ESPIPE);
    CHECK_EQ(SC(LINUX_NR_pwrite64, 1, "x", 1, 0), -LINUX_ESPIPE);
    CHECK_EQ(SC(LINUX_NR_preadv, 0, &iov, 1, 0), -LINUX_ESPIPE);
    CHECK_EQ(SC(LINUX_NR_pwritev, 1, &iov, 1, 0), -LINUX_ESPIPE);
    CHECK_EQ(SC(LINUX_NR_pread64, 0, buf, sizeof buf, -1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_pwritev, 1, &iov, 1, -4096), -LINUX_EINVAL);
    CHECK_EQ(host_console_len, 0u);
}

TEST(fstat_says_character_device)
{
    fresh();
    struct linux_stat st;
    memset(&st, 0xa5, sizeof st);
    CHECK_EQ(SC(LINUX_NR_fstat, 1, &st), 0);
    CHECK_EQ(st.st_mode & 0170000, (uint32_t)LINUX_S_IFCHR);
    CHECK_EQ(st.st_rdev, (5u << 8) | 1u); /* /dev/console */
    CHECK_EQ(st.st_nlink, 1u);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(st.unused[2], 0);
}

TEST(the_console_answers_as_a_terminal)
{
    fresh();
    struct linux_winsize ws;
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_TIOCGWINSZ, &ws), 0);
    CHECK_EQ(ws.ws_col, 80);
    CHECK_EQ(ws.ws_row, 24);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_TIOCGWINSZ, NULL), -LINUX_EFAULT);
    struct linux_termios t;
    CHECK_EQ(SC(LINUX_NR_ioctl, 0, LINUX_TCGETS, &t), 0);
    CHECK(t.c_lflag != 0 && t.c_cc[6] == 1); /* canonical, VMIN 1 */
    t.c_lflag = 0;                           /* raw mode, as an editor sets it */
    CHECK_EQ(SC(LINUX_NR_ioctl, 0, LINUX_TCSETSW, &t), 0);
    struct linux_termios back;
    CHECK_EQ(SC(LINUX_NR_ioctl, 2, LINUX_TCGETS, &back), 0);
    CHECK_EQ(back.c_lflag, 0u);
    CHECK_EQ(SC(LINUX_NR_ioctl, 0, LINUX_TCSETS, NULL), -LINUX_EFAULT);
    ws.ws_col = 132;
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_TIOCSWINSZ, &ws), 0);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_TIOCGWINSZ, &ws), 0);
    CHECK_EQ(ws.ws_col, 132);
    int32_t n = -1;
    CHECK_EQ(SC(LINUX_NR_ioctl, 0, LINUX_FIONREAD, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, 0x5401 + 0x100, &n), -LINUX_ENOTTY);
    /* The settings return to a fresh terminal's at reset. */
    fresh();
    CHECK_EQ(SC(LINUX_NR_ioctl, 2, LINUX_TCGETS, &back), 0);
    CHECK(back.c_lflag != 0);
}

TEST(fionbio_fioclex_and_fcntl_flags)
{
    fresh();
    int32_t on = 1, off = 0;
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFL), LINUX_O_RDWR);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_FIONBIO, &on), 0);
    /* One open file behind 0, 1 and 2: the flag shows on all three. */
    CHECK_EQ(SC(LINUX_NR_fcntl, 0, LINUX_F_GETFL), LINUX_O_RDWR | LINUX_O_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_FIONBIO, &off), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFL), LINUX_O_RDWR);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_FIONBIO, NULL), -LINUX_EFAULT);
    /* F_SETFL changes status flags only, never the access mode. */
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_SETFL,
                LINUX_O_NONBLOCK | LINUX_O_APPEND | LINUX_O_WRONLY | LINUX_O_CLOEXEC),
             0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFL),
             LINUX_O_RDWR | LINUX_O_NONBLOCK | LINUX_O_APPEND);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_SETFL, 0), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFL), LINUX_O_RDWR);
    /* Close-on-exec is per descriptor. */
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFD), 0);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_FIOCLEX), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_fcntl, 2, LINUX_F_GETFD), 0);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, LINUX_FIONCLEX), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_GETFD), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 2, LINUX_F_SETFD, LINUX_FD_CLOEXEC), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 2, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_fcntl, 2, 99), -LINUX_EINVAL);
}

TEST(dup_dup2_dup3_and_f_dupfd)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_dup, 1), 3);
    CHECK_EQ(SC(LINUX_NR_write, 3, "3", 1), 1);
    CHECK_EQ(SC(LINUX_NR_close, 1), 0);
    CHECK_EQ(SC(LINUX_NR_write, 1, "1", 1), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_dup, 2), 1); /* the lowest free descriptor */
    CHECK_EQ(SC(LINUX_NR_dup2, 1, 1), 1);
    CHECK_EQ(SC(LINUX_NR_dup2, 7, 7), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_dup2, 1, 9), 9);
    CHECK_EQ(SC(LINUX_NR_write, 9, "9", 1), 1);
    CHECK_EQ(SC(LINUX_NR_dup2, 1, SYS_FD_MAX), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_dup2, 8, 1), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_dup3, 1, 1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_dup3, 1, 5, 1), -LINUX_EINVAL); /* an unknown flag */
    CHECK_EQ(SC(LINUX_NR_dup3, 1, 5, LINUX_O_CLOEXEC), 5);
    CHECK_EQ(SC(LINUX_NR_fcntl, 5, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_dup2, 2, 5), 5); /* replaces, without close-on-exec */
    CHECK_EQ(SC(LINUX_NR_fcntl, 5, LINUX_F_GETFD), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_DUPFD, 20), 20);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_DUPFD_CLOEXEC, 20), 21);
    CHECK_EQ(SC(LINUX_NR_fcntl, 21, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_DUPFD, SYS_FD_MAX), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_DUPFD, -1), -LINUX_EINVAL);
    CHECK_STR(host_console, "39");
}

TEST(the_table_fills_up_with_emfile_and_the_nofile_limit_bounds_it)
{
    fresh();
    long fd = 0;
    for (int i = 3; i < SYS_FD_MAX; i++)
        fd = SC(LINUX_NR_dup, 1);
    CHECK_EQ(fd, SYS_FD_MAX - 1);
    CHECK_EQ(SC(LINUX_NR_dup, 1), -LINUX_EMFILE);
    CHECK_EQ(SC(LINUX_NR_fcntl, 1, LINUX_F_DUPFD, 0), -LINUX_EMFILE);
    CHECK_EQ(SC(LINUX_NR_close, 100), 0);
    CHECK_EQ(SC(LINUX_NR_dup, 1), 100);

    fresh();
    struct linux_rlimit lim = {8, 8};
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_NOFILE, &lim), 0);
    for (int i = 3; i < 8; i++)
        CHECK_EQ(SC(LINUX_NR_dup, 0), i);
    CHECK_EQ(SC(LINUX_NR_dup, 0), -LINUX_EMFILE);
    CHECK_EQ(SC(LINUX_NR_dup2, 0, 8), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_fcntl, 0, LINUX_F_DUPFD, 8), -LINUX_EINVAL);
}

/* A second kind of file, plugged in as sys/fd.h says: a 16-byte buffer
 * with a position, seekable, that counts its releases. */
struct memfile {
    struct sys_file f;
    char data[16];
    uint64_t len, pos;
    unsigned releases;
};

static struct memfile *mf(struct sys_file *f)
{
    return (struct memfile *)f;
}

static long mem_pread(struct sys_file *f, void *buf, size_t n, uint64_t off)
{
    struct memfile *m = mf(f);
    if (off >= m->len)
        return 0;
    if (n > m->len - off)
        n = m->len - off;
    memcpy(buf, m->data + off, n);
    return (long)n;
}

static long mem_pwrite(struct sys_file *f, const void *buf, size_t n, uint64_t off)
{
    struct memfile *m = mf(f);
    if (off >= sizeof m->data)
        return 0; /* full */
    if (n > sizeof m->data - off)
        n = sizeof m->data - off;
    memcpy(m->data + off, buf, n);
    if (off + n > m->len)
        m->len = off + n;
    return (long)n;
}

static long mem_read(struct sys_file *f, void *buf, size_t n)
{
    long r = mem_pread(f, buf, n, mf(f)->pos);
    if (r > 0)
        mf(f)->pos += (uint64_t)r;
    return r;
}

static long mem_write(struct sys_file *f, const void *buf, size_t n)
{
    long r = mem_pwrite(f, buf, n, mf(f)->pos);
    if (r > 0)
        mf(f)->pos += (uint64_t)r;
    return r;
}

static long mem_lseek(struct sys_file *f, int64_t off, int whence)
{
    int64_t base = whence == LINUX_SEEK_SET   ? 0
                   : whence == LINUX_SEEK_CUR ? (int64_t)mf(f)->pos
                                              : (int64_t)mf(f)->len;
    if (base + off < 0)
        return -LINUX_EINVAL;
    mf(f)->pos = (uint64_t)(base + off);
    return (long)mf(f)->pos;
}

static void mem_release(struct sys_file *f)
{
    mf(f)->releases++;
}

static const struct sys_file_ops mem_ops = {
    .kind = "memfile",
    .mode = LINUX_S_IFIFO,
    .read = mem_read,
    .write = mem_write,
    .pread = mem_pread,
    .pwrite = mem_pwrite,
    .lseek = mem_lseek,
    .release = mem_release,
};

TEST(a_new_kind_of_file_plugs_in_through_its_operations)
{
    fresh();
    static struct memfile m;
    memset(&m, 0, sizeof m);
    m.f = (struct sys_file){.ops = &mem_ops, .flags = LINUX_O_RDWR};
    int fd = sys_fd_install(&m.f, 0, false);
    CHECK_EQ(fd, 3);
    CHECK(sys_fd_file(3) == &m.f);
    CHECK_EQ(SC(LINUX_NR_write, fd, "hello", 5), 5);
    CHECK_EQ(SC(LINUX_NR_lseek, fd, 1, LINUX_SEEK_SET), 1);
    char buf[8] = {0};
    CHECK_EQ(SC(LINUX_NR_read, fd, buf, 3), 3);
    CHECK_STR(buf, "ell");
    CHECK_EQ(SC(LINUX_NR_pwrite64, fd, "J", 1, 0), 1);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(SC(LINUX_NR_pread64, fd, buf, sizeof buf, 0), 5);
    CHECK_STR(buf, "Jello");
    /* preadv continues at the offset after each segment. */
    char a[2] = {0}, b[3] = {0};
    struct linux_iovec iov[2] = {{(uintptr_t)a, 2}, {(uintptr_t)b, 3}};
    CHECK_EQ(SC(LINUX_NR_preadv, fd, iov, 2, 0), 5);
    CHECK(memcmp(a, "Je", 2) == 0 && memcmp(b, "llo", 3) == 0);
    CHECK_EQ(SC(LINUX_NR_pread64, fd, buf, 1, INT64_MAX), -LINUX_EINVAL); /* pos + n overflows */
    struct linux_stat st;
    CHECK_EQ(SC(LINUX_NR_fstat, fd, &st), 0);
    CHECK_EQ(st.st_mode, (uint32_t)LINUX_S_IFIFO); /* no fstat operation: the kind's type */
    CHECK_EQ(SC(LINUX_NR_ioctl, fd, LINUX_TIOCGWINSZ, buf), -LINUX_ENOTTY);
    /* The file lives until its last descriptor is closed. */
    CHECK_EQ(SC(LINUX_NR_dup, fd), 4);
    CHECK_EQ(SC(LINUX_NR_close, fd), 0);
    CHECK_EQ(m.releases, 0u);
    CHECK_EQ(SC(LINUX_NR_close, 4), 0);
    CHECK_EQ(m.releases, 1u);
    CHECK(sys_fd_file(3) == NULL);
}

TEST(readv_stops_where_a_read_overwrote_its_own_iovec_array)
{
    fresh();
    static struct memfile m;
    memset(&m, 0, sizeof m);
    m.f = (struct sys_file){.ops = &mem_ops, .flags = LINUX_O_RDWR};
    /* 16 bytes that, read over iov[1], make it a NULL segment of length 4. */
    uint64_t evil[2] = {0, 4};
    memcpy(m.data, evil, sizeof evil);
    m.len = sizeof evil;
    int fd = sys_fd_install(&m.f, 0, false);
    char tail[4];
    struct linux_iovec iov[2];
    iov[0] = (struct linux_iovec){(uintptr_t)&iov[1], sizeof iov[1]};
    iov[1] = (struct linux_iovec){(uintptr_t)tail, sizeof tail};
    CHECK_EQ(SC(LINUX_NR_readv, fd, iov, 2), 16);
    CHECK_EQ(iov[1].iov_base, 0u);
}

TEST(access_mode_and_missing_operations)
{
    fresh();
    static struct memfile ro, wo;
    memset(&ro, 0, sizeof ro);
    memset(&wo, 0, sizeof wo);
    ro.f = (struct sys_file){.ops = &mem_ops, .flags = LINUX_O_RDONLY};
    wo.f = (struct sys_file){.ops = &mem_ops, .flags = LINUX_O_WRONLY};
    int r = sys_fd_install(&ro.f, 0, false), w = sys_fd_install(&wo.f, 10, true);
    CHECK_EQ(w, 10);
    CHECK_EQ(SC(LINUX_NR_fcntl, w, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_write, r, "x", 1), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_read, w, buf, 1), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_pwrite64, r, "x", 1, 0), -LINUX_EBADF);
    static const struct sys_file_ops bare = {.kind = "bare"};
    static struct sys_file nothing = {.ops = &bare, .flags = LINUX_O_RDWR};
    int n = sys_fd_install(&nothing, 0, false);
    CHECK_EQ(SC(LINUX_NR_read, n, buf, 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_write, n, "x", 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_lseek, n, 0, 0), -LINUX_ESPIPE);
    /* Reset closes everything it did not start with. */
    fresh();
    CHECK_EQ(ro.releases + wo.releases, 2u);
    CHECK(sys_fd_file(10) == NULL && sys_fd_file(1) != NULL);
}

TEST(closing_the_console_and_reset_reopening_it)
{
    fresh();
    for (int fd = 0; fd < 3; fd++)
        CHECK_EQ(SC(LINUX_NR_close, fd), 0);
    CHECK_EQ(SC(LINUX_NR_write, 1, "x", 1), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_close, 1), -LINUX_EBADF);
    fresh();
    CHECK_EQ(SC(LINUX_NR_write, 1, "y", 1), 1);
    CHECK_EQ(SC(LINUX_NR_dup, 0), 3);
    CHECK_STR(host_console, "y");
}

/* A kind that may block, as sys/fd.h says one waits: a read with nothing
 * to read waits (wait_until) for a byte a timer callback delivers, unless
 * the file is non-blocking (F_SETFL, FIONBIO), which makes it EAGAIN. */
struct trickle {
    struct sys_file f;
    char byte;
    bool has;
    struct timer t;
};

static bool trickle_has(void *ctx)
{
    return ((struct trickle *)ctx)->has;
}

static long trickle_read(struct sys_file *f, void *buf, size_t n)
{
    struct trickle *k = (struct trickle *)f;
    if (!k->has && (f->flags & LINUX_O_NONBLOCK))
        return -LINUX_EAGAIN;
    if (!wait_until(trickle_has, k, WAIT_FOREVER))
        return -LINUX_ETIMEDOUT;
    if (n == 0)
        return 0;
    memcpy(buf, &k->byte, 1);
    k->has = false;
    return 1;
}

static void trickle_deliver(struct timer *t)
{
    struct trickle *k = (struct trickle *)((char *)t - offsetof(struct trickle, t));
    k->byte = 'z';
    k->has = true;
}

static const struct sys_file_ops trickle_ops = {.kind = "trickle", .read = trickle_read};

TEST(o_nonblock_set_by_fcntl_or_fionbio_reaches_the_kind)
{
    fresh();
    static struct trickle k;
    memset(&k, 0, sizeof k);
    k.f = (struct sys_file){.ops = &trickle_ops, .flags = LINUX_O_RDONLY | LINUX_O_NONBLOCK};
    k.t.fn = trickle_deliver;
    int fd = sys_fd_install(&k.f, 0, false);
    char c = 0;
    CHECK_EQ(SC(LINUX_NR_fcntl, fd, LINUX_F_GETFL), LINUX_O_RDONLY | LINUX_O_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_read, fd, &c, 1), -LINUX_EAGAIN);
    /* Blocking: the read waits in the loop until the timer delivers. */
    CHECK_EQ(SC(LINUX_NR_fcntl, fd, LINUX_F_SETFL, 0), 0);
    timer_arm(&k.t, host_now_ns + 3000000);
    CHECK_EQ(SC(LINUX_NR_read, fd, &c, 1), 1);
    CHECK_EQ(c, 'z');
    CHECK_EQ(host_now_ns, 3000000u);
    /* FIONBIO sets the same flag on the open file, for every descriptor of it. */
    int32_t on = 1, off = 0;
    int dup = (int)SC(LINUX_NR_dup, fd);
    CHECK_EQ(SC(LINUX_NR_ioctl, dup, LINUX_FIONBIO, &on), 0);
    CHECK_EQ(SC(LINUX_NR_read, fd, &c, 1), -LINUX_EAGAIN);
    CHECK_EQ(SC(LINUX_NR_fcntl, fd, LINUX_F_GETFL), LINUX_O_RDONLY | LINUX_O_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_ioctl, fd, LINUX_FIONBIO, &off), 0);
    timer_arm(&k.t, host_now_ns + 1000000);
    CHECK_EQ(SC(LINUX_NR_read, dup, &c, 1), 1);
    CHECK_EQ(host_now_ns, 4000000u);
    timer_cancel(&k.t);
}

UNIT_MAIN()
