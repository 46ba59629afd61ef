/* Texts for the additional sense codes a disk driver meets most, from the
 * ASC/ASCQ assignments of SPC-4 Annex D (table D.1), in lower case. A code
 * not listed is printed as its numbers by scsi_sense_describe. */
#include <stddef.h>

#include "dev/scsi/scsi.h"

struct asc_entry {
    uint8_t asc, ascq;
    const char *text;
};

static const struct asc_entry asc_table[] = {
    {0x00, 0x00, "no additional sense information"},
    {0x00, 0x06, "I/O process terminated"},
    {0x02, 0x00, "no seek complete"},
    {0x03, 0x00, "peripheral device write fault"},
    {0x04, 0x00, "logical unit not ready, cause not reportable"},
    {0x04, 0x01, "logical unit is in process of becoming ready"},
    {0x04, 0x02, "logical unit not ready, initializing command required"},
    {0x04, 0x03, "logical unit not ready, manual intervention required"},
    {0x04, 0x04, "logical unit not ready, format in progress"},
    {0x04, 0x09, "logical unit not ready, self-test in progress"},
    {0x04, 0x0A, "logical unit not accessible, asymmetric access state transition"},
    {0x04, 0x0B, "logical unit not accessible, target port in standby state"},
    {0x04, 0x0C, "logical unit not accessible, target port in unavailable state"},
    {0x04, 0x11, "logical unit not ready, notify (enable spinup) required"},
    {0x05, 0x00, "logical unit does not respond to selection"},
    {0x08, 0x00, "logical unit communication failure"},
    {0x08, 0x01, "logical unit communication time-out"},
    {0x0C, 0x00, "write error"},
    {0x0C, 0x02, "write error - auto reallocation failed"},
    {0x10, 0x00, "id CRC or ECC error"},
    {0x11, 0x00, "unrecovered read error"},
    {0x11, 0x04, "unrecovered read error - auto reallocate failed"},
    {0x14, 0x01, "record not found"},
    {0x15, 0x00, "random positioning error"},
    {0x1A, 0x00, "parameter list length error"},
    {0x1D, 0x00, "miscompare during verify operation"},
    {0x20, 0x00, "invalid command operation code"},
    {0x21, 0x00, "logical block address out of range"},
    {0x24, 0x00, "invalid field in CDB"},
    {0x25, 0x00, "logical unit not supported"},
    {0x26, 0x00, "invalid field in parameter list"},
    {0x27, 0x00, "write protected"},
    {0x27, 0x01, "hardware write protected"},
    {0x27, 0x02, "logical unit software write protected"},
    {0x27, 0x07, "space allocation failed write protect"},
    {0x28, 0x00, "not ready to ready change, medium may have changed"},
    {0x29, 0x00, "power on, reset, or bus device reset occurred"},
    {0x29, 0x01, "power on occurred"},
    {0x29, 0x02, "SCSI bus reset occurred"},
    {0x29, 0x03, "bus device reset function occurred"},
    {0x29, 0x04, "device internal reset"},
    {0x2A, 0x01, "mode parameters changed"},
    {0x2A, 0x09, "capacity data has changed"},
    {0x2C, 0x00, "command sequence error"},
    {0x2F, 0x00, "commands cleared by another initiator"},
    {0x31, 0x00, "medium format corrupted"},
    {0x32, 0x00, "no defect spare location available"},
    {0x3A, 0x00, "medium not present"},
    {0x3A, 0x01, "medium not present - tray closed"},
    {0x3A, 0x02, "medium not present - tray open"},
    {0x3E, 0x00, "logical unit has not self-configured yet"},
    {0x3E, 0x01, "logical unit failure"},
    {0x3F, 0x0E, "reported luns data has changed"},
    {0x44, 0x00, "internal target failure"},
    {0x47, 0x00, "SCSI parity error"},
    {0x4E, 0x00, "overlapped commands attempted"},
    {0x55, 0x03, "insufficient resources"},
    {0x5D, 0x00, "failure prediction threshold exceeded"},
};

const char *scsi_asc_text(uint8_t asc, uint8_t ascq)
{
    for (size_t i = 0; i < sizeof asc_table / sizeof asc_table[0]; i++)
        if (asc_table[i].asc == asc && asc_table[i].ascq == ascq)
            return asc_table[i].text;
    return NULL;
}
