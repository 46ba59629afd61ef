"""Names for the addresses of a kernel exception report. The kernel prints
`anyvm: exception ... at rip=0x...` and `  backtrace: 0x... 0x...` (return
addresses found through the frame pointers: arch/x86_64/exceptions.c) but
carries no symbol table (the image is stripped); the `.debug.elf` the build
writes beside it has one, and addr2line (binutils) turns each address into
function, file and line. A return address points after its call, so the
caller's line is looked up one byte earlier, as debuggers do.

An .efi may run away from its link address (boot/efi/efi_entry.S): its
kernel then says where it runs and where it was linked, and each address
is moved back by the difference before the lookup in build/efi/NAME.elf,
the .efi's own link."""

import os
import re
import shutil
import subprocess

RIP = re.compile(r"anyvm: exception .* at rip=(0x[0-9a-f]+)")
BACKTRACE = re.compile(r"^\s*backtrace:((?: 0x[0-9a-f]+)*)\s*$", re.M)
# boot/efi/efi_main.c
RELOCATED = re.compile(r"^uefi: (?:the image runs at|.*; moved to) (0x[0-9a-f]+) "
                       r"\(linked at (0x[0-9a-f]+)\)", re.M)


def debug_elf(image):
    """The image's .debug.elf (build/NAME.elf -> build/NAME.debug.elf;
    build/NAME.efi -> build/efi/NAME.elf), or None."""
    root, ext = os.path.splitext(image)
    if ext == ".elf":
        path = root + ".debug.elf"
    elif ext == ".efi":
        path = os.path.join(os.path.dirname(root), "efi", os.path.basename(root) + ".elf")
    else:
        path = image + ".debug.elf"
    return path if os.path.isfile(path) else None


def load_offset(text):
    """How far from its link address the kernel ran: 0 unless an .efi's
    kernel said it was relocated."""
    found = RELOCATED.findall(text)
    return int(found[-1][0], 16) - int(found[-1][1], 16) if found else 0


def addresses(text):
    """[(address, is a return address)] of the last exception report in the
    serial text: the faulting rip, then the backtrace's return addresses."""
    rips = RIP.findall(text)
    if not rips:
        return []
    out = [(int(rips[-1], 16), False)]
    traces = BACKTRACE.findall(text)
    if traces:
        out += [(int(a, 16), True) for a in traces[-1].split()]
    return out


def report(text, image):
    """Lines naming each address of the report, or [] when there is no
    report, no .debug.elf or no addr2line."""
    addrs = addresses(text)
    debug = debug_elf(image)
    if not addrs or debug is None or shutil.which("addr2line") is None:
        return []
    moved = load_offset(text)
    lookup = [(a - 1 if ret else a) - moved for a, ret in addrs]
    try:
        p = subprocess.run(["addr2line", "-f", "-e", debug, *[hex(a) for a in lookup]],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    out = p.stdout.splitlines()
    if p.returncode != 0 or len(out) != 2 * len(addrs):
        return []
    lines = [f"anyvm: the exception's addresses in {debug}:"]
    for i, (a, ret) in enumerate(addrs):
        func, where = out[2 * i], out[2 * i + 1]
        where = os.path.relpath(where) if where.startswith("/") else where
        lines.append(f"  {a:#x} {'called from' if ret else 'in'} {func} ({where})")
    return lines
