"""`anyvm pack vmware` (tools/anyvm_lib/vmware.py and the modules it uses):
the files it writes, read back with other tools than the ones that wrote
them (sfdisk --json, mtools, fsck.fat, qemu-img info and compare, an XML
parser, tarfile and hashlib), the inputs it refuses before writing
anything, and the packed VMDK booted on QEMU from a PVSCSI disk with the
kernel's real serial output checked."""

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from anyvm_lib.serial_expect import lines_in_order
from anyvm_lib import (BUILD, ROOT, biosdisk, cmdline, image, initrd, iso, ovf, qemu, status,
                       vm, vmware, vmx)

ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(BUILD, "hello.elf")
ARGS = ["one", "two words"]
LINE = 'console=ttyS0 -- one "two words"'
MIB = 1 << 20
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
VMW = "http://www.vmware.com/schema/ovf"


def needs_tools():
    missing = biosdisk.missing_tools() + \
        [p for t, p in [("qemu-img", "qemu-utils"), ("fsck.fat", "dosfstools"),
                        ("mdir", "mtools"), ("sfdisk", "fdisk")] if not which(t)]
    if missing:
        pytest.skip(f"missing Debian packages {', '.join(sorted(set(missing)))} (make setup)")
    if not os.path.isfile(HELLO):
        pytest.fail(f"{HELLO} not built (make apps)", pytrace=False)


def which(tool):
    """The tool's path, looked up in /usr/sbin and /sbin too (sfdisk and
    fsck.fat live there, off an ordinary user's PATH on Debian)."""
    for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin", "/sbin"]:
        if d and os.access(os.path.join(d, tool), os.X_OK):
            return os.path.join(d, tool)
    return None


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def packed():
    """hello.elf packed once, with two arguments and an initrd, in a
    temporary folder removed after the module's tests:
    {"dir", "initrd", role: path}."""
    needs_tools()
    top = tempfile.mkdtemp(prefix="anyvm-test-")
    try:
        tree = os.path.join(top, "tree")
        os.mkdir(tree)
        with open(os.path.join(tree, "greeting.txt"), "w") as f:
            f.write("from the initrd\n")
        cpio = os.path.join(top, "files.cpio")
        initrd.pack(tree, cpio)
        out = os.path.join(top, "out")
        p = run([ANYVM, "pack", "vmware", HELLO, "-o", out, "--initrd", cpio, "--", *ARGS])
        assert p.returncode == 0, p.stderr
        progress = [ln for ln in p.stderr.splitlines() if ln.startswith("anyvm: ")]
        assert any("boot disk" in ln for ln in progress)
        assert any("hello.ova" in ln for ln in progress)
        files = {role: os.path.join(out, name) for role, name in vmware.files("hello").items()}
        yield dict(files, dir=out, initrd=cpio)
    finally:
        shutil.rmtree(top, ignore_errors=True)


# ---- the raw disk ----

def test_only_the_named_files_are_left(packed):
    names = set(os.listdir(packed["dir"]))
    assert names == {os.path.basename(packed[r]) for r in
                     ("raw", "vmdk", "vmx", "stream", "ovf", "mf", "ova")}


def test_partition_table(packed):
    size = os.path.getsize(packed["raw"])
    assert size % MIB == 0 and size >= 8 * MIB
    table = json.loads(run([which("sfdisk"), "--json", packed["raw"]]).stdout)["partitiontable"]
    assert table["label"] == "dos" and table["sectorsize"] == 512
    (part,) = table["partitions"]
    assert part["start"] == 2048                       # 1 MiB: the gap GRUB's core sits in
    assert part["start"] + part["size"] == size // 512
    assert part["type"] == "e" and part["bootable"] is True


