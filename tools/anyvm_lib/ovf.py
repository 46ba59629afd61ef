"""The OVF package: the descriptor (.ovf), its manifest (.mf) and the
single-file form, the OVA.

Element and attribute names are DMTF DSP0243 (Open Virtualization Format
1.1.0): an Envelope with References (one File per disk file), a
DiskSection (capacity in bytes), a NetworkSection and one VirtualSystem
whose VirtualHardwareSection lists Items of CIM_ResourceAllocationSettingData
(DSP0243, "Virtual hardware description", and the RASD schema, whose
elements come in alphabetical order). ResourceType values are CIM's: 3
processor, 4 memory, 6 parallel SCSI HBA, 10 Ethernet adapter, 17 disk
drive, 21 serial port. VMware's names (its govmomi library,
ovf/configspec.go, which turns an OVF into a VM): ResourceSubType
"VirtualSCSI" is PVSCSI, "VmxNet3" the vmxnet3 NIC,
"vmware.serialport.file" a serial port written to a file, and the
hardware section's vmw:Config key "firmware". The serial port's file name
as vmw:Config "backing.fileName" is how other public OVF writers spell it,
not a VMware document; govmomi's importer skips serial ports, and what
ESXi does with the name is not verified here.

The manifest has one line per file, "SHA256(NAME)= HEX": DSP0243's form
("SHA1(package.ovf)= ...", under "OVF package structure") with SHA-256,
as VMware's ovftool writes it when asked (--shaAlgorithm); that vSphere
checks SHA-256 lines is not verified here. The OVA is a USTAR archive
whose first member is the descriptor; the other files follow in the order
of References, and the manifest comes last (DSP0243, "Distribution as a
single file": manifest and certificate either right after the descriptor
or both at the end)."""

import hashlib
import io
import os
import tarfile
import xml.etree.ElementTree as ET

NS = {
    "ovf": "http://schemas.dmtf.org/ovf/envelope/1",
    "rasd": "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData",
    "vssd": "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData",
    "vmw": "http://www.vmware.com/schema/ovf",
}
STREAM_OPTIMIZED = "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"
NETWORK = "VM Network"      # the port group every ESXi host starts with
# CIM_OperatingSystem.OSType 102, "Other 64-Bit"; VMware's guest ID for it.
OS_CIM_ID, OS_VMWARE = "102", "otherGuest64"
RESOURCE = {"cpu": 3, "memory": 4, "scsi": 6, "ethernet": 10, "disk": 17, "serial": 21}

for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


class OvfError(RuntimeError):
    pass


def _q(prefix, name):
    return f"{{{NS[prefix]}}}{name}"


def _sub(parent, prefix, name, text=None, **attrs):
    e = ET.SubElement(parent, _q(prefix, name),
                      {(_q(*k.split("_", 1)) if "_" in k else k): str(v) for k, v in attrs.items()})
    if text is not None:
        e.text = str(text)
    return e


def _item(hw, rasd, configs=(), required=True):
    """A hardware Item: its RASD elements in alphabetical order, as the
    CIM schema's sequence has them, then VMware's vmw:Config entries."""
    item = _sub(hw, "ovf", "Item", **({} if required else {"ovf_required": "false"}))
    for name in sorted(rasd):
        _sub(item, "rasd", name, rasd[name])
    for key, value in configs:
        _sub(item, "vmw", "Config", ovf_required="false", vmw_key=key, vmw_value=value)
    return item


