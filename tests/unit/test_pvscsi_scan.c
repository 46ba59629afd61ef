/* drivers/pvscsi/pvscsi_scan.c and pvscsi_cmd.c: finding disks behind a
 * co-simulated adapter whose units answer as each test says, well or
 * badly. A unit whose reply is refused is skipped with a log line, the
 * others still become disks: REPORT LUNS refused or longer than the buffer,
 * INQUIRY cut short, a device that is not a disk, a unit attention before
 * it is ready, no medium, READ CAPACITY(10) saying "ask (16)" and absurd
 * capacities, the write-protect bit and the serial number; units added and
 * removed at run time (the message ring's notices). The adapter's
 * register side (pvscsi.c) is replaced: a kick runs the device and takes
 * its completions at once. */
#include "core/event.h"
#include "drivers/pvscsi/pvscsi.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

#define PAGE 4096
static uint8_t rings[4 * PAGE] __attribute__((aligned(PAGE)));
static struct pci_dev pci;
static struct pvscsi a;

/* ---- the units ---- */
struct unit {
    bool present;
    uint8_t inquiry[96];
    uint32_t inquiry_len;
    bool report_luns_refused;
    uint32_t report_luns_listed; /* LUN 0 first; more listed than sent when set */
    unsigned unit_attentions;    /* TEST UNIT READY answers with these first */
    bool no_medium;
    uint32_t rc10_last, block_size;
    uint64_t rc16_last;
    bool wp;
    bool caching_page, wce; /* MODE SENSE: a caching page, and its WCE bit */
    const char *serial;
};
static struct unit units[PVSCSI_MAX_TARGETS];
static uint32_t dev_cons, dev_prod;
static unsigned rc16_asked;

static void put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

static void complete(uint64_t ctx, uint32_t sense_len, uint16_t host, uint16_t scsi)
{
    struct pvscsi_cmp_desc *c = (struct pvscsi_cmp_desc *)(rings + 2 * PAGE) + dev_prod % 128;
    memset(c, 0, sizeof *c);
    c->context = ctx;
    c->sense_len = sense_len;
    c->host_status = host;
    c->scsi_status = scsi;
    dev_prod++;
    ((struct pvscsi_rings_state *)rings)->cmp_prod = dev_prod;
}

static void check_condition(const struct pvscsi_req_desc *r, uint8_t key, uint8_t asc)
{
    uint8_t s[18] = {0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, 0};
    memcpy((void *)(uintptr_t)r->sense_addr, s, sizeof s);
    complete(r->context, 18, 0, SCSI_STATUS_CHECK_CONDITION);
}

/* A reply shorter than asked for: QEMU's DATARUN without a count. */
static void reply(const struct pvscsi_req_desc *r, const void *bytes, uint32_t n)
{
    uint32_t len = n < r->data_len ? n : (uint32_t)r->data_len;
    memcpy((void *)(uintptr_t)r->data_addr, bytes, len);
    complete(r->context, 0, len < r->data_len ? PVSCSI_HOST_DATARUN : 0, SCSI_STATUS_GOOD);
}

