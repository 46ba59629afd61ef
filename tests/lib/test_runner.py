"""build/anyvm --run-plan, the runner every `anyvm run` ends in
(tools/launcher/supervise.c), with a stand-in VMM (sh printing a serial
transcript and a complaint, then exiting with a code): the exit code and
the message are what tools/anyvm_lib/status.py, which the boot matrix
reads statuses with, makes of the same transcript and code; the serial
output is filtered; --timeout kills the VMM; the scratch folder goes;
a VMM that cannot start is exit code 126."""

import os
import signal
import subprocess
import time

import pytest

from anyvm_lib import runplan, status
from anyvm_lib.vm import RunResult


def sh(serial=b"", stderr=b"", rc=0, then=""):
    """A VMM command: sh writing serial to stdout and stderr, then exiting rc."""
    script = 'printf "%s" "$1"; printf "%s" "$2" >&2; ' + then + 'exit "$3"'
    return ["sh", "-c", script, "vmm", serial, stderr, str(rc)]


def run_plan(folder, vmm, **settings):
    path = os.path.join(folder, "run.plan")
    runplan.write(path, runplan.body(vmm, **settings))
    return subprocess.run([runplan.RUNNER, "--run-plan", path], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)


CASES = [
    # serial, VMM stderr, VMM exit code, exit device
    (b"anyvm: exit status 0\r\n", b"", 1, True),
    (b"Hello\r\nanyvm: exit status 42\r\n", b"", 85, True),
    (b"anyvm: exit status 3\r\n", b"", 1, True),            # disagree
    (b"no status line\r\n", b"", 7, True),                   # the exit port alone
    (b"", b"qemu: could not load kernel\n", 1, True),        # the VMM failed
    (b"Hello\r\n", b"hostsim: triple fault\n", 1, True),     # no status
    (b"anyvm: exit status 3\r\n", b"", 0, True),             # ACPI power-off
    (b"anyvm: exit status 3\r\n", b"", 2, True),             # VMM failed after
    (b"Hello\r\n", b"", 0, True),
    (b"Hello\r\n", b"", 2, True),
    (b"anyvm: panic: out of memory\r\n", b"", 1, True),
    (b"anyvm: exit status 0\r\n", b"", 1, False),            # no exit device: warning
    (b"anyvm: exit status 4\r\n", b"", 1, False),
    (b"Hello\r\n", b"", 0, False),
    (b"anyvm: exit status 007   \r\n\xff\xfe", b"", 2, True),  # not UTF-8, no final LF
    (b"x\x0canyvm: exit status 9\xc2\x85tail", b"", 19, True),  # Python's line ends
]


@pytest.mark.parametrize("serial,err,rc,exit_device", CASES)
def test_status_as_status_py_reads_it(scratch, serial, err, rc, exit_device):
    p = run_plan(scratch, sh(serial, err, rc), exit_device=exit_device)
    want = status.outcome(RunResult(argv=["vmm"], rc=rc, serial=serial, stderr=err),
                          exit_device)
    assert p.returncode == want.exit_code & 0xFF, p.stderr
    assert p.stderr == err + ((want.message + "\n").encode() if want.message else b"")
    shown = serial.replace(b"\r\n", b"\n")
    assert p.stdout == shown + (b"\n" if serial and not serial.endswith(b"\n") else b"")


def test_timeout_kills_the_vmm(scratch):
    marker = os.path.join(scratch, "alive")
    # the stand-in prints, then waits; a child of its own would outlive a
    # kill of the VMM alone, not of its process group
    vmm = sh(b"anyvm 1\r\nwaiting\r\n", b"", 0,
             then=f"(sleep 30; touch {marker}) & sleep 30; ")
    start = time.monotonic()
    p = run_plan(scratch, vmm, timeout=0.5, kill_after=0.5)
    assert p.returncode == status.TIMEOUT
    assert p.stdout == b"anyvm 1\nwaiting\n"
    assert p.stderr == b"anyvm: the VM did not end within 0.5 s; killed it\n"
    assert time.monotonic() - start < 25, "the runner waited for the VMM's child"
    out = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
    assert f"touch {marker}" not in out, "the VMM's process group outlived the run"


def test_hostsim_stopping_at_its_timeout(scratch):
    p = run_plan(scratch, sh(b"anyvm 1\r\n", b"", 124), timeout=2.0, kill_after=12.0,
                 timeout_rc=124)
    assert p.returncode == status.TIMEOUT
    assert p.stderr == b"anyvm: the VM did not end within 2 s; killed it\n"


def test_scratch_folder_removed_and_notes_shown(scratch):
    work = os.path.join(scratch, "work")
    os.makedirs(os.path.join(work, "sub"))
    os.symlink("/", os.path.join(work, "sub", "root"))    # removed, never followed
    p = run_plan(scratch, sh(b"anyvm: exit status 5\r\n", b"", 11), scratch=work,
                 notes=["anyvm: a note", "anyvm: another"])
    assert p.returncode == 5
    assert p.stderr == b"anyvm: a note\nanyvm: another\n"
    assert not os.path.exists(work)


