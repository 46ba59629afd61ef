"""build/hostsim's Hyper-V machine (`hostsim hyperv`, docs/hyperv.md) boots
the anyvm kernel, which must recognise Hyper-V from CPUID alone: for each
generation, build/hello.elf runs with --exit-port and the test checks, on
the serial port,

  - `hypervisor: Hyper-V` and the capability line the kernel derives from
    CPUID 0x40000003 (hypercall, SynIC, reference TSC),
  - the MADT's CPU count, the app's greeting and `anyvm: exit status 0`,

and that hostsim ended with (2*0+1) from the exit port. Gen1 has a PIT, so
the kernel calibrates the TSC with it; Gen2 has none. Each run has a
timeout; nothing is timed. A third run checks what SIGTERM does to a guest without
a shutdown service."""

import os
import re
import signal
import subprocess

import pytest

from anyvm_lib.serial_expect import lines_in_order
from anyvm_lib import hostsim, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNEL = os.path.join(ROOT, "build", "hello.elf")
GUEST_TIMEOUT = 120
RUN_TIMEOUT = 150

EXPECT = [
    r"^hypervisor: Hyper-V$",
    r"^hv: capabilities: hyperv-hypercall hyperv-synic hyperv-reference-tsc "
    r"hyperv-reference-counter hyperv-frequency-msrs hyperv-messages$",
    r"^cpus: 1 \(ACPI MADT\)$",
    r"^clock: tsc \d+\.\d{3} MHz \(hyperv reference TSC\)$",
    r"^Hello, world!$",
    r"^anyvm: exit status 0$",
]


def boot(gen):
    for need in (hostsim.HOSTSIM, KERNEL):
        if not os.path.exists(need):
            pytest.fail(f"{os.path.relpath(need, ROOT)} is not built (make hostsim all)",
                        pytrace=False)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is absent or not accessible (hostsim needs KVM)")
    argv = hostsim.argv("hyperv", "pvh", KERNEL, "console=ttyS0", "128M", 1, GUEST_TIMEOUT,
                        model_args=["--gen", str(gen)])
    res = vm.run(argv, timeout=RUN_TIMEOUT)
    print(f"$ {' '.join(argv)}\nexit {res.rc}\n[stderr]\n{res.stderr_text}\n"
          f"[serial]\n{res.serial_text}")
    return res


@pytest.mark.parametrize("gen", [1, 2])
def test_hyperv_boot(gen):
    res = boot(gen)
    assert not res.timed_out, "hostsim did not end"
    missing = lines_in_order(res.serial_text, EXPECT)
    assert missing is None, f"no serial line matching /{missing}/ in order"
    assert "KVMKVMKVM" not in res.serial_text
    assert res.rc == 1, f"hostsim exit status {res.rc}, not 1 (exit port, status 0)"


def test_hyperv_sigterm_without_shutdown_service():
    """SIGTERM asks the guest to shut down through the shutdown IC; a guest
    that never opened it (sleep links no device layers, so no VMBus) is
    ended at once, with 128 + 15 and a line saying why, after its serial
    output so far. test_hyperv_guest.py has the guest that answers."""
    sleep_elf = os.path.join(ROOT, "build", "sleep.elf")
    if not os.path.exists(sleep_elf):
        pytest.fail("build/sleep.elf is not built (make apps)", pytrace=False)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is absent or not accessible (hostsim needs KVM)")
    argv = hostsim.argv("hyperv", "pvh", sleep_elf, "console=ttyS0 -- 60000", "128M", 1,
                        GUEST_TIMEOUT)
    with vm.Live(argv) as v:
        v.wait_line(r"^anyvm: boot to main", 60)
        v.proc.send_signal(signal.SIGTERM)
        rc = v.wait(60)
        err = v.stderr_text
    print(f"$ {' '.join(argv)}\nexit {rc}\n[stderr]\n{err}")
    assert rc == 128 + signal.SIGTERM
    assert "SIGTERM: the guest has no working shutdown service: ending the VM" in err


def test_every_vmbus_misbehave_kind_is_tested():
    """Each VMBus fault of `hostsim --misbehave help` has its unit test in
    build/unit/test_hostsim_vmbus (misbehave_<kind with _ for ->), which
    checks the bytes the host then sends. (The guest's reaction is in
    test_hyperv_guest.py.)"""
    unit = os.path.join(ROOT, "build", "unit", "test_hostsim_vmbus")
    if not os.path.exists(unit):
        pytest.fail("build/unit/test_hostsim_vmbus is not built (make unit)", pytrace=False)
    tests = subprocess.run([unit, "--list"], capture_output=True, text=True, check=True,
                           timeout=30).stdout.split()
    kinds = [k for k, (backend, _) in hostsim.misbehave_kinds().items() if backend == "vmbus"]
    assert len(kinds) == 7
    for kind in kinds:
        assert "misbehave_" + kind.replace("-", "_") in tests, kind


def test_hyperv_misbehave_idle_without_vmbus_guest():
    """--misbehave on a guest that never connects to VMBus (hello links no
    device layers): announced, never acted on, and the guest's run is
    unchanged."""
    argv = hostsim.argv("hyperv", "pvh", KERNEL, "console=ttyS0", "128M", 1, GUEST_TIMEOUT,
                        misbehave="vmbus-offer-short")
    res = vm.run(argv, timeout=RUN_TIMEOUT)
    print(f"$ {' '.join(argv)}\nexit {res.rc}\n[stderr]\n{res.stderr_text}")
    assert "hostsim: misbehaving on purpose: vmbus-offer-short" in res.stderr_text.splitlines()
    assert "misbehaving now" not in res.stderr_text
    assert lines_in_order(res.serial_text, EXPECT) is None
    assert res.rc == 1


@pytest.mark.parametrize("args,says", [
    (["--gen", "3"], "--gen: '3' is not 1 or 2"),
    (["--vmbus-max-version", "6.0"], "--vmbus-max-version: '6.0' is not one of"),
    (["--vmbus-rescind", "foo@1"], "--vmbus-rescind: no service 'foo'"),
    (["--vmbus-rescind", "heartbeat"], "--vmbus-rescind: 'heartbeat' is not NAME@SECONDS"),
    (["--misbehave", "blk-status"], "the hyperv model has no virtio-blk device"),
    (["--mem", "4G"], "--mem: the hyperv model takes whole MiB from 2 MiB to 3 GiB"),
])
def test_hyperv_refuses_bad_options(args, says):
    """A bad option of the hyperv model is one line naming it, exit status 2,
    before any VM is built."""
    res = subprocess.run([hostsim.HOSTSIM, "hyperv", "--kernel", KERNEL, *args],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 2, res.stderr
    assert says in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_hyperv_acpi_power_off():
    """Without an exit port the guest powers off through ACPI S5 (the FADT's
    PM1a_CNT_BLK and the DSDT's \\_S5_), and hostsim ends with status 0, as
    after a guest shutdown."""
    argv = hostsim.argv("hyperv", "pvh", KERNEL, "console=ttyS0", "128M", 1, GUEST_TIMEOUT,
                        exit_port=None)
    res = vm.run(argv, timeout=RUN_TIMEOUT)
    print(f"$ {' '.join(argv)}\nexit {res.rc}\n[stderr]\n{res.stderr_text}\n"
          f"[serial]\n{res.serial_text}")
    assert lines_in_order(res.serial_text, [r"^exit: ACPI S5, else halt$", *EXPECT[4:]]) is None
    assert res.rc == 0
