/* hostsim's generic options with getopt_long: see options.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/options.h"

enum {
    OPT_KERNEL = 0x100,
    OPT_CMDLINE,
    OPT_INITRD,
    OPT_MEM,
    OPT_CPUS,
    OPT_DISK,
    OPT_NIC,
    OPT_EXIT_PORT,
    OPT_TIMEOUT,
    OPT_MISBEHAVE,
    OPT_VERBOSE = 'v',
    OPT_HELP = 'h',
};

static const struct option generic_options[] = {
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"cmdline", required_argument, NULL, OPT_CMDLINE},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"mem", required_argument, NULL, OPT_MEM},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"disk", required_argument, NULL, OPT_DISK},
    {"nic", required_argument, NULL, OPT_NIC},
    {"exit-port", required_argument, NULL, OPT_EXIT_PORT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"misbehave", required_argument, NULL, OPT_MISBEHAVE},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"help", no_argument, NULL, OPT_HELP},
};
#define NGENERIC (sizeof generic_options / sizeof generic_options[0])
#define MAX_MODEL_OPTIONS 32

void hostsim_options_usage(FILE *f)
{
    fputs("  --kernel FILE      ELF image to boot (required)\n"
          "  --cmdline STRING   the monitor's boot arguments (Firecracker: boot_args)\n"
          "  --initrd FILE      an initial RAM disk loaded into guest RAM (Firecracker:\n"
          "                     initrd_path)\n"
          "  --mem SIZE         guest RAM, e.g. 128M, 1G; a bare number is MiB (default 128M)\n"
          "  --cpus N           vCPUs (default 1); only vCPU 0 starts, the others wait\n"
          "                     for INIT/SIPI\n"
          "  --disk FILE[,ro][,root]  a block device on FILE (repeatable); ro: read-only;\n"
          "                     root: the model's boot disk\n"
          "  --nic tap=NAME[,mac=MAC][,mtu=N]  a network device on the existing TAP\n"
          "                     interface NAME, with guest MAC MAC (e.g. 06:00:ac:10:00:02)\n"
          "                     and MTU N (68-65535) offered to the guest\n"
          "  --exit-port PORT   a write of V to this port ends hostsim with status\n"
          "                     (2*V+1)&0xff, like QEMU's isa-debug-exit (default: none)\n"
          "  --timeout SECONDS  stop the guest after this long, status 124 (default: none)\n"
          "  --misbehave KIND   a device breaks its protocol on purpose (a test fault);\n"
          "                     `--misbehave help` lists the kinds\n"
          "  --verbose, -v      report setup, unclaimed accesses and how the guest ended\n"
          "  --help, -h         this text (with MODEL: also the model's own options)\n",
          f);
}

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

int hostsim_parse_disk(const char *v, struct hostsim_disk *d)
{
    size_t len = strlen(v);
    memset(d, 0, sizeof *d);
    for (;;) {
        if (len >= 3 && strncmp(v + len - 3, ",ro", 3) == 0) {
            d->read_only = true;
            len -= 3;
        } else if (len >= 5 && strncmp(v + len - 5, ",root", 5) == 0) {
            d->root = true;
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

int hostsim_parse_nic(const char *s, struct hostsim_nic *n, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    const char *p = s;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[64];
        if (len >= sizeof item) {
            snprintf(err, errlen, "--nic: '%.*s' is too long", (int)len, p);
            return -1;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        char *value = strchr(item, '=');
        if (value == NULL) {
            snprintf(err, errlen, "--nic: '%s' is not KEY=VALUE (keys: tap, mac, mtu)", item);
            return -1;
        }
        *value++ = '\0';
        unsigned long mtu;
        if (strcmp(item, "tap") == 0) {
            if (*value == '\0' || strlen(value) >= sizeof n->tap) {
                snprintf(err, errlen, "--nic: tap='%s' is not an interface name of 1 to %zu bytes",
                         value, sizeof n->tap - 1);
                return -1;
            }
            snprintf(n->tap, sizeof n->tap, "%s", value);
        } else if (strcmp(item, "mac") == 0) {
            if (hostsim_parse_mac(value, n->mac) != 0) {
                snprintf(err, errlen, "--nic: mac='%s' is not a MAC address like 06:00:ac:10:00:02",
                         value);
                return -1;
            }
            n->has_mac = true;
        } else if (strcmp(item, "mtu") == 0) {
            if (parse_uint(value, 65535, &mtu) != 0 || mtu < 68) {
                snprintf(err, errlen, "--nic: mtu='%s' is not an MTU from 68 to 65535", value);
                return -1;
            }
            n->mtu = (unsigned)mtu;
        } else {
            snprintf(err, errlen, "--nic: unknown key '%s' (keys: tap, mac, mtu)", item);
            return -1;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (n->tap[0] == '\0') {
        snprintf(err, errlen, "--nic: '%s' names no TAP interface (say tap=NAME[,mac=MAC][,mtu=N])",
                 s);
        return -1;
    }
    return 0;
}

static int parse_generic(struct hostsim_options *o, int id, const char *v, char *err, size_t errlen)
{
    unsigned long n;
    switch (id) {
    case OPT_KERNEL:
        if (*v == '\0') {
            snprintf(err, errlen, "--kernel: empty file name");
            return -1;
        }
        o->kernel = v;
        return 0;
    case OPT_CMDLINE:
        o->cmdline = v;
        return 0;
    case OPT_INITRD:
        if (*v == '\0') {
            snprintf(err, errlen, "--initrd: empty file name");
            return -1;
        }
        o->initrd = v;
        return 0;
    case OPT_MEM:
        if (hostsim_parse_size(v, &o->mem_bytes) != 0 || o->mem_bytes == 0) {
            snprintf(err, errlen, "--mem: '%s' is not a size (say 128M, 1G, or 256 for MiB)", v);
            return -1;
        }
        return 0;
    case OPT_CPUS:
        if (parse_uint(v, 255, &n) != 0 || n == 0) {
            snprintf(err, errlen, "--cpus: '%s' is not a vCPU count from 1 to 255", v);
            return -1;
        }
        o->cpus = (unsigned)n;
        return 0;
    case OPT_DISK:
        if (o->ndisks >= HOSTSIM_MAX_DISKS) {
            snprintf(err, errlen, "--disk: at most %d disks", HOSTSIM_MAX_DISKS);
            return -1;
        }
        if (hostsim_parse_disk(v, &o->disk[o->ndisks]) != 0) {
            snprintf(err, errlen, "--disk: '%s' is not FILE[,ro][,root]", v);
            return -1;
        }
        o->ndisks++;
        return 0;
    case OPT_NIC:
        if (o->nnics >= HOSTSIM_MAX_NICS) {
            snprintf(err, errlen, "--nic: at most %d network devices", HOSTSIM_MAX_NICS);
            return -1;
        }
        if (hostsim_parse_nic(v, &o->nic[o->nnics], err, errlen) != 0)
            return -1;
        o->nnics++;
        return 0;
    case OPT_EXIT_PORT:
        if (parse_uint(v, 0xFFFF, &n) != 0) {
            snprintf(err, errlen, "--exit-port: '%s' is not a port number (0..0xffff)", v);
            return -1;
        }
        o->exit_port = (int)n;
        return 0;
    case OPT_TIMEOUT: {
        char *end;
        errno = 0;
        double t = strtod(v, &end);
        if (errno != 0 || end == v || *end != '\0' || !(t > 0) || t > 1e6) {
            snprintf(err, errlen, "--timeout: '%s' is not a number of seconds (> 0)", v);
            return -1;
        }
        o->timeout = t;
        return 0;
    }
    case OPT_MISBEHAVE: {
        if (strcmp(v, "help") == 0) {
            o->misbehave_help = true;
            return 0;
        }
        const struct hostsim_misbehave *k = hostsim_misbehave_find(v);
        if (k == NULL) {
            char known[512];
            hostsim_misbehave_names(known, sizeof known);
            snprintf(err, errlen, "--misbehave: '%s' is not a kind (known: %s; or help)", v, known);
            return -1;
        }
        if (o->misbehave != NULL) {
            snprintf(err, errlen, "--misbehave: only one per run");
            return -1;
        }
        o->misbehave = k;
        return 0;
    }
    case OPT_VERBOSE:
        o->verbose = true;
        return 0;
    case OPT_HELP:
        o->help = true;
        return 0;
    }
    snprintf(err, errlen, "internal error: option %d", id);
    return -1;
}

int hostsim_parse_options(int argc, char **argv, struct hostsim_options *o, char *err,
                          size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->mem_bytes = HOSTSIM_DEFAULT_MEM;
    o->cpus = 1;
    o->exit_port = -1;

    /* The model comes first, so its options can join the table. */
    int first = 1;
    const struct hostsim_model *model = NULL;
    if (argc > 1 && argv[1][0] != '-') {
        o->model = argv[1];
        model = hostsim_model_find(o->model);
        if (model == NULL) {
            char known[256];
            hostsim_model_names(known, sizeof known);
            snprintf(err, errlen, "unknown machine model '%s' (known: %s)", o->model, known);
            return -1;
        }
        first = 2;
    }

    struct option all[NGENERIC + MAX_MODEL_OPTIONS + 1];
    memcpy(all, generic_options, sizeof generic_options);
    size_t n = NGENERIC;
    for (const struct option *m = model ? model->options : NULL; m != NULL && m->name != NULL;
         m++) {
        if (n >= NGENERIC + MAX_MODEL_OPTIONS) {
            snprintf(err, errlen, "model %s declares too many options", model->name);
            return -1;
        }
        all[n++] = *m;
    }
    memset(&all[n], 0, sizeof all[n]);

    /* getopt_long parses argv[first-1 ..]: it skips its argv[0]. "+" stops at
     * the first non-option, reported below; ":" reports a missing value as
     * ':' rather than '?'. */
    optind = 0; /* glibc: 0 also resets getopt_long's internal state between calls */
    opterr = 0;
    int gargc = argc - (first - 1);
    char **gargv = argv + (first - 1);
    for (;;) {
        int id = getopt_long(gargc, gargv, "+:vh", all, NULL);
        if (id == -1)
            break;
        const char *arg = gargv[optind - 1];
        if (id == '?') {
            if (optopt != 0)
                snprintf(err, errlen, "unknown option '-%c' (try --help)", optopt);
            else
                snprintf(err, errlen, "unknown option '%s' (try --help)", arg);
            return -1;
        }
        if (id == ':') {
            snprintf(err, errlen, "%s needs a value (try --help)", arg);
            return -1;
        }
        if (id >= HOSTSIM_MODEL_OPTION_BASE) {
            if (model->option(id, optarg, err, errlen) != 0)
                return -1;
            continue;
        }
        if (parse_generic(o, id, optarg, err, errlen) != 0)
            return -1;
    }
    if (optind < gargc) {
        if (o->model == NULL)
            snprintf(err, errlen, "'%s': the machine model comes first (hostsim MODEL [options])",
                     gargv[optind]);
        else
            snprintf(err, errlen, "unexpected argument '%s' (try --help)", gargv[optind]);
        return -1;
    }
    if (o->help || o->misbehave_help)
        return 0;
    if (o->model == NULL) {
        snprintf(err, errlen, "no machine model given (try: hostsim firecracker --kernel FILE)");
        return -1;
    }
    unsigned roots = 0;
    for (unsigned i = 0; i < o->ndisks; i++)
        roots += o->disk[i].root;
    if (roots > 1) {
        snprintf(err, errlen, "--disk: only one disk can be the root device (,root)");
        return -1;
    }
    if (o->kernel == NULL) {
        snprintf(err, errlen, "--kernel FILE is required");
        return -1;
    }
    return 0;
}
