"""A BIOS-bootable GRUB ISO (grub-mkrescue): the boot medium for Hyper-V
Gen1 and VMware, and QEMU -M pc -cdrom. GRUB talks on COM1 and starts the
image with its multiboot (v1) loader, with the command line written into
grub.cfg (GRUB 2 passes it on with quotes as written, without the file name),
and an initrd, when given, as the first multiboot module (GRUB's `module`
command after `multiboot`)."""

import os
import shutil
import subprocess
import tempfile

from .cmdline import CmdlineError

IMAGE_PATH = "/boot/anyvm.elf"
FAILED = "anyvm: GRUB could not start the kernel; powering off"
INITRD_PATH = "/boot/initrd.cpio"
# Characters GRUB's script parser would expand or split on (grub.cfg is a
# shell-like script); an argument holding one cannot be written into it as is.
GRUB_SPECIAL = set("$\\;&|<>{}'`\n")


def grub_cfg(cmdline, initrd=False):
    bad = sorted(GRUB_SPECIAL.intersection(cmdline))
    if bad or cmdline.count('"') % 2:
        what = " ".join(repr(c) for c in bad) if bad else "an unbalanced double quote"
        raise CmdlineError(f"the command line {cmdline!r} holds {what}, "
                           "which GRUB's grub.cfg parser would not pass on as written")
    line = f"multiboot {IMAGE_PATH} {cmdline}".rstrip()
    return "\n".join([
        "serial --unit=0 --speed=115200",
        "terminal_input serial",
        "terminal_output serial",
        "set timeout=0",
        line,
        *([f"module {INITRD_PATH}"] if initrd else []),
        "boot",
        # Reached only when GRUB could not load or start the kernel (its
        # error is on the lines above): end the VM rather than wait at GRUB's
        # prompt for ever. `halt` powers off through ACPI, else APM (GRUB
        # manual, "halt").
        f'echo "{FAILED}"',
        "halt",
        "",
    ])


def pack(image, out, cmdline, initrd=None):
    """Write the ISO `out` holding `image` (and the initrd file, when
    given) and a grub.cfg that boots it."""
    if shutil.which("grub-mkrescue") is None:
        raise RuntimeError("grub-mkrescue not found (install grub-pc-bin, grub-common, "
                           "xorriso and mtools: make setup)")
    cfg = grub_cfg(cmdline, initrd=initrd is not None)
    with tempfile.TemporaryDirectory(prefix="anyvm-iso-") as tree:
        os.makedirs(os.path.join(tree, "boot", "grub"))
        shutil.copyfile(image, os.path.join(tree, IMAGE_PATH.lstrip("/")))
        if initrd is not None:
            shutil.copyfile(initrd, os.path.join(tree, INITRD_PATH.lstrip("/")))
        with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(cfg)
        # BIOS only: the i386-pc platform directory, whatever EFI GRUBs are installed.
        cmd = ["grub-mkrescue", "-o", out]
        bios = "/usr/lib/grub/i386-pc"
        if os.path.isdir(bios):
            cmd += ["-d", bios]
        cmd.append(tree)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"grub-mkrescue failed (exit {p.returncode}):\n{p.stdout.strip()}")
    return out
