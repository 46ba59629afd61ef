/* The virtio core (drivers/virtio/virtio.c) over a fake transport: the one
 * configuration policy (range, alignment, the generation retry of 2.5.1,
 * the read-twice rule of 2.5.4 for legacy interfaces, failing the device
 * with a clear message) and feature negotiation with and without VERSION_1
 * (3.1.1, 3.1.2). */
#include <stdint.h>

#include "drivers/virtio/blk_config.h"
#include "drivers/virtio/net_config.h"
#include "drivers/virtio/virtio.h"
#include "core/event.h"
#include "tests/unit/unit.h"

/* ---- the fake transport ---- */

struct fake {
    struct virtio_dev vd;
    uint8_t config[64];
    uint8_t status;
    uint64_t offered, written_features;
    bool feature_ok_refused;
    unsigned status_writes;
    uint8_t status_log[16];
    /* Generation: returned by config_generation; bumped by every raw read
     * while changes_left > 0 (the device changes the space under the
     * driver that many times). */
    uint32_t generation;
    unsigned changes_left;
    /* Without a generation: the first flips raw reads each return another
     * value (one that keeps moving), then the stored one. */
    unsigned flips_left;
    unsigned raw_reads, raw_writes;
    unsigned last_offset, last_size;
    bool bad_access; /* a raw access outside config[] or of a width not 1, 2, 4 */
};

static struct fake *F(struct virtio_dev *vd)
{
    return vd->transport;
}

static uint8_t f_get_status(struct virtio_dev *vd)
{
    return F(vd)->status;
}
static void f_set_status(struct virtio_dev *vd, uint8_t s)
{
    struct fake *f = F(vd);
    if (f->status_writes < sizeof f->status_log)
        f->status_log[f->status_writes] = s;
    f->status_writes++;
    if (f->feature_ok_refused)
        s &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
    f->status = s;
}
static uint64_t f_get_features(struct virtio_dev *vd)
{
    return F(vd)->offered;
}
static void f_set_features(struct virtio_dev *vd, uint64_t x)
{
    F(vd)->written_features = x;
}
static uint32_t f_read_raw(struct virtio_dev *vd, unsigned off, unsigned size)
{
    struct fake *f = F(vd);
    f->raw_reads++;
    f->last_offset = off;
    f->last_size = size;
    if ((size != 1 && size != 2 && size != 4) || off + size > sizeof f->config ||
        off + size > vd->config_len) {
        f->bad_access = true;
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)f->config[off + i] << (8 * i);
    if (f->changes_left) {
        f->changes_left--;
        f->generation++;
    }
    if (f->flips_left) {
        v ^= f->flips_left & (0xFFFFFFFFu >> (32 - 8 * size)); /* a different value each read */
        f->flips_left--;
    }
    return v;
}
static void f_write_raw(struct virtio_dev *vd, unsigned off, unsigned size, uint32_t v)
{
    struct fake *f = F(vd);
    f->raw_writes++;
    if ((size != 1 && size != 2 && size != 4) || off + size > vd->config_len) {
        f->bad_access = true;
        return;
    }
    for (unsigned i = 0; i < size; i++)
        f->config[off + i] = (uint8_t)(v >> (8 * i));
}
static uint32_t f_generation(struct virtio_dev *vd)
{
    return F(vd)->generation;
}

static const struct virtio_transport_ops modern_ops = {
    .get_status = f_get_status,
    .set_status = f_set_status,
    .get_features = f_get_features,
    .set_features = f_set_features,
    .config_read_raw = f_read_raw,
    .config_write_raw = f_write_raw,
    .config_generation = f_generation,
};
static const struct virtio_transport_ops legacy_ops = {
    .get_status = f_get_status,
    .set_status = f_set_status,
    .get_features = f_get_features,
    .set_features = f_set_features,
    .config_read_raw = f_read_raw,
    .config_write_raw = f_write_raw,
    .config_generation = NULL,
};

static struct fake fk;

static struct virtio_dev *fake_init(bool legacy, unsigned config_len)
{
    /* The core may have registered the device's poller: take it off the
     * event loop's list before the structure is cleared. */
    poller_remove(&fk.vd.poller);
    work_cancel(&fk.vd.work);
    memset(&fk, 0, sizeof fk);
    fk.vd.ops = legacy ? &legacy_ops : &modern_ops;
    fk.vd.transport = &fk;
    fk.vd.legacy = legacy;
    fk.vd.config_len = config_len;
    fk.vd.device_id = VIRTIO_ID_BLOCK;
    strcpy(fk.vd.location, "fake 0");
    for (unsigned i = 0; i < sizeof fk.config; i++)
        fk.config[i] = (uint8_t)(0x10 + i);
    return &fk.vd;
}

