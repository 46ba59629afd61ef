/* The blkbench action (`make bench`, docs/bench.md): sequential write, then
 * sequential read, of `mib` MiB from the start of a writable disk, with
 * several requests in flight, timed with anyvm_now_ns:
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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <anyvm/wait.h>

#include "devinfo.h"

#define REQ_BYTES (64 * 1024)         /* one request, and one checksummed chunk */
#define IN_FLIGHT 8                   /* requests kept outstanding */
#define WINDOW_MAX (64 * 1024 * 1024) /* largest buffer tried */
#define IO_TIMEOUT_NS 10000000000ull
#define POISON 0xa5

/* done runs from the kernel's loop, only while devinfo waits. */
struct slot {
    struct anyvm_blk_request req;
    bool busy;      /* submitted, not completed */
    bool unchecked; /* completed, error not looked at yet */
};

struct engine {
    struct slot s[IN_FLIGHT];
    unsigned max_in_flight;
    uint64_t requests;
};

static void slot_done(struct anyvm_blk_request *req)
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

/* A request finished (its slot waits to be checked), or none is left to
 * wait for. */
static bool some_finished(void *ctx)
{
    const struct engine *e = ctx;
    for (int i = 0; i < IN_FLIGHT; i++)
        if (e->s[i].unchecked)
            return true;
    return busy_count(e) == 0;
}

static bool all_idle(void *ctx)
{
    return busy_count(ctx) == 0;
}

static const char *op_name(enum anyvm_blk_op op)
{
    return op == ANYVM_BLK_READ ? "read" : "write";
}

/* Reads or writes sectors [first, first + count) from or to buf in requests
 * of per_req sectors, keeping up to IN_FLIGHT outstanding. Returns 0, or -1
 * after a FAIL line; -2 when requests may still be in flight (the buffer
 * must then never be freed). */
