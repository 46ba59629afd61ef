/* hostsim's virtio device side (hostsim/virtio/: virtq.c, mmio.c, blk.c,
 * net.c) driven by a simulated driver through the MMIO registers, with
 * well-formed and malformed rings, requests and register sequences. Every
 * violation must be reported (the fault text) and stop the device; every
 * legal sequence must not.
 * Links: hostsim/guest_mem.c hostsim/log.c hostsim/virtio/{virtq,mmio,blk,net}.c */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/unit.h"

#include "hostsim/guest_mem.h"
#include "hostsim/virtio/blk.h"
#include "hostsim/virtio/mmio.h"
#include "hostsim/virtio/net.h"
#include "hostsim/virtio/virtq.h"

/* ---- a guest: 2 MiB of RAM at 1 MiB ---- */
#define RAM_GPA 0x100000ull
#define RAM_SIZE (2ull << 20)
#define Q0_DESC 0x100000ull
#define Q0_AVAIL 0x101000ull
#define Q0_USED 0x102000ull
#define Q1_DESC 0x104000ull
#define Q1_AVAIL 0x105000ull
#define Q1_USED 0x106000ull
#define DATA 0x110000ull /* buffers from here */

static uint8_t *ram;
static struct guest_mem mem;

static void *gp(uint64_t gpa)
{
    return ram + (gpa - RAM_GPA);
}

/* ---- the host around the transport ---- */
struct fake_host {
    int irqs;
    unsigned gsi;
    int faults;
    char fault[512];
    int live_on, live_off;
    int defer_notify; /* 1: count notifications instead of processing them */
    int notifies;
};
static struct fake_host host_state;

static void h_irq(void *ctx, unsigned gsi)
{
    (void)ctx;
    host_state.irqs++;
    host_state.gsi = gsi;
}

static void h_notify(void *ctx, struct vmmio *d, unsigned q)
{
    (void)ctx;
    host_state.notifies++;
    if (!host_state.defer_notify)
        vmmio_notified(d, q);
}

static void h_live(void *ctx, struct vmmio *d, bool live)
{
    (void)ctx;
    (void)d;
    if (live)
        host_state.live_on++;
    else
        host_state.live_off++;
}

static void h_fault(void *ctx, struct vmmio *d, const char *msg)
{
    (void)ctx;
    (void)d;
    if (host_state.faults++ == 0)
        snprintf(host_state.fault, sizeof host_state.fault, "%s", msg);
    if (getenv("UNIT_VERBOSE"))
        fprintf(stderr, "fault: %s\n", msg);
}

static const struct vmmio_host host = {h_irq, h_notify, h_live, h_fault};

static void setup_ram(void)
{
    if (ram == NULL) {
        ram = aligned_alloc(4096, RAM_SIZE);
        memset(&mem, 0, sizeof mem);
        guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram);
    }
    memset(ram, 0, RAM_SIZE);
    memset(&host_state, 0, sizeof host_state);
}

#define FAULTED(s) (host_state.faults > 0 && strstr(host_state.fault, (s)) != NULL)
#define NO_FAULT() (host_state.faults == 0)

/* ---- register access as a driver ---- */
static void wr(struct vmmio *d, unsigned off, uint32_t v)
{
    vmmio_write(d, NULL, off, (const uint8_t *)&v, 4);
}

static uint32_t rd(struct vmmio *d, unsigned off)
{
    uint32_t v = 0;
    vmmio_read(d, NULL, off, (uint8_t *)&v, 4);
    return v;
}

static uint64_t device_features(struct vmmio *d)
{
    wr(d, VMMIO_DEVICE_FEATURES_SEL, 0);
    uint64_t lo = rd(d, VMMIO_DEVICE_FEATURES);
    wr(d, VMMIO_DEVICE_FEATURES_SEL, 1);
    return lo | (uint64_t)rd(d, VMMIO_DEVICE_FEATURES) << 32;
}

