/* printf-style formatting for the kernel: to a character sink (kprintf's
 * consoles) or a buffer. Pure logic, also run by the host tests. Apps use
 * the C library's printf family instead (musl), which the kernel cannot:
 * musl's formatter reaches errno and the locale through thread-local
 * storage that exists only once the app has started. Supports the flags
 * '-', '0', ' ', '+', '#', a width and precision (numbers or '*'), the length
 * modifiers hh h l ll z t j, and the conversions d i u x X o c s p %. */
#ifndef KLIB_FORMAT_H
#define KLIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Returns the number of characters produced. */
int format_v(format_sink out, void *ctx, const char *fmt, va_list ap);

/* snprintf and vsnprintf with this formatter: at most size - 1 characters
 * and a NUL in buf (nothing when size is 0); returns the length the whole
 * result would have. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
