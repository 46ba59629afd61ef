"""The folder-writing packs by name, and `anyvm pack all`. Each pack
module has pack(img, outdir, line, opts, say) -> {role: path written}."""

import os
from dataclasses import dataclass, field

from . import aws, fcpack, gce, kubevirt, qemupack, targets

PACKS = {"qemu": qemupack, "gce": gce, "aws": aws, "kubevirt": kubevirt,
         "firecracker": fcpack}
# What each writes, for the help text.
ABOUT = {
    "qemu": "NAME.raw and NAME.qcow2 (BIOS GRUB disk) and NAME-qemu.sh, the QEMU command",
    "gce": "NAME-gce.tar.gz: disk.raw (BIOS GRUB disk, whole GiB) for Compute Engine",
    "aws": "NAME.raw and NAME-aws.vmdk (streamOptimized) for EC2 VM Import, legacy-bios",
    "kubevirt": "NAME-containerdisk.tar (OCI archive, /disk/NAME.qcow2) and NAME-vm.yaml",
    "firecracker": "NAME.elf and NAME.json for firecracker --no-api --config-file",
}


@dataclass
class Options:
    initrd: str = None
    mem: str = None
    cpus: int = 1
    disks: list = field(default_factory=list)   # FILE[,ro], as run --disk
    nic: str = None                               # tap=NAME[,mac=MAC]
    ports: list = field(default_factory=list)    # anyvm.toml's, for a note
    ref: str = None                               # kubevirt: the image reference


def default_cmdline(fmt):
    return targets.FIRECRACKER_CMDLINE if fmt == "firecracker" else targets.QEMU_CMDLINE


def pack(fmt, img, outdir, line, opts, say):
    return PACKS[fmt].pack(img, outdir, line, opts, say)


def subdir(outdir, fmt):
    return os.path.join(outdir, fmt)
