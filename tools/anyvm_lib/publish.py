"""Port forwards for `anyvm run -p` (publish, as docker and kraft call it):
"[HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]" becomes a NIC on QEMU's user
networking (its built-in NAT: the guest is 10.0.2.15 by DHCP, the host
reaches it only through forwards) with one hostfwd per forward (QEMU 7.2
documentation, "-netdev user ... hostfwd=[tcp|udp]:[hostaddr]:hostport-
[guestaddr]:guestport")."""

import re
from dataclasses import dataclass

from . import qemu

SPEC = re.compile(r"^(?:(?P<addr>[0-9.]+):)?(?P<host>\d+):(?P<guest>\d+)(?:/(?P<proto>tcp|udp))?$")

# The virtio transport QEMU's NIC uses on each machine (qemu.VIRTIO_DEVICE).
TRANSPORT = {"microvm": "mmio", "pc": "pci-transitional", "q35": "pci"}


class PublishError(ValueError):
    pass


@dataclass(frozen=True)
class Forward:
    proto: str
    host_addr: str
    host_port: int
    guest_port: int

    def hostfwd(self):
        return f"hostfwd={self.proto}:{self.host_addr}:{self.host_port}-:{self.guest_port}"

    def describe(self):
        url = f" (open http://{self.host_addr}:{self.host_port}/)" \
            if self.proto == "tcp" and self.guest_port in (80, 8080) else ""
        return f"{self.host_addr}:{self.host_port} -> guest port {self.guest_port}/{self.proto}{url}"


def parse(text):
    """One -p value; PublishError says what is wrong."""
    m = SPEC.match(text)
    if m is None:
        raise PublishError(f"-p {text!r}: expected [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp], "
                           "e.g. 8080:80")
    addr = m.group("addr") or "127.0.0.1"
    parts = addr.split(".")
    if len(parts) != 4 or any(not p.isdigit() or int(p) > 255 or (len(p) > 1 and p[0] == "0")
                              for p in parts):
        raise PublishError(f"-p {text!r}: {addr!r} is not an IPv4 address")
    host, guest = int(m.group("host")), int(m.group("guest"))
    for port, what in ((host, "host"), (guest, "guest")):
        if not 1 <= port <= 65535:
            raise PublishError(f"-p {text!r}: {what} port {port} is not between 1 and 65535")
    return Forward(m.group("proto") or "tcp", addr, host, guest)


def check_unique(forwards):
    seen = set()
    for f in forwards:
        key = (f.proto, f.host_addr, f.host_port)
        if key in seen:
            raise PublishError(f"-p: host port {f.host_addr}:{f.host_port}/{f.proto} given twice")
        seen.add(key)


def qemu_nic_args(machine, forwards, model=None, root_port=None):
    """QEMU arguments for one NIC on user networking with the forwards, for
    machine (a QEMU -M value): virtio-net, or an emulated `model`
    (qemu.NIC_MODELS: e1000, e1000-82545em, e1000e, vmxnet3). root_port:
    True or False overrides NIC_MODELS for a model that can be either."""
    kind = machine.split(",")[0]
    if kind not in TRANSPORT:
        raise PublishError(f"a user-networking NIC on QEMU -M {kind} is not set up by anyvm run")
    netdev = ",".join(["user", "id=u0", *(f.hostfwd() for f in forwards)])
    cmd = ["-netdev", netdev]
    if model is not None:
        if model not in qemu.NIC_MODELS:
            raise PublishError(f"unknown NIC model {model!r}: {', '.join(qemu.NIC_MODELS)}")
        if kind == "microvm":
            raise PublishError(f"QEMU microvm has no PCI bus for a {model} NIC")
        if qemu.NIC_MODELS[model] if root_port is None else root_port:
            if kind != "q35":
                raise PublishError(f"{model} is a PCI Express device: use q35")
            cmd += ["-device", "pcie-root-port,id=rpn,chassis=32,slot=32"]
            return cmd + ["-device", f"{model},netdev=u0,bus=rpn"]
        return cmd + ["-device", f"{model},netdev=u0"]
    name = qemu.VIRTIO_DEVICE[TRANSPORT[kind]].format("net")
    if TRANSPORT[kind] == "pci":
        cmd += ["-device", "pcie-root-port,id=rpn,chassis=32,slot=32"]
        return cmd + ["-device", f"{name},netdev=u0,bus=rpn"]
    return cmd + ["-device", f"{name},netdev=u0"]
