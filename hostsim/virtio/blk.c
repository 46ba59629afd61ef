/* virtio-blk back end: see blk.h. Section numbers are those of virtio 1.2. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hostsim/log.h"
#include "hostsim/registry.h"
#include "hostsim/virtio/blk.h"

static const char *type_name(uint32_t type)
{
    switch (type) {
    case VIRTIO_BLK_T_IN:
        return "IN";
    case VIRTIO_BLK_T_OUT:
        return "OUT";
    case VIRTIO_BLK_T_FLUSH:
        return "FLUSH";
    case VIRTIO_BLK_T_GET_ID:
        return "GET_ID";
    default:
        return "request";
    }
}

void vblk_init_fd(struct vblk *b, int fd, uint64_t bytes, bool read_only, const char *id)
{
    memset(b, 0, offsetof(struct vblk, chain));
    b->fd = fd;
    b->read_only = read_only;
    b->capacity = bytes / VBLK_SECTOR;
    /* GET_ID: up to 20 bytes, NUL-padded (5.2.6). hostsim uses the file's
     * name; Firecracker derives its own string from the file. */
    size_t n = id != NULL ? strnlen(id, sizeof b->id) : 0;
    memset(b->id, 0, sizeof b->id);
    if (n > 0)
        memcpy(b->id, id, n);
}

int vblk_open(struct vblk *b, const char *path, bool read_only, char *err, size_t errlen)
{
    int fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--disk %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "--disk %s: not a regular file", path);
        close(fd);
        return -1;
    }
    const char *base = strrchr(path, '/');
    vblk_init_fd(b, fd, (uint64_t)st.st_size, read_only, base != NULL ? base + 1 : path);
    b->path = path;
    if (st.st_size % VBLK_SECTOR != 0)
        hs_log("warning: --disk %s: %lld bytes is not a whole number of 512-byte sectors; the "
               "last %lld bytes are not visible to the guest",
               path, (long long)st.st_size, (long long)(st.st_size % VBLK_SECTOR));
    return 0;
}

void vblk_close(struct vblk *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

/* Moves len bytes between the file at pos and the chain's data (starting at
 * offset of its readable or writable part). Returns 0, or -1 on an I/O error
 * or end of file. */
static int file_io(struct vblk *b, const struct devq_chain *c, bool to_guest, uint64_t offset,
                   uint64_t len, uint64_t pos)
{
    struct iovec iov[DEVQ_MAX_SIZE];
    unsigned n = devq_chain_iov(c, to_guest, offset, len, iov);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (left > 0) {
            ssize_t r =
                to_guest ? pread(b->fd, p, left, (off_t)pos) : pwrite(b->fd, p, left, (off_t)pos);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                hs_debug("%s: %s of %zu bytes at %llu: %s", b->t.name, to_guest ? "read" : "write",
                         left, (unsigned long long)pos, r < 0 ? strerror(errno) : "end of file");
                return -1;
            }
            p += r;
            left -= (size_t)r;
            pos += (uint64_t)r;
        }
    }
    return 0;
}

/* Bounds of a data transfer (5.2.6.1): whole sectors, inside capacity. */
static int check_range(struct vblk *b, const char *what, uint64_t sector, uint64_t bytes)
{
    if (bytes % VBLK_SECTOR != 0)
        return vmmio_fail(&b->t, "%s of %llu data bytes: not a multiple of 512 (5.2.6.1)", what,
                          (unsigned long long)bytes);
    uint64_t n = bytes / VBLK_SECTOR;
    if (sector > b->capacity || n > b->capacity - sector)
        return vmmio_fail(&b->t,
                          "%s of %llu sectors at sector %llu goes beyond the capacity of %llu "
                          "sectors (5.2.6.1)",
                          what, (unsigned long long)n, (unsigned long long)sector,
                          (unsigned long long)b->capacity);
    return 0;
}

