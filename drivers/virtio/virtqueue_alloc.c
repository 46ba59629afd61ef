/* Kernel side of split virtqueues: memory for the rings and the driver's
 * state from the DMA allocator (core/dma.h), the transport told where the
 * rings are, and notifications. The ring logic itself is in virtqueue.c. */
#include "drivers/virtio/virtqueue.h"

#include <stdint.h>

#include "core/log.h"
#include "core/dma.h"
#include "drivers/virtio/virtio.h"

#define PAGE 4096ull

static size_t pages_for(size_t bytes)
{
    return (bytes + PAGE - 1) / PAGE;
}

struct virtq *virtq_create(struct virtio_dev *vd, unsigned index, uint16_t max_size)
{
    if (vd->broken)
        return NULL;
    uint16_t offered = vd->ops->queue_max(vd, index);
    if (offered == 0) {
        kprintf("virtio: %s: device has no queue %u\n", vd->location, index);
        return NULL;
    }
    /* Split rings need a power of two (2.7); take the largest one within
     * both the driver's and the device's limits. */
    uint32_t limit = offered < max_size ? offered : max_size;
    if (limit > VIRTQ_MAX_SIZE)
        limit = VIRTQ_MAX_SIZE;
    if (limit == 0) {
        kprintf("virtio: %s: queue %u: size 0 requested\n", vd->location, index);
        return NULL;
    }
    uint16_t size = 1;
    while ((uint32_t)size * 2 <= limit)
        size = (uint16_t)(size * 2);

    bool event_idx = (vd->features & VIRTIO_F_EVENT_IDX) != 0;
    bool indirect = (vd->features & VIRTIO_F_INDIRECT_DESC) != 0;
    size_t ring_pages = pages_for(virtq_ring_bytes(size));
    /* The struct itself sits in front of the state; the indirect tables in
     * the state need 16-byte alignment, so round the struct up to 64. */
    size_t head = (sizeof(struct virtq) + 63) & ~(size_t)63;
    size_t state_pages = pages_for(head + virtq_state_bytes(size, indirect));

    uint64_t ring_addr, state_addr;
    void *ring = dma_alloc(ring_pages * PAGE, PAGE, &ring_addr);
    void *state = ring ? dma_alloc(state_pages * PAGE, PAGE, &state_addr) : NULL;
    if (ring == NULL || state == NULL) {
        dma_free(ring, ring_pages * PAGE);
        kprintf("virtio: %s: queue %u: out of memory for %u entries\n", vd->location, index, size);
        return NULL;
    }
    struct virtq *vq = state;
    vq->vd = vd;
    virtq_init(vq, (uint16_t)index, size, ring, ring_addr, (uint8_t *)vq + head, state_addr + head,
               event_idx, indirect);
    if (vq->broken ||
        vd->ops->queue_enable(vd, index, size, vq->desc_phys, vq->avail_phys, vq->used_phys) != 0) {
        kprintf("virtio: %s: queue %u could not be enabled\n", vd->location, index);
        dma_free(ring, ring_pages * PAGE);
        dma_free(state, state_pages * PAGE);
        return NULL;
    }
    return vq;
}

void virtq_destroy(struct virtq *vq)
{
    if (vq == NULL)
        return;
    size_t ring_pages = pages_for(virtq_ring_bytes(vq->size));
    size_t head = (sizeof(struct virtq) + 63) & ~(size_t)63;
    size_t state_pages = pages_for(head + virtq_state_bytes(vq->size, vq->indirect));
    dma_free(vq->desc, ring_pages * PAGE);
    dma_free(vq, state_pages * PAGE);
}

void virtq_kick(struct virtq *vq)
{
    if (virtq_kick_prepare(vq) && !vq->vd->broken)
        vq->vd->ops->queue_notify(vq->vd, vq->index);
}
