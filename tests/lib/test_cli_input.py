"""tools/anyvm as a user runs it: bad input is refused with one clear line
and exit status 126 before any VMM starts (a stand-in qemu-system-x86_64
first on PATH records any start), and SIGTERM or SIGHUP to a running
`anyvm run` stops the VM and removes the scratch directory before anyvm
exits with 128 + the signal number."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from signal_run import signal_while_running

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = os.path.join(ROOT, "tools", "anyvm")
HELLO = os.path.join(ROOT, "build", "hello.elf")
SLEEP = os.path.join(ROOT, "build", "sleep.elf")
NOT_STARTED = 126
START = time.time()


@pytest.fixture
def no_vmm(scratch):
    """PATH with a qemu-system-x86_64 that only records that it was run."""
    bin_dir = os.path.join(scratch, "bin")
    os.mkdir(bin_dir)
    marker = os.path.join(scratch, "vmm-started")
    fake = os.path.join(bin_dir, "qemu-system-x86_64")
    with open(fake, "w") as f:
        f.write(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    os.chmod(fake, 0o755)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    return env, marker


def anyvm(args, env):
    return subprocess.run([sys.executable, ANYVM, *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args,message", [
    (["run", "--mem", "1M", HELLO], r"--mem 1M: .*hello.elf loads up to \d+ KiB, so it cannot "
                                     r"start in 1024 KiB; give at least 2M"),
    (["run", "--mem", "0", HELLO], r"--mem '0' is no memory at all"),
    (["run", "--mem", "64X", HELLO], r"--mem '64X' is not a size"),
    (["run", "--mem", "", HELLO], r"--mem '' is not a size"),
    (["run", "--cpus", "0", HELLO], r"--cpus 0: give 1 to 255"),
    (["run", "--cpus", "1000", HELLO], r"--cpus 1000: give 1 to 255"),
    (["run", os.path.join(ROOT, "README.md")], r"README.md: not an ELF file"),
    (["run", os.path.join(ROOT, "no-such.elf")], r"cannot read image .*no-such.elf"),
])
def test_bad_input_starts_nothing(no_vmm, args, message):
    env, marker = no_vmm
    p = anyvm(args, env)
    assert p.returncode == NOT_STARTED, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("anyvm: "), p.stderr
    assert re.search(message, lines[0]), lines[0]
    assert "Traceback" not in p.stderr
    assert not os.path.exists(marker), "a VMM was started"


def test_good_input_reaches_the_vmm(no_vmm):
    """The stand-in VMM does record a start: the checks above are not
    passing because nothing could ever start."""
    env, marker = no_vmm
    anyvm(["run", "--target", "pc", "--mem", "2M", HELLO], env)
    assert os.path.exists(marker)


@pytest.mark.parametrize("target", ["microvm", "iso"])
def test_non_utf8_argument_is_refused(no_vmm, target):
    env, marker = no_vmm
    p = subprocess.run([sys.executable, ANYVM, "run", "--target", target, HELLO, "--",
                        b"a\xffb"], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == NOT_STARTED, err
    assert err == "anyvm: argument b'a\\xffb': not UTF-8 text, the only kind the kernel " \
                  "command line carries\n"
    assert not os.path.exists(marker)


def test_literal_arguments_reach_the_app(scratch):
    """Quotes, ; $ ` and a 1 KiB argument arrive as they were given."""
    args = ["it's", "a;b", "$HOME", "`x`", "two words", "", "é", "x" * 1024]
    p = anyvm(["run", "--target", "microvm", "--accel", "tcg", "--timeout", "60", HELLO, "--",
               *args], dict(os.environ))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    start = lines.index("Hello, world!")
    assert lines[start + 1:start + 1 + len(args)] == args


@pytest.mark.parametrize("make,arg,message", [
    (None, "{d}/missing.img", r"--disk .*missing.img: no such file"),
    (1000, "{d}/odd.img", r"1000 bytes is not a whole number of 512-byte sectors"),
    (0, "{d}/empty.img", r"0 bytes is not a whole number of 512-byte sectors"),
    (4096, "{d}/a,b.img", r"a comma in the path cannot be passed to the VMM"),
    (None, ",ro", r"--disk ',ro': no file"),
])
def test_bad_disk_starts_nothing(no_vmm, scratch, make, arg, message):
    env, marker = no_vmm
    path = arg.format(d=scratch)
    if make is not None:
        with open(path, "wb") as f:
            f.truncate(make)
    p = anyvm(["run", "--disk", path, HELLO], env)
    assert p.returncode == NOT_STARTED and re.search(message, p.stderr), p.stderr
    assert not os.path.exists(marker)


def test_disks_reach_the_guest(scratch):
    rw, ro = os.path.join(scratch, "rw.img"), os.path.join(scratch, "ro.img")
    for path, size in ((rw, 4 << 20), (ro, 1 << 20)):
        with open(path, "wb") as f:
            f.truncate(size)
    p = anyvm(["run", "--accel", "tcg", "--timeout", "60", "--disk", rw, "--disk", ro + ",ro",
               os.path.join(ROOT, "build", "devinfo.elf")], dict(os.environ))
    assert p.returncode == 0, p.stderr
    assert re.search(r"^devinfo: blk\d: virtio-blk, 8192 sectors of 512 bytes, read-write",
                     p.stdout, re.M), p.stdout
    assert re.search(r"^devinfo: blk\d: virtio-blk, 2048 sectors of 512 bytes, read-only",
                     p.stdout, re.M), p.stdout


@pytest.mark.parametrize("args,message", [
    (["--env", "A=b c"], "--env 'A=b c': a kernel parameter's value cannot hold a blank"),
    (["--env", "noequals"], "--env 'noequals': give KEY=VALUE"),
    (["--param", 'x="y"'], "cannot hold a blank or a double quote"),
    (["--param", "=v"], "give KEY=VALUE"),
])
def test_bad_params_start_nothing(no_vmm, args, message):
    env, marker = no_vmm
    p = anyvm(["run", *args, HELLO], env)
    assert p.returncode == NOT_STARTED and message in p.stderr, p.stderr
    assert not os.path.exists(marker)


@pytest.mark.parametrize("nic,message", [
    ("bogus", "none, user, or tap=NAME[,mac=MAC]"),
    ("tap=no-such-tap0", "no network interface no-such-tap0 here"),
    ("tap=lo,mac=01:00:5e:00:00:01", "is not a unicast MAC address"),
    ("tap=lo,speed=1", "after the TAP name only mac=MAC"),
    ("tap=" + "x" * 16, "is not a network interface name"),
])
def test_bad_nic_starts_nothing(no_vmm, nic, message):
    env, marker = no_vmm
    p = anyvm(["run", "--nic", nic, HELLO], env)
    assert p.returncode == NOT_STARTED and message in p.stderr, p.stderr
    assert not os.path.exists(marker)


@pytest.mark.parametrize("args,message", [
    (["--net", "tap:no-such-tap0"], "no network interface no-such-tap0 here"),
    (["--net", "tap:lo,mac=01:00:5e:00:00:01"], "is not a unicast MAC address"),
    (["--net", "bogus"], "none, user, or tap=NAME[,mac=MAC]"),
    (["--net", "user", "--nic", "user"], "give --nic or --net, not both"),
])
def test_net_is_nic_spelled_otherwise(no_vmm, args, message):
    env, marker = no_vmm
    p = anyvm(["run", *args, HELLO], env)
    assert p.returncode == NOT_STARTED and message in p.stderr, p.stderr
    assert not os.path.exists(marker)


def test_params_env_and_an_initrd_folder_reach_the_guest(scratch):
    tree = os.path.join(scratch, "tree")
    os.makedirs(os.path.join(tree, "etc"))
    with open(os.path.join(tree, "etc", "motd"), "w") as f:
        f.write("hello\n")
    p = anyvm(["run", "--accel", "tcg", "--timeout", "60", "--param", "anyvm.quiet_x=1",
               "-e", "GREETING=hi", "--env", "B=2", "--initrd", tree, HELLO], dict(os.environ))
    assert p.returncode == 0, p.stderr
    assert re.search(r"^cmdline: .* anyvm\.quiet_x=1 env\.GREETING=hi env\.B=2$", p.stdout,
                     re.M), p.stdout
    assert re.search(r"^anyvm: packed .*tree into an initrd \(\d+ bytes\)$", p.stderr, re.M)
    assert re.search(r"^initrd: \d+ bytes", p.stdout, re.M), p.stdout
    assert not [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("anyvm-initrd-")
                and os.path.getmtime(os.path.join(tempfile.gettempdir(), n)) > START]


def test_an_image_without_a_multiboot_header(no_vmm, scratch):
    from anyvm_lib import image
    blanked = os.path.join(scratch, "blanked.elf")
    with open(blanked, "wb") as f:
        f.write(image.blank_multiboot(image.read(HELLO)))
    env, marker = no_vmm
    p = anyvm(["run", "--target", "pc", blanked], env)
    assert p.returncode == NOT_STARTED
    assert "blanked.elf: cannot boot through its multiboot header: no multiboot magic" in p.stderr
    assert not os.path.exists(marker)


def test_pack_iso_refuses_a_text_file(no_vmm, scratch):
    env, _ = no_vmm
    out = os.path.join(scratch, "x.iso")
    p = anyvm(["pack", "iso", os.path.join(ROOT, "README.md"), "-o", out], env)
    assert p.returncode == 1
    assert "README.md: not an ELF file" in p.stderr and "Traceback" not in p.stderr
    assert not os.path.exists(out)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_stops_the_vm_and_cleans_up(scratch, sig):
    if shutil.which("qemu-system-x86_64") is None:
        pytest.skip("qemu-system-x86_64 not installed")
    # A copy with a name of its own, so the test finds its QEMU and no other.
    image = os.path.join(scratch, f"sleep-{sig.name}-{os.getpid()}.elf")
    shutil.copyfile(SLEEP, image)
    tmp = os.path.join(scratch, "tmp")
    os.mkdir(tmp)
    env = dict(os.environ, TMPDIR=tmp)
    # microvm-pvh makes a copy in the scratch directory: there is one to remove
    rc, err, left = signal_while_running(
        [sys.executable, ANYVM, "run", "--target", "microvm-pvh", "--accel", "tcg", "--timeout",
         "120", image, "--", "60000"], env, image, sig, scratch_dir=tmp)
    assert rc == 128 + sig, err
    assert f"anyvm: stopped by {sig.name}; the VM was stopped" in err
    assert "Traceback" not in err
    assert left == [], "QEMU outlived anyvm"
    assert os.listdir(tmp) == [], "the scratch directory was left behind"
