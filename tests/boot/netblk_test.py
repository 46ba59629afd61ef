#!/usr/bin/env python3
"""Block and network test of build/devinfo.elf on one or more VMM profiles
(issue 11, "Tests": Block and Net). For each profile:

  * two disk images: a writable one whose first UNITS 512-byte units hold
    pattern A (the rest pattern Z), and a read-only one holding pattern R;
  * a network namespace of its own with a TAP device at 10.0.0.1/24; the VMM
    runs inside it so it opens that TAP;
  * the guest runs `devinfo -- verify rw A UNITS write rw B UNITS rotest ro
    ping 10.0.0.2 COUNT SECONDS UDP`: it checks pattern A, writes pattern B
    and flushes, checks that a write to the read-only disk is refused, then
    answers ARP, ICMP echo and UDP echo as 10.0.0.2;
  * from the namespace the test sends a counted burst of pings (`ping -c N
    -i 0.01`, small ones, then full-size ones) and UDP echo datagrams, and
    checks that every one was answered;
  * after the VM has exited: the exit status is 0, the serial output has the
    configured MAC, sector 0's pattern-A text, a PASS line per action and a
    non-zero count of received NEEDS_CSUM frames completed by the guest (UDP
    from the namespace arrives that way), the writable image holds pattern B
    where it was written and pattern Z beyond, and the read-only image is
    unchanged.

The namespace (and with it the TAP) is removed even when something fails.
Run as root (TAP devices and namespaces need it). Traffic goes only to
addresses inside the namespace this test creates.

The pattern, byte j of 512-byte unit i under tag T (apps/devinfo/pattern.c):
  j < 16: the text "ANYVM-T %07u\\n" % (i % 10**7); j >= 16: (i*7 + j + ord(T)) & 0xff

  python3 tests/boot/netblk_test.py [--profile NAME[,NAME...]|all] [--kernel FILE]
                                   [--cmdline PARAMS] [--keep] [-v]
(ANYVM_HOSTSIM=PATH selects another hostsim binary.)
One line per check (PASS / FAIL name: reason / SKIP name: reason), then a
summary; exit status 1 if anything failed.
"""

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tools"))
from anyvm_lib import accel, hostsim, image, qemu, targets  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "devinfo.elf")
HOSTSIM = os.environ.get("ANYVM_HOSTSIM", os.path.join(ROOT, "build", "hostsim"))

UNIT = 512
UNITS = 2048                 # 1 MiB checked and rewritten
RW_BYTES = 4 * 1024 * 1024   # the writable image; beyond UNITS: pattern Z
RO_BYTES = 1024 * 1024
MAC = "52:54:00:12:34:56"
HOST_IP, GUEST_IP = "10.0.0.1", "10.0.0.2"
PINGS_SMALL = 20             # ping -c 20 -i 0.01 (56-byte payload)
PINGS_LARGE = 5              # 1472-byte payload: full 1500-byte datagrams
UDP_COUNT = 5
GUEST_SECONDS = 60           # how long the guest answers before it gives up