static void answer(const struct pvscsi_req_desc *r)
{
    struct unit *u = &units[r->target];
    uint8_t b[512];
    memset(b, 0, sizeof b);
    if (!u->present || r->lun[1] != 0) {
        complete(r->context, 0, PVSCSI_HOST_SELTIMEO, 0);
        return;
    }
    switch (r->cdb[0]) {
    case SCSI_OP_REPORT_LUNS:
        if (u->report_luns_refused) {
            check_condition(r, SCSI_KEY_ILLEGAL_REQUEST, 0x20);
            return;
        }
        put32be(b, 8 * (u->report_luns_listed ? u->report_luns_listed : 1));
        reply(r, b, 16 + (u->report_luns_listed > 1 ? 8 * (u->report_luns_listed - 1) : 0));
        return;
    case SCSI_OP_INQUIRY:
        if (r->cdb[1] & 1) { /* VPD */
            b[1] = r->cdb[2];
            if (r->cdb[2] == 0x00 && u->serial) {
                b[3] = 2, b[4] = 0x00, b[5] = 0x80;
                reply(r, b, 6);
            } else if (r->cdb[2] == 0x80 && u->serial) {
                b[3] = (uint8_t)strlen(u->serial);
                memcpy(b + 4, u->serial, strlen(u->serial));
                reply(r, b, 4 + b[3]);
            } else {
                check_condition(r, SCSI_KEY_ILLEGAL_REQUEST, 0x24);
            }
            return;
        }
        reply(r, u->inquiry, u->inquiry_len);
        return;
    case SCSI_OP_TEST_UNIT_READY:
        if (u->unit_attentions) {
            u->unit_attentions--;
            check_condition(r, SCSI_KEY_UNIT_ATTENTION, 0x29);
        } else if (u->no_medium) {
            check_condition(r, SCSI_KEY_NOT_READY, 0x3A);
        } else {
            complete(r->context, 0, 0, SCSI_STATUS_GOOD);
        }
        return;
    case SCSI_OP_READ_CAPACITY10:
        put32be(b, u->rc10_last);
        put32be(b + 4, u->block_size);
        reply(r, b, 8);
        return;
    case SCSI_OP_SERVICE_ACTION_IN16:
        rc16_asked++;
        put32be(b, (uint32_t)(u->rc16_last >> 32));
        put32be(b + 4, (uint32_t)u->rc16_last);
        put32be(b + 8, u->block_size);
        reply(r, b, 32);
        return;
    case SCSI_OP_MODE_SENSE6:
        b[2] = u->wp ? 0x80 : 0;
        if (u->caching_page) { /* page 08h, 18 bytes, WCE in byte 2 bit 2 */
            b[4] = 0x08, b[5] = 18, b[6] = u->wce ? 0x04 : 0;
            b[0] = 4 + 20 - 1;
            reply(r, b, 24);
        } else {
            b[0] = 3;
            reply(r, b, 4);
        }
        return;
    default:
        check_condition(r, SCSI_KEY_ILLEGAL_REQUEST, 0x20);
    }
}

static bool held; /* the device takes no request until released */

void pvscsi_kick(struct pvscsi *ad, bool rw)
{
    (void)rw;
    if (held)
        return;
    struct pvscsi_rings_state *st = (struct pvscsi_rings_state *)rings;
    while (dev_cons != st->req_prod) {
        struct pvscsi_req_desc *r = (struct pvscsi_req_desc *)(rings + PAGE) + dev_cons % 32;
        dev_cons++;
        st->req_cons = dev_cons;
        answer(r);
    }
    pvscsi_queue_poll(&ad->q);
}

void pvscsi_disable(struct pvscsi *ad, const char *fmt, ...)
{
    (void)fmt;
    ad->disabled = true;
    ad->q.broken = true;
    pvscsi_queue_fail_all(&ad->q);
}

static void disk_unit(struct unit *u, uint32_t last, uint32_t bs)
{
    memset(u, 0, sizeof *u);
    u->present = true;
    u->inquiry[2] = 6, u->inquiry[3] = 2, u->inquiry[4] = 31;
    memcpy(u->inquiry + 8, "VMware  Virtual disk    2.0 ", 28);
    u->inquiry_len = 36;
    u->rc10_last = last;
    u->block_size = bs;
}

static void setup(void)
{
    host_platform_reset();
    memset(rings, 0, sizeof rings);
    memset(&a, 0, sizeof a);
    memset(units, 0, sizeof units);
    a.pci = &pci;
    a.name = "pvscsi test";
    pvscsi_queue_init(
        &a.q, a.name, (struct pvscsi_rings_state *)rings, (struct pvscsi_req_desc *)(rings + PAGE),
        32, (struct pvscsi_cmp_desc *)(rings + 2 * PAGE), 128, NULL, 0, a.slots, PVSCSI_SLOTS);
    dev_cons = dev_prod = 0;
    rc16_asked = 0;
}

static unsigned disks(void)
{
    unsigned n = 0;
    for (struct pvscsi_disk *d = a.disks; d; d = d->next)
        n++;
    return n;
}

static struct pvscsi_disk *disk_at(uint8_t target)
{
    for (struct pvscsi_disk *d = a.disks; d; d = d->next)
        if (d->target == target)
            return d;
    return NULL;
}

