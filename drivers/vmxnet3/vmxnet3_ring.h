/* vmxnet3's rings with the generation bit (Linux vmxnet3_drv.c and QEMU's
 * vmxnet3_ring_*: every ring starts at index 0 with generation 1, each side
 * flips its generation when its index wraps, and a descriptor belongs to
 * whoever's generation it carries). Pure logic over memory the caller gives:
 * no register access, so host tests drive it against a simulated device.
 *
 * The driver uses one descriptor per frame on both sides, so completions
 * come back in ring order and every one can be checked against what was
 * posted: the index the device names, the ring it names, the length and the
 * start/end-of-packet marks. A violation makes the consumer return -1 with
 * a reason in ->error, and every later call fails: the caller disables the
 * device. */
#ifndef DRIVERS_VMXNET3_VMXNET3_RING_H
#define DRIVERS_VMXNET3_VMXNET3_RING_H

#include <stdbool.h>
#include <stdint.h>

/* Transmit ring and its completion ring. */
struct vmx_tx {
    volatile uint32_t *ring; /* size descriptors of 4 dwords */
    volatile uint32_t *comp; /* comp_size completion descriptors */
    uint16_t size, comp_size;
    uint16_t fill;      /* next descriptor the driver writes */
    bool fill_gen;      /* the generation it writes there */
    uint16_t done;      /* oldest descriptor in flight: the next completion names it */
    uint16_t in_flight; /* descriptors the device owns */
    uint16_t comp_next; /* next completion descriptor to read */
    bool comp_gen;      /* the generation that makes it valid */
    bool broken;
    char error[96];
};

/* A checksum the device is to insert (VMXNET3_OM_CSUM). */
struct vmx_tx_csum {
    uint16_t l4_start; /* hlen: where the L4 header starts */
    uint16_t offset;   /* msscof: where the checksum goes, from the frame's start */
};

/* The rings are zeroed here (QEMU zeroes only completion rings). Sizes are
 * checked by the caller (multiples of 32, within the device's limits). */
void vmx_tx_init(struct vmx_tx *t, void *ring, void *comp, uint16_t size, uint16_t comp_size);
/* Hands one frame of len bytes at device address addr to the device: one
 * descriptor, start and end of packet, a completion asked for. Returns the
 * descriptor's index, or -1 when the ring is full or broken. */
int vmx_tx_post(struct vmx_tx *t, uint64_t addr, uint32_t len, const struct vmx_tx_csum *csum);
/* Takes one completion: 1 with *index = the descriptor done (the oldest in
 * flight), 0 when the device has finished none, -1 when it broke the rules. */
int vmx_tx_reap(struct vmx_tx *t, unsigned *index);

/* Receive: ring 0 with head buffers, one per frame; ring 1 is given to the
 * device empty (its descriptors never carry the device's generation), so a
 * completion naming ring 1 is a violation. */
struct vmx_rx {
    volatile uint32_t *ring; /* ring 0 */
    volatile uint32_t *comp;
    uint16_t size, comp_size;
    uint16_t fill; /* next descriptor the driver posts */
    bool fill_gen;
    uint16_t next;   /* the descriptor the next completion must name */
    uint16_t posted; /* descriptors the device owns */
    uint16_t comp_next;
    bool comp_gen;
    uint32_t buf_len; /* bytes in every buffer */
    uint16_t qid;     /* rqID of ring 0 */
    bool broken;
    char error[96];
};

struct vmx_rx_frame {
    unsigned index; /* the descriptor (and so the buffer) that holds it */
    uint32_t len;
    bool error; /* the device marked it bad, or it is empty: drop it */
};

void vmx_rx_init(struct vmx_rx *r, void *ring, void *comp, uint16_t size, uint16_t comp_size,
                 uint32_t buf_len, uint16_t qid);
/* Posts the buffer at addr in the next descriptor. Returns its index, or -1
 * when every descriptor is posted or the ring is broken. */
int vmx_rx_post(struct vmx_rx *r, uint64_t addr);
/* 1 with *f filled, 0 when no frame is complete, -1 on a violation. */
int vmx_rx_next(struct vmx_rx *r, struct vmx_rx_frame *f);

/* The revision (or UPT version) to select from what the device offers: the
 * highest bit set in offered among the lowest `known` bits, as a one-bit
 * mask (bit n = revision n+1), or 0 when they share none. */
uint32_t vmx_pick_version(uint32_t offered, unsigned known);

#endif
