"""vmxnet3 end to end: build/devinfo.elf with a vmxnet3 NIC (and no disk) on
QEMU (TCG unless hardware KVM is loaded), the VMM inside a network namespace with its TAP device at
10.0.0.1/24, the same machinery as test_netblk.py. One VM per profile:

  * `pc`: vmxnet3 on the conventional PCI bus, MSI-X. Before any traffic
    the test turns the link off and on again through QMP (set_link) and
    waits for the guest to log each change;
  * `q35`: vmxnet3 behind a pcie-root-port (VMware's layout), MSI-X;
  * `q35-intx`: the same with `pci.nomsi`: INTx through the root port;
  * `pc-msi`: `pci.nomsix` (bus/pci): MSI;
  * `pc-intx`: `pci.nomsi`: INTx.

The guest runs `devinfo -- ping 10.0.0.2 COUNT SECONDS UDP remove net0`:
it answers ARP, ICMP echo and UDP echo, then removes the NIC at run time.
From the namespace the test sends 20 small pings, 5 full-size ones and 5
UDP echo datagrams. The checks: every ping and datagram answered; every
reply read on the TAP with a correct checksum (the TAP has no vnet_hdr, so
QEMU inserts the UDP checksums the guest left to the device, the guest
completes ICMP's itself, and ping(8) alone would count a reply whatever
its checksum); the UDP echoes sent with checksum offload; the configured
MAC in the guest's inventory; the interrupt mode the guest says it used;
devinfo's PASS lines; exit status 0; and no disabled device or panic in
the serial output."""

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field

import pytest

import traffic
from anyvm_lib import devices, netns, vm
from link import link_flap
from nic_checks import (PINGS_LARGE, PINGS_SMALL, UDP_COUNT, check_exit_status,
                        check_guest_action, check_link_flap, check_ping_burst,
                        check_ping_large, check_reply_checksums, check_udp_echo)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "devinfo.elf")

GUEST_SECONDS = 60
BOOT_TIMEOUT = 60

PC_BDF, Q35_BDF = r"00:0\d\.0", r"0[1-9]:00\.0"   # behind a root port: a bus of its own


def expect(bdf, mode, vectors):
    """What the guest prints about the NIC it found: the driver's probe line
    and pci.list's (the interrupt mode as pci.list names it)."""
    n = f"{vectors} vector" + ("s" if vectors > 1 else "")
    return [rf"^vmxnet3 {bdf}: revision 1, UPT 1, MAC {netns.MAC}, interrupts {mode} \({n}\), ",
            rf"^pci: {bdf} 15ad:07b0 class .* irq {mode} .*driver vmxnet3$"]


PROFILES = {
    "pc": dict(setup="vmxnet3-pc", params="pci.list", link_flap=True,
               expect=expect(PC_BDF, "msix", 3)),
    "q35": dict(setup="vmxnet3-q35", params="pci.list", expect=expect(Q35_BDF, "msix", 3)),
    # INTx through the root port's swizzle, as on VMware's layout.
    "q35-intx": dict(setup="vmxnet3-q35", params="pci.list pci.nomsi",
                     expect=expect(Q35_BDF, "intx", 1)),
    "pc-msi": dict(setup="vmxnet3-pc", params="pci.list pci.nomsix",
                   expect=expect(PC_BDF, "msi", 1)),
    "pc-intx": dict(setup="vmxnet3-pc", params="pci.list pci.nomsi",
                    expect=expect(PC_BDF, "intx", 1)),
}


@dataclass
class Run:
    profile: str
    argv: list = None
    ready: str = None
    link: str = None             # what went wrong taking the link down and up (None: fine)
    replies: traffic.ReplyChecksums = None  # the replies' checksums, read on the host
    pings_small: tuple = None
    pings_large: tuple = None
    udp: tuple = None
    rc: int = None
    lines: list = field(default_factory=list)
    error: BaseException = None

    @property
    def text(self):
        return "\n".join(self.lines)

    def tail(self, n=20):
        return "\n".join(self.lines[-n:])


