/* The blkbench action (`make bench`, docs/bench.md): sequential write, then
 * sequential read, of `mib` MiB from the start of a writable disk, with
 * several requests in flight, timed with time_now_ns:
 *
 *   devinfo: blkbench blk0 write 32 MiB in 151.2 ms: 221.9 MB/s
 *   devinfo: blkbench blk0 read 32 MiB in 98.7 ms: 339.9 MB/s
 *   devinfo: PASS blkbench blk0: 32 MiB written and read back, checksum ...
 *
 * (MB/s are 10^6 bytes a second.) The write time runs from the first submit
 * to the completion of the flush that follows the last write; the read time
 * from the first submit to the last completion. What the guest does besides
 * I/O is kept out of both: the data of a window of the disk is generated
 * before that window's writes start, and read data is checked after that
 * window's reads have all completed.
 *
 * Nothing may be lost: every 64 KiB chunk written is pseudo-random data
 * seeded by a fresh random seed and the chunk's position, and its checksum
 * is kept; the read buffer is poisoned before each window is read, and every
 * chunk read back must have the checksum of what was written there. A
 * mismatch is a FAIL that names the first byte that differs. A read-only
 * disk is refused before anything is submitted: blkbench only ever runs on
 * a disk it may overwrite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/devinfo/devinfo.h"
#include "core/event.h"
#include "core/time.h"
#include "arch/x86_64/cpu.h"
#include "core/time.h"
#include "dev/random.h"

#define REQ_BYTES (64 * 1024)         /* one request, and one checksummed chunk */
#define IN_FLIGHT 8                   /* requests kept outstanding */
#define WINDOW_MAX (64 * 1024 * 1024) /* largest buffer tried */
#define IO_TIMEOUT_NS 10000000000ull
#define POISON 0xa5

struct slot {
    struct blk_request req;
    volatile bool busy;      /* submitted, not completed */
    volatile bool unchecked; /* completed, status not looked at yet */
};

struct engine {
    struct slot s[IN_FLIGHT];
    unsigned max_in_flight;
    uint64_t requests;
};

static void slot_done(struct blk_request *req)
{
    struct slot *s = req->ctx;
    s->unchecked = true;
    s->busy = false;
}

static unsigned busy_count(const struct engine *e)
{
    unsigned n = 0;
    for (int i = 0; i < IN_FLIGHT; i++)
        n += e->s[i].busy;
    return n;
}

static bool some_idle(void *ctx)
{
    return busy_count(ctx) < IN_FLIGHT;
}

static bool all_idle(void *ctx)
{
    return busy_count(ctx) == 0;
}

static const char *op_name(enum blk_op op)
{
    return op == BLK_READ ? "read" : "write";
}

/* Reads or writes sectors [first, first + count) from or to buf in requests
 * of per_req sectors, keeping up to IN_FLIGHT outstanding. Returns 0, or -1
 * after a FAIL line; -2 when requests may still be in flight (the buffer
 * must then never be freed). */
