/* A run plan: what tools/anyvm decided for one `anyvm run` (the VMM
 * command, the timeout, how to read the status), written for the runner
 * to carry out. docs/cli.md ("How `run` works") gives the format:
 *
 *     anyvm-plan 1\n
 *     NAME LENGTH\nVALUE\n        (repeated; VALUE is LENGTH raw bytes)
 *     end 0\n\n
 *
 * The key records (cwd, arg, env) come first, if at all: a plan in the
 * cache is used only when they equal the launcher's own key byte for byte.
 * Nothing in a plan file is trusted: plan_parse checks every record and
 * refuses the whole file on the first fault. */
#ifndef LAUNCHER_PLAN_H
#define LAUNCHER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#define PLAN_MAGIC "anyvm-plan 1\n"
#define PLAN_MAX_BYTES (4u << 20)
#define PLAN_MAX_RECORDS 8192

enum plan_kind {
    PLAN_CWD,         /* key: the working folder */
    PLAN_ARG,         /* key: one of anyvm's arguments ("run" first) */
    PLAN_ENV,         /* key: NAME=VALUE, or NAME when unset */
    PLAN_DEP,         /* an input: "f DEV INO SIZE MTIME_NS PATH", "d PATH" or "- PATH" */
    PLAN_NOTE,        /* a line for stderr before the VMM starts */
    PLAN_VMM,         /* one word of the VMM command */
    PLAN_SCRATCH,     /* a folder to remove when the run ends */
    PLAN_TIMEOUT,     /* --timeout in seconds, for the message */
    PLAN_KILL_AFTER,  /* seconds after which the VMM is killed */
    PLAN_TIMEOUT_RC,  /* the VMM exit code that means it stopped at its own timeout */
    PLAN_EXIT_DEVICE, /* 1: isa-debug-exit / --exit-port carries the status; 0: not */
    PLAN_SYMBOLIZE,   /* one word of the command that names an exception's addresses */
    PLAN_KINDS
};

struct plan_record {
    enum plan_kind kind;
    const char *value; /* NUL-terminated in the plan's buffer, but for key records */
    size_t len;
};

struct plan {
    struct plan_record rec[PLAN_MAX_RECORDS];
    size_t n;
    size_t key_len; /* bytes of key records after the magic */
    const char *key;
    /* the run's settings, checked */
    bool has_timeout, has_kill_after, has_timeout_rc, exit_device;
    double timeout, kill_after;
    int timeout_rc;
    const char *scratch;
};

/* Parses buf (len bytes, with one spare byte after them; modified in place)
 * into p. 0, or -1 with a reason in err. */
int plan_parse(struct plan *p, char *buf, size_t len, char *err, size_t errsize);

/* The values of one kind, in order, as a NULL-terminated array in out
 * (room for max entries and the NULL); their number. */
size_t plan_words(const struct plan *p, enum plan_kind kind, char **out, size_t max);

/* The name a record kind has in the file. */
const char *plan_kind_name(enum plan_kind kind);

#endif
