"""bench/http_bench.py, the parts that need no VM: the page both guests
serve, wrk's report, HTTP responses, the first-answer poller against local
servers, the memory bisection, the archives given to the guests, and that
both guests run on the same QEMU machine. (Booting the Linux guest takes
seconds of TCG and a download: `python3 bench/http_bench.py --only linux
--seconds 2` does that by hand.)"""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import http_bench as hb  # noqa: E402

# wrk 4.1.0's report, as printed here against a local server.
WRK_OK = """Running 2s test @ http://127.0.0.1:18555/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.63ms    1.46ms  12.05ms   86.38%
    Req/Sec     1.37k   312.99     2.27k    75.00%
  Latency Distribution
     50%    1.02ms
     75%    2.13ms
     90%    3.61ms
     99%    7.45ms
  2735 requests in 2.01s, 2.08MB read
Requests/sec:   1363.09
Transfer/sec:      1.04MB
"""

WRK_ERRORS = """Running 20s test @ http://127.0.0.1:40000/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.02s     1.99s    98.00%
    Req/Sec     3.80k   312.99     4.27k    75.00%
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.61ms
     99%    1.02s
  76000 requests in 20.00s, 60.08MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:   3800.00
Transfer/sec:      3.00MB
"""

PAGE = hb.read_page()


def response(body, status="200 OK", extra=""):
    return (f"HTTP/1.1 {status}\r\nServer: test\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
            .encode() + body)


def test_page_is_612_bytes_of_html():
    assert len(PAGE) == hb.PAGE_SIZE == 612
    assert PAGE.startswith(b"<!DOCTYPE html>\n") and PAGE.endswith(b"</html>\n")
    PAGE.decode("ascii")


def test_parse_wrk():
    r = hb.parse_wrk(WRK_OK)
    assert r["rps"] == 1363.09
    assert (r["p50_ms"], r["p75_ms"], r["p90_ms"], r["p99_ms"]) == (1.02, 2.13, 3.61, 7.45)
    assert r["requests"] == 2735 and r["errors"] == 0


def test_parse_wrk_units_and_errors():
    r = hb.parse_wrk(WRK_ERRORS)
    assert r["rps"] == 3800.0 and r["requests"] == 76000
    assert r["p50_ms"] == pytest.approx(0.812) and r["p99_ms"] == pytest.approx(1020.0)
    assert r["errors"] == 1 + 2 + 3 + 4 + 5


@pytest.mark.parametrize("text,ms", [("812.00us", 0.812), ("2.60ms", 2.6), ("1.02s", 1020.0),
                                     ("1.50m", 90000.0), (" 7ms ", 7.0)])
def test_duration_ms(text, ms):
    assert hb.duration_ms(text) == pytest.approx(ms)


@pytest.mark.parametrize("text", ["", "2.6", "ms", "2.6 ms", "-1ms", "3ns"])
def test_duration_ms_refuses(text):
    with pytest.raises(ValueError):
        hb.duration_ms(text)


@pytest.mark.parametrize("text", [
    "unable to connect to 127.0.0.1:18556 Connection refused\n",
    WRK_OK.replace("     99%    7.45ms\n", ""),                  # run without --latency
    WRK_OK.replace("Requests/sec:   1363.09\n", ""),
    WRK_OK.replace("  2735 requests in 2.01s, 2.08MB read\n", ""),
])
def test_parse_wrk_refuses_incomplete_reports(text):
    with pytest.raises(ValueError):
        hb.parse_wrk(text)


def test_parse_response():
    status, headers, body = hb.parse_response(response(PAGE) + b"HTTP/1.1 200 next")
    assert status == 200 and body == PAGE
    assert headers["server"] == "test" and headers["content-length"] == "612"


@pytest.mark.parametrize("cut", [0, 10, 40, len(response(PAGE)) - 1])
def test_parse_response_incomplete(cut):
    assert hb.parse_response(response(PAGE)[:cut]) is None