def descriptor(name, disk_file, disk_file_size, capacity, mem_mib, cpus, serial_log,
               hw_version, firmware="bios"):
    """The OVF descriptor as UTF-8 bytes."""
    env = ET.Element(_q("ovf", "Envelope"))
    refs = _sub(env, "ovf", "References")
    _sub(refs, "ovf", "File", ovf_id="file1", ovf_href=disk_file, ovf_size=disk_file_size)

    disks = _sub(env, "ovf", "DiskSection")
    _sub(disks, "ovf", "Info", "The virtual disk")
    _sub(disks, "ovf", "Disk", ovf_diskId="vmdisk1", ovf_fileRef="file1", ovf_capacity=capacity,
         ovf_capacityAllocationUnits="byte", ovf_format=STREAM_OPTIMIZED)

    nets = _sub(env, "ovf", "NetworkSection")
    _sub(nets, "ovf", "Info", "The network the NIC is attached to")
    net = _sub(nets, "ovf", "Network", ovf_name=NETWORK)
    _sub(net, "ovf", "Description", f"The {NETWORK} network")

    vs = _sub(env, "ovf", "VirtualSystem", ovf_id=name)
    _sub(vs, "ovf", "Info", f"anyvm image {name}")
    _sub(vs, "ovf", "Name", name)
    os_sec = _sub(vs, "ovf", "OperatingSystemSection", ovf_id=OS_CIM_ID, vmw_osType=OS_VMWARE)
    _sub(os_sec, "ovf", "Info", "Other 64-bit")

    hw = _sub(vs, "ovf", "VirtualHardwareSection")
    _sub(hw, "ovf", "Info", "Virtual hardware: PVSCSI disk, vmxnet3 NIC, COM1 to a file, BIOS")
    system = _sub(hw, "ovf", "System")
    # The VSSD elements, also alphabetical.
    _sub(system, "vssd", "ElementName", "Virtual Hardware Family")
    _sub(system, "vssd", "InstanceID", 0)
    _sub(system, "vssd", "VirtualSystemIdentifier", name)
    _sub(system, "vssd", "VirtualSystemType", f"vmx-{hw_version:02d}")

    _item(hw, {"AllocationUnits": "hertz * 10^6", "ElementName": f"{cpus} virtual CPU(s)",
               "InstanceID": 1, "ResourceType": RESOURCE["cpu"], "VirtualQuantity": cpus})
    _item(hw, {"AllocationUnits": "byte * 2^20", "ElementName": f"{mem_mib} MB of memory",
               "InstanceID": 2, "ResourceType": RESOURCE["memory"], "VirtualQuantity": mem_mib})
    _item(hw, {"Address": 0, "ElementName": "SCSI controller 0", "InstanceID": 3,
               "ResourceSubType": "VirtualSCSI", "ResourceType": RESOURCE["scsi"]})
    _item(hw, {"AddressOnParent": 0, "ElementName": "Hard disk 1",
               "HostResource": "ovf:/disk/vmdisk1", "InstanceID": 4, "Parent": 3,
               "ResourceType": RESOURCE["disk"]})
    _item(hw, {"AutomaticAllocation": "true", "Connection": NETWORK, "ElementName": "ethernet0",
               "InstanceID": 5, "ResourceSubType": "VmxNet3", "ResourceType": RESOURCE["ethernet"]})
    # Not required: a host that cannot place the log file still deploys the VM.
    _item(hw, {"AutomaticAllocation": "true", "ElementName": "serial0", "InstanceID": 6,
               "ResourceSubType": "vmware.serialport.file", "ResourceType": RESOURCE["serial"]},
          configs=[("backing.fileName", serial_log)], required=False)
    _sub(hw, "vmw", "Config", ovf_required="false", vmw_key="firmware", vmw_value=firmware)

    ET.indent(env)
    return ET.tostring(env, encoding="UTF-8", xml_declaration=True) + b"\n"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest(paths):
    """The manifest's text for the files `paths` (named by base name)."""
    return "".join(f"SHA256({os.path.basename(p)})= {sha256_file(p)}\n" for p in paths)


def write_ova(out, members):
    """A USTAR archive `out` of the files `members`, in that order, each
    under its base name, owned by root, mode 0644."""
    with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as tar:
        for path in members:
            info = tar.gettarinfo(path, arcname=os.path.basename(path))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mode = 0o644
            with open(path, "rb") as f:
                tar.addfile(info, f)


def references(data):
    """A descriptor's References as {file id: (href, size)} and its disks
    as [(diskId, fileRef, capacity in bytes)]. Raises OvfError."""
    try:
        root = ET.parse(io.BytesIO(data)).getroot()
    except ET.ParseError as e:
        raise OvfError(f"the descriptor is not well-formed XML: {e}") from None
    if root.tag != _q("ovf", "Envelope"):
        raise OvfError(f"the descriptor's root is {root.tag}, not an OVF 1.x Envelope")
    try:
        files = {f.get(_q("ovf", "id")): (f.get(_q("ovf", "href")), int(f.get(_q("ovf", "size"))))
                 for f in root.iterfind("ovf:References/ovf:File", NS)}
        disks = []
        for d in root.iterfind("ovf:DiskSection/ovf:Disk", NS):
            if d.get(_q("ovf", "capacityAllocationUnits"), "byte") != "byte":
                raise OvfError("a disk's capacity is not in bytes")
            disks.append((d.get(_q("ovf", "diskId")), d.get(_q("ovf", "fileRef")),
                          int(d.get(_q("ovf", "capacity")))))
    except (TypeError, ValueError) as e:
        if isinstance(e, OvfError):
            raise
        raise OvfError(f"a File size or Disk capacity is missing or not a number: {e}") from None
    return files, disks


def check_package(ovf_path, capacity):
    """What pack wrote, read back: each disk's file is a File of References,
    which exists beside the descriptor with the size it states, and the
    disk's capacity is `capacity` bytes. Raises OvfError."""
    with open(ovf_path, "rb") as f:
        files, disks = references(f.read())
    if not disks:
        raise OvfError(f"{ovf_path}: no disk")
    where = os.path.dirname(os.path.abspath(ovf_path))
    for disk_id, file_ref, cap in disks:
        if file_ref not in files:
            raise OvfError(f"{ovf_path}: disk {disk_id} names file {file_ref}, not in References")
        if cap != capacity:
            raise OvfError(f"{ovf_path}: disk {disk_id} has capacity {cap}, the disk {capacity}")
    for href, size in files.values():
        path = os.path.join(where, href)
        if not os.path.isfile(path):
            raise OvfError(f"{ovf_path}: references {href}, which is not beside it")
        if os.path.getsize(path) != size:
            raise OvfError(f"{ovf_path}: {href} is {os.path.getsize(path)} bytes, "
                           f"the descriptor says {size}")
