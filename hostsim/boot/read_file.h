/* A whole file a machine model loads into the guest (kernel, initrd), read
 * at once with its size checked. */
#ifndef HOSTSIM_BOOT_READ_FILE_H
#define HOSTSIM_BOOT_READ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* A regular file of 1 byte to max bytes, in memory the caller frees; `what`
 * names it in messages ("kernel"). NULL after saying why on stderr. */
uint8_t *hs_read_file(const char *what, const char *path, uint64_t max, size_t *len);

#endif
