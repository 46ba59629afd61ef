"""tools/anyvm_lib/symbolize.py: the addresses of a kernel exception report
are named from the image's .debug.elf, and `anyvm run` prints the names
after a fault."""

import os
import re
import subprocess
import sys

from anyvm_lib import symbolize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")
FAULT = os.path.join(ROOT, "build", "fault.elf")

REPORT = """fault: pf
anyvm: exception #PF (page fault) at rip=0x10aed4 error=0
  cr2=0x8 (page not present, read, data)
  backtrace: 0x10b162 0x10a504
anyvm: panic: unhandled exception #PF (page fault)
"""


def test_addresses_of_the_last_report():
    assert symbolize.addresses(REPORT) == [(0x10aed4, False), (0x10b162, True), (0x10a504, True)]
    twice = REPORT.replace("0x10aed4", "0x1") + REPORT
    assert symbolize.addresses(twice)[0] == (0x10aed4, False)
    assert symbolize.addresses("anyvm: exit status 0\n") == []
    empty_trace = "anyvm: exception #UD (invalid opcode) at rip=0x1000 error=0\n  backtrace:\n"
    assert symbolize.addresses(empty_trace) == [(0x1000, False)]


def test_debug_elf_beside_the_image(scratch):
    assert symbolize.debug_elf(FAULT) == os.path.join(ROOT, "build", "fault.debug.elf")
    assert symbolize.debug_elf(os.path.join(scratch, "x.elf")) is None
    assert symbolize.report(REPORT, os.path.join(scratch, "x.elf")) == []


def test_anyvm_run_names_the_faulting_function():
    p = subprocess.run([sys.executable, ANYVM, "run", "--accel", "tcg", "--timeout", "60",
                        FAULT, "--", "pf"], capture_output=True, text=True, timeout=120,
                       cwd=ROOT)
    assert p.returncode == 127, p.stderr
    debug = FAULT[:-len(".elf")] + ".debug.elf"
    assert f"anyvm: the exception's addresses in {debug}:" in p.stderr, p.stderr
    # the fault is in main() of apps/fault/main.c, reached from the C library's start
    assert re.search(r"^  0x[0-9a-f]+ in main \(apps/fault/main\.c:\d+\)$", p.stderr, re.M), \
        p.stderr
    assert re.search(r"^  0x[0-9a-f]+ called from \S+", p.stderr, re.M), p.stderr


def efi_report(shift, line):
    """An exception report in fault.efi's main and efi_main, as a kernel
    running `shift` bytes away from its link address prints it."""
    debug = os.path.join(ROOT, "build", "efi", "fault.elf")
    p = subprocess.run(["nm", debug], capture_output=True, text=True, check=True)
    syms = {f[2]: int(f[0], 16) for f in (l.split() for l in p.stdout.splitlines())
            if len(f) == 3}
    return (f"{line}\nanyvm: exception #PF (page fault) at rip={syms['main'] + 4 + shift:#x} "
            f"error=0\n  backtrace: {syms['efi_main'] + 9 + shift:#x}\n")


def test_relocated_efi_addresses_are_moved_back():
    efi_image = os.path.join(ROOT, "build", "fault.efi")
    assert symbolize.debug_elf(efi_image) == os.path.join(ROOT, "build", "efi", "fault.elf")
    for shift, line in [
            (0x6300000, "uefi: the image runs at 0x6400000 (linked at 0x100000), relocated"),
            (0x7fe00000 - 0x100000, "uefi: the firmware loaded the image at 0x90000000, above "
             "what its addresses reach; moved to 0x7fe00000 (linked at 0x100000)"),
            (0, "uefi: the firmware left the image where it was linked")]:
        lines = symbolize.report(efi_report(shift, line), efi_image)
        assert len(lines) == 3, lines
        assert re.match(r"  0x[0-9a-f]+ in main \(apps/fault/main\.c:\d+\)$", lines[1]), lines
        assert re.match(r"  0x[0-9a-f]+ called from efi_main \(boot/efi/efi_main\.c:\d+\)$",
                        lines[2]), lines