static void ack_features(struct vmmio *d, uint64_t f)
{
    wr(d, VMMIO_DRIVER_FEATURES_SEL, 0);
    wr(d, VMMIO_DRIVER_FEATURES, (uint32_t)f);
    wr(d, VMMIO_DRIVER_FEATURES_SEL, 1);
    wr(d, VMMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static void setup_queue(struct vmmio *d, unsigned q, uint32_t num, uint64_t desc, uint64_t avail,
                        uint64_t used)
{
    wr(d, VMMIO_QUEUE_SEL, q);
    wr(d, VMMIO_QUEUE_NUM, num);
    wr(d, VMMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    wr(d, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr(d, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(d, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(d, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(d, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(d, VMMIO_QUEUE_READY, 1);
}

/* The whole of 3.1.1 with queue sizes qsize; stops early on a fault. */
static void bring_up(struct vmmio *d, uint64_t features, uint32_t qsize)
{
    wr(d, VMMIO_STATUS, 0);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, features);
    wr(d, VMMIO_STATUS, 0xB);
    if (d->nqueues > 0)
        setup_queue(d, 0, qsize, Q0_DESC, Q0_AVAIL, Q0_USED);
    if (d->nqueues > 1)
        setup_queue(d, 1, qsize, Q1_DESC, Q1_AVAIL, Q1_USED);
    wr(d, VMMIO_STATUS, 0xF);
}

/* ---- the driver's side of a ring ---- */
struct ring {
    uint64_t desc, avail, used;
    uint16_t size, next_desc, avail_idx, last_used;
};

static struct ring ring_at(uint64_t desc, uint64_t avail, uint64_t used, uint16_t size)
{
    return (struct ring){desc, avail, used, size, 0, 0, 0};
}

static void put_desc(struct ring *r, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *p = gp(r->desc + 16ull * i);
    memcpy(p, &addr, 8);
    memcpy(p + 8, &len, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
}

struct seg {
    uint64_t addr;
    uint32_t len;
    int writable;
};

/* Adds a chain of n segments using consecutive descriptors; returns head. */
static uint16_t add_chain(struct ring *r, const struct seg *s, unsigned n)
{
    uint16_t head = r->next_desc % r->size;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (uint16_t)((r->next_desc + i) % r->size);
        uint16_t next = (uint16_t)((r->next_desc + i + 1) % r->size);
        uint16_t flags = (uint16_t)((s[i].writable ? DEVQ_DESC_F_WRITE : 0) |
                                    (i + 1 < n ? DEVQ_DESC_F_NEXT : 0));
        put_desc(r, idx, s[i].addr, s[i].len, flags, i + 1 < n ? next : 0);
    }
    r->next_desc = (uint16_t)(r->next_desc + n);
    uint16_t *ring = gp(r->avail + 4);
    ring[r->avail_idx % r->size] = head;
    r->avail_idx++;
    *(uint16_t *)gp(r->avail + 2) = r->avail_idx;
    return head;
}

static void set_avail_idx(struct ring *r, uint16_t idx)
{
    r->avail_idx = idx;
    *(uint16_t *)gp(r->avail + 2) = idx;
}

static uint16_t used_idx(const struct ring *r)
{
    return *(uint16_t *)gp(r->used + 2);
}

static void used_elem(const struct ring *r, uint16_t slot, uint32_t *id, uint32_t *len)
{
    const uint8_t *e = gp(r->used + 4 + 8ull * (slot % r->size));
    memcpy(id, e, 4);
    memcpy(len, e + 4, 4);
}

static uint16_t *used_event_field(const struct ring *r)
{
    return gp(r->avail + 4 + 2ull * r->size);
}

static uint16_t avail_event_field(const struct ring *r)
{
    return *(uint16_t *)gp(r->used + 4 + 8ull * r->size);
}

static void kick(struct vmmio *d, unsigned q)
{
    wr(d, VMMIO_QUEUE_NOTIFY, q);
}

/* ---- a block device over a memfd ---- */
static struct vblk blk;
static int disk_fd = -1;
#define DISK_SECTORS 64

static void disk_pattern(uint8_t *buf, uint64_t sector)
{
    for (unsigned j = 0; j < VBLK_SECTOR; j++)
        buf[j] = (uint8_t)(sector * 7 + j);
}

static struct vmmio *new_blk(bool read_only)
{
    setup_ram();
    if (disk_fd >= 0)
        close(disk_fd);
    disk_fd = memfd_create("hostsim-test-disk", 0);
    uint8_t sec[VBLK_SECTOR];
    for (uint64_t s = 0; s < DISK_SECTORS; s++) {
        disk_pattern(sec, s);
        if (pwrite(disk_fd, sec, sizeof sec, (off_t)(s * VBLK_SECTOR)) != (ssize_t)sizeof sec)
            abort();
    }
    vblk_init_fd(&blk, disk_fd, DISK_SECTORS * VBLK_SECTOR, read_only, "test-disk");
    vblk_attach(&blk, 0xc0001000, 5, &mem, &host, NULL);
    return &blk.t;
}

#define BLK_FEATURES (VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH)

static void blk_header(uint64_t gpa, uint32_t type, uint64_t sector)
{
    uint8_t *h = gp(gpa);
    memset(h, 0, 16);
    memcpy(h, &type, 4);
    memcpy(h + 8, &sector, 8);
}

/* A three-descriptor request: header, data, status. */
static uint16_t blk_request(struct ring *r, uint32_t type, uint64_t sector, uint32_t data_len,
                            int data_writable)
{
    blk_header(DATA, type, sector);
    *(uint8_t *)gp(DATA + 0x10000) = 0xEE;
    struct seg s[3] = {
        {DATA, 16, 0}, {DATA + 0x1000, data_len, data_writable}, {DATA + 0x10000, 1, 1}};
    if (data_len == 0) {
        s[1] = s[2];
        return add_chain(r, s, 2);
    }
    return add_chain(r, s, 3);
}

static uint8_t blk_status(void)
{
    return *(uint8_t *)gp(DATA + 0x10000);
}

/* ================= transport ================= */

TEST(mmio_identity_registers)
{
    struct vmmio *d = new_blk(false);
    CHECK_EQ(rd(d, VMMIO_MAGIC_VALUE), 0x74726976u);
    CHECK_EQ(rd(d, VMMIO_VERSION), 2u);
    CHECK_EQ(rd(d, VMMIO_DEVICE_ID), 2u);
    CHECK_EQ(rd(d, VMMIO_VENDOR_ID), 0u);
    CHECK_EQ(device_features(d), 0x120000200ull); /* VERSION_1 | EVENT_IDX | FLUSH */
    wr(d, VMMIO_QUEUE_SEL, 0);
    CHECK_EQ(rd(d, VMMIO_QUEUE_NUM_MAX), 256u);
    wr(d, VMMIO_QUEUE_SEL, 1);
    CHECK_EQ(rd(d, VMMIO_QUEUE_NUM_MAX), 0u); /* no such queue: legal probe */
    CHECK(NO_FAULT());
}

TEST(mmio_blk_ro_features)
{
    struct vmmio *d = new_blk(true);
    CHECK_EQ(device_features(d), 0x120000220ull); /* + RO(5) */
    CHECK(NO_FAULT());
}

TEST(mmio_full_bring_up_and_reset)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    CHECK(NO_FAULT());
    CHECK_EQ(rd(d, VMMIO_STATUS), 0xFu);
    CHECK(d->live);
    CHECK_EQ(host_state.live_on, 1);
    wr(d, VMMIO_STATUS, 0);
    CHECK_EQ(rd(d, VMMIO_STATUS), 0u);
    CHECK(!d->live);
    wr(d, VMMIO_QUEUE_SEL, 0);
    CHECK_EQ(rd(d, VMMIO_QUEUE_READY), 0u);
    bring_up(d, BLK_FEATURES, 8); /* again after the reset */
    CHECK(NO_FAULT());
    CHECK(d->live);
}

TEST(mmio_status_skipping_a_step)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 3);
    CHECK(FAULTED("virtio-blk@0xc0001000: status 0x3 written after 0x0; expected 0x1"));
    CHECK(d->broken);
}

TEST(mmio_status_driver_ok_without_features_ok)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    wr(d, VMMIO_STATUS, 7);
    CHECK(FAULTED("status 0x7 written after 0x3; expected 0xb"));
}

TEST(mmio_status_rewritten_after_driver_ok)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    wr(d, VMMIO_STATUS, 0xF);
    CHECK(FAULTED("only 0 (reset) may follow"));
}

TEST(mmio_failed_bit_is_accepted)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 1 | VIRTIO_STATUS_FAILED);
    CHECK(NO_FAULT());
    CHECK_EQ(rd(d, VMMIO_STATUS), 0x81u);
    wr(d, VMMIO_STATUS, 0);
    bring_up(d, BLK_FEATURES, 8);
    CHECK(NO_FAULT());
}