static int run_io(struct blkdev *bd, struct engine *e, enum blk_op op, uint8_t *buf, uint64_t first,
                  uint64_t count, uint32_t per_req)
{
    uint64_t next = 0;
    int result = 0;
    memset(e->s, 0, sizeof e->s);
    while (result == 0) {
        for (int i = 0; i < IN_FLIGHT; i++) {
            struct slot *s = &e->s[i];
            if (!s->unchecked)
                continue;
            s->unchecked = false;
            if (s->req.status != 0) {
                printf("devinfo: FAIL blkbench %s: %s of sectors %lu+%u failed (%d)\n", bd->name,
                       op_name(op), (unsigned long)s->req.sector, s->req.count, s->req.status);
                result = -1;
            }
        }
        if (result != 0 || (next == count && busy_count(e) == 0))
            break;
        /* Submit to every idle slot at once with interrupts off, so the
         * driver holds several requests even when the device finishes each
         * before the next would be submitted. */
        cpu_irq_disable();
        for (int i = 0; i < IN_FLIGHT && next < count; i++) {
            struct slot *s = &e->s[i];
            if (s->busy || s->unchecked)
                continue;
            uint32_t n = count - next < per_req ? (uint32_t)(count - next) : per_req;
            s->req = (struct blk_request){.op = op,
                                          .sector = first + next,
                                          .count = n,
                                          .buf = buf + next * bd->sector_size,
                                          .done = slot_done,
                                          .ctx = s};
            s->busy = true;
            int rc = blkdev_submit(bd, &s->req);
            if (rc == BLK_EBUSY) { /* the device queue is full: wait for a completion */
                s->busy = false;
                break;
            }
            if (rc != 0) {
                s->busy = false;
                printf("devinfo: FAIL blkbench %s: %s of sectors %lu+%u refused (%d)\n", bd->name,
                       op_name(op), (unsigned long)(first + next), n, rc);
                result = -1;
                break;
            }
            e->requests++;
            next += n;
        }
        unsigned busy = busy_count(e);
        cpu_irq_enable();
        if (busy > e->max_in_flight)
            e->max_in_flight = busy;
        if (result == 0 && busy > 0 &&
            !wait_until(next < count ? some_idle : all_idle, e, time_now_ns() + IO_TIMEOUT_NS)) {
            printf("devinfo: FAIL blkbench %s: %s: no completion within %lu s\n", bd->name,
                   op_name(op), (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
            return -2;
        }
    }
    if (!wait_until(all_idle, e, time_now_ns() + IO_TIMEOUT_NS)) {
        printf("devinfo: FAIL blkbench %s: %s requests still in flight after %lu s\n", bd->name,
               op_name(op), (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
        return -2;
    }
    return result;
}

/* ---- the data: xorshift64 words seeded by the run's seed and the chunk ---- */

static uint64_t chunk_state(uint64_t seed, uint64_t chunk)
{
    uint64_t x = seed ^ ((chunk + 1) * 0x9e3779b97f4a7c15ull);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return x ? x : 1;
}

static inline uint64_t next_word(uint64_t *x)
{
    uint64_t v = *x;
    v ^= v << 13;
    v ^= v >> 7;
    v ^= v << 17;
    return *x = v;
}

#define FNV_PRIME 0x100000001b3ull
#define FNV_BASIS 0xcbf29ce484222325ull

/* Fills one chunk and returns its checksum (FNV-1a over 64-bit words). */
static uint64_t chunk_fill(uint64_t *w, size_t words, uint64_t seed, uint64_t chunk)
{
    uint64_t x = chunk_state(seed, chunk), h = FNV_BASIS;
    for (size_t i = 0; i < words; i++) {
        uint64_t v = next_word(&x);
        w[i] = v;
        h = (h ^ v) * FNV_PRIME;
    }
    return h;
}

static uint64_t chunk_sum(const uint64_t *w, size_t words)
{
    uint64_t h = FNV_BASIS;
    for (size_t i = 0; i < words; i++)
        h = (h ^ w[i]) * FNV_PRIME;
    return h;
}

/* Byte offset of the first difference from what was written, or -1. */
static long chunk_first_difference(const uint64_t *w, size_t words, uint64_t seed, uint64_t chunk)
{
    uint64_t x = chunk_state(seed, chunk);
    for (size_t i = 0; i < words; i++) {
        uint64_t v = next_word(&x);
        if (w[i] != v) {
            const uint8_t *got = (const uint8_t *)&w[i], *want = (const uint8_t *)&v;
            size_t b = 0;
            while (b < 7 && got[b] == want[b])
                b++;
            return (long)(i * 8 + b);
        }
    }
    return -1;
}

/* ---- figures ---- */

static void print_rate(const char *disk, const char *what, unsigned long mib, uint64_t bytes,
                       uint64_t ns)
{
    if (ns == 0)
        ns = 1;
    uint64_t tenth_ms = ns / 100000;
    uint64_t tenth_mbs = bytes * 10000 / ns; /* bytes / (ns / 1e9) / 1e6, in tenths */
    printf("devinfo: blkbench %s %s %lu MiB in %lu.%lu ms: %lu.%lu MB/s\n", disk, what, mib,
           (unsigned long)(tenth_ms / 10), (unsigned long)(tenth_ms % 10),
           (unsigned long)(tenth_mbs / 10), (unsigned long)(tenth_mbs % 10));
}

static uint8_t *alloc_window(uint64_t total, uint64_t *window)
{
    uint64_t w = total < WINDOW_MAX ? total : WINDOW_MAX;
    for (; w >= (uint64_t)REQ_BYTES * IN_FLIGHT || w == total; w /= 2) {
        w -= w % REQ_BYTES;
        if (w == 0)
            break;
        uint8_t *p = aligned_alloc(4096, w);
        if (p) {
            *window = w;
            return p;
        }
    }
    return NULL;
}

int devinfo_blkbench(struct blkdev *bd, unsigned long mib)
{
    if (bd->read_only) {
        printf("devinfo: FAIL blkbench %s: the disk is read-only; blkbench overwrites the "
               "disk and never touches a read-only one\n",
               bd->name);
        return -1;
    }
    /* Compared in MiB: no product that could overflow. */
    uint64_t capacity_mib = bd->capacity / (1024 * 1024 / bd->sector_size);
    if (mib == 0 || mib > capacity_mib || REQ_BYTES % bd->sector_size != 0) {
        printf("devinfo: FAIL blkbench %s: %lu MiB do not fit its %lu sectors of %u bytes\n",
               bd->name, mib, (unsigned long)bd->capacity, bd->sector_size);
        return -1;
    }
    uint64_t total = (uint64_t)mib * 1024 * 1024;
    uint32_t per_req = REQ_BYTES / bd->sector_size;
    uint64_t chunks = total / REQ_BYTES;
    const size_t words = REQ_BYTES / 8;
    uint64_t window = 0;
    uint8_t *buf = alloc_window(total, &window);
    uint64_t *sums = calloc(chunks, sizeof *sums);
    struct engine *e = calloc(1, sizeof *e);
    if (buf == NULL || sums == NULL || e == NULL) {
        printf("devinfo: FAIL blkbench %s: no memory for a buffer of %u KiB or more\n", bd->name,
               REQ_BYTES * IN_FLIGHT / 1024);
        free(buf);
        free(sums);
        free(e);
        return -1;
    }
    uint64_t seed = random_u64() ^ time_now_ns();
    uint64_t per_window = window / REQ_BYTES;
    uint64_t write_ns = 0, read_ns = 0;
    int rc = 0;

    /* Write: generate a window (untimed), write it (timed); then flush. */
    for (uint64_t c0 = 0; c0 < chunks && rc == 0; c0 += per_window) {
        uint64_t n = chunks - c0 < per_window ? chunks - c0 : per_window;
        for (uint64_t k = 0; k < n; k++)
            sums[c0 + k] = chunk_fill((uint64_t *)(buf + k * REQ_BYTES), words, seed, c0 + k);
        uint64_t t0 = time_now_ns();
        rc = run_io(bd, e, BLK_WRITE, buf, c0 * per_req, n * per_req, per_req);
        write_ns += time_now_ns() - t0;
    }
    if (rc == 0) {
        uint64_t t0 = time_now_ns();
        int frc = blkdev_flush(bd);
        write_ns += time_now_ns() - t0;
        if (frc != 0) {
            printf("devinfo: FAIL blkbench %s: flush failed (%d)\n", bd->name, frc);
            rc = -1;
        }
    }
    if (rc == 0)
        print_rate(bd->name, "write", mib, total, write_ns);
    unsigned write_depth = e->max_in_flight;
    uint64_t write_requests = e->requests;

    /* Read: poison a window (untimed), read it (timed), check it (untimed). */
    e->max_in_flight = 0;
    e->requests = 0;
    for (uint64_t c0 = 0; c0 < chunks && rc == 0; c0 += per_window) {
        uint64_t n = chunks - c0 < per_window ? chunks - c0 : per_window;
        memset(buf, POISON, n * REQ_BYTES);
        uint64_t t0 = time_now_ns();
        rc = run_io(bd, e, BLK_READ, buf, c0 * per_req, n * per_req, per_req);
        read_ns += time_now_ns() - t0;
        for (uint64_t k = 0; k < n && rc == 0; k++) {
            const uint64_t *w = (const uint64_t *)(buf + k * REQ_BYTES);
            if (chunk_sum(w, words) == sums[c0 + k])
                continue;
            long bad = chunk_first_difference(w, words, seed, c0 + k);
            uint64_t off = (c0 + k) * REQ_BYTES + (uint64_t)(bad < 0 ? 0 : bad);
            printf("devinfo: FAIL blkbench %s: data read back differs from what was written: "
                   "chunk %lu (bytes %lu+%u), first difference at byte %lu (sector %lu, offset "
                   "%lu), read 0x%02x\n",
                   bd->name, (unsigned long)(c0 + k), (unsigned long)((c0 + k) * REQ_BYTES),
                   REQ_BYTES, (unsigned long)off, (unsigned long)(off / bd->sector_size),
                   (unsigned long)(off % bd->sector_size), ((const uint8_t *)w)[bad < 0 ? 0 : bad]);
            rc = -1;
        }
    }
    if (rc == -2) /* the device may still write into buf: keep it */
        return -1;
    free(buf);
    if (rc != 0) {
        free(sums);
        free(e);
        return -1;
    }
    print_rate(bd->name, "read", mib, total, read_ns);
    uint64_t all = FNV_BASIS;
    for (uint64_t k = 0; k < chunks; k++)
        all = (all ^ sums[k]) * FNV_PRIME;
    printf("devinfo: blkbench %s: %lu requests of %u KiB each way, up to %u in flight writing "
           "and %u reading (of %u), buffer %lu KiB, flush %s\n",
           bd->name, (unsigned long)write_requests, REQ_BYTES / 1024, write_depth, e->max_in_flight,
           IN_FLIGHT, (unsigned long)(window / 1024),
           bd->has_flush ? "included in the write time" : "not needed (no write cache)");
    printf("devinfo: PASS blkbench %s: %lu MiB written and read back, checksum %016lx matches\n",
           bd->name, mib, (unsigned long)all);
    free(sums);
    free(e);
    return 0;
}
