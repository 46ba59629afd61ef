"""Facts about an EFI application file (build/NAME.efi, boot/efi/pe_header.S)
and the copy that carries a command line.

PE/COFF (Microsoft PE format specification): "MZ" at 0, the PE header's
offset at 0x3c, "PE\\0\\0", the COFF header (20 bytes: machine, number of
sections, ..., size of the optional header), the optional header (magic
0x20b for PE32+, Subsystem at offset 68), then 40-byte section headers
(name, VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData, ...).
The kernel reads the command line from the `.cmdline` section when the
firmware passes no load options (boot/efi/efi_main.c): UTF-8, NUL-ended,
at most CMDLINE_MAX - 1 bytes."""

import os
import struct

PE32_PLUS = 0x20B
SUBSYSTEM_EFI_APPLICATION = 10
MACHINE_X64 = 0x8664
CMDLINE_SECTION = b".cmdline"
CMDLINE_MAX = 2048   # BOOTINFO_CMDLINE_MAX (boot/bootinfo.h), the NUL included


class EfiError(ValueError):
    pass


def sections(data):
    """{name: (virtual_address, virtual_size, raw_offset, raw_size)} of a
    PE32+ x64 EFI application. Raises EfiError for anything else."""
    if data[:2] != b"MZ" or len(data) < 0x40:
        raise EfiError("not a PE file (no MZ header)")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if pe + 24 > len(data) or data[pe:pe + 4] != b"PE\0\0":
        raise EfiError("not a PE file (no PE signature)")
    machine, nsec = struct.unpack_from("<HH", data, pe + 4)
    opt_size = struct.unpack_from("<H", data, pe + 20)[0]
    opt = pe + 24
    if opt + 70 > len(data):
        raise EfiError("PE optional header cut short")
    magic = struct.unpack_from("<H", data, opt)[0]
    subsystem = struct.unpack_from("<H", data, opt + 68)[0]
    if machine != MACHINE_X64 or magic != PE32_PLUS or subsystem != SUBSYSTEM_EFI_APPLICATION:
        raise EfiError(f"not an x64 EFI application (machine {machine:#x}, magic {magic:#x}, "
                       f"subsystem {subsystem})")
    table = opt + opt_size
    if table + 40 * nsec > len(data):
        raise EfiError("PE section table cut short")
    out = {}
    for i in range(nsec):
        name, vsize, va, raw_size, raw_off = struct.unpack_from("<8sIIII", data, table + 40 * i)
        out[name.rstrip(b"\0")] = (va, vsize, raw_off, raw_size)
    return out


REL_ABSOLUTE, REL_HIGHLOW, REL_DIR64 = 0, 3, 10   # PE/COFF 6.6.2
FIXUP_WIDTH = {REL_HIGHLOW: 4, REL_DIR64: 8}


def image_base(data):
    sections(data)
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    return struct.unpack_from("<Q", data, pe + 24 + 24)[0]


def relocations(data):
    """[(rva, kind)] of the base relocation table (PE/COFF 6.6: blocks of a
    page RVA, a block size and 16-bit entries, kind << 12 | offset), read
    through the .reloc section's file bytes; padding entries left out.
    Raises EfiError when the table is not well formed."""
    secs = sections(data)
    if b".reloc" not in secs:
        raise EfiError("no .reloc section")
    _, vsize, off, raw = secs[b".reloc"]
    if vsize > raw or off + raw > len(data):
        raise EfiError(".reloc section outside the file")
    out, i, end = [], off, off + vsize
    while i < end:
        if i + 8 > end:
            raise EfiError(f"relocation block header cut short at {i - off:#x}")
        page, size = struct.unpack_from("<II", data, i)
        if size < 8 or size % 2 or i + size > end:
            raise EfiError(f"relocation block of {size} bytes at {i - off:#x}")
        for j in range(i + 8, i + size, 2):
            entry = struct.unpack_from("<H", data, j)[0]
            kind = entry >> 12
            if kind == REL_ABSOLUTE:
                continue
            if kind not in FIXUP_WIDTH:
                raise EfiError(f"relocation kind {kind} at {page + (entry & 0xFFF):#x}")
            out.append((page + (entry & 0xFFF), kind))
        i += size
    return out


def rebased(data, base):
    """A copy of the image as if linked at `base`: every fixup moved by the
    difference and ImageBase set, what a loader does in memory. Fixups
    must lie in the file's bytes (none is in .bss)."""
    out = bytearray(data)
    delta = base - image_base(data)
    for rva, kind in relocations(data):
        width = FIXUP_WIDTH[kind]
        if rva + width > len(out):
            raise EfiError(f"fixup at {rva:#x} beyond the file")
        fmt = "<I" if width == 4 else "<Q"
        value = struct.unpack_from(fmt, out, rva)[0]
        struct.pack_into(fmt, out, rva, (value + delta) % (1 << (8 * width)))
    pe = struct.unpack_from("<I", out, 0x3C)[0]
    struct.pack_into("<Q", out, pe + 24 + 24, base)
    return bytes(out)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise EfiError(f"cannot read {path}: {e.strerror}") from None


def with_cmdline(data, line):
    """A copy of the EFI application data whose built-in command line is
    `line` (str). Raises EfiError when the image has no .cmdline section or
    the line does not fit."""
    sec = sections(data).get(CMDLINE_SECTION)
    if sec is None:
        raise EfiError("the image has no .cmdline section (not built by this anyvm)")
    _, _, off, size = sec
    text = line.encode("utf-8")
    if b"\0" in text:
        raise EfiError("the command line holds a NUL character")
    room = min(size, CMDLINE_MAX) - 1
    if len(text) > room or off + size > len(data):
        raise EfiError(f"the command line is {len(text)} bytes; the image takes {room}")
    out = bytearray(data)
    out[off:off + size] = text + bytes(size - len(text))
    return bytes(out)


def cmdline(data):
    """The built-in command line of the image data (str, "" when none)."""
    sec = sections(data).get(CMDLINE_SECTION)
    if sec is None:
        raise EfiError("the image has no .cmdline section")
    _, _, off, size = sec
    raw = data[off:off + size]
    return raw[:raw.index(b"\0") if b"\0" in raw else len(raw)].decode("utf-8")


def image_for(path):
    """The .efi for an image path: path itself when the file is a PE (or
    named .efi), the .efi beside it when it is the ELF of a build
    (build/NAME.elf -> build/NAME.efi). Raises EfiError otherwise."""
    root, ext = os.path.splitext(path)
    if ext == ".efi":
        return path
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise EfiError(f"cannot read {path}: {e.strerror}") from None
    if magic[:2] == b"MZ":
        return path
    if magic == b"\x7fELF":
        return root + ".efi"
    raise EfiError(f"{path} is not a PE file nor an ELF image: give build/NAME.efi or the "
                   "build/NAME.elf it was built beside")
