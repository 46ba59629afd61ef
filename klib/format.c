/* klib/format.h */
#include "klib/format.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spec {
    bool left, zero, plus, space, alt;
    int width;
    int precision; /* -1 = none */
};

static int emit(format_sink out, void *ctx, char c)
{
    out(ctx, c);
    return 1;
}

static int pad(format_sink out, void *ctx, char c, int n)
{
    int k = 0;
    for (; n > 0; n--)
        k += emit(out, ctx, c);
    return k;
}

static int put_string(format_sink out, void *ctx, const char *s, const struct spec *sp)
{
    if (s == NULL)
        s = "(null)";
    int len = 0;
    while (s[len] && (sp->precision < 0 || len < sp->precision))
        len++;
    int n = 0;
    if (!sp->left)
        n += pad(out, ctx, ' ', sp->width - len);
    for (int i = 0; i < len; i++)
        n += emit(out, ctx, s[i]);
    if (sp->left)
        n += pad(out, ctx, ' ', sp->width - len);
    return n;
}

static int put_number(format_sink out, void *ctx, uint64_t v, bool negative, unsigned base,
                      bool upper, const struct spec *sp)
{
    char digits[24];
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int nd = 0;
    if (v == 0 && sp->precision != 0)
        digits[nd++] = '0';
    while (v) {
        digits[nd++] = set[v % base];
        v /= base;
    }
    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (sp->plus)
        prefix = "+";
    else if (sp->space)
        prefix = " ";
    if (sp->alt && base == 16 && nd > 0 && !(nd == 1 && digits[0] == '0'))
        prefix = upper ? "0X" : "0x";
    if (sp->alt && base == 8 && (nd == 0 || digits[nd - 1] != '0'))
        prefix = "0";
    int plen = 0;
    while (prefix[plen])
        plen++;
    int zeros = sp->precision > nd ? sp->precision - nd : 0;
    int body = plen + zeros + nd;
    int n = 0;
    if (!sp->left && !(sp->zero && sp->precision < 0))
        n += pad(out, ctx, ' ', sp->width - body);
    for (int i = 0; i < plen; i++)
        n += emit(out, ctx, prefix[i]);
    if (!sp->left && sp->zero && sp->precision < 0)
        n += pad(out, ctx, '0', sp->width - body);
    n += pad(out, ctx, '0', zeros);
    while (nd)
        n += emit(out, ctx, digits[--nd]);
    if (sp->left)
        n += pad(out, ctx, ' ', sp->width - body);
    return n;
}

int format_v(format_sink out, void *ctx, const char *fmt, va_list ap)
{
    int n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            n += emit(out, ctx, *p);
            continue;
        }
        struct spec sp = {.precision = -1};
        for (;; p++) {
            char f = p[1];
            if (f == '-')
                sp.left = true;
            else if (f == '0')
                sp.zero = true;
            else if (f == '+')
                sp.plus = true;
            else if (f == ' ')
                sp.space = true;
            else if (f == '#')
                sp.alt = true;
            else
                break;
        }
        p++;
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                sp.width = sp.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            sp.precision = 0;
            if (*p == '*') {
                sp.precision = va_arg(ap, int);
                if (sp.precision < 0)
                    sp.precision = -1;
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    sp.precision = sp.precision * 10 + (*p++ - '0');
            }
        }
        int size = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t */
        for (;; p++) {
            if (*p == 'h')
                size--;
            else if (*p == 'l')
                size++;
            else if (*p == 'z' || *p == 't' || *p == 'j')
                size = 2;
            else
                break;
        }
        char c = *p;
        if (c == '\0')
            break;
        switch (c) {
        case 'd':
        case 'i': {
            int64_t v = size >= 1 ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (size == -1)
                v = (short)v;
            else if (size <= -2)
                v = (signed char)v;
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            n += put_number(out, ctx, mag, v < 0, 10, false, &sp);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = size >= 1 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
            if (size == -1)
                v = (unsigned short)v;
            else if (size <= -2)
                v = (unsigned char)v;
            unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
            n += put_number(out, ctx, v, false, base, c == 'X', &sp);
            break;
        }
        case 'p': {
            struct spec ps = sp;
            ps.alt = true;
            n += put_number(out, ctx, (uintptr_t)va_arg(ap, void *), false, 16, false, &ps);
            break;
        }
        case 'c': {
            char ch = (char)va_arg(ap, int);
            char s[2] = {ch, 0};
            struct spec cs = sp;
            cs.precision = 1;
            if (ch == 0) {
                n += pad(out, ctx, ' ', sp.left ? 0 : sp.width - 1);
                n += emit(out, ctx, 0);
                n += pad(out, ctx, ' ', sp.left ? sp.width - 1 : 0);
            } else {
                n += put_string(out, ctx, s, &cs);
            }
            break;
        }
        case 's':
            n += put_string(out, ctx, va_arg(ap, const char *), &sp);
            break;
        case '%':
            n += emit(out, ctx, '%');
            break;
        default: /* unknown conversion: print it as written */
            n += emit(out, ctx, '%');
            n += emit(out, ctx, c);
            break;
        }
    }
    return n;
}

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

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {buf, size, 0};
    int n = format_v(buf_put, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
