/* The kernel's storvsc driver (drivers/storvsc/) on the kernel's VMBus
 * (bus/vmbus/) against hostsim's VMBus host and storvsc back end
 * (hostsim/vmbus/server*.c, storvsc.c, scsi_disk.c, gpa_direct.c), all in
 * this process: the two sides were written separately from the public
 * layouts (storvsc_drv.c, openvmm's storvsp), so each checks the other,
 * and hostsim's strict checks catch a guest that breaks the protocol. The
 * SynIC and the hypercalls are replaced by a queue and function calls
 * (tests/unit/storvsc_cosim_host.c); the disks are temporary files.
 *
 * Controllers, in offer order (relids 1-6):
 *   0: LUN 0 a writable disk of 1 MiB, LUN 1 a read-only disk;
 *   1: one disk, a host that takes storvsc versions up to WIN8 (5.1);
 *   2-5: one disk each, a host that breaks the protocol at the first READ
 *        (each --misbehave storvsc-* kind);
 *   6: one disk, whose ring the test breaks under a request being sent;
 *   7: one disk; the controller is rescinded in the middle of a rescan. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/vmbus/vmbus.h"
#include "core/device.h"
#include "core/event.h"
#include "core/time.h"
#include "dev/blkdev.h"
#include "hv/hv.h"
#include "hv/hyperv/hypercall_abi.h"
#include "hv/hyperv/hyperv.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/storvsc_cosim_host.h"
#include "unit.h"

#define PAGE 4096u
#define MISBEHAVE_SRB_LENGTH 1 /* hostsim/vmbus/storvsc.h enum storvsc_host_misbehave */
#define MISBEHAVE_SENSE_LENGTH 2
#define MISBEHAVE_UNSOLICITED 3
#define MISBEHAVE_WRONG_ID 4
#define VERSION_WIN8 0x0501u

/* ---- the guest's hypercalls and SynIC, served by the host ---- */
static uint64_t flags[HV_EVENT_FLAG_WORDS];

static struct work settle_work;
static void on_signal(uint32_t relid)
{
    flags[relid / 64] |= 1ull << (relid % 64);
    work_queue(&settle_work); /* the SINT's interrupt queues the bus's work */
}
static void on_message(void)
{
    work_queue(&settle_work);
}

uint16_t hyperv_post_message(uint32_t conn_id, uint32_t message_type, const void *payload,
                             size_t len)
{
    if (message_type != 1)
        return HV_STATUS_INVALID_PARAMETER;
    cosim_host_post(conn_id, payload, len);
    return HV_STATUS_SUCCESS;
}

uint16_t hyperv_signal_event(uint32_t connection_id, uint16_t flag)
{
    (void)flag;
    cosim_host_signal(connection_id);
    return HV_STATUS_SUCCESS;
}

bool hyperv_synic_take(unsigned sint, struct hv_message *out)
{
    uint8_t msg[240], len;
    if (sint != HV_VMBUS_SINT || !cosim_host_take(msg, &len))
        return false;
    memset(out, 0, sizeof *out);
    out->type = 1;
    out->payload_size = len;
    memcpy(out->payload, msg, len);
    return true;
}

unsigned hyperv_synic_events(unsigned sint, void (*fn)(void *ctx, unsigned flag), void *ctx)
{
    return sint == HV_VMBUS_SINT ? hv_event_flags_drain(flags, fn, ctx) : 0;
}

int hyperv_hypercall_init(void)
{
    return 0;
}
int hyperv_synic_init(struct work *w)
{
    (void)w;
    return 0;
}
bool hv_has(enum hv_cap c, uint32_t *base)
{
    (void)c, (void)base;
    return false; /* vmbus_connect is the entry here, not vmbus_start */
}

void *dma_alloc(size_t size, size_t align, uint64_t *dev_addr)
{
    (void)align;
    size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
    void *p = aligned_alloc(PAGE, size);
    memset(p, 0, size);
    *dev_addr = (uint64_t)(uintptr_t)p;
    return p;
}
void dma_free(void *p, size_t size)
{
    (void)size;
    free(p);
}

