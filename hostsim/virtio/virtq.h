/* The device side of a split virtqueue (virtio 1.2, 2.7): take descriptor
 * chains from the available ring, hand them back through the used ring,
 * decide when the driver wants an interrupt, tell the driver when to notify.
 *
 * It is strict: every rule the driver must follow about the ring is checked
 * (alignment and placement of the three areas, available index moving at
 * most a queue size, head and next indices inside the queue, no loops,
 * device-writable descriptors after the readable ones, every buffer inside
 * guest RAM, no indirect descriptors since hostsim never offers them, ring
 * flags 0 or 1, 0 with EVENT_IDX). A violation makes the call return -1 with
 * one sentence in q->err; the caller ends the VM.
 *
 * Pure logic on guest memory through struct guest_mem (no KVM), so host unit
 * tests drive it with rings they build, malformed ones included. Not
 * thread-safe: the caller serialises (hostsim holds its device lock).
 *
 * Memory ordering: the driver runs concurrently on a vCPU. The available
 * index is read with acquire semantics before the entries it covers; used
 * entries are written before the used index is stored with release
 * semantics; the event-index checks put a full fence between our store and
 * the load of the driver's field (2.7.7, 2.7.10). */
#ifndef HOSTSIM_VIRTIO_VIRTQ_H
#define HOSTSIM_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"

/* Firecracker's queues have at most 256 entries (devices/virtio/queue.rs); the
 * transport enforces the per-device maximum, this is the array bound. */
#define DEVQ_MAX_SIZE 256

/* Ring layout (2.7.5-2.7.8), little-endian. */
#define DEVQ_DESC_F_NEXT 1
#define DEVQ_DESC_F_WRITE 2
#define DEVQ_DESC_F_INDIRECT 4
#define DEVQ_AVAIL_F_NO_INTERRUPT 1
#define DEVQ_DESC_SIZE 16
#define DEVQ_DESC_ALIGN 16 /* 2.7, table "Virtqueue Part Alignment" */
#define DEVQ_AVAIL_ALIGN 2
#define DEVQ_USED_ALIGN 4

/* Bytes of each area for a queue of `size` entries, event fields included. */
#define DEVQ_DESC_BYTES(size) ((uint64_t)DEVQ_DESC_SIZE * (size))
#define DEVQ_AVAIL_BYTES(size) (6 + 2 * (uint64_t)(size))
#define DEVQ_USED_BYTES(size) (6 + 8 * (uint64_t)(size))

/* One buffer of a chain, already checked to lie inside guest RAM. */
struct devq_buf {
    uint8_t *host; /* where [gpa, gpa+len) is in hostsim's memory */
    uint64_t gpa;
    uint32_t len;
    bool writable; /* VIRTQ_DESC_F_WRITE: the device may write it */
};

/* A descriptor chain taken from the available ring. Zero-length descriptors
 * are checked but not kept. The readable buffers come first. */
struct devq_chain {
    uint16_t head;
    unsigned n;         /* buffers kept */
    unsigned nreadable; /* buf[0..nreadable) are device-readable */
    uint64_t readable_bytes, writable_bytes;
    struct devq_buf buf[DEVQ_MAX_SIZE];
};

struct devq {
    const struct guest_mem *mem;
    unsigned index; /* the queue's number, for messages */
    uint16_t size;
    bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */
    bool started;
    uint64_t desc_gpa, avail_gpa, used_gpa;
    uint8_t *desc, *avail, *used; /* host views of the three areas */
    uint16_t last_avail;          /* next available-ring slot to take */
    uint16_t used_idx;            /* next used-ring slot to fill */
    uint16_t signalled_used;      /* used_idx at the last interrupt decision */
    uint16_t seen_avail;          /* available idx when the last pop found nothing */
    char err[240];                /* why the last call returned -1 */
};

/* Checks the queue's geometry and placement (size a power of two from 1 to
 * max_size; each area aligned as 2.7 requires and wholly inside one RAM
 * region) and starts it with both indices at 0. Returns 0 or -1 (q->err). */
int devq_start(struct devq *q, const struct guest_mem *mem, unsigned index, uint16_t size,
               uint16_t max_size, uint64_t desc, uint64_t avail, uint64_t used, bool event_idx);
void devq_stop(struct devq *q);

/* Takes the next available chain into *c. Returns 1, 0 when the ring is
 * empty, -1 when the driver broke a rule. */
int devq_pop(struct devq *q, struct devq_chain *c);
/* Gives back the last n chains taken (not yet pushed): they are taken again
 * by the next pops. For receive paths that find too few buffers. */
void devq_unpop(struct devq *q, uint16_t n);
/* True when the driver has made chains available that were not taken. */
bool devq_has_avail(const struct devq *q);

/* Writes a used element {head, len} into the next used slot. The driver
 * sees it only after devq_publish. */
void devq_push(struct devq *q, uint16_t head, uint32_t len);
void devq_publish(struct devq *q);

/* After publishing: does the driver want an interrupt for the entries used
 * since the last decision (2.7.7.2: avail flags, or used_event with
 * EVENT_IDX)? Returns 1 or 0, or -1 when the driver set flags the rules
 * forbid. */
int devq_need_interrupt(struct devq *q);

/* Before waiting for the driver, after a pop found nothing (or too little:
 * a receive path that gave chains back with devq_unpop): with EVENT_IDX,
 * asks for a notification as soon as a chain beyond those seen then is made
 * available (avail_event = that idx, 2.7.10). Returns true when such chains
 * arrived meanwhile: the caller should try again instead of waiting. */
bool devq_arm_notify(struct devq *q);

/* Copies between a chain's readable (or writable) bytes, counted from the
 * first readable (or first writable) byte, and a host buffer. Return the
 * number of bytes copied (less than n at the end of that part). */
size_t devq_chain_read(const struct devq_chain *c, uint64_t offset, void *dst, size_t n);
size_t devq_chain_write(const struct devq_chain *c, uint64_t offset, const void *src, size_t n);

/* Fills iov[] with the byte range [offset, offset+n) of the readable (or
 * writable) part. Returns the number of iovec entries used (n must lie
 * inside that part; at most DEVQ_MAX_SIZE entries). */
struct iovec;
unsigned devq_chain_iov(const struct devq_chain *c, bool writable, uint64_t offset, uint64_t n,
                        struct iovec *iov);

#endif
