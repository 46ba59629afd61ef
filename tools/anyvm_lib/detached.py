"""Detached VMs: `anyvm run -d` starts the VMM in a session of its own and
returns; `anyvm ps`, `anyvm logs NAME [-f]` and `anyvm stop NAME` find it
again through a folder per VM in the state directory ($ANYVM_STATE, else
$XDG_STATE_HOME/anyvm, else ~/.local/state/anyvm, the XDG Base Directory
specification's place for state):

    vms/NAME/vm.json     name, image, target, the VMM's pid and command, start time
    vms/NAME/serial.log  the guest's serial output (the VMM's stdout)
    vms/NAME/vmm.log     the VMM's own messages (stderr)
    vms/NAME/work/       the boot's scratch files (a PVH copy, an ISO)

Nobody waits for a detached VMM, so its end is read from what it left: the
serial line `anyvm: exit status N` (or a panic) says it ended with a status;
a VMM process that is gone without one is reported as stale. A pid that
now belongs to another program is not taken for the VMM: /proc/PID/cmdline
must still be the command recorded."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

from . import status

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
STOP_GRACE = 5.0     # seconds between SIGTERM and SIGKILL


class DetachedError(RuntimeError):
    pass


def state_dir():
    base = os.environ.get("ANYVM_STATE")
    if not base:
        xdg = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"),
                                                               ".local", "state")
        base = os.path.join(xdg, "anyvm")
    return os.path.join(base, "vms")


def vm_dir(name):
    return os.path.join(state_dir(), name)


def new_name(image):
    """The image's name, with -2, -3 ... when that is taken."""
    stem = re.sub(r"[^a-z0-9_.-]", "-", os.path.basename(image).lower())
    stem = re.sub(r"\.elf$", "", stem).strip("-.") or "vm"
    stem = stem[:28]
    if not stem[0].isalnum():
        stem = "vm-" + stem
    name, n = stem, 1
    while os.path.exists(vm_dir(name)):
        n += 1
        name = f"{stem}-{n}"
    return name


def check_name(name):
    if not NAME.match(name):
        raise DetachedError(f"--name {name!r}: lower-case letters, digits, '_', '.' and '-', at "
                            "most 32, starting with a letter or digit")
    if os.path.exists(vm_dir(name)):
        raise DetachedError(f"a VM named {name} exists already (anyvm ps; anyvm stop {name})")
    return name


def reserve(name):
    """Makes the VM's folder; returns (folder, its scratch folder)."""
    d = vm_dir(name)
    os.makedirs(os.path.join(d, "work"))
    return d, os.path.join(d, "work")


def start(name, argv, image, target):
    """Starts argv detached, its output into the VM's folder; returns its pid."""
    d = vm_dir(name)
    with open(os.path.join(d, "serial.log"), "wb") as out, \
            open(os.path.join(d, "vmm.log"), "wb") as err:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
        except OSError as e:
            raise DetachedError(f"cannot start {argv[0]}: {e.strerror}") from None
    record = dict(name=name, image=os.path.abspath(image), target=target, pid=proc.pid,
                  argv=list(argv), started=time.time())
    with open(os.path.join(d, "vm.json"), "w") as f:
        json.dump(record, f, indent=1)
    return proc.pid


def load(name):
    path = os.path.join(vm_dir(name), "vm.json")
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise DetachedError(f"no VM named {name} (anyvm ps lists them)") from None
    except (OSError, ValueError) as e:
        raise DetachedError(f"{path}: unreadable ({e})") from None


def alive(record):
    """True while the recorded VMM process runs (and is still that VMM)."""
    try:
        with open(f"/proc/{record['pid']}/cmdline", "rb") as f:
            cmd = f.read().split(b"\0")
    except OSError:
        return False
    if cmd and cmd[-1] == b"":
        cmd = cmd[:-1]
    return [c.decode("utf-8", "surrogateescape") for c in cmd] == record["argv"]


def serial_text(name):
    try:
        with open(os.path.join(vm_dir(name), "serial.log"), "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "")
    except OSError:
        return ""


def state(record):
    """'running', 'exited N' or 'stale (...)'."""
    if alive(record):
        return "running"
    s, _ = status.serial_status(serial_text(record["name"]))
    if s is not None:
        return f"exited {s}"
    return "stale (the VMM is gone and the guest printed no status)"


def names():
    try:
        return sorted(n for n in os.listdir(state_dir())
                      if os.path.isfile(os.path.join(state_dir(), n, "vm.json")))
    except FileNotFoundError:
        return []


def stop(name):
    """Stops the VM if it runs (SIGTERM, then SIGKILL after STOP_GRACE s) and
    removes its folder. Returns the state it was in."""
    record = load(name)
    was = state(record)
    if alive(record):
        for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(record["pid"], sig)
            except ProcessLookupError:
                break
            end = time.monotonic() + wait
            while alive(record) and time.monotonic() < end:
                time.sleep(0.05)
            if not alive(record):
                break
        if alive(record):
            raise DetachedError(f"{name}: the VMM (pid {record['pid']}) did not stop")
    shutil.rmtree(vm_dir(name), ignore_errors=True)
    return was
