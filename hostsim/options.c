#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/options.h"

int hostsim_parse_size(const char *s, uint64_t *bytes)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    unsigned shift;
    switch (*end) {
    case '\0':
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    case 'T':
    case 't':
        shift = 40;
        break;
    default:
        return -1;
    }
    if (*end != '\0') {
        end++;
        if (*end == 'i' && end[1] == 'B')
            end += 2;
        else if (*end == 'B')
            end++;
    }
    if (*end != '\0' || n > (UINT64_MAX >> shift))
        return -1;
    *bytes = (uint64_t)n << shift;
    return 0;
}

const char *hostsim_misbehave_name(enum hostsim_misbehave m)
{
    switch (m) {
    case HOSTSIM_MISBEHAVE_BLK_USED_ID:
        return "blk-used-id";
    case HOSTSIM_MISBEHAVE_BLK_USED_LEN:
        return "blk-used-len";
    case HOSTSIM_MISBEHAVE_BLK_USED_IDX:
        return "blk-used-idx";
    case HOSTSIM_MISBEHAVE_BLK_STATUS:
        return "blk-status";
    case HOSTSIM_MISBEHAVE_NET_USED_LEN:
        return "net-used-len";
    case HOSTSIM_MISBEHAVE_NET_NUM_BUFFERS:
        return "net-num-buffers";
    case HOSTSIM_MISBEHAVE_NET_NUM_BUFFERS_ZERO:
        return "net-num-buffers-0";
    case HOSTSIM_MISBEHAVE_NET_USED_ID:
        return "net-used-id";
    case HOSTSIM_MISBEHAVE_NONE:
        break;
    }
    return "none";
}

int hostsim_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++, s++) {
            char c = *s;
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                return -1;
            v = v * 16 + (unsigned)d;
        }
        mac[i] = (uint8_t)v;
        if (*s != (i < 5 ? ':' : '\0'))
            return -1;
        if (i < 5)
            s++;
    }
    return 0;
}

/* FILE[,ro][,root]: the flags are taken from the end, so a file name may
 * itself contain commas. */
static int parse_disk(const char *v, struct hostsim_disk *d)
{
    size_t len = strlen(v);
    memset(d, 0, sizeof *d);
    for (;;) {
        if (len >= 3 && strncmp(v + len - 3, ",ro", 3) == 0) {
            d->read_only = 1;
            len -= 3;
        } else if (len >= 5 && strncmp(v + len - 5, ",root", 5) == 0) {
            d->root = 1;
            len -= 5;
        } else {
            break;
        }
    }
    if (len == 0 || len >= sizeof d->path)
        return -1;
    memcpy(d->path, v, len);
    d->path[len] = '\0';
    return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 0); /* 0x.. hex, else decimal (or 0.. octal) */
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

