/* Number parsing for the kernel's own inputs (kernel parameters). Pure
 * logic. */
#ifndef KLIB_NUMBER_H
#define KLIB_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/* Parses an unsigned number at s in base 2-36, or with base 0 as C writes
 * constants (0x: hex, a leading 0: octal, else decimal). No blanks, no
 * sign. *end is the first character not parsed (s when there is no digit);
 * *overflow says the value did not fit (it is then UINT64_MAX). */
uint64_t kstrtou64(const char *s, const char **end, int base, bool *overflow);

#endif
