/* hostsim's storvsc back end (hostsim/vmbus/storvsc.c, scsi_disk.c,
 * gpa_direct.c) driven packet by packet as a guest would, every guest
 * packet built here from the layouts of Linux drivers/scsi/storvsc_drv.c
 * (struct vstor_packet, vmscsi_request) and include/linux/hyperv.h (the
 * GPA-direct range), every answer checked against golden bytes: the init
 * order and its status codes, the properties, INQUIRY and READ(10) through
 * a GPA range, fixed-format sense for an LBA out of range, a violation for
 * each rule a guest can break, and the bytes of each --misbehave fault.
 * The channel's host-to-guest ring is set up directly (the VMBus messages
 * that open it are test_hostsim_vmbus.c's). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"

#include "hostsim/vmbus/storvsc.h"
#include "hostsim/vmbus/wire.h"

#define PAGE 4096u
#define RAM_PAGES 64
#define RING_PFN 8 /* host-to-guest ring: control page 8, data 9-15 */
#define RING_PAGES 8
#define BUF_PFN 32

static uint8_t ram[RAM_PAGES * PAGE];
static struct guest_mem mem;
static struct vmbus_host host;
static struct storvsc_host ctl;
static struct vmbus_host_channel *ch;
static uint64_t ring_pfns[RING_PAGES];
static uint32_t out_read;
static char violation[512], misbehaving[256];
static int disk_fd;

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx, (void)vp, (void)sint, (void)msg, (void)len;
    return 0;
}
static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx, (void)vp, (void)sint, (void)relid;
}
static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    snprintf(violation, sizeof violation, "%s", what);
}
static void hook_misbehaving(void *ctx, const char *what)
{
    (void)ctx;
    snprintf(misbehaving, sizeof misbehaving, "%s", what);
}

/* A fresh controller with one 64 KiB disk (LUN 0), its channel open. */
static void fresh(int misbehave, bool read_only)
{
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    guest_mem_add(&mem, 0, sizeof ram, ram);
    violation[0] = misbehaving[0] = '\0';
    struct vmbus_host_hooks hooks = {.post = hook_post,
                                     .signal = hook_signal,
                                     .violation = hook_violation,
                                     .misbehaving = hook_misbehaving};
    vmbus_host_init(&host, &mem, 1, 0x50003u, &hooks);
    storvsc_host_init(&ctl, 0);
    if (disk_fd == 0) {
        char name[] = "/tmp/hostsim-storvsc-XXXXXX";
        disk_fd = mkstemp(name);
        unlink(name);
    }
    uint8_t block[512];
    for (unsigned i = 0; i < 128; i++) {
        memset(block, (int)i, sizeof block);
        if (pwrite(disk_fd, block, 512, (off_t)i * 512) != 512)
            abort();
    }
    storvsc_host_add_disk(&ctl, disk_fd, read_only, 64 * 1024, "disk0.img");
    ctl.misbehave = (enum storvsc_host_misbehave)misbehave;
    ch = vmbus_host_add_channel(&host, &ctl.service);
    for (unsigned i = 0; i < RING_PAGES; i++)
        ring_pfns[i] = RING_PFN + i;
    char err[128];
    if (vmbus_host_ring_init(&ch->out, &mem, ring_pfns, RING_PAGES, true, err, sizeof err) != 0)
        abort();
    ch->open = true;
    ch->state = VMBUS_CH_OPEN;
    ch->target_vp = 0;
    out_read = 0;
    ctl.service.opened(ch);
}

/* Hands the back end one guest packet: a descriptor of type, the extra
 * bytes (a GPA range list), the payload. */
static void guest_sends(uint16_t type, uint16_t flags, uint64_t tid, const uint8_t *extra,
                        uint32_t extra_len, const uint8_t *payload, uint32_t len)
{
    static uint8_t pkt[512];
    memset(pkt, 0, sizeof pkt);
    uint16_t offset8 = (uint16_t)((16 + extra_len) / 8),
             len8 = (uint16_t)((16 + extra_len + len + 7) / 8);
    memcpy(pkt, &type, 2);
    memcpy(pkt + 2, &offset8, 2);
    memcpy(pkt + 4, &len8, 2);
    memcpy(pkt + 6, &flags, 2);
    memcpy(pkt + 8, &tid, 8);
    if (extra_len > 0)
        memcpy(pkt + 16, extra, extra_len);
    memcpy(pkt + offset8 * 8, payload, len);
    struct vmbus_host_packet p = {.type = type,
                                  .offset8 = offset8,
                                  .len8 = len8,
                                  .flags = flags,
                                  .transaction_id = tid,
                                  .data = pkt,
                                  .payload = pkt + offset8 * 8,
                                  .payload_len = (uint32_t)(len8 - offset8) * 8};
    ctl.service.packet(ch, &p);
}

