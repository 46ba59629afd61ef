"""The image `anyvm pack vmware` writes, booted the way a VMware VM boots it
and checked with real traffic: QEMU q35 (TCG unless hardware KVM is loaded)
in VMware's layout, the OVA's streamOptimized disk on a PVSCSI controller
and a vmxnet3 NIC, each behind a PCIe root port; SeaBIOS boots GRUB from the
disk, GRUB the kernel (build/devinfo.elf, packed with the command line
`-- ping 10.0.0.2 COUNT SECONDS UDP`). The NIC's TAP device is in a network
namespace of its own at 10.0.0.1/24 (the machinery of test_netblk.py); from
it the test sends 20 small pings, 5 full-size ones and 5 UDP echo
datagrams, and reads every reply's checksum on the TAP. No exit device, as
on VMware: the kernel powers the VM off through ACPI and its status is the
serial line.

Checks: every ping and datagram answered with a correct checksum; the boot
went through GRUB from the disk; the kernel drove the disk through PVSCSI
and the NIC through vmxnet3 with the MAC the test gave it;
devinfo's ping PASS line; status 0; no disabled device and no panic."""

import os
import re
import tempfile

import pytest

import traffic
from anyvm_lib import accel, cmdline, devices, netns, qemu, status, vm, vmware

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "devinfo.elf")
PINGS_SMALL, PINGS_LARGE, UDP_COUNT = 20, 5, 5
GUEST_SECONDS = 60
BOOT_TIMEOUT = 90


@pytest.fixture(scope="module")
def vmware_run(namespace):
    if not os.path.exists(KERNEL):
        pytest.fail("build/devinfo.elf is not built (make apps)", pytrace=False)
    work = tempfile.mkdtemp(prefix="anyvm-vmware-image-")
    out = os.path.join(work, "out")
    args = ["ping", netns.GUEST_IP, str(PINGS_SMALL + PINGS_LARGE), str(GUEST_SECONDS),
            str(UDP_COUNT)]
    vmware.pack(KERNEL, out, cmdline.compose("console=ttyS0", args))
    disk = os.path.join(out, vmware.files("devinfo")["stream"])
    nic = qemu.nic_args("vmxnet3", devices.Nic(netns.TAP, netns.MAC), chassis=2, root_port=True)
    argv = namespace.cmd(*qemu.argv("q35", accel.resolve("auto"), "128M", 1, exit_device=False,
                                    extra=[
        "-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
        "-device", "pvscsi,id=scsi0,bus=rp1",
        "-drive", f"file={disk},format=vmdk,if=none,id=d0,readonly=on",
        "-device", "scsi-hd,drive=d0,bus=scsi0.0,bootindex=0", *nic]))
    run = {"argv": argv}
    with vm.Live(argv) as v:
        try:
            ready = v.wait_line(r"devinfo: ping: answering as|devinfo: FAIL ping|"
                                r"anyvm: (exit status|panic)", BOOT_TIMEOUT)
            run["ready"] = ready
            if ready and "answering" in ready:
                with traffic.ReplyChecksums(namespace, PINGS_SMALL + PINGS_LARGE + UDP_COUNT) \
                        as replies:
                    run["small"] = traffic.ping(namespace, PINGS_SMALL, 56)
                    run["large"] = traffic.ping(namespace, PINGS_LARGE, 1472, interval="0.05")
                    run["udp"] = traffic.udp_echo(namespace, UDP_COUNT)
                run["replies"] = replies
                run["rc"] = v.wait(GUEST_SECONDS + 30)
        finally:
            v.kill()
            run["text"] = v.text
    yield run


def test_guest_answered(vmware_run):
    r = vmware_run
    assert r.get("ready") and "answering" in r["ready"], \
        f"the guest never answered: {r.get('ready')}\n{r['text'][-2000:]}"
    assert r["small"][:2] == (PINGS_SMALL, PINGS_SMALL), r["small"]
    assert r["large"][:2] == (PINGS_LARGE, PINGS_LARGE), r["large"]
    assert r["udp"][:2] == (UDP_COUNT, UDP_COUNT), r["udp"]


def test_every_reply_checksum_right(vmware_run):
    replies = vmware_run.get("replies")
    assert replies is not None, "no traffic was sent"
    c = replies.counts
    assert c is not None, f"no count from the reply sniffer: {replies.output[-300:]}"
    assert c["icmp_bad"] == 0 and c["udp_bad"] == 0, f"replies with a wrong checksum: {c}"
    assert c["icmp_ok"] == PINGS_SMALL + PINGS_LARGE and c["udp_ok"] == UDP_COUNT, c


def test_booted_from_the_packed_disk_through_vmware_devices(vmware_run):
    text = vmware_run["text"]
    for pat in (r"^boot: multiboot \(loader GRUB ",
                r"^pvscsi 01:00\.0: target 0 LUN 0: QEMU QEMU HARDDISK ",
                rf"^vmxnet3 02:00\.0: revision 1, UPT 1, MAC {netns.MAC}, interrupts msix",
                r"^devinfo: PASS ping"):
        assert re.search(pat, text, re.M), f"no line matching {pat!r}\n{text[-3000:]}"
    assert status.serial_status(text)[0] == 0, text[-1000:]
    assert not re.search(r"disabled|anyvm: panic", text), text[-2000:]
