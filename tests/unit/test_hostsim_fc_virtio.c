/* hostsim's Firecracker virtio layout (hostsim/firecracker/virtio_layout.c)
 * and the command line it produces with cmdline.c: addresses and GSIs, the
 * virtio_mmio.device words and root=, limits. The DSDT is
 * test_hostsim_fc_tables.c's, the options test_hostsim_options.c's.
 * Links: hostsim/firecracker/virtio_layout.c hostsim/firecracker/cmdline.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/firecracker/cmdline.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/virtio_layout.h"

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
    /* Firecracker appends pci=off, root= and one virtio_mmio.device= per device
     * to boot_args (src/vmm/src/builder.rs, device_manager/mmio.rs): the line
     * a Firecracker guest with one root disk and one NIC gets. */
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

UNIT_MAIN()
