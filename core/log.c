/* kprintf: formatted kernel output to every console, a line at a time so a
 * console sees whole lines. */
#include "core/log.h"

#include <stddef.h>

#include "core/console.h"
#include "klib/format.h"

struct line_buf {
    char buf[256];
    size_t len;
};

static void line_flush(struct line_buf *l)
{
    if (l->len)
        console_write(l->buf, l->len);
    l->len = 0;
}

static void line_put(void *ctx, char c)
{
    struct line_buf *l = ctx;
    l->buf[l->len++] = c;
    if (c == '\n' || l->len == sizeof l->buf)
        line_flush(l);
}

int console_vprintf(const char *fmt, va_list ap)
{
    struct line_buf l = {.len = 0};
    int n = format_v(line_put, &l, fmt, ap);
    line_flush(&l);
    return n;
}

void kvprintf(const char *fmt, va_list ap)
{
    console_vprintf(fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
