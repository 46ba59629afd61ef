/* Reading a whole small file (tools/launcher/read_all.h). */
#include "tools/launcher/read_all.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

char *read_all(int fd, size_t size)
{
    char *buf = malloc(size + 1);
    size_t got = 0;
    while (buf && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (buf && got != size) {
        free(buf);
        return NULL;
    }
    return buf;
}
