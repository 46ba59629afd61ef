/* What the system-call layer (sys/) needs from the rest of the kernel,
 * faked for host tests and fuzzers: the console (what the application
 * wrote is kept), kernel_exit (it returns to the test through longjmp, with
 * the status kept), the page allocator's memory (a pool of real host
 * memory), the wall clock and the FS base register. */
#ifndef TESTS_UNIT_HOST_SYS_H
#define TESTS_UNIT_HOST_SYS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_CONSOLE_BYTES 65536
extern char host_console[HOST_CONSOLE_BYTES + 1]; /* NUL-terminated */
extern size_t host_console_len;

extern jmp_buf *host_exit_jmp; /* where kernel_exit returns to; NULL: abort */
extern int host_exit_status;   /* -1 until kernel_exit runs */
extern unsigned host_exits;

extern uint64_t host_wallclock_ns; /* wallclock_boot_ns() */
extern uint64_t host_fs_base;      /* arch_set_fs_base / arch_get_fs_base */

/* The pool kernel_pages hands out: HOST_POOL_BYTES of page-aligned host
 * memory, of which host_sys_reset gives the allocator the first pool_bytes. */
#define HOST_POOL_BYTES (4u << 20)
extern uint8_t host_pool[HOST_POOL_BYTES];

/* Boot state for sys/ (sys_reset), the fake clock (host_platform_reset), an
 * empty console, no exit seen, wall clock 0, FS base 0, and kernel_pages
 * holding the first pool_bytes of host_pool. */
void host_sys_reset(size_t pool_bytes);

/* A system call with up to six arguments (the rest 0), each cast to long:
 * SC(LINUX_NR_write, 1, buf, n). */
long __anyvm_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
#define SC_(n, a1, a2, a3, a4, a5, a6, ...)                                                        \
    __anyvm_syscall((long)(n), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5),         \
                    (long)(a6))
#define SC(...) SC_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

/* Runs stmt and says whether it ended the VM through kernel_exit (the
 * status is then in host_exit_status). */
#define HOST_EXITS(stmt)                                                                           \
    ({                                                                                             \
        jmp_buf host_exits_jb_;                                                                    \
        bool host_exited_ = false;                                                                 \
        host_exit_jmp = &host_exits_jb_;                                                           \
        if (setjmp(host_exits_jb_) == 0) {                                                         \
            stmt;                                                                                  \
        } else {                                                                                   \
            host_exited_ = true;                                                                   \
        }                                                                                          \
        host_exit_jmp = NULL;                                                                      \
        host_exited_;                                                                              \
    })

#endif
