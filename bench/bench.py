#!/usr/bin/env python3
"""anyvm's figures (`make bench`), never pass/fail; each is printed with
the exact command that produced it, beside a baseline measured in the same
run (docs/bench.md says how to read them):

  * image size: hello's, and the worked example's of docs/apps.md
    (tests/boot/outside_app, built with `tools/anyvm build`);
  * wall time of a boot of hello beside the empty payload's
    (build/empty.elf, which ends the VM at its first instructions), both in
    one hyperfine invocation, on QEMU microvm, pc and q35 and on hostsim's
    Firecracker contract;
  * guest time to main on the guest's clock (the `anyvm: boot to main`
    line);
  * guest instructions under QEMU -icount: hello's from its first
    instruction to main, and the firmware's and loader's before the
    payload's first instruction (the empty payload's figure);
  * the memory floor;
  * the virtio figures (ping round trip and flood rate over virtio-net,
    virtio-blk sequential write and read MB/s; bench/netblk_bench.py);
  * the HTTP figures: anyvm's httpd beside a Linux guest running nginx on
    the same QEMU machine (boot to first 200 OK, wrk requests/s and
    latency; bench/http_bench.py, BENCH_HTTP_SECONDS per wrk run).

  * Hyper-V on hostsim beside Firecracker on hostsim (time to VMBus ready
    and to main) and the VMBus ring round-trip rate in co-simulation
    (bench/hyperv_bench.py);
  * UEFI beside BIOS on q35: host and guest time to main, wall time, the
    .efi's size (bench/uefi_bench.py);
  * `anyvm run`'s own cost beside the QEMU command it runs
    (bench/tool_bench.py);
  * the self-decompressing image beside the uncompressed one: sizes, boot
    wall time, memory floor, and the decoding's cost on hostsim
    (bench/zimage_bench.py).

  python3 bench/bench.py [--runs N] [--only boot|netblk|http|tool]
"""

import argparse
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tools"))

from anyvm_lib import accel, hostsim, qemu, targets  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "bench"))
import http_bench  # noqa: E402
import netblk_bench  # noqa: E402
import tool_bench  # noqa: E402
import uefi_bench  # noqa: E402
import hyperv_bench  # noqa: E402
import zimage_bench  # noqa: E402

HELLO = os.path.join(BUILD, "hello.elf")
EXAMPLE = os.path.join(ROOT, "tests", "boot", "outside_app")
EXAMPLE_IMAGE = os.path.join(BUILD, "outside.elf")
BUILD_TIMEOUT = 600
EMPTY = os.path.join(BUILD, "empty.elf")
IMAGES = (("hello", HELLO), ("empty", EMPTY))
MACHINES = ("microvm", "pc", "q35")
BOOT_TO_MAIN = re.compile(r"anyvm: boot to main: (\d+) us")
TSC_MHZ = re.compile(r"^clock: tsc (\d+\.\d+) MHz", re.M)
EMPTY_TSC = re.compile(r"anyvm-empty: tsc 0x([0-9a-f]{16})")
EXIT_0 = re.compile(r"anyvm: exit status 0")
FLOOR_ARG = "floor-check"
FLOOR_SEEN = re.compile(r"(?m)^floor-check\r?$")
QEMU_TIMEOUT = 30
HOSTSIM_TIMEOUT = 120
HOSTSIM_FAST_ENOUGH = 20.0     # seconds for one run; slower: fewer runs
MAIN_RUNS = 5                  # runs read for the guest's time to main


def rel(path):
    return os.path.relpath(path, os.getcwd())


def show(label, value, *commands):
    print(f"{label}: {value}")
    for c in commands:
        print(f"    {c}")
    sys.stdout.flush()


def run(argv, timeout):
    """(seconds, rc, output) of one run; rc None on timeout."""
    start = time.perf_counter()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, ""
    return time.perf_counter() - start, p.returncode, p.stdout.decode("utf-8", "replace")


def qemu_cmd(machine, image, acc, mem="64M", icount=None, args=""):
    return qemu.argv(machine=machine, accel=acc, mem=mem, cpus=1, kernel=rel(image),
                     append=targets.QEMU_CMDLINE + (f" -- {args}" if args else ""),
                     icount=icount)


