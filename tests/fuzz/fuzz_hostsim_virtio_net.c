/* libFuzzer harness: hostsim's virtio-net back end (hostsim/virtio/net.c over
 * mmio.c and virtq.c) with a datagram socket pair standing for the TAP. The
 * input drives a driver that transmits frames (header fields, frame length,
 * how the chain is split, a device-writable descriptor now and then) and
 * posts receive buffers (sizes, directions) while frames of any length
 * arrive from the "TAP". The harness judges each step by its own reading of
 * virtio 1.2 (5.1.6.2 transmit header rules for the features it acked,
 * 5.1.6.3 receive buffers: all device-writable, at least 1526 bytes each
 * without MRG_RXBUF, at least the 12-byte header with it) and checks:
 *   - a well-formed transmit reaches the TAP byte for byte, header included,
 *     and completes with used length 0; a malformed one is reported and
 *     nothing reaches the TAP;
 *   - a received frame lands in the buffers byte for byte with num_buffers
 *     set to the buffers used (1 without MRG_RXBUF), used lengths summing to
 *     the frame; one larger than a buffer (without MRG_RXBUF) or of 12 bytes
 *     or less is dropped, never truncated; a malformed buffer is reported;
 *   - after a violation the device publishes nothing more, and guard bytes
 *     around guest RAM stay intact.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_virtio_net.c hostsim/virtio/{net,mmio,virtq}.c \
 *     hostsim/guest_mem.c hostsim/log.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostsim/guest_mem.h"
#include "hostsim/virtio/net.h"
#include "tests/fuzz/fuzz_input.h"

#define RAM_GPA 0x100000ull
#define RAM_SIZE 0x80000ull
#define GUARD 4096
#define QSIZE 16
#define RX_OUTSTANDING 8 /* chains of up to 2 descriptors: 16 descriptors */
#define RX_DESC (RAM_GPA + 0x0000)
#define RX_AVAIL (RAM_GPA + 0x1000)
#define RX_USED (RAM_GPA + 0x2000)
#define TX_DESC (RAM_GPA + 0x3000)
#define TX_AVAIL (RAM_GPA + 0x4000)
#define TX_USED (RAM_GPA + 0x5000)
#define TX_BUF (RAM_GPA + 0x8000)  /* 3 x 4 KiB */
#define RX_BUF (RAM_GPA + 0x10000) /* chain i at RX_BUF + i * 0x2000, two parts */
#define FRAME_MAX 4000

#include "tests/fuzz/fuzz_hostsim_ram.h"

static struct vnet net;
static int sv[2] = {-1, -1};
static uint64_t acked;

static uint16_t le16(uint64_t gpa)
{
    uint16_t v;
    memcpy(&v, gp(gpa), 2);
    return v;
}

static void wr(uint64_t off, uint32_t v)
{
    vmmio_write(&net.t, NULL, off, (const uint8_t *)&v, 4);
}

struct ring {
    uint64_t desc, avail, used;
    uint16_t avail_idx, next_desc, used_seen;
};
static struct ring rx, tx;

struct seg {
    uint64_t addr;
    uint32_t len;
    bool writable;
};

/* The chain on descriptors first, first+1, ... (mod the queue size). */
static uint16_t add_chain(struct ring *r, const struct seg *s, unsigned n, uint16_t first)
{
    r->next_desc = first;
    uint16_t head = r->next_desc;
    for (unsigned i = 0; i < n; i++) {
        uint16_t idx = (uint16_t)((r->next_desc + i) % QSIZE);
        uint16_t next = (uint16_t)((r->next_desc + i + 1) % QSIZE);
        uint16_t flags = (uint16_t)((s[i].writable ? 2 : 0) | (i + 1 < n ? 1 : 0));
        uint8_t *d = gp(r->desc + 16ull * idx);
        memcpy(d, &s[i].addr, 8);
        memcpy(d + 8, &s[i].len, 4);
        memcpy(d + 12, &flags, 2);
        memcpy(d + 14, &next, 2);
    }
    r->next_desc = (uint16_t)((r->next_desc + n) % QSIZE);
    memcpy(gp(r->avail + 4 + 2ull * (r->avail_idx % QSIZE)), &head, 2);
    r->avail_idx++;
    memcpy(gp(r->avail + 2), &r->avail_idx, 2);
    return head;
}