TEST(disks_found_on_their_targets)
{
    setup();
    disk_unit(&units[0], 8191, 512);
    disk_unit(&units[5], 2047, 4096);
    units[5].wp = true;
    units[5].serial = "  vol-5  ";
    units[5].caching_page = true; /* write cache off: no flush needed */
    units[0].caching_page = units[0].wce = true;
    pvscsi_scan(&a);
    CHECK_EQ(disks(), 2);
    struct pvscsi_disk *d0 = disk_at(0), *d5 = disk_at(5);
    CHECK(d0 && d0->bd.capacity == 8192 && d0->bd.sector_size == 512 && !d0->bd.read_only);
    CHECK(d5 && d5->bd.capacity == 2048 && d5->bd.sector_size == 4096 && d5->bd.read_only);
    CHECK_STR(d5->bd.serial, "vol-5");
    CHECK(d0->bd.has_flush && !d5->bd.has_flush);
    CHECK_STR(d0->bd.serial, "");
    CHECK(LOG_CONTAINS("VMware Virtual disk 2.0"));
    CHECK(LOG_CONTAINS("2 disks on 2 targets"));
    CHECK(!a.disabled);
    pvscsi_disks_remove(&a);
}

TEST(capacity_beyond_32_bits_asks_16)
{
    setup();
    disk_unit(&units[1], 0xFFFFFFFF, 512);
    units[1].rc16_last = (1ull << 33) - 1;
    pvscsi_scan(&a);
    CHECK_EQ(rc16_asked, 1);
    CHECK(disks() == 1 && a.disks->bd.capacity == 1ull << 33);
    pvscsi_disks_remove(&a);
}

TEST(absurd_capacities_skipped)
{
    setup();
    disk_unit(&units[0], 100, 1000);
    disk_unit(&units[1], 0xFFFFFFFF, 512);
    units[1].rc16_last = UINT64_MAX;
    disk_unit(&units[2], 100, 0);
    disk_unit(&units[3], 100, 512); /* the one good disk */
    pvscsi_scan(&a);
    CHECK(disks() == 1 && a.disks->target == 3);
    CHECK(LOG_CONTAINS("target 0 LUN 0: READ CAPACITY(10) block size 1000"));
    CHECK(LOG_CONTAINS("target 1 LUN 0: READ CAPACITY(16) last LBA 0xffffffffffffffff"));
    CHECK(LOG_CONTAINS("target 2 LUN 0: READ CAPACITY(10) block size 0"));
    pvscsi_disks_remove(&a);
}

TEST(report_luns_refused_or_long)
{
    setup();
    disk_unit(&units[0], 100, 512);
    units[0].report_luns_refused = true;
    disk_unit(&units[1], 100, 512);
    units[1].report_luns_listed = 2000; /* far more than the buffer holds */
    pvscsi_scan(&a);
    CHECK(LOG_CONTAINS("target 0: REPORT LUNS refused (CHECK CONDITION, ILLEGAL REQUEST: "
                       "invalid command operation code); trying LUN 0"));
    CHECK(LOG_CONTAINS("target 1: REPORT LUNS lists 2000 units, 32 arrived"));
    /* The list repeats LUN 0 (the entries sent are zeros): one disk. */
    CHECK(LOG_CONTAINS("target 1: REPORT LUNS repeats 31 entries; each unit used once"));
    CHECK(disks() == 2 && disk_at(0) != NULL && disk_at(1) != NULL);
    pvscsi_disks_remove(&a);
}

