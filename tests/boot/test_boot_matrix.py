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

import pytest

import matrix
from anyvm_lib import image as image_mod
from anyvm_lib import launch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = matrix.load()


# The firmware's terminal escapes shown as ^X, so that a transcript cannot
# reset or clear the reader's terminal.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible(text):
    return CONTROL.sub(lambda m: "^" + chr(ord(m.group()) ^ 0x40), text)


# QEMU rounds guest RAM up to 8 KiB (its -m parsing aligns the size), and its
# multiboot loader writes the command line on the first page after the .bss
# the image's multiboot header declares (bss_end_addr).
QEMU_RAM_GRANULE = 8192


def image_end_copy(image, tmp_path):
    """(-m, image) for RAM that ends where QEMU puts the multiboot command
    line. When the image's .bss ends inside an 8 KiB granule, QEMU's rounding
    would leave that page in RAM, so a copy declaring .bss up to the granule
    (image.with_bss_end) moves the command line there."""
    data = image_mod.read(image)
    end = image_mod.multiboot_header(data)["bss_end_addr"]
    page_end = -(-end // 4096) * 4096           # where QEMU puts the command line
    if page_end % QEMU_RAM_GRANULE == 0:
        return f"{page_end // 1024}K", image
    granule_end = page_end + 4096
    copy = tmp_path / ("bss-to-granule-" + os.path.basename(image))
    copy.write_bytes(image_mod.with_bss_end(data, granule_end))
    return f"{granule_end // 1024}K", str(copy)


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
        mem, image = image_end_copy(image, tmp_path)
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
