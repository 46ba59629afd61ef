/* libFuzzer harness: hostsim's virtio-blk back end (hostsim/virtio/blk.c over
 * mmio.c and virtq.c), driven through its MMIO registers and rings by a
 * driver whose requests the input shapes: header bytes and their split into
 * descriptors, data descriptors of any length and direction, the status
 * descriptor's length, sectors in and out of range, any request type. The
 * harness judges each request by its own reading of virtio 1.2 5.2.6 (the
 * device-readable bytes start with a 16-byte header, the device-writable ones
 * end with the status byte, data in the right direction and whole sectors
 * inside the capacity, FLUSH at sector 0, GET_ID with 20 bytes; no readable
 * descriptor after a writable one, 2.7.4.2) and checks:
 *   - a well-formed request completes: one used element with its head and
 *     the bytes written, status OK (IOERR for OUT to a read-only disk,
 *     UNSUPP for an unknown type), IN returns what the harness's own copy of
 *     the disk holds, OUT changes that copy, GET_ID returns the id;
 *   - a malformed one is reported as a violation and never completed, and
 *     the disk file stays what the harness expects;
 *   - after a violation the device publishes nothing more;
 *   - guest memory outside RAM (guard bytes around it) is never written.
 * The rest of the input is then written to registers and rings at random,
 * where only the last two hold.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_virtio_blk.c hostsim/virtio/{blk,mmio,virtq}.c \
 *     hostsim/guest_mem.c hostsim/log.c */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostsim/guest_mem.h"
#include "hostsim/log.h"
#include "hostsim/virtio/blk.h"
#include "tests/fuzz/fuzz_input.h"

#define RAM_GPA 0x100000ull
#define RAM_SIZE 0x40000ull
#define GUARD 4096
#define DESC_GPA RAM_GPA
#define AVAIL_GPA (RAM_GPA + 0x1000)
#define USED_GPA (RAM_GPA + 0x2000)
#define BUF_GPA (RAM_GPA + 0x4000) /* buffer i at BUF_GPA + i * 0x1000 */
#define MAX_SEGS 8
#define DISK_SECTORS 8
#define ID "fuzz-disk"

#include "tests/fuzz/fuzz_hostsim_ram.h"

static struct vblk blk;
static int disk_fd = -1;
static uint8_t shadow[DISK_SECTORS * VBLK_SECTOR];

static void wr(uint64_t off, uint32_t v)
{
    vmmio_write(&blk.t, NULL, off, (const uint8_t *)&v, 4);
}

static uint32_t rd(uint64_t off)
{
    uint32_t v = 0;
    vmmio_read(&blk.t, NULL, off, (uint8_t *)&v, 4);
    return v;
}

static uint16_t le16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* One request as the harness built it. */
struct seg {
    uint32_t len;
    bool writable;
};

struct verdict {
    bool violation;
    uint8_t status;
    uint32_t used_len;
    uint32_t type;
    uint64_t sector, data_in, data_out;
};

