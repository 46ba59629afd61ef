/* Walking the application's buffers (net/socket/sock_iter.h). */
#include "net/socket/sock_iter.h"

#include "sys/linux_abi.h"
#include "sys/uaccess.h"

void sock_iter_buf(struct sock_iter *it, void *buf, uint64_t n)
{
    *it = (struct sock_iter){.seg = buf, .seg_left = n, .left = n};
}

long sock_iter_user(struct sock_iter *it, uint64_t buf, uint64_t n)
{
    if (!user_range_ok(buf, n))
        return -LINUX_EFAULT;
    if (n > LINUX_MAX_RW_COUNT)
        n = LINUX_MAX_RW_COUNT;
    sock_iter_buf(it, user_ptr(buf), n);
    return 0;
}

static struct linux_iovec entry(uint64_t iov, uint64_t i)
{
    struct linux_iovec v;
    memcpy(&v, user_ptr(iov + i * sizeof v), sizeof v);
    return v;
}

/* lib/iov_iter.c's import_iovec, as sys/fd.c applies it to readv. */
long sock_iter_iovec(struct sock_iter *it, uint64_t iov, uint64_t cnt)
{
    if (cnt > LINUX_UIO_MAXIOV)
        return -LINUX_EINVAL;
    if (!user_range_ok(iov, cnt * sizeof(struct linux_iovec)))
        return -LINUX_EFAULT;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        struct linux_iovec v = entry(iov, i);
        if ((int64_t)v.iov_len < 0)
            return -LINUX_EINVAL;
        if (!user_range_ok(v.iov_base, v.iov_len))
            return -LINUX_EFAULT;
        uint64_t room = LINUX_MAX_RW_COUNT - total;
        total += v.iov_len < room ? v.iov_len : room;
    }
    sock_iter_checked(it, iov, cnt, total);
    return 0;
}

void sock_iter_checked(struct sock_iter *it, uint64_t iov, uint64_t cnt, uint64_t total)
{
    *it = (struct sock_iter){.iov = iov, .cnt = cnt, .left = total};
}

size_t sock_iter_piece(struct sock_iter *it, uint8_t **p)
{
    while (it->seg_left == 0 && it->left != 0 && it->idx < it->cnt) {
        struct linux_iovec v = entry(it->iov, it->idx++);
        if ((int64_t)v.iov_len < 0 || !user_range_ok(v.iov_base, v.iov_len)) {
            it->left = 0; /* changed under us: stop here, as a fault would */
            break;
        }
        it->seg = user_ptr(v.iov_base);
        it->seg_left = v.iov_len;
    }
    uint64_t n = it->seg_left < it->left ? it->seg_left : it->left;
    *p = it->seg;
    return (size_t)n;
}

void sock_iter_advance(struct sock_iter *it, size_t n)
{
    it->seg += n;
    it->seg_left -= n;
    it->left -= n;
    it->done += n;
}

size_t sock_iter_to_app(struct sock_iter *it, const void *buf, size_t n)
{
    size_t moved = 0;
    uint8_t *p;
    size_t piece;
    while (moved < n && (piece = sock_iter_piece(it, &p)) != 0) {
        if (piece > n - moved)
            piece = n - moved;
        memcpy(p, (const uint8_t *)buf + moved, piece);
        sock_iter_advance(it, piece);
        moved += piece;
    }
    return moved;
}

size_t sock_iter_from_app(struct sock_iter *it, void *buf, size_t n)
{
    size_t moved = 0;
    uint8_t *p;
    size_t piece;
    while (moved < n && (piece = sock_iter_piece(it, &p)) != 0) {
        if (piece > n - moved)
            piece = n - moved;
        memcpy((uint8_t *)buf + moved, p, piece);
        sock_iter_advance(it, piece);
        moved += piece;
    }
    return moved;
}
