"""Boot an image on a target: turn a BootSpec into the VMM command (making
the PVH-only copy or the GRUB ISO it needs in a scratch directory), run it,
and reconcile the guest's exit status. tools/anyvm (prepare: the VMM
command it hands to the native runner), the boot matrix
(tests/boot/test_boot_matrix.py) and bench/bench.py all boot through here."""

import os
import shutil
import tempfile
from dataclasses import dataclass, field

from . import accel as accel_mod
from . import cmdline as cmdline_mod
from . import (bootdisk, efi, esp as esp_mod, hostsim, image, initrd, iso, ovmf, packdir, publish,
               qemu, status, targets, vm)
from .devices import Disk


@dataclass
class BootSpec:
    image: str
    target: str = targets.DEFAULT_TARGET
    accel: str = "auto"
    mem: str = "64M"
    cpus: int = 1
    cmdline: str = None        # kernel parameters; None: the target's default
    args: list = field(default_factory=list)   # the app's arguments
    timeout: float = None      # seconds; None: no limit
    extra: list = field(default_factory=list)  # more VMM arguments, passed as they are
    exit_device: bool = True   # isa-debug-exit (QEMU) / --exit-port (hostsim)
    nic: str = "none"          # "user": a virtio-net NIC on QEMU user networking
    nic_model: str = None      # that NIC as an emulated model (qemu.NIC_MODELS); None: virtio-net
    forwards: list = field(default_factory=list)  # publish.Forward, on that NIC
    initrd: str = None         # a cpio newc archive: the app's file tree (initrd.py)
    disks: list = field(default_factory=list)  # devices.Disk: virtio-blk (QEMU) or hostsim's
    gdb_port: int = None       # QEMU's gdb stub on 127.0.0.1:PORT, the CPU stopped until gdb says
    params: list = field(default_factory=list)  # KEY=VALUE kernel parameters after the others
    tap: object = None         # devices.Nic: a NIC on that TAP device (QEMU's virtio-net or
                               # nic_model; hostsim's virtio-net)


class BootError(Exception):
    """The boot could not be set up (bad option, missing file or tool)."""


def accel_used(target_name, accel="auto"):
    """The accelerator a boot on the target runs on, kvm or tcg: QEMU's as
    accel.resolve decides; hostsim runs on KVM whatever is asked."""
    if targets.get(target_name).vmm == "hostsim":
        return "kvm"
    return accel_mod.resolve(accel)


def kernel_cmdline(spec, target):
    params = target.cmdline if spec.cmdline is None else spec.cmdline
    params = " ".join(p for p in [params, *spec.params] if p)
    return cmdline_mod.compose(params, spec.args)


def qemu_kernel_path_name(kernel, workdir):
    """The path qemu_kernel_path will hand QEMU (without creating it)."""
    if not any(c.isspace() for c in kernel):
        return kernel
    return os.path.join(workdir, "".join("_" if c.isspace() else c
                                         for c in os.path.basename(kernel)))


def qemu_kernel_path(kernel, workdir):
    """A path to `kernel` without blanks for QEMU's -kernel. QEMU's multiboot
    loader puts "<-kernel argument> <-append text>" on the command line (QEMU
    7.2 hw/i386/multiboot.c), and the kernel takes the name to end at the
    first blank; so an image whose path has a blank is passed as a symbolic
    link in the scratch directory."""
    link = qemu_kernel_path_name(kernel, workdir)
    if link == kernel:
        return kernel
    if any(c.isspace() for c in link):
        raise BootError(f"the scratch directory {workdir!r} has a blank in its path, and so would "
                        "the kernel path QEMU writes into the command line; set TMPDIR to a "
                        "directory without blanks")
    os.symlink(kernel, link)
    return link