/* The next completion the host wrote: its payload into out; its length. */
static uint32_t host_answer(uint8_t *out, uint64_t *tid, uint16_t *type)
{
    uint8_t *ctl_page = ram + RING_PFN * PAGE, *data = ctl_page + PAGE;
    uint32_t write;
    memcpy(&write, ctl_page, 4);
    if (write == out_read)
        return 0;
    uint16_t off8, len8;
    memcpy(type, data + out_read, 2);
    memcpy(&off8, data + out_read + 2, 2);
    memcpy(&len8, data + out_read + 4, 2);
    memcpy(tid, data + out_read + 8, 8);
    uint32_t len = (uint32_t)(len8 - off8) * 8;
    memcpy(out, data + out_read + off8 * 8, len);
    out_read += len8 * 8u + 8;
    memcpy(ctl_page + 4, &out_read, 4);
    return len;
}

static void w32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static uint32_t r32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* A vstor_packet of op, completion requested (64 bytes). */
static void vstor(uint8_t *p, uint32_t op)
{
    memset(p, 0, 64);
    w32(p, op);
    w32(p + 4, 1);
}

/* Runs one in-band init step; the host's status. */
static uint32_t step(uint32_t op, uint16_t version, uint8_t *answer)
{
    uint8_t p[64];
    vstor(p, op);
    memcpy(p + 12, &version, 2);
    guest_sends(6, 1, 0x100 + op, NULL, 0, p, 64);
    uint64_t tid = 0;
    uint16_t type = 0;
    if (host_answer(answer, &tid, &type) != 64 || tid != 0x100 + op || type != 11 ||
        r32(answer) != 1 || r32(answer + 4) != 0) /* COMPLETE_IO, no flags */
        return 0xFFFFFFFFu;
    return r32(answer + 8);
}

static void init_all(void)
{
    uint8_t a[64];
    CHECK_EQ(step(7, 0, a), 0u);
    CHECK_EQ(step(9, 0x0602, a), 0u);
    CHECK_EQ(step(10, 0, a), 0u);
    CHECK_EQ(step(8, 0, a), 0u);
}

/* An EXECUTE_SRB for LUN 0 with cdb; data len bytes at GPA BUF_PFN * 4096
 * + offset, as one GPA range when len > 0. */
static void srb(uint64_t tid, const uint8_t *cdb, uint8_t cdb_len, uint8_t data_in, uint32_t len,
                uint32_t range_len)
{
    uint8_t p[64];
    vstor(p, 3);
    uint8_t *s = p + 12;
    s[0] = 0x34;
    s[8] = cdb_len;
    s[9] = 0x14;
    s[10] = data_in;
    w32(s + 12, len);
    memcpy(s + 16, cdb, cdb_len > 16 ? 16 : cdb_len);
    if (len == 0) {
        guest_sends(6, 1, tid, NULL, 0, p, 64);
        return;
    }
    uint8_t ranges[8 + 8 + 8 * 4] = {0};
    uint32_t pages = (range_len + PAGE - 1) / PAGE;
    w32(ranges + 4, 1);
    w32(ranges + 8, range_len);
    for (uint32_t i = 0; i < pages; i++) {
        uint64_t pfn = BUF_PFN + i;
        memcpy(ranges + 16 + 8 * i, &pfn, 8);
    }
    guest_sends(9, 1, tid, ranges, 16 + 8 * pages, p, 64);
}

TEST(init_order_versions_and_properties)
{
    fresh(0, false);
    uint8_t a[64];
    CHECK_EQ(step(7, 0, a), 0u);
    CHECK_EQ(step(9, 0x0700, a), 0xC0000059u); /* REVISION_MISMATCH: try another */
    CHECK_EQ(step(9, 0x0602, a), 0u);
    CHECK_EQ(step(10, 0, a), 0u);
    static const uint8_t props[24] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(a + 12, props, sizeof props) == 0); /* max_transfer_bytes 0x40000 @24 */
    CHECK_EQ(step(13, 0, a), 0xC000000Du);           /* no sub-channels: INVALID_PARAMETER */
    CHECK_EQ(step(8, 0, a), 0u);
    CHECK_EQ(step(5, 0, a), 0u); /* RESET_ADAPTER: nothing to do */
    CHECK_STR(violation, "");
    /* a cap of WIN8: 6.2 and 6.0 refused, 5.1 taken */
    fresh(0, false);
    ctl.max_version = 0x0501;
    CHECK_EQ(step(7, 0, a), 0u);
    CHECK_EQ(step(9, 0x0602, a), 0xC0000059u);
    CHECK_EQ(step(9, 0x0600, a), 0xC0000059u);
    CHECK_EQ(step(9, 0x0501, a), 0u);
    CHECK_STR(violation, "");
}

