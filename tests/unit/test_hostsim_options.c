/* hostsim's command line (hostsim/options.c, getopt_long) and registry
 * (hostsim/registry.c): the generic options, --disk and --nic, a model's own
 * options (a model registered here, as a real one registers itself), the
 * --misbehave kinds the virtio and VMBus back ends register, and the one-line errors
 * that name the option at fault.
 * Links: hostsim/options.c hostsim/registry.c hostsim/virtio/{blk,net}.c
 *        hostsim/vmbus/server.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/options.h"
#include "hostsim/registry.h"

static int test_flag;
static const char *test_level;

static int test_option(int id, const char *arg, char *err, size_t errlen)
{
    if (id == HOSTSIM_MODEL_OPTION_BASE) {
        test_flag = 1;
        return 0;
    }
    if (strcmp(arg, "low") != 0 && strcmp(arg, "high") != 0) {
        snprintf(err, errlen, "--level: '%s' is not low or high", arg);
        return -1;
    }
    test_level = arg;
    return 0;
}

static const struct option test_options[] = {
    {"flag", no_argument, NULL, HOSTSIM_MODEL_OPTION_BASE},
    {"level", required_argument, NULL, HOSTSIM_MODEL_OPTION_BASE + 1},
    {NULL, 0, NULL, 0},
};

static const struct hostsim_model test_model = {
    .name = "testbox",
    .summary = "a model registered by this test",
    .options = test_options,
    .option = test_option,
};
HOSTSIM_REGISTER_MODEL(test_model);

static char err[640];

#define PARSE(o, ...)                                                                              \
    ({                                                                                             \
        char *argv_[] = {"hostsim", __VA_ARGS__};                                                  \
        hostsim_parse_options((int)(sizeof argv_ / sizeof argv_[0]), argv_, (o), err, sizeof err); \
    })

TEST(registry_sees_what_registered)
{
    CHECK(hostsim_model_find("testbox") == &test_model);
    CHECK(hostsim_model_find("firecracker") == NULL); /* not linked here */
    /* The back ends' kinds, from their own files. */
    const struct hostsim_misbehave *k = hostsim_misbehave_find("blk-used-id");
    CHECK(k != NULL);
    CHECK_STR(k->backend, "virtio-blk");
    k = hostsim_misbehave_find("net-num-buffers-0");
    CHECK(k != NULL);
    CHECK_STR(k->backend, "virtio-net");
    CHECK(hostsim_misbehave_find("blk-nothing") == NULL);
    char names[512];
    hostsim_misbehave_names(names, sizeof names);
    CHECK(strstr(names, "blk-status") != NULL && strstr(names, "net-used-len") != NULL);
    unsigned n = 0;
    for (const struct hostsim_backend *const *b = hostsim_backends_begin();
         b < hostsim_backends_end(); b++)
        for (const struct hostsim_misbehave *m = (*b)->misbehave; m && m->name; m++, n++)
            CHECK(m->about != NULL && strlen(m->about) > 10);
    CHECK_EQ(n, 8u + 7 + 4 + 5); /* virtio-blk 4, virtio-net 4, vmbus 7, storvsc 4, netvsc 5 */
    k = hostsim_misbehave_find("netvsc-recv-section");
    CHECK(k != NULL);
    CHECK_STR(k->backend, "netvsc");
    k = hostsim_misbehave_find("vmbus-rescind-open");
    CHECK(k != NULL);
    CHECK_STR(k->backend, "vmbus");
    k = hostsim_misbehave_find("storvsc-wrong-id");
    CHECK(k != NULL);
    CHECK_STR(k->backend, "storvsc");
}

