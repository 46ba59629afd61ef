/* The e1000 descriptor rings as pure logic over memory (no register
 * access), so that host tests drive them against a simulated device:
 * rx_ring.c consumes what the device wrote into the receive ring and gives
 * the buffers back; tx_ring.c fills the transmit ring (a context descriptor
 * when the checksum request changes, then the frame) and reaps what the
 * device reports done. The driver (net.c) writes the tail registers with
 * the values these functions leave in the ring state.
 *
 * Ownership ([SDM] ch. 3, "Receive Descriptor Queue Structure" and
 * "Transmit Descriptor Ring Structure"): the device owns the descriptors
 * from head up to, not including, tail; head == tail means it owns none. */
#ifndef DRIVERS_E1000_RING_H
#define DRIVERS_E1000_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/netdev.h"
#include "drivers/e1000/regs.h"

#define E1000_BUF_SIZE 2048 /* RCTL.BSIZE 00: the device writes at most this */
#define E1000_FRAME_MIN 14  /* an Ethernet header */
/* Descriptors a ring must have: RDLEN/TDLEN are multiples of 128 bytes
 * (8 descriptors), at most 64 K descriptors are addressable. */
#define E1000_RING_MIN 8
#define E1000_RING_MAX 4096

/* ---- receive ---- */

struct e1000_rx_stats {
    uint64_t frames;        /* handed to the caller */
    uint64_t frame_errors;  /* dropped: the device flagged CRC, symbol, sequence ... */
    uint64_t runts;         /* dropped: shorter than an Ethernet header */
    uint64_t csum_verified; /* the device checked the TCP/UDP or IPv4 checksum and found it good */
    uint64_t csum_bad;      /* ... and found it bad (passed on: the stack checks again) */
    uint64_t malformed;     /* descriptors that broke the rules (the ring is then broken) */
};

struct e1000_rx_ring {
    volatile struct e1000_rx_desc *desc;
    unsigned count;    /* descriptors, E1000_RING_MIN..E1000_RING_MAX, multiple of 8 */
    uint8_t *pool;     /* count buffers of E1000_BUF_SIZE, for the kernel */
    uint64_t pool_dev; /* the same as the device addresses them */
    unsigned next;     /* the next descriptor to look at */
    unsigned tail;     /* what RDT should hold: the one descriptor kept back */
    bool broken;
    const char *error;  /* why broken */
    uint32_t bad_value; /* the offending value, for the message */
    struct e1000_rx_stats stats;
};

enum e1000_rx_result {
    E1000_RX_EMPTY,  /* the next descriptor is not done yet */
    E1000_RX_FRAME,  /* a frame in *frame and *len; call e1000_rx_release after using it */
    E1000_RX_DROP,   /* a frame the device marked bad or too short; already released */
    E1000_RX_BROKEN, /* the device broke the protocol: error says how; stop using it */
};

/* Every descriptor gets its buffer and a clear status; the device owns all
 * but the last (tail = count - 1). */
void e1000_rx_init(struct e1000_rx_ring *r, volatile struct e1000_rx_desc *desc, unsigned count,
                   uint8_t *pool, uint64_t pool_dev);
enum e1000_rx_result e1000_rx_next(struct e1000_rx_ring *r, const uint8_t **frame, size_t *len);
/* Gives the descriptor of the frame just returned back to the device (its
 * buffer address rewritten, status cleared) and moves on. */
void e1000_rx_release(struct e1000_rx_ring *r);

/* ---- transmit ---- */

struct e1000_tx_ring {
    volatile struct e1000_tx_desc *desc;
    unsigned count;
    uint8_t *pool; /* one E1000_BUF_SIZE buffer per descriptor */
    uint64_t pool_dev;
    unsigned next_use;   /* the next descriptor to fill: what TDT should hold */
    unsigned next_clean; /* the oldest descriptor the device has not reported done */
    unsigned in_flight;  /* descriptors between the two */
    /* The checksum context the device was last given ([SDM] ch. 3: it stays
     * in force until the next context descriptor). */
    bool ctx_valid;
    uint8_t ctx_start, ctx_field;
    bool ctx_tcp;
    uint64_t frames, offloaded, contexts;
    uint64_t software; /* checksums asked for that the device cannot insert: done here */
};

void e1000_tx_init(struct e1000_tx_ring *r, volatile struct e1000_tx_desc *desc, unsigned count,
                   uint8_t *pool, uint64_t pool_dev);
/* Descriptors free for new frames (one is always kept unused, so that a
 * full ring never looks empty: head == tail). */
unsigned e1000_tx_free(const struct e1000_tx_ring *r);
/* Copies the frame (n pieces) into the ring: a context descriptor first when
 * offload asks for a checksum the current context does not describe, then
 * one data descriptor. Returns 0, or -1 when it is too short, too long, its
 * checksum offsets do not fit a context, or the ring has no room. */
int e1000_tx_put(struct e1000_tx_ring *r, const struct netdev_buf *bufs, unsigned n,
                 const struct netdev_tx_offload *offload);
/* Takes back the descriptors the device reported done, oldest first, and
 * returns how many. */
unsigned e1000_tx_reap(struct e1000_tx_ring *r);

/* A head register's value is a descriptor index: anything else means the
 * device (or what answers for it) is broken. */
static inline bool e1000_head_ok(uint32_t head, unsigned count)
{
    return head < count;
}

#endif
