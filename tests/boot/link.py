"""A NIC's link taken down and up while the guest runs: QEMU's set_link
through QMP (anyvm_lib.qmp), the guest's log followed for each change. The
device tests with a non-virtio NIC share it (test_netblk.py,
test_vmxnet3.py)."""

from anyvm_lib import qmp

LINK_TIMEOUT = 20            # until the guest reports a link change


def link_flap(v, path, device="nic0", timeout=LINK_TIMEOUT):
    """Takes `device`'s link down and up through the QMP server on `path`,
    each time waiting for the guest (vm.Live v) to say so. None when it
    did, else what was missing."""
    with qmp.QMP(path) as q:
        q.execute("set_link", name=device, up=False)
        if v.wait_line(r"^net0: link down$", timeout) is None:
            return "no `net0: link down` after set_link off"
        q.execute("set_link", name=device, up=True)
        if v.wait_line(r"^net0: link up$", timeout) is None:
            return "no `net0: link up` after set_link on"
    return None
