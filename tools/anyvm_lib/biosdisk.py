"""A BIOS-bootable raw disk, made as an ordinary user: an MBR partition
table (sfdisk on the file), GRUB for BIOS in the MBR and the gap after it,
and one FAT16 partition (mtools at an offset into the file) holding
/boot/grub/grub.cfg, the image and the initrd. No loop device, no mount.

What GRUB needs on such a disk (GRUB 2.06, util/setup.c, which
grub-bios-setup runs; the offsets from include/grub/i386/pc/boot.h):

  * sector 0: boot.img's code up to the disk signature (0x1B8); the
    partition table after it stays as sfdisk wrote it. Three fields are set
    as grub-bios-setup sets them for a core image embedded after the MBR:
    KERNEL_SECTOR (u64 at 0x5C) = 1, the LBA of the core image's first
    sector; BOOT_DRIVE (u8 at 0x64) = 0xFF, "use the drive the BIOS booted
    from" (DL); and the two bytes at DRIVE_CHECK (0x66) become NOPs, so that
    a BIOS that passes a bogus DL for a hard disk gets 0x80.
  * sectors 1..N: the core image (grub-mkimage -O i386-pc: diskboot.img,
    then the decompressor and the compressed kernel with the modules). Its
    first sector ends in a block list {start u64, len u16, segment u16}
    that diskboot reads the rest by: start = 2, len = N - 1, segment 0x820.
  * the core image's prefix `(,msdos1)/boot/grub`: the empty device before
    the comma is the disk the BIOS booted from (GRUB's kern/main.c fills it
    in), so the disk boots whatever its BIOS drive number. normal.mod reads
    $prefix/grub.cfg; every module the configuration uses is in the core
    image, since the partition holds no module directory."""

import os
import shutil
import struct
import subprocess
import tempfile

SECTOR = 512
MIB = 1 << 20
# The partition starts at 1 MiB, where fdisk aligns the first one: the gap
# before it (sectors 1-2047) holds the core image.
PART_START = MIB // SECTOR
# A VMDK for a SCSI adapter describes the disk as 255 heads x 63 sectors
# (qemu-img's descriptor: ddb.geometry.*), and qemu-img rounds the
# cylinders down: below 255 * 63 * 512 = 8,225,280 bytes a disk would claim
# 0 cylinders. 8 MiB is the smallest whole-MiB disk with one.
MIN_DISK = 8 * MIB

GRUB_PC_DIR = "/usr/lib/grub/i386-pc"
PREFIX = "(,msdos1)/boot/grub"
# BIOS disk access, the MBR's partitions, FAT, the multiboot loader, the
# menu (normal reads grub.cfg), the serial console and its terminal
# commands, `boot`, and `echo` and `halt` for grub.cfg's ending when the
# kernel cannot be started (iso.grub_cfg). grub-mkimage adds what these
# depend on.
GRUB_MODULES = ("biosdisk", "part_msdos", "fat", "multiboot", "normal", "configfile",
                "serial", "terminal", "boot", "echo", "halt")

# boot.img (GRUB 2.06 include/grub/i386/pc/boot.h)
KERNEL_SECTOR_AT = 0x5C
BOOT_DRIVE_AT = 0x64
DRIVE_CHECK_AT = 0x66
DISK_SIGNATURE_AT = 0x1B8      # GRUB_BOOT_MACHINE_WINDOWS_NT_MAGIC: the table's part begins
NOP = 0x90
# diskboot.img's block list: the last 12 bytes of the core image's first
# sector (GRUB_BOOT_MACHINE_LIST_SIZE), loaded at segment 0x820
# (GRUB_BOOT_I386_PC_KERNEL_SEG + 0x20, include/grub/offsets.h).
BLOCKLIST_AT = SECTOR - 12
CORE_SEGMENT = 0x820
# util/setup.c embeds at most (0x78000 - GRUB_KERNEL_I386_PC_LINK_ADDR
# (0x9000)) >> 9 sectors: what fits below the loader's buffers.
CORE_MAX_SECTORS = (0x78000 - 0x9000) // SECTOR

# An MBR partition of type 0x0E, "W95 FAT16 (LBA)": read by LBA, any size.
PART_TYPE_FAT16_LBA = 0x0E
FAT16_MIN_CLUSTERS, FAT16_MAX_CLUSTERS = 4085, 65524   # Microsoft FAT spec (fatgen103), 3.5
VOLUME_LABEL = "ANYVM"
TOOLS = {"sfdisk": "fdisk", "grub-mkimage": "grub-common", "mformat": "mtools",
         "mmd": "mtools", "mcopy": "mtools"}


class DiskError(RuntimeError):
    pass


