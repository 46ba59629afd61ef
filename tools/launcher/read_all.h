/* Reading a whole small file the launcher has opened (a run plan). */
#ifndef LAUNCHER_READ_ALL_H
#define LAUNCHER_READ_ALL_H

#include <stddef.h>

/* size bytes from fd into a new buffer of size + 1 bytes (room for a NUL),
 * retrying interrupted reads; closes fd. The buffer, or NULL when memory
 * is short or the file ends early. */
char *read_all(int fd, size_t size);

#endif
