"""Block and network tests of build/devinfo.elf on each VMM profile. For
each profile one VM runs (the first of its tests starts it; the others read
what it left):

  * two disk images: a writable one whose first UNITS 512-byte units hold
    pattern A (the rest pattern Z), and a read-only one holding pattern R;
  * the VMM runs inside a network namespace of its own (the `namespace`
    fixture) and opens its TAP device at 10.0.0.1/24;
  * the guest runs `devinfo -- verify rw A UNITS write rw B UNITS rotest ro
    remove ro ping 10.0.0.2 COUNT SECONDS UDP remove net0`: it checks pattern
    A, writes pattern B and flushes, checks that a write to the read-only disk
    is refused, removes that disk at run time (the driver lets go, the kernel
    forgets it and carries on), answers ARP, ICMP echo and UDP echo as
    10.0.0.2, and finally removes the NIC;
  * from the namespace the test sends a counted burst of pings (small ones,
    then full-size ones) and UDP echo datagrams.

Profiles with an Intel NIC (drivers/e1000: QEMU's e1000 and e1000-82545em on
pc, e1000e behind a PCIe root port on q35) run the same actions with the
NIC in place of virtio-net, the 82574L once in each interrupt mode it has
(MSI-X; MSI through pci.nomsix; INTx through pci.nomsi; QEMU gives the
8254x models INTx only). Where a profile says link_flap, the test takes the
NIC's link down and up again through QMP (set_link) once the guest
answers, and the guest must report both changes before the traffic starts.
The host also reads every reply on the TAP (which then has no vnet_hdr, so
QEMU finishes every checksum itself) and checks its checksum, since ping(8)
counts a reply whatever its checksum; and the driver's summary at removal
must count the frames both ways and the checksums the device inserted.

The tests, test_netblk[PROFILE-CHECK], check every ping and datagram was
answered, the VM ended with status 0, the serial output (the configured
MAC, sector 0's pattern-A text, a PASS line per action, received NEEDS_CSUM
frames completed by the guest, how the devices were found) and, on the
host, the writable image (pattern B where written, Z beyond) and the
read-only one (unchanged). An exception while the VM runs (a command that
times out, a namespace that cannot be made) fails every test of the
profile with its reason; the VMM is killed and the namespace and the
images are removed however the tests end.

The pattern, byte j of 512-byte unit i under tag T (apps/devinfo/pattern.c):
  j < 16: the text "ANYVM-T %07u\\n" % (i % 10**7); j >= 16: (i*7 + j + ord(T)) & 0xff
"""

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field

import pytest

import pattern
import traffic
from anyvm_lib import devices, hostsim, netns, vm
from link import link_flap
from nic_checks import (PINGS_LARGE, PINGS_SMALL, UDP_COUNT, answered, check_exit_status,
                        check_guest_action, check_link_flap, check_ping_burst,
                        check_ping_large, check_reply_checksums, check_udp_echo)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "devinfo.elf")

UNITS = 2048                 # 1 MiB checked and rewritten
RW_BYTES = 4 * 1024 * 1024   # the writable image; beyond UNITS: pattern Z
RO_BYTES = 1024 * 1024
GUEST_SECONDS = 60           # how long the guest answers before it gives up
BOOT_TIMEOUT = 60            # until the guest answers

