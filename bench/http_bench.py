#!/usr/bin/env python3
"""HTTP figures for `make bench`: anyvm's httpd beside a Linux guest running
nginx, on the same QEMU machine (microvm, one CPU, the same memory, the same
accelerator, a virtio-net NIC on QEMU's user network with one forwarded
port). Figures, never pass/fail; each with its exact command.

For each guest:
  * boot to first 200 OK: from starting QEMU to the first complete
    response to GET / whose body is the page bench/http_page.html (612
    bytes) that both guests are given;
  * `wrk -t1 -c10` and `wrk -t1 -c1` with --latency: requests/s, p50, p99;
and then anyvm's requests/s and boot time over Linux's, whether anyvm
serves 3x Linux's requests/s (the project's goal, judged on -c10), the size
of build/httpd.elf and the smallest memory in which it still answers.
Linux boots the ELF vmlinux inside Debian's vmlinuz (bench/linux_guest/
build.sh says why); one more boot of the vmlinuz as shipped gives its
boot figure too.

The page reaches both guests the same way, as /index.html in a cpio newc
archive given to QEMU's -initrd: alone for anyvm (httpd --root /), appended
to the Linux guest's initramfs (bench/linux_guest/build.sh) for Linux,
whose /init hands it to nginx.

  python3 bench/http_bench.py [--seconds N] [--only anyvm|linux] [--mem M]
  BENCH_HTTP_SECONDS=N   length of each wrk run (default 20)

Every QEMU runs under coreutils `timeout -s KILL` and is killed when the
harness ends, however it ends. A guest that never answers gives one line
saying why, never a hang.
"""

import argparse
import os
import re
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tools"))

from anyvm_lib import accel as accel_lib, publish, qemu, targets, vm  # noqa: E402

HTTPD = os.path.join(BUILD, "httpd.elf")
PAGE_FILE = os.path.join(ROOT, "bench", "http_page.html")
PAGE_SIZE = 612               # the size of nginx's own welcome page
LINUX_SCRIPT = os.path.join(ROOT, "bench", "linux_guest", "build.sh")
LINUX_DIR = os.path.join(BUILD, "bench", "linux-guest")
LINUX_BUILD_TIMEOUT = 900
# Linux's command line: its console on the serial port like anyvm's; quiet,
# as a production guest boots (the kernel's messages through the emulated
# UART cost boot time); panic=-1 reboots at once on a panic, which QEMU's
# -no-reboot turns into an exit the harness sees.
LINUX_CMDLINE = "console=ttyS0 quiet panic=-1"
LINUX_READY = r"linux-guest: (nginx ready|FAIL)"
# httpd's arguments (docs/httpd.md): serve the initrd's root, and print no
# line per failed request (nginx here logs nothing per request either).
HTTPD_ARGS = os.environ.get("ANYVM_HTTPD_ARGS", "--root / --quiet")

GUEST_PORT = 80
DEFAULT_SECONDS = 20
DEFAULT_MEM = "128M"
BOOT_TIMEOUT = 60             # s from QEMU's start to the first 200 OK
POLL_INTERVAL = 0.005         # s between new connection attempts
ATTEMPT_LIFETIME = 1.0        # s one attempt may wait for its answer
WARMUP_SECONDS = 2
WRK_SLACK = 30                # s wrk may take beyond its duration
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
GOAL = 3.0                    # anyvm's requests/s over Linux's, at -c10

# The smallest memory: bisection in 64 KiB steps between LO (QEMU cannot
# boot anything in 1 MiB) and the memory of the measured run.
FLOOR_STEP_KIB = 64
FLOOR_LO_KIB = 1024


class NoAnswer(Exception):
    """The guest did not answer: the message says why."""


def rel(path):
    """path from the current folder when it is under it (build/...), else
    absolute (/tmp/...)."""
    r = os.path.relpath(path, os.getcwd())
    return os.path.abspath(path) if r == os.pardir or r.startswith(os.pardir + os.sep) else r


def say(line=""):
    print(line)
    sys.stdout.flush()