/* virtio 1.2 5.2.6, on the byte totals of the chain. */
static struct verdict judge(const struct seg *s, unsigned n, const uint8_t *readable, bool ro)
{
    struct verdict v = {0};
    uint64_t r = 0, w = 0;
    bool seen_writable = false;
    for (unsigned i = 0; i < n; i++) {
        if (s[i].writable) {
            w += s[i].len;
            seen_writable = true;
        } else {
            if (seen_writable)
                v.violation = true; /* 2.7.4.2, whatever its length */
            r += s[i].len;
        }
    }
    if (v.violation || r < 16 || w < 1) {
        v.violation = true;
        return v;
    }
    memcpy(&v.type, readable, 4);
    memcpy(&v.sector, readable + 8, 8);
    v.data_in = r - 16;
    v.data_out = w - 1;
    v.used_len = 1;
    v.status = VIRTIO_BLK_S_OK;
    switch (v.type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT: {
        uint64_t bytes = v.type == VIRTIO_BLK_T_IN ? v.data_out : v.data_in;
        uint64_t other = v.type == VIRTIO_BLK_T_IN ? v.data_in : v.data_out;
        if (other != 0 || bytes % VBLK_SECTOR != 0 || v.sector > DISK_SECTORS ||
            bytes / VBLK_SECTOR > DISK_SECTORS - v.sector)
            v.violation = true;
        else if (v.type == VIRTIO_BLK_T_IN)
            v.used_len = (uint32_t)(bytes + 1);
        else if (ro)
            v.status = VIRTIO_BLK_S_IOERR;
        break;
    }
    case VIRTIO_BLK_T_FLUSH:
        v.violation = v.sector != 0;
        break;
    case VIRTIO_BLK_T_GET_ID:
        v.violation = v.data_in != 0 || v.data_out != VIRTIO_BLK_ID_BYTES;
        v.used_len = VIRTIO_BLK_ID_BYTES + 1;
        break;
    default:
        v.status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    return v;
}

static uint16_t avail_idx, next_desc, used_seen;
static uint16_t qsize;

/* Builds one chain from the input, kicks, checks. Returns false once the
 * device is broken (or the harness found a bug: abort()). */
static bool one_request(struct fuzz_input *in, bool ro)
{
    struct seg s[MAX_SEGS];
    unsigned n = 0;
    static const uint32_t types[] = {VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
                                     VIRTIO_BLK_T_GET_ID};
    uint8_t shape = (uint8_t)fuzz_take(in, 1);
    uint32_t type = (shape & 0x70) == 0x70 ? fuzz_take(in, 4) : types[shape & 3];
    uint64_t sector = fuzz_take(in, 1) % (DISK_SECTORS + 3);
    bool in_dir = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
    /* Header: 16 readable bytes, or (rarely) another length or direction. */
    s[n++] = (struct seg){(shape & 0x80) ? fuzz_take(in, 1) % 33 : 16, (shape & 0x0C) == 0x0C};
    unsigned ndata = fuzz_take(in, 1) % 4;
    for (unsigned i = 0; i < ndata; i++) {
        uint8_t d = (uint8_t)fuzz_take(in, 1);
        uint32_t len = (d & 3) * VBLK_SECTOR + ((d & 0x40) ? fuzz_take(in, 2) % 700 : 0);
        if (type == VIRTIO_BLK_T_GET_ID && !(d & 0x40))
            len = VIRTIO_BLK_ID_BYTES;
        s[n++] = (struct seg){len, (d & 0x80) ? !in_dir : in_dir};
    }
    uint8_t st = (uint8_t)fuzz_take(in, 1);
    s[n++] = (struct seg){(st & 0xC0) == 0xC0 ? st % 3 : 1, (st & 0x30) != 0x30};

    /* Fill the buffers; keep the readable byte stream for the verdict. */
    uint8_t readable[MAX_SEGS * 0x1000];
    size_t rlen = 0;
    uint8_t hdr[16];
    memcpy(hdr, &type, 4);
    memset(hdr + 4, 0, 4);
    memcpy(hdr + 8, &sector, 8);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *b = gp(BUF_GPA + 0x1000ull * i);
        for (uint32_t j = 0; j < s[i].len; j++)
            b[j] = i == 0 && j < 16 ? hdr[j] : (uint8_t)(0x5A ^ j ^ (i << 4));
        if (!s[i].writable) {
            memcpy(readable + rlen, b, s[i].len);
            rlen += s[i].len;
        }
    }
    while (rlen < 16)
        readable[rlen++] = 0;
    struct verdict v = judge(s, n, readable, ro);

