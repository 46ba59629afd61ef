/* How api/ reports an error to the app: -1 and errno, as the C library's
 * own calls do. The values are Linux's (asm-generic/errno-base.h and
 * asm-generic/errno.h, the x86-64 numbering musl's bits/errno.h repeats),
 * since the app's C library is built for Linux's interface; the kernel
 * includes none of its headers, so they are spelled out here. */
#ifndef API_APP_ERRNO_H
#define API_APP_ERRNO_H

#define APP_ENOENT 2
#define APP_EIO 5
#define APP_EAGAIN 11
#define APP_ENOMEM 12
#define APP_EBUSY 16
#define APP_ENODEV 19
#define APP_EINVAL 22
#define APP_EROFS 30
#define APP_EMSGSIZE 90
#define APP_EOPNOTSUPP 95

/* Sets the calling thread's errno to err and returns -1. */
int app_fail(int err);
/* Sets errno to err and returns NULL, for the calls that return a pointer. */
void *app_fail_null(int err);

#endif
