/* File descriptors and the calls on them (sys/fd.h). The checks, and the
 * order in which they are made, follow Linux 6.1's fs/read_write.c,
 * fs/fcntl.c, fs/file.c and fs/ioctl.c: a descriptor that is not open is
 * EBADF before any other argument is looked at. */
#include "sys/fd.h"

#include "sys/calls.h"
#include "sys/console_file.h"
#include "sys/uaccess.h"

/* Descriptors 0, 1 and 2 are the console once sys_reset has run (the app's
 * start calls it; zero-initialised, the table costs the image nothing). */
static struct sys_file *table[SYS_FD_MAX];
static uint64_t cloexec[SYS_FD_MAX / 64];

/* fs/fcntl.c, SETFL_MASK: the status flags F_SETFL may change. */
#define SETFL_MASK                                                                                 \
    (LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_ASYNC | LINUX_O_DIRECT | LINUX_O_NOATIME)

static void set_cloexec(unsigned fd, bool on)
{
    if (on)
        cloexec[fd / 64] |= 1ull << (fd % 64);
    else
        cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

static bool get_cloexec(unsigned fd)
{
    return cloexec[fd / 64] >> (fd % 64) & 1;
}

unsigned long sys_file_epoch;

/* The last reference gone, the file leaves every epoll set first: a
 * registration belongs to the open file, not to a descriptor (epoll(7)). */
void sys_file_put(struct sys_file *f)
{
    sys_file_epoch++;
    if (--f->refs != 0)
        return;
    if (f->watchers != NULL && sys_watchers_closed != NULL)
        sys_watchers_closed(f);
    if (f->ops->release != NULL)
        f->ops->release(f);
}

static uint64_t fd_limit(void)
{
    uint64_t lim = sys_rlimit_nofile();
    return lim < SYS_FD_MAX ? lim : SYS_FD_MAX;
}

int sys_fd_install(struct sys_file *f, int min_fd, bool close_on_exec)
{
    for (uint64_t fd = min_fd < 0 ? 0 : (uint64_t)min_fd; fd < fd_limit(); fd++) {
        if (table[fd] == NULL) {
            table[fd] = f;
            f->refs++;
            set_cloexec((unsigned)fd, close_on_exec);
            sys_file_epoch++;
            return (int)fd;
        }
    }
    return -LINUX_EMFILE;
}

struct sys_file *sys_fd_file(unsigned int fd)
{
    return fd < SYS_FD_MAX ? table[fd] : NULL;
}

/* Puts f at descriptor fd, closing what was there (dup2, dup3). */
static void install_at(unsigned fd, struct sys_file *f, bool close_on_exec)
{
    struct sys_file *old = table[fd];
    f->refs++;
    table[fd] = f;
    set_cloexec(fd, close_on_exec);
    sys_file_epoch++;
    if (old != NULL)
        sys_file_put(old);
}

void sys_fd_reset(void)
{
    for (unsigned fd = 0; fd < SYS_FD_MAX; fd++) {
        struct sys_file *f = table[fd];
        table[fd] = NULL;
        set_cloexec(fd, false);
        if (f != NULL)
            sys_file_put(f);
    }
    sys_console_reset();
    for (int fd = 0; fd < 3; fd++)
        sys_fd_install(&sys_console_file, fd, false);
}

static bool readable(const struct sys_file *f)
{
    uint32_t acc = f->flags & LINUX_O_ACCMODE;
    return acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR;
}

static bool writable(const struct sys_file *f)
{
    uint32_t acc = f->flags & LINUX_O_ACCMODE;
    return acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR;
}

/* One transfer through the file's operations: towards the application
 * (read) or from it (write), at the file's position or at off. */
static long transfer(struct sys_file *f, bool out, void *buf, size_t n, bool at, uint64_t off)
{
    if (at)
        return out ? f->ops->pwrite(f, buf, n, off) : f->ops->pread(f, buf, n, off);
    return out ? f->ops->write(f, buf, n) : f->ops->read(f, buf, n);
}

/* The checks vfs_read/vfs_write make once the descriptor is known. */
static long may_transfer(const struct sys_file *f, bool out)
{
    if (out ? !writable(f) : !readable(f))
        return -LINUX_EBADF;
    if (out ? f->ops->write == NULL : f->ops->read == NULL)
        return -LINUX_EINVAL;
    return 0;
}

static long rw(const long *a, bool out, bool at)
{
    int64_t pos = a[3];
    if (at && pos < 0)
        return -LINUX_EINVAL;
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    if (f == NULL)
        return -LINUX_EBADF;
    if (at && (out ? f->ops->pwrite == NULL : f->ops->pread == NULL))
        return -LINUX_ESPIPE;
    long r = may_transfer(f, out);
    if (r < 0)
        return r;
    uint64_t buf = (uint64_t)a[1], n = (uint64_t)a[2];
    if (!user_range_ok(buf, n))
        return -LINUX_EFAULT;
    if (n > LINUX_MAX_RW_COUNT)
        n = LINUX_MAX_RW_COUNT;
    if (at && n > (uint64_t)INT64_MAX - (uint64_t)pos)
        return -LINUX_EINVAL;
    return transfer(f, out, user_ptr(buf), n, at, (uint64_t)pos);
}

long sys_read(const long *a)
{
    return rw(a, false, false);
}

long sys_write(const long *a)
{
    return rw(a, true, false);
}

long sys_pread64(const long *a)
{
    return rw(a, false, true);
}

long sys_pwrite64(const long *a)
{
    return rw(a, true, true);
}

static struct linux_iovec iov_at(uint64_t iov, uint64_t i)
{
    struct linux_iovec v;
    memcpy(&v, user_ptr(iov + i * sizeof v), sizeof v);
    return v;
}

/* An application's iovec array, checked as lib/iov_iter.c's import_iovec
 * does: more than UIO_MAXIOV segments is EINVAL, an array or a segment that
 * cannot be reached EFAULT, a length above SSIZE_MAX EINVAL. Returns the
 * total to transfer (capped at MAX_RW_COUNT) or -errno. */
static long iov_check(uint64_t iov, uint64_t cnt)
{
    if (cnt > LINUX_UIO_MAXIOV)
        return -LINUX_EINVAL;
    if (!user_range_ok(iov, cnt * sizeof(struct linux_iovec)))
        return -LINUX_EFAULT;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        struct linux_iovec v = iov_at(iov, i);
        if ((int64_t)v.iov_len < 0)
            return -LINUX_EINVAL;
        if (!user_range_ok(v.iov_base, v.iov_len))
            return -LINUX_EFAULT;
        total += v.iov_len < LINUX_MAX_RW_COUNT - total ? v.iov_len : LINUX_MAX_RW_COUNT - total;
    }
    return (long)total;
}