/* --name VALUE or --name=VALUE. Returns the value, or NULL when arg is not
 * this option. *i moves past a separate value; *missing is set when the
 * option is last with no value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

int hostsim_parse_options(int argc, char **argv, struct hostsim_options *o, char *err,
                          size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->mem_bytes = HOSTSIM_DEFAULT_MEM;
    o->cpus = 1;
    o->exit_port = -1;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        int missing = 0;
        unsigned long n;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            o->help = 1;
            return 0;
        } else if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
            o->verbose = 1;
        } else if ((v = option_value(argc, argv, &i, "--kernel", &missing)) != NULL) {
            if (*v == '\0')
                goto bad;
            o->kernel = v;
        } else if ((v = option_value(argc, argv, &i, "--cmdline", &missing)) != NULL) {
            o->cmdline = v;
        } else if ((v = option_value(argc, argv, &i, "--mem", &missing)) != NULL) {
            if (hostsim_parse_size(v, &o->mem_bytes) != 0 || o->mem_bytes == 0) {
                snprintf(err, errlen, "--mem: '%s' is not a size (say 128M, 1G, or 256 for MiB)",
                         v);
                return -1;
            }
        } else if ((v = option_value(argc, argv, &i, "--cpus", &missing)) != NULL) {
            if (parse_uint(v, 255, &n) != 0 || n == 0) {
                snprintf(err, errlen, "--cpus: '%s' is not a vCPU count (1 or more)", v);
                return -1;
            }
            o->cpus = (unsigned)n;
        } else if ((v = option_value(argc, argv, &i, "--boot", &missing)) != NULL) {
            if (strcmp(v, "pvh") == 0) {
                o->boot = HOSTSIM_BOOT_PVH;
            } else if (strcmp(v, "linux") == 0) {
                o->boot = HOSTSIM_BOOT_LINUX;
            } else {
                snprintf(err, errlen, "--boot: '%s' is not pvh or linux", v);
                return -1;
            }
        } else if ((v = option_value(argc, argv, &i, "--exit-port", &missing)) != NULL) {
            if (parse_uint(v, 0xFFFF, &n) != 0) {
                snprintf(err, errlen, "--exit-port: '%s' is not a port number (0..0xffff)", v);
                return -1;
            }
            o->exit_port = (int)n;
        } else if ((v = option_value(argc, argv, &i, "--timeout", &missing)) != NULL) {
            char *end;
            errno = 0;
            double t = strtod(v, &end);
            if (errno != 0 || end == v || *end != '\0' || !(t > 0) || t > 1e6) {
                snprintf(err, errlen, "--timeout: '%s' is not a number of seconds (> 0)", v);
                return -1;
            }
            o->timeout = t;
        } else if ((v = option_value(argc, argv, &i, "--disk", &missing)) != NULL) {
            if (o->ndisks >= HOSTSIM_MAX_DISKS) {
                snprintf(err, errlen, "--disk: at most %d disks", HOSTSIM_MAX_DISKS);
                return -1;
            }
            if (parse_disk(v, &o->disk[o->ndisks]) != 0) {
                snprintf(err, errlen, "--disk: '%s' is not FILE[,ro][,root]", v);
                return -1;
            }
            o->ndisks++;
        } else if ((v = option_value(argc, argv, &i, "--tap", &missing)) != NULL) {
            if (*v == '\0')
                goto bad;
            if (o->tap != NULL) {
                snprintf(err, errlen, "--tap: only one network interface is supported");
                return -1;
            }
            o->tap = v;
        } else if ((v = option_value(argc, argv, &i, "--mac", &missing)) != NULL) {
            if (hostsim_parse_mac(v, o->mac) != 0) {
                snprintf(err, errlen, "--mac: '%s' is not a MAC address like 06:00:ac:10:00:02", v);
                return -1;
            }
            o->has_mac = 1;
        } else if ((v = option_value(argc, argv, &i, "--misbehave", &missing)) != NULL) {
            enum hostsim_misbehave m = HOSTSIM_MISBEHAVE_NONE;
            for (int k = HOSTSIM_MISBEHAVE_BLK_USED_ID; k <= HOSTSIM_MISBEHAVE_NET_USED_ID; k++)
                if (strcmp(v, hostsim_misbehave_name((enum hostsim_misbehave)k)) == 0)
                    m = (enum hostsim_misbehave)k;
            if (m == HOSTSIM_MISBEHAVE_NONE) {
                snprintf(err, errlen,
                         "--misbehave: '%s' is not blk-used-id, blk-used-len, blk-used-idx, "
                         "blk-status, net-used-len, net-num-buffers, net-num-buffers-0 or "
                         "net-used-id",
                         v);
                return -1;
            }
            if (o->misbehave != HOSTSIM_MISBEHAVE_NONE) {
                snprintf(err, errlen, "--misbehave: only one per run");
                return -1;
            }
            o->misbehave = m;
        } else if ((v = option_value(argc, argv, &i, "--mtu", &missing)) != NULL) {
            if (parse_uint(v, 65535, &n) != 0 || n < 68) {
                snprintf(err, errlen, "--mtu: '%s' is not an MTU from 68 to 65535 (5.1.4.1)", v);
                return -1;
            }
            o->mtu = (unsigned)n;
        } else if (missing) {
            snprintf(err, errlen, "%s needs a value", arg);
            return -1;
        } else if (arg[0] == '-') {
            snprintf(err, errlen, "unknown option '%s' (try --help)", arg);
            return -1;
        } else if (o->model == NULL) {
            o->model = arg;
        } else {
            snprintf(err, errlen, "unexpected argument '%s' (try --help)", arg);
            return -1;
        }
        continue;
    bad:
        snprintf(err, errlen, "%s: empty value", arg);
        return -1;
    }
    if (o->model == NULL) {
        snprintf(err, errlen, "no machine model given (try: hostsim firecracker --kernel FILE)");
        return -1;
    }
    if ((o->has_mac || o->mtu) && o->tap == NULL) {
        snprintf(err, errlen, "--mac and --mtu describe the --tap interface; give --tap NAME");
        return -1;
    }
    unsigned roots = 0;
    for (unsigned i = 0; i < o->ndisks; i++)
        roots += o->disk[i].root != 0;
    if (roots > 1) {
        snprintf(err, errlen, "--disk: only one disk can be the root device (,root)");
        return -1;
    }
    if (HOSTSIM_MISBEHAVE_IS_NET(o->misbehave) && o->tap == NULL) {
        snprintf(err, errlen, "--misbehave %s acts on the virtio-net device; give --tap",
                 hostsim_misbehave_name(o->misbehave));
        return -1;
    }
    if (o->misbehave != HOSTSIM_MISBEHAVE_NONE && !HOSTSIM_MISBEHAVE_IS_NET(o->misbehave) &&
        o->ndisks == 0) {
        snprintf(err, errlen, "--misbehave %s acts on the first virtio-blk device; give --disk",
                 hostsim_misbehave_name(o->misbehave));
        return -1;
    }
    if (o->kernel == NULL) {
        snprintf(err, errlen, "--kernel FILE is required");
        return -1;
    }
    return 0;
}
