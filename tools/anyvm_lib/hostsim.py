"""Command lines for build/hostsim, the KVM-API test host (the Firecracker
boot contract now; a Hyper-V host later). --exit-port makes it exit like
QEMU's isa-debug-exit, with (2N+1) & 0xff, when the guest writes N there;
the kernel command line then names the same port (anyvm.exit_port)."""

import os

from . import BUILD
from .qemu import DEBUG_EXIT_PORT, with_exit_param

HOSTSIM = os.path.join(BUILD, "hostsim")

# hostsim's own exit codes (hostsim/status.h) are even, apart from the
# debug-exit port's odd ones; Firecracker's are 0 (i8042 reset) and 1
# (triple fault, which collides with an exit-port status of 0).
EXIT_TIMEOUT = 124


def argv(machine, boot, kernel, cmdline, mem, cpus, timeout, exit_port=DEBUG_EXIT_PORT,
         disks=(), nic=None, misbehave=None):
    """disks: devices.Disk, nic: devices.Nic (its TAP must exist), misbehave:
    a --misbehave KIND (hostsim --help). With exit_port, the kernel's command
    line names it (anyvm.exit_port) as hostsim's --exit-port does."""
    if exit_port is not None:
        cmdline = with_exit_param(cmdline, exit_port)
    cmd = [HOSTSIM, machine, "--kernel", kernel, "--cmdline", cmdline,
           "--mem", str(mem), "--cpus", str(cpus)]
    if boot != "pvh":
        cmd += ["--boot", boot]
    if exit_port is not None:
        cmd += ["--exit-port", f"{exit_port:#x}"]
    if timeout:
        cmd += ["--timeout", str(int(timeout))]
    for d in disks:
        cmd += ["--disk", d.path + (",ro" if d.readonly else "")]
    if nic is not None:
        cmd += ["--tap", nic.tap, "--mac", nic.mac]
    if misbehave:
        cmd += ["--misbehave", misbehave]
    return cmd
