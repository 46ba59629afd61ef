"""apps/httpd against real clients: curl, http.client and raw sockets parsed
strictly (httpclient.py). The server runs under AddressSanitizer (the
`httpd` fixture, conftest.py), so a memory error anywhere fails the test
that caused it. After every kind of bad input a normal request must still
succeed."""

import concurrent.futures
import hashlib
import http.client
import os
import re
import socket
import struct
import subprocess
import threading
import time

import pytest

from httpclient import Conn, exchange, get, request_bytes
from httpd_server import (BINARY, FAULT_SHIM, PLAIN_BINARY, SANITIZER, SANITIZER_ENV,
                          HostLauncher, make_tree)

SMALL = b"hello, world\n"
INDEX = b"<!DOCTYPE html><title>index</title><p>the tree's own index</p>\n"
SUB_INDEX = b"<p>sub index</p>\n"
MEDIUM = bytes(range(256)) * 400            # 100 KiB: more than one output buffer

CONTENT_TYPES = {
    "page.html": "text/html", "page.htm": "text/html", "notes.txt": "text/plain",
    "style.css": "text/css", "app.js": "text/javascript", "data.json": "application/json",
    "img.png": "image/png", "photo.jpg": "image/jpeg", "photo2.jpeg": "image/jpeg",
    "anim.gif": "image/gif", "logo.svg": "image/svg+xml",
    "favicon.ico": "image/vnd.microsoft.icon", "mod.wasm": "application/wasm",
    "doc.pdf": "application/pdf", "blob.bin": "application/octet-stream",
    "noext": "application/octet-stream", "UPPER.HTML": "text/html",
    "archive.tar.gz": "application/octet-stream",
}


def tree(**extra):
    t = {"index.html": INDEX, "a.txt": SMALL, "medium.bin": MEDIUM,
         "sub/index.html": SUB_INDEX, "sub/deep/file.txt": b"deep\n", "empty": None,
         "a b.txt": b"with a blank\n", "zero.txt": b""}
    t.update(extra)
    return t


def healthy(server):
    """A normal request succeeds: the server survived what came before."""
    r = get(server, "/a.txt")
    assert (r.status, r.body) == (200, SMALL), r
    assert server.alive()


