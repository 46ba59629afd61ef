#!/usr/bin/env python3
"""A device that breaks its protocol is disabled and the kernel keeps running
(DESIGN.md, "Trust"), end to end: build/hostsim's `--misbehave KIND` makes the
first virtio-blk device break the virtio protocol on purpose, and
build/devinfo.elf runs `verify rw A 16` on it. For each KIND:

  blk-used-id   the first IN/OUT completion's used id is queue size + 5
  blk-used-len  its used len exceeds the chain's device-writable bytes
  blk-used-idx  used->idx jumps more than a queue size ahead
  blk-status    every IN/OUT status byte is 0x7f (not OK/IOERR/UNSUPP)

the checks on the serial output and hostsim's exit are:

  host     hostsim says "misbehaving on purpose: KIND" on stderr
  log      the kernel logs what the device broke: for blk-used-*, virtio_fail's
           "virtio: ... device 2 (block) disabled: virtio-blk blkN: <what>";
           for blk-status, "...: device wrote undefined status 127"
  verify   devinfo's verify reports FAIL, never PASS: the disabled disk
           refuses new requests at once (-5)
  nopanic  no "anyvm: panic" / "anyvm: exception"
  exit     the kernel ends with "anyvm: exit status N", N != 0, and hostsim
           exits with (2N+1)&0xff (the exit port)
  time     it finished well within the blkdev timeout (5 s) plus boot time:
           no hang (elapsed reported)

A baseline run without --misbehave (name misbehave/none/...) checks that the
hooks are off by default: verify PASSes and the exit status is 0.

  python3 tests/boot/misbehave_test.py [--kind KIND[,KIND...]] [-v]
(ANYVM_HOSTSIM=PATH selects another hostsim binary, ANYVM_KERNEL another
devinfo ELF.) One line per check (PASS / FAIL name: reason / SKIP name:
reason), then a summary; exit status 1 if anything failed.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netblk_test  # noqa: E402  (pattern helpers, Report)

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

DISABLED = r"^virtio: .*device 2 \(block\) disabled: virtio-blk blk\d+: "
KINDS = {
    "blk-used-id": dict(log=DISABLED + r"used id \d+ out of range \(queue size \d+\)$"),
    "blk-used-len": dict(log=DISABLED + r"used len \d+ exceeds the \d+ device-writable bytes "
                         r"of request \d+$"),
    "blk-used-idx": dict(log=DISABLED + r"used idx \d+ runs ahead: \d+ completions for \d+ "
                         r"requests made available$"),
    "blk-status": dict(log=DISABLED + r"device wrote undefined status 127$"),
}


def first_match(regex, text):
    m = re.search(regex, text, re.M)
    return m.group(0) if m else None


def run_one(kind, image, rep, verbose):
    """Runs devinfo on a fresh copy of the image; kind None is the baseline."""
    name = f"misbehave/{kind or 'none'}"
    with open(image, "wb") as f:
        f.write(netblk_test.pattern(0, UNITS, "A"))
        f.write(netblk_test.pattern(UNITS, IMAGE_UNITS - UNITS, "Z"))
    argv = [HOSTSIM, "firecracker", "--kernel", KERNEL, "--disk", image,
            "--exit-port", hex(EXIT_PORT), "--timeout", str(GUEST_TIMEOUT), "--mem", "64M",
            "--cmdline", CMDLINE]
    if kind:
        argv[4:4] = ["--misbehave", kind]
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
        print(f"# {' '.join(argv)}\n# exit {res.returncode}, {elapsed:.2f} s")
        for line in (err + out).splitlines():
            print(f"#   {line}")

    if kind:
        want = f"hostsim: misbehaving on purpose: {kind}"
        rep.check(f"{name}/host", want in err.splitlines(), f"stderr lacks '{want}': {err!r}")
        rep.check(f"{name}/log", first_match(KINDS[kind]["log"], out) is not None,
                  f"no kernel line matching /{KINDS[kind]['log']}/")
        passed = first_match(r"^devinfo: PASS verify", out)
        failed = first_match(KINDS[kind].get("verify", r"^devinfo: FAIL verify .*$"), out)
        rep.check(f"{name}/verify", passed is None and failed is not None,
                  "verify PASSED on a misbehaving device" if passed else
                  f"no line matching /{KINDS[kind].get('verify', '^devinfo: FAIL verify')}/")
    else:
        rep.check(f"{name}/host", "misbehaving" not in err, f"hostsim misbehaved: {err!r}")
        rep.check(f"{name}/verify", first_match(r"^devinfo: PASS verify", out) is not None,
                  "verify did not PASS without --misbehave")

    bad = first_match(r"^anyvm: (panic|exception).*$", out)
    rep.check(f"{name}/nopanic", bad is None, f"the kernel died: {bad}")

    m = re.search(r"^anyvm: exit status (\d+)$", out, re.M)
    if m is None:
        rep.check(f"{name}/exit", False,
                  f"no 'anyvm: exit status N' line; hostsim exit {res.returncode}")
    else:
        n = int(m.group(1))
        want_rc = (2 * n + 1) & 0xff
        ok = (n != 0 if kind else n == 0) and res.returncode == want_rc
        rep.check(f"{name}/exit", ok,
                  f"kernel exit status {n} (want {'non-zero' if kind else 0}), hostsim exit "
                  f"{res.returncode} (want {want_rc})")

    ok = elapsed < MAX_SECONDS
    print(f"# {name}: {elapsed:.2f} s")
    rep.check(f"{name}/time", ok, f"took {elapsed:.1f} s (limit {MAX_SECONDS} s)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", default="all",
                    help="comma-separated KINDs (default all: " + ", ".join(KINDS) + ")")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every run's output")
    a = ap.parse_args()
    kinds = list(KINDS) if a.kind == "all" else a.kind.split(",")
    for k in kinds:
        if k not in KINDS:
            ap.error(f"unknown kind {k!r} (known: {', '.join(KINDS)})")
    rep = netblk_test.Report(a.verbose)
    missing = [p for p in (HOSTSIM, KERNEL) if not os.path.exists(p)]
    if missing:
        rep.skip("misbehave", f"{', '.join(missing)} missing (make hostsim apps)")
    elif not os.access("/dev/kvm", os.R_OK | os.W_OK):
        rep.skip("misbehave", "/dev/kvm is absent or not accessible")
    else:
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="anyvm-misbehave-") as work:
            image = os.path.join(work, "disk.img")
            run_one(None, image, rep, a.verbose)
            for k in kinds:
                run_one(k, image, rep, a.verbose)
        print(f"# total {time.monotonic() - start:.1f} s")
    print(f"{rep.passed} passed, {rep.failed} failed, {rep.skipped} skipped")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
