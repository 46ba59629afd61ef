"""VMs with devices: virtio disks, a NIC on a TAP device and an entropy
source, on each VMM and transport the kernel drives. A Setup names one such
layout; argv() turns it into the VMM command, built by qemu.py or
hostsim.py like every other boot. The device tests and `make bench` share
these layouts."""

import os
from dataclasses import dataclass

from . import cmdline as cmdline_mod
from . import accel as accel_mod
from . import hostsim, image, qemu, targets


@dataclass(frozen=True)
class Disk:
    path: str
    readonly: bool = False
    serial: str = None       # QEMU: the virtio-blk serial; hostsim has none


@dataclass(frozen=True)
class Nic:
    tap: str                 # a TAP device the VMM opens (it must exist)
    mac: str


@dataclass(frozen=True)
class Setup:
    name: str
    vmm: str                 # "qemu" or "hostsim"
    machine: str             # QEMU -M value, or the hostsim machine model
    transport: str           # qemu.VIRTIO_DEVICE key; hostsim: "mmio"
    about: str
    pvh: bool = False        # QEMU: boot a copy with the multiboot magic blanked (PVH loader)
    rng: bool = True         # a virtio-rng device (hostsim has none)
    virtio_mmio_legacy: bool = False  # QEMU microvm: its own default, the legacy interface
    nic_model: str = None    # QEMU: an emulated NIC (qemu.NIC_MODELS) instead of virtio-net
    nic_root_port: bool = None  # QEMU: that NIC behind a PCIe root port or not (None: its kind)
    disk_controller: str = None  # QEMU: "pvscsi" puts the disks on a PVSCSI controller


SETUPS = {s.name: s for s in (
    Setup("microvm", "qemu", "microvm", "mmio",
          "QEMU microvm: virtio-mmio devices described by the ACPI DSDT"),
    Setup("microvm-noacpi", "qemu", "microvm,acpi=off", "mmio",
          "QEMU microvm without ACPI: virtio-mmio devices from virtio_mmio.device= on the "
          "command line (QEMU appends them only on its PVH path, not multiboot)", pvh=True),
    Setup("q35", "qemu", "q35", "pci", "QEMU q35: modern virtio-pci behind PCIe root ports"),
    Setup("pc", "qemu", "pc", "pci-transitional",
          "QEMU pc: transitional virtio-pci on the conventional PCI bus"),
    Setup("microvm-legacy", "qemu", "microvm", "mmio",
          "QEMU microvm with its default virtio-mmio devices: the legacy interface (version 1)",
          virtio_mmio_legacy=True),
    Setup("pc-legacy", "qemu", "pc", "pci-legacy",
          "QEMU pc: legacy-only virtio-pci (disable-modern=on): the I/O BAR"),
    Setup("pc-e1000", "qemu", "pc", "pci-transitional",
          "QEMU pc: an Intel 82540EM (e1000) NIC, virtio disks", nic_model="e1000"),
    Setup("pc-e1000-82545em", "qemu", "pc", "pci-transitional",
          "QEMU pc: an Intel 82545EM (e1000-82545em) NIC, virtio disks",
          nic_model="e1000-82545em"),
    Setup("q35-e1000e", "qemu", "q35", "pci",
          "QEMU q35: an Intel 82574L (e1000e) NIC behind a PCIe root port, virtio disks",
          nic_model="e1000e"),
    Setup("vmxnet3-pc", "qemu", "pc", "pci-transitional",
          "QEMU pc: vmxnet3 on the conventional PCI bus", rng=False, nic_model="vmxnet3"),
    Setup("vmxnet3-q35", "qemu", "q35", "pci",
          "QEMU q35: vmxnet3 behind a PCIe root port, as VMware places it", rng=False,
          nic_model="vmxnet3", nic_root_port=True),
    Setup("vmware-q35", "qemu", "q35", "pci",
          "QEMU q35 in VMware's layout: vmxnet3 and a PVSCSI controller with the disks, each "
          "behind a PCIe root port", rng=False, nic_model="vmxnet3", nic_root_port=True,
          disk_controller="pvscsi"),
    Setup("hostsim", "hostsim", "firecracker", "mmio",
          "build/hostsim: Firecracker's virtio-mmio layout (command-line discovery)", rng=False),
    Setup("hostsim-hyperv", "hostsim", "hyperv", "vmbus",
          "build/hostsim's Hyper-V host: the disks on its synthetic SCSI controller (storvsc), "
          "the NIC its synthetic NIC (netvsc)", rng=False),
)}


def argv(setup, kernel, app_args, workdir, disks=(), nic=None, params="", mem="64M",
         accel="auto", timeout=None, misbehave=None, qmp=None):
    """The VMM command that boots `kernel` with `disks` and `nic` in `setup`
    (a SETUPS key), the target's usual kernel parameters plus `params`, and
    `app_args` (a list) for the app. A PVH copy of the kernel goes into
    `workdir`. timeout: hostsim's own --timeout (QEMU has none: the caller
    kills it). misbehave: hostsim --misbehave KIND."""
    s = SETUPS[setup]
    if s.vmm == "hostsim":
        # hostsim appends pci=off and the virtio_mmio.device= entries itself,
        # as Firecracker does.
        line = cmdline_mod.compose(join(targets.FIRECRACKER_CMDLINE, params), app_args)
        return hostsim.argv(s.machine, "pvh", kernel, line, mem, 1, timeout, disks=disks,
                            nic=nic, misbehave=misbehave)
    if misbehave:
        raise ValueError("misbehaving devices are hostsim's")
    if s.pvh:
        copy = os.path.join(workdir, "pvh-" + os.path.basename(kernel))
        with open(copy, "wb") as f:
            f.write(image.blank_multiboot(image.read(kernel)))
        kernel = copy
    line = cmdline_mod.compose(join(targets.QEMU_CMDLINE, params), app_args)
    virtio_disks = () if s.disk_controller else disks
    if s.nic_model and nic is not None:
        extra = qemu.virtio_args(s.transport, virtio_disks, None, s.rng) + \
            qemu.nic_args(s.nic_model, nic, root_port=s.nic_root_port)
    else:
        extra = qemu.virtio_args(s.transport, virtio_disks, nic, s.rng)
    if s.disk_controller == "pvscsi" and disks:
        extra += qemu.pvscsi_args(list(disks), root_port=s.machine.startswith("q35"))
    if qmp:
        extra += qemu.qmp_args(qmp)
    return qemu.argv(s.machine, accel_mod.resolve(accel), mem, 1, kernel=kernel, append=line,
                     extra=extra, virtio_mmio_legacy=s.virtio_mmio_legacy)


def join(*params):
    return " ".join(p for p in params if p)
