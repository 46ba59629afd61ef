"""`tools/anyvm pack efi`: the disk it writes, checked as an artefact and
booted under OVMF on q35 as written and converted to the formats Hyper-V
(VHDX) and VMware (VMDK) take; and what it refuses."""

import os
import shutil
import subprocess
import sys

import pytest

from anyvm_lib import efi, esp, ovmf, qemu, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(ROOT, "build", "hello.elf")
LINE = "anyvm.exit_port=0xf4 console=ttyS0 -- one \"two words\" dr\u00e9i"


def pack(tmp_path, *args):
    out = tmp_path / "disk.img"
    res = subprocess.run([sys.executable, ANYVM, "pack", "efi", "-o", str(out), *args],
                         capture_output=True, text=True, timeout=120)
    return res, out


def test_artefact(tmp_path):
    res, out = pack(tmp_path, HELLO, "--cmdline", "anyvm.exit_port=0xf4 console=ttyS0",
                    "--", "one", "two words", "dr\u00e9i")
    assert res.returncode == 0, res.stderr
    assert "wrote" in res.stderr and os.path.getsize(out) == esp.DISK_BYTES
    first, last = esp.check_gpt(str(out))      # both headers, CRCs, one ESP
    assert first == esp.PART_START and last < esp.DISK_BYTES // 512 - 33
    # An independent reader of the partition table and of the FAT.
    v = subprocess.run(["sgdisk", "-v", str(out)], capture_output=True, text=True)
    assert "No problems found" in v.stdout, v.stdout
    fat = f"{out}@@{first * 512}"
    listing = subprocess.run(["mdir", "-i", fat, "-b", "::/EFI/BOOT"], capture_output=True,
                             text=True, check=True).stdout.split()
    assert listing == ["::/EFI/BOOT/BOOTX64.EFI"]
    boot = subprocess.run(["mtype", "-i", fat, "::/EFI/BOOT/BOOTX64.EFI"], capture_output=True,
                          check=True).stdout
    built = efi.read(os.path.join(ROOT, "build", "hello.efi"))
    assert efi.cmdline(boot) == LINE
    assert boot == efi.with_cmdline(built, LINE)


@pytest.mark.parametrize("fmt", ["raw", "vhdx", "vmdk"])
def test_boots(tmp_path, fmt):
    res, out = pack(tmp_path, HELLO, "--cmdline", "anyvm.exit_port=0xf4 console=ttyS0",
                    "--", "one", "two words", "dr\u00e9i")
    assert res.returncode == 0, res.stderr
    disk = str(out)
    if fmt != "raw":
        disk = str(tmp_path / f"disk.{fmt}")
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", fmt, str(out), disk],
                       check=True, timeout=60)
    argv = qemu.argv(machine="q35", accel="tcg", mem="128M", cpus=1,
                     extra=ovmf.pflash_args(str(tmp_path)) +
                     ["-drive", f"file={disk},format={fmt},if=virtio"])
    r = vm.run(argv, timeout=120)
    text = r.serial_text
    print(text)
    assert not r.timed_out
    assert "boot: uefi (firmware EDK II)" in text
    lines = text.replace("\r", "").split("\n")
    i = lines.index("Hello, world!")
    assert lines[i + 1:i + 5] == ["one", "two words", "dr\u00e9i", "anyvm: exit status 0"]
    assert r.rc == qemu.debug_exit_code(0)


def test_refusals(tmp_path):
    res, out = pack(tmp_path, os.path.join(ROOT, "Makefile"))
    assert res.returncode == 1 and "not a PE file nor an ELF" in res.stderr and not out.exists()
    res, out = pack(tmp_path, HELLO, "--", "x" * 3000)
    assert res.returncode == 1 and "the image takes 2047" in res.stderr and not out.exists()
    assert not list(tmp_path.iterdir())


def test_initrd_beside_the_efi(tmp_path):
    """--initrd: the archive on the ESP as esp.INITRD_PATH, byte for byte,
    and an initrd= parameter naming it first on the image's command line;
    a large one makes a larger disk (the file is read by the EFI entry:
    tests/http/test_httpd_uefi.py serves files from it)."""
    big = tmp_path / "tree" / "big.bin"
    big.parent.mkdir()
    big.write_bytes(os.urandom(70 << 20))       # more than the 64 MiB disk holds
    archive = tmp_path / "tree.cpio"
    assert subprocess.run([sys.executable, ANYVM, "pack", "initrd", str(big.parent), "-o",
                           str(archive)], capture_output=True).returncode == 0
    res, out = pack(tmp_path, HELLO, "--initrd", str(archive), "--", "x")
    assert res.returncode == 0, res.stderr
    assert os.path.getsize(out) > esp.DISK_BYTES and os.path.getsize(out) % (1 << 20) == 0
    first, _ = esp.check_gpt(str(out))
    fat = f"{out}@@{first * 512}"
    back = subprocess.run(["mtype", "-i", fat, "::" + esp.INITRD_PATH], capture_output=True,
                          check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1")).stdout
    assert back == archive.read_bytes()
    boot = subprocess.run(["mtype", "-i", fat, "::/EFI/BOOT/BOOTX64.EFI"], capture_output=True,
                          check=True).stdout
    assert efi.cmdline(boot) == f"initrd={esp.INITRD_PATH} console=ttyS0 -- x"
    assert f"as {esp.INITRD_PATH}" in res.stderr
