/* hostsim's Firecracker virtio layout (hostsim/firecracker/virtio_layout.c),
 * the command line it produces with cmdline.c, and the --disk/--tap/--mac
 * options (hostsim/options.c): addresses and GSIs, the virtio_mmio.device
 * words and root=, the DSDT's LNRO0005 devices (AML checked byte by byte),
 * limits and malformed options.
 * Links: hostsim/firecracker/virtio_layout.c hostsim/firecracker/cmdline.c
 *        hostsim/options.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/firecracker/cmdline.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/virtio_layout.h"
#include "hostsim/options.h"

TEST(fc_virtio_slots)
{
    struct fc_virtio_slot s = fc_virtio_slot(0);
    CHECK_EQ(s.base, 0xC0001000ull);
    CHECK_EQ(s.gsi, 5u);
    s = fc_virtio_slot(2);
    CHECK_EQ(s.base, 0xC0003000ull);
    CHECK_EQ(s.gsi, 7u);
    s = fc_virtio_slot(FC_VIRTIO_MAX_DEVICES - 1);
    CHECK_EQ(s.gsi, 23u);
    CHECK_EQ(FC_VIRTIO_MAX_DEVICES, 19);
}

TEST(fc_virtio_cmdline_words)
{
    char buf[512];
    CHECK_EQ(fc_virtio_cmdline_args(0, 0, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK(fc_virtio_cmdline_args(2, 0, buf, sizeof buf) > 0);
    CHECK_STR(buf, "virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0002000:6");
    CHECK(fc_virtio_cmdline_args(2, 1, buf, sizeof buf) > 0);
    CHECK_STR(buf, "root=/dev/vda rw virtio_mmio.device=4K@0xc0001000:5 "
                   "virtio_mmio.device=4K@0xc0002000:6");
    CHECK(fc_virtio_cmdline_args(1, 2, buf, sizeof buf) > 0);
    CHECK_STR(buf, "root=/dev/vda ro virtio_mmio.device=4K@0xc0001000:5");
    CHECK_EQ(fc_virtio_cmdline_args(3, 1, buf, 40), -1); /* does not fit */
}

TEST(fc_cmdline_with_devices)
{
    char out[FC_CMDLINE_MAX], err[256];
    /* Fact sheet section 8, "Result for section 10". */
    int n = fc_cmdline_build("console=ttyS0 reboot=k panic=1",
                             "root=/dev/vda rw virtio_mmio.device=4K@0xc0001000:5 "
                             "virtio_mmio.device=4K@0xc0002000:6",
                             out, sizeof out, err, sizeof err);
    CHECK(n > 0);
    CHECK_STR(out, "console=ttyS0 reboot=k panic=1 pci=off root=/dev/vda rw "
                   "virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0002000:6");
    CHECK_EQ((size_t)n, strlen(out) + 1);
    /* Before the init arguments. */
    n = fc_cmdline_build("console=ttyS0 -- a b", "virtio_mmio.device=4K@0xc0001000:5", out,
                         sizeof out, err, sizeof err);
    CHECK(n > 0);
    CHECK_STR(out, "console=ttyS0 pci=off virtio_mmio.device=4K@0xc0001000:5 -- a b");
    /* Without devices, unchanged behaviour. */
    n = fc_cmdline_build("console=ttyS0 -- a b", "", out, sizeof out, err, sizeof err);
    CHECK_STR(out, "console=ttyS0 pci=off -- a b");
    n = fc_cmdline_build("console=ttyS0 -- a b", NULL, out, sizeof out, err, sizeof err);
    CHECK_STR(out, "console=ttyS0 pci=off -- a b");
}

TEST(fc_cmdline_devices_overflow)
{
    char boot[2100], out[FC_CMDLINE_MAX], err[256];
    memset(boot, 'x', 2000);
    boot[2000] = '\0';
    /* 2000 + " pci=off" fits; the device words push it past 2048. */
    CHECK(fc_cmdline_build(boot, NULL, out, sizeof out, err, sizeof err) > 0);
    CHECK_EQ(fc_cmdline_build(
                 boot, "virtio_mmio.device=4K@0xc0001000:5 virtio_mmio.device=4K@0xc0002000:6", out,
                 sizeof out, err, sizeof err),
             -1);
    CHECK(strstr(err, "the limit is 2048") != NULL);
}

/* ---- DSDT: a tiny AML walker for what fc_virtio_dsdt writes ---- */

static size_t pkglength(const uint8_t *p, size_t *value)
{
    unsigned extra = p[0] >> 6;
    size_t v = extra ? (p[0] & 0x0F) : (p[0] & 0x3F);
    for (unsigned i = 0; i < extra; i++)
        v |= (size_t)p[1 + i] << (4 + 8 * i);
    *value = v;
    return 1 + extra;
}

static const uint8_t *find(const uint8_t *p, size_t len, const void *what, size_t n)
{
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(p + i, what, n) == 0)
            return p + i;
    }
    return NULL;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks device i's object at p (DeviceOp); returns its total length or 0. */
