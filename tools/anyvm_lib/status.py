"""The guest's exit status, from the two places it shows (the kernel's
contract): the last line `anyvm: exit status N` on the serial port (or
`anyvm: panic: ...`, status 127), and the VMM's exit code, which the
isa-debug-exit port (QEMU) or hostsim's --exit-port make (2N+1) & 0xff."""

import re
from dataclasses import dataclass

from .qemu import status_from_exit_code

EXIT_LINE = re.compile(r"anyvm: exit status (\d+)\s*$")
PANIC_LINE = re.compile(r"anyvm: panic: ")
PANIC_STATUS = 127

# `anyvm run`'s own codes when there is no guest status to pass on.
VMM_FAILED = 123    # the VMM itself failed: an error exit code, or killed
TIMEOUT = 124
NO_STATUS = 125     # the VM ended, but without a status
NOT_STARTED = 126   # bad input or a missing tool: no VMM was started


def serial_status(text):
    """(N, line) from the transcript: the last `anyvm: exit status N`, else
    127 after `anyvm: panic:`, else (None, None)."""
    status, line = None, None
    for ln in text.splitlines():
        m = EXIT_LINE.search(ln)
        if m:
            status, line = int(m.group(1)), ln.strip()
        elif PANIC_LINE.search(ln):
            status, line = PANIC_STATUS, ln.strip()
    return status, line


@dataclass
class Outcome:
    status: int            # the guest's status, or None
    exit_code: int         # what `anyvm run` exits with
    serial: int            # status read on the serial port, or None
    vmm: int               # status carried by the VMM exit code, or None
    consistent: bool       # serial and VMM exit code agree
    message: str = None    # for stderr: why there is no status, or a disagreement


def outcome(res, exit_device=True):
    """Reconcile a vm.RunResult into one Outcome. Without an exit device the
    VMM's code says only how the VM ended (Firecracker: 0 after the i8042
    reset, 1 after a triple fault), never the status."""
    if res.timed_out:
        return Outcome(None, TIMEOUT, None, None, False,
                       f"anyvm: the VM did not end within {res.timeout:g} s; killed it")
    s, _ = serial_status(res.serial_text)
    rc = res.rc
    if not exit_device:
        if s is not None:
            note = None if rc == 0 or s != 0 else \
                f"anyvm: warning: the VMM exited with code {rc} after the guest reported status 0"
            return Outcome(s, s, s, None, rc == 0, note)
        return Outcome(None, NO_STATUS, None, None, False,
                       f"anyvm: the VMM exited with code {rc} and the guest printed no "
                       "`anyvm: exit status` line")
    v = status_from_exit_code(rc)
    if s is not None and rc == (2 * s + 1) & 0xFF:
        return Outcome(s, s, s, v, True)
    if v is not None and s is not None:
        return Outcome(v, v, s, v, False,
                       f"anyvm: warning: the VMM exit code {rc} carries status {v}, "
                       f"but the serial port says {s}")
    if v is not None:
        # No serial line. Exit code 1 is also how QEMU and hostsim report
        # their own failures: believe it is status 0 only if they said nothing.
        if rc == 1 and res.stderr.strip():
            if not res.serial_text.strip():
                return Outcome(None, VMM_FAILED, None, None, False,
                               "anyvm: the VMM failed (exit code 1) before the guest printed "
                               "anything")
            return Outcome(None, NO_STATUS, None, None, False,
                           "anyvm: the VMM exited with code 1 (a VMM error, or a triple fault "
                           "under hostsim) and the guest printed no `anyvm: exit status` line")
        return Outcome(v, v, None, v, True,
                       f"anyvm: note: the guest printed no `anyvm: exit status` line; status {v} "
                       f"comes from the VMM exit code {rc} alone")
    if s is not None:
        if rc == 0:
            return Outcome(s, s, s, None, False)   # ACPI power-off: the serial line tells
        return Outcome(s, s, s, None, False,
                       f"anyvm: warning: the VMM failed (exit code {rc}) after the guest "
                       f"reported status {s}")
    if rc == 0:
        return Outcome(None, NO_STATUS, None, None, False,
                       "anyvm: the VMM exited with code 0 (an ACPI power-off, or a reset or "
                       "triple fault under QEMU's -no-reboot) and the guest printed no "
                       "`anyvm: exit status` line")
    return Outcome(None, VMM_FAILED, None, None, False,
                   f"anyvm: the VMM failed: it ended with exit code {rc}, which is no "
                   "isa-debug-exit status, and the guest printed no `anyvm: exit status` line")
