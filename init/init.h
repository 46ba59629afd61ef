/* What init/ (the kernel's start-up sequence) offers the entry code. */
#ifndef INIT_INIT_H
#define INIT_INIT_H

/* Registers the early console the platform offers (COM1 when a UART answers
 * at 0x3F8). Called by the entry code before anything is printed that should
 * reach the user; output before it is buffered (core/console.h). */
void console_select_early(void);

#endif
