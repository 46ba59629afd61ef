#!/usr/bin/env python3
"""Boots a real Linux 6.1 with its Hyper-V guest drivers
(build/reference-hyperv/vmlinux, made by `tests/reference/build_linux.sh
hyperv`) on `build/hostsim hyperv` with a synthetic SCSI disk and, as root,
a synthetic NIC on a TAP device in a network namespace of its own, and
judges the kernel log: Linux took the partition for Hyper-V, chose the
reference TSC page as its clock, negotiated VMBus, bound hv_utils' shutdown,
heartbeat and timesync services at the versions anyvm's guest negotiates
too, found the disk through hv_storvsc with the file's capacity and the NIC
through hv_netvsc with its MAC (the `ip=` configuration completing on
eth0). The host side of hostsim is then right by a client nobody here
wrote. There is no root file system: the kernel panics on mounting root,
and `panic=1 reboot=t` ends hostsim with a triple fault.

The PVM emulator of the project's machines cannot run xsave/xrstor,
popcnt, clac/stac or rd/wrfsbase, hence noxsave and clearcpuid (as in
tests/reference/boot.py).

  tests/reference/build_linux.sh hyperv && python3 tests/reference/boot_hyperv.py [-v]

One line per check, then `N passed, N failed`."""

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

VMLINUX = os.path.join(ROOT, "build", "reference-hyperv", "vmlinux")
MAC = "06:00:ac:10:00:02"
GUEST_IP, HOST_IP = "10.0.2.15", "10.0.2.1"
DISK_SECTORS = 8192
TIMEOUT = 600          # hostsim --timeout; a boot takes about a minute here
CMDLINE = ("console=ttyS0 reboot=t panic=1 earlyprintk=serial noxsave clearcpuid=151,288,308 "
           f"ip={GUEST_IP}::{HOST_IP}:255.255.255.0::eth0:off")
NETNS = f"anyvm-refhv{os.getpid()}"

TS = r"^\[\s*\d+\.\d+\] "
CHECKS = [
    ("hyper-v", TS + r"Hypervisor detected: Microsoft Hyper-V$"),
    ("clock", TS + r"clocksource: Switched to clocksource hyperv_clocksource_tsc_page$"),
    ("vmbus", TS + r"hv_vmbus: Vmbus version:5\.3$"),
    ("shutdown-ic", TS + r"hv_utils: Shutdown IC version 3\.2$"),
    ("heartbeat-ic", TS + r"hv_utils: Heartbeat IC version 3\.0$"),
    ("timesync-ic", TS + r"hv_utils: TimeSync IC version 4\.0$"),
    ("storvsc", TS + r"scsi host\d+: storvsc_host_t$"),
    ("disk", TS + rf"sd \d+:0:0:0: \[sda\] {DISK_SECTORS} 512-byte logical blocks"),
    ("disk-attached", TS + r"sd \d+:0:0:0: \[sda\] Attached SCSI disk$"),
    ("nic-mac", TS + rf"\s*device=eth0, hwaddr={MAC}, ipaddr={re.escape(GUEST_IP)},"),
    ("panic-root", TS + r"Kernel panic - not syncing: VFS: Unable to mount root fs"),
]
ABSENT = [
    ("no-acpi-error", r"ACPI Error|ACPI BIOS Error|Unable to initialize fixed events"),
    ("no-probe-failure", r"probe failed|probe of .* failed|invalid NDIS"),
    ("no-unchecked-msr", r"unchecked MSR access"),
    ("no-oops", r"BUG:|Oops|general protection fault|WARNING: CPU"),
]
NIC_CHECKS = {"nic-mac"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="show the kernel log")
    a = ap.parse_args()
    rep = Report()
    missing = [p for p in (hostsim.HOSTSIM, VMLINUX) if not os.path.exists(p)]
    if missing:
        rep.skip("reference-hyperv", f"{', '.join(missing)} missing (make hostsim; "
                 "tests/reference/build_linux.sh hyperv)")
        print(rep.summary())
        return 0
    with_nic = os.geteuid() == 0
    with tempfile.TemporaryDirectory(prefix="anyvm-reference-hyperv-") as work:
        disk = os.path.join(work, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(DISK_SECTORS * 512)
        cmd = [hostsim.HOSTSIM, "hyperv", "--kernel", VMLINUX, "--cmdline", CMDLINE,
               "--mem", "256M", "--cpus", "1", "--disk", disk, "--timeout", str(TIMEOUT)]
        if with_nic:
            tap_in_netns(NETNS, HOST_IP)
        try:
            if with_nic:
                cmd = ["ip", "netns", "exec", NETNS] + cmd + ["--nic", f"tap=tap0,mac={MAC}"]
            start = time.monotonic()
            res = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                 timeout=TIMEOUT + 60)
            elapsed = time.monotonic() - start
        finally:
            if with_nic:
                subprocess.run(["ip", "netns", "del", NETNS], check=False)
    out = res.stdout.replace("\r", "")
    if a.verbose:
        print("# " + " ".join(cmd))
        for line in (res.stderr + out).splitlines():
            print("#   " + line)
    tag = "reference-hyperv"
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
    rep.check(f"{tag}/no-violation", "protocol violation" not in res.stderr,
              "hostsim reported a VMBus protocol violation by Linux: "
              + res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "")
    rep.check(f"{tag}/end", "triple fault" in res.stderr,
              f"hostsim exit {res.returncode} without the triple fault of reboot=t")
    print(f"# {tag}: {elapsed:.1f} s wall time")
    print(rep.summary())
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
