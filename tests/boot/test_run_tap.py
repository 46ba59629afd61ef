"""`anyvm run --nic tap=NAME[,mac=MAC]`: the NIC on an existing TAP device,
as virtio-net on the target's transport, as an emulated model
(--nic-model), or as Hyper-V's synthetic NIC (netvsc) on hostsim hyperv. anyvm runs inside a network namespace of its own holding the
TAP at 10.0.0.1/24 (the `namespace` fixture); build/devinfo.elf answers as
10.0.0.2 while the test pings it and sends UDP echo datagrams."""

import os
import re
import sys

import pytest

import traffic
from anyvm_lib import netns, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")
DEVINFO = os.path.join(ROOT, "build", "devinfo.elf")
MAC = "52:54:00:ab:cd:01"
PINGS, UDP = 10, 3


@pytest.mark.parametrize("target,model,driver", [
    ("microvm", None, "virtio-net"),
    ("q35", "e1000e", "e1000e"),
    # the .efi under OVMF: virtio-net found on PCIe after the firmware let go of it
    ("q35-uefi", None, "virtio-net"),
    # hostsim's Hyper-V: the synthetic NIC on VMBus
    ("hyperv", None, "netvsc"),
])
def test_nic_on_a_tap(namespace, target, model, driver):
    # q35 spells it --net tap:NAME, the others --nic tap=NAME: the same NIC
    nic = ["--net", f"tap:{netns.TAP},mac={MAC}"] if target == "q35" else \
        ["--nic", f"tap={netns.TAP},mac={MAC}"]
    argv = namespace.cmd(sys.executable, ANYVM, "run", "--target", target, "--timeout", "120",
                         *nic,
                         *(["--nic-model", model] if model else []), DEVINFO, "--",
                         "ping", netns.GUEST_IP, str(PINGS), "60", str(UDP))
    with vm.Live(argv) as v:
        ready = v.wait_line(r"devinfo: ping: answering as|devinfo: FAIL|anyvm: (exit|panic)", 90)
        assert ready and "answering" in ready, v.text[-2000:]
        sent, got, out = traffic.ping(namespace, PINGS, 56)
        udp = traffic.udp_echo(namespace, UDP)
        rc = v.wait(90)
        text = v.text
    print(text)
    assert (sent, got) == (PINGS, PINGS), out
    assert udp[:2] == (UDP, UDP), udp
    assert re.search(rf"^devinfo: net\d: {driver}, MAC {MAC},", text, re.M), text[-2000:]
    assert re.search(r"^anyvm: exit status 0$", text, re.M) and rc == 0, rc
