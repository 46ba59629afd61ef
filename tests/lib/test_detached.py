"""`anyvm run -d`, `ps`, `logs` and `stop` (tools/anyvm_lib/detached.py):
a detached VM is listed as running, its serial output can be read and
followed, `stop` ends it and forgets it; one that ended shows its status;
one whose VMM died without a status shows as stale. The state directory is
the test's own (ANYVM_STATE)."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(ROOT, "build", "hello.elf")
SLEEP = os.path.join(ROOT, "build", "sleep.elf")


@pytest.fixture
def env(scratch):
    e = dict(os.environ, ANYVM_STATE=os.path.join(scratch, "state"))
    yield e
    # whatever a failing test left running
    vms = os.path.join(e["ANYVM_STATE"], "vms")
    for name in (os.listdir(vms) if os.path.isdir(vms) else []):
        subprocess.run([sys.executable, ANYVM, "stop", name], env=e, capture_output=True,
                       timeout=30)


def anyvm(env, *args):
    return subprocess.run([sys.executable, ANYVM, *args], env=env, capture_output=True,
                          text=True, timeout=60)


def ps(env):
    p = anyvm(env, "ps")
    assert p.returncode == 0, p.stderr
    rows = {}
    for line in p.stdout.splitlines()[1:]:
        name, rest = line.split(None, 1)
        rows[name] = rest
    return rows


def wait_for(pred, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def qemu_runs(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"qemu" in f.read()
    except OSError:
        return False


def vmm_pid(env, name):
    with open(os.path.join(env["ANYVM_STATE"], "vms", name, "vm.json")) as f:
        return json.load(f)["pid"]


def test_run_ps_logs_stop(env):
    p = anyvm(env, "run", "-d", "--accel", "tcg", "--name", "napper", SLEEP, "--", "60000")
    assert p.returncode == 0 and p.stdout == "napper\n", p.stderr
    assert "anyvm logs napper" in p.stderr
    assert ps(env)["napper"].startswith("running ")
    assert wait_for(lambda: "boot to main" in anyvm(env, "logs", "napper").stdout)
    pid = vmm_pid(env, "napper")
    s = anyvm(env, "stop", "napper")
    assert s.returncode == 0 and "napper stopped and removed (it was running)" in s.stderr
    assert not qemu_runs(pid)
    assert "napper" not in ps(env)
    assert not os.path.exists(os.path.join(env["ANYVM_STATE"], "vms", "napper"))


def test_an_ended_vm_shows_its_status_and_logs_follow(env):
    p = anyvm(env, "run", "-d", "--accel", "tcg", HELLO, "--", "one")
    assert p.returncode == 0 and p.stdout == "hello\n", p.stderr
    f = anyvm(env, "logs", "-f", "hello")        # returns once the VM has ended
    assert f.returncode == 0
    assert "Hello, world!\none\nanyvm: exit status 0\n" in f.stdout
    assert "\r" not in f.stdout and "anyvm: hello: exited 0" in f.stderr
    assert ps(env)["hello"].startswith("exited 0 ")
    second = anyvm(env, "run", "-d", "--accel", "tcg", HELLO)
    assert second.stdout == "hello-2\n", second.stderr   # the name is taken: made unique


def test_a_vmm_that_died_shows_as_stale(env):
    p = anyvm(env, "run", "-d", "--accel", "tcg", "--name", "victim", SLEEP, "--", "60000")
    assert p.returncode == 0, p.stderr
    os.kill(vmm_pid(env, "victim"), signal.SIGKILL)
    assert wait_for(lambda: ps(env)["victim"].startswith("stale "), 30), ps(env)
    assert "the VMM is gone and the guest printed no status" in ps(env)["victim"]


@pytest.mark.parametrize("args,message", [
    (["run", "-d", "--name", "Bad Name", HELLO], "--name 'Bad Name': lower-case letters"),
    (["run", "-d", "--timeout", "5", HELLO], "--timeout applies to a VM anyvm waits for"),
    (["logs", "nobody"], "no VM named nobody"),
    (["stop", "nobody"], "no VM named nobody"),
])
def test_refusals(env, args, message):
    p = anyvm(env, *args)
    assert p.returncode != 0 and message in p.stderr, p.stderr
    assert re.match(r"anyvm: ", p.stderr)


def test_a_taken_name_is_refused(env):
    assert anyvm(env, "run", "-d", "--accel", "tcg", "--name", "x", HELLO).returncode == 0
    p = anyvm(env, "run", "-d", "--name", "x", HELLO)
    assert p.returncode == 126 and "a VM named x exists already" in p.stderr