/* The SynIC interrupt: the kernel takes what the host sent, and its work
 * item settles the bus (hv/hyperv's SINT handler and vmbus_bus.c). */
static void settle(struct work *w)
{
    (void)w;
    vmbus_settle();
}
static bool interrupt(void)
{
    vmbus_pump();
    return true;
}

/* ---- disks ---- */
static int disk_file(uint64_t bytes, uint8_t fill)
{
    char name[] = "/tmp/storvsc-cosim-XXXXXX";
    int fd = mkstemp(name);
    unlink(name);
    uint8_t *b = malloc(bytes);
    memset(b, fill, bytes);
    if (fd < 0 || pwrite(fd, b, bytes, 0) != (ssize_t)bytes)
        abort();
    free(b);
    return fd;
}

static int fd_rw, fd_ro, fd_old, fd_bad[4], fd_last, fd_gone;

static struct blkdev *disk(const char *serial)
{
    for (struct blkdev *bd = blkdev_first(); bd; bd = bd->next)
        if (strcmp(bd->serial, serial) == 0)
            return bd;
    return NULL;
}

static struct vmbus_dev *controller(uint32_t relid)
{
    for (struct device *d = device_first(); d; d = d->next)
        if (d->bus == &vmbus_bus &&
            container_of(d, struct vmbus_dev, dev)->offer.child_relid == relid)
            return container_of(d, struct vmbus_dev, dev);
    return NULL;
}

#define HOST_KEPT_RULES() CHECK_STR(cosim_host_violation(), "")

TEST(init_in_order_and_every_lun_found)
{
    host_platform_reset();
    host_clock_step = 1000;
    host_device_interrupt = interrupt;
    cosim_guest_signal = on_signal;
    cosim_guest_message = on_message;
    settle_work = (struct work)WORK_INIT(settle);
    cosim_host_reset();
    fd_rw = disk_file(1 << 20, 0);
    fd_ro = disk_file(32 * 1024, 0x52);
    fd_old = disk_file(64 * 1024, 0);
    CHECK_EQ(cosim_host_add_disk(0, fd_rw, false, 1 << 20, "rw.img"), 0);
    CHECK_EQ(cosim_host_add_disk(0, fd_ro, true, 32 * 1024, "ro.img"), 0);
    CHECK_EQ(cosim_host_add_disk(1, fd_old, false, 64 * 1024, "old.img"), 0);
    cosim_host_max_version(1, VERSION_WIN8);
    static const int kinds[4] = {MISBEHAVE_SRB_LENGTH, MISBEHAVE_SENSE_LENGTH,
                                 MISBEHAVE_UNSOLICITED, MISBEHAVE_WRONG_ID};
    for (unsigned i = 0; i < 4; i++) {
        char serial[16] = "bad0.img";
        serial[3] = (char)('0' + i);
        fd_bad[i] = disk_file(64 * 1024, (uint8_t)(0x30 + i));
        CHECK_EQ(cosim_host_add_disk(2 + i, fd_bad[i], false, 64 * 1024, serial), 0);
        cosim_host_misbehave(2 + i, kinds[i]);
    }
    fd_last = disk_file(64 * 1024, 0);
    CHECK_EQ(cosim_host_add_disk(6, fd_last, false, 64 * 1024, "last.img"), 0);
    fd_gone = disk_file(64 * 1024, 0);
    CHECK_EQ(cosim_host_add_disk(7, fd_gone, false, 64 * 1024, "gone.img"), 0);
    CHECK_EQ(vmbus_connect(0x1000, 0x2000, 0x3000), 0);
    vmbus_settle();
    CHECK(LOG_CONTAINS("vmbus: 8 offers"));
    /* the newest version each host takes: 6.2, and 5.1 after two refusals */
    CHECK(LOG_CONTAINS("storvsc relid 1: protocol 6.2, transfers up to 256 KiB"));
    CHECK(LOG_CONTAINS("storvsc relid 2: protocol 5.1, transfers up to 256 KiB"));
    CHECK(LOG_CONTAINS("storvsc relid 1: LUN 0: Msft Virtual Disk 1.0, SCSI version 5"));
    CHECK(LOG_CONTAINS("storvsc relid 1: 2 disks"));
    CHECK(LOG_CONTAINS("storvsc relid 2: 1 disk\n"));
    struct blkdev *rw = disk("rw.img"), *ro = disk("ro.img"), *old = disk("old.img");
    CHECK(rw != NULL && ro != NULL && old != NULL);
    CHECK_EQ(rw->capacity, 2048u);
    CHECK_EQ(rw->sector_size, 512u);
    CHECK(!rw->read_only && rw->has_flush);
    CHECK(ro->read_only); /* MODE SENSE said so */
    CHECK_EQ(ro->capacity, 64u);
    for (uint32_t r = 1; r <= 8; r++)
        CHECK_EQ(controller(r)->dev.state, DEVICE_BOUND);
    HOST_KEPT_RULES();
}

