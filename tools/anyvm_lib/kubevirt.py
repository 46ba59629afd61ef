"""`anyvm pack kubevirt`: the image as a KubeVirt containerDisk and a
VirtualMachine that boots it, so a Kubernetes cluster with KubeVirt runs
anyvm with no new software.

KubeVirt's user guide ("Disks and Volumes", containerDisk): the disk goes
under /disk/ in an image that can be based on `scratch`, raw or qcow2, and
"needs to be readable for the user with the UID 107 (qemu)". The layer is
written here with Python's tarfile (so the owner is 107 without root),
made an OCI image with umoci and saved as an OCI archive with skopeo, which
also pushes it: `skopeo copy oci-archive:NAME-containerdisk.tar
docker://REGISTRY/NAME:TAG`. KubeVirt runs the VM in QEMU/KVM with SeaBIOS
unless told otherwise, so the BIOS GRUB disk boots from virtio-blk and the
app sees virtio devices."""

import os
import re
import shutil
import subprocess
import tarfile

from . import bootdisk, diskconvert, packdir

QEMU_UID = 107
TOOLS = [("qemu-img", "qemu-utils"), ("umoci", "umoci"), ("skopeo", "skopeo")]


def _run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{argv[0]} {argv[1]} failed (exit {p.returncode}): "
                           f"{p.stdout.strip()}")
    return p.stdout


def layer(out, disk, name):
    """An uncompressed layer holding /disk/NAME.qcow2, owned by UID/GID 107."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        d = tarfile.TarInfo("disk")
        d.type, d.mode = tarfile.DIRTYPE, 0o555
        d.uid = d.gid = QEMU_UID
        t.addfile(d)
        f = tarfile.TarInfo(f"disk/{name}.qcow2")
        f.size, f.mode = os.path.getsize(disk), 0o444
        f.uid = f.gid = QEMU_UID
        with open(disk, "rb") as src:
            t.addfile(f, src)


def manifest(name, ref, mib):
    """A VirtualMachine (kubevirt.io/v1) booting the containerDisk, its
    serial console attached (`virtctl console NAME`), on the pod network."""
    return f"""apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: {name.lower().replace('_', '-').replace('.', '-')}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks:
            - name: containerdisk
              disk:
                bus: virtio
          interfaces:
            - name: default
              masquerade: {{}}
          autoattachSerialConsole: true
        resources:
          requests:
            memory: {mib}Mi
      networks:
        - name: default
          pod: {{}}
      volumes:
        - name: containerdisk
          containerDisk:
            image: {ref}
            path: /disk/{name}.qcow2
"""


def check_ref(ref):
    """An image reference the archive can be tagged with: [HOST/]PATH:TAG."""
    if not re.fullmatch(r"[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
                        r":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", ref):
        raise packdir.PackError(f"--ref {ref!r}: give a container image reference, lower-case "
                                "[REGISTRY/]PATH:TAG (e.g. registry.example:5000/hello:1)")
    return ref


def pack(img, outdir, line, opts, say):
    name = packdir.image_name(img)
    data, cfg = bootdisk.check(img, line, opts.initrd, tools=TOOLS)
    mib = packdir.memory_mib(opts.mem, data, img)
    ref = check_ref(opts.ref or f"anyvm/{name.lower()}:latest")
    packdir.check_outdir(outdir)
    names = {"raw": f"{name}.raw", "qcow2": f"{name}.qcow2", "layer": "layer.tar",
             "oci": "oci", "archive": f"{name}-containerdisk.tar", "vm": f"{name}-vm.yaml"}
    with packdir.staged(outdir, names) as at:
        say(f"making the BIOS boot disk (GRUB, FAT16 with the image) as {names['qcow2']}")
        size = bootdisk.write(img, at["raw"], cfg, opts.initrd)
        diskconvert.convert(at["raw"], at["qcow2"], "qcow2")
        diskconvert.check(at["qcow2"], "qcow2", size)
        say(f"writing {names['archive']} (OCI archive, {ref}: /disk/{name}.qcow2, UID 107)")
        layer(at["layer"], at["qcow2"], name)
        oci = at["oci"] + ":latest"
        _run(["umoci", "init", "--layout", at["oci"]])
        _run(["umoci", "new", "--image", oci])
        _run(["umoci", "raw", "add-layer", "--image", oci, "--history.created_by",
              "anyvm pack kubevirt", at["layer"]])
        _run(["skopeo", "copy", "--quiet", f"oci:{oci}", f"oci-archive:{at['archive']}:{ref}"])
        with open(at["vm"], "w") as f:
            f.write(manifest(name, ref, mib))
        for role in ("raw", "qcow2", "layer"):
            os.unlink(at.pop(role))
        shutil.rmtree(at.pop("oci"))
    say(f"push it: skopeo copy oci-archive:{os.path.join(outdir, names['archive'])} "
        f"docker://{ref}; then kubectl apply -f {os.path.join(outdir, names['vm'])}")
    return at
