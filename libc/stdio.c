/* printf family for apps: the same formatter as kprintf, to the console. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/console.h"
#include "libc/format.h"

struct buf_sink {
    char *buf;
    size_t size, len;
};

static void buf_put(void *ctx, char c)
{
    struct buf_sink *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {buf, size, 0};
    int n = format_v(buf_put, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    return console_vprintf(fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    console_write(s, strlen(s));
    console_write("\n", 1);
    return 0;
}

int putchar(int c)
{
    char ch = (char)c;
    console_write(&ch, 1);
    return (unsigned char)c;
}
