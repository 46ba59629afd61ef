"""`anyvm run`'s own cost: the wall time of `tools/anyvm run build/hello.elf`
beside the bare QEMU command it runs (its --print-command line), both in one
hyperfine invocation. The difference is Python's start, the input checks,
the serial filter and the status reading; the goal is under 10 %."""

import os
import shlex
import statistics
import subprocess
import sys

import bench

ANYVM = os.path.join(bench.ROOT, "tools", "anyvm")


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
    bare = vmm_command(acc)
    if bare is None:
        print(f"wall time, {where}: not measured: anyvm run --print-command showed no QEMU "
              "command")
        return
    # through the Python that runs the bench (Debian's /usr/bin/python3 in
    # `make bench`), which is what `#!/usr/bin/env python3` finds on Debian;
    # a version manager's shim on PATH would add its own start-up
    tool = [sys.executable, bench.rel(ANYVM), "run", "--accel", acc, bench.rel(bench.HELLO)]
    # as a user runs it: `make bench` turns bytecode writing off for its own
    # Python, which would make the tool compile its modules at every start
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    # anyvm exits with the guest's status (0); bare QEMU with the exit port's 2*0+1
    figures, shown = bench.hyperfine([("anyvm run", tool), ("bare QEMU (the baseline)", bare)],
                                     runs, {"anyvm run": 0, "bare QEMU (the baseline)": 1})
    if figures is None:
        print(f"wall time, {where}: not measured: {shown}")
        return
    for name, (times, _) in figures.items():
        bench.show(f"wall time, {where}, {name}", bench.spread(times))
    t = statistics.median(figures["anyvm run"][0])
    b = statistics.median(figures["bare QEMU (the baseline)"][0])
    bench.show(f"wall time, {where}, anyvm's overhead",
               f"{1000 * (t - b):.1f} ms ({100 * (t - b) / b:.1f} % of the bare command; "
               "goal under 10 %)")
    print(f"    $ {shown}")
