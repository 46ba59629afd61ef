/* The Linux x86-64 system-call interface as an application sees it: call
 * numbers, errno values, flag values and structure layouts. These are facts
 * of Linux's user-space ABI, taken from Linux 6.1's UAPI headers (each group
 * names its header) and from arch/x86/entry/syscalls/syscall_64.tbl; the
 * code that uses them is ours. Everything carries the prefix LINUX_ (or
 * linux_ for types) so that host tests, which also include a C library's
 * headers, never see two definitions of one name.
 *
 * tests/unit/test_sys_abi.c checks every value and layout here against the
 * host's own Linux UAPI headers (Debian's linux-libc-dev). */
#ifndef SYS_LINUX_ABI_H
#define SYS_LINUX_ABI_H

#include <stdint.h>

/* ---- call numbers: arch/x86/entry/syscalls/syscall_64.tbl ("common" and "64") ---- */
#define LINUX_NR_read 0
#define LINUX_NR_write 1
#define LINUX_NR_open 2
#define LINUX_NR_close 3
#define LINUX_NR_stat 4
#define LINUX_NR_fstat 5
#define LINUX_NR_lstat 6
#define LINUX_NR_poll 7
#define LINUX_NR_lseek 8
#define LINUX_NR_mmap 9
#define LINUX_NR_mprotect 10
#define LINUX_NR_munmap 11
#define LINUX_NR_brk 12
#define LINUX_NR_rt_sigaction 13
#define LINUX_NR_rt_sigprocmask 14
#define LINUX_NR_rt_sigreturn 15
#define LINUX_NR_ioctl 16
#define LINUX_NR_pread64 17
#define LINUX_NR_pwrite64 18
#define LINUX_NR_readv 19
#define LINUX_NR_writev 20
#define LINUX_NR_access 21
#define LINUX_NR_select 23
#define LINUX_NR_sched_yield 24
#define LINUX_NR_mremap 25
#define LINUX_NR_msync 26
#define LINUX_NR_madvise 28
#define LINUX_NR_dup 32
#define LINUX_NR_dup2 33
#define LINUX_NR_nanosleep 35
#define LINUX_NR_getpid 39
#define LINUX_NR_clone 56
#define LINUX_NR_fork 57
#define LINUX_NR_vfork 58
#define LINUX_NR_exit 60
#define LINUX_NR_kill 62
#define LINUX_NR_uname 63
#define LINUX_NR_fcntl 72
#define LINUX_NR_getcwd 79
#define LINUX_NR_chdir 80
#define LINUX_NR_fchdir 81
#define LINUX_NR_readlink 89
#define LINUX_NR_gettimeofday 96
#define LINUX_NR_getrlimit 97
#define LINUX_NR_sysinfo 99
#define LINUX_NR_getuid 102
#define LINUX_NR_getgid 104
#define LINUX_NR_geteuid 107
#define LINUX_NR_getegid 108
#define LINUX_NR_getppid 110
#define LINUX_NR_rt_sigpending 127
#define LINUX_NR_sigaltstack 131
#define LINUX_NR_arch_prctl 158
#define LINUX_NR_setrlimit 160
#define LINUX_NR_gettid 186
#define LINUX_NR_tkill 200
#define LINUX_NR_time 201
#define LINUX_NR_futex 202
#define LINUX_NR_sched_getaffinity 204
#define LINUX_NR_epoll_create 213
#define LINUX_NR_getdents64 217
#define LINUX_NR_set_tid_address 218
#define LINUX_NR_clock_gettime 228
#define LINUX_NR_clock_getres 229
#define LINUX_NR_clock_nanosleep 230
#define LINUX_NR_exit_group 231
#define LINUX_NR_epoll_wait 232
#define LINUX_NR_epoll_ctl 233
#define LINUX_NR_tgkill 234
#define LINUX_NR_openat 257
#define LINUX_NR_newfstatat 262
#define LINUX_NR_readlinkat 267
#define LINUX_NR_faccessat 269
#define LINUX_NR_pselect6 270
#define LINUX_NR_ppoll 271
#define LINUX_NR_epoll_pwait 281
#define LINUX_NR_epoll_create1 291
#define LINUX_NR_dup3 292
#define LINUX_NR_preadv 295
#define LINUX_NR_pwritev 296
#define LINUX_NR_prlimit64 302
#define LINUX_NR_getrandom 318
#define LINUX_NR_statx 332
#define LINUX_NR_faccessat2 439
#define LINUX_NR_epoll_pwait2 441
/* One past the highest number in Linux 6.1's table (set_mempolicy_home_node, 450). */
#define LINUX_NR_COUNT 451

