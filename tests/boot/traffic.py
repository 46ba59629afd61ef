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


# Reads, inside the namespace, the frames the guest sends on the TAP device
# (AF_PACKET, packet(7)) and checks the checksum of each ICMP echo reply and
# UDP echo reply (RFC 1071; UDP over its pseudo-header, RFC 768). Prints
# "ready" once bound, then one line of counts when it has seen argv[2]
# replies or argv[3] seconds have passed.
SNIFFER = r"""
import socket, struct, sys, time
tap, want, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((tap, 0))
print("ready", flush=True)
def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return (~t) & 0xFFFF
n = {"icmp_ok": 0, "icmp_bad": 0, "udp_ok": 0, "udp_bad": 0}
end = time.monotonic() + seconds
while sum(n.values()) < want and time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        f, addr = s.recvfrom(65536)
    except socket.timeout:
        break
    if addr[2] == socket.PACKET_OUTGOING or len(f) < 34 or f[12:14] != b"\x08\x00":
        continue
    ihl = (f[14] & 15) * 4
    total = struct.unpack("!H", f[16:18])[0]
    ip, l4 = f[14:14 + ihl], f[14 + ihl:14 + total]
    if ip[9] == 1 and l4[:1] == b"\x00":                  # ICMP echo reply
        n["icmp_ok" if csum(l4) == 0 else "icmp_bad"] += 1
    elif ip[9] == 17 and l4[0:2] == b"\x00\x07":          # from UDP port 7
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(l4))
        good = l4[6:8] != b"\0\0" and csum(pseudo + l4) == 0
        n["udp_ok" if good else "udp_bad"] += 1
print("replies " + " ".join("%s=%d" % kv for kv in n.items()), flush=True)
"""


class ReplyChecksums:
    """`with ReplyChecksums(ns, want) as rc:` watches the guest's replies
    while the block sends traffic; rc.counts is then a dict (icmp_ok,
    icmp_bad, udp_ok, udp_bad), or None with rc.output saying why. The
    frames must carry final checksums: the VMM's TAP without vnet_hdr."""

    def __init__(self, ns, want, seconds=60):
        self.argv = ns.cmd(sys.executable, "-c", SNIFFER, netns.TAP, str(want), str(seconds))
        self.seconds = seconds
        self.counts, self.output = None, ""

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.proc.kill()
            raise RuntimeError("the reply sniffer did not start: " + self.proc.stderr.read())
        return self

    def __exit__(self, *exc):
        try:
            out, err = self.proc.communicate(timeout=self.seconds + 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.output = (out + err).strip()
        m = re.search(r"^replies (.*)$", out, re.M)
        if m:
            self.counts = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
        return False
