"""`anyvm run --gdb [PORT]`: QEMU waits with its gdb stub on 127.0.0.1:PORT,
anyvm prints the gdb command that attaches (with the image's .debug.elf),
and gdb stops the guest at the app's main with its arguments."""

import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(ROOT, "build", "hello.elf")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gdb_stops_at_main():
    if not shutil.which("gdb"):
        pytest.fail("gdb is not installed (make setup installs it)", pytrace=False)
    port = free_port()
    vm = subprocess.Popen([sys.executable, ANYVM, "run", "--accel", "tcg", "--timeout", "60",
                           "--gdb", str(port), HELLO, "--", "one"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    try:
        line = vm.stderr.readline()
        m = re.fullmatch(r"anyvm: the VM waits for gdb: gdb -ex 'target remote (\S+)' (\S+)\n",
                         line)
        assert m, line
        assert m.group(1) == f"127.0.0.1:{port}" and m.group(2).endswith("hello.debug.elf")
        g = subprocess.run(["gdb", "-batch", "-nx", "-ex", f"target remote {m.group(1)}",
                            "-ex", "hbreak main", "-ex", "continue", "-ex", "print argc",
                            "-ex", "continue", m.group(2)],
                           capture_output=True, text=True, timeout=60)
        assert re.search(r"^Breakpoint 1, main \(argc=2, ", g.stdout, re.M), g.stdout + g.stderr
        assert re.search(r"^\$1 = 2$", g.stdout, re.M), g.stdout
        out, err = vm.communicate(timeout=60)
    finally:
        if vm.poll() is None:
            vm.kill()
            vm.wait()
    assert vm.returncode == 0, err
    assert "Hello, world!\none\n" in out


@pytest.mark.parametrize("args,message", [
    (["--gdb", "0", HELLO], "--gdb 0: a TCP port is 1 to 65535"),
    (["--gdb", "x", HELLO], "--gdb x: a TCP port is 1 to 65535"),
    (["--target", "firecracker", "--gdb", "1234", HELLO], "--gdb needs QEMU's gdb stub"),
    (["--gdb"], "anyvm run needs an IMAGE"),
])
def test_gdb_refusals(args, message):
    p = subprocess.run([sys.executable, ANYVM, "run", *args], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 126 and message in p.stderr, p.stderr
