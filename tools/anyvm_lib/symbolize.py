"""Names for the addresses of a kernel exception report. The kernel prints
`anyvm: exception ... at rip=0x...` and `  backtrace: 0x... 0x...` (return
addresses found through the frame pointers: arch/x86_64/exceptions.c) but
carries no symbol table (the image is stripped); the `.debug.elf` the build
writes beside it has one, and addr2line (binutils) turns each address into
function, file and line. A return address points after its call, so the
caller's line is looked up one byte earlier, as debuggers do."""

import os
import re
import shutil
import subprocess

RIP = re.compile(r"anyvm: exception .* at rip=(0x[0-9a-f]+)")
BACKTRACE = re.compile(r"^\s*backtrace:((?: 0x[0-9a-f]+)*)\s*$", re.M)


def debug_elf(image):
    """The image's .debug.elf (build/NAME.elf -> build/NAME.debug.elf), or None."""
    root, ext = os.path.splitext(image)
    path = root + ".debug.elf" if ext == ".elf" else image + ".debug.elf"
    return path if os.path.isfile(path) else None


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
    lookup = [a - 1 if ret else a for a, ret in addrs]
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
