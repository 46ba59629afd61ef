#include <stdarg.h>
#include <stdio.h>

#include "hostsim/log.h"

bool hs_verbose;

static void hs_vlog(const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs("hostsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void hs_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hs_vlog(fmt, ap);
    va_end(ap);
}

void hs_debug(const char *fmt, ...)
{
    va_list ap;
    if (!hs_verbose)
        return;
    va_start(ap, fmt);
    hs_vlog(fmt, ap);
    va_end(ap);
}
