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

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

#define CFG 64

static struct {
    struct virtio_dev vd;
    const uint8_t *p;
    size_t n;
    bool moving;
    uint8_t config[CFG];
    uint8_t status;
    uint32_t generation;
} dev;

static uint8_t next_byte(void)
{
    if (dev.n == 0)
        return 0;
    dev.n--;
    return *dev.p++;
}

static uint32_t raw_read(struct virtio_dev *vd, unsigned off, unsigned size)
{
    if (vd->broken || off % size != 0 || (uint64_t)off + size > vd->config_len ||
        (size != 1 && size != 2 && size != 4))
        abort();
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)dev.config[off + i] << (8 * i);
    if (dev.moving && (next_byte() & 1))
        v ^= next_byte();
    return v;
}

static void raw_write(struct virtio_dev *vd, unsigned off, unsigned size, uint32_t v)
{
    (void)vd;
    (void)off;
    (void)size;
    (void)v;
    abort(); /* reading the configuration never writes it */
}

static uint32_t generation(struct virtio_dev *vd)
{
    if (vd->broken)
        abort();
    if (dev.moving)
        dev.generation += next_byte() & 1;
    return dev.generation;
}

static uint8_t get_status(struct virtio_dev *vd)
{
    (void)vd;
    return dev.status;
}
static void set_status(struct virtio_dev *vd, uint8_t s)
{
    (void)vd;
    dev.status = s;
}

static const struct virtio_transport_ops modern = {
    .get_status = get_status,
    .set_status = set_status,
    .config_read_raw = raw_read,
    .config_write_raw = raw_write,
    .config_generation = generation,
};
static const struct virtio_transport_ops legacy = {
    .get_status = get_status,
    .set_status = set_status,
    .config_read_raw = raw_read,
    .config_write_raw = raw_write,
};

static uint64_t le(unsigned off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)dev.config[off + i] << (8 * i);
    return v;
}

static void check_blk(void)
{
    struct vblk_config c;
    int rc = vblk_read_config(&dev.vd, &c);
    if (rc != 0) {
        if (!dev.vd.broken || !(dev.status & VIRTIO_STATUS_FAILED))
            abort();
        /* A still device with room for the fields and a sane capacity is
         * never failed. */
        bool room = dev.vd.config_len >= 8 &&
                    (!(dev.vd.features & VIRTIO_BLK_F_BLK_SIZE) || dev.vd.config_len >= 24);
        if (!dev.moving && room && le(VIRTIO_BLK_CFG_CAPACITY, 8) <= UINT64_MAX / 512)
            abort();
        return;
    }
    if (dev.vd.broken)
        abort();
    uint32_t ss = c.sector_size;
    if (ss < 512 || ss > VIRTIO_BLK_MAX_BLOCK || (ss & (ss - 1)) != 0)
        abort();
    if (c.capacity > UINT64_MAX / ss)
        abort(); /* the byte size must fit in 64 bits */
    if (!(dev.vd.features & VIRTIO_BLK_F_BLK_SIZE) && ss != 512)
        abort();
    if (!dev.moving) {
        uint64_t cap512 = le(VIRTIO_BLK_CFG_CAPACITY, 8);
        uint32_t bs = (dev.vd.features & VIRTIO_BLK_F_BLK_SIZE) ? (uint32_t)le(20, 4) : 512;
        bool bs_ok = bs >= 512 && bs <= VIRTIO_BLK_MAX_BLOCK && (bs & (bs - 1)) == 0;
        uint32_t want_ss = bs_ok ? bs : 512;
        if (ss != want_ss || c.capacity != cap512 / (want_ss / 512))
            abort();
    }
}

static void check_net(void)
{
    struct vnet_config c;
    int rc = vnet_read_config(&dev.vd, &c);
    uint64_t f = dev.vd.features;
    if (rc != 0) {
        if (!dev.vd.broken || !(dev.status & VIRTIO_STATUS_FAILED))
            abort();
        bool room = (!(f & VIRTIO_NET_F_MAC) || dev.vd.config_len >= 6) &&
                    (!(f & VIRTIO_NET_F_MTU) || dev.vd.config_len >= 12);
        if (!dev.moving && room && (!(f & VIRTIO_NET_F_MTU) || le(VIRTIO_NET_CFG_MTU, 2) >= 68))
            abort();
        return;
    }
    if (dev.vd.broken || c.mtu < VIRTIO_NET_MIN_MTU || c.has_mac != !!(f & VIRTIO_NET_F_MAC))
        abort();
    if (!(f & VIRTIO_NET_F_MTU) && c.mtu != VIRTIO_NET_DEFAULT_MTU)
        abort();
    if (!dev.moving) {
        if ((f & VIRTIO_NET_F_MTU) && c.mtu != le(VIRTIO_NET_CFG_MTU, 2))
            abort();
        if (c.has_mac && memcmp(c.mac, dev.config + VIRTIO_NET_CFG_MAC, 6) != 0)
            abort();
    }
    bool up = vnet_read_link(&dev.vd);
    if (!(f & VIRTIO_NET_F_STATUS) && !up)
        abort();
    if (!dev.moving && !dev.vd.broken && (f & VIRTIO_NET_F_STATUS) &&
        up != ((le(VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 + CFG)
        return 0;
    memset(&dev, 0, sizeof dev);
    uint8_t cfg = data[0];
    bool is_legacy = cfg & 1;
    dev.moving = cfg & 2;
    bool net = cfg & 4;
    uint64_t f = data[1] | (uint64_t)data[2] << 8;
    if (net && (f & 0x8000))
        f |= VIRTIO_NET_F_STATUS; /* bit 16 */
    dev.vd.features = f | (is_legacy ? 0 : VIRTIO_F_VERSION_1);
    dev.vd.config_len = data[3] % (CFG + 1);
    dev.vd.ops = is_legacy ? &legacy : &modern;
    dev.vd.legacy = is_legacy;
    dev.vd.transport = &dev;
    dev.vd.device_id = net ? VIRTIO_ID_NET : VIRTIO_ID_BLOCK;
    memcpy(dev.config, data + 4, CFG);
    dev.p = data + 4 + CFG;
    dev.n = size - 4 - CFG;
    if (net)
        check_net();
    else
        check_blk();
    return 0;
}
