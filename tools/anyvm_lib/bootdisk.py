"""The BIOS GRUB disk the disk-image packs start from (vmware, qemu, gce,
aws, kubevirt): the inputs checked as GRUB will boot them, then the raw
disk written by biosdisk.py. A pack converts or wraps this one file; the
kernel, GRUB and the command line inside are the same for every target."""

import os
import shutil

from . import biosdisk, initrd, iso, runcheck
from .packdir import PackError
from . import cmdline as cmdline_mod


def check(img, line, initrd_path=None, tools=()):
    """The image's bytes and the grub.cfg text, once every input is known to
    be usable: the Debian tools present (biosdisk's, plus `tools`:
    [(program, package)]), the image an x86-64 ELF with a sound multiboot
    header (GRUB boots it as on the ISO), the initrd a cpio archive and the
    command line one GRUB passes on as written."""
    missing = biosdisk.missing_tools() + [pkg for prog, pkg in tools if shutil.which(prog) is None]
    if missing:
        raise PackError(f"missing Debian packages {', '.join(sorted(set(missing)))} "
                        "(make setup installs them)")
    if not os.path.isfile(img):
        raise PackError(f"image {img} not found (build it: make APP=NAME)")
    data = runcheck.check_image(img, "iso")
    if initrd_path is not None:
        initrd.check(initrd_path)
    cfg = iso.grub_cfg(line, initrd=initrd_path is not None)
    cmdline_mod.check_limits(line)
    return data, cfg


def write(img, out, cfg, initrd_path=None):
    """The raw disk `out` booting img with grub.cfg text cfg; its size."""
    put = {iso.IMAGE_PATH: img}
    if initrd_path is not None:
        put[iso.INITRD_PATH] = initrd_path
    return biosdisk.write(out, cfg, put)