/* ---- reads ---- */

TEST(config_read_widths_little_endian)
{
    struct virtio_dev *vd = fake_init(false, 60);
    CHECK_EQ(virtio_config_read(vd, 0, 1), 0x10u);
    CHECK_EQ(virtio_config_read(vd, 2, 2), 0x1312u);
    CHECK_EQ(virtio_config_read(vd, 4, 4), 0x17161514u);
    fk.raw_reads = 0;
    /* 8 bytes as two 4-byte halves, low first (4.1.3.1, 4.2.2.2). */
    CHECK_EQ(virtio_config_read(vd, 8, 8), 0x1f1e1d1c1b1a1918ull);
    CHECK_EQ(fk.raw_reads, 2u);
    CHECK_EQ(fk.last_offset, 12u);
    CHECK_EQ(fk.last_size, 4u);
    CHECK(!vd->broken);
    CHECK(!fk.bad_access);
}

TEST(config_read_retries_while_generation_moves)
{
    struct virtio_dev *vd = fake_init(false, 60);
    fk.changes_left = 3; /* the device changes the space during three reads */
    CHECK_EQ(virtio_config_read(vd, 20, 4), 0x27262524u);
    CHECK_EQ(fk.raw_reads, 4u); /* three torn, one clean */
    CHECK(!vd->broken);
}

TEST(config_read_generation_never_settles)
{
    struct virtio_dev *vd = fake_init(false, 60);
    fk.changes_left = 1000;
    CHECK_EQ(virtio_config_read(vd, 0, 8), 0u);
    CHECK(vd->broken);
    CHECK_EQ(fk.raw_reads, 2u * VIRTIO_CONFIG_RETRIES);
    CHECK(LOG_CONTAINS("device 2 (block): disabled: configuration generation changed during each "
                       "of 100 reads of bytes 0+8"));
    CHECK(fk.status & VIRTIO_STATUS_FAILED);
    /* A broken device is not read again. */
    unsigned before = fk.raw_reads;
    CHECK_EQ(virtio_config_read(vd, 0, 1), 0u);
    CHECK_EQ(fk.raw_reads, before);
}

TEST(config_read_legacy_reads_until_two_agree)
{
    struct virtio_dev *vd = fake_init(true, 60);
    CHECK_EQ(virtio_config_read(vd, 0, 8), 0x1716151413121110ull);
    CHECK_EQ(fk.raw_reads, 4u); /* twice, two halves each: the 2.5.4 rule */
    fk.raw_reads = 0;
    fk.flips_left = 3; /* three reads see moving values, then it settles */
    CHECK_EQ(virtio_config_read(vd, 4, 4), 0x17161514u);
    CHECK(fk.raw_reads >= 3u && fk.raw_reads <= 6u);
    CHECK(!vd->broken);
}

TEST(config_read_legacy_never_agrees)
{
    struct virtio_dev *vd = fake_init(true, 60);
    fk.flips_left = 100000;
    CHECK_EQ(virtio_config_read(vd, 4, 2), 0u);
    CHECK(vd->broken);
    CHECK_EQ(fk.raw_reads, VIRTIO_CONFIG_RETRIES + 1u);
    CHECK(LOG_CONTAINS("disabled: configuration bytes 4+2 read differently each of 101 times"));
}

TEST(config_read_outside_range_fails_the_device)
{
    struct virtio_dev *vd = fake_init(false, 8);
    CHECK_EQ(virtio_config_read(vd, 4, 4), 0x17161514u);
    CHECK_EQ(virtio_config_read(vd, 8, 1), 0u); /* one past the end */
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("driver read configuration bytes 8+1 outside the 8 reachable"));
    CHECK(!fk.bad_access); /* the transport was never asked */

    vd = fake_init(false, 8);
    CHECK_EQ(virtio_config_read(vd, 2, 4), 0u); /* misaligned */
    CHECK(vd->broken);
    vd = fake_init(false, 8);
    CHECK_EQ(virtio_config_read(vd, 0, 3), 0u); /* no such width */
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("with size 3"));
    vd = fake_init(false, 0); /* a device without configuration (an entropy device) */
    CHECK_EQ(virtio_config_read(vd, 0, 1), 0u);
    CHECK(vd->broken);
    vd = fake_init(false, 8);
    CHECK_EQ(virtio_config_read(vd, 0xFFFFFFFCu, 4), 0u); /* offset + size wraps */
    CHECK(vd->broken);
    CHECK_EQ(fk.raw_reads, 0u);
}

