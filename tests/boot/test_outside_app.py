"""The worked example of docs/apps.md (tests/boot/outside_app), copied to a
folder outside the repository, built with the documented command
`tools/anyvm build DIR -o OUT.elf` and booted with `tools/anyvm run`:
on QEMU microvm and q35 under TCG with its floating-point part, and on
hostsim's Firecracker with --no-float (the PVM emulator of these machines
runs no SSE; the example then runs none). Every line the app prints is
compared with tests/boot/outside_expect.py, the exit status with
`anyvm: exit status N` and the tool's exit code; the sleeps are bounded
below by what was asked and above by a generous slack, the wall clock is
compared with the host's. Bad folders fail the build with a message that
names the file, before anything boots. The image's code is checked as
tests/image/test_images.py checks the apps' images, except that the
example's floating point is allowed in its one file that computes in it."""

import bisect
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

import outside_expect as expect
import zimage
from anyvm_lib import accel, image, targets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = [sys.executable, os.path.join(ROOT, "tools", "anyvm")]
EXAMPLE = os.path.join(ROOT, "tests", "boot", "outside_app")
NAME = "outside"                # outside_app/anyvm.toml name
MEMORY_KIB = 32 << 10           # outside_app/anyvm.toml memory
BUILD_TIMEOUT = 600
QEMU_TIMEOUT = 60
HOSTSIM_TIMEOUT = 120
SLEEP_SLACK_US = 2_000_000      # an upper bound for a loaded host, never a timing figure
WALL_CLOCK_SLACK_S = 60

# Every build of an app writes build/ext/NAME/: the tests here stay on one worker.
pytestmark = pytest.mark.xdist_group("outside_app")


