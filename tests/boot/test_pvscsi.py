"""build/devinfo.elf on QEMU's VMware PVSCSI controller (`-device pvscsi`)
with `scsi-hd` disks, under TCG. Two short VMs, each with two disks: a
writable one at SCSI target 0 whose first UNITS 512-byte units hold pattern
A (the rest pattern Z), and a read-only one (`readonly=on`) at target 2
holding pattern R, so the scan has to step over an empty target.

  * q35: the controller behind a PCIe root port (as VMware places it), MSI.
    The guest runs `verify rw A UNITS write rw B UNITS rotest ro remove ro`:
    it checks pattern A, writes pattern B, flushes and reads it back, finds
    the disk that MODE SENSE reported write-protected refusing writes, then
    removes the controller at run time (both disks leave, the kernel goes on).
  * pc-intx-nowp: the conventional PCI bus, `pci.nomsi` (INTx) and
    `pvscsi.nowp` (the driver does not ask for the write-protect bit). The
    guest writes pattern C to the writable disk, then tries to write the
    read-only one: the device refuses with CHECK CONDITION, and the log
    must show the sense decoded as "DATA PROTECT: write protected"; the disk
    is read-only from then on, which `rotest` checks. That write is the one
    expected failure of the run.

The tests, test_pvscsi[PROFILE-CHECK], check the serial output (how the
controller and both disks were found, a PASS line per action, the decoded
sense) and, on the host after the VM ended, the images: the pattern
written where written, Z beyond, the read-only image unchanged.

The pattern, byte j of 512-byte unit i under tag T (apps/devinfo/pattern.c):
  j < 16: the text "ANYVM-T %07u\\n" % (i % 10**7); j >= 16: (i*7 + j + ord(T)) & 0xff
"""

import json
import os
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass, field

import pytest

import pattern
from anyvm_lib import accel as accel_mod
from anyvm_lib import cmdline, devices, qemu, targets, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "devinfo.elf")

UNITS = 2048                 # 1 MiB checked and rewritten
RW_BYTES = 4 * 1024 * 1024
RO_BYTES = 1024 * 1024
TARGETS = (0, 2)             # the writable disk, the read-only one
TIMEOUT = 120                # the whole VM, TCG

PROFILES = {
    "q35": dict(machine="q35", root_port=True, params="pci.list",
                actions=["verify", "rw", "A", str(UNITS), "write", "rw", "B", str(UNITS),
                         "rotest", "ro", "remove", "ro"],
                tag="B", failures=0,
                expect=[r"^pci: 0\d:00\.0 15ad:07c0 class 01\.00\.00 scsi, .*irq msi .*"
                        r"driver pvscsi$",
                        r"^pvscsi \S+: rings of 32 requests and 128 completions, message ring, "
                        r"interrupt MSI$",
                        r"^blk\d: pvscsi, 8192 sectors of 512 bytes \(4 MiB\), write cache, "
                        r"id anyvm-rw$",
                        r"^blk\d: pvscsi, 2048 sectors of 512 bytes \(1 MiB\), read-only, "
                        r"write cache, id anyvm-ro$",
                        r"^pvscsi \S+: blk\d is target 0 LUN 0$",
                        r"^pvscsi \S+: blk\d is target 2 LUN 0$",
                        r"^pvscsi \S+: 2 disks on 2 targets$",
                        # several requests in flight at once, not one after another
                        r"^devinfo: verify blk\d: 2048 sectors checked, up to ([2-9]|\d\d+) "
                        r"in flight$",
                        r"^devinfo: PASS verify blk\d pattern A, 2048 units$",
                        r"^devinfo: PASS write blk\d pattern B, 2048 units, flushed$",
                        r"^devinfo: PASS rotest blk\d: write refused with error -30",
                        r"^devinfo: PASS remove blk\d \(pci 0\d:00\.0\)",
                        r"^pvscsi \S+: removed$",
                        r"^devinfo: all 4 actions passed$"]),
    "pc-intx-nowp": dict(machine="pc", root_port=False, params="pci.list pci.nomsi pvscsi.nowp",
                         actions=["write", "rw", "C", str(UNITS), "write", "id:anyvm-ro", "R",
                                  "1", "rotest", "id:anyvm-ro"],
                         tag="C", failures=1,
                         expect=[r"^pci: 00:0\d\.0 15ad:07c0 class 01\.00\.00 scsi, .*irq intx .*"
                                 r"driver pvscsi$",
                                 r"^pvscsi \S+: .*interrupt INTx$",
                                 r"^blk\d: pvscsi, 2048 sectors of 512 bytes \(1 MiB\), "
                                 r"write cache, id anyvm-ro$",
                                 r"^devinfo: PASS write blk\d pattern C, 2048 units, flushed$",
                                 r"^blk\d: write of 1 sectors at 0 failed: CHECK CONDITION, "
                                 r"DATA PROTECT: write protected$",
                                 r"^blk\d: the disk refuses writes; marked read-only$",
                                 r"^devinfo: FAIL write blk\d: sectors 0\+1 failed \(-30\)$",
                                 r"^devinfo: PASS rotest blk\d: write refused with error -30",
                                 r"^devinfo: 1 of 3 actions FAILED$"]),
}