def test_a_vmm_that_cannot_start(scratch):
    work = os.path.join(scratch, "work")
    os.mkdir(work)
    p = run_plan(scratch, ["no-such-vmm-here"], scratch=work)
    assert p.returncode == status.NOT_STARTED
    assert p.stderr == b"anyvm: cannot start no-such-vmm-here: No such file or directory\n"
    assert not os.path.exists(work)


def test_vmm_stdin_is_dev_null(scratch):
    p = run_plan(scratch, ["sh", "-c", "readlink /proc/self/fd/0; exit 1"])
    assert p.stdout == b"/dev/null\n"


def test_symbolizer_called_only_after_an_exception(scratch):
    got = os.path.join(scratch, "got")
    helper = ["sh", "-c", f'cat > {got}; echo "named it" >&2']
    report = b"anyvm: exception #UD at rip=0x1000\r\n  backtrace: 0x2000\r\nanyvm: panic: x\r\n"
    p = run_plan(scratch, sh(report, b"", 255), symbolize=helper)
    assert p.returncode == status.PANIC_STATUS
    assert p.stderr.endswith(b"named it\n")
    with open(got, "rb") as f:
        assert f.read() == report
    os.unlink(got)
    p = run_plan(scratch, sh(b"anyvm: exit status 0\r\n", b"", 1), symbolize=helper)
    assert p.returncode == 0 and not os.path.exists(got)


def test_symbolizer_gets_the_start_and_the_end_of_a_long_transcript(scratch):
    """The start says where a relocated .efi runs (symbolize.py); 1.5 MB
    later the report: both reach the symbolizer, the middle need not."""
    got = os.path.join(scratch, "got")
    start = b"uefi: the image runs at 0x40000000 (linked at 0x100000)\r\n"
    report = b"anyvm: exception #UD at rip=0x40001000\r\n  backtrace: 0x40002000\r\n"
    vmm = ["sh", "-c", 'printf "%s" "$1"; yes filler | head -c 1500000; printf "\\r\\n%s" "$2"; '
           'exit 255', "vmm", start, report]
    p = run_plan(scratch, vmm, symbolize=["sh", "-c", f"cat > {got}"])
    assert p.returncode == 127   # status 127 from the VMM exit code 255
    with open(got, "rb") as f:
        text = f.read()
    assert text.startswith(start) and text.endswith(report)
    assert 1 << 19 < len(text) <= 1 << 20


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_stops_the_vmm(scratch, sig):
    work = os.path.join(scratch, "work")
    os.mkdir(work)
    marker = f"sleep 4{sig:02d}7"
    path = os.path.join(scratch, "run.plan")
    runplan.write(path, runplan.body(sh(b"anyvm 1\r\n", b"", 0, then=marker + "; "),
                                     scratch=work))
    p = subprocess.Popen([runplan.RUNNER, "--run-plan", path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline() == b"anyvm 1\n"
        p.send_signal(sig)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 128 + sig
    want = "interrupted" if sig == signal.SIGINT else f"stopped by {sig.name}"
    assert err == f"anyvm: {want}; the VM was stopped\n".encode()
    assert not os.path.exists(work)
    ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
    assert marker not in ps, "the VMM outlived the runner"


@pytest.mark.parametrize("how", ["SIGTERM", "timeout"])
def test_a_stdout_nobody_reads_does_not_hold_the_run(scratch, how):
    """`anyvm run ... | less`, paused: the writes to stdout block, and still
    a signal or the timeout ends the run and the VMM."""
    marker = f"sleep 4{len(how)}9"
    vmm = ["sh", "-c", f'yes "anyvm line" | head -c 400000; {marker}; exit 1']
    path = os.path.join(scratch, "run.plan")
    settings = {"timeout": 1.0, "kill_after": 1.0} if how == "timeout" else {}
    runplan.write(path, runplan.body(vmm, **settings))
    r, w = os.pipe()     # stdout: a pipe nobody reads
    try:
        p = subprocess.Popen([runplan.RUNNER, "--run-plan", path], stdin=subprocess.DEVNULL,
                             stdout=w, stderr=subprocess.PIPE)
        time.sleep(1.5)      # the pipe is full by now
        if how == "SIGTERM":
            p.send_signal(signal.SIGTERM)
        try:
            _, err = p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    finally:
        os.close(r)
        os.close(w)
    if how == "SIGTERM":
        assert p.returncode == 128 + signal.SIGTERM
        assert err == b"anyvm: stopped by SIGTERM; the VM was stopped\n"
    else:
        assert p.returncode == status.TIMEOUT
        assert err == b"anyvm: the VM did not end within 1 s; killed it\n"
    ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
    assert marker not in ps, "the VMM outlived the runner"


def test_a_broken_plan_starts_nothing(scratch):
    path = os.path.join(scratch, "run.plan")
    with open(path, "wb") as f:
        f.write(runplan.MAGIC + b"vmm 4\nsh\n")    # truncated: no end record
    p = subprocess.run([runplan.RUNNER, "--run-plan", path], capture_output=True, timeout=30)
    assert p.returncode == status.NOT_STARTED
    assert p.stderr.startswith(f"anyvm: run plan {path}: ".encode())