# Each profile: how to start the VMM with the two disks and the NIC (the TAP
# is "tap0" inside the namespace), and what the guest is expected to find.
PROFILES = {
    "microvm": dict(
        kind="qemu", machine="microvm", about="virtio-mmio found through the ACPI DSDT",
        rng=True,
        expect=[r"^virtio-mmio: \d+ devices described by the ACPI DSDT$"],
        devices=lambda rw, ro: [
            "-drive", f"id=d0,file={rw},format=raw,if=none,cache=writeback",
            "-device", "virtio-blk-device,drive=d0,serial=anyvm-rw",
            "-drive", f"id=d1,file={ro},format=raw,if=none,readonly=on",
            "-device", "virtio-blk-device,drive=d1,serial=anyvm-ro",
            "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=on",
            "-device", f"virtio-net-device,netdev=n0,mac={MAC}",
            "-device", "virtio-rng-device"]),
    "microvm-noacpi": dict(
        kind="qemu", machine="microvm,acpi=off", pvh=True, rng=True,
        expect=[r"^virtio-mmio: \d+ devices described by the command line$",
                r"^interrupts: 8259 PIC"],
        about="virtio-mmio from virtio_mmio.device= on the command line (QEMU appends "
              "them only when it boots the kernel through PVH, not multiboot)",
        devices=lambda rw, ro: PROFILES["microvm"]["devices"](rw, ro)),
    "microvm-merge": dict(
        kind="qemu", machine="microvm",
        about="receive buffers of 256 bytes: every large frame spans several (MRG_RXBUF)",
        cmdline="virtio_net.rx_buffer_size=256",
        devices=lambda rw, ro: PROFILES["microvm"]["devices"](rw, ro)),
    "q35": dict(
        kind="qemu", machine="q35", about="modern virtio-pci behind PCIe root ports",
        cmdline="pci.list", rng=True,
        expect=[r"^pci: 01:00\.0 1af4:1042 class .* irq msix .*driver virtio-pci$",
                r"^pci: 03:00\.0 1af4:1041 class .* irq msix .*driver virtio-pci$"],
        devices=lambda rw, ro: [
            "-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
            "-device", "pcie-root-port,id=rp2,chassis=2,slot=2",
            "-device", "pcie-root-port,id=rp3,chassis=3,slot=3",
            "-device", "pcie-root-port,id=rp4,chassis=4,slot=4",
            "-drive", f"id=d0,file={rw},format=raw,if=none,cache=writeback",
            "-device", "virtio-blk-pci,bus=rp1,drive=d0,serial=anyvm-rw",
            "-drive", f"id=d1,file={ro},format=raw,if=none,readonly=on",
            "-device", "virtio-blk-pci,bus=rp2,drive=d1,serial=anyvm-ro",
            "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=on",
            "-device", f"virtio-net-pci,bus=rp3,netdev=n0,mac={MAC}",
            "-device", "virtio-rng-pci,bus=rp4"]),
    "pc": dict(
        kind="qemu", machine="pc", about="transitional virtio-pci on the PCI bus",
        cmdline="pci.list", rng=True,
        expect=[r"^pci: 00:0\d\.0 1af4:1001 class .*driver virtio-pci$",
                r"^pci: 00:0\d\.0 1af4:1000 class .*driver virtio-pci$"],
        devices=lambda rw, ro: [
            "-drive", f"id=d0,file={rw},format=raw,if=none,cache=writeback",
            "-device", "virtio-blk-pci-transitional,drive=d0,serial=anyvm-rw",
            "-drive", f"id=d1,file={ro},format=raw,if=none,readonly=on",
            "-device", "virtio-blk-pci-transitional,drive=d1,serial=anyvm-ro",
            "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=on",
            "-device", f"virtio-net-pci-transitional,netdev=n0,mac={MAC}",
            "-device", "virtio-rng-pci-transitional"]),
    "hostsim": dict(
        kind="hostsim", about="Firecracker's device layout on build/hostsim",
        # The PVM emulator here runs 1-2 M guest instructions a second:
        # less data to check, more time.
        units=256, guest_seconds=240, boot_timeout=240),
}


# ---- the pattern ----

def pattern_unit(i, tag):
    head = b"ANYVM-%s %07d\n" % (tag.encode(), i % 10**7)
    t = ord(tag)
    return head + bytes(((i * 7 + j + t) & 0xFF) for j in range(16, UNIT))


def pattern(first, units, tag):
    return b"".join(pattern_unit(first + k, tag) for k in range(units))


