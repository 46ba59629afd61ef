"""The TCP/IP stack end to end, with apps/netcheck (sockets only) as the
guest: every VM's serial transcript and the traffic it answered are checked.

  * user networking (QEMU's NAT) on microvm and q35: the DHCPv4 lease and the
    IPv6 SLAAC address appear in the boot log; a burst of UDP datagrams sent
    through a forwarded port comes back whole, none lost;
  * a TAP device in a namespace the test makes, on microvm: static IPv4 and
    IPv6 from the command line, names resolved by a real DNS server
    (dnsmasq) in the namespace through the C library's getaddrinfo, an HTTP
    GET over IPv4 and over IPv6 to a server in the namespace (body size and
    checksum compared), and ping -6 to the guest answered.

A VM runs once per profile (the first test starts it; the others read what
it left); every VMM run has a timeout."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import pytest

from anyvm_lib import launch, netns, publish, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "netcheck.elf")
UDP_COUNT = 1000
BOOT_TIMEOUT = 60


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return f"{h:08x}"


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Result:
    lines: list = field(default_factory=list)
    rc: int = None
    echoed: int = 0
    ping6: str = ""
    error: BaseException = None

    @property
    def text(self):
        return "\n".join(self.lines)


def udp_burst(port, count, window=64, timeout=90):
    """Sends count datagrams to 127.0.0.1:port with at most window
    unanswered; returns how many came back intact."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)    # a loaded CI machine runs TCG slowly; a lost datagram still shows
    sent = ok = 0
    pending = {}
    end = time.monotonic() + timeout
    while ok < count and time.monotonic() < end:
        while sent < count and len(pending) < window:
            msg = b"netcheck %6d " % sent + bytes(range(256)) * 2
            pending[msg] = True
            s.sendto(msg, ("127.0.0.1", port))
            sent += 1
        try:
            data, _ = s.recvfrom(4096)
        except socket.timeout:
            break
        if pending.pop(data, None):
            ok += 1
    s.close()
    return ok


def run_user(machine):
    res = Result()
    port = free_port()
    spec = launch.BootSpec(image=KERNEL, target=machine, accel="auto", mem="64M",
                           args=["udpecho", "7", str(UDP_COUNT)],
                           forwards=[publish.Forward("udp", "127.0.0.1", port, 7)])
    with tempfile.TemporaryDirectory(prefix="anyvm-net-") as work:
        argv = launch.prepare(spec, work)
        with vm.Live(argv) as live:
            try:
                if live.wait_line(r"^udpecho 7 ready$", BOOT_TIMEOUT) is None:
                    raise AssertionError("the guest never said it was ready:\n" + live.text)
                live.wait_line(r"\(IPv6 SLAAC\)$", 10)
                res.echoed = udp_burst(port, UDP_COUNT)
                res.rc = live.wait(30)
            except BaseException as e:
                res.error = e
            res.lines = list(live.lines)
    return res


PAGE = os.urandom(200_000)

DNS_CONF = """no-resolv
no-hosts
bind-interfaces
listen-address={ip}
address=/anyvm.test/{ip}
address=/anyvm.test/{ip6}
"""


