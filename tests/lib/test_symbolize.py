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
