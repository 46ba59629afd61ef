"""The disks `anyvm pack hyperv` and `anyvm pack azure` write, booted under
QEMU (TCG) the way Hyper-V and Azure boot them as far as QEMU can: the
Gen1 VHDX and the generation 1 Azure VHD from an IDE disk on `pc`
(SeaBIOS, then GRUB from the disk, then the kernel), the Gen2 VHDX and
the generation 2 Azure VHD under OVMF on q35. QEMU reads the files in
their own formats (-drive format=vhdx / format=vpc). No exit device, as on
Hyper-V: the kernel powers the VM off through ACPI and its status is the
serial line. Checked on the serial console: the boot path, hello's output
with the packed arguments, and exit status 0. Hyper-V's and Azure's own
firmware and VMBus devices are not QEMU's: docs/hyperv.md says what was
verified where."""

import os
import re
import subprocess
import sys

import pytest

from anyvm_lib import BUILD, ROOT, ovmf, qemu, status, vm

ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(BUILD, "hello.elf")


def pack(tmp_path, *argv):
    res = subprocess.run([sys.executable, ANYVM, "pack", *argv, HELLO, "--", "one", "two words"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr


def boot_and_check(argv, uefi):
    res = vm.run(argv, timeout=180)
    text = res.serial_text
    print("$ " + " ".join(argv) + "\n"
          + re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: "^" + chr(ord(m.group()) ^ 0x40), text))
    assert not res.timed_out, "QEMU did not end within 180 s"
    boot = r"^boot: uefi \(firmware EDK II" if uefi else r"^boot: multiboot \(loader GRUB "
    assert re.search(boot, text, re.M), \
        text[-2000:] + "\nQEMU's stderr: " + res.stderr.decode(errors="replace")
    lines = text.replace("\r", "").split("\n")
    i = lines.index("Hello, world!")
    assert lines[i + 1:i + 3] == ["one", "two words"], lines[i:i + 4]
    assert status.serial_status(text)[0] == 0, text[-1000:]


@pytest.mark.parametrize("fmt", ["vhdx", "vpc"])
def test_generation_1_disk_boots_from_ide(tmp_path, fmt):
    if fmt == "vhdx":
        pack(tmp_path, "hyperv", "-o", str(tmp_path / "hv"))
        disk = tmp_path / "hv" / "hello-gen1.vhdx"
    else:
        pack(tmp_path, "azure", "-o", str(tmp_path / "az"))
        disk = tmp_path / "az" / "hello.vhd"
    argv = qemu.argv("pc", "tcg", "64M", 1, exit_device=False, extra=[
        "-drive", f"file={disk},format={fmt},if=ide,snapshot=on"])
    boot_and_check(argv, uefi=False)


@pytest.mark.parametrize("fmt", ["vhdx", "vpc"])
def test_generation_2_disk_boots_under_ovmf(tmp_path, fmt):
    if fmt == "vhdx":
        pack(tmp_path, "hyperv", "-o", str(tmp_path / "hv"))
        disk = tmp_path / "hv" / "hello-gen2.vhdx"
    else:
        pack(tmp_path, "azure", "--gen", "2", "-o", str(tmp_path / "az"))
        disk = tmp_path / "az" / "hello.vhd"
    argv = qemu.argv("q35", "tcg", "128M", 1, exit_device=False,
                     extra=ovmf.pflash_args(str(tmp_path)) +
                     ["-drive", f"file={disk},format={fmt},if=virtio,readonly=on"])
    boot_and_check(argv, uefi=True)
