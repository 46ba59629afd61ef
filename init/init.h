/* What init/ (the kernel's start-up sequence) offers the entry code. */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stddef.h>

/* Registers the early console the platform offers (COM1 when a UART answers
 * at 0x3F8). Called by the entry code before anything is printed that should
 * reach the user; output before it is buffered (core/console.h). */
void console_select_early(void);

/* Gives the loader's initrd, when there is one, to the file layer as the
 * app's file tree (init/initrd.c); prints the banner's initrd line. */
void initrd_start(void);

struct cmdline;
/* Starts the app (init/app_start.c): its argv (its name, then the command
 * line's arguments or else the image's defaults, init/app_config.h), its
 * environment (the command line's env.KEY=VALUE) and Linux's auxiliary
 * vector, on a stack of its own, through musl's __libc_start_main. Never
 * returns: the app's exit ends the VM. */
void app_start(const struct cmdline *cl) __attribute__((noreturn));

#endif
