#!/usr/bin/env python3
"""Packs a kernel image for the self-decompressing image (docs/architecture.md,
"The compressed image"): `zimage.py KERNEL.elf PAYLOAD DEFSYM INFO`.

KERNEL.elf is the uncompressed, stripped image. What a multiboot loader would
copy of it (the a.out kludge's load_addr to load_end_addr, from the file
offset the header's position gives) is compressed with the `lz4` tool into
one LZ4 block, written to PAYLOAD. DEFSYM gets the linker's --defsym options
for arch/x86_64/zimage.ld and boot/zimage/: where the kernel is decoded to
and how long it is, the RAM its .bss needs, its three entries (multiboot,
PVH note, ELF entry), and zimage_payload_min, the lowest address the payload
may start at for the decoding in place to be safe. INFO gets the bytes of
the kernel's .anyvm_info section (what `anyvm build` recorded; empty when it
has none), which the image carries on for the tools.

The lz4 tool writes the frame format (lz4's doc/lz4_Frame_format.md): magic
0x184D2204, a descriptor (FLG, BD, an optional 8-byte content size and
4-byte dictionary id, a check byte), then data blocks, each a 4-byte size
whose top bit means "stored uncompressed", then an end mark of 0. With
4 MiB blocks (-B7) and no checksums a kernel is one compressed block, the
block format (doc/lz4_Block_format.md) that boot/zimage/lz4_block.c
decodes. Here the block is decoded once more, by decode() below, to check it
gives the kernel's bytes and to find the safe margin."""

import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anyvm_lib import image  # noqa: E402

FRAME_MAGIC = 0x184D2204
BLOCK_UNCOMPRESSED = 1 << 31
MINMATCH = 4
# lz4 -12 (--best) packs httpd about 0.2 % tighter than -9 and decodes as fast.
LZ4_ARGS = ["lz4", "-12", "-B7", "--no-frame-crc", "-c", "-q"]
PAYLOAD_ALIGN = 16


class PackError(ValueError):
    pass


def lz4_frame(data):
    """The lz4 tool's frame of data."""
    try:
        p = subprocess.run(LZ4_ARGS, input=data, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise PackError("no lz4 tool: install Debian's lz4 (make setup)") from None
    if p.returncode != 0:
        raise PackError(f"lz4 failed: {p.stderr.decode(errors='replace').strip()}")
    return p.stdout


def frame_block(frame):
    """The one compressed block of an lz4 frame, or raise PackError."""
    if len(frame) < 7 or struct.unpack_from("<I", frame)[0] != FRAME_MAGIC:
        raise PackError("lz4 wrote no LZ4 frame (magic 0x184D2204)")
    flg = frame[4]
    if flg >> 6 != 1:
        raise PackError(f"LZ4 frame version {flg >> 6}, not 1")
    pos = 6 + (8 if flg & 0x08 else 0) + (4 if flg & 0x01 else 0) + 1
    if pos + 4 > len(frame):
        raise PackError("LZ4 frame cut off in its descriptor")
    size, = struct.unpack_from("<I", frame, pos)
    pos += 4
    if size == 0:
        raise PackError("LZ4 frame has no data block (empty input?)")
    if size & BLOCK_UNCOMPRESSED:
        raise PackError("lz4 stored the kernel uncompressed: nothing to gain")
    block = frame[pos:pos + size]
    pos += size + (4 if flg & 0x10 else 0)
    if len(block) != size or frame[pos:pos + 4] != b"\0\0\0\0":
        raise PackError("LZ4 frame has more than one block (a kernel above 4 MiB?)")
    return block


def decode(block, limit):
    """(output, margin) of an LZ4 block, as lz4_block.c decodes it; margin
    is the least distance from the output's start to the input's for the
    decoding in place to be safe: the output written after each match must
    end at or before the next input byte to read. Raises PackError on a
    block lz4_block.c would refuse."""
    out = bytearray()
    ip = 0
    margin = 0

    def length(nibble):
        nonlocal ip
        n = nibble
        if nibble == 15:
            while True:
                if ip >= len(block):
                    raise PackError("LZ4 block cut off in a length")
                b = block[ip]
                ip += 1
                n += b
                if b != 255:
                    break
        return n

    while ip < len(block):
        token = block[ip]
        ip += 1
        lit = length(token >> 4)
        if ip + lit > len(block) or len(out) + lit > limit:
            raise PackError("LZ4 literals run past the input or the output")
        out += block[ip:ip + lit]
        ip += lit
        if ip == len(block):
            break
        if ip + 2 > len(block):
            raise PackError("LZ4 block cut off in an offset")
        offset = block[ip] | block[ip + 1] << 8
        ip += 2
        if offset == 0 or offset > len(out):
            raise PackError(f"LZ4 offset {offset} at output byte {len(out)}")
        mlen = length(token & 15) + MINMATCH
        if len(out) + mlen > limit:
            raise PackError("LZ4 match runs past the output")
        for _ in range(mlen):       # byte by byte: a match may overlap itself
            out.append(out[-offset])
        margin = max(margin, len(out) - ip)
    return bytes(out), margin


def kernel_bytes(data):
    """(bytes a multiboot loader copies, header dict) of the kernel image."""
    h = image.multiboot_header(data)
    if "load_addr" not in h:
        raise PackError("the kernel's multiboot header has no a.out kludge addresses")
    start = h["offset"] - (h["header_addr"] - h["load_addr"])
    size = h["load_end_addr"] - h["load_addr"]
    if start < 0 or size <= 0 or start + size > len(data):
        raise PackError("the kernel's multiboot load range is outside its file")
    return data[start:start + size], h


def pack(data):
    """(payload, {symbol: value}) for the kernel image's bytes."""
    kernel, h = kernel_bytes(data)
    block = frame_block(lz4_frame(kernel))
    out, margin = decode(block, len(kernel))
    if out != kernel:
        raise PackError("the LZ4 block does not decode to the kernel")
    margin = (margin + PAYLOAD_ALIGN - 1) & ~(PAYLOAD_ALIGN - 1)
    e_entry, = struct.unpack_from("<Q", data, 0x18)
    syms = {
        "zk_load": h["load_addr"],
        "zk_size": len(kernel),
        "zk_ram_end": h["bss_end_addr"],
        "zk_multiboot_entry": h["entry_addr"],
        "zk_pvh_entry": image.pvh_entry(data),
        "zk_linux64_entry": e_entry,
        "zimage_payload_min": h["load_addr"] + margin,
    }
    return block, syms


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: zimage.py KERNEL.elf PAYLOAD DEFSYM INFO")
    try:
        data = image.read(argv[1])
        block, syms = pack(data)
    except (PackError, image.ImageError) as e:
        sys.exit(f"zimage.py: {argv[1]}: {e}")
    with open(argv[2], "wb") as f:
        f.write(block)
    with open(argv[3], "w") as f:
        f.write("".join(f"--defsym={k}={v:#x}\n" for k, v in syms.items()))
    with open(argv[4], "wb") as f:
        f.write(image.elf_section(data, ".anyvm_info"))


if __name__ == "__main__":
    main(sys.argv)
