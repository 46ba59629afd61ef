"""`anyvm pack gce`: NAME-gce.tar.gz for Google Compute Engine, a gzip'd
tar whose only member is the BIOS GRUB disk named disk.raw, written by GNU
tar in the old GNU format with sparse files (`--format=oldgnu -S`), as
Compute Engine's "Import a boot disk image" documentation and Packer's
googlecompute-import post-processor make it. The disk is padded (sparsely:
the archive stays small) to a whole GiB, because Compute Engine sizes
disks and images in whole GB and creates a disk of that size from it."""

import os
import subprocess
import tarfile

from . import bootdisk, packdir

GIB = 1 << 30
MEMBER = "disk.raw"
TOOLS = [("tar", "tar"), ("gzip", "gzip")]


def pack(img, outdir, line, opts, say):
    name = packdir.image_name(img)
    _, cfg = bootdisk.check(img, line, opts.initrd, tools=TOOLS)
    packdir.check_outdir(outdir)
    names = {"raw": MEMBER, "tar": f"{name}-gce.tar.gz"}
    with packdir.staged(outdir, names) as at:
        say(f"making the BIOS boot disk (GRUB, FAT16 with the image) as {MEMBER}")
        size = bootdisk.write(img, at["raw"], cfg, opts.initrd)
        padded = -(-size // GIB) * GIB
        with open(at["raw"], "r+b") as f:
            f.truncate(padded)
        say(f"writing {names['tar']} (GNU tar, oldgnu, sparse; {MEMBER} of "
            f"{padded >> 30} GiB)")
        p = subprocess.run(["tar", "--format=oldgnu", "-Sczf", at["tar"], "-C",
                            os.path.dirname(at["raw"]), MEMBER],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"tar failed (exit {p.returncode}): {p.stdout.strip()}")
        with tarfile.open(at["tar"], "r:gz") as t:
            members = t.getmembers()
        if [(m.name, m.size) for m in members] != [(MEMBER, padded)]:
            raise RuntimeError(f"{names['tar']} holds {[m.name for m in members]}, not "
                               f"{MEMBER} alone of {padded} bytes")
        os.unlink(at.pop("raw"))
    return at
