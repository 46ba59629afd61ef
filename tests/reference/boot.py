#!/usr/bin/env python3
"""Boots a real Linux 6.1 (build/reference/vmlinux, made by
tests/reference/build_linux.sh) on `build/hostsim firecracker` in both of
Firecracker's boot modes, PVH and Linux 64-bit, with 2 vCPUs, a disk and a
NIC, and judges the kernel log: how Linux read the boot path, the e820 map,
the command line, the ACPI tables, the MADT and the MP table, which clock it
chose, SMP bring-up, the virtio-mmio devices (from the command line and from
the DSDT), the disk's capacity, the NIC's MAC, COM1 bound by serial8250
through ACPI (PNP0501, IRQ 4) and the i8042 driver (PNP0303). There is no
root file system: the kernel panics on mounting root, and `panic=1
reboot=k` ends hostsim through the i8042 reset with status 0.

The PVM emulator of the project's machines cannot run xsave/xrstor,
popcnt, clac/stac or rd/wrfsbase, so the command line turns those off
(noxsave, clearcpuid=151,288,308: POPCNT, FSGSBASE, SMAP); int3 and fwait,
which Linux also runs, hostsim completes itself (hostsim/cpu/assist.c).

  tests/reference/build_linux.sh && python3 tests/reference/boot.py [-v]

The NIC needs root (a TAP in a network namespace of its own); without it the
NIC checks are SKIPped. One line per check, then `N passed, N failed`.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True

from anyvm_lib import hostsim  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import Report, tap_in_netns  # noqa: E402

VMLINUX = os.path.join(ROOT, "build", "reference", "vmlinux")
MAC = "06:00:ac:10:00:02"
GUEST_IP, HOST_IP = "10.0.2.15", "10.0.2.1"
DISK_SECTORS = 2048
TIMEOUT = 600          # hostsim --timeout; a boot takes about 30 s here
CMDLINE = ("console=ttyS0 reboot=k panic=1 earlyprintk=serial noxsave clearcpuid=151,288,308 "
           f"ip={GUEST_IP}::{HOST_IP}:255.255.255.0::eth0:off")
NETNS = f"anyvm-ref{os.getpid()}"

TS = r"^\[\s*\d+\.\d+\] "
CHECKS = [
    ("cmdline", TS + r"Command line: " + re.escape(
        CMDLINE + " pci=off virtio_mmio.device=4K@0xc0001000:5 "
        "virtio_mmio.device=4K@0xc0002000:6") + r"$"),
    ("e820-low", TS + r"BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable$"),
    ("e820-ram", TS + r"BIOS-e820: \[mem 0x0000000000100000-0x0000000007ffffff\] usable$"),
    ("e820-ecam", TS + r"BIOS-e820: \[mem 0x00000000eec00000-0x00000000febfffff\] reserved$"),
    ("mptable", TS + r"found SMP MP-table at \[mem 0x0009fc00-0x0009fc0f\]$"),
    ("rsdp", TS + r"ACPI: RSDP 0x00000000000E0000 000024 \(v02 FIRECK\)$"),
    ("xsdt", TS + r"ACPI: XSDT 0x[0-9A-F]{16} 00003C \(v01 FIRECK FCMVXSDT 00000000 FCAT 20240119\)$"),
    ("fadt", TS + r"ACPI: FACP 0x[0-9A-F]{16} 000114 \(v06 FIRECK FCVMFADT 00000000 FCAT 20240119\)$"),
    ("dsdt", TS + r"ACPI: DSDT 0x[0-9A-F]{16} [0-9A-F]{6} \(v02 FIRECK FCVMDSDT 00000000 FCAT 20240119\)$"),
    ("madt", TS + r"ACPI: APIC 0x[0-9A-F]{16} 000048 \(v06 FIRECK FCVMMADT 00000000 FCAT 20240119\)$"),
    ("mcfg", TS + r"ACPI: MCFG 0x[0-9A-F]{16} 00003C \(v01 FIRECK FCMVMCFG 00000000 FCAT 20240119\)$"),
    ("madt-smp", TS + r"ACPI: Using ACPI \(MADT\) for SMP configuration information$"),
    ("ioapic", TS + r"IOAPIC\[0\]: apic_id 0, version \d+, address 0xfec00000, GSI 0-23$"),
    ("dsdt-loaded", TS + r"ACPI: \d+ ACPI AML tables successfully acquired and loaded$"),
    ("kvm-clock", TS + r"clocksource: Switched to clocksource kvm-clock$"),
    ("smp", TS + r"smp: Brought up 1 node, 2 CPUs$"),
    ("pnp", TS + r"pnp: PnP ACPI: found 2 devices$"),
    ("virtio-cmdline-0", TS + r"virtio-mmio: Registering device virtio-mmio\.0 at "
     r"0xc0001000-0xc0001fff, IRQ 5\.$"),
    ("virtio-cmdline-1", TS + r"virtio-mmio: Registering device virtio-mmio\.1 at "
     r"0xc0002000-0xc0002fff, IRQ 6\.$"),
    # The command-line copies lose to the DSDT's devices, which claimed the
    # same MMIO windows first (as on Firecracker, which declares both).
    ("virtio-duplicate-0", TS + r"virtio-mmio: probe of virtio-mmio\.0 failed with error -16$"),
    ("virtio-duplicate-1", TS + r"virtio-mmio: probe of virtio-mmio\.1 failed with error -16$"),
    # PnP devices from the DSDT (00:NN). With HW-reduced ACPI Linux has no
    # legacy PIC (nr_legacy_irqs() is 0), so GSI 4 and 1 get dynamic Linux
    # IRQ numbers (26 and 27 here), not 4 and 1.
    ("serial-acpi", TS + r"00:0\d: ttyS0 at I/O 0x3f8 \(irq = \d+, base_baud = 115200\) is a "
     r"16550A$"),
    ("i8042-acpi", TS + r"i8042: PNP: PS/2 Controller \[PNP0303:PS2_?\] at 0x60,0x64 irq \d+$"),
    ("i8042-port", TS + r"serio: i8042 KBD port at 0x60,0x64 irq \d+$"),
    ("disk", TS + rf"virtio_blk virtio\d+: \[vda\] {DISK_SECTORS} 512-byte logical blocks "),
    ("nic-mac", TS + rf"\s*device=eth0, hwaddr={MAC}, ipaddr={re.escape(GUEST_IP)},"),
    ("panic-root", TS + r"Kernel panic - not syncing: VFS: Unable to mount root fs"),
]
ABSENT = [
    ("no-acpi-error", r"ACPI Error|ACPI BIOS Error|Unable to load the System Description Tables"),
    ("no-oops", r"BUG:|Oops|general protection fault|WARNING: CPU"),
]
NIC_CHECKS = {"nic-mac"}


def boot(mode, disk, with_nic, verbose):
    cmd = hostsim.argv("firecracker", mode, VMLINUX, CMDLINE, "128M", 2, TIMEOUT, exit_port=None,
                       disks=[disk], nic={"tap": "tap0", "mac": MAC} if with_nic else None)
    cmd.append("--verbose")
    if with_nic:
        cmd = ["ip", "netns", "exec", NETNS] + cmd
    start = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                         timeout=TIMEOUT + 60)
    elapsed = time.monotonic() - start
    if verbose:
        print("# " + " ".join(cmd))
        for line in (res.stderr + res.stdout).splitlines():
            print("#   " + line)
    return res, elapsed


def judge(mode, res, elapsed, with_nic, rep):
    out = res.stdout.replace("\r", "")
    tag = f"reference/{mode}"
    want_mode = "PVH" if mode == "pvh" else "Linux 64-bit"
    rep.check(f"{tag}/boot-mode", f"firecracker: {want_mode} boot, entry 0x" in res.stderr,
              f"hostsim did not report a {want_mode} boot")
    rep.check(f"{tag}/linux", re.search(r"Linux version 6\.1\.", out) is not None,
              "no 'Linux version 6.1' line")
    for name, regex in CHECKS:
        if name in NIC_CHECKS and not with_nic:
            rep.skip(f"{tag}/{name}", "needs root for a TAP in a network namespace")
            continue
        rep.check(f"{tag}/{name}", re.search(regex, out, re.M) is not None,
                  f"no kernel line matching /{regex}/")
    for name, regex in ABSENT:
        m = re.search(regex, out, re.M)
        rep.check(f"{tag}/{name}", m is None, f"the log says {m.group(0)!r}" if m else "")
    rep.check(f"{tag}/exit", res.returncode == 0,
              f"hostsim exit {res.returncode} (want 0: panic=1 reboot=k, i8042 reset)")
    print(f"# {tag}: {elapsed:.1f} s wall time")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="show the kernel logs")
    a = ap.parse_args()
    rep = Report()
    missing = [p for p in (hostsim.HOSTSIM, VMLINUX) if not os.path.exists(p)]
    if missing:
        rep.skip("reference", f"{', '.join(missing)} missing (make hostsim; "
                 "tests/reference/build_linux.sh)")
        print(rep.summary())
        return 0
    with_nic = os.geteuid() == 0
    with tempfile.TemporaryDirectory(prefix="anyvm-reference-") as work:
        disk = os.path.join(work, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(DISK_SECTORS * 512)
        if with_nic:
            tap_in_netns(NETNS, HOST_IP)
        try:
            for mode in ("pvh", "linux"):
                res, elapsed = boot(mode, disk, with_nic, a.verbose)
                judge(mode, res, elapsed, with_nic, rep)
        finally:
            if with_nic:
                subprocess.run(["ip", "netns", "del", NETNS], check=False)
    print(rep.summary())
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