def hostsim_cmd(image):
    argv = hostsim.argv("firecracker", "pvh", rel(image), targets.FIRECRACKER_CMDLINE, "64M", 1,
                        HOSTSIM_TIMEOUT)
    argv[0] = rel(argv[0])
    return argv


def spread(times):
    return (f"median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} runs)")


def hyperfine(commands, runs, want_rc, prepare=None):
    """Times each (name, argv) with hyperfine in one invocation, after one
    warm-up run each: ({name: (times, exit codes)}, the hyperfine command)
    or (None, why not). -N runs each command without a shell (argv quoted
    with shlex, which hyperfine splits back the same way); -i keeps going
    on the non-zero exit codes the exit port makes, which are checked here
    instead (want_rc: one code, or {name: code}). prepare: {name: argv}
    run before each run of that command (the others get `true`)."""
    with tempfile.TemporaryDirectory(prefix="anyvm-bench-") as tmp:
        out = os.path.join(tmp, "hyperfine.json")
        cmd = ["hyperfine", "-N", "--warmup", "1", "--runs", str(runs), "-i", "--style", "none",
               "--export-json", out]
        if prepare:
            for name, _ in commands:
                cmd += ["--prepare", shlex.join(prepare.get(name, ["true"]))]
        for name, argv in commands:
            cmd += ["-n", name, shlex.join(argv)]
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=600)
        except FileNotFoundError:
            return None, "hyperfine is not installed (make setup)"
        except subprocess.TimeoutExpired:
            return None, "hyperfine did not finish within 600 s"
        if p.returncode != 0 or not os.path.exists(out):
            return None, f"hyperfine failed (exit {p.returncode}): {p.stderr.strip()[-300:]}"
        with open(out) as f:
            results = json.load(f)["results"]
    shown = shlex.join(cmd).replace(out, "FILE.json")
    figures = {name: (r["times"], r.get("exit_codes", [])) for (name, _), r in
               zip(commands, results)}
    for name, (_, codes) in figures.items():
        want = want_rc[name] if isinstance(want_rc, dict) else want_rc
        bad = [c for c in codes if c != want]
        if bad:
            print(f"    note: {len(bad)} of the {name} runs ended with exit codes "
                  f"{sorted(set(bad))}, not {want}")
    return figures, shown


def wall_times(where, commands, runs, want_rc):
    """Prints hello's and empty's wall time from one hyperfine invocation."""
    figures, shown = hyperfine(commands, runs, want_rc)
    if figures is None:
        print(f"wall time, {where}: not measured: {shown}")
        return
    for name, (times, _) in figures.items():
        role = " (the baseline)" if name == "empty" else ""
        show(f"wall time, {where}, {name}{role}", spread(times))
    if {"hello", "empty"} <= set(figures):
        hello = statistics.median(figures["hello"][0])
        empty = statistics.median(figures["empty"][0])
        show(f"wall time, {where}, hello minus empty",
             f"{1000 * (hello - empty):.1f} ms (ratio {hello / empty:.2f}): anyvm's own cost")
    print(f"    $ {shown}")
    for name, argv in commands:
        print(f"      {name}: {shlex.join(argv)}")


def boot_to_main(argv, runs, timeout):
    """The guest's own boot-to-main times, in us, of `runs` runs."""
    values = []
    for _ in range(runs):
        _, _, out = run(argv, timeout)
        m = BOOT_TO_MAIN.search(out)
        if m:
            values.append(int(m.group(1)))
    return values


def show_boot_to_main(where, argv, runs, timeout):
    us = boot_to_main(argv, runs, timeout)
    if us:
        show(f"guest time to main, {where}",
             f"median {statistics.median(us):.0f} us ({len(us)} runs; min {min(us)}, "
             f"max {max(us)})",
             f"$ {shlex.join(argv)}  # line `anyvm: boot to main: N us`")
    else:
        show(f"guest time to main, {where}", "no `anyvm: boot to main` line",
             f"$ {shlex.join(argv)}")


def bench_image_size():
    if not os.path.exists(HELLO):
        print(f"image size: not measured: {rel(HELLO)} missing (make APP=hello)")
        return
    show("image size", f"{os.path.getsize(HELLO)} bytes ({rel(HELLO)})",
         f"$ stat -c %s {rel(HELLO)}")


