"""`anyvm pack efi`: a GPT disk whose one partition is an EFI system
partition holding the .efi as \\EFI\\BOOT\\BOOTX64.EFI, the removable-media
path every UEFI firmware boots without a boot entry (UEFI 2.10 section
3.5.1.1), with the command line written into the image's .cmdline section
(efi.py). Built as an ordinary user on a file: the partition table with
sfdisk, the FAT32 file system inside the partition with mtools' offset
syntax (FILE@@OFFSET); no loop device, no mount. The disk is checked after
it is written: the GPT headers and entry (UEFI 2.10 section 5.3, CRCs
included), the FAT file read back byte for byte."""

import binascii
import os
import shutil
import struct
import subprocess

from . import efi

DISK_BYTES = 64 << 20        # FAT32 wants at least 65525 clusters: 32 MiB of 512-byte ones
SECTOR = 512
PART_START = 2048            # 1 MiB, as partitioning tools align
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"   # UEFI 2.10 table 5.7
BOOT_PATH = "::/EFI/BOOT/BOOTX64.EFI"
# The initrd beside it, named on the command line as Linux's EFI stub
# takes it (initrd=PATH; boot/efi/efi_initrd.c reads it before leaving
# boot services).
INITRD_PATH = "/EFI/BOOT/initrd.cpio"
MIB = 1 << 20


def with_initrd_param(line):
    """line with initrd=INITRD_PATH first among the kernel parameters."""
    return f"initrd={INITRD_PATH} {line}".rstrip()


def disk_bytes(payload):
    """64 MiB, or more for a large initrd: the payload plus 8 MiB for the
    FAT and the GPT, in whole MiB."""
    return max(DISK_BYTES, -(-(payload + 8 * MIB) // MIB) * MIB)


class EspError(RuntimeError):
    pass


def _run(cmd, stdin=None):
    if shutil.which(cmd[0]) is None:
        raise EspError(f"{cmd[0]} not found (install mtools and fdisk: make setup)")
    res = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)
    if res.returncode != 0:
        raise EspError(f"{' '.join(cmd)} failed: {res.stderr.decode(errors='replace').strip()}")
    return res.stdout


def _guid_bytes(text):
    """The on-disk form of a GUID (UEFI 2.10 appendix A: the first three
    fields little-endian)."""
    h = text.replace("-", "")
    return (bytes.fromhex(h[0:8])[::-1] + bytes.fromhex(h[8:12])[::-1] +
            bytes.fromhex(h[12:16])[::-1] + bytes.fromhex(h[16:]))


def check_gpt(disk):
    """(first_lba, last_lba) of the disk's one EFI system partition; raises
    EspError unless both GPT headers and the entry array check out."""
    size = os.path.getsize(disk)
    with open(disk, "rb") as f:
        def header(lba):
            f.seek(lba * SECTOR)
            h = f.read(SECTOR)
            if h[:8] != b"EFI PART":
                raise EspError(f"{disk}: no GPT header at LBA {lba}")
            hsize, crc = struct.unpack_from("<II", h, 12)
            if binascii.crc32(h[:16] + b"\0\0\0\0" + h[20:hsize]) != crc:
                raise EspError(f"{disk}: GPT header at LBA {lba}: bad CRC")
            return h
        primary = header(1)
        last = size // SECTOR - 1
        backup = header(last)
        my_lba, alt_lba = struct.unpack_from("<QQ", primary, 24)
        if my_lba != 1 or alt_lba != last or struct.unpack_from("<Q", backup, 24)[0] != last:
            raise EspError(f"{disk}: GPT headers do not point at each other")
        entries_lba, count, esize, ecrc = struct.unpack_from("<QIII", primary, 72)
        f.seek(entries_lba * SECTOR)
        table = f.read(count * esize)
        if binascii.crc32(table) != ecrc:
            raise EspError(f"{disk}: GPT partition entries: bad CRC")
    used = [table[i:i + esize] for i in range(0, len(table), esize) if any(table[i:i + 16])]
    if len(used) != 1 or used[0][:16] != _guid_bytes(ESP_TYPE):
        raise EspError(f"{disk}: expected one EFI system partition, found {len(used)} partitions")
    return struct.unpack_from("<QQ", used[0], 32)


def pack(image_path, out, line, initrd=None):
    """Write the disk `out` booting the .efi for image_path (an .efi, or
    the ELF it was built beside) with `line` as its command line, and with
    `initrd` (a file) as INITRD_PATH named by an initrd= parameter."""
    path = efi.image_for(image_path)
    if initrd is not None:
        line = with_initrd_param(line)
    data = efi.with_cmdline(efi.read(path), line)
    tmp = out + ".tmp"
    boot = out + ".BOOTX64.EFI.tmp"
    try:
        with open(tmp, "wb") as f:
            f.truncate(disk_bytes(len(data) + (os.path.getsize(initrd) if initrd else 0)))
        _run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", tmp],
             stdin=(f"label: gpt\nstart={PART_START}, type={ESP_TYPE}, "
                    'name="EFI system partition"\n').encode())
        first, last = check_gpt(tmp)
        sectors = last - first + 1
        fat = f"{tmp}@@{first * SECTOR}"
        _run(["mformat", "-i", fat, "-F", "-T", str(sectors), "-H", str(first), "-v", "ANYVM",
              "::"])
        _run(["mmd", "-i", fat, "::/EFI", "::/EFI/BOOT"])
        with open(boot, "wb") as f:
            f.write(data)
        _run(["mcopy", "-i", fat, boot, BOOT_PATH])
        back = _run(["mtype", "-i", fat, BOOT_PATH])
        if back != data:
            raise EspError(f"{out}: {BOOT_PATH} reads back different from what was written")
        if initrd is not None:
            _run(["mcopy", "-i", fat, os.path.abspath(initrd), "::" + INITRD_PATH])
            with open(initrd, "rb") as f:
                if _run(["mtype", "-i", fat, "::" + INITRD_PATH]) != f.read():
                    raise EspError(f"{out}: {INITRD_PATH} reads back different from {initrd}")
        check_gpt(tmp)
        os.replace(tmp, out)
    finally:
        for p in (tmp, boot):
            if os.path.exists(p):
                os.unlink(p)
    return path
