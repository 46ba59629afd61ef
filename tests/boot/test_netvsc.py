"""Hyper-V's synthetic NIC end to end: the kernel's netvsc driver
(drivers/netvsc) against build/hostsim's network VSP (hostsim/vmbus/netvsp*)
on a TAP device inside a network namespace the test makes
(anyvm_lib.netns: tap0 at 10.0.0.1/24, the guest 10.0.0.2). Few boots, each
checking several things:

  * devinfo answering as 10.0.0.2: the NIC found (NVSP 6.1, the MAC given
    with --nic, MTU 1500, checksum offload), the link taken down and up by
    --netvsc-link and seen by the guest, then ARP, a counted ping burst and
    UDP echo from the namespace, every reply's checksum checked on the TAP;
    exit status 0;
  * httpd: 100 keep-alive requests with curl on one connection (every body
    the same as the first, the connection reused), then pings flowing while
    --vmbus-rescind takes the NIC away: the netdev goes, the kernel runs on
    and shuts down through the shutdown service on SIGTERM;
  * every --misbehave netvsc-* fault: the guest logs it, disables the NIC
    and closes its channel, and still shuts down on SIGTERM.

hostsim runs on /dev/kvm; every run and command has a timeout; nothing is
timed."""

import os
import re
import signal
import subprocess
import time

import pytest

import traffic
from anyvm_lib import hostsim, netns, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEVINFO = os.path.join(ROOT, "build", "devinfo.elf")
HTTPD = os.path.join(ROOT, "build", "httpd.elf")
GUEST_TIMEOUT = 150
BOOT_TIMEOUT = 60
MAC = "00:15:5d:12:34:56"
PINGS, UDP = 20, 10
LINK_DOWN, LINK_UP = 8, 10      # seconds into the run (--netvsc-link)
RESCIND = 25                    # seconds into the httpd run (--vmbus-rescind)

pytestmark = pytest.mark.xdist_group("netvsc-tap")


def need(*paths):
    for p in (hostsim.HOSTSIM, *paths):
        if not os.path.exists(p):
            pytest.fail(f"{os.path.relpath(p, ROOT)} is not built (make hostsim apps)",
                        pytrace=False)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is absent or not accessible (hostsim needs KVM)")
    why = netns.unavailable()
    if why:
        pytest.skip(why)


def argv(kernel, cmdline, *model_args, misbehave=None):
    cmd = hostsim.argv("hyperv", "pvh", kernel, cmdline, "128M", 1, GUEST_TIMEOUT,
                       misbehave=misbehave,
                       model_args=["--nic", f"tap={netns.TAP},mac={MAC}", *model_args])
    return cmd


def has(text, pattern):
    return re.search(pattern, text, re.M) is not None


def show(cmd, rc, v):
    print(f"$ {' '.join(cmd)}\nexit {rc}\n{v.stderr_text}\n{v.text}")


def stop(v):
    """SIGTERM to hostsim: the shutdown service ends the VM; its exit code."""
    v.proc.send_signal(signal.SIGTERM)
    return v.wait(60)


def test_devinfo_arp_ping_udp_and_link_changes():
    need(DEVINFO)
    cmdline = f"console=ttyS0 -- ping {netns.GUEST_IP} {PINGS} 120 {UDP}"
    with netns.Namespace("anyvm-netvsc-ping") as ns:
        cmd = ns.cmd(*argv(DEVINFO, cmdline, "--netvsc-link", f"down@{LINK_DOWN},up@{LINK_UP}"))
        with vm.Live(cmd) as v:
            ready = v.wait_line(r"^devinfo: ping: answering as ", BOOT_TIMEOUT)
            assert ready, "the guest never answered: " + v.text[-2000:]
            # the link changes come while the guest waits for traffic
            assert v.wait_line(r"^net0: link down$", LINK_DOWN + BOOT_TIMEOUT), v.text[-2000:]
            assert v.wait_line(r"^net0: link up$", LINK_UP + BOOT_TIMEOUT), v.text[-2000:]
            with traffic.ReplyChecksums(ns, PINGS + UDP) as rc:
                sent, got, out = traffic.ping(ns, PINGS, 56, interval="0.05")
                usent, uok, uout = traffic.udp_echo(ns, UDP)
            code = v.wait(GUEST_TIMEOUT)
            text = v.text
            show(cmd, code, v)
    assert (sent, got) == (PINGS, PINGS), out
    assert (usent, uok) == (UDP, UDP), uout
    assert rc.counts == {"icmp_ok": PINGS, "icmp_bad": 0, "udp_ok": UDP, "udp_bad": 0}, rc.output
    for pat in [r"^netvsc relid 5 netvsc: NVSP 6\.1, 64 send sections of 6144 bytes, TCP and "
                r"UDP checksum offload$",
                rf"^net0: netvsc, MAC {MAC}, MTU 1500, link up$",
                r"^devinfo:   vmbus relid 5 netvsc: bound, driver netvsc$",
                rf"^devinfo: ping net0: {PINGS} echo, {UDP} udp, [1-9]\d* arp replies",
                r"^devinfo: PASS ping: ",
                r"^anyvm: exit status 0$"]:
        assert has(text, pat), pat
    # ICMP replies completed by the driver, UDP's by the host's TAP
    m = re.search(r"^devinfo: net0 stats: .*tx checksums offloaded (\d+)$", text, re.M)
    assert m and int(m.group(1)) == UDP, text
    assert not has(text, r"disabled|violation|panic")
    assert code == 1                       # exit port: (2 * 0 + 1)


