/* The boot banner (init/banner.c) and the command-line check
 * (init/cmdline_check.c). Tests pin these lines: change them together with
 * tests/boot/matrix.toml. */
#ifndef INIT_BANNER_H
#define INIT_BANNER_H

#include "boot/bootinfo.h"
#include "core/cmdline.h"

void banner_version(void);
void banner_boot(const struct bootinfo *bi);
void banner_hypervisor(void);
void banner_clock(void);

/* Echoes the command line, parses it into out and checks every parameter
 * against the image's table (core/param.h); on malformed input ends the VM
 * with a clear message. Linux-style parameters added by VMMs are noted and
 * ignored. */
void cmdline_check(const char *text, struct cmdline *out);

#endif