/* Several requests in flight, each its own transaction id. */
struct pending {
    struct blk_request req;
    bool done;
};
static void pending_done(struct blk_request *req)
{
    ((struct pending *)req->ctx)->done = true;
}
static bool all_done(void *ctx)
{
    struct pending *p = ctx;
    for (int i = 0; i < 8; i++)
        if (!p[i].done)
            return false;
    return true;
}

TEST(reads_writes_and_flushes_reach_the_file)
{
    struct blkdev *rw = disk("rw.img");
    CHECK(rw != NULL);
    /* eight writes of 64 sectors in flight at once */
    static uint8_t buf[8][64 * 512];
    struct pending p[8];
    memset(p, 0, sizeof p);
    for (int i = 0; i < 8; i++) {
        for (size_t k = 0; k < sizeof buf[i]; k++)
            buf[i][k] = (uint8_t)(i * 31 + k * 7);
        p[i].req = (struct blk_request){.op = BLK_WRITE,
                                        .sector = 64u * (uint64_t)i,
                                        .count = 64,
                                        .buf = buf[i],
                                        .done = pending_done,
                                        .ctx = &p[i]};
        CHECK_EQ(blkdev_submit(rw, &p[i].req), 0);
    }
    CHECK(wait_until(all_done, p, time_now_ns() + 1000000000ull));
    for (int i = 0; i < 8; i++)
        CHECK_EQ(p[i].req.status, 0);
    CHECK_EQ(blkdev_flush(rw), 0);
    CHECK(cosim_host_flushes(0) >= 1);
    static uint8_t file[8 * 64 * 512];
    CHECK_EQ(pread(fd_rw, file, sizeof file, 0), (ssize_t)sizeof file);
    CHECK(memcmp(file, buf, sizeof file) == 0);
    /* one read of 1 MiB: four transfers of 256 KiB, back to back */
    static uint8_t all[1 << 20];
    memset(all, 0xEE, sizeof all);
    uint64_t srbs = cosim_host_srbs(0);
    CHECK_EQ(blkdev_read(rw, 0, all, 2048), 0);
    CHECK_EQ(cosim_host_srbs(0), srbs + 4);
    CHECK(memcmp(all, buf, sizeof buf) == 0);
    for (size_t k = sizeof buf; k < sizeof all; k++)
        if (all[k] != 0)
            fail_msg("byte %zu: %u", k, all[k]);
    /* a buffer that starts inside a page: its range has an offset */
    uint8_t *odd = malloc(3 * 512 + 100);
    CHECK_EQ(blkdev_read(rw, 64, odd + 100, 3), 0);
    CHECK(memcmp(odd + 100, buf[1], 3 * 512) == 0);
    free(odd);
    /* the disk on the WIN8 host works with the 5.1 packets */
    struct blkdev *old = disk("old.img");
    CHECK_EQ(blkdev_write(old, 5, buf[3], 2), 0);
    CHECK_EQ(pread(fd_old, file, 1024, 5 * 512), 1024);
    CHECK(memcmp(file, buf[3], 1024) == 0);
    HOST_KEPT_RULES();
}

