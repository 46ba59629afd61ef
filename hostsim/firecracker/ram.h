/* Where Firecracker puts guest RAM (arch/x86_64/mod.rs arch_memory_regions):
 * [0, min(size, 3 GiB)), the rest from 4 GiB, and past 256 GiB a second gap
 * [256, 512) GiB. Pure logic. */
#ifndef HOSTSIM_FC_RAM_H
#define HOSTSIM_FC_RAM_H

#include <stdint.h>

#define FC_RAM_MAX_REGIONS 3

struct fc_ram_region {
    uint64_t start, size;
};

/* Returns the number of regions written to out (1..3); size must be > 0. */
unsigned fc_ram_regions(uint64_t size, struct fc_ram_region out[FC_RAM_MAX_REGIONS]);

#endif
