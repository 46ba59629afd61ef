"""The version `anyvm version` reports: the release number the Makefile
also builds into the kernel's banner (VERSION there; tests/lib/test_version.py
keeps the two equal) and, in a git checkout, `git describe` of it, as the
banner has it."""

import subprocess

from . import ROOT

BASE = "0.1"


def describe():
    """BASE, with -<git describe --always --dirty> when ROOT is a checkout."""
    try:
        p = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return BASE
    rev = p.stdout.strip() if p.returncode == 0 else ""
    return f"{BASE}-{rev}" if rev else BASE
