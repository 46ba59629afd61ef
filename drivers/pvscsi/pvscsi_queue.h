/* PVSCSI's rings as the driver sees them: requests go onto the request
 * ring with a context naming a slot, completions come back on the
 * completion ring, device notices on the message ring. Pure logic over the
 * shared memory (no registers, no interrupts), so the host tests drive it
 * against a co-simulated device (tests/unit/test_pvscsi_queue.c) and a
 * fuzzer (tests/fuzz/fuzz_pvscsi_cmp.c).
 *
 * Everything the device writes is checked before use: the producer and
 * consumer indices it owns must stay within one ring's size of ours, a
 * completion must name a context that is in flight, its data length may
 * not exceed the request's, its sense length not the sense buffer's, its
 * SCSI status must fit a byte. A violation sets broken and error (naming
 * the value); from then on nothing is accepted, and the driver disables
 * the adapter and fails what is in flight (pvscsi_queue_fail_all). */
#ifndef DRIVERS_PVSCSI_PVSCSI_QUEUE_H
#define DRIVERS_PVSCSI_PVSCSI_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/scsi/scsi.h"
#include "drivers/pvscsi/pvscsi_hw.h"

/* hostStatus given to requests failed by the driver itself (never a value
 * the device uses: those fit a byte). */
#define PVSCSI_HOST_DRIVER_FAILED 0xFFFF
/* Context layout: bits 0-11 slot + 1, bits 12-31 the slot's use count, so
 * a late duplicate of an earlier use of a slot is told from the current. */
#define PVSCSI_SLOTS_MAX 4095u

struct pvscsi_slot;
typedef void (*pvscsi_done_fn)(struct pvscsi_slot *s);

struct pvscsi_slot {
    bool in_use;
    uint32_t context;
    struct scsi_cmd *cmd;
    uint16_t host_status; /* the completion's, or PVSCSI_HOST_DRIVER_FAILED */
    pvscsi_done_fn done;
    void *ctx;
};

struct pvscsi_queue {
    const char *name; /* for messages: the adapter */
    volatile struct pvscsi_rings_state *state;
    volatile struct pvscsi_req_desc *req;
    volatile struct pvscsi_cmp_desc *cmp;
    volatile struct pvscsi_msg_desc *msg; /* NULL without a message ring */
    uint32_t req_entries, cmp_entries, msg_entries;
    uint32_t req_prod, cmp_cons, msg_cons; /* ours; never read back */
    struct pvscsi_slot *slots;
    unsigned nslots, in_flight;
    bool broken;
    char error[160];
    /* Counters (the disk's and the adapter's log lines). */
    uint64_t submitted, completed;
};

/* Sets q up over zeroed rings of the given entry counts (powers of two) and
 * nslots slots (caller's memory, zeroed), at most min(req_entries,
 * cmp_entries, PVSCSI_SLOTS_MAX): QEMU does not check the completion ring
 * for overflow, so no more may be in flight than it holds. */
void pvscsi_queue_init(struct pvscsi_queue *q, const char *name,
                       volatile struct pvscsi_rings_state *state,
                       volatile struct pvscsi_req_desc *req, uint32_t req_entries,
                       volatile struct pvscsi_cmp_desc *cmp, uint32_t cmp_entries,
                       volatile struct pvscsi_msg_desc *msg, uint32_t msg_entries,
                       struct pvscsi_slot *slots, unsigned nslots);

enum pvscsi_submit_result { PVSCSI_QUEUED, PVSCSI_FULL, PVSCSI_BROKEN };
/* Puts cmd for target/lun on the request ring (the caller then kicks:
 * *rw says which register, KICK_RW_IO for READ/WRITE). done(slot) runs
 * from pvscsi_queue_poll or pvscsi_queue_fail_all. cmd and its data stay
 * the caller's until then. */
enum pvscsi_submit_result pvscsi_queue_submit(struct pvscsi_queue *q, struct scsi_cmd *cmd,
                                              uint8_t target, uint16_t lun, pvscsi_done_fn done,
                                              void *ctx, bool *rw);

/* Takes every completion the device has produced, calling done for each.
 * Returns how many, or -1 when the device broke the protocol (q->error). */
int pvscsi_queue_poll(struct pvscsi_queue *q);
/* Completes everything in flight with PVSCSI_HOST_DRIVER_FAILED (the device
 * is reset or disabled and will not answer). */
void pvscsi_queue_fail_all(struct pvscsi_queue *q);

/* The next message: 1 with *out, 0 when none, -1 when broken. */
int pvscsi_queue_take_msg(struct pvscsi_queue *q, struct pvscsi_msg_desc *out);

/* "selection timeout" and the like, for log lines. */
const char *pvscsi_host_status_name(uint16_t host_status);

#endif
