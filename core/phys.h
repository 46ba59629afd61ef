/* Bounded access to guest-physical memory handed to us by a boot loader or
 * firmware. Every parser of untrusted tables (multiboot info, hvm_start_info,
 * Linux zero page, ACPI) reads through a window, so an address or length that
 * points outside memory we can see yields NULL instead of a wild pointer.
 *
 * In the kernel the window is the identity map (base 0, size = mapped limit);
 * in host unit tests it is a buffer that stands in for low memory. */
#ifndef CORE_PHYS_H
#define CORE_PHYS_H

#include <stddef.h>
#include <stdint.h>

struct phys_window {
    uintptr_t base; /* host address of guest-physical address 0 */
    uint64_t size;  /* bytes of guest-physical space visible through it */
};

/* Pointer to [addr, addr + len) or NULL when any part lies outside the window
 * or the range wraps around. */
static inline const void *phys_ptr(const struct phys_window *w, uint64_t addr, uint64_t len)
{
    if (addr > w->size || len > w->size - addr)
        return NULL;
    return (const void *)(w->base + (uintptr_t)addr);
}

/* Length of the NUL-terminated string at addr, at most max; -1 when it runs
 * out of the window or is not terminated within max bytes. */
static inline long phys_strnlen(const struct phys_window *w, uint64_t addr, uint64_t max)
{
    for (uint64_t i = 0; i < max; i++) {
        const char *c = (const char *)phys_ptr(w, addr + i, 1);
        if (c == NULL)
            return -1;
        if (*c == '\0')
            return (long)i;
    }
    return -1;
}

#endif
