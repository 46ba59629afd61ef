"""A device that breaks its protocol is disabled and the kernel keeps
running, end to end: build/hostsim's `--misbehave KIND` makes the first
virtio-blk device (blk-*) or the virtio-net device (net-*) break the virtio
protocol on purpose. For blk-* build/devinfo.elf runs `verify rw A 16` on
the disk; for net-* hostsim runs in a network namespace on its TAP device
(the `namespace` fixture), devinfo runs `ping 10.0.0.2 5 5` and a few pings
are sent from the namespace, so frames reach the guest. For each KIND:

  blk-used-id   the first IN/OUT completion's used id is queue size + 5
  blk-used-len  its used len exceeds the chain's device-writable bytes
  blk-used-idx  used->idx jumps more than a queue size ahead
  blk-status    every IN/OUT status byte is 0x7f (not OK/IOERR/UNSUPP)
  net-used-len  the first received frame's used len exceeds its buffer's
                device-writable bytes (by 512)
  net-used-id   its used id is queue size + 5
  net-num-buffers    its header's num_buffers is 200 (MRG_RXBUF; 1 buffer used)
  net-num-buffers-0  its header's num_buffers is 0

the tests, test_misbehave[KIND-CHECK], check:

  host     hostsim says "misbehaving on purpose: KIND" on stderr (net-*: and
           "misbehaving now" - a frame was falsified)
  log      the kernel logs what the device broke: for blk-used-*, virtio_fail's
           "virtio ... device 2 (block): disabled: virtio-blk blkN: <what>";
           for blk-status, "...: device wrote undefined status 127"; for
           net-*, "virtio ... device 1 (net): disabled: virtio-net ...:
           receive queue: <what>" (a bad num_buffers disables the device too,
           as net_hdr.c treats it: the frame boundaries are lost)
  verify   blk-*: devinfo's verify reports FAIL, never PASS: the disabled disk
           refuses new requests at once (-5)
  ping     net-*: devinfo's ping reports FAIL, never PASS (nothing answered)
  nopanic  no "anyvm: panic" / "anyvm: exception"
  exit     the kernel ends with "anyvm: exit status N", N != 0, and hostsim
           exits with (2N+1)&0xff (the exit port)
  time     it finished within MAX_SECONDS, far above the blkdev timeout (5 s)
           plus boot time (net-*: ping's 5 s plus boot time): no hang

Baseline runs without --misbehave (none and net-none) check that the hooks
are off by default: verify and ping PASS and the exit status is 0. Each
kind runs once, when its first test runs. The net-* tests need root (they
are skipped without it); all need /dev/kvm.
"""

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass

import pytest

import pattern
import traffic
from anyvm_lib import devices, hostsim, netns, qemu, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "devinfo.elf")

UNITS = 16             # pattern A checked by verify
IMAGE_UNITS = 128      # the image: pattern A, then pattern Z
GUEST_TIMEOUT = 120    # hostsim --timeout
RUN_TIMEOUT = 150      # the test's own limit on one run
MAX_SECONDS = 30       # "no hang": the blkdev timeout is 5 s, a run takes ~0.2 s here
PING_COUNT = 5         # echo requests devinfo waits for, and the namespace sends
PING_SECONDS = 5       # how long devinfo's ping waits (it cannot succeed on a disabled device)

