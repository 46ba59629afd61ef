/* Carrying out a run plan: the VMM started with stdin from /dev/null in a
 * session of its own, its stdout (the guest's serial) passed through the
 * serial filter and its stderr as it is, killed at the plan's timeout or
 * when SIGINT, SIGTERM or SIGHUP stops anyvm, the scratch folder removed
 * however the run ends, and the exit code `anyvm run` documents
 * (docs/cli.md) returned. */
#ifndef LAUNCHER_SUPERVISE_H
#define LAUNCHER_SUPERVISE_H

#include "tools/launcher/plan.h"

int supervise(const struct plan *p);

#endif
