/* hostsim's half of ring_pair.h: hostsim/vmbus/ring.c over the same
 * memory, seen as guest RAM at guest-physical address 0. */
#include <string.h>

#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/ring.h"
#include "hostsim/vmbus/wire.h"
#include "tests/unit/ring_pair.h"

#define PAGE 4096u
#define MAX_PAGES 256

extern uint8_t rp_ram[1u << 20];
extern uint32_t rp_out_bytes, rp_in_bytes;
int rp_guest_init(void);

static struct guest_mem mem;
static uint64_t pfn_out[MAX_PAGES], pfn_in[MAX_PAGES];
static struct vmbus_host_ring from_guest, to_guest;
static uint8_t pkt[1u << 16];
static char err[160];

int rp_init(uint32_t out_bytes, uint32_t in_bytes)
{
    if (out_bytes % PAGE || in_bytes % PAGE || out_bytes < 2 * PAGE || in_bytes < 2 * PAGE ||
        out_bytes / PAGE > MAX_PAGES || in_bytes / PAGE > MAX_PAGES ||
        (size_t)out_bytes + in_bytes > sizeof rp_ram)
        return -1;
    memset(rp_ram, 0, sizeof rp_ram);
    memset(&mem, 0, sizeof mem);
    rp_out_bytes = out_bytes;
    rp_in_bytes = in_bytes;
    if (guest_mem_add(&mem, 0, sizeof rp_ram, rp_ram) != 0 || rp_guest_init() != 0)
        return -1;
    for (unsigned i = 0; i < out_bytes / PAGE; i++)
        pfn_out[i] = i;
    for (unsigned i = 0; i < in_bytes / PAGE; i++)
        pfn_in[i] = out_bytes / PAGE + i;
    if (vmbus_host_ring_init(&from_guest, &mem, pfn_out, out_bytes / PAGE, false, err,
                             sizeof err) != 0 ||
        vmbus_host_ring_init(&to_guest, &mem, pfn_in, in_bytes / PAGE, true, err, sizeof err) != 0)
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

int rp_host_send(const void *p, size_t len, uint64_t txid, bool *signal, const char **why)
{
    err[0] = '\0';
    *why = err;
    return result(vmbus_host_ring_write(&to_guest, VMBUS_PACKET_COMP, 0, txid, p, len, signal, err,
                                        sizeof err));
}

int rp_host_recv(void *buf, size_t cap, size_t *len, uint64_t *txid, bool *signal, const char **why)
{
    struct vmbus_host_packet p;
    err[0] = '\0';
    *why = err;
    int r = result(vmbus_host_ring_read(&from_guest, &p, pkt, sizeof pkt, signal, err, sizeof err));
    if (r != RP_OK)
        return r;
    if (p.payload_len > cap)
        return RP_BROKEN;
    memcpy(buf, p.payload, p.payload_len);
    *len = p.payload_len;
    *txid = p.transaction_id;
    return RP_OK;
}

void rp_host_corrupt_next(int kind)
{
    to_guest.corrupt_next = kind;
}
