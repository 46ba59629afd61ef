/* libFuzzer harness: the system-call layer (sys/) driven through
 * __anyvm_syscall by an application that passes whatever the input says.
 *
 * Input: a sequence of operations, one byte each, then its operands (read
 * with fuzz_take; zeros once the input is used up), at most MAX_OPS:
 *   0x00-0xef  a call from the table below (byte % its size); each argument
 *              is drawn by its kind: a pointer (NULL, into the arena, one the
 *              layer must refuse, a small number), a length (small, or one
 *              that overflows any pointer), a descriptor, an address of a
 *              mapping made earlier, or any 64-bit value where the argument
 *              is never dereferenced; iovec arrays, sigactions, pollfd
 *              arrays and pselect6's mask pair are built in the arena from
 *              the same kinds
 *   0xf0-0xf7  write 8 input bytes into the arena (timespecs, masks, limits)
 *   0xf8-0xff  a number the table does not implement, with any arguments
 *
 * The application owns a 16 KiB arena; pointers handed out lie in its first
 * half and lengths stay below a quarter of it, so every access the
 * application asked for is inside the arena (ASan reports anything else).
 * Memory from mmap comes from the page allocator's pool (tests/unit/
 * host_sys.h), a separate region.
 *
 * Invariants checked after every call:
 *   - the result is >= 0, or -errno with an errno the layer uses; -ENOSYS
 *     exactly for the numbers it does not implement;
 *   - the arena changed only inside what the call may write: its output
 *     structures, its buffer up to the result, the iovec segments (so
 *     nanosleep's rem, futex words, input structures are never written);
 *   - a transfer returns at most what was asked; poll at most nfds, select
 *     at most three per descriptor, epoll_wait at most maxevents events,
 *     each with some event; mmap and mremap return
 *     page-aligned memory inside the pool, zero-filled (mmap), never overlapping
 *     memory still mapped (a shadow map of the pool's pages kept here);
 *     munmap succeeds exactly on ranges the shadow map has mapped;
 *   - after the input, sys_reset() gives every page back to the allocator
 *     (and every epoll set and registration back to the heap: LeakSanitizer).
 * A wait with no timeout on the fake clock lasts until the clock's end;
 * every later wait then ends at once.
 * A signal handler, when the input installs one, is this file's, and counts.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_syscall.c sys/[!m]*.c sys/mem.c sys/poll/[a-z]*.c core/page_alloc.c \
 *     core/event.c core/timer.c tests/unit/host_platform.c tests/unit/host_sys.c */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/page_alloc.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/unit/host_sys.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

void kvprintf(const char *fmt, va_list ap)
{
    (void)fmt;
    (void)ap;
}

#define MAX_OPS 48
#define ARENA 16384u
#define HALF (ARENA / 2)    /* pointers point below this */
#define MAX_LEN (ARENA / 4) /* small lengths stay below this */
#define MAX_IOV 32
#define POOL (256u * 1024)
#define PAGE 4096u
#define POOL_PAGES (POOL / PAGE)

static _Alignas(4096) uint8_t arena[ARENA];
static uint8_t before[ARENA];
static uint8_t allowed[ARENA];  /* bytes the current call may write */
static bool shadow[POOL_PAGES]; /* pool pages mapped, as this harness sees it */
static uint64_t recent[8];      /* mmap and mremap results, for address arguments */
static unsigned nrecent;
static unsigned handler_runs;
static long epfds[4]; /* epoll sets made, for the calls on them */
static unsigned nepfds;

enum kind {
    NONE,
    INT,     /* any value; never dereferenced; hints when given */
    FD,      /* 0-2, small, negative, 2^32 + small */
    LEN,     /* a length: small or overflowing */
    MLEN,    /* a mapping length: pages, odd bytes, 0, overflowing */
    MADDR,   /* an address for the memory calls */
    PTR_IN,  /* a pointer read by the call */
    PTR_OUT, /* a pointer written by the call: size bytes */
    BUF_IN,  /* a buffer read: its length is argument len */
    BUF_OUT, /* a buffer written: its length is argument len (capped at size when given) */
    IOV_IN,  /* an iovec array built in the arena, its count argument len */
    IOV_OUT, /* the same, the segments written */
    SIGACT,  /* a k_sigaction built in the arena, or a pointer */
    IOVCNT,  /* an iovec count */
    PATH,    /* a path: a pointer as any, its string ending by the arena's last byte */
    POLLFDS, /* a pollfd array built in the arena, its count argument len; revents written */
    EVENTS,  /* an epoll_event array written, maxevents argument len */
    SIGPACK, /* pselect6's {mask pointer, size} pair, built in the arena, or a pointer */
    EPEVENT, /* an epoll_event built in the arena with event bits worth trying, or a pointer */
    EPFD,    /* mostly an epoll set made earlier, else as FD */
};