TEST(the_hosts_sense_data_becomes_a_clear_error)
{
    struct blkdev *ro = disk("ro.img"), *rw = disk("rw.img");
    uint8_t b[512] = {1};
    unit_log_clear();
    /* the guest forgets the write protection: the host refuses */
    ro->read_only = false;
    CHECK_EQ(blkdev_write(ro, 0, b, 1), BLK_EROFS);
    CHECK(LOG_CONTAINS("write of 1 sectors at 0 failed: CHECK CONDITION, DATA PROTECT: write "
                       "protected"));
    CHECK(LOG_CONTAINS("the disk refuses writes; marked read-only"));
    CHECK(ro->read_only);
    uint8_t file[512];
    CHECK_EQ(pread(fd_ro, file, 512, 0), 512);
    CHECK_EQ(file[0], 0x52); /* unchanged */
    /* a guest that believes the disk is larger: LBA OUT OF RANGE */
    rw->capacity += 8;
    CHECK_EQ(blkdev_read(rw, 2048, b, 1), BLK_EINVAL);
    rw->capacity -= 8;
    CHECK(LOG_CONTAINS("read of 1 sectors at 2048 failed: CHECK CONDITION, ILLEGAL REQUEST: "
                       "logical block address out of range"));
    CHECK_EQ(controller(1)->dev.state, DEVICE_BOUND);
    HOST_KEPT_RULES();
}

/* A LUN added while the guest runs: the host says ENUMERATE_BUS, the
 * driver scans again and finds only the new unit. */
TEST(a_hot_added_lun_is_found)
{
    int fd = disk_file(32 * 1024, 0x48);
    unit_log_clear();
    CHECK_EQ(cosim_host_hot_add(0, fd, 32 * 1024, "hot.img"), 0);
    for (int i = 0; i < 10; i++) {
        vmbus_settle();
        event_run_pending();
    }
    CHECK(LOG_CONTAINS("storvsc relid 1: host notice, operation 11: looking for new units"));
    CHECK(LOG_CONTAINS("storvsc relid 1: blk"));
    CHECK(LOG_CONTAINS(" is LUN 2\n"));
    CHECK(LOG_CONTAINS("storvsc relid 1: 1 new disk\n"));
    struct blkdev *hot = disk("hot.img");
    CHECK(hot != NULL);
    uint8_t b[512];
    CHECK_EQ(blkdev_read(hot, 0, b, 1), 0);
    CHECK_EQ(b[0], 0x48);
    CHECK(disk("rw.img") != NULL && disk("ro.img") != NULL); /* the others stay, once */
    unsigned n = 0;
    for (struct blkdev *bd = blkdev_first(); bd; bd = bd->next)
        n += strcmp(bd->serial, "rw.img") == 0;
    CHECK_EQ(n, 1u);
    HOST_KEPT_RULES();
}

/* The controller is rescinded while its rescan waits for a command: the
 * disks go, the scan gives up, and the controller's memory is freed only
 * when the scan is done with it (AddressSanitizer watches). */
TEST(a_rescind_in_the_middle_of_a_rescan)
{
    CHECK(disk("gone.img") != NULL);
    int fd = disk_file(32 * 1024, 0);
    unit_log_clear();
    cosim_host_rescind_after(7, 2); /* after REPORT LUNS and the new unit's INQUIRY */
    CHECK_EQ(cosim_host_hot_add(7, fd, 32 * 1024, "late.img"), 0);
    for (int i = 0; i < 10; i++) {
        vmbus_settle();
        event_run_pending();
    }
    CHECK(LOG_CONTAINS("storvsc relid 8: host notice, operation 11: looking for new units"));
    CHECK(LOG_CONTAINS("storvsc relid 8: removed"));
    CHECK(LOG_CONTAINS("vmbus: relid 8 rescinded"));
    CHECK(LOG_CONTAINS("storvsc relid 8: 0 new disks"));
    CHECK(disk("gone.img") == NULL && disk("late.img") == NULL);
    CHECK(controller(8) == NULL);
    uint8_t b[512];
    CHECK_EQ(blkdev_read(disk("rw.img"), 0, b, 1), 0);
    HOST_KEPT_RULES();
}

