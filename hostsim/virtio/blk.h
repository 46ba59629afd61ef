/* virtio-blk back end on a host file (virtio 1.2, 5.2), as Firecracker
 * presents a drive (src/vmm/src/devices/virtio/block/): device ID 2, one queue of 256,
 * features VERSION_1 | EVENT_IDX, + RO(5) for a read-only drive, + FLUSH(9):
 * hostsim always behaves like Firecracker's cache_type "Writeback" (a FLUSH
 * request is an fdatasync of the file; without one, writes still reach the
 * file's page cache at once, so the file is complete when hostsim exits).
 * Configuration space: capacity only (le64, 512-byte sectors = file size /
 * 512). Requests IN, OUT, FLUSH, GET_ID; any other type is answered UNSUPP.
 *
 * Strict about the request format (5.2.6): a 16-byte device-readable header,
 * data in the right direction and a multiple of 512 bytes, a final
 * device-writable status byte, no access beyond capacity, sector 0 for FLUSH,
 * 20 bytes for GET_ID. A write to a read-only drive is not a violation: it is
 * answered IOERR and nothing is written (5.2.6.2).
 *
 * Pure logic over a file descriptor and guest memory (no KVM). */
#ifndef HOSTSIM_VIRTIO_BLK_H
#define HOSTSIM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/virtio/mmio.h"

#define VIRTIO_ID_BLOCK 2
#define VBLK_QUEUE_SIZE 256

#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20
#define VBLK_SECTOR 512
#define VBLK_HEADER 16 /* le32 type, le32 reserved, le64 sector */

/* Faults injected on purpose (--misbehave), to test the guest's handling of a
 * device that breaks its protocol. Only IN and OUT requests are affected
 * (GET_ID and FLUSH complete normally, so the guest's driver gets as far as
 * registering the disk). */
enum vblk_misbehave {
    VBLK_MISBEHAVE_NONE = 0,
    VBLK_MISBEHAVE_USED_ID,  /* first IN/OUT: used id = queue size + 5 */
    VBLK_MISBEHAVE_USED_LEN, /* first IN/OUT: used len = writable bytes + 512 */
    VBLK_MISBEHAVE_USED_IDX, /* first IN/OUT: used idx jumps queue size + 5 ahead */
    VBLK_MISBEHAVE_STATUS,   /* every IN/OUT: status byte 0x7f, used element fine */
};
#define VBLK_MISBEHAVE_STATUS_BYTE 0x7f

struct vblk {
    struct vmmio t; /* the transport; t.backend_ctx is this vblk */
    int fd;
    bool read_only;
    uint64_t capacity; /* sectors */
    char id[VIRTIO_BLK_ID_BYTES];
    const char *path;
    /* counters */
    uint64_t reads, writes, flushes, get_ids, unsupported, ioerrors;
    uint64_t bytes_read, bytes_written;
    enum vblk_misbehave misbehave; /* set after vblk_open; NONE in normal runs */
    uint64_t misbehaved;           /* completions it has falsified */
    struct devq_chain chain;       /* scratch, large */
};

/* Opens path (read-write, or read-only) and sizes the drive. Returns 0, or -1
 * with a reason in err. */
int vblk_open(struct vblk *b, const char *path, bool read_only, char *err, size_t errlen);
/* Sets up the transport at base/gsi; call after vblk_open. */
void vblk_attach(struct vblk *b, uint64_t base, unsigned gsi, const struct guest_mem *mem,
                 const struct vmmio_host *host, void *host_ctx);
/* Same, over an already open descriptor (tests). */
void vblk_init_fd(struct vblk *b, int fd, uint64_t bytes, bool read_only, const char *id);
void vblk_close(struct vblk *b);

#endif
