/* The allocation functions of <stdlib.h> (klib/malloc.c), and atoi, which
 * lwIP's netif_find uses (the C library's). */
#ifndef KLIB_STDLIB_H
#define KLIB_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *aligned_alloc(size_t align, size_t size);
void free(void *p);
int atoi(const char *s);

#endif
