"""The serial filter of `anyvm run` and `anyvm logs` (tools/launcher/
serial_filter.c, in build/anyvm) on what SeaBIOS and GRUB really write
(recorded from QEMU 7.2 -M pc and the GRUB 2.06 ISO), through the program
itself: `build/anyvm --serial-filter` reads stdin as the runner reads the
VMM's stdout. tests/unit/test_launcher_filter.c cuts the same input into
chunks at every position."""

import os
import subprocess

import pytest

from anyvm_lib import runplan

SEABIOS = (b"\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
           b"Booting from DVD/CD...\r\n\x1b[0;30;47mWelcome to GRUB!\r\n\n\x1b[H\x1b[J\x1b[1;1H\r\n")
KERNEL = b"anyvm 0.1-abc\r\nboot: multiboot\r\nHello, \x1b[1mworld\x1b[0m!\r\nanyvm: exit status 0\r\n"
WANT = (b"SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from DVD/CD...\nWelcome to GRUB!\n\n\n"
        b"anyvm 0.1-abc\nboot: multiboot\nHello, \x1b[1mworld\x1b[0m!\nanyvm: exit status 0\n")


@pytest.fixture(scope="module")
def runner():
    if not os.access(runplan.RUNNER, os.X_OK):
        pytest.fail(f"{runplan.RUNNER} missing: make tools")
    return runplan.RUNNER


def run(runner, data):
    p = subprocess.run([runner, "--serial-filter"], input=data, capture_output=True, timeout=30)
    assert p.returncode == 0 and p.stderr == b"", p.stderr
    return p.stdout


def test_firmware_escapes_dropped_app_escapes_kept(runner):
    assert run(runner, SEABIOS + KERNEL) == WANT


def test_osc_and_charset_sequences(runner):
    data = b"\x1b]0;title\x07a\x1b]2;t\x1b\\b\x1b(Bc\x1b7d\r\n"
    assert run(runner, data) == b"abcd\n"


def test_a_lone_cr_is_kept_and_a_final_one_flushed(runner):
    assert run(runner, b"anyvm x\r\n50%\r100%\r") == b"anyvm x\n50%\r100%\r"


def test_banner_only_at_a_line_start(runner):
    # "xanyvm " in the middle of a firmware line does not end the filtering
    assert run(runner, b"xanyvm \x1b[2Jy\r\nanyvm 1\r\n\x1b[1mz") == b"xanyvm y\nanyvm 1\n\x1b[1mz"


def test_non_utf8_bytes_pass(runner):
    assert run(runner, b"\xff\r\nanyvm \xc3\x28\r\n") == b"\xff\nanyvm \xc3\x28\n"


def test_more_than_one_read(runner):
    # 200 KiB: the program's reads (64 KiB) cut the input anywhere
    data = (b"\x1b[2Jfirmware\r\n" * 5000) + KERNEL * 3000
    want = b"firmware\n" * 5000 + (KERNEL * 3000).replace(b"\r\n", b"\n")
    assert run(runner, data) == want
