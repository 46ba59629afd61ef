"""`anyvm pack qemu`: the BIOS GRUB disk as NAME.raw and NAME.qcow2, and
NAME-qemu.sh, the QEMU command that boots the qcow2 from a virtio-blk disk
(SeaBIOS boots virtio-blk; the kernel finds its console on COM1, which
-nographic puts on the terminal, and powers the VM off when the app ends)."""

import os
import shlex

from . import bootdisk, diskconvert, packdir

TOOLS = [("qemu-img", "qemu-utils")]


def command(name, mib, cpus):
    return ["qemu-system-x86_64", "-M", "pc", "-m", f"{mib}M", "-smp", str(cpus),
            "-nographic", "-no-reboot",
            "-drive", f"file={name}.qcow2,format=qcow2,if=virtio",
            "-nic", "user,model=virtio-net-pci"]


def pack(img, outdir, line, opts, say):
    name = packdir.image_name(img)
    data, cfg = bootdisk.check(img, line, opts.initrd, tools=TOOLS)
    mib = packdir.memory_mib(opts.mem, data, img)
    packdir.check_outdir(outdir)
    names = {"raw": f"{name}.raw", "qcow2": f"{name}.qcow2", "script": f"{name}-qemu.sh"}
    with packdir.staged(outdir, names) as at:
        say(f"making the BIOS boot disk {names['raw']} (GRUB, FAT16 with the image)")
        size = bootdisk.write(img, at["raw"], cfg, opts.initrd)
        say(f"converting it to {names['qcow2']}")
        diskconvert.convert(at["raw"], at["qcow2"], "qcow2")
        diskconvert.check(at["qcow2"], "qcow2", size)
        with open(at["script"], "w") as f:
            f.write("#!/bin/sh\n# Boots the anyvm image packed beside this script.\n"
                    'cd "$(dirname "$0")" && exec '
                    + shlex.join(command(name, mib, opts.cpus)) + ' "$@"\n')
        os.chmod(at["script"], 0o755)
    say("boot it: " + shlex.join(command(name, mib, opts.cpus)) + f"  (in {outdir}; or "
        f"{os.path.join(outdir, names['script'])})")
    return at
