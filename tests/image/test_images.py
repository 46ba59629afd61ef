"""Checks of every shipped image, build/APP.elf for each apps/APP and the
bench's build/empty.elf (`make apps build/empty.elf`):

  instructions  objdump -d finds no instruction the PVM emulator of the
                test machines cannot run (they stop the guest with
                "emulation failure", fault, or never return);
  multiboot     a valid multiboot v1 header with the a.out kludge;
  pvh           a PVH ELF note whose entry lies in a loaded segment.
"""

import bisect
import os
import re
import subprocess

import pytest

from anyvm_lib import image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
IMAGES = sorted(d for d in os.listdir(os.path.join(ROOT, "apps"))
                if os.path.isdir(os.path.join(ROOT, "apps", d))) + ["empty"]
SHOWN = 20      # bad instructions listed with a failure

# ldmxcsr and stmxcsr are SSE without an %xmm operand.
BAD_MNEMONICS = re.compile(
    r"\b(popcnt\w*|rdtscp|crc32\w*|cmpxchg16b|xgetbv|xsave\w*|xrstor\w*|movbe\w*|"
    r"vmcall|vmmcall|ldmxcsr|stmxcsr)\b")
BAD_REGISTERS = re.compile(r"%[xyz]mm\d+")


def image_path(name):
    path = os.path.join(BUILD, name + ".elf")
    if not os.path.exists(path):
        pytest.fail(f"build/{name}.elf is not built (make apps build/empty.elf)", pytrace=False)
    return path


def text_symbols(debug_elf):
    """Sorted (address, name) of the functions in the debug image, to name
    where a bad instruction sits; empty when there is none."""
    if not os.path.exists(debug_elf):
        return []
    p = subprocess.run(["nm", "-n", "--defined-only", debug_elf], capture_output=True,
                       text=True, timeout=60)
    syms = []
    for ln in p.stdout.splitlines():
        parts = ln.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def where(syms, addr):
    i = bisect.bisect_right([a for a, _ in syms], addr) - 1
    return f" in {syms[i][1]}+{addr - syms[i][0]:#x}" if i >= 0 else ""


def bad_instructions(path):
    """(problems, instruction count) from objdump -d of the image; the
    symbols come from X.debug.elf, which holds the same code as X.elf."""
    p = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"objdump failed: {p.stderr.strip()}"
    syms = text_symbols(path[:-len(".elf")] + ".debug.elf")
    problems, count = [], 0
    for ln in p.stdout.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", ln)
        if not m:
            continue
        count += 1
        insn = re.sub(r"<[^>]*>", "", m.group(2))     # drop symbol names
        if BAD_MNEMONICS.search(insn) or BAD_REGISTERS.search(insn):
            addr = int(m.group(1), 16)
            problems.append(f"{addr:#x}{where(syms, addr)}: {m.group(2).strip()}")
    return problems, count


@pytest.mark.parametrize("name", IMAGES)
def test_instructions(name):
    problems, count = bad_instructions(image_path(name))
    assert count > 0, "objdump found no instructions"
    assert not problems, (f"{len(problems)} instructions the PVM emulator cannot run:\n"
                          + "\n".join(problems[:SHOWN]))


@pytest.mark.parametrize("name", IMAGES)
def test_multiboot(name):
    problems = image.check_multiboot(image.read(image_path(name)))
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("name", IMAGES)
def test_pvh(name):
    problems = image.check_pvh(image.read(image_path(name)))
    assert not problems, "; ".join(problems)