def test_mbr_is_boot_img_with_the_setup_fields(packed):
    with open(packed["raw"], "rb") as f:
        mbr, first_core = f.read(512), f.read(512)
    with open("/usr/lib/grub/i386-pc/boot.img", "rb") as f:
        boot = f.read()
    with open("/usr/lib/grub/i386-pc/diskboot.img", "rb") as f:
        diskboot = f.read()
    assert struct.unpack_from("<Q", mbr, 0x5C)[0] == 1          # core image at LBA 1
    assert mbr[0x64] == 0xFF                                     # the BIOS's boot drive
    assert mbr[0x66:0x68] == b"\x90\x90"                         # hard-disk DL check on
    changed = [i for i in range(0x1B8) if mbr[i] != boot[i]]
    assert all(0x5C <= i < 0x65 or i in (0x66, 0x67) for i in changed), changed
    assert mbr[510:512] == b"\x55\xaa"
    # the core image starts with diskboot.img, whose block list reads the rest
    assert first_core[:0x1F4] == diskboot[:0x1F4]
    start, length, segment = struct.unpack_from("<QHH", first_core, 0x1F4)
    assert (start, segment) == (2, 0x820) and 1 <= length < 2046


def mtools(cmd, packed, *args):
    return run([cmd, "-i", f"{packed['raw']}@@{MIB}", *args],
               env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))


def test_fat_contents(packed, scratch):
    listing = mtools("mdir", packed, "-/", "-b", "::").stdout.split()
    assert sorted(x.lower() for x in listing) == \
        ["::/boot/", "::/boot/anyvm.elf", "::/boot/grub/", "::/boot/grub/grub.cfg",
         "::/boot/initrd.cpio"]
    cfg = mtools("mtype", packed, "::/boot/grub/grub.cfg").stdout
    assert cfg.splitlines() == [
        "serial --unit=0 --speed=115200", "terminal_input serial", "terminal_output serial",
        "set timeout=0", f"multiboot /boot/anyvm.elf {LINE}", "module /boot/initrd.cpio", "boot",
        f'echo "{iso.FAILED}"', "halt"]
    for inside, original in [("::/boot/anyvm.elf", HELLO),
                             ("::/boot/initrd.cpio", packed["initrd"])]:
        copy = os.path.join(scratch, os.path.basename(original))
        assert mtools("mcopy", packed, inside, copy).returncode == 0
        with open(original, "rb") as a, open(copy, "rb") as b:
            assert a.read() == b.read()


def test_fat_is_a_sound_fat16_volume(packed, scratch):
    with open(packed["raw"], "rb") as f:
        f.seek(MIB)
        part = f.read()
    copy = os.path.join(scratch, "part")
    with open(copy, "wb") as f:
        f.write(part)
    p = run([which("fsck.fat"), "-n", copy])
    assert p.returncode == 0, p.stdout + p.stderr
    assert part[54:62] == b"FAT16   "                            # the BPB's file system type
    assert struct.unpack_from("<I", part, 28)[0] == 2048        # hidden sectors = partition start
    assert part[510:512] == b"\x55\xaa"


# ---- the VMDKs ----

@pytest.mark.parametrize("role,create_type", [("vmdk", "monolithicSparse"),
                                              ("stream", "streamOptimized")])
def test_vmdk(packed, role, create_type):
    info = json.loads(run(["qemu-img", "info", "--output=json", packed[role]]).stdout)
    assert info["format"] == "vmdk"
    assert info["format-specific"]["data"]["create-type"] == create_type
    assert info["virtual-size"] == os.path.getsize(packed["raw"])
    same = run(["qemu-img", "compare", "-f", "raw", "-F", "vmdk", packed["raw"], packed[role]])
    assert same.returncode == 0, same.stdout + same.stderr
    with open(packed[role], "rb") as f:
        head = f.read(64 * 1024).decode("latin-1")
    assert f'createType="{create_type}"' in head
    assert 'ddb.adapterType = "lsilogic"' in head
    cylinders = int(re.search(r'ddb.geometry.cylinders = "(\d+)"', head).group(1))
    assert cylinders >= 1


def test_stream_header(packed):
    """The sparse header of the OVA's disk as VMware's Virtual Disk Format
    5.0 describes a stream-optimized one: version 3 (ESXi refused QEMU's
    older ones as "sparse VMDK version too old"), flags with compressed
    grains (bit 16) and markers (bit 17), DEFLATE (compressAlgorithm 1)."""
    with open(packed["stream"], "rb") as f:
        head = f.read(512)
    magic, version, flags = struct.unpack_from("<4sII", head, 0)
    assert magic == b"KDMV" and version == 3
    assert flags & (1 << 16) and flags & (1 << 17)
    assert struct.unpack_from("<H", head, 77)[0] == 1


