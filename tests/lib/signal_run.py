"""Signalling a running `anyvm run` and seeing what it leaves behind,
shared by the tests of the Python path (test_cli_input.py) and of the
native one (test_launcher.py)."""

import os
import signal
import subprocess
import time


def qemu_pids(name):
    """QEMU processes whose command line names this image file."""
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return [int(ln.split(None, 1)[0]) for ln in out.splitlines()
            if "qemu-system" in ln and name in ln]


def signal_while_running(argv, env, image, sig, scratch_dir=None):
    """Starts argv, waits until a QEMU runs `image` (and, with scratch_dir,
    until that folder holds the run's scratch files), sends sig, and returns
    (exit status, stderr, the QEMU processes that outlived it). Those are
    killed, so a failing run leaves no VM behind either."""
    name = os.path.basename(image)
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not qemu_pids(name) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert qemu_pids(name), "QEMU did not start"
        if scratch_dir is not None:
            assert os.listdir(scratch_dir), "no scratch folder while the VM runs"
        time.sleep(0.5)
        p.send_signal(sig)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        left = qemu_pids(name)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    return p.returncode, err, left
