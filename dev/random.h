/* The kernel's random source: a small entropy pool mixed with an ARX
 * permutation (SipHash's round function), fed by the hardware random number
 * generator when CPUID offers RDRAND, by devices such as virtio-rng, and by
 * the time stamp counter at every call. Good for what a unikernel needs
 * before a real stack arrives (TCP initial sequence numbers, DHCP
 * transaction ids, random MAC addresses). It makes no cryptographic claim:
 * it is a mixer of whatever entropy it was given, and random_status() says
 * honestly how much that was. */
#ifndef DEV_RANDOM_H
#define DEV_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills buf with n bytes. Never blocks; when little entropy has been
 * credited so far, registered sources are asked for more (the bytes already
 * returned are then only as good as RDRAND and the TSC make them). Safe in
 * interrupt handlers. */
void random_bytes(void *buf, size_t n);
uint64_t random_u64(void);

/* Mixes len bytes into the pool and credits bits of entropy (at most 8 per
 * byte). Safe in interrupt handlers. */
void random_add_entropy(const void *data, size_t len, unsigned bits);

/* A device that can produce entropy on request: request(ctx) starts an
 * asynchronous fill that ends in random_add_entropy (it must not wait). */
#define RANDOM_MAX_SOURCES 4
int random_register_source(const char *name, void (*request)(void *ctx), void *ctx);

struct random_status {
    bool rdrand;      /* the CPU offers RDRAND and it answered */
    unsigned sources; /* devices registered */
    const char *source_name[RANDOM_MAX_SOURCES];
    uint64_t credited_bits; /* entropy credited since boot (saturating) */
    uint64_t device_bytes;  /* bytes fed by random_add_entropy */
};
void random_get_status(struct random_status *st);

#endif
