"""The one place QEMU command lines are built. Every boot gets the guest's
COM1 on stdout, no monitor, no NIC (a default NIC only slows firmware down),
-no-reboot (a reset or triple fault ends QEMU instead of looping) and the
isa-debug-exit device at 0xf4, through which the kernel hands over its exit
status (QEMU then exits with (2N+1) & 0xff)."""

QEMU = "qemu-system-x86_64"
DEBUG_EXIT_PORT = 0xF4

COMMON = ["-nographic", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none"]
DEBUG_EXIT = ["-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04"]


def accel_args(accel):
    """kvm|tcg -> QEMU arguments. This QEMU aborts with plain -cpu host on the
    KVM hosts measured here ("failed to set MSR 0x10a") unless the
    arch-capabilities MSR is left out."""
    if accel == "kvm":
        return ["-accel", "kvm", "-cpu", "host,-arch-capabilities"]
    if accel == "tcg":
        return ["-accel", "tcg"]
    raise ValueError(f"unknown accelerator {accel!r}")


def argv(machine, accel, mem, cpus, kernel=None, append=None, cdrom=None, extra=(),
         exit_device=True, virtio_mmio_legacy=False):
    """The full QEMU command: boot `kernel` (with `append` as its command line)
    or the ISO `cdrom` on machine type `machine`. exit_device=False leaves
    out isa-debug-exit, as a VMM that carries no status would.
    virtio_mmio_legacy=True keeps QEMU's own default for microvm's
    virtio-mmio devices, the legacy interface (version 1)."""
    cmd = [QEMU, "-M", machine, *accel_args(accel), "-m", str(mem), "-smp", str(cpus), *COMMON]
    if machine.split(",")[0] == "microvm" and not virtio_mmio_legacy:
        # QEMU 7.2's virtio-mmio devices default to the legacy (version 1)
        # interface; anyvm drives both, and asks for the modern one here
        # because that is what Firecracker always offers.
        cmd += ["-global", "virtio-mmio.force-legacy=false"]
    if exit_device:
        cmd += DEBUG_EXIT
    if kernel is not None:
        cmd += ["-kernel", kernel]
        if append:
            cmd += ["-append", append]
    if cdrom is not None:
        cmd += ["-cdrom", cdrom, "-boot", "d"]
    cmd += list(extra)
    return cmd


def status_from_exit_code(rc):
    """isa-debug-exit: QEMU exits with (2N+1) & 0xff, so an odd code gives N
    modulo 128. 0 is a normal QEMU exit (ACPI power-off); anything else is not
    a debug-exit code."""
    if rc is not None and 0 < rc < 256 and rc % 2 == 1:
        return (rc - 1) // 2
    return None
