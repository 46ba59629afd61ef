"""build/devinfo.elf on build/hostsim's Hyper-V host with disks behind its
storvsc back end (docs/hyperv.md): the guest driver (drivers/storvsc/) and
the back end (hostsim/vmbus/storvsc.c) were written separately from the
public layouts, so each checks the other, and hostsim stops with status 8
when the guest breaks the VSTOR protocol.

  * one run with three disks and `--scsi-luns 2`: LUN 0 and LUN 1 of the
    first controller (rw.img holding pattern A, lun1.img), LUN 0 of a
    second controller (ro.img, read-only, pattern R), and `storvsc.nowp`
    so that the guest does not take MODE SENSE's write-protect bit. The
    guest verifies pattern A with several requests in flight, writes
    pattern B over it (flushed, read back), writes pattern C to LUN 1,
    tries to write ro.img - the host refuses with DATA PROTECT, which the
    log must show decoded, and the disk is read-only from then on (the one
    expected failure) - and removes the second controller at run time.
    After the VM ended the host files hold what was written, and ro.img is
    unchanged;
  * each `--misbehave storvsc-*` fault (on a generation 2 VM, as Azure's
    are), on the first controller's first
    READ (devinfo's look at sector 0): the guest logs the violation, fails
    the request and closes only that channel; the disk on the second
    controller (a read-only disk, known from MODE SENSE) still verifies, and
    the app runs to its end;
  * bad disk options (a file that is not whole blocks, a missing file,
    --scsi-luns out of range, more disks than the controllers hold, ,root,
    a storvsc fault without a disk): refused with a message before any VM
    runs.

hostsim runs on /dev/kvm; each run has a timeout; nothing is timed."""

import os
import re

import pytest

import pattern
from anyvm_lib import hostsim, vm
from anyvm_lib.devices import Disk

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEVINFO = os.path.join(ROOT, "build", "devinfo.elf")
TIMEOUT = 120
UNITS = 512                  # 256 KiB checked and rewritten: eight 32 KiB chunks
RW_BYTES = 1024 * 1024
LUN1_BYTES = 128 * 1024
RO_BYTES = 64 * 1024


def need():
    for p in (hostsim.HOSTSIM, DEVINFO):
        if not os.path.exists(p):
            pytest.fail(f"{os.path.relpath(p, ROOT)} is not built (make hostsim apps)",
                        pytrace=False)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is absent or not accessible (hostsim needs KVM)")


def has(text, pat):
    return re.search(pat, text, re.M) is not None


def boot(actions, disks, params="", misbehave=None, gen=1):
    luns = "2" if len(disks) > 2 else "1"
    cmd = hostsim.argv("hyperv", "pvh", DEVINFO,
                       f"console=ttyS0 {params} -- {' '.join(actions)}".replace("  ", " "),
                       "128M", 1, TIMEOUT, disks=disks, misbehave=misbehave,
                       model_args=["--gen", str(gen), "--scsi-luns", luns])
    res = vm.run(cmd, timeout=TIMEOUT + 30)
    print(f"$ {' '.join(cmd)}\nexit {res.rc}\n{res.stderr_text}\n{res.serial_text}")
    return res


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


