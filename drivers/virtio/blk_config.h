/* virtio-blk feature bits and device configuration (virtio 1.2, 5.2.3 and
 * 5.2.4), read through the virtio core's policy and checked. Pure (host
 * tests and fuzzers drive it with a simulated device). Private to
 * drivers/virtio/blk*.c. */
#ifndef DRIVERS_VIRTIO_BLK_CONFIG_H
#define DRIVERS_VIRTIO_BLK_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

/* struct virtio_blk_config (5.2.4). */
#define VIRTIO_BLK_CFG_CAPACITY 0 /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE 20

#define VIRTIO_BLK_SECTOR 512u /* the unit of capacity and of request sectors (5.2.4, 5.2.6) */
/* Block sizes taken from BLK_SIZE: powers of two in this range; anything
 * else is reported and 512 is used (blk_size is only "optimal", 5.2.4). */
#define VIRTIO_BLK_MAX_BLOCK 65536u

struct vblk_config {
    uint64_t capacity;    /* in sector_size units */
    uint32_t sector_size; /* a power of two, 512-65536 */
};

/* Reads capacity and block size. The capacity must fit in 2^64 bytes
 * (else the device is failed); a bad block size is reported and 512 used.
 * Returns 0, or -1 with the device failed. */
int vblk_read_config(struct virtio_dev *vd, struct vblk_config *out);

#endif
