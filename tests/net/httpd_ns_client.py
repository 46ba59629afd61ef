"""HTTP traffic against a guest's httpd, run inside the test's network
namespace (python3 httpd_ns_client.py ACTION GUEST_IP ...). Prints one
result line per action, "ACTION ok DETAILS" or "ACTION FAIL WHY"; every
socket has a timeout, so a guest that stops answering fails the action
instead of hanging it.

  page N          N keep-alive GETs of / on one connection: all 200 with the
                  same body, whose length matches Content-Length
  concurrent N    N connections opened at once, each with a request in flight
                  before any answer is read; every answer is 200
  synflood N S    N TCP SYNs to port 80 from random ports within S seconds
                  (a raw socket: the namespace's kernel answers the guest's
                  SYN-ACKs with resets), then one GET that must succeed
"""

import os
import random
import socket
import struct
import sys
import time

TIMEOUT = 20


def request(host):
    return b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"


def read_response(sock, buf):
    """(status, body, rest of buf) of one response with Content-Length."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError(f"closed before the header ({len(buf)} bytes)")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        raise ValueError("no Content-Length")
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError(f"closed after {len(buf)} of {length} body bytes")
        buf += chunk
    return status, buf[:length], buf[length:]


def page(ip, n):
    s = socket.create_connection((ip, 80), timeout=TIMEOUT)
    first, buf = None, b""
    for i in range(n):
        s.sendall(request(ip))
        status, body, buf = read_response(s, buf)
        if status != 200:
            return f"FAIL request {i}: status {status}"
        if first is None:
            first = body
        elif body != first:
            return f"FAIL request {i}: the body changed ({len(body)} bytes, was {len(first)})"
    s.close()
    return f"ok {n} answers of {len(first)} bytes"


def concurrent(ip, n):
    socks = []
    for _ in range(n):
        socks.append(socket.create_connection((ip, 80), timeout=TIMEOUT))
    for s in socks:
        s.sendall(request(ip))
    for i, s in enumerate(socks):
        status, body, _ = read_response(s, b"")
        if status != 200 or not body:
            return f"FAIL connection {i}: status {status}, {len(body)} bytes"
    for s in socks:
        s.close()
    return f"ok {n} connections answered"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn(src, dst, sport, seq):
    """A TCP SYN segment (RFC 9293, section 3.1) with its checksum."""
    header = struct.pack("!HHIIBBHHH", sport, 80, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, 20)
    c = checksum(pseudo + header)
    return header[:16] + struct.pack("!H", c) + header[18:]


def synflood(ip, n, seconds):
    probe = socket.create_connection((ip, 80), timeout=TIMEOUT)
    src = probe.getsockname()[0]
    probe.close()
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    end = time.monotonic() + seconds
    sent = 0
    for _ in range(n):
        if time.monotonic() > end:
            break
        raw.sendto(syn(src, ip, random.randint(20000, 60000), random.getrandbits(32)), (ip, 0))
        sent += 1
    raw.close()
    result = page(ip, 1)
    if not result.startswith("ok"):
        return f"FAIL after {sent} SYNs the next request failed: {result}"
    return f"ok {sent} SYNs, then a normal request answered"


def main():
    action, ip, args = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]
    fn = {"page": page, "concurrent": concurrent, "synflood": synflood}[action]
    try:
        print(action, fn(ip, *args), flush=True)
    except (OSError, EOFError, ValueError) as e:
        print(action, f"FAIL {type(e).__name__}: {e}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
