"""Command lines for build/hostsim, the KVM-API test host (the Firecracker
boot contract now; a Hyper-V host later): the one place the Python side
spells them. --exit-port makes it exit like QEMU's isa-debug-exit, with
(2N+1) & 0xff, when the guest writes N there."""

import os
import subprocess

from . import BUILD

HOSTSIM = os.path.join(BUILD, "hostsim")

# hostsim's own exit codes (hostsim/status.h) are even, apart from the
# debug-exit port's odd ones; Firecracker's are 0 (i8042 reset) and 1
# (triple fault, which collides with an exit-port status of 0).
EXIT_TIMEOUT = 124
EXIT_PORT = 0xF4     # the port of QEMU's isa-debug-exit, so one kernel path serves both


def disk_arg(path, ro=False, root=False):
    """--disk FILE[,ro][,root]"""
    return path + (",ro" if ro else "") + (",root" if root else "")


def nic_arg(tap, mac=None, mtu=None):
    """--nic tap=NAME[,mac=MAC][,mtu=N]"""
    return ",".join([f"tap={tap}"] + ([f"mac={mac}"] if mac else []) +
                    ([f"mtu={mtu}"] if mtu else []))


def argv(machine, boot, kernel, cmdline, mem, cpus, timeout, exit_port=EXIT_PORT,
         disks=(), nic=None, misbehave=None, hostsim=None):
    """The hostsim command. disks: paths, or (path, {"ro": bool, "root": bool})
    pairs; nic: a TAP name, or a dict with tap, mac, mtu; misbehave: a KIND
    of misbehave_kinds(); hostsim: another binary than build/hostsim."""
    cmd = [hostsim or HOSTSIM, machine, "--kernel", kernel, "--cmdline", cmdline,
           "--mem", str(mem), "--cpus", str(cpus)]
    if boot != "pvh":
        cmd += ["--boot", boot]
    if exit_port is not None:
        cmd += ["--exit-port", f"{exit_port:#x}"]
    if timeout:
        cmd += ["--timeout", str(int(timeout))]
    if misbehave:
        cmd += ["--misbehave", misbehave]
    for d in disks:
        path, flags = (d, {}) if isinstance(d, str) else d
        cmd += ["--disk", disk_arg(path, **flags)]
    if nic:
        cmd += ["--nic", nic_arg(**nic) if isinstance(nic, dict) else nic_arg(nic)]
    return cmd


def misbehave_kinds(hostsim=None):
    """{KIND: (back end, what it does)} as `hostsim --misbehave help` lists
    them: the one list of the faults hostsim's back ends can inject."""
    out = subprocess.run([hostsim or HOSTSIM, "--misbehave", "help"], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    kinds = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            kinds[parts[0]] = (parts[1], parts[2])
    return kinds
