/* errno lives in the app's C library: musl keeps it per thread and hands
 * out its address through __errno_location (musl 1.2.3,
 * src/errno/__errno_location.c), which is also the name glibc uses, so host
 * unit tests link the same call against their own C library. */
#include "api/app_errno.h"

#include <stddef.h>

int *__errno_location(void);

int app_fail(int err)
{
    *__errno_location() = err;
    return -1;
}

void *app_fail_null(int err)
{
    *__errno_location() = err;
    return NULL;
}
