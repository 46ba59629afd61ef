"""A brief run of each libFuzzer harness, tests/fuzz/fuzz_NAME.c (built by
`make fuzzers` as build/fuzz/fuzz_NAME): SECONDS seconds from its seeds
(tests/fuzz/seeds/NAME) into a corpus that is thrown away. A crash, a
sanitizer report, a broken invariant (the harness aborts), a leak or a
timeout fails it, and so does a run that does not report how many inputs it
tried. `make fuzz` runs them longer."""

import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HARNESSES = sorted(f[len("fuzz_"):-len(".c")] for f in os.listdir(HERE)
                   if f.startswith("fuzz_") and f.endswith(".c"))
SECONDS = 5
TAIL = 40
DONE = re.compile(r"^Done (\d+) runs in ", re.M)


@pytest.mark.parametrize("name", HARNESSES)
def test_fuzz(name, scratch):
    exe = os.path.join(ROOT, "build", "fuzz", "fuzz_" + name)
    if not os.access(exe, os.X_OK):
        pytest.fail(f"build/fuzz/fuzz_{name} is not built (make fuzzers)", pytrace=False)
    cmd = [exe, f"-max_total_time={SECONDS}", scratch]
    seeds = os.path.join(HERE, "seeds", name)
    if os.path.isdir(seeds):
        cmd.append(seeds)
    print("$ " + " ".join(cmd))
    try:
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             errors="replace", timeout=SECONDS * 6 + 30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not stop within {SECONDS * 6 + 30} s", pytrace=False)
    tail = "\n".join(res.stderr.splitlines()[-TAIL:])
    assert res.returncode == 0, f"exit status {res.returncode}:\n{tail}"
    done = DONE.search(res.stderr)
    assert done and int(done.group(1)) > 0, f"no `Done N runs` line:\n{tail}"
    print(f"{done.group(1)} inputs")
