/* The subset of <stdlib.h> the kernel and apps use. */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *aligned_alloc(size_t align, size_t size);
void free(void *p);

/* Ends the application: the kernel reports status and stops the VM. */
void exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));

long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int atoi(const char *s);

#endif
