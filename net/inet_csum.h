/* The 16-bit one's complement Internet checksum (RFC 1071), as IPv4, ICMP,
 * UDP and TCP use it, and the "complete a partial checksum" step that
 * virtio-net's NEEDS_CSUM asks for (virtio 1.2, 5.1.6.2 and 5.1.6.4). Pure
 * logic: host tests and fuzzers link it unchanged. */
#ifndef NET_INET_CSUM_H
#define NET_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at data to the running 32-bit sum (big-endian 16-bit words;
 * an odd last byte is padded with zero). Sums of different pieces may be
 * added together as long as every piece but the last has an even length. */
uint32_t inet_csum_add(uint32_t sum, const void *data, size_t len);
/* Folds the carries and complements: the value stored in a checksum field. */
uint16_t inet_csum_fold(uint32_t sum);
/* inet_csum_fold(inet_csum_add(0, data, len)): 0 over data that includes a
 * correct checksum field. */
uint16_t inet_csum(const void *data, size_t len);

/* Completes a partial checksum in place: the 16-bit field at start + offset
 * already holds the folded (uncomplemented) sum of whatever pseudo-header the
 * protocol needs; the one's complement sum over [start, len) is stored
 * there. Returns 0, or -1 (frame untouched) when the field does not fit in
 * the frame. */
int inet_csum_complete(uint8_t *frame, size_t len, size_t start, size_t offset);

/* Big-endian loads and stores for packet fields. */
static inline uint16_t net_get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t net_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

#endif
