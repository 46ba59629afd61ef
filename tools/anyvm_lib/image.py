"""Facts about a kernel image file: its multiboot v1 header and its PVH ELF
note, and the PVH-only copy that makes QEMU take its PVH loader.

Multiboot v1 (spec 0.6.96, section 3.1.1): the header is 32-bit aligned in the
first 8192 bytes: magic 0x1BADB002, flags, checksum (the three sum to 0); with
flag bit 16 (the "a.out kludge") five address fields follow.
PVH (Xen's public/elfnote.h): an ELF note named "Xen" of type 18,
XEN_ELFNOTE_PHYS32_ENTRY, whose descriptor is the 32-bit entry address."""

import struct

MULTIBOOT_MAGIC = 0x1BADB002
MULTIBOOT_SEARCH = 8192
MULTIBOOT_AOUT_KLUDGE = 1 << 16
XEN_ELFNOTE_PHYS32_ENTRY = 18
PT_LOAD, PT_NOTE = 1, 4


class ImageError(ValueError):
    pass


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise ImageError(f"cannot read image {path}: {e.strerror}") from None


def find_multiboot(data):
    """Offset of the first 4-aligned multiboot magic in the first 8 KiB, or None."""
    magic = struct.pack("<I", MULTIBOOT_MAGIC)
    for off in range(0, min(len(data), MULTIBOOT_SEARCH) - 3, 4):
        if data[off:off + 4] == magic:
            return off
    return None


def multiboot_header(data):
    """The header as a dict, or raise ImageError saying what is wrong."""
    off = find_multiboot(data)
    if off is None:
        raise ImageError("no multiboot magic 0x1BADB002 (4-aligned) in the first 8 KiB")
    if off + 12 > len(data):
        raise ImageError(f"multiboot header at {off:#x} is cut off")
    magic, flags, checksum = struct.unpack_from("<III", data, off)
    h = {"offset": off, "flags": flags, "checksum_ok": (magic + flags + checksum) & 0xFFFFFFFF == 0}
    if flags & MULTIBOOT_AOUT_KLUDGE:
        if off + 32 > len(data):
            raise ImageError(f"multiboot header at {off:#x} is cut off before its address fields")
        names = ("header_addr", "load_addr", "load_end_addr", "bss_end_addr", "entry_addr")
        h.update(zip(names, struct.unpack_from("<5I", data, off + 12)))
    return h


def check_multiboot(data):
    """A list of problems with the multiboot header (empty when it is good)."""
    try:
        h = multiboot_header(data)
    except ImageError as e:
        return [str(e)]
    problems = []
    if not h["checksum_ok"]:
        problems.append(f"multiboot checksum wrong at {h['offset']:#x}")
    if not h["flags"] & MULTIBOOT_AOUT_KLUDGE:
        problems.append(f"multiboot flags {h['flags']:#x} lack bit 16 (a.out kludge): "
                        "QEMU refuses an ELF64 multiboot image without it")
    else:
        if not h["load_addr"] <= h["header_addr"]:
            problems.append("multiboot load_addr is above header_addr")
        if h["load_end_addr"] and not h["load_addr"] <= h["entry_addr"] < h["load_end_addr"]:
            problems.append(f"multiboot entry {h['entry_addr']:#x} is outside "
                            f"[{h['load_addr']:#x}, {h['load_end_addr']:#x})")
    return problems