@dataclass
class Run:
    profile: str
    argv: list = None
    rc: int = None
    timed_out: bool = False
    lines: list = field(default_factory=list)
    rw: bytes = b""
    ro_changed: bool = None
    error: BaseException = None

    @property
    def text(self):
        return "\n".join(self.lines)


def run_profile(name, work):
    prof = PROFILES[name]
    run = Run(name)
    rw, ro = os.path.join(work, "rw.img"), os.path.join(work, "ro.img")
    with open(rw, "wb") as f:
        f.write(pattern.units(0, UNITS, "A"))
        f.write(pattern.units(UNITS, RW_BYTES // pattern.UNIT - UNITS, "Z"))
    ro_data = pattern.units(0, RO_BYTES // pattern.UNIT, "R")
    with open(ro, "wb") as f:
        f.write(ro_data)
    disks = [devices.Disk(rw, serial="anyvm-rw"), devices.Disk(ro, readonly=True,
                                                                serial="anyvm-ro")]
    line = cmdline.compose(devices.join(targets.QEMU_CMDLINE, prof["params"]), prof["actions"])
    run.argv = qemu.argv(prof["machine"], accel_mod.resolve("tcg"), "64M", 1, kernel=KERNEL,
                         append=line, extra=qemu.pvscsi_args(disks, TARGETS, prof["root_port"]))
    res = vm.run(run.argv, timeout=TIMEOUT)
    run.rc, run.timed_out = res.rc, res.timed_out
    run.lines = res.serial_text.splitlines()
    with open(rw, "rb") as f:
        run.rw = f.read()
    with open(ro, "rb") as f:
        run.ro_changed = f.read() != ro_data
    return run


@pytest.fixture(scope="module")
def pvscsi_runs():
    if not os.path.exists(KERNEL):
        pytest.fail("build/devinfo.elf is not built (make apps)", pytrace=False)
    work = tempfile.mkdtemp(prefix="anyvm-pvscsi-")
    runs = {}

    def get(profile):
        if profile not in runs:
            sub = os.path.join(work, profile)
            os.makedirs(sub)
            try:
                runs[profile] = run_profile(profile, sub)
            except Exception as e:
                runs[profile] = Run(profile, error=e)
        r = runs[profile]
        if r.error is not None:
            pytest.fail(f"the {profile} run failed: {type(r.error).__name__}: {r.error}",
                        pytrace=False)
        print("$ " + " ".join(r.argv or []))
        print(r.text)
        return r
    try:
        yield get
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_exit(run, prof):
    assert not run.timed_out, f"the VM did not end within {TIMEOUT} s"
    status = prof["failures"] and 1
    assert run.rc == qemu.debug_exit_code(status) and re.search(
        rf"^anyvm: exit status {status}$", run.text, re.M), \
        f"VMM exit code {run.rc}; wanted guest status {status}"


def check_serial(run, prof):
    missing = [rx for rx in prof["expect"] if not re.search(rx, run.text, re.M)]
    assert not missing, "no serial line matches " + ", ".join(f"/{rx}/" for rx in missing)


def check_only_expected_failures(run, prof):
    fails = [ln for ln in run.lines if "devinfo: FAIL" in ln]
    assert len(fails) == prof["failures"], "; ".join(fails) or "no FAIL line"
    bad = [ln for ln in run.lines if re.search(r"anyvm: (panic|exception)|disabled", ln)]
    assert not bad, "; ".join(bad)[:500]


def check_host_written(run, prof):
    assert len(run.rw) == RW_BYTES, f"the writable image is {len(run.rw)} bytes"
    bad = pattern.first_difference(run.rw[:UNITS * pattern.UNIT], 0, prof["tag"])
    assert bad is None, f"first difference from pattern {prof['tag']} at (unit, byte) {bad}"


def check_host_rest_untouched(run, prof):
    bad = pattern.first_difference(run.rw[UNITS * pattern.UNIT:], UNITS, "Z")
    assert bad is None, f"pattern Z changed at (unit, byte) {bad}"


def check_host_ro_unchanged(run, prof):
    assert run.ro_changed is False, "the read-only image changed"


CHECKS = {
    "exit": check_exit,
    "serial": check_serial,
    "failures": check_only_expected_failures,
    "host-written": check_host_written,
    "host-rest-untouched": check_host_rest_untouched,
    "host-ro-unchanged": check_host_ro_unchanged,
}

PARAMS = [pytest.param(p, c, id=f"{p}-{c}", marks=pytest.mark.xdist_group(f"pvscsi-{p}"))
          for p in PROFILES for c in CHECKS]


@pytest.mark.parametrize("profile,check", PARAMS)
def test_pvscsi(pvscsi_runs, profile, check):
    CHECKS[check](pvscsi_runs(profile), PROFILES[profile])


# ---- hot-plug: a unit added and one removed while the guest runs ----
#
# q35 with the controller, a writable disk at target 0 and a virtio-net NIC
# on QEMU user networking. The guest runs `ping 10.0.2.15 0 60 1 verify
# id:anyvm-hot H HOT_UNITS`: it answers on the NIC until one UDP datagram
# has been echoed, then verifies the disk with serial anyvm-hot. Meanwhile
# the test, over QMP, adds a scsi-hd at target 4 (pattern H, serial
# anyvm-hot) and removes the disk at target 0; the driver learns both from
# the message ring. Only once the guest has logged the new disk and the
# removal does the test send the datagram that lets the guest go on to the
# verify; so the verify reads a disk that did not exist at boot.

HOT_UNITS = 64


def qmp_command(f, name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
    f.flush()
    while True:
        line = f.readline()
        if not line:
            raise RuntimeError(f"QMP closed during {name}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"QMP {name}: {reply['error']}")
        if "return" in reply:
            return reply["return"]


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pvscsi_hotplug(tmp_path):
    if not os.path.exists(KERNEL):
        pytest.fail("build/devinfo.elf is not built (make apps)", pytrace=False)
    rw, hot = str(tmp_path / "rw.img"), str(tmp_path / "hot.img")
    with open(rw, "wb") as f:
        f.write(pattern.units(0, HOT_UNITS, "A"))
    hot_data = pattern.units(0, HOT_UNITS, "H")
    with open(hot, "wb") as f:
        f.write(hot_data)
    qmp, port = str(tmp_path / "qmp.sock"), free_udp_port()
    line = cmdline.compose(targets.QEMU_CMDLINE, ["ping", "10.0.2.15", "0", "60", "1", "verify",
                                                  "id:anyvm-hot", "H", str(HOT_UNITS)])
    argv = qemu.argv("q35", accel_mod.resolve("tcg"), "64M", 1, kernel=KERNEL, append=line, extra=[
        "-qmp", f"unix:{qmp},server=on,wait=off",
        "-netdev", f"user,id=n0,hostfwd=udp:127.0.0.1:{port}-10.0.2.15:7",
        "-device", "virtio-net-pci,netdev=n0",
        *qemu.pvscsi_args([devices.Disk(rw, serial="anyvm-rw")]),
        "-drive", f"id=hot0,file={hot},format=raw,if=none,readonly=on"])
    print("$ " + " ".join(argv))
    echoed = None
    with vm.Live(argv) as v:
        try:
            assert v.wait_line(r"^devinfo: ping: answering as", TIMEOUT), "the guest never waited"
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(TIMEOUT)
                s.connect(qmp)
                f = s.makefile("rw")
                f.readline()                           # the greeting
                qmp_command(f, "qmp_capabilities")
                qmp_command(f, "device_add", driver="scsi-hd", drive="hot0", bus="pvscsi0.0",
                            id="hot", serial="anyvm-hot", **{"scsi-id": 4, "lun": 0})
                assert v.wait_line(r"^pvscsi \S+: blk\d is target 4 LUN 0$", TIMEOUT), \
                    "the added unit never became a disk"
                qmp_command(f, "device_del", id="pvscsi-d0")
                assert v.wait_line(r"^blk\d: removed$", TIMEOUT), "the removed unit stayed"
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.settimeout(10)
                u.sendto(b"anyvm-hotplug", ("127.0.0.1", port))
                echoed = u.recvfrom(64)[0]
            rc = v.wait(TIMEOUT)
        finally:
            v.kill()
        text = "\n".join(v.lines)
    print(text)
    assert echoed == b"anyvm-hotplug", f"the datagram came back as {echoed!r}"
    for rx in (r"^pvscsi \S+: 1 disk on 1 target$",
               r"^pvscsi \S+: unit added at target 4 LUN 0$",
               r"^blk(\d): pvscsi, 64 sectors of 512 bytes \(0 MiB\), read-only, write cache, "
               r"id anyvm-hot$",
               r"^pvscsi \S+: unit removed at target 0 LUN 0$",
               r"^pvscsi \S+: blk0 \(target 0 LUN 0\) unplugged$",
               r"^blk0: removed$",
               r"^devinfo: PASS ping: answered 0 echo requests and 1 udp datagrams",
               rf"^devinfo: PASS verify blk\d pattern H, {HOT_UNITS} units$",
               r"^devinfo: all 2 actions passed$", r"^anyvm: exit status 0$"):
        assert re.search(rx, text, re.M), f"no serial line matches /{rx}/"
    assert rc == qemu.debug_exit_code(0), f"VMM exit code {rc}"
    with open(hot, "rb") as f:
        assert f.read() == hot_data, "the hot-added (read-only) image changed"
