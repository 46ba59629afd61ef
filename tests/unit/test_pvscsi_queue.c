/* drivers/pvscsi/pvscsi_queue.c against a co-simulated PVSCSI device. The
 * device side below reads requests and writes completions and messages by
 * the byte offsets of VMware's pvscsi header (restated in docs/pvscsi.md),
 * not through the driver's structures, so a layout mistake on either side
 * shows. The misbehaving device writes indices out of range, completions
 * for contexts never issued or issued twice, lengths larger than the
 * request's: each must be caught with a message naming the value, and
 * nothing accepted afterwards. */
#include "drivers/pvscsi/pvscsi_queue.h"
#include "tests/unit/unit.h"

#define PAGE 4096
static uint8_t state_page[PAGE] __attribute__((aligned(PAGE)));
static uint8_t req_ring[PAGE] __attribute__((aligned(PAGE)));
static uint8_t cmp_ring[PAGE] __attribute__((aligned(PAGE)));
static uint8_t msg_ring[PAGE] __attribute__((aligned(PAGE)));
#define REQ_ENTRIES 32
#define CMP_ENTRIES 128
#define MSG_ENTRIES 32

static struct pvscsi_queue q;
static struct pvscsi_slot slots[REQ_ENTRIES];

/* ---- the device ---- */
static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void wr64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

struct dev_req {
    uint64_t context, data_addr, data_len, sense_addr;
    uint32_t sense_len, flags;
    uint8_t cdb[16], cdb_len, lun[8], target;
};
static uint32_t dev_req_cons, dev_cmp_prod, dev_msg_prod;

/* Takes the next request the driver published (state: reqProdIdx @0,
 * reqConsIdx @4; entry: context @0, dataAddr @8, dataLen @16, senseAddr
 * @24, senseLen @32, flags @36, cdb @40, cdbLen @56, lun @57, target @67). */
static bool dev_take(struct dev_req *r)
{
    if (rd32(state_page + 0) == dev_req_cons)
        return false;
    const uint8_t *e = req_ring + (dev_req_cons % REQ_ENTRIES) * 128;
    r->context = rd64(e + 0);
    r->data_addr = rd64(e + 8);
    r->data_len = rd64(e + 16);
    r->sense_addr = rd64(e + 24);
    r->sense_len = rd32(e + 32);
    r->flags = rd32(e + 36);
    memcpy(r->cdb, e + 40, 16);
    r->cdb_len = e[56];
    memcpy(r->lun, e + 57, 8);
    r->target = e[67];
    dev_req_cons++;
    wr32(state_page + 4, dev_req_cons);
    return true;
}

/* Writes a completion (context @0, dataLen @8, senseLen @16, hostStatus
 * @20, scsiStatus @22) and publishes it (cmpProdIdx @12). */
static void dev_complete_raw(uint64_t context, uint64_t data_len, uint32_t sense_len, uint16_t host,
                             uint16_t scsi)
{
    uint8_t *e = cmp_ring + (dev_cmp_prod % CMP_ENTRIES) * 32;
    memset(e, 0, 32);
    wr64(e + 0, context);
    wr64(e + 8, data_len);
    wr32(e + 16, sense_len);
    memcpy(e + 20, &host, 2);
    memcpy(e + 22, &scsi, 2);
    dev_cmp_prod++;
    wr32(state_page + 12, dev_cmp_prod);
}

static void dev_complete(const struct dev_req *r, uint16_t scsi)
{
    dev_complete_raw(r->context, r->data_len, 0, 0, scsi);
}

/* ---- the driver's side ---- */
static unsigned done_calls;
static struct pvscsi_slot *last_done;
static uint16_t last_host;

static void done(struct pvscsi_slot *s)
{
    done_calls++;
    last_done = s;
    last_host = s->host_status;
}

static struct scsi_cmd cmds[40];
static uint8_t data[40][512];