/* ---- paths: include/uapi/linux/fcntl.h, include/uapi/linux/limits.h,
 * include/linux/namei.h ---- */
#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EACCESS 0x200
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_AT_STATX_SYNC_TYPE 0x6000
#define LINUX_PATH_MAX 4096 /* bytes, with the terminating NUL */
#define LINUX_NAME_MAX 255  /* bytes of one component */
#define LINUX_MAXSYMLINKS 40
#define LINUX_F_OK 0
#define LINUX_X_OK 1
#define LINUX_W_OK 2
#define LINUX_R_OK 4

/* ---- errno values: include/uapi/asm-generic/errno-base.h, errno.h ---- */
#define LINUX_EPERM 1
#define LINUX_ENOENT 2
#define LINUX_ESRCH 3
#define LINUX_EINTR 4
#define LINUX_ENXIO 6
#define LINUX_EBADF 9
#define LINUX_EAGAIN 11
#define LINUX_ENOMEM 12
#define LINUX_EACCES 13
#define LINUX_EFAULT 14
#define LINUX_EEXIST 17
#define LINUX_ENODEV 19
#define LINUX_ENOTDIR 20
#define LINUX_EISDIR 21
#define LINUX_EINVAL 22
#define LINUX_EMFILE 24
#define LINUX_ENOTTY 25
#define LINUX_ESPIPE 29
#define LINUX_EROFS 30
#define LINUX_ERANGE 34
#define LINUX_ENAMETOOLONG 36
#define LINUX_ENOSYS 38
#define LINUX_ELOOP 40
#define LINUX_EOPNOTSUPP 95
#define LINUX_ETIMEDOUT 110
#define LINUX_ECANCELED 125
/* The highest errno a system call returns (include/linux/err.h, MAX_ERRNO):
 * a result in [-4095, -1] is an error. */
#define LINUX_MAX_ERRNO 4095

/* ---- the user address range: arch/x86/include/asm/page_64_types.h ---- */
/* TASK_SIZE_MAX with 4-level paging: (1 << 47) - PAGE_SIZE. */
#define LINUX_TASK_SIZE_MAX 0x7ffffffff000ull
/* include/linux/fs.h: MAX_RW_COUNT = INT_MAX & PAGE_MASK, the most one read or
 * write transfers. */
#define LINUX_MAX_RW_COUNT 0x7ffff000ull
/* include/uapi/linux/uio.h: UIO_MAXIOV (IOV_MAX). */
#define LINUX_UIO_MAXIOV 1024

/* ---- time: include/uapi/linux/time.h, time_types.h ---- */
#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID 3
#define LINUX_CLOCK_MONOTONIC_RAW 4
#define LINUX_CLOCK_REALTIME_COARSE 5
#define LINUX_CLOCK_MONOTONIC_COARSE 6
#define LINUX_CLOCK_BOOTTIME 7
#define LINUX_TIMER_ABSTIME 1

struct linux_timespec { /* struct __kernel_timespec */
    int64_t tv_sec;
    int64_t tv_nsec;
};
struct linux_timeval { /* struct __kernel_old_timeval */
    int64_t tv_sec;
    int64_t tv_usec;
};
struct linux_timezone { /* struct timezone */
    int32_t tz_minuteswest;
    int32_t tz_dsttime;
};

/* A negative clock id names the CPU clock of a process or thread
 * (include/linux/posix-timers.h, CPUCLOCK_*): bits 0-1 the kind, bit 2 set
 * for a thread, the rest the bitwise complement of the pid. */
#define LINUX_CPUCLOCK_PERTHREAD_MASK 4
#define LINUX_CPUCLOCK_CLOCK_MASK 3
#define LINUX_CPUCLOCK_MAX 3

