"""The one place QEMU command lines are built. Every boot gets the guest's
COM1 on stdout, no monitor, no NIC (a default NIC only slows firmware down),
-no-reboot (a reset or triple fault ends QEMU instead of looping) and the
isa-debug-exit device at 0xf4, through which the kernel hands over its exit
status (QEMU then exits with (2N+1) & 0xff). The kernel writes the status to
that port only because the command line says so (`anyvm.exit_port=0xf4`,
added here wherever the device is): it never guesses a port. Virtio disks, a
TAP NIC and an entropy source are added with virtio_args(), a PVSCSI
controller and its disks with pvscsi_args()."""

QEMU = "qemu-system-x86_64"
# The kernel's exit port: QEMU's isa-debug-exit sits there, and hostsim's
# --exit-port takes the same port, so one kernel path serves both.
DEBUG_EXIT_PORT = 0xF4
# -icount shift=N: each guest instruction takes 2^N ns of guest time, and
# sleep=off skips the time a halted guest waits at once (QEMU's docs,
# "-icount"): the clocks the guest reads then count instructions, whatever
# the host's load.
def icount_args(shift):
    return ["-icount", f"shift={int(shift)},sleep=off"]


def exit_param(port=DEBUG_EXIT_PORT):
    return f"anyvm.exit_port={port:#x}"


def with_exit_param(line, port=DEBUG_EXIT_PORT):
    """The kernel command line `line` with anyvm.exit_port=PORT first: so it
    is found even in a line the kernel refuses as malformed, and a port the
    user names later in the line overrides it (the last occurrence counts)."""
    return f"{exit_param(port)} {line}".rstrip()


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
         exit_device=True, icount=None, virtio_mmio_legacy=False):
    """The full QEMU command: boot `kernel` (with `append` as its command line)
    or the ISO `cdrom` on machine type `machine`. exit_device=False leaves
    out isa-debug-exit, as a VMM that carries no status would; with it, the
    kernel's command line gets anyvm.exit_port (for an ISO the caller writes
    with_exit_param(line) into its grub.cfg). icount=N (TCG only) makes the
    guest's clocks count instructions, 2^N ns each (icount_args).
    virtio_mmio_legacy=True keeps QEMU's own default for microvm's
    virtio-mmio devices, the legacy interface (version 1)."""
    cmd = [QEMU, "-M", machine, *accel_args(accel), "-m", str(mem), "-smp", str(cpus), *COMMON]
    if icount is not None:
        if accel != "tcg":
            raise ValueError("-icount needs TCG")
        cmd += icount_args(icount)
    if machine.split(",")[0] == "microvm" and not virtio_mmio_legacy:
        # QEMU 7.2's virtio-mmio devices default to the legacy (version 1)
        # interface; anyvm drives both, and asks for the modern one here
        # because that is what Firecracker always offers.
        cmd += ["-global", "virtio-mmio.force-legacy=false"]
    if exit_device:
        cmd += DEBUG_EXIT
    if kernel is not None:
        cmd += ["-kernel", kernel]
        if exit_device:
            append = with_exit_param(append or "")
        if append:
            cmd += ["-append", append]
    if cdrom is not None:
        cmd += ["-cdrom", cdrom, "-boot", "d"]
    cmd += list(extra)
    return cmd


# Virtio device names per transport (QEMU 7.2 `-device help`): virtio-mmio
# on microvm, modern virtio-pci (each device behind a PCIe root port of its
# own, as on q35), and transitional virtio-pci (the conventional PCI bus of pc).
VIRTIO_DEVICE = {
    "mmio": "virtio-{}-device",
    "pci": "virtio-{}-pci",
    "pci-transitional": "virtio-{}-pci-transitional",
    "pci-legacy": "virtio-{}-pci",
}
# Device properties per transport and device kind ("*": every kind). Legacy
# virtio-pci: the modern capabilities off, only the I/O BAR (QEMU 7.2's
# disable-modern / disable-legacy); the NIC also without ANY_LAYOUT, so the
# driver must give each header a descriptor of its own (virtio 1.2, 5.1).
VIRTIO_PROPS = {
    "pci-legacy": {"*": ["disable-modern=on", "disable-legacy=off"], "net": ["any_layout=off"]},
}


