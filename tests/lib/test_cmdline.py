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
