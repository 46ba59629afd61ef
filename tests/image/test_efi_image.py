"""Checks of every build/APP.efi (`make apps`), the EFI container of the
kernel (boot/efi/pe_header.S, arch/x86_64/efi.ld):

  pe            a PE32+ x64 EFI application (subsystem 10) whose sections
                lie on pages, inside the image and the file, in address
                order, with the entry point in .text and a base relocation
                directory that is present and names no fixup;
  linux header  the setup header QEMU's -kernel reads ("HdrS", protocol
                2.02 or later, a setup no larger than the file), in bytes
                no PE structure uses;
  cmdline       tools/anyvm_lib/efi.py writes the built-in command line
                and reads it back; a line too long or an image without the
                section is refused.
"""

import os
import struct

import pytest

from anyvm_lib import efi

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APPS = sorted(d for d in os.listdir(os.path.join(ROOT, "apps"))
              if os.path.isdir(os.path.join(ROOT, "apps", d)))


def load(app):
    path = os.path.join(ROOT, "build", app + ".efi")
    if not os.path.exists(path):
        pytest.fail(f"{path} missing: run make apps", pytrace=False)
    return efi.read(path)


@pytest.mark.parametrize("app", APPS)
def test_pe(app):
    data = load(app)
    secs = efi.sections(data)     # raises unless PE32+, x64, subsystem 10
    assert set(secs) == {b".cmdline", b".reloc", b".text", b".data"}
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    opt = pe + 24
    entry, = struct.unpack_from("<I", data, opt + 16)
    base, sect_align, file_align, image_size, headers_size = struct.unpack_from(
        "<QIIxxxxxxxxxxxxxxxxII", data, opt + 24)
    assert base == 0x100000 and sect_align == file_align == 4096
    assert len(data) % 4096 == 0
    prev_end = headers_size
    for name, (va, vsize, off, raw) in sorted(secs.items(), key=lambda s: s[1][0]):
        assert va % 4096 == 0 and off == va and raw % 4096 == 0, name
        assert va >= prev_end, f"{name} overlaps the section before it"
        assert off + raw <= len(data) and va + vsize <= image_size, name
        prev_end = va + max(vsize, raw)
    text_va, text_size = secs[b".text"][:2]
    assert text_va <= entry < text_va + text_size
    reloc_rva, reloc_size = struct.unpack_from("<II", data, opt + 112 + 5 * 8)
    assert reloc_size >= 10 and reloc_rva == secs[b".reloc"][0]
    page, block = struct.unpack_from("<II", data, reloc_rva)
    entries = struct.unpack_from(f"<{(block - 8) // 2}H", data, reloc_rva + 8)
    assert block == reloc_size and all(e >> 12 == 0 for e in entries)   # ABSOLUTE: no fixup


@pytest.mark.parametrize("app", APPS)
def test_linux_header(app):
    data = load(app)
    assert data[0x202:0x206] == b"HdrS"
    version, = struct.unpack_from("<H", data, 0x206)
    assert version >= 0x202
    assert struct.unpack_from("<H", data, 0x1FE)[0] == 0xAA55
    setup_size = (data[0x1F1] + 1) * 512
    assert data[0x1F1] != 0 and setup_size <= len(data)
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsec, opt_size = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
    assert pe + 24 + opt_size + 40 * nsec <= 0x1F1, "the PE headers run into the setup header"


def test_cmdline_round_trip():
    data = load("hello")
    assert efi.cmdline(data) == ""
    line = 'anyvm.exit_port=0xf4 -- "two words" w\u00f6rld'
    copy = efi.with_cmdline(data, line)
    assert efi.cmdline(copy) == line and len(copy) == len(data)
    assert efi.with_cmdline(data, "x" * 2047)
    with pytest.raises(efi.EfiError, match="the image takes 2047"):
        efi.with_cmdline(data, "x" * 2048)
    with pytest.raises(efi.EfiError, match="not a PE"):
        efi.with_cmdline(b"\x7fELF" + bytes(100), "x")
