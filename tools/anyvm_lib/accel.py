"""Which accelerator QEMU gets. /dev/kvm may be a software emulator (PVM,
whose kvm_pvm module runs guests at a few million instructions per second);
only kvm_intel or kvm_amd mean hardware KVM."""

import os


def hardware_kvm():
    """True when the host has hardware KVM (the vendor module is loaded)."""
    return any(os.path.exists("/sys/module/" + m) for m in ("kvm_intel", "kvm_amd"))


def resolve(accel):
    """auto|kvm|tcg -> kvm|tcg."""
    if accel == "auto":
        return "kvm" if hardware_kvm() else "tcg"
    if accel not in ("kvm", "tcg"):
        raise ValueError(f"unknown accelerator {accel!r} (auto, kvm or tcg)")
    return accel
