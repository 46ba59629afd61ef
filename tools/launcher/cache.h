/* The plan cache of the native `anyvm` (docs/cli.md, "The native launcher
 * and the plan cache"): tools/anyvm, asked by the launcher, stores the plan of a run in
 * $XDG_CACHE_HOME/anyvm/plans (else ~/.cache/anyvm/plans) under the FNV-1a
 * hash of its key: the working folder, anyvm's arguments and the
 * environment variables the plan depends on. The launcher uses a plan only
 * when its key is byte for byte the launcher's own and every input it
 * names (the image, the tool's files, ...) is unchanged. */
#ifndef LAUNCHER_CACHE_H
#define LAUNCHER_CACHE_H

#include "tools/launcher/plan.h"

#include <stddef.h>
#include <stdint.h>

/* The environment variables in the key: PATH finds the VMM, TMPDIR the
 * scratch folder. */
#define CACHE_KEY_ENV                                                                              \
    {                                                                                              \
        "PATH", "TMPDIR"                                                                           \
    }

/* A growable byte string. */
struct bytes {
    char *p;
    size_t len, cap;
};

/* The key records for argv (argv[0] is not part of it: "run" comes first)
 * in the working folder; -1 when it cannot be made (no working folder, no
 * memory). */
int cache_key(struct bytes *key, int argc, char **argv);

uint64_t cache_fnv1a64(const void *p, size_t n);

/* The plans folder into out; -1 when there is no HOME either. */
int cache_dir(char *out, size_t size);

/* Reads and checks the plan for key: 0 with the plan parsed into p (its
 * bytes in *buf, to free), or -1 with the reason in why. */
int cache_lookup(const struct bytes *key, struct plan *p, char **buf, char *why, size_t whysize);

/* Whether each input a dep record names is as it was: 0, or -1 and why. */
int cache_deps_unchanged(const struct plan *p, char *why, size_t whysize);

#endif
