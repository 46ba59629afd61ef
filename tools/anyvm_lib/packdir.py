"""What every folder-writing pack shares: the name its files are given
(hello.elf gives hello.*), the output folder checked before anything is
made, and the files made in a scratch folder inside it and moved into place
only when all of them are written and checked, so a failed pack leaves
nothing half-written behind."""

import contextlib
import os
import re
import shutil
import tempfile

from . import image, runcheck

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DEFAULT_MEMORY = "64M"


class PackError(ValueError):
    pass


def image_name(path):
    """hello from build/hello.elf; refused when the files named after it
    (and the VM, image or container names some targets derive from it)
    could not carry it as it is."""
    name = os.path.basename(path)
    if name.endswith(".elf"):
        name = name[:-4]
    if not NAME.match(name):
        raise PackError(f"{path}: the image's name {name!r} is used for every file written; "
                        "rename the image to letters, digits, '.', '_' and '-'")
    return name


def memory_mib(text, img_data, img, multiple=1):
    """The VM's memory in MiB: `text` in `anyvm run --mem`'s syntax (e.g.
    "128M"; runcheck.py), else the image's anyvm.toml memory, else 64M;
    refused when the image would not fit (runcheck.check_memory), rounded
    up to a multiple of `multiple` MiB."""
    src = text or image.app_info(img_data).get("memory") or DEFAULT_MEMORY
    size = runcheck.check_memory(src, img_data, img)
    mib = -(-size // (1 << 20))
    return -(-mib // multiple) * multiple


def check_outdir(outdir):
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise PackError(f"{outdir} is a file; -o takes a folder (made when missing)")
    parent = os.path.dirname(os.path.abspath(outdir))
    if not os.path.isdir(parent):
        raise PackError(f"{parent}: no such folder to make {os.path.basename(outdir)} in")
    writable = outdir if os.path.isdir(outdir) else parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise PackError(f"{writable}: no permission to write there; pick another -o")


@contextlib.contextmanager
def staged(outdir, names):
    """Yields {role: path in a scratch folder} for names ({role: file
    name}); when the block ends without an exception the files are moved to
    outdir and the dict then holds their final paths. On failure nothing is
    left: the scratch folder goes, and outdir too when this made it."""
    made = not os.path.isdir(outdir)
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".anyvm-pack-", dir=outdir)
    done = False
    try:
        at = {role: os.path.join(work, n) for role, n in names.items()}
        yield at
        for role, path in at.items():
            if os.path.exists(path):
                final = os.path.join(outdir, names[role])
                os.replace(path, final)
                at[role] = final
        done = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not done and made:
            shutil.rmtree(outdir, ignore_errors=True)
