#!/usr/bin/env python3
"""Writes the seed inputs of hostsim's ELF and legacy-device fuzz harnesses
(tests/fuzz/seeds/hostsim_{elf,legacy}/); the input layouts are described at
the top of tests/fuzz/fuzz_hostsim_*.c. Run from the repository root; the
output is deterministic. (The virtio harnesses' seeds are small hand-made
byte strings kept as they are.)"""
import struct

from mkseeds import write


def elf(entry, loads, notes=(), trailer=b""):
    """ELF64 little-endian: header, program headers, then each segment's
    bytes. loads: (paddr, data); notes: lists of (name, type, desc)."""
    phnum = len(loads) + len(notes)
    off = 64 + 56 * phnum
    body, phdrs = b"", b""
    for paddr, data in loads:
        phdrs += struct.pack("<IIQQQQQQ", 1, 5, off + len(body), paddr, paddr, len(data),
                             len(data) + 16, 0x1000)
        body += data
    for note in notes:
        blob = b""
        for name, typ, desc in note:
            n = name + b"\0"
            blob += struct.pack("<III", len(n), len(desc), typ)
            blob += n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
        phdrs += struct.pack("<IIQQQQQQ", 4, 4, off + len(body), 0, 0, len(blob), len(blob), 4)
        body += blob
    hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    hdr += struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, entry, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
    return hdr + phdrs + body + trailer


code = bytes(range(64))
pvh = [(b"Xen", 18, struct.pack("<I", 0x100040))]
write("hostsim_elf", "linux_only", elf(0x100000, [(0x100000, code)]))
write("hostsim_elf", "pvh", elf(0x100000, [(0x100000, code), (0x8000, b"low" * 10)], [pvh]))
write("hostsim_elf", "pvh_lost", elf(0x100000, [(0x100000, code)],
                                     [pvh, [(b"GNU", 3, b"\x01" * 20)]]))
write("hostsim_elf", "overlapping", elf(0x100000, [(0x100000, code), (0x100020, code)]))
write("hostsim_elf", "outside_ram", elf(0x100000, [(0x200000, code)]))
write("hostsim_elf", "short_pvh_desc", elf(0x100000, [(0x100000, code)], [[(b"Xen", 18, b"\x01")]]))

# legacy: triples (op, arg, value); op bit 7 = i8042, bit 6 = write
UART, KBD, W = 0x00, 0x80, 0x40
write("hostsim_legacy", "uart_print", sum(([UART | W, 0, ord(c)] for c in "hello\n"), []))
write("hostsim_legacy", "uart_loopback", [UART | W, 4, 0x10, UART | W, 0, 0x41, UART | W, 0, 0x42,
                                          UART, 5, 0, UART, 0, 0, UART, 0, 0, UART, 5, 0,
                                          UART | W, 1, 0x03, UART, 2, 0, UART | W, 0, 0x43,
                                          UART, 2, 0])
write("hostsim_legacy", "uart_dlab", [UART | W, 3, 0x83, UART | W, 0, 0x01, UART | W, 1, 0x00,
                                      UART, 0, 0, UART, 1, 0, UART | W, 3, 0x03])
write("hostsim_legacy", "i8042_ctr", [KBD | W, 4, 0x20, KBD, 4, 0, KBD, 0, 0, KBD | W, 4, 0x60,
                                      KBD | W, 0, 0x47, KBD | W, 4, 0x20, KBD, 0, 0,
                                      KBD | W, 0, 0xF4, KBD, 0, 0, KBD | W, 4, 0xFE])