static enum pvscsi_submit_result submit(unsigned i, uint8_t target, bool *rw)
{
    struct scsi_cmd *c = &cmds[i];
    memset(c, 0, sizeof *c);
    scsi_cdb_rw(&c->cdb, false, i, 1, 512);
    c->data = data[i];
    return pvscsi_queue_submit(&q, c, target, 0, done, c, rw);
}

static void reset(void)
{
    memset(state_page, 0, sizeof state_page);
    memset(req_ring, 0, sizeof req_ring);
    memset(cmp_ring, 0, sizeof cmp_ring);
    memset(msg_ring, 0, sizeof msg_ring);
    memset(slots, 0, sizeof slots);
    dev_req_cons = dev_cmp_prod = dev_msg_prod = 0;
    done_calls = 0;
    last_done = NULL;
    pvscsi_queue_init(&q, "pvscsi test", (volatile struct pvscsi_rings_state *)state_page,
                      (volatile struct pvscsi_req_desc *)req_ring, REQ_ENTRIES,
                      (volatile struct pvscsi_cmp_desc *)cmp_ring, CMP_ENTRIES,
                      (volatile struct pvscsi_msg_desc *)msg_ring, MSG_ENTRIES, slots, REQ_ENTRIES);
}

TEST(request_layout)
{
    reset();
    bool rw = false;
    struct scsi_cmd c;
    memset(&c, 0, sizeof c);
    scsi_cdb_inquiry(&c.cdb, 96);
    c.data = data[0];
    CHECK_EQ(pvscsi_queue_submit(&q, &c, 7, 3, done, NULL, &rw), PVSCSI_QUEUED);
    CHECK(!rw); /* INQUIRY goes through KICK_NON_RW_IO */
    struct dev_req r;
    CHECK(dev_take(&r));
    CHECK(r.context != 0 && r.context < (1ull << 32));
    CHECK_EQ(r.data_addr, (uint64_t)(uintptr_t)data[0]);
    CHECK_EQ(r.data_len, 96);
    CHECK_EQ(r.sense_addr, (uint64_t)(uintptr_t)c.sense);
    CHECK_EQ(r.sense_len, SCSI_SENSE_MAX);
    CHECK_EQ(r.flags, 0x8); /* DIR_TOHOST */
    CHECK(r.cdb_len == 6 && r.cdb[0] == 0x12 && r.cdb[4] == 96);
    CHECK(r.lun[0] == 0 && r.lun[1] == 3 && r.target == 7);
    CHECK(!dev_take(&r));

    struct scsi_cmd w;
    memset(&w, 0, sizeof w);
    scsi_cdb_rw(&w.cdb, true, 5, 2, 512);
    w.data = data[1];
    CHECK_EQ(pvscsi_queue_submit(&q, &w, 0, 0, done, NULL, &rw), PVSCSI_QUEUED);
    CHECK(rw); /* WRITE(10) goes through KICK_RW_IO */
    CHECK(dev_take(&r));
    CHECK(r.flags == 0x10 && r.cdb[0] == 0x2A && r.data_len == 1024);
    struct scsi_cmd f;
    memset(&f, 0, sizeof f);
    scsi_cdb_synchronize_cache10(&f.cdb);
    CHECK_EQ(pvscsi_queue_submit(&q, &f, 0, 0, done, NULL, &rw), PVSCSI_QUEUED);
    CHECK(dev_take(&r));
    CHECK(r.flags == 0x4 && r.data_addr == 0 && r.data_len == 0 && !rw);
}

