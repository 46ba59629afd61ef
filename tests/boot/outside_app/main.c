/* outside: the worked example of docs/apps.md, an app that lives in a
 * folder of its own and is built with `tools/anyvm build DIR`. It runs
 * through what the page says the C library offers and prints what it
 * found, for tests/boot/test_outside_app.py to compare line by line.
 *
 *   outside [--no-float] [--exit N] [--verbose] [ARG...]
 *
 * --no-float leaves out every floating-point part (floating.c), so the
 * image then runs no SSE or x87 instruction, as on a machine without them;
 * --exit N ends with status N (0 to 255) once every check passed, 1 when
 * one failed; --verbose may be repeated; the ARGs are printed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "outside.h"

static int exit_status;

/* Runs in exit(), after main returned: the last line the app prints. */
static void report_at_exit(void)
{
    printf("outside: atexit handler ran, exit status %d\n", exit_status);
}

static int parse_status(const char *text, int *status)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 0 || v > 255)
        return -1;
    *status = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"no-float", no_argument, NULL, 'n'},
        {"exit", required_argument, NULL, 'x'},
        {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    int use_float = 1, verbose = 0, status = 0, c;
    while ((c = getopt_long(argc, argv, "nx:v", options, NULL)) != -1) {
        switch (c) {
        case 'n':
            use_float = 0;
            break;
        case 'x':
            if (parse_status(optarg, &status) != 0) {
                fprintf(stderr, "%s: --exit wants a status from 0 to 255, not '%s'\n", argv[0],
                        optarg);
                return 2;
            }
            break;
        case 'v':
            verbose++;
            break;
        default: /* getopt_long said what was wrong on stderr */
            fprintf(stderr, "%s: usage: %s [--no-float] [--exit N] [--verbose] [ARG...]\n", argv[0],
                    argv[0]);
            return 2;
        }
    }
    if (atexit(report_at_exit) != 0) {
        printf("outside: FAIL atexit\n");
        return 1;
    }
    printf("outside: argv[0]=%s float=%s exit=%d verbose=%d operands=%d\n", argv[0],
           use_float ? "yes" : "no", status, verbose, argc - optind);
    for (int i = optind; i < argc; i++)
        printf("outside: operand %d: [%s]\n", i - optind + 1, argv[i]);

    int failed = check_stdio() + check_strings() + check_stdlib() + check_ctype() + check_errors() +
                 check_limits() + check_clocks() + check_memory() + check_stack();
    if (use_float)
        failed += check_float_printf() + check_float_parse() + check_math();
    else
        printf("outside: floating point skipped (--no-float)\n");

    if (failed) {
        printf("outside: %d checks FAILED\n", failed);
        exit_status = 1;
    } else {
        printf("outside: every check passed\n");
        exit_status = status;
    }
    return exit_status;
}
