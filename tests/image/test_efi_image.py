"""Checks of every build/APP.efi (`make apps`), the EFI container of the
kernel (boot/efi/pe_header.S, arch/x86_64/efi.ld):

  pe            a PE32+ x64 EFI application (subsystem 10) whose sections
                lie on pages, inside the image and the file, in address
                order, with the entry point in .text; file offset = RVA
                but for .reloc, the last section, which the base
                relocation directory names;
  relocations   the table (tools/efi_relocs.py) holds only 32- and 64-bit
                fixups, each inside .text or .data, and is complete: httpd
                linked at 1 GiB (build/efi-at-1g/httpd.elf) is byte for
                byte build/httpd.efi rebased to 1 GiB by its table, but
                for the immediates that hold the link address itself;
  linux header  the setup header QEMU's -kernel reads ("HdrS", protocol
                2.02 or later, a setup no larger than the file), in bytes
                no PE structure uses;
  cmdline       tools/anyvm_lib/efi.py writes the built-in command line
                and reads it back; a line too long or an image without the
                section is refused.
"""

import os
import struct
import subprocess

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
        assert va % 4096 == 0 and off % 4096 == 0 and raw % 4096 == 0, name
        assert off == va or name == b".reloc", name
        assert va >= prev_end and off + raw <= len(data), name
        prev_end = va + max(vsize, raw)
    assert image_size == prev_end
    text_va, text_size = secs[b".text"][:2]
    assert text_va <= entry < text_va + text_size
    reloc_rva, reloc_size = struct.unpack_from("<II", data, opt + 112 + 5 * 8)
    last = max(secs.values())
    assert (reloc_rva, reloc_size) == secs[b".reloc"][:2] == last[:2]


@pytest.mark.parametrize("app", APPS)
def test_relocations_in_place(app):
    data = load(app)
    secs = efi.sections(data)
    text, data_sec = secs[b".text"], secs[b".data"]
    fixups = efi.relocations(data)
    assert len(fixups) > 100          # the kernel's absolute addresses
    kinds = {kind for _, kind in fixups}
    assert kinds == {efi.REL_HIGHLOW, efi.REL_DIR64}
    file_end = data_sec[0] + data_sec[3]   # .data's bytes; nothing to fix up in .bss
    for rva, kind in fixups:
        assert text[0] <= rva and rva + efi.FIXUP_WIDTH[kind] <= file_end, hex(rva)


def test_relocation_table_complete(tmp_path):
    """Everything that differs between two links at different addresses
    must be a fixup of the table: rebasing the 1 MiB image to 1 GiB gives
    the 1 GiB link's bytes. Left over are the 32-bit immediates of the
    absolute symbol __image_link_base (efi_main's log line), which says
    where each was linked and is meant to differ."""
    here = load("httpd")
    other_elf = os.path.join(ROOT, "build", "efi-at-1g", "httpd.elf")
    here_elf = os.path.join(ROOT, "build", "efi", "httpd.elf")
    if not os.path.exists(other_elf) or os.path.getmtime(other_elf) < os.path.getmtime(here_elf):
        pytest.fail(f"{other_elf} missing or older than {here_elf}: run make "
                    "build/efi-at-1g/httpd.elf (make test does)", pytrace=False)
    subprocess.run(["objcopy", "-O", "binary", other_elf, str(tmp_path / "flat")], check=True)
    flat = (tmp_path / "flat").read_bytes()
    moved = efi.rebased(here, 0x40000000)
    assert len(flat) <= len(moved)
    start = efi.sections(here)[b".text"][0]     # the header page differs (ImageBase, sizes)
    diffs = [i for i in range(start, len(flat)) if moved[i] != flat[i]]
    base_here, base_there = struct.pack("<I", 0x100000), struct.pack("<I", 0x40000000)
    covered, link_base_immediates = -1, 0
    for at in diffs:
        if at < covered:
            continue
        field = next((f for f in range(at - 3, at + 1)
                      if moved[f:f + 4] == base_here and flat[f:f + 4] == base_there), None)
        assert field is not None, \
            f"{at:#x}: {moved[at - 4:at + 4].hex()} rebased, {flat[at - 4:at + 4].hex()} linked at 1 GiB"
        covered = field + 4
        link_base_immediates += 1
    assert link_base_immediates <= 4


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