TEST(mmio_failed_bit_clearing_others)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    wr(d, VMMIO_STATUS, VIRTIO_STATUS_FAILED);
    CHECK(FAULTED("clears bits"));
}

TEST(mmio_features_without_version_1)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, VIRTIO_BLK_F_FLUSH);
    wr(d, VMMIO_STATUS, 0xB);
    CHECK(FAULTED("without VIRTIO_F_VERSION_1"));
}

TEST(mmio_features_not_offered)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC);
    CHECK(FAULTED("acknowledges bits 0x10000000 the device does not offer"));
}

TEST(mmio_features_outside_negotiation)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    CHECK(NO_FAULT());
    wr(d, VMMIO_DRIVER_FEATURES, 0);
    CHECK(FAULTED("features are acknowledged only between DRIVER and FEATURES_OK"));
}

TEST(mmio_features_before_select)
{
    struct vmmio *d = new_blk(false);
    rd(d, VMMIO_DEVICE_FEATURES);
    CHECK(FAULTED("DeviceFeatures read before DeviceFeaturesSel"));
}

TEST(mmio_register_width_and_alignment)
{
    struct vmmio *d = new_blk(false);
    uint16_t v16 = 1;
    vmmio_write(d, NULL, VMMIO_STATUS, (const uint8_t *)&v16, 2);
    CHECK(FAULTED("2-byte write at register 0x070"));

    d = new_blk(false);
    uint32_t v = 0;
    vmmio_read(d, NULL, VMMIO_STATUS + 2, (uint8_t *)&v, 4);
    CHECK(FAULTED("32-bit aligned"));

    d = new_blk(false);
    uint64_t v64 = 0;
    vmmio_read(d, NULL, VMMIO_MAGIC_VALUE, (uint8_t *)&v64, 8);
    CHECK(FAULTED("8-byte read at register 0x000"));
}

TEST(mmio_register_directions)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_MAGIC_VALUE, 0);
    CHECK(FAULTED("write of register 0x000, which is read-only"));
    d = new_blk(false);
    rd(d, VMMIO_QUEUE_NOTIFY);
    CHECK(FAULTED("read of register 0x050, which is write-only"));
    d = new_blk(false);
    rd(d, 0x0f0);
    CHECK(FAULTED("which is no register"));
    d = new_blk(false);
    rd(d, VMMIO_SHM_LEN_LOW);
    CHECK(FAULTED("no shared memory regions"));
    d = new_blk(false);
    wr(d, VMMIO_QUEUE_RESET, 1);
    CHECK(FAULTED("VIRTIO_F_RING_RESET is not offered"));
}

TEST(mmio_queue_size_not_power_of_two)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 100);
    CHECK(FAULTED("queue 0: size 100 is not a power of two"));
}

TEST(mmio_queue_size_above_max)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 512);
    CHECK(FAULTED("QueueNum 512 is larger than QueueNumMax 256"));
}

TEST(mmio_queue_without_num)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    wr(d, VMMIO_QUEUE_SEL, 0);
    wr(d, VMMIO_QUEUE_READY, 1);
    CHECK(FAULTED("without QueueNum written"));
}

TEST(mmio_queue_misaligned_and_outside_ram)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    setup_queue(d, 0, 8, Q0_DESC + 8, Q0_AVAIL, Q0_USED);
    CHECK(FAULTED("descriptor area at 0x100008 is not 16-byte aligned"));

    d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    setup_queue(d, 0, 8, Q0_DESC, Q0_AVAIL, RAM_GPA + RAM_SIZE - 8);
    CHECK(FAULTED("device area (used ring)"));
    CHECK(FAULTED("is not inside guest RAM"));

    d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    setup_queue(d, 0, 8, Q0_DESC, Q0_AVAIL + 1, Q0_USED);
    CHECK(FAULTED("not 2-byte aligned"));
}

TEST(mmio_queue_setup_outside_window)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_QUEUE_SEL, 0);
    wr(d, VMMIO_QUEUE_NUM, 8);
    CHECK(FAULTED("QueueNum written with status 0x1"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    wr(d, VMMIO_QUEUE_DESC_LOW, 0);
    CHECK(FAULTED("QueueDescLow written with status 0xf"));
}

TEST(mmio_queue_register_while_ready)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    setup_queue(d, 0, 8, Q0_DESC, Q0_AVAIL, Q0_USED);
    wr(d, VMMIO_QUEUE_NUM, 16);
    CHECK(FAULTED("while QueueReady is 1"));
}

TEST(mmio_queue_of_missing_index)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    wr(d, VMMIO_QUEUE_SEL, 3);
    wr(d, VMMIO_QUEUE_NUM, 8);
    CHECK(FAULTED("QueueNum written for queue 3; the device has 1 queue"));
}

