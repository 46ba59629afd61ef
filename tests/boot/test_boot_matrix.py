"""The boot matrix: one test per case of tests/boot/matrix.toml,
test_boot[NAME]. Each boots its image through tools/anyvm_lib (the path
`tools/anyvm run` takes) and checks the serial transcript and the VMM exit
code (tests/boot/matrix.py, check()). The VMM command and the transcript
are printed (pytest shows them with a failure, and for every test with -rA).
A matrix that does not load is a collection error, which counts as a
failure."""

import os
import re
import shlex
import shutil
import subprocess

import pytest

import matrix
from anyvm_lib import launch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = matrix.load()


# The firmware's terminal escapes shown as ^X, so that a transcript cannot
# reset or clear the reader's terminal.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible(text):
    return CONTROL.sub(lambda m: "^" + chr(ord(m.group()) ^ 0x40), text)


# QEMU rounds guest RAM up to 8 KiB (its -m parsing aligns the size), and its
# multiboot loader writes the command line at the first page after the
# image's .bss (__image_end).
QEMU_RAM_GRANULE = 8192


def image_end_kib(app):
    """-m for RAM that ends where QEMU puts the multiboot command line: the
    image's end (__image_end). Skips the case when QEMU's 8 KiB rounding
    would leave that page in RAM (the image ends 4 KiB short of a granule)."""
    elf = os.path.join(ROOT, "build", app + ".debug.elf")
    out = subprocess.run(["nm", elf], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^([0-9a-f]+) \S __image_end$", out, re.M)
    if m is None:
        pytest.fail(f"{elf} has no __image_end symbol", pytrace=False)
    end = int(m.group(1), 16)
    if end % QEMU_RAM_GRANULE:
        pytest.skip(f"{app}'s image ends at {end:#x}, 4 KiB short of QEMU's 8 KiB RAM granule: "
                    "the command line would land in RAM (tests/unit/test_bootinfo.c checks "
                    "the refusal itself)")
    return f"{end // 1024}K"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in CASES])
def test_boot(case, tmp_path):
    cond = case.get("skip_unless")
    if cond and not matrix.CONDITIONS[cond][0]():
        pytest.skip(matrix.CONDITIONS[cond][1])
    image = os.path.join(ROOT, "build", case["app"] + ".elf")
    if "kernel_dir" in case:    # boot a copy from a directory of that name
        os.makedirs(tmp_path / case["kernel_dir"])
        image = shutil.copy(image, tmp_path / case["kernel_dir"])
    mem = case.get("mem", "64M")
    if mem == "image-end":
        mem = image_end_kib(case["app"])
    spec = launch.BootSpec(image=str(image),
                           target=case["target"], accel=case.get("accel", "auto"),
                           mem=mem, cpus=case["cpus"],
                           cmdline=case.get("cmdline"), args=case["args"],
                           timeout=case["timeout"], exit_device=case["exit_device"],
                           extra=case["vmm_args"])
    try:
        res, out = launch.boot(spec)
    except launch.BootError as e:
        pytest.fail(str(e), pytrace=False)
    print(f"$ {shlex.join(res.argv)}\nexit code {res.rc}"
          f"{' (killed: timeout)' if res.timed_out else ''}, {res.seconds:.2f} s")
    print(visible(res.serial_text))
    if res.stderr.strip():
        print("[stderr]\n" + visible(res.stderr_text))
    reasons = matrix.check(case, res, out)
    if reasons:
        pytest.fail("; ".join(reasons), pytrace=False)
