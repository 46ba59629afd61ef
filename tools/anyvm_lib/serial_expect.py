"""Checking a VM's serial output against the lines a test expects."""

import re


def lines_in_order(text, patterns):
    """The first regex of patterns that no line matches after the line the
    previous one matched, or None when all of them match in order."""
    lines = iter(text.splitlines())
    for pat in patterns:
        if not any(re.search(pat, ln) for ln in lines):
            return pat
    return None
