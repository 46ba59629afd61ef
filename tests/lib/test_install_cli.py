"""scripts/install-cli.sh, which the set-up runs to put `anyvm` on PATH:
a link to this checkout's native launcher (build/anyvm) that works from any
folder, made again when missing or dangling or when it still names this
checkout's tools/anyvm, and never taking over another checkout's link or a
file of the user's."""

import os
import subprocess

from anyvm_lib import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "install-cli.sh")
TOOL = os.path.join(ROOT, "build", "anyvm")
PYTHON_TOOL = os.path.join(ROOT, "tools", "anyvm")


def install(bindir):
    p = subprocess.run([SCRIPT, bindir], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_link_made_and_runs_from_anywhere(scratch):
    bindir = os.path.join(scratch, "bin")
    os.mkdir(bindir)
    assert "->" in install(bindir)
    link = os.path.join(bindir, "anyvm")
    assert os.readlink(link) == TOOL
    p = subprocess.run(["anyvm", "version"], capture_output=True, text=True, timeout=30,
                       cwd="/", env=dict(os.environ, PATH=bindir + os.pathsep + "/usr/bin:/bin"))
    assert p.returncode == 0 and p.stdout.startswith("anyvm "), p.stderr
    assert install(bindir) == ""                  # already there: nothing to say


def test_the_older_link_to_tools_anyvm_is_remade(scratch):
    link = os.path.join(scratch, "anyvm")
    os.symlink(PYTHON_TOOL, link)
    assert "->" in install(scratch)
    assert os.readlink(link) == TOOL


def test_dangling_link_is_remade(scratch):
    link = os.path.join(scratch, "anyvm")
    os.symlink(os.path.join(scratch, "gone", "tools", "anyvm"), link)
    install(scratch)
    assert os.readlink(link) == TOOL


def test_other_checkout_and_user_file_left_alone(scratch):
    other = os.path.join(scratch, "other-anyvm")
    with open(other, "w") as f:
        f.write("#!/bin/sh\n")
    link = os.path.join(scratch, "anyvm")
    os.symlink(other, link)
    assert "another checkout" in install(scratch)
    assert os.readlink(link) == other
    os.unlink(link)
    with open(link, "w") as f:
        f.write("mine")
    assert "not a link" in install(scratch)
    with open(link) as f:
        assert f.read() == "mine"