def run_profile(name, ns, work):
    prof = PROFILES[name]
    run = Run(name)
    qmp_path = os.path.join(work, "qmp.sock") if prof.get("link_flap") else None
    app_args = ["ping", netns.GUEST_IP, str(PINGS_SMALL + PINGS_LARGE), str(GUEST_SECONDS),
                str(UDP_COUNT), "remove", "net0"]
    run.argv = ns.cmd(*devices.argv(prof["setup"], KERNEL, app_args, work,
                                    nic=devices.Nic(netns.TAP, netns.MAC),
                                    params=prof["params"], qmp=qmp_path))
    with vm.Live(run.argv) as v:
        try:
            run.ready = v.wait_line(r"devinfo: ping: answering as|devinfo: FAIL ping|"
                                    r"anyvm: (exit status|panic)", BOOT_TIMEOUT)
            if run.ready and "answering" in run.ready:
                if qmp_path:
                    run.link = link_flap(v, qmp_path)
                with traffic.ReplyChecksums(ns, PINGS_SMALL + PINGS_LARGE + UDP_COUNT) as \
                        run.replies:
                    run.pings_small = traffic.ping(ns, PINGS_SMALL, 56)
                    run.pings_large = traffic.ping(ns, PINGS_LARGE, 1472, interval="0.05")
                    run.udp = traffic.udp_echo(ns, UDP_COUNT)
                run.rc = v.wait(GUEST_SECONDS + 30)
        finally:
            v.kill()
            run.lines = list(v.lines)
    return run


@pytest.fixture(scope="module")
def vmxnet3_runs(namespace):
    if not os.path.exists(KERNEL):
        pytest.fail("build/devinfo.elf is not built (make apps)", pytrace=False)
    work = tempfile.mkdtemp(prefix="anyvm-vmxnet3-")
    runs = {}

    def run(profile):
        if profile not in runs:
            sub = os.path.join(work, profile)
            os.makedirs(sub)
            try:
                runs[profile] = run_profile(profile, namespace, sub)
            except Exception as e:       # every test of the profile reports it
                runs[profile] = Run(profile, error=e)
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


def check_mac(run, prof):
    assert re.search(rf"^devinfo: net\d: vmxnet3, MAC {netns.MAC},", run.text, re.M), \
        "the configured MAC is not listed"


def check_mode(run, prof):
    missing = [rx for rx in prof["expect"] if not re.search(rx, run.text, re.M)]
    assert not missing, "no serial line matches " + ", ".join(f"/{rx}/" for rx in missing)


def check_no_trouble(run, prof):
    bad = [ln for ln in run.lines
           if re.search(r"anyvm: panic|anyvm: exception|disabled:|vmxnet3.*(fail|refused)",
                        ln, re.I)]
    assert not bad, "; ".join(bad)[:500]


def check_counters(run, prof):
    # The driver's summary at removal: frames both ways (every echo request,
    # datagram and ARP request in, a reply to each out) and the UDP echoes
    # sent with the checksum left to the device.
    m = re.search(r"^vmxnet3 net0: removed: received (\d+) frames \((\d+) errors, \d+ "
                  r"dropped\), sent (\d+) frames \((\d+) with the checksum left to the device",
                  run.text, re.M)
    assert m is not None, "no vmxnet3 summary line at removal"
    want = PINGS_SMALL + PINGS_LARGE + UDP_COUNT
    assert int(m.group(1)) >= want and int(m.group(2)) == 0, m.group(0)
    assert int(m.group(3)) >= want and int(m.group(4)) >= UDP_COUNT, m.group(0)


def check_tx_offloaded(run, prof):
    # The UDP echoes went out with the checksum left to the device.
    m = re.search(r"^devinfo: net0 stats: .*tx checksums offloaded (\d+)$", run.text, re.M)
    assert m is not None and int(m.group(1)) >= UDP_COUNT, \
        "no UDP echo was sent with checksum offload: " + (m.group(0) if m else "no stats line")


CHECKS = {
    "ping-burst": check_ping_burst,
    "ping-large": check_ping_large,
    "udp-echo": check_udp_echo,
    "exit-status": check_exit_status,
    "mac": check_mac,
    "mode": check_mode,
    "guest-ping": check_guest_action("ping"),
    "guest-remove-nic": check_guest_action(r"remove net\d+"),
    "no-trouble": check_no_trouble,
    "link-flap": check_link_flap,
    "reply-checksums": check_reply_checksums,
    "tx-offloaded": check_tx_offloaded,
    "counters": check_counters,
}


def applies(check, prof):
    return check != "link-flap" or prof.get("link_flap", False)


PARAMS = [pytest.param(p, c, id=f"{p}-{c}", marks=pytest.mark.xdist_group(f"vmxnet3-{p}"))
          for p, prof in PROFILES.items() for c in CHECKS if applies(c, prof)]


@pytest.mark.parametrize("profile,check", PARAMS)
def test_vmxnet3(vmxnet3_runs, profile, check):
    CHECKS[check](vmxnet3_runs(profile), PROFILES[profile])