# ---- the .vmx ----

def vmx_keys(path):
    with open(path) as f:
        return dict(re.fullmatch(r'([^=\s]+) = "([^"]*)"', ln).groups()
                    for ln in f.read().splitlines())


def test_vmx(packed):
    k = vmx_keys(packed["vmx"])
    assert k["scsi0.present"] == "TRUE" and k["scsi0.virtualDev"] == "pvscsi"
    assert k["scsi0:0.present"] == "TRUE"
    assert os.path.join(packed["dir"], k["scsi0:0.fileName"]) == packed["vmdk"]
    assert k["ethernet0.present"] == "TRUE" and k["ethernet0.virtualDev"] == "vmxnet3"
    assert k["pciBridge4.present"] == "TRUE" and k["pciBridge4.virtualDev"] == "pcieRootPort"
    assert k["serial0.present"] == "TRUE" and k["serial0.fileType"] == "file"
    assert k["serial0.fileName"] == "hello-serial.log"
    assert k["firmware"] == "bios" and k["guestOS"] == "other-64"
    assert k["displayName"] == "hello" and k["numvcpus"] == "1"
    assert int(k["memsize"]) == 64 and int(k["virtualHW.version"]) >= 7


def test_vmx_refuses_what_vmware_refuses():
    for mib in (0, 2, 66):
        with pytest.raises(ValueError, match="multiple of 4"):
            vmx.entries("x", "x.vmdk", "x.log", mib, 1)
    for cpus in (0, 3, 5):
        with pytest.raises(ValueError, match="1 or a multiple of 2"):
            vmx.entries("x", "x.vmdk", "x.log", 64, cpus)
    with pytest.raises(ValueError, match="cannot be written"):
        vmx.text('a"b', "x.vmdk", "x.log", 64, 1)


@pytest.mark.parametrize("given,mib", [(None, 64), ("2M", 4), ("65M", 68), ("1G", 1024),
                                       ("4097K", 8), ("130", 132)])
def test_memory_rounded_to_vmware_multiple(given, mib):
    with open(HELLO, "rb") as f:
        data = f.read()
    assert vmware.memory_mib(given, data, HELLO) == mib


# ---- the OVF, the manifest and the OVA ----

def q(ns, name):
    return f"{{{ns}}}{name}"


def items(root):
    hw = root.find(f"{{{OVF}}}VirtualSystem/{{{OVF}}}VirtualHardwareSection")
    out = []
    for it in hw.findall(q(OVF, "Item")):
        rasd = {c.tag.split("}")[1]: c.text for c in it if c.tag.startswith("{" + RASD)}
        order = [c.tag.split("}")[1] for c in it if c.tag.startswith("{" + RASD)]
        assert order == sorted(order), f"RASD elements out of the schema's order: {order}"
        config = {c.get(q(VMW, "key")): c.get(q(VMW, "value"))
                  for c in it.findall(q(VMW, "Config"))}
        out.append((rasd, config, it.get(q(OVF, "required"), "true")))
    return hw, out