@pytest.mark.parametrize("data", [
    b"HTTP/2 200\r\n\r\n", b"SSH-2.0-OpenSSH\r\n\r\n", b"HTTP/1.1 20 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n",                                   # no Content-Length
    b"HTTP/1.1 200 OK\r\nno colon\r\nContent-Length: 0\r\n\r\n",
    b"x" * 70000,
])
def test_parse_response_refuses(data):
    with pytest.raises(ValueError):
        hb.parse_response(data)


def test_judge_body():
    assert hb.judge_body(200, PAGE, PAGE, lenient=False) is None
    assert hb.judge_body(404, PAGE, PAGE, lenient=True) == "HTTP 404"
    other = b"y" * len(PAGE)
    assert hb.judge_body(200, other, PAGE, lenient=True) is None
    assert "not the 612-byte page" in hb.judge_body(200, other, PAGE, lenient=False)
    assert "a 611-byte body" in hb.judge_body(200, PAGE[:-1], PAGE, lenient=True)


def test_serial_tail_prefers_the_telling_lines():
    lines = ["httpd: root /: No such file or directory", "net.stats: a", "",
             "httpd: socket(AF_INET6, SOCK_STREAM): Function not implemented", "net.stats: b",
             "anyvm: exit status 1"]
    assert hb.serial_tail(lines, 2) == \
        "httpd: socket(AF_INET6, SOCK_STREAM): Function not implemented | anyvm: exit status 1"
    assert hb.serial_tail(["[    1.0] x", "linux-guest: FAIL insmod virtio.ko", "y"]) == \
        "linux-guest: FAIL insmod virtio.ko"
    assert hb.serial_tail(["a", "b", "c"], 2) == "b | c"
    assert hb.serial_tail(["", " "]) == "no serial output"


@pytest.mark.parametrize("threshold", [1025, 1088, 1089, 5000, 65536, 131071, 131072])
def test_bisect_floor(threshold):
    probes = []

    def works(kib):
        probes.append(kib)
        return kib >= threshold
    floor = hb.bisect_floor(works, 1024, 131072, 64)
    assert floor % 64 == 0 and floor >= threshold and floor - 64 < threshold
    assert len(probes) <= 12 and all(p % 64 == 0 for p in probes)


