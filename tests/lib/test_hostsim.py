"""tools/anyvm_lib/hostsim.py and launch.accel_used: hostsim's command
line, and which accelerator (so which hypervisor line) a boot gets."""

import pytest

from anyvm_lib import accel, hostsim, launch, qemu
from anyvm_lib.devices import Disk, Nic


def pairs(argv):
    return list(zip(argv, argv[1:]))


def test_plain_boot():
    argv = hostsim.argv("firecracker", "pvh", "k.elf", "console=ttyS0 -- a", "64M", 2, 120)
    assert argv[:2] == [hostsim.HOSTSIM, "firecracker"]
    for pair in [("--kernel", "k.elf"), ("--cmdline", "anyvm.exit_port=0xf4 console=ttyS0 -- a"),
                 ("--mem", "64M"),
                 ("--cpus", "2"), ("--timeout", "120"),
                 ("--exit-port", f"{qemu.DEBUG_EXIT_PORT:#x}")]:
        assert pair in pairs(argv)
    assert "--boot" not in argv           # PVH is hostsim's default


def test_linux_boot_without_exit_port():
    argv = hostsim.argv("firecracker", "linux", "k.elf", "", "2M", 1, None, exit_port=None)
    assert ("--boot", "linux") in pairs(argv)
    assert "--exit-port" not in argv and "--timeout" not in argv


def test_devices_and_misbehave():
    argv = hostsim.argv("firecracker", "pvh", "k.elf", "", "64M", 1, 60,
                        disks=[Disk("rw.img"), Disk("ro.img", readonly=True)],
                        nic=Nic("tap0", "52:54:00:12:34:56"), misbehave="net-used-id")
    assert [v for o, v in pairs(argv) if o == "--disk"] == ["rw.img", "ro.img,ro"]
    assert ("--nic", "tap=tap0,mac=52:54:00:12:34:56") in pairs(argv)
    assert ("--misbehave", "net-used-id") in pairs(argv)


@pytest.mark.parametrize("hardware,asked,want", [
    (False, "auto", "tcg"), (True, "auto", "kvm"), (False, "kvm", "kvm"), (True, "tcg", "tcg"),
])
def test_qemu_accelerator(monkeypatch, hardware, asked, want):
    monkeypatch.setattr(accel, "hardware_kvm", lambda: hardware)
    assert launch.accel_used("q35", asked) == want


@pytest.mark.parametrize("hardware", [False, True])
def test_hostsim_always_runs_on_kvm(monkeypatch, hardware):
    monkeypatch.setattr(accel, "hardware_kvm", lambda: hardware)
    assert launch.accel_used("firecracker") == "kvm"
    assert launch.accel_used("firecracker-linux", "auto") == "kvm"
