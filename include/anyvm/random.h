/* Where the kernel's randomness comes from, for apps (implemented in the
 * kernel's api/). Apps get random bytes from the C library (getrandom,
 * getentropy); this says how good they are. */
#ifndef ANYVM_RANDOM_H
#define ANYVM_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct anyvm_random_status {
    bool rdrand;      /* the CPU's RDRAND answered */
    unsigned sources; /* entropy devices (virtio-rng, ...) feeding the pool */
    char source_names[4][24];
    uint64_t credited_bits; /* entropy credited since boot (saturating) */
    uint64_t device_bytes;  /* bytes the devices delivered */
};

int anyvm_random_status(struct anyvm_random_status *out);

#ifdef __cplusplus
}
#endif

#endif
