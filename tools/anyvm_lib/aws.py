"""`anyvm pack aws`: the BIOS GRUB disk for EC2's VM Import, as NAME.raw
(ImportSnapshot's "RAW") and NAME-aws.vmdk (a stream-optimized VMDK,
VM Import's "VMDK"), with the boot mode legacy-bios (the EC2 API
reference: SnapshotDiskContainer, ImportImage). What the guest then lacks
is said in docs/clouds.md: Nitro instances give NVMe disks and ENA NICs,
which anyvm has no drivers for."""

from . import bootdisk, diskconvert, packdir

TOOLS = [("qemu-img", "qemu-utils")]


def pack(img, outdir, line, opts, say):
    name = packdir.image_name(img)
    _, cfg = bootdisk.check(img, line, opts.initrd, tools=TOOLS)
    packdir.check_outdir(outdir)
    names = {"raw": f"{name}.raw", "vmdk": f"{name}-aws.vmdk"}
    with packdir.staged(outdir, names) as at:
        say(f"making the BIOS boot disk {names['raw']} (GRUB, FAT16 with the image)")
        size = bootdisk.write(img, at["raw"], cfg, opts.initrd)
        say(f"converting it to {names['vmdk']} (streamOptimized)")
        diskconvert.convert(at["raw"], at["vmdk"], "vmdk", "subformat=streamOptimized")
        diskconvert.check(at["vmdk"], "vmdk", size)
    return at
