"""A launcher that runs build/httpd.elf in a guest instead of the host
build: the content tree is packed into an initrd (anyvm_lib.initrd), the
guest boots on QEMU (microvm or q35, TCG unless hardware KVM is loaded)
with a virtio-net NIC (or an emulated Intel one) on user networking, a
static address (no DHCP wait) and the guest's port 80 forwarded to a free
host port. Its Server has the interface of httpd_server.Server, so the
tests of test_httpd.py that only speak HTTP run unchanged against it
(test_httpd_guest.py, test_httpd_e1000.py)."""

import os
import re
import socket
import tempfile

import pytest

from anyvm_lib import initrd, launch, publish, vm
from httpd_server import Server

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL = os.path.join(ROOT, "build", "httpd.elf")
START = re.compile(r"^httpd: listening on port (\d+) \(root (.*)\)$", re.M)
BOOT_TIMEOUT = 60
PARAMS = "console=ttyS0 net.ip=10.0.2.15/24 net.gw=10.0.2.2"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GuestServer(Server):
    """httpd_server.Server's interface (wait_output comes from there) over a
    guest's serial transcript."""

    def __init__(self, live, root, port, work):
        self.live, self.root, self.work = live, root, work
        self.expect_exit = False
        self.host, self.port = "127.0.0.1", port
        self.base_url = f"http://127.0.0.1:{port}"

    def output(self):
        return self.live.text + "\n"

    def alive(self):
        return self.live.proc.poll() is None

    def stop(self):
        self.live.kill()
        self.work.cleanup()
        return self.live.proc.returncode, self.output()


def guest_problem(s, died, status, out):
    """What makes a guest server's test fail besides its own checks (for
    httpd_server.serving): the VM ended, or the kernel panicked or took an
    exception."""
    if died:
        return f"the guest ended (status {status}):\n{out[-3000:]}"
    if "anyvm: panic" in out or "anyvm: exception" in out:
        return f"the guest failed:\n{out[-3000:]}"
    return None


class GuestLauncher:
    def __init__(self, workdir, target, nic_model=None):
        """nic_model: the NIC as QEMU's emulated model (e1000, e1000e ...)
        instead of virtio-net."""
        self.workdir, self.target, self.nic_model = workdir, target, nic_model

    def start(self, root, args, **host_only):
        if host_only:
            pytest.skip(f"host-only launcher options: {', '.join(host_only)}")
        if not os.path.isfile(KERNEL):
            pytest.fail(f"{KERNEL} is not built (make APP=httpd)", pytrace=False)
        work = tempfile.TemporaryDirectory(prefix="anyvm-httpd-", dir=self.workdir)
        image = initrd.pack(root, os.path.join(work.name, "root.cpio")) \
            if os.path.isdir(root) and os.listdir(root) else None
        port = free_port()
        args = [a for a in args]
        spec = launch.BootSpec(image=KERNEL, target=self.target, mem="128M", cmdline=PARAMS,
                               args=["--root", "/"] + args, initrd=image,
                               forwards=[publish.Forward("tcp", "127.0.0.1", port, 80)],
                               nic_model=self.nic_model)
        argv = launch.prepare(spec, work.name)
        live = vm.Live(argv)
        line = live.wait_line(START.pattern, BOOT_TIMEOUT)
        if line is None:
            live.kill()
            work.cleanup()
            pytest.fail(f"httpd did not start in the guest ({' '.join(argv)}):\n"
                        + live.text[-3000:], pytrace=False)
        return GuestServer(live, root, port, work)
