"""`anyvm pack azure`: an image packed as the fixed VHD Azure takes, into
OUTDIR as NAME.vhd (docs/hyperv.md, "Azure"; vhd.py says what Azure asks
of it): generation 1, the BIOS GRUB disk (bootdisk.py), by default, or
with --gen 2 the GPT disk with the EFI system partition (esp.py). The
kernel finds the console on COM1 either way (GRUB's grub.cfg talks on COM1
too), which is where Azure's serial console and boot diagnostics read; the
ready report Azure waits for is the kernel's (net/azure/), in every image
with the network layer."""

import os

from . import bootdisk, efi, esp, packdir, vhd

TOOLS = [("qemu-img", "qemu-utils")]

# The default command line: the serial console Microsoft asks Linux images
# for ("console=ttyS0,115200n8", "Information for creating generic Linux
# images", General Linux system requirements), COM1 at 115200 8N1, as the
# kernel's UART and GRUB's serial line run. The kernel writes there anyway
# and notes the parameter as a Linux one.
CMDLINE = "console=ttyS0,115200n8"


def gen2_source(img, gen):
    """The .efi generation 2 boots (checked), or None for generation 1."""
    if gen not in (1, 2):
        raise packdir.PackError(f"--gen {gen}: Azure has generation 1 (BIOS) and 2 (UEFI)")
    if gen == 1:
        return None
    path = efi.image_for(img)
    if not os.path.isfile(path):
        raise packdir.PackError(f"--gen 2 boots {path}, which is not built (make builds "
                                "build/NAME.efi beside build/NAME.elf; an app folder's build "
                                "makes no .efi yet)")
    return path


def pack(img, outdir, line, opts, say):
    """Writes OUTDIR/NAME.vhd; returns {"vhd": path}."""
    name = packdir.image_name(img)
    efi_img = gen2_source(img, opts.gen)
    _, cfg = bootdisk.check(img, line, opts.initrd, tools=TOOLS)
    packdir.check_outdir(outdir)
    names = {"vhd": f"{name}.vhd"}
    with packdir.staged(outdir, names) as at:
        raw = os.path.join(os.path.dirname(at["vhd"]), "disk.raw")
        if efi_img is None:
            say("making the BIOS boot disk (GRUB, FAT16 with the image)")
            bootdisk.write(img, raw, cfg, opts.initrd)
        else:
            say("making the UEFI disk (GPT, EFI system partition)")
            esp.pack(efi_img, raw, line, initrd=opts.initrd)
            if vhd.azure_size(os.path.getsize(raw)) != os.path.getsize(raw):
                # The backup GPT header must stay in the disk's last sector.
                raise packdir.PackError(f"the EFI disk is {os.path.getsize(raw)} bytes, not a "
                                        "size Azure takes as it is")
        say(f"converting it to {names['vhd']}, a fixed VHD (whole MiB, at least 20 MiB)")
        size = vhd.to_azure_vhd(raw, at["vhd"])
        os.unlink(raw)
    say(f"{names['vhd']}: {size >> 20} MiB for an Azure generation {opts.gen} VM; upload it "
        "to a managed disk and create the VM with --enable-agent false (docs/hyperv.md, "
        "\"Azure\")")
    return at
