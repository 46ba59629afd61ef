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
 * hold LINUX_O_NONBLOCK, in which case it returns -EAGAIN; poll reports
 * readiness (LINUX_POLLIN, LINUX_POLLOUT, LINUX_POLLHUP) without waiting. */
#ifndef SYS_FD_H
#define SYS_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/linux_abi.h"

/* Descriptors 0 .. SYS_FD_MAX-1 (RLIMIT_NOFILE's hard limit). */
#define SYS_FD_MAX 256

struct sys_file;

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
};

struct sys_file {
    const struct sys_file_ops *ops;
    unsigned refs;  /* descriptors referring to this file */
    uint32_t flags; /* access mode and status flags, as F_GETFL reports them */
};

/* Installs f at the lowest free descriptor >= min_fd (below the NOFILE
 * limit) and takes a reference. Returns the descriptor or -EMFILE. */
int sys_fd_install(struct sys_file *f, int min_fd, bool cloexec);
/* The file behind fd, or NULL when fd is not open. Descriptors are
 * unsigned int in Linux's calls: the argument register is truncated to 32
 * bits first, so -1 and 2^32 + 1 are refused or taken as Linux would. */
struct sys_file *sys_fd_file(unsigned int fd);

#endif
