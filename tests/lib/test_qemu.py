"""tools/anyvm_lib/qemu.py: decoding QEMU's exit code into the guest's
status (isa-debug-exit: the guest writes N, QEMU exits with (2N+1) & 0xff),
and the QEMU command lines every boot gets."""

import pytest

from anyvm_lib import qemu
from anyvm_lib.devices import Disk, Nic


@pytest.mark.parametrize("rc,want", [
    (1, 0), (3, 1), (7, 3), (85, 42), (255, 127),
    (0, None),      # a plain exit: ACPI power-off, or a triple fault under -no-reboot
    (2, None), (254, None), (256, None), (-9, None), (None, None),
])
def test_status_from_exit_code(rc, want):
    assert qemu.status_from_exit_code(rc) == want


@pytest.mark.parametrize("n", range(128))
def test_exit_code_round_trip(n):
    assert qemu.status_from_exit_code(qemu.debug_exit_code(n)) == n


def test_exit_code_keeps_the_low_seven_bits():
    # The port carries a byte; QEMU's 2N+1 loses its top bit.
    assert qemu.debug_exit_code(128) == 1
    assert qemu.debug_exit_code(255) == 255


def pairs(argv):
    """(option, value) pairs of a command line, for lookups."""
    return list(zip(argv, argv[1:]))


def test_every_boot_gets_the_common_options():
    argv = qemu.argv("pc", "tcg", "64M", 2, kernel="k.elf", append="console=ttyS0 -- a")
    assert argv[0] == qemu.QEMU
    for pair in [("-M", "pc"), ("-accel", "tcg"), ("-m", "64M"), ("-smp", "2"),
                 ("-serial", "stdio"), ("-monitor", "none"), ("-nic", "none"),
                 ("-kernel", "k.elf"), ("-append", "anyvm.exit_port=0xf4 console=ttyS0 -- a")]:
        assert pair in pairs(argv)
    assert "-no-reboot" in argv
    assert ("-device", f"isa-debug-exit,iobase={qemu.DEBUG_EXIT_PORT:#x},iosize=0x04") \
        in pairs(argv)


def test_without_exit_device():
    argv = qemu.argv("q35", "tcg", "64M", 1, kernel="k.elf", exit_device=False)
    assert not any("isa-debug-exit" in a for a in argv)
    assert not any("anyvm.exit_port" in a for a in argv)  # the kernel is told of no port


def test_exit_param_comes_first_and_a_later_one_wins():
    assert qemu.with_exit_param("console=ttyS0") == "anyvm.exit_port=0xf4 console=ttyS0"
    assert qemu.with_exit_param("") == "anyvm.exit_port=0xf4"
    assert qemu.with_exit_param("a", 0x501) == "anyvm.exit_port=0x501 a"


def test_microvm_gets_modern_virtio_mmio():
    argv = qemu.argv("microvm,acpi=off", "tcg", "64M", 1, kernel="k.elf")
    assert ("-global", "virtio-mmio.force-legacy=false") in pairs(argv)
    assert ("-global", "virtio-mmio.force-legacy=false") not in \
        pairs(qemu.argv("pc", "tcg", "64M", 1, kernel="k.elf"))


def test_kvm_leaves_out_the_arch_capabilities_msr():
    assert ("-cpu", "host,-arch-capabilities") in pairs(qemu.argv("pc", "kvm", "64M", 1))
    with pytest.raises(ValueError):
        qemu.argv("pc", "hvf", "64M", 1)


def test_cdrom():
    argv = qemu.argv("pc", "tcg", "64M", 1, cdrom="x.iso")
    assert ("-cdrom", "x.iso") in pairs(argv) and ("-boot", "d") in pairs(argv)
    assert "-kernel" not in argv


def test_icount_counts_instructions_under_tcg_only():
    argv = qemu.argv("microvm", "tcg", "64M", 1, kernel="k.elf", icount=0)
    assert ("-icount", "shift=0,sleep=off") in pairs(argv)
    argv = qemu.argv("microvm", "tcg", "64M", 1, kernel="k.elf", icount=1)
    assert ("-icount", "shift=1,sleep=off") in pairs(argv)
    assert "-icount" not in qemu.argv("microvm", "tcg", "64M", 1, kernel="k.elf")
    with pytest.raises(ValueError):
        qemu.argv("microvm", "kvm", "64M", 1, kernel="k.elf", icount=0)


DISKS = [Disk("rw.img", serial="anyvm-rw"), Disk("ro.img", readonly=True)]
NIC = Nic("tap0", "52:54:00:12:34:56")


def test_virtio_mmio():
    argv = qemu.virtio_args("mmio", DISKS, NIC, rng=True)
    assert argv == [
        "-drive", "id=d0,file=rw.img,format=raw,if=none,cache=writeback",
        "-device", "virtio-blk-device,drive=d0,serial=anyvm-rw",
        "-drive", "id=d1,file=ro.img,format=raw,if=none,readonly=on",
        "-device", "virtio-blk-device,drive=d1",
        "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=on",
        "-device", "virtio-net-device,netdev=n0,mac=52:54:00:12:34:56",
        "-device", "virtio-rng-device"]


def test_virtio_pci_puts_each_device_behind_a_root_port_of_its_own():
    argv = qemu.virtio_args("pci", DISKS, NIC, rng=True)
    ports = [v for o, v in pairs(argv) if o == "-device" and v.startswith("pcie-root-port")]
    assert ports == [f"pcie-root-port,id=rp{i},chassis={i},slot={i}" for i in (1, 2, 3, 4)]
    devs = [v for o, v in pairs(argv) if o == "-device" and v.startswith("virtio-")]
    assert devs == ["virtio-blk-pci,bus=rp1,drive=d0,serial=anyvm-rw",
                    "virtio-blk-pci,bus=rp2,drive=d1",
                    "virtio-net-pci,bus=rp3,netdev=n0,mac=52:54:00:12:34:56",
                    "virtio-rng-pci,bus=rp4"]


def test_virtio_pci_transitional():
    argv = qemu.virtio_args("pci-transitional", DISKS[:1], None, rng=False)
    assert argv[-2:] == ["-device", "virtio-blk-pci-transitional,drive=d0,serial=anyvm-rw"]
    assert not any(a.startswith(("pcie-root-port", "tap,")) for a in argv)


def test_unknown_transport():
    with pytest.raises(ValueError, match="unknown virtio transport"):
        qemu.virtio_args("isa", DISKS)