TEST(generic_options)
{
    struct hostsim_options o;
    CHECK_EQ(PARSE(&o, "testbox", "--kernel", "k.elf", "--cmdline", "a -- b", "--mem", "1G",
                   "--cpus", "4", "--exit-port", "0xf4", "--timeout", "2.5", "-v", "--flag",
                   "--level=high", "--initrd", "tree.cpio"),
             0);
    CHECK_STR(o.model, "testbox");
    CHECK_STR(o.kernel, "k.elf");
    CHECK_STR(o.initrd, "tree.cpio");
    CHECK_STR(o.cmdline, "a -- b");
    CHECK_EQ(o.mem_bytes, 1ull << 30);
    CHECK_EQ(o.cpus, 4u);
    CHECK_EQ(o.exit_port, 0xF4);
    CHECK(o.timeout == 2.5);
    CHECK(o.verbose);
    CHECK_EQ(test_flag, 1);
    CHECK_STR(test_level, "high");
    /* Defaults. */
    CHECK_EQ(PARSE(&o, "testbox", "--kernel", "k"), 0);
    CHECK_EQ(o.mem_bytes, 128ull << 20);
    CHECK_EQ(o.cpus, 1u);
    CHECK_EQ(o.exit_port, -1);
    CHECK(o.misbehave == NULL);
    CHECK(o.initrd == NULL);
    CHECK_EQ(PARSE(&o, "testbox", "--kernel", "k", "--initrd", ""), -1);
    CHECK_STR(err, "--initrd: empty file name");
    CHECK_EQ(PARSE(&o, "testbox", "--kernel", "k", "--initrd"), -1);
    CHECK(strstr(err, "--initrd needs a value") != NULL);
}

TEST(disks_and_nics)
{
    struct hostsim_options o;
    CHECK_EQ(PARSE(&o, "testbox", "--kernel", "k", "--disk", "/a.img", "--disk", "/b,c.img,ro,root",
                   "--disk=/d,ro", "--nic", "tap=tap0,mac=06:00:AC:10:00:02,mtu=9000", "--nic",
                   "tap=tap1"),
             0);
    CHECK_EQ(o.ndisks, 3u);
    CHECK_STR(o.disk[0].path, "/a.img");
    CHECK(!o.disk[0].read_only && !o.disk[0].root);
    CHECK_STR(o.disk[1].path, "/b,c.img");
    CHECK(o.disk[1].read_only && o.disk[1].root);
    CHECK_STR(o.disk[2].path, "/d");
    CHECK(o.disk[2].read_only);
    CHECK_EQ(o.nnics, 2u);
    CHECK_STR(o.nic[0].tap, "tap0");
    CHECK(o.nic[0].has_mac);
    static const uint8_t mac[6] = {0x06, 0x00, 0xac, 0x10, 0x00, 0x02};
    CHECK(memcmp(o.nic[0].mac, mac, 6) == 0);
    CHECK_EQ(o.nic[0].mtu, 9000u);
    CHECK_STR(o.nic[1].tap, "tap1");
    CHECK(!o.nic[1].has_mac);
    CHECK_EQ(o.nic[1].mtu, 0u);
}

/* Each bad input: -1 and a message naming the option. */
static int refused(const char *needle, int rc)
{
    if (rc != -1 || strstr(err, needle) == NULL) {
        printf("# rc %d, err '%s', want '%s'\n", rc, err, needle);
        return 0;
    }
    return 1;
}

