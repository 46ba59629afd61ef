"""`anyvm pack vmware --efi`: the VM for VMware's EFI firmware (.vmx and
OVF saying `firmware` "efi") with the GPT disk of `anyvm pack efi` as its
VMDKs, read back, and the OVA's stream-optimized disk booted under QEMU q35
with OVMF. Debian's OVMF has no PVSCSI driver, so the disk is on the q35's
AHCI controller here; VMware's EFI firmware boots PVSCSI (docs/vmware.md)."""

import os
import re
import subprocess

from anyvm_lib import BUILD, ROOT, esp, ovmf, qemu, status, vm
from anyvm_lib.serial_expect import lines_in_order

ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(BUILD, "hello.elf")


def test_efi_vm_packed_and_booted(scratch):
    out = os.path.join(scratch, "vm")
    p = subprocess.run([ANYVM, "pack", "vmware", "--efi", HELLO, "-o", out, "--", "one",
                        "two words"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(out, "hello.vmx")) as f:
        vmx = f.read()
    assert re.search(r'^firmware = "efi"$', vmx, re.M)
    assert re.search(r'^scsi0\.virtualDev = "pvscsi"$', vmx, re.M)
    with open(os.path.join(out, "hello.ovf")) as f:
        assert 'vmw:key="firmware" vmw:value="efi"' in f.read()
    raw = os.path.join(out, "hello.raw")
    esp.check_gpt(raw)                      # the GPT headers and the ESP entry, CRCs included
    for vmdk in ("hello.vmdk", "hello-disk1.vmdk"):
        same = subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw,
                               os.path.join(out, vmdk)], capture_output=True, timeout=60)
        assert same.returncode == 0, vmdk
    argv = qemu.argv("q35", "tcg", "128M", 1, exit_device=False,
                     extra=ovmf.pflash_args(scratch) + [
                         "-drive", f"file={os.path.join(out, 'hello-disk1.vmdk')},format=vmdk,"
                         "if=none,id=d0,snapshot=on",
                         "-device", "ide-hd,drive=d0,bus=ide.0,bootindex=0"])
    res = vm.run(argv, timeout=150)
    print(res.serial_text)
    assert not res.timed_out
    missing = lines_in_order(res.serial_text, [
        r"^boot: uefi \(firmware EDK II", r'^cmdline: console=ttyS0 -- one "two words"$',
        r"^Hello, world!$", r"^one$", r"^two words$", r"^anyvm: exit status 0$"])
    assert missing is None, f"no line matching {missing!r} (in order)"
    assert status.serial_status(res.serial_text)[0] == 0


def test_efi_refusals(scratch):
    lone = os.path.join(scratch, "lone.elf")
    with open(HELLO, "rb") as a, open(lone, "wb") as b:
        b.write(a.read())
    for argv, why in [([lone], r"lone\.efi"),
                      ([HELLO, "--initrd", os.path.join(scratch, "none.cpio")],
                       r"initrd .* not found")]:
        p = subprocess.run([ANYVM, "pack", "vmware", "--efi", *argv, "-o",
                            os.path.join(scratch, "out")], capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 1 and re.search(why, p.stderr), p.stderr
        assert not os.path.exists(os.path.join(scratch, "out"))
    p = subprocess.run([ANYVM, "pack", "iso", HELLO, "-o", os.path.join(scratch, "x.iso"),
                        "--efi"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "--efi is for anyvm pack vmware" in p.stderr
