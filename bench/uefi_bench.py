"""UEFI beside BIOS (docs/bench.md, "UEFI figures"): the same app on QEMU
q35, once through OVMF (`-kernel build/hello.efi`, target q35-uefi) and once
through SeaBIOS's multiboot loader (`-kernel build/hello.elf`, target q35),
measured in the same run:

  * host time to main: from the VMM's start to the app's first line on the
    serial port (firmware, loader and the kernel's start together), the
    median of a few runs read with vm.Live;
  * the guest's own time to main (its `anyvm: boot to main` line: from the
    kernel's first instruction);
  * wall time to the VMM's exit, both in one hyperfine invocation;
  * the .efi's size beside the ELF's."""

import os
import shlex
import statistics
import tempfile
import time

import bench
from anyvm_lib import launch, qemu, vm

RUNS = 5
FIRST_LINE = r"^Hello, world!"
TARGETS = (("UEFI (OVMF, q35-uefi)", "q35-uefi"), ("BIOS (SeaBIOS, q35)", "q35"))


def to_main(argv, runs):
    """Seconds from the VMM's start to the app's first line, per run."""
    out = []
    for _ in range(runs):
        start = time.monotonic()
        with vm.Live(argv) as v:
            if v.wait_line(FIRST_LINE, bench.QEMU_TIMEOUT) is not None:
                out.append(time.monotonic() - start)
            v.wait(bench.QEMU_TIMEOUT)
    return out


def bench_uefi(acc, runs):
    efi = bench.HELLO[:-len(".elf")] + ".efi"
    if not (os.path.exists(bench.HELLO) and os.path.exists(efi)):
        print(f"UEFI figures: not measured: {bench.rel(bench.HELLO)} or {bench.rel(efi)} missing")
        return
    bench.show("image size, hello.efi beside hello.elf",
               f"{os.path.getsize(efi)} bytes beside {os.path.getsize(bench.HELLO)}",
               f"$ stat -c %s {bench.rel(efi)} {bench.rel(bench.HELLO)}")
    with tempfile.TemporaryDirectory(prefix="anyvm-bench-uefi-") as work:
        commands = []
        for name, target in TARGETS:
            d = os.path.join(work, target)
            os.mkdir(d)
            try:
                argv = launch.prepare(launch.BootSpec(image=bench.HELLO, target=target,
                                                      accel=acc, mem="128M"), d)
            except launch.BootError as e:
                print(f"UEFI figures, {name}: not measured: {e}")
                return
            commands.append((name, argv))
        for name, argv in commands:
            times = to_main(argv, RUNS)
            if times:
                bench.show(f"host time to main, {name}",
                           f"median {1000 * statistics.median(times):.0f} ms ({len(times)} runs; "
                           f"min {1000 * min(times):.0f}, max {1000 * max(times):.0f})",
                           f"$ {shlex.join(argv)}  # until the line `Hello, world!`")
            else:
                print(f"host time to main, {name}: not measured: no `Hello, world!` line")
            bench.show_boot_to_main(name, argv, RUNS, bench.QEMU_TIMEOUT)
        figures, shown = bench.hyperfine(commands, runs, qemu.debug_exit_code(0))
        if figures is None:
            print(f"wall time, UEFI beside BIOS: not measured: {shown}")
            return
        for name, (times, _) in figures.items():
            bench.show(f"wall time, {name}", bench.spread(times))
        print(f"    $ {shown}")
