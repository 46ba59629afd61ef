/* The worked example's parts (docs/apps.md, "A worked example"): each
 * prints lines that start with "outside: " and that
 * tests/boot/test_outside_app.py compares exactly, and returns how many of
 * its own checks failed (each failure also prints a line with FAIL). */
#ifndef OUTSIDE_H
#define OUTSIDE_H

/* Without floating point (checks.c, clocks.c, memory.c): what an image
 * runs on a machine without SSE, such as the PVM emulator. */
int check_stdio(void);
int check_strings(void);
int check_stdlib(void);
int check_ctype(void);
int check_errors(void);
int check_limits(void);
int check_clocks(void);
int check_memory(void);
int check_stack(void);

/* With floating point (floating.c), skipped by --no-float. */
int check_float_printf(void);
int check_float_parse(void);
int check_math(void);

/* The name of an errno value, for the few this app meets. */
const char *errno_name(int err);

#endif
