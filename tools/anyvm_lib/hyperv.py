"""`anyvm pack hyperv`: an image packed for Hyper-V (docs/hyperv.md,
"Images"). Into OUTDIR, each file named after the image (hello.elf gives
hello*):

  NAME-gen1.vhdx   the BIOS GRUB disk (bootdisk.py) as a VHDX: a Gen1 VM
                   boots it from its IDE controller
  NAME.iso         the GRUB ISO (iso.py, as `anyvm pack iso`): Gen1 boots it
                   from its DVD drive
  NAME-gen2.vhdx   the GPT disk with the EFI system partition (esp.py, as
                   `anyvm pack efi`) as a VHDX: a Gen2 VM (UEFI, Secure Boot
                   off) boots it from its SCSI controller. Made when the
                   .efi was built beside the ELF (build/NAME.efi).

Microsoft does not support one disk bootable by both generations ("Should
I create a generation 1 or 2 virtual machine in Hyper-V?"), hence two.
Everything is checked before the first file is made, and the files are
moved into OUTDIR only once all are written and read back (packdir.py)."""

import os

from . import bootdisk, efi, esp, iso, packdir, vhd

TOOLS = [("qemu-img", "qemu-utils"), ("grub-mkrescue", "grub-common")]


def files(name):
    return {"gen1": f"{name}-gen1.vhdx", "iso": f"{name}.iso", "gen2": f"{name}-gen2.vhdx"}


def gen2_source(img):
    """The .efi a Gen2 disk boots, or None when it was not built."""
    try:
        path = efi.image_for(img)
    except efi.EfiError:
        return None
    return path if os.path.isfile(path) else None


def pack(img, outdir, line, opts, say):
    """Writes the files of files(name) into outdir (the Gen2 disk only when
    the .efi exists); returns {role: path}."""
    name = packdir.image_name(img)
    _, cfg = bootdisk.check(img, line, opts.initrd, tools=TOOLS)
    packdir.check_outdir(outdir)
    efi_img = gen2_source(img)
    names = files(name)
    if efi_img is None:
        del names["gen2"]
    with packdir.staged(outdir, names) as at:
        raw = os.path.join(os.path.dirname(at["gen1"]), "disk.raw")
        say(f"making the BIOS boot disk (GRUB, FAT16 with the image) as {names['gen1']}")
        bootdisk.write(img, raw, cfg, opts.initrd)
        vhd.to_vhdx(raw, at["gen1"])
        os.unlink(raw)
        say(f"making {names['iso']}")
        iso.pack(img, at["iso"], line, initrd=opts.initrd)
        if efi_img is not None:
            say(f"making the UEFI disk (GPT, EFI system partition) as {names['gen2']}")
            esp.pack(efi_img, raw, line, initrd=opts.initrd)
            vhd.to_vhdx(raw, at["gen2"])
            os.unlink(raw)
    say(f"Gen1: boot {names['gen1']} from IDE, or {names['iso']} from the DVD drive; COM1 "
        "to a named pipe is the console")
    if efi_img is not None:
        say(f"Gen2: boot {names['gen2']} from SCSI with Set-VMFirmware -EnableSecureBoot Off "
            "(docs/hyperv.md)")
    else:
        say("no Gen2 disk: the image has no .efi built beside it (make builds build/NAME.efi "
            "beside build/NAME.elf; an app folder's build makes none yet)")
    return at
