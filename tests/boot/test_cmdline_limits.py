"""The command line's limits (tools/anyvm_lib/cmdline.py MAX_BYTES,
MAX_PARAMS, MAX_ARGS; core/cmdline.h): the tools refuse a line the kernel
would refuse, before anything boots; and the kernel, handed one anyway
(QEMU started directly), refuses it with a clear message instead of cutting
it, so the app never runs with other arguments than it was given."""

import os
import subprocess
import sys

from anyvm_lib import cmdline, qemu, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HELLO = os.path.join(ROOT, "build", "hello.elf")
LONG_ARG = "x" * 3000
RUN_TIMEOUT = 60


def test_tool_refuses_before_booting():
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "anyvm"), "run", "--target",
                        "microvm", "--accel", "tcg", HELLO, "--", LONG_ARG],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert p.returncode != 0
    assert "the kernel takes at most 2047" in p.stderr, p.stderr
    assert "Hello" not in p.stdout and "anyvm" not in p.stdout   # nothing booted


def test_tool_refuses_too_many_arguments():
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "anyvm"), "run", "--target",
                        "microvm", "--accel", "tcg", HELLO, "--", *["a"] * (cmdline.MAX_ARGS + 1)],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert p.returncode != 0
    assert f"{cmdline.MAX_ARGS + 1} arguments for the app" in p.stderr, p.stderr


def test_kernel_refuses_instead_of_cutting():
    line = qemu.with_exit_param("console=ttyS0") + " -- " + LONG_ARG
    argv = qemu.argv(machine="microvm", accel="tcg", mem="64M", cpus=1, kernel=HELLO, append=line)
    res = vm.run(argv, timeout=RUN_TIMEOUT)
    serial = res.serial.decode(errors="replace").replace("\r", "")
    print(f"$ qemu ... -append '... -- x*3000'\nexit code {res.rc}\n{serial}")
    assert not res.timed_out
    assert ("anyvm: panic: cannot use the multiboot boot information at 0x9500: multiboot: "
            "command line at 0x") in serial
    assert "is longer than the 2047 bytes the kernel takes" in serial
    assert "anyvm: exit status 127" in serial
    assert qemu.status_from_exit_code(res.rc) == 127
    assert "Hello" not in serial and LONG_ARG[:100] not in serial