def tool(name):
    """The path of a tool, or None. sfdisk lives in /usr/sbin, which is not
    on an ordinary user's PATH on Debian, yet runs without root on a file."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def missing_tools():
    """The Debian packages whose tools are not found (empty when all are)."""
    missing = {pkg for name, pkg in TOOLS.items() if tool(name) is None}
    for name in ("boot.img", "diskboot.img"):
        if not os.path.isfile(os.path.join(GRUB_PC_DIR, name)):
            missing.add("grub-pc-bin")
    return sorted(missing)


def _run(argv, what, **kw):
    argv = [tool(argv[0]) or argv[0], *argv[1:]]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise DiskError(f"{what} failed (exit {p.returncode}): {p.stdout.strip()}")
    return p.stdout


def disk_size(content_bytes):
    """The disk's size for content_bytes of files: the 1 MiB before the
    partition, the files with 1 % and 256 KiB for the FAT's tables and the
    last cluster of each file, rounded up to a whole MiB, at least MIN_DISK."""
    part = content_bytes + content_bytes // 100 + 256 * 1024
    return max(MIN_DISK, MIB + -(-part // MIB) * MIB)


def fat16_cluster_sectors(sectors):
    """Sectors per cluster that make a partition of `sectors` a FAT16
    volume: the FAT type follows from the cluster count alone (fatgen103)."""
    per = 1
    while sectors // per > FAT16_MAX_CLUSTERS:
        per *= 2
    if per > 128 or sectors // per < FAT16_MIN_CLUSTERS:
        raise DiskError(f"a partition of {sectors} sectors cannot be FAT16")
    return per


def parent_dirs(paths):
    """Every folder above the absolute paths, parents before children."""
    out = set()
    for path in paths:
        d = os.path.dirname(path)
        while d != "/":
            out.add(d)
            d = os.path.dirname(d)
    return sorted(out, key=lambda d: (d.count("/"), d))


def core_image(workdir):
    """grub-mkimage's core image for this disk, as bytes; its block list is
    checked against what diskboot.img's will be set to."""
    out = os.path.join(workdir, "core.img")
    _run(["grub-mkimage", "-O", "i386-pc", "-d", GRUB_PC_DIR, "-o", out, "-p", PREFIX,
          *GRUB_MODULES], "grub-mkimage")
    with open(out, "rb") as f:
        core = f.read()
    sectors = -(-len(core) // SECTOR)
    if not 2 <= sectors <= min(CORE_MAX_SECTORS, PART_START - 1):
        raise DiskError(f"GRUB's core image is {sectors} sectors; it must fit in "
                        f"{min(CORE_MAX_SECTORS, PART_START - 1)} after the MBR")
    _, _, segment = struct.unpack_from("<QHH", core, BLOCKLIST_AT)
    if segment != CORE_SEGMENT:
        raise DiskError(f"GRUB's diskboot.img loads at segment {segment:#x}, not "
                        f"{CORE_SEGMENT:#x}: an unknown GRUB version")
    core = bytearray(core.ljust(sectors * SECTOR, b"\0"))
    # The rest of the core image follows its first sector, which is at LBA 1.
    struct.pack_into("<QH", core, BLOCKLIST_AT, 2, sectors - 1)
    return bytes(core)


def boot_sector(boot_img, table_sector):
    """Sector 0: boot.img's code with grub-bios-setup's fields, and the disk
    signature and partition table of table_sector (what sfdisk wrote)."""
    if len(boot_img) != SECTOR or len(table_sector) != SECTOR:
        raise DiskError("boot.img and the MBR must be 512 bytes each")
    code = bytearray(boot_img[:DISK_SIGNATURE_AT])
    struct.pack_into("<Q", code, KERNEL_SECTOR_AT, 1)
    code[BOOT_DRIVE_AT] = 0xFF
    code[DRIVE_CHECK_AT:DRIVE_CHECK_AT + 2] = bytes([NOP, NOP])
    return bytes(code) + table_sector[DISK_SIGNATURE_AT:]


def write(out, cfg, files, disk_id=0x414E5956):
    """Writes the raw disk `out`: grub.cfg text `cfg` as /boot/grub/grub.cfg
    and `files` ({path on the FAT: local file}) beside it. disk_id is the
    MBR's disk signature (fixed, so that the same input gives the same
    table). Returns the disk's size in bytes."""
    content = len(cfg) + sum(os.path.getsize(f) for f in files.values())
    size = disk_size(content)
    part_sectors = size // SECTOR - PART_START
    with tempfile.TemporaryDirectory(prefix="anyvm-disk-") as work:
        core = core_image(work)
        with open(out, "wb") as f:
            f.truncate(size)
        table = (f"label: dos\nlabel-id: {disk_id:#010x}\nunit: sectors\n"
                 f"start={PART_START}, size={part_sectors}, type={PART_TYPE_FAT16_LBA:x}, "
                 "bootable\n")
        _run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", out], "sfdisk",
             input=table)
        # mtools addresses the partition as FILE@@OFFSET; MTOOLS_SKIP_CHECK
        # keeps it from judging the BPB's made-up CHS geometry.
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        vol = f"{out}@@{PART_START * SECTOR}"
        _run(["mformat", "-i", vol, "-T", str(part_sectors), "-h", "64", "-s", "32",
              "-H", str(PART_START), "-c", str(fat16_cluster_sectors(part_sectors)),
              "-v", VOLUME_LABEL, "-N", f"{disk_id:08x}", "::"], "mformat", env=env)
        for d in parent_dirs(["/boot/grub/grub.cfg", *files]):
            _run(["mmd", "-i", vol, "::" + d], "mmd", env=env)
        cfg_file = os.path.join(work, "grub.cfg")
        with open(cfg_file, "w") as f:
            f.write(cfg)
        for dest, src in [("/boot/grub/grub.cfg", cfg_file), *sorted(files.items())]:
            # absolute, so that mcopy never reads "x:name" as a DOS drive
            _run(["mcopy", "-i", vol, os.path.abspath(src), "::" + dest], f"mcopy of {src}",
                 env=env)
        with open(os.path.join(GRUB_PC_DIR, "boot.img"), "rb") as f:
            boot_img = f.read()
        with open(out, "r+b") as f:
            table_sector = f.read(SECTOR)
            f.seek(0)
            f.write(boot_sector(boot_img, table_sector))
            f.write(core)
    return size
