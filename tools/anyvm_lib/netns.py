"""A network namespace of its own holding one TAP device with the host's
address, for VMs whose NIC must see real traffic without touching the
host's network: the VMM runs inside the namespace (cmd()) and opens the
TAP; traffic goes only to addresses inside it. Needs root, /dev/net/tun and
ip(8) (iproute2)."""

import os
import shutil
import subprocess

TAP = "tap0"
HOST_IP, GUEST_IP, PREFIX = "10.0.0.1", "10.0.0.2", 24
MAC = "52:54:00:12:34:56"          # the guest's (QEMU's locally administered range)


class NamespaceError(RuntimeError):
    pass


def unavailable():
    """Why namespaces with TAP devices cannot be made here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces and TAP devices)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if shutil.which("ip") is None:
        return "no ip(8) (iproute2; make setup)"
    return None


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


class Namespace:
    """`with Namespace(name) as ns:` a namespace with TAP up at HOST_IP;
    deleted (with the TAP) when the block ends, however it ends. A leftover
    of the same name from an interrupted run is deleted first."""

    def __init__(self, name):
        if len(name) > 30:
            raise ValueError(f"namespace name {name!r} is longer than 30 characters")
        self.name = name

    def __enter__(self):
        _run(["ip", "netns", "del", self.name])
        steps = [
            ["ip", "netns", "add", self.name],
            self.cmd("ip", "link", "set", "lo", "up"),
            self.cmd("ip", "tuntap", "add", "dev", TAP, "mode", "tap"),
            self.cmd("ip", "addr", "add", f"{HOST_IP}/{PREFIX}", "dev", TAP),
            self.cmd("ip", "link", "set", TAP, "up"),
        ]
        for step in steps:
            r = _run(step)
            if r.returncode != 0:
                self.delete()
                raise NamespaceError(f"{' '.join(step)}: {r.stderr.strip()}")
        return self

    def cmd(self, *argv):
        """argv run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def delete(self):
        _run(["ip", "netns", "del", self.name])

    def __exit__(self, *exc):
        self.delete()
        return False
