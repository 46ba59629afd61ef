"""Azure's ready report (net/azure/) end to end under QEMU: build/httpd.elf
on `pc` (SeaBIOS, which puts QEMU's -smbios tables where the kernel looks)
with a virtio-net NIC on the TAP device of a network namespace the test
makes. In the namespace:

  * dnsmasq serves DHCP only (no DNS) on the TAP: the guest gets 10.0.0.2
    with 10.0.0.1 as its gateway, as an Azure VM gets its address;
  * a fake WireServer (wireserver_fake.py) listens on WIRESERVER, an
    address outside the guest's subnet (on the namespace's loopback), so
    the guest reaches it through its gateway, as it reaches 168.63.129.16
    on Azure. The real WireServer is never contacted: the namespace has no
    route out, and every guest that might report is told WIRESERVER.

Checked: with Azure's asset tag (-smbios type=3,asset=...), the guest
fetches the goal state and posts a <Health> report whose ids and
incarnation are the goal state's (the XML parsed here), and says so on the
serial console while httpd answers, booted by -kernel, from the VHD
`anyvm pack azure` writes (SeaBIOS, GRUB) and from its generation 2 VHD
under OVMF (SMBIOS found through UEFI). Failures are logged and tried
again until the report arrives: a refused connection (no server yet), a
goal state answered 500, one too long for the guest's buffer, one whose
ContainerId holds markup. azure.wireserver= alone enables the report (that
run's goal state comes in chunks); with net.ip= the configured address is
used, without DHCP; a guest without the asset tag and without
azure.wireserver= sends nothing and prints no azure line."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET

import pytest

from anyvm_lib import accel, devices, launch, netns, ovmf, qemu, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "httpd.elf")
ANYVM = os.path.join(ROOT, "tools", "anyvm")
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wireserver_fake.py")
WIRESERVER = "10.99.0.1"
AZURE_TAG = "7783-7084-3265-9085-8269-3286-77"
BOOT_TIMEOUT = 60


@pytest.fixture(scope="module")
def dhcp(namespace):
    """The namespace with WIRESERVER on its loopback and dnsmasq handing
    out netns.GUEST_IP on the TAP, for the module's tests."""
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(dnsmasq):
        pytest.skip("no dnsmasq (make setup)")
    r = subprocess.run(namespace.cmd("ip", "addr", "add", f"{WIRESERVER}/32", "dev", "lo"),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        proc = subprocess.Popen(namespace.cmd(
            dnsmasq, "--keep-in-foreground", "-C", "/dev/null", "--port=0", "--user=root",
            f"--interface={netns.TAP}", "--bind-interfaces",
            f"--dhcp-range={netns.GUEST_IP},{netns.GUEST_IP},255.255.255.0,1h",
            "--dhcp-leasefile=" + os.path.join(work, "leases"),
            "--pid-file=" + os.path.join(work, "pid")),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield namespace
        finally:
            proc.kill()
            proc.wait()


def kernel_argv(work, tag, wireserver):
    """httpd booted by QEMU's -kernel."""
    params = ["console=ttyS0"] + ([f"azure.wireserver={wireserver}"] if wireserver else [])
    spec = launch.BootSpec(image=KERNEL, target="pc", accel="auto", mem="64M",
                           cmdline=" ".join(params), tap=devices.Nic(netns.TAP, netns.MAC),
                           extra=["-smbios", f"type=3,asset={tag}"] if tag else [])
    return launch.prepare(spec, work)


def vhd_argv(work, tag, wireserver):
    """httpd packed by `anyvm pack azure` (generation 1), booted from the VHD
    on an IDE disk as Azure's generation 1 VMs boot, SeaBIOS then GRUB."""
    vhd = os.path.join(work, "az1", "httpd.vhd")
    res = subprocess.run([sys.executable, ANYVM, "pack", "azure", KERNEL, "-o",
                          os.path.dirname(vhd), "--cmdline",
                          f"console=ttyS0 azure.wireserver={wireserver}"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return qemu.argv("pc", accel.resolve("auto"), "64M", 1, exit_device=False, extra=[
        "-drive", f"file={vhd},format=vpc,if=ide",
        "-netdev", f"tap,id=n0,ifname={netns.TAP},script=no,downscript=no",
        "-device", f"virtio-net-pci,netdev=n0,mac={netns.MAC}",
        *(["-smbios", f"type=3,asset={tag}"] if tag else [])])


def start_server(ns, log, ids, statuses):
    """The fake WireServer, once it listens."""
    server = subprocess.Popen(ns.cmd(sys.executable, FAKE, WIRESERVER, "80", log,
                                     ids["container"], ids["instance"], ids["incarnation"],
                                     *map(str, statuses)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if server.stdout.readline().strip() != "listening":
        server.kill()
        raise AssertionError("the fake WireServer did not start: " + server.stderr.read())
    return server


def vhd_gen2_argv(work, tag, wireserver):
    """httpd.efi packed by `anyvm pack azure --gen 2`, booted from the VHD
    under OVMF on q35, as Azure's generation 2 VMs boot: the kernel finds
    SMBIOS through UEFI's configuration table, not the BIOS area."""
    vhd = os.path.join(work, "az2", "httpd.vhd")
    res = subprocess.run([sys.executable, ANYVM, "pack", "azure", KERNEL, "--gen", "2", "-o",
                          os.path.dirname(vhd),
                          "--cmdline", f"console=ttyS0 azure.wireserver={wireserver}"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return qemu.argv("q35", accel.resolve("auto"), "128M", 1, exit_device=False,
                     extra=ovmf.pflash_args(work) + [
                         "-drive", f"file={vhd},format=vpc,if=virtio",
                         "-netdev", f"tap,id=n0,ifname={netns.TAP},script=no,downscript=no",
                         "-device", f"virtio-net-pci,netdev=n0,mac={netns.MAC},romfile=",
                         *(["-smbios", f"type=3,asset={tag}"] if tag else [])])


def boot(ns, work, tag, wireserver, statuses=(), make_argv=kernel_argv, late_server=False):
    """Boots httpd with the fake WireServer up (late_server: only once the
    guest's first report has failed); returns (serial lines, the server's
    requests, the goal state's ids, httpd's answer code)."""
    ids = dict(container=str(uuid.uuid4()), instance=f"{uuid.uuid4()}._anyvm-test",
               incarnation="7")
    log = os.path.join(work, "requests.jsonl")
    server = None if late_server else start_server(ns, log, ids, statuses)
    try:
        argv = make_argv(work, tag, wireserver)
        with vm.Live(ns.cmd(*argv)) as live:
            up = live.wait_line(rf"^net0: {re.escape(netns.GUEST_IP)}/24 .*\((DHCP|static)\)$",
                                BOOT_TIMEOUT)
            assert up, "no address:\n" + live.text
            if late_server:
                failed = live.wait_line(r"^azure: ready report failed", BOOT_TIMEOUT)
                assert failed, "no failed report without a server:\n" + live.text
                server = start_server(ns, log, ids, statuses)
            if wireserver or tag == AZURE_TAG:
                live.wait_line(r"^azure: ready reported|^anyvm: (exit|panic)", BOOT_TIMEOUT)
            else:
                live.wait_line(r"^azure: ", 5)   # a report would start within a second
            r = subprocess.run(ns.cmd("curl", "-s", "-o", "/dev/null", "-m", "20", "-w",
                                      "%{http_code}", f"http://{netns.GUEST_IP}/"),
                               capture_output=True, text=True, timeout=30)
            lines = list(live.lines)
    finally:
        if server is not None:
            server.kill()
            server.wait()
    requests = []
    if os.path.exists(log):
        with open(log) as f:
            requests = [json.loads(line) for line in f]
    return lines, requests, ids, r.stdout


def check_report(req, ids):
    assert req["method"] == "POST" and req["path"] == "/machine/?comp=health", req
    assert req["headers"].get("x-ms-version") == "2012-11-30", req
    assert req["headers"].get("content-type", "").startswith("text/xml"), req
    health = ET.fromstring(req["body"])
    assert health.tag == "Health", req["body"]
    assert health.findtext("GoalStateIncarnation") == ids["incarnation"], req["body"]
    assert health.findtext("Container/ContainerId") == ids["container"], req["body"]
    role = health.find("Container/RoleInstanceList/Role")
    assert role is not None, req["body"]
    assert role.findtext("InstanceId") == ids["instance"], req["body"]
    assert role.findtext("Health/State") == "Ready", req["body"]


def check_goal_state_request(req):
    assert req["method"] == "GET" and req["path"] == "/machine/?comp=goalstate", req
    assert req["headers"].get("x-ms-version") == "2012-11-30", req


def test_ready_reported_with_the_goal_states_ids(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, httpd = boot(dhcp, work, AZURE_TAG, WIRESERVER)
    text = "\n".join(lines)
    print(text)
    assert f"azure: will report ready to {WIRESERVER} once an interface has an IPv4 address " \
        "(SMBIOS chassis asset tag)" in lines, text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert not any(l.startswith("azure: ready report failed") for l in lines), text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_goal_state_request(reqs[0])
    check_report(reqs[1], ids)
    assert re.fullmatch(r"[1-5]\d\d", httpd), f"httpd did not answer while reporting: {httpd!r}"


def test_ready_reported_from_the_packed_azure_disk(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, httpd = boot(dhcp, work, AZURE_TAG, WIRESERVER, make_argv=vhd_argv)
    text = "\n".join(lines)
    print(text)
    assert re.search(r"^boot: multiboot \(loader GRUB ", text, re.M), text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_report(reqs[1], ids)
    assert re.fullmatch(r"[1-5]\d\d", httpd), f"httpd did not answer while reporting: {httpd!r}"


def test_ready_reported_from_the_generation_2_disk_under_uefi(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, httpd = boot(dhcp, work, AZURE_TAG, WIRESERVER,
                                       make_argv=vhd_gen2_argv)
    text = "\n".join(lines)
    print(text)
    assert re.search(r"^boot: uefi \(firmware EDK II", text, re.M), text
    # UEFI's configuration table named the entry point (boot/efi/efi_main.c).
    assert re.search(r"^smbios: entry point at 0x[0-9a-f]+$", text, re.M), text
    assert "(SMBIOS chassis asset tag)" in text, text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_report(reqs[1], ids)
    assert re.fullmatch(r"[1-5]\d\d", httpd), f"httpd did not answer while reporting: {httpd!r}"


def test_a_failed_goal_state_is_asked_for_again(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, _ = boot(dhcp, work, AZURE_TAG, WIRESERVER, statuses=[500])
    text = "\n".join(lines)
    print(text)
    failed = [l for l in lines if l.startswith("azure: ready report failed")]
    assert failed == ["azure: ready report failed: goal state: HTTP status 500; retrying in 1s"], \
        text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "GET", "POST"], reqs
    check_goal_state_request(reqs[0])
    check_goal_state_request(reqs[1])
    check_report(reqs[2], ids)


def test_an_answer_too_long_or_malformed_is_refused_and_asked_for_again(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, _ = boot(dhcp, work, AZURE_TAG, WIRESERVER, statuses=["huge", "badid"])
    text = "\n".join(lines)
    print(text)
    failed = [l for l in lines if l.startswith("azure: ready report failed")]
    assert failed == [
        "azure: ready report failed: goal state: the answer is longer than 32768 bytes; "
        "retrying in 1s",
        "azure: ready report failed: goal state: ContainerId holds a character other than a "
        "letter, a digit, '-', '.' or '_'; retrying in 2s"], text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "GET", "GET", "POST"], reqs
    check_report(reqs[3], ids)


def test_a_refused_connection_is_tried_again(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, _ = boot(dhcp, work, AZURE_TAG, WIRESERVER, late_server=True)
    text = "\n".join(lines)
    print(text)
    failed = [l for l in lines if l.startswith("azure: ready report failed")]
    # Nothing listens at first: the namespace's kernel answers the SYN with a reset.
    assert failed and all(re.fullmatch(r"azure: ready report failed: goal state: connection "
                                       r"reset \(refused\?\) \(lwIP error -\d+\); "
                                       r"retrying in \d+s", l) for l in failed), text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_report(reqs[1], ids)


def test_the_parameter_alone_enables_the_report(dhcp):
    """Also: the goal state arrives in chunks."""
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, _ = boot(dhcp, work, None, WIRESERVER, statuses=["chunked"])
    text = "\n".join(lines)
    assert "(azure.wireserver)" in text, text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_report(reqs[1], ids)


def static_argv(work, tag, wireserver):
    """httpd with the address on its command line (net.ip=, net.gw=)."""
    spec = launch.BootSpec(image=KERNEL, target="pc", accel="auto", mem="64M",
                           cmdline=f"console=ttyS0 azure.wireserver={wireserver} "
                                   f"net.ip={netns.GUEST_IP}/24 net.gw={netns.HOST_IP}",
                           tap=devices.Nic(netns.TAP, netns.MAC),
                           extra=["-smbios", f"type=3,asset={tag}"])
    return launch.prepare(spec, work)


def test_a_configured_address_is_used(dhcp):
    """With net.ip= the report goes out from that address, without DHCP."""
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, _ = boot(dhcp, work, AZURE_TAG, WIRESERVER, make_argv=static_argv)
    text = "\n".join(lines)
    assert re.search(rf"^net0: {re.escape(netns.GUEST_IP)}/24 gw {re.escape(netns.HOST_IP)} "
                     r"\(static\)$", text, re.M), text
    assert "DHCP" not in text, text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_report(reqs[1], ids)


def hyperv_argv(work, tag, wireserver):
    """httpd on build/hostsim's Hyper-V host, its NIC the synthetic one
    (netvsc) on the TAP: the path an Azure VM takes. hostsim has no SMBIOS
    table, so the parameter alone names the server."""
    assert tag is None
    spec = launch.BootSpec(image=KERNEL, target="hyperv", mem="64M",
                           cmdline=f"console=ttyS0 azure.wireserver={wireserver}",
                           tap=devices.Nic(netns.TAP, netns.MAC))
    return launch.prepare(spec, work)


def test_ready_reported_over_netvsc_on_hostsims_hyperv(dhcp):
    """DHCP, then the goal state and the report, through Hyper-V's
    synthetic NIC on the VMBus of hostsim's Hyper-V host."""
    if not os.path.exists("/dev/kvm"):
        pytest.skip("hostsim needs /dev/kvm")
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, ids, httpd = boot(dhcp, work, None, WIRESERVER, make_argv=hyperv_argv)
    text = "\n".join(lines)
    print(text)
    assert any(re.match(r"^netvsc relid \d+ netvsc: NVSP ", ln) for ln in lines), text
    assert f"azure: ready reported (incarnation {ids['incarnation']})" in lines, text
    assert [r["method"] for r in reqs] == ["GET", "POST"], reqs
    check_goal_state_request(reqs[0])
    check_report(reqs[1], ids)
    assert re.fullmatch(r"[1-5]\d\d", httpd), f"httpd did not answer while reporting: {httpd!r}"


def test_nothing_sent_without_the_tag_or_the_parameter(dhcp):
    with tempfile.TemporaryDirectory(prefix="anyvm-azure-") as work:
        lines, reqs, _, httpd = boot(dhcp, work, "not-azure-0000", None)
    text = "\n".join(lines)
    assert not any(l.startswith("azure:") for l in lines), text
    assert reqs == [], reqs
    assert re.fullmatch(r"[1-5]\d\d", httpd), f"httpd did not answer: {httpd!r}"
