"""Fixtures of the network stack tests: a namespace (TAP at netns.HOST_IP,
plus an IPv6 address) for the VMs of one module."""

import os

import pytest

from anyvm_lib import netns

HOST_IP6, GUEST_IP6 = "fd00::1", "fd00::2"


@pytest.fixture(scope="module")
def namespace():
    why = netns.unavailable()
    if why:
        pytest.skip(why)
    name = f"anyvm-n{os.getpid()}-{os.urandom(3).hex()}"
    with netns.Namespace(name) as ns:
        r = netns._run(ns.cmd("ip", "-6", "addr", "add", f"{HOST_IP6}/64", "dev", netns.TAP,
                              "nodad"))
        if r.returncode != 0:
            raise netns.NamespaceError(f"ip -6 addr add: {r.stderr.strip()}")
        yield ns
