/* The string functions the kernel uses. Their code is the C library's
 * (musl's libc.a, linked into every image: its string functions touch no
 * thread-local state and, built with -mno-implicit-float, no vector
 * register), so kernel and app share one copy. The compiler also emits
 * calls to memcpy, memset, memmove and memcmp itself. */
#ifndef KLIB_STRING_H
#define KLIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);

#endif