def test_ovf(packed):
    root = ET.parse(packed["ovf"]).getroot()
    assert root.tag == q(OVF, "Envelope")
    (ref,) = root.findall(f"{{{OVF}}}References/{{{OVF}}}File")
    href = ref.get(q(OVF, "href"))
    assert os.path.join(packed["dir"], href) == packed["stream"]
    assert int(ref.get(q(OVF, "size"))) == os.path.getsize(packed["stream"])
    (disk,) = root.findall(f"{{{OVF}}}DiskSection/{{{OVF}}}Disk")
    assert disk.get(q(OVF, "fileRef")) == ref.get(q(OVF, "id"))
    assert disk.get(q(OVF, "capacityAllocationUnits")) == "byte"
    assert int(disk.get(q(OVF, "capacity"))) == os.path.getsize(packed["raw"])
    assert disk.get(q(OVF, "format")).endswith("#streamOptimized")
    networks = [n.get(q(OVF, "name")) for n in root.iter(q(OVF, "Network"))]

    hw, its = items(root)
    by_type = {}
    for rasd, config, required in its:
        by_type.setdefault(int(rasd["ResourceType"]), []).append((rasd, config, required))
    (scsi,) = by_type[6]
    assert scsi[0]["ResourceSubType"] == "VirtualSCSI"
    (hd,) = by_type[17]
    assert hd[0]["Parent"] == scsi[0]["InstanceID"]
    assert hd[0]["HostResource"] == "ovf:/disk/" + disk.get(q(OVF, "diskId"))
    (nic,) = by_type[10]
    assert nic[0]["ResourceSubType"] == "VmxNet3" and nic[0]["Connection"] in networks
    (serial,) = by_type[21]
    assert serial[0]["ResourceSubType"] == "vmware.serialport.file"
    assert serial[1]["backing.fileName"] == "hello-serial.log"
    k = vmx_keys(packed["vmx"])
    assert by_type[4][0][0]["VirtualQuantity"] == k["memsize"]
    assert by_type[4][0][0]["AllocationUnits"] == "byte * 2^20"
    assert by_type[3][0][0]["VirtualQuantity"] == k["numvcpus"]
    ids = [rasd["InstanceID"] for rasd, _, _ in its]
    assert len(ids) == len(set(ids))
    firmware = {c.get(q(VMW, "key")): c.get(q(VMW, "value")) for c in hw.findall(q(VMW, "Config"))}
    assert firmware["firmware"] == "bios"
    system = hw.find(q(OVF, "System"))
    assert [c.text for c in system if c.tag.endswith("VirtualSystemType")] == \
        [f"vmx-{int(k['virtualHW.version']):02d}"]


def test_ova_order_and_manifest(packed):
    with open(packed["ova"], "rb") as f:
        assert f.read(512)[257:265] == b"ustar\x0000"             # POSIX USTAR header
    with tarfile.open(packed["ova"]) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == ["hello.ovf", "hello-disk1.vmdk", "hello.mf"]
        assert all(m.isfile() and m.mode == 0o644 for m in members)
        data = {m.name: tar.extractfile(m).read() for m in members}
    for name, content in data.items():
        with open(os.path.join(packed["dir"], name), "rb") as f:
            assert f.read() == content
    lines = data["hello.mf"].decode().splitlines()
    got = dict(re.fullmatch(r"SHA256\((.+)\)= ([0-9a-f]{64})", ln).groups() for ln in lines)
    assert got == {n: hashlib.sha256(data[n]).hexdigest()
                   for n in ("hello.ovf", "hello-disk1.vmdk")}


# ---- refused before anything is written ----

@pytest.fixture
def no_multiboot(scratch):
    path = os.path.join(scratch, "plain.elf")
    with open(path, "wb") as f:
        f.write(image.blank_multiboot(image.read(HELLO)))
    return path


def refuse_cases(scratch, no_multiboot):
    text = os.path.join(scratch, "notes.txt")
    with open(text, "w") as f:
        f.write("not a kernel\n")
    a_file = os.path.join(scratch, "taken")
    with open(a_file, "w") as f:
        f.write("x")
    out = os.path.join(scratch, "out")
    return [
        ([text, "-o", out], "not an ELF file"),
        ([no_multiboot, "-o", out], "no multiboot magic"),
        ([os.path.join(scratch, "none.elf"), "-o", out], "not found"),
        ([HELLO, "-o", out, "--initrd", os.path.join(scratch, "none.cpio")], "initrd .* not found"),
        ([HELLO, "-o", a_file], "is a file; -o takes a folder"),
        ([HELLO, "-o", os.path.join(scratch, "no", "such")], "no such folder"),
        ([HELLO, "-o", out, "--cmdline", "console=ttyS0 x=$y"], "GRUB's grub.cfg parser"),
        ([HELLO, "-o", out, "--", "a;b"], "GRUB's grub.cfg parser"),
        ([HELLO, "-o", out, "--cmdline", 'x="open'], "unbalanced double quote"),
        ([HELLO, "-o", out, "--cmdline", "k=" + "v" * 2100], "at most 2047"),
        ([HELLO, "-o", out, "--cpus", "3"], "1 or a multiple of 2"),
        ([HELLO, "-o", out, "--cpus", "0"], "give 1 to 255"),
        ([HELLO, "-o", out, "--mem", "lots"], "is not a size"),
        ([HELLO, "-o", out, "--mem", "100K"], "cannot start in 100 KiB"),
        ([HELLO, "-o", out, "--cpus", "300"], "give 1 to 255"),
        ([HELLO, "-o", out, "--", 'say"hi'], "double quote"),
        ([HELLO, "-o", out, "--", "\udcff"], "not UTF-8"),         # the byte 0xff
    ]


