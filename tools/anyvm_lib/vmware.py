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
import re
import shutil
import subprocess
import tempfile

from . import biosdisk, image, initrd, iso, ovf, runcheck, vmx
from . import cmdline as cmdline_mod

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# The VMDK descriptor's ddb.adapterType: the controller a disk was made
# for, and with it the geometry the descriptor gives (SCSI: 255 heads, 63
# sectors). qemu-img offers ide, lsilogic, buslogic and legacyESX, no
# pvscsi (other image builders patch "pvscsi" into the descriptor
# afterwards); lsilogic is its SCSI value. The .vmx and the OVF attach the
# disk to PVSCSI whatever the descriptor says; that VMware takes the
# mismatch silently is not verified here (docs/vmware.md).
ADAPTER_TYPE = "lsilogic"
DEFAULT_MEMORY = "64M"


class PackError(ValueError):
    pass


def image_name(path):
    """hello from build/hello.elf; refused when VMware's files could not
    carry it as it is."""
    name = os.path.basename(path)
    if name.endswith(".elf"):
        name = name[:-4]
    if not NAME.match(name):
        raise PackError(f"{path}: the image's name {name!r} is used for every file written; "
                        "rename the image to letters, digits, '.', '_' and '-'")
    return name


def memory_mib(text, img_data, img):
    """The VM's memory in MiB: `text` in `anyvm run --mem`'s syntax (e.g.
    "128M"; runcheck.py), else the image's anyvm.toml memory, else 64M;
    refused when the image would not fit (runcheck.check_memory), rounded
    up to VMware's multiple of 4."""
    src = text or image.app_info(img_data).get("memory") or DEFAULT_MEMORY
    size = runcheck.check_memory(src, img_data, img)
    mib = -(-size // (1 << 20))
    return -(-mib // 4) * 4


def check(img, outdir, line, initrd_path=None, mem=None, cpus=1):
    """Everything pack needs, checked before anything is written. Returns
    (name, memory in MiB, grub.cfg text). Raises PackError,
    runcheck.InputError (the image, --mem, --cpus), CmdlineError or
    InitrdError with a message that says what to do."""
    missing = biosdisk.missing_tools()
    if shutil.which("qemu-img") is None:
        missing.append("qemu-utils")
    if missing:
        raise PackError(f"missing Debian packages {', '.join(sorted(missing))} "
                        "(make setup installs them)")
    if not os.path.isfile(img):
        raise PackError(f"image {img} not found (build it: make APP=NAME)")
    name = image_name(img)
    # an x86-64 ELF with a sound multiboot header: GRUB boots it as on the ISO
    data = runcheck.check_image(img, "iso")
    if initrd_path is not None:
        initrd.check(initrd_path)
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise PackError(f"{outdir} is a file; -o takes a folder (made when missing)")
    parent = os.path.dirname(os.path.abspath(outdir))
    if not os.path.isdir(parent):
        raise PackError(f"{parent}: no such folder to make {os.path.basename(outdir)} in")
    writable = outdir if os.path.isdir(outdir) else parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise PackError(f"{writable}: no permission to write there; pick another -o")
    cfg = iso.grub_cfg(line, initrd=initrd_path is not None)
    cmdline_mod.check_limits(line)
    runcheck.check_cpus(cpus)
    mib = memory_mib(mem, data, img)
    try:
        vmx.check_cpus(cpus)
        vmx.check_memory(mib)
    except ValueError as e:
        raise PackError(str(e)) from None
    return name, mib, cfg


def convert_vmdk(raw, out, subformat):
    p = subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o",
                        f"subformat={subformat},adapter_type={ADAPTER_TYPE}", raw, out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"qemu-img convert to {subformat} failed (exit {p.returncode}): "
                           f"{p.stdout.strip()}")


def files(name):
    """The names pack writes for `name`, by role."""
    return {"raw": f"{name}.raw", "vmdk": f"{name}.vmdk", "vmx": f"{name}.vmx",
            "stream": f"{name}-disk1.vmdk", "ovf": f"{name}.ovf", "mf": f"{name}.mf",
            "ova": f"{name}.ova", "serial": f"{name}-serial.log"}


def pack(img, outdir, line, initrd_path=None, mem=None, cpus=1, progress=None):
    """Writes the files of files(name) into outdir; returns {role: path}.
    progress, if given, is called with a line before each slow step."""
    say = progress or (lambda text: None)
    name, mib, cfg = check(img, outdir, line, initrd_path, mem, cpus)
    names = files(name)
    made_outdir = not os.path.isdir(outdir)
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".anyvm-pack-", dir=outdir)
    done = False
    try:
        at = {role: os.path.join(work, n) for role, n in names.items() if role != "serial"}
        say(f"making the BIOS boot disk {names['raw']} (GRUB, FAT16 with the image)")
        put = {iso.IMAGE_PATH: img}
        if initrd_path is not None:
            put[iso.INITRD_PATH] = initrd_path
        capacity = biosdisk.write(at["raw"], cfg, put)
        say(f"converting it to {names['vmdk']} (monolithicSparse) and "
            f"{names['stream']} (streamOptimized)")
        convert_vmdk(at["raw"], at["vmdk"], "monolithicSparse")
        convert_vmdk(at["raw"], at["stream"], "streamOptimized")
        with open(at["vmx"], "w") as f:
            f.write(vmx.text(name, names["vmdk"], names["serial"], mib, cpus))
        with open(at["ovf"], "wb") as f:
            f.write(ovf.descriptor(name, names["stream"], os.path.getsize(at["stream"]), capacity,
                                   mib, cpus, names["serial"], vmx.HW_VERSION))
        ovf.check_package(at["ovf"], capacity)
        with open(at["mf"], "w") as f:
            f.write(ovf.manifest([at["ovf"], at["stream"]]))
        say(f"writing {names['ova']}")
        ovf.write_ova(at["ova"], [at["ovf"], at["stream"], at["mf"]])
        out = {}
        for role, path in at.items():
            out[role] = os.path.join(outdir, names[role])
            os.replace(path, out[role])
        done = True
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not done and made_outdir:
            shutil.rmtree(outdir, ignore_errors=True)
