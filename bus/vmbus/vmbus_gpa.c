/* Sending a GPA-direct packet on an open channel (bus/vmbus/vmbus.h,
 * vmbus_send_gpa): the descriptor and range list from vmbus_gpa_encode,
 * then the payload, sent as vmbus_send sends in-band packets. */
#include "bus/vmbus/vmbus.h"
#include "bus/vmbus/vmbus_gpa.h"
#include "bus/vmbus/vmbus_send.h"
#include "core/log.h"

/* A storvsc request of 256 KiB (its hosts' usual maximum) spans 65 pages;
 * a few ranges more than that fit too. */
#define GPA_HEAD_MAX (VMBUS_PKT_DESC_BYTES + VMBUS_GPA_HEADER_BYTES + 8u * 80u)

int vmbus_send_gpa(struct vmbus_dev *vd, const struct vmbus_gpa_range *ranges, unsigned nranges,
                   const void *payload, size_t len, uint64_t transaction_id)
{
    if (vd->state != VMBUS_CH_OPEN)
        return -1;
    uint8_t head[GPA_HEAD_MAX];
    size_t at = vmbus_gpa_encode(head, sizeof head, ranges, nranges, len, transaction_id, true);
    if (at == 0) {
        kprintf("vmbus relid %u: a GPA-direct packet of %u ranges that cannot be encoded\n",
                (unsigned)vd->offer.child_relid, nranges);
        return -1;
    }
    struct vmbus_sg parts[2] = {{head, at}, {payload, len}};
    return vmbus_send_parts(vd, parts, 2);
}
