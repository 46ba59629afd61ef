"""The native `anyvm` (build/anyvm, tools/launcher/) and its plan cache:
the first `anyvm run` of a command goes through tools/anyvm, which stores
the plan; the same command again is run from the plan without Python (the
launcher says which under ANYVM_LAUNCHER_LOG=1); a changed image,
argument or environment variable, and a corrupt, truncated, foreign or
unsafe plan file, send it back to tools/anyvm, which runs the command
correctly and stores a good plan again. Most tests use a stand-in
qemu-system-x86_64 that prints its arguments as a serial transcript;
arguments reaching a real guest and signals use QEMU itself."""

import glob
import os
import re
import shutil
import signal
import subprocess

import pytest

from anyvm_lib import ROOT, runplan, status
from signal_run import signal_while_running

# one worker runs them all: one test changes a tool file's time, which
# sends every other cached run back to tools/anyvm meanwhile
pytestmark = pytest.mark.xdist_group("launcher")

HELLO = os.path.join(ROOT, "build", "hello.elf")
SLEEP = os.path.join(ROOT, "build", "sleep.elf")
CACHED = "anyvm: launcher: running the cached plan"
MISSED = "anyvm: launcher: no plan: "

FAKE_QEMU = """#!/bin/sh
printf 'anyvm 0.1\\r\\n'
for a in "$@"; do printf 'arg: %s\\r\\n' "$a"; done
printf 'anyvm: exit status 3\\r\\n'
exit 7
"""


@pytest.fixture
def home(scratch):
    """An environment with a cache of its own, the launcher's log line, and
    the stand-in QEMU first on PATH; a copy of hello to change."""
    bin_dir = os.path.join(scratch, "bin")
    os.mkdir(bin_dir)
    with open(os.path.join(bin_dir, "qemu-system-x86_64"), "w") as f:
        f.write(FAKE_QEMU)
    os.chmod(os.path.join(bin_dir, "qemu-system-x86_64"), 0o755)
    image = os.path.join(scratch, "app.elf")
    shutil.copyfile(HELLO, image)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(scratch, "cache"),
               ANYVM_LAUNCHER_LOG="1", PATH=bin_dir + os.pathsep + os.environ["PATH"])
    env.pop("TMPDIR", None)
    return env, image


