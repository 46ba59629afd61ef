/* The guest's RAM as hostsim sees it: a few regions of guest-physical space,
 * each backed by host memory. Every access a machine model makes on behalf of
 * the guest goes through here and is bounds-checked: an address or length the
 * guest chose must never reach host memory outside a region. Pure logic (no
 * KVM), so tests can drive it with ordinary buffers. */
#ifndef HOSTSIM_GUEST_MEM_H
#define HOSTSIM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 8

struct guest_region {
    uint64_t gpa;  /* first guest-physical address */
    uint64_t size; /* bytes */
    uint8_t *host; /* backing memory */
};

struct guest_mem {
    struct guest_region region[GUEST_MEM_MAX_REGIONS];
    unsigned count;
};

/* Adds a region; regions may not overlap. Returns 0, or -1 when full,
 * empty, wrapping past 2^64 or overlapping. */
int guest_mem_add(struct guest_mem *m, uint64_t gpa, uint64_t size, void *host);

/* Host pointer to [gpa, gpa+len) when that range lies inside one region,
 * else NULL. len 0 asks whether gpa itself is RAM. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Copy in or out; -1 (nothing copied) unless the whole range is in one region. */
int guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);
int guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len);
int guest_mem_fill(const struct guest_mem *m, uint64_t gpa, int byte, uint64_t len);

/* Little-endian stores, as x86 guests read them. */
int guest_mem_write_u8(const struct guest_mem *m, uint64_t gpa, uint8_t v);
int guest_mem_write_u16(const struct guest_mem *m, uint64_t gpa, uint16_t v);
int guest_mem_write_u32(const struct guest_mem *m, uint64_t gpa, uint32_t v);
int guest_mem_write_u64(const struct guest_mem *m, uint64_t gpa, uint64_t v);

#endif