TEST(completions_in_any_order)
{
    reset();
    bool rw;
    struct dev_req r[3];
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(submit(i, 0, &rw), PVSCSI_QUEUED);
        CHECK(dev_take(&r[i]));
    }
    CHECK_EQ(q.in_flight, 3);
    /* Sense for the second: the device wrote 18 bytes of it. */
    dev_complete_raw(r[1].context, 0, 18, 0, SCSI_STATUS_CHECK_CONDITION);
    dev_complete(&r[2], 0);
    CHECK_EQ(pvscsi_queue_poll(&q), 2);
    CHECK_EQ(done_calls, 2);
    CHECK(cmds[1].status == SCSI_STATUS_CHECK_CONDITION && cmds[1].sense_len == 18);
    CHECK(cmds[2].status == 0 && cmds[2].residual == 0);
    /* A short transfer with the bytes moved. */
    dev_complete_raw(r[0].context, 200, 0, PVSCSI_HOST_DATARUN, 0);
    CHECK_EQ(pvscsi_queue_poll(&q), 1);
    CHECK(last_done->ctx == &cmds[0] && cmds[0].residual == 312 && last_host == 0x12);
    CHECK_EQ(q.in_flight, 0);
    CHECK_EQ(pvscsi_queue_poll(&q), 0);
    CHECK(!q.broken);
}

TEST(full_ring_and_reuse_across_wraps)
{
    reset();
    bool rw;
    struct dev_req r;
    for (unsigned i = 0; i < REQ_ENTRIES; i++)
        CHECK_EQ(submit(i, 0, &rw), PVSCSI_QUEUED);
    CHECK_EQ(submit(REQ_ENTRIES, 0, &rw), PVSCSI_FULL);
    /* Thousands of requests: every index wraps its ring many times. */
    for (unsigned n = 0; n < 5000; n++) {
        CHECK(dev_take(&r));
        dev_complete(&r, 0);
        CHECK_EQ(pvscsi_queue_poll(&q), 1);
        unsigned i = (unsigned)((struct scsi_cmd *)last_done->ctx - cmds);
        CHECK_EQ(submit(i, 0, &rw), PVSCSI_QUEUED);
    }
    CHECK(!q.broken && q.in_flight == REQ_ENTRIES);
}

TEST(indices_wrap_at_2_32)
{
    reset();
    /* Both sides start just below the 32-bit wrap. */
    uint32_t start = UINT32_MAX - 3;
    q.req_prod = q.cmp_cons = start;
    wr32(state_page + 0, start);
    wr32(state_page + 4, start);
    wr32(state_page + 12, start);
    wr32(state_page + 16, start);
    dev_req_cons = dev_cmp_prod = start;
    bool rw;
    struct dev_req r;
    for (unsigned n = 0; n < 10; n++) {
        CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
        CHECK(dev_take(&r));
        dev_complete(&r, 0);
        CHECK_EQ(pvscsi_queue_poll(&q), 1);
    }
    CHECK(!q.broken && rd32(state_page + 16) == start + 10);
}

/* The driver must have given up with a message containing what, and accept
 * nothing afterwards; what was in flight is failed by fail_all. */
static bool gave_up(const char *what)
{
    if (!q.broken || strstr(q.error, what) == NULL) {
        fprintf(stderr, "error: '%s' (wanted '%s')\n", q.error, what);
        return false;
    }
    bool rw;
    if (submit(39, 0, &rw) != PVSCSI_BROKEN || pvscsi_queue_poll(&q) != -1)
        return false;
    unsigned before = done_calls, in_flight = q.in_flight;
    pvscsi_queue_fail_all(&q);
    return done_calls == before + in_flight && q.in_flight == 0 &&
           (in_flight == 0 || last_host == PVSCSI_HOST_DRIVER_FAILED);
}

TEST(completion_index_out_of_range)
{
    reset();
    bool rw;
    struct dev_req r;
    CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
    CHECK(dev_take(&r));
    /* The producer index jumps by more than the ring holds. */
    wr32(state_page + 12, 1000);
    CHECK_EQ(pvscsi_queue_poll(&q), -1);
    CHECK(gave_up("completion producer index 1000"));
    CHECK_EQ(done_calls, 1);
}

TEST(more_completions_than_in_flight)
{
    reset();
    bool rw;
    struct dev_req r;
    CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
    CHECK(dev_take(&r));
    dev_complete(&r, 0);
    dev_complete(&r, 0);
    CHECK_EQ(pvscsi_queue_poll(&q), -1);
    CHECK(gave_up("2 entries ahead"));
    CHECK_EQ(done_calls, 1); /* nothing accepted: only fail_all's */
}

