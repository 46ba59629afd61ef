/* Minimal host unit-test harness. Each test file defines tests with TEST(name)
 * and ends with UNIT_MAIN(); every test prints one line `PASS name` or
 * `FAIL name: file:line: expression`, which tests/run.py counts. */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*unit_fn)(void);
struct unit_test {
    const char *name;
    unit_fn fn;
};

#define UNIT_MAX_TESTS 256
static struct unit_test unit_tests[UNIT_MAX_TESTS];
static int unit_ntests;
static int unit_failed_now;
static const char *unit_current;

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        unit_tests[unit_ntests++] = (struct unit_test){#name, test_##name};                        \
    }                                                                                              \
    static void test_##name(void)

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            if (!unit_failed_now)                                                                  \
                printf("FAIL %s: %s:%d: %s\n", unit_current, __FILE__, __LINE__, #expr);          \
            unit_failed_now = 1;                                                                   \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b) CHECK((a) == (b))
#define CHECK_STR(a, b) CHECK((a) != NULL && strcmp((a), (b)) == 0)

/* Log lines the code under test writes with kprintf are kept in unit_log so
 * tests can check that a malformed input was reported. */
static char unit_log[16384];
static size_t unit_log_len;

void kvprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    if (unit_log_len < sizeof unit_log - 1) {
        int n = vsnprintf(unit_log + unit_log_len, sizeof unit_log - unit_log_len, fmt, copy);
        if (n > 0)
            unit_log_len += (size_t)n;
        if (unit_log_len >= sizeof unit_log)
            unit_log_len = sizeof unit_log - 1;
    }
    va_end(copy);
    if (getenv("UNIT_VERBOSE"))
        vfprintf(stderr, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

static inline void unit_log_clear(void)
{
    unit_log_len = 0;
    unit_log[0] = '\0';
}
#define LOG_CONTAINS(s) (strstr(unit_log, (s)) != NULL)

#define UNIT_MAIN()                                                                                \
    int main(void)                                                                                 \
    {                                                                                              \
        int failed = 0;                                                                            \
        for (int i = 0; i < unit_ntests; i++) {                                                    \
            unit_current = unit_tests[i].name;                                                     \
            unit_failed_now = 0;                                                                   \
            unit_log_clear();                                                                      \
            unit_tests[i].fn();                                                                    \
            if (unit_failed_now)                                                                   \
                failed++;                                                                          \
            else                                                                                   \
                printf("PASS %s\n", unit_current);                                                 \
        }                                                                                          \
        return failed ? 1 : 0;                                                                     \
    }

#endif
