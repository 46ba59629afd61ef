"""The shipped images are the self-decompressing ones (docs/architecture.md,
"The compressed image"; the Makefile's default, `make apps`), and each holds
exactly its kernel:

  payload   the LZ4 block in build/APP.elf's .payload section, decoded on
            the host (tools/zimage.py's decoder, written apart from the
            stub's C one), is the uncompressed link's memory image: its
            program headers, then byte for byte what `objcopy -O binary`
            makes of build/APP.debug.elf;
  layout    the decoding in place is safe where the image lies: the payload
            starts at least the decoder's margin above the kernel's load
            address, the stub's tail lies past both the payload and the
            decoded kernel, the image reserves RAM up to the kernel's .bss
            end; its multiboot header sits in the first 8 KiB and declares
            the file loaded at the kernel's load address (1 MiB), so that
            a loader keeps its modules out of all the kernel is decoded to,
            with the entry, which moves the file to its link address, below
            the lowest address that move writes;
  entries   the kernel's three entries are where the stub jumps: read from
            the uncompressed image's own headers into the stub's symbols.
"""

import os
import struct
import subprocess
import sys

import pytest

from anyvm_lib import image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import zimage  # noqa: E402

APPS = sorted(d for d in os.listdir(os.path.join(ROOT, "apps"))
              if os.path.isdir(os.path.join(ROOT, "apps", d)))
ELF_HEADER = 64
PHDR = 56


def built(path):
    if not os.path.exists(path):
        pytest.fail(f"{os.path.relpath(path, ROOT)} is not built (make apps)", pytrace=False)
    return path


def shipped(name):
    data = image.read(built(os.path.join(BUILD, name + ".elf")))
    if not os.path.exists(os.path.join(BUILD, "zimage", name + ".elf")):
        pytest.skip(f"build/{name}.elf is not compressed (built with ZIMAGE=no)")
    return data


def sections(path):
    """{name: (address, size)} of an ELF's sections, from readelf."""
    p = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = {}
    for ln in p.stdout.splitlines():
        parts = ln.replace("[ ", "[").split()
        if len(parts) > 6 and parts[0].startswith("[") and parts[0] != "[Nr]":
            out[parts[1]] = (int(parts[3], 16), int(parts[5], 16))
    return out


def symbols(path):
    p = subprocess.run(["nm", path], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return {f[2]: int(f[0], 16) for f in (ln.split() for ln in p.stdout.splitlines())
            if len(f) == 3}


@pytest.mark.parametrize("name", APPS)
def test_payload_is_the_kernel(name, tmp_path):
    data = shipped(name)
    debug = built(os.path.join(BUILD, name + ".debug.elf"))
    block = image.elf_section(data, ".payload")
    assert block, f"build/{name}.elf has no .payload section"
    size = symbols(debug)["__data_end"] - 0x100000
    out, _ = zimage.decode(block, size)
    assert len(out) == size, f"the payload decodes to {len(out)} bytes, the kernel has {size}"
    assert len(data) < size, f"build/{name}.elf ({len(data)} bytes) is not smaller than its kernel"

    flat = tmp_path / "kernel.bin"
    p = subprocess.run(["objcopy", "-O", "binary", debug, str(flat)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    flat = flat.read_bytes()
    code_at = min(a for n, (a, s) in sections(debug).items() if a >= 0x100000 and s) - 0x100000
    assert out[code_at:] == flat, "the decoded payload differs from objcopy -O binary of the link"
    with open(debug, "rb") as f:
        head = f.read(ELF_HEADER + 8 * PHDR)
    phoff, = struct.unpack_from("<Q", head, 0x20)
    phnum, = struct.unpack_from("<H", head, 0x38)
    assert out[phoff:phoff + phnum * PHDR] == head[phoff:phoff + phnum * PHDR], \
        "the decoded program headers (the kernel reads PT_TLS there) differ from the link's"


@pytest.mark.parametrize("name", APPS)
def test_layout_in_place_is_safe(name):
    data = shipped(name)
    path = os.path.join(BUILD, name + ".elf")
    secs = sections(path)
    kernel = symbols(built(os.path.join(BUILD, name + ".debug.elf")))
    load, bss_end = 0x100000, kernel["__bss_end"]
    size = kernel["__data_end"] - load
    _, margin = zimage.decode(image.elf_section(data, ".payload"), size)
    payload_at, payload_size = secs[".payload"]
    tail_at, _ = secs[".tail"]
    assert payload_at - load >= margin, \
        f"payload at {payload_at:#x}, below the safe {load + margin:#x}"
    assert tail_at >= payload_at + payload_size and tail_at >= load + size, \
        f"the stub's tail at {tail_at:#x} lies where the kernel is decoded"
    assert image.load_end(data) >= bss_end, "the image reserves less RAM than the kernel's .bss"
    mb = image.multiboot_header(data)
    assert mb["offset"] + 32 <= 8192 and mb["checksum_ok"]
    assert mb["bss_end_addr"] >= bss_end
    linked = image.load_address(data)
    assert mb["load_addr"] == load, f"multiboot loads the file at {mb['load_addr']:#x}, not 1 MiB"
    assert mb["header_addr"] == load + mb["offset"]
    assert mb["load_end_addr"] - load == secs[".tail"][0] + secs[".tail"][1] - linked
    head_at, _ = secs[".head"]
    stub = symbols(built(os.path.join(BUILD, "zimage", name + ".stub.elf")))
    shift = linked - load
    assert mb["entry_addr"] == stub["zimage_multiboot_entry"] - shift
    assert shift == 0 or stub["zimage_multiboot_entry_end"] - shift <= linked, \
        "the multiboot entry lies where its own move writes"
    assert head_at <= mb["entry_addr"] + (linked - load) < head_at + secs[".head"][1]


@pytest.mark.parametrize("name", APPS)
def test_entries_reach_the_kernel(name):
    shipped(name)
    stub = symbols(built(os.path.join(BUILD, "zimage", name + ".stub.elf")))
    kernel = symbols(os.path.join(BUILD, name + ".debug.elf"))
    assert stub["zk_multiboot_entry"] == kernel["multiboot_entry"]
    assert stub["zk_pvh_entry"] == kernel["pvh_entry"]
    assert stub["zk_linux64_entry"] == kernel["linux64_entry"]
    assert stub["zk_ram_end"] == kernel["__bss_end"]