/* ---- files: include/uapi/asm-generic/fcntl.h, linux/stat.h, poll.h ---- */
#define LINUX_O_RDONLY 0
#define LINUX_O_WRONLY 1
#define LINUX_O_RDWR 2
#define LINUX_O_ACCMODE 3
#define LINUX_O_CREAT 0x40           /* 00000100 */
#define LINUX_O_EXCL 0x80            /* 00000200 */
#define LINUX_O_NOCTTY 0x100         /* 00000400 */
#define LINUX_O_TRUNC 0x200          /* 00001000 */
#define LINUX_O_APPEND 0x400         /* 00002000 */
#define LINUX_O_NONBLOCK 0x800       /* 00004000 */
#define LINUX_O_ASYNC 0x2000         /* 00020000 (FASYNC) */
#define LINUX_O_DIRECT 0x4000        /* 00040000 */
#define LINUX_O_LARGEFILE 0x8000     /* 00100000 */
#define LINUX_O_DIRECTORY 0x10000    /* 00200000 */
#define LINUX_O_NOFOLLOW 0x20000     /* 00400000 */
#define LINUX_O_NOATIME 0x40000      /* 01000000 */
#define LINUX_O_CLOEXEC 0x80000      /* 02000000 */
#define LINUX_O_PATH 0x200000        /* 010000000 */
#define LINUX_O_TMPFILE_BIT 0x400000 /* __O_TMPFILE, 020000000 (O_TMPFILE adds O_DIRECTORY) */
#define LINUX_F_DUPFD 0
#define LINUX_F_GETFD 1
#define LINUX_F_SETFD 2
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4
#define LINUX_F_DUPFD_CLOEXEC 1030 /* include/uapi/linux/fcntl.h: F_LINUX_SPECIFIC_BASE + 6 */
#define LINUX_FD_CLOEXEC 1
#define LINUX_SEEK_SET 0
#define LINUX_SEEK_CUR 1
#define LINUX_SEEK_END 2
#define LINUX_SEEK_DATA 3
#define LINUX_SEEK_HOLE 4
#define LINUX_S_IFMT 0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK 0120000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFBLK 0060000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000
#define LINUX_S_IFIFO 0010000
#define LINUX_S_IXUGO 0111
#define LINUX_POLLIN 0x0001
#define LINUX_POLLPRI 0x0002
#define LINUX_POLLOUT 0x0004
#define LINUX_POLLERR 0x0008
#define LINUX_POLLHUP 0x0010
#define LINUX_POLLNVAL 0x0020
#define LINUX_POLLRDNORM 0x0040
#define LINUX_POLLRDBAND 0x0080
#define LINUX_POLLWRNORM 0x0100
#define LINUX_POLLWRBAND 0x0200
#define LINUX_POLLMSG 0x0400
#define LINUX_POLLRDHUP 0x2000

struct linux_iovec { /* include/uapi/linux/uio.h */
    uint64_t iov_base;
    uint64_t iov_len;
};

struct linux_pollfd { /* include/uapi/asm-generic/poll.h */
    int32_t fd;
    int16_t events;
    int16_t revents;
};

/* ---- select: include/uapi/linux/posix_types.h; epoll: include/uapi/linux/eventpoll.h ---- */
#define LINUX_FD_SETSIZE 1024 /* __FD_SETSIZE: the bits of an fd_set */
#define LINUX_EPOLL_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLL_CTL_DEL 2
#define LINUX_EPOLL_CTL_MOD 3
/* The event bits are the poll bits above (EPOLLIN is POLLIN, ...), and: */
#define LINUX_EPOLLEXCLUSIVE (1u << 28)
#define LINUX_EPOLLWAKEUP (1u << 29)
#define LINUX_EPOLLONESHOT (1u << 30)
#define LINUX_EPOLLET (1u << 31)

/* struct epoll_event: packed on x86-64 (EPOLL_PACKED), 12 bytes. */
struct linux_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

/* pselect6's sixth argument points at a sigset pointer and its size
 * (fs/select.c, struct sigset_argpack). */
struct linux_sigset_argpack {
    uint64_t p;
    uint64_t size;
};

/* arch/x86/include/uapi/asm/stat.h, the x86-64 layout (144 bytes). */
struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    uint64_t st_atime_sec;
    uint64_t st_atime_nsec;
    uint64_t st_mtime_sec;
    uint64_t st_mtime_nsec;
    uint64_t st_ctime_sec;
    uint64_t st_ctime_nsec;
    int64_t unused[3];
};

/* include/uapi/linux/stat.h: struct statx (256 bytes) and its mask bits. */
struct linux_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct linux_statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t spare0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major;
    uint32_t stx_rdev_minor;
    uint32_t stx_dev_major;
    uint32_t stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align;
    uint32_t stx_dio_offset_align;
    uint64_t spare3[12];
};
#define LINUX_STATX_BASIC_STATS 0x7ffu /* type, mode, nlink, uid, gid, times, ino, size, blocks */
#define LINUX_STATX_RESERVED 0x80000000u

