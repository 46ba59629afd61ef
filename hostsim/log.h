/* hostsim's own diagnostics. stdout carries only what the guest writes to its
 * serial port, so everything hostsim says goes to stderr with a "hostsim:"
 * prefix; stdout is flushed first so that a terminal shows both in order. */
#ifndef HOSTSIM_LOG_H
#define HOSTSIM_LOG_H

#include <stdbool.h>

extern bool hs_verbose; /* --verbose: also report normal events */

void hs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only when --verbose is on. */
void hs_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
