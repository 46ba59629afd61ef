"""`make run` as the README gives it: ARGS reaches the app as plain words,
and nothing in it is acted on by a shell (; $ ` quotes and globs)."""

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_args_are_words_for_the_app_only(scratch):
    marker = os.path.join(scratch, "ran")
    args = f"a;touch {marker} $HOME `touch {marker}` it's *"
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "run", "APP=hello",
                        "TARGET=microvm", "ACCEL=tcg", f"ARGS={args}"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.replace("\r", "").splitlines()
    start = lines.index("Hello, world!")
    assert lines[start + 1:start + 7] == ["a;touch", marker, "$HOME", "`touch", f"{marker}`",
                                          "it's"]
    assert lines[start + 7] == "*"
    assert not os.path.exists(marker), "the shell ran part of ARGS"
