"""`anyvm version` and `anyvm targets`: the version is the kernel banner's
(the Makefile's VERSION and tools/anyvm_lib/version.py agree), and the
target list names each target with what it needs and whether it is here."""

import os
import re
import subprocess
import sys

from anyvm_lib import targets, version

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")


def anyvm(*args, env=None):
    return subprocess.run([sys.executable, ANYVM, *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_base_version_is_the_makefiles():
    with open(os.path.join(ROOT, "Makefile")) as f:
        m = re.search(r"^VERSION := ([0-9.]+)\$", f.read(), re.M)
    assert m and m.group(1) == version.BASE


def test_version_and_flag_agree():
    a, b = anyvm("version"), anyvm("--version")
    assert a.returncode == 0 and b.returncode == 0
    assert a.stdout == b.stdout
    assert re.fullmatch(rf"anyvm {re.escape(version.BASE)}(-[0-9a-f]+(-dirty)?)?\n", a.stdout)


def test_targets_lists_each_with_its_needs():
    p = anyvm("targets")
    assert p.returncode == 0, p.stderr
    for t in targets.TARGETS.values():
        assert re.search(rf"^{re.escape(t.name)}( \(default\))?: {re.escape(t.about)}$",
                         p.stdout, re.M), t.name
    assert re.search(r"^iso: .*\n    needs qemu-system-x86_64: .*\n    needs grub-mkrescue: ",
                     p.stdout, re.M)
    assert re.search(r"^firecracker: .*\n    needs build/hostsim: ", p.stdout, re.M)


def test_targets_says_what_is_missing(scratch):
    env = dict(os.environ, PATH=scratch)      # no QEMU, no GRUB on this PATH
    p = anyvm("targets", env=env)
    assert p.returncode == 0, p.stderr
    assert re.search(r"^microvm \(default\): .*\n    needs qemu-system-x86_64: MISSING "
                     r"\(apt-get install qemu-system-x86", p.stdout, re.M)
