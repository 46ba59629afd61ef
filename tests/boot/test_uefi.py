"""UEFI boots beyond the boot matrix's cases (q35-uefi*): each under OVMF
on q35 through tools/anyvm_lib, judged by its serial transcript.

  arguments     blanks and UTF-8 reach the app intact, through -kernel's
                load options (OVMF widens each byte of QEMU's command line
                to a UCS-2 unit) and through the image's .cmdline section;
  memory        the usable memory the kernel reports follows -m: at most
                -m, and 128 MiB more RAM gives 128 MiB more (within what
                the firmware keeps for itself);
  clock         the TSC rate comes from the firmware (Stall), not the PIT;
  SPCR          an ACPI SPCR table (QEMU -acpitable) names the console port;
  relocated     a copy rebased to address 0 (efi.rebased: every fixup of
                its relocation table moved, ImageBase 0), which EDK II
                loads anywhere but there and relocates: the kernel runs
                where the firmware put it;
  moved         a copy rebased to 2.25 GiB, which the firmware loads
                there (-m 2800M): the entry moves it below 2 GiB, where
                its 32-bit addresses reach, and relocates it again; the
                memory above the copy is still used (the usable memory is
                that of the image at 1 MiB).
"""

import re
import struct

import pytest

from anyvm_lib import efi, launch, ovmf, qemu, vm

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
    assert "intc: no 8259s" not in text       # q35's MADT says PCAT_COMPAT
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


def rebased_copy(tmp_path, base):
    data = efi.read(os.path.join(ROOT, "build", "hello.efi"))
    copy = tmp_path / f"at-{base:#x}.efi"
    copy.write_bytes(efi.rebased(data, base))
    return str(copy)


def test_relocated_by_firmware(tmp_path):
    text = boot("q35-uefi-esp", image=rebased_copy(tmp_path, 0), args=["x y"])
    m = re.search(r"^uefi: the image runs at (0x[0-9a-f]+) \(linked at 0x100000\), relocated$",
                  text, re.M)
    assert m and int(m.group(1), 16) not in (0, 0x100000)
    assert "moved to" not in text
    assert usable_kib(text) >= 112 * 1024
    assert app_lines(text) == ["x y"]


def test_moved_below_2gib(tmp_path):
    text = boot("q35-uefi-esp", image=rebased_copy(tmp_path, 0x90000000), mem="2800M",
                args=["x y"])
    m = re.search(r"^uefi: the firmware loaded the image at 0x90000000, above what its addresses "
                  r"reach; moved to (0x[0-9a-f]+) \(linked at 0x100000\)$", text, re.M)
    assert m, "not moved"
    size = efi.sections(efi.read(os.path.join(ROOT, "build", "hello.efi")))[b".data"]
    assert int(m.group(1), 16) + size[0] + size[1] < 0x80000000
    assert app_lines(text) == ["x y"]
    at_1mib = usable_kib(boot("q35-uefi-esp", mem="2800M"))
    assert abs(usable_kib(text) - at_1mib) <= 1024


def spcr_table(port):
    """An ACPI SPCR table naming a 16550 at I/O port `port` (Microsoft's
    Serial Port Console Redirection Table, revision 2: interface type 0,
    base address as an I/O-space Generic Address Structure at 40)."""
    body = bytes(4) + struct.pack("<BBBBQ", 1, 8, 0, 1, port) + bytes(80 - 52)
    hdr = (b"SPCR" + struct.pack("<IB", 80, 2) + b"\0" + b"ANYVM " + b"TESTSPCR" +
           struct.pack("<I", 1) + b"ANYV" + struct.pack("<I", 1))
    t = bytearray(hdr + body)
    t[9] = -sum(t) & 0xFF
    return bytes(t)


@pytest.mark.parametrize("with_spcr", [True, False])
def test_spcr_names_the_console(tmp_path, with_spcr):
    """COM1 exists but goes nowhere; COM2 is the transcript. With an SPCR
    table naming COM2 (QEMU -acpitable) the kernel talks there; without it
    (the control) it takes the firmware's COM1 and COM2 shows no banner."""
    table = tmp_path / "spcr.bin"
    table.write_bytes(spcr_table(0x2F8))
    argv = [qemu.QEMU, "-M", "q35", "-accel", "tcg", "-m", "128M", "-display", "none",
            "-serial", "null", "-serial", "stdio", "-monitor", "none", "-nic", "none",
            "-no-reboot", *qemu.DEBUG_EXIT, *ovmf.pflash_args(str(tmp_path)),
            "-kernel", os.path.join(ROOT, "build", "hello.efi"),
            "-append", "anyvm.exit_port=0xf4 -- spcr"]
    if with_spcr:
        argv += ["-acpitable", f"file={table}"]
    r = vm.run(argv, timeout=TIMEOUT)
    text = r.serial_text
    print(text)
    assert not r.timed_out and r.rc == qemu.debug_exit_code(0)
    if with_spcr:
        assert "boot: uefi (firmware EDK II)" in text and "anyvm: exit status 0" in text
        assert app_lines(text) == ["spcr"]
    else:
        assert "anyvm" not in text