def test_host_tsc_khz(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("model name\t: AMD EPYC\ncpu MHz\t\t: 2596.144\n"
                    "flags\t\t: fpu tsc constant_tsc tsc_known_freq pni\n")
    assert hb.host_tsc_khz(str(info)) == 2596144
    info.write_text("cpu MHz\t\t: 3400.000\nflags\t\t: fpu tsc constant_tsc\n")
    assert hb.host_tsc_khz(str(info)) is None        # "cpu MHz" may then be a cpufreq figure
    assert hb.host_tsc_khz(str(tmp_path / "none")) is None


def without(argv, *options):
    """argv without each option and its value."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in options:
            skip = True
        else:
            out.append(a)
    return out


@pytest.mark.parametrize("acc", ["tcg", "kvm"])
def test_both_guests_get_the_same_machine(acc, monkeypatch):
    monkeypatch.setattr(hb, "host_tsc_khz", lambda: 2596144)
    anyvm = hb.anyvm_argv("build/httpd.elf", "/tmp/page.cpio", 8080, "128M", acc)
    linux = hb.linux_argv("/tmp/linux.cpio", 8080, "128M", acc)
    assert without(anyvm, "-kernel", "-initrd", "-append") == \
        without(linux, "-kernel", "-initrd", "-append")
    assert "hostfwd=tcp:127.0.0.1:8080-:80" in " ".join(linux)
    assert "virtio-net-device,netdev=u0" in linux
    append = linux[linux.index("-append") + 1]
    assert append.startswith(hb.LINUX_CMDLINE) and "anyvm." not in append
    assert ("tsc_early_khz=2596144" in append and "tsc=reliable" in append) == (acc == "tcg")
    assert anyvm[anyvm.index("-append") + 1].endswith(" -- " + hb.HTTPD_ARGS)


def test_page_archive_and_linux_initrd(tmp_path, monkeypatch):
    archive = hb.make_page_archive(str(tmp_path), PAGE)
    listing = subprocess.run(["cpio", "-it", "--quiet"], stdin=open(archive, "rb"),
                             capture_output=True, text=True, check=True)
    assert listing.stdout.split() == ["index.html"]
    extract = tmp_path / "x"
    extract.mkdir()
    subprocess.run(["cpio", "-id", "--quiet"], stdin=open(archive, "rb"), cwd=extract, check=True)
    assert (extract / "index.html").read_bytes() == PAGE
    # The Linux guest's initramfs, padded to 4 bytes, then the page archive.
    guest = tmp_path / "guest"
    guest.mkdir()
    (guest / "initramfs.cpio").write_bytes(b"07070")
    monkeypatch.setattr(hb, "LINUX_DIR", str(guest))
    with open(hb.linux_initrd(str(tmp_path), archive), "rb") as f:
        data = f.read()
    page_cpio = open(archive, "rb").read()
    assert data[:8] == b"07070\0\0\0" and data[8:8 + len(page_cpio)] == page_cpio
    assert len(data) % 4 == 0


class FakeLive:
    """What first_answer reads of a running VM: whether it ended."""

    class Proc:
        returncode = None

        def poll(self):
            return self.returncode

    def __init__(self):
        self.proc = self.Proc()


def serve(handler):
    """A local TCP server calling handler(conn) per connection, in a thread:
    (port, stop)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    srv.settimeout(0.05)
    done = threading.Event()
    conns = []

    def loop():
        while not done.is_set():
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            conns.append(c)
            try:
                handler(c)
            except OSError:      # the poller closed it (it had its answer)
                pass
        for c in conns:
            c.close()
        srv.close()
    t = threading.Thread(target=loop, daemon=True)
    t.start()

    def stop():
        done.set()
        t.join(5)
    return srv.getsockname()[1], stop


def test_first_answer_waits_for_the_right_page():
    ready_at = time.monotonic() + 0.3

    def handler(c):
        c.recv(4096)
        if time.monotonic() < ready_at:
            c.sendall(response(b"booting", "503 Service Unavailable"))
        else:     # in two pieces, as a slow guest might send it
            data = response(PAGE)
            c.sendall(data[:100])
            time.sleep(0.02)
            c.sendall(data[100:])
    port, stop = serve(handler)
    try:
        seconds, (status, _, body) = hb.first_answer(port, PAGE, False, FakeLive(), 5)
    finally:
        stop()
    assert status == 200 and body == PAGE
    assert 0.3 <= seconds < 2


def test_first_answer_gives_up_on_a_silent_guest():
    port, stop = serve(lambda c: None)     # accepts, never answers (a booting guest)
    start = time.monotonic()
    try:
        with pytest.raises(hb.NoAnswer, match=r"no right answer within 1\.5 s"):
            hb.first_answer(port, PAGE, False, FakeLive(), 1.5)
    finally:
        stop()
    assert time.monotonic() - start < 3


def test_first_answer_refuses_the_wrong_page():
    def handler(c):
        c.recv(4096)
        c.sendall(response(b"z" * 612))
    port, stop = serve(handler)
    try:
        with pytest.raises(hb.NoAnswer, match="612-byte body that is not the 612-byte page"):
            hb.first_answer(port, PAGE, False, FakeLive(), 0.5)
        seconds, _ = hb.first_answer(port, PAGE, True, FakeLive(), 2)    # lenient: anyvm
    finally:
        stop()
    assert seconds < 2


def test_first_answer_stops_when_qemu_ends():
    live = FakeLive()
    live.proc.returncode = 3
    with pytest.raises(hb.NoAnswer, match=r"QEMU ended \(exit code 3\)"):
        hb.first_answer(hb.free_port(), PAGE, False, live, 30)
