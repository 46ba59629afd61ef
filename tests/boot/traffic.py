"""Traffic the device tests send to a guest from inside a network namespace
(anyvm_lib.netns): counted ping bursts (ping(8), iputils-ping) and UDP echo
datagrams. Every command has a timeout; one that passes raises
subprocess.TimeoutExpired, which fails the test that sent it."""

import re
import shutil
import subprocess
import sys

from anyvm_lib import netns

UDP_CLIENT = r"""
import socket, sys
n, ip = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
ok = 0
for k in range(n):
    msg = b"anyvm udp echo %d " % k + bytes(range(256)) * 4
    s.sendto(msg, (ip, 7))
    try:
        data, _ = s.recvfrom(4096)
        ok += data == msg
    except socket.timeout:
        pass
print("udp", n, ok)
"""


def ping(ns, count, size, interval="0.01"):
    """(transmitted, received, output) of `ping -c count` to the guest.
    No -w: with a deadline ping sends until COUNT replies have come, so
    exactly COUNT requests go out only without it."""
    if shutil.which("ping") is None:
        raise RuntimeError("no ping(8) (iputils-ping; make setup)")
    r = subprocess.run(ns.cmd("ping", "-n", "-q", "-c", str(count), "-i", interval, "-s",
                              str(size), "-W", "2", netns.GUEST_IP),
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    if not m:
        return 0, 0, r.stdout + r.stderr
    return int(m.group(1)), int(m.group(2)), r.stdout


def udp_echo(ns, count):
    """(sent, echoed intact, output) of `count` UDP datagrams to port 7."""
    r = subprocess.run(ns.cmd(sys.executable, "-c", UDP_CLIENT, str(count), netns.GUEST_IP),
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"^udp (\d+) (\d+)$", r.stdout, re.M)
    if not m:
        return count, 0, (r.stdout + r.stderr).strip()
    return int(m.group(1)), int(m.group(2)), r.stdout.strip()
