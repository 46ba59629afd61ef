/* GPA-direct packet encoding (bus/vmbus/vmbus_gpa.h cites the layout). */
#include <stdbool.h>

#include "bus/vmbus/vmbus_gpa.h"
#include "bus/vmbus/vmbus_ring.h"
#include "core/unaligned.h"

uint32_t vmbus_gpa_pages(uint32_t offset, uint32_t len)
{
    uint64_t end = (uint64_t)(offset % VMBUS_GPA_PAGE) + len;
    return (uint32_t)((end + VMBUS_GPA_PAGE - 1) / VMBUS_GPA_PAGE);
}

size_t vmbus_gpa_encode(uint8_t *out, size_t cap, const struct vmbus_gpa_range *ranges,
                        unsigned nranges, size_t payload_len, uint64_t transaction_id,
                        bool completion_requested)
{
    size_t at = VMBUS_PKT_DESC_BYTES + VMBUS_GPA_HEADER_BYTES;
    if (nranges == 0 || at > cap)
        return 0;
    for (unsigned i = 0; i < nranges; i++) {
        const struct vmbus_gpa_range *r = &ranges[i];
        if (r->len == 0 || r->offset >= VMBUS_GPA_PAGE ||
            r->npfns != vmbus_gpa_pages(r->offset, r->len))
            return 0;
        size_t bytes = VMBUS_GPA_RANGE_HEADER_BYTES + 8u * (size_t)r->npfns;
        if (bytes > cap - at)
            return 0;
        wr32(out + at, r->len);
        wr32(out + at + 4, r->offset);
        for (uint32_t k = 0; k < r->npfns; k++)
            wr64(out + at + 8 + 8 * k, r->pfns[k]);
        at += bytes;
    }
    size_t len8 = (at + payload_len + 7) / 8;
    if (len8 > 0xFFFF)
        return 0;
    wr16(out, VMBUS_PKT_DATA_USING_GPA_DIRECT);
    wr16(out + 2, (uint16_t)(at / 8));
    wr16(out + 4, (uint16_t)len8);
    wr16(out + 6, completion_requested ? VMBUS_PKT_FLAG_COMPLETION_REQUESTED : 0);
    wr64(out + 8, transaction_id);
    wr32(out + 16, 0);
    wr32(out + 20, nranges);
    return at;
}
