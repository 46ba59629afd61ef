/* GPA-direct packets (type 9) both ways: the guest's encoder
 * (bus/vmbus/vmbus_gpa_pkt.c) pinned to golden bytes laid out from Linux
 * include/linux/hyperv.h (struct vmbus_packet_mpb_array: the descriptor,
 * reserved u32, range count u32, then byte_count, byte_offset and the PFNs
 * of each range), and hostsim's parser (hostsim/vmbus/gpa_direct.c), written
 * separately, taking what the guest encodes and refusing every malformed
 * variant with a reason; then data copied through the pages of a range
 * that is not contiguous in guest memory. */
#include <stdint.h>
#include <string.h>

#include "bus/vmbus/vmbus_gpa.h"
#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/gpa_direct.h"
#include "unit.h"

#define PAGE 4096u
#define RAM_PAGES 16

static uint8_t ram[RAM_PAGES * PAGE];
static struct guest_mem mem;

static void setup_mem(void)
{
    if (mem.count == 0)
        guest_mem_add(&mem, 0, sizeof ram, ram);
}

/* A packet the host's ring.c would hand over: descriptor fields from its
 * first 16 bytes. */
static struct vmbus_host_packet as_read(const uint8_t *bytes)
{
    struct vmbus_host_packet p = {0};
    memcpy(&p.type, bytes, 2);
    memcpy(&p.offset8, bytes + 2, 2);
    memcpy(&p.len8, bytes + 4, 2);
    memcpy(&p.flags, bytes + 6, 2);
    memcpy(&p.transaction_id, bytes + 8, 8);
    p.data = bytes;
    p.payload = bytes + p.offset8 * 8;
    p.payload_len = (uint32_t)(p.len8 - p.offset8) * 8;
    return p;
}

TEST(guest_encoding_golden_bytes)
{
    /* 0x2000 bytes from offset 0x10 of PFN 0x1234: three pages */
    static const uint64_t pfns[3] = {0x1234, 0x1235, 0x1236};
    struct vmbus_gpa_range r = {.len = 0x2000, .offset = 0x10, .pfns = pfns, .npfns = 3};
    CHECK_EQ(vmbus_gpa_pages(0x10, 0x2000), 3u);
    CHECK_EQ(vmbus_gpa_pages(0, 0x2000), 2u);
    CHECK_EQ(vmbus_gpa_pages(0xFFF, 1), 1u);
    CHECK_EQ(vmbus_gpa_pages(0xFFF, 2), 2u);
    uint8_t out[128];
    memset(out, 0xEE, sizeof out);
    size_t at = vmbus_gpa_encode(out, sizeof out, &r, 1, 64, 0x1122334455667788ull, true);
    static const uint8_t golden[56] = {
        0x09, 0x00, 0x07, 0x00, 0x0F, 0x00, 0x01, 0x00, /* type 9, offset8 7, len8 15, flag 1 */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* transaction id */
        0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* reserved, one range */
        0x00, 0x20, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, /* byte_count, byte_offset */
        0x34, 0x12, 0,    0,    0,    0,    0,    0,    0x35, 0x12, 0, 0,
        0,    0,    0,    0,    0x36, 0x12, 0,    0,    0,    0,    0, 0,
    };
    CHECK_EQ(at, sizeof golden);
    CHECK(memcmp(out, golden, sizeof golden) == 0);
    /* refused: an empty range, an offset of a page, a wrong page count, no room */
    struct vmbus_gpa_range bad = r;
    bad.len = 0;
    CHECK_EQ(vmbus_gpa_encode(out, sizeof out, &bad, 1, 64, 1, true), 0u);
    bad = r, bad.offset = 4096;
    CHECK_EQ(vmbus_gpa_encode(out, sizeof out, &bad, 1, 64, 1, true), 0u);
    bad = r, bad.npfns = 2;
    CHECK_EQ(vmbus_gpa_encode(out, sizeof out, &bad, 1, 64, 1, true), 0u);
    CHECK_EQ(vmbus_gpa_encode(out, 40, &r, 1, 64, 1, true), 0u);
    CHECK_EQ(vmbus_gpa_encode(out, sizeof out, &r, 0, 64, 1, true), 0u);
}

/* Encodes ranges + an 8-byte payload into pkt; returns its length. */
static size_t encode(uint8_t *pkt, const struct vmbus_gpa_range *r, unsigned n)
{
    size_t at = vmbus_gpa_encode(pkt, 512, r, n, 8, 7, true);
    memcpy(pkt + at, "payload!", 8);
    return at + 8;
}