static int run_io(struct anyvm_blk *b, const struct anyvm_blk_info *in, struct engine *e,
                  enum anyvm_blk_op op, uint8_t *buf, uint64_t first, uint64_t count,
                  uint32_t per_req)
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
            if (s->req.error != 0) {
                printf("devinfo: FAIL blkbench %s: %s of sectors %lu+%u failed (%d)\n", in->name,
                       op_name(op), (unsigned long)s->req.sector, s->req.count, -s->req.error);
                result = -1;
            }
        }
        if (result != 0 || (next == count && busy_count(e) == 0))
            break;
        /* Submit to every idle slot at once: completions run only while
         * devinfo waits, so the kernel holds several requests even when the
         * device finishes each before the next would be submitted. */
        for (int i = 0; i < IN_FLIGHT && next < count; i++) {
            struct slot *s = &e->s[i];
            if (s->busy || s->unchecked)
                continue;
            uint32_t n = count - next < per_req ? (uint32_t)(count - next) : per_req;
            s->req = (struct anyvm_blk_request){.op = op,
                                                .sector = first + next,
                                                .count = n,
                                                .buf = buf + next * in->sector_size,
                                                .done = slot_done,
                                                .ctx = s};
            if (anyvm_blk_submit(b, &s->req) != 0) {
                if (errno == EAGAIN) /* the device queue is full: wait for a completion */
                    break;
                printf("devinfo: FAIL blkbench %s: %s of sectors %lu+%u refused (%d)\n", in->name,
                       op_name(op), (unsigned long)(first + next), n, -errno);
                result = -1;
                break;
            }
            s->busy = true;
            e->requests++;
            next += n;
        }
        unsigned busy = busy_count(e);
        if (busy > e->max_in_flight)
            e->max_in_flight = busy;
        if (result == 0 && busy > 0 &&
            !anyvm_wait_until(next < count ? some_finished : all_idle, e,
                              anyvm_now_ns() + IO_TIMEOUT_NS)) {
            printf("devinfo: FAIL blkbench %s: %s: no completion within %lu s\n", in->name,
                   op_name(op), (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
            return -2;
        }
    }
    if (!anyvm_wait_until(all_idle, e, anyvm_now_ns() + IO_TIMEOUT_NS)) {
        printf("devinfo: FAIL blkbench %s: %s requests still in flight after %lu s\n", in->name,
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

/* A seed of its own for every run, so that data a run reads back can never
 * have been left there by an earlier one: from the C library's getrandom
 * (the kernel's random source), with the clock mixed in. */
static uint64_t run_seed(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        printf("devinfo: blkbench: getrandom failed (%d); the seed is the clock's\n", -errno);
    return seed ^ anyvm_now_ns();
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

int devinfo_blkbench(struct anyvm_blk *b, unsigned long mib)
{
    struct anyvm_blk_info in;
    if (anyvm_blk_info(b, &in) != 0) {
        printf("devinfo: FAIL blkbench: the disk is gone (%d)\n", -errno);
        return -1;
    }
    if (in.read_only) {
        printf("devinfo: FAIL blkbench %s: the disk is read-only; blkbench overwrites the "
               "disk and never touches a read-only one\n",
               in.name);
        return -1;
    }
    /* Compared in MiB: no product that could overflow. */
    uint64_t capacity_mib = in.sectors / (1024 * 1024 / in.sector_size);
    if (mib == 0 || mib > capacity_mib || REQ_BYTES % in.sector_size != 0) {
        printf("devinfo: FAIL blkbench %s: %lu MiB do not fit its %lu sectors of %u bytes\n",
               in.name, mib, (unsigned long)in.sectors, in.sector_size);
        return -1;
    }
    uint64_t total = (uint64_t)mib * 1024 * 1024;
    uint32_t per_req = REQ_BYTES / in.sector_size;
    uint64_t chunks = total / REQ_BYTES;
    const size_t words = REQ_BYTES / 8;
    uint64_t window = 0;
    uint8_t *buf = alloc_window(total, &window);
    uint64_t *sums = calloc(chunks, sizeof *sums);
    struct engine *e = calloc(1, sizeof *e);
    if (buf == NULL || sums == NULL || e == NULL) {
        printf("devinfo: FAIL blkbench %s: no memory for a buffer of %u KiB or more\n", in.name,
               REQ_BYTES * IN_FLIGHT / 1024);
        free(buf);
        free(sums);
        free(e);
        return -1;
    }
    uint64_t seed = run_seed();
    uint64_t per_window = window / REQ_BYTES;
    uint64_t write_ns = 0, read_ns = 0;
    int rc = 0;

    /* Write: generate a window (untimed), write it (timed); then flush. */
    for (uint64_t c0 = 0; c0 < chunks && rc == 0; c0 += per_window) {
        uint64_t n = chunks - c0 < per_window ? chunks - c0 : per_window;
        for (uint64_t k = 0; k < n; k++)
            sums[c0 + k] = chunk_fill((uint64_t *)(buf + k * REQ_BYTES), words, seed, c0 + k);
        uint64_t t0 = anyvm_now_ns();
        rc = run_io(b, &in, e, ANYVM_BLK_WRITE, buf, c0 * per_req, n * per_req, per_req);
        write_ns += anyvm_now_ns() - t0;
    }
    if (rc == 0) {
        uint64_t t0 = anyvm_now_ns();
        int frc = anyvm_blk_flush(b) == 0 ? 0 : -errno;
        write_ns += anyvm_now_ns() - t0;
        if (frc != 0) {
            printf("devinfo: FAIL blkbench %s: flush failed (%d)\n", in.name, frc);
            rc = -1;
        }
    }
    if (rc == 0)
        print_rate(in.name, "write", mib, total, write_ns);
    unsigned write_depth = e->max_in_flight;
    uint64_t write_requests = e->requests;

    /* Read: poison a window (untimed), read it (timed), check it (untimed). */
    e->max_in_flight = 0;
    e->requests = 0;
    for (uint64_t c0 = 0; c0 < chunks && rc == 0; c0 += per_window) {
        uint64_t n = chunks - c0 < per_window ? chunks - c0 : per_window;
        memset(buf, POISON, n * REQ_BYTES);
        uint64_t t0 = anyvm_now_ns();
        rc = run_io(b, &in, e, ANYVM_BLK_READ, buf, c0 * per_req, n * per_req, per_req);
        read_ns += anyvm_now_ns() - t0;
        for (uint64_t k = 0; k < n && rc == 0; k++) {
            const uint64_t *w = (const uint64_t *)(buf + k * REQ_BYTES);
            if (chunk_sum(w, words) == sums[c0 + k])
                continue;
            long bad = chunk_first_difference(w, words, seed, c0 + k);
            uint64_t off = (c0 + k) * REQ_BYTES + (uint64_t)(bad < 0 ? 0 : bad);
            printf("devinfo: FAIL blkbench %s: data read back differs from what was written: "
                   "chunk %lu (bytes %lu+%u), first difference at byte %lu (sector %lu, offset "
                   "%lu), read 0x%02x\n",
                   in.name, (unsigned long)(c0 + k), (unsigned long)((c0 + k) * REQ_BYTES),
                   REQ_BYTES, (unsigned long)off, (unsigned long)(off / in.sector_size),
                   (unsigned long)(off % in.sector_size), ((const uint8_t *)w)[bad < 0 ? 0 : bad]);
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
    print_rate(in.name, "read", mib, total, read_ns);
    uint64_t all = FNV_BASIS;
    for (uint64_t k = 0; k < chunks; k++)
        all = (all ^ sums[k]) * FNV_PRIME;
    printf("devinfo: blkbench %s: %lu requests of %u KiB each way, up to %u in flight writing "
           "and %u reading (of %u), buffer %lu KiB, flush %s\n",
           in.name, (unsigned long)write_requests, REQ_BYTES / 1024, write_depth, e->max_in_flight,
           IN_FLIGHT, (unsigned long)(window / 1024),
           in.has_flush ? "included in the write time" : "not needed (no write cache)");
    printf("devinfo: PASS blkbench %s: %lu MiB written and read back, checksum %016lx matches\n",
           in.name, mib, (unsigned long)all);
    free(sums);
    free(e);
    return 0;
}
