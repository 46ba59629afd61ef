/* sys/path.c through __anyvm_syscall, in an image without the file layer
 * (sys/files/ is not linked into this test, as into an app that names no
 * file): every lookup by path is ENOENT, after the path itself was checked
 * as Linux checks it (EFAULT, ENAMETOOLONG); fstatat's AT_EMPTY_PATH is
 * about the descriptor; an initrd is not mounted. */
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define AT_FDCWD (-100)

static void fresh(void)
{
    host_sys_reset(1u << 20);
}

TEST(every_lookup_finds_nothing)
{
    fresh();
    char buf[64];
    struct linux_stat st;
    CHECK_EQ(SC(LINUX_NR_open, "/etc/hostname", 0, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_stat, "/", &st), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_lstat, "a/b", &st), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_access, "x", 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_readlink, "/proc/self/exe", buf, sizeof buf), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_openat, AT_FDCWD, "file", 0, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_readlinkat, AT_FDCWD, "l", buf, sizeof buf), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_faccessat, AT_FDCWD, "f", 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_faccessat2, AT_FDCWD, "f", 0, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_newfstatat, AT_FDCWD, "f", &st, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, "f", 0, 0, buf), -LINUX_ENOENT);
    /* the empty path without AT_EMPTY_PATH: ENOENT too */
    CHECK_EQ(SC(LINUX_NR_open, ""), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 1, "", &st, 0), -LINUX_ENOENT);
    /* nothing is said on the console: these calls are implemented */
    CHECK(!LOG_CONTAINS("not implemented"));
}

TEST(the_path_is_checked_first)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_open, NULL, 0, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_openat, AT_FDCWD, 8, 0, 0), -LINUX_EFAULT); /* the first page */
    static char longest[LINUX_PATH_MAX];
    memset(longest, 'a', sizeof longest);
    CHECK_EQ(SC(LINUX_NR_open, longest, 0, 0), -LINUX_ENAMETOOLONG); /* no NUL in 4096 */
    longest[LINUX_PATH_MAX - 1] = '\0';                              /* 4095 characters: fine */
    CHECK_EQ(SC(LINUX_NR_open, longest, 0, 0), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_statx, AT_FDCWD, longest + 1, 0, 0, NULL), -LINUX_ENOENT);
}

TEST(no_file_layer_mounts_nothing)
{
    fresh();
    CHECK_EQ(sys_files_mount("070701", 6, 0, 0), -LINUX_ENOSYS);
    CHECK_EQ(SC(LINUX_NR_open, "/", 0, 0), -LINUX_ENOENT);
    CHECK(!LOG_CONTAINS("initrd"));
}

TEST(at_empty_path_is_about_the_descriptor)
{
    fresh();
    struct linux_stat st;
    memset(&st, 0xA5, sizeof st);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 1, "", &st, LINUX_AT_EMPTY_PATH), 0);
    struct linux_stat want;
    CHECK_EQ(SC(LINUX_NR_fstat, 1, &want), 0);
    CHECK_EQ(memcmp(&st, &want, sizeof st), 0);
    CHECK_EQ(SC(LINUX_NR_newfstatat, 77, "", &st, LINUX_AT_EMPTY_PATH), -LINUX_EBADF);
    /* AT_EMPTY_PATH with a name: the name is looked up */
    CHECK_EQ(SC(LINUX_NR_newfstatat, 1, "x", &st, LINUX_AT_EMPTY_PATH), -LINUX_ENOENT);
}

UNIT_MAIN()
