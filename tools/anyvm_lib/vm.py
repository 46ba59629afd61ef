"""Run one VMM process: the guest's serial (the VMM's stdout) is captured and,
if asked, copied to a stream as it arrives; the process is killed when it
outlives its timeout. stdin is /dev/null: the guest gets no console input, and
the VMM, in a session of its own, never touches the terminal."""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field


@dataclass
class RunResult:
    argv: list
    rc: int = None            # VMM exit code; None when killed on timeout
    timed_out: bool = False
    timeout: float = None
    seconds: float = 0.0
    serial: bytes = b""
    stderr: bytes = b""
    notes: list = field(default_factory=list)   # what launch.py did (copies, ISO)

    @property
    def serial_text(self):
        return self.serial.decode("utf-8", "replace").replace("\r", "")

    @property
    def stderr_text(self):
        return self.stderr.decode("utf-8", "replace")


def _pump(src, chunks, sink):
    while True:
        data = os.read(src.fileno(), 65536)
        if not data:
            break
        chunks.append(data)
        if sink is not None:
            try:
                sink.write(data)
                sink.flush()
            except (BrokenPipeError, ValueError, OSError):
                sink = None     # the reader went away (`| head`): keep draining the VMM


def run(argv, timeout=None, echo=None, echo_err=None):
    """Run argv to its end (or until `timeout` seconds pass). echo and
    echo_err are binary streams that get stdout and stderr live."""
    res = RunResult(argv=list(argv), timeout=timeout)
    out, err = [], []
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        raise RuntimeError(f"cannot start {argv[0]}: {e.strerror}") from None
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, out, echo), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, err, echo_err), daemon=True)]
    for t in pumps:
        t.start()
    try:
        res.rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        res.timed_out = True
        _kill(proc)
    except BaseException:       # Ctrl-C: take the VMM down with us
        _kill(proc)
        raise
    finally:
        res.seconds = time.monotonic() - start
        for t in pumps:
            t.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    res.serial, res.stderr = b"".join(out), b"".join(err)
    return res


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
