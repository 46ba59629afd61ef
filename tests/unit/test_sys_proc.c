/* sys/proc.c through __anyvm_syscall: exit with its status, the ids, the
 * thread pointer (arch_prctl), uname, resource limits, sysinfo, CPU
 * affinity and sched_yield. */
#include "core/event.h"
#include "core/page_alloc.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

TEST(exit_and_exit_group_end_the_vm_with_the_low_byte)
{
    host_sys_reset(0);
    long calls[] = {LINUX_NR_exit, LINUX_NR_exit_group};
    for (unsigned i = 0; i < 2; i++) {
        CHECK(HOST_EXITS(SC(calls[i], 3)));
        CHECK_EQ(host_exit_status, 3);
        CHECK(HOST_EXITS(SC(calls[i], 256 + 7)));
        CHECK_EQ(host_exit_status, 7);
        CHECK(HOST_EXITS(SC(calls[i], -1)));
        CHECK_EQ(host_exit_status, 255);
    }
    CHECK_EQ(host_exits, 6u);
}

TEST(one_process_one_thread_run_by_root)
{
    host_sys_reset(0);
    CHECK_EQ(SC(LINUX_NR_getpid), 1);
    CHECK_EQ(SC(LINUX_NR_gettid), 1);
    CHECK_EQ(SC(LINUX_NR_getppid), 0);
    CHECK_EQ(SC(LINUX_NR_getuid), 0);
    CHECK_EQ(SC(LINUX_NR_geteuid), 0);
    CHECK_EQ(SC(LINUX_NR_getgid), 0);
    CHECK_EQ(SC(LINUX_NR_getegid), 0);
    int tid_word = 5;
    CHECK_EQ(SC(LINUX_NR_set_tid_address, &tid_word), 1);
    CHECK_EQ(tid_word, 5);
}

TEST(arch_prctl_sets_and_reads_the_fs_base)
{
    host_sys_reset(0);
    static char tls[64];
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_SET_FS, tls), 0);
    CHECK_EQ(host_fs_base, (uint64_t)(uintptr_t)tls);
    uint64_t got = 0;
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_GET_FS, &got), 0);
    CHECK_EQ(got, (uint64_t)(uintptr_t)tls);
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_GET_FS, NULL), -LINUX_EFAULT);
    /* A base beyond the user half would make wrmsr fault: EPERM, as Linux. */
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_SET_FS, 0x800000000000ull), -LINUX_EPERM);
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_SET_FS, -4096), -LINUX_EPERM);
    CHECK_EQ(host_fs_base, (uint64_t)(uintptr_t)tls);
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_SET_FS, 0), 0);
    CHECK_EQ(host_fs_base, 0u);
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_SET_GS, tls), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_arch_prctl, LINUX_ARCH_GET_GS, &got), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_arch_prctl, 0x1011, 0), -LINUX_EINVAL);
}

TEST(uname_names_anyvm)
{
    host_sys_reset(0);
    struct linux_utsname u;
    memset(&u, 'x', sizeof u);
    CHECK_EQ(SC(LINUX_NR_uname, &u), 0);
    CHECK_STR(u.sysname, "anyvm");
    CHECK_STR(u.nodename, "anyvm");
    CHECK_STR(u.release, "host-test"); /* the kernel gets the Makefile's version */
    CHECK_STR(u.version, "anyvm host-test");
    CHECK_STR(u.machine, "x86_64");
    CHECK_STR(u.domainname, "(none)");
    CHECK_EQ(u.machine[LINUX_UTS_LEN - 1], '\0');
    CHECK_EQ(SC(LINUX_NR_uname, NULL), -LINUX_EFAULT);
}

static struct linux_rlimit get(unsigned res)
{
    struct linux_rlimit r = {1, 1};
    SC(LINUX_NR_getrlimit, res, &r);
    return r;
}

TEST(limits_stack_from_the_kernel_nofile_from_the_table_the_rest_none)
{
    host_sys_reset(0);
    CHECK_EQ(get(LINUX_RLIMIT_STACK).rlim_cur, LINUX_RLIM_INFINITY); /* not told */
    sys_set_stack_size(256 * 1024);
    struct linux_rlimit r = get(LINUX_RLIMIT_STACK);
    CHECK(r.rlim_cur == 256 * 1024 && r.rlim_max == 256 * 1024);
    r = get(LINUX_RLIMIT_NOFILE);
    CHECK(r.rlim_cur == 1024 && r.rlim_max == 1024); /* the descriptor table */
    for (unsigned res = 0; res < LINUX_RLIM_NLIMITS; res++) {
        if (res == LINUX_RLIMIT_STACK || res == LINUX_RLIMIT_NOFILE)
            continue;
        r = get(res);
        CHECK(r.rlim_cur == LINUX_RLIM_INFINITY && r.rlim_max == LINUX_RLIM_INFINITY);
    }
    CHECK_EQ(SC(LINUX_NR_getrlimit, LINUX_RLIM_NLIMITS, &r), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_getrlimit, -1, &r), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_getrlimit, LINUX_RLIMIT_STACK, NULL), -LINUX_EFAULT);
}

