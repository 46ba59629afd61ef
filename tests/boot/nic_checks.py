"""The checks every NIC's end-to-end test makes of one guest run
(test_netblk.py for virtio-net and e1000, test_vmxnet3.py for vmxnet3): the
traffic the test sent from the namespace and what the guest answered. A run
is an object with ready (the guest's "answering" line or None), lines,
text, tail(), rc, pings_small, pings_large and udp ((sent, received,
output) from traffic.py), replies (traffic.ReplyChecksums) and link (what
the link flap reported, None when it went as asked). Each check takes the
run and its profile and asserts."""

import re

from anyvm_lib import qemu

PINGS_SMALL = 20             # ping -c 20 -i 0.01 (56-byte payload)
PINGS_LARGE = 5              # 1472-byte payload: full 1500-byte datagrams
UDP_COUNT = 5


def answered(run):
    """The guest answered: without that the traffic checks have nothing."""
    assert run.ready is not None and "answering" in run.ready, \
        f"the guest never started answering ({run.ready or 'no line'}):\n{run.tail()}"


def check_ping_burst(run, prof):
    answered(run)
    sent, got, out = run.pings_small
    assert sent == PINGS_SMALL and got == sent, \
        f"{got} of {sent} answered (wanted {PINGS_SMALL}): {out.strip()[-200:]}"


def check_ping_large(run, prof):
    answered(run)
    sent, got, out = run.pings_large
    assert sent == PINGS_LARGE and got == sent, \
        f"{got} of {sent} full-size pings answered: {out.strip()[-200:]}"


def check_udp_echo(run, prof):
    answered(run)
    sent, got, out = run.udp
    assert got == sent == UDP_COUNT, f"{got} of {sent} datagrams echoed intact: {out[-200:]}"


def check_exit_status(run, prof):
    last = next((ln for ln in reversed(run.lines) if "exit status" in ln or "panic" in ln),
                "no exit line")
    assert run.rc == qemu.debug_exit_code(0) and re.search(
        r"^anyvm: exit status 0$", run.text, re.M), f"VMM exit code {run.rc}, serial: {last}"


def check_guest_action(action):
    def check(run, prof):
        fails = "; ".join(ln for ln in run.lines if "devinfo: FAIL" in ln)
        assert re.search(rf"^devinfo: PASS {action}\b", run.text, re.M), \
            f"no `devinfo: PASS {action}` line; {fails or 'no FAIL line'}"
    return check


def check_link_flap(run, prof):
    answered(run)
    assert run.link is None, run.link
    down = run.lines.index("net0: link down")
    assert "net0: link up" in run.lines[down:], "the link came back before it went down"


def check_reply_checksums(run, prof):
    # ping(8) counts an echo reply whatever its checksum: read on the host,
    # every reply must carry a correct one (ICMP's completed by the guest in
    # software, UDP's inserted by the device).
    answered(run)
    c = run.replies.counts
    assert c is not None, f"no count from the reply sniffer: {run.replies.output[-300:]}"
    assert c["icmp_bad"] == 0 and c["udp_bad"] == 0, f"replies with a wrong checksum: {c}"
    assert c["icmp_ok"] == PINGS_SMALL + PINGS_LARGE and c["udp_ok"] == UDP_COUNT, \
        f"not every reply was seen with a good checksum: {c}"
