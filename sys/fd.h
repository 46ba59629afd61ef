/* File descriptors (sys/fd.c): a table from small integers to open files,
 * and the operations each kind of file provides. Descriptors 0, 1 and 2
 * start on the console (sys/console_file.c).
 *
 * Adding a kind of file (a socket, a pipe, a block device):
 *
 *   1. Embed struct sys_file in the kind's own structure and write a
 *      struct sys_file_ops. Every operation is optional: a NULL read or
 *      write is EINVAL, a NULL ioctl ENOTTY, NULL pread/pwrite/lseek ESPIPE
 *      (not seekable), a NULL fstat leaves the zeroed stat with only the
 *      file type the kind puts in ops->mode, a NULL poll reports the file
 *      always ready.
 *   2. Set refs to 0 and flags to the access mode (LINUX_O_RDONLY,
 *      LINUX_O_WRONLY or LINUX_O_RDWR) plus any status flags (LINUX_O_NONBLOCK),
 *      then sys_fd_install() it: it returns the new descriptor or -EMFILE.
 *   3. release() runs when the last descriptor referring to the file is
 *      closed (dup shares one file between several descriptors); free the
 *      kind's structure there.
 *
 * The operations receive buffers that were already checked (sys/uaccess.h)
 * and counts already capped at LINUX_MAX_RW_COUNT; they return a count >= 0
 * or -errno, as the system call will. A kind that may block (a socket with
 * no data) waits with wait_until (core/event.h) unless the file's flags
 * hold LINUX_O_NONBLOCK (F_SETFL, FIONBIO), in which case it returns
 * -EAGAIN.
 *
 * Readiness, for poll, select and epoll (sys/poll/):
 *
 *   - poll(f) says what f is ready for now, without waiting: LINUX_POLLIN
 *     (a read would not block: data, end of file, a connection to accept),
 *     LINUX_POLLOUT, LINUX_POLLPRI, LINUX_POLLRDHUP (the peer shut down its
 *     side), LINUX_POLLHUP (both sides are shut), LINUX_POLLERR (an error
 *     is pending: SO_ERROR). The waiting calls add LINUX_POLLRDNORM to
 *     POLLIN and LINUX_POLLWRNORM to POLLOUT, as every Linux file reports
 *     them together, and always pass POLLERR and POLLHUP on, asked or not.
 *     A NULL poll is a file that is always ready (Linux's DEFAULT_POLLMASK:
 *     POLLIN, POLLOUT and their NORM twins), such as a regular file; epoll
 *     refuses such a file with EPERM, as Linux refuses regular files.
 *   - A kind that sets ops->notifies calls sys_file_notify(f) each time
 *     f's readiness may have changed (data arrived, buffer space freed, the
 *     peer closed, an error), from thread context: a work item, a timer or
 *     lwIP callback, or a call of the application's; never from an
 *     interrupt handler. Calling it when nothing changed is harmless (a
 *     waiter looks again and finds nothing), missing a change is not: a
 *     waiter on f would sleep until its timeout. It costs O(1) plus one
 *     step per epoll set watching f, so an epoll_wait over many such files
 *     looks only at the ones that notified (and at those it reported
 *     ready). A kind without ops->notifies is looked at on every pass of
 *     the event loop by every waiter that watches it, which is always
 *     correct and costs a poll call per pass: fine for files whose
 *     readiness never changes (the console). */
#ifndef SYS_FD_H
#define SYS_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/linux_abi.h"

/* Descriptors 0 .. SYS_FD_MAX-1 (RLIMIT_NOFILE's hard limit): Linux's
 * default soft limit and FD_SETSIZE, so a server may hold about a thousand
 * connections and select can name every descriptor. The table is 8 KiB of
 * .bss: RAM, not image bytes (a table that grows on the heap would save
 * hello 6 KiB of RAM for about 400 bytes of image). */
#define SYS_FD_MAX 1024

struct sys_file;
struct sys_watch; /* one epoll set's registration of a file (sys/poll/epoll.h) */

struct sys_file_ops {
    const char *kind;
    uint32_t mode; /* st_mode's file type: LINUX_S_IFCHR, LINUX_S_IFIFO, ... */
    long (*read)(struct sys_file *f, void *buf, size_t n);
    long (*write)(struct sys_file *f, const void *buf, size_t n);
    long (*pread)(struct sys_file *f, void *buf, size_t n, uint64_t off);
    long (*pwrite)(struct sys_file *f, const void *buf, size_t n, uint64_t off);
    long (*lseek)(struct sys_file *f, int64_t off, int whence);
    /* readv and writev in one call: iov is the application's iovec array of
     * cnt entries, already checked as a whole (every segment reachable,
     * lengths valid); the kind reads each entry again as it reaches it (the
     * array may lie in a buffer being read into) and moves at most total
     * bytes. NULL: each segment is one read or write. A socket wants the
     * whole: a writev of a header and a body is one TCP burst, not two. */
    long (*readv)(struct sys_file *f, uint64_t iov, uint64_t cnt, uint64_t total);
    long (*writev)(struct sys_file *f, uint64_t iov, uint64_t cnt, uint64_t total);
    /* arg is the raw third argument: a number or an application pointer,
     * which the kind checks (sys/uaccess.h) before it touches it. */
    long (*ioctl)(struct sys_file *f, unsigned int cmd, long arg);
    void (*fstat)(struct sys_file *f, struct linux_stat *st);
    unsigned (*poll)(struct sys_file *f);
    void (*release)(struct sys_file *f);
    bool notifies; /* the kind calls sys_file_notify (above) */
};

struct sys_file {
    const struct sys_file_ops *ops;
    unsigned refs;              /* descriptors referring to this file */
    uint32_t flags;             /* access mode and status flags, as F_GETFL reports them */
    struct sys_watch *watchers; /* the epoll sets' registrations of it: the kind leaves it NULL */
};

/* Installs f at the lowest free descriptor >= min_fd (below the NOFILE
 * limit) and takes a reference. Returns the descriptor or -EMFILE. */
int sys_fd_install(struct sys_file *f, int min_fd, bool cloexec);
/* The file behind fd, or NULL when fd is not open. Descriptors are
 * unsigned int in Linux's calls: the argument register is truncated to 32
 * bits first, so -1 and 2^32 + 1 are refused or taken as Linux would. */
struct sys_file *sys_fd_file(unsigned int fd);
/* What fstat reports about f. */
void sys_fd_stat(struct sys_file *f, struct linux_stat *st);
/* Drops one reference taken with f->refs++ (a call that holds a file while
 * it waits); the last one releases it as a close does. */
void sys_file_put(struct sys_file *f);

/* Counts every sys_file_notify and every change of the descriptor table: a
 * poll or select whose files all notify looks at them again only when it
 * moved. */
extern unsigned long sys_file_epoch;

/* sys/poll/epoll.c, in the images that link the waiting calls (Makefile:
 * NAME_POLL). A file gets watchers only from there, so without it these are
 * never reached. */
void sys_watchers_notify(struct sys_file *f) __attribute__((weak));
void sys_watchers_closed(struct sys_file *f) __attribute__((weak));

/* f's readiness may have changed (above). */
static inline void sys_file_notify(struct sys_file *f)
{
    sys_file_epoch++;
    if (f->watchers != NULL && sys_watchers_notify != NULL)
        sys_watchers_notify(f);
}

#endif
