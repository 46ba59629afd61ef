"""A strict HTTP/1.1 client for the tests: every response is parsed exactly
(status line, fields, a body of exactly Content-Length bytes), so extra or
missing bytes show up in the next response or at the end of the
connection."""

import re
import socket
import struct
import time

STATUS_LINE = re.compile(rb"^HTTP/1\.1 (\d{3}) ([^\r\n]*)$")
FIELD = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?(.*?) ?$")
TIMEOUT = 10.0


class Response:
    def __init__(self, status, reason, fields, body):
        self.status, self.reason, self.fields, self.body = status, reason, fields, body
        self.headers = {k.lower(): v for k, v in fields}

    def __repr__(self):
        return f"<Response {self.status} {self.reason} {self.headers} {len(self.body)} bytes>"


class Conn:
    def __init__(self, server, timeout=TIMEOUT, host=None):
        self.sock = socket.create_connection((host or server.host, server.port), timeout=timeout)
        self.buf = bytearray()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise EOFError(f"connection closed by the server ({len(self.buf)} bytes unread)")
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                return self._take(i + 2)[:-2]
            if len(self.buf) > 65536:
                raise AssertionError("response line longer than 64 KiB")
            self._fill()

    def response(self, head=False):
        """The next response; `head`: it answers a HEAD (no body)."""
        line = self._line()
        m = STATUS_LINE.match(line)
        assert m, f"bad status line {line!r}"
        fields = []
        while True:
            line = self._line()
            if line == b"":
                break
            f = FIELD.match(line)
            assert f, f"bad field line {line!r}"
            fields.append((f.group(1).decode(), f.group(2).decode("latin-1")))
        resp = Response(int(m.group(1)), m.group(2).decode(), fields, b"")
        assert "content-length" in resp.headers, f"no Content-Length: {resp}"
        assert "transfer-encoding" not in resp.headers
        if not head:
            resp.body = self._take(int(resp.headers["content-length"]))
        return resp

    def request(self, path, method="GET", headers=(), version="HTTP/1.1", host="test"):
        self.send(request_bytes(path, method, headers, version, host))
        return self.response(head=method == "HEAD")

    def expect_closed(self, timeout=TIMEOUT, graceful=False):
        """The server ends the connection (FIN or reset; `graceful`: FIN
        only) within timeout seconds, with no byte left unread; returns the
        seconds it took."""
        start = time.monotonic()
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                self.buf += chunk
        except ConnectionResetError:
            assert not graceful, "the server reset the connection instead of closing it"
        except socket.timeout:
            raise AssertionError(f"connection still open after {timeout} s")
        assert not self.buf, f"unexpected bytes before the end: {bytes(self.buf[:200])!r}"
        return time.monotonic() - start

    def reset(self):
        """Close with a reset (SO_LINGER on, time 0) instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def request_bytes(path, method="GET", headers=(), version="HTTP/1.1", host="test"):
    lines = [f"{method} {path} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def get(server, path, **kw):
    with Conn(server) as c:
        return c.request(path, **kw)


def exchange(server, data, timeout=TIMEOUT):
    """Sends raw bytes on a new connection and returns everything the server
    sent until it closed."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as s:
        s.sendall(data)
        out = bytearray()
        try:
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                out += chunk
        except ConnectionResetError:
            pass
        return bytes(out)