static size_t check_device(const uint8_t *p, unsigned i)
{
    if (p[0] != 0x5B || p[1] != 0x82)
        return 0;
    size_t len;
    size_t pl = pkglength(p + 2, &len);
    const uint8_t *body = p + 2;
    char name[5];
    snprintf(name, sizeof name, "V%03u", i);
    if (memcmp(body + pl, name, 4) != 0)
        return 0;
    if (find(body, len, "\x08_HID\x0DLNRO0005\0", 15) == NULL)
        return 0;
    const uint8_t *crs = find(body, len, "\x08_CRS\x11", 6);
    if (crs == NULL)
        return 0;
    struct fc_virtio_slot s = fc_virtio_slot(i);
    const uint8_t *mem = find(crs, len - (size_t)(crs - body), "\x86\x09\x00\x01", 4);
    if (mem == NULL || le32(mem + 4) != (uint32_t)s.base || le32(mem + 8) != 0x1000)
        return 0;
    const uint8_t *irq = mem + 12;
    /* Extended interrupt: consumer, edge, active-high, exclusive, one GSI. */
    if (irq[0] != 0x89 || irq[1] != 6 || irq[2] != 0 || irq[3] != 0x03 || irq[4] != 1 ||
        le32(irq + 5) != s.gsi || irq[9] != 0x79)
        return 0;
    return 2 + len;
}

static int check_dsdt(unsigned n)
{
    static uint8_t buf[8192];
    size_t len = fc_virtio_dsdt(n, buf, sizeof buf);
    if (len == 0 || buf[0] != 0x10)
        return 0;
    size_t scope_len;
    size_t pl = pkglength(buf + 1, &scope_len);
    if (1 + scope_len != len)
        return 0;
    if (memcmp(buf + 1 + pl, "\\_SB_", 5) != 0)
        return 0;
    const uint8_t *p = buf + 1 + pl + 5;
    for (unsigned i = 0; i < n; i++) {
        size_t dl = check_device(p, i);
        if (dl == 0)
            return 0;
        p += dl;
    }
    return p == buf + len;
}

TEST(fc_virtio_dsdt_devices)
{
    uint8_t buf[64];
    CHECK_EQ(fc_virtio_dsdt(0, buf, sizeof buf), 0u); /* no devices: empty DSDT */
    CHECK(check_dsdt(1));
    CHECK(check_dsdt(3));
    CHECK(check_dsdt(FC_VIRTIO_MAX_DEVICES));         /* multi-byte PkgLength */
    CHECK_EQ(fc_virtio_dsdt(3, buf, sizeof buf), 0u); /* does not fit: refused */
}

/* ---- options ---- */

static int parse(struct hostsim_options *o, char *err, int argc, char **argv)
{
    return hostsim_parse_options(argc, argv, o, err, 256);
}

TEST(options_disks_tap_mac)
{
    struct hostsim_options o;
    char err[256];
    char *argv[] = {"hostsim", "firecracker", "--kernel",          "k.elf",        "--disk",
                    "/a.img",  "--disk",      "/b,c.img,ro,root",  "--disk=/d,ro", "--tap",
                    "tap0",    "--mac",       "06:00:AC:10:00:02", "--mtu",        "9000"};
    CHECK_EQ(parse(&o, err, (int)(sizeof argv / sizeof argv[0]), argv), 0);
    CHECK_EQ(o.ndisks, 3u);
    CHECK_STR(o.disk[0].path, "/a.img");
    CHECK(!o.disk[0].read_only && !o.disk[0].root);
    CHECK_STR(o.disk[1].path, "/b,c.img");
    CHECK(o.disk[1].read_only && o.disk[1].root);
    CHECK_STR(o.disk[2].path, "/d");
    CHECK(o.disk[2].read_only);
    CHECK_STR(o.tap, "tap0");
    CHECK(o.has_mac);
    static const uint8_t mac[6] = {0x06, 0x00, 0xac, 0x10, 0x00, 0x02};
    CHECK(memcmp(o.mac, mac, 6) == 0);
    CHECK_EQ(o.mtu, 9000u);
}

TEST(options_malformed)
{
    struct hostsim_options o;
    char err[256];
    char *bad_mac[] = {"hostsim", "firecracker", "--kernel", "k",
                       "--tap",   "t",           "--mac",    "06:00:ac:10:00"};
    CHECK_EQ(parse(&o, err, 8, bad_mac), -1);
    CHECK(strstr(err, "--mac") != NULL);
    char *bad_mac2[] = {"hostsim", "firecracker", "--kernel", "k",
                        "--tap",   "t",           "--mac",    "06:00:ac:10:00:0g"};
    CHECK_EQ(parse(&o, err, 8, bad_mac2), -1);
    char *mac_no_tap[] = {"hostsim", "firecracker", "--kernel", "k", "--mac", "06:00:ac:10:00:02"};
    CHECK_EQ(parse(&o, err, 6, mac_no_tap), -1);
    CHECK(strstr(err, "--tap") != NULL);
    char *two_roots[] = {"hostsim", "firecracker", "--kernel", "k",
                         "--disk",  "a,root",      "--disk",   "b,root"};
    CHECK_EQ(parse(&o, err, 8, two_roots), -1);
    CHECK(strstr(err, "root") != NULL);
    char *empty_disk[] = {"hostsim", "firecracker", "--kernel", "k", "--disk", ",ro"};
    CHECK_EQ(parse(&o, err, 6, empty_disk), -1);
    char *two_taps[] = {"hostsim", "firecracker", "--kernel", "k", "--tap", "a", "--tap", "b"};
    CHECK_EQ(parse(&o, err, 8, two_taps), -1);
    char *small_mtu[] = {"hostsim", "firecracker", "--kernel", "k", "--tap", "a", "--mtu", "60"};
    CHECK_EQ(parse(&o, err, 8, small_mtu), -1);
}

UNIT_MAIN()
