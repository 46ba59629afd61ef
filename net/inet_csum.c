/* RFC 1071 one's complement sums. Byte by byte in pairs: small, obviously
 * right, and fast enough for the frame sizes a unikernel's slow path sees. */
#include "net/inet_csum.h"

uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;
    while (len >= 2) {
        s += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8;
    /* Fold into 32 bits so callers can keep adding without overflow. */
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t inet_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t inet_csum(const void *data, size_t len)
{
    return inet_csum_fold(inet_csum_add(0, data, len));
}

int inet_csum_complete(uint8_t *frame, size_t len, size_t start, size_t offset)
{
    if (start > len || offset > len - start || len - start - offset < 2)
        return -1;
    /* The field takes part in the sum with the partial value it holds. */
    uint16_t c = inet_csum(frame + start, len - start);
    net_put16(frame + start + offset, c);
    return 0;
}
