/* Memory allocation, exit and number parsing for apps and the kernel. */
#include <stdbool.h>
#include <stdlib.h>

#include "core/kernel.h"
#include "core/mm.h"

void *malloc(size_t size)
{
    return heap_malloc(&kernel_heap, size);
}
void *calloc(size_t n, size_t size)
{
    return heap_calloc(&kernel_heap, n, size);
}
void *realloc(void *p, size_t size)
{
    return heap_realloc(&kernel_heap, p, size);
}
void *aligned_alloc(size_t align, size_t size)
{
    return heap_aligned_alloc(&kernel_heap, align, size);
}
void free(void *p)
{
    heap_free(&kernel_heap, p);
}

void exit(int status)
{
    kernel_exit(status);
}

void abort(void)
{
    panic("abort() called");
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Parses an unsigned magnitude; saturates at ULLONG_MAX on overflow. */
static unsigned long long parse_magnitude(const char *s, char **end, int base, bool *neg)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    *neg = false;
    if (*p == '-' || *p == '+')
        *neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    unsigned long long v = 0;
    const char *start = p;
    bool overflow = false;
    for (; digit_value(*p) < base; p++) {
        unsigned long long next = v * (unsigned)base + (unsigned)digit_value(*p);
        if (next / (unsigned)base != v)
            overflow = true;
        v = next;
    }
    if (end)
        *end = (char *)(p == start ? s : p);
    return overflow ? ~0ull : v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
    bool neg;
    unsigned long long v = parse_magnitude(s, end, base, &neg);
    return neg ? (unsigned long long)0 - v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
    return (unsigned long)strtoull(s, end, base);
}

long strtol(const char *s, char **end, int base)
{
    bool neg;
    unsigned long long v = parse_magnitude(s, end, base, &neg);
    if (!neg && v > 0x7FFFFFFFFFFFFFFFull)
        return 0x7FFFFFFFFFFFFFFFl;
    if (neg && v > 0x8000000000000000ull)
        return (long)0x8000000000000000ull;
    return neg ? (long)(0 - v) : (long)v;
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}
