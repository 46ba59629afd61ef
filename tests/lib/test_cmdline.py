"""tools/anyvm_lib/cmdline.py: how the app's arguments are quoted into the
kernel command line (the kernel's parser, core/cmdline.c, removes the
double quotes and has no escape character)."""

import pytest

from anyvm_lib import cmdline


@pytest.mark.parametrize("arg,want", [
    ("one", "one"),
    ("a=b", "a=b"),
    ("--", "--"),
    ("hello world", '"hello world"'),
    ("tab\there", '"tab\there"'),
    ("new\nline", '"new\nline"'),
    ("", '""'),
    (" ", '" "'),
    ("it's", "it's"),
])
def test_quote_arg(arg, want):
    assert cmdline.quote_arg(arg) == want


@pytest.mark.parametrize("arg", ['"', 'say "hi"', 'x"'])
def test_double_quote_cannot_be_carried(arg):
    with pytest.raises(cmdline.CmdlineError, match="double quote"):
        cmdline.quote_arg(arg)


@pytest.mark.parametrize("params,args,want", [
    ("console=ttyS0", [], "console=ttyS0"),
    ("console=ttyS0", ["one", "two"], "console=ttyS0 -- one two"),
    ("console=ttyS0", ["hello world", "x"], 'console=ttyS0 -- "hello world" x'),
    ("  console=ttyS0  ", ["a"], "console=ttyS0 -- a"),
    ("", ["a"], "-- a"),
    (None, ["a"], "-- a"),
    ("", [], ""),
    ("console=ttyS0", [""], 'console=ttyS0 -- ""'),
])
def test_compose(params, args, want):
    assert cmdline.compose(params, args) == want


def test_compose_refuses_what_it_cannot_quote():
    with pytest.raises(cmdline.CmdlineError):
        cmdline.compose("console=ttyS0", ["ok", 'not "ok"'])


def header_define(path, name):
    import os
    import re
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, path)) as f:
        return int(re.search(rf"^#define {name} (\d+)", f.read(), re.M).group(1))


def test_limits_are_the_kernels():
    assert cmdline.MAX_BYTES == header_define("core/cmdline.h", "CMDLINE_MAX_BYTES") - 1
    assert cmdline.MAX_BYTES == header_define("boot/bootinfo.h", "BOOTINFO_CMDLINE_MAX") - 1
    assert cmdline.MAX_PARAMS == header_define("core/cmdline.h", "CMDLINE_MAX_PARAMS")
    assert cmdline.MAX_ARGS == header_define("core/cmdline.h", "CMDLINE_MAX_ARGS")


def test_split_words_as_the_kernel():
    assert cmdline.split_words('a=1  b -- "x y" "" z') == ["a=1", "b", "--", "x y", "", "z"]
    assert cmdline.split_words('a "b c') == ["a", "b c"]   # the kernel refuses it, not this


def test_limits_at_the_edge():
    cmdline.check_limits("x" * cmdline.MAX_BYTES)
    with pytest.raises(cmdline.CmdlineError, match="2048 bytes; the kernel takes at most 2047"):
        cmdline.check_limits("x" * 2048)
    # QEMU's multiboot loader puts the kernel's path and a blank first
    with pytest.raises(cmdline.CmdlineError, match="would be 2048 bytes \\(11 of them the kernel's path"):
        cmdline.check_limits("x" * 2037, prefix_bytes=11)
    cmdline.check_limits(cmdline.compose("console=ttyS0", ["a"] * cmdline.MAX_ARGS))
    with pytest.raises(cmdline.CmdlineError, match="33 arguments for the app; .* at most 32"):
        cmdline.check_limits(cmdline.compose("console=ttyS0", ["a"] * 33))
    cmdline.check_limits(" ".join(f"p{i}=1" for i in range(cmdline.MAX_PARAMS)) + " -- a")
    with pytest.raises(cmdline.CmdlineError, match="65 kernel parameters"):
        cmdline.check_limits(" ".join(f"p{i}=1" for i in range(65)))