DISABLED = r"^virtio .*device 2 \(block\): disabled: virtio-blk blk\d+: "
BLK_KINDS = {
    "blk-used-id": DISABLED + r"used id \d+ out of range \(queue size \d+\)$",
    "blk-used-len": DISABLED + r"used len \d+ exceeds the \d+ device-writable bytes "
                    r"of request \d+$",
    "blk-used-idx": DISABLED + r"used idx \d+ runs ahead: \d+ completions for \d+ "
                    r"requests made available$",
    "blk-status": DISABLED + r"device wrote undefined status 127$",
}
NET_DISABLED = r"^virtio .*device 1 \(net\): disabled: virtio-net .*: receive queue: "
NET_KINDS = {
    "net-used-len": NET_DISABLED + r"used len \d+ exceeds the \d+ device-writable bytes "
                    r"of request \d+$",
    "net-used-id": NET_DISABLED + r"used id \d+ out of range \(queue size \d+\)$",
    "net-num-buffers": NET_DISABLED + r"num_buffers 200 outside 1\.\.\d+ "
                       r"\(the buffers posted\)$",
    "net-num-buffers-0": NET_DISABLED + r"num_buffers 0 outside 1\.\.\d+ "
                         r"\(the buffers posted\)$",
}
LOGS = {**BLK_KINDS, **NET_KINDS}
# Run names: a kind, or a baseline (none: blk, net-none: net).
RUNS = ["none", *BLK_KINDS, "net-none", *NET_KINDS]


def is_net(name):
    return name.startswith("net-")


def kind_of(name):
    return None if name in ("none", "net-none") else name


@dataclass
class Run:
    name: str
    argv: list
    rc: int            # None: killed after RUN_TIMEOUT
    out: str           # the serial output
    err: str           # hostsim's stderr
    seconds: float

    def action(self):
        return "ping" if is_net(self.name) else "verify"


def run_blk(name, work):
    image = os.path.join(work, "disk.img")
    with open(image, "wb") as f:
        f.write(pattern.units(0, UNITS, "A"))
        f.write(pattern.units(UNITS, IMAGE_UNITS - UNITS, "Z"))
    argv = devices.argv("hostsim", KERNEL, ["verify", "rw", "A", str(UNITS)], work,
                        disks=[devices.Disk(image)], timeout=GUEST_TIMEOUT,
                        misbehave=kind_of(name))
    res = vm.run(argv, timeout=RUN_TIMEOUT)
    return Run(name, argv, None if res.timed_out else res.rc, res.serial_text,
               res.stderr_text, res.seconds)


def run_net(name, ns, work):
    argv = ns.cmd(*devices.argv("hostsim", KERNEL, ["ping", netns.GUEST_IP, str(PING_COUNT),
                                                    str(PING_SECONDS)], work,
                                nic=devices.Nic(netns.TAP, netns.MAC), timeout=GUEST_TIMEOUT,
                                misbehave=kind_of(name)))
    start = time.monotonic()
    with vm.Live(argv) as v:
        # Frames reach the guest once its ping action listens (a frame the
        # host sends at link-up may come first; either way one is falsified).
        v.wait_line(r"^devinfo: ping: answering|^anyvm: (exit|panic|exception)", 30)
        traffic.ping(ns, PING_COUNT, 56, "0.1")
        rc = v.wait(RUN_TIMEOUT)
        seconds = time.monotonic() - start
        v.kill()
        return Run(name, argv, rc, v.text, v.stderr_text, seconds)


@pytest.fixture(scope="module")
def misbehave_runs():
    """run(name, ns): the named Run, made on first use (ns: the namespace,
    for net runs). The disk images live in a directory removed when the
    module's tests are done."""
    for need in (hostsim.HOSTSIM, KERNEL):
        if not os.path.exists(need):
            pytest.fail(f"{os.path.relpath(need, ROOT)} is not built (make hostsim apps)",
                        pytrace=False)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is absent or not accessible (hostsim needs KVM)")
    work = tempfile.mkdtemp(prefix="anyvm-misbehave-")
    runs = {}

    def run(name, ns):
        if name not in runs:
            sub = os.path.join(work, name)
            os.makedirs(sub)
            try:
                runs[name] = run_net(name, ns, sub) if is_net(name) else run_blk(name, sub)
            except Exception as e:      # every test of the run reports it
                runs[name] = e
        r = runs[name]
        if isinstance(r, Exception):
            pytest.fail(f"the {name} run failed: {type(r).__name__}: {r}", pytrace=False)
        print(f"$ {' '.join(r.argv)}\nexit {r.rc}, {r.seconds:.2f} s\n[stderr]\n{r.err}\n"
              f"[serial]\n{r.out}")
        return r
    try:
        yield run
    finally:
        shutil.rmtree(work, ignore_errors=True)