/* include/linux/dirent.h: what getdents64 writes, one record after another,
 * each d_reclen bytes (a multiple of 8) with the name NUL-terminated. */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off; /* the position of the next record, for lseek */
    uint16_t d_reclen;
    uint8_t d_type; /* DT_*: the file type bits of st_mode, shifted down 12 */
    char d_name[];
};

/* include/linux/kdev_t.h, new_encode_dev: the dev_t user space sees. */
static inline uint64_t linux_makedev(uint32_t major, uint32_t minor)
{
    return (minor & 0xffu) | ((uint64_t)major << 8) | ((uint64_t)(minor & ~0xffu) << 12);
}

/* ---- terminals: include/uapi/asm-generic/ioctls.h, termbits.h ---- */
#define LINUX_TCGETS 0x5401
#define LINUX_TCSETS 0x5402
#define LINUX_TCSETSW 0x5403
#define LINUX_TCSETSF 0x5404
#define LINUX_TIOCGWINSZ 0x5413
#define LINUX_TIOCSWINSZ 0x5414
#define LINUX_FIONREAD 0x541B
#define LINUX_FIONBIO 0x5421
#define LINUX_FIONCLEX 0x5450
#define LINUX_FIOCLEX 0x5451
#define LINUX_NCCS 19

struct linux_termios { /* struct termios, what TCGETS and TCSETS carry (36 bytes) */
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t c_line;
    uint8_t c_cc[LINUX_NCCS];
};
struct linux_winsize { /* include/uapi/asm-generic/termios.h */
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};

/* ---- memory: include/uapi/asm-generic/mman-common.h, mman.h, linux/mman.h ---- */
#define LINUX_PROT_READ 0x1
#define LINUX_PROT_WRITE 0x2
#define LINUX_PROT_EXEC 0x4
#define LINUX_PROT_SEM 0x8
#define LINUX_PROT_GROWSDOWN 0x01000000
#define LINUX_PROT_GROWSUP 0x02000000
#define LINUX_MAP_SHARED 0x01
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_SHARED_VALIDATE 0x03
#define LINUX_MAP_TYPE 0x0f
#define LINUX_MAP_FIXED 0x10
#define LINUX_MAP_ANONYMOUS 0x20
#define LINUX_MAP_HUGETLB 0x40000
#define LINUX_MAP_FIXED_NOREPLACE 0x100000
#define LINUX_MREMAP_MAYMOVE 1
#define LINUX_MREMAP_FIXED 2
#define LINUX_MREMAP_DONTUNMAP 4
#define LINUX_MS_ASYNC 1
#define LINUX_MS_INVALIDATE 2
#define LINUX_MS_SYNC 4
#define LINUX_MADV_NORMAL 0
#define LINUX_MADV_RANDOM 1
#define LINUX_MADV_SEQUENTIAL 2
#define LINUX_MADV_WILLNEED 3
#define LINUX_MADV_DONTNEED 4
#define LINUX_MADV_FREE 8
#define LINUX_MADV_REMOVE 9
#define LINUX_MADV_DONTFORK 10
#define LINUX_MADV_DOFORK 11
#define LINUX_MADV_MERGEABLE 12
#define LINUX_MADV_UNMERGEABLE 13
#define LINUX_MADV_HUGEPAGE 14
#define LINUX_MADV_NOHUGEPAGE 15
#define LINUX_MADV_DONTDUMP 16
#define LINUX_MADV_DODUMP 17
#define LINUX_MADV_WIPEONFORK 18
#define LINUX_MADV_KEEPONFORK 19
#define LINUX_MADV_COLD 20
#define LINUX_MADV_PAGEOUT 21
#define LINUX_MADV_POPULATE_READ 22
#define LINUX_MADV_POPULATE_WRITE 23
#define LINUX_MADV_DONTNEED_LOCKED 24

/* ---- signals: arch/x86/include/uapi/asm/signal.h, asm-generic/signal-defs.h,
 * asm-generic/siginfo.h, linux/signal.h ---- */
#define LINUX_NSIG 64 /* _NSIG; a sigset_t is one 64-bit word */
#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_SIGRTMIN 32
#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1
#define LINUX_SA_NOCLDSTOP 0x00000001u
#define LINUX_SA_NOCLDWAIT 0x00000002u
#define LINUX_SA_SIGINFO 0x00000004u
#define LINUX_SA_EXPOSE_TAGBITS 0x00000800u
#define LINUX_SA_RESTORER 0x04000000u
#define LINUX_SA_ONSTACK 0x08000000u
#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u
#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2
#define LINUX_SI_USER 0
#define LINUX_SI_TKILL (-6)
#define LINUX_SI_KERNEL 0x80 /* sent by the kernel (include/uapi/asm-generic/siginfo.h) */
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ 2048