def virtio_args(transport, disks=(), nic=None, rng=False):
    """QEMU arguments for virtio disks (devices.Disk), a NIC on a TAP device
    (devices.Nic, with the virtio-net header so offloads reach the TAP) and
    an entropy source, in that order, on `transport` (a key of VIRTIO_DEVICE)."""
    if transport not in VIRTIO_DEVICE:
        raise ValueError(f"unknown virtio transport {transport!r}: {', '.join(VIRTIO_DEVICE)}")
    name = VIRTIO_DEVICE[transport].format
    count = len(disks) + (nic is not None) + bool(rng)
    ports = [f"rp{i + 1}" for i in range(count)] if transport == "pci" else []
    cmd = []
    for i, port in enumerate(ports):
        cmd += ["-device", f"pcie-root-port,id={port},chassis={i + 1},slot={i + 1}"]
    slots = iter(ports)

    def device(kind, *props):
        on_port = [f"bus={next(slots)}"] if ports else []
        extra = VIRTIO_PROPS.get(transport, {})
        return ["-device", ",".join([name(kind), *on_port, *extra.get("*", []),
                                     *extra.get(kind, []), *props])]

    for i, d in enumerate(disks):
        cache = "readonly=on" if d.readonly else "cache=writeback"
        cmd += ["-drive", f"id=d{i},file={d.path},format=raw,if=none,{cache}"]
        cmd += device("blk", f"drive=d{i}", *([f"serial={d.serial}"] if d.serial else []))
    if nic is not None:
        cmd += ["-netdev", f"tap,id=n0,ifname={nic.tap},script=no,downscript=no,vnet_hdr=on"]
        cmd += device("net", "netdev=n0", f"mac={nic.mac}")
    if rng:
        cmd += device("rng")
    return cmd


def pvscsi_args(disks, targets=None, root_port=False, chassis=10, boot_first=False):
    """QEMU arguments for a VMware PVSCSI controller with `disks`
    (devices.Disk) as scsi-hd devices, disk i at SCSI target targets[i]
    (default i), device id pvscsi-dI (what device_del takes), controller id
    pvscsi0; QEMU's pvscsi offers LUN 0 only. root_port=True puts the
    controller behind a PCIe root port of its own (chassis and slot
    `chassis`), as VMware does (q35 only). boot_first: disk 0 is the
    firmware's boot device (bootindex=0)."""
    targets = list(range(len(disks))) if targets is None else list(targets)
    if len(targets) != len(disks):
        raise ValueError("one target per disk")
    cmd = []
    if root_port:
        cmd += ["-device", f"pcie-root-port,id=scsirp,chassis={chassis},slot={chassis}"]
    cmd += ["-device", "pvscsi,id=pvscsi0" + (",bus=scsirp" if root_port else "")]
    for i, (d, t) in enumerate(zip(disks, targets)):
        cache = "readonly=on" if d.readonly else "cache=writeback"
        cmd += ["-drive", f"id=pvscsidisk{i},file={d.path},format=raw,if=none,{cache}"]
        cmd += ["-device", ",".join([f"scsi-hd,id=pvscsi-d{i},drive=pvscsidisk{i},bus=pvscsi0.0",
                                     f"scsi-id={t},lun=0",
                                     *([f"serial={d.serial}"] if d.serial else []),
                                     *(["bootindex=0"] if boot_first and i == 0 else [])])]
    return cmd


# Emulated Intel NICs the e1000 driver serves (QEMU 7.2 `-device help`):
# model -> whether it is a PCI Express endpoint, placed behind a root port
# of its own on q35 (82574L), or a conventional PCI device (8254x on pc).
# vmxnet3 (drivers/vmxnet3) is both: conventional PCI on pc, a PCIe
# endpoint behind a root port on q35 (nic_args(root_port=True)).
NIC_MODELS = {"e1000": False, "e1000-82545em": False, "e1000e": True, "vmxnet3": False}


def nic_args(model, nic, chassis=9, root_port=None):
    """QEMU arguments for `nic` (devices.Nic) as an emulated `model` (a
    NIC_MODELS key), device id "nic0" (the name `set_link` takes); a PCIe
    model gets a pcie-root-port of its own (chassis and slot `chassis`).
    The TAP has no virtio-net header: QEMU must then finish every checksum
    the guest left to the device before the frame reaches the host, so what
    the host sees is what real hardware would have sent. root_port: True or
    False overrides NIC_MODELS for a model that can be either."""
    if model not in NIC_MODELS:
        raise ValueError(f"unknown NIC model {model!r}: {', '.join(NIC_MODELS)}")
    cmd = ["-netdev", f"tap,id=n0,ifname={nic.tap},script=no,downscript=no,vnet_hdr=off"]
    props = [model, "id=nic0", "netdev=n0", f"mac={nic.mac}"]
    if NIC_MODELS[model] if root_port is None else root_port:
        cmd += ["-device", f"pcie-root-port,id=rpnic,chassis={chassis},slot={chassis}"]
        props.append("bus=rpnic")
    return cmd + ["-device", ",".join(props)]


def qmp_args(path):
    """A QMP server on the unix socket `path` (qmp.py talks to it)."""
    return ["-qmp", f"unix:{path},server=on,wait=off"]


def debug_exit_code(status):
    """The exit code QEMU (and hostsim --exit-port) ends with when the guest
    writes `status` to the exit port: (2N+1) & 0xff."""
    return (2 * status + 1) & 0xFF


def status_from_exit_code(rc):
    """isa-debug-exit: QEMU exits with (2N+1) & 0xff, so an odd code gives N
    modulo 128. 0 is a normal QEMU exit (ACPI power-off); anything else is not
    a debug-exit code."""
    if rc is not None and 0 < rc < 256 and rc % 2 == 1:
        return (rc - 1) // 2
    return None
