"""`anyvm pack vmware`: an image packed for VMware ESXi, Workstation and
Fusion (docs/vmware.md, "Images"). Into OUTDIR, each file named after the
image (hello.elf gives hello.*):

  NAME.raw          the BIOS-bootable disk (biosdisk.py): MBR, GRUB, FAT16
                    with /boot/grub/grub.cfg, the image and the initrd
  NAME.vmdk         that disk as a monolithicSparse VMDK (one file, what
                    Workstation and Fusion create), for NAME.vmx
  NAME.vmx          the VM for Workstation/Fusion (vmx.py)
  NAME-disk1.vmdk   the disk as a streamOptimized VMDK, the form OVF uses
  NAME.ovf, NAME.mf the OVF descriptor and its manifest (ovf.py)
  NAME.ova          the three above in one archive, for ESXi and vCenter

Everything the user gave is checked before the first file is made; the
files are made in a scratch folder inside OUTDIR and moved into place only
when all of them are written and read back."""

import os
import shutil

from . import bootdisk, diskconvert, efi, esp, initrd, ovf, packdir, runcheck, vmx
from . import cmdline as cmdline_mod

# The VMDK descriptor's ddb.adapterType: the controller a disk was made
# for, and with it the geometry the descriptor gives (SCSI: 255 heads, 63
# sectors). qemu-img offers ide, lsilogic, buslogic and legacyESX, no
# pvscsi (other image builders patch "pvscsi" into the descriptor
# afterwards); lsilogic is its SCSI value. The .vmx and the OVF attach the
# disk to PVSCSI whatever the descriptor says; that VMware takes the
# mismatch silently is not verified here (docs/vmware.md).
ADAPTER_TYPE = "lsilogic"

PackError = packdir.PackError
image_name = packdir.image_name
QEMU_IMG = [("qemu-img", "qemu-utils")]


def memory_mib(text, img_data, img):
    """The VM's memory in MiB (packdir.memory_mib), rounded up to VMware's
    multiple of 4."""
    return packdir.memory_mib(text, img_data, img, multiple=4)


def check(img, outdir, line, initrd_path=None, mem=None, cpus=1, firmware="bios"):
    """Everything pack needs, checked before anything is written. Returns
    (name, memory in MiB, grub.cfg text; for EFI, the .efi's path).
    Raises PackError, runcheck.InputError (the image, --mem, --cpus),
    CmdlineError, InitrdError or EfiError with a message that says what to
    do."""
    name = image_name(img)
    if firmware == "efi":
        if initrd_path is not None:
            initrd.check(initrd_path)
        data = runcheck.check_image(img, "efi")
        cfg = efi.image_for(img)       # the .efi beside the image, or EfiError
        efi.sections(efi.read(cfg))
        cmdline_mod.check_limits(line)
        if shutil.which("qemu-img") is None:
            raise PackError("missing Debian package qemu-utils (make setup installs it)")
    else:
        data, cfg = bootdisk.check(img, line, initrd_path, tools=QEMU_IMG)
    packdir.check_outdir(outdir)
    runcheck.check_cpus(cpus)
    mib = memory_mib(mem, data, img)
    try:
        vmx.check_cpus(cpus)
        vmx.check_memory(mib)
    except ValueError as e:
        raise PackError(str(e)) from None
    return name, mib, cfg


def convert_vmdk(raw, out, subformat):
    diskconvert.convert(raw, out, "vmdk", f"subformat={subformat},adapter_type={ADAPTER_TYPE}")


def files(name):
    """The names pack writes for `name`, by role."""
    return {"raw": f"{name}.raw", "vmdk": f"{name}.vmdk", "vmx": f"{name}.vmx",
            "stream": f"{name}-disk1.vmdk", "ovf": f"{name}.ovf", "mf": f"{name}.mf",
            "ova": f"{name}.ova", "serial": f"{name}-serial.log"}


def pack(img, outdir, line, initrd_path=None, mem=None, cpus=1, progress=None, firmware="bios"):
    """Writes the files of files(name) into outdir; returns {role: path}.
    progress, if given, is called with a line before each slow step.
    firmware "efi": the disk is `anyvm pack efi`'s GPT disk (the .efi on an
    EFI system partition) and the VM boots with VMware's EFI firmware."""
    say = progress or (lambda text: None)
    name, mib, cfg = check(img, outdir, line, initrd_path, mem, cpus, firmware)
    names = files(name)
    del names["serial"]
    with packdir.staged(outdir, names) as at:
        if firmware == "efi":
            say(f"making the EFI boot disk {names['raw']} (GPT, EFI system partition with "
                f"{os.path.basename(cfg)})")
            esp.pack(img, at["raw"], line, initrd=initrd_path)
            capacity = os.path.getsize(at["raw"])
        else:
            say(f"making the BIOS boot disk {names['raw']} (GRUB, FAT16 with the image)")
            capacity = bootdisk.write(img, at["raw"], cfg, initrd_path)
        say(f"converting it to {names['vmdk']} (monolithicSparse) and "
            f"{names['stream']} (streamOptimized)")
        convert_vmdk(at["raw"], at["vmdk"], "monolithicSparse")
        convert_vmdk(at["raw"], at["stream"], "streamOptimized")
        with open(at["vmx"], "w") as f:
            f.write(vmx.text(name, names["vmdk"], files(name)["serial"], mib, cpus, firmware))
        with open(at["ovf"], "wb") as f:
            f.write(ovf.descriptor(name, names["stream"], os.path.getsize(at["stream"]), capacity,
                                   mib, cpus, files(name)["serial"], vmx.HW_VERSION,
                                   firmware))
        ovf.check_package(at["ovf"], capacity)
        with open(at["mf"], "w") as f:
            f.write(ovf.manifest([at["ovf"], at["stream"]]))
        say(f"writing {names['ova']}")
        ovf.write_ova(at["ova"], [at["ovf"], at["stream"], at["mf"]])
    return at
