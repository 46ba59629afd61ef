/* What a finished command means: the status byte first (SAM-5, "Status"), and
 * for CHECK CONDITION the sense key and code (SPC-4, "Sense key and additional sense code
 * definitions"). The result decides whether a driver retries, refuses writes or reports an error,
 * and the text is what the log says about it. */
#include "dev/scsi/scsi.h"
#include "klib/format.h"

const char *scsi_status_name(uint8_t status)
{
    switch (status) {
    case SCSI_STATUS_GOOD:
        return "GOOD";
    case SCSI_STATUS_CHECK_CONDITION:
        return "CHECK CONDITION";
    case SCSI_STATUS_CONDITION_MET:
        return "CONDITION MET";
    case SCSI_STATUS_BUSY:
        return "BUSY";
    case SCSI_STATUS_RESERVATION_CONFLICT:
        return "RESERVATION CONFLICT";
    case SCSI_STATUS_TASK_SET_FULL:
        return "TASK SET FULL";
    case SCSI_STATUS_ACA_ACTIVE:
        return "ACA ACTIVE";
    case SCSI_STATUS_TASK_ABORTED:
        return "TASK ABORTED";
    default:
        return "undefined status";
    }
}

static enum scsi_outcome from_sense(const struct scsi_sense *s)
{
    switch (s->key) {
    case SCSI_KEY_NO_SENSE:
    case SCSI_KEY_RECOVERED_ERROR: /* completed, with a recovery: the data is good */
        return SCSI_OK;
    case SCSI_KEY_UNIT_ATTENTION:
    case SCSI_KEY_ABORTED_COMMAND:
        return SCSI_RETRY;
    case SCSI_KEY_NOT_READY:
        /* 04/01: on its way; the others need someone to act. */
        return s->has_asc && s->asc == 0x04 && s->ascq == 0x01 ? SCSI_RETRY : SCSI_NOT_READY;
    case SCSI_KEY_DATA_PROTECT:
        return SCSI_PROTECTED;
    case SCSI_KEY_ILLEGAL_REQUEST:
        return SCSI_INVALID;
    default:
        return SCSI_DEVICE_ERROR;
    }
}

enum scsi_outcome scsi_cmd_outcome(const struct scsi_cmd *cmd, char *text, size_t size)
{
    char tmp[1];
    if (text == NULL || size == 0) {
        text = tmp;
        size = sizeof tmp;
    }
    switch (cmd->status) {
    case SCSI_STATUS_GOOD:
    case SCSI_STATUS_CONDITION_MET:
        ksnprintf(text, size, "%s", scsi_status_name(cmd->status));
        return SCSI_OK;
    case SCSI_STATUS_BUSY:
    case SCSI_STATUS_TASK_SET_FULL:
        ksnprintf(text, size, "%s", scsi_status_name(cmd->status));
        return SCSI_RETRY;
    case SCSI_STATUS_CHECK_CONDITION:
        break;
    default:
        ksnprintf(text, size, "%s (%#04x)", scsi_status_name(cmd->status), cmd->status);
        return SCSI_DEVICE_ERROR;
    }
    struct scsi_sense s;
    struct scsi_why why;
    uint32_t len = cmd->sense_len < SCSI_SENSE_MAX ? cmd->sense_len : SCSI_SENSE_MAX;
    if (scsi_sense_decode(cmd->sense, len, &s, &why) != 0) {
        ksnprintf(text, size, "CHECK CONDITION, sense data unusable: %s", why.text);
        return SCSI_DEVICE_ERROR;
    }
    char desc[96];
    ksnprintf(text, size, "CHECK CONDITION, %s", scsi_sense_describe(&s, desc, sizeof desc));
    return from_sense(&s);
}
