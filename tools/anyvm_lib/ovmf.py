"""UEFI firmware for QEMU: Debian's OVMF (package ovmf; its README.Debian).
The code is read-only flash shared by every VM; the variable store is
writable, so each boot gets a private copy of the empty store (4 MiB
builds, Secure Boot off: the images are unsigned, docs/uefi.md)."""

import os
import shutil

CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


class OvmfError(RuntimeError):
    pass


def pflash_args(workdir):
    """QEMU arguments for OVMF with a copy of the variable store in workdir."""
    for path in (CODE, VARS):
        if not os.path.isfile(path):
            raise OvmfError(f"{path} not found: install Debian's ovmf package (make setup)")
    vars_copy = os.path.join(workdir, "ovmf-vars.fd")
    shutil.copyfile(VARS, vars_copy)
    return ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