static long rwv(const long *a, bool out, bool at)
{
    int64_t pos = a[3]; /* preadv's pos_l: the whole offset on a 64-bit machine */
    if (at && pos < 0)
        return -LINUX_EINVAL;
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    if (f == NULL)
        return -LINUX_EBADF;
    if (at && (out ? f->ops->pwrite == NULL : f->ops->pread == NULL))
        return -LINUX_ESPIPE;
    uint64_t iov = (uint64_t)a[1], cnt = (uint64_t)a[2];
    long total = iov_check(iov, cnt);
    if (total < 0)
        return total;
    long r = may_transfer(f, out);
    if (r < 0)
        return r;
    if (at && (uint64_t)total > (uint64_t)INT64_MAX - (uint64_t)pos)
        return -LINUX_EINVAL;
    if (!at && (out ? f->ops->writev : f->ops->readv) != NULL)
        return out ? f->ops->writev(f, iov, cnt, (uint64_t)total)
                   : f->ops->readv(f, iov, cnt, (uint64_t)total);
    /* Segment by segment, each read again and checked again: a read into
     * an earlier segment may have overwritten the array itself. */
    uint64_t done = 0;
    for (uint64_t i = 0; i < cnt && done < (uint64_t)total; i++) {
        struct linux_iovec v = iov_at(iov, i);
        uint64_t len = v.iov_len < (uint64_t)total - done ? v.iov_len : (uint64_t)total - done;
        if (len == 0)
            continue;
        if ((int64_t)v.iov_len < 0 || !user_range_ok(v.iov_base, len))
            return done ? (long)done : -LINUX_EFAULT;
        r = transfer(f, out, user_ptr(v.iov_base), len, at, (uint64_t)pos + done);
        if (r < 0)
            return done ? (long)done : r;
        done += (uint64_t)r;
        if ((uint64_t)r < len)
            break;
    }
    return (long)done;
}

long sys_readv(const long *a)
{
    return rwv(a, false, false);
}

long sys_writev(const long *a)
{
    return rwv(a, true, false);
}

long sys_preadv(const long *a)
{
    return rwv(a, false, true);
}

long sys_pwritev(const long *a)
{
    return rwv(a, true, true);
}