/* What rt_sigaction reads and writes: the kernel's struct sigaction on
 * x86-64 (handler, flags, restorer, mask; 32 bytes). */
struct linux_k_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

/* siginfo_t (include/uapi/asm-generic/siginfo.h): 128 bytes; the fields of a
 * signal sent by kill or tkill (_kill: the sender's pid and uid) start at
 * byte 16 on a 64-bit machine. */
struct linux_siginfo {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    int32_t pad0;
    union {
        struct {
            int32_t pid;  /* si_pid */
            uint32_t uid; /* si_uid */
        } kill;
        uint8_t pad[112];
    } u;
};

struct linux_stack { /* stack_t, arch/x86/include/uapi/asm/signal.h */
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad0;
    uint64_t ss_size;
};

/* ---- futex: include/uapi/linux/futex.h ---- */
#define LINUX_FUTEX_WAIT 0
#define LINUX_FUTEX_WAKE 1
#define LINUX_FUTEX_REQUEUE 3
#define LINUX_FUTEX_CMP_REQUEUE 4
#define LINUX_FUTEX_WAIT_BITSET 9
#define LINUX_FUTEX_WAKE_BITSET 10
#define LINUX_FUTEX_WAIT_REQUEUE_PI 11
#define LINUX_FUTEX_LOCK_PI2 13
#define LINUX_FUTEX_PRIVATE_FLAG 128
#define LINUX_FUTEX_CLOCK_REALTIME 256
#define LINUX_FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* ---- the process: include/uapi/linux/utsname.h, asm-generic/resource.h,
 * linux/sysinfo.h, arch/x86/include/uapi/asm/prctl.h, linux/random.h ---- */
#define LINUX_UTS_LEN 65 /* __NEW_UTS_LEN + 1 */
struct linux_utsname {   /* struct new_utsname */
    char sysname[LINUX_UTS_LEN];
    char nodename[LINUX_UTS_LEN];
    char release[LINUX_UTS_LEN];
    char version[LINUX_UTS_LEN];
    char machine[LINUX_UTS_LEN];
    char domainname[LINUX_UTS_LEN];
};

#define LINUX_RLIMIT_STACK 3
#define LINUX_RLIMIT_NOFILE 7
#define LINUX_RLIM_NLIMITS 16
#define LINUX_RLIM_INFINITY (~0ull)
struct linux_rlimit { /* struct rlimit64; struct rlimit has the same layout on x86-64 */
    uint64_t rlim_cur;
    uint64_t rlim_max;
};

struct linux_sysinfo { /* 112 bytes on x86-64 */
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram;
    uint64_t freeram;
    uint64_t sharedram;
    uint64_t bufferram;
    uint64_t totalswap;
    uint64_t freeswap;
    uint16_t procs;
    uint16_t pad;
    uint64_t totalhigh;
    uint64_t freehigh;
    uint32_t mem_unit;
};

#define LINUX_ARCH_SET_GS 0x1001
#define LINUX_ARCH_SET_FS 0x1002
#define LINUX_ARCH_GET_FS 0x1003
#define LINUX_ARCH_GET_GS 0x1004

#define LINUX_GRND_NONBLOCK 0x0001
#define LINUX_GRND_RANDOM 0x0002
#define LINUX_GRND_INSECURE 0x0004

/* ---- sockets: include/uapi/asm-generic/errno.h (above), include/linux/socket.h,
 * include/linux/net.h, include/uapi/linux/in.h, in6.h, tcp.h,
 * include/uapi/asm-generic/socket.h ---- */
#define LINUX_NR_socket 41
#define LINUX_NR_connect 42
#define LINUX_NR_accept 43
#define LINUX_NR_sendto 44
#define LINUX_NR_recvfrom 45
#define LINUX_NR_sendmsg 46
#define LINUX_NR_recvmsg 47
#define LINUX_NR_shutdown 48
#define LINUX_NR_bind 49
#define LINUX_NR_listen 50
#define LINUX_NR_getsockname 51
#define LINUX_NR_getpeername 52
#define LINUX_NR_socketpair 53
#define LINUX_NR_setsockopt 54
#define LINUX_NR_getsockopt 55
#define LINUX_NR_accept4 288

