/* The host unit tests' harness, on cmocka (libcmocka-dev). A test file
 * defines its tests with TEST(name) and ends with UNIT_MAIN(); each TEST is
 * one cmocka test of the same name, and CHECK fails it through cmocka
 * (the failed expression and its file:line are printed, the rest of the test
 * is skipped). The program runs every test in one cmocka group and exits 0
 * when all passed, 1 otherwise; `PROGRAM --list` prints the test names, one a
 * line, without running them. CMOCKA_MESSAGE_OUTPUT=TAP (or XML, SUBUNIT)
 * selects cmocka's output format; tests/unit/conftest.py reads the TAP form
 * and reports each test as a pytest result.
 *
 * What the code under test logs with kprintf is kept in unit_log, cleared
 * before each test, so a test can check that a malformed input was reported
 * (LOG_CONTAINS). UNIT_VERBOSE=1 also copies it to stderr. */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

/* cmocka.h needs these first (cmocka.h, "Including cmocka"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX_TESTS 256
static struct CMUnitTest unit_tests[UNIT_MAX_TESTS];
static size_t unit_ntests;

static int unit_setup(void **state);

/* Each TEST registers itself before main runs; the test body keeps the
 * void(void) form the tests are written in, wrapped for cmocka's
 * void(void **). */
#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    static void unit_run_##name(void **state)                                                      \
    {                                                                                              \
        (void)state;                                                                               \
        test_##name();                                                                             \
    }                                                                                              \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        if (unit_ntests == UNIT_MAX_TESTS) {                                                       \
            fprintf(stderr, "unit.h: more than %d tests; raise UNIT_MAX_TESTS\n", UNIT_MAX_TESTS); \
            abort();                                                                               \
        }                                                                                          \
        unit_tests[unit_ntests++] =                                                                \
            (struct CMUnitTest){#name, unit_run_##name, unit_setup, NULL, NULL};                   \
    }                                                                                              \
    static void test_##name(void)

/* fail_msg prints the expression; _fail (cmocka) adds file:line, marks the
 * test failed and leaves it. The return is never reached. */
#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fail_msg("CHECK(%s) failed", #expr);                                                   \
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

static int unit_setup(void **state)
{
    (void)state;
    unit_log_clear();
    return 0;
}

/* stdout unbuffered: a test's own output, cmocka's lines and a sanitizer's
 * report (stderr) then reach a reader of both streams in the order they were
 * written, so each is told apart by the test it belongs to. */
#define UNIT_MAIN()                                                                                \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        if (argc == 2 && strcmp(argv[1], "--list") == 0) {                                         \
            for (size_t i = 0; i < unit_ntests; i++)                                               \
                printf("%s\n", unit_tests[i].name);                                                \
            return 0;                                                                              \
        }                                                                                          \
        if (argc != 1) {                                                                           \
            fprintf(stderr, "usage: %s [--list]\n", argv[0]);                                      \
            return 2;                                                                              \
        }                                                                                          \
        setvbuf(stdout, NULL, _IONBF, 0);                                                          \
        return _cmocka_run_group_tests(__FILE__, unit_tests, unit_ntests, NULL, NULL) ? 1 : 0;     \
    }

#endif