struct arg {
    uint8_t kind;
    uint8_t len; /* BUF_*, IOV_*: the argument holding the length or count */
    uint16_t size;
    const int64_t *hints;
    uint8_t nhints;
};

struct call {
    long nr;
    struct arg a[6];
};

#define H(...) (const int64_t[]){__VA_ARGS__}, sizeof((const int64_t[]){__VA_ARGS__}) / 8
#define A_INT                                                                                      \
    {                                                                                              \
        INT, 0, 0, NULL, 0                                                                         \
    }
#define A_HINT(...)                                                                                \
    {                                                                                              \
        INT, 0, 0, H(__VA_ARGS__)                                                                  \
    }
#define A_FD                                                                                       \
    {                                                                                              \
        FD, 0, 0, NULL, 0                                                                          \
    }
#define A_LEN                                                                                      \
    {                                                                                              \
        LEN, 0, 0, NULL, 0                                                                         \
    }
#define A_MLEN                                                                                     \
    {                                                                                              \
        MLEN, 0, 0, NULL, 0                                                                        \
    }
#define A_MADDR                                                                                    \
    {                                                                                              \
        MADDR, 0, 0, NULL, 0                                                                       \
    }
#define A_PATH                                                                                     \
    {                                                                                              \
        PATH, 0, 0, NULL, 0                                                                        \
    }
#define A_IN(n)                                                                                    \
    {                                                                                              \
        PTR_IN, 0, n, NULL, 0                                                                      \
    }
#define A_OUT(n)                                                                                   \
    {                                                                                              \
        PTR_OUT, 0, n, NULL, 0                                                                     \
    }
#define A_BUF_IN(l)                                                                                \
    {                                                                                              \
        BUF_IN, l, 0, NULL, 0                                                                      \
    }
#define A_BUF_OUT(l, cap)                                                                          \
    {                                                                                              \
        BUF_OUT, l, cap, NULL, 0                                                                   \
    }
#define A_IOV_IN(c)                                                                                \
    {                                                                                              \
        IOV_IN, c, 0, NULL, 0                                                                      \
    }
#define A_IOV_OUT(c)                                                                               \
    {                                                                                              \
        IOV_OUT, c, 0, NULL, 0                                                                     \
    }
#define A_IOVCNT                                                                                   \
    {                                                                                              \
        IOVCNT, 0, 0, NULL, 0                                                                      \
    }
#define A_SIGACT                                                                                   \
    {                                                                                              \
        SIGACT, 0, 0, NULL, 0                                                                      \
    }
#define A_POLLFDS(c)                                                                               \
    {                                                                                              \
        POLLFDS, c, 0, NULL, 0                                                                     \
    }
#define A_EVENTS(c)                                                                                \
    {                                                                                              \
        EVENTS, c, 0, NULL, 0                                                                      \
    }
#define A_SIGPACK                                                                                  \
    {                                                                                              \
        SIGPACK, 0, 0, NULL, 0                                                                     \
    }
#define A_EPEVENT                                                                                  \
    {                                                                                              \
        EPEVENT, 0, 0, NULL, 0                                                                     \
    }
#define A_EPFD                                                                                     \
    {                                                                                              \
        EPFD, 0, 0, NULL, 0                                                                        \
    }
#define SIGNALS A_HINT(0, 1, 6, 9, 10, 12, 15, 17, 19, 28, 32, 40, 64, 65, -1)
#define CLOCKS A_HINT(0, 1, 2, 3, 4, 5, 6, 7, 8, 11, -6, -10, -14, -1, 1l << 32)
#define SIGSETSIZE A_HINT(8, 8, 8, 0, 4, 16)
#define PIDS A_HINT(0, 1, 1, 2, -1)
#define NFDS A_HINT(0, 1, 2, 3, 8, 63, 64, 65, 1023, 1024, 5000, -1, 1l << 32 | 2)
#define MS_TIMEOUT A_HINT(0, 0, 0, 1, 3, -1)
#define MAXEVENTS A_HINT(1, 2, 4, 16, 0, -1, 178956971)

