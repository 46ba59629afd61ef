/* Command-line options (config.h), parsed with getopt_long (POSIX getopt
 * plus the GNU long-option extension, which musl and glibc both have). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_PORT = 'p',
    OPT_ROOT = 'r',
    OPT_QUIET = 'q',
    OPT_HELP = 'h',
    OPT_BIND = 256,
    OPT_IDLE,
    OPT_HEADER_BYTES,
    OPT_MAX_CONNECTIONS,
    OPT_STATS_INTERVAL,
    OPT_EXIT_AFTER,
};

static const struct option long_options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"root", required_argument, NULL, OPT_ROOT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"max-header-bytes", required_argument, NULL, OPT_HEADER_BYTES},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
    {"exit-after", required_argument, NULL, OPT_EXIT_AFTER},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: httpd [options]\n"
            "  -p, --port N              TCP port (default %d; 0: any free port)\n"
            "  -r, --root DIR            directory served (default %s)\n"
            "      --bind ADDR           IPv4 or IPv6 address to listen on (default ::, which\n"
            "                            takes IPv4 too, or 0.0.0.0 where IPv6 is missing)\n"
            "      --idle-timeout T      close a connection idle this long (seconds, or with\n"
            "                            'ms'; default %d s)\n"
            "      --max-header-bytes N  request line and header section limit (default %d)\n"
            "      --max-connections N   open connections at most (default: descriptor limit)\n"
            "      --stats-interval S    print statistics every S seconds\n"
            "      --exit-after S        stop after S seconds, closing every connection\n"
            "  -q, --quiet               no line per failed request\n"
            "  -h, --help                this text\n",
            HTTPD_DEFAULT_PORT, HTTPD_DEFAULT_ROOT, HTTPD_DEFAULT_IDLE_MS / 1000,
            HTTPD_DEFAULT_HEADER_BYTES);
}

/* A whole decimal number in [lo, hi], else a message naming the option. */
static bool parse_number(const char *opt, const char *s, unsigned long lo, unsigned long hi,
                         unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v < lo || v > hi) {
        fprintf(stderr, "httpd: --%s: '%s' is not a whole number from %lu to %lu\n", opt, s, lo,
                hi);
        return false;
    }
    *out = v;
    return true;
}

/* Seconds, or milliseconds with "ms"; at least 1 ms, at most a day. */
static bool parse_duration_ms(const char *opt, const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    unsigned long scale = 1000;
    if (strcmp(end, "ms") == 0)
        scale = 1;
    else if (strcmp(end, "s") != 0 && *end != '\0')
        end = NULL;
    if (s[0] < '0' || s[0] > '9' || end == NULL || errno != 0 || v == 0 || v > 86400000ul / scale) {
        fprintf(stderr, "httpd: --%s: '%s' is not a duration from 1ms to 86400 (seconds)\n", opt,
                s);
        return false;
    }
    *out = (unsigned)(v * scale);
    return true;
}

enum config_result config_parse(int argc, char **argv, struct httpd_config *c)
{
    *c = (struct httpd_config){
        .port = HTTPD_DEFAULT_PORT,
        .root = HTTPD_DEFAULT_ROOT,
        .idle_timeout_ms = HTTPD_DEFAULT_IDLE_MS,
        .max_header_bytes = HTTPD_DEFAULT_HEADER_BYTES,
    };
    opterr = 0; /* our own messages, one line each */
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, ":p:r:qh", long_options, NULL)) != -1) {
        unsigned long v;
        switch (ch) {
        case OPT_PORT:
            if (!parse_number("port", optarg, 0, 65535, &v))
                return CONFIG_BAD;
            c->port = (unsigned)v;
            break;
        case OPT_ROOT:
            if (optarg[0] == '\0') {
                fprintf(stderr, "httpd: --root: empty directory name\n");
                return CONFIG_BAD;
            }
            c->root = optarg;
            break;
        case OPT_BIND:
            c->bind = optarg;
            break;
        case OPT_IDLE:
            if (!parse_duration_ms("idle-timeout", optarg, &c->idle_timeout_ms))
                return CONFIG_BAD;
            break;
        case OPT_HEADER_BYTES:
            if (!parse_number("max-header-bytes", optarg, HTTPD_MIN_HEADER_BYTES,
                              HTTPD_MAX_HEADER_BYTES, &v))
                return CONFIG_BAD;
            c->max_header_bytes = v;
            break;
        case OPT_MAX_CONNECTIONS:
            if (!parse_number("max-connections", optarg, 1, 1000000, &v))
                return CONFIG_BAD;
            c->max_connections = (unsigned)v;
            break;
        case OPT_STATS_INTERVAL:
            if (!parse_number("stats-interval", optarg, 1, 86400, &v))
                return CONFIG_BAD;
            c->stats_interval_s = (unsigned)v;
            break;
        case OPT_EXIT_AFTER:
            if (!parse_number("exit-after", optarg, 1, 86400 * 365, &v))
                return CONFIG_BAD;
            c->exit_after_s = (unsigned)v;
            break;
        case OPT_QUIET:
            c->quiet = true;
            break;
        case OPT_HELP:
            usage(stdout);
            return CONFIG_DONE;
        case ':':
            fprintf(stderr, "httpd: option '%s' needs a value (httpd --help)\n", argv[optind - 1]);
            return CONFIG_BAD;
        default:
            fprintf(stderr, "httpd: unknown option '%s' (httpd --help)\n", argv[optind - 1]);
            return CONFIG_BAD;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "httpd: unexpected argument '%s' (httpd --help)\n", argv[optind]);
        return CONFIG_BAD;
    }
    return CONFIG_RUN;
}
