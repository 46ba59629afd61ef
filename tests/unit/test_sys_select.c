/* sys/poll/select.c through __anyvm_syscall on the fake CPU: select and
 * pselect6 over the console and fake files (tests/unit/fake_file.h); the
 * fd_set words read and written at the nfds boundaries (63, 64, 65, 1023,
 * and beyond the table), EBADF, EFAULT, EINVAL, timeouts with the time
 * left written back, and pselect6's signal mask. */
#include "core/event.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/fake_file.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define MS 1000000ull
#define WORDS (LINUX_FD_SETSIZE / 64)
#define GUARD 0xa5a5a5a5a5a5a5a5ull

static struct fake fakes[8];
static struct fake_change changes[2];

/* An fd_set with a guard word after it, to see what is written. */
struct set {
    uint64_t w[WORDS + 1];
};

static void fresh(void)
{
    for (unsigned i = 0; i < sizeof changes / sizeof changes[0]; i++)
        timer_cancel(&changes[i].t);
    host_sys_reset(0);
    event_run_pending();
}

static void clear(struct set *s)
{
    memset(s->w, 0, sizeof s->w);
    s->w[WORDS] = GUARD;
}

static void set_fd(struct set *s, unsigned fd)
{
    s->w[fd / 64] |= 1ull << (fd % 64);
}

static bool has(const struct set *s, unsigned fd)
{
    return s->w[fd / 64] >> (fd % 64) & 1;
}

TEST(the_console_is_readable_and_writable_and_never_exceptional)
{
    fresh();
    struct set r, w, e;
    clear(&r);
    clear(&w);
    clear(&e);
    set_fd(&r, 0);
    set_fd(&w, 1);
    set_fd(&w, 2);
    set_fd(&e, 0);
    CHECK_EQ(SC(LINUX_NR_select, 3, &r, &w, &e, NULL), 3);
    CHECK(has(&r, 0) && has(&w, 1) && has(&w, 2));
    CHECK_EQ(e.w[0], 0u);
    /* One descriptor ready in two sets counts twice. */
    clear(&r);
    clear(&w);
    set_fd(&r, 1);
    set_fd(&w, 1);
    CHECK_EQ(SC(LINUX_NR_select, 2, &r, &w, NULL, NULL), 2);
    CHECK_EQ(r.w[0], 2u);
    CHECK_EQ(w.w[0], 2u);
}

TEST(the_sets_map_poll_bits_as_linux_does)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    struct set r, w, e;
    struct linux_timeval zero = {0, 0};
    /* A hangup or an error is readable; an error is writable too; POLLPRI
     * is exceptional. */
    unsigned cases[][4] = {
        {LINUX_POLLHUP, 1, 0, 0},    {LINUX_POLLERR, 1, 1, 0},    {LINUX_POLLPRI, 0, 0, 1},
        {LINUX_POLLRDBAND, 1, 0, 0}, {LINUX_POLLWRBAND, 0, 1, 0}, {LINUX_POLLRDHUP, 0, 0, 0},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fakes[0].ready = cases[i][0];
        clear(&r);
        clear(&w);
        clear(&e);
        set_fd(&r, (unsigned)fd);
        set_fd(&w, (unsigned)fd);
        set_fd(&e, (unsigned)fd);
        long want = cases[i][1] + cases[i][2] + cases[i][3];
        CHECK_EQ(SC(LINUX_NR_select, fd + 1, &r, &w, &e, &zero), want);
        CHECK_EQ(has(&r, (unsigned)fd), cases[i][1]);
        CHECK_EQ(has(&w, (unsigned)fd), cases[i][2]);
        CHECK_EQ(has(&e, (unsigned)fd), cases[i][3]);
    }
}

/* Fake files at descriptors 62, 63, 64 and 1022, all readable. */
static void open_at_boundaries(void)
{
    unsigned at[] = {62, 63, 64, 1022};
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(fake_open(&fakes[i], &fake_quiet_ops, (int)at[i]), (int)at[i]);
        fakes[i].ready = LINUX_POLLIN;
    }
}

