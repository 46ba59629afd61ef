/* virtio-blk configuration (see blk_config.h). */
#include "drivers/virtio/blk_config.h"

#include <string.h>

#include "core/log.h"

int vblk_read_config(struct virtio_dev *vd, struct vblk_config *out)
{
    memset(out, 0, sizeof *out);
    uint64_t capacity512 = virtio_config_read(vd, VIRTIO_BLK_CFG_CAPACITY, 8);
    if (vd->broken)
        return -1;
    if (capacity512 > UINT64_MAX / VIRTIO_BLK_SECTOR) {
        virtio_fail(vd, "virtio-blk: capacity of %llu sectors is more than 2^64 bytes",
                    (unsigned long long)capacity512);
        return -1;
    }
    uint32_t sector_size = VIRTIO_BLK_SECTOR;
    if (vd->features & VIRTIO_BLK_F_BLK_SIZE) {
        uint32_t bs = (uint32_t)virtio_config_read(vd, VIRTIO_BLK_CFG_BLK_SIZE, 4);
        if (vd->broken)
            return -1;
        if (bs >= VIRTIO_BLK_SECTOR && bs <= VIRTIO_BLK_MAX_BLOCK && (bs & (bs - 1)) == 0)
            sector_size = bs;
        else
            kprintf("virtio-blk %s: block size %u ignored; using %u\n", vd->location, bs,
                    VIRTIO_BLK_SECTOR);
    }
    out->sector_size = sector_size;
    out->capacity = capacity512 / (sector_size / VIRTIO_BLK_SECTOR);
    return 0;
}
