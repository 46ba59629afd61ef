"""The initrd: a folder packed into a cpio archive in the "newc" format,
which the kernel reads in place as the app's read-only file tree
(docs/apps.md, "Files: the initrd"), and how each VMM is handed one.

The archive is written by GNU cpio (Debian's cpio package: make setup),
run from the folder so that the names are relative, with the names sorted
(the archive's order is the order readdir lists them in), owner root and
--reproducible (fixed inode and device numbers; hard links kept), so the
same folder gives the same archive on every machine:

    cd DIR && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
        cpio -o -H newc --reproducible -R 0:0 --null --quiet > OUT

Symbolic links are stored as links (find does not follow them)."""

import os
import shutil
import subprocess


class InitrdError(ValueError):
    pass


def pack(directory, out):
    """Packs `directory` into the newc archive `out`; returns out."""
    if not os.path.isdir(directory):
        raise InitrdError(f"{directory}: no such directory")
    for tool in ("find", "cpio"):
        if shutil.which(tool) is None:
            raise InitrdError(f"{tool} not found (install it: make setup)")
    top = os.path.realpath(directory)
    where = os.path.realpath(os.path.dirname(os.path.abspath(out)))
    if where == top or where.startswith(top + os.sep):
        raise InitrdError(f"{out}: the archive would be inside the folder it packs")
    names = subprocess.run(["find", ".", "-mindepth", "1", "-print0"], cwd=top,
                           capture_output=True, check=False)
    if names.returncode != 0:
        raise InitrdError(f"find in {directory} failed: {names.stderr.decode(errors='replace')}")
    listing = b"".join(n + b"\0" for n in sorted(names.stdout.split(b"\0")) if n)
    with open(out, "wb") as f:
        p = subprocess.run(["cpio", "-o", "-H", "newc", "--reproducible", "-R", "0:0", "--null",
                            "--quiet"], cwd=top, input=listing, stdout=f, stderr=subprocess.PIPE,
                           check=False)
    if p.returncode != 0:
        os.remove(out)
        raise InitrdError(f"cpio failed (exit {p.returncode}): "
                          f"{p.stderr.decode(errors='replace').strip()}")
    return out


def check(path):
    """The initrd a boot is given must be a readable, non-empty file."""
    if not os.path.isfile(path):
        raise InitrdError(f"initrd {path} not found (make one: anyvm pack initrd DIR -o FILE)")
    if os.path.getsize(path) == 0:
        raise InitrdError(f"initrd {path} is empty")


def qemu_path(path, workdir):
    """A path to the initrd that QEMU's -initrd takes as it is. For a
    multiboot kernel QEMU reads -initrd as a list of modules separated by
    commas, each "FILE ARGUMENTS" (QEMU 7.2 hw/i386/multiboot.c), so a path
    with a comma or a blank is handed over as a symbolic link in the
    scratch directory."""
    path = os.path.abspath(path)
    if not any(c.isspace() or c == "," for c in path):
        return path
    link = os.path.join(workdir, "initrd")
    if any(c.isspace() or c == "," for c in link):
        raise InitrdError(f"the scratch directory {workdir!r} has a blank or a comma in its path; "
                          "set TMPDIR to a directory without them")
    os.symlink(path, link)
    return link