/* One request; returns 0 with *used_len set, or -1 (reported). */
static int handle_request(struct vblk *b, const struct devq_chain *c, uint32_t *used_len)
{
    if (c->readable_bytes < VBLK_HEADER)
        return vmmio_fail(&b->t,
                          "request (head %u) has %llu device-readable bytes; the header needs 16 "
                          "(5.2.6: type, reserved, sector)",
                          c->head, (unsigned long long)c->readable_bytes);
    if (c->writable_bytes < 1)
        return vmmio_fail(
            &b->t, "request (head %u) has no device-writable byte for the status (5.2.6)", c->head);
    uint8_t hdr[VBLK_HEADER];
    devq_chain_read(c, 0, hdr, sizeof hdr);
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    uint64_t data_in = c->readable_bytes - VBLK_HEADER; /* device-readable data */
    uint64_t data_out = c->writable_bytes - 1;          /* device-writable data */
    const char *name = type_name(type);
    uint8_t status = VIRTIO_BLK_S_OK;
    *used_len = 1;

    if ((type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID) && data_in != 0)
        return vmmio_fail(&b->t,
                          "%s request (head %u) has %llu device-readable bytes after the header; "
                          "its data must be device-writable",
                          name, c->head, (unsigned long long)data_in);
    if (type == VIRTIO_BLK_T_OUT && data_out != 0)
        return vmmio_fail(&b->t,
                          "OUT request (head %u) has %llu device-writable bytes before the "
                          "status; its data must be device-readable",
                          c->head, (unsigned long long)data_out);

    switch (type) {
    case VIRTIO_BLK_T_IN:
        if (check_range(b, "IN", sector, data_out) != 0)
            return -1;
        if (file_io(b, c, true, 0, data_out, sector * VBLK_SECTOR) != 0) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        b->reads++;
        b->bytes_read += data_out;
        *used_len = (uint32_t)(data_out + 1);
        break;
    case VIRTIO_BLK_T_OUT:
        if (check_range(b, "OUT", sector, data_in) != 0)
            return -1;
        if (b->read_only) {
            /* 5.2.6.2: IOERR for a write when RO is offered, nothing written. */
            status = VIRTIO_BLK_S_IOERR;
            hs_debug("%s: write to a read-only drive answered IOERR", b->t.name);
            break;
        }
        if (file_io(b, c, false, VBLK_HEADER, data_in, sector * VBLK_SECTOR) != 0) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        b->writes++;
        b->bytes_written += data_in;
        break;
    case VIRTIO_BLK_T_FLUSH:
        if (sector != 0)
            return vmmio_fail(&b->t,
                              "FLUSH request (head %u) with sector %llu; the driver must set 0 "
                              "(5.2.6.1)",
                              c->head, (unsigned long long)sector);
        /* Writeback semantics: make the written data stable. */
        if (!b->read_only && fdatasync(b->fd) != 0) {
            hs_debug("%s: fdatasync: %s", b->t.name, strerror(errno));
            status = VIRTIO_BLK_S_IOERR;
        }
        b->flushes++;
        break;
    case VIRTIO_BLK_T_GET_ID:
        if (data_out != VIRTIO_BLK_ID_BYTES)
            return vmmio_fail(&b->t,
                              "GET_ID request (head %u) with %llu data bytes; it must be 20 "
                              "(5.2.6.1)",
                              c->head, (unsigned long long)data_out);
        devq_chain_write(c, 0, b->id, VIRTIO_BLK_ID_BYTES);
        *used_len = VIRTIO_BLK_ID_BYTES + 1;
        b->get_ids++;
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        b->unsupported++;
        hs_debug("%s: request type %u answered UNSUPP", b->t.name, type);
        break;
    }
    if (status == VIRTIO_BLK_S_IOERR)
        b->ioerrors++;
    devq_chain_write(c, data_out, &status, 1);
    return 0;
}

/* The faults this back end injects on purpose (--misbehave KIND); the one
 * list hostsim's --help, `--misbehave help` and the tests read. */
static const struct hostsim_misbehave vblk_misbehave_kinds[] = {
    {"blk-used-id", "virtio-blk", VBLK_MISBEHAVE_USED_ID,
     "first IN/OUT completion: used id = queue size + 5"},
    {"blk-used-len", "virtio-blk", VBLK_MISBEHAVE_USED_LEN,
     "first IN/OUT completion: used len = device-writable bytes + 512"},
    {"blk-used-idx", "virtio-blk", VBLK_MISBEHAVE_USED_IDX,
     "first IN/OUT completion: used idx jumps queue size + 5 ahead"},
    {"blk-status", "virtio-blk", VBLK_MISBEHAVE_STATUS,
     "every IN/OUT status byte is 0x7f (neither OK, IOERR nor UNSUPP)"},
    {NULL, NULL, 0, NULL},
};