long sys_lseek(const long *a)
{
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    unsigned whence = (unsigned)a[2];
    if (f == NULL)
        return -LINUX_EBADF;
    if (whence > 4) /* SEEK_MAX: SEEK_HOLE */
        return -LINUX_EINVAL;
    if (f->ops->lseek == NULL)
        return -LINUX_ESPIPE;
    return f->ops->lseek(f, a[1], (int)whence);
}

long sys_close(const long *a)
{
    unsigned fd = (unsigned)a[0];
    struct sys_file *f = sys_fd_file(fd);
    if (f == NULL)
        return -LINUX_EBADF;
    table[fd] = NULL;
    set_cloexec(fd, false);
    sys_file_put(f);
    return 0;
}

void sys_fd_stat(struct sys_file *f, struct linux_stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = f->ops->mode;
    st->st_nlink = 1;
    if (f->ops->fstat != NULL)
        f->ops->fstat(f, st);
}

long sys_fstat(const long *a)
{
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    if (f == NULL)
        return -LINUX_EBADF;
    struct linux_stat st;
    sys_fd_stat(f, &st);
    return user_write(a[1], &st, sizeof st) ? 0 : -LINUX_EFAULT;
}

long sys_dup(const long *a)
{
    struct sys_file *f = sys_fd_file((unsigned)a[0]);
    if (f == NULL)
        return -LINUX_EBADF;
    return sys_fd_install(f, 0, false);
}

/* fs/file.c, ksys_dup3. */
static long dup3(unsigned oldfd, unsigned newfd, uint32_t flags)
{
    if (flags & ~LINUX_O_CLOEXEC)
        return -LINUX_EINVAL;
    if (oldfd == newfd)
        return -LINUX_EINVAL;
    if (newfd >= fd_limit())
        return -LINUX_EBADF;
    struct sys_file *f = sys_fd_file(oldfd);
    if (f == NULL)
        return -LINUX_EBADF;
    install_at(newfd, f, flags & LINUX_O_CLOEXEC);
    return newfd;
}

long sys_dup2(const long *a)
{
    unsigned oldfd = (unsigned)a[0], newfd = (unsigned)a[1];
    if (oldfd == newfd)
        return sys_fd_file(oldfd) != NULL ? (long)newfd : -LINUX_EBADF;
    return dup3(oldfd, newfd, 0);
}

long sys_dup3(const long *a)
{
    return dup3((unsigned)a[0], (unsigned)a[1], (uint32_t)a[2]);
}

long sys_fcntl(const long *a)
{
    unsigned fd = (unsigned)a[0];
    struct sys_file *f = sys_fd_file(fd);
    if (f == NULL)
        return -LINUX_EBADF;
    int argi = (int)a[2];
    switch ((unsigned)a[1]) {
    case LINUX_F_DUPFD:
    case LINUX_F_DUPFD_CLOEXEC:
        /* fs/fcntl.c, f_dupfd: the lowest descriptor allowed is arg,
         * taken as unsigned (a negative one is beyond every limit). */
        if ((unsigned)argi >= fd_limit())
            return -LINUX_EINVAL;
        return sys_fd_install(f, argi, (unsigned)a[1] == LINUX_F_DUPFD_CLOEXEC);
    case LINUX_F_GETFD:
        return get_cloexec(fd) ? LINUX_FD_CLOEXEC : 0;
    case LINUX_F_SETFD:
        set_cloexec(fd, argi & LINUX_FD_CLOEXEC);
        return 0;
    case LINUX_F_GETFL:
        return f->flags;
    case LINUX_F_SETFL:
        f->flags = (f->flags & ~(uint32_t)SETFL_MASK) | ((uint32_t)a[2] & SETFL_MASK);
        return 0;
    default:
        return -LINUX_EINVAL;
    }
}

long sys_ioctl(const long *a)
{
    unsigned fd = (unsigned)a[0], cmd = (unsigned)a[1];
    struct sys_file *f = sys_fd_file(fd);
    if (f == NULL)
        return -LINUX_EBADF;
    /* fs/ioctl.c, do_vfs_ioctl: the requests every file answers. */
    switch (cmd) {
    case LINUX_FIOCLEX:
        set_cloexec(fd, true);
        return 0;
    case LINUX_FIONCLEX:
        set_cloexec(fd, false);
        return 0;
    case LINUX_FIONBIO: {
        int32_t on;
        if (!user_read(&on, a[2], sizeof on))
            return -LINUX_EFAULT;
        if (on)
            f->flags |= LINUX_O_NONBLOCK;
        else
            f->flags &= ~(uint32_t)LINUX_O_NONBLOCK;
        return 0;
    }
    default:
        return f->ops->ioctl != NULL ? f->ops->ioctl(f, cmd, a[2]) : -LINUX_ENOTTY;
    }
}