def bench_example_size():
    """The worked example's image, built the way docs/apps.md says."""
    cmd = [rel(os.path.join(ROOT, "tools", "anyvm")), "build", rel(EXAMPLE), "-o",
           rel(EXAMPLE_IMAGE)]
    try:
        p = subprocess.run([sys.executable] + cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"image size, worked example: not measured: the build took over {BUILD_TIMEOUT} s")
        return
    if p.returncode != 0:
        print(f"image size, worked example: not measured: the build failed: {p.stderr[-300:]}")
        return
    show("image size, worked example",
         f"{os.path.getsize(EXAMPLE_IMAGE)} bytes ({rel(EXAMPLE_IMAGE)})", f"$ {shlex.join(cmd)}")


def bench_qemu(machine, acc, runs):
    commands = [(name, qemu_cmd(machine, image, acc)) for name, image in IMAGES
                if os.path.exists(image)]
    if not commands:
        print(f"wall time, QEMU {machine}: not measured: {rel(HELLO)} and {rel(EMPTY)} missing")
        return
    wall_times(f"QEMU {machine} {acc}", commands, runs, qemu.debug_exit_code(0))
    if os.path.exists(HELLO):
        show_boot_to_main(f"QEMU {machine} {acc}", qemu_cmd(machine, HELLO, acc), MAIN_RUNS,
                          QEMU_TIMEOUT)


def icount_run(machine, image, shift):
    argv = qemu_cmd(machine, image, "tcg", icount=shift)
    _, rc, out = run(argv, QEMU_TIMEOUT)
    return argv, rc, out


def bench_instructions(machine):
    """Guest instructions under -icount shift=0 (1 ns of guest time per
    instruction), with a second run at shift=1 (2 ns each) that splits the
    figure: a part that doubles is instructions whatever the clock says; a
    part that stays is time the guest waited on a clock (a busy loop, which
    at shift=0 runs one instruction per ns of it, or a halt, which sleep=off
    skips at once)."""
    where = f"QEMU {machine} (TCG, -icount shift=0,sleep=off)"
    if os.path.exists(HELLO):
        runs = [icount_run(machine, HELLO, shift) for shift in (0, 1)]
        us = [BOOT_TO_MAIN.search(out) for _, _, out in runs]
        mhz = TSC_MHZ.search(runs[0][2])
        if all(us) and mhz:
            n0, n1 = int(us[0].group(1)), int(us[1].group(1))
            fixed, waited = (n1 - n0) * 1000, 2 * n0 - n1
            show(f"guest instructions from the first instruction to main, {where}, hello",
                 f"{n0 * float(mhz.group(1)) / 1e6:.3f} M (boot to main {n0} us at the "
                 f"TSC's {mhz.group(1)} MHz, one tick per instruction); at shift=1 {n1} us, "
                 f"so {fixed / 1e6:.3f} M instructions of work plus {waited / 1e3:.3f} ms spent "
                 "waiting on a clock",
                 f"$ {shlex.join(runs[0][0])}  # lines `clock: tsc F MHz`, "
                 "`anyvm: boot to main: N us`",
                 f"$ {shlex.join(runs[1][0])}")
        else:
            show(f"guest instructions to main, {where}, hello",
                 "not measured: no `clock:` or `anyvm: boot to main` line",
                 f"$ {shlex.join(runs[0][0])}")
    if os.path.exists(EMPTY):
        runs = [icount_run(machine, EMPTY, shift) for shift in (0, 1)]
        tsc = [EMPTY_TSC.search(out) for _, _, out in runs]
        if all(tsc):
            t0, t1 = int(tsc[0].group(1), 16), int(tsc[1].group(1), 16)
            show(f"guest time before the payload's first instruction, {where}, empty "
                 "(the baseline: firmware and loader)",
                 f"{t0 / 1e6:.3f} M ns (TSC {t0} at its entry); at shift=1 {t1}, so "
                 f"{(t1 - t0) / 1e6:.3f} M instructions of work plus {(2 * t0 - t1) / 1e6:.3f} "
                 "ms spent waiting on a clock (busy: 1 instruction per ns; halted: none)",
                 f"$ {shlex.join(runs[0][0])}  # line `anyvm-empty: tsc 0xN`",
                 f"$ {shlex.join(runs[1][0])}")
        else:
            show(f"guest instructions before the payload, {where}, empty",
                 "not measured: no `anyvm-empty: tsc` line", f"$ {shlex.join(runs[0][0])}")