#define LINUX_EACCES 13
#define LINUX_EPIPE 32
#define LINUX_EDOM 33
#define LINUX_ENOTSOCK 88
#define LINUX_EDESTADDRREQ 89
#define LINUX_EMSGSIZE 90
#define LINUX_ENOPROTOOPT 92
#define LINUX_EPROTONOSUPPORT 93
#define LINUX_ESOCKTNOSUPPORT 94
#define LINUX_EAFNOSUPPORT 97
#define LINUX_EADDRINUSE 98
#define LINUX_EADDRNOTAVAIL 99
#define LINUX_ENETDOWN 100
#define LINUX_ENETUNREACH 101
#define LINUX_ECONNABORTED 103
#define LINUX_ECONNRESET 104
#define LINUX_ENOBUFS 105
#define LINUX_EISCONN 106
#define LINUX_ENOTCONN 107
#define LINUX_ECONNREFUSED 111
#define LINUX_EHOSTUNREACH 113
#define LINUX_EALREADY 114
#define LINUX_EINPROGRESS 115

#define LINUX_S_IFSOCK 0140000

#define LINUX_AF_UNSPEC 0
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_AF_MAX 46
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_RAW 3
#define LINUX_SOCK_MAX 11 /* SOCK_PACKET + 1 */
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_SOCK_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_IPPROTO_IP 0
#define LINUX_IPPROTO_TCP 6
#define LINUX_IPPROTO_UDP 17
#define LINUX_IPPROTO_IPV6 41
#define LINUX_IPPROTO_MAX 263

#define LINUX_SOL_SOCKET 1
#define LINUX_SO_REUSEADDR 2
#define LINUX_SO_TYPE 3
#define LINUX_SO_ERROR 4
#define LINUX_SO_BROADCAST 6
#define LINUX_SO_SNDBUF 7
#define LINUX_SO_RCVBUF 8
#define LINUX_SO_KEEPALIVE 9
#define LINUX_SO_LINGER 13
#define LINUX_SO_RCVTIMEO_OLD 20
#define LINUX_SO_SNDTIMEO_OLD 21
#define LINUX_SO_ACCEPTCONN 30
#define LINUX_SO_PROTOCOL 38
#define LINUX_SO_DOMAIN 39
#define LINUX_SO_RCVTIMEO_NEW 66
#define LINUX_SO_SNDTIMEO_NEW 67
#define LINUX_TCP_NODELAY 1
#define LINUX_TCP_KEEPIDLE 4
#define LINUX_TCP_KEEPINTVL 5
#define LINUX_TCP_KEEPCNT 6
#define LINUX_IPV6_V6ONLY 26

#define LINUX_MSG_OOB 0x1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_CTRUNC 0x8
#define LINUX_MSG_TRUNC 0x20
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_MSG_MORE 0x8000

#define LINUX_SHUT_RD 0
#define LINUX_SHUT_WR 1
#define LINUX_SHUT_RDWR 2

struct linux_sockaddr_in { /* include/uapi/linux/in.h; port and address in network order */
    uint16_t sin_family;
    uint16_t sin_port;
    uint32_t sin_addr;
    uint8_t sin_zero[8];
};
struct linux_sockaddr_in6 { /* include/uapi/linux/in6.h */
    uint16_t sin6_family;
    uint16_t sin6_port;
    uint32_t sin6_flowinfo;
    uint8_t sin6_addr[16];
    uint32_t sin6_scope_id;
};
/* RFC 2133's sockaddr_in6 had no sin6_scope_id: Linux takes 24 bytes as a
 * whole IPv6 address (include/linux/in6.h: SIN6_LEN_RFC2133). */
#define LINUX_SIN6_LEN_RFC2133 24
/* sizeof(struct __kernel_sockaddr_storage): the longest address a call takes. */
#define LINUX_SOCKADDR_STORAGE 128

struct linux_msghdr { /* struct user_msghdr, include/linux/socket.h (56 bytes) */
    uint64_t msg_name;
    int32_t msg_namelen;
    int32_t pad0;
    uint64_t msg_iov;
    uint64_t msg_iovlen;
    uint64_t msg_control;
    uint64_t msg_controllen;
    uint32_t msg_flags;
    uint32_t pad1;
};
struct linux_linger { /* include/linux/socket.h */
    int32_t l_onoff;
    int32_t l_linger;
};

#endif