TEST(inquiry_and_reads_through_a_gpa_range)
{
    fresh(0, false);
    init_all();
    static const uint8_t inquiry[6] = {0x12, 0, 0, 0, 96, 0};
    srb(0x51, inquiry, 6, 1, 96, 96);
    uint8_t a[64];
    uint64_t tid;
    uint16_t type;
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(tid, 0x51u);
    static const uint8_t ok[16] = {0x34, 0, 0x01, 0, 0, 0, 0, 0, 6, 0x14, 1, 0, 36, 0, 0, 0};
    CHECK(memcmp(a + 12, ok, sizeof ok) == 0); /* SUCCESS, GOOD, 36 bytes moved */
    CHECK_EQ(ram[BUF_PFN * PAGE + 2], 5);      /* SPC-3 */
    CHECK(memcmp(ram + BUF_PFN * PAGE + 8, "Msft    Virtual Disk    1.0 ", 28) == 0);
    /* READ(10) of blocks 9 and 10 over two pages */
    static const uint8_t read10[10] = {0x28, 0, 0, 0, 0, 9, 0, 0, 2, 0};
    srb(0x52, read10, 10, 1, 1024, 1024);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(a[14], 0x01);
    CHECK_EQ(r32(a + 24), 1024u);
    CHECK_EQ(ram[BUF_PFN * PAGE], 9);
    CHECK_EQ(ram[BUF_PFN * PAGE + 1023], 10);
    /* beyond the disk (128 blocks): CHECK CONDITION, ILLEGAL REQUEST,
     * LOGICAL BLOCK ADDRESS OUT OF RANGE */
    static const uint8_t past[10] = {0x28, 0, 0, 0, 0, 127, 0, 0, 2, 0};
    srb(0x53, past, 10, 1, 1024, 1024);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(a[14], 0x84); /* ERROR | AUTOSENSE_VALID */
    CHECK_EQ(a[15], 2);    /* CHECK CONDITION */
    CHECK_EQ(r32(a + 24), 0u);
    static const uint8_t sense[18] = {0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x21, 0, 0, 0, 0, 0};
    CHECK(memcmp(a + 28, sense, sizeof sense) == 0);
    CHECK_EQ(r32(a + 8), 0xC0000185u); /* IO_DEVICE_ERROR */
    /* LUN 1 is not there: INVALID_LUN, and INQUIRY's qualifier 3 */
    uint8_t p[64];
    vstor(p, 3);
    p[12] = 0x34, p[19] = 1, p[20] = 6, p[21] = 0x14, p[22] = 2;
    guest_sends(6, 1, 0x54, NULL, 0, p, 64);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(a[14], 0x20);
    CHECK_EQ(r32(a + 8), 0xC00000C0u);
    CHECK_STR(violation, "");
}

/* Runs cdb with len data bytes (read direction) and returns the answer's
 * SRB status; the data is at BUF_PFN. */
static uint8_t run(uint64_t tid, const uint8_t *cdb, uint8_t cdb_len, uint32_t len, uint8_t *a)
{
    memset(ram + BUF_PFN * PAGE, 0xEE, 2 * PAGE);
    srb(tid, cdb, cdb_len, len ? 1 : 2, len, len);
    uint64_t got;
    uint16_t type;
    if (host_answer(a, &got, &type) != 64 || got != tid)
        return 0xFF;
    return a[14];
}

