/* drivers/pvscsi/pvscsi_disk.c: each disk as a blkdev over the rings, with
 * a co-simulated unit behind them. What is checked is what an app sees:
 * the CDB a request becomes (10- or 16-byte form, SYNCHRONIZE CACHE for a
 * flush), the data, and the error and log line a failed command turns
 * into through dev/scsi: DATA PROTECT gives EROFS and a read-only disk,
 * ILLEGAL REQUEST EINVAL, a unit attention is retried, a short transfer or
 * an adapter error is EIO. The adapter's register side (pvscsi.c) is
 * replaced here: a kick runs the device, a disable fails what is in flight. */
#include "drivers/pvscsi/pvscsi.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

#define PAGE 4096
static uint8_t rings[4 * PAGE] __attribute__((aligned(PAGE)));
static struct pci_dev pci;
static struct pvscsi a;

/* ---- the unit behind the adapter ---- */
enum behaviour { GOOD, PROTECTED, ILLEGAL, UA_ONCE, UA_ALWAYS, SELTIMEO, SHORT };
static enum behaviour behaviour;
static unsigned commands_seen, kicks_rw, kicks_other;
static uint8_t last_cdb[16];
static uint32_t dev_cons, dev_prod;

static void write_sense(uint64_t addr, uint8_t key, uint8_t asc)
{
    uint8_t s[18] = {0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, 0};
    memcpy((void *)(uintptr_t)addr, s, sizeof s);
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

/* The kick: the device takes every published request and answers it. */
void pvscsi_kick(struct pvscsi *ad, bool rw)
{
    (void)ad;
    rw ? kicks_rw++ : kicks_other++;
    struct pvscsi_rings_state *st = (struct pvscsi_rings_state *)rings;
    while (dev_cons != st->req_prod) {
        struct pvscsi_req_desc *r = (struct pvscsi_req_desc *)(rings + PAGE) + dev_cons % 32;
        dev_cons++;
        st->req_cons = dev_cons;
        commands_seen++;
        memcpy(last_cdb, r->cdb, 16);
        switch (behaviour) {
        case UA_ONCE:
        case UA_ALWAYS:
            if (behaviour == UA_ALWAYS || commands_seen == 1) {
                write_sense(r->sense_addr, SCSI_KEY_UNIT_ATTENTION, 0x29);
                complete(r->context, 18, 0, SCSI_STATUS_CHECK_CONDITION);
                break;
            }
            /* fall through */
        case GOOD:
            if (r->flags & PVSCSI_FLAG_DIR_TOHOST)
                memset((void *)(uintptr_t)r->data_addr, 0xA5, r->data_len);
            complete(r->context, 0, 0, SCSI_STATUS_GOOD);
            break;
        case PROTECTED: /* as QEMU answers a write to a readonly=on drive */
            write_sense(r->sense_addr, SCSI_KEY_DATA_PROTECT, 0x27);
            complete(r->context, 18, PVSCSI_HOST_DATARUN, SCSI_STATUS_CHECK_CONDITION);
            break;
        case ILLEGAL:
            write_sense(r->sense_addr, SCSI_KEY_ILLEGAL_REQUEST, 0x24);
            complete(r->context, 18, 0, SCSI_STATUS_CHECK_CONDITION);
            break;
        case SELTIMEO:
            complete(r->context, 0, PVSCSI_HOST_SELTIMEO, 0);
            break;
        case SHORT:
            complete(r->context, 0, PVSCSI_HOST_DATARUN, SCSI_STATUS_GOOD);
            break;
        }
    }
}

static char disabled_why[200];
void pvscsi_disable(struct pvscsi *ad, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(disabled_why, sizeof disabled_why, fmt, ap);
    va_end(ap);
    ad->disabled = true;
    ad->q.broken = true;
    pvscsi_queue_fail_all(&ad->q);
}

/* ---- the driver's side ---- */
static struct pvscsi_disk *disk;

static void setup(enum behaviour b, uint64_t blocks)
{
    memset(rings, 0, sizeof rings);
    memset(&a, 0, sizeof a);
    a.pci = &pci;
    a.name = "pvscsi test";
    pvscsi_queue_init(
        &a.q, a.name, (struct pvscsi_rings_state *)rings, (struct pvscsi_req_desc *)(rings + PAGE),
        32, (struct pvscsi_cmp_desc *)(rings + 2 * PAGE), 128, NULL, 0, a.slots, PVSCSI_SLOTS);
    behaviour = b;
    commands_seen = kicks_rw = kicks_other = 0;
    dev_cons = dev_prod = 0;
    disabled_why[0] = '\0';
    struct scsi_capacity cap = {.blocks = blocks, .block_size = 512};
    if (pvscsi_disk_add(&a, 2, 0, &cap, false, true, "serial-1") != 0)
        abort();
    disk = a.disks;
}

static void teardown(void)
{
    pvscsi_disks_remove(&a);
}

static unsigned finished;
static void done(struct blk_request *r)
{
    (void)r;
    finished++;
}

/* Submits one request and runs the completion ring once; its status. */
static int one(enum blk_op op, uint64_t sector, uint32_t count, void *buf)
{
    struct blk_request r = {.op = op, .sector = sector, .count = count, .buf = buf, .done = done};
    finished = 0;
    int rc = blkdev_submit(&disk->bd, &r);
    if (rc != 0)
        return rc;
    pvscsi_queue_poll(&a.q);
    return finished == 1 ? r.status : 12345;
}

static uint8_t buf[8192];

TEST(read_and_registration)
{
    setup(GOOD, 8192);
    CHECK(LOG_CONTAINS("blk") && LOG_CONTAINS("is target 2 LUN 0"));
    CHECK_STR(disk->bd.serial, "serial-1");
    memset(buf, 0, sizeof buf);
    CHECK_EQ(one(BLK_READ, 100, 2, buf), 0);
    CHECK(buf[0] == 0xA5 && buf[1023] == 0xA5 && buf[1024] == 0);
    const uint8_t read10[10] = {0x28, 0, 0, 0, 0, 100, 0, 0, 2, 0};
    CHECK(memcmp(last_cdb, read10, 10) == 0);
    CHECK_EQ(kicks_rw, 1);
    CHECK_EQ(one(BLK_FLUSH, 0, 0, NULL), 0);
    CHECK(last_cdb[0] == 0x35 && kicks_other == 1);
    teardown();
}

TEST(large_lba_uses_16_byte_commands)
{
    setup(GOOD, 1ull << 33);
    CHECK_EQ(one(BLK_WRITE, 1ull << 32, 1, buf), 0);
    CHECK(last_cdb[0] == 0x8A && last_cdb[5] == 1 && last_cdb[13] == 1);
    teardown();
}

TEST(data_protect_makes_the_disk_read_only)
{
    setup(PROTECTED, 8192);
    CHECK_EQ(one(BLK_WRITE, 0, 1, buf), BLK_EROFS);
    CHECK(LOG_CONTAINS("write of 1 sectors at 0 failed: CHECK CONDITION, DATA PROTECT: write "
                       "protected"));
    CHECK(LOG_CONTAINS("marked read-only"));
    CHECK(disk->bd.read_only);
    /* The next write does not reach the device. */
    unsigned seen = commands_seen;
    CHECK_EQ(one(BLK_WRITE, 0, 1, buf), BLK_EROFS);
    CHECK_EQ(commands_seen, seen);
    teardown();
}

TEST(illegal_request_is_einval)
{
    setup(ILLEGAL, 8192);
    CHECK_EQ(one(BLK_READ, 0, 1, buf), BLK_EINVAL);
    CHECK(LOG_CONTAINS("ILLEGAL REQUEST: invalid field in CDB"));
    teardown();
}

TEST(unit_attention_retried)
{
    setup(UA_ONCE, 8192);
    CHECK_EQ(one(BLK_READ, 0, 1, buf), 0);
    CHECK_EQ(commands_seen, 2);
    teardown();
    setup(UA_ALWAYS, 8192);
    CHECK_EQ(one(BLK_READ, 0, 1, buf), BLK_EIO);
    CHECK_EQ(commands_seen, 4); /* the first and three retries */
    CHECK(LOG_CONTAINS("UNIT ATTENTION: power on, reset, or bus device reset occurred"));
    teardown();
}

TEST(adapter_errors_and_short_transfers)
{
    setup(SELTIMEO, 8192);
    CHECK_EQ(one(BLK_READ, 0, 1, buf), BLK_EIO);
    CHECK(LOG_CONTAINS("host status 0x11 (selection timeout"));
    teardown();
    setup(SHORT, 8192);
    CHECK_EQ(one(BLK_READ, 0, 1, buf), BLK_EIO);
    CHECK(LOG_CONTAINS("short transfer"));
    teardown();
}

TEST(requests_in_flight_and_a_failing_adapter)
{
    setup(GOOD, 8192);
    static struct blk_request r[40];
    behaviour = SELTIMEO;
    unsigned queued = 0, busy = 0;
    finished = 0;
    /* The device answers each kick at once, but answers are taken only by
     * a poll: every slot stays in use. */
    for (unsigned i = 0; i < 40; i++) {
        r[i] = (struct blk_request){
            .op = BLK_READ, .sector = i, .count = 1, .buf = buf + 512 * (i % 16), .done = done};
        int rc = blkdev_submit(&disk->bd, &r[i]);
        queued += rc == 0;
        busy += rc == BLK_EBUSY;
    }
    CHECK_EQ(queued, PVSCSI_SLOTS);
    CHECK_EQ(busy, 40 - PVSCSI_SLOTS);
    CHECK_EQ(a.q.in_flight, PVSCSI_SLOTS);
    /* The device breaks its protocol: everything in flight fails. */
    ((struct pvscsi_rings_state *)rings)->cmp_prod = dev_prod + 1000;
    CHECK_EQ(pvscsi_queue_poll(&a.q), -1);
    pvscsi_disable(&a, "%s", a.q.error);
    CHECK_EQ(finished, PVSCSI_SLOTS);
    for (unsigned i = 0; i < PVSCSI_SLOTS; i++)
        CHECK_EQ(r[i].status, BLK_EIO);
    CHECK(strstr(disabled_why, "completion producer index") != NULL);
    /* A disabled adapter takes nothing more. */
    CHECK_EQ(one(BLK_READ, 0, 1, buf), BLK_EIO);
    teardown();
}

UNIT_MAIN()
