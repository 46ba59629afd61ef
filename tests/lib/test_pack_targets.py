"""`anyvm pack` for qemu, gce, aws, kubevirt and firecracker, and `anyvm
pack all`: each artefact read back with another tool than the one that
wrote it (qemu-img info and compare, GNU tar, skopeo, tarfile, a YAML and a
JSON parser), and each one a VMM here can start booted with the app's real
serial output checked: the qcow2 through the written QEMU script, GCE's
disk.raw, the disk inside the KubeVirt container image on virtio-blk as
KubeVirt attaches it, and the Firecracker config's kernel and boot_args
through hostsim's Firecracker machine."""

import json
import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

from anyvm_lib import BUILD, ROOT, hostsim, qemu, status, vm
from anyvm_lib.serial_expect import lines_in_order

ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(BUILD, "hello.elf")
GIB = 1 << 30
HELLO_LINES = (r"^cmdline: .*console=ttyS0 .*-- one \"two words\"$", r"^Hello, world!$", r"^one$",
               r"^two words$", r"^anyvm: exit status 0$")


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)


def needs(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing tools {', '.join(missing)} (make setup installs them)")
    if not os.path.isfile(HELLO):
        pytest.fail(f"{HELLO} not built (make apps)", pytrace=False)


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    """hello packed for every target once, with two app arguments."""
    needs("qemu-img", "umoci", "skopeo", "mformat", "grub-mkimage")
    out = str(tmp_path_factory.mktemp("packs") / "all")
    p = run([ANYVM, "pack", "all", HELLO, "-o", out, "--", "one", "two words"])
    print(p.stderr)
    assert p.returncode == 0, p.stderr
    return out


def boot_disk(path, fmt, scratch_ok=True):
    """QEMU -M pc (TCG) booting `path` from virtio-blk, no exit device: the
    status is the kernel's serial line, as on a cloud."""
    argv = qemu.argv("pc", "tcg", "64M", 1, exit_device=False, extra=[
        "-drive", f"file={path},format={fmt},if=virtio,readonly=on"])
    res = vm.run(argv, timeout=120)
    print("$ " + " ".join(argv) + "\n" + res.serial_text)
    assert not res.timed_out
    return res.serial_text


def expect_hello(text):
    missing = lines_in_order(text, HELLO_LINES)
    assert missing is None, f"no line matching {missing!r} (in order)"
    assert status.serial_status(text)[0] == 0


def test_all_writes_each_target(packed):
    got = {d: sorted(os.listdir(os.path.join(packed, d))) for d in sorted(os.listdir(packed))}
    assert got == {
        "aws": ["hello-aws.vmdk", "hello.raw"],
        "azure": ["hello.vhd"],
        "efi": ["hello-efi.img"],
        "firecracker": ["hello.elf", "hello.json"],
        "gce": ["hello-gce.tar.gz"],
        "hyperv": ["hello-gen1.vhdx", "hello-gen2.vhdx", "hello.iso"],
        "iso": ["hello.iso"],
        "kubevirt": ["hello-containerdisk.tar", "hello-vm.yaml"],
        "qemu": ["hello-qemu.sh", "hello.qcow2", "hello.raw"],
        "vmware": ["hello-disk1.vmdk", "hello.mf", "hello.ova", "hello.ovf", "hello.raw",
                   "hello.vmdk", "hello.vmx"],
    }


def info(path):
    return json.loads(run(["qemu-img", "info", "--output=json", path]).stdout)


def test_qemu_disks_and_script_boot(packed):
    d = os.path.join(packed, "qemu")
    raw, qcow2 = os.path.join(d, "hello.raw"), os.path.join(d, "hello.qcow2")
    assert info(raw)["format"] == "raw"
    assert info(qcow2)["format"] == "qcow2"
    assert info(qcow2)["virtual-size"] == os.path.getsize(raw)
    assert run(["qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw, qcow2]).returncode == 0
    # the script as written, from another folder: it boots the qcow2 beside it
    res = vm.run(["timeout", "120", os.path.join(d, "hello-qemu.sh"), "-display", "none"],
                 timeout=130)
    print(res.serial_text, res.stderr_text)
    # -nographic puts COM1 on stdout, which vm.run reads as the serial
    expect_hello(res.serial_text)


def test_aws_vmdk_is_stream_optimized_copy_of_raw_and_boots(packed):
    d = os.path.join(packed, "aws")
    raw, vmdk = os.path.join(d, "hello.raw"), os.path.join(d, "hello-aws.vmdk")
    i = info(vmdk)
    assert i["format"] == "vmdk"
    assert i["format-specific"]["data"]["create-type"] == "streamOptimized"
    assert run(["qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw, vmdk]).returncode == 0
    with open(raw, "rb") as f:
        assert f.read(512)[510:] == b"\x55\xaa"
    expect_hello(boot_disk(vmdk, "vmdk"))


def test_gce_tarball_is_one_sparse_disk_raw_that_boots(packed, scratch):
    path = os.path.join(packed, "gce", "hello-gce.tar.gz")
    with tarfile.open(path, "r:gz") as t:
        (m,) = t.getmembers()
        assert m.name == "disk.raw" and m.size % GIB == 0 and m.size > 0
        assert m.type == tarfile.GNUTYPE_SPARSE        # -S: the padding is holes
    with open(path, "rb") as f:
        head = f.read(2)
    assert head == b"\x1f\x8b"
    # GNU tar's own listing reads it as an old-GNU archive
    listing = run(["tar", "-tvzf", path]).stdout
    assert re.search(r"\sdisk\.raw$", listing.strip()), listing
    assert run(["tar", "-xSzf", path, "-C", scratch]).returncode == 0
    expect_hello(boot_disk(os.path.join(scratch, "disk.raw"), "raw"))


def test_kubevirt_container_disk(packed, scratch):
    archive = os.path.join(packed, "kubevirt", "hello-containerdisk.tar")
    inspect = json.loads(run(["skopeo", "inspect", f"oci-archive:{archive}"]).stdout)
    assert (inspect["Architecture"], inspect["Os"]) == ("amd64", "linux")
    assert len(inspect["Layers"]) == 1
    copy = os.path.join(scratch, "dir")
    assert run(["skopeo", "copy", "--quiet", f"oci-archive:{archive}", f"dir:{copy}"]) \
        .returncode == 0
    with open(os.path.join(copy, "manifest.json")) as f:
        (lay,) = json.load(f)["layers"]
    blob = os.path.join(copy, lay["digest"].split(":", 1)[1])
    with tarfile.open(blob, "r:*") as t:
        members = {m.name.lstrip("./"): m for m in t.getmembers()}
        assert sorted(members) == ["disk", "disk/hello.qcow2"]
        for m in members.values():
            assert (m.uid, m.gid) == (107, 107)     # KubeVirt's qemu user reads it
            assert m.mode & 0o444 == 0o444
        disk = os.path.join(scratch, "hello.qcow2")
        with open(disk, "wb") as f:
            f.write(t.extractfile(members["disk/hello.qcow2"]).read())
    assert info(disk)["format"] == "qcow2"
    with open(os.path.join(packed, "kubevirt", "hello-vm.yaml")) as f:
        vmdoc = yaml.safe_load(f)
    assert (vmdoc["apiVersion"], vmdoc["kind"]) == ("kubevirt.io/v1", "VirtualMachine")
    spec = vmdoc["spec"]["template"]["spec"]
    (vol,) = spec["volumes"]
    assert vol["containerDisk"] == {"image": "anyvm/hello:latest", "path": "/disk/hello.qcow2"}
    assert spec["domain"]["devices"]["disks"] == [{"name": vol["name"],
                                                   "disk": {"bus": "virtio"}}]
    assert spec["domain"]["resources"]["requests"]["memory"] == "64Mi"
    expect_hello(boot_disk(disk, "qcow2"))


def test_firecracker_config_boots(packed):
    d = os.path.join(packed, "firecracker")
    with open(os.path.join(d, "hello.json")) as f:
        cfg = json.load(f)
    assert set(cfg) == {"boot-source", "drives", "machine-config"}
    boot = cfg["boot-source"]
    assert boot["boot_args"] == 'console=ttyS0 reboot=k panic=1 -- one "two words"'
    assert cfg["machine-config"] == {"vcpu_count": 1, "mem_size_mib": 64}
    kernel = os.path.join(d, boot["kernel_image_path"])
    with open(kernel, "rb") as a, open(HELLO, "rb") as b:
        assert a.read() == b.read()
    if not os.access(hostsim.HOSTSIM, os.X_OK) or not os.path.exists("/dev/kvm"):
        pytest.skip("booting the config needs build/hostsim (make hostsim) and /dev/kvm")
    argv = hostsim.argv("firecracker", "pvh", kernel, boot["boot_args"],
                        f"{cfg['machine-config']['mem_size_mib']}M",
                        cfg["machine-config"]["vcpu_count"], timeout=120)
    res = vm.run(argv, timeout=150)
    print(res.serial_text, res.stderr_text)
    expect_hello(res.serial_text)


def test_firecracker_drives_and_nic(scratch):
    needs()
    disk = os.path.join(scratch, "data.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    out = os.path.join(scratch, "fc")
    p = run([ANYVM, "pack", "firecracker", HELLO, "-o", out, "--disk", disk + ",ro",
             "--nic", "tap=fc-tap0,mac=06:00:ac:10:00:02", "--mem", "32M", "--cpus", "2"])
    assert p.returncode == 0, p.stderr
    with open(os.path.join(out, "hello.json")) as f:
        cfg = json.load(f)
    assert cfg["drives"] == [{"drive_id": "disk0", "path_on_host": disk,
                              "is_root_device": False, "is_read_only": True}]
    assert cfg["network-interfaces"] == [{"iface_id": "eth0", "host_dev_name": "fc-tap0",
                                          "guest_mac": "06:00:ac:10:00:02"}]
    assert cfg["machine-config"] == {"vcpu_count": 2, "mem_size_mib": 32}


@pytest.mark.parametrize("argv,why", [
    (["gce", "{text}"], "not an ELF file"),
    (["kubevirt", HELLO, "--ref", "Bad Ref"], "container image reference"),
    (["firecracker", HELLO, "--nic", "user"], "TAP device only"),
    (["firecracker", HELLO, "--disk", "{scratch}/none.img"], "no such file"),
    (["gce", HELLO, "--mem", "32M"], "--mem is for anyvm pack"),
    (["aws", HELLO, "--ref", "a/b:c"], "--ref is for anyvm pack kubevirt"),
    (["qemu", HELLO, "--mem", "100K"], "cannot start in 100 KiB"),
    (["qemu", HELLO, "--", "a;b"], "GRUB's grub.cfg parser"),
])
def test_refused_with_one_line_and_nothing_written(argv, why, scratch):
    needs()
    text = os.path.join(scratch, "notes.txt")
    with open(text, "w") as f:
        f.write("not a kernel\n")
    out = os.path.join(scratch, "out")
    argv = [a.format(text=text, scratch=scratch) for a in argv]
    p = run([ANYVM, "pack", argv[0], argv[1], "-o", out, *argv[2:]])
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(why, lines[0]), p.stderr
    assert not os.path.exists(out)


def test_all_names_what_failed_and_makes_the_rest(scratch):
    """An image without its .efi beside it: pack all says efi failed and
    why, writes every other target, and exits 1."""
    needs("qemu-img", "umoci", "skopeo")
    img = os.path.join(scratch, "hello.elf")
    shutil.copyfile(HELLO, img)
    out = os.path.join(scratch, "all")
    p = run([ANYVM, "pack", "all", img, "-o", out])
    assert p.returncode == 1
    assert re.search(r"^anyvm: pack efi failed: .*hello\.efi", p.stderr, re.M), p.stderr
    assert re.search(r"^anyvm: packed iso, vmware, qemu, gce, aws, kubevirt, firecracker, "
                     r"hyperv, azure into .*; failed: efi$", p.stderr, re.M), p.stderr
    assert sorted(os.listdir(out)) == ["aws", "azure", "firecracker", "gce", "hyperv", "iso",
                                       "kubevirt", "qemu", "vmware"]
    # Without the .efi Hyper-V gets no Gen2 disk, and says so.
    assert sorted(os.listdir(os.path.join(out, "hyperv"))) == ["hello-gen1.vhdx", "hello.iso"]
    assert "anyvm: no Gen2 disk: the image has no .efi built beside it" in p.stderr