TEST(unknown_contexts)
{
    const uint64_t bad[] = {0, 0x7FF, 1ull << 32 | 1, 33};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reset();
        bool rw;
        struct dev_req r;
        CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
        CHECK(dev_take(&r));
        dev_complete_raw(bad[i], 0, 0, 0, 0);
        CHECK_EQ(pvscsi_queue_poll(&q), -1);
        CHECK(gave_up("never issued"));
        CHECK_EQ(done_calls, 1); /* only fail_all's */
    }
}

TEST(context_completed_twice)
{
    reset();
    bool rw;
    struct dev_req r, again;
    CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
    CHECK(dev_take(&r));
    dev_complete(&r, 0);
    CHECK_EQ(pvscsi_queue_poll(&q), 1);
    /* The slot is reused by a new request; the old context comes back. */
    CHECK_EQ(submit(1, 0, &rw), PVSCSI_QUEUED);
    CHECK(dev_take(&again));
    CHECK(again.context != r.context);
    dev_complete(&r, 0);
    CHECK_EQ(pvscsi_queue_poll(&q), -1);
    CHECK(gave_up("not in flight"));
    CHECK_EQ(done_calls, 2); /* the first, and the reused slot failed */
}

TEST(oversized_lengths_and_status)
{
    for (int k = 0; k < 3; k++) {
        reset();
        bool rw;
        struct dev_req r;
        CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
        CHECK(dev_take(&r));
        if (k == 0)
            dev_complete_raw(r.context, 513, 0, 0, 0);
        else if (k == 1)
            dev_complete_raw(r.context, 0, SCSI_SENSE_MAX + 1, 0, 2);
        else
            dev_complete_raw(r.context, 0, 0, 0, 0x102);
        CHECK_EQ(pvscsi_queue_poll(&q), -1);
        CHECK(gave_up(k == 0   ? "513 bytes transferred"
                      : k == 1 ? "sense length 253"
                               : "SCSI status 0x102"));
        CHECK_EQ(cmds[0].status, 0xFF); /* never filled in from a bad completion */
    }
}

TEST(request_consumer_out_of_range)
{
    reset();
    bool rw;
    CHECK_EQ(submit(0, 0, &rw), PVSCSI_QUEUED);
    wr32(state_page + 4, 500); /* consumed beyond what was produced */
    CHECK_EQ(submit(1, 0, &rw), PVSCSI_BROKEN);
    CHECK(gave_up("request consumer index 500"));
}

/* A message: type @0, bus @4, target @8, lun @12; msgProdIdx @128,
 * msgConsIdx @132. */
static void dev_message(uint32_t type, uint32_t target)
{
    uint8_t *e = msg_ring + (dev_msg_prod % MSG_ENTRIES) * 128;
    memset(e, 0, 128);
    wr32(e, type);
    wr32(e + 8, target);
    e[13] = 0;
    dev_msg_prod++;
    wr32(state_page + 128, dev_msg_prod);
}

TEST(messages)
{
    reset();
    struct pvscsi_msg_desc m;
    CHECK_EQ(pvscsi_queue_take_msg(&q, &m), 0);
    dev_message(PVSCSI_MSG_DEV_ADDED, 4);
    dev_message(PVSCSI_MSG_DEV_REMOVED, 2);
    CHECK_EQ(pvscsi_queue_take_msg(&q, &m), 1);
    CHECK(m.type == 0 && m.target == 4);
    CHECK_EQ(pvscsi_queue_take_msg(&q, &m), 1);
    CHECK(m.type == 1 && m.target == 2);
    CHECK_EQ(pvscsi_queue_take_msg(&q, &m), 0);
    CHECK_EQ(rd32(state_page + 132), 2);
    wr32(state_page + 128, 2 + MSG_ENTRIES + 1);
    CHECK_EQ(pvscsi_queue_take_msg(&q, &m), -1);
    CHECK(gave_up("message producer index 35"));
}

UNIT_MAIN()