TEST(config_read_bytes_one_snapshot)
{
    struct virtio_dev *vd = fake_init(false, 60);
    uint8_t mac[6];
    fk.changes_left = 2; /* torn during the first pass, clean in the second */
    CHECK_EQ(virtio_config_read_bytes(vd, 0, mac, 6), 0);
    CHECK_EQ(fk.raw_reads, 12u); /* byte accesses, the whole range per pass */
    CHECK_EQ(fk.last_size, 1u);
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ(mac[i], 0x10 + i);
    uint8_t big[VIRTIO_CONFIG_SNAPSHOT_MAX + 1];
    CHECK_EQ(virtio_config_read_bytes(vd, 0, big, sizeof big), -1);
    CHECK(vd->broken);
}

TEST(config_write_range_and_halves)
{
    struct virtio_dev *vd = fake_init(false, 16);
    virtio_config_write(vd, 8, 8, 0x0102030405060708ull);
    CHECK_EQ(fk.raw_writes, 2u);
    CHECK_EQ(fk.config[8], 0x08);
    CHECK_EQ(fk.config[15], 0x01);
    virtio_config_write(vd, 14, 4, 1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("driver wrote configuration offset 14 size 4 outside the 16 reachable"));
    CHECK_EQ(fk.raw_writes, 2u);
    CHECK(!fk.bad_access);
}

/* ---- feature negotiation ---- */

