"""`anyvm run`'s own cost: the wall time of `anyvm run build/hello.elf`
beside the bare QEMU command it runs (its --print-command line), all in
one hyperfine invocation, four ways:

  * the native `anyvm` (build/anyvm, what the set-up puts on PATH) with
    the plan cached (warm): no Python at all;
  * the native `anyvm` with the cache emptied before each run (cold): it
    hands the command to tools/anyvm, which plans, stores the plan and
    hands the run back to the runner;
  * tools/anyvm through Python, as before the launcher (it plans and
    hands the run to the runner; it stores no plan);
  * the bare QEMU command (the baseline).

The goal (the anyvm command's issue) is under 10 % over the bare command."""

import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

import bench

ANYVM = os.path.join(bench.ROOT, "tools", "anyvm")
NATIVE = os.path.join(bench.ROOT, "build", "anyvm")
BARE = "bare QEMU (the baseline)"
WARM = "anyvm run, native, plan cached"
COLD = "anyvm run, native, no plan (cold)"
PYTHON = "tools/anyvm run (Python)"


def vmm_command(acc):
    """The QEMU argv `anyvm run --print-command` shows for hello, or None."""
    p = subprocess.run([ANYVM, "run", "--accel", acc, "--print-command", bench.rel(bench.HELLO)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    for line in p.stderr.splitlines():
        if line.startswith("anyvm: ") and "qemu-system" in line:
            return shlex.split(line[len("anyvm: "):])
    return None


def bench_tool_overhead(acc, runs):
    where = f"anyvm run on QEMU microvm {acc}"
    if not os.path.exists(bench.HELLO):
        print(f"wall time, {where}: not measured: {bench.rel(bench.HELLO)} missing")
        return
    if not os.access(NATIVE, os.X_OK):
        print(f"wall time, {where}: not measured: {bench.rel(NATIVE)} missing (make tools)")
        return
    bare = vmm_command(acc)
    if bare is None:
        print(f"wall time, {where}: not measured: anyvm run --print-command showed no QEMU "
              "command")
        return
    run = ["run", "--accel", acc, bench.rel(bench.HELLO)]
    native = [bench.rel(NATIVE), *run]
    # through the Python that runs the bench (Debian's /usr/bin/python3 in
    # `make bench`), which is what `#!/usr/bin/env python3` finds on Debian;
    # a version manager's shim on PATH would add its own start-up
    tool = [sys.executable, bench.rel(ANYVM), *run]
    # as a user runs it: `make bench` turns bytecode writing off for its own
    # Python, which would make the tool compile its modules at every start
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    # a plan cache of the bench's own (the user's stays as it is); the
    # compiled modules go there too, and stay across the cold runs
    cache = tempfile.mkdtemp(prefix="anyvm-bench-cache-")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = cache
    try:
        plans = os.path.join(cache, "anyvm", "plans")
        # anyvm exits with the guest's status (0); bare QEMU with the exit port's 2*0+1
        figures, shown = bench.hyperfine(
            [(WARM, native), (COLD, native), (PYTHON, tool), (BARE, bare)], runs,
            {WARM: 0, COLD: 0, PYTHON: 0, BARE: 1}, prepare={COLD: ["rm", "-rf", plans]})
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved
        shutil.rmtree(cache, ignore_errors=True)
    if figures is None:
        print(f"wall time, {where}: not measured: {shown}")
        return
    for name, (times, _) in figures.items():
        bench.show(f"wall time, {where}, {name}", bench.spread(times))
    # the medians, and the minima, which the other engineers' load on the
    # shared cores disturbs least (the commands run one after the other)
    b, bmin = statistics.median(figures[BARE][0]), min(figures[BARE][0])
    for name in (WARM, COLD, PYTHON):
        t, tmin = statistics.median(figures[name][0]), min(figures[name][0])
        bench.show(f"wall time, {where}, overhead of {name}",
                   f"{1000 * (t - b):+.1f} ms ({100 * (t - b) / b:+.1f} %) by the medians, "
                   f"{1000 * (tmin - bmin):+.1f} ms ({100 * (tmin - bmin) / bmin:+.1f} %) by "
                   "the minima, of the bare command; goal under 10 %")
    print(f"    $ XDG_CACHE_HOME={cache} {shown}".replace(cache, "CACHE"))
