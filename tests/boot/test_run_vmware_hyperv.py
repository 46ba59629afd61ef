"""`anyvm run --target vmware-qemu` (VMware's devices on QEMU q35: the boot
disk of `anyvm pack vmware` on PVSCSI, --disk on PVSCSI, the NIC vmxnet3,
each behind a root port) and `--target hyperv|hyperv-gen2` (build/hostsim's
Hyper-V host): the app's real output, the devices the kernel found, the VMM
command each builds, and what each refuses."""

import os
import re
import subprocess

import pytest

from anyvm_lib import BUILD, ROOT, hostsim
from anyvm_lib.serial_expect import lines_in_order

ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(BUILD, "hello.elf")
DEVINFO = os.path.join(BUILD, "devinfo.elf")


def run(*args, timeout=180):
    p = subprocess.run([ANYVM, "run", "--timeout", "120", *args], capture_output=True,
                       timeout=timeout)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    print(f"$ anyvm run {' '.join(args)}\nexit {p.returncode}\n{err}\n{out}")
    return p.returncode, out, err


def expect(text, patterns):
    missing = lines_in_order(text, patterns)
    assert missing is None, f"no line matching {missing!r} (in order)"


def test_vmware_qemu_boots_from_pvscsi_with_args():
    rc, out, err = run("--target", "vmware-qemu", "--print-command", HELLO, "--",
                       "one", "two words")
    assert rc == 0
    expect(out, [r"^boot: multiboot \(loader GRUB ", r"^Hello, world!$", r"^one$",
                 r"^two words$", r"^anyvm: exit status 0$"])
    cmd = next(ln for ln in err.splitlines() if "qemu-system" in ln)
    assert "-M q35" in cmd and "pvscsi,id=pvscsi0,bus=scsirp" in cmd
    assert re.search(r"scsi-hd,id=pvscsi-d0,drive=pvscsidisk0,bus=pvscsi0\.0,scsi-id=0,lun=0,"
                     r"bootindex=0", cmd), cmd


def test_vmware_qemu_devices(scratch):
    """devinfo: its own boot disk and a --disk on PVSCSI, a vmxnet3 NIC on
    user networking (from -p) behind its root port."""
    disk = os.path.join(scratch, "data.img")
    with open(disk, "wb") as f:
        f.truncate(2 << 20)
    rc, out, _ = run("--target", "vmware-qemu", "--disk", disk, "-p", "18080:80", DEVINFO)
    assert rc == 0
    expect(out, [r"^vmxnet3 01:00\.0: revision 1, UPT 1, MAC ",
                 r"^pvscsi 02:00\.0: target 0 LUN 0: ",
                 r"^blk0: pvscsi, \d+ sectors of 512 bytes \(\d+ MiB\), read-only",
                 r"^pvscsi 02:00\.0: target 1 LUN 0: ",
                 r"^blk1: pvscsi, 4096 sectors of 512 bytes \(2 MiB\), write cache",
                 r"^devinfo: net0: vmxnet3, MAC [0-9a-f:]{17}, MTU 1500, link up",
                 r"^anyvm: exit status 0$"])


@pytest.mark.parametrize("flags,app_args,why", [
    (["--nic-model", "e1000", "-p", "8080:80"], [], "NIC is vmxnet3 or e1000e"),
    ([], ["a;b"], "GRUB's grub.cfg parser"),
])
def test_vmware_qemu_refuses(flags, app_args, why):
    rc, out, err = run("--target", "vmware-qemu", *flags, HELLO, "--", *app_args)
    assert rc == 126 and re.search(why, err) and "Traceback" not in err


def needs_hostsim():
    if not os.access(hostsim.HOSTSIM, os.X_OK):
        pytest.fail(f"{hostsim.HOSTSIM} not built (make hostsim)", pytrace=False)
    if not os.path.exists("/dev/kvm"):
        pytest.skip("hostsim needs /dev/kvm")


@pytest.mark.parametrize("target,gen", [("hyperv", None), ("hyperv-gen2", "2")])
def test_hyperv_targets(target, gen):
    needs_hostsim()
    rc, out, err = run("--target", target, "--print-command", HELLO, "--", "on hyper-v")
    assert rc == 0
    expect(out, [r"^boot: pvh$", r"^hypervisor: Hyper-V$",
                 r"^clock: tsc [\d.]+ MHz \(hyperv reference TSC\)$", r"^Hello, world!$",
                 r"^on hyper-v$", r"^anyvm: exit status 0$"])
    cmd = next(ln for ln in err.splitlines() if "hostsim" in ln)
    assert re.search(r"hostsim hyperv ", cmd)
    assert ("--gen 2" in cmd) == (gen == "2"), cmd


def test_hyperv_disk_is_a_storvsc_disk(scratch):
    """--disk on the hyperv target: hostsim's synthetic SCSI controller,
    found by the kernel's storvsc driver as a disk of the file's size."""
    needs_hostsim()
    disk = os.path.join(scratch, "data.img")
    with open(disk, "wb") as f:
        f.truncate(4 << 20)
    rc, out, _ = run("--target", "hyperv", "--disk", disk + ",ro", DEVINFO)
    assert rc == 0
    expect(out, [r"^storvsc relid \d+: LUN 0: Msft Virtual Disk ",
                 r"^blk0: storvsc, 8192 sectors of 512 bytes \(4 MiB\), read-only",
                 r"^devinfo:   vmbus relid \d+ storvsc: bound, driver storvsc$",
                 r"^anyvm: exit status 0$"])