TEST(bad_input_names_the_option)
{
    struct hostsim_options o;
    CHECK(refused("--nic: mac=",
                  PARSE(&o, "testbox", "--kernel", "k", "--nic", "tap=t,mac=06:00:ac:10:00")));
    CHECK(refused("--nic: mac=",
                  PARSE(&o, "testbox", "--kernel", "k", "--nic", "tap=t,mac=06:00:ac:10:00:0g")));
    CHECK(refused("--nic: mtu=", PARSE(&o, "testbox", "--kernel", "k", "--nic", "tap=t,mtu=60")));
    CHECK(refused("names no TAP",
                  PARSE(&o, "testbox", "--kernel", "k", "--nic", "mac=06:00:ac:10:00:02")));
    CHECK(refused("unknown key 'tpa'", PARSE(&o, "testbox", "--kernel", "k", "--nic", "tpa=t")));
    CHECK(refused("not KEY=VALUE", PARSE(&o, "testbox", "--kernel", "k", "--nic", "tap0")));
    CHECK(refused("tap=", PARSE(&o, "testbox", "--kernel", "k", "--nic", "tap=abcdefghijklmnopq")));
    CHECK(refused("root",
                  PARSE(&o, "testbox", "--kernel", "k", "--disk", "a,root", "--disk", "b,root")));
    CHECK(refused("--disk", PARSE(&o, "testbox", "--kernel", "k", "--disk", ",ro")));
    CHECK(refused("--mem", PARSE(&o, "testbox", "--kernel", "k", "--mem", "12Q")));
    CHECK(refused("--cpus", PARSE(&o, "testbox", "--kernel", "k", "--cpus", "0")));
    CHECK(refused("--cpus", PARSE(&o, "testbox", "--kernel", "k", "--cpus", "256")));
    CHECK(refused("--exit-port", PARSE(&o, "testbox", "--kernel", "k", "--exit-port", "0x10000")));
    CHECK(refused("--timeout", PARSE(&o, "testbox", "--kernel", "k", "--timeout", "-1")));
    CHECK(refused("--misbehave: 'blk-bogus'",
                  PARSE(&o, "testbox", "--kernel", "k", "--misbehave", "blk-bogus")));
    CHECK(strstr(err, "blk-used-id") != NULL); /* the message lists the kinds */
    CHECK(refused("only one", PARSE(&o, "testbox", "--kernel", "k", "--misbehave", "blk-status",
                                    "--misbehave", "blk-used-id")));
    CHECK(refused("--level: 'mid'", PARSE(&o, "testbox", "--kernel", "k", "--level", "mid")));
    CHECK(refused("--mem needs a value", PARSE(&o, "testbox", "--kernel", "k", "--mem")));
    CHECK(refused("unknown option '--tap'", PARSE(&o, "testbox", "--kernel", "k", "--tap", "t")));
    CHECK(refused("unknown option '-x'", PARSE(&o, "testbox", "-x")));
    CHECK(refused("--kernel FILE is required", PARSE(&o, "testbox")));
    CHECK(refused("unknown machine model 'nobox' (known: testbox)", PARSE(&o, "nobox")));
    CHECK(refused("model comes first", PARSE(&o, "--kernel", "k", "testbox")));
    CHECK(refused("unexpected argument 'extra'", PARSE(&o, "testbox", "--kernel", "k", "extra")));
    /* A model's options are unknown without that model. */
    CHECK(refused("unknown option '--flag'", PARSE(&o, "--flag")));
}

TEST(help_and_misbehave_help)
{
    struct hostsim_options o;
    CHECK_EQ(PARSE(&o, "--help"), 0);
    CHECK(o.help);
    CHECK_EQ(PARSE(&o, "testbox", "-h"), 0);
    CHECK(o.help);
    CHECK_EQ(PARSE(&o, "--misbehave", "help"), 0);
    CHECK(o.misbehave_help);
    CHECK_EQ(PARSE(&o, "testbox", "--kernel", "k", "--misbehave", "net-used-id"), 0);
    CHECK(o.misbehave != NULL);
    CHECK_STR(o.misbehave->name, "net-used-id");
}

TEST(sizes_and_macs)
{
    uint64_t b;
    CHECK(hostsim_parse_size("128M", &b) == 0 && b == 128ull << 20);
    CHECK(hostsim_parse_size("64", &b) == 0 && b == 64ull << 20);
    CHECK(hostsim_parse_size("2048KiB", &b) == 0 && b == 2ull << 20);
    CHECK(hostsim_parse_size("1GB", &b) == 0 && b == 1ull << 30);
    CHECK_EQ(hostsim_parse_size("M", &b), -1);
    CHECK_EQ(hostsim_parse_size("99999999999999999999", &b), -1);
    CHECK_EQ(hostsim_parse_size("20000000T", &b), -1);
    uint8_t mac[6];
    CHECK_EQ(hostsim_parse_mac("06:00:ac:10:00:02:", mac), -1);
    CHECK_EQ(hostsim_parse_mac("06-00-ac-10-00-02", mac), -1);
}

UNIT_MAIN()
