"""An app's thread-local variables (_Thread_local): the image carries a
PT_TLS header (arch/x86_64/kernel.ld) that musl finds through AT_PHDR and
copies for the app's thread, so initialised and zero-filled thread-local
data start with their values. Built outside the tree with `anyvm build`."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = [sys.executable, os.path.join(ROOT, "tools", "anyvm")]
TIMEOUT = 120

APP = r"""
#include <stdio.h>
#include <string.h>

static _Thread_local int counter = 41;      /* .tdata */
static _Thread_local char text[64];         /* .tbss */
static _Thread_local long long wide = -7;

int main(void)
{
    counter++;
    int zero = 1;
    for (size_t i = 0; i < sizeof text; i++)
        zero &= text[i] == 0;
    snprintf(text, sizeof text, "counter %d wide %lld zero %d", counter, wide, zero);
    puts(text);
    return counter == 42 && wide == -7 && zero ? 0 : 1;
}
"""


def test_thread_local_variables(tmp_path):
    src = tmp_path / "tlsapp"
    src.mkdir()
    (src / "main.c").write_text(APP)
    image = str(tmp_path / "tlsapp.elf")
    b = subprocess.run(ANYVM + ["build", str(src), "-o", image], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert b.returncode == 0, b.stderr
    r = subprocess.run(ANYVM + ["run", "--target", "microvm", "--accel", "tcg", "--timeout", "60",
                                image], capture_output=True, text=True, timeout=TIMEOUT)
    print(r.stdout)
    assert "counter 42 wide -7 zero 1" in r.stdout.splitlines()
    assert "anyvm: exit status 0" in r.stdout and r.returncode == 0