def bench_memory_floor(acc, image=HELLO, what="hello"):
    """The smallest -m (in 4 KiB steps) with which hello (or another image of
    it) runs to `exit status 0` on microvm with its argument: a bisection
    between 1 MiB and 4 MiB. A boot counts only when the argument reached
    the app (hello prints it); below the floor the kernel halts, so a probe
    waits at most 5 s."""
    if not os.path.exists(image):
        return

    def boots(kib):
        _, rc, out = run(qemu_cmd("microvm", image, acc, f"{kib}K", args=FLOOR_ARG), 5)
        return (rc == qemu.debug_exit_code(0) and EXIT_0.search(out) is not None
                and FLOOR_SEEN.search(out) is not None)
    lo, hi = 1024, 4096            # lo does not boot (QEMU hangs at 1M), hi must
    if not boots(hi):
        print(f"memory floor, QEMU microvm: not measured: {what} does not boot with -m 4096K")
        return
    while hi - lo > 4:
        mid = (lo + hi) // 2 // 4 * 4
        if mid <= lo:
            break
        lo, hi = (lo, mid) if boots(mid) else (mid, hi)
    label = "" if image == HELLO else f", {what}"
    show(f"memory floor, QEMU microvm {acc}{label}",
         f"{hi} KiB (-m {hi}K boots {what} and its argument arrives, -m {lo}K does not)",
         f"$ {shlex.join(qemu_cmd('microvm', image, acc, f'{hi}K', args=FLOOR_ARG))}")


def bench_hostsim(runs):
    """hostsim's Firecracker PVH boot of hello and empty: `runs` runs each when
    one run is quick, 3 when it takes seconds, 1 when it is slower still."""
    if not os.access(hostsim.HOSTSIM, os.X_OK):
        print(f"hostsim firecracker: not measured: {rel(hostsim.HOSTSIM)} missing (make hostsim)")
        return
    kvm = "hardware KVM" if accel.hardware_kvm() else "the PVM emulator"
    commands = [(name, hostsim_cmd(image)) for name, image in IMAGES if os.path.exists(image)]
    first, rc, _ = run(commands[0][1], HOSTSIM_TIMEOUT + 10)
    if rc is None:
        print(f"wall time, hostsim firecracker: did not end within {HOSTSIM_TIMEOUT} s")
        return
    n = runs if first < 1.0 else 3 if first < HOSTSIM_FAST_ENOUGH else 1
    wall_times(f"hostsim firecracker (PVH) on {kvm}", commands, n, qemu.debug_exit_code(0))
    if os.path.exists(HELLO):
        show_boot_to_main(f"hostsim firecracker (PVH) on {kvm}", hostsim_cmd(HELLO),
                          min(n, MAIN_RUNS), HOSTSIM_TIMEOUT + 10)


def main():
    ap = argparse.ArgumentParser(description="Print anyvm's boot, virtio and HTTP figures.")
    ap.add_argument("--runs", type=int, default=11,
                    help="hyperfine runs per wall-time figure (default 11)")
    ap.add_argument("--only", choices=("boot", "netblk", "http", "tool"),
                    help="only the boot figures, the virtio-net/blk ones, the HTTP ones or "
                         "anyvm run's overhead")
    a = ap.parse_args()
    # SIGTERM unwinds like Ctrl-C, so that the VMs and namespaces are taken
    # down on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    acc = accel.resolve("auto")
    print(f"anyvm bench: figures, not pass/fail (QEMU accelerator: {acc})")
    if a.only in (None, "boot"):
        bench_image_size()
        bench_example_size()
        for machine in MACHINES:
            bench_qemu(machine, acc, a.runs)
        for machine in MACHINES:
            bench_instructions(machine)
        bench_memory_floor(acc)
        bench_hostsim(a.runs)
        uefi_bench.bench_uefi(acc, a.runs)
        zimage_bench.bench_zimage(acc, a.runs)
        hyperv_bench.bench_hyperv()
    if a.only in (None, "netblk"):
        netblk_bench.bench_netblk(acc)
    if a.only in (None, "http"):
        http_bench.bench_http(acc)
    if a.only in (None, "tool"):
        tool_bench.bench_tool_overhead(acc, a.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
