"""Hyper-V figures (docs/bench.md, "Hyper-V figures"):

  * devinfo (an image with the device layers) on build/hostsim's Hyper-V
    host beside its Firecracker machine, in the same run: host time from
    hostsim's start to the VMBus being ready (the guest's `vmbus: N offers`
    line) and to main (the kernel's `anyvm: boot to main` line), the
    guest's own time to main, and wall time to the VM's end;
  * the VMBus ring round-trip rate in co-simulation
    (build/bench/vmbus_ring_rate: the guest's ring code against hostsim's);
  * the netvsc frame rate in co-simulation: the kernel's VMBus and netvsc
    driver against hostsim's VMBus host and network back end in one
    process (build/unit/test_netvsc_cosim with ANYVM_COSIM_RATE_SECONDS,
    its code built with AddressSanitizer as the unit tests are)."""

import os
import shlex
import statistics
import subprocess
import time

import bench
from anyvm_lib import hostsim, targets, vm

DEVINFO = os.path.join(bench.BUILD, "devinfo.elf")
RATE = os.path.join(bench.BUILD, "bench", "vmbus_ring_rate")
NETVSC_COSIM = os.path.join(bench.BUILD, "unit", "test_netvsc_cosim")
RUNS = 3
VMBUS_READY = r"^vmbus: \d+ offers"
MAIN = r"^anyvm: boot to main"


def argv(machine):
    return hostsim.argv(machine, "pvh", bench.rel(DEVINFO), targets.QEMU_CMDLINE, "128M", 1,
                        bench.HOSTSIM_TIMEOUT)


def one(machine):
    """Seconds from hostsim's start to the VMBus-ready line (hyperv; else
    None), to the kernel's line at main, and to the end; the guest's own us
    to main."""
    start = time.monotonic()
    with vm.Live(argv(machine)) as v:
        ready = None
        if machine == "hyperv" and v.wait_line(VMBUS_READY, bench.HOSTSIM_TIMEOUT):
            ready = time.monotonic() - start
        main = time.monotonic() - start if v.wait_line(MAIN, bench.HOSTSIM_TIMEOUT) else None
        v.wait(bench.HOSTSIM_TIMEOUT)
        end = time.monotonic() - start
        m = bench.BOOT_TO_MAIN.search(v.text)
    return ready, main, end, int(m.group(1)) if m else None


def median_ms(values):
    values = [x for x in values if x is not None]
    if not values:
        return "not seen"
    return (f"median {1000 * statistics.median(values):.0f} ms ({len(values)} runs; "
            f"min {1000 * min(values):.0f}, max {1000 * max(values):.0f})")


def bench_hyperv():
    if os.access(RATE, os.X_OK):
        p = subprocess.run([RATE], capture_output=True, text=True, timeout=60)
        bench.show("VMBus ring round trips, co-simulated",
                   p.stdout.strip() if p.returncode == 0 else f"failed: {p.stderr.strip()}",
                   f"$ {bench.rel(RATE)}")
    else:
        print(f"VMBus ring round trips: not measured: {bench.rel(RATE)} missing "
              "(make build/bench/vmbus_ring_rate)")
    if os.access(NETVSC_COSIM, os.X_OK):
        p = subprocess.run([NETVSC_COSIM], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, ANYVM_COSIM_RATE_SECONDS="1"))
        line = next((ln for ln in p.stdout.splitlines() if "netvsc co-simulation:" in ln), None)
        bench.show("netvsc frames, co-simulated",
                   line.split(": ", 1)[1] if line else f"not measured: {p.stdout[-300:]}",
                   f"$ ANYVM_COSIM_RATE_SECONDS=1 {bench.rel(NETVSC_COSIM)}")
    else:
        print(f"netvsc frames, co-simulated: not measured: {bench.rel(NETVSC_COSIM)} missing "
              "(make unit)")
    if not (os.access(hostsim.HOSTSIM, os.X_OK) and os.path.exists(DEVINFO)):
        print("hostsim hyperv: not measured: build/hostsim or build/devinfo.elf missing")
        return
    for machine in ("hyperv", "firecracker"):
        runs = [one(machine) for _ in range(RUNS)]
        where = f"hostsim {machine}, devinfo" + ("" if machine == "hyperv" else " (the baseline)")
        if machine == "hyperv":
            bench.show(f"host time to VMBus ready (`vmbus: N offers`), {where}",
                       median_ms([r[0] for r in runs]), f"$ {shlex.join(argv(machine))}")
        bench.show(f"host time to main, {where}", median_ms([r[1] for r in runs]),
                   f"$ {shlex.join(argv(machine))}")
        us = [r[3] for r in runs if r[3] is not None]
        bench.show(f"guest time to main, {where}",
                   f"median {statistics.median(us):.0f} us" if us else "not seen")
        bench.show(f"wall time, {where}", median_ms([r[2] for r in runs]))