static void used_elem(const struct ring *r, uint16_t slot, uint32_t *id, uint32_t *len)
{
    const uint8_t *e = gp(r->used + 4 + 8ull * (slot % QSIZE));
    memcpy(id, e, 4);
    memcpy(len, e + 4, 4);
}

/* ---- transmit ---- */
static bool transmit(struct fuzz_input *in)
{
    uint8_t frame[12 + 1600];
    uint8_t shape = (uint8_t)fuzz_take(in, 1);
    uint32_t flen = fuzz_take(in, 2) % 1600;
    uint8_t flags = 0, gso = 0;
    uint16_t num_buffers = 0, csum_start = 0, csum_offset = 0;
    if (shape & 0x80) {
        static const uint8_t f[] = {0, 1, 2, 4};
        static const uint8_t g[] = {0, 1, 3, 4, 5};
        flags = f[fuzz_take(in, 1) % 4];
        gso = g[fuzz_take(in, 1) % 5];
        num_buffers = (shape & 0x40) ? (uint16_t)fuzz_take(in, 1) : 0;
        csum_start = (uint16_t)fuzz_take(in, 2);
        csum_offset = (uint16_t)fuzz_take(in, 1);
    }
    memset(frame, 0, 12);
    frame[0] = flags;
    frame[1] = gso;
    memcpy(frame + 6, &csum_start, 2);
    memcpy(frame + 8, &csum_offset, 2);
    memcpy(frame + 10, &num_buffers, 2);
    for (uint32_t i = 0; i < flen; i++)
        frame[12 + i] = (uint8_t)(i * 7 + shape);
    uint32_t total = 12 + flen;
    if ((shape & 0x30) == 0x30)
        total = fuzz_take(in, 1) % 12; /* shorter than the header */

    /* Split into up to 3 descriptors at input-chosen points. */
    struct seg s[3];
    unsigned n = 1 + (shape & 3) % 3;
    uint32_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t len = i + 1 == n ? total - off : (total - off) * (fuzz_take(in, 1) % 101) / 100;
        s[i] = (struct seg){TX_BUF + 0x1000ull * i, len, (shape & 0x0C) == 0x0C && i == n - 1};
        memcpy(gp(s[i].addr), frame + off, len);
        off += len;
    }

    bool violation = (s[n - 1].writable && s[n - 1].len > 0) || total < 12 || num_buffers != 0 ||
                     (flags & 6) || (flags && !(acked & VIRTIO_NET_F_CSUM)) || gso != 0 ||
                     ((flags & 1) && (uint32_t)csum_start + csum_offset + 2 > total - 12);
    uint16_t head = add_chain(&tx, s, n, tx.next_desc);
    int faults_before = faults;
    wr(VMMIO_QUEUE_NOTIFY, VNET_TXQ);
    uint8_t got[sizeof frame + 16];
    ssize_t r = recv(sv[1], got, sizeof got, MSG_DONTWAIT);
    uint16_t used = le16(tx.used + 2);
    if (violation) {
        BROKEN_IF(faults == faults_before || r >= 0 || used != tx.used_seen);
        return false;
    }
    BROKEN_IF(faults != faults_before || r != (ssize_t)total || memcmp(got, frame, total) != 0 ||
              used != (uint16_t)(tx.used_seen + 1));
    uint32_t id, len;
    used_elem(&tx, tx.used_seen, &id, &len);
    BROKEN_IF(id != head || len != 0);
    tx.used_seen = used;
    return true;
}

/* ---- receive ---- */
struct rx_chain {
    uint16_t head;
    struct seg s[2];
    unsigned n;
    bool malformed;
    uint64_t bytes;
};
static struct rx_chain posted[64];
static unsigned nposted, first_unused;
/* Set when a frame may be waiting inside the device for more buffers: the
 * harness then stops receiving, since the next delivery is not its frame. */
static bool rx_stalled;

