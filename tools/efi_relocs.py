#!/usr/bin/env python3
"""Makes the .efi relocatable: appends the PE base relocation table to the
flat binary of the EFI link and fills in the header fields that describe it.

    efi_relocs.py LINK.elf FLAT.bin OUT.efi

LINK.elf is build/efi/NAME.elf, linked with --emit-relocs (ld -q), so it
keeps every relocation the link resolved; FLAT.bin is its `objcopy -O
binary`, padded to a page (file offset = RVA). The kernel's code model is
small and not position-independent (-mcmodel=small -fno-pic), so the image
holds absolute addresses of three kinds, and each becomes a base
relocation (Microsoft PE/COFF specification 11, section 6.6):

  R_X86_64_64           8 bytes      IMAGE_REL_BASED_DIR64 (10)
  R_X86_64_32, _32S     4 bytes      IMAGE_REL_BASED_HIGHLOW (3)

A relocation is left out when its value is not an address in the image:
against an absolute symbol (a size or a count the linker script computes,
such as __pe_image_pages) or an undefined weak one (0 stays 0), and
everything in .pe_header (RVAs and sizes). PC-relative and TLS-offset
relocations need nothing. Any other kind in a loaded section fails the
build: the loader could not move the image correctly.

The table goes after .data in the file and after .bss in the image (a
.reloc section of its own, the last one), so nothing before it moves; the
firmware applies it when it loads the image away from ImageBase and
boot/efi/efi_entry.S applies it again when it has to move the image below
2 GiB (32-bit fields only reach that far)."""

import struct
import sys

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

R_X86_64_64, R_X86_64_32, R_X86_64_32S = 1, 10, 11
# PC-relative (PC32, PLT32, PC64, GOTPCREL32, GOTPCRELX, REX_GOTPCRELX),
# TLS offsets from the thread pointer (TPOFF32, TPOFF64) and NONE: nothing
# to do when the whole image moves.
POSITION_FREE = {0, 2, 4, 23, 18, 24, 9, 41, 42}
DIR64, HIGHLOW = 10, 3
PAGE = 4096
SKIPPED_SECTIONS = {".pe_header"}


def die(msg):
    sys.exit(f"efi_relocs: {msg}")


def fixups(elf, image_base, image_size):
    """Sorted [(rva, kind)] of every absolute address in the loaded image."""
    symtab = elf.get_section_by_name(".symtab")
    if symtab is None:
        die("the link has no symbol table")
    sites = {}
    for sec in elf.iter_sections():
        if not isinstance(sec, RelocationSection) or not sec.is_RELA():
            continue
        target = elf.get_section(sec["sh_info"])
        if not target["sh_flags"] & SH_FLAGS.SHF_ALLOC or target.name in SKIPPED_SECTIONS:
            continue
        for rel in sec.iter_relocations():
            kind = rel["r_info_type"]
            if kind in POSITION_FREE:
                continue
            if kind not in (R_X86_64_64, R_X86_64_32, R_X86_64_32S):
                die(f"relocation type {kind} at {target.name}+{rel['r_offset']:#x}: "
                    "the image could not be moved")
            sym = symtab.get_symbol(rel["r_info_sym"])
            if sym["st_shndx"] in ("SHN_ABS", "SHN_UNDEF"):
                continue
            rva = rel["r_offset"] - image_base   # a virtual address in an executable
            width = 8 if kind == R_X86_64_64 else 4
            if rva < 0 or rva + width > image_size:
                die(f"relocation at {rva:#x} outside the image")
            if rva in sites:
                die(f"two relocations at {rva:#x}")
            sites[rva] = DIR64 if kind == R_X86_64_64 else HIGHLOW
    out = sorted(sites.items())
    for (a, ka), (b, _) in zip(out, out[1:]):
        if a + (8 if ka == DIR64 else 4) > b:
            die(f"relocations at {a:#x} and {b:#x} overlap")
    return out


def table(sites):
    """The .reloc section: one block per page (page RVA, block size, then
    a 16-bit entry per fixup: type << 12 | offset), each block a multiple
    of 4 bytes (an IMAGE_REL_BASED_ABSOLUTE entry pads)."""
    pages = {}
    for rva, kind in sites:
        pages.setdefault(rva & ~(PAGE - 1), []).append(kind << 12 | (rva & (PAGE - 1)))
    out = bytearray()
    for page, entries in sorted(pages.items()):
        if len(entries) % 2:
            entries.append(0)
        out += struct.pack(f"<II{len(entries)}H", page, 8 + 2 * len(entries), *entries)
    return bytes(out)


def main():
    if len(sys.argv) != 4:
        die("usage: efi_relocs.py LINK.elf FLAT.bin OUT.efi")
    link, flat, dest = sys.argv[1:]
    data = bytearray(open(flat, "rb").read())
    if len(data) % PAGE or data[:2] != b"MZ":
        die(f"{flat}: not a page-padded flat PE image")
    pe, = struct.unpack_from("<I", data, 0x3C)
    opt = pe + 24
    if data[pe:pe + 4] != b"PE\0\0" or struct.unpack_from("<H", data, opt)[0] != 0x20B:
        die(f"{flat}: no PE32+ header")
    nsec, = struct.unpack_from("<H", data, pe + 6)
    opt_size, = struct.unpack_from("<H", data, pe + 20)
    image_base, = struct.unpack_from("<Q", data, opt + 24)
    image_size, = struct.unpack_from("<I", data, opt + 56)
    secs = opt + opt_size
    last = secs + 40 * (nsec - 1)
    if data[last:last + 8] != b".reloc\0\0":
        die(f"{flat}: .reloc is not the last section")

    with open(link, "rb") as f:
        elf = ELFFile(f)
        rel = table(fixups(elf, image_base, image_size))
    if not rel:
        die("the link has no relocation: was it linked with --emit-relocs?")
    raw = -(-len(rel) // PAGE) * PAGE
    rva, offset = image_size, len(data)
    struct.pack_into("<IIII", data, last + 8, len(rel), rva, raw, offset)
    struct.pack_into("<II", data, opt + 112 + 5 * 8, rva, len(rel))
    struct.pack_into("<I", data, opt + 56, image_size + raw)            # SizeOfImage
    init, = struct.unpack_from("<I", data, opt + 8)
    struct.pack_into("<I", data, opt + 8, init + raw)                   # SizeOfInitializedData
    data += rel + bytes(raw - len(rel))
    # The Linux setup header's syssize: 16-byte units after the setup
    # sectors, which QEMU's -kernel hands on (pe_header.S).
    setup = (data[0x1F1] + 1) * 512
    struct.pack_into("<I", data, 0x1F4, (len(data) - setup) // 16)
    with open(dest, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
