"""`anyvm pack azure`: an image packed as the fixed VHD Azure takes
(docs/hyperv.md, "Azure"; vhd.py says what Azure asks of it): generation 1,
the BIOS GRUB disk (biosdisk.py), by default, or with --gen 2 the GPT disk
with the EFI system partition (esp.py). The kernel finds the console on
COM1 either way (GRUB's grub.cfg talks on COM1 too), which is where
Azure's serial console and boot diagnostics read; the ready report Azure
waits for is the kernel's (net/azure/), in every image with the network
layer."""

import os
import tempfile

from . import biosdisk, efi, esp, iso, vhd, vmware

# The default command line: the serial console Microsoft asks Linux images
# for ("console=ttyS0,115200n8", "Information for creating generic Linux
# images", General Linux system requirements), COM1 at 115200 8N1, as the
# kernel's UART and GRUB's serial line run. The kernel writes there anyway
# and notes the parameter as a Linux one.
CMDLINE = "console=ttyS0,115200n8"


class AzureError(ValueError):
    pass


def check(img, out, gen, initrd_path):
    """What pack needs besides vmware.check's: the output file and the
    generation's input."""
    if gen not in (1, 2):
        raise AzureError(f"--gen {gen}: Azure has generation 1 (BIOS) and 2 (UEFI)")
    if os.path.isdir(out):
        raise AzureError(f"{out} is a folder; -o takes the .vhd file to write")
    if not out.endswith(".vhd"):
        raise AzureError(f"{out}: name the output NAME.vhd (Azure's uploads take .vhd)")
    if gen == 2:
        if initrd_path is not None:
            raise AzureError("--gen 2: no initrd under UEFI yet")
        path = efi.image_for(img)
        if not os.path.isfile(path):
            raise AzureError(f"--gen 2 boots {path}, which is not built (make builds "
                             "build/NAME.efi beside build/NAME.elf; an app folder's build "
                             "makes no .efi yet)")
        return path
    return None


def pack(img, out, line, gen=1, initrd_path=None, progress=None):
    """Writes the fixed VHD `out`; returns its virtual size in bytes."""
    say = progress or (lambda text: None)
    vhd.need_qemu_img()
    efi_img = check(img, out, gen, initrd_path)
    _, _, cfg = vmware.check(img, os.path.dirname(os.path.abspath(out)), line, initrd_path)
    with tempfile.TemporaryDirectory(prefix=".anyvm-pack-",
                                     dir=os.path.dirname(os.path.abspath(out))) as work:
        raw = os.path.join(work, "disk.raw")
        if gen == 1:
            say("making the BIOS boot disk (GRUB, FAT16 with the image)")
            put = {iso.IMAGE_PATH: img}
            if initrd_path is not None:
                put[iso.INITRD_PATH] = initrd_path
            biosdisk.write(raw, cfg, put)
        else:
            say("making the UEFI disk (GPT, EFI system partition)")
            esp.pack(efi_img, raw, line)
            if vhd.azure_size(os.path.getsize(raw)) != os.path.getsize(raw):
                # The backup GPT header must stay in the disk's last sector.
                raise AzureError(f"the EFI disk is {os.path.getsize(raw)} bytes, not a size "
                                 "Azure takes as it is")
        say("converting it to a fixed VHD (whole MiB, at least 20 MiB)")
        tmp = os.path.join(work, "disk.vhd")
        size = vhd.to_azure_vhd(raw, tmp)
        os.replace(tmp, out)
    return size
