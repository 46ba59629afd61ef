/* The application's bytes for one send or receive: one buffer (read,
 * write, sendto, recvfrom) or an iovec array (readv, writev, sendmsg,
 * recvmsg), walked piece by piece. Each iovec entry is read when the walk
 * reaches it and checked again (sys/uaccess.h): the array itself may lie
 * in a buffer a receive is filling. */
#ifndef NET_SOCKET_SOCK_ITER_H
#define NET_SOCKET_SOCK_ITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sock_iter {
    uint64_t iov, cnt, idx; /* the array, its entries, the next one to read (cnt 0: one buffer) */
    uint8_t *seg;           /* the current piece ... */
    uint64_t seg_left;      /* ... and what is left of it */
    uint64_t left;          /* bytes still to move in this call */
    uint64_t done;          /* bytes moved */
};

/* One buffer, already checked (the file operations' read and write). */
void sock_iter_buf(struct sock_iter *it, void *buf, uint64_t n);
/* One buffer from a call's arguments: -EFAULT when it cannot be reached;
 * n is capped at LINUX_MAX_RW_COUNT. */
long sock_iter_user(struct sock_iter *it, uint64_t buf, uint64_t n);
/* An iovec array from a call's arguments, checked as readv checks it
 * (more than UIO_MAXIOV entries EINVAL, an unreachable array or segment
 * EFAULT, a negative length EINVAL); the total is capped at
 * LINUX_MAX_RW_COUNT. */
long sock_iter_iovec(struct sock_iter *it, uint64_t iov, uint64_t cnt);
/* An iovec array sys/fd.c checked already (readv and writev), total bytes. */
void sock_iter_checked(struct sock_iter *it, uint64_t iov, uint64_t cnt, uint64_t total);

/* The next contiguous piece (*p, the returned length), 0 at the end or
 * when a later iovec entry can no longer be reached. */
size_t sock_iter_piece(struct sock_iter *it, uint8_t **p);
/* n bytes of the current piece were moved. */
void sock_iter_advance(struct sock_iter *it, size_t n);
/* Copies up to n bytes between the application and buf; returns how many. */
size_t sock_iter_to_app(struct sock_iter *it, const void *buf, size_t n);
size_t sock_iter_from_app(struct sock_iter *it, void *buf, size_t n);

#endif
