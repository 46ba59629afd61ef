/* The storvsc back end: a Hyper-V synthetic SCSI controller (VSTOR over
 * VMBus, class ba6163d9-04a1-4d29-b605-72e2ffb1dc7f) with up to
 * STORVSC_HOST_MAX_LUNS disks at path 0, target 0, LUNs 0, 1, ...
 *
 * The protocol (Linux drivers/scsi/storvsc_drv.c struct vstor_packet,
 * vmscsi_request, storvsc_channel_init; openvmm
 * vm/devices/storage/storvsp_protocol/src/lib.rs and storvsp/src/lib.rs):
 * every guest packet is in-band or GPA-direct with completion requested and
 * a vstor_packet of up to 64 bytes (operation u32 @0, flags u32 @4, status
 * u32 @8, a 52-byte union @12); the host answers each with a completion
 * packet (type 0xB, the guest's transaction id) carrying a vstor_packet of
 * the request's size (at most 64 bytes) with operation COMPLETE_IO and an
 * NTSTATUS. The guest initialises in order - BEGIN_INITIALIZATION,
 * QUERY_PROTOCOL_VERSION (repeated until a version is accepted),
 * QUERY_PROPERTIES, END_INITIALIZATION - and then sends EXECUTE_SRB, the
 * vmscsi_request at @12, its data buffer as the packet's one GPA range.
 *
 * Strict, as hostsim's services are: an operation out of that order, a
 * packet without completion requested, an SRB with a bad length, CDB
 * length, direction or sense size, data without a range or a range
 * shorter than the transfer, is a violation. A version the host does not
 * take gets REVISION_MISMATCH (the guest may try another), a request for
 * sub-channels INVALID_PARAMETER (none are offered). Pure logic. */
#ifndef HOSTSIM_VMBUS_STORVSC_H
#define HOSTSIM_VMBUS_STORVSC_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/vmbus/scsi_disk.h"
#include "hostsim/vmbus/server.h"
#include "hostsim/vmbus/service.h"

#define STORVSC_HOST_MAX_LUNS 64

/* Protocol versions, major << 8 | minor (storvsc_drv.c VMSTOR_PROTO_VERSION_*). */
#define STORVSC_VERSION_WIN6 0x0200u
#define STORVSC_VERSION_WIN7 0x0402u
#define STORVSC_VERSION_WIN8 0x0501u
#define STORVSC_VERSION_WIN8_1 0x0600u
#define STORVSC_VERSION_WIN10 0x0602u

/* Faults injected on purpose (--misbehave KIND, backend "storvsc"), each
 * once, at the first READ the guest sends to the first controller. */
enum storvsc_host_misbehave {
    STORVSC_MISBEHAVE_NONE,
    STORVSC_MISBEHAVE_SRB_LENGTH,   /* its completion claims 512 bytes more than asked */
    STORVSC_MISBEHAVE_SENSE_LENGTH, /* CHECK CONDITION with sense_info_length 0x60 */
    STORVSC_MISBEHAVE_UNSOLICITED,  /* a completion for an id never sent comes first */
    STORVSC_MISBEHAVE_WRONG_ID,     /* its completion carries its id + 0x10000 */
};

enum storvsc_host_state {
    STORVSC_WAIT_BEGIN,
    STORVSC_WAIT_VERSION,
    STORVSC_WAIT_PROPERTIES,
    STORVSC_WAIT_END,
    STORVSC_READY,
};

struct storvsc_host {
    struct vmbus_host_service service; /* service.ctx = this */
    struct vmbus_host_channel *channel;
    struct scsi_disk lun[STORVSC_HOST_MAX_LUNS];
    unsigned nluns;
    uint16_t max_version; /* the newest version taken (default WIN10) */
    enum storvsc_host_state state;
    uint16_t version;
    enum storvsc_host_misbehave misbehave;
    bool misbehaved;
    uint64_t srbs, bytes_read, bytes_written, flushes;
};

/* Sets up controller number `index` (its instance GUID differs by index)
 * with no disks. */
void storvsc_host_init(struct storvsc_host *s, unsigned index);
/* Adds a disk as the next LUN (the file is already open; its size in whole
 * 512-byte blocks is the capacity). 0, or -1 when the controller is full. */
int storvsc_host_add_disk(struct storvsc_host *s, int fd, bool read_only, uint64_t bytes,
                          const char *serial);
/* Tells the guest that units changed: an in-band ENUMERATE_BUS with
 * transaction id 0 (openvmm storvsp sends it on a hot-plug from WIN7 on;
 * Linux storvsc_drv.c rescans). 0, or -1 when the controller is not ready
 * or its ring is full. A disk added with storvsc_host_add_disk after the
 * guest started is a hot-added LUN this way. */
int storvsc_host_enumerate(struct storvsc_host *s);
/* Whether v is a version the host knows. */
bool storvsc_host_version_known(uint16_t v);

#endif