static const struct call calls[] = {
    {LINUX_NR_read, {A_FD, A_BUF_OUT(2, 0), A_LEN}},
    {LINUX_NR_write, {A_FD, A_BUF_IN(2), A_LEN}},
    {LINUX_NR_close, {A_FD}},
    {LINUX_NR_fstat, {A_FD, A_OUT(sizeof(struct linux_stat))}},
    {LINUX_NR_lseek, {A_FD, A_INT, A_HINT(0, 1, 2, 3, 4, 5)}},
    {LINUX_NR_mmap,
     {A_MADDR, A_MLEN, A_HINT(0, 1, 3, 7, 8),
      A_HINT(0x22, 0x22, 0x22, 0x21, 0x23, 0x32, 0x100022, 0x40022, 0x02, 0x20, 0x2f), A_FD,
      A_HINT(0, 0, 4096, 1)}},
    {LINUX_NR_mprotect, {A_MADDR, A_MLEN, A_HINT(0, 1, 3, 7, 8, 0x10, 0x01000003, 0x03000000)}},
    {LINUX_NR_munmap, {A_MADDR, A_MLEN}},
    {LINUX_NR_brk, {A_INT}},
    {LINUX_NR_rt_sigaction, {SIGNALS, A_SIGACT, A_OUT(32), SIGSETSIZE}},
    {LINUX_NR_rt_sigprocmask, {A_HINT(0, 1, 2, 3), A_IN(8), A_OUT(8), SIGSETSIZE}},
    {LINUX_NR_ioctl,
     {A_FD,
      A_HINT(0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x5414, 0x541B, 0x5421, 0x5450, 0x5451, 0),
      A_OUT(sizeof(struct linux_termios))}},
    {LINUX_NR_pread64, {A_FD, A_BUF_OUT(2, 0), A_LEN, A_HINT(0, 1, -1, INT64_MAX)}},
    {LINUX_NR_pwrite64, {A_FD, A_BUF_IN(2), A_LEN, A_HINT(0, 1, -1, INT64_MAX)}},
    {LINUX_NR_readv, {A_FD, A_IOV_OUT(2), A_IOVCNT}},
    {LINUX_NR_writev, {A_FD, A_IOV_IN(2), A_IOVCNT}},
    {LINUX_NR_preadv, {A_FD, A_IOV_OUT(2), A_IOVCNT, A_HINT(0, -1)}},
    {LINUX_NR_pwritev, {A_FD, A_IOV_IN(2), A_IOVCNT, A_HINT(0, -1)}},
    {LINUX_NR_sched_yield, {{0}}},
    {LINUX_NR_mremap, {A_MADDR, A_MLEN, A_MLEN, A_HINT(0, 1, 1, 2, 3, 4, 5, 8), A_MADDR}},
    {LINUX_NR_msync, {A_MADDR, A_MLEN, A_HINT(0, 1, 2, 4, 5, 8)}},
    {LINUX_NR_madvise, {A_MADDR, A_MLEN, A_HINT(0, 3, 4, 8, 9, 14, 24, 25, 100, -1)}},
    {LINUX_NR_dup, {A_FD}},
    {LINUX_NR_dup2, {A_FD, A_FD}},
    {LINUX_NR_dup3, {A_FD, A_FD, A_HINT(0, LINUX_O_CLOEXEC, 1)}},
    {LINUX_NR_nanosleep, {A_IN(16), A_OUT(0)}},
    {LINUX_NR_getpid, {{0}}},
    {LINUX_NR_gettid, {{0}}},
    {LINUX_NR_getppid, {{0}}},
    {LINUX_NR_getuid, {{0}}},
    {LINUX_NR_geteuid, {{0}}},
    {LINUX_NR_getgid, {{0}}},
    {LINUX_NR_getegid, {{0}}},
    {LINUX_NR_exit, {A_INT}},
    {LINUX_NR_exit_group, {A_INT}},
    {LINUX_NR_kill, {PIDS, SIGNALS}},
    {LINUX_NR_tkill, {PIDS, SIGNALS}},
    {LINUX_NR_tgkill, {PIDS, PIDS, SIGNALS}},
    {LINUX_NR_uname, {A_OUT(sizeof(struct linux_utsname))}},
    {LINUX_NR_fcntl, {A_FD, A_HINT(0, 1, 2, 3, 4, 1030, 99), A_HINT(0, 1, 3, 0x800, 0x400, 300)}},
    {LINUX_NR_gettimeofday, {A_OUT(16), A_OUT(8)}},
    {LINUX_NR_getrlimit, {A_HINT(3, 7, 0, 15, 16), A_OUT(16)}},
    {LINUX_NR_setrlimit, {A_HINT(3, 7, 0, 15, 16), A_IN(16)}},
    {LINUX_NR_prlimit64, {PIDS, A_HINT(3, 7, 0, 16), A_IN(16), A_OUT(16)}},
    {LINUX_NR_sysinfo, {A_OUT(sizeof(struct linux_sysinfo))}},
    {LINUX_NR_rt_sigpending, {A_BUF_OUT(1, 8), SIGSETSIZE}},
    {LINUX_NR_sigaltstack, {A_IN(24), A_OUT(24)}},
    {LINUX_NR_arch_prctl, {A_HINT(0x1001, 0x1002, 0x1003, 0x1004, 0), A_OUT(8)}},
    {LINUX_NR_time, {A_OUT(8)}},
    {LINUX_NR_futex,
     {A_IN(4), A_HINT(0, 1, 3, 4, 9, 10, 128, 129, 137, 265, 6, 5), A_HINT(0, 1, 2, -1), A_IN(16),
      A_IN(4), A_HINT(0, 1, -1)}},
    {LINUX_NR_sched_getaffinity, {PIDS, A_HINT(8, 16, 4, 0, 128), A_OUT(8)}},
    {LINUX_NR_set_tid_address, {A_IN(0)}},
    {LINUX_NR_clock_gettime, {CLOCKS, A_OUT(16)}},
    {LINUX_NR_clock_getres, {CLOCKS, A_OUT(16)}},
    {LINUX_NR_clock_nanosleep, {CLOCKS, A_HINT(0, 1), A_IN(16), A_OUT(0)}},
    {LINUX_NR_getrandom, {A_BUF_OUT(1, 0), A_LEN, A_HINT(0, 1, 2, 3, 4, 6, 8)}},
    {LINUX_NR_rt_sigreturn, {{0}}},
    /* The calls that name a file (sys/path.c). */
    {LINUX_NR_open, {A_PATH, A_INT, A_INT}},
    {LINUX_NR_stat, {A_PATH, A_OUT(sizeof(struct linux_stat))}},
    {LINUX_NR_lstat, {A_PATH, A_OUT(sizeof(struct linux_stat))}},
    {LINUX_NR_access, {A_PATH, A_INT}},
    {LINUX_NR_readlink, {A_PATH, A_BUF_OUT(2, 0), A_LEN}},
    {LINUX_NR_openat, {A_HINT(-100, 0, 1), A_PATH, A_INT, A_INT}},
    {LINUX_NR_newfstatat,
     {A_FD, A_PATH, A_OUT(sizeof(struct linux_stat)), A_HINT(0, LINUX_AT_EMPTY_PATH, 0x100)}},
    {LINUX_NR_readlinkat, {A_HINT(-100, 0), A_PATH, A_BUF_OUT(3, 0), A_LEN}},
    {LINUX_NR_faccessat, {A_HINT(-100, 0), A_PATH, A_INT}},
    {LINUX_NR_statx, {A_HINT(-100, 0), A_PATH, A_HINT(0, LINUX_AT_EMPTY_PATH), A_INT, A_OUT(256)}},
    {LINUX_NR_faccessat2, {A_HINT(-100, 0), A_PATH, A_INT, A_INT}},
    /* The waiting calls (sys/poll/). */
    {LINUX_NR_poll, {A_POLLFDS(1), A_IOVCNT, MS_TIMEOUT}},
    {LINUX_NR_ppoll, {A_POLLFDS(1), A_IOVCNT, A_OUT(16), A_IN(8), SIGSETSIZE}},
    {LINUX_NR_select, {NFDS, A_OUT(128), A_OUT(128), A_OUT(128), A_OUT(16)}},
    {LINUX_NR_pselect6, {NFDS, A_OUT(128), A_OUT(128), A_OUT(128), A_OUT(16), A_SIGPACK}},
    {LINUX_NR_epoll_create, {A_HINT(1, 0, -1, 1l << 32)}},
    {LINUX_NR_epoll_create1, {A_HINT(0, 0, LINUX_EPOLL_CLOEXEC, 1, 0x800)}},
    {LINUX_NR_epoll_ctl, {A_EPFD, A_HINT(1, 1, 2, 3, 0, 4), A_FD, A_IN(12)}},
    {LINUX_NR_epoll_ctl, {A_EPFD, A_HINT(1, 3), A_EPFD, A_EPEVENT}},
    {LINUX_NR_epoll_wait, {A_EPFD, A_EVENTS(2), MAXEVENTS, MS_TIMEOUT}},
    {LINUX_NR_epoll_pwait, {A_EPFD, A_EVENTS(2), MAXEVENTS, MS_TIMEOUT, A_IN(8), SIGSETSIZE}},
    {LINUX_NR_epoll_pwait2, {A_EPFD, A_EVENTS(2), MAXEVENTS, A_IN(16), A_IN(8), SIGSETSIZE}},
};
#define NCALLS (sizeof calls / sizeof calls[0])

