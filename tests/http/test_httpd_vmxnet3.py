"""apps/httpd over vmxnet3: build/httpd.elf on QEMU q35 (TCG unless hardware
KVM is loaded) with a vmxnet3 NIC behind a PCIe root port on user
networking, the guest's port 80 forwarded to a free host port, its content
tree as the initrd. curl fetches / and a 300 KiB file through QEMU's NAT;
each body must be the file's bytes, and the guest must say it drove
vmxnet3. One VM, stopped however the test ends."""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from anyvm_lib import initrd, launch, vm
from guest_server import BOOT_TIMEOUT, KERNEL, PARAMS, START, free_port

pytestmark = pytest.mark.xdist_group("httpd-vmxnet3")

CURL_TIMEOUT = 60


def curl(url, out):
    """Fetches url into the file out; returns curl's status line (HTTP code)."""
    r = subprocess.run(["curl", "-s", "-S", "--max-time", str(CURL_TIMEOUT), "-o", out,
                        "-w", "%{http_code}", url],
                       capture_output=True, text=True, timeout=CURL_TIMEOUT + 10)
    return r.stdout.strip() or r.stderr.strip()


def test_curl_over_vmxnet3():
    if not os.path.isfile(KERNEL):
        pytest.fail(f"{KERNEL} is not built (make APP=httpd)", pytrace=False)
    if shutil.which("curl") is None:
        pytest.fail("no curl (make setup)", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="anyvm-httpd-vmxnet3-") as work:
        root = os.path.join(work, "www")
        os.makedirs(root)
        index = b"<html><body>anyvm over vmxnet3</body></html>\n"
        big = bytes((i * 7 + i // 251) & 0xFF for i in range(300 * 1024))
        with open(os.path.join(root, "index.html"), "wb") as f:
            f.write(index)
        with open(os.path.join(root, "big.bin"), "wb") as f:
            f.write(big)
        image = initrd.pack(root, os.path.join(work, "root.cpio"))
        port = free_port()
        nic = ["-netdev", f"user,id=u0,hostfwd=tcp:127.0.0.1:{port}-:80",
               "-device", "pcie-root-port,id=rpv,chassis=33,slot=33",
               "-device", "vmxnet3,netdev=u0,bus=rpv,mac=52:54:00:12:34:57"]
        spec = launch.BootSpec(image=KERNEL, target="q35", mem="128M", cmdline=PARAMS,
                               args=["--root", "/"], initrd=image, extra=nic)
        argv = launch.prepare(spec, work)
        print("$ " + " ".join(argv))
        with vm.Live(argv) as v:
            try:
                line = v.wait_line(START.pattern, BOOT_TIMEOUT)
                assert line is not None, f"httpd did not start:\n{v.text[-3000:]}"
                got_index = os.path.join(work, "index.out")
                got_big = os.path.join(work, "big.out")
                code_index = curl(f"http://127.0.0.1:{port}/", got_index)
                code_big = curl(f"http://127.0.0.1:{port}/big.bin", got_big)
            finally:
                v.kill()
            text = v.text
        print(text)
        assert code_index == "200", f"GET / answered {code_index}"
        with open(got_index, "rb") as f:
            assert f.read() == index, "GET / is not index.html's bytes"
        assert code_big == "200", f"GET /big.bin answered {code_big}"
        with open(got_big, "rb") as f:
            body = f.read()
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(big).hexdigest(), \
            f"GET /big.bin: {len(body)} bytes, not the file's {len(big)}"
        assert re.search(r"^vmxnet3 0\d:00\.0: revision 1, UPT 1, MAC 52:54:00:12:34:57, ",
                         text, re.M), "the guest did not report driving vmxnet3"
        bad = [ln for ln in text.splitlines()
               if re.search(r"anyvm: panic|anyvm: exception|disabled:", ln)]
        assert not bad, "; ".join(bad)