static bool post_rx(struct fuzz_input *in)
{
    if (rx_stalled || nposted - first_unused >= RX_OUTSTANDING || nposted >= 64)
        return true;
    uint8_t shape = (uint8_t)fuzz_take(in, 1);
    struct rx_chain *c = &posted[nposted];
    unsigned slot = nposted % RX_OUTSTANDING;
    c->n = 1 + (shape & 1);
    c->bytes = 0;
    c->malformed = false;
    for (unsigned i = 0; i < c->n; i++) {
        uint32_t len = (shape & 0x80) ? 1526 + fuzz_take(in, 1) : fuzz_take(in, 2) % 2000;
        if (c->n == 2)
            len /= 2;
        bool writable = !((shape & 0x60) == 0x60 && i == 0);
        c->s[i] = (struct seg){RX_BUF + 0x2000ull * slot + 0x1000ull * i, len, writable};
        c->malformed |= !writable && len > 0; /* zero-length descriptors carry nothing */
        c->bytes += len;
    }
    uint64_t min = (acked & VIRTIO_NET_F_MRG_RXBUF) ? 12 : 1526;
    c->malformed |= c->bytes < min;
    c->head = add_chain(&rx, c->s, c->n, (uint16_t)(2 * slot));
    nposted++;
    return true;
}

/* Copies the writable bytes of a posted chain out of guest memory. */
static size_t chain_bytes(const struct rx_chain *c, uint8_t *out, size_t max)
{
    size_t n = 0;
    for (unsigned i = 0; i < c->n; i++) {
        size_t len = c->s[i].len < max - n ? c->s[i].len : max - n;
        memcpy(out + n, gp(c->s[i].addr), len);
        n += len;
    }
    return n;
}

static bool receive(struct fuzz_input *in)
{
    uint8_t frame[FRAME_MAX];
    uint32_t flen = fuzz_take(in, 2) % FRAME_MAX;
    if (rx_stalled)
        return true;
    memset(frame, 0, flen < 12 ? flen : 12);
    for (uint32_t i = 12; i < flen; i++)
        frame[i] = (uint8_t)(i ^ 0xA5);
    BROKEN_IF(send(sv[1], frame, flen, 0) != (ssize_t)flen);
    int faults_before = faults;
    uint16_t used_before = le16(rx.used + 2);
    vnet_receive(&net, 1);
    uint16_t used = le16(rx.used + 2);
    uint16_t delivered = (uint16_t)(used - used_before);

    if (flen <= 12) { /* no frame at all: dropped */
        BROKEN_IF(delivered != 0 || faults != faults_before);
        return true;
    }
    /* The chains the device takes, in order, as the harness judges them. */
    bool mrg = (acked & VIRTIO_NET_F_MRG_RXBUF) != 0;
    unsigned k = 0;
    uint64_t room = 0;
    bool violation = false;
    while (first_unused + k < nposted && (k == 0 || (mrg && room < flen))) {
        const struct rx_chain *c = &posted[first_unused + k];
        k++;
        if (c->malformed) {
            violation = true;
            break;
        }
        room += c->bytes;
    }
    if (violation) {
        BROKEN_IF(faults == faults_before || delivered != 0);
        return false;
    }
    BROKEN_IF(faults != faults_before);
    if (k == 0 || (mrg && room < flen)) {
        /* Not enough buffers: the frame waits, nothing is published (with
         * MRG_RXBUF a full ring that still cannot hold it drops it). */
        BROKEN_IF(delivered != 0);
        rx_stalled = true;
        return true;
    }
    if (!mrg && flen > posted[first_unused].bytes) {
        if (delivered != 0) /* dropped, not truncated */
            abort();
        return true;
    }
    BROKEN_IF(delivered != (uint16_t)k);
    uint8_t got[FRAME_MAX + 2 * 4096];
    size_t got_len = 0;
    for (unsigned i = 0; i < k; i++) {
        const struct rx_chain *c = &posted[first_unused + i];
        uint32_t id, len;
        used_elem(&rx, (uint16_t)(used_before + i), &id, &len);
        BROKEN_IF(id != c->head || len > c->bytes);
        uint8_t part[4096 * 2];
        chain_bytes(c, part, sizeof part);
        memcpy(got + got_len, part, len);
        got_len += len;
    }
    uint16_t nb;
    memcpy(&nb, got + 10, 2);
    BROKEN_IF(got_len != flen || nb != (mrg ? k : 1) || memcmp(got, frame, 10) != 0 ||
              memcmp(got + 12, frame + 12, flen - 12) != 0);
    first_unused += k;
    rx.used_seen = used;
    return true;
}

