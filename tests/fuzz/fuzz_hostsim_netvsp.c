/* libFuzzer harness: hostsim's network VSP (hostsim/vmbus/netvsp.c,
 * netvsp_rndis.c) driven by a guest the input shapes, on a channel of
 * hostsim's VMBus host opened by hand over guest RAM with a receive and a
 * send buffer GPADL. The input is a list of steps (first byte % 4):
 *   0: an in-band NVSP message (a length byte, then the bytes; a flags
 *      byte, a transaction-id byte), the first bytes often a real NVSP type;
 *   1: bytes written into a send-buffer section, then NVSP 107 naming a
 *      section, a size and a channel (all from the input);
 *   2: the guest's completion of a transaction id (8 bytes from the input);
 *   3: up to 4 frames from the TAP side (lengths and headers from the
 *      input), with the checksum verdicts netvsp_rx_checksum gives them.
 * A valid start (INIT, NDIS_CONFIG, both buffers, RNDIS INITIALIZE and the
 * packet filter) comes first so the deep paths are reached. Checked: every
 * frame the VSP transmits lies inside the send section it came from and is
 * 14 to 1514 bytes; a checksum it leaves to the host lies inside the frame;
 * after a violation nothing more is transmitted; ASan checks every access.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_netvsp.c hostsim/vmbus/{netvsp,netvsp_rndis,server*,gpadl,ring}.c \
 *     hostsim/guest_mem.c hostsim/registry.c */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/netvsp.h"
#include "hostsim/vmbus/wire.h"
#include "tests/fuzz/fuzz_input.h"

#define PAGE 4096u
#define RAM_PAGES 64
#define RING_PFN 4 /* 4 pages: the host-to-guest ring */
#define RX_PFN 16  /* 16 pages: 36 receive sections */
#define TX_PFN 40  /* 6 pages: 4 send sections */
#define MAX_STEPS 48

static uint8_t ram[RAM_PAGES * PAGE];
static struct guest_mem mem;
static struct vmbus_host host;
static struct netvsp vsp;
static struct vmbus_host_channel *ch;
static const uint64_t ring_pfn[4] = {RING_PFN, RING_PFN + 1, RING_PFN + 2, RING_PFN + 3};
static bool broken;

static int post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx, (void)vp, (void)sint, (void)msg, (void)len;
    return 0;
}

static void signal_guest(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx, (void)vp, (void)sint, (void)relid;
}

static void violation(void *ctx, const char *what)
{
    (void)ctx, (void)what;
    broken = true;
}

static void transmit(void *ctx, const uint8_t *f, size_t len, uint16_t start, uint16_t off)
{
    (void)ctx;
    BROKEN_IF(broken);
    BROKEN_IF(f < vsp.scratch || f + len > vsp.scratch + sizeof vsp.scratch);
    BROKEN_IF(len < 14 || len > 1514);
    BROKEN_IF(off != 0 && (size_t)start + off + 2 > len);
    volatile uint8_t last = f[len - 1];
    (void)last;
}

static void gpadl(unsigned slot, uint32_t id, uint64_t pfn, unsigned npages)
{
    uint8_t list[8 + 8 * 16];
    uint32_t bytes = npages * PAGE, zero = 0;
    memcpy(list, &bytes, 4);
    memcpy(list + 4, &zero, 4);
    for (unsigned i = 0; i < npages; i++) {
        uint64_t p = pfn + i;
        memcpy(list + 8 + 8 * i, &p, 8);
    }
    char err[256];
    vmbus_host_gpadl_begin(&host.gpadl[slot], 1, id, (uint16_t)(8 + 8 * npages), 1, list,
                           8 + 8 * npages, &mem, err, sizeof err);
}

static void nvsp(const uint8_t *m, size_t n, uint16_t flags, uint64_t tid)
{
    struct vmbus_host_packet p = {.type = VMBUS_PACKET_DATA_INBAND,
                                  .flags = flags,
                                  .transaction_id = tid,
                                  .payload = m,
                                  .payload_len = (uint32_t)n};
    vsp.service.packet(ch, &p);
}

static void nvsp3(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint64_t tid)
{
    uint32_t m[10] = {a, b, c, d};
    nvsp((const uint8_t *)m, sizeof m, tid != 0, tid);
}

static void rndis(uint32_t channel, uint32_t section, const uint8_t *msg, uint32_t len,
                  uint64_t tid)
{
    if ((uint64_t)section * 6144 + len <= 6 * PAGE)
        memcpy(ram + TX_PFN * PAGE + section * 6144, msg, len);
    nvsp3(107, channel, section, len, tid);
}

