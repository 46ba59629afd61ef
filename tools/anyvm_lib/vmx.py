"""The .vmx file for VMware Workstation and Fusion (and ESXi, registered
from a datastore): one VM with the disk on a PVSCSI controller, a vmxnet3
NIC behind a PCI Express root port, COM1 written to a file, BIOS firmware
(or EFI: `firmware = "efi"`, the key Packer's builder writes for it).

Key names and values: libvirt's VMX mapping (libvirt src/vmx/vmx.c, its
header comment: `memsize` "must be a multiple of 4", `numvcpus` "must be 1
or a multiple of 2", `serial0.fileType = "file"` with `serial0.fileName`),
the serial keys of VMware's GSX Server 3 administration guide, and the keys
HashiCorp's VMware builder writes (packer-plugin-vmware,
builder/vmware/iso/step_create_vmx.go: `firmware`, `scsi0.virtualDev`,
`ethernet0.virtualDev`, `pciBridge4.virtualDev = "pcieRootPort"`). VMware
lays out pciBridge4-7 as PCI Express root ports (8 functions each) and puts
vmxnet3 and PVSCSI behind them; the slots are left for VMware to assign.
Not checked against a VMware product here (none runs on the project's
machines): guestOS "other-64" (Other 64-bit; the vSphere API's name is
otherGuest64) and that a missing `firmware` would mean BIOS (so it is
written out)."""

# Virtual hardware version 11: Workstation 11 and ESXi 6.0 and later run
# it (VMware's list of hardware versions); PVSCSI, vmxnet3 and PCIe root
# ports came with version 7.
HW_VERSION = 11
GUEST_OS = "other-64"
ROOT_PORTS = (4, 5, 6, 7)


def check_memory(mib):
    if mib < 4 or mib % 4:
        raise ValueError(f"memsize {mib} MiB: VMware takes a multiple of 4 MiB")


def check_cpus(cpus):
    if cpus < 1 or (cpus != 1 and cpus % 2):
        raise ValueError(f"{cpus} vCPUs: VMware takes 1 or a multiple of 2")


def quote(value):
    text = str(value)
    if any(c in text for c in '"\n\r') or any(ord(c) < 0x20 for c in text):
        raise ValueError(f"{text!r} cannot be written as a .vmx value")
    return f'"{text}"'


FIRMWARE = ("bios", "efi")


def entries(name, disk, serial_log, mem_mib, cpus, firmware="bios"):
    """The .vmx as (key, value) pairs, in the order written."""
    check_memory(mem_mib)
    check_cpus(cpus)
    if firmware not in FIRMWARE:
        raise ValueError(f"firmware {firmware!r}: bios or efi")
    out = [
        (".encoding", "UTF-8"),
        ("config.version", "8"),
        ("virtualHW.version", str(HW_VERSION)),
        ("displayName", name),
        ("guestOS", GUEST_OS),
        ("firmware", firmware),
        ("memsize", str(mem_mib)),
        ("numvcpus", str(cpus)),
        ("pciBridge0.present", "TRUE"),
    ]
    for n in ROOT_PORTS:
        out += [(f"pciBridge{n}.present", "TRUE"),
                (f"pciBridge{n}.virtualDev", "pcieRootPort"),
                (f"pciBridge{n}.functions", "8")]
    out += [
        ("scsi0.present", "TRUE"),
        ("scsi0.virtualDev", "pvscsi"),
        ("scsi0:0.present", "TRUE"),
        ("scsi0:0.fileName", disk),
        ("ethernet0.present", "TRUE"),
        ("ethernet0.virtualDev", "vmxnet3"),
        ("ethernet0.addressType", "generated"),
        # Workstation and Fusion attach the NIC by connection type; ESXi by
        # the port group's name. Each ignores the other's key.
        ("ethernet0.connectionType", "nat"),
        ("ethernet0.networkName", "VM Network"),
        ("serial0.present", "TRUE"),
        ("serial0.fileType", "file"),
        ("serial0.fileName", serial_log),
        # VMware's "Yield CPU on poll" setting, for a guest that drives the
        # port by polling its status, as the kernel's console does.
        ("serial0.yieldOnMsrRead", "TRUE"),
    ]
    return out


def text(name, disk, serial_log, mem_mib, cpus, firmware="bios"):
    return "".join(f"{k} = {quote(v)}\n"
                   for k, v in entries(name, disk, serial_log, mem_mib, cpus, firmware))

