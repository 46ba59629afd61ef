"""UEFI boots beyond the boot matrix's cases (q35-uefi*): each under OVMF
on q35 through tools/anyvm_lib, judged by its serial transcript.

  arguments     blanks and UTF-8 reach the app intact, through -kernel's
                load options (OVMF widens each byte of QEMU's command line
                to a UCS-2 unit) and through the image's .cmdline section;
  memory        the usable memory the kernel reports follows -m: at most
                -m, and 128 MiB more RAM gives 128 MiB more (within what
                the firmware keeps for itself);
  clock         the TSC rate comes from the firmware (Stall), not the PIT;
  moved image   a copy whose PE ImageBase says 48 MiB is loaded there by
                the firmware; the entry moves it to 1 MiB and it boots.
"""

import re
import struct

import pytest

from anyvm_lib import efi, launch

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 120
ARGS = ["hello", "two words", "w\u00f6rld \u20ac"]


def boot(target, image="hello.elf", mem="128M", args=()):
    spec = launch.BootSpec(image=os.path.join(ROOT, "build", image) if "/" not in image else image,
                           target=target, accel="tcg", mem=mem, args=list(args), timeout=TIMEOUT)
    res, out = launch.boot(spec)
    text = res.serial_text
    print(f"$ {' '.join(res.argv)}\n{text}")
    assert not res.timed_out, "timed out"
    assert "boot: uefi (firmware EDK II)" in text
    assert "anyvm: panic" not in text and "acpi: no RSDP" not in text
    assert re.search(r"^cpus: 1 \(ACPI MADT\)", text, re.M), "no MADT: ACPI not found"
    # No PIT calibration: the TSC rate comes from the firmware's Stall.
    assert re.search(r"^clock: tsc \d+\.\d{3} MHz \(UEFI Stall\)$", text, re.M)
    assert out.status == 0 and "anyvm: exit status 0" in text
    return text


def app_lines(text):
    lines = text.replace("\r", "").split("\n")
    start = lines.index("Hello, world!") + 1
    return lines[start:lines.index("anyvm: exit status 0")]


@pytest.mark.parametrize("target", ["q35-uefi", "q35-uefi-esp"])
def test_arguments_intact(target):
    text = boot(target, args=ARGS)
    assert app_lines(text) == ARGS


def usable_kib(text):
    m = re.search(r"^memory: (\d+) KiB usable", text, re.M)
    assert m, "no memory line"
    return int(m.group(1))


def test_memory_follows_m():
    small = usable_kib(boot("q35-uefi", mem="128M"))
    large = usable_kib(boot("q35-uefi", mem="256M"))
    assert small <= 128 * 1024 and large <= 256 * 1024
    # OVMF keeps a few MiB (its runtime, ACPI and variable store) whatever -m is.
    assert small >= 112 * 1024
    assert abs((large - small) - 128 * 1024) <= 4 * 1024


def test_moved_image(tmp_path):
    data = bytearray(efi.read(os.path.join(ROOT, "build", "hello.efi")))
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    struct.pack_into("<Q", data, pe + 24 + 24, 0x3000000)     # ImageBase
    copy = tmp_path / "moved.efi"
    copy.write_bytes(bytes(data))
    text = boot("q35-uefi-esp", image=str(copy), args=["x"])
    assert "uefi: the firmware loaded the image at 0x3000000; moved to 0x100000" in text
    assert app_lines(text) == ["x"]