/* Each misbehaving host: the guest logs it, fails the read and closes only
 * that channel; the other controllers go on. */
TEST(a_host_that_breaks_the_protocol_loses_only_its_controller)
{
    static const char *const says[4] = {
        ": more data than asked (data 1024 of 512, sense 20 of 20)",
        ": more sense than its area holds (data 0 of 512, sense 96 of 20)",
        "for transaction 0x5354000000000001, which no request has",
        "which no request has",
    };
    uint8_t b[512];
    for (unsigned i = 0; i < 4; i++) {
        char serial[16] = "bad0.img";
        serial[3] = (char)('0' + i);
        struct blkdev *bd = disk(serial);
        CHECK(bd != NULL);
        unit_log_clear();
        CHECK_EQ(blkdev_read(bd, 0, b, 1), BLK_EIO);
        CHECK(strstr(cosim_host_misbehaved(), "READ") != NULL ||
              strstr(cosim_host_misbehaved(), "never sent") != NULL);
        if (!LOG_CONTAINS(says[i]))
            fail_msg("kind %u: no '%s' in the log:\n%s", i, says[i], unit_log);
        char line[64];
        snprintf(line, sizeof line, "vmbus relid %u storvsc: disabled: storvsc: ", 3 + i);
        CHECK(LOG_CONTAINS(line));
        CHECK(LOG_CONTAINS("the controller failed"));
        CHECK_EQ(controller(3 + i)->dev.state, DEVICE_DISABLED);
        /* later requests fail at once */
        CHECK_EQ(blkdev_read(bd, 0, b, 1), BLK_EIO);
        /* the first controller still reads */
        CHECK_EQ(blkdev_read(disk("rw.img"), 0, b, 1), 0);
        HOST_KEPT_RULES();
    }
}

/* The channel fails while a request is being sent (the host's read index
 * in the outbound ring turns nonsense): that request is refused once,
 * never also completed. */
static unsigned done_calls;
static void count_done(struct blk_request *req)
{
    (void)req;
    done_calls++;
}

TEST(a_request_the_channel_fails_under_is_refused_once)
{
    struct blkdev *bd = disk("last.img");
    struct vmbus_dev *vd = controller(7);
    CHECK(bd != NULL && vd != NULL);
    unit_log_clear();
    vd->out.ctl->read_index = 12; /* not 8-aligned */
    static uint8_t b[512];
    struct blk_request req = {
        .op = BLK_READ, .sector = 0, .count = 1, .buf = b, .done = count_done};
    uint64_t completions = bd->completions;
    CHECK_EQ(blkdev_submit(bd, &req), BLK_EIO);
    for (int i = 0; i < 5; i++)
        event_run_pending();
    CHECK_EQ(done_calls, 0u);
    CHECK_EQ(bd->completions, completions);
    CHECK(LOG_CONTAINS("vmbus relid 7 storvsc: disabled: outbound ring: the host's read index"));
    CHECK_EQ(blkdev_read(bd, 0, b, 1), BLK_EIO);
    CHECK_EQ(blkdev_read(disk("rw.img"), 0, b, 1), 0);
}

TEST(a_rescinded_controller_takes_its_disks_away)
{
    struct blkdev *old = disk("old.img");
    CHECK(old != NULL);
    char name[16];
    snprintf(name, sizeof name, "%s", old->name);
    unit_log_clear();
    CHECK_EQ(cosim_host_rescind(1), 0);
    for (int i = 0; i < 10; i++) {
        vmbus_settle();
        event_run_pending();
    }
    CHECK(disk("old.img") == NULL);
    CHECK(blkdev_find(name) == NULL);
    CHECK(LOG_CONTAINS("storvsc relid 2: removed"));
    CHECK(LOG_CONTAINS("vmbus: relid 2 rescinded"));
    CHECK(controller(2) == NULL);
    uint8_t b[512];
    CHECK_EQ(blkdev_read(disk("rw.img"), 0, b, 1), 0);
    HOST_KEPT_RULES();
}

UNIT_MAIN()