def anyvm(args, env, cwd=None):
    """The native `anyvm`: (exit code, stdout, stderr lines but the log's,
    the log line)."""
    p = subprocess.run([runplan.RUNNER, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8", "replace").splitlines()
    log = [ln for ln in err if ln.startswith("anyvm: launcher: ")]
    assert len(log) == 1, err
    return p.returncode, p.stdout, [ln for ln in err if ln not in log], log[0]


def plans(env):
    return sorted(glob.glob(os.path.join(env["XDG_CACHE_HOME"], "anyvm", "plans", "*.plan")))


def test_fnv1a64_test_vectors():
    # the FNV specification's test vectors for FNV-1a 64
    assert runplan.fnv1a64(b"") == 0xCBF29CE484222325
    assert runplan.fnv1a64(b"a") == 0xAF63DC4C8601EC8C
    assert runplan.fnv1a64(b"foobar") == 0x85944171F73967E8


def test_second_run_is_served_from_the_plan(home):
    env, image = home
    args = ["run", "--accel", "tcg", image, "--", "x"]
    first = anyvm(args, env)
    assert first[3].startswith(MISSED + "no plan "), first[3]
    assert first[0] == 3 and b"arg: -kernel\n" in first[1]
    assert len(plans(env)) == 1
    second = anyvm(args, env)
    assert second[3] == CACHED
    assert second[:3] == first[:3]        # the same output, messages and exit code
    # the plan names the launcher's key and its inputs
    with open(plans(env)[0], "rb") as f:
        text = f.read()
    for path in (image, runplan.RUNNER):
        assert re.search(rb"\ndep \d+\nf \d+ \d+ \d+ \d+ " + re.escape(os.fsencode(path)) +
                         rb"\n", text), path


def test_a_changed_image_argument_or_variable_is_planned_afresh(home, scratch):
    env, image = home
    args = ["run", "--accel", "tcg", image]
    anyvm(args, env)
    assert anyvm(args, env)[3] == CACHED
    st = os.stat(image)
    os.utime(image, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
    assert anyvm(args, env)[3] == f"{MISSED}{image} changed"
    assert anyvm(args, env)[3] == CACHED
    # another argument, another folder, another TMPDIR: another key
    assert anyvm(args + ["--", "y"], env)[3].startswith(MISSED + "no plan ")
    assert anyvm(args, env, cwd=scratch)[3].startswith(MISSED + "no plan ")
    assert anyvm(args, dict(env, TMPDIR=scratch))[3].startswith(MISSED + "no plan ")
    # a changed file of the tool's own: its plans were made by another version
    tool_file = os.path.join(ROOT, "tools", "anyvm_lib", "version.py")
    st = os.stat(tool_file)
    try:
        os.utime(tool_file, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
        assert anyvm(args, env)[3] == f"{MISSED}{tool_file} changed"
    finally:
        os.utime(tool_file, ns=(st.st_atime_ns, st.st_mtime_ns))


def corrupt_truncated(path, other):
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)


def corrupt_appended(path, other):
    with open(path, "ab") as f:
        f.write(b"vmm 2\nrm\n")


def corrupt_garbage(path, other):
    with open(path, "wb") as f:
        f.write(os.urandom(4096))


def corrupt_empty(path, other):
    open(path, "wb").close()


def corrupt_writable_by_others(path, other):
    os.chmod(path, 0o666)


def corrupt_foreign(path, other):
    # another command's plan under this command's name
    shutil.copyfile(other, path)


def corrupt_scratch(path, other):
    # a plan asking to remove a folder: never one of the cache's
    with open(path, "rb") as f:
        text = f.read()
    with open(path, "wb") as f:
        f.write(text.replace(b"exit-device 1\n", b"scratch 4\n/tmp\nexit-device 1\n"))


def corrupt_length(path, other):
    with open(path, "rb") as f:
        text = f.read()
    with open(path, "wb") as f:
        f.write(text.replace(b"\nvmm 18\n", b"\nvmm 99\n", 1))


@pytest.mark.parametrize("corrupt", [corrupt_truncated, corrupt_appended, corrupt_garbage,
                                     corrupt_empty, corrupt_writable_by_others, corrupt_foreign,
                                     corrupt_scratch, corrupt_length])
def test_a_bad_plan_falls_back_to_tools_anyvm(home, corrupt):
    env, image = home
    args = ["run", "--accel", "tcg", image]
    other = ["run", "--accel", "tcg", image, "--", "other"]
    good = anyvm(args, env)
    anyvm(other, env)
    assert len(plans(env)) == 2
    path = [p for p in plans(env) if b"other" not in open(p, "rb").read()][0]
    foreign = [p for p in plans(env) if p != path][0]
    corrupt(path, foreign)
    code, out, err, log = anyvm(args, env)
    assert log.startswith(MISSED + "plan "), log
    assert (code, out, err) == good[:3]          # tools/anyvm ran it as before
    assert anyvm(args, env)[3] == CACHED         # and stored a good plan again
    assert os.stat(path).st_mode & 0o077 == 0


def test_runs_with_scratch_files_are_not_cached(home):
    env, image = home
    # microvm-pvh boots a copy made in the scratch folder
    args = ["run", "--accel", "tcg", "--target", "microvm-pvh", image]
    for _ in range(2):
        code, out, err, log = anyvm(args, env)
        assert log.startswith(MISSED + "no plan "), log
        assert code == 3 and b"arg: -kernel\n" in out
    assert plans(env) == []


def test_other_commands_go_to_tools_anyvm(home):
    env, _ = home
    p = subprocess.run([runplan.RUNNER, "version"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("anyvm 0.1"), p.stderr


def test_the_cache_is_bounded(home, monkeypatch):
    env, image = home
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    for i in range(runplan.MAX_PLANS + 3):
        runplan.store(runplan.key(["run", image, "--", str(i)]), b"vmm 1\nx\n")
    assert len(plans(env)) == runplan.MAX_PLANS
    assert os.listdir(runplan.cache_dir()) == [os.path.basename(p) for p in plans(env)] or \
        sorted(os.listdir(runplan.cache_dir())) == sorted(os.path.basename(p) for p in plans(env))


def qemu_available():
    return shutil.which("qemu-system-x86_64") is not None


# the long one as long as the kernel's command line (2047 bytes with the
# kernel's path and parameters, core/cmdline.c) leaves room for
LITERAL = ["it's", "a;b", "$HOME", "`x`", "two words", "", "é", "y" * 1900]


@pytest.mark.skipif(not qemu_available(), reason="qemu-system-x86_64 not installed")
def test_literal_arguments_reach_the_app_on_both_paths(scratch):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(scratch, "cache"), ANYVM_LAUNCHER_LOG="1")
    args = ["run", "--target", "microvm", "--accel", "tcg", "--timeout", "60", HELLO, "--",
            *LITERAL]
    logs = []
    for _ in range(2):
        code, out, err, log = anyvm(args, env)
        assert code == 0, err
        lines = out.decode().splitlines()
        start = lines.index("Hello, world!")
        assert lines[start + 1:start + 1 + len(LITERAL)] == LITERAL
        logs.append(log)
    assert logs[0].startswith(MISSED) and logs[1] == CACHED


def test_non_utf8_argument_is_refused_on_both_paths(home):
    env, image = home
    args = ["run", image, "--", b"a\xffb"]
    for _ in range(2):
        p = subprocess.run([runplan.RUNNER, *args], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        assert p.returncode == status.NOT_STARTED
        assert p.stderr.decode().endswith(
            "anyvm: argument b'a\\xffb': not UTF-8 text, the only kind the kernel command "
            "line carries\n")
    assert plans(env) == []


@pytest.mark.skipif(not qemu_available(), reason="qemu-system-x86_64 not installed")
@pytest.mark.parametrize("target", ["microvm", "microvm-pvh"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_stops_the_vm_cold_and_warm(scratch, sig, target):
    """The first run (through tools/anyvm, which stores the plan and hands
    over in the same process) and the second (from the plan; microvm-pvh
    boots a copy in a scratch folder, so it is planned again): a signal to
    the native `anyvm` stops QEMU, leaves no scratch folder and ends it with
    128 + the signal."""
    image = os.path.join(scratch, f"sleep-native-{target}-{sig.name}-{os.getpid()}.elf")
    shutil.copyfile(SLEEP, image)
    tmp = os.path.join(scratch, "tmp")
    os.mkdir(tmp)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(scratch, "cache"), ANYVM_LAUNCHER_LOG="1",
               TMPDIR=tmp)
    logs = []
    for _ in range(2):
        rc, err, left = signal_while_running(
            [runplan.RUNNER, "run", "--target", target, "--accel", "tcg", "--timeout", "120",
             image, "--", "60000"], env, image, sig,
            scratch_dir=tmp if target == "microvm-pvh" else None)
        assert rc == 128 + sig, err
        assert f"anyvm: stopped by {sig.name}; the VM was stopped" in err
        assert left == [], "QEMU outlived anyvm"
        assert os.listdir(tmp) == [], "a scratch folder was left behind"
        logs.append([ln for ln in err.splitlines() if ln.startswith("anyvm: launcher: ")])
    assert logs[0][0].startswith(MISSED)
    assert logs[1] == [CACHED] if target == "microvm" else logs[1][0].startswith(MISSED)