    /* The chain on consecutive descriptors. */
    uint16_t head = next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (uint16_t)((next_desc + i) % qsize);
        uint64_t addr = BUF_GPA + 0x1000ull * i;
        uint16_t flags = (uint16_t)((s[i].writable ? DEVQ_DESC_F_WRITE : 0) |
                                    (i + 1 < n ? DEVQ_DESC_F_NEXT : 0));
        uint16_t next = (uint16_t)((next_desc + i + 1) % qsize);
        uint8_t *d = gp(DESC_GPA + 16ull * idx);
        memcpy(d, &addr, 8);
        memcpy(d + 8, &s[i].len, 4);
        memcpy(d + 12, &flags, 2);
        memcpy(d + 14, &next, 2);
    }
    next_desc = (uint16_t)((next_desc + n) % qsize);
    memcpy(gp(AVAIL_GPA + 4 + 2ull * (avail_idx % qsize)), &head, 2);
    avail_idx++;
    memcpy(gp(AVAIL_GPA + 2), &avail_idx, 2);

    uint8_t before[sizeof shadow];
    BROKEN_IF(pread(disk_fd, before, sizeof before, 0) != (ssize_t)sizeof before);
    int faults_before = faults;
    wr(VMMIO_QUEUE_NOTIFY, 0);
    uint16_t used = le16(gp(USED_GPA + 2));
    uint8_t after[sizeof shadow];
    BROKEN_IF(pread(disk_fd, after, sizeof after, 0) != (ssize_t)sizeof after);

    if (v.violation) {
        /* Reported, not completed, nothing written. */
        BROKEN_IF(faults == faults_before || used != used_seen ||
                  memcmp(after, before, sizeof after));
        return false;
    }
    BROKEN_IF(faults != faults_before || used != (uint16_t)(used_seen + 1));
    used_seen = used;
    uint32_t id, len;
    memcpy(&id, gp(USED_GPA + 4 + 8ull * ((uint16_t)(used - 1) % qsize)), 4);
    memcpy(&len, gp(USED_GPA + 4 + 8ull * ((uint16_t)(used - 1) % qsize)) + 4, 4);
    BROKEN_IF(id != head || len != v.used_len);
    /* The status is the last device-writable byte; data before it. */
    uint8_t out[MAX_SEGS * 0x1000];
    size_t wlen = 0;
    for (unsigned i = 0; i < n; i++) {
        if (s[i].writable) {
            memcpy(out + wlen, gp(BUF_GPA + 0x1000ull * i), s[i].len);
            wlen += s[i].len;
        }
    }
    BROKEN_IF(out[wlen - 1] != v.status);
    BROKEN_IF(v.status == VIRTIO_BLK_S_OK && v.type == VIRTIO_BLK_T_IN &&
              memcmp(out, shadow + v.sector * VBLK_SECTOR, v.data_out) != 0);
    if (v.status == VIRTIO_BLK_S_OK && v.type == VIRTIO_BLK_T_OUT)
        memcpy(shadow + v.sector * VBLK_SECTOR, readable + 16, v.data_in);
    if (v.type == VIRTIO_BLK_T_GET_ID) {
        uint8_t want[VIRTIO_BLK_ID_BYTES] = {0};
        memcpy(want, ID, strlen(ID));
        BROKEN_IF(memcmp(out, want, sizeof want) != 0);
    }
    BROKEN_IF(memcmp(after, shadow, sizeof after) != 0);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    ram_reset();
    if (disk_fd < 0) {
        disk_fd = memfd_create("fuzz-disk", 0);
        BROKEN_IF(disk_fd < 0);
    }
    for (size_t i = 0; i < sizeof shadow; i++)
        shadow[i] = (uint8_t)(i * 13 + (i >> 9));
    BROKEN_IF(ftruncate(disk_fd, 0) != 0 ||
              pwrite(disk_fd, shadow, sizeof shadow, 0) != sizeof shadow);
    avail_idx = next_desc = used_seen = 0;

    uint8_t cfg = (uint8_t)fuzz_take(&in, 1);
    bool ro = cfg & 1, event_idx = cfg & 2;
    qsize = (cfg & 4) ? 16 : 8;
    memset(&blk, 0, sizeof blk);
    vblk_init_fd(&blk, disk_fd, sizeof shadow, ro, ID);
    vblk_attach(&blk, 0xC0001000, 5, &mem, &host, NULL);

    /* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue,
     * DRIVER_OK. */
    wr(VMMIO_STATUS, 0);
    wr(VMMIO_STATUS, 1);
    wr(VMMIO_STATUS, 3);
    wr(VMMIO_DEVICE_FEATURES_SEL, 1);
    BROKEN_IF(!(rd(VMMIO_DEVICE_FEATURES) & 1)); /* VERSION_1 always offered */
    wr(VMMIO_DRIVER_FEATURES_SEL, 0);
    wr(VMMIO_DRIVER_FEATURES, event_idx ? (uint32_t)VIRTIO_F_EVENT_IDX : 0);
    wr(VMMIO_DRIVER_FEATURES_SEL, 1);
    wr(VMMIO_DRIVER_FEATURES, 1);
    wr(VMMIO_STATUS, 0xB);
    wr(VMMIO_QUEUE_SEL, 0);
    wr(VMMIO_QUEUE_NUM, qsize);
    wr(VMMIO_QUEUE_DESC_LOW, (uint32_t)DESC_GPA);
    wr(VMMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL_GPA);
    wr(VMMIO_QUEUE_DEVICE_LOW, (uint32_t)USED_GPA);
    wr(VMMIO_QUEUE_READY, 1);
    wr(VMMIO_STATUS, 0xF);
    BROKEN_IF(faults != 0 || !blk.t.live);

    unsigned nreq = fuzz_take(&in, 1) % 12;
    bool alive = true;
    for (unsigned i = 0; i < nreq && alive; i++)
        alive = one_request(&in, ro);

    /* Whatever is left: registers and ring bytes at random. */
    while (in.n > 0) {
        uint8_t op = (uint8_t)fuzz_take(&in, 1);
        uint16_t used_before = le16(gp(USED_GPA + 2));
        int broken_before = blk.t.broken;
        if (op < 0x80) {
            uint64_t off = fuzz_take(&in, 2) % 0x140;
            unsigned sz = 1u << (op & 3);
            uint64_t val = fuzz_take(&in, 4);
            if (op & 0x40)
                vmmio_write(&blk.t, NULL, off, (const uint8_t *)&val, sz);
            else
                vmmio_read(&blk.t, NULL, off, (uint8_t *)&val, sz);
        } else {
            uint64_t off = fuzz_take(&in, 2) % 0x2000; /* descriptors and available ring */
            gp(RAM_GPA)[off] = (uint8_t)fuzz_take(&in, 1);
            if (op & 1)
                wr(VMMIO_QUEUE_NOTIFY, 0);
        }
        BROKEN_IF(broken_before &&
                  le16(gp(USED_GPA + 2)) != used_before); /* nothing after a violation */
    }
    check_guards();
    return 0;
}
