/* Kernel side of split virtqueues: memory for the rings and the driver's
 * state from the DMA allocator (core/dma.h), the transport told where the
 * rings are, and notifications. The ring logic itself is in virtqueue.c. */
#include "drivers/virtio/virtqueue.h"

#include <stdint.h>

#include "core/log.h"
#include "core/dma.h"
#include "drivers/virtio/virtio.h"

#define PAGE 4096ull

/* The struct itself sits in front of the state; the indirect tables in the
 * state need 16-byte alignment, so the struct is rounded up to 64. */
#define STATE_HEAD ((sizeof(struct virtq) + 63) & ~(size_t)63)

static size_t pages_for(size_t bytes)
{
    return (bytes + PAGE - 1) / PAGE;
}

static size_t state_pages_for(uint16_t size, bool indirect)
{
    return pages_for(STATE_HEAD + virtq_state_bytes(size, indirect));
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
    uint16_t size;
    if (vd->queue_size_fixed) {
        /* Legacy virtio-pci: the device's size is the size
         * (4.1.5.1.3.1); the transport checked it is a power of two. */
        size = offered;
    } else {
        /* Split rings need a power of two (2.7); take the largest one
         * within both the driver's and the device's limits. */
        uint32_t limit = offered < max_size ? offered : max_size;
        if (limit > VIRTQ_MAX_SIZE)
            limit = VIRTQ_MAX_SIZE;
        if (limit == 0) {
            kprintf("virtio: %s: queue %u: size 0 requested\n", vd->location, index);
            return NULL;
        }
        size = 1;
        while ((uint32_t)size * 2 <= limit)
            size = (uint16_t)(size * 2);
    }

    bool event_idx = (vd->features & VIRTIO_F_EVENT_IDX) != 0;
    bool indirect = (vd->features & VIRTIO_F_INDIRECT_DESC) != 0;
    size_t ring_pages = pages_for(virtq_ring_bytes(size));
    size_t state_pages = state_pages_for(size, indirect);

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
    virtq_init(vq, (uint16_t)index, size, ring, ring_addr, (uint8_t *)vq + STATE_HEAD,
               state_addr + STATE_HEAD, event_idx, indirect);
    if (vq->broken ||
        vd->ops->queue_enable(vd, index, size, vq->desc_phys, vq->avail_phys, vq->used_phys) != 0) {
        kprintf("virtio: %s: queue %u could not be enabled\n", vd->location, index);
        dma_free(ring, ring_pages * PAGE);
        dma_free(state, state_pages * PAGE);
        return NULL;
    }
    return vq;
}

void virtq_free(struct virtq *vq)
{
    if (vq == NULL)
        return;
    dma_free(vq->desc, pages_for(virtq_ring_bytes(vq->size)) * PAGE);
    dma_free(vq, state_pages_for(vq->size, vq->indirect) * PAGE);
}

void virtq_kick(struct virtq *vq)
{
    if (virtq_kick_prepare(vq) && !vq->vd->broken)
        vq->vd->ops->queue_notify(vq->vd, vq->index);
}

void virtq_kick_always(struct virtq *vq)
{
    virtq_kick_prepare(vq);
    if (!vq->broken && !vq->vd->broken)
        vq->vd->ops->queue_notify(vq->vd, vq->index);
}