def prepare(spec, workdir):
    """The VMM command for spec; scratch files go into workdir."""
    try:
        target = targets.get(spec.target)
    except ValueError as e:
        raise BootError(str(e)) from None
    if not os.path.isfile(spec.image):
        raise BootError(f"image {spec.image} not found (build it: make APP=NAME)")
    if spec.initrd is not None:
        try:
            initrd.check(spec.initrd)
        except initrd.InitrdError as e:
            raise BootError(str(e)) from None
    kernel = os.path.abspath(spec.image)
    try:
        line = kernel_cmdline(spec, target)
        # QEMU's multiboot loader writes "<-kernel path> <line>" (qemu_kernel_path)
        prefix = len(qemu_kernel_path_name(kernel, workdir)) + 1 if target.medium == "kernel" else 0
        cmdline_mod.check_limits(line, prefix)
    except cmdline_mod.CmdlineError as e:
        raise BootError(str(e)) from None

    if target.vmm == "hostsim":
        if spec.gdb_port is not None:
            raise BootError(f"target {target.name}: --gdb needs QEMU's gdb stub; hostsim has none "
                            "(use a QEMU target: microvm, pc, q35)")
        if spec.nic == "user" or spec.forwards:
            raise BootError(f"target {target.name}: -p and --nic user need QEMU's user "
                            "networking; hostsim attaches a NIC to a TAP device (--nic tap=NAME)")
        if spec.accel == "tcg":
            raise BootError(f"target {target.name} runs on hostsim, which needs KVM: no --accel tcg")
        if not os.access(hostsim.HOSTSIM, os.X_OK):
            raise BootError(f"{hostsim.HOSTSIM} not found (build it: make hostsim)")
        if spec.nic_model:
            raise BootError(f"target {target.name}: hostsim's NIC is virtio-net (firecracker) or "
                            "netvsc (hyperv); no --nic-model")
        return hostsim.argv(target.machine, target.medium, kernel, line, spec.mem, spec.cpus,
                            spec.timeout, qemu.DEBUG_EXIT_PORT if spec.exit_device else None,
                            initrd=spec.initrd and os.path.abspath(spec.initrd),
                            disks=spec.disks, nic=spec.tap,
                            model_args=target.model_args) + list(spec.extra)

    try:
        acc = accel_mod.resolve(spec.accel)
    except ValueError as e:
        raise BootError(str(e)) from None
    extra = list(spec.extra)
    if spec.gdb_port is not None:
        # QEMU's gdbstub (docs "GDB usage"): -gdb DEV listens, -S holds the
        # CPU until the debugger continues it.
        extra = ["-gdb", f"tcp:127.0.0.1:{spec.gdb_port}", "-S"] + extra
    if spec.initrd is not None and target.medium in ("kernel", "kernel-pvh", "efi-kernel"):
        try:
            extra = ["-initrd", initrd.qemu_path(spec.initrd, workdir)] + extra
        except initrd.InitrdError as e:
            raise BootError(str(e)) from None
    if spec.tap is not None and (spec.nic == "user" or spec.forwards):
        raise BootError("one NIC: --nic tap=NAME, or user networking (--nic user, -p)")
    if target.medium == "vmware-disk":
        return vmware_argv(spec, target, acc, kernel, line, workdir, extra)
    virtio_nic = spec.tap if spec.tap is not None and not spec.nic_model else None
    if spec.disks or virtio_nic is not None:
        kind = target.machine.split(",")[0]
        if kind not in publish.TRANSPORT:
            raise BootError(f"target {target.name}: no virtio transport on -M {kind}")
        extra = qemu.virtio_args(publish.TRANSPORT[kind], spec.disks, virtio_nic) + extra
    if spec.tap is not None and spec.nic_model:
        extra = qemu.nic_args(spec.nic_model, spec.tap) + extra
    if spec.nic_model and not (spec.nic == "user" or spec.forwards or spec.tap is not None):
        raise BootError("a NIC model needs a NIC: --nic user, --nic tap=NAME or -p")
    if spec.nic == "user" or spec.forwards:
        try:
            publish.check_unique(spec.forwards)
            extra = publish.qemu_nic_args(target.machine, spec.forwards,
                                          spec.nic_model) + extra
        except publish.PublishError as e:
            raise BootError(str(e)) from None
    common = dict(machine=target.machine, accel=acc, mem=spec.mem, cpus=spec.cpus,
                  extra=extra, exit_device=spec.exit_device)
    if target.medium == "kernel":
        return qemu.argv(kernel=qemu_kernel_path(kernel, workdir), append=line, **common)
    if target.medium == "kernel-pvh":
        try:
            data = image.blank_multiboot(image.read(kernel))
        except image.ImageError as e:
            raise BootError(f"{spec.image}: {e}") from None
        copy = os.path.join(workdir, "".join("_" if c.isspace() else c
                                             for c in os.path.basename(kernel)))
        with open(copy, "wb") as f:
            f.write(data)
        return qemu.argv(kernel=copy, append=line, **common)
    if target.medium == "iso":
        out = os.path.join(workdir, os.path.splitext(os.path.basename(kernel))[0] + ".iso")
        if spec.exit_device:
            line = qemu.with_exit_param(line)
        try:
            iso.pack(kernel, out, line, initrd=spec.initrd)
        except (RuntimeError, cmdline_mod.CmdlineError) as e:
            raise BootError(str(e)) from None
        return qemu.argv(cdrom=out, **common)
    if target.medium in EFI_MEDIA:
        return efi_argv(spec, target, kernel, line, workdir, common)
    raise BootError(f"target {target.name}: unknown medium {target.medium!r}")


VMWARE_NICS = ("vmxnet3", "e1000e")


