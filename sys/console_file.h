/* The console as a file (sys/fd.h): what descriptors 0, 1 and 2 refer to. */
#ifndef SYS_CONSOLE_FILE_H
#define SYS_CONSOLE_FILE_H

#include "sys/fd.h"

/* The console file; its reference count starts at 3 (descriptors 0-2). */
extern struct sys_file sys_console_file;

/* Back to the boot state: no descriptor, read-write, the default terminal
 * settings. */
void sys_console_reset(void);

#endif