def show(label, value, *commands):
    say(f"{label}: {value}")
    for c in commands:
        say(f"    {c}")


# ---- pure parts (tests/lib/test_http_bench.py) ----

def read_page(path=PAGE_FILE):
    with open(path, "rb") as f:
        return f.read()


_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def duration_ms(text):
    """wrk's printed duration ("812.00us", "2.60ms", "1.02s", "1.50m") in ms."""
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNIT_MS[m.group(2)]


_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.M)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read\s*$", re.M)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                            r"timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_wrk(text):
    """wrk's report (with --latency) -> dict: rps, p50_ms, p99_ms (and p75,
    p90), requests, errors (socket errors and non-2xx/3xx responses, summed).
    ValueError when a figure is missing."""
    rps = _RPS.search(text)
    pct = {int(p): duration_ms(v) for p, v in _PERCENTILE.findall(text)}
    total = _TOTAL.search(text)
    if rps is None or 50 not in pct or 99 not in pct or total is None:
        raise ValueError("no Requests/sec, latency distribution or request count in wrk's "
                         "output")
    errors = _SOCKET_ERRORS.search(text)
    non2xx = _NON_2XX.search(text)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": pct[50], "p75_ms": pct.get(75), "p90_ms": pct.get(90), "p99_ms": pct[99],
        "requests": int(total.group(1)),
        "errors": (sum(int(n) for n in errors.groups()) if errors else 0)
        + (int(non2xx.group(1)) if non2xx else 0),
    }


def parse_response(data):
    """One HTTP/1.1 response (RFC 9112, section 2.1: status line, header
    fields, an empty line, then a body of Content-Length bytes, section
    6.2) -> (status, {lowercase name: value}, body), or None while it is
    incomplete. ValueError when it is not a response."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        if len(data) > 65536:
            raise ValueError("no end of header section in 64 KiB")
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})(?: .*)?$", lines[0])
    if not m:
        raise ValueError(f"not a status line: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ValueError(f"bad header line: {line[:80]!r}")
        headers[name.lower()] = value.strip()
    if "content-length" not in headers:
        raise ValueError("no Content-Length (this harness reads only such responses)")
    try:
        length = int(headers["content-length"])
    except ValueError:
        raise ValueError(f"bad Content-Length {headers['content-length']!r}") from None
    body = data[end + 4:]
    if len(body) < length:
        return None
    return int(m.group(1)), headers, body[:length]


def judge_body(status, body, page, lenient):
    """None when (status, body) is the right answer to GET /, else what is
    wrong. lenient: a 200 with a body of the page's size counts too (anyvm's
    httpd serves a built-in page of that size when it has no file tree)."""
    if status != 200:
        return f"HTTP {status}"
    if body == page or (lenient and len(body) == len(page)):
        return None
    return f"a {len(body)}-byte body that is not the {len(page)}-byte page"


def kib_text(kib):
    return f"{kib // 1024} MiB" if kib % 1024 == 0 else f"{kib} KiB ({kib / 1024:.2f} MiB)"


def bisect_floor(works, lo, hi, step):
    """The smallest x in (lo, hi], a multiple of step, with works(x) true,
    given works(hi) and not works(lo) and that more never hurts."""
    while hi - lo > step:
        mid = (lo + hi) // 2 // step * step
        if mid <= lo:
            mid = lo + step
        lo, hi = (lo, mid) if works(mid) else (mid, hi)
    return hi


# ---- the guests ----

def free_port():
    """A TCP port free on 127.0.0.1 now (QEMU binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_page_archive(work, page):
    """A cpio newc archive holding /index.html (cpio(1), -H newc), made
    from a folder with only that file."""
    folder = os.path.join(work, "page")
    os.makedirs(folder)
    with open(os.path.join(folder, "index.html"), "wb") as f:
        f.write(page)
    out = os.path.join(work, "page.cpio")
    with open(out, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], input=b"index.html\n",
                       stdout=f, cwd=folder, check=True, timeout=30)
    return out