static bool implemented(long nr)
{
    for (unsigned i = 0; i < NCALLS; i++)
        if (calls[i].nr == nr)
            return true;
    return nr == LINUX_NR_sched_yield; /* listed; for completeness */
}

static uint64_t take64(struct fuzz_input *in)
{
    uint64_t hi = fuzz_take(in, 4);
    return hi << 32 | fuzz_take(in, 4);
}

/* Pointers the layer must refuse whatever the length (1 or more). */
static const uint64_t bad_pointers[] = {
    0, 1, 0xff8, 0x800000000000ull, 0xffff800000000000ull, UINT64_MAX - 7, 1ull << 63,
};

static uint64_t pointer(struct fuzz_input *in)
{
    uint32_t sel = fuzz_take(in, 1);
    switch (sel % 8) {
    case 0:
        return 0;
    case 1:
        return bad_pointers[fuzz_take(in, 1) % (sizeof bad_pointers / sizeof bad_pointers[0])];
    case 2:
        return fuzz_take(in, 2) % 0x1000; /* a field of a NULL structure */
    default:
        return (uintptr_t)arena + fuzz_take(in, 2) % HALF;
    }
}

static uint64_t length(struct fuzz_input *in)
{
    switch (fuzz_take(in, 1) % 8) {
    case 0:
        return 0;
    case 1: { /* lengths no pointer survives */
        static const uint64_t huge[] = {UINT64_MAX, 1ull << 47, 1ull << 63, UINT64_MAX - 4095,
                                        LINUX_TASK_SIZE_MAX};
        return huge[fuzz_take(in, 1) % 5];
    }
    default:
        return fuzz_take(in, 2) % MAX_LEN;
    }
}

