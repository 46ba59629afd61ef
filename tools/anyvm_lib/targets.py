"""The targets `anyvm run` knows, as data. A target says which VMM boots the
image (QEMU or hostsim), on which machine, from which medium, and the kernel
command line it gets when the user gives none. Adding a target (UEFI, a
VMware or Hyper-V host) is a row here plus, for a new medium, a case in
launch.py."""

from dataclasses import dataclass

# The kernel parameters a VMM typically adds; the kernel notes and tolerates them.
QEMU_CMDLINE = "console=ttyS0"
FIRECRACKER_CMDLINE = "console=ttyS0 reboot=k panic=1"   # Firecracker appends pci=off


@dataclass(frozen=True)
class Target:
    name: str
    vmm: str          # "qemu" or "hostsim"
    machine: str      # QEMU -M value, or the hostsim machine model
    medium: str       # qemu: "kernel", "kernel-pvh", "iso", "vmware-disk", "efi-*";
                      # hostsim: boot mode "pvh", "linux"
    cmdline: str      # default kernel command line
    about: str
    model_args: tuple = ()   # hostsim: the machine model's own options


TARGETS = {t.name: t for t in (
    Target("microvm", "qemu", "microvm", "kernel", QEMU_CMDLINE,
           "QEMU -M microvm, -kernel (multiboot: QEMU tries it before PVH)"),
    Target("microvm-pvh", "qemu", "microvm", "kernel-pvh", QEMU_CMDLINE,
           "QEMU -M microvm, -kernel of a copy with the multiboot magic blanked (QEMU's PVH loader)"),
    Target("microvm-noacpi", "qemu", "microvm,acpi=off", "kernel", QEMU_CMDLINE,
           "QEMU -M microvm,acpi=off: no ACPI tables (legacy PIC, virtio-mmio on the command line)"),
    Target("pc", "qemu", "pc", "kernel", QEMU_CMDLINE,
           "QEMU -M pc (i440FX, SeaBIOS), -kernel (multiboot)"),
    Target("q35", "qemu", "q35", "kernel", QEMU_CMDLINE,
           "QEMU -M q35 (ICH9, PCIe, SeaBIOS), -kernel (multiboot)"),
    Target("iso", "qemu", "pc", "iso", QEMU_CMDLINE,
           "a GRUB (BIOS) ISO booted with -cdrom on QEMU -M pc: the Hyper-V Gen1 / VMware medium"),
    Target("q35-uefi", "qemu", "q35", "efi-kernel", QEMU_CMDLINE,
           "QEMU -M q35 with OVMF (UEFI), -kernel of the .efi beside the image"),
    Target("q35-uefi-esp", "qemu", "q35", "efi-esp", QEMU_CMDLINE,
           "QEMU -M q35 with OVMF (UEFI), the .efi as \\EFI\\BOOT\\BOOTX64.EFI on a FAT directory"),
    Target("q35-uefi-disk", "qemu", "q35", "efi-disk", QEMU_CMDLINE,
           "QEMU -M q35 with OVMF (UEFI), the GPT disk of anyvm pack efi on virtio-blk"),
    Target("vmware-qemu", "qemu", "q35", "vmware-disk", QEMU_CMDLINE,
           "VMware's devices on QEMU -M q35: the BIOS GRUB disk of anyvm pack vmware on PVSCSI, "
           "--disk on PVSCSI, the NIC vmxnet3, each behind a PCIe root port"),
    Target("hyperv", "hostsim", "hyperv", "pvh", QEMU_CMDLINE,
           "build/hostsim's Hyper-V host, generation 1 (Hyper-V CPUID, SynIC, VMBus and its "
           "integration services; PVH boot)"),
    Target("hyperv-gen2", "hostsim", "hyperv", "pvh", QEMU_CMDLINE,
           "build/hostsim's Hyper-V host, generation 2 (no PIT, no PIC, no legacy PCI)",
           model_args=("--gen", "2")),
    Target("firecracker", "hostsim", "firecracker", "pvh", FIRECRACKER_CMDLINE,
           "build/hostsim's Firecracker contract, PVH boot (Firecracker 1.12 and later)"),
    Target("firecracker-linux", "hostsim", "firecracker", "linux", FIRECRACKER_CMDLINE,
           "build/hostsim's Firecracker contract, Linux 64-bit boot (older Firecracker)"),
)}

DEFAULT_TARGET = "microvm"


def get(name):
    try:
        return TARGETS[name]
    except KeyError:
        raise ValueError(f"unknown target {name!r}; targets: {', '.join(TARGETS)}") from None
