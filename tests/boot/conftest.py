"""Fixtures of the device tests (test_netblk.py, test_misbehave.py)."""

import os

import pytest

from anyvm_lib import netns


@pytest.fixture(scope="module")
def namespace():
    """A network namespace of its own with TAP device netns.TAP at
    netns.HOST_IP, for the VMs of one test module; deleted when the
    module's tests are done, however they end. Skips the tests that need
    it where namespaces cannot be made (not root, no /dev/net/tun)."""
    why = netns.unavailable()
    if why:
        pytest.skip(why)
    name = f"anyvm-t{os.getpid()}-{os.urandom(3).hex()}"
    with netns.Namespace(name) as ns:
        yield ns