def test_refused_with_one_line_and_nothing_written(scratch, no_multiboot):
    needs_tools()
    for argv, why in refuse_cases(scratch, no_multiboot):
        p = run([ANYVM, "pack", "vmware", *argv])
        assert p.returncode == 1, (argv, p.stderr)
        assert "Traceback" not in p.stderr
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("anyvm: "), p.stderr
        assert re.search(why, lines[0]), (why, lines[0])
        assert not os.path.exists(os.path.join(scratch, "out")), argv
        with open(os.path.join(scratch, "taken")) as f:
            assert f.read() == "x"


def test_mem_and_cpus_only_for_vmware(scratch):
    p = run([ANYVM, "pack", "iso", HELLO, "-o", os.path.join(scratch, "x.iso"), "--cpus", "2"])
    assert p.returncode == 1 and "for anyvm pack vmware" in p.stderr


def test_existing_folder_gets_the_files_and_no_scratch(scratch):
    needs_tools()
    out = os.path.join(scratch, "out")
    os.mkdir(out)
    with open(os.path.join(out, "mine.txt"), "w") as f:
        f.write("kept")
    written = vmware.pack(HELLO, out, "console=ttyS0", mem="128M", cpus=2)
    assert sorted(os.listdir(out)) == sorted(["mine.txt", *map(os.path.basename, written.values())])
    k = vmx_keys(written["vmx"])
    assert (k["memsize"], k["numvcpus"]) == ("128", "2")


def test_failed_pack_leaves_no_files(scratch, monkeypatch):
    needs_tools()

    def broken(raw, out, subformat):
        raise RuntimeError("qemu-img convert failed (made up by the test)")
    monkeypatch.setattr(vmware, "convert_vmdk", broken)
    fresh = os.path.join(scratch, "fresh")
    with pytest.raises(RuntimeError, match="made up"):
        vmware.pack(HELLO, fresh, "console=ttyS0")
    assert not os.path.exists(fresh)               # the folder pack made is gone again
    kept = os.path.join(scratch, "kept")
    os.mkdir(kept)
    with open(os.path.join(kept, "mine.txt"), "w") as f:
        f.write("kept")
    with pytest.raises(RuntimeError, match="made up"):
        vmware.pack(HELLO, kept, "console=ttyS0")
    assert os.listdir(kept) == ["mine.txt"]


@pytest.mark.parametrize("xml,why", [
    (b"<x", "not well-formed"),
    (b"<Envelope/>", "not an OVF 1.x Envelope"),
    (f'<ovf:Envelope xmlns:ovf="{OVF}"><ovf:References><ovf:File ovf:href="d"/>'
     "</ovf:References></ovf:Envelope>".encode(), "missing or not a number"),
])
def test_ovf_reader_refuses(xml, why):
    with pytest.raises(ovf.OvfError, match=why):
        ovf.references(xml)


def test_ovf_package_check(packed, scratch):
    for role in ("ovf", "stream"):
        shutil.copy(packed[role], scratch)
    ovf_copy = os.path.join(scratch, "hello.ovf")
    disk = os.path.join(scratch, "hello-disk1.vmdk")
    capacity = os.path.getsize(packed["raw"])
    ovf.check_package(ovf_copy, capacity)
    with pytest.raises(ovf.OvfError, match="has capacity"):
        ovf.check_package(ovf_copy, capacity + MIB)
    with open(disk, "ab") as f:
        f.write(b"x")
    with pytest.raises(ovf.OvfError, match="the descriptor says"):
        ovf.check_package(ovf_copy, capacity)
    os.remove(disk)
    with pytest.raises(ovf.OvfError, match="not beside it"):
        ovf.check_package(ovf_copy, capacity)


