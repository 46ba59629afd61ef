"""The self-decompressing image beside the uncompressed one (docs/bench.md,
"Compressed image"): build/APP.elf as shipped (boot/zimage/'s stub and the
LZ4 payload) and build/zimage/APP.elf (the same kernel, stripped, as
`make ZIMAGE=no` ships it), measured in the same run:

  * image sizes of hello and httpd;
  * wall time of a hello boot on QEMU microvm, both images and the empty
    payload in one hyperfine invocation;
  * the memory floor of both hello images (bench.py's bisection);
  * on hostsim's Firecracker (PVH), where the decoding runs under the
    PVM emulator here: seconds from the VMM's start to the kernel's first
    line (its banner, `anyvm 0.1...`), which the decoding precedes, and to
    httpd's `listening` line, a few runs of each image in turn.

The decoding happens before the kernel's first instruction, so the
kernel's own `boot to main` line does not include it. `make bench` prints
these with the boot figures; alone: `python3 bench/zimage_bench.py`."""

import argparse
import os
import shlex
import statistics
import sys
import time

import bench
from anyvm_lib import accel, hostsim, vm

APPS = ("hello", "httpd")
HOSTSIM_RUNS = 3
BANNER = r"^anyvm \d"
LISTENING = r"^httpd: listening"


def uncompressed(app):
    return os.path.join(bench.BUILD, "zimage", app + ".elf")


def shipped(app):
    return os.path.join(bench.BUILD, app + ".elf")


def hostsim_lines(image, runs):
    """Per run, seconds from the VMM's start to the banner and to httpd's
    listening line (None when a line did not come)."""
    out = []
    argv = bench.hostsim_cmd(image)
    for _ in range(runs):
        start = time.monotonic()
        with vm.Live(argv) as v:
            banner = v.wait_line(BANNER, bench.HOSTSIM_TIMEOUT)
            t_banner = time.monotonic() - start if banner is not None else None
            listening = v.wait_line(LISTENING, bench.HOSTSIM_TIMEOUT)
            t_listen = time.monotonic() - start if listening is not None else None
            v.kill()
        out.append((t_banner, t_listen))
    return out, argv


def show_hostsim(runs):
    kvm = "hardware KVM" if accel.hardware_kvm() else "the PVM emulator"
    figures = {}
    for name, image in (("compressed", shipped("httpd")), ("uncompressed", uncompressed("httpd"))):
        figures[name] = hostsim_lines(image, runs)
    for name, (times, argv) in figures.items():
        for i, label in ((0, "the kernel's first line"), (1, "httpd listening")):
            got = [t[i] for t in times if t[i] is not None]
            value = (f"median {statistics.median(got):.3f} s (min {min(got):.3f}, max "
                     f"{max(got):.3f}, {len(got)} runs)" if got else "the line never came")
            bench.show(f"hostsim firecracker (PVH) on {kvm}, httpd {name}: to {label}", value,
                       f"$ {shlex.join(argv)}")
    return figures


def bench_zimage(acc, runs):
    missing = [p for a in APPS for p in (shipped(a), uncompressed(a)) if not os.path.exists(p)]
    if missing:
        print(f"compressed image figures: not measured: {', '.join(map(bench.rel, missing))} "
              "missing (make apps; build/zimage/ holds the uncompressed images unless ZIMAGE=no)")
        return
    for app in APPS:
        bench.show(f"image size, {app}: compressed beside uncompressed",
                   f"{os.path.getsize(shipped(app))} bytes beside "
                   f"{os.path.getsize(uncompressed(app))}",
                   f"$ stat -c %s {bench.rel(shipped(app))} {bench.rel(uncompressed(app))}")
    commands = [("hello", bench.qemu_cmd("microvm", shipped("hello"), acc)),
                ("hello-uncompressed", bench.qemu_cmd("microvm", uncompressed("hello"), acc))]
    if os.path.exists(bench.EMPTY):
        commands.append(("empty", bench.qemu_cmd("microvm", bench.EMPTY, acc)))
    bench.wall_times(f"QEMU microvm {acc}, compressed and uncompressed hello", commands, runs,
                     bench.qemu.debug_exit_code(0))
    for name, image in (("compressed", shipped("hello")), ("uncompressed", uncompressed("hello"))):
        bench.bench_memory_floor(acc, image, f"hello {name}")
    if os.access(hostsim.HOSTSIM, os.X_OK):
        show_hostsim(HOSTSIM_RUNS)
    else:
        print(f"hostsim figures: not measured: {bench.rel(hostsim.HOSTSIM)} missing")


def main():
    ap = argparse.ArgumentParser(description="The compressed image beside the uncompressed one.")
    ap.add_argument("--runs", type=int, default=11, help="hyperfine runs (default 11)")
    a = ap.parse_args()
    bench_zimage(accel.resolve("auto"), a.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
