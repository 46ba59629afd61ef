/* printf-style formatting to a character sink. Pure logic, shared by the
 * kernel's kprintf, the libc printf family and host tests. Supports the flags
 * '-', '0', ' ', '+', '#', a width and precision (numbers or '*'), the length
 * modifiers hh h l ll z t j, and the conversions d i u x X o c s p %. */
#ifndef LIBC_FORMAT_H
#define LIBC_FORMAT_H

#include <stdarg.h>

typedef void (*format_sink)(void *ctx, char c);

/* Returns the number of characters produced. */
int format_v(format_sink out, void *ctx, const char *fmt, va_list ap);

#endif