static const struct hostsim_backend vblk_backend = {
    .name = "virtio-blk",
    .summary = "virtio-blk on a file (virtio 1.2, 5.2); faults act on the first disk",
    .misbehave = vblk_misbehave_kinds,
};
HOSTSIM_REGISTER_BACKEND(vblk_backend);

/* ---- MISBEHAVE: deliberate protocol violations (--misbehave) ----
 * Called for every completed request, before it is pushed; does nothing
 * unless b->misbehave is set. May change the used element's id and len and
 * the status byte; for USED_IDX it moves the used index after the push
 * (*jump, added to q->used_idx by the caller). */
static void misbehave_hook(struct vblk *b, struct devq *q, const struct devq_chain *c, uint16_t *id,
                           uint32_t *len, uint16_t *jump)
{
    *jump = 0;
    if (b->misbehave == VBLK_MISBEHAVE_NONE)
        return;
    uint32_t type;
    if (devq_chain_read(c, 0, &type, 4) != 4 ||
        (type != VIRTIO_BLK_T_IN && type != VIRTIO_BLK_T_OUT))
        return;
    if (b->misbehave != VBLK_MISBEHAVE_STATUS && b->misbehaved > 0)
        return; /* the used-ring faults happen once */
    switch (b->misbehave) {
    case VBLK_MISBEHAVE_USED_ID:
        *id = (uint16_t)(q->size + 5);
        break;
    case VBLK_MISBEHAVE_USED_LEN:
        *len = (uint32_t)(c->writable_bytes + 512);
        break;
    case VBLK_MISBEHAVE_USED_IDX:
        *jump = (uint16_t)(q->size + 5);
        break;
    case VBLK_MISBEHAVE_STATUS: {
        uint8_t bad = VBLK_MISBEHAVE_STATUS_BYTE;
        devq_chain_write(c, c->writable_bytes - 1, &bad, 1);
        break;
    }
    case VBLK_MISBEHAVE_NONE:
        return;
    }
    if (b->misbehaved++ == 0)
        hs_log("%s: misbehaving now: %s request (head %u) completes with used id %u, len %u, "
               "used idx +%u, status %s",
               b->t.name, type_name(type), c->head, *id, *len, 1u + *jump,
               b->misbehave == VBLK_MISBEHAVE_STATUS ? "0x7f" : "as the request ended");
}

static int blk_process(struct vmmio *d, unsigned qi)
{
    struct vblk *b = d->backend_ctx;
    struct devq *q;
    while ((q = vmmio_live_queue(d, qi)) != NULL) {
        bool any = false;
        int r;
        while ((r = devq_pop(q, &b->chain)) == 1) {
            uint32_t len;
            if (handle_request(b, &b->chain, &len) != 0)
                return -1;
            uint16_t id = b->chain.head, jump;
            misbehave_hook(b, q, &b->chain, &id, &len, &jump); /* MISBEHAVE */
            devq_push(q, id, len);
            q->used_idx = (uint16_t)(q->used_idx + jump); /* MISBEHAVE: 0 normally */
            any = true;
        }
        if (r < 0)
            return vmmio_fail(d, "%s", q->err);
        if (any && vmmio_queue_done(d, qi) != 0)
            return -1;
        /* Ask for the next notification; take what arrived meanwhile. */
        if (!devq_arm_notify(q))
            return 0;
    }
    return 0;
}

static const struct vmmio_backend blk_backend = {
    .process = blk_process,
};

void vblk_attach(struct vblk *b, uint64_t base, unsigned gsi, const struct guest_mem *mem,
                 const struct vmmio_host *host, void *host_ctx)
{
    uint64_t features = VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | VIRTIO_BLK_F_FLUSH;
    if (b->read_only)
        features |= VIRTIO_BLK_F_RO;
    vmmio_init(&b->t, "blk", base, gsi, VIRTIO_ID_BLOCK, features, 1, VBLK_QUEUE_SIZE, mem,
               &blk_backend, b, host, host_ctx);
    /* 5.2.4: capacity at offset 0; the other fields depend on features
     * hostsim does not offer. */
    memcpy(b->t.config, &b->capacity, 8);
    vmmio_add_field(&b->t, 0, 8, 1, "capacity");
}
