"""Every C source and header is as clang-format (.clang-format) writes it,
so a change never mixes layout with logic."""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def c_files():
    out = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return sorted(f for f in out.split() if os.path.exists(os.path.join(ROOT, f)))


def test_c_files_are_formatted():
    files = c_files()
    assert len(files) > 100, "git ls-files found too few C files"
    res = subprocess.run(["clang-format", "--dry-run", "--Werror", *files], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    # one line per violation: "FILE:LINE:COL: error: code should be clang-formatted"
    bad = sorted({l.split(":", 1)[0] for l in res.stderr.splitlines() if "error:" in l})
    assert res.returncode == 0 and not bad, \
        "not clang-formatted (make format fixes them): " + " ".join(bad or [res.stderr[:500]])
