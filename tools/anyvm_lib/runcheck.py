"""What `anyvm run` and `anyvm pack` check before any VMM or packer starts,
so that bad input ends with one clear line instead of a hang, a silent
default or a VMM's raw complaint: the memory size (QEMU's -m syntax), the
vCPU count, and that the image is an x86-64 ELF the target's boot path can
load."""

import os
import re

from . import image

EM_X86_64 = 62     # ELF e_machine (System V ABI, AMD64 supplement)
MAX_CPUS = 255     # QEMU's pc and q35 limit without an IOMMU for x2APIC IDs

# QEMU's -m: a number (MiB without a suffix) with an optional K, M, G or T
# suffix, either case (QEMU's qemu_strtosz_MiB); hostsim's --mem takes the
# same.
SIZE = re.compile(r"^(\d+(?:\.\d+)?)([KMGTkmgt]?)$")
UNIT = {"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class InputError(ValueError):
    """Bad input: nothing was started."""


def memory_bytes(text):
    m = SIZE.match(text.strip())
    if not m:
        raise InputError(f"--mem {text!r} is not a size (a number with K, M, G or T, "
                         "e.g. 64M; a bare number means MiB)")
    n = int(float(m.group(1)) * UNIT[m.group(2).upper()])
    if n <= 0:
        raise InputError(f"--mem {text!r} is no memory at all")
    return n


def check_memory(text, data, name):
    """The size in bytes, refused when the image could not even be loaded
    into it (the guest would stop before its first line)."""
    n = memory_bytes(text)
    end = image.load_end(data)
    if n <= end:
        need = (end + (256 << 10) + (1 << 20) - 1) >> 20   # with room for the kernel's tables
        raise InputError(f"--mem {text}: {name} loads up to {end >> 10} KiB, so it cannot start "
                         f"in {n >> 10} KiB; give at least {need}M")
    return n


def check_cpus(n):
    if not 1 <= n <= MAX_CPUS:
        raise InputError(f"--cpus {n}: give 1 to {MAX_CPUS}")
    return n


def check_image(path, medium):
    """The image's bytes, when it is an x86-64 ELF with the entry its boot
    path needs: a multiboot header (QEMU -kernel, GRUB) or a PVH note (QEMU's
    PVH loader, hostsim). medium is a target's (targets.py)."""
    data = image.read(path)
    try:
        machine = image.elf_machine(data)
        image.load_end(data)
    except image.ImageError as e:
        raise InputError(f"{path}: {e}: an anyvm image is the ELF file a build writes "
                         "(build/NAME.elf, anyvm build)") from None
    if machine != EM_X86_64:
        raise InputError(f"{path}: an ELF file for machine {machine}, not x86-64 ({EM_X86_64})")
    if medium in ("kernel", "iso"):
        problems, what = image.check_multiboot(data), "multiboot header"
    elif medium in ("kernel-pvh", "pvh"):
        problems, what = image.check_pvh(data), "PVH note"
    else:
        problems, what = [], ""
    if problems:
        raise InputError(f"{path}: cannot boot through its {what}: {'; '.join(problems)}")
    return data


SECTOR = 512


def check_disk(text):
    """A devices.Disk for `--disk FILE[,ro]`: an existing regular file of
    whole 512-byte sectors (the unit of virtio-blk's capacity and of
    hostsim's disks), readable, and writable unless `,ro`. A comma in the
    path is refused: QEMU's -drive and hostsim's --disk separate options with
    commas."""
    from .devices import Disk     # devices imports this module's neighbours
    path, readonly = (text[:-3], True) if text.endswith(",ro") else (text, False)
    if not path:
        raise InputError(f"--disk {text!r}: no file")
    if "," in path:
        raise InputError(f"--disk {text!r}: a comma in the path cannot be passed to the VMM "
                         "(its options are separated by commas); rename the file or link to it")
    if not os.path.isfile(path):
        raise InputError(f"--disk {path}: no such file (a raw disk image: truncate -s 64M FILE)")
    size = os.path.getsize(path)
    if size == 0 or size % SECTOR:
        raise InputError(f"--disk {path}: {size} bytes is not a whole number of {SECTOR}-byte "
                         "sectors (truncate -s to a multiple of 512)")
    if not os.access(path, os.R_OK) or (not readonly and not os.access(path, os.W_OK)):
        raise InputError(f"--disk {path}: not {'readable' if readonly else 'readable and writable'}"
                         + ("" if readonly else " (add ,ro for a read-only disk)"))
    return Disk(os.path.abspath(path), readonly=readonly)


PARAM_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def check_param(text, flag):
    """KEY=VALUE for `--param` (a kernel parameter) or `--env` (the app's
    environment, env.KEY=VALUE on the command line): a key of letters,
    digits, '_', '.' and '-', and a value without blanks or double quotes,
    which would split the word or be taken as quoting by the kernel's
    parser (core/cmdline.c)."""
    key, eq, value = text.partition("=")
    if not eq or not PARAM_KEY.match(key):
        raise InputError(f"{flag} {text!r}: give KEY=VALUE (a key of letters, digits, '_', '.', "
                         "'-')")
    if any(c.isspace() for c in value) or '"' in value:
        raise InputError(f"{flag} {text!r}: a kernel parameter's value cannot hold a blank or a "
                         "double quote")
    return text


TAP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")   # IFNAMSIZ - 1 (Linux if.h)
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
DEFAULT_MAC = "52:54:00:12:34:56"   # QEMU's own default, locally administered


def check_nic(text, tap_here=True):
    """`--nic none|user|tap=NAME[,mac=MAC]` -> ("none"|"user"|"tap", devices.Nic or
    None). With tap_here (a VM booted here), the TAP device must exist
    already (ip tuntap add dev NAME mode tap); the MAC must be a unicast
    address."""
    from .devices import Nic
    if text in ("none", "user"):
        return text, None
    if not text.startswith("tap="):
        raise InputError(f"--nic {text!r}: none, user, or tap=NAME[,mac=MAC]")
    name, _, rest = text[4:].partition(",")
    mac = DEFAULT_MAC
    if rest:
        if not rest.startswith("mac="):
            raise InputError(f"--nic {text!r}: after the TAP name only mac=MAC")
        mac = rest[4:].lower()
        if not MAC.match(mac) or int(mac[:2], 16) & 1:
            raise InputError(f"--nic {text!r}: {mac!r} is not a unicast MAC address")
    if not TAP_NAME.match(name):
        raise InputError(f"--nic {text!r}: {name!r} is not a network interface name")
    if tap_here and not os.path.exists(f"/sys/class/net/{name}"):
        raise InputError(f"--nic {text!r}: no network interface {name} here (make it: "
                         f"ip tuntap add dev {name} mode tap; ip link set {name} up)")
    return "tap", Nic(name, mac)