def _elf64_phdrs(data):
    if data[:4] != b"\x7fELF":
        raise ImageError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ImageError("not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    if phentsize < 56 or phoff + phentsize * phnum > len(data):
        raise ImageError("ELF program headers out of the file")
    out = []
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        out.append(dict(type=p_type, offset=p_offset, vaddr=p_vaddr, paddr=p_paddr,
                        filesz=p_filesz, memsz=p_memsz, align=p_align))
    return out


def load_end(data):
    """The highest physical address the PT_LOAD segments fill, or raise
    ImageError."""
    loads = [p for p in _elf64_phdrs(data) if p["type"] == PT_LOAD]
    if not loads:
        raise ImageError("no PT_LOAD segment")
    return max(p["paddr"] + p["memsz"] for p in loads)


def load_address(data):
    """The address of the PT_LOAD segment that starts at file offset 0 (the
    ELF headers' own), or raise ImageError."""
    for p in _elf64_phdrs(data):
        if p["type"] == PT_LOAD and p["offset"] == 0 and p["filesz"]:
            return p["paddr"]
    raise ImageError("no PT_LOAD segment starts at file offset 0")


def elf_machine(data):
    """e_machine of an ELF64 file (62: x86-64), or raise ImageError."""
    _elf64_phdrs(data)
    return int.from_bytes(data[0x12:0x14], "little")


def pvh_entry(data):
    """The PVH entry address from the PT_NOTE segments, or raise ImageError."""
    phdrs = _elf64_phdrs(data)
    for ph in phdrs:
        if ph["type"] != PT_NOTE:
            continue
        pos, end = ph["offset"], ph["offset"] + ph["filesz"]
        if end > len(data):
            raise ImageError("PT_NOTE segment runs past the end of the file")
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name_at = pos + 12
            desc_at = name_at + ((namesz + 3) & ~3)
            nxt = desc_at + ((descsz + 3) & ~3)
            if nxt > end:
                break
            name = data[name_at:name_at + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                if descsz < 4:
                    raise ImageError(f"PVH note descriptor is {descsz} bytes, needs at least 4")
                if ph["align"] > 4:
                    raise ImageError(f"PT_NOTE alignment is {ph['align']}: QEMU reads the note "
                                     "with that alignment and would miss the entry; use 4")
                entry, = struct.unpack_from("<I", data, desc_at)
                return entry
            pos = nxt
    raise ImageError('no PVH note (PT_NOTE named "Xen", type 18)')


def check_pvh(data):
    """A list of problems with the PVH note (empty when it is good)."""
    try:
        entry = pvh_entry(data)
        loads = [p for p in _elf64_phdrs(data) if p["type"] == PT_LOAD]
    except ImageError as e:
        return [str(e)]
    if not any(p["paddr"] <= entry < p["paddr"] + p["memsz"] for p in loads):
        return [f"PVH entry {entry:#x} is in no PT_LOAD segment"]
    return []


def blank_multiboot(data):
    """A copy of the image whose multiboot magic is zeroed: QEMU, which tries
    multiboot before PVH, then boots it through its PVH loader."""
    off = find_multiboot(data)
    if off is None:
        raise ImageError("no multiboot magic in the first 8 KiB to blank")
    return data[:off] + b"\0\0\0\0" + data[off + 4:]


def with_bss_end(data, bss_end):
    """A copy of the image whose multiboot header declares .bss up to
    bss_end (not below its own): QEMU's multiboot loader puts the command
    line and the module list on the first page after bss_end_addr, so a test
    can choose where they land. The checksum covers only magic, flags and
    itself, so it stays valid."""
    h = multiboot_header(data)
    if "bss_end_addr" not in h:
        raise ImageError("the multiboot header has no address fields (a.out kludge)")
    if bss_end < h["bss_end_addr"]:
        raise ImageError(f"bss_end {bss_end:#x} is below the image's {h['bss_end_addr']:#x}")
    at = h["offset"] + 24
    return data[:at] + struct.pack("<I", bss_end) + data[at + 4:]


def _elf64_sections(data):
    """{name: bytes} of an ELF64 file's sections (empty when it has no
    section table or the table is not sound)."""
    if data[:4] != b"\x7fELF" or len(data) < 0x40:
        return {}
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    if shoff == 0 or shentsize < 0x40 or shoff + shnum * shentsize > len(data) or shstrndx >= shnum:
        return {}
    heads = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    _, _, _, _, str_off, str_size = heads[shstrndx]
    strtab = data[str_off:str_off + str_size]
    out = {}
    for name_off, stype, _, _, off, size in heads:
        end = strtab.find(b"\0", name_off)
        if end < 0 or stype == 8:       # SHT_NOBITS holds no bytes in the file
            continue
        out[strtab[name_off:end].decode(errors="replace")] = data[off:off + size]
    return out


def elf_section(data, name):
    """The bytes of an ELF64 file's section name (empty when it has none)."""
    return _elf64_sections(data).get(name, b"")


def app_info(data):
    """What `anyvm build` recorded in the image (key=value lines of its
    .anyvm_info section: name, memory), as a dict; empty for images built
    otherwise."""
    raw = _elf64_sections(data).get(".anyvm_info", b"").rstrip(b"\0")
    info = {}
    for line in raw.decode(errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            info[key] = value
    return info