TEST(nfds_decides_which_bits_are_read_and_which_words_written)
{
    fresh();
    open_at_boundaries();
    struct set r;
    /* 63: fd 62 only; bit 63 of the word, set, is not looked at (no EBADF
     * would come from it either) and comes back clear; the next words are
     * not touched. */
    clear(&r);
    set_fd(&r, 62);
    set_fd(&r, 63);
    r.w[1] = 0x1234;
    CHECK_EQ(SC(LINUX_NR_select, 63, &r, NULL, NULL, NULL), 1);
    CHECK_EQ(r.w[0], 1ull << 62);
    CHECK_EQ(r.w[1], 0x1234u);
    /* 64: fds 62 and 63, one word. */
    clear(&r);
    set_fd(&r, 62);
    set_fd(&r, 63);
    r.w[1] = 0x1234;
    CHECK_EQ(SC(LINUX_NR_select, 64, &r, NULL, NULL, NULL), 2);
    CHECK_EQ(r.w[0], 3ull << 62);
    CHECK_EQ(r.w[1], 0x1234u);
    /* 65: two words; fd 64 counts, the rest of the second word is cleared. */
    clear(&r);
    set_fd(&r, 63);
    set_fd(&r, 64);
    set_fd(&r, 65); /* at nfds: not looked at, though not open */
    r.w[2] = 0x77;
    CHECK_EQ(SC(LINUX_NR_select, 65, &r, NULL, NULL, NULL), 2);
    CHECK_EQ(r.w[0], 1ull << 63);
    CHECK_EQ(r.w[1], 1u);
    CHECK_EQ(r.w[2], 0x77u);
    /* 1023: the whole set but its last bit. */
    clear(&r);
    set_fd(&r, 62);
    set_fd(&r, 1022);
    set_fd(&r, 1023);
    CHECK_EQ(SC(LINUX_NR_select, 1023, &r, NULL, NULL, NULL), 2);
    CHECK(has(&r, 62) && has(&r, 1022) && !has(&r, 1023));
    CHECK_EQ(r.w[WORDS], GUARD);
}

TEST(nfds_beyond_the_table_is_cut_to_it)
{
    fresh();
    open_at_boundaries();
    /* A bigger buffer than an fd_set: bits past SYS_FD_MAX are neither read
     * (no EBADF though nothing is open there) nor written. */
    uint64_t big[WORDS + 2];
    memset(big, 0, sizeof big);
    big[1022 / 64] = 1ull << (1022 % 64);
    big[WORDS] = 0xff;
    big[WORDS + 1] = GUARD;
    CHECK_EQ(SC(LINUX_NR_select, SYS_FD_MAX + 100, big, NULL, NULL, NULL), 1);
    CHECK_EQ(big[1022 / 64], 1ull << (1022 % 64));
    CHECK_EQ(big[WORDS], 0xffu);
    CHECK_EQ(big[WORDS + 1], GUARD);
    CHECK_EQ(SC(LINUX_NR_select, INT32_MAX, big, NULL, NULL, NULL), 1);
}

TEST(a_set_bit_for_a_closed_descriptor_is_ebadf_and_the_sets_stay)
{
    fresh();
    struct set r, w, e;
    clear(&r);
    clear(&w);
    clear(&e);
    set_fd(&r, 0);
    set_fd(&e, 5);
    CHECK_EQ(SC(LINUX_NR_select, 6, &r, &w, &e, NULL), -LINUX_EBADF);
    CHECK_EQ(r.w[0], 1u);
    CHECK_EQ(e.w[0], 1u << 5);
    clear(&e);
    set_fd(&w, 4);
    CHECK_EQ(SC(LINUX_NR_select, 5, &r, &w, &e, NULL), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_select, 4, &r, &w, &e, NULL), 1); /* bit 4 is at nfds */
    CHECK_EQ(w.w[0], 0u);
    CHECK_EQ(host_now_ns, 0u);
}

TEST(bad_counts_sets_and_timeouts_are_refused)
{
    fresh();
    struct set r;
    clear(&r);
    set_fd(&r, 1);
    struct linux_timeval tv = {1, 0};
    CHECK_EQ(SC(LINUX_NR_select, -1, &r, NULL, NULL, NULL), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_select, INT32_MIN, NULL, NULL, NULL, &tv), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_select, 2, NULL, 8, NULL, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_select, 2, &r, NULL, 1ull << 47, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_select, 2, &r, NULL, NULL, 0x10), -LINUX_EFAULT);
    struct linux_timeval bad[] = {{0, -1}, {-1, 0}, {0, -1000001}, {INT64_MAX, 1000000}};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(SC(LINUX_NR_select, 2, &r, NULL, NULL, &bad[i]), -LINUX_EINVAL);
    /* nfds is an int: the register's high half is not looked at. */
    CHECK_EQ(SC(LINUX_NR_select, (1ull << 32) | 2, &r, NULL, NULL, NULL), 1);
    /* Nothing is read for nfds 0, however bad the pointers. */
    struct linux_timeval zero = {0, 0};
    CHECK_EQ(SC(LINUX_NR_select, 0, 8, 8, 8, &zero), 0);
    CHECK_EQ(host_now_ns, 0u);
}