# ---- the pure parts of the disk ----

def test_disk_size():
    assert biosdisk.disk_size(0) == 8 * MIB
    assert biosdisk.disk_size(6 * MIB) == 8 * MIB
    big = biosdisk.disk_size(30 * MIB)
    assert big % MIB == 0 and big - MIB >= 30 * MIB * 1.01


@pytest.mark.parametrize("sectors", [14336, 65524, 65525, 200000, 4 * 1024 * 1024])
def test_fat16_clusters(sectors):
    per = biosdisk.fat16_cluster_sectors(sectors)
    assert biosdisk.FAT16_MIN_CLUSTERS <= sectors // per <= biosdisk.FAT16_MAX_CLUSTERS
    assert per == 1 or sectors // (per // 2) > biosdisk.FAT16_MAX_CLUSTERS


def test_boot_sector_keeps_the_table():
    boot = bytes(range(256)) * 2
    table = bytes(0x1B8) + b"SIGN\0\0" + b"T" * 64 + b"\x55\xaa"
    sector = biosdisk.boot_sector(boot, table)
    assert sector[0x1B8:] == table[0x1B8:]
    assert sector[:0x5C] == boot[:0x5C] and sector[0x68:0x1B8] == boot[0x68:0x1B8]
    assert sector[0x5C:0x68] == struct.pack("<Q", 1) + b"\xff" + boot[0x65:0x66] + b"\x90\x90"


# ---- booting the packed VMDK on QEMU ----

@dataclass(frozen=True)
class BootCheck:
    """One boot of a packed VMDK on QEMU (TCG): `disk` is the role of the
    VMDK (vmware.files: "vmdk" is the .vmx's, "stream" the OVA's). The disk
    is always on a PVSCSI controller, as in the .vmx and the OVF, on the
    bus `pvscsi_bus` (None: the machine's root bus); `qemu_args` adds more
    (root ports, NICs) and `expect` lists regexes the serial lines must
    match in order. The devinfo entry checks the kernel's own PVSCSI disk
    and its vmxnet3 NIC (drivers/pvscsi, drivers/vmxnet3)."""
    name: str
    app: str
    machine: str
    args: tuple
    expect: tuple
    disk: str = "vmdk"
    pvscsi_bus: str = None
    qemu_args: tuple = ()
    mem: str = "64M"


HELLO_LINES = (r"^boot: multiboot \(loader GRUB ", r'^cmdline: console=ttyS0 -- one "two words"$',
               r"^Hello, world!$", r"^one$", r"^two words$", r"^anyvm: exit status 0$")
# VMware's layout on q35: PVSCSI and vmxnet3 each behind a PCI Express root
# port (pciBridge4-7 in the .vmx), the NIC on user networking with no way out.
VMWARE_LAYOUT = dict(pvscsi_bus="rp1", qemu_args=(
    "-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
    "-device", "pcie-root-port,id=rp2,chassis=2,slot=2",
    "-netdev", "user,id=n0,restrict=on", "-device", "vmxnet3,bus=rp2,netdev=n0"))
# devinfo in VMware's layout, one boot: its own boot disk read through the
# kernel's PVSCSI driver (docs/pvscsi.md: the controller behind its root
# port, the read-only drive write-protected, the disk's first sector the
# packed MBR), and the vmxnet3 NIC behind the other root port driven with
# MSI-X, listed in the netdev class and stopped at exit (docs/vmxnet3.md).
# The functions are probed in bus order: PVSCSI on bus 1, vmxnet3 on bus 2.
DEVINFO_VMWARE_LINES = (
    r"^boot: multiboot \(loader GRUB ",
    r"^pvscsi 01:00\.0: rings of 32 requests and 128 completions, message ring, interrupt MSI$",
    r"^pvscsi 01:00\.0: target 0 LUN 0: QEMU QEMU HARDDISK ",
    r"^blk0: pvscsi, \d+ sectors of 512 bytes \(\d+ MiB\), read-only",
    r"^pvscsi 01:00\.0: 1 disk on 1 target$",
    r"^vmxnet3 02:00\.0: revision 1, UPT 1, MAC [0-9a-f:]{17}, interrupts msix \(3 vectors\)",
    r"^devinfo:   pci 01:00\.0: bound, driver pvscsi, on pci 00:",
    r"^devinfo:   pci 02:00\.0: bound, driver vmxnet3, on pci 00:",
    r"^devinfo: blk0: pvscsi, \d+ sectors of 512 bytes, read-only",
    r"^devinfo: blk0 sector 0: eb 63 90 ",  # GRUB's boot.img: jmp, nop
    r"^devinfo: net0: vmxnet3, MAC [0-9a-f:]{17}, MTU 1500, link up",
    r"^anyvm: exit status 0$",
    r"^vmxnet3 net0: stopped at exit: received \d+ frames \(0 errors, ")