def vmware_argv(spec, target, acc, kernel, line, workdir, extra):
    """QEMU -M q35 laid out as a VMware VM (the .vmx `anyvm pack vmware`
    writes): the BIOS GRUB disk that pack makes, as PVSCSI target 0 and the
    boot device, the --disk files as targets 1..; the NIC (user networking,
    -p or a TAP) vmxnet3 unless --nic-model e1000e; controller and NIC each
    behind a PCIe root port of its own. SeaBIOS boots from PVSCSI."""
    model = spec.nic_model or "vmxnet3"
    if model not in VMWARE_NICS:
        raise BootError(f"target {target.name}: a VMware VM's NIC is {' or '.join(VMWARE_NICS)}, "
                        f"not {model}")
    if spec.exit_device:
        line = qemu.with_exit_param(line)
    disk = os.path.join(workdir, "boot.raw")
    try:
        _, cfg = bootdisk.check(kernel, line, spec.initrd)
        bootdisk.write(kernel, disk, cfg, spec.initrd)
    except (packdir.PackError, cmdline_mod.CmdlineError, initrd.InitrdError,
            RuntimeError) as e:
        raise BootError(str(e)) from None
    disks = [Disk(disk, readonly=True)] + list(spec.disks)
    extra = qemu.pvscsi_args(disks, root_port=True, boot_first=True) + extra
    if spec.tap is not None and (spec.nic == "user" or spec.forwards):
        raise BootError("one NIC: --nic tap=NAME, or user networking (--nic user, -p)")
    if spec.tap is not None:
        extra = qemu.nic_args(model, spec.tap, root_port=True) + extra
    elif spec.nic == "user" or spec.forwards:
        try:
            publish.check_unique(spec.forwards)
            extra = publish.qemu_nic_args(target.machine, spec.forwards, model,
                                          root_port=True) + extra
        except publish.PublishError as e:
            raise BootError(str(e)) from None
    return qemu.argv(machine=target.machine, accel=acc, mem=spec.mem, cpus=spec.cpus,
                     extra=extra, exit_device=spec.exit_device)


EFI_MEDIA = ("efi-kernel", "efi-esp", "efi-disk")


def efi_argv(spec, target, kernel, line, workdir, common):
    """QEMU with OVMF booting the .efi beside the image (docs/uefi.md):
    efi-kernel through -kernel (QEMU's Linux loader hands it to OVMF, the
    command line arrives as load options, -initrd through LoadFile2);
    efi-esp from a directory QEMU presents as a FAT disk (vvfat), the
    command line written into the image's .cmdline section, as `anyvm pack
    efi` does; efi-disk from the GPT disk `anyvm pack efi` writes, on
    virtio-blk. On the last two the initrd is a file beside the .efi that
    an initrd= parameter names."""
    try:
        path = efi.image_for(kernel)
        data = efi.read(path)
        efi.sections(data)
        common = dict(common, extra=ovmf.pflash_args(workdir) + common["extra"])
    except efi.EfiError as e:
        raise BootError(f"{e} (build it: make build/NAME.efi)") from None
    except ovmf.OvmfError as e:
        raise BootError(str(e)) from None
    if target.medium == "efi-kernel":
        # OVMF's loader for -kernel offers -initrd through LoadFile2
        # (boot/efi/efi_initrd.c)
        return qemu.argv(kernel=qemu_kernel_path(path, workdir), append=line, **common)
    if spec.exit_device:
        line = qemu.with_exit_param(line)
    if target.medium == "efi-disk":
        disk = os.path.join(workdir, "esp.img")
        try:
            esp_mod.pack(path, disk, line, initrd=spec.initrd)
        except (efi.EfiError, esp_mod.EspError) as e:
            raise BootError(str(e)) from None
        return qemu.argv(extra=common.pop("extra") +
                         ["-drive", f"file={disk.replace(',', ',,')},format=raw,if=virtio"],
                         **common)
    esp = os.path.join(workdir, "esp")
    os.makedirs(os.path.join(esp, "EFI", "BOOT"))
    if spec.initrd is not None:
        shutil.copyfile(spec.initrd, os.path.join(esp, *esp_mod.INITRD_PATH.split("/")))
        line = esp_mod.with_initrd_param(line)
    try:
        boot = efi.with_cmdline(data, line)
    except efi.EfiError as e:
        raise BootError(f"{path}: {e}") from None
    with open(os.path.join(esp, "EFI", "BOOT", "BOOTX64.EFI"), "wb") as f:
        f.write(boot)
    if "," in esp:
        raise BootError(f"the scratch directory {workdir!r} has a comma in its path, which QEMU's "
                        "-drive cannot take; set TMPDIR to another directory")
    return qemu.argv(extra=common.pop("extra") + ["-drive", f"file=fat:rw:{esp},format=raw"],
                     **common)


def boot(spec):
    """Boot spec to its end: (vm.RunResult, status.Outcome). Raises BootError.
    (The boot matrix and the bench boot so; `anyvm run` plans with prepare
    and hands the run to the native runner, tools/anyvm_lib/runplan.py.)"""
    with tempfile.TemporaryDirectory(prefix="anyvm-run-") as workdir:
        argv = prepare(spec, workdir)
        # hostsim stops itself at --timeout; allow it a moment before killing it.
        limit = spec.timeout
        if limit and targets.get(spec.target).vmm == "hostsim":
            limit += 10
        try:
            res = vm.run(argv, timeout=limit)
        except RuntimeError as e:
            raise BootError(str(e)) from None
    res.timeout = spec.timeout
    if targets.get(spec.target).vmm == "hostsim" and res.rc == hostsim.EXIT_TIMEOUT:
        res.timed_out = True     # hostsim gave up at its own --timeout
    return res, status.outcome(res, spec.exit_device)
