#!/usr/bin/env python3
"""anyvm's figures (`make bench`): image size, guest time to main, host wall
time of a boot beside an empty payload's, the memory floor, hostsim
Firecracker where it is fast enough, and the virtio figures of issue 11 (ping
round trip and flood rate over virtio-net, virtio-blk sequential write and
read MB/s; bench/netblk_bench.py). Figures only, never pass/fail: every
figure is printed with the exact command that produced it.

  python3 bench/bench.py [--runs N] [--only boot|netblk]
"""

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tools"))

from anyvm_lib import accel, hostsim, qemu, targets  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "bench"))
import netblk_bench  # noqa: E402

HELLO = os.path.join(BUILD, "hello.elf")
EMPTY = os.path.join(BUILD, "empty.elf")
BOOT_TO_MAIN = re.compile(rb"anyvm: boot to main: (\d+) us")
EXIT_0 = re.compile(rb"anyvm: exit status 0")
FLOOR_ARG = "floor-check"
FLOOR_SEEN = re.compile(rb"(?m)^floor-check\r?$")
QEMU_TIMEOUT = 30
HOSTSIM_TIMEOUT = 120
HOSTSIM_FAST_ENOUGH = 20.0     # seconds for one run; slower: measured once only


def rel(path):
    return os.path.relpath(path, os.getcwd())


def show(label, value, command):
    print(f"{label}: {value}")
    print(f"    $ {command}")
    sys.stdout.flush()


def timed(argv, timeout):
    """(seconds, rc, stdout) of one run; rc None on timeout."""
    start = time.perf_counter()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, b""
    return time.perf_counter() - start, p.returncode, p.stdout


def series(argv, runs, timeout):
    """Wall times of `runs` runs after one warm-up run, with the outputs."""
    timed(argv, timeout)
    out = [timed(argv, timeout) for _ in range(runs)]
    return [t for t, _, _ in out], [o for _, _, o in out], [rc for _, rc, _ in out]


def spread(times):
    return (f"median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} runs)")


def qemu_cmd(machine, image, acc, mem="64M", args=""):
    return qemu.argv(machine=machine, accel=acc, mem=mem, cpus=1, kernel=rel(image),
                     append=targets.QEMU_CMDLINE + (f" -- {args}" if args else ""))


def boot_to_main(outputs):
    values = [int(m.group(1)) for o in outputs for m in [BOOT_TO_MAIN.search(o)] if m]
    return values


def bench_image_size():
    if not os.path.exists(HELLO):
        print(f"image size: not measured: {rel(HELLO)} missing (make APP=hello)")
        return
    show("image size", f"{os.path.getsize(HELLO)} bytes ({rel(HELLO)})", f"stat -c %s {rel(HELLO)}")


def bench_qemu(machine, acc, runs):
    """Wall time of hello and empty on one machine type, and hello's guest time to main."""
    results = {}
    for name, image in (("hello", HELLO), ("empty", EMPTY)):
        if not os.path.exists(image):
            print(f"wall time {machine} {name}: not measured: {rel(image)} missing")
            continue
        argv = qemu_cmd(machine, image, acc)
        times, outputs, rcs = series(argv, runs, QEMU_TIMEOUT)
        bad = [rc for rc in rcs if rc != 1]
        note = f"; {len(bad)} runs ended with exit codes {sorted(set(bad))}" if bad else ""
        show(f"wall time, QEMU {machine} {acc}, {name}", spread(times) + note, shlex.join(argv))
        results[name] = statistics.median(times)
        if name == "hello":
            us = boot_to_main(outputs)
            if us:
                show(f"guest time to main, QEMU {machine} {acc}",
                     f"median {statistics.median(us):.0f} us ({len(us)} runs; "
                     f"min {min(us)}, max {max(us)})",
                     shlex.join(argv) + "  # line `anyvm: boot to main: N us`")
            else:
                print(f"guest time to main, QEMU {machine}: no `anyvm: boot to main` line")
    if len(results) == 2:
        print(f"ratio hello/empty, QEMU {machine} {acc}: {results['hello'] / results['empty']:.2f} "
              f"(anyvm's own cost: {1000 * (results['hello'] - results['empty']):.1f} ms)")


