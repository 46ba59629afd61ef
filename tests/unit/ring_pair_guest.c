/* The guest's half of ring_pair.h: bus/vmbus/vmbus_ring.c. */
#include <string.h>

#include "bus/vmbus/vmbus_ring.h"
#include "tests/unit/ring_pair.h"

#define PAGE 4096u

uint8_t rp_ram[1u << 20] __attribute__((aligned(4096)));
uint32_t rp_out_bytes, rp_in_bytes;
static struct vmbus_ring out, in;
static uint8_t pkt[1u << 16];

int rp_guest_init(void);
int rp_guest_init(void)
{
    if (vmbus_ring_init(&out, rp_ram, rp_out_bytes, true) != 0 ||
        vmbus_ring_init(&in, rp_ram + rp_out_bytes, rp_in_bytes, false) != 0)
        return -1;
    return 0;
}

static int result(enum vmbus_ring_result r)
{
    return r == VMBUS_RING_OK      ? RP_OK
           : r == VMBUS_RING_EMPTY ? RP_EMPTY
           : r == VMBUS_RING_FULL  ? RP_FULL
                                   : RP_BROKEN;
}

int rp_guest_send(const void *p, size_t len, uint64_t txid, bool *signal, const char **why)
{
    uint8_t desc[VMBUS_PKT_DESC_BYTES];
    vmbus_pkt_desc(desc, VMBUS_PKT_DATA_INBAND, len, txid, true);
    struct vmbus_sg parts[2] = {{desc, sizeof desc}, {p, len}};
    *why = "";
    return result(vmbus_ring_write(&out, parts, 2, signal, why));
}

int rp_guest_recv(void *buf, size_t cap, size_t *len, uint64_t *txid, bool *signal,
                  const char **why)
{
    struct vmbus_pkt pk;
    *why = "";
    int r = result(vmbus_ring_read(&in, pkt, sizeof pkt, &pk, signal, why));
    if (r != RP_OK)
        return r;
    size_t n = pk.len - pk.offset;
    if (n > cap)
        return RP_BROKEN;
    memcpy(buf, pkt + pk.offset, n);
    *len = n;
    *txid = pk.transaction_id;
    return RP_OK;
}

void rp_guest_mask(void)
{
    vmbus_ring_mask(&in);
}

bool rp_guest_unmask(void)
{
    return vmbus_ring_unmask(&in);
}
