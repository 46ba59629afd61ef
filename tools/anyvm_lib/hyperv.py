"""`anyvm pack hyperv`: an image packed for Hyper-V (docs/hyperv.md,
"Images"). Into OUTDIR, each file named after the image (hello.elf gives
hello*):

  NAME-gen1.vhdx   the BIOS GRUB disk (biosdisk.py) as a VHDX: a Gen1 VM
                   boots it from its IDE controller
  NAME.iso         the GRUB ISO (iso.py, as `anyvm pack iso`): Gen1 boots it
                   from its DVD drive
  NAME-gen2.vhdx   the GPT disk with the EFI system partition (esp.py, as
                   `anyvm pack efi`) as a VHDX: a Gen2 VM (UEFI, Secure Boot
                   off) boots it from its SCSI controller. Made when the
                   .efi was built beside the ELF (build/NAME.efi).

Microsoft does not support one disk bootable by both generations ("Should
I create a generation 1 or 2 virtual machine in Hyper-V?"), hence two.
Everything is checked before the first file is made; the files are made in
a scratch folder inside OUTDIR and moved into place once all are written
and read back."""

import os
import shutil
import tempfile

from . import biosdisk, efi, esp, iso, vhd, vmware


def files(name):
    return {"gen1": f"{name}-gen1.vhdx", "iso": f"{name}.iso", "gen2": f"{name}-gen2.vhdx"}


def gen2_source(img):
    """The .efi a Gen2 disk boots, or None when it was not built."""
    try:
        path = efi.image_for(img)
    except efi.EfiError:
        return None
    return path if os.path.isfile(path) else None


def pack(img, outdir, line, initrd_path=None, progress=None):
    """Writes the files of files(name) into outdir (the Gen2 disk only when
    the .efi exists); returns {role: path}."""
    say = progress or (lambda text: None)
    vhd.need_qemu_img()
    name, _, cfg = vmware.check(img, outdir, line, initrd_path)
    efi_img = gen2_source(img)
    if efi_img is not None and initrd_path is not None:
        say("no initrd under UEFI yet: the Gen2 disk gets none")
    names = files(name)
    made_outdir = not os.path.isdir(outdir)
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".anyvm-pack-", dir=outdir)
    done = False
    try:
        at = {}
        say(f"making the BIOS boot disk (GRUB, FAT16 with the image) as {names['gen1']}")
        raw = os.path.join(work, "bios.raw")
        put = {iso.IMAGE_PATH: img}
        if initrd_path is not None:
            put[iso.INITRD_PATH] = initrd_path
        biosdisk.write(raw, cfg, put)
        at["gen1"] = os.path.join(work, names["gen1"])
        vhd.to_vhdx(raw, at["gen1"])
        os.unlink(raw)
        say(f"making {names['iso']}")
        at["iso"] = os.path.join(work, names["iso"])
        iso.pack(img, at["iso"], line, initrd=initrd_path)
        if efi_img is not None:
            say(f"making the UEFI disk (GPT, EFI system partition) as {names['gen2']}")
            raw = os.path.join(work, "efi.raw")
            esp.pack(efi_img, raw, line)
            at["gen2"] = os.path.join(work, names["gen2"])
            vhd.to_vhdx(raw, at["gen2"])
            os.unlink(raw)
        out = {}
        for role, path in at.items():
            out[role] = os.path.join(outdir, names[role])
            os.replace(path, out[role])
        done = True
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not done and made_outdir:
            shutil.rmtree(outdir, ignore_errors=True)
