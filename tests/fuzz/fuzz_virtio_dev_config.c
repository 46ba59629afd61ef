/* libFuzzer harness: the virtio-blk and virtio-net configuration reads
 * (drivers/virtio/blk_config.c, net_config.c) through the virtio core's
 * policy (virtio.c), over a simulated configuration space: capacity, block
 * size, MTU, MAC and link status as the device presents them.
 *
 * Input: byte 0 bit 0 legacy (no generation), bit 1 the device changes
 * values under the driver (else it holds still), bit 2 net (else blk);
 * bytes 1-2 the negotiated features of the device type (bits 0-15 as
 * bits 0-15 of 5.1.3 / 5.2.3 with bit 16 for STATUS); byte 3 config_len
 * (0-64); 64 bytes of configuration; the rest drives the changes.
 *
 * Invariants: on success a block device has a power-of-two sector size in
 * 512-65536 (512 unless BLK_SIZE is negotiated and the value is one) and a
 * capacity in those sectors that fits 2^64 bytes, equal to what a still
 * device presented; a network device has an MTU of at least 68 (1500
 * without VIRTIO_NET_F_MTU) and the MAC bytes a still device presented. A
 * still device with a large enough space and sane values is never failed;
 * a failure leaves it broken with FAILED set.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_virtio_dev_config.c drivers/virtio/virtio.c \
 *     drivers/virtio/net_config.c drivers/virtio/blk_config.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/virtio/blk_config.h"
#include "drivers/virtio/net_config.h"
#include "drivers/virtio/virtio.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_virtio_sim.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

static struct {
    struct virtio_sim sim;
    struct fuzz_input in; /* what drives the changes */
    bool moving;
} dev;

static uint32_t sim_config_read(struct virtio_dev *vd, unsigned off, unsigned size)
{
    sim_check_access(vd, off, size);
    uint32_t v = (uint32_t)sim_config_le(&dev.sim, off, size);
    if (dev.moving && (fuzz_take(&dev.in, 1) & 1))
        v ^= fuzz_take(&dev.in, 1);
    return v;
}

static void sim_config_write(struct virtio_dev *vd, unsigned off, unsigned size, uint32_t v)
{
    (void)vd;
    (void)off;
    (void)size;
    (void)v;
    abort(); /* reading the configuration never writes it */
}

static uint32_t sim_generation(struct virtio_dev *vd)
{
    BROKEN_IF(vd->broken);
    if (dev.moving)
        dev.sim.generation += fuzz_take(&dev.in, 1) & 1;
    return dev.sim.generation;
}

static uint64_t le(unsigned off, unsigned size)
{
    return sim_config_le(&dev.sim, off, size);
}

static void check_blk(void)
{
    struct vblk_config c;
    int rc = vblk_read_config(&dev.sim.vd, &c);
    if (rc != 0) {
        if (!dev.sim.vd.broken || !(dev.sim.status & VIRTIO_STATUS_FAILED))
            abort();
        /* A still device with room for the fields and a sane capacity is
         * never failed. */
        bool room = dev.sim.vd.config_len >= 8 &&
                    (!(dev.sim.vd.features & VIRTIO_BLK_F_BLK_SIZE) || dev.sim.vd.config_len >= 24);
        if (!dev.moving && room && le(VIRTIO_BLK_CFG_CAPACITY, 8) <= UINT64_MAX / 512)
            abort();
        return;
    }
    if (dev.sim.vd.broken)
        abort();
    uint32_t ss = c.sector_size;
    if (ss < 512 || ss > VIRTIO_BLK_MAX_BLOCK || (ss & (ss - 1)) != 0)
        abort();
    if (c.capacity > UINT64_MAX / ss)
        abort(); /* the byte size must fit in 64 bits */
    if (!(dev.sim.vd.features & VIRTIO_BLK_F_BLK_SIZE) && ss != 512)
        abort();
    if (!dev.moving) {
        uint64_t cap512 = le(VIRTIO_BLK_CFG_CAPACITY, 8);
        uint32_t bs = (dev.sim.vd.features & VIRTIO_BLK_F_BLK_SIZE) ? (uint32_t)le(20, 4) : 512;
        bool bs_ok = bs >= 512 && bs <= VIRTIO_BLK_MAX_BLOCK && (bs & (bs - 1)) == 0;
        uint32_t want_ss = bs_ok ? bs : 512;
        if (ss != want_ss || c.capacity != cap512 / (want_ss / 512))
            abort();
    }
}

static void check_net(void)
{
    struct vnet_config c;
    int rc = vnet_read_config(&dev.sim.vd, &c);
    uint64_t f = dev.sim.vd.features;
    if (rc != 0) {
        if (!dev.sim.vd.broken || !(dev.sim.status & VIRTIO_STATUS_FAILED))
            abort();
        bool room = (!(f & VIRTIO_NET_F_MAC) || dev.sim.vd.config_len >= 6) &&
                    (!(f & VIRTIO_NET_F_MTU) || dev.sim.vd.config_len >= 12);
        if (!dev.moving && room && (!(f & VIRTIO_NET_F_MTU) || le(VIRTIO_NET_CFG_MTU, 2) >= 68))
            abort();
        return;
    }
    if (dev.sim.vd.broken || c.mtu < VIRTIO_NET_MIN_MTU || c.has_mac != !!(f & VIRTIO_NET_F_MAC))
        abort();
    if (!(f & VIRTIO_NET_F_MTU) && c.mtu != VIRTIO_NET_DEFAULT_MTU)
        abort();
    if (!dev.moving) {
        if ((f & VIRTIO_NET_F_MTU) && c.mtu != le(VIRTIO_NET_CFG_MTU, 2))
            abort();
        if (c.has_mac && memcmp(c.mac, dev.sim.config + VIRTIO_NET_CFG_MAC, 6) != 0)
            abort();
    }
    bool up = vnet_read_link(&dev.sim.vd);
    if (!(f & VIRTIO_NET_F_STATUS) && !up)
        abort();
    if (!dev.moving && !dev.sim.vd.broken && (f & VIRTIO_NET_F_STATUS) &&
        up != ((le(VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 + SIM_CONFIG_BYTES)
        return 0;
    memset(&dev, 0, sizeof dev);
    uint8_t cfg = data[0];
    bool is_legacy = cfg & 1;
    dev.moving = cfg & 2;
    bool net = cfg & 4;
    uint64_t f = data[1] | (uint64_t)data[2] << 8;
    if (net && (f & 0x8000))
        f |= VIRTIO_NET_F_STATUS; /* bit 16 */
    sim_init(&dev.sim, is_legacy, data[3] % (SIM_CONFIG_BYTES + 1));
    dev.sim.vd.features = f | (is_legacy ? 0 : VIRTIO_F_VERSION_1);
    dev.sim.vd.device_id = net ? VIRTIO_ID_NET : VIRTIO_ID_BLOCK;
    memcpy(dev.sim.config, data + 4, SIM_CONFIG_BYTES);
    dev.in = (struct fuzz_input){data + 4 + SIM_CONFIG_BYTES, size - 4 - SIM_CONFIG_BYTES};
    if (net)
        check_net();
    else
        check_blk();
    return 0;
}
