/* build/anyvm: the `anyvm` on PATH (scripts/install-cli.sh links it), and
 * the runner tools/anyvm hands its runs to.
 *
 *   anyvm run ARGS...           a plan cached for this very command, with
 *                               inputs unchanged, is run here; otherwise
 *                               (and for every other command) tools/anyvm
 *                               runs, plans, stores the plan and hands it back
 *   anyvm --run-plan FILE       carry out a plan tools/anyvm wrote
 *   anyvm --serial-filter       stdin to stdout through the serial filter
 *                               (anyvm logs)
 *
 * Why native: Python's start with tools/anyvm's imports costs 50-100 ms
 * here, more than a whole hello boot on QEMU TCG, of which anyvm may add 10 %
 * (docs/cli.md, "How `run` works"). */
#define _GNU_SOURCE
#include "tools/launcher/cache.h"
#include "tools/launcher/outcome.h"
#include "tools/launcher/plan.h"
#include "tools/launcher/read_all.h"
#include "tools/launcher/serial_filter.h"
#include "tools/launcher/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The longest key passed on in the environment (Linux takes at most 128 KiB
 * in one environment string, MAX_ARG_STRLEN); a longer one is not cached. */
#define KEY_ENV_MAX (100u << 10)

/* ANYVM_LAUNCHER_LOG=1: one line on stderr saying whether the plan cache
 * served the run, and why not (the tests read it). */
static void log_line(const char *what, const char *detail)
{
    const char *v = getenv("ANYVM_LAUNCHER_LOG");
    if (v && strcmp(v, "1") == 0)
        fprintf(stderr, "anyvm: launcher: %s%s%s\n", what, *detail ? ": " : "", detail);
}

/* tools/anyvm of the checkout this program was built in: build/anyvm ->
 * ../tools/anyvm. */
static int exec_python(int argc, char **argv, const struct bytes *key)
{
    char self[PATH_MAX], tool[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        fprintf(stderr, "anyvm: cannot find this program's own path: %s\n", strerror(errno));
        return OUTCOME_NOT_STARTED;
    }
    self[n] = 0;
    char *build = dirname(self);
    snprintf(tool, sizeof(tool), "%s/../tools/anyvm", build);
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args)
        return OUTCOME_NOT_STARTED;
    args[0] = tool;
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    /* tools/anyvm stores the plan for the launcher's next run under this
     * key (a NUL-free string: it is made of a path, arguments and
     * environment variables); it checks that the key is its own command's */
    if (key && key->len && key->len < KEY_ENV_MAX) {
        key->p[key->len] = 0;
        setenv("ANYVM_LAUNCHER", key->p, 1);
    } else {
        unsetenv("ANYVM_LAUNCHER");
    }
    execv(tool, args);
    fprintf(stderr, "anyvm: cannot run %s: %s\n", tool, strerror(errno));
    return OUTCOME_NOT_STARTED;
}

static int run_plan_file(const char *path)
{
    static struct plan p;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)PLAN_MAX_BYTES) {
        fprintf(stderr, "anyvm: run plan %s: cannot read it, or too large\n", path);
        if (fd >= 0)
            close(fd);
        return OUTCOME_NOT_STARTED;
    }
    size_t got = (size_t)st.st_size;
    char *buf = read_all(fd, got);
    char err[256];
    if (!buf || plan_parse(&p, buf, got, err, sizeof(err))) {
        fprintf(stderr, "anyvm: run plan %s: %s\n", path, buf ? err : "cannot read it");
        return OUTCOME_NOT_STARTED;
    }
    return supervise(&p);
}

static int filter_stdin(void)
{
    struct serial_filter f;
    static unsigned char in[65536], out[65536 + 1];
    serial_filter_init(&f);
    for (;;) {
        ssize_t n = read(0, in, sizeof(in));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t o = serial_filter_feed(&f, in, (size_t)n, out);
        if (o && fwrite(out, 1, o, stdout) != o)
            return 1;
        fflush(stdout);
    }
    size_t o = serial_filter_finish(&f, out);
    if (o)
        fwrite(out, 1, o, stdout);
    return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--run-plan") == 0)
        return run_plan_file(argv[2]);
    if (argc == 2 && strcmp(argv[1], "--serial-filter") == 0)
        return filter_stdin();
    if (argc < 2 || strcmp(argv[1], "run") != 0)
        return exec_python(argc, argv, NULL);

    static struct plan p;
    struct bytes key = {0};
    char why[4400] = "";
    char *buf = NULL;
    if (cache_key(&key, argc, argv)) {
        log_line("no plan", "cannot make the cache key");
    } else if (cache_lookup(&key, &p, &buf, why, sizeof(why))) {
        log_line("no plan", why);
    } else {
        log_line("running the cached plan", "");
        return supervise(&p);
    }
    free(buf);
    return exec_python(argc, argv, &key);
}