TEST(mmio_driver_ok_with_queue_not_ready)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    wr(d, VMMIO_STATUS, 0xF);
    CHECK(FAULTED("DRIVER_OK while queue 0 is not ready"));
}

TEST(mmio_notify_before_driver_ok)
{
    struct vmmio *d = new_blk(false);
    wr(d, VMMIO_STATUS, 1);
    wr(d, VMMIO_STATUS, 3);
    ack_features(d, BLK_FEATURES);
    wr(d, VMMIO_STATUS, 0xB);
    setup_queue(d, 0, 8, Q0_DESC, Q0_AVAIL, Q0_USED);
    kick(d, 0);
    CHECK(FAULTED("before DRIVER_OK"));
}

TEST(mmio_notify_bad_queue)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    kick(d, 1);
    CHECK(FAULTED("QueueNotify written with 1; the device has queues 0 to 0"));
}

TEST(mmio_interrupt_status_and_ack)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK(NO_FAULT());
    CHECK_EQ(host_state.irqs, 1);
    CHECK_EQ(host_state.gsi, 5u);
    CHECK_EQ(rd(d, VMMIO_INTERRUPT_STATUS), 1u);
    wr(d, VMMIO_INTERRUPT_ACK, 1);
    CHECK_EQ(rd(d, VMMIO_INTERRUPT_STATUS), 0u);
    wr(d, VMMIO_INTERRUPT_ACK, 4);
    CHECK(FAULTED("InterruptACK 0x4 sets undefined bits"));
}

/* ================= configuration space ================= */

TEST(config_blk_capacity_widths)
{
    struct vmmio *d = new_blk(false);
    CHECK_EQ(rd(d, VMMIO_CONFIG), (uint32_t)DISK_SECTORS);
    CHECK_EQ(rd(d, VMMIO_CONFIG + 4), 0u);
    CHECK(NO_FAULT());
    uint64_t v = 0;
    vmmio_read(d, NULL, VMMIO_CONFIG, (uint8_t *)&v, 8);
    CHECK(FAULTED("field capacity, 64-bit"));
    CHECK(FAULTED("4-byte aligned accesses of 4 bytes"));

    d = new_blk(false);
    rd(d, VMMIO_CONFIG + 20); /* blk_size: needs BLK_SIZE, not offered */
    CHECK(FAULTED("config read of 4 bytes at offset 0x14: no field"));

    d = new_blk(false);
    wr(d, VMMIO_CONFIG, 1);
    CHECK(FAULTED("config write to capacity"));
}

/* ================= split virtqueue rules ================= */

TEST(virtq_head_out_of_range)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    uint16_t *ring = gp(Q0_AVAIL + 4);
    ring[0] = 9;
    *(uint16_t *)gp(Q0_AVAIL + 2) = 1;
    kick(d, 0);
    CHECK(FAULTED("virtio-blk@0xc0001000: queue 0: available ring slot 0 holds descriptor 9, "
                  "outside the queue of 8"));
}

TEST(virtq_next_out_of_range)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_header(DATA, VIRTIO_BLK_T_FLUSH, 0);
    put_desc(&r, 0, DATA, 16, DEVQ_DESC_F_NEXT, 12);
    *(uint16_t *)gp(Q0_AVAIL + 4) = 0;
    set_avail_idx(&r, 1);
    kick(d, 0);
    CHECK(FAULTED("descriptor 0 (chain from 0) has next 12, outside the queue of 8"));
}

TEST(virtq_chain_loop)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    put_desc(&r, 0, DATA, 16, DEVQ_DESC_F_NEXT, 1);
    put_desc(&r, 1, DATA, 16, DEVQ_DESC_F_NEXT, 0);
    set_avail_idx(&r, 1);
    kick(d, 0);
    CHECK(FAULTED("more than 8 descriptors (the queue size): a loop"));
}

TEST(virtq_buffer_outside_ram)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    struct seg s[2] = {{RAM_GPA + RAM_SIZE - 8, 16, 0}, {DATA, 1, 1}};
    add_chain(&r, s, 2);
    kick(d, 0);
    CHECK(FAULTED("buffer 0x2ffff8+0x10 is not inside guest RAM"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    struct seg w[2] = {{DATA, 16, 0}, {0xFFFFFFFFFFFFFFF0ull, 0x20, 1}};
    add_chain(&r, w, 2);
    kick(d, 0);
    CHECK(FAULTED("is not inside guest RAM"));
}

TEST(virtq_readable_after_writable)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    struct seg s[3] = {{DATA, 16, 0}, {DATA + 0x100, 1, 1}, {DATA + 0x200, 512, 0}};
    add_chain(&r, s, 3);
    kick(d, 0);
    CHECK(FAULTED("device-readable after a device-writable one"));
}

TEST(virtq_indirect_refused)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    put_desc(&r, 0, DATA, 48, DEVQ_DESC_F_INDIRECT, 0);
    set_avail_idx(&r, 1);
    kick(d, 0);
    CHECK(FAULTED("is indirect, but VIRTIO_F_INDIRECT_DESC is not offered"));
}

TEST(virtq_avail_idx_runs_ahead)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    set_avail_idx(&r, 9);
    kick(d, 0);
    CHECK(FAULTED("available idx 9 is 9 entries past the device's position 0"));

    /* Decrementing looks like running ahead by almost 2^16. */
    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK(NO_FAULT());
    set_avail_idx(&r, 0);
    kick(d, 0);
    CHECK(FAULTED("65535 entries past"));
}

