"""The disk formats Hyper-V and Azure take, made from a raw disk with
qemu-img (qemu-utils) and checked after they are written:

  * VHDX, Hyper-V's own format (`qemu-img convert -O vhdx`): what Hyper-V
    Gen1 boots from its IDE controller and Gen2 from its SCSI controller.
  * a fixed VHD for Azure: "Azure supports only fixed VHD", and "All VHDs on
    Azure must have a virtual size aligned to 1 MB" (Microsoft, "Information
    for creating generic Linux images", learn.microsoft.com/azure/
    virtual-machines/linux/create-upload-generic, "General Linux
    installation notes" and "Resizing VHDs", whose recipe is `qemu-img
    resize` to the next MiB, then `qemu-img convert -f raw -o
    subformat=fixed,force_size -O vpc`). force_size keeps the size as given
    instead of rounding it to a CHS geometry (QEMU's vpc driver). A managed
    disk's upload is at least 20 MiB + 512 bytes (the footer), hence the
    20 MiB floor.

A fixed VHD is the disk's bytes followed by a 512-byte footer (Microsoft,
"Virtual Hard Disk Image Format Specification" 1.0, "Hard Disk Footer
Format"): cookie "conectix", then big-endian fields, among them the
current size at offset 48, the disk type at 60 (2 = fixed) and a checksum
at 64, the one's complement of the sum of the footer's other bytes."""

import json
import os
import shutil
import struct
import subprocess

from . import diskconvert

MIB = 1 << 20
AZURE_MIN = 20 * MIB
AZURE_MAX = 1023 << 30          # "The maximum size allowed for the VHD is 1,023 GB"
FOOTER = 512
COOKIE = b"conectix"
DISK_TYPE_FIXED = 2


class VhdError(RuntimeError):
    pass


def need_qemu_img():
    if shutil.which("qemu-img") is None:
        raise VhdError("qemu-img not found (install qemu-utils: make setup)")


def _qemu_img(argv):
    need_qemu_img()
    p = subprocess.run(["qemu-img", *argv], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise VhdError(f"qemu-img {' '.join(argv)} failed (exit {p.returncode}): "
                       f"{(p.stderr or p.stdout).strip()}")
    return p.stdout


def info(path, fmt):
    """qemu-img info's JSON for path read as fmt (a fixed VHD has no header:
    without -f qemu-img takes it for raw)."""
    return json.loads(_qemu_img(["info", "-f", fmt, "--output=json", path]))


def to_vhdx(raw, out):
    """The raw disk as a (dynamic) VHDX; its virtual size checked."""
    need_qemu_img()
    diskconvert.convert(raw, out, "vhdx")
    diskconvert.check(out, "vhdx", os.path.getsize(raw))


def azure_size(size):
    """The virtual size Azure takes for a disk of size bytes: the next whole
    MiB, at least 20 MiB; VhdError beyond 1,023 GiB."""
    out = max(AZURE_MIN, -(-size // MIB) * MIB)
    if out > AZURE_MAX:
        raise VhdError(f"a disk of {size} bytes is larger than Azure's 1,023 GiB")
    return out


def footer(path):
    """The fixed VHD footer at the end of path, checked: (current size,
    disk type). Raises VhdError naming what is wrong."""
    size = os.path.getsize(path)
    if size < FOOTER:
        raise VhdError(f"{path}: {size} bytes, too short for a VHD footer")
    with open(path, "rb") as f:
        f.seek(size - FOOTER)
        ft = f.read(FOOTER)
    if ft[:8] != COOKIE:
        raise VhdError(f"{path}: no VHD footer (cookie {ft[:8]!r}, not {COOKIE!r})")
    (checksum,) = struct.unpack_from(">I", ft, 64)
    if (~sum(ft[:64] + ft[68:])) & 0xFFFFFFFF != checksum:
        raise VhdError(f"{path}: the VHD footer's checksum does not match")
    (current,) = struct.unpack_from(">Q", ft, 48)
    (disk_type,) = struct.unpack_from(">I", ft, 60)
    return current, disk_type


def to_azure_vhd(raw, out):
    """raw made Azure's size (azure_size; zeros appended, which leave an MBR
    disk as it was) and converted to a fixed VHD; returns the virtual size.
    Checked after: qemu-img reads it as vpc of that size, the file is the
    size plus the footer, and the footer says fixed and that size."""
    want = azure_size(os.path.getsize(raw))
    if os.path.getsize(raw) != want:
        _qemu_img(["resize", "-f", "raw", raw, str(want)])
    _qemu_img(["convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on",
               raw, out])
    got = info(out, "vpc")
    current, disk_type = footer(out)
    if (got.get("format") != "vpc" or got.get("virtual-size") != want or current != want or
            disk_type != DISK_TYPE_FIXED or os.path.getsize(out) != want + FOOTER):
        raise VhdError(f"{out}: not a fixed VHD of {want} bytes (qemu-img: "
                       f"{got.get('format')} {got.get('virtual-size')}; footer: size {current}, "
                       f"type {disk_type}; file {os.path.getsize(out)} bytes)")
    return want
