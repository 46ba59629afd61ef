"""tools/anyvm_lib/status.py: the guest's exit status from the serial
transcript and the VMM exit code, as `anyvm run` and the boot matrix read
it."""

import pytest

from anyvm_lib import status
from anyvm_lib.vm import RunResult


def result(serial="", rc=1, stderr="", timed_out=False):
    return RunResult(argv=["vmm"], rc=rc, timed_out=timed_out, timeout=30,
                     serial=serial.encode(), stderr=stderr.encode())


@pytest.mark.parametrize("text,want", [
    ("anyvm: exit status 0\n", 0),
    ("Hello\nanyvm: exit status 42\n", 42),
    ("anyvm: exit status 42   \n", 42),                       # trailing blanks
    ("Booting from ROM..anyvm: exit status 3\n", 3),           # firmware text before it
    ("anyvm: panic: out of memory\n", status.PANIC_STATUS),
    ("anyvm: exit status 1\nanyvm: exit status 2\n", 2),       # the last one counts
    ("anyvm: panic: x\nanyvm: exit status 127\n", 127),
])
def test_serial_status(text, want):
    assert status.serial_status(text)[0] == want


@pytest.mark.parametrize("text", [
    "", "Hello, world!\n", "anyvm: exit status\n", "anyvm: exit status 3 trailing\n",
    "anyvm: exit status -1\n", "anyvm: panicking\n",
])
def test_serial_status_absent(text):
    assert status.serial_status(text) == (None, None)


def test_serial_status_line():
    assert status.serial_status("x\n  anyvm: exit status 5\n")[1] == "anyvm: exit status 5"


def test_timeout():
    o = status.outcome(result("anyvm: exit status 0\n", rc=None, timed_out=True))
    assert (o.status, o.exit_code, o.consistent) == (None, status.TIMEOUT, False)
    assert "did not end within 30 s" in o.message


@pytest.mark.parametrize("n", [0, 1, 42, 127])
def test_serial_and_exit_port_agree(n):
    o = status.outcome(result(f"anyvm: exit status {n}\n", rc=2 * n + 1))
    assert (o.status, o.exit_code, o.serial, o.vmm, o.consistent, o.message) == \
        (n, n, n, n, True, None)


def test_serial_and_exit_port_disagree():
    o = status.outcome(result("anyvm: exit status 3\n", rc=1))
    assert (o.status, o.serial, o.vmm, o.consistent) == (0, 3, 0, False)
    assert "carries status 0, but the serial port says 3" in o.message


def test_exit_port_alone():
    o = status.outcome(result("no status line\n", rc=7))
    assert (o.status, o.exit_code, o.serial, o.consistent) == (3, 3, None, True)
    assert "comes from the VMM exit code 7 alone" in o.message


def test_exit_code_1_with_vmm_complaint():
    # 1 is both status 0 through the port and how a VMM reports its own
    # failure: with a complaint and no guest output at all, the VMM failed ...
    o = status.outcome(result("", rc=1, stderr="qemu: could not load kernel"))
    assert (o.status, o.exit_code) == (None, status.VMM_FAILED)
    # ... and after guest output, the VM ended without a status
    o = status.outcome(result("Hello\n", rc=1, stderr="hostsim: triple fault"))
    assert (o.status, o.exit_code) == (None, status.NO_STATUS)


def test_acpi_power_off():
    o = status.outcome(result("anyvm: exit status 3\n", rc=0))
    assert (o.status, o.exit_code, o.consistent, o.message) == (3, 3, False, None)


def test_vmm_failed_after_status():
    o = status.outcome(result("anyvm: exit status 0\n", rc=2))
    assert (o.status, o.exit_code) == (0, 0)
    assert "the VMM failed (exit code 2)" in o.message


@pytest.mark.parametrize("rc,code", [(0, status.NO_STATUS), (2, status.VMM_FAILED),
                                     (134, status.VMM_FAILED), (-9, status.VMM_FAILED)])
def test_no_status_anywhere(rc, code):
    o = status.outcome(result("Hello\n", rc=rc))
    assert (o.status, o.exit_code, o.consistent) == (None, code, False)
    assert "printed no `anyvm: exit status` line" in o.message


def test_the_codes_are_distinct():
    codes = [status.VMM_FAILED, status.TIMEOUT, status.NO_STATUS, status.NOT_STARTED,
             status.PANIC_STATUS]
    assert len(set(codes)) == len(codes)


def test_without_exit_device_the_serial_line_is_the_status():
    o = status.outcome(result("anyvm: exit status 3\n", rc=0), exit_device=False)
    assert (o.status, o.exit_code, o.vmm, o.consistent, o.message) == (3, 3, None, True, None)


def test_without_exit_device_a_failing_vmm_is_noted():
    o = status.outcome(result("anyvm: exit status 0\n", rc=1), exit_device=False)
    assert (o.status, o.consistent) == (0, False)
    assert "exited with code 1 after the guest reported status 0" in o.message


def test_without_exit_device_and_without_line():
    o = status.outcome(result("", rc=0), exit_device=False)
    assert (o.status, o.exit_code) == (None, status.NO_STATUS)