TEST(virtq_avail_flags_rules)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    *(uint16_t *)gp(Q0_AVAIL) = DEVQ_AVAIL_F_NO_INTERRUPT;
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK(NO_FAULT());
    CHECK_EQ(host_state.irqs, 0); /* suppressed */
    CHECK_EQ(used_idx(&r), 1);
    *(uint16_t *)gp(Q0_AVAIL) = 2;
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK(FAULTED("available ring flags are 0x2; the driver must set 0 or 1"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES | VIRTIO_F_EVENT_IDX, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    *(uint16_t *)gp(Q0_AVAIL) = DEVQ_AVAIL_F_NO_INTERRUPT;
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK(FAULTED("with VIRTIO_F_EVENT_IDX the driver must set 0"));
}

TEST(virtq_event_idx_interrupts)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES | VIRTIO_F_EVENT_IDX, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    /* used_event 2: an interrupt only when used entry 2 is written. */
    *used_event_field(&r) = 2;
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(used_idx(&r), 1);
    CHECK_EQ(host_state.irqs, 0);
    CHECK_EQ(avail_event_field(&r), 1); /* notify me when you add entry 1 */
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(host_state.irqs, 0);
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(used_idx(&r), 3);
    CHECK_EQ(host_state.irqs, 1);
    /* A batch that passes used_event: one interrupt for the batch. */
    *used_event_field(&r) = 4;
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(used_idx(&r), 6);
    CHECK_EQ(host_state.irqs, 2);
    CHECK_EQ(avail_event_field(&r), 6);
    /* used_event already behind: no interrupt. */
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(host_state.irqs, 2);
    CHECK(NO_FAULT());
}

TEST(virtq_index_wraparound)
{
    /* 70000 requests through a queue of 4: both 16-bit indices wrap. */
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES | VIRTIO_F_EVENT_IDX, 4);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 4);
    unsigned irqs_expected = 0;
    for (unsigned i = 0; i < 70000; i++) {
        uint16_t head = blk_request(&r, VIRTIO_BLK_T_GET_ID, 0, 20, 1);
        *used_event_field(&r) = r.last_used; /* interrupt on each */
        kick(d, 0);
        irqs_expected++;
        if (host_state.faults)
            break;
        uint32_t id, len;
        CHECK_EQ(used_idx(&r), (uint16_t)(r.last_used + 1));
        used_elem(&r, r.last_used, &id, &len);
        CHECK_EQ(id, head);
        CHECK_EQ(len, 21u);
        r.last_used++;
    }
    CHECK(NO_FAULT());
    CHECK_EQ(used_idx(&r), (uint16_t)70000);
    CHECK_EQ(host_state.irqs, (int)irqs_expected);
    CHECK_EQ(blk.get_ids, 70000u);
}

/* ================= virtio-blk requests ================= */

TEST(blk_read_write_flush_get_id)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES | VIRTIO_F_EVENT_IDX, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    uint32_t id, len;

    /* IN: sectors 3-4 */
    blk_request(&r, VIRTIO_BLK_T_IN, 3, 1024, 1);
    kick(d, 0);
    CHECK(NO_FAULT());
    used_elem(&r, 0, &id, &len);
    CHECK_EQ(len, 1025u);
    CHECK_EQ(blk_status(), VIRTIO_BLK_S_OK);
    uint8_t want[VBLK_SECTOR];
    disk_pattern(want, 3);
    CHECK(memcmp(gp(DATA + 0x1000), want, VBLK_SECTOR) == 0);
    disk_pattern(want, 4);
    CHECK(memcmp(gp(DATA + 0x1000 + VBLK_SECTOR), want, VBLK_SECTOR) == 0);

    /* OUT: sector 10 */
    memset(gp(DATA + 0x1000), 0x5A, VBLK_SECTOR);
    blk_request(&r, VIRTIO_BLK_T_OUT, 10, VBLK_SECTOR, 0);
    kick(d, 0);
    used_elem(&r, 1, &id, &len);
    CHECK_EQ(len, 1u);
    CHECK_EQ(blk_status(), VIRTIO_BLK_S_OK);
    uint8_t back[VBLK_SECTOR];
    CHECK_EQ(pread(disk_fd, back, sizeof back, 10 * VBLK_SECTOR), (ssize_t)sizeof back);
    memset(want, 0x5A, sizeof want);
    CHECK(memcmp(back, want, sizeof back) == 0);

    blk_request(&r, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(blk_status(), VIRTIO_BLK_S_OK);

    memset(gp(DATA + 0x1000), 0xFF, 20);
    blk_request(&r, VIRTIO_BLK_T_GET_ID, 0, 20, 1);
    kick(d, 0);
    used_elem(&r, 3, &id, &len);
    CHECK_EQ(len, 21u);
    CHECK(memcmp(gp(DATA + 0x1000), "test-disk\0\0\0\0\0\0\0\0\0\0\0", 20) == 0);

    blk_request(&r, 11 /* DISCARD: not offered */, 0, 0, 0);
    kick(d, 0);
    CHECK_EQ(blk_status(), VIRTIO_BLK_S_UNSUPP);
    CHECK(NO_FAULT());
    CHECK_EQ(blk.reads, 1u);
    CHECK_EQ(blk.writes, 1u);
}

TEST(blk_header_split_across_descriptors)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_header(DATA, VIRTIO_BLK_T_IN, 1);
    /* header in 3 pieces, data in 2, status alone */
    struct seg s[6] = {{DATA, 4, 0},
                       {DATA + 4, 4, 0},
                       {DATA + 8, 8, 0},
                       {DATA + 0x1000, 100, 1},
                       {DATA + 0x2000, 412, 1},
                       {DATA + 0x10000, 1, 1}};
    add_chain(&r, s, 6);
    kick(d, 0);
    CHECK(NO_FAULT());
    uint8_t want[VBLK_SECTOR];
    disk_pattern(want, 1);
    CHECK(memcmp(gp(DATA + 0x1000), want, 100) == 0);
    CHECK(memcmp(gp(DATA + 0x2000), want + 100, 412) == 0);
    CHECK_EQ(blk_status(), VIRTIO_BLK_S_OK);
}

