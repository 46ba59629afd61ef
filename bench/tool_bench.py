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
import time

import bench

ANYVM = os.path.join(bench.ROOT, "tools", "anyvm")
NATIVE = os.path.join(bench.ROOT, "build", "anyvm")
BARE = "bare QEMU (the baseline)"
WARM = "anyvm run, native, plan cached"
COLD = "anyvm run, native, no plan (cold)"
PYTHON = "tools/anyvm run (Python)"
ALONE = "the stand-in VMM alone"


def vmm_command(acc):
    """The QEMU argv `anyvm run --print-command` shows for hello, or None."""
    p = subprocess.run([ANYVM, "run", "--accel", acc, "--print-command", bench.rel(bench.HELLO)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    for line in p.stderr.splitlines():
        if line.startswith("anyvm: ") and "qemu-system" in line:
            return shlex.split(line[len("anyvm: "):])
    return None


STAND_IN = """#!/bin/sh
printf 'anyvm 0.1\\r\\nanyvm: exit status 0\\r\\n'
exit 1
"""


def bench_own_cost(acc, runs):
    """anyvm's own cost apart from QEMU's time and its spread: the same
    commands with a stand-in qemu-system-x86_64 first on PATH (sh printing
    the kernel's banner and status lines), hyperfine's runs x 5."""
    where = "anyvm run with a stand-in VMM (sh)"
    tmp = tempfile.mkdtemp(prefix="anyvm-bench-own-")
    saved = {k: os.environ.get(k) for k in ("PATH", "XDG_CACHE_HOME")}
    try:
        bin_dir = os.path.join(tmp, "bin")
        os.mkdir(bin_dir)
        fake = os.path.join(bin_dir, "qemu-system-x86_64")
        with open(fake, "w") as f:
            f.write(STAND_IN)
        os.chmod(fake, 0o755)
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ["PATH"]
        os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
        run = ["run", "--accel", acc, bench.rel(bench.HELLO)]
        bare = vmm_command(acc)
        if bare is None:
            print(f"wall time, {where}: not measured: no VMM command")
            return
        figures, shown = bench.hyperfine(
            [(WARM, [bench.rel(NATIVE), *run]), (ALONE, bare)], runs * 5, {WARM: 0, ALONE: 1})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(tmp, ignore_errors=True)
    if figures is None:
        print(f"wall time, {where}: not measured: {shown}")
        return
    for name, (times, _) in figures.items():
        bench.show(f"wall time, {where}, {name}",
                   f"median {1000 * statistics.median(times):.2f} ms (min {1000 * min(times):.2f}, "
                   f"max {1000 * max(times):.2f}, {len(times)} runs)")
    t, b = statistics.median(figures[WARM][0]), statistics.median(figures[ALONE][0])
    bench.show(f"wall time, {where}, anyvm's own cost", f"{1000 * (t - b):+.2f} ms by the medians")
    print(f"    $ PATH=STAND-IN-DIR:$PATH XDG_CACHE_HOME=CACHE {shown}".replace(tmp, "TMP"))


def alternating(commands, rounds):
    """Wall times of each argv, run in turn round after round, so that the
    load of the shared cores falls on each alike (hyperfine runs one
    command's runs in a block, then the next's): {argv index: [seconds]}."""
    times = {i: [] for i in range(len(commands))}
    for _ in range(rounds):
        for i, argv in enumerate(commands):
            # coreutils' timeout bounds each run, alike for both: a timeout
            # of subprocess's own would wait in sleeps of up to 50 ms
            t = time.perf_counter()
            subprocess.run(["timeout", "60", *argv], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[i].append(time.perf_counter() - t)
    return times


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
        # the warm path and the bare command again, in turns
        turns = alternating([native, bare], 3 * runs)
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
    t, b = statistics.median(turns[0]), statistics.median(turns[1])
    bench.show(f"wall time, {where}, {WARM} and the bare command in turns",
               f"medians {1000 * t:.1f} and {1000 * b:.1f} ms, overhead {1000 * (t - b):+.1f} ms "
               f"({100 * (t - b) / b:+.1f} %; {len(turns[0])} runs each; goal under 10 %)",
               f"$ timeout 60 {shlex.join(native)}; timeout 60 {shlex.join(bare)}  "
               "# in turns, from bench/tool_bench.py")
    bench_own_cost(acc, runs)
