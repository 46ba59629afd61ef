/* Kernel logging. kprintf writes to every registered console; in host unit
 * tests the test program supplies its own kprintf. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* Like kvprintf, returning the number of characters written (kernel only). */
int console_vprintf(const char *fmt, va_list ap);

#endif
