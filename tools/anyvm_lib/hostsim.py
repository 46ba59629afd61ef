"""Command lines for build/hostsim, the KVM-API test host (the Firecracker
boot contract, and a Hyper-V host: machine "hyperv"): the one place the Python side
spells them. --exit-port makes it exit like QEMU's isa-debug-exit, with
(2N+1) & 0xff, when the guest writes N there; the kernel command line then
names the same port (anyvm.exit_port)."""

import os
import subprocess

from . import BUILD
from .qemu import DEBUG_EXIT_PORT, with_exit_param

HOSTSIM = os.path.join(BUILD, "hostsim")

# hostsim's own exit statuses besides the guest's: 124 on --timeout, the
# debug-exit port's odd ones; Firecracker's are 0 (i8042 reset) and 1
# (triple fault, which collides with an exit-port status of 0).
EXIT_TIMEOUT = 124


def disk_arg(disk):
    """--disk FILE[,ro] for a devices.Disk"""
    return disk.path + (",ro" if disk.readonly else "")


def nic_arg(nic):
    """--nic tap=NAME,mac=MAC for a devices.Nic"""
    return f"tap={nic.tap},mac={nic.mac}"


def argv(machine, boot, kernel, cmdline, mem, cpus, timeout, exit_port=DEBUG_EXIT_PORT,
         disks=(), nic=None, misbehave=None, initrd=None, model_args=()):
    """disks: devices.Disk, nic: devices.Nic (its TAP must exist), misbehave:
    a KIND of misbehave_kinds(), initrd: a file for --initrd, model_args: the
    machine model's own options (hyperv: ["--gen", "2"]). With exit_port,
    the kernel's command line names it (anyvm.exit_port) as hostsim's
    --exit-port does."""
    if exit_port is not None:
        cmdline = with_exit_param(cmdline, exit_port)
    cmd = [HOSTSIM, machine, "--kernel", kernel, "--cmdline", cmdline,
           "--mem", str(mem), "--cpus", str(cpus)]
    if boot != "pvh":
        cmd += ["--boot", boot]
    cmd += list(model_args)
    if exit_port is not None:
        cmd += ["--exit-port", f"{exit_port:#x}"]
    if timeout:
        cmd += ["--timeout", str(int(timeout))]
    if initrd is not None:
        cmd += ["--initrd", initrd]
    for d in disks:
        cmd += ["--disk", disk_arg(d)]
    if nic is not None:
        cmd += ["--nic", nic_arg(nic)]
    if misbehave:
        cmd += ["--misbehave", misbehave]
    return cmd


def misbehave_kinds():
    """{KIND: (back end, what it does)} as `hostsim --misbehave help` lists
    them: the one list of the faults hostsim's back ends can inject."""
    out = subprocess.run([HOSTSIM, "--misbehave", "help"], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    kinds = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            kinds[parts[0]] = (parts[1], parts[2])
    return kinds