def bench_memory_floor(acc):
    """The smallest -m (in 4 KiB steps) with which hello runs to `exit status 0`
    on microvm with its argument: a bisection between 1 MiB and 4 MiB. A boot
    counts only when the argument reached the app (hello prints it); below
    the floor the kernel halts, so a probe waits at most 5 s."""
    if not os.path.exists(HELLO):
        return
    def boots(kib):
        _, rc, out = timed(qemu_cmd("microvm", HELLO, acc, f"{kib}K", FLOOR_ARG), 5)
        return rc == 1 and EXIT_0.search(out) is not None and FLOOR_SEEN.search(out) is not None
    lo, hi = 1024, 4096            # lo does not boot (QEMU hangs at 1M), hi must
    if not boots(hi):
        print("memory floor, QEMU microvm: not measured: hello does not boot with -m 4096K")
        return
    while hi - lo > 4:
        mid = (lo + hi) // 2 // 4 * 4
        if mid <= lo:
            break
        lo, hi = (lo, mid) if boots(mid) else (mid, hi)
    show(f"memory floor, QEMU microvm {acc}",
         f"{hi} KiB (-m {hi}K boots hello and its argument arrives, -m {lo}K does not)",
         shlex.join(qemu_cmd("microvm", HELLO, acc, f"{hi}K", FLOOR_ARG)))


def bench_hostsim(runs):
    """hostsim's Firecracker PVH boot of hello and empty: `runs` runs each when
    one run is quick, 3 when it takes seconds, 1 when it is slower still."""
    if not os.access(hostsim.HOSTSIM, os.X_OK):
        print(f"hostsim firecracker: not measured: {rel(hostsim.HOSTSIM)} missing (make hostsim)")
        return
    kvm = "hardware KVM" if accel.hardware_kvm() else "the PVM emulator"
    medians = {}
    for name, image in (("hello", HELLO), ("empty", EMPTY)):
        if not os.path.exists(image):
            continue
        argv = hostsim.argv("firecracker", "pvh", rel(image), targets.FIRECRACKER_CMDLINE,
                            "64M", 1, HOSTSIM_TIMEOUT)
        argv[0] = rel(argv[0])
        first, rc, out = timed(argv, HOSTSIM_TIMEOUT + 10)
        if rc is None:
            print(f"wall time, hostsim firecracker, {name}: did not end within {HOSTSIM_TIMEOUT} s")
            continue
        n = runs if first < 1.0 else 3 if first < HOSTSIM_FAST_ENOUGH else 1
        more = [timed(argv, HOSTSIM_TIMEOUT + 10) for _ in range(n)] if n > 1 else \
            [(first, rc, out)]
        times, outputs = [t for t, _, _ in more], [o for _, _, o in more]
        codes = sorted({c for _, c, _ in more})
        show(f"wall time, hostsim firecracker (PVH) on {kvm}, {name}",
             spread(times) + f"; exit codes {codes}", shlex.join(argv))
        medians[name] = statistics.median(times)
        if name == "hello":
            us = boot_to_main(outputs)
            if us:
                show("guest time to main, hostsim firecracker (PVH)",
                     f"median {statistics.median(us):.0f} us ({len(us)} runs; "
                     f"min {min(us)}, max {max(us)})",
                     shlex.join(argv) + "  # line `anyvm: boot to main: N us`")
    if len(medians) == 2:
        print(f"ratio hello/empty, hostsim firecracker: {medians['hello'] / medians['empty']:.2f} "
              f"(anyvm's own cost: {1000 * (medians['hello'] - medians['empty']):.1f} ms)")


def main():
    ap = argparse.ArgumentParser(description="Print anyvm's boot figures.")
    ap.add_argument("--runs", type=int, default=11, help="QEMU runs per figure (default 11)")
    ap.add_argument("--only", choices=("boot", "netblk"),
                    help="only the boot figures, or only the virtio-net/blk ones")
    a = ap.parse_args()
    acc = accel.resolve("auto")
    print(f"anyvm bench: figures, not pass/fail (QEMU accelerator: {acc})")
    if a.only != "netblk":
        bench_image_size()
        for machine in ("microvm", "pc"):
            bench_qemu(machine, acc, a.runs)
        bench_memory_floor(acc)
        bench_hostsim(a.runs)
    if a.only != "boot":
        netblk_bench.bench_netblk(acc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