TEST(the_other_commands)
{
    fresh(0, false);
    init_all();
    uint8_t a[64];
    const uint8_t *buf = ram + BUF_PFN * PAGE;
    /* READ CAPACITY(10): last LBA 127, 512-byte blocks */
    static const uint8_t rc10[10] = {0x25};
    CHECK_EQ(run(1, rc10, 10, 8, a), 1);
    static const uint8_t cap10[8] = {0, 0, 0, 127, 0, 0, 2, 0};
    CHECK(memcmp(buf, cap10, 8) == 0);
    /* READ CAPACITY(16) (SERVICE ACTION IN 0x9E/0x10), allocation 32 */
    static const uint8_t rc16[16] = {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32};
    CHECK_EQ(run(2, rc16, 16, 32, a), 1);
    static const uint8_t cap16[12] = {0, 0, 0, 0, 0, 0, 0, 127, 0, 0, 2, 0};
    CHECK(memcmp(buf, cap16, 12) == 0);
    CHECK_EQ(r32(a + 24), 32u);
    /* READ(16) of block 100 */
    static const uint8_t read16[16] = {0x88, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 1};
    CHECK_EQ(run(3, read16, 16, 512, a), 1);
    CHECK_EQ(buf[0], 100);
    CHECK_EQ(buf[511], 100);
    /* REPORT LUNS: one unit, LUN 0 */
    static const uint8_t luns[12] = {0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    CHECK_EQ(run(4, luns, 12, 256, a), 1);
    static const uint8_t list[16] = {0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(buf, list, 16) == 0);
    CHECK_EQ(r32(a + 24), 16u);
    /* VPD pages 0x00, 0x80 (the file's name), 0x83 (a T10 vendor id) */
    static const uint8_t vpd0[6] = {0x12, 1, 0x00, 0, 255, 0};
    CHECK_EQ(run(5, vpd0, 6, 255, a), 1);
    static const uint8_t pages[7] = {0, 0, 0, 3, 0x00, 0x80, 0x83};
    CHECK(memcmp(buf, pages, 7) == 0);
    static const uint8_t vpd80[6] = {0x12, 1, 0x80, 0, 255, 0};
    CHECK_EQ(run(6, vpd80, 6, 255, a), 1);
    CHECK(buf[1] == 0x80 && buf[3] == 9 && memcmp(buf + 4, "disk0.img", 9) == 0);
    static const uint8_t vpd83[6] = {0x12, 1, 0x83, 0, 255, 0};
    CHECK_EQ(run(7, vpd83, 6, 255, a), 1);
    static const uint8_t ident[16] = {0,   0x83, 0,   21,  2,   1,   0,   17,
                                      'M', 's',  'f', 't', ' ', ' ', ' ', ' '};
    CHECK(memcmp(buf, ident, 16) == 0);
    /* SYNCHRONIZE CACHE(10): no data, GOOD */
    static const uint8_t sync10[10] = {0x35};
    CHECK_EQ(run(8, sync10, 10, 0, a), 1);
    CHECK_EQ(ctl.flushes, 1u);
    /* refused with ILLEGAL REQUEST: an unknown opcode (0x20), a page
     * without EVPD (0x24), a length of 0 (0x21) */
    static const uint8_t unknown[6] = {0x04};
    CHECK_EQ(run(9, unknown, 6, 0, a), 0x84);
    CHECK(a[30] == 5 && a[40] == 0x20);
    /* one that moves data (MODE SENSE(10), which this disk does not know) */
    static const uint8_t sense10[10] = {0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 64, 0};
    CHECK_EQ(run(12, sense10, 10, 64, a), 0x84);
    CHECK(a[30] == 5 && a[40] == 0x20);
    static const uint8_t nopage[6] = {0x12, 0, 0x80, 0, 96, 0};
    CHECK_EQ(run(10, nopage, 6, 96, a), 0x84);
    CHECK(a[30] == 5 && a[40] == 0x24);
    static const uint8_t zero[10] = {0x28, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    CHECK_EQ(run(11, zero, 10, 512, a), 0x84);
    CHECK(a[30] == 5 && a[40] == 0x21);
    CHECK_STR(violation, "");
}

TEST(a_read_only_disk_refuses_writes)
{
    fresh(0, true);
    init_all();
    static const uint8_t write10[10] = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    srb(0x61, write10, 10, 0, 512, 512);
    uint8_t a[64];
    uint64_t tid;
    uint16_t type;
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    static const uint8_t sense[14] = {0x70, 0, 7, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x27, 0};
    CHECK(memcmp(a + 28, sense, sizeof sense) == 0); /* DATA PROTECT, WRITE PROTECTED */
    uint8_t first;
    CHECK_EQ(pread(disk_fd, &first, 1, 0), 1);
    CHECK_EQ(first, 0);
    static const uint8_t mode[6] = {0x1A, 0, 0x3F, 0, 192, 0};
    srb(0x62, mode, 6, 1, 192, 192);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(ram[BUF_PFN * PAGE + 2], 0x80);        /* WP */
    CHECK_EQ(ram[BUF_PFN * PAGE + 4], 0x08);        /* the caching page */
    CHECK_EQ(ram[BUF_PFN * PAGE + 6] & 0x04, 0x04); /* WCE */
}

TEST(each_broken_rule_is_a_violation)
{
    uint8_t p[64], a[64];
    static const uint8_t tur[6] = {0};
    static const uint8_t read10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    struct {
        const char *says;
    } cases[] = {
        {"operation 3 while waiting for BEGIN_INITIALIZATION"},
        {"expected in-band (6) or GPA-direct (9) with completion requested"},
        {"operation 8 while waiting for QUERY_PROTOCOL_VERSION"},
        {"expected GPA-direct (9) with the buffer"},
        {"expected data_in 1"},
        {"expected one range of at least the transfer"},
        {"CDB length 17"},
        {"operation 7 in a GPA-direct packet"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fresh(0, false);
        if (i != 0 && i != 2)
            init_all();
        if (i == 2)
            CHECK_EQ(step(7, 0, a), 0u);
        switch (i) {
        case 0:
            srb(1, tur, 6, 2, 0, 0);
            break;
        case 1: /* no completion requested */
            vstor(p, 3);
            guest_sends(6, 0, 1, NULL, 0, p, 64);
            break;
        case 2:
            step(8, 0, a);
            break;
        case 3: { /* data but in-band */
            vstor(p, 3);
            p[12] = 0x34, p[20] = 10, p[21] = 0x14, p[22] = 1;
            w32(p + 24, 512);
            memcpy(p + 28, read10, 10);
            guest_sends(6, 1, 1, NULL, 0, p, 64);
            break;
        }
        case 4:
            srb(1, read10, 10, 0, 512, 512); /* a READ said to be a write */
            break;
        case 5:
            srb(1, read10, 10, 1, 512, 100); /* the range shorter than the transfer */
            break;
        case 6:
            srb(1, (const uint8_t[16]){0x28, 0, 0, 0, 0, 0, 0, 0, 1}, 17, 1, 512, 512);
            break;
        case 7: {
            uint8_t ranges[24] = {0};
            w32(ranges + 4, 1);
            w32(ranges + 8, 512);
            ranges[16] = BUF_PFN;
            vstor(p, 7);
            guest_sends(9, 1, 1, ranges, 24, p, 64);
            break;
        }
        }
        if (strstr(violation, cases[i].says) == NULL)
            fail_msg("case %u: '%s' does not say '%s'", i, violation, cases[i].says);
    }
}

TEST(each_fault_breaks_the_first_read)
{
    static const uint8_t read10[10] = {0x28, 0, 0, 0, 0, 3, 0, 0, 1, 0};
    uint8_t a[64];
    uint64_t tid;
    uint16_t type;
    /* srb-length: 512 bytes more than asked */
    fresh(STORVSC_MISBEHAVE_SRB_LENGTH, false);
    init_all();
    srb(0x71, read10, 10, 1, 512, 512);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(r32(a + 24), 1024u);
    CHECK(strstr(misbehaving, "512 bytes more") != NULL);
    /* sense-length: CHECK CONDITION with sense_info_length 0x60 */
    fresh(STORVSC_MISBEHAVE_SENSE_LENGTH, false);
    init_all();
    srb(0x72, read10, 10, 1, 512, 512);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(a[14], 0x84);
    CHECK_EQ(a[15], 2);
    CHECK_EQ(a[21], 0x60);
    /* unsolicited: a completion for an id never sent, then the real one */
    fresh(STORVSC_MISBEHAVE_UNSOLICITED, false);
    init_all();
    srb(0x73, read10, 10, 1, 512, 512);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(tid, 0x5354000000000001ull);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(tid, 0x73u);
    /* wrong-id: the id + 0x10000 */
    fresh(STORVSC_MISBEHAVE_WRONG_ID, false);
    init_all();
    srb(0x74, read10, 10, 1, 512, 512);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(tid, 0x10074u);
    /* once: the next read is answered as it should be */
    srb(0x75, read10, 10, 1, 512, 512);
    CHECK_EQ(host_answer(a, &tid, &type), 64u);
    CHECK_EQ(tid, 0x75u);
    CHECK_STR(violation, "");
}

UNIT_MAIN()
