"""UEFI without a serial port, as on Hyper-V Gen2: q35 + OVMF with
`-serial none`, so the boot log reaches the host only through the GOP
framebuffer (drivers/fbcon). The guest powers off (ACPI S5) into QEMU's
-no-shutdown pause; the test then takes a QMP `screendump`, keeps it as a
PNG a person can open (build/test-uefi-screen.png), and reads the text
back cell by cell: each 8x16 cell must be exactly a glyph of the font the
console was built with (tools/psf_to_c.py reads the same file), and the
rows must spell the banner, the app's output and its exit status."""

import json
import os
import socket
import struct
import subprocess
import sys
import time
import zlib

import pytest

from anyvm_lib import ovmf, qemu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import psf_to_c  # noqa: E402

FONT = "/usr/share/consolefonts/Lat15-VGA16.psf.gz"   # the Makefile's FBCON_FONT
TIMEOUT = 120


class Qmp:
    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(30)
        self.buf = b""
        self.read()                                  # the greeting
        self.call("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, **args):
        self.sock.sendall(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
        while True:
            msg = self.read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise RuntimeError(f"QMP {cmd}: {msg['error']}")


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255", "not an 8-bit PPM"
    return int(parts[1]), int(parts[2]), parts[4]


def write_png(path, width, height, rgb):
    """A PNG (RFC 2083: signature, IHDR, one IDAT, IEND; filter 0 per row)."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                  0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def screen_text(width, height, rgb):
    """The screen as text: each 8x16 cell matched against the font's ASCII
    glyphs (foreground: any channel above half); '\\x00' for a cell that is
    no glyph at all."""
    table = psf_to_c.read_psf1(FONT)
    glyphs = {}
    for cp in range(0x7E, 0x1F, -1):              # the space last: blank cells are spaces
        if cp in table:
            glyphs[bytes(table[cp])] = chr(cp)
    rows = []
    for r in range(height // 16):
        line = []
        for c in range(width // 8):
            cell = bytearray(16)
            for y in range(16):
                off = ((r * 16 + y) * width + c * 8) * 3
                bits = 0
                for x in range(8):
                    if max(rgb[off + 3 * x:off + 3 * x + 3]) > 0x80:
                        bits |= 0x80 >> x
                cell[y] = bits
            line.append(glyphs.get(bytes(cell), "\0"))
        rows.append("".join(line).rstrip(" "))
    return rows


def test_banner_on_the_framebuffer(tmp_path):
    efi_image = os.path.join(ROOT, "build", "hello.efi")
    assert os.path.exists(efi_image), "build/hello.efi missing: make apps"
    sock = str(tmp_path / "qmp.sock")
    argv = [qemu.QEMU, "-M", "q35", "-accel", "tcg", "-m", "128M", "-display", "none",
            "-serial", "none", "-monitor", "none", "-nic", "none", "-no-shutdown",
            "-qmp", f"unix:{sock},server=on,wait=off", *ovmf.pflash_args(str(tmp_path)),
            "-kernel", efi_image, "-append", '-- hello "two words"']
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + TIMEOUT
    try:
        q = Qmp(sock, deadline)
        while q.call("query-status")["status"] != "shutdown":
            assert time.monotonic() < deadline, "the guest did not power off in time"
            time.sleep(0.5)
        ppm = str(tmp_path / "screen.ppm")
        q.call("screendump", filename=ppm)
        q.call("quit")
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    width, height, rgb = read_ppm(ppm)
    png = os.path.join(ROOT, "build", "test-uefi-screen.png")
    write_png(png, width, height, rgb)
    print(f"screendump: {png} ({width}x{height})")
    rows = screen_text(width, height, rgb)
    text = [r for r in rows if r]
    print("\n".join(text))
    assert all("\0" not in r for r in rows), "a cell holds no glyph of the font"
    # The console says where it draws as it starts, before the banner.
    want = [f"console: framebuffer {width}x{height}, {width // 8}x{height // 16} characters",
            "boot: uefi (firmware EDK II)", "cpus: 1 (ACPI MADT)", "Hello, world!", "hello",
            "two words", "anyvm: exit status 0"]
    pos = 0
    for w in want:
        found = [i for i in range(pos, len(text)) if text[i] == w]
        assert found, f"{w!r} not drawn (after row {pos})"
        pos = found[0] + 1
    assert text[0] == want[0] and text[1].startswith("anyvm 0.")