TEST(inquiry_and_readiness)
{
    setup();
    disk_unit(&units[0], 100, 512);
    units[0].inquiry[4] = 20; /* ADDITIONAL LENGTH: data ends before byte 36 */
    disk_unit(&units[1], 100, 512);
    units[1].inquiry[0] = 0x05; /* a CD-ROM */
    disk_unit(&units[2], 100, 512);
    units[2].no_medium = true;
    disk_unit(&units[3], 100, 512);
    units[3].unit_attentions = 2; /* as after a reset */
    disk_unit(&units[4], 100, 512);
    units[4].inquiry[0] = 0x7F; /* qualifier 3: no unit */
    pvscsi_scan(&a);
    CHECK(LOG_CONTAINS("target 0 LUN 0: INQUIRY ADDITIONAL LENGTH 20"));
    CHECK(LOG_CONTAINS("target 1 LUN 0: VMware Virtual disk, device type 0x5, not a disk"));
    CHECK(LOG_CONTAINS("target 2 LUN 0: VMware Virtual disk not ready: CHECK CONDITION, NOT "
                       "READY: medium not present"));
    CHECK(disks() == 1 && a.disks->target == 3);
    CHECK(!LOG_CONTAINS("target 4 LUN 0"));
    pvscsi_disks_remove(&a);
}

static void message(uint32_t type, uint32_t bus, uint32_t target, uint8_t lun)
{
    struct pvscsi_msg_desc m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.bus = bus;
    m.target = target;
    m.lun[1] = lun;
    pvscsi_hotplug_message(&a, &m);
}

TEST(unit_added_at_run_time)
{
    setup();
    pvscsi_hotplug_init(&a);
    disk_unit(&units[0], 100, 512);
    pvscsi_scan(&a);
    CHECK_EQ(disks(), 1);
    disk_unit(&units[6], 200, 512);
    message(PVSCSI_MSG_DEV_ADDED, 0, 6, 0);
    CHECK_EQ(disks(), 1); /* the scan runs as work, not in the message handler */
    while (event_run_pending())
        ;
    CHECK(disks() == 2 && disk_at(6) && disk_at(6)->bd.capacity == 201);
    CHECK(LOG_CONTAINS("unit added at target 6 LUN 0"));
    /* Told again: the unit is a disk already. */
    message(PVSCSI_MSG_DEV_ADDED, 0, 6, 0);
    while (event_run_pending())
        ;
    CHECK_EQ(disks(), 2);
    CHECK(LOG_CONTAINS("target 6: no new disk"));
    pvscsi_disks_remove(&a);
}

TEST(unit_removed_with_requests_in_flight)
{
    setup();
    pvscsi_hotplug_init(&a);
    disk_unit(&units[0], 100, 512);
    disk_unit(&units[1], 100, 512);
    pvscsi_scan(&a);
    struct pvscsi_disk *d1 = disk_at(1);
    CHECK(d1 != NULL);
    char name[16];
    strcpy(name, d1->bd.name);
    CHECK(blkdev_find(name) == &d1->bd);
    /* A read the device has not answered yet: the kick is held back. */
    units[1].present = false;
    static uint8_t buf[512];
    struct blk_request r = {.op = BLK_READ, .sector = 0, .count = 1, .buf = buf};
    held = true;
    CHECK_EQ(blkdev_submit(&d1->bd, &r), 0);
    message(PVSCSI_MSG_DEV_REMOVED, 0, 1, 0);
    CHECK(LOG_CONTAINS("(target 1 LUN 0) unplugged"));
    CHECK(blkdev_find(name) == NULL && disks() == 1 && disk_at(1) == NULL);
    /* The device answers (selection timeout: the unit is gone); the disk's
     * memory goes with its last request (AddressSanitizer watches). */
    held = false;
    pvscsi_kick(&a, true);
    CHECK_EQ(r.status, BLK_EIO);
    pvscsi_disks_remove(&a);
}

TEST(notices_out_of_range_ignored)
{
    setup();
    pvscsi_hotplug_init(&a);
    disk_unit(&units[0], 100, 512);
    pvscsi_scan(&a);
    message(PVSCSI_MSG_DEV_ADDED, 1, 0, 0);
    message(PVSCSI_MSG_DEV_REMOVED, 0, 64, 0);
    message(7, 0, 0, 0);
    CHECK(!event_run_pending());
    CHECK_EQ(disks(), 1);
    CHECK(LOG_CONTAINS("unit added at bus 1 target 0: outside what this driver uses"));
    CHECK(LOG_CONTAINS("unit removed at bus 0 target 64: outside"));
    CHECK(LOG_CONTAINS("message of unknown type 7 ignored"));
    pvscsi_disks_remove(&a);
}

UNIT_MAIN()
