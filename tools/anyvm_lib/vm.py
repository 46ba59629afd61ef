"""Run one VMM process for the tests and the bench: the guest's serial (the
VMM's stdout) is captured; the process is killed when it outlives its
timeout (`anyvm run` itself runs its VMM through the native runner,
tools/launcher/). stdin is /dev/null: the guest gets no console input, and
the VMM, in a session of its own, never touches the terminal. run() waits
for the VMM to end; Live runs it in the background."""

import os
import re
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


def _pump(src, chunks):
    while True:
        data = os.read(src.fileno(), 65536)
        if not data:
            break
        chunks.append(data)


def run(argv, timeout=None):
    """Run argv to its end (or until `timeout` seconds pass)."""
    res = RunResult(argv=list(argv), timeout=timeout)
    out, err = [], []
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        raise RuntimeError(f"cannot start {argv[0]}: {e.strerror}") from None
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, out), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, err), daemon=True)]
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


class Live:
    """A VMM running in the background while the caller talks to the guest
    (sends it traffic, waits for a line). Serial lines are collected as they
    come; stderr is kept apart. Use as a context manager: the VMM is killed
    when the block ends, however it ends."""

    def __init__(self, argv):
        self.argv = list(argv)
        self.lines = []
        self._err = []
        self._cond = threading.Condition()
        self._eof = False
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         start_new_session=True)
        except OSError as e:
            raise RuntimeError(f"cannot start {self.argv[0]}: {e.strerror}") from None
        self._readers = [threading.Thread(target=self._read_serial, daemon=True),
                         threading.Thread(target=_pump, args=(self.proc.stderr, self._err),
                                          daemon=True)]
        for t in self._readers:
            t.start()

    def _read_serial(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def wait_line(self, regex, timeout):
        """The first serial line matching regex (one already seen or a new
        one), or None when the VMM's output ends or timeout seconds pass."""
        pat = re.compile(regex)
        end = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if pat.search(line):
                        return line
                seen = len(self.lines)
                left = end - time.monotonic()
                if self._eof or left <= 0:
                    return None
                self._cond.wait(left)

    def wait(self, timeout):
        """The VMM's exit code, or None after killing it when it has not
        ended within timeout seconds."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        for t in self._readers:     # the last lines
            t.join(timeout=5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            _kill(self.proc)
        for t in self._readers:
            t.join(timeout=5)

    @property
    def text(self):
        """The serial transcript so far."""
        with self._cond:
            return "\n".join(self.lines)

    @property
    def stderr_text(self):
        return b"".join(self._err).decode("utf-8", "replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False