def test_disks_luns_controllers_and_a_read_only_disk(tmp_path):
    need()
    rw, lun1, ro = (str(tmp_path / n) for n in ("rw.img", "lun1.img", "ro.img"))
    write_file(rw, pattern.units(0, RW_BYTES // pattern.UNIT, "A"))
    write_file(lun1, bytes(LUN1_BYTES))
    ro_data = pattern.units(0, RO_BYTES // pattern.UNIT, "R")
    write_file(ro, ro_data)
    actions = ["verify", "id:rw.img", "A", str(UNITS), "write", "id:rw.img", "B", str(UNITS),
               "write", "id:lun1.img", "C", "64", "write", "id:ro.img", "R", "1",
               "rotest", "id:ro.img", "remove", "id:ro.img"]
    res = boot(actions, [Disk(rw), Disk(lun1), Disk(ro, readonly=True)], "storvsc.nowp")
    text = res.serial_text
    for pat in [r"^vmbus: 6 offers$",
                r"^storvsc relid 5: protocol 6\.2, transfers up to 256 KiB$",
                r"^storvsc relid 5: LUN 0: Msft Virtual Disk 1\.0, SCSI version 5$",
                r"^blk\d: storvsc, 2048 sectors of 512 bytes \(1 MiB\), write cache, id rw\.img$",
                r"^storvsc relid 5: blk\d is LUN 1$",
                r"^storvsc relid 5: 2 disks$",
                r"^storvsc relid 6: protocol 6\.2, transfers up to 256 KiB$",
                r"^storvsc relid 6: blk\d is LUN 0$",
                r"^storvsc relid 6: 1 disk$",
                r"^devinfo:   vmbus relid 5 storvsc: bound, driver storvsc$",
                r"^devinfo:   vmbus relid 6 storvsc: bound, driver storvsc$",
                # several requests in flight at once, not one after another
                rf"^devinfo: verify blk\d: {UNITS} sectors checked, up to [2-9] in flight$",
                rf"^devinfo: PASS verify blk\d pattern A, {UNITS} units$",
                rf"^devinfo: PASS write blk\d pattern B, {UNITS} units, flushed$",
                r"^devinfo: PASS write blk\d pattern C, 64 units, flushed$",
                r"^blk\d: write of 1 sectors at 0 failed: CHECK CONDITION, DATA PROTECT: "
                r"write protected$",
                r"^blk\d: the disk refuses writes; marked read-only$",
                r"^devinfo: FAIL write blk\d: sectors 0\+1 failed \(-30\)$",
                r"^devinfo: PASS rotest blk\d: write refused with error -30",
                r"^storvsc relid 6: removed$",
                r"^devinfo: PASS remove blk\d",
                r"^devinfo: 1 of 6 actions FAILED$"]:
        assert has(text, pat), pat
    assert not has(text, r"disabled|violation|panic")
    assert "violation" not in res.stderr_text
    assert res.rc == 3                     # exit port: 2 * 1 + 1, the one expected failure
    with open(rw, "rb") as f:
        data = f.read()
    assert pattern.first_difference(data[:UNITS * pattern.UNIT], 0, "B") is None
    assert pattern.first_difference(data[UNITS * pattern.UNIT:], UNITS, "A") is None
    with open(lun1, "rb") as f:
        data = f.read()
    assert pattern.first_difference(data[:64 * pattern.UNIT], 0, "C") is None
    assert data[64 * pattern.UNIT:] == bytes(LUN1_BYTES - 64 * pattern.UNIT)
    with open(ro, "rb") as f:
        assert f.read() == ro_data


MISBEHAVE = {
    "storvsc-srb-length": r"completion 0x[0-9a-f]+: more data than asked \(data 1024 of 512",
    "storvsc-sense-length": r"completion 0x[0-9a-f]+: more sense than its area holds "
                            r"\(data 0 of 512, sense 96 of 20\)",
    "storvsc-unsolicited": r"a packet of type 11 for transaction 0x5354000000000001, which no "
                           r"request has",
    "storvsc-wrong-id": r"a packet of type 11 for transaction 0x[0-9a-f]+, which no request has",
}


def test_every_storvsc_fault_has_a_guest_case():
    kinds = {k for k, (backend, _) in hostsim.misbehave_kinds().items() if backend == "storvsc"}
    assert kinds == set(MISBEHAVE)


@pytest.mark.parametrize("kind", sorted(MISBEHAVE))
def test_misbehaving_storvsc_host(kind, tmp_path):
    need()
    bad, good = str(tmp_path / "bad.img"), str(tmp_path / "good.img")
    write_file(bad, pattern.units(0, 64, "A"))
    write_file(good, pattern.units(0, 64, "G"))
    res = boot(["verify", "id:good.img", "G", "64", "verify", "id:bad.img", "A", "8"],
               [Disk(bad), Disk(good, readonly=True)], misbehave=kind, gen=2)
    text = res.serial_text
    assert f"hostsim: misbehaving now:" in res.stderr_text, res.stderr_text
    assert has(text, r"^vmbus relid 5 storvsc: disabled: storvsc: " + MISBEHAVE[kind]), text
    assert has(text, r"^blk\d: read of 1 sectors at 0 failed: the controller failed$")
    # the other controller, and the kernel, go on; its disk is read-only, as
    # MODE SENSE said (no storvsc.nowp here)
    assert has(text, r"^blk\d: storvsc, 64 sectors of 512 bytes \(0 MiB\), read-only, write cache, "
                     r"id good\.img$")
    assert has(text, r"^devinfo:   vmbus relid 6 storvsc: bound, driver storvsc$")
    assert has(text, r"^devinfo: PASS verify blk\d pattern G, 64 units$")
    assert has(text, r"^devinfo: FAIL verify blk\d")
    assert has(text, r"^devinfo: 1 of 2 actions FAILED$")
    assert not has(text, r"anyvm: panic")
    assert "violation" not in res.stderr_text
    assert res.rc == 3


BAD_DISKS = [
    # (arguments, status, what stderr says)
    (["--disk", "{odd}"], 4, r"odd\.img: 1000 bytes; a disk is a whole number of 512-byte blocks"),
    (["--disk", "{missing}"], 4, r"missing\.img: No such file or directory"),
    (["--scsi-luns", "0", "--disk", "{good}"], 2, r"--scsi-luns: '0' is not a number from 1 to 64"),
    (["--scsi-luns", "1", "--disk", "{good}", "--disk", "{good}", "--disk", "{good}"], 2,
     r"--disk: 3 disks, but 2 controllers of 1 LUNs \(--scsi-luns\) hold 2"),
    (["--disk", "{good},root"], 2, r"the hyperv model has no boot disk"),
    (["--misbehave", "storvsc-wrong-id"], 2, r"has no storvsc device without a --disk"),
]


@pytest.mark.parametrize("args,status,says", BAD_DISKS)
def test_disk_options_are_checked_before_the_vm_starts(args, status, says, tmp_path):
    if not os.path.exists(hostsim.HOSTSIM):
        pytest.fail("build/hostsim is not built (make hostsim)", pytrace=False)
    files = {"odd": tmp_path / "odd.img", "good": tmp_path / "good.img",
             "missing": tmp_path / "missing.img"}
    write_file(files["odd"], bytes(1000))
    write_file(files["good"], bytes(4096))
    argv = [hostsim.HOSTSIM, "hyperv", "--kernel", DEVINFO, "--timeout", "10"] + \
        [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    res = vm.run(argv, timeout=30)
    assert res.rc == status, (res.rc, res.stderr_text)
    assert re.search(says, res.stderr_text), res.stderr_text
    assert res.serial_text == ""              # nothing booted