def first_difference(data, first, tag):
    """(unit, byte) of the first difference from the pattern, or None."""
    for k in range(len(data) // UNIT):
        want = pattern_unit(first + k, tag)
        got = data[k * UNIT:(k + 1) * UNIT]
        if got != want:
            j = next(j for j in range(UNIT) if got[j] != want[j])
            return first + k, j
    return None


# ---- reporting ----

class Report:
    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, why=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {why}")
        sys.stdout.flush()
        return ok

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP {name}: {why}")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---- the namespace ----

class Namespace:
    """A network namespace with tap0 at HOST_IP/24; removed on exit."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        run(["ip", "netns", "del", self.name])  # a leftover of an interrupted run
        steps = [
            ["ip", "netns", "add", self.name],
            self.cmd("ip", "link", "set", "lo", "up"),
            self.cmd("ip", "tuntap", "add", "dev", "tap0", "mode", "tap"),
            self.cmd("ip", "addr", "add", f"{HOST_IP}/24", "dev", "tap0"),
            self.cmd("ip", "link", "set", "tap0", "up"),
        ]
        for s in steps:
            r = run(s)
            if r.returncode != 0:
                self.__exit__(None, None, None)
                raise RuntimeError(f"{' '.join(s)}: {r.stderr.strip()}")
        return self

    def cmd(self, *argv):
        return ["ip", "netns", "exec", self.name, *argv]

    def __exit__(self, *exc):
        run(["ip", "netns", "del", self.name])
        return False


# ---- the VM ----

class VM:
    """The VMM as a child process; serial lines are collected by a thread."""

    def __init__(self, argv, verbose):
        self.lines = []
        self.q = queue.Queue()
        self.verbose = verbose
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.lines.append(line)
            self.q.put(line)
            if self.verbose:
                print(f"  | {line}")
        self.q.put(None)

    def wait_line(self, regex, timeout):
        """The first line matching regex (already seen or new), or None."""
        pat = re.compile(regex)
        for line in list(self.lines):
            if pat.search(line):
                return line
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.q.get(timeout=max(0.05, end - time.monotonic()))
            except queue.Empty:
                continue
            if line is None:
                return None
            if pat.search(line):
                return line
        return None

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def text(self):
        self.reader.join(timeout=2)
        return "\n".join(self.lines)


def vmm_argv(profile, kernel, rw, ro, app_args, extra="", mem="64M"):
    """The VMM command, built where every other boot's is (tools/anyvm_lib):
    QEMU with the profile's devices, or hostsim with Firecracker's."""
    extra_cmdline = " ".join(x for x in [profile.get("cmdline", ""), extra] if x)
    if profile["kind"] == "qemu":
        append = " ".join(x for x in [targets.QEMU_CMDLINE, extra_cmdline, "--", app_args] if x)
        return qemu.argv(profile["machine"], accel.resolve("auto"), mem, 1, kernel=kernel,
                         append=append, extra=profile["devices"](rw, ro))
    # hostsim appends pci=off and the virtio_mmio.device= entries itself, as
    # Firecracker does.
    cmdline = " ".join(x for x in [targets.FIRECRACKER_CMDLINE, extra_cmdline, "--", app_args]
                       if x)
    return hostsim.argv("firecracker", "pvh", kernel, cmdline, mem, 1,
                        profile.get("boot_timeout", 120), disks=[rw, (ro, {"ro": True})],
                        nic={"tap": "tap0", "mac": MAC}, hostsim=HOSTSIM)


# ---- traffic from the namespace ----

UDP_CLIENT = r"""
import socket, sys
n, ip = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
ok = 0
for k in range(n):
    msg = b"anyvm udp echo %d " % k + bytes(range(256)) * 4
    s.sendto(msg, (ip, 7))
    try:
        data, _ = s.recvfrom(4096)
        ok += data == msg
    except socket.timeout:
        pass
print("udp", n, ok)
"""


# Used when the host has no ping(8): ICMP echo over a raw socket, the same
# counted burst, reported in ping's words.
PING_CLIENT = r"""
import os, socket, struct, sys, time
count, size, interval, ip = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident, got = os.getpid() & 0xffff, set()
def drain(until):
    while True:
        left = until - time.monotonic()
        if left <= 0: return
        s.settimeout(left)
        try: data = s.recv(65536)
        except socket.timeout: return
        ihl = (data[0] & 15) * 4
        m = data[ihl:]
        # No checksum check: a reply the guest left to checksum offload
        # reaches local sockets with the field unfinished (CHECKSUM_PARTIAL
        # counts as verified for local delivery).
        if len(m) >= 8 and m[0] == 0:
            i, q = struct.unpack("!HH", m[4:8])
            if i == ident and m[8:] == payload(q): got.add(q)
def payload(q): return bytes((q + k) & 0xff for k in range(size))
for q in range(count):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, q) + payload(q)
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    s.sendto(body, (ip, 0))
    drain(time.monotonic() + interval)