def anyvm(args, cwd, timeout):
    p = subprocess.run(ANYVM + args, cwd=cwd, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def copy_example(dest, name=None):
    """The example in dest (a new folder), its anyvm.toml naming it `name`
    when given, so that a broken copy does not build over the example."""
    shutil.copytree(EXAMPLE, dest)
    if name:
        toml = os.path.join(dest, "anyvm.toml")
        with open(toml) as f:
            text = f.read()
        with open(toml, "w") as f:
            f.write(text.replace(f'name = "{NAME}"', f'name = "{name}"'))
    return str(dest)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example built outside the repository, in a folder whose path has
    a blank (make cannot take one: the tool must): the image's path."""
    base = tmp_path_factory.mktemp("outside")
    assert not str(base).startswith(ROOT + os.sep)
    src = copy_example(base / "my apps" / "outside")
    out = str(base / "outside.elf")
    rc, stdout, stderr = anyvm(["build", src, "-o", out], cwd=str(base), timeout=BUILD_TIMEOUT)
    print(f"$ tools/anyvm build {src!r} -o {out}\n{stdout}{stderr}")
    assert rc == 0, f"the build failed (exit {rc}):\n{stderr}"
    assert "warning:" not in stderr, "the example is not -Wall clean"
    size = os.path.getsize(out)
    assert f"anyvm: built {out} ({size} bytes) from {src}" in stderr
    assert os.path.isfile(out[:-len(".elf")] + ".debug.elf")
    return out


def boot(image, target, args, env=()):
    """Runs `tools/anyvm run` of image on target with the app's args and
    env.KEY=VALUE parameters: (exit code, serial transcript, stderr, the
    host's time before and after)."""
    t = targets.get(target)
    cmdline = " ".join([t.cmdline] + [f"env.{kv}" for kv in env])
    timeout = HOSTSIM_TIMEOUT if t.vmm == "hostsim" else QEMU_TIMEOUT
    argv = ["run", "--target", target, "--timeout", str(timeout), "--cmdline", cmdline]
    if t.vmm == "qemu":
        argv += ["--accel", "tcg"]
    argv += [image] + (["--"] + list(args) if args else [])
    before = time.time()
    rc, serial, stderr = anyvm(argv, cwd=os.path.dirname(image), timeout=timeout + 30)
    after = time.time()
    print(f"$ tools/anyvm {' '.join(argv)}\nexit code {rc}\n{serial}\n[stderr]\n{stderr}")
    return rc, serial.replace("\r", ""), stderr, (before, after)


def check_run(rc, serial, host_times, want, status):
    """Every app line as expected, the measured values within bounds, the
    exit status on the serial port and as the tool's exit code."""
    problems, found = expect.compare(expect.app_lines(serial), want)
    assert not problems, "the app's lines differ:\n" + "\n".join(problems)
    lines = [ln for ln in serial.split("\n") if ln.strip()]
    assert lines[-1] == f"anyvm: exit status {status}", f"last line {lines[-1]!r}"
    assert rc == status, f"tools/anyvm exited {rc}, expected the app's status {status}"
    for bad in ("anyvm: panic", "anyvm: exception", "FAIL"):
        assert not any(bad in ln for ln in lines), f"a line says {bad!r}"
    # anyvm.toml's memory, given by `anyvm run` without --mem
    usable = re.search(r"^memory: (\d+) KiB usable$", serial, re.M)
    assert usable and MEMORY_KIB - 4096 < int(usable.group(1)) <= MEMORY_KIB, usable

    for name in ("nanosleep", "usleep"):
        us = int(found[name].group("us"))
        assert expect.SLEEP_MS * 1000 <= us <= expect.SLEEP_MS * 1000 + SLEEP_SLACK_US, \
            f"{name} of {expect.SLEEP_MS} ms measured {us} us"
    before, after = host_times
    t = int(found["time"].group("s"))
    rt = int(found["realtime"].group("s")) + int(found["realtime"].group("ns")) / 1e9
    tv = int(found["gettimeofday"].group("s")) + int(found["gettimeofday"].group("us")) / 1e6
    for what, value in (("time()", t), ("CLOCK_REALTIME", rt), ("gettimeofday", tv)):
        assert before - WALL_CLOCK_SLACK_S <= value <= after + WALL_CLOCK_SLACK_S, \
            f"{what} says {value}, the host {before:.0f}-{after:.0f}"
    # read one after the other from one clock: never backwards
    assert t <= int(rt) and int(rt * 1e6) <= int(tv * 1e6) + 1, (t, rt, tv)
    assert found["date"].group("date") == time.strftime("%Y-%m-%d", time.gmtime(int(rt)))


# (id, target, the app's arguments, env. parameters, and what the options
# come to: floating point, exit status, --verbose count, operands)
RUNS = [
    # options as getopt_long takes them (repeated, --opt=value, operands
    # among them, `--`), an argument with a blank, a repeated env. key
    ("microvm", "microvm", ["-v", "--exit=5", "alpha", "-v", "two words", "--", "-not-an-option"],
     ["OUTSIDE_GREETING=first", "OUTSIDE_GREETING=hello-from-the-host"],
     (True, 5, 2, ["alpha", "two words", "-not-an-option"])),
    # no arguments: anyvm.toml's args; no greeting
    ("q35-toml-args", "q35", [], [], (True, 3, 0, ["from-anyvm.toml"])),
    # the PVM emulator: no floating point; grouped short options
    ("firecracker-no-float", "firecracker", ["-nvx", "9", "small"], ["OUTSIDE_GREETING=fc"],
     (False, 9, 1, ["small"])),
]


@pytest.mark.parametrize("target,args,env,parsed",
                         [pytest.param(*run[1:], id=run[0]) for run in RUNS])
def test_run(example, target, args, env, parsed):
    greeting = env[-1].split("=", 1)[1] if env else None
    want = expect.expected(*parsed, greeting=greeting)
    rc, serial, _, host_times = boot(example, target, args, env)
    check_run(rc, serial, host_times, want, parsed[1])


def test_bad_option(example):
    """getopt_long's own message (musl 1.2.3 src/misc/getopt_long.c) on
    stderr, the usage line, status 2, and no atexit line: the handler is
    registered only once the options are good."""
    rc, serial, _, _ = boot(example, "microvm", ["--bogus"])
    assert expect.app_lines(serial) == [
        "outside: unrecognized option: bogus",
        "outside: usage: outside [--no-float] [--exit N] [--verbose] [ARG...]",
    ]
    assert "anyvm: exit status 2" in serial and rc == 2


@pytest.mark.skipif(accel.hardware_kvm(), reason="hardware KVM runs SSE: the control needs PVM")
def test_floating_point_stops_the_pvm_emulator(example):
    """The control of the no-float run: under the PVM emulator the same
    image with its floating-point part stops at the part's first SSE
    instruction, after the last integer check."""
    rc, serial, stderr, _ = boot(example, "firecracker", ["-x", "9"])
    assert "outside: 96 KiB on the stack" in serial
    assert "outside: printf %.3f" not in serial and "anyvm: exit status" not in serial
    assert "instruction emulation failed" in stderr + serial
    assert rc != 9


# ---- bad folders: each fails the build with a message naming the file ----

def test_folder_without_c_files(tmp_path):
    src = copy_example(tmp_path / "no-c", name="outside-no-c")
    for f in os.listdir(src):
        if f.endswith(".c"):
            os.remove(os.path.join(src, f))
    rc, stdout, stderr = anyvm(["build", src, "-o", str(tmp_path / "x.elf")], cwd=str(tmp_path),
                               timeout=60)
    assert rc == 1 and stderr.strip() == f"anyvm: {src}: no C files (*.c) to build", stderr
    assert not os.path.exists(tmp_path / "x.elf")


def test_compile_error_shows_the_compiler(tmp_path):
    src = copy_example(tmp_path / "broken", name="outside-broken")
    with open(os.path.join(src, "main.c"), "a") as f:
        f.write("int broken(void)\n{\n    return no_such_name;\n}\n")
    lines = sum(1 for _ in open(os.path.join(src, "main.c")))
    rc, stdout, stderr = anyvm(["build", src, "-o", str(tmp_path / "x.elf")], cwd=str(tmp_path),
                               timeout=BUILD_TIMEOUT)
    print(stdout + stderr)
    assert rc == 1
    assert re.search(rf"main\.c:{lines - 1}:\d+: error: use of undeclared identifier "
                     r"'no_such_name'", stderr), stderr
    assert f"anyvm: building {src} failed" in stderr
    assert not os.path.exists(tmp_path / "x.elf")


def test_unknown_manifest_key(tmp_path):
    src = copy_example(tmp_path / "key", name="outside-key")
    with open(os.path.join(src, "anyvm.toml"), "a") as f:
        f.write('colour = "blue"\n')
    rc, stdout, stderr = anyvm(["build", src, "-o", str(tmp_path / "x.elf")], cwd=str(tmp_path),
                               timeout=60)
    assert rc == 1
    assert stderr.startswith(f"anyvm: {src}/anyvm.toml: unknown key 'colour' (known: "), stderr
    assert "APPCC" not in stdout + stderr        # refused before anything compiled


def kernel_of(data):
    """The kernel an image holds: its decoded payload when it is the
    self-decompressing image (tools/zimage.py), else the image itself."""
    block = image.elf_section(data, ".payload")
    return zimage.decode(block, 16 << 20)[0] if block else data


def test_same_name_from_another_folder(tmp_path):
    """A second folder building under the same name gets its own code and
    settings, even when its sources are older than the first's objects."""
    def app(folder, word, devices):
        d = tmp_path / folder
        d.mkdir()
        (d / "main.c").write_text('#include <stdio.h>\nint main(void)\n{\n'
                                  f'    puts("rebuild says {word}");\n    return 0;\n}}\n')
        (d / "anyvm.toml").write_text(f'name = "outside-rebuild"\ndevices = {devices}\n')
        return str(d)
    first, second = app("first", "first", "false"), app("second", "second", "true")
    os.utime(os.path.join(second, "main.c"), (946684800, 946684800))    # year 2000
    images = {}
    for src in (first, second):
        out = src + ".elf"
        rc, stdout, stderr = anyvm(["build", src, "-o", out], cwd=str(tmp_path),
                                   timeout=BUILD_TIMEOUT)
        assert rc == 0, stdout + stderr
        with open(out, "rb") as f:
            images[src] = kernel_of(f.read())
    said = {src: re.findall(rb"rebuild says (\w+)", image) for src, image in images.items()}
    assert said == {first: [b"first"], second: [b"second"]}, said
    # devices = true links the bus and driver layers (docs/apps.md: about 90 KiB)
    sizes = {src: len(image) for src, image in images.items()}
    assert sizes[second] > sizes[first] + 32 * 1024, sizes


# ---- the image's code, by the rule of tests/image/test_images.py ----

def image_rules():
    spec = importlib.util.spec_from_file_location(
        "image_rules", os.path.join(ROOT, "tests", "image", "test_images.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_image_keeps_what_the_build_recorded(example):
    """The compressed image carries the kernel's .anyvm_info on, which the
    tools read (anyvm.toml's memory = "32M")."""
    with open(example, "rb") as f:
        info = image.app_info(f.read())
    assert info == {"name": NAME, "memory": "32M"}, info


def test_image_instructions(example):
    """No instruction the PVM emulator lacks anywhere; SSE and x87 only in
    the C library and in the example's floating.c (none in its other files,
    which --no-float runs, nor in the kernel). test_images.py checks the
    apps' images; an image built from outside has its app objects under
    build/ext/NAME/obj/ in its link map."""
    rules = image_rules()
    with open(os.path.join(ROOT, "build", "ext", NAME, NAME + ".map")) as f:
        spans = sorted((int(m.group(2), 16), int(m.group(2), 16) + int(m.group(3), 16),
                        m.group(4)) for m in rules.MAP_SECTION.finditer(f.read())
                       if int(m.group(3), 16))
    starts = [s for s, _, _ in spans]
    app_obj = re.compile(rf"^build/ext/{NAME}/obj/(\w+)\.c\.o$")

    def origin(addr):
        i = bisect.bisect_right(starts, addr) - 1
        o = spans[i][2] if i >= 0 and addr < spans[i][1] else "kernel"
        if "libc.a(" in o:
            return "libc"
        m = app_obj.match(o)
        return m.group(1) + ".c" if m else "kernel"

    # The kernel's code is in the uncompressed image the build kept (the
    # shipped one's own code is the stub, which test_images.py checks).
    kernel = os.path.join(ROOT, "build", "zimage", "ext", NAME, NAME + ".elf")
    p = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                        kernel if os.path.exists(kernel) else example],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    floats, problems, seen = {}, [], set()
    for ln in p.stdout.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", ln)
        if not m:
            continue
        addr, insn = int(m.group(1), 16), re.sub(r"<[^>]*>", "", m.group(2)).strip()
        where = origin(addr)
        seen.add(where)
        if rules.NEVER.search(insn):
            problems.append(f"{addr:#x} ({where}): {insn}")
        elif rules.is_float(insn):
            floats[where] = floats.get(where, 0) + 1
            if where not in ("libc", "floating.c"):
                problems.append(f"{addr:#x} ({where}): {insn}")
    assert {"kernel", "libc", "main.c", "checks.c", "clocks.c", "memory.c", "floating.c"} <= seen
    assert not problems, "\n".join(problems[:20])
    assert floats.get("floating.c", 0) > 0, "floating.c computes in floating point"


# ---- the comparison itself ----

def test_comparison_can_fail():
    """compare() holds every line: one changed, one missing or one more
    each fail, and a Measured line must match its pattern."""
    want = expect.expected(False, 0, 0, [])
    good = [ln if isinstance(ln, str) else None for ln in want]
    samples = {"time": "outside: time() 1700000000",
               "realtime": "outside: CLOCK_REALTIME 1700000000.000000001",
               "gettimeofday": "outside: gettimeofday 1700000000.000001",
               "date": "outside: UTC date 2023-11-14",
               "nanosleep": "outside: nanosleep 50 ms took 50100 us",
               "usleep": "outside: usleep 50000 us took 50100 us"}
    good = [ln if ln is not None else samples[w.name] for ln, w in zip(good, want)]
    problems, found = expect.compare(good, want)
    assert problems == [] and set(found) == set(samples)
    i = good.index("outside: qsort ints: -7 -7 0 3 5 19 42 64 88 1000")
    assert expect.compare(good[:i] + ["outside: qsort ints: -7 0 3"] + good[i + 1:], want)[0]
    assert expect.compare(good[:-1], want)[0]
    assert expect.compare(good + ["outside: one more"], want)[0]
    j = good.index(samples["nanosleep"])
    assert expect.compare(good[:j] + ["outside: nanosleep 50 ms took soon"] + good[j + 1:],
                          want)[0]