# Each profile: a device setup of anyvm_lib.devices, kernel parameters, and
# what the guest is expected to print about how it found the devices.
PROFILES = {
    "microvm": dict(setup="microvm",
                    expect=[r"^virtio-mmio: \d+ devices described by the ACPI DSDT$"]),
    "microvm-noacpi": dict(setup="microvm-noacpi",
                           expect=[r"^virtio-mmio: \d+ devices described by the command line$",
                                   r"^interrupts: 8259 PIC"]),
    # Receive buffers of 256 bytes: every large frame spans several (MRG_RXBUF).
    "microvm-merge": dict(setup="microvm", params="virtio_net.rx_buffer_size=256"),
    "q35": dict(setup="q35", params="pci.list",
                expect=[r"^pci: 01:00\.0 1af4:1042 class .* irq msix .* \(2 vectors\), "
                        r"driver virtio-pci$",
                        r"^pci: 03:00\.0 1af4:1041 class .* irq msix .* \(4 vectors\), "
                        r"driver virtio-pci$"]),
    "pc": dict(setup="pc", params="pci.list",
               expect=[r"^pci: 00:0\d\.0 1af4:1001 class .*driver virtio-pci$",
                       r"^pci: 00:0\d\.0 1af4:1000 class .*driver virtio-pci$"]),
    # QEMU's default virtio-mmio devices: the legacy interface (version 1).
    "microvm-legacy": dict(setup="microvm-legacy",
                           expect=[r"^virtio-mmio: 0x[0-9a-f]+ irq \d+ device 2 \(block\), "
                                   r"legacy interface$",
                                   r"^virtio-mmio: 0x[0-9a-f]+ irq \d+ device 1 \(net\), "
                                   r"legacy interface$",
                                   r"^virtio-net mmio .*: features legacy ANY_LAYOUT "]),
    # Legacy-only virtio-pci: the I/O BAR, MSI-X; the NIC without ANY_LAYOUT,
    # so each header has a descriptor of its own.
    "pc-legacy": dict(setup="pc-legacy", params="pci.list",
                      expect=[r"^virtio-pci 00:0\d\.0: device 2 \(block\), legacy interface "
                              r"\(I/O ports ",
                              r"^virtio-pci 00:0\d\.0: device 1 \(net\), legacy interface "
                              r"\(I/O ports ",
                              r"^virtio-net pci .*: features legacy MRG_RXBUF ",
                              r"^pci: 00:0\d\.0 1af4:1000 class .* irq msix .*driver virtio-pci$"]),
    # The same on INTx: the device configuration at offset 20.
    "pc-legacy-intx": dict(setup="pc-legacy", params="pci.list pci.nomsi",
                           expect=[r"^pci: 00:0\d\.0 1af4:1000 class .* irq intx .*driver "
                                   r"virtio-pci$",
                                   r"^pci: 00:0\d\.0 1af4:1001 class .* irq intx .*driver "
                                   r"virtio-pci$"]),
    # Intel NICs (drivers/e1000) with virtio disks. The driver's line says
    # which interrupt mode it got; QEMU's 8254x models have no MSI or MSI-X.
    "pc-e1000": dict(setup="pc-e1000", params="pci.list", nic_driver="e1000", link_flap=True,
                     expect=[r"^e1000 00:0\d\.0: 82540EM, interrupts intx \(1 vector\)",
                             r"^pci: 00:0\d\.0 8086:100e class .* irq intx .*driver e1000$"]),
    "pc-e1000-82545em": dict(setup="pc-e1000-82545em", params="pci.list", nic_driver="e1000",
                             expect=[r"^e1000 00:0\d\.0: 82545EM, interrupts intx \(1 vector\)",
                                     r"^pci: 00:0\d\.0 8086:100f class .*driver e1000$"]),
    "q35-e1000e": dict(setup="q35-e1000e", params="pci.list", nic_driver="e1000e", link_flap=True,
                       expect=[r"^e1000 0\d:00\.0: 82574L, interrupts msix \(3 vectors\)",
                               r"^pci: 0\d:00\.0 8086:10d3 class .* irq msix .* \(3 vectors\), "
                               r"driver e1000$"]),
    "q35-e1000e-msi": dict(setup="q35-e1000e", params="pci.list pci.nomsix", nic_driver="e1000e",
                           expect=[r"^e1000 0\d:00\.0: 82574L, interrupts msi \(1 vector\)"]),
    "q35-e1000e-intx": dict(setup="q35-e1000e", params="pci.list pci.nomsi", nic_driver="e1000e",
                            expect=[r"^e1000 0\d:00\.0: 82574L, interrupts intx \(1 vector\)"]),
    # The PVM emulator here runs 1-2 M guest instructions a second: less
    # data to check, more time.
    "hostsim": dict(setup="hostsim", units=256, guest_seconds=240, boot_timeout=240),
}


@dataclass
class Run:
    """What one profile's VM did."""
    profile: str
    units: int
    argv: list = None
    ready: str = None            # the line that said the guest answers (or failed)
    pings_small: tuple = None    # (sent, received, output)
    pings_large: tuple = None
    udp: tuple = None            # (sent, echoed, output)
    link: str = None             # what went wrong taking the link down and up (None: fine)
    replies: traffic.ReplyChecksums = None  # the replies' checksums, read on the host
    rc: int = None               # VMM exit code; None: killed
    lines: list = field(default_factory=list)
    stderr: str = ""
    rw: bytes = b""
    ro_changed: bool = None
    error: BaseException = None  # what broke the run itself

    @property
    def text(self):
        return "\n".join(self.lines)

    def tail(self, n=20):
        return "\n".join(self.lines[-n:])