TEST(limits_can_be_lowered_not_raised_beyond_the_machine)
{
    host_sys_reset(0);
    sys_set_stack_size(256 * 1024);
    struct linux_rlimit lower = {64 * 1024, 128 * 1024}, old;
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_STACK, &lower), 0);
    CHECK_EQ(get(LINUX_RLIMIT_STACK).rlim_cur, 64 * 1024u);
    CHECK_EQ(get(LINUX_RLIMIT_STACK).rlim_max, 128 * 1024u);
    struct linux_rlimit more = {512 * 1024, 512 * 1024};
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_STACK, &more), -LINUX_EPERM);
    struct linux_rlimit inverted = {2, 1};
    CHECK_EQ(SC(LINUX_NR_setrlimit, 4 /* RLIMIT_CORE */, &inverted), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_STACK, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_setrlimit, 99, &lower), -LINUX_EINVAL);
    /* prlimit64: this process is pid 0 or 1; the old value comes back. */
    struct linux_rlimit nofile = {16, 32};
    CHECK_EQ(SC(LINUX_NR_prlimit64, 0, LINUX_RLIMIT_NOFILE, &nofile, &old), 0);
    CHECK(old.rlim_cur == 1024 && old.rlim_max == 1024);
    CHECK_EQ(SC(LINUX_NR_prlimit64, 1, LINUX_RLIMIT_NOFILE, NULL, &old), 0);
    CHECK(old.rlim_cur == 16 && old.rlim_max == 32);
    CHECK_EQ(SC(LINUX_NR_prlimit64, 2, LINUX_RLIMIT_NOFILE, NULL, &old), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_prlimit64, 0, LINUX_RLIMIT_NOFILE, NULL, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_prlimit64, 0, LINUX_RLIM_NLIMITS, NULL, &old), -LINUX_EINVAL);
    /* Everything unlimited may be lowered and raised again. */
    struct linux_rlimit cpu = {10, 20}, back = {LINUX_RLIM_INFINITY, LINUX_RLIM_INFINITY};
    CHECK_EQ(SC(LINUX_NR_setrlimit, 0, &cpu), 0);
    CHECK_EQ(SC(LINUX_NR_setrlimit, 0, &back), 0);
    CHECK_EQ(get(0).rlim_max, LINUX_RLIM_INFINITY);
    host_sys_reset(0);
    CHECK_EQ(get(LINUX_RLIMIT_NOFILE).rlim_cur, 1024u);
    CHECK_EQ(get(LINUX_RLIMIT_STACK).rlim_cur, LINUX_RLIM_INFINITY);
}

TEST(sysinfo_reports_the_page_allocator_and_the_uptime)
{
    host_sys_reset(1u << 20);
    host_now_ns = 2000000001; /* a started second counts, as in Linux */
    struct linux_sysinfo si;
    memset(&si, 0xff, sizeof si);
    CHECK_EQ(SC(LINUX_NR_sysinfo, &si), 0);
    CHECK_EQ(si.uptime, 3);
    CHECK_EQ(si.totalram, kernel_pages.total_bytes);
    CHECK_EQ(si.freeram, kernel_pages.free_bytes);
    CHECK(si.totalram >= (1u << 20) - 4096);
    CHECK_EQ(si.mem_unit, 1u);
    CHECK_EQ(si.procs, 1);
    CHECK(si.loads[0] == 0 && si.totalswap == 0 && si.pad == 0);
    CHECK_EQ(SC(LINUX_NR_sysinfo, NULL), -LINUX_EFAULT);
}

TEST(one_cpu_in_the_affinity_mask)
{
    host_sys_reset(0);
    uint64_t mask[4] = {~0ull, ~0ull, ~0ull, ~0ull};
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 0, sizeof mask, mask), 8);
    CHECK_EQ(mask[0], 1u);
    CHECK_EQ(mask[1], ~0ull); /* the rest is the caller's to clear (musl does) */
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 1, 8, mask), 8);
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 0, 4, mask), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 0, 12, mask), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 0, 0, mask), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 2, 8, mask), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_sched_getaffinity, 0, 8, NULL), -LINUX_EFAULT);
}

static unsigned work_runs;
static void count_work(struct work *w)
{
    (void)w;
    work_runs++;
}

TEST(sched_yield_runs_pending_work_once)
{
    host_sys_reset(0);
    static struct work w = WORK_INIT(count_work);
    work_runs = 0;
    work_queue(&w);
    unsigned idles = host_idles;
    CHECK_EQ(SC(LINUX_NR_sched_yield), 0);
    CHECK_EQ(work_runs, 1u);
    CHECK_EQ(host_idles, idles); /* without halting */
    CHECK_EQ(SC(LINUX_NR_sched_yield), 0);
    CHECK_EQ(work_runs, 1u);
}

UNIT_MAIN()