def linux_initrd(work, page_archive):
    """The Linux guest's initramfs with the page archive after it. The
    kernel looks for each archive's header at a 4-byte boundary and skips
    zero bytes between archives (buffer-format.rst), so the first is padded
    to one."""
    out = os.path.join(work, "linux-initrd.cpio")
    with open(out, "wb") as f:
        for part in (os.path.join(LINUX_DIR, "initramfs.cpio"), page_archive):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, f)
            f.write(b"\0" * (-f.tell() % 4))
    return out


def netdev_args(port):
    """The NIC both guests get, built as `anyvm run -p` builds it: virtio-net
    on microvm's virtio-mmio, on QEMU's user network with host port `port`
    on 127.0.0.1 forwarded to the guest's port 80 (tools/anyvm_lib/publish.py)."""
    return publish.qemu_nic_args("microvm", [publish.Forward("tcp", "127.0.0.1", port,
                                                             GUEST_PORT)])


# The address both guests take on QEMU's user network, set statically as the
# Linux guest's /init does (bench/linux_guest/init.sh): no DHCP wait in the
# boot figure of either.
ANYVM_NET = "net.ip=10.0.2.15/24 net.gw=10.0.2.2"


def anyvm_argv(image, initrd, port, mem, acc):
    return qemu.argv(machine="microvm", accel=acc, mem=mem, cpus=1, kernel=rel(image),
                     append=f"{targets.QEMU_CMDLINE} {ANYVM_NET} -- {HTTPD_ARGS}",
                     extra=["-initrd", rel(initrd), *netdev_args(port)])


def host_tsc_khz(cpuinfo="/proc/cpuinfo"):
    """The host's TSC frequency in kHz when the host kernel knows it
    exactly (the tsc_known_freq flag: the frequency came from CPUID or the
    hypervisor, and /proc/cpuinfo's "cpu MHz" is that frequency), else
    None."""
    try:
        with open(cpuinfo) as f:
            text = f.read()
    except OSError:
        return None
    flags = re.search(r"^flags\s*:(.*)$", text, re.M)
    mhz = re.search(r"^cpu MHz\s*:\s*([\d.]+)$", text, re.M)
    if not flags or "tsc_known_freq" not in flags.group(1).split() or not mhz:
        return None
    return round(float(mhz.group(1)) * 1000)


def linux_cmdline(acc):
    """LINUX_CMDLINE, and under TCG what Linux should know of its clock.
    A TCG guest reads the host's TSC, and Linux calibrates it against the
    emulated PIT and then watches it against the jiffies: both fail when
    the host is busy (measured here at a load average of 4-6: boots that
    stopped after `tsc: Unable to calibrate against PIT`, and `Marking TSC
    unstable due to clocksource watchdog`). So Linux is told the host's
    TSC frequency (tsc_early_khz) and that the TSC is reliable (the host's
    is invariant: constant_tsc); both are in Linux's
    Documentation/admin-guide/kernel-parameters.txt and only spare Linux
    work."""
    if acc != "tcg":
        return LINUX_CMDLINE
    khz = host_tsc_khz()
    return LINUX_CMDLINE + (f" tsc_early_khz={khz}" if khz else "") + " tsc=reliable"


def linux_argv(initrd, port, mem, acc, kernel="vmlinux"):
    """The same machine as anyvm's, isa-debug-exit included (Linux leaves
    it alone); only the kernel, the initrd and the command line differ.
    kernel: "vmlinux" (the ELF, which QEMU loads itself, through its PVH loader)
    or "vmlinuz" (Debian's bzImage as shipped, which decompresses itself)."""
    return qemu.argv(machine="microvm", accel=acc, mem=mem, cpus=1, exit_device=False,
                     kernel=rel(os.path.join(LINUX_DIR, kernel)), append=linux_cmdline(acc),
                     extra=[*qemu.DEBUG_EXIT, "-initrd", rel(initrd), *netdev_args(port)])


def with_timeout(argv, seconds):
    """argv under coreutils timeout(1): QEMU is killed after `seconds` even
    if this harness is killed first and cannot do it."""
    return ["timeout", "-s", "KILL", str(int(seconds)), *argv]


