/* Where getrandom's bytes come from (sys/getrandom.c), exposed for the
 * tests: each source is filled by its own function. */
#ifndef SYS_GETRANDOM_H
#define SYS_GETRANDOM_H

#include <stdbool.h>
#include <stddef.h>

enum sys_random_source {
    SYS_RANDOM_POOL,   /* the kernel's pool, dev/random.c, when the image has it */
    SYS_RANDOM_RDRAND, /* else the CPU's RDRAND, when CPUID says it is there */
    SYS_RANDOM_TSC,    /* else a generator seeded from the time stamp counter: weak */
};

/* The best source this image and CPU have. */
enum sys_random_source sys_random_source(void);
/* What the kernel's pool (dev/random.h) can give now: enough (at least
 * 128 bits credited), not yet but a device was asked for more (worth
 * waiting for), or never (nothing but the TSC feeds it). */
enum sys_random_pool { SYS_POOL_READY, SYS_POOL_WAIT, SYS_POOL_WEAK };
struct random_status;
enum sys_random_pool sys_random_pool_state(const struct random_status *st);

/* Fills buf from src; false when that source is not available (RDRAND on a
 * CPU without it, or failing). */
bool sys_random_fill(enum sys_random_source src, void *buf, size_t n);

#endif