def first_match(regex, text):
    m = re.search(regex, text, re.M)
    return m.group(0) if m else None


# ---- the checks ----

def check_host(r):
    kind = kind_of(r.name)
    if kind is None:
        assert "misbehaving" not in r.err, f"hostsim misbehaved: {r.err!r}"
        return
    want = f"hostsim: misbehaving on purpose: {kind}"
    assert want in r.err.splitlines(), f"stderr lacks {want!r}: {r.err!r}"
    if is_net(kind):
        assert "misbehaving now" in r.err, \
            f"no frame reached the guest (no 'misbehaving now'): {r.err!r}"


def check_log(r):
    log = LOGS[r.name]
    assert first_match(log, r.out) is not None, f"no kernel line matching /{log}/"


def check_action(r):
    action = r.action()
    passed = first_match(rf"^devinfo: PASS {action}", r.out)
    if kind_of(r.name) is None:
        assert passed is not None, f"{action} did not PASS without --misbehave"
        return
    failed = first_match(rf"^devinfo: FAIL {action} ?.*$", r.out)
    assert passed is None, f"{action} PASSED on a misbehaving device"
    assert failed is not None, f"no line matching /^devinfo: FAIL {action}/"


def check_nopanic(r):
    bad = first_match(r"^anyvm: (panic|exception).*$", r.out)
    assert bad is None, f"the kernel died: {bad}"


def check_exit(r):
    assert r.rc is not None, f"no exit within {RUN_TIMEOUT} s: the guest hung"
    m = re.search(r"^anyvm: exit status (\d+)$", r.out, re.M)
    assert m is not None, f"no 'anyvm: exit status N' line; hostsim exit {r.rc}"
    n = int(m.group(1))
    misbehaving = kind_of(r.name) is not None
    assert (n != 0 if misbehaving else n == 0) and r.rc == qemu.debug_exit_code(n), \
        (f"kernel exit status {n} (want {'non-zero' if misbehaving else 0}), hostsim exit "
         f"{r.rc} (want {qemu.debug_exit_code(n)})")


def check_time(r):
    assert r.rc is not None and r.seconds < MAX_SECONDS, \
        f"took {r.seconds:.1f} s (limit {MAX_SECONDS} s)"


CHECKS = {"host": check_host, "log": check_log, "action": check_action,
          "nopanic": check_nopanic, "exit": check_exit, "time": check_time}


def params():
    out = []
    for name in RUNS:
        for check in CHECKS:
            if check == "log" and kind_of(name) is None:
                continue
            label = {"action": "ping" if is_net(name) else "verify"}.get(check, check)
            out.append(pytest.param(name, check, id=f"{name}-{label}",
                                    marks=pytest.mark.xdist_group(f"misbehave-{name}")))
    return out


@pytest.mark.parametrize("name,check", params())
def test_misbehave(misbehave_runs, request, name, check):
    ns = request.getfixturevalue("namespace") if is_net(name) else None
    CHECKS[check](misbehave_runs(name, ns))


def test_every_kind_is_tested():
    """hostsim's own list of virtio faults (`hostsim --misbehave help`) and
    the kinds tested here are the same set: a new fault cannot go untested.
    The VMBus host's faults are tested in tests/boot/test_hyperv_host.py."""
    listed = {k: v for k, v in hostsim.misbehave_kinds().items() if v[0].startswith("virtio-")}
    assert set(listed) == set(BLK_KINDS) | set(NET_KINDS)
    for kind, (backend, _) in listed.items():
        assert backend == ("virtio-net" if is_net(kind) else "virtio-blk"), (kind, backend)
