/* The boot banner (init/banner.c) and the command-line check
 * (init/cmdline_check.c). Tests pin these lines: change them together with
 * tests/boot/matrix.toml. */
#ifndef INIT_BANNER_H
#define INIT_BANNER_H

#include <stddef.h>

#include "boot/bootinfo.h"
#include "core/cmdline.h"

void banner_version(void);
void banner_boot(const struct bootinfo *bi);
void banner_hypervisor(void);
void banner_clock(void);

/* Echoes the command line (escaped), parses it into out, sets up the exit
 * path it names, and checks every parameter against the image's table
 * (core/param.h); on malformed input ends the VM with a clear message.
 * Linux-style parameters added by VMMs are noted and ignored. text_size: the
 * buffer holding text (for the exit-port scan of a line that does not
 * parse). */
void cmdline_check(const char *text, size_t text_size, struct cmdline *out);

#endif