TEST(blk_read_only_write_is_ioerr)
{
    struct vmmio *d = new_blk(true);
    bring_up(d, BLK_FEATURES | VIRTIO_BLK_F_RO, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    memset(gp(DATA + 0x1000), 0x77, VBLK_SECTOR);
    blk_request(&r, VIRTIO_BLK_T_OUT, 0, VBLK_SECTOR, 0);
    kick(d, 0);
    CHECK(NO_FAULT());
    CHECK_EQ(blk_status(), VIRTIO_BLK_S_IOERR);
    uint8_t back[VBLK_SECTOR], want[VBLK_SECTOR];
    CHECK_EQ(pread(disk_fd, back, sizeof back, 0), (ssize_t)sizeof back);
    disk_pattern(want, 0);
    CHECK(memcmp(back, want, sizeof back) == 0); /* nothing written */
}

TEST(blk_malformed_requests)
{
    struct ring r;
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    struct seg shorthdr[2] = {{DATA, 8, 0}, {DATA + 0x10000, 1, 1}};
    add_chain(&r, shorthdr, 2);
    kick(d, 0);
    CHECK(FAULTED("has 8 device-readable bytes; the header needs 16"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_header(DATA, VIRTIO_BLK_T_FLUSH, 0);
    struct seg nostatus[1] = {{DATA, 16, 0}};
    add_chain(&r, nostatus, 1);
    kick(d, 0);
    CHECK(FAULTED("no device-writable byte for the status"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_IN, 0, 500, 1);
    kick(d, 0);
    CHECK(FAULTED("IN of 500 data bytes: not a multiple of 512"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024, 1);
    kick(d, 0);
    CHECK(FAULTED("IN of 2 sectors at sector 63 goes beyond the capacity of 64 sectors"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_OUT, UINT64_MAX, 512, 0);
    kick(d, 0);
    CHECK(FAULTED("goes beyond the capacity"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_IN, 0, 512, 0); /* data device-readable */
    kick(d, 0);
    CHECK(FAULTED("IN request (head 0) has 512 device-readable bytes after the header"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_OUT, 0, 512, 1); /* data device-writable */
    kick(d, 0);
    CHECK(FAULTED("OUT request (head 0) has 512 device-writable bytes"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_FLUSH, 5, 0, 0);
    kick(d, 0);
    CHECK(FAULTED("FLUSH request (head 0) with sector 5"));

    d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    blk_request(&r, VIRTIO_BLK_T_GET_ID, 0, 16, 1);
    kick(d, 0);
    CHECK(FAULTED("GET_ID request (head 0) with 16 data bytes; it must be 20"));
}

TEST(blk_broken_device_stays_quiet)
{
    struct vmmio *d = new_blk(false);
    bring_up(d, BLK_FEATURES, 8);
    struct ring r = ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, 8);
    set_avail_idx(&r, 100);
    kick(d, 0);
    CHECK_EQ(host_state.faults, 1);
    /* Everything after the first violation is ignored, reported once. */
    kick(d, 0);
    wr(d, VMMIO_STATUS, 3);
    CHECK_EQ(rd(d, VMMIO_MAGIC_VALUE), 0u);
    CHECK_EQ(host_state.faults, 1);
}

/* ================= virtio-net ================= */

static struct vnet net;
static int sock[2] = {-1, -1};
static unsigned offload_set;
static int offload_calls;

static int fake_offload(void *ctx, unsigned flags)
{
    (void)ctx;
    offload_set = flags;
    offload_calls++;
    return 0;
}

static const uint8_t test_mac[6] = {0x06, 0x00, 0xac, 0x10, 0x00, 0x02};

static struct vmmio *new_net(bool with_mac, uint16_t mtu)
{
    setup_ram();
    if (sock[0] >= 0) {
        close(sock[0]);
        close(sock[1]);
        vnet_free(&net);
    }
    /* A datagram socket pair stands for the TAP: one frame per read/write. */
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sock) != 0)
        abort();
    int size = 1 << 20;
    setsockopt(sock[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(sock[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    vnet_init(&net, sock[0], "test0", with_mac ? test_mac : NULL, mtu);
    net.set_offload = fake_offload;
    offload_calls = 0;
    offload_set = 0xFFFF;
    vnet_attach(&net, 0xc0003000, 7, &mem, &host, NULL);
    return &net.t;
}

#define NET_BASIC (VIRTIO_F_VERSION_1)

static void net_hdr(uint64_t gpa, uint8_t flags, uint8_t gso, uint16_t csum_start,
                    uint16_t csum_offset, uint16_t num_buffers)
{
    uint8_t *h = gp(gpa);
    memset(h, 0, VNET_HDR);
    h[0] = flags;
    h[1] = gso;
    memcpy(h + 6, &csum_start, 2);
    memcpy(h + 8, &csum_offset, 2);
    memcpy(h + 10, &num_buffers, 2);
    if (gso) {
        uint16_t mss = 1448;
        memcpy(h + 4, &mss, 2);
    }
}

TEST(net_features_and_config)
{
    struct vmmio *d = new_net(true, 1500);
    CHECK_EQ(rd(d, VMMIO_DEVICE_ID), 1u);
    CHECK_EQ(device_features(d), 0x12000DD83ull | VIRTIO_NET_F_MAC | VIRTIO_NET_F_MTU);
    uint8_t mac[6];
    for (unsigned i = 0; i < 6; i++)
        vmmio_read(d, NULL, VMMIO_CONFIG + i, &mac[i], 1);
    CHECK(memcmp(mac, test_mac, 6) == 0);
    uint16_t mtu = 0;
    vmmio_read(d, NULL, VMMIO_CONFIG + 10, (uint8_t *)&mtu, 2);
    CHECK_EQ(mtu, 1500);
    wr(d, VMMIO_QUEUE_SEL, 1);
    CHECK_EQ(rd(d, VMMIO_QUEUE_NUM_MAX), 256u);
    CHECK(NO_FAULT());
    uint32_t v = 0;
    vmmio_read(d, NULL, VMMIO_CONFIG, (uint8_t *)&v, 4); /* mac is bytes: bytewise only */
    CHECK(FAULTED("field mac, 8-bit"));

    d = new_net(false, 0);
    CHECK_EQ(device_features(d), 0x12000DD83ull);
    vmmio_read(d, NULL, VMMIO_CONFIG + 10, (uint8_t *)&mtu, 2);
    CHECK(FAULTED("no field"));
    d = new_net(false, 0);
    uint16_t status = 0;
    vmmio_read(d, NULL, VMMIO_CONFIG + 6, (uint8_t *)&status, 2); /* needs STATUS */
    CHECK(FAULTED("no field"));
}

TEST(net_feature_dependencies)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_GUEST_TSO4, 8);
    CHECK(FAULTED("GUEST_TSO4 acknowledged without GUEST_CSUM"));
    d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_HOST_UFO, 8);
    CHECK(FAULTED("HOST_UFO acknowledged without CSUM"));
}

TEST(net_offloads_follow_acked_features)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    CHECK(NO_FAULT());
    CHECK_EQ(offload_calls, 1);
    CHECK_EQ(offload_set, 0u);
    d = new_net(false, 0);
    bring_up(d,
             NET_BASIC | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_GUEST_TSO4 |
                 VIRTIO_NET_F_GUEST_TSO6 | VIRTIO_NET_F_GUEST_UFO,
             8);
    CHECK(NO_FAULT());
    CHECK_EQ(offload_set,
             (unsigned)(VNET_TUN_F_CSUM | VNET_TUN_F_TSO4 | VNET_TUN_F_TSO6 | VNET_TUN_F_UFO));
}

static struct ring txring(void)
{
    return ring_at(Q1_DESC, Q1_AVAIL, Q1_USED, 8);
}

static struct ring rxring(uint16_t size)
{
    return ring_at(Q0_DESC, Q0_AVAIL, Q0_USED, size);
}

TEST(net_transmit_passes_header_through)
{
    struct vmmio *d = new_net(true, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_CSUM | VIRTIO_NET_F_HOST_TSO4, 8);
    struct ring r = txring();
    net_hdr(DATA, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 34, 16, 0);
    for (unsigned i = 0; i < 100; i++)
        ((uint8_t *)gp(DATA + 0x1000))[i] = (uint8_t)i;
    struct seg s[2] = {{DATA, VNET_HDR, 0}, {DATA + 0x1000, 100, 0}};
    add_chain(&r, s, 2);
    kick(d, VNET_TXQ);
    CHECK(NO_FAULT());
    uint8_t got[256];
    ssize_t n = read(sock[1], got, sizeof got);
    CHECK_EQ(n, 112);
    CHECK(memcmp(got, gp(DATA), VNET_HDR) == 0);
    CHECK(memcmp(got + VNET_HDR, gp(DATA + 0x1000), 100) == 0);
    uint32_t id, len;
    used_elem(&r, 0, &id, &len);
    CHECK_EQ(used_idx(&r), 1);
    CHECK_EQ(len, 0u);
    CHECK_EQ(host_state.irqs, 1);
    CHECK_EQ(net.tx_frames, 1u);
}

TEST(net_transmit_violations)
{
    struct ring r;
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    r = txring();
    net_hdr(DATA, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 34, 16, 0);
    struct seg s[2] = {{DATA, VNET_HDR, 0}, {DATA + 0x1000, 100, 0}};
    add_chain(&r, s, 2);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("flags 0x1 without VIRTIO_NET_F_CSUM negotiated"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_CSUM, 8);
    r = txring();
    net_hdr(DATA, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 34, 16, 0);
    add_chain(&r, s, 2);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("gso_type 0x1 without the HOST_* feature"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_CSUM, 8);
    r = txring();
    net_hdr(DATA, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 90, 16, 0);
    add_chain(&r, s, 2);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("checksum at csum_start 90 + csum_offset 16 lies outside the 100-byte frame"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    r = txring();
    net_hdr(DATA, 0, 0, 0, 0, 1);
    add_chain(&r, s, 2);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("num_buffers is 1; the driver must set 0"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_CSUM, 8);
    r = txring();
    net_hdr(DATA, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0);
    add_chain(&r, s, 2);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("set DATA_VALID or RSC_INFO"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    r = txring();
    struct seg shorthdr[1] = {{DATA, 10, 0}};
    add_chain(&r, shorthdr, 1);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("less than the 12-byte virtio_net_hdr"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    r = txring();
    net_hdr(DATA, 0, 0, 0, 0, 0);
    struct seg w[2] = {{DATA, VNET_HDR, 0}, {DATA + 0x1000, 100, 1}};
    add_chain(&r, w, 2);
    kick(d, VNET_TXQ);
    CHECK(FAULTED("transmit chain (head 0) has device-writable descriptors"));
}

static void send_frame(size_t frame_len, uint8_t flags)
{
    static uint8_t buf[VNET_FRAME_MAX];
    memset(buf, 0, VNET_HDR);
    buf[0] = flags;
    buf[10] = 0xAA; /* garbage in num_buffers: the device must set it */
    for (size_t i = 0; i < frame_len; i++)
        buf[VNET_HDR + i] = (uint8_t)(i * 3);
    if (write(sock[1], buf, VNET_HDR + frame_len) != (ssize_t)(VNET_HDR + frame_len))
        abort();
}

static int frame_ok(const uint8_t *p, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (uint8_t)((from + i) * 3))
            return 0;
    }
    return 1;
}

TEST(net_receive_single_buffers)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_GUEST_CSUM, 8);
    struct ring r = rxring(8);
    struct seg s[2] = {{DATA, 100, 1}, {DATA + 0x1000, 1426, 1}}; /* 1526 in two pieces */
    add_chain(&r, s, 2);
    kick(d, VNET_RXQ); /* buffers but no frame yet */
    CHECK_EQ(used_idx(&r), 0);
    send_frame(1000, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    CHECK_EQ(vnet_receive(&net, 64), 0);
    CHECK(NO_FAULT());
    CHECK_EQ(used_idx(&r), 1);
    uint32_t id, len;
    used_elem(&r, 0, &id, &len);
    CHECK_EQ(len, 1012u);
    uint8_t *h = gp(DATA);
    CHECK_EQ(h[0], VIRTIO_NET_HDR_F_NEEDS_CSUM); /* passed through */
    CHECK_EQ(h[10], 1);
    CHECK_EQ(h[11], 0); /* num_buffers = 1 */
    CHECK(frame_ok(gp(DATA + VNET_HDR), 0, 88));
    CHECK(frame_ok(gp(DATA + 0x1000), 88, 1000 - 88));
    CHECK_EQ(host_state.irqs, 1);

    /* A second frame with no buffer left waits, and goes once one is added. */
    send_frame(60, 0);
    CHECK_EQ(vnet_receive(&net, 64), 0);
    CHECK(net.frame_pending);
    CHECK(!vnet_wants_frames(&net));
    struct seg s2[1] = {{DATA + 0x4000, 1526, 1}};
    add_chain(&r, s2, 1);
    kick(d, VNET_RXQ);
    CHECK_EQ(used_idx(&r), 2);
    CHECK(!net.frame_pending);
    CHECK(vnet_wants_frames(&net));
    CHECK_EQ(net.rx_frames, 2u);
    CHECK(NO_FAULT());
}

TEST(net_receive_buffer_rules)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    struct ring r = rxring(8);
    struct seg small[1] = {{DATA, 1500, 1}};
    add_chain(&r, small, 1);
    send_frame(60, 0);
    vnet_receive(&net, 64);
    CHECK(FAULTED("receive chain (head 0) has 1500 bytes; without MRG_RXBUF each must hold 1526"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_GUEST_TSO4, 8);
    r = rxring(8);
    struct seg mid[1] = {{DATA, 2048, 1}};
    add_chain(&r, mid, 1);
    send_frame(60, 0);
    vnet_receive(&net, 64);
    CHECK(FAULTED("must hold 65562"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    r = rxring(8);
    struct seg ro[1] = {{DATA, 2048, 0}};
    add_chain(&r, ro, 1);
    send_frame(60, 0);
    vnet_receive(&net, 64);
    CHECK(FAULTED("receive chain (head 0) has device-readable descriptors"));

    d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_MRG_RXBUF, 8);
    r = rxring(8);
    struct seg tiny[1] = {{DATA, 8, 1}};
    add_chain(&r, tiny, 1);
    send_frame(60, 0);
    vnet_receive(&net, 64);
    CHECK(FAULTED("each buffer must hold at least the 12-byte header"));
}

TEST(net_receive_mergeable)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC | VIRTIO_NET_F_MRG_RXBUF | VIRTIO_F_EVENT_IDX, 8);
    struct ring r = rxring(8);
    struct seg b0[1] = {{DATA, 512, 1}};
    struct seg b1[1] = {{DATA + 0x1000, 512, 1}};
    add_chain(&r, b0, 1);
    add_chain(&r, b1, 1);
    send_frame(1400, 0); /* 1412 bytes with the header: needs 3 buffers of 512 */
    CHECK_EQ(vnet_receive(&net, 64), 0);
    CHECK(NO_FAULT());
    CHECK_EQ(used_idx(&r), 0); /* two are not enough: nothing used */
    CHECK(net.frame_pending);
    CHECK_EQ(avail_event_field(&r), 2); /* given back; notify me at the third */
    struct seg b2[1] = {{DATA + 0x2000, 512, 1}};
    add_chain(&r, b2, 1);
    kick(d, VNET_RXQ);
    CHECK(NO_FAULT());
    CHECK_EQ(used_idx(&r), 3);
    uint32_t id, len;
    used_elem(&r, 0, &id, &len);
    CHECK_EQ(len, 512u);
    used_elem(&r, 2, &id, &len);
    CHECK_EQ(len, 1412u - 1024u);
    uint16_t nb;
    memcpy(&nb, gp(DATA + 10), 2);
    CHECK_EQ(nb, 3);
    CHECK(frame_ok(gp(DATA + VNET_HDR), 0, 500));
    CHECK(frame_ok(gp(DATA + 0x1000), 500, 512));
    CHECK(frame_ok(gp(DATA + 0x2000), 1012, 388));
    CHECK_EQ(host_state.irqs, 1);
}

TEST(net_receive_oversized_frame_dropped)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    struct ring r = rxring(8);
    struct seg s[1] = {{DATA, 1526, 1}};
    add_chain(&r, s, 1);
    send_frame(3000, 0); /* a TAP with a large MTU: not the guest's fault */
    send_frame(100, 0);
    CHECK_EQ(vnet_receive(&net, 64), 0);
    CHECK(NO_FAULT());
    CHECK_EQ(net.rx_dropped, 1u);
    CHECK_EQ(used_idx(&r), 1); /* the buffer went to the next frame */
    uint32_t id, len;
    used_elem(&r, 0, &id, &len);
    CHECK_EQ(len, 112u);
}

TEST(net_reset_drops_pending_frame)
{
    struct vmmio *d = new_net(false, 0);
    bring_up(d, NET_BASIC, 8);
    send_frame(100, 0);
    vnet_receive(&net, 64);
    CHECK(net.frame_pending);
    wr(d, VMMIO_STATUS, 0);
    CHECK(!net.frame_pending);
    CHECK(!vnet_wants_frames(&net));
    CHECK(NO_FAULT());
}

UNIT_MAIN()