/* The guest takes whatever the host wrote: its read index (control page
 * @4) catches up, so the ring never fills. */
static void drain(void)
{
    uint32_t w = ch->out.index;
    memcpy(ram + RING_PFN * PAGE + 4, &w, 4);
}

static void start(void)
{
    vmbus_host_destroy(&host);
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    guest_mem_add(&mem, 0, sizeof ram, ram);
    broken = false;
    struct vmbus_host_hooks hooks = {.post = post, .signal = signal_guest, .violation = violation};
    vmbus_host_init(&host, &mem, 1, 0x50003, &hooks);
    static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0, 0, 1};
    struct netvsp_hooks nh = {.transmit = transmit};
    netvsp_init(&vsp, mac, &nh);
    ch = vmbus_host_add_channel(&host, &vsp.service);
    char err[128];
    vmbus_host_ring_init(&ch->out, &mem, ring_pfn, 4, true, err, sizeof err);
    ch->open = true;
    ch->state = VMBUS_CH_OPEN;
    ch->target_vp = 0xFFFFFFFFu;
    vsp.service.opened(ch);
    gpadl(0, 100, RX_PFN, 16);
    gpadl(1, 101, TX_PFN, 6);
    nvsp3(1, 0x60001, 0x60001, 0, 1);
    nvsp3(125, 1514, 0, 0, 0);
    nvsp3(101, 100, 0xCAFE, 0, 2);
    nvsp3(104, 101, 0, 0, 3);
    static const uint32_t init[6] = {2, 24, 1, 1, 0, 0x4000};
    rndis(1, 0, (const uint8_t *)init, sizeof init, 4);
    static const uint32_t filter[8] = {5, 32, 2, 0x0001010E, 4, 20, 0, 0x2D};
    rndis(1, 1, (const uint8_t *)filter, sizeof filter, 5);
    drain();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    start();
    struct fuzz_input in = {data, size};
    static const uint32_t types[] = {1, 100, 101, 103, 104, 106, 107, 125, 108, 9};
    for (unsigned step = 0; step < MAX_STEPS && in.n > 0 && !broken; step++) {
        uint8_t buf[256];
        unsigned op = fuzz_take(&in, 1) % 4;
        if (op == 0) {
            size_t n = fuzz_take(&in, 1) % 64;
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)fuzz_take(&in, 1);
            if (n >= 4 && buf[0] < 10) {
                uint32_t t = types[buf[0]];
                memcpy(buf, &t, 4);
            }
            uint16_t flags = (uint16_t)fuzz_take(&in, 1) & 1;
            nvsp(buf, n, flags, fuzz_take(&in, 1));
        } else if (op == 1) {
            uint32_t len = fuzz_take(&in, 1) * 2 % 240;
            for (uint32_t i = 0; i < len; i++)
                buf[i] = (uint8_t)fuzz_take(&in, 1);
            uint32_t section = fuzz_take(&in, 1) % 6, channel = fuzz_take(&in, 1) % 3;
            rndis(channel, section, buf, len + fuzz_take(&in, 1) % 8, fuzz_take(&in, 1));
        } else if (op == 2) {
            uint32_t c[2] = {108, 1};
            struct vmbus_host_packet p = {.type = VMBUS_PACKET_COMP,
                                          .transaction_id = fuzz_take(&in, 1),
                                          .payload = (const uint8_t *)c,
                                          .payload_len = 8};
            vsp.service.packet(ch, &p);
        } else {
            static uint8_t frame[1600];
            struct netvsp_frame f[4];
            unsigned n = fuzz_take(&in, 1) % 5;
            for (unsigned i = 0; i < n; i++) {
                f[i].data = frame;
                f[i].len = fuzz_take(&in, 2) % sizeof frame;
                frame[0] = (uint8_t)fuzz_take(&in, 1); /* unicast, multicast, broadcast */
                for (unsigned k = 12; k < 12 + 30 && in.n > 0; k++)
                    frame[k] = (uint8_t)fuzz_take(&in, 1); /* ethertype, IP, TCP/UDP headers */
                f[i].csum = netvsp_rx_checksum(frame, f[i].len);
                BROKEN_IF(f[i].csum & ~0x3Fu);
            }
            netvsp_deliver(&vsp, f, n);
        }
        drain();
    }
    return 0;
}