CURL_COUNT = 100


def curl_keepalive(ns, count):
    """count GETs of / on one curl command line: (bodies, new connections
    per transfer, output)."""
    url = f"http://{netns.GUEST_IP}/"
    r = subprocess.run(ns.cmd("curl", "-s", "--max-time", "60", "-w", "\\n@@%{num_connects}@@\\n",
                              *([url] * count)), capture_output=True, text=True, timeout=90)
    parts = r.stdout.split("@@")
    bodies = [p.strip("\n") for p in parts[0::2] if p.strip()]
    connects = [int(p) for p in parts[1::2]]
    return bodies, connects, r.stdout[-500:] + r.stderr


def test_httpd_keepalive_then_a_rescind_while_pings_flow():
    need(HTTPD)
    cmdline = f"console=ttyS0 net.ip={netns.GUEST_IP}/24 net.gw={netns.HOST_IP}"
    with netns.Namespace("anyvm-netvsc-http") as ns:
        cmd = ns.cmd(*argv(HTTPD, cmdline, "--vmbus-rescind", f"netvsc@{RESCIND}"))
        with vm.Live(cmd) as v:
            assert v.wait_line(r"^httpd: listening on port 80", BOOT_TIMEOUT), v.text[-2000:]
            bodies, connects, out = curl_keepalive(ns, CURL_COUNT)
            curl_done_before_rescind = not has(v.text, r"^vmbus: relid 5 rescinded$")
            # pings flow until the NIC is gone
            flood = subprocess.Popen(ns.cmd("ping", "-n", "-q", "-i", "0.05", "-W", "1",
                                            "-w", str(RESCIND + BOOT_TIMEOUT), netns.GUEST_IP),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            removed = v.wait_line(r"^net0: removed$", RESCIND + BOOT_TIMEOUT)
            time.sleep(1)
            flood.send_signal(signal.SIGINT)
            fout = flood.communicate(timeout=30)[0]
            code = stop(v)
            text, err = v.text, v.stderr_text
            show(cmd, code, v)
    assert curl_done_before_rescind, "the rescind came before curl was done (a slow machine?)"
    # the host's KVP enumeration, repeated while the VM runs, learns the address
    assert re.search(r"kvp IC: the guest says NetworkAddressIPv4=" + re.escape(netns.GUEST_IP)
                     + "$", err, re.M), err[-2000:]
    assert re.search(r"kvp IC: the guest says NetworkAddressIPv6=fe80::", err, re.M), err[-2000:]
    assert len(bodies) == CURL_COUNT, out
    assert all(b == bodies[0] for b in bodies) and len(bodies[0]) > 100, out
    assert connects == [1] + [0] * (CURL_COUNT - 1), connects   # one connection, kept alive
    assert removed, text[-2000:]
    m = re.search(r"(\d+) packets transmitted, (\d+) received", fout)
    assert m and int(m.group(2)) > 0, fout          # answered while the NIC was there ...
    assert int(m.group(1)) > int(m.group(2)), fout  # ... and not after it went
    for pat in [r"^vmbus: relid 5 rescinded$",
                r"^netvsc relid 5 netvsc: removed \([1-9]\d* frames in, [1-9]\d* out; host "
                r"checksum verdicts [1-9]\d* good, 0 bad; ",
                r"^hyperv shutdown: the host asks the VM to shut down",
                r"^anyvm: exit status 0$"]:
        assert has(text, pat), pat
    assert not has(text, r"disabled|violation|panic")
    assert code == 1


MISBEHAVE = {
    "netvsc-rndis-len": "an RNDIS msg_len outside the receive section",
    "netvsc-rndis-offset": "RNDIS packet data outside the message",
    "netvsc-recv-section": "a receive section outside the receive buffer",
    "netvsc-wrong-tid": r"a send completion for section \d+ \(id 0x[0-9a-f]+\), which is not "
                        r"in flight",
    "netvsc-unsolicited": r"a completion with transaction id 0x[0-9a-f]+, which no request "
                          r"carried",
}


def test_every_netvsc_fault_has_a_guest_case():
    kinds = {k for k, (backend, _) in hostsim.misbehave_kinds().items() if backend == "netvsc"}
    assert kinds == set(MISBEHAVE)


@pytest.mark.parametrize("kind", sorted(MISBEHAVE))
def test_misbehaving_nic(kind):
    need(HTTPD)
    cmdline = f"console=ttyS0 net.ip={netns.GUEST_IP}/24 net.gw={netns.HOST_IP}"
    with netns.Namespace("anyvm-netvsc-bad") as ns:
        cmd = ns.cmd(*argv(HTTPD, cmdline, misbehave=kind))
        with vm.Live(cmd) as v:
            assert v.wait_line(r"^httpd: listening on port 80", BOOT_TIMEOUT), v.text[-2000:]
            traffic.ping(ns, 3, 56, interval="0.2")     # frames both ways
            line = v.wait_line(r"^vmbus relid 5 netvsc: disabled: netvsc: ", 30)
            code = stop(v)
            text, err = v.text, v.stderr_text
            show(cmd, code, v)
    assert "hostsim: misbehaving now: netvsc: " in err, err
    assert line and re.search(MISBEHAVE[kind], line), text[-2000:]
    assert has(text, r"^net0: link down$")
    assert "violation" not in err                  # the guest closed the channel by the rules
    assert has(text, r"^hyperv shutdown: the host asks the VM to shut down")
    assert has(text, r"^anyvm: exit status 0$") and code == 1
