"""qemu-img, the one tool that turns the raw BIOS disk into the formats
the targets take (qcow2, VMDK, VHD, VHDX), and reads each result back."""

import json
import subprocess


def convert(raw, out, fmt, options=""):
    argv = ["qemu-img", "convert", "-f", "raw", "-O", fmt]
    if options:
        argv += ["-o", options]
    p = subprocess.run(argv + [raw, out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError(f"qemu-img convert to {fmt} failed (exit {p.returncode}): "
                           f"{p.stdout.strip()}")


def info(path):
    p = subprocess.run(["qemu-img", "info", "--output=json", path], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError(f"qemu-img info {path} failed: {p.stderr.strip()}")
    return json.loads(p.stdout)


def check(path, fmt, virtual_size):
    """The file is what qemu-img says a `fmt` disk of virtual_size bytes is."""
    got = info(path)
    if got.get("format") != fmt or got.get("virtual-size") != virtual_size:
        raise RuntimeError(f"{path} reads back as {got.get('format')} of "
                           f"{got.get('virtual-size')} bytes, not {fmt} of {virtual_size}")
