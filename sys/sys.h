/* The system-call layer (docs/architecture.md, "System calls"). An
 * application linked with musl makes every system call as an ordinary
 * function call to __anyvm_syscall, with Linux x86-64's call numbers,
 * arguments and return convention: a value >= 0, or -errno. This header is
 * what the rest of the kernel calls; sys/wallclock.h is what it must
 * provide. */
#ifndef SYS_SYS_H
#define SYS_SYS_H

#include <stdint.h>

/* One system call. Unknown and unimplemented numbers return -ENOSYS (38)
 * and are logged once each. Signals that became deliverable during the call
 * are delivered (their handlers run) before it returns. */
long __anyvm_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

/* The size of the stack the application runs on, reported as RLIMIT_STACK
 * (0, the default, reports no limit). */
void sys_set_stack_size(uint64_t bytes);

/* Makes the initrd at [base, base + size) the file tree the app sees
 * (sys/files/), and prints the banner line that says what it holds; one
 * that overlaps [image_start, image_end), the kernel's image, is refused
 * (its bytes are not what the loader read). The archive stays where it is
 * and must never be written or freed. Returns -ENOSYS (and does nothing)
 * in an image without the file layer: its app names no file
 * (sys/path.c). */
long sys_files_mount(const void *base, uint64_t size, uint64_t image_start, uint64_t image_end);

/* A file the kernel writes for the app (the network stack's
 * /etc/resolv.conf and /etc/hosts, which the C library's resolver reads):
 * path is relative to the root ("etc/resolv.conf", a string that lives as
 * long as the kernel), data its contents, kept where they are (the caller
 * may change them and call again with the new size). A file of that path
 * in the initrd wins: the call then returns -EEXIST and the tree keeps the
 * initrd's (so does an initrd file where a directory of the path would be). Read-only like the
 * rest. Returns 0, -ENOMEM, or -ENOSYS in an image without the file layer. */
long sys_files_generate(const char *path, const void *data, uint32_t size);

/* The state an app starts in: descriptors 0-2 on the console and no
 * others, every mapping freed, default signal actions, nothing blocked or
 * pending, limits at their defaults, the working directory at the root.
 * The app's start calls it (init/app_start.c), as do host tests and
 * fuzzers between cases. */
void sys_reset(void);

#endif
