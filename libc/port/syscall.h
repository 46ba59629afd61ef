/* musl's internal syscall.h (src/internal/syscall.h), which every musl
 * source includes as "syscall.h": this file is found first (-iquote
 * libc/port, scripts/build-musl.sh; stdio_impl.h beside it sees to the
 * files that include it from src/internal) and takes musl's own, then marks the
 * open calls of musl's file functions for the file layer, as
 * syscall_arch.h marks the other calls that name a file (it says why):
 *   - __syscall_cp, the cancellation-point form: openat, by its number;
 *   - __sys_open_cp: open() itself;
 *   - sys_open: fopen, tmpfile, and the readers of /etc files and time
 *     zones (__fopen_rb_ca, __map_file).
 * The bare __sys_open, which the start code uses to reopen /dev/null in
 * set-user-ID programs, is left unmarked. */
#ifndef ANYVM_PORT_SYSCALL_H
#define ANYVM_PORT_SYSCALL_H

#include_next "syscall.h"

#define __ANYVM_MARK_FIRST(n, ...) __anyvm_mark(n)

#undef __syscall_cp
#define __syscall_cp(...)                                                                          \
    (__ANYVM_MARK_FIRST(__VA_ARGS__, 0), __SYSCALL_DISP(__syscall_cp, __VA_ARGS__))

#undef __sys_open_cp
#define __sys_open_cp(...) (__anyvm_files_ref(), __SYSCALL_DISP(__sys_open_cp, , __VA_ARGS__))

#undef sys_open
#define sys_open(...) (__anyvm_files_ref(), __syscall_ret(__sys_open(__VA_ARGS__)))

#endif