TEST(negotiation_modern)
{
    struct virtio_dev *vd = fake_init(false, 8);
    fk.offered = VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | VIRTIO_F_ACCESS_PLATFORM | (1ull << 5);
    CHECK_EQ(virtio_begin_init(vd, VIRTIO_F_EVENT_IDX | VIRTIO_F_INDIRECT_DESC), 0);
    CHECK_EQ(vd->features, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | VIRTIO_F_ACCESS_PLATFORM);
    CHECK_EQ(fk.written_features, vd->features);
    /* reset, ACKNOWLEDGE, DRIVER, FEATURES_OK (3.1.1) */
    CHECK_EQ(fk.status_writes, 4u);
    CHECK_EQ(fk.status_log[0], 0);
    CHECK_EQ(fk.status_log[3],
             VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

TEST(negotiation_modern_without_version_1_fails)
{
    struct virtio_dev *vd = fake_init(false, 8);
    fk.offered = VIRTIO_F_EVENT_IDX;
    CHECK_EQ(virtio_begin_init(vd, VIRTIO_F_EVENT_IDX), -1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("does not offer VERSION_1 on its virtio 1.x interface"));
}

TEST(negotiation_modern_features_refused)
{
    struct virtio_dev *vd = fake_init(false, 8);
    fk.offered = VIRTIO_F_VERSION_1;
    fk.feature_ok_refused = true;
    CHECK_EQ(virtio_begin_init(vd, 0), -1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("device refused features"));
}

TEST(negotiation_legacy_has_no_features_ok)
{
    struct virtio_dev *vd = fake_init(true, 8);
    /* What a legacy transport offers: bits 0-31 only. */
    fk.offered = VIRTIO_F_ANY_LAYOUT | VIRTIO_F_EVENT_IDX | VIRTIO_F_INDIRECT_DESC | (1ull << 5) |
                 (1ull << 7);
    CHECK_EQ(virtio_begin_init(vd, VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | (1ull << 5)), 0);
    CHECK(!vd->broken);
    CHECK_EQ(vd->features, VIRTIO_F_ANY_LAYOUT | VIRTIO_F_EVENT_IDX | (1ull << 5));
    CHECK_EQ(fk.written_features, vd->features);
    CHECK_EQ(fk.status_writes, 3u); /* reset, ACKNOWLEDGE, DRIVER: no FEATURES_OK (3.1.2) */
    for (unsigned i = 0; i < fk.status_writes; i++)
        CHECK(!(fk.status_log[i] & VIRTIO_STATUS_FEATURES_OK));
    virtio_driver_ok(vd);
    CHECK_EQ(fk.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
}

TEST(status_bits_written_back_are_the_drivers)
{
    /* A device reading back every bit set: only the driver's bits return. */
    struct virtio_dev *vd = fake_init(true, 8);
    fk.status = 0xFF;
    virtio_add_status(vd, VIRTIO_STATUS_DRIVER_OK);
    CHECK_EQ(fk.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |
                            VIRTIO_STATUS_FAILED);
    vd = fake_init(false, 8);
    fk.status = 0xFF;
    virtio_fail(vd, "test");
    CHECK_EQ(fk.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |
                            VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_FAILED);
    CHECK(!(fk.status & VIRTIO_STATUS_NEEDS_RESET));
}

/* ---- the drivers' configuration (net_config.c, blk_config.c) ---- */

static void put(unsigned off, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        fk.config[off + i] = (uint8_t)(v >> (8 * i));
}

TEST(net_config_mac_mtu_status)
{
    struct virtio_dev *vd = fake_init(false, 12);
    const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    memcpy(fk.config, mac, 6);
    put(VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP, 2);
    put(VIRTIO_NET_CFG_MTU, 9000, 2);
    vd->features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_MTU | VIRTIO_NET_F_STATUS;
    struct vnet_config c;
    CHECK_EQ(vnet_read_config(vd, &c), 0);
    CHECK(c.has_mac);
    CHECK(memcmp(c.mac, mac, 6) == 0);
    CHECK_EQ(c.mtu, 9000);
    CHECK(vnet_read_link(vd));
    put(VIRTIO_NET_CFG_STATUS, 0, 2);
    CHECK(!vnet_read_link(vd));
    /* Without the features nothing is read: defaults. */
    vd->features = 0;
    fk.raw_reads = 0;
    CHECK_EQ(vnet_read_config(vd, &c), 0);
    CHECK(!c.has_mac);
    CHECK_EQ(c.mtu, VIRTIO_NET_DEFAULT_MTU);
    CHECK(vnet_read_link(vd));
    CHECK_EQ(fk.raw_reads, 0u);
}

TEST(net_config_bad_values)
{
    struct virtio_dev *vd = fake_init(false, 12);
    put(VIRTIO_NET_CFG_MTU, 67, 2);
    vd->features = VIRTIO_NET_F_MTU;
    struct vnet_config c;
    CHECK_EQ(vnet_read_config(vd, &c), -1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("MTU 67 below the minimum of 68"));
    /* MTU offered but the space ends before it. */
    vd = fake_init(false, 10);
    vd->features = VIRTIO_NET_F_MTU;
    CHECK_EQ(vnet_read_config(vd, &c), -1);
    CHECK(vd->broken);
    /* A MAC that never reads the same twice on a legacy device. */
    vd = fake_init(true, 12);
    vd->features = VIRTIO_NET_F_MAC;
    fk.flips_left = 100000;
    CHECK_EQ(vnet_read_config(vd, &c), -1);
    CHECK(vd->broken);
}

TEST(blk_config_capacity_and_block_size)
{
    struct virtio_dev *vd = fake_init(false, 24);
    put(VIRTIO_BLK_CFG_CAPACITY, 2048, 8);
    put(VIRTIO_BLK_CFG_BLK_SIZE, 4096, 4);
    vd->features = VIRTIO_BLK_F_BLK_SIZE;
    struct vblk_config c;
    CHECK_EQ(vblk_read_config(vd, &c), 0);
    CHECK_EQ(c.sector_size, 4096u);
    CHECK_EQ(c.capacity, 256u);
    vd->features = 0; /* BLK_SIZE not negotiated: 512-byte sectors */
    CHECK_EQ(vblk_read_config(vd, &c), 0);
    CHECK_EQ(c.sector_size, 512u);
    CHECK_EQ(c.capacity, 2048u);
    static const uint32_t bad[] = {0, 256, 1000, 131072, 0xFFFFFFFF};
    vd->features = VIRTIO_BLK_F_BLK_SIZE;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unit_log_clear();
        put(VIRTIO_BLK_CFG_BLK_SIZE, bad[i], 4);
        CHECK_EQ(vblk_read_config(vd, &c), 0);
        CHECK_EQ(c.sector_size, 512u);
        CHECK(LOG_CONTAINS("ignored; using 512"));
    }
    CHECK(!vd->broken);
    /* More than 2^64 bytes: a lie. */
    put(VIRTIO_BLK_CFG_CAPACITY, UINT64_MAX / 512 + 1, 8);
    CHECK_EQ(vblk_read_config(vd, &c), -1);
    CHECK(vd->broken);
    CHECK(LOG_CONTAINS("is more than 2^64 bytes"));
}

UNIT_MAIN()
