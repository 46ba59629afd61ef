"""A damaged compressed image stops with a message, on every way in
(docs/architecture.md, "The compressed image"): a copy of build/hello.elf
whose LZ4 payload is broken in place, booted through QEMU's multiboot and
PVH loaders on microvm (TCG) and hostsim's Firecracker in PVH and Linux
64-bit mode (where the stub's failure path runs in compatibility mode).
The decoder refuses the block before it writes outside the kernel's range;
the stub prints the status on COM1 and halts (it does not read the exit
port: the VMM is stopped by its timeout here). A control run of the intact
image on the same path boots hello."""

import os

import pytest

from anyvm_lib import hostsim, image, qemu, targets, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HELLO = os.path.join(ROOT, "build", "hello.elf")
QEMU_WAIT = 5          # seconds: the failure comes at once under TCG
HOSTSIM_WAIT = 20      # under the PVM emulator too, but hostsim starts slower
PANIC = "anyvm: panic: the compressed kernel in this image does not decode (LZ4 status {})"

# (id, payload bytes written over the block's start, the decoder's status)
DAMAGE = [
    # 0 literals, then a match 65535 bytes back at output byte 0
    ("offset-before-start", bytes([0x00, 0xFF, 0xFF]), 3),
    # 1 literal, then a match whose length runs past the whole kernel
    ("match-past-the-end", bytes([0x1F, ord("a"), 0x01, 0x00]) + b"\xff" * 300 + b"\x00", 2),
]
PATHS = ["microvm", "microvm-pvh", "firecracker", "firecracker-linux"]


def hello_data():
    if not os.path.exists(HELLO):
        pytest.fail("build/hello.elf is not built (make apps)", pytrace=False)
    data = image.read(HELLO)
    if not image.elf_section(data, ".payload"):
        pytest.skip("build/hello.elf is not compressed (built with ZIMAGE=no)")
    return data


def damaged(data, patch):
    block = image.elf_section(data, ".payload")
    at = data.find(block)
    assert at > 0 and len(patch) < len(block)
    return data[:at] + patch + data[at + len(patch):]


def boot(path, data, tmp_path):
    """The serial text of a run of the image data on path, up to its status
    line (the VMM is then stopped: a damaged image halts for good), or
    after a few seconds without one."""
    if path == "microvm-pvh":
        data = image.blank_multiboot(data)
    kernel = tmp_path / "image.elf"
    kernel.write_bytes(data)
    if path.startswith("firecracker"):
        boot_mode = "linux" if path == "firecracker-linux" else "pvh"
        argv = hostsim.argv("firecracker", boot_mode, str(kernel), targets.FIRECRACKER_CMDLINE,
                            "64M", 1, HOSTSIM_WAIT)
        wait = HOSTSIM_WAIT
    else:
        argv = qemu.argv("microvm", "tcg", "64M", 1, kernel=str(kernel),
                         append=targets.QEMU_CMDLINE + " -- zimage")
        wait = QEMU_WAIT
    with vm.Live(argv) as v:
        v.wait_line(r"^anyvm: exit status", wait)
        v.kill()
        return v.text


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name,patch,status", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_payload_stops_with_its_status(path, name, patch, status, tmp_path):
    text = boot(path, damaged(hello_data(), patch), tmp_path)
    lines = text.splitlines()
    assert PANIC.format(status) in lines, text
    assert "anyvm: exit status 127" in lines, text
    assert not any(line.startswith("anyvm 0.") for line in lines), "the kernel started: " + text


@pytest.mark.parametrize("path", PATHS)
def test_intact_image_boots_on_the_same_path(path, tmp_path):
    text = boot(path, hello_data(), tmp_path)
    assert "Hello, world!" in text.splitlines(), text
    assert "does not decode" not in text
