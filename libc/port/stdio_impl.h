/* musl's internal stdio_impl.h includes "syscall.h" from its own folder,
 * which would bypass ours (libc/port/syscall.h, found first only by files
 * outside src/internal): fopen, tmpfile and __fopen_rb_ca open files
 * through it. So our syscall.h is taken first; musl's, included again from
 * stdio_impl.h, is then skipped by its include guard. */
#ifndef ANYVM_PORT_STDIO_IMPL_H
#define ANYVM_PORT_STDIO_IMPL_H

#include "syscall.h"

#include_next "stdio_impl.h"

#endif