def wait_stats(server, ok, timeout=8.0):
    """The counters of the first statistics line (--stats-interval) for
    which ok(counters) holds; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    after, last = 0, None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"no stats line as wanted within {timeout} s; last: {last}",
                        pytrace=False)
        m = server.wait_output(r"^httpd: stats: .*$", left, after)
        after, last = m.end(), m.group(0)
        fields = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", last)}
        if ok(fields):
            fields["line"] = last
            return fields


# ---- start, the built-in page, files ----

def test_start_line_and_builtin_page(httpd):
    s = httpd({"a.txt": SMALL})
    assert re.search(rf"^httpd: listening on port {s.port} \(root {re.escape(s.root)}\)$",
                     s.output(), re.M)
    with Conn(s) as c:
        r = c.request("/")
        assert r.status == 200 and r.reason == "OK"
        assert len(r.body) == 612, "the built-in page must be 612 bytes, as nginx's"
        assert r.body.startswith(b"<!DOCTYPE html>") and r.body.rstrip().endswith(b"</html>")
        assert r.headers["content-type"] == "text/html"
        assert r.headers["server"] == "anyvm-httpd"
        assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|"
                            r"Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT", r.headers["date"])
        h = c.request("/", method="HEAD")
        assert h.status == 200 and h.body == b""
        assert h.headers["content-length"] == "612"
        assert c.request("/?q=1").body == r.body
        # the built-in page is "/" only: the file it stands for is not there
        assert c.request("/index.html").status == 404


def test_curl_fetches_exact_bytes(httpd, scratch):
    files = {name: os.urandom(1000 + i * 37) for i, name in enumerate(CONTENT_TYPES)}
    s = httpd(tree(**files))
    fetch = dict(files, **{"": INDEX, "a.txt": SMALL, "sub/": SUB_INDEX,
                           "sub/deep/file.txt": b"deep\n", "a%20b.txt": b"with a blank\n",
                           "zero.txt": b"", "medium.bin": MEDIUM})
    for path, want in fetch.items():
        out = os.path.join(scratch, "curl.out")
        if os.path.exists(out):
            os.unlink(out)
        res = subprocess.run(["curl", "-sS", "--max-time", "10", "-o", out, "-w",
                              "%{http_code} %{content_type}", f"{s.base_url}/{path}"],
                             capture_output=True, text=True, timeout=20)
        assert res.returncode == 0, f"curl {path}: {res.stderr}"
        code, ctype = res.stdout.split(" ", 1)
        got = b""
        if os.path.exists(out):     # curl makes no file for an empty body
            with open(out, "rb") as f:
                got = f.read()
        assert code == "200" and got == want, f"{path}: {code}, {len(got)} bytes"
        base = os.path.basename(path.rstrip("/")) or "index.html"
        want_type = CONTENT_TYPES.get(base, "text/html" if path.endswith("/") or path == ""
                                      else "text/plain" if base.endswith(".txt")
                                      else "application/octet-stream")
        assert ctype == want_type, f"{path}: Content-Type {ctype}, not {want_type}"


def test_head_matches_get(httpd):
    s = httpd(tree())
    with Conn(s) as c:
        for path in ["/a.txt", "/medium.bin", "/", "/sub/", "/nope"]:
            g = c.request(path)
            h = c.request(path, method="HEAD")
            assert h.status == g.status and h.body == b""
            for field in ("content-length", "content-type", "server"):
                assert h.headers.get(field) == g.headers.get(field), (path, field)
        # the same connection still parses: no body followed any HEAD
        assert c.request("/a.txt").body == SMALL


def test_404_and_405(httpd):
    s = httpd(tree())
    with Conn(s) as c:
        r = c.request("/no/such/file")
        assert r.status == 404 and b"404" in r.body
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "BREW", "get"]:
            r = c.request("/a.txt", method=method)
            assert r.status == 405, method
            assert r.headers["allow"] == "GET, HEAD"
        # the connection survived all of them
        assert c.request("/a.txt").body == SMALL
    # a body this server does not read ends the connection after the answer
    with Conn(s) as c:
        c.send(b"POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
        r = c.response()
        assert r.status == 405 and r.headers.get("connection") == "close"
        c.expect_closed()
    assert re.search(r"^httpd: 404 Not Found: GET /no/such/file$", s.output(), re.M)
    healthy(s)


def test_directories_and_paths(httpd, scratch):
    with open(os.path.join(scratch, "secret.txt"), "wb") as f:
        f.write(b"SECRET outside the root\n")
    s = httpd(tree())
    with Conn(s) as c:
        r = c.request("/sub")
        assert r.status == 301 and r.headers["location"] == "/sub/"
        assert c.request("/sub?x=1").headers["location"] == "/sub/"
        assert c.request("/sub/").body == SUB_INDEX
        assert c.request("/sub/deep").headers["location"] == "/sub/deep/"
        assert c.request("/sub/deep/").status == 404       # no index.html, no listing
        assert c.request("/empty/").status == 404
        assert c.request("/a.txt/").status == 404
        for path in ["/sub/../a.txt", "/./a.txt", "//a.txt", "/sub/deep/../../a.txt",
                     "/%61.txt", "/sub%2f..%2fa.txt", "http://example.org/a.txt"]:
            r = c.request(path)
            assert (r.status, r.body) == (200, SMALL), path
        assert c.request("/sub/.").body == SUB_INDEX
        assert c.request("/sub/deep/..").body == SUB_INDEX
        assert c.request("http://example.org").body == INDEX
        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                     "/..%2fsecret.txt", "/sub/../../secret.txt", "//../secret.txt",
                     "/sub/deep/../../../secret.txt", "/..", "/../"]:
            r = c.request(path)
            assert r.status == 403 and b"SECRET" not in r.body, path
        for path in ["/%00", "/a.txt%00.html", "/%zz", "/%4", "/a%"]:
            assert c.request(path).status == 400, path
        assert c.request("/a.txt").body == SMALL
    healthy(s)


# ---- connections: keep-alive, concurrency, pipelining ----

def test_thousand_requests_on_one_connection(httpd):
    s = httpd(tree())
    with Conn(s) as c:
        for i in range(1000):
            path, want = ("/a.txt", SMALL) if i % 2 else ("/", INDEX)
            r = c.request(path)
            assert (r.status, r.body) == (200, want), i
            assert "connection" not in r.headers
    # http.client too, on one socket from first to last
    conn = http.client.HTTPConnection(s.host, s.port, timeout=10)
    conn.request("GET", "/a.txt")
    assert conn.getresponse().read() == SMALL
    sock = conn.sock
    for _ in range(100):
        conn.request("GET", "/medium.bin")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == MEDIUM
    assert conn.sock is sock, "http.client had to reconnect"
    conn.close()


def test_200_concurrent_connections(httpd):
    s = httpd(tree())
    # all 200 open at once, each with a request in flight before any is read
    conns = [Conn(s) for _ in range(200)]
    try:
        for i, c in enumerate(conns):
            c.send(request_bytes("/a.txt" if i % 2 else "/medium.bin"))
        for i, c in enumerate(conns):
            r = c.response()
            assert (r.status, r.body) == (200, SMALL if i % 2 else MEDIUM), i
    finally:
        for c in conns:
            c.close()

    # and 200 threads, each a keep-alive client
    def client(i):
        conn = http.client.HTTPConnection(s.host, s.port, timeout=10)
        try:
            for j in range(5):
                conn.request("GET", "/a.txt" if (i + j) % 2 else "/sub/")
                resp = conn.getresponse()
                assert resp.status == 200
                assert resp.read() == (SMALL if (i + j) % 2 else SUB_INDEX)
        finally:
            conn.close()
        return i

    with concurrent.futures.ThreadPoolExecutor(200) as pool:
        assert sorted(pool.map(client, range(200))) == list(range(200))
    healthy(s)


def test_pipelined_requests(httpd):
    s = httpd(tree())
    plan = [("GET", "/a.txt", 200, SMALL), ("HEAD", "/a.txt", 200, b""),
            ("GET", "/nope", 404, None), ("GET", "/medium.bin", 200, MEDIUM),
            ("GET", "/", 200, INDEX), ("DELETE", "/", 405, None),
            ("GET", "/sub/", 200, SUB_INDEX), ("GET", "/zero.txt", 200, b"")] * 5
    data = b"".join(request_bytes(path, method) for method, path, _, _ in plan)
    data += request_bytes("/a.txt", headers=[("Connection", "close")])
    with Conn(s) as c:
        c.send(data)        # one send: many requests arrive in one read
        for method, path, status, body in plan:
            r = c.response(head=method == "HEAD")
            assert r.status == status, (method, path, r)
            if body is not None:
                assert r.body == body, (method, path)
        last = c.response()
        assert last.body == SMALL and last.headers["connection"] == "close"
        c.expect_closed()
    # requests split at every possible place still come out whole
    data = request_bytes("/a.txt") * 3
    with Conn(s) as c:
        for i in range(0, len(data), 7):
            c.send(data[i:i + 7])
            time.sleep(0.001)
        for _ in range(3):
            assert c.response().body == SMALL
    healthy(s)


def test_http10_and_connection_close(httpd):
    s = httpd(tree())
    with Conn(s) as c:
        r = c.request("/a.txt", version="HTTP/1.0", host=None)
        assert r.body == SMALL and r.headers["connection"] == "close"
        c.expect_closed()
    with Conn(s) as c:
        r = c.request("/a.txt", version="HTTP/1.0", headers=[("Connection", "keep-alive")])
        assert r.headers["connection"] == "keep-alive"
        r = c.request("/", version="HTTP/1.0", headers=[("Connection", "Keep-Alive")])
        assert r.body == INDEX and r.headers["connection"] == "keep-alive"
        r = c.request("/a.txt", version="HTTP/1.0")
        c.expect_closed()
    with Conn(s) as c:
        r = c.request("/", headers=[("Connection", "close")])
        assert r.body == INDEX and r.headers["connection"] == "close"
        c.expect_closed()
    # HTTP/1.x above 1.1 is read as 1.1 (RFC 9110 section 2.5)
    with Conn(s) as c:
        assert c.request("/a.txt", version="HTTP/1.2").body == SMALL
        assert c.request("/a.txt").body == SMALL


def test_large_file_sha256_and_a_slow_reader(httpd, scratch):
    big = os.urandom(10 * 1024 * 1024)
    s = httpd(tree(**{"big.bin": big}))
    out = os.path.join(scratch, "big.out")
    res = subprocess.run(["curl", "-sS", "--max-time", "20", "-o", out, f"{s.base_url}/big.bin"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    with open(out, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == hashlib.sha256(big).hexdigest()

    # A client that stops reading mid-file holds nobody else up: the server
    # waits for EPOLLOUT on it while it answers others.
    # The small receive buffer is set before connecting: shrunk afterwards,
    # the window already offered is taken back, what the server sent into
    # it is dropped and comes again only after retransmission timeouts.
    slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    slow.settimeout(10)
    slow.connect((s.host, s.port))
    slow.sendall(request_bytes("/big.bin"))
    got = bytearray()
    while len(got) < 1024 * 1024:
        got += slow.recv(1 << 16)
    start = time.monotonic()
    with Conn(s) as c:
        for _ in range(50):
            assert c.request("/a.txt").body == SMALL
    assert time.monotonic() - start < 5, "a stalled download held the server"
    head, _, body = bytes(got).partition(b"\r\n\r\n")
    assert b"\r\nContent-Length: %d\r\n" % len(big) in head + b"\r\n"
    body = bytearray(body)
    while len(body) < len(big):
        chunk = slow.recv(1 << 20)
        assert chunk, f"closed after {len(body)} bytes of the body"
        body += chunk
    slow.close()
    assert hashlib.sha256(body).digest() == hashlib.sha256(big).digest()
    healthy(s)


# ---- bad input ----

BAD = {
    "garbage": (b"garbage\r\n\r\n", 400),
    "tls-hello": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400),
    "two-blanks": (b"GET  /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "tab-separator": (b"GET\t/a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "no-version": (b"GET /a.txt\r\n\r\n", 400),
    "lower-case-version": (b"GET /a.txt http/1.1\r\nHost: t\r\n\r\n", 400),
    "bad-version": (b"GET /a.txt HTTP/1.x\r\nHost: t\r\n\r\n", 400),
    "long-version": (b"GET /a.txt HTTP/1.10\r\nHost: t\r\n\r\n", 400),
    "trailing-word": (b"GET /a.txt HTTP/1.1 x\r\nHost: t\r\n\r\n", 400),
    "bad-method": (b"G(T /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "missing-host": (b"GET /a.txt HTTP/1.1\r\n\r\n", 400),
    "two-hosts": (b"GET /a.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    "bad-host": (b"GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    "bare-cr": (b"GET /a.txt HTTP/1.1\r\nHost: t\rX-A: b\r\n\r\n", 400),
    "bare-cr-in-line": (b"GET /a.txt\r HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "obs-fold": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nX-A: b\r\n c\r\n\r\n", 400),
    "blank-before-colon": (b"GET /a.txt HTTP/1.1\r\nHost : t\r\n\r\n", 400),
    "no-colon": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nX-A\r\n\r\n", 400),
    "nul-in-field": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nX-A: a\x00b\r\n\r\n", 400),
    "bad-content-length": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n", 400),
    "two-content-lengths": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n"
                            b"Content-Length: 2\r\n\r\n", 400),
    "cl-and-te": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\nabc", 400),
    "fragment": (b"GET /a.txt#x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "non-ascii-target": (b"GET /\xc3\xa9 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "asterisk": (b"GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "authority-form": (b"GET example.org:80 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    "http2": (b"GET /a.txt HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    "http3": (b"GET /a.txt HTTP/3.0\r\nHost: t\r\n\r\n", 505),
    "http09": (b"GET /a.txt HTTP/0.9\r\n\r\n", 505),
    "body-on-get": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789",
                    413),
    "chunked-get": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\nhello\r\n0\r\n\r\n", 413),
    "long-target": (b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    "many-fields": (b"GET /a.txt HTTP/1.1\r\nHost: t\r\n" + b"X-A: 0123456789\r\n" * 600
                    + b"\r\n", 431),
}


@pytest.fixture(scope="module")
def bad_input_server(tmp_path_factory):
    """One server for all the bad inputs: each must leave it healthy."""
    work = str(tmp_path_factory.mktemp("httpd-bad"))
    root = os.path.join(work, "www")
    make_tree(root, tree())
    server = HostLauncher(work).start(root, [])
    yield server
    alive = server.alive()
    status, out = server.stop()
    assert alive and not SANITIZER.search(out), out[-3000:]


# Errors in the target itself leave the request's framing intact: the
# connection may stay. Every other error ends it (RFC 9112 section 9.6).
KEEPS_CONNECTION = {"asterisk", "authority-form"}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_request(bad_input_server, name):
    s = bad_input_server
    data, status = BAD[name]
    start = time.monotonic()
    with Conn(s) as c:
        c.send(data)
        r = c.response()
        assert r.status == status, r
        assert str(status).encode() in r.body
        if name in KEEPS_CONNECTION:
            assert "connection" not in r.headers
            assert c.request("/a.txt").body == SMALL
        else:
            assert r.headers.get("connection") == "close", r
            c.expect_closed(graceful=True)      # right after the response: no byte more
    assert time.monotonic() - start < 5, "answered only after a timeout"
    assert s.alive()
    healthy(s)


@pytest.mark.parametrize("data", [
    b"\r\nGET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n",          # an empty line first
    b"GET /a.txt HTTP/1.1\nHost: t\n\n",                    # LF alone ends lines
    b"GET /a.txt HTTP/1.1\r\nhOsT:t\r\nX-Empty:\r\n\r\n",     # case, no blank, empty value
    b"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    b"GET /a.txt HTTP/1.1\r\nHost: [::1]:80\r\nX-Utf8: \xc3\xa9\r\n\r\n",
    b"GET /a.txt HTTP/1.0\r\n\r\n",
], ids=["leading-crlf", "bare-lf", "field-case", "content-length-0", "ip-literal-host",
        "http10-no-host"])
def test_lenient_but_valid(bad_input_server, data):
    if b"HTTP/1.0" not in data:     # 1.0 closes by itself; 1.1 is told to
        data += request_bytes("/", headers=[("Connection", "close")])
    reply = exchange(bad_input_server, data)
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and SMALL in reply, reply[:300]


def send_big_and_read(server, data):
    """Sends data (megabytes) from a thread while reading the reply; returns
    (reply, whether all was sent, whether the reply ended with a reset)."""
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sent = []

    def sender():
        try:
            sock.sendall(data)
            sent.append(True)
        except OSError:
            sent.append(False)

    t = threading.Thread(target=sender)
    t.start()
    reply, reset = bytearray(), False
    try:
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            reply += chunk
    except ConnectionResetError:
        reset = True
    t.join(10)
    sock.close()
    return bytes(reply), sent == [True], reset


def test_megabyte_header_gets_431(httpd):
    s = httpd(tree())
    big = b"GET /a.txt HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n"
    reply, all_sent, reset = send_big_and_read(s, big)
    assert reply.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), reply[:200]
    assert b"Connection: close" in reply
    # The server answered early, shut its side and read the rest: the
    # client could send everything and saw a FIN, not a reset.
    assert all_sent and not reset
    healthy(s)
    # a smaller limit applies as told
    s2 = httpd(tree(), args=["--max-header-bytes", "512"])
    assert get(s2, "/a.txt", headers=[("X-A", "a" * 300)]).status == 200
    reply = exchange(s2, request_bytes("/a.txt", headers=[("X-A", "a" * 600)]))
    assert reply.startswith(b"HTTP/1.1 431 ")
    healthy(s2)


@pytest.mark.parametrize("method,status", [("GET", 413), ("POST", 405)])
def test_unread_body_ends_with_a_clean_close(httpd, method, status):
    """A body the server does not read: answered, then the rest is read and
    dropped (a lingering close, RFC 9112 section 9.6) so that the client's
    kernel sees a FIN, not a reset that could destroy the answer."""
    s = httpd(tree())
    body = b"x" * (4 * 1024 * 1024)
    data = request_bytes("/a.txt", method, [("Content-Length", str(len(body)))]) + body
    reply, all_sent, reset = send_big_and_read(s, data)
    assert reply.startswith(b"HTTP/1.1 %d " % status), reply[:200]
    assert all_sent and not reset
    healthy(s)


# ---- timeouts, resets, many connections, limits ----

def test_idle_timeout(httpd):
    s = httpd(tree(), args=["--idle-timeout", "1"])
    half = Conn(s)
    half.send(b"GET /a.txt HTTP/1.1\r\nHost: t\r\n")       # and then nothing
    silent = Conn(s)                                       # connects, never sends
    kept = Conn(s)
    assert kept.request("/a.txt").body == SMALL           # then idles between requests
    # A byte every 0.2 s does not keep a request alive past the timeout:
    # the whole request would take 7 s; the server ends it after 1.
    trickle = Conn(s)
    start = time.monotonic()
    got = bytearray()
    trickle.sock.settimeout(0.2)
    for b in request_bytes("/a.txt", host="a-host-name-to-take-long"):
        try:
            trickle.sock.send(bytes([b]))
            chunk = trickle.sock.recv(1 << 16)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    assert time.monotonic() - start < 3, "a trickling request kept the connection"
    assert not got or got.startswith(b"HTTP/1.1 408 "), got[:200]
    r = half.response()
    assert r.status == 408 and r.headers["connection"] == "close"
    took = [half.expect_closed(), silent.expect_closed(), kept.expect_closed()]
    assert all(t < 3 for t in took), took
    for c in (half, silent, kept, trickle):
        c.close()
    assert re.search(r"^httpd: 408 Request Timeout", s.output(), re.M)
    healthy(s)


def test_idle_timeout_is_not_early(httpd):
    s = httpd(tree(), args=["--idle-timeout", "1500ms"])
    with Conn(s) as c:
        c.send(b"GET /a.txt HTTP/1.1\r\n")
        time.sleep(0.8)
        c.send(b"Host: t\r\n\r\n")
        assert c.response().body == SMALL       # complete within the 1.5 s
        assert c.request("/a.txt").body == SMALL
        start = time.monotonic()
        c.expect_closed(5)
        assert 1.0 < time.monotonic() - start < 3.5


def test_idle_timeout_of_each_connection_is_its_own(httpd):
    """An active connection opened first does not shield idle ones opened
    after it: each idles out on its own time."""
    s = httpd(tree(), args=["--idle-timeout", "1"])
    active = Conn(s)
    assert active.request("/a.txt").body == SMALL
    idle = Conn(s)
    start = time.monotonic()
    closed_at = None
    idle.sock.setblocking(False)
    while time.monotonic() - start < 2.5:
        assert active.request("/a.txt").body == SMALL
        if closed_at is None:
            try:
                if idle.sock.recv(1) == b"":
                    closed_at = time.monotonic() - start
            except BlockingIOError:
                pass
        time.sleep(0.2)
    assert closed_at is not None and closed_at < 2.0, closed_at
    active.close()
    idle.close()


def test_client_resets(httpd):
    big = os.urandom(4 * 1024 * 1024)
    s = httpd(tree(**{"big.bin": big}), args=["--stats-interval", "1"])
    for i in range(40):
        c = Conn(s)
        kind = i % 4
        if kind == 1:
            c.send(b"GET /a.txt HTTP/1.1\r\nHo")
        elif kind == 2:
            c.send(request_bytes("/medium.bin"))       # and never read the answer
        elif kind == 3:
            c.send(request_bytes("/big.bin"))
            c.sock.recv(10000)                          # mid-download
        c.reset()
        if i % 10 == 0:
            healthy(s)
    healthy(s)
    # all 45 connections (the resets and healthy's five) were closed again
    wait_stats(s, lambda f: f["accepted"] == 45 and f["open"] == 0)


def test_thousand_connections_opened_and_dropped(httpd):
    s = httpd(tree(), args=["--stats-interval", "1"])
    for i in range(1000):
        sock = socket.create_connection((s.host, s.port), timeout=10)
        if i % 3 == 1:
            sock.sendall(b"GET /a.txt HTT")
        elif i % 3 == 2:
            sock.sendall(request_bytes("/a.txt"))
        sock.close()
    healthy(s)
    # every one was accepted and is closed again: none leaked
    fields = wait_stats(s, lambda f: f["accepted"] == 1001 and f["open"] == 0)
    assert fields["refused"] == 0 and fields["timed_out"] == 0, fields["line"]


def test_connection_limit_refuses_cleanly(httpd):
    s = httpd(tree(), args=["--max-connections", "5", "--stats-interval", "1"])
    held = [Conn(s) for _ in range(5)]
    for c in held:
        assert c.request("/a.txt").body == SMALL
    extra = Conn(s)             # the kernel completes the handshake; the server closes it
    try:
        extra.send(request_bytes("/a.txt"))
    except OSError:
        pass                    # closed before the request went: as good
    extra.expect_closed(5)
    extra.close()
    s.wait_output(r"^httpd: 5 connections open, the limit: refusing new ones")
    held.pop().close()
    time.sleep(0.2)
    healthy(s)
    for c in held:
        assert c.request("/a.txt").body == SMALL     # the others were never disturbed
        c.close()
    wait_stats(s, lambda f: (f["accepted"], f["refused"], f["open"]) == (6, 1, 0))


# ---- addresses, options, start-up errors, a clean exit ----

def ipv6_loopback():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as t:
            t.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_ipv6_and_dual_stack(httpd):
    s = httpd(tree(), args=["--bind", "::1"])
    assert get(s, "/a.txt").body == SMALL
    both = httpd(tree(), args=["--bind", "::"])
    assert get(both, "/a.txt").body == SMALL                 # over ::1
    with Conn(both, host="127.0.0.1") as c:                 # and IPv4 on the same socket
        assert c.request("/a.txt").body == SMALL


@pytest.mark.parametrize("fault,line", [
    (None, None),
    ("no-ipv6", r"^httpd: no IPv6 here \(Address family not supported by protocol\): "
                r"listening on IPv4 only$"),
    ("v6only", r"^httpd: \[::\] takes IPv6 only here: IPv4 gets a socket of its own$"),
])
def test_default_address_takes_both_families(httpd, fault, line):
    """Without --bind: "::" taking IPv4 too; where the system has no IPv6,
    IPv4 alone; where an IPv6 socket cannot take IPv4, one socket each
    (the plain build with tests/http/fault_shim.c pretending so)."""
    s = httpd(tree(), binary=PLAIN_BINARY, default_address=True,
              env={"LD_PRELOAD": FAULT_SHIM, "HTTPD_FAULT": fault or ""})
    if line:
        assert re.search(line, s.output(), re.M), s.output()
    else:
        assert "httpd: no IPv6" not in s.output() and "IPv6 only" not in s.output()
    assert get(s, "/a.txt").body == SMALL                  # IPv4, 127.0.0.1
    if fault == "no-ipv6":
        with pytest.raises(OSError):
            socket.create_connection(("::1", s.port), timeout=2).close()
    elif ipv6_loopback():
        with Conn(s, host="::1") as c:
            assert c.request("/a.txt").body == SMALL


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_out_of_descriptors(httpd):
    """With 40 descriptors the server takes 24 connections (16 stay for
    itself and files). 24 stalled downloads use up the rest: files that
    cannot be opened are 503, a 25th connection cannot be accepted, and
    the server waits for a free descriptor without spinning, then goes on."""
    s = httpd(tree(**{"big.bin": os.urandom(8 * 1024 * 1024)}), nofile=40)
    socks = []
    for _ in range(24):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)   # and never read
        sock.settimeout(10)
        sock.connect((s.host, s.port))
        sock.sendall(request_bytes("/big.bin"))
        socks.append(sock)
    s.wait_output(r"^httpd: 503 Service Unavailable: GET /big\.bin: Too many open files$")
    late = Conn(s)
    late.send(request_bytes("/a.txt"))
    s.wait_output(r"^httpd: accept: Too many open files: trying again when a connection closes "
                  r"or in 100 ms$")
    before = cpu_seconds(s.proc.pid)
    time.sleep(1)
    assert cpu_seconds(s.proc.pid) - before < 0.3, "the server spun while out of descriptors"
    assert s.output().count("httpd: accept: Too many open files") == 1
    statuses = []
    for sock in socks:
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        statuses.append(int(head.split(b" ", 2)[1]))
    assert set(statuses) == {200, 503} and statuses.count(200) >= 5, statuses
    for sock in socks:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    assert late.response().body == SMALL        # accepted once descriptors were free
    late.close()
    healthy(s)


def run_httpd(args, timeout=10):
    return subprocess.run([BINARY] + args, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **SANITIZER_ENV))


def test_start_up_errors(httpd, scratch):
    s = httpd(tree())
    res = run_httpd(["--port", str(s.port), "--bind", "127.0.0.1", "--root", scratch])
    assert res.returncode == 1
    assert re.search(rf"^httpd: bind 127\.0\.0\.1:{s.port}: Address (already )?in use",
                     res.stderr, re.M), res.stderr
    for args, message in [
        (["--port", "99999"], r"--port: '99999' is not a whole number from 0 to 65535"),
        (["--port"], r"option '--port' needs a value"),
        (["--idle-timeout", "0"], r"--idle-timeout: '0' is not a duration"),
        (["--max-header-bytes", "10"], r"--max-header-bytes: '10' is not a whole number"),
        (["--frobnicate"], r"unknown option '--frobnicate'"),
        (["stray"], r"unexpected argument 'stray'"),
    ]:
        res = run_httpd(args)
        assert res.returncode == 2 and re.search(message, res.stderr), (args, res.stderr)
    res = run_httpd(["--bind", "not-an-address", "--port", "0"])
    assert res.returncode == 1 and "'not-an-address' is not an IPv4 or IPv6 address" in res.stderr
    res = run_httpd(["--help"])
    assert res.returncode == 0 and "--max-connections" in res.stdout
    assert s.alive()


def test_missing_root_serves_builtin_page_only(httpd, scratch):
    missing = os.path.join(scratch, "no-such-dir")
    s = httpd(root=missing, args=[])
    assert re.search(rf"^httpd: root {re.escape(missing)}: No such file or directory: serving "
                     r"only the built-in page at /$", s.output(), re.M)
    with Conn(s) as c:
        assert len(c.request("/").body) == 612
        assert c.request("/a.txt").status == 404


def test_clean_exit_frees_everything(httpd):
    """--exit-after closes every connection and frees everything:
    LeakSanitizer checks at exit, with connections in every state open."""
    big = os.urandom(4 * 1024 * 1024)
    s = httpd(tree(**{"big.bin": big}), args=["--exit-after", "3"])
    s.expect_exit = True
    idle = Conn(s)
    assert idle.request("/a.txt").body == SMALL
    partial = Conn(s)
    partial.send(b"GET /a.txt HTTP/1.1\r\n")
    stalled = Conn(s)
    stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    stalled.send(request_bytes("/big.bin"))
    for _ in range(20):
        assert get(s, "/medium.bin").body == MEDIUM
    status = s.proc.wait(timeout=10)
    out = s.output()
    for c in (idle, partial, stalled):
        c.close()
    assert status == 0, out
    assert re.search(r"^httpd: stats: requests=22 .* open=3 status: 200=22$", out, re.M), out
    assert re.search(r"^httpd: stopped after 3 s$", out, re.M)
    assert "Sanitizer" not in out and "leak" not in out.lower(), out


def test_statistics_line_counts(httpd):
    s = httpd(tree(), args=["--stats-interval", "1", "--quiet"])
    with Conn(s) as c:
        for path in ["/a.txt", "/", "/sub/", "/x", "/y"]:
            c.request(path)
        c.request("/", method="POST")
    exchange(s, b"garbage\r\n\r\n")
    fields = wait_stats(s, lambda f: f["requests"] == 7)
    assert fields["accepted"] == 2, fields["line"]
    assert fields["line"].endswith(" status: 200=3 400=1 404=2 405=1"), fields["line"]
    assert not re.search(r"^httpd: 40\d ", s.output(), re.M), "--quiet still logged requests"


def test_sigterm_stops_cleanly(scratch):
    """SIGTERM (a service manager; anyvm's kernel passes the host's shutdown
    on as it) ends the server at its next turn with status 0, saying how
    many connections were open."""
    root = os.path.join(scratch, "www")
    make_tree(root, tree())
    s = HostLauncher(scratch).start(root, [])
    with Conn(s) as c:
        assert c.request("/a.txt").status == 200      # a keep-alive connection stays open
        status, out = s.stop()
    assert status == 0, out[-2000:]
    assert re.search(r"^httpd: SIGTERM: stopping with 1 connection open$", out, re.M), out
    assert not SANITIZER.search(out)
