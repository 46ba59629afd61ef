"""A minimal client of the QEMU Machine Protocol (QEMU's docs/interop/qmp-spec:
one JSON object a line; the server greets, capabilities are negotiated with
qmp_capabilities, then each command gets a "return" or an "error" reply,
with asynchronous "event" objects in between). Enough for the tests to
change a running VM (set_link). Every read has a timeout."""

import json
import socket
import time


class QMPError(RuntimeError):
    pass


class QMP:
    def __init__(self, path, timeout=10):
        """Connects to the QMP server on unix socket `path`, retrying until
        QEMU has made it (up to `timeout` seconds)."""
        end = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise QMPError(f"no QMP server on {path}") from None
                time.sleep(0.05)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError(f"not a QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise QMPError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        """The command's "return" value; QMPError with QEMU's description on
        an "error" reply. Events that arrive meanwhile are skipped."""
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QMPError(f"{command}: {reply['error'].get('desc', reply['error'])}")

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
