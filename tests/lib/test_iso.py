"""tools/anyvm_lib/iso.py: the grub.cfg written into a GRUB ISO. GRUB's
script parser expands and splits on some characters; a command line holding
one is refused rather than passed on changed."""

import os
import shutil

import pytest

from anyvm_lib import iso, qemu, vm
from anyvm_lib.cmdline import CmdlineError


def multiboot_line(cfg):
    (line,) = [ln for ln in cfg.splitlines() if ln.startswith("multiboot ")]
    return line


def test_cfg_boots_the_image_on_com1():
    cfg = iso.grub_cfg("console=ttyS0 -- one two")
    lines = cfg.splitlines()
    assert lines[:4] == ["serial --unit=0 --speed=115200", "terminal_input serial",
                         "terminal_output serial", "set timeout=0"]
    assert multiboot_line(cfg) == f"multiboot {iso.IMAGE_PATH} console=ttyS0 -- one two"
    assert lines[-3:] == ["boot", f'echo "{iso.FAILED}"', "halt"] and cfg.endswith("\n")


def test_quotes_pass_as_written():
    # GRUB 2 hands the quotes on to the kernel, whose parser removes them.
    cfg = iso.grub_cfg('console=ttyS0 -- "hello world" x')
    assert multiboot_line(cfg).endswith('-- "hello world" x')


def test_empty_command_line():
    assert multiboot_line(iso.grub_cfg("")) == f"multiboot {iso.IMAGE_PATH}"


@pytest.mark.parametrize("char", sorted(iso.GRUB_SPECIAL))
def test_special_characters_refused(char):
    with pytest.raises(CmdlineError, match="grub.cfg"):
        iso.grub_cfg(f"console=ttyS0 -- a{char}b")


@pytest.mark.parametrize("line", ['-- "open', '-- "a" "b', '"'])
def test_unbalanced_quote_refused(line):
    with pytest.raises(CmdlineError, match="unbalanced double quote"):
        iso.grub_cfg(line)


@pytest.mark.parametrize("line", ["-- 100%", "-- a,b", "-- x=y", "-- a.b/c:d-e_f"])
def test_harmless_characters_pass(line):
    assert multiboot_line(iso.grub_cfg(line)).endswith(line)


def test_a_kernel_grub_cannot_load_ends_the_vm(scratch):
    """Not a multiboot image: GRUB reports it, says so in our words, and
    powers the VM off instead of waiting at its prompt."""
    if shutil.which("grub-mkrescue") is None:
        pytest.fail("grub-mkrescue is not installed (make setup)", pytrace=False)
    bogus = os.path.join(scratch, "bogus.elf")
    with open(bogus, "wb") as f:
        f.write(b"not a kernel\n" * 100)
    out = os.path.join(scratch, "bogus.iso")
    iso.pack(bogus, out, "console=ttyS0")
    res = vm.run(qemu.argv("pc", "tcg", "64M", 1, cdrom=out, exit_device=False), timeout=120)
    assert not res.timed_out, "the VM waited at GRUB: " + res.serial_text[-500:]
    assert iso.FAILED in res.serial_text, res.serial_text[-1000:]