static uint64_t map_length(struct fuzz_input *in)
{
    switch (fuzz_take(in, 1) % 8) {
    case 0:
        return 0;
    case 1:
        return UINT64_MAX - fuzz_take(in, 2);
    case 2:
        return 1ull << (40 + fuzz_take(in, 1) % 24);
    case 3:
        return 1 + fuzz_take(in, 2) % (8 * PAGE); /* not a page multiple */
    default:
        return (uint64_t)(1 + fuzz_take(in, 1) % 24) * PAGE;
    }
}

static uint64_t map_address(struct fuzz_input *in)
{
    switch (fuzz_take(in, 1) % 8) {
    case 0:
        return take64(in);
    case 1:
        return ((uintptr_t)arena + PAGE) & ~(uint64_t)(PAGE - 1); /* not a mapping */
    case 2:
        return (uintptr_t)host_pool + (uint64_t)(fuzz_take(in, 1) % POOL_PAGES) * PAGE;
    default: {
        if (nrecent == 0)
            return 0;
        uint64_t base = recent[fuzz_take(in, 1) % nrecent];
        return base + (uint64_t)(fuzz_take(in, 1) % 4) * PAGE + (fuzz_take(in, 1) % 16 == 0);
    }
    }
}

static uint64_t descriptor(struct fuzz_input *in)
{
    switch (fuzz_take(in, 1) % 8) {
    case 0:
        return (uint64_t)-1;
    case 1:
        return fuzz_take(in, 2);
    case 2:
        return (1ull << 32) | fuzz_take(in, 1) % 4;
    default:
        return fuzz_take(in, 1) % 8;
    }
}

static uint64_t any(struct fuzz_input *in, const struct arg *a)
{
    uint32_t sel = fuzz_take(in, 1);
    if (a->nhints && sel % 4 != 0)
        return (uint64_t)a->hints[fuzz_take(in, 1) % a->nhints];
    switch (sel % 4) {
    case 0:
        return take64(in);
    case 1:
        return fuzz_take(in, 4);
    default:
        return fuzz_take(in, 1);
    }
}

static bool in_arena(uint64_t p)
{
    return p >= (uintptr_t)arena && p < (uintptr_t)arena + ARENA;
}

static void allow(uint64_t p, uint64_t n)
{
    if (!in_arena(p) || n == 0)
        return;
    uint64_t off = p - (uintptr_t)arena;
    if (n > ARENA - off)
        n = ARENA - off;
    memset(allowed + off, 1, n);
}

static void handler(int sig)
{
    (void)sig;
    handler_runs++;
}

/* An iovec array at an arena pointer, its segments drawn like any buffer. */
static uint64_t build_iov(struct fuzz_input *in, uint64_t count)
{
    uint64_t p = pointer(in);
    if (!in_arena(p) || count > MAX_IOV)
        return p;
    p &= ~7ull; /* aligned: the harness reads it back to know the segments */
    for (uint64_t i = 0; i < count; i++) {
        struct linux_iovec v = {pointer(in), length(in)};
        memcpy(arena + (p - (uintptr_t)arena) + i * sizeof v, &v, sizeof v);
    }
    return p;
}

