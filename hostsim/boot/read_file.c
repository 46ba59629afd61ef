/* Whole-file reads: see read_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostsim/boot/read_file.h"
#include "hostsim/log.h"

uint8_t *hs_read_file(const char *what, const char *path, uint64_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hs_log("cannot open %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > max) {
        hs_log("%s %s: not a regular file of 1 byte to %llu MiB", what, path,
               (unsigned long long)(max >> 20));
        goto out;
    }
    buf = malloc((size_t)st.st_size);
    if (buf == NULL)
        goto out;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) {
            hs_log("reading %s %s: %s", what, path, n < 0 ? strerror(errno) : "short file");
            free(buf);
            buf = NULL;
            goto out;
        }
        got += (size_t)n;
    }
    *len = got;
out:
    close(fd);
    return buf;
}
