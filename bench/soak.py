#!/usr/bin/env python3
"""make soak: apps/httpd under load for SOAK_MINUTES (default 30) on QEMU
microvm with virtio-net on user networking, outside CI.

While wrk keeps -c10 keep-alive connections busy, a churn thread mixes in
what breaks servers: connections reset at once (SO_LINGER 0), half
requests then a close, and idle clients that hold a connection open. The
guest prints its counters at the start, every minute and at the end:
httpd's `httpd: stats:` line (--stats-interval 60) and the kernel's
`net.stats:` memory line (net.stats=60: heap bytes, TCP control blocks,
segments, pbufs). The report says how many requests were served, how many
errors wrk and the churn saw, whether any counter kept growing (the last
third of the samples all above the highest of the first third), and
whether any minute served nothing. Exit status 0 when nothing leaked or
stalled, 1 otherwise."""

import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

from anyvm_lib import initrd, publish, qemu, vm  # noqa: E402

IMAGE = os.path.join(ROOT, "build", "httpd.elf")
PAGE = os.path.join(HERE, "http_page.html")
MEMORY = re.compile(r"^net\.stats: memory heap (\d+) bytes, tcp pcbs (\d+) \(\d+ listening\), "
                    r"segments (\d+), udp pcbs \d+, pbufs (\d+) pool (\d+)")
REQUESTS = re.compile(r"^httpd: stats: requests=(\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def churn(port, stop, counts):
    """Resets, half requests and idle clients, until stop is set."""
    idle = []
    while not stop.is_set():
        for kind in ("reset", "half", "idle"):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                if kind == "reset":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                elif kind == "half":
                    s.sendall(b"GET / HT")
                    s.close()
                else:
                    idle.append((time.monotonic(), s))
                counts[kind] += 1
            except OSError:
                counts["errors"] += 1
        while idle and time.monotonic() - idle[0][0] > 15:
            idle.pop(0)[1].close()
        stop.wait(0.2)
    for _, s in idle:
        s.close()


def grew(samples):
    """True when the last third of samples are all above the first third's highest."""
    if len(samples) < 6:
        return False
    third = len(samples) // 3
    return min(samples[-third:]) > max(samples[:third])


def main():
    minutes = float(os.environ.get("SOAK_MINUTES", "30"))
    if not os.path.isfile(IMAGE):
        print(f"soak: {IMAGE} not built (make APP=httpd)", file=sys.stderr)
        return 2
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="anyvm-soak-") as work:
        os.makedirs(os.path.join(work, "www"))
        with open(PAGE, "rb") as f, open(os.path.join(work, "www", "index.html"), "wb") as g:
            g.write(f.read())
        archive = initrd.pack(os.path.join(work, "www"), os.path.join(work, "page.cpio"))
        argv = qemu.argv(machine="microvm", accel="tcg", mem="128M", cpus=1, kernel=IMAGE,
                         append="console=ttyS0 net.ip=10.0.2.15/24 net.gw=10.0.2.2 net.stats=60 "
                                "-- --quiet --stats-interval 60",
                         extra=["-initrd", archive, *publish.qemu_nic_args(
                             "microvm", [publish.Forward("tcp", "127.0.0.1", port, 80)])])
        argv = ["timeout", "-s", "KILL", str(int(minutes * 60 + 300))] + argv
        print("soak: $ " + " ".join(argv), flush=True)
        with vm.Live(argv) as live:
            if live.wait_line(r"^httpd: listening", 60) is None:
                print("soak: httpd did not start:\n" + live.text[-2000:])
                return 1
            stop = threading.Event()
            counts = {"reset": 0, "half": 0, "idle": 0, "errors": 0}
            t = threading.Thread(target=churn, args=(port, stop, counts), daemon=True)
            t.start()
            cmd = ["wrk", "-t1", "-c10", f"-d{int(minutes * 60)}s", "--timeout", "10s",
                   f"http://127.0.0.1:{port}/"]
            print("soak: $ " + " ".join(cmd), flush=True)
            w = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=minutes * 60 + 120)
            stop.set()
            t.join(30)
            time.sleep(65)  # one more sample after the load
            lines = list(live.lines)
    mem = [tuple(int(x) for x in m.groups()) for m in map(MEMORY.match, lines) if m]
    reqs = [int(m.group(1)) for m in map(REQUESTS.match, lines) if m]
    served = re.search(r"(\d+) requests in", w.stdout)
    errors = re.search(r"Socket errors: .*", w.stdout)
    print(f"soak: {minutes:g} min: wrk served {served.group(1) if served else '?'} requests; "
          f"{errors.group(0) if errors else 'no socket errors'}")
    print(f"soak: churn: {counts['reset']} resets, {counts['half']} half requests, "
          f"{counts['idle']} idle clients, {counts['errors']} connections refused or failed")
    names = ("heap bytes", "tcp pcbs", "segments", "pbufs", "pool pbufs")
    leaked = [n for i, n in enumerate(names) if grew([s[i] for s in mem])]
    per_minute = [b - a for a, b in zip([0] + reqs, reqs)]
    idle_minutes = sum(1 for r in per_minute[:-1] if r == 0)
    print(f"soak: {len(mem)} memory samples; first {mem[0] if mem else None}, "
          f"last {mem[-1] if mem else None}")
    print(f"soak: requests per minute: {per_minute}")
    print(f"soak: grew: {', '.join(leaked) or 'nothing'}; minutes that served nothing under "
          f"load: {idle_minutes}")
    return 1 if leaked or idle_minutes or not mem else 0


if __name__ == "__main__":
    sys.exit(main())
