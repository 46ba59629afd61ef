"""`anyvm pack firecracker`: into OUTDIR, NAME.elf (the image: Firecracker
boots an x86-64 ELF through its PVH note) and NAME.json, the VM for
`firecracker --no-api --config-file NAME.json` run in OUTDIR.

The file's keys are Firecracker's VmmConfig (src/vmm/src/resources.rs;
the test framework's vm_config.json at firecracker-microvm/firecracker
81b38b9 shows each section): boot-source (kernel_image_path, boot_args:
given, they replace Firecracker's default command line, and Firecracker
appends its virtio-mmio devices to them), machine-config (vcpu_count,
mem_size_mib), drives (one per --disk or anyvm.toml disk, none of them the
root device: the kernel is not on a disk) and network-interfaces (one per
--nic tap=NAME: Firecracker has no user networking and no port forwards, so
anyvm.toml's ports need a TAP device and a forward on the host). Paths to
disks are absolute; the image's is relative to OUTDIR, where Firecracker is
started."""

import json
import os
import shutil

from . import packdir, runcheck


def config(name, line, mib, cpus, disks, nic):
    cfg = {
        "boot-source": {"kernel_image_path": f"{name}.elf", "boot_args": line},
        "drives": [{"drive_id": f"disk{i}", "path_on_host": d.path, "is_root_device": False,
                    "is_read_only": d.readonly} for i, d in enumerate(disks)],
        "machine-config": {"vcpu_count": cpus, "mem_size_mib": mib},
    }
    if nic is not None:
        cfg["network-interfaces"] = [{"iface_id": "eth0", "host_dev_name": nic.tap,
                                      "guest_mac": nic.mac}]
    return cfg


def pack(img, outdir, line, opts, say):
    name = packdir.image_name(img)
    # Firecracker 1.12 and later boot through the PVH note (its CHANGELOG)
    data = runcheck.check_image(img, "pvh")
    mib = packdir.memory_mib(opts.mem, data, img)
    runcheck.check_cpus(opts.cpus)
    disks = [runcheck.check_disk(d) for d in opts.disks]
    nic = None
    if opts.nic not in (None, "none"):
        kind, nic = runcheck.check_nic(opts.nic, tap_here=False)
        if kind != "tap":
            raise packdir.PackError(f"--nic {opts.nic}: Firecracker attaches a NIC to a TAP "
                                    "device only: --nic tap=NAME[,mac=MAC]")
    if opts.ports and nic is None:
        say("note: anyvm.toml publishes ports, which Firecracker cannot forward; give "
            "--nic tap=NAME and forward on the host")
    packdir.check_outdir(outdir)
    names = {"elf": f"{name}.elf", "json": f"{name}.json"}
    with packdir.staged(outdir, names) as at:
        shutil.copyfile(img, at["elf"])
        with open(at["json"], "w") as f:
            json.dump(config(name, line, mib, opts.cpus, disks, nic), f, indent=2)
            f.write("\n")
    say(f"boot it: cd {outdir} && firecracker --no-api --config-file {names['json']}")
    return at