def run_tap(ns):
    res = Result()
    with tempfile.TemporaryDirectory(prefix="anyvm-net-") as work:
        with open(os.path.join(work, "blob"), "wb") as f:
            f.write(PAGE)
        conf = os.path.join(work, "dnsmasq.conf")
        with open(conf, "w") as f:
            f.write(DNS_CONF.format(ip=netns.HOST_IP, ip6="fd00::1"))
        servers = [
            subprocess.Popen(ns.cmd(shutil.which("dnsmasq") or "/usr/sbin/dnsmasq",
                                    "--keep-in-foreground", "--conf-file=" + conf,
                                    "--pid-file=" + os.path.join(work, "pid")),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            subprocess.Popen(ns.cmd(sys.executable, "-m", "http.server", "--bind", "::", "8000"),
                             cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        ]
        try:
            params = (f"net.ip={netns.GUEST_IP}/24 net.gw={netns.HOST_IP} "
                      f"net.dns={netns.HOST_IP} net.ip6=fd00::2/64")
            spec = launch.BootSpec(image=KERNEL, target="microvm", accel="auto", mem="64M",
                                   cmdline="console=ttyS0 " + params,
                                   args=["wait", "2", "resolve", "anyvm.test", "get",
                                         "anyvm.test", "8000", "/blob", "get", "fd00::1", "8000",
                                         "/blob", "wait", "4"])
            argv = launch.prepare(spec, work) + [
                "-netdev", f"tap,id=t0,ifname={netns.TAP},script=no,downscript=no,vnet_hdr=on",
                "-device", f"virtio-net-device,netdev=t0,mac={netns.MAC}"]
            with vm.Live(ns.cmd(*argv)) as live:
                try:
                    if live.wait_line(r"^get 200 ", BOOT_TIMEOUT) is None:
                        raise AssertionError("no HTTP GET answered:\n" + live.text)
                    r = subprocess.run(ns.cmd("ping", "-6", "-n", "-c", "5", "-i", "0.2", "-W",
                                              "2", "fd00::2"),
                                       capture_output=True, text=True, timeout=30)
                    res.ping6 = r.stdout + r.stderr
                    res.rc = live.wait(60)
                except BaseException as e:
                    res.error = e
                res.lines = list(live.lines)
        finally:
            for p in servers:
                p.kill()
                p.wait()
    return res


_runs = {}


def result(key, make):
    if key not in _runs:
        try:
            _runs[key] = make()
        except BaseException as e:
            _runs[key] = Result(error=e)
    r = _runs[key]
    if r.error is not None:
        raise AssertionError(f"the {key} run failed: {r.error!r}\n" + r.text[-3000:])
    return r


USER = [pytest.param(m, id=m, marks=pytest.mark.xdist_group(f"net-user-{m}"))
        for m in ("microvm", "q35")]


@pytest.mark.parametrize("machine", USER)
def test_dhcp_and_slaac(machine):
    r = result(machine, lambda: run_user(machine))
    assert re.search(r"^net0: 10\.0\.2\.15/24 gw 10\.0\.2\.2 dns 10\.0\.2\.3 \(DHCP\)$", r.text,
                     re.M), r.text
    assert re.search(r"^net0: fe80::5054:ff:fe12:3456 \(IPv6 link-local\)$", r.text, re.M), r.text
    assert re.search(r"^net0: fec0::5054:ff:fe12:3456 \(IPv6 SLAAC\)$", r.text, re.M), r.text


@pytest.mark.parametrize("machine", USER)
def test_udp_burst_echoed_whole(machine):
    r = result(machine, lambda: run_user(machine))
    assert r.echoed == UDP_COUNT, r.text[-2000:]
    assert f"udpecho 7 {UDP_COUNT} echoed" in r.lines
    assert r.lines[-1] == "anyvm: exit status 0" and r.rc == 1, r.text[-2000:]
    stats = [l for l in r.lines if l.startswith("net.stats: recv/xmit")]
    assert stats and "udp " in stats[0], r.text[-2000:]


@pytest.fixture(scope="module")
def tap_run(namespace):
    return result("tap", lambda: run_tap(namespace))


@pytest.mark.xdist_group("net-tap")
def test_static_addresses(tap_run):
    t = tap_run.text
    assert re.search(r"^net0: 10\.0\.0\.2/24 gw 10\.0\.0\.1 dns 10\.0\.0\.1 \(static\)$", t, re.M), t
    assert re.search(r"^net0: fd00::2 \(IPv6 static\)$", t, re.M), t


@pytest.mark.xdist_group("net-tap")
def test_dns_through_getaddrinfo(tap_run):
    got = sorted(l for l in tap_run.lines if l.startswith("resolve anyvm.test "))
    assert got == ["resolve anyvm.test 10.0.0.1", "resolve anyvm.test fd00::1"], tap_run.text


@pytest.mark.xdist_group("net-tap")
def test_http_get_over_ipv4_and_ipv6(tap_run):
    want = f"get 200 {len(PAGE)} {fnv1a(PAGE)}"
    assert [l for l in tap_run.lines if l.startswith("get ")] == [want, want], tap_run.text


@pytest.mark.xdist_group("net-tap")
def test_ping6_answered(tap_run):
    assert re.search(r"5 packets transmitted, 5 received", tap_run.ping6), tap_run.ping6
    assert tap_run.lines[-1] == "anyvm: exit status 0", tap_run.text[-2000:]


@pytest.mark.xdist_group("net-tap")
def test_tcp_checksums_offloaded_on_tap(tap_run):
    """QEMU's TAP back end with the virtio-net header offers CSUM: the
    guest's TCP segments leave their checksum to it (and the GETs above
    only worked if it was right)."""
    m = re.search(r"^net\.stats: net0 .* (\d+) checksums offloaded, \d+ renotified\)$", tap_run.text, re.M)
    assert m and int(m.group(1)) > 0, tap_run.text[-2000:]