drain(time.monotonic() + 2)
print("%d packets transmitted, %d received" % (count, len(got)))
"""


def ping(ns, count, size, interval="0.01"):
    """(transmitted, received, output) of a counted ping burst."""
    if shutil.which("ping"):
        # No -w: with a deadline ping sends until COUNT replies have come,
        # so exactly COUNT requests go out only without it.
        r = run(ns.cmd("ping", "-n", "-q", "-c", str(count), "-i", interval, "-s", str(size),
                       "-W", "2", GUEST_IP), timeout=60)
    else:
        r = run(ns.cmd(sys.executable, "-c", PING_CLIENT, str(count), str(size), interval,
                       GUEST_IP))
    m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    if not m:
        return 0, 0, r.stdout + r.stderr
    return int(m.group(1)), int(m.group(2)), r.stdout


# ---- one profile ----

def run_profile(name, profile, kernel, rep, keep, extra_cmdline=""):
    tag = f"netblk/{name}"
    if profile["kind"] == "hostsim" and not os.path.exists(HOSTSIM):
        rep.skip(tag, "build/hostsim not built")
        return
    work = tempfile.mkdtemp(prefix=f"anyvm-netblk-{name}-")
    try:
        run_in(work, tag, profile, kernel, rep, extra_cmdline)
    finally:
        if keep:
            print(f"  images kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def pvh_copy(kernel, work):
    """A copy of the image with its multiboot magic zeroed: QEMU, which tries
    multiboot first, then boots it through its PVH loader (ENVIRONMENT.md)."""
    out = os.path.join(work, "kernel-pvh.elf")
    with open(kernel, "rb") as f, open(out, "wb") as g:
        g.write(image.blank_multiboot(f.read()))
    return out


def run_in(work, tag, profile, kernel, rep, extra_cmdline):
    if profile.get("pvh"):
        kernel = pvh_copy(kernel, work)
    units = profile.get("units", UNITS)
    rw, ro = os.path.join(work, "rw.img"), os.path.join(work, "ro.img")
    with open(rw, "wb") as f:
        f.write(pattern(0, units, "A"))
        f.write(pattern(units, RW_BYTES // UNIT - units, "Z"))
    ro_data = pattern(0, RO_BYTES // UNIT, "R")
    with open(ro, "wb") as f:
        f.write(ro_data)

    seconds = profile.get("guest_seconds", GUEST_SECONDS)
    pings = PINGS_SMALL + PINGS_LARGE
    app_args = (f"verify rw A {units} write rw B {units} rotest ro "
                f"ping {GUEST_IP} {pings} {seconds} {UDP_COUNT}")
    ns_name = f"anyvm-nb-{os.getpid()}-{tag.split('/')[-1]}"[:30]
    vm = None
    try:
        with Namespace(ns_name) as ns:
            argv = ns.cmd(*vmm_argv(profile, kernel, rw, ro, app_args, extra_cmdline))
            if rep.verbose:
                print("  $ " + " ".join(argv))
            vm = VM(argv, rep.verbose)
            ready = vm.wait_line(r"devinfo: ping: answering as|devinfo: FAIL ping",
                                 profile.get("boot_timeout", 60))
            if not rep.check(f"{tag}/guest-ready", ready is not None and "answering" in ready,
                             "the guest never started answering"):
                vm.kill()
                tail = "\n".join(vm.lines[-20:])
                print(f"  last serial lines:\n{tail}")
                return
            sent, got, out = ping(ns, PINGS_SMALL, 56)
            rep.check(f"{tag}/ping-burst", sent == PINGS_SMALL and got == sent,
                      f"{got} of {sent} answered (wanted {PINGS_SMALL}): {out.strip()[-200:]}")
            sent2, got2, out2 = ping(ns, PINGS_LARGE, 1472, interval="0.05")
            rep.check(f"{tag}/ping-large", sent2 == PINGS_LARGE and got2 == sent2,
                      f"{got2} of {sent2} full-size pings answered: {out2.strip()[-200:]}")
            r = run(ns.cmd(sys.executable, "-c", UDP_CLIENT, str(UDP_COUNT), GUEST_IP))
            m = re.search(r"udp (\d+) (\d+)", r.stdout)
            rep.check(f"{tag}/udp-echo", m is not None and m.group(2) == str(UDP_COUNT),
                      f"echoes: {r.stdout.strip()} {r.stderr.strip()[-200:]}")
            rc = vm.wait(seconds + 30)
    finally:
        if vm is not None:
            vm.kill()
    text = vm.text
    want_rc = 1  # isa-debug-exit / --exit-port: (2*0+1)
    rep.check(f"{tag}/exit-status", rc == want_rc and "anyvm: exit status 0" in text,
              f"VMM exit code {rc}, serial: "
              + next((l for l in reversed(vm.lines) if "exit status" in l or "panic" in l),
                     "no exit line"))
    for action in ("verify", "write", "rotest", "ping"):
        rep.check(f"{tag}/guest-{action}", re.search(rf"^devinfo: PASS {action}\b", text, re.M),
                  "no PASS line; " + "; ".join(l for l in vm.lines if "devinfo: FAIL" in l))
    rep.check(f"{tag}/mac", re.search(rf"^devinfo: net\d: virtio-net, MAC {MAC},", text, re.M),
              "the configured MAC is not listed")
    rep.check(f"{tag}/sector0", re.search(r"^devinfo: blk\d sector 0: 41 4e 59 56 4d 2d 41 .*"
                                          r"\|ANYVM-A 0000000\.", text, re.M),
              "sector 0 of the writable disk did not show pattern A")
    rep.check(f"{tag}/no-trouble", not re.search(r"anyvm: panic|anyvm: exception|virtio.*fail",
                                                 text, re.I),
              "; ".join(l for l in vm.lines if re.search("panic|exception|fail", l, re.I))[:300])
    # UDP from the namespace reaches the TAP with its checksum left partial
    # (the TAP carries the offload the guest negotiated with GUEST_CSUM), so
    # the guest must have completed some; the UDP echoes prove it did so right.
    m = re.search(r"rx checksums completed (\d+), tx checksums offloaded (\d+)", text)
    rep.check(f"{tag}/rx-needs-csum", m is not None and int(m.group(1)) > 0,
              "no received frame was flagged NEEDS_CSUM: " + (m.group(0) if m else "no stats"))
    if m:
        print(f"  note {tag}: rx checksums completed {m.group(1)}, "
              f"tx checksums offloaded {m.group(2)}")
    for i, regex in enumerate(profile.get("expect", [])):
        rep.check(f"{tag}/expect-{i + 1}", re.search(regex, text, re.M),
                  f"no serial line matches /{regex}/")
    if profile.get("rng"):
        m = re.search(r"^devinfo: random: .*, (\d+) bytes from devices", text, re.M)
        rep.check(f"{tag}/rng", m is not None and int(m.group(1)) > 0,
                  "virtio-rng fed nothing to the random pool: " + (m.group(0) if m else "no line"))
    with open(rw, "rb") as f:
        data = f.read()
    bad = first_difference(data[:units * UNIT], 0, "B")
    rep.check(f"{tag}/host-pattern-b", len(data) == RW_BYTES and bad is None,
              f"size {len(data)}, first difference from pattern B at unit/byte {bad}")
    bad = first_difference(data[units * UNIT:], units, "Z")
    rep.check(f"{tag}/host-rest-untouched", bad is None,
              f"pattern Z changed at unit/byte {bad}")
    with open(ro, "rb") as f:
        rep.check(f"{tag}/host-ro-unchanged", f.read() == ro_data, "the read-only image changed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="microvm",
                    help="one of %s, or all" % ", ".join(PROFILES))
    ap.add_argument("--kernel", default=KERNEL)
    ap.add_argument("--keep", action="store_true", help="keep the disk images")
    ap.add_argument("--cmdline", default="", help="kernel parameters added for every profile")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the serial console")
    a = ap.parse_args()
    rep = Report(a.verbose)
    names = list(PROFILES) if a.profile == "all" else a.profile.split(",")
    for n in names:
        if n not in PROFILES:
            ap.error(f"unknown profile {n!r}")
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
        for n in names:
            rep.skip(f"netblk/{n}", "needs root and /dev/net/tun")
    elif not os.path.exists(a.kernel):
        for n in names:
            rep.skip(f"netblk/{n}", f"{a.kernel} not built")
    else:
        for n in names:
            try:
                run_profile(n, PROFILES[n], a.kernel, rep, a.keep, a.cmdline)
            except RuntimeError as e:
                rep.check(f"netblk/{n}/setup", False, str(e))
    print(f"{rep.passed} passed, {rep.failed} failed"
          + (f", {rep.skipped} skipped" if rep.skipped else ""))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
