/* Commands the driver runs for itself (the scan): submitted like any
 * request, waited for through the event loop's one wait primitive, and
 * judged by the SCSI layer. A command that never finishes disables the
 * adapter: its reset is what makes the command's memory safe to free. */
#include <string.h>

#include "core/log.h"
#include "core/time.h"
#include "drivers/pvscsi/pvscsi.h"
#include "klib/format.h"

#define RUN_TIMEOUT_NS 5000000000ull
/* Unit attentions pile up after a reset (power on, then perhaps "mode
 * parameters changed"): each is reported once, to one command. */
#define RUN_RETRIES 5
#define RETRY_DELAY_NS 10000000ull

struct waiter {
    bool done;
    uint16_t host_status;
};

static void run_done(struct pvscsi_slot *s)
{
    struct waiter *w = s->ctx;
    w->host_status = s->host_status;
    w->done = true;
}

static bool run_finished(void *ctx)
{
    return ((struct waiter *)ctx)->done;
}

int pvscsi_run(struct pvscsi *a, uint8_t target, uint16_t lun, struct scsi_cmd *cmd,
               uint16_t *host_status)
{
    struct waiter w = {false, PVSCSI_HOST_DRIVER_FAILED};
    uint64_t deadline = time_now_ns() + RUN_TIMEOUT_NS;
    for (;;) {
        if (a->disabled)
            return -1;
        bool rw;
        enum pvscsi_submit_result r =
            pvscsi_queue_submit(&a->q, cmd, target, lun, run_done, &w, &rw);
        if (r == PVSCSI_QUEUED) {
            pvscsi_kick(a, rw);
            break;
        }
        if (r == PVSCSI_BROKEN) {
            pvscsi_disable(a, "%s", a->q.error);
            return -1;
        }
        /* Full: wait for a slot. */
        if (time_now_ns() >= deadline) {
            kprintf("%s: target %u LUN %u: no free request slot for 5 s\n", a->name, target, lun);
            return -1;
        }
        wait_until(NULL, NULL, time_now_ns() + RETRY_DELAY_NS);
    }
    if (!wait_until(run_finished, &w, deadline)) {
        pvscsi_disable(a, "target %u LUN %u: command %#04x not completed within 5 s", target, lun,
                       cmd->cdb.bytes[0]);
        /* The reset inside completed it with a driver failure. */
        return -1;
    }
    *host_status = w.host_status;
    return w.host_status == PVSCSI_HOST_DRIVER_FAILED ? -1 : 0;
}

enum scsi_outcome pvscsi_run_judged(struct pvscsi *a, uint8_t target, uint16_t lun,
                                    struct scsi_cmd *cmd, uint16_t *host_status, char *text,
                                    size_t size)
{
    enum scsi_outcome o = SCSI_DEVICE_ERROR;
    for (unsigned attempt = 0; attempt < RUN_RETRIES; attempt++) {
        uint16_t host;
        if (cmd->cdb.data_len)
            memset(cmd->data, 0, cmd->cdb.data_len);
        int rc = pvscsi_run(a, target, lun, cmd, &host);
        *host_status = host;
        if (rc != 0) {
            ksnprintf(text, size, "adapter disabled");
            *host_status = PVSCSI_HOST_DRIVER_FAILED;
            return SCSI_DEVICE_ERROR;
        }
        /* A short transfer (the reply was shorter than asked for) is what
         * INQUIRY, REPORT LUNS and MODE SENSE do: their parsers check the
         * lengths inside. */
        if (host != PVSCSI_HOST_SUCCESS && host != PVSCSI_HOST_DATA_UNDERRUN &&
            host != PVSCSI_HOST_DATARUN) {
            ksnprintf(text, size, "host status %#x (%s)", host, pvscsi_host_status_name(host));
            return SCSI_DEVICE_ERROR;
        }
        o = scsi_cmd_outcome(cmd, text, size);
        if (o != SCSI_RETRY)
            return o;
        wait_until(NULL, NULL, time_now_ns() + RETRY_DELAY_NS);
    }
    return o;
}