class Attempt:
    def __init__(self, port):
        self.start = time.monotonic()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex(("127.0.0.1", port))
        self.sent = False
        self.data = b""


def first_answer(port, page, lenient, live, timeout):
    """Seconds from now until a complete right answer to GET / arrives.
    A new connection is tried every POLL_INTERVAL while earlier ones still
    wait (QEMU's user network accepts a forwarded connection on the host
    side before the guest has answered it, so one attempt can hang while
    the guest boots). NoAnswer when QEMU ends or `timeout` passes."""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    deadline = t0 + timeout
    attempts = set()
    last = "no connection was answered"
    next_try = t0

    def drop(a):
        sel.unregister(a.sock)
        a.sock.close()
        attempts.discard(a)

    try:
        while True:
            now = time.monotonic()
            if now > deadline:
                raise NoAnswer(f"no right answer within {timeout:.1f} s (last: {last})")
            if live.proc.poll() is not None:
                raise NoAnswer(f"QEMU ended (exit code {live.proc.returncode}) before a right "
                               f"answer (last: {last})")
            if now >= next_try:
                a = Attempt(port)
                attempts.add(a)
                sel.register(a.sock, selectors.EVENT_WRITE, a)
                next_try = now + POLL_INTERVAL
            for a in [a for a in attempts if now - a.start > ATTEMPT_LIFETIME]:
                last = (f"a connection QEMU accepted got no answer within {ATTEMPT_LIFETIME:g} s"
                        + (f" ({len(a.data)} bytes)" if a.data else ""))
                drop(a)
            for key, _ in sel.select(timeout=max(0.0, next_try - time.monotonic())):
                a = key.data
                try:
                    if not a.sent:
                        err = a.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if err:
                            last = f"connect: {os.strerror(err)}"
                            drop(a)
                            continue
                        a.sock.send(REQUEST)     # small: one send fits in the buffer
                        a.sent = True
                        sel.modify(a.sock, selectors.EVENT_READ, a)
                        continue
                    chunk = a.sock.recv(65536)
                except OSError as e:
                    last = f"{type(e).__name__}: {e.strerror or e}"
                    drop(a)
                    continue
                a.data += chunk
                try:
                    got = parse_response(a.data)
                except ValueError as e:
                    last = f"not an HTTP response: {e}"
                    drop(a)
                    continue
                if got is None:
                    if not chunk:
                        last = ("connection closed without an answer" if not a.data
                                else f"connection closed after {len(a.data)} bytes")
                        drop(a)
                    continue
                wrong = judge_body(got[0], got[2], page, lenient)
                if wrong is None:
                    return time.monotonic() - t0, got
                last = f"answered with {wrong}"
                drop(a)
    finally:
        for a in list(attempts):
            drop(a)
        sel.close()


# Serial lines that say why a guest did not serve: the server's own, the
# Linux guest's /init, anyvm's end.
TELLING = re.compile(r"^(httpd: |linux-guest: )|anyvm: (panic|exit status)|Kernel panic")


def serial_tail(lines, n=4):
    """The last n telling serial lines, else the last n lines."""
    lines = [ln for ln in lines if ln.strip()]
    telling = [ln for ln in lines if TELLING.search(ln)]
    return " | ".join((telling or lines)[-n:]) or "no serial output"