def run_profile(name, ns, work):
    prof = PROFILES[name]
    run = Run(name, prof.get("units", UNITS))
    rw, ro = os.path.join(work, "rw.img"), os.path.join(work, "ro.img")
    with open(rw, "wb") as f:
        f.write(pattern.units(0, run.units, "A"))
        f.write(pattern.units(run.units, RW_BYTES // pattern.UNIT - run.units, "Z"))
    ro_data = pattern.units(0, RO_BYTES // pattern.UNIT, "R")
    with open(ro, "wb") as f:
        f.write(ro_data)
    seconds = prof.get("guest_seconds", GUEST_SECONDS)
    n = str(run.units)
    app_args = ["verify", "rw", "A", n, "write", "rw", "B", n, "rotest", "ro", "remove", "ro",
                "ping", netns.GUEST_IP, str(PINGS_SMALL + PINGS_LARGE), str(seconds),
                str(UDP_COUNT), "remove", "net0"]
    disks = [devices.Disk(rw, serial="anyvm-rw"), devices.Disk(ro, readonly=True,
                                                                serial="anyvm-ro")]
    boot_timeout = prof.get("boot_timeout", BOOT_TIMEOUT)
    qmp_path = os.path.join(work, "qmp.sock") if prof.get("link_flap") else None
    run.argv = ns.cmd(*devices.argv(prof["setup"], KERNEL, app_args, work, disks=disks,
                                    nic=devices.Nic(netns.TAP, netns.MAC),
                                    params=prof.get("params", ""), timeout=boot_timeout,
                                    qmp=qmp_path))
    with vm.Live(run.argv) as v:
        try:
            run.ready = v.wait_line(r"devinfo: ping: answering as|devinfo: FAIL ping|"
                                    r"anyvm: (exit status|panic)", boot_timeout)
            if run.ready and "answering" in run.ready:
                if qmp_path:
                    run.link = link_flap(v, qmp_path)
                with contextlib.ExitStack() as stack:
                    if "nic_driver" in prof:
                        run.replies = stack.enter_context(traffic.ReplyChecksums(
                            ns, PINGS_SMALL + PINGS_LARGE + UDP_COUNT))
                    run.pings_small = traffic.ping(ns, PINGS_SMALL, 56)
                    run.pings_large = traffic.ping(ns, PINGS_LARGE, 1472, interval="0.05")
                    run.udp = traffic.udp_echo(ns, UDP_COUNT)
                run.rc = v.wait(seconds + 30)
        finally:
            v.kill()
            run.lines, run.stderr = list(v.lines), v.stderr_text
    with open(rw, "rb") as f:
        run.rw = f.read()
    with open(ro, "rb") as f:
        run.ro_changed = f.read() != ro_data
    return run


@pytest.fixture(scope="module")
def netblk_runs(namespace):
    """run(profile): the profile's Run, made on first use. The images live
    in a directory removed when the module's tests are done."""
    if not os.path.exists(KERNEL):
        pytest.fail("build/devinfo.elf is not built (make apps)", pytrace=False)
    work = tempfile.mkdtemp(prefix="anyvm-netblk-")
    runs = {}

    def run(profile):
        if profile not in runs:
            if PROFILES[profile]["setup"] == "hostsim" and \
                    not os.access(hostsim.HOSTSIM, os.X_OK):
                pytest.fail("build/hostsim is not built (make hostsim)", pytrace=False)
            sub = os.path.join(work, profile)
            os.makedirs(sub)
            try:
                runs[profile] = run_profile(profile, namespace, sub)
            except Exception as e:       # every test of the profile reports it
                runs[profile] = Run(profile, 0, error=e)
        r = runs[profile]
        if r.error is not None:
            pytest.fail(f"the {profile} run failed: {type(r.error).__name__}: {r.error}",
                        pytrace=False)
        print("$ " + " ".join(r.argv))
        print(r.text)
        return r
    try:
        yield run
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- the checks: each takes the Run and the profile and asserts (the ones
# every NIC test shares are in nic_checks.py) ----

def check_guest_ready(run, prof):
    answered(run)


def check_mac(run, prof):
    driver = prof.get("nic_driver", "virtio-net")
    assert re.search(rf"^devinfo: net\d: {driver}, MAC {netns.MAC},", run.text, re.M), \
        f"the configured MAC is not listed for a {driver} device"


def check_e1000_counters(run, prof):
    # The driver's summary at removal: frames both ways, and the UDP echoes
    # sent with the checksum left to the device (the host's UDP client
    # would have dropped any with a wrong one).
    m = re.search(r"^e1000 net0: received (\d+) frames .* sent (\d+) frames, (\d+) with the "
                  r"checksum inserted", run.text, re.M)
    assert m is not None, "no e1000 summary line at removal"
    assert int(m.group(1)) >= PINGS_SMALL + PINGS_LARGE + UDP_COUNT, m.group(0)
    assert int(m.group(2)) >= PINGS_SMALL + PINGS_LARGE + UDP_COUNT, m.group(0)
    assert int(m.group(3)) >= UDP_COUNT, m.group(0)


def check_sector0(run, prof):
    assert re.search(r"^devinfo: blk\d sector 0: 41 4e 59 56 4d 2d 41 .*\|ANYVM-A 0000000\.",
                     run.text, re.M), "sector 0 of the writable disk did not show pattern A"


def check_no_trouble(run, prof):
    bad = [ln for ln in run.lines if re.search(r"anyvm: panic|anyvm: exception|virtio.*fail|"
                                               r"disabled:",
                                               ln, re.I)]
    assert not bad, "; ".join(bad)[:500]


def check_rx_needs_csum(run, prof):
    # UDP from the namespace reaches the TAP with its checksum left partial
    # (the TAP carries the offload the guest negotiated with GUEST_CSUM), so
    # the guest must have completed some; the UDP echoes prove it did so right.
    m = re.search(r"rx checksums completed (\d+), tx checksums offloaded (\d+)", run.text)
    assert m is not None and int(m.group(1)) > 0, \
        "no received frame was flagged NEEDS_CSUM: " + (m.group(0) if m else "no stats line")


def check_discovery(run, prof):
    missing = [rx for rx in prof["expect"] if not re.search(rx, run.text, re.M)]
    assert not missing, "no serial line matches " + ", ".join(f"/{rx}/" for rx in missing)


def check_rng(run, prof):
    m = re.search(r"^devinfo: random: .*, (\d+) bytes from devices", run.text, re.M)
    assert m is not None and int(m.group(1)) > 0, \
        "virtio-rng fed nothing to the random pool: " + (m.group(0) if m else "no line")


def check_host_pattern_b(run, prof):
    assert len(run.rw) == RW_BYTES, f"the writable image is {len(run.rw)} bytes, not {RW_BYTES}"
    bad = pattern.first_difference(run.rw[:run.units * pattern.UNIT], 0, "B")
    assert bad is None, f"first difference from pattern B at (unit, byte) {bad}"


def check_host_rest_untouched(run, prof):
    bad = pattern.first_difference(run.rw[run.units * pattern.UNIT:], run.units, "Z")
    assert bad is None, f"pattern Z changed at (unit, byte) {bad}"


def check_host_ro_unchanged(run, prof):
    assert run.ro_changed is False, "the read-only image changed"


CHECKS = {
    "guest-ready": check_guest_ready,
    "ping-burst": check_ping_burst,
    "ping-large": check_ping_large,
    "udp-echo": check_udp_echo,
    "exit-status": check_exit_status,
    "guest-verify": check_guest_action("verify"),
    "guest-write": check_guest_action("write"),
    "guest-rotest": check_guest_action("rotest"),
    "guest-ping": check_guest_action("ping"),
    "guest-remove-disk": check_guest_action(r"remove blk\d+"),
    "guest-remove-nic": check_guest_action(r"remove net\d+"),
    "mac": check_mac,
    "link-flap": check_link_flap,
    "e1000-counters": check_e1000_counters,
    "reply-checksums": check_reply_checksums,
    "sector0": check_sector0,
    "no-trouble": check_no_trouble,
    "rx-needs-csum": check_rx_needs_csum,
    "discovery": check_discovery,
    "rng": check_rng,
    "host-pattern-b": check_host_pattern_b,
    "host-rest-untouched": check_host_rest_untouched,
    "host-ro-unchanged": check_host_ro_unchanged,
}


def applies(check, prof):
    if check == "discovery":
        return bool(prof.get("expect"))
    if check == "rng":
        return devices.SETUPS[prof["setup"]].rng
    if check == "rx-needs-csum":    # virtio-net's NEEDS_CSUM frames
        return "nic_driver" not in prof
    if check == "link-flap":
        return bool(prof.get("link_flap"))
    if check in ("e1000-counters", "reply-checksums"):
        return "nic_driver" in prof
    return True


PARAMS = [pytest.param(p, c, id=f"{p}-{c}", marks=pytest.mark.xdist_group(f"netblk-{p}"))
          for p, prof in PROFILES.items() for c in CHECKS if applies(c, prof)]


@pytest.mark.parametrize("profile,check", PARAMS)
def test_netblk(netblk_runs, profile, check):
    CHECKS[check](netblk_runs(profile), PROFILES[profile])
