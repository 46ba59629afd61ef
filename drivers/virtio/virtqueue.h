/* Split virtqueues (virtio 1.2, 2.7): descriptor table, available ring, used
 * ring. The ring logic is pure (no hardware access) so host tests drive it
 * with a simulated device, malformed used entries included. Every index,
 * length and descriptor id the device writes is checked; a violation makes
 * virtq_get_used return -1 with a reason, and the caller fails the device. */
#ifndef DRIVERS_VIRTIO_VIRTQUEUE_H
#define DRIVERS_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtio_dev;

/* One buffer of a request. */
struct virtq_buf {
    uint64_t addr; /* guest-physical */
    uint32_t len;
    bool device_writes; /* VIRTQ_DESC_F_WRITE: the device fills it */
};

struct virtq {
    struct virtio_dev *vd; /* NULL in host tests */
    uint16_t index;
    uint16_t size; /* power of two */
    bool event_idx;
    bool indirect;
    /* Ring memory (guest-physical == virtual in the kernel). */
    void *desc, *avail, *used;
    uint64_t desc_phys, avail_phys, used_phys;
    /* Driver-side state. */
    uint16_t free_head, num_free;
    uint16_t avail_idx; /* next avail->idx to publish */
    uint16_t last_used; /* next used entry to consume */
    uint16_t added_since_kick;
    uint16_t kick_old_idx;
    void **tokens;             /* per head descriptor; NULL = not in flight */
    uint16_t *chain_len;       /* descriptors in the chain started at each head */
    uint32_t *chain_write_len; /* bytes the device may write in that chain */
    void *indirect_tables;     /* size tables of VIRTQ_MAX_INDIRECT descriptors, or NULL */
    uint64_t indirect_phys;
    char error[96]; /* reason for the last -1 */
    /* Private to virtqueue.c: */
    uint16_t *next_free;      /* free-list links, private (never read back from the shared table) */
    uint16_t in_flight;       /* heads added and not yet returned by the device */
    bool broken;              /* the device broke the rules: every later call fails */
    uint16_t still_seen_used; /* virtq_device_still: last_used at its last look */
    uint64_t still_since_ns;  /* and when requests last moved (or there were none) */
    bool interrupts_off;      /* virtq_disable_interrupts in effect; with EVENT_IDX,
                                 virtq_get_used re-arms used_event after each completion
                                 while this is false, so interrupts stay on as without it */
};

#define VIRTQ_MAX_INDIRECT 16

/* The shared layout (virtio 1.2, 2.7.5-2.7.8), little-endian. Given here so
 * that simulated devices (host tests, hostsim back ends) use the same view. */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_MAX_SIZE 32768

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* [size], then used_event (EVENT_IDX) */
};

struct virtq_used_elem {
    uint32_t id; /* head of the completed chain (32 bits on the wire) */
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[]; /* [size], then avail_event (EVENT_IDX) */
};

/* The event-index rule (2.7.7.2 / 2.7.10.2): notify when event lies in the
 * half-open window [old, new) of indices that just went by, mod 2^16. */
static inline bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* Bytes needed for the rings of a queue of this size, laid out
 * desc | avail | (4096-aligned) used, and for the driver's bookkeeping. */
size_t virtq_ring_bytes(uint16_t size);

/* The legacy layout (virtio 1.2, 2.7.2 "Legacy Interfaces: A Note on
 * Virtqueue Layout"): one block starting on a Queue Align boundary, the
 * descriptor table, the available ring right after it, then the used ring on
 * the next Queue Align boundary after the available ring (its used_event
 * included). The legacy virtio-pci interface knows only an alignment of 4096
 * (4.1.5.1.3.1); this driver writes the same to a legacy virtio-mmio
 * QueueAlign (4.2.4). virtq_init lays every queue out like this, so one
 * layout serves both interfaces. */
#define VIRTQ_LEGACY_ALIGN 4096u
/* True when rings at these guest-physical addresses follow that layout for
 * a queue of size entries and Queue Align align (a power of two). */
bool virtq_legacy_layout_ok(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                            uint32_t align);
/* What a legacy interface is given for such rings: the page number of desc
 * in align-byte pages, written to a 32-bit register in which 0 means "no
 * queue" (virtio-mmio QueuePFN, 4.2.4; legacy virtio-pci Queue Address,
 * 4.1.4.8). NULL with *pfn set, or why the rings cannot be given (not in the
 * layout, in page 0, or above what 32 bits of page number reach). */
const char *virtq_legacy_pfn(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                             uint32_t align, uint32_t *pfn);
size_t virtq_state_bytes(uint16_t size, bool indirect);

/* Lays the queue out over ring memory (zeroed by this call) and state memory.
 * ring_phys is the guest-physical address of ring. Every field of vq is reset
 * except vd. */
void virtq_init(struct virtq *vq, uint16_t index, uint16_t size, void *ring, uint64_t ring_phys,
                void *state, uint64_t state_phys, bool event_idx, bool indirect);

/* Queues a request of n buffers (device-readable ones first). Uses one
 * indirect descriptor when n > 1 and indirect is on. Returns 0, or -1 when
 * there are not enough free descriptors (or n is 0 or too large). */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned n, void *token);

/* Publishes the added requests; true when the device must be notified
 * (honours VIRTQ_USED_F_NO_NOTIFY, or avail_event with EVENT_IDX). */
bool virtq_kick_prepare(struct virtq *vq);

/* Takes the next completed request: returns 1 with its token and the number
 * of bytes the device wrote, 0 when there is none, -1 when the device broke
 * the rules (id out of range or not in flight, written length larger than the
 * writable buffers, used index running ahead by more than the queue size). */
int virtq_get_used(struct virtq *vq, void **token, uint32_t *len);

/* True when requests have been in flight with none completed for limit_ns
 * (call it after taking what is completed; once true it starts counting
 * again). With EVENT_IDX a notification that went missing is never made up
 * for: the driver notifies only when its index crosses avail_event, which
 * then stays behind (2.7.10), so a driver that sees this notifies anyway. */
bool virtq_device_still(struct virtq *vq, uint64_t now_ns, uint64_t limit_ns);

/* Asks the device for an interrupt at the next completion (sets used_event,
 * or clears VIRTQ_AVAIL_F_NO_INTERRUPT); returns true when completions are
 * already pending (the caller should poll again). */
bool virtq_enable_interrupts(struct virtq *vq);
void virtq_disable_interrupts(struct virtq *vq);

/* Kernel side (virtqueue_alloc.c): allocate and enable queue index of vd with
 * at most max_size entries; NULL on failure (logged). */
struct virtq *virtq_create(struct virtio_dev *vd, unsigned index, uint16_t max_size);
/* Gives back the memory of a queue from virtq_create (NULL: nothing). Only
 * for a queue the device no longer uses: never enabled, or the device reset
 * since. */
void virtq_free(struct virtq *vq);
/* Notifies the device if virtq_kick_prepare says so. */
void virtq_kick(struct virtq *vq);
/* Publishes and notifies the device whatever its suppression state says. */
void virtq_kick_always(struct virtq *vq);

#endif