static void allow_iov(uint64_t p, uint64_t count)
{
    if (!in_arena(p) || count > MAX_IOV)
        return;
    for (uint64_t i = 0; i < count; i++) {
        struct linux_iovec v;
        memcpy(&v, before + (p - (uintptr_t)arena) + i * sizeof v, sizeof v);
        if (v.iov_len <= MAX_LEN)
            allow(v.iov_base, v.iov_len);
    }
}

/* A pollfd array: descriptors as any descriptor argument, events any. */
static uint64_t build_pollfds(struct fuzz_input *in, uint64_t count)
{
    uint64_t p = pointer(in);
    if (!in_arena(p) || count > MAX_IOV)
        return p;
    for (uint64_t i = 0; i < count; i++) {
        struct linux_pollfd pf = {(int32_t)descriptor(in), (int16_t)fuzz_take(in, 2),
                                  (int16_t)fuzz_take(in, 2)};
        memcpy(arena + (p - (uintptr_t)arena) + i * sizeof pf, &pf, sizeof pf);
    }
    return p;
}

/* poll writes each entry's revents, and nothing else. */
static void allow_revents(uint64_t p, uint64_t nfds)
{
    uint32_t n = (uint32_t)nfds;
    if (!in_arena(p) || n > 1024)
        return;
    for (uint32_t i = 0; i < n; i++)
        allow(p + i * sizeof(struct linux_pollfd) + offsetof(struct linux_pollfd, revents), 2);
}

static uint64_t build_sigpack(struct fuzz_input *in)
{
    uint64_t p = pointer(in);
    if (!in_arena(p) || p - (uintptr_t)arena > HALF - 16)
        return p;
    static const uint64_t sizes[] = {8, 8, 8, 0, 4, 16};
    struct linux_sigset_argpack pack = {pointer(in), sizes[fuzz_take(in, 1) % 6]};
    memcpy(arena + (p - (uintptr_t)arena), &pack, sizeof pack);
    return p;
}

static uint64_t build_epoll_event(struct fuzz_input *in)
{
    uint64_t p = pointer(in);
    if (!in_arena(p) || p - (uintptr_t)arena > HALF - 12)
        return p;
    static const uint32_t bits[] = {
        LINUX_POLLIN,
        LINUX_POLLOUT,
        LINUX_POLLIN | LINUX_POLLOUT,
        LINUX_POLLIN | LINUX_EPOLLET,
        LINUX_POLLIN | LINUX_EPOLLONESHOT,
        LINUX_POLLOUT | LINUX_EPOLLET | LINUX_EPOLLONESHOT,
        LINUX_POLLIN | LINUX_EPOLLEXCLUSIVE,
        LINUX_POLLPRI | LINUX_EPOLLEXCLUSIVE,
        LINUX_POLLIN | LINUX_EPOLLWAKEUP,
        0,
    };
    struct linux_epoll_event e = {bits[fuzz_take(in, 1) % 10], take64(in)};
    memcpy(arena + (p - (uintptr_t)arena), &e, sizeof e);
    return p;
}

static uint64_t build_sigaction(struct fuzz_input *in)
{
    uint64_t p = pointer(in);
    if (!in_arena(p) || p - (uintptr_t)arena > HALF - 32)
        return p;
    static const uint64_t handlers[] = {LINUX_SIG_DFL, LINUX_SIG_IGN, 0};
    uint32_t h = fuzz_take(in, 1) % 3;
    struct linux_k_sigaction act = {h == 2 ? (uint64_t)(uintptr_t)handler : handlers[h],
                                    fuzz_take(in, 4) << (fuzz_take(in, 1) % 2 ? 0 : 24), take64(in),
                                    take64(in)};
    memcpy(arena + (p - (uintptr_t)arena), &act, sizeof act);
    return p;
}

static bool errno_used(long r)
{
    switch (-r) {
    case LINUX_EPERM:
    case LINUX_ENOENT:
    case LINUX_ENAMETOOLONG:
    case LINUX_ESRCH:
    case LINUX_EBADF:
    case LINUX_EAGAIN:
    case LINUX_ENOMEM:
    case LINUX_EFAULT:
    case LINUX_EEXIST:
    case LINUX_EINTR:
    case LINUX_ELOOP:
    case LINUX_ENODEV:
    case LINUX_EINVAL:
    case LINUX_EMFILE:
    case LINUX_ENOTTY:
    case LINUX_ESPIPE:
    case LINUX_ENOSYS:
    case LINUX_EOPNOTSUPP:
    case LINUX_ETIMEDOUT:
        return true;
    default:
        return false;
    }
}