TEST(host_takes_what_the_guest_encodes)
{
    setup_mem();
    static const uint64_t a[2] = {3, 9}, b[1] = {5};
    struct vmbus_gpa_range r[2] = {{.len = 4200, .offset = 100, .pfns = a, .npfns = 2},
                                   {.len = 16, .offset = 4000, .pfns = b, .npfns = 1}};
    uint8_t pkt[512];
    encode(pkt, r, 2);
    struct vmbus_host_packet p = as_read(pkt);
    struct vmbus_host_gpa g;
    char err[256];
    CHECK_EQ(vmbus_host_gpa_parse(&p, &mem, &g, err, sizeof err), 0);
    CHECK_EQ(g.count, 2u);
    CHECK_EQ(g.range[0].len, 4200u);
    CHECK_EQ(g.range[0].offset, 100u);
    CHECK_EQ(g.range[0].npfns, 2u);
    CHECK_EQ(g.range[1].npfns, 1u);
    CHECK(memcmp(p.payload, "payload!", 8) == 0);
    /* data through the two pages: the range's bytes 3990..4010 straddle
     * page 3 and page 9 */
    uint8_t src[20], back[20];
    for (int i = 0; i < 20; i++)
        src[i] = (uint8_t)(i + 1);
    CHECK_EQ(vmbus_host_gpa_write(&mem, &g.range[0], 3990, src, 20), 0);
    CHECK_EQ(ram[3 * PAGE + 100 + 3990], 1);
    CHECK_EQ(ram[9 * PAGE + 0], 7); /* byte 3996 of the range: page 9 offset 0 */
    CHECK_EQ(vmbus_host_gpa_read(&mem, &g.range[0], 3990, back, 20), 0);
    CHECK(memcmp(src, back, 20) == 0);
    /* never past the range */
    CHECK_EQ(vmbus_host_gpa_read(&mem, &g.range[0], 4190, back, 11), -1);
    CHECK_EQ(vmbus_host_gpa_write(&mem, &g.range[1], 0, src, 17), -1);
    CHECK_EQ(vmbus_host_gpa_read(&mem, &g.range[1], 17, back, 0), -1);
}

TEST(host_refuses_malformed_range_lists)
{
    setup_mem();
    static const uint64_t a[2] = {3, 4};
    struct vmbus_gpa_range r = {.len = 5000, .offset = 8, .pfns = a, .npfns = 2};
    uint8_t good[512], pkt[512];
    size_t len = encode(good, &r, 1);
    struct vmbus_host_gpa g;
    char err[256];
    struct {
        unsigned at; /* byte to change */
        uint32_t value;
        const char *says;
    } cases[] = {
        {20, 0, "with 0 ranges"},                /* range_count 0 */
        {20, 33, "with 33 ranges"},              /* more than the host takes */
        {20, 2, "runs past the payload offset"}, /* a second range that is not there */
        {24, 0, "of 0 bytes"},                   /* byte_count 0 */
        {28, 4096, "at page offset 4096"},       /* offset of a whole page */
        {24, 9000, "needs 3 PFNs"},              /* more pages than listed */
        {24, 100, "payload starts at"},          /* fewer pages than listed */
        {32, 0x100000, "is not guest RAM"},      /* a PFN outside RAM */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(pkt, good, len);
        memcpy(pkt + cases[i].at, &cases[i].value, 4);
        struct vmbus_host_packet p = as_read(pkt);
        err[0] = '\0';
        CHECK_EQ(vmbus_host_gpa_parse(&p, &mem, &g, err, sizeof err), -1);
        if (strstr(err, cases[i].says) == NULL)
            fail_msg("case %u: '%s' does not say '%s'", i, err, cases[i].says);
    }
    /* a payload offset inside the range header, and the wrong type */
    memcpy(pkt, good, len);
    pkt[2] = 2;
    struct vmbus_host_packet p = as_read(pkt);
    CHECK_EQ(vmbus_host_gpa_parse(&p, &mem, &g, err, sizeof err), -1);
    memcpy(pkt, good, len);
    pkt[0] = 6;
    p = as_read(pkt);
    CHECK_EQ(vmbus_host_gpa_parse(&p, &mem, &g, err, sizeof err), -1);
    CHECK(strstr(err, "expected type 9") != NULL);
}

UNIT_MAIN()