static void setup_queue(unsigned q, const struct ring *r)
{
    wr(VMMIO_QUEUE_SEL, q);
    wr(VMMIO_QUEUE_NUM, QSIZE);
    wr(VMMIO_QUEUE_DESC_LOW, (uint32_t)r->desc);
    wr(VMMIO_QUEUE_DRIVER_LOW, (uint32_t)r->avail);
    wr(VMMIO_QUEUE_DEVICE_LOW, (uint32_t)r->used);
    wr(VMMIO_QUEUE_READY, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    ram_reset();
    if (sv[0] >= 0) {
        close(sv[0]);
        close(sv[1]);
    }
    BROKEN_IF(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) != 0);
    rx = (struct ring){RX_DESC, RX_AVAIL, RX_USED, 0, 0, 0};
    tx = (struct ring){TX_DESC, TX_AVAIL, TX_USED, 0, 0, 0};
    nposted = first_unused = 0;
    rx_stalled = false;

    uint8_t cfg = (uint8_t)fuzz_take(&in, 1);
    static const uint8_t mac[6] = {6, 0, 0xAC, 0x10, 0, 2};
    BROKEN_IF(net.frame == NULL && vnet_init(&net, sv[0], "fuzz", mac, 0) != 0);
    uint8_t *frame_buf = net.frame;
    memset(&net, 0, offsetof(struct vnet, chain));
    net.fd = sv[0];
    net.frame = frame_buf;
    net.has_mac = true;
    memcpy(net.mac, mac, 6);
    vnet_attach(&net, 0xC0001000, 5, &mem, &host, NULL);

    acked = VIRTIO_F_VERSION_1 | ((cfg & 1) ? VIRTIO_NET_F_CSUM : 0) |
            ((cfg & 2) ? VIRTIO_NET_F_MRG_RXBUF : 0) | ((cfg & 4) ? VIRTIO_F_EVENT_IDX : 0);
    wr(VMMIO_STATUS, 0);
    wr(VMMIO_STATUS, 1);
    wr(VMMIO_STATUS, 3);
    wr(VMMIO_DRIVER_FEATURES_SEL, 0);
    wr(VMMIO_DRIVER_FEATURES, (uint32_t)acked);
    wr(VMMIO_DRIVER_FEATURES_SEL, 1);
    wr(VMMIO_DRIVER_FEATURES, (uint32_t)(acked >> 32));
    wr(VMMIO_STATUS, 0xB);
    setup_queue(VNET_RXQ, &rx);
    setup_queue(VNET_TXQ, &tx);
    wr(VMMIO_STATUS, 0xF);
    BROKEN_IF(faults != 0 || !net.t.live);

    bool alive = true;
    while (in.n > 0 && alive) {
        uint8_t op = (uint8_t)fuzz_take(&in, 1) % 3;
        alive = op == 0 ? transmit(&in) : op == 1 ? post_rx(&in) : receive(&in);
    }
    /* After a violation: nothing more is published, whatever comes. */
    if (!alive) {
        uint16_t rx_used = le16(rx.used + 2), tx_used = le16(tx.used + 2);
        wr(VMMIO_QUEUE_NOTIFY, VNET_TXQ);
        wr(VMMIO_QUEUE_NOTIFY, VNET_RXQ);
        uint8_t f[64] = {0};
        BROKEN_IF(send(sv[1], f, sizeof f, 0) != sizeof f);
        vnet_receive(&net, 4);
        BROKEN_IF(le16(rx.used + 2) != rx_used || le16(tx.used + 2) != tx_used);
    }
    check_guards();
    return 0;
}