def wrk(port, connections, seconds):
    """(command, parse_wrk's dict or None, why not)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
           f"http://127.0.0.1:{port}/"]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=seconds + WRK_SLACK)
    except subprocess.TimeoutExpired:
        return cmd, None, f"wrk did not end within {seconds + WRK_SLACK} s"
    try:
        return cmd, parse_wrk(p.stdout), None
    except ValueError as e:
        out = (p.stdout + p.stderr).strip().replace("\n", " | ")[-300:]
        return cmd, None, f"{e} (exit {p.returncode}: {out})"


def boot_and_load(name, argv, port, page, lenient, seconds, ready_re=None, load=True):
    """Boots one guest, times its first right answer, then (load) runs wrk
    -c10 and -c1 against it. Returns {first_ms, c10, c1} (c10/c1:
    parse_wrk dicts or None) or raises NoAnswer."""
    limit = BOOT_TIMEOUT + (WARMUP_SECONDS + 2 * (seconds + WRK_SLACK) if load else 0) + 30
    argv = with_timeout(argv, limit)
    show(f"{name}: booting", f"QEMU killed after {limit} s at most", f"$ {shlex.join(argv)}")
    t0 = time.monotonic()
    with vm.Live(argv) as live:
        started = time.monotonic() - t0          # the time Popen took is in the figure
        try:
            first, (_, headers, body) = first_answer(port, page, lenient, live,
                                                     BOOT_TIMEOUT - started)
        except NoAnswer as e:
            raise NoAnswer(f"{e}; serial: {serial_tail(live.lines)}") from None
        figures = {"first_ms": (started + first) * 1000.0}
        server = headers.get("server", "no Server header")
        note = "" if body == page else (" (NOT the harness's page: a built-in page of the "
                                        "same size; the initrd's /index.html was not used)")
        show(f"{name}: boot to first 200 OK", f"{figures['first_ms']:.0f} ms "
             f"({len(body)}-byte body{note}; Server: {server})",
             f"# GET / polled on 127.0.0.1:{port}, a new connection every "
             f"{POLL_INTERVAL * 1000:.0f} ms, from QEMU's start")
        if ready_re:
            line = live.wait_line(ready_re, 5)
            if line and "FAIL" in line:
                say(f"    note: {line}")
        if not load:
            return figures
        warm_cmd, _, _ = wrk(port, 10, WARMUP_SECONDS)
        say(f"{name}: warm-up, not a figure: $ {shlex.join(warm_cmd)}")
        for conns in (10, 1):
            cmd, r, why = wrk(port, conns, seconds)
            figures[f"c{conns}"] = r
            if r is None:
                show(f"{name}: wrk -c{conns}", f"not measured: {why}", f"$ {shlex.join(cmd)}")
                continue
            errors = f"; {r['errors']} errors" if r["errors"] else ""
            show(f"{name}: wrk -c{conns}",
                 f"{r['rps']:.0f} requests/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms "
                 f"({r['requests']} requests{errors})", f"$ {shlex.join(cmd)}")
        if live.proc.poll() is not None:
            say(f"    note: QEMU ended during the run (exit code {live.proc.returncode}); "
                f"serial: {serial_tail(live.lines)}")
    return figures


def httpd_floor(image, initrd, page, acc, mem_kib, first_ms):
    """The smallest -m (64 KiB steps) in which httpd still gives its first
    200 OK. A probe waits 5x the measured boot, at least 5 s."""
    wait = max(5.0, 5 * first_ms / 1000.0)

    def answers(kib):
        port = free_port()
        argv = with_timeout(anyvm_argv(image, initrd, port, f"{kib}K", acc), wait + 10)
        with vm.Live(argv) as live:
            try:
                first_answer(port, page, False, live, wait)
                return True
            except NoAnswer:
                return False

    start = time.monotonic()
    floor = bisect_floor(answers, FLOOR_LO_KIB, mem_kib, FLOOR_STEP_KIB)
    argv = anyvm_argv(image, initrd, 0, f"{floor}K", acc)
    show("anyvm httpd: smallest memory", f"{kib_text(floor)} (-m {floor}K answers GET /, "
         f"-m {floor - FLOOR_STEP_KIB}K does not; bisection in {FLOOR_STEP_KIB} KiB steps, "
         f"{time.monotonic() - start:.0f} s)",
         f"$ {shlex.join(argv).replace('127.0.0.1:0-', '127.0.0.1:PORT-')}")


def mem_kib(text):
    m = re.fullmatch(r"(\d+)([KMG])", text)
    if not m:
        raise argparse.ArgumentTypeError(f"memory as N K, M or G: {text!r}")
    return int(m.group(1)) * {"K": 1, "M": 1024, "G": 1024 * 1024}[m.group(2)]


def build_linux_guest():
    """None when the Linux guest is built (or already was), else why not."""
    try:
        p = subprocess.run([LINUX_SCRIPT], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=LINUX_BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"{rel(LINUX_SCRIPT)} took over {LINUX_BUILD_TIMEOUT} s"
    if p.stdout.strip():
        say(p.stdout.strip())
    if p.returncode != 0:
        return f"{rel(LINUX_SCRIPT)} failed: {p.stderr.strip()[-400:]}"
    return None


def bench_anyvm(work, archive, page, acc, mem, seconds, image):
    if not os.path.exists(image):
        say(f"anyvm httpd did not answer: {rel(image)} does not exist (make APP=httpd)")
        return None
    show("anyvm httpd: image size", f"{os.path.getsize(image)} bytes ({rel(image)})",
         f"$ stat -c %s {rel(image)}")
    port = free_port()
    try:
        figures = boot_and_load("anyvm httpd", anyvm_argv(image, archive, port, mem, acc), port,
                                page, False, seconds)
    except NoAnswer as e:
        say(f"anyvm httpd did not answer: {e}")
        return None
    httpd_floor(image, archive, page, acc, mem_kib(mem), figures["first_ms"])
    return figures


def bench_linux(work, archive, page, acc, mem, seconds):
    why = build_linux_guest()
    if why:
        say(f"Linux nginx: not measured: {why}")
        return None
    with open(os.path.join(LINUX_DIR, "packages.txt")) as f:
        pkgs = ", ".join(" ".join(ln.split()[1::2]) for ln in f if ln.strip())
    say(f"Linux nginx: guest from Debian packages: {pkgs}")
    initrd = linux_initrd(work, archive)
    port = free_port()
    try:
        figures = boot_and_load("Linux nginx", linux_argv(initrd, port, mem, acc), port, page,
                                False, seconds, LINUX_READY)
    except NoAnswer as e:
        say(f"Linux nginx did not answer: {e}")
        return None
    # Debian's compressed kernel as shipped: the same guest, plus the time
    # its xz decompressor takes in the guest. A boot figure only.
    port = free_port()
    try:
        boot_and_load("Linux nginx, vmlinuz as shipped", linux_argv(initrd, port, mem, acc,
                                                                   "vmlinuz"),
                      port, page, False, seconds, LINUX_READY, load=False)
    except NoAnswer as e:
        say(f"Linux nginx, vmlinuz as shipped, did not answer: {e}")
    return figures


def compare(a, lx):
    if a is None or lx is None:
        missing = "anyvm's" if a is None else "Linux's"
        say(f"anyvm / Linux: not compared: no figures of {missing}")
        return
    for conns in (10, 1):
        key = f"c{conns}"
        if a[key] and lx[key]:
            ratio = a[key]["rps"] / lx[key]["rps"]
            show(f"anyvm / Linux, requests/s at -c{conns}",
                 f"{ratio:.2f} ({a[key]['rps']:.0f} / {lx[key]['rps']:.0f})")
            if conns == 10:
                say(f"    goal (anyvm >= {GOAL:g}x Linux at -c10): "
                    + ("met" if ratio >= GOAL else "NOT met"))
    show("anyvm / Linux, boot to first 200 OK",
         f"{a['first_ms'] / lx['first_ms']:.3f} ({a['first_ms']:.0f} ms / "
         f"{lx['first_ms']:.0f} ms)")


# The NICs httpd is compared over, each on the machine it belongs to, all on
# QEMU's user network: (label, QEMU -M, qemu.NIC_MODELS model or None for
# virtio-net). virtio-net on q35 (virtio-pci) is the baseline of the ratios:
# the same machine as e1000e and vmxnet3.
NICS = [
    ("virtio-net (q35, virtio-pci)", "q35", None),
    ("e1000 (pc, 82540EM)", "pc", "e1000"),
    ("e1000e (q35, 82574L)", "q35", "e1000e"),
    ("vmxnet3 (q35)", "q35", "vmxnet3"),
]


def nic_argv(image, initrd, port, mem, acc, machine, model):
    nic = publish.qemu_nic_args(machine, [publish.Forward("tcp", "127.0.0.1", port, GUEST_PORT)],
                                model=model)
    return qemu.argv(machine=machine, accel=acc, mem=mem, cpus=1, kernel=rel(image),
                     append=f"{targets.QEMU_CMDLINE} {ANYVM_NET} -- {HTTPD_ARGS}",
                     extra=["-initrd", rel(initrd), *nic])


def bench_nics(archive, page, acc, mem, seconds, image):
    """httpd's requests/s at -c10 over each NIC driver, as ratios against
    virtio-net on the same machine kind."""
    base = None
    for label, machine, model in NICS:
        port = free_port()
        name = f"anyvm httpd over {label}"
        try:
            figures = boot_and_load(name, nic_argv(image, archive, port, mem, acc, machine,
                                                   model), port, page, False, seconds)
        except NoAnswer as e:
            say(f"{name}: not measured: {e}")
            continue
        rps = figures["c10"]["rps"] if figures.get("c10") else None
        if model is None:
            base = rps
        elif rps and base:
            show(f"{label} / virtio-net, httpd requests/s at -c10",
                 f"{rps / base:.2f} ({rps:.0f} / {base:.0f})")


def bench_http(acc, seconds=None, only=None, mem=DEFAULT_MEM, image=HTTPD):
    """All the HTTP figures; prints them, returns nothing."""
    if seconds is None:
        text = os.environ.get("BENCH_HTTP_SECONDS", str(DEFAULT_SECONDS))
        if not text.isdigit() or int(text) < 1:
            say(f"HTTP figures: not measured: BENCH_HTTP_SECONDS={text!r} is not a whole number "
                "of seconds >= 1")
            return
        seconds = int(text)
    for tool in ("wrk", "cpio", "timeout"):
        if shutil.which(tool) is None:
            say(f"HTTP figures: not measured: {tool} is not installed (make setup)")
            return
    page = read_page()
    if len(page) != PAGE_SIZE:
        say(f"HTTP figures: not measured: {rel(PAGE_FILE)} is {len(page)} bytes, not {PAGE_SIZE}")
        return
    say(f"HTTP figures: QEMU microvm {acc}, -m {mem}, 1 CPU, virtio-net on the user network; "
        f"wrk runs of {seconds} s; the page {rel(PAGE_FILE)} ({len(page)} bytes)")
    work = tempfile.mkdtemp(prefix="anyvm-http-bench-")
    try:
        archive = make_page_archive(work, page)
        a = lx = None
        if only in (None, "anyvm"):
            a = bench_anyvm(work, archive, page, acc, mem, seconds, image)
        if only in (None, "linux"):
            lx = bench_linux(work, archive, page, acc, mem, seconds)
        if only is None:
            compare(a, lx)
        if only in (None, "nics") and os.path.exists(image):
            bench_nics(archive, page, acc, mem, seconds, image)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="anyvm httpd beside Linux and nginx: requests/s, "
                                 "latency, boot to first 200 OK.")
    ap.add_argument("--seconds", type=int, default=None,
                    help=f"each wrk run (default BENCH_HTTP_SECONDS or {DEFAULT_SECONDS})")
    ap.add_argument("--only", choices=("anyvm", "linux", "nics"),
                    help="one guest only, or only httpd over each NIC driver")
    ap.add_argument("--mem", default=DEFAULT_MEM, help=f"guest memory (default {DEFAULT_MEM})")
    ap.add_argument("--image", default=HTTPD, help="anyvm's image (default build/httpd.elf)")
    ap.add_argument("--accel", default="auto", help="auto, kvm or tcg (default auto)")
    a = ap.parse_args()
    if a.seconds is not None and a.seconds < 1:
        ap.error("--seconds must be 1 or more")
    try:
        mem_kib(a.mem)
        acc = accel_lib.resolve(a.accel)
    except (argparse.ArgumentTypeError, ValueError) as e:
        ap.error(str(e))
    # SIGTERM unwinds like Ctrl-C, so that every QEMU is killed on the way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench_http(acc, a.seconds, a.only, a.mem, a.image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
