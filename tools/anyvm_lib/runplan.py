"""The run plan: what `anyvm run` decided (the VMM command, the timeout,
how to read the status), written for build/anyvm, the native runner, to
carry out (tools/launcher/; docs/cli.md, "How `run` works"). The runner
supervises the VMM, filters the serial output and reconciles the exit
status; Python only plans. A plan that needs no scratch files is also
stored in the per-user cache under its key (the working folder, anyvm's
arguments, PATH and TMPDIR) with the inputs it depends on, so that the
native `anyvm` can run the same command again without Python
(tools/launcher/cache.h)."""

import glob
import os
import signal
import sys
import tempfile

from . import BUILD, ROOT

RUNNER = os.path.join(BUILD, "anyvm")
MAGIC = b"anyvm-plan 1\n"
KEY_ENV = ("PATH", "TMPDIR")     # tools/launcher/cache.h CACHE_KEY_ENV
MAX_PLANS = 64                   # the cache keeps the newest this many


class PlanError(RuntimeError):
    """The runner is missing or the plan cannot be written."""


def record(name, value):
    """One record, NAME LENGTH\\nVALUE\\n (bytes or str; str as the file
    system encodes it, so that arguments keep their bytes)."""
    if isinstance(value, str):
        value = os.fsencode(value)
    return name.encode() + b" %d\n" % len(value) + value + b"\n"


def key(argv, cwd=None, environ=None):
    """The key records of `anyvm ARGV` (ARGV starts with "run") as the
    launcher makes them."""
    environ = os.environb if environ is None else environ
    out = [command_key(argv, cwd)]
    for name in KEY_ENV:
        v = environ.get(name.encode())
        out.append(record("env", name.encode() + (b"=" + v if v is not None else b"")))
    return b"".join(out)


def command_key(argv, cwd=None):
    return b"".join([record("cwd", os.getcwdb() if cwd is None else cwd),
                     *[record("arg", a) for a in argv]])


def offered_key(offered, argv):
    """The key the launcher passed (ANYVM_LAUNCHER), when it is this very
    command's: its working folder and arguments are ours, then the
    environment variables of KEY_ENV as the launcher saw them (a Python
    version manager's shim may have changed PATH since). None otherwise."""
    head = command_key(argv)
    if not offered.startswith(head):
        return None
    rest = offered[len(head):]
    for name in KEY_ENV:
        prefix = b"env "
        line, sep, rest = rest.partition(b"\n")
        if not sep or not line.startswith(prefix) or not line[4:].isdigit():
            return None
        n = int(line[4:])
        value, rest = rest[:n], rest[n:]
        if len(value) != n or not rest.startswith(b"\n") or \
                not (value == name.encode() or value.startswith(name.encode() + b"=")):
            return None
        rest = rest[1:]
    return offered if rest == b"" else None


def fnv1a64(data):
    """FNV-1a, 64 bits (the FNV specification, draft-eastlake-fnv), as
    tools/launcher/cache.c computes it."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def dep(path):
    """The dep record of an input: a regular file's identity, size and
    time; else whether it exists."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return record("dep", b"- " + os.fsencode(path))
    if not os.path.isfile(path):
        return record("dep", b"d " + os.fsencode(path))
    return record("dep", b"f %d %d %d %d " % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                  + os.fsencode(path))


def tool_files():
    """The tool's own files: a plan made by another version is not used."""
    return [RUNNER, os.path.join(ROOT, "tools", "anyvm"),
            *sorted(glob.glob(os.path.join(ROOT, "tools", "anyvm_lib", "*.py")))]


def body(vmm, notes=(), timeout=None, kill_after=None, timeout_rc=None, exit_device=True,
         symbolize=(), scratch=None, inputs=()):
    """The records after the key."""
    out = [dep(p) for p in inputs]
    out += [record("note", n) for n in notes]
    out += [record("vmm", w) for w in vmm]
    if scratch is not None:
        out.append(record("scratch", scratch))
    if timeout is not None:
        out += [record("timeout", repr(float(timeout))),
                record("kill-after", repr(float(kill_after)))]
    if timeout_rc is not None:
        out.append(record("timeout-rc", str(timeout_rc)))
    out.append(record("exit-device", "1" if exit_device else "0"))
    out += [record("symbolize", w) for w in symbolize]
    return b"".join(out)


def encode(key_records, body_records):
    return MAGIC + key_records + body_records + b"end 0\n\n"


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "anyvm", "plans")


def store(key_records, body_records):
    """The plan written into the cache atomically (a temporary file renamed
    over the old one), the oldest plans beyond MAX_PLANS removed; its path."""
    folder = cache_dir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, f"{fnv1a64(key_records):016x}.plan")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".new-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(encode(key_records, body_records))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    prune(folder)
    return path


def prune(folder):
    plans = []
    for name in os.listdir(folder):
        if name.endswith(".plan"):
            try:
                plans.append((os.stat(os.path.join(folder, name)).st_mtime_ns, name))
            except FileNotFoundError:
                pass
    for _, name in sorted(plans)[:-MAX_PLANS]:
        try:
            os.unlink(os.path.join(folder, name))
        except FileNotFoundError:
            pass


def write(path, body_records):
    """A plan without a key (a run with a scratch folder: never cached)."""
    with open(path, "wb") as f:
        f.write(encode(b"", body_records))


def hand_over(plan_path):
    """Replace this process by the runner carrying out the plan. The
    signals it stops on are blocked across the exec, so that none arrives
    before it has its handlers (it unblocks them)."""
    if not os.access(RUNNER, os.X_OK):
        raise PlanError(f"{RUNNER} not found (build it: make tools)")
    sys.stdout.flush()
    sys.stderr.flush()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        os.execv(RUNNER, [RUNNER, "--run-plan", plan_path])
    except OSError as e:
        signal.pthread_sigmask(signal.SIG_UNBLOCK,
                               {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
        raise PlanError(f"cannot run {RUNNER}: {e.strerror}") from None
