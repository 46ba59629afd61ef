"""`anyvm run DIR`: the app in the folder is built and booted with its
anyvm.toml's run settings (target, cpus, env, disks), and the command
line's flags override them or add to them."""

import os
import re
import subprocess
import sys

import pytest

# Each test builds the same app into build/ext/runfolder: two make runs in
# that folder at once on two workers would race.
pytestmark = pytest.mark.xdist_group("runfolder")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")

MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    const char *k = getenv("K"), *l = getenv("L");
    printf("runfolder: K=%s L=%s\n", k ? k : "-", l ? l : "-");
    for (int i = 1; i < argc; i++)
        printf("runfolder: arg %s\n", argv[i]);
    return 3;
}
"""


def project(scratch):
    d = os.path.join(scratch, "runfolder")
    os.mkdir(d)
    with open(os.path.join(d, "main.c"), "w") as f:
        f.write(MAIN)
    with open(os.path.join(d, "anyvm.toml"), "w") as f:
        f.write('name = "runfolder"\ntarget = "pc"\ncpus = 2\nenv = {K = "from-toml"}\n'
                'disks = ["d.img,ro"]\n')
    with open(os.path.join(d, "d.img"), "wb") as f:
        f.truncate(1 << 20)
    return d


def run(*args):
    return subprocess.run([sys.executable, ANYVM, "run", "--accel", "tcg", "--timeout", "60",
                           *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_the_project_file_sets_the_boot(scratch):
    d = project(scratch)
    p = run(d, "--", "x")
    assert p.returncode == 3, p.stderr
    assert "anyvm: building runfolder from " in p.stderr
    out = p.stdout
    assert re.search(r"^cpus: 2 ", out, re.M), out                  # cpus = 2
    assert re.search(r"^boot: multiboot \(loader qemu\)", out, re.M)
    # -M pc: the disk is a transitional virtio-pci device on the conventional PCI bus
    assert re.search(r"^virtio-pci 00:\d\d\.0: device 2 \(block\), transitional", out, re.M), out
    assert re.search(r"^blk0: virtio-blk, 2048 sectors .* read-only", out, re.M), out
    assert "runfolder: K=from-toml L=-\nrunfolder: arg x\n" in out


def test_flags_override_and_add(scratch):
    d = project(scratch)
    p = run("--target", "microvm", "--cpus", "1", "-e", "L=flag", "-e", "K=flag", d)
    assert p.returncode == 3, p.stderr
    out = p.stdout
    assert re.search(r"^cpus: 1 ", out, re.M), out
    assert re.search(r"^virtio-mmio: ", out, re.M), out              # microvm, not pc
    assert "runfolder: K=flag L=flag\n" in out                       # the later env.K wins


def test_build_defaults_to_the_current_folder_and_pack_takes_a_folder(scratch):
    d = project(scratch)
    b = subprocess.run([sys.executable, ANYVM, "build"], capture_output=True, text=True,
                       timeout=300, cwd=d)
    assert b.returncode == 0, b.stderr
    assert os.path.isfile(os.path.join(d, "runfolder.elf"))
    out = os.path.join(scratch, "rf.iso")
    p = subprocess.run([sys.executable, ANYVM, "pack", "iso", d, "-o", out], capture_output=True,
                       text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "anyvm: building runfolder from " in p.stderr
    assert os.path.getsize(out) > 1 << 20
    e = subprocess.run([sys.executable, ANYVM, "pack", "efi", d, "-o", out + ".img"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert e.returncode != 0 and "takes a built image" in e.stderr, e.stderr