BOOT_CHECKS = [
    BootCheck("hello-pc-pvscsi", "hello", "pc", ("one", "two words"), HELLO_LINES),
    BootCheck("hello-pc-pvscsi-ova-disk", "hello", "pc", ("one", "two words"), HELLO_LINES,
              disk="stream"),
    BootCheck("hello-q35-vmware-layout", "hello", "q35", ("one", "two words"), HELLO_LINES,
              disk="stream", **VMWARE_LAYOUT),
    BootCheck("devinfo-q35-vmware-layout-pvscsi", "devinfo", "q35", (), DEVINFO_VMWARE_LINES,
              disk="stream", **VMWARE_LAYOUT),
]


@pytest.mark.parametrize("check", BOOT_CHECKS, ids=lambda c: c.name)
def test_packed_vmdk_boots(check, scratch):
    needs_tools()
    elf = os.path.join(BUILD, check.app + ".elf")
    out = os.path.join(scratch, "out")
    vmware.pack(elf, out, cmdline.compose("console=ttyS0", list(check.args)))
    disk = os.path.join(out, vmware.files(check.app)[check.disk])
    # SeaBIOS boots from PVSCSI (QEMU's bios.bin has its pvscsi driver), so
    # the disk sits where VMware puts it; no exit device, as on VMware: the
    # kernel ends the VM with an ACPI power-off and the status is the serial line.
    argv = qemu.argv(check.machine, "tcg", check.mem, 1, exit_device=False, extra=[
        "-drive", f"file={disk},format=vmdk,if=none,id=d0,readonly=on",
        *check.qemu_args,
        "-device", "pvscsi,id=scsi0" + (f",bus={check.pvscsi_bus}" if check.pvscsi_bus else ""),
        "-device", "scsi-hd,drive=d0,bus=scsi0.0,bootindex=0"])
    res = vm.run(argv, timeout=120)
    text = res.serial_text
    # the firmware's terminal escapes shown as ^X, so they cannot reset the reader's terminal
    print("$ " + " ".join(argv) + f"\nexit code {res.rc}\n"
          + re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: "^" + chr(ord(m.group()) ^ 0x40), text))
    assert not res.timed_out, "QEMU did not end within 120 s"
    assert lines_in_order(text, check.expect) is None, \
        f"no line matching {lines_in_order(text, check.expect)!r} (in order)"
    assert status.serial_status(text)[0] == 0


def test_a_kernel_grub_cannot_load_ends_the_vm(scratch):
    """The disk's GRUB has what grub.cfg's ending needs (echo, halt): a file
    that is no kernel is reported and the VM powered off, not left at GRUB's
    prompt."""
    needs_tools()
    bogus = os.path.join(scratch, "bogus.elf")
    with open(bogus, "wb") as f:
        f.write(b"not a kernel\n" * 100)
    disk = os.path.join(scratch, "bogus.raw")
    biosdisk.write(disk, iso.grub_cfg("console=ttyS0"), {iso.IMAGE_PATH: bogus})
    argv = qemu.argv("pc", "tcg", "64M", 1, exit_device=False, extra=[
        "-drive", f"file={disk},format=raw,if=none,id=d0,readonly=on",
        "-device", "pvscsi,id=scsi0", "-device", "scsi-hd,drive=d0,bus=scsi0.0,bootindex=0"])
    res = vm.run(argv, timeout=120)
    assert not res.timed_out, "the VM waited at GRUB: " + res.serial_text[-500:]
    assert iso.FAILED in res.serial_text, res.serial_text[-1000:]