TEST(timeouts_end_the_wait_exactly_and_the_time_left_is_written_back)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    struct set r;
    clear(&r);
    set_fd(&r, (unsigned)fd);
    /* A zero timeout: one look, the timeval left alone. */
    struct linux_timeval tv = {0, 0};
    CHECK_EQ(SC(LINUX_NR_select, fd + 1, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(r.w[0], 0u);
    CHECK_EQ(host_now_ns, 0u);
    /* 2.5 ms: 0 at the deadline, nothing left. */
    set_fd(&r, (unsigned)fd);
    tv = (struct linux_timeval){0, 2500};
    CHECK_EQ(SC(LINUX_NR_select, fd + 1, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(host_now_ns, 2500000u);
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
    CHECK_EQ(r.w[0], 0u);
    /* Ready after 3 ms of 1.5 s (microseconds carry into the seconds). */
    set_fd(&r, (unsigned)fd);
    tv = (struct linux_timeval){0, 1500000};
    fake_at(&changes[0], host_now_ns + 3 * MS, &fakes[0], LINUX_POLLIN);
    CHECK_EQ(SC(LINUX_NR_select, fd + 1, &r, NULL, NULL, &tv), 1);
    CHECK_EQ(host_now_ns, 5500000u);
    CHECK(tv.tv_sec == 1 && tv.tv_usec == 497000);
    CHECK_EQ(r.w[0], 1ull << fd);
    /* Whole seconds of negative microseconds carry too (Linux). */
    fake_set(&fakes[0], 0);
    tv = (struct linux_timeval){2, -1000000};
    CHECK_EQ(SC(LINUX_NR_select, fd + 1, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(host_now_ns, 5500000u + 1000 * MS);
    /* No sets: a sleep. No timeout: until something is ready. */
    tv = (struct linux_timeval){0, 7000};
    CHECK_EQ(SC(LINUX_NR_select, 0, NULL, NULL, NULL, &tv), 0);
    CHECK_EQ(host_now_ns, 5500000u + 1007 * MS);
    set_fd(&r, (unsigned)fd);
    fake_at(&changes[0], 60 * 1000 * MS, &fakes[0], LINUX_POLLIN);
    CHECK_EQ(SC(LINUX_NR_select, fd + 1, &r, NULL, NULL, NULL), 1);
    CHECK_EQ(host_now_ns, 60 * 1000 * MS);
}

TEST(a_quiet_file_is_found_by_looking_at_every_pass)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_quiet_ops, 0);
    struct set w;
    clear(&w);
    set_fd(&w, (unsigned)fd);
    fake_at(&changes[0], 9 * MS, &fakes[0], LINUX_POLLOUT);
    CHECK_EQ(SC(LINUX_NR_select, fd + 1, NULL, &w, NULL, NULL), 1);
    CHECK_EQ(host_now_ns, 9 * MS);
    CHECK(has(&w, (unsigned)fd));
}

static unsigned usr1_runs;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
}

TEST(pselect6_reads_its_mask_through_a_pair_and_writes_back_a_timespec)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    struct set r;
    clear(&r);
    set_fd(&r, (unsigned)fd);
    struct linux_timespec ts = {0, 4 * MS};
    uint64_t none = 0;
    struct linux_sigset_argpack pack = {(uintptr_t)&none, 8};
    fake_at(&changes[0], 1 * MS, &fakes[0], LINUX_POLLIN);
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, &ts, &pack), 1);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 3 * (int64_t)MS);
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, NULL, NULL), 1);
    struct linux_sigset_argpack nomask = {0, 12345};
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, NULL, &nomask), 1);
    /* Refusals: the pair, then the timeout, then the mask. */
    struct linux_timespec bad = {0, -5};
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, &bad, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, &bad, &pack), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, 8, &pack), -LINUX_EFAULT);
    pack.size = 4;
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, &ts, &pack), -LINUX_EINVAL);
    pack = (struct linux_sigset_argpack){0x20, 8};
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, &ts, &pack), -LINUX_EFAULT);

    /* The mask unblocks a pending signal: EINTR, sets not written back. */
    struct linux_k_sigaction act = {(uint64_t)(uintptr_t)on_usr1, 0, 0, 0};
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, NULL, 8), 0);
    uint64_t usr1 = 1ull << (LINUX_SIGUSR1 - 1), now;
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &usr1, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR1), 0);
    usr1_runs = 0;
    fake_set(&fakes[0], 0);
    clear(&r);
    set_fd(&r, (unsigned)fd);
    pack = (struct linux_sigset_argpack){(uintptr_t)&none, 8};
    ts = (struct linux_timespec){5, 0};
    CHECK_EQ(SC(LINUX_NR_pselect6, fd + 1, &r, NULL, NULL, &ts, &pack), -LINUX_EINTR);
    CHECK_EQ(usr1_runs, 1u);
    CHECK(has(&r, (unsigned)fd));
    CHECK_EQ(ts.tv_sec, 5); /* no time passed */
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, NULL, &now, 8), 0);
    CHECK_EQ(now, usr1);
}

UNIT_MAIN();