static bool pool_page(uint64_t p, uint64_t *page)
{
    uint64_t base = (uintptr_t)host_pool;
    if (p < base || p >= base + POOL)
        return false;
    *page = (p - base) / PAGE;
    return true;
}

static bool shadow_all(uint64_t start, uint64_t len, bool want)
{
    for (uint64_t p = start; p < start + len; p += PAGE) {
        uint64_t i;
        if (!pool_page(p, &i) || shadow[i] != want)
            return false;
    }
    return true;
}

static void shadow_set(uint64_t start, uint64_t len, bool v)
{
    for (uint64_t p = start; p < start + len; p += PAGE) {
        uint64_t i;
        if (pool_page(p, &i))
            shadow[i] = v;
    }
}

static uint64_t round_page(uint64_t n)
{
    return (n + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static void remember(uint64_t p)
{
    recent[nrecent < 8 ? nrecent++ : (p / PAGE) % 8] = p;
}

/* What the memory calls' results say about the pool, against the shadow. */
static void check_memory(long nr, const uint64_t *v, long r)
{
    if (nr == LINUX_NR_mmap && r >= 0) {
        uint64_t len = round_page(v[1]);
        BROKEN_IF(r % PAGE != 0);
        if (v[3] & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)) {
            BROKEN_IF((uint64_t)r != v[0] || !shadow_all((uint64_t)r, len, true));
        } else {
            BROKEN_IF(!shadow_all((uint64_t)r, len, false)); /* handed out twice */
            shadow_set((uint64_t)r, len, true);
            remember((uint64_t)r);
        }
        for (uint64_t i = 0; i < len; i++)
            BROKEN_IF(((const uint8_t *)(uintptr_t)r)[i] != 0);
    }
    if (nr == LINUX_NR_munmap) {
        uint64_t len = round_page(v[1]);
        bool plausible = v[0] % PAGE == 0 && len != 0 && v[1] < POOL;
        if (r == 0) {
            BROKEN_IF(!plausible || !shadow_all(v[0], len, true));
            shadow_set(v[0], len, false);
        } else if (plausible && shadow_all(v[0], len, true)) {
            BROKEN_IF(true); /* a range it handed out was refused */
        }
    }
    if (nr == LINUX_NR_mremap && r >= 0) {
        uint64_t old_len = round_page(v[1]), new_len = round_page(v[2]);
        BROKEN_IF(r % PAGE != 0 || !shadow_all(v[0], old_len, true));
        if ((uint64_t)r == v[0]) {
            BROKEN_IF(new_len > old_len);
            shadow_set(v[0] + new_len, old_len - new_len, false);
        } else {
            shadow_set(v[0], old_len, false);
            BROKEN_IF(!shadow_all((uint64_t)r, new_len, false));
            shadow_set((uint64_t)r, new_len, true);
            remember((uint64_t)r);
        }
    }
}

static void one_call(struct fuzz_input *in, const struct call *c)
{
    uint64_t v[6] = {0};
    memset(allowed, 0, sizeof allowed);
    /* Lengths and counts first: buffers and arrays depend on them. */
    for (int i = 0; i < 6; i++) {
        const struct arg *a = &c->a[i];
        if (a->kind == LEN)
            v[i] = length(in);
        else if (a->kind == MLEN)
            v[i] = map_length(in);
        else if (a->kind == IOVCNT)
            v[i] = fuzz_take(in, 1) % 4 == 0 ? any(in, a) : fuzz_take(in, 1) % (MAX_IOV + 1);
    }
    for (int i = 0; i < 6; i++) {
        const struct arg *a = &c->a[i];
        switch (a->kind) {
        case INT:
            v[i] = any(in, a);
            break;
        case FD:
            v[i] = descriptor(in);
            break;
        case EPFD:
            v[i] = nepfds && fuzz_take(in, 1) % 4 ? (uint64_t)epfds[fuzz_take(in, 1) % nepfds]
                                                  : descriptor(in);
            break;
        case MADDR:
            v[i] = map_address(in);
            break;
        case PTR_IN:
        case PTR_OUT:
        case BUF_IN:
        case BUF_OUT:
            v[i] = pointer(in);
            break;
        case PATH:
            /* read up to its NUL: the arena's last byte ends every string */
            v[i] = pointer(in);
            arena[ARENA - 1] = '\0';
            break;
        case IOV_IN:
        case IOV_OUT:
            v[i] = build_iov(in, v[a->len]);
            break;
        case SIGACT:
            v[i] = build_sigaction(in);
            break;
        case POLLFDS:
            v[i] = build_pollfds(in, v[a->len]);
            break;
        case SIGPACK:
            v[i] = build_sigpack(in);
            break;
        case EPEVENT:
            v[i] = build_epoll_event(in);
            break;
        case EVENTS:
            v[i] = pointer(in);
            break;
        default:
            break;
        }
    }
    memcpy(before, arena, ARENA);
    for (int i = 0; i < 6; i++) {
        const struct arg *a = &c->a[i];
        if (a->kind == PTR_OUT)
            allow(v[i], a->size);
        else if (a->kind == BUF_OUT)
            allow(v[i], a->size && v[a->len] > a->size ? a->size : v[a->len]);
        else if (a->kind == IOV_OUT)
            allow_iov(v[i], v[a->len]);
        else if (a->kind == POLLFDS)
            allow_revents(v[i], v[a->len]);
        else if (a->kind == EVENTS && (int)v[a->len] > 0) /* allow() stops at the arena's end */
            allow(v[i], (uint64_t)(int)v[a->len] * sizeof(struct linux_epoll_event));
    }
    long r = __anyvm_syscall(c->nr, (long)v[0], (long)v[1], (long)v[2], (long)v[3], (long)v[4],
                             (long)v[5]);
    BROKEN_IF(r < 0 && !errno_used(r));
    /* ENOSYS only where a call's variant is not implemented: futex's other
     * operations, statx on a descriptor (C libraries then use fstat). */
    BROKEN_IF(r == -LINUX_ENOSYS && c->nr != LINUX_NR_futex && c->nr != LINUX_NR_statx);
    for (unsigned i = 0; i < ARENA; i++)
        BROKEN_IF(arena[i] != before[i] && !allowed[i]);
    if (r >= 0 && (c->nr == LINUX_NR_read || c->nr == LINUX_NR_write || c->nr == LINUX_NR_pread64 ||
                   c->nr == LINUX_NR_pwrite64 || c->nr == LINUX_NR_getrandom))
        BROKEN_IF((uint64_t)r > v[c->nr == LINUX_NR_getrandom ? 1 : 2]);
    if (r >= 0 && (c->nr == LINUX_NR_dup || c->nr == LINUX_NR_dup2 || c->nr == LINUX_NR_dup3))
        BROKEN_IF(r >= 1024);
    if (c->nr == LINUX_NR_getpid || c->nr == LINUX_NR_gettid)
        BROKEN_IF(r != 1);
    if (r >= 0 && (c->nr == LINUX_NR_poll || c->nr == LINUX_NR_ppoll))
        BROKEN_IF((uint64_t)r > (uint32_t)v[1]);
    if (r >= 0 && (c->nr == LINUX_NR_select || c->nr == LINUX_NR_pselect6))
        BROKEN_IF(r > 3 * 1024 || r > 3 * (long)(int)v[0]);
    if (r >= 0 && (c->nr == LINUX_NR_epoll_create || c->nr == LINUX_NR_epoll_create1)) {
        BROKEN_IF(r >= 1024);
        epfds[nepfds < 4 ? nepfds++ : (unsigned)r % 4] = r;
    }
    if (r > 0 && (c->nr == LINUX_NR_epoll_wait || c->nr == LINUX_NR_epoll_pwait ||
                  c->nr == LINUX_NR_epoll_pwait2)) {
        BROKEN_IF(r > (int)v[2]);
        for (long i = 0; i < r; i++) {
            struct linux_epoll_event e;
            memcpy(&e, (const void *)(uintptr_t)(v[1] + (uint64_t)i * sizeof e), sizeof e);
            BROKEN_IF(e.events == 0);
        }
    }
    check_memory(c->nr, v, r);
}

static void run(struct fuzz_input *in)
{
    for (unsigned op = 0; op < MAX_OPS && in->n; op++) {
        uint32_t b = fuzz_take(in, 1);
        if (b < 0xf0) {
            one_call(in, &calls[b % NCALLS]);
        } else if (b < 0xf8) {
            uint32_t off = fuzz_take(in, 2) % (ARENA - 8);
            uint64_t val = take64(in);
            memcpy(arena + off, &val, sizeof val);
        } else {
            long nr = (long)(int32_t)fuzz_take(in, 4);
            if (implemented(nr))
                continue;
            long r = __anyvm_syscall(nr, (long)take64(in), (long)take64(in), 0, 0, 0, 0);
            BROKEN_IF(r != -LINUX_ENOSYS);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    host_sys_reset(POOL);
    uint64_t free0 = kernel_pages.free_bytes;
    memset(arena, 0, sizeof arena);
    memset(shadow, 0, sizeof shadow);
    nrecent = 0;
    nepfds = 0;
    handler_runs = 0;
    HOST_EXITS(run(&in));
    sys_reset();
    BROKEN_IF(kernel_pages.free_bytes != free0);
    return 0;
}
