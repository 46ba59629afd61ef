"""`anyvm pack hyperv` and `anyvm pack azure` (tools/anyvm_lib/hyperv.py,
azure.py, vhd.py): the files they write, read back with other tools than
the ones that wrote them (qemu-img info and convert, mtools, sgdisk, the
VHD footer decoded here from the format's specification), and the inputs
they refuse before writing anything. tests/boot/test_hyperv_image.py boots
them."""

import json
import os
import struct
import subprocess
import sys

import pytest

from anyvm_lib import BUILD, ROOT, biosdisk, esp, iso

ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(BUILD, "hello.elf")
LINE = "console=ttyS0 -- one two"
MIB = 1 << 20


def anyvm(*argv):
    return subprocess.run([sys.executable, ANYVM, *argv], capture_output=True, text=True,
                          timeout=300)


def qemu_info(path, fmt):
    p = subprocess.run(["qemu-img", "info", "-f", fmt, "--output=json", path],
                       capture_output=True, text=True, timeout=60, check=True)
    return json.loads(p.stdout)


def to_raw(path, fmt, out):
    subprocess.run(["qemu-img", "convert", "-f", fmt, "-O", "raw", path, out], check=True,
                   timeout=60)
    return out


def mtype(raw, offset, path):
    return subprocess.run(["mtype", "-i", f"{raw}@@{offset}", "::" + path], capture_output=True,
                          check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1")).stdout


def vhd_footer(path):
    """(cookie, current size, disk type, checksum right) of a VHD's footer,
    decoded from "Virtual Hard Disk Image Format Specification" 1.0, "Hard
    Disk Footer Format": big-endian, current size at 48, disk type at 60,
    checksum at 64 (the one's complement of the sum of the other bytes)."""
    with open(path, "rb") as f:
        f.seek(-512, os.SEEK_END)
        ft = f.read(512)
    checksum = struct.unpack(">I", ft[64:68])[0]
    right = (~(sum(ft) - sum(ft[64:68]))) & 0xFFFFFFFF == checksum
    return ft[:8], struct.unpack(">Q", ft[48:56])[0], struct.unpack(">I", ft[60:64])[0], right


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    if not os.path.isfile(HELLO) or not os.path.isfile(HELLO[:-4] + ".efi"):
        pytest.fail("build/hello.elf and build/hello.efi are not built (make all)",
                    pytrace=False)
    d = tmp_path_factory.mktemp("packed")
    res = anyvm("pack", "hyperv", HELLO, "-o", str(d / "hv"), "--", "one", "two")
    assert res.returncode == 0, res.stderr
    return d, res.stderr


def test_hyperv_writes_the_three_files(packed):
    d, err = packed
    assert sorted(os.listdir(d / "hv")) == ["hello-gen1.vhdx", "hello-gen2.vhdx", "hello.iso"]
    assert "Gen1: boot hello-gen1.vhdx from IDE" in err and "EnableSecureBoot Off" in err, err


def test_hyperv_gen1_is_the_bios_disk_as_vhdx(packed):
    d, _ = packed
    gen1 = str(d / "hv" / "hello-gen1.vhdx")
    info = qemu_info(gen1, "vhdx")
    assert info["format"] == "vhdx" and info["virtual-size"] % MIB == 0, info
    raw = to_raw(gen1, "vhdx", str(d / "gen1.raw"))
    assert os.path.getsize(raw) == info["virtual-size"]
    with open(raw, "rb") as f:
        mbr = f.read(512)
    assert mbr[510:] == b"\x55\xaa"
    part = biosdisk.PART_START * 512
    cfg = mtype(raw, part, "/boot/grub/grub.cfg").decode()
    assert f"multiboot {iso.IMAGE_PATH} {LINE}" in cfg.splitlines(), cfg
    with open(HELLO, "rb") as f:
        assert mtype(raw, part, iso.IMAGE_PATH) == f.read()


def test_hyperv_gen2_is_the_efi_disk_as_vhdx(packed):
    d, _ = packed
    gen2 = str(d / "hv" / "hello-gen2.vhdx")
    info = qemu_info(gen2, "vhdx")
    assert info["format"] == "vhdx" and info["virtual-size"] == esp.DISK_BYTES, info
    raw = to_raw(gen2, "vhdx", str(d / "gen2.raw"))
    v = subprocess.run(["sgdisk", "-v", raw], capture_output=True, text=True)
    assert "No problems found" in v.stdout, v.stdout


def test_hyperv_iso_is_an_iso9660_image(packed):
    d, _ = packed
    with open(d / "hv" / "hello.iso", "rb") as f:
        f.seek(0x8001)
        assert f.read(5) == b"CD001"


@pytest.mark.parametrize("gen,size", [("1", 20 * MIB), ("2", esp.DISK_BYTES)])
def test_azure_vhd_is_fixed_and_whole_mib(tmp_path, gen, size):
    res = anyvm("pack", "azure", HELLO, "--gen", gen, "-o", str(tmp_path / "az"), "--", "one",
                "two")
    assert res.returncode == 0, res.stderr
    assert os.listdir(tmp_path / "az") == ["hello.vhd"]
    out = tmp_path / "az" / "hello.vhd"
    assert f"hello.vhd: {size >> 20} MiB for an Azure generation {gen} VM" in res.stderr
    info = qemu_info(str(out), "vpc")
    assert info["format"] == "vpc" and info["virtual-size"] == size, info
    assert size % MIB == 0 and size >= 20 * MIB
    assert os.path.getsize(out) == size + 512
    cookie, current, disk_type, checksum_right = vhd_footer(str(out))
    assert (cookie, current, disk_type, checksum_right) == (b"conectix", size, 2, True)
    # Without -f, qemu-img takes a fixed VHD for raw: it has no header.
    assert qemu_info(str(out), "raw")["virtual-size"] == size + 512


def test_azure_gen1_pads_the_bios_disk(tmp_path):
    assert anyvm("pack", "azure", HELLO, "-o", str(tmp_path), "--", "one", "two").returncode == 0
    out = tmp_path / "hello.vhd"
    raw = to_raw(str(out), "vpc", str(tmp_path / "disk.raw"))
    part = biosdisk.PART_START * 512
    cfg = mtype(raw, part, "/boot/grub/grub.cfg").decode()
    # Azure's default command line: COM1 at 115200 8N1, as GRUB's serial line.
    assert f"multiboot {iso.IMAGE_PATH} console=ttyS0,115200n8 -- one two" in cfg.splitlines(), \
        cfg
    assert "serial --unit=0 --speed=115200" in cfg.splitlines(), cfg


@pytest.mark.parametrize("argv,message", [
    (["azure", "--gen", "3"], "Azure has generation 1 (BIOS) and 2 (UEFI)"),
    (["azure", "--mem", "64M"], "--mem is for anyvm pack vmware"),
    (["hyperv", "--gen", "2"], "--gen is for anyvm pack azure"),
])
def test_refused_before_anything_is_written(tmp_path, argv, message):
    res = anyvm("pack", argv[0], HELLO, "-o", str(tmp_path / "x"), *argv[1:])
    assert res.returncode == 1 and message in res.stderr, res.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_built_first_and_has_no_gen2_disk(tmp_path):
    """A folder's build makes the ELF only (Makefile, EXT_APP): Gen1 and the
    ISO are written, and the missing Gen2 disk is said, not skipped
    silently; azure --gen 2 refuses it."""
    d = tmp_path / "hvfolder"
    d.mkdir()
    (d / "main.c").write_text('#include <stdio.h>\nint main(void) { puts("hv"); return 0; }\n')
    (d / "anyvm.toml").write_text('name = "hvfolder"\n')
    res = anyvm("pack", "hyperv", str(d), "-o", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    assert "anyvm: building hvfolder from " in res.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["hvfolder-gen1.vhdx", "hvfolder.iso"]
    assert "no Gen2 disk: the image has no .efi built beside it" in res.stderr, res.stderr
    res = anyvm("pack", "azure", str(d), "--gen", "2", "-o", str(tmp_path / "x"))
    assert res.returncode == 1 and "is not built" in res.stderr, res.stderr
    assert not (tmp_path / "x").exists()

