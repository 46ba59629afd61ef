#!/usr/bin/env python3
"""A device that breaks its protocol is disabled and the kernel keeps running
(DESIGN.md, "Trust"), end to end: build/hostsim's `--misbehave KIND` makes the
first virtio-blk device (blk-*) or the virtio-net device (net-*) break the
virtio protocol on purpose. For blk-* build/devinfo.elf runs `verify rw A 16`
on the disk; for net-* hostsim runs in a network namespace on a TAP
(tests/boot/netblk_test.py's Namespace), devinfo runs `ping 10.0.0.2 5 5` and
a few pings are sent from the namespace, so frames reach the guest. For each
KIND:

  blk-used-id   the first IN/OUT completion's used id is queue size + 5
  blk-used-len  its used len exceeds the chain's device-writable bytes
  blk-used-idx  used->idx jumps more than a queue size ahead
  blk-status    every IN/OUT status byte is 0x7f (not OK/IOERR/UNSUPP)
  net-used-len  the first received frame's used len exceeds its buffer's
                device-writable bytes (by 512)
  net-used-id   its used id is queue size + 5
  net-num-buffers    its header's num_buffers is 200 (MRG_RXBUF; 1 buffer used)
  net-num-buffers-0  its header's num_buffers is 0

the checks on the serial output and hostsim's exit are:

  host     hostsim says "misbehaving on purpose: KIND" on stderr (net-*: and
           "misbehaving now" - a frame was falsified)
  log      the kernel logs what the device broke: for blk-used-*, virtio_fail's
           "virtio: ... device 2 (block) disabled: virtio-blk blkN: <what>";
           for blk-status, "...: device wrote undefined status 127"; for
           net-*, "virtio: ... device 1 (net) disabled: virtio-net ...:
           receive queue: <what>" (a bad num_buffers disables the device too,
           as net_hdr.c treats it: the frame boundaries are lost)
  verify   blk-*: devinfo's verify reports FAIL, never PASS: the disabled disk
           refuses new requests at once (-5)
  ping     net-*: devinfo's ping reports FAIL, never PASS (nothing answered)
  nopanic  no "anyvm: panic" / "anyvm: exception"
  exit     the kernel ends with "anyvm: exit status N", N != 0, and hostsim
           exits with (2N+1)&0xff (the exit port)
  time     it finished well within the blkdev timeout (5 s) plus boot time
           (net-*: ping's 5 s plus boot time): no hang (elapsed reported)

Baseline runs without --misbehave (names misbehave/none/... and
misbehave/net-none/...) check that the hooks are off by default: verify and
ping PASS and the exit status is 0.

The net-* runs need root (ip netns); without it they are SKIPped.

  python3 tests/boot/misbehave_test.py [--kind KIND[,KIND...]] [-v]
(ANYVM_HOSTSIM=PATH selects another hostsim binary, ANYVM_KERNEL another
devinfo ELF.) One line per check (PASS / FAIL name: reason / SKIP name:
reason), then a summary; exit status 1 if anything failed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netblk_test  # noqa: E402  (pattern helpers, Report, Namespace, VM, ping)
from anyvm_lib import hostsim  # noqa: E402  (netblk_test put tools/ on the path)

ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL = os.environ.get("ANYVM_KERNEL", os.path.join(ROOT, "build", "devinfo.elf"))
HOSTSIM = os.environ.get("ANYVM_HOSTSIM", os.path.join(ROOT, "build", "hostsim"))

UNITS = 16             # pattern A checked by verify
IMAGE_UNITS = 128      # the image: pattern A, then pattern Z
GUEST_TIMEOUT = 120    # hostsim --timeout
PY_TIMEOUT = 150       # the Python-side limit on one run
MAX_SECONDS = 30       # "no hang": the blkdev timeout is 5 s, a run takes ~0.2 s here
EXIT_PORT = 0xf4
CMDLINE = f"console=ttyS0 reboot=k panic=1 -- verify rw A {UNITS}"
PING_COUNT = 5         # echo requests devinfo waits for, and the namespace sends
PING_SECONDS = 5       # how long devinfo's ping waits (it cannot succeed on a disabled device)
NET_CMDLINE = (f"console=ttyS0 reboot=k panic=1 -- "
               f"ping {netblk_test.GUEST_IP} {PING_COUNT} {PING_SECONDS}")
NETNS = f"anyvm-mb{os.getpid()}"

DISABLED = r"^virtio: .*device 2 \(block\) disabled: virtio-blk blk\d+: "
KINDS = {
    "blk-used-id": dict(log=DISABLED + r"used id \d+ out of range \(queue size \d+\)$"),
    "blk-used-len": dict(log=DISABLED + r"used len \d+ exceeds the \d+ device-writable bytes "
                         r"of request \d+$"),
    "blk-used-idx": dict(log=DISABLED + r"used idx \d+ runs ahead: \d+ completions for \d+ "
                         r"requests made available$"),
    "blk-status": dict(log=DISABLED + r"device wrote undefined status 127$"),
}
NET_DISABLED = r"^virtio: .*device 1 \(net\) disabled: virtio-net .*: receive queue: "
NET_KINDS = {
    "net-used-len": dict(log=NET_DISABLED + r"used len \d+ exceeds the \d+ device-writable bytes "
                         r"of request \d+$"),
    "net-used-id": dict(log=NET_DISABLED + r"used id \d+ out of range \(queue size \d+\)$"),
    "net-num-buffers": dict(log=NET_DISABLED + r"num_buffers 200 outside 1\.\.\d+ "
                            r"\(the buffers posted\)$"),
    "net-num-buffers-0": dict(log=NET_DISABLED + r"num_buffers 0 outside 1\.\.\d+ "
                              r"\(the buffers posted\)$"),
}
ALL_KINDS = {**KINDS, **NET_KINDS}


def first_match(regex, text):
    m = re.search(regex, text, re.M)
    return m.group(0) if m else None


def show(argv, rc, elapsed, err, out):
    print(f"# {' '.join(argv)}\n# exit {rc}, {elapsed:.2f} s")
    for line in (err + out).splitlines():
        print(f"#   {line}")


def check_run(name, kind, action, out, err, rc, elapsed, rep):
    """The checks common to blk and net runs; action is "verify" or "ping"
    (the devinfo action whose PASS/FAIL line is checked)."""
    if kind:
        want = f"hostsim: misbehaving on purpose: {kind}"
        ok = want in err.splitlines()
        why = f"stderr lacks '{want}': {err!r}"
        if ok and kind in NET_KINDS and "misbehaving now" not in err:
            ok, why = False, f"no frame reached the guest (no 'misbehaving now'): {err!r}"
        rep.check(f"{name}/host", ok, why)
        log = ALL_KINDS[kind]["log"]
        rep.check(f"{name}/log", first_match(log, out) is not None,
                  f"no kernel line matching /{log}/")
        passed = first_match(rf"^devinfo: PASS {action}", out)
        failed = first_match(rf"^devinfo: FAIL {action} ?.*$", out)
        rep.check(f"{name}/{action}", passed is None and failed is not None,
                  f"{action} PASSED on a misbehaving device" if passed else
                  f"no line matching /^devinfo: FAIL {action}/")
    else:
        rep.check(f"{name}/host", "misbehaving" not in err, f"hostsim misbehaved: {err!r}")
        rep.check(f"{name}/{action}", first_match(rf"^devinfo: PASS {action}", out) is not None,
                  f"{action} did not PASS without --misbehave")

    bad = first_match(r"^anyvm: (panic|exception).*$", out)
    rep.check(f"{name}/nopanic", bad is None, f"the kernel died: {bad}")

    m = re.search(r"^anyvm: exit status (\d+)$", out, re.M)
    if m is None:
        rep.check(f"{name}/exit", False, f"no 'anyvm: exit status N' line; hostsim exit {rc}")
    else:
        n = int(m.group(1))
        want_rc = (2 * n + 1) & 0xff
        ok = (n != 0 if kind else n == 0) and rc == want_rc
        rep.check(f"{name}/exit", ok,
                  f"kernel exit status {n} (want {'non-zero' if kind else 0}), hostsim exit "
                  f"{rc} (want {want_rc})")

    ok = elapsed < MAX_SECONDS
    print(f"# {name}: {elapsed:.2f} s")
    rep.check(f"{name}/time", ok, f"took {elapsed:.1f} s (limit {MAX_SECONDS} s)")


def run_one(kind, image, rep, verbose):
    """Runs devinfo on a fresh copy of the image; kind None is the baseline."""
    name = f"misbehave/{kind or 'none'}"
    with open(image, "wb") as f:
        f.write(netblk_test.pattern(0, UNITS, "A"))
        f.write(netblk_test.pattern(UNITS, IMAGE_UNITS - UNITS, "Z"))
    argv = hostsim.argv("firecracker", "pvh", KERNEL, CMDLINE, "64M", 1, GUEST_TIMEOUT,
                        EXIT_PORT, disks=[image], misbehave=kind, hostsim=HOSTSIM)
    start = time.monotonic()
    try:
        res = subprocess.run(argv, capture_output=True, text=True, errors="replace",
                             timeout=PY_TIMEOUT)
    except subprocess.TimeoutExpired:
        rep.check(f"{name}/time", False, f"no exit within {PY_TIMEOUT} s: the guest hung")
        return
    elapsed = time.monotonic() - start
    out, err = res.stdout.replace("\r", ""), res.stderr
    if verbose:
        show(argv, res.returncode, elapsed, err, out)
    check_run(name, kind, "verify", out, err, res.returncode, elapsed, rep)


def run_net(kind, ns, rep, verbose):
    """Runs devinfo's ping action in the namespace with hostsim on its tap0,
    pinging the guest from the namespace meanwhile; kind None is the
    baseline (named net-none)."""
    name = f"misbehave/{kind or 'net-none'}"
    argv = hostsim.argv("firecracker", "pvh", KERNEL, NET_CMDLINE, "64M", 1, GUEST_TIMEOUT,
                        EXIT_PORT, nic={"tap": "tap0", "mac": netblk_test.MAC},
                        misbehave=kind, hostsim=HOSTSIM)
    start = time.monotonic()
    # netblk_test.VM merges stderr into stdout; hostsim's lines start with
    # "hostsim: ", the guest's never do, so they are told apart below.
    vm = netblk_test.VM(ns.cmd(*argv), False)
    try:
        # Frames reach the guest once its ping action listens (a frame the
        # host sends at link-up may come first; either way one is falsified).
        vm.wait_line(r"^devinfo: ping: answering|^anyvm: (exit|panic|exception)", 30)
        netblk_test.ping(ns, PING_COUNT, 56, "0.1")
        rc = vm.wait(PY_TIMEOUT)
    finally:
        vm.kill()
    elapsed = time.monotonic() - start
    if rc is None:
        rep.check(f"{name}/time", False, f"no exit within {PY_TIMEOUT} s: the guest hung")
        return
    lines = vm.text.replace("\r", "").split("\n")
    err = "\n".join(ln for ln in lines if ln.startswith("hostsim: "))
    out = "\n".join(ln for ln in lines if not ln.startswith("hostsim: "))
    if verbose:
        show(ns.cmd(*argv), rc, elapsed, err, out)
    check_run(name, kind, "ping", out, err, rc, elapsed, rep)


def net_skip_reason():
    if os.geteuid() != 0:
        return "needs root (ip netns)"
    if shutil.which("ip") is None:
        return "no ip(8)"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", default="all",
                    help="comma-separated KINDs (default all: " + ", ".join(ALL_KINDS) + ")")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every run's output")
    a = ap.parse_args()
    kinds = list(ALL_KINDS) if a.kind == "all" else a.kind.split(",")
    for k in kinds:
        if k not in ALL_KINDS:
            ap.error(f"unknown kind {k!r} (known: {', '.join(ALL_KINDS)})")
    blk_kinds = [k for k in kinds if k in KINDS]
    net_kinds = [k for k in kinds if k in NET_KINDS]
    rep = netblk_test.Report(a.verbose)
    missing = [p for p in (HOSTSIM, KERNEL) if not os.path.exists(p)]
    if missing:
        rep.skip("misbehave", f"{', '.join(missing)} missing (make hostsim apps)")
    elif not os.access("/dev/kvm", os.R_OK | os.W_OK):
        rep.skip("misbehave", "/dev/kvm is absent or not accessible")
    else:
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="anyvm-misbehave-") as work:
            if blk_kinds:
                image = os.path.join(work, "disk.img")
                run_one(None, image, rep, a.verbose)
                for k in blk_kinds:
                    run_one(k, image, rep, a.verbose)
            if net_kinds:
                why = net_skip_reason()
                if why:
                    rep.skip("misbehave/net", why)
                else:
                    try:
                        # Removed on exit, also after a failure or an exception.
                        with netblk_test.Namespace(NETNS) as ns:
                            run_net(None, ns, rep, a.verbose)
                            for k in net_kinds:
                                run_net(k, ns, rep, a.verbose)
                    except RuntimeError as e:
                        rep.check("misbehave/net/setup", False, str(e))
        print(f"# total {time.monotonic() - start:.1f} s")
    print(f"{rep.passed} passed, {rep.failed} failed, {rep.skipped} skipped")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
