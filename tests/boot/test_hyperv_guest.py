"""The anyvm kernel as a Hyper-V guest on build/hostsim's Hyper-V host
(docs/hyperv.md): the two sides were written independently from the public
layouts, so each checks the other.

  * devinfo on Gen1 and Gen2: the reference-TSC clock, the SynIC, VMBus
    connected at the newest version both sides share (5.3), the four
    integration services negotiated and bound, the wall clock set by
    timesync within a few seconds of the host's, exit status 0;
  * the host capped at an older VMBus version (4.0): the guest connects at it;
  * httpd (an app that idles) and SIGTERM to hostsim: the host asks through
    the shutdown service, the kernel ends the VM with status 0;
  * a channel rescinded while the guest runs (heartbeat after 1 s): removed,
    and the shutdown service still ends the VM with status 0;
  * every `--misbehave vmbus-*` fault: the guest logs the violation, loses
    only that channel (hostsim's faults hit the first one, the shutdown
    service), the other services still negotiate and the app runs.

hostsim runs on /dev/kvm; each run has a timeout; nothing is timed."""

import datetime
import os
import re
import signal
import time

import pytest

from anyvm_lib import hostsim, vm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEVINFO = os.path.join(ROOT, "build", "devinfo.elf")
HTTPD = os.path.join(ROOT, "build", "httpd.elf")
GUEST_TIMEOUT = 120

SERVICES = [r"^hyperv shutdown: framework 3\.0, version 3\.\d$",
            r"^hyperv heartbeat: framework 3\.0, version 3\.\d$",
            r"^hyperv timesync: framework 3\.0, version 4\.\d$",
            r"^hyperv kvp: framework 3\.0, version 4\.\d$"]


def need(*paths):
    for p in (hostsim.HOSTSIM, *paths):
        if not os.path.exists(p):
            pytest.fail(f"{os.path.relpath(p, ROOT)} is not built (make hostsim apps)",
                        pytrace=False)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is absent or not accessible (hostsim needs KVM)")


def argv(kernel, *model_args, misbehave=None, app_args=(), params=""):
    line = "console=ttyS0" + (" " + params if params else "") + \
        (" -- " + " ".join(app_args) if app_args else "")
    return hostsim.argv("hyperv", "pvh", kernel, line, "128M", 1, GUEST_TIMEOUT,
                        misbehave=misbehave, model_args=list(model_args))


def has(text, pattern):
    return re.search(pattern, text, re.M) is not None


@pytest.mark.parametrize("gen", [1, 2])
def test_devinfo_on_hyperv(gen):
    need(DEVINFO)
    cmd = argv(DEVINFO, "--gen", str(gen))
    before = time.time()
    res = vm.run(cmd, timeout=GUEST_TIMEOUT + 30)
    text = res.serial_text
    print(f"$ {' '.join(cmd)}\nexit {res.rc}\n{res.stderr_text}\n{text}")
    for pat in [r"^hypervisor: Hyper-V$", r"^clock: tsc \d+\.\d{3} MHz \(hyperv reference TSC\)$",
                r"^hyperv: SynIC version 1, SINT2 on vector \d+$",
                r"^vmbus: connected, protocol 5\.3$", *SERVICES, r"^vmbus: 4 offers$",
                r"^devinfo: bus vmbus: 4 devices$",
                r"^devinfo:   vmbus relid \d shutdown: bound, driver hv-shutdown$",
                r"^devinfo:   vmbus relid \d kvp: bound, driver hv-kvp$",
                r"^anyvm: exit status 0$"]:
        assert has(text, pat), pat
    m = re.search(r"^wallclock: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC \(hyperv timesync\)$",
                  text, re.M)
    assert m, "timesync set no wall clock"
    guest = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    # within a second of the host's clock: the guest prints whole seconds
    assert before - 1 <= guest <= time.time(), (m.group(1), before)
    assert not has(text, r"disabled|violation|refused|panic")
    assert res.rc == 1                     # exit port: (2 * 0 + 1)


def test_an_older_host_and_the_offers_listed():
    need(DEVINFO)
    res = vm.run(argv(DEVINFO, "--vmbus-max-version", "4.0", params="vmbus.list"),
                 timeout=GUEST_TIMEOUT + 30)
    assert has(res.serial_text, r"^vmbus: connected, protocol 4\.0$"), res.serial_text
    # vmbus.list: one line per offer, as the host made it
    for relid, name, cls in [(1, "shutdown", "0e0b6031-5213-4934-818b-38d90ced39db"),
                             (2, "heartbeat", "57164f39-9115-4e78-ab55-382f3bd5422d"),
                             (3, "timesync", "9527e630-d0ae-497b-adce-e80ab0175caf"),
                             (4, "kvp", "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6")]:
        assert has(res.serial_text, rf"^vmbus: offer relid {relid}: {name} \(class {cls}\), "
                                    r"instance [0-9a-f-]{36}, connection id \d+$"), name
    assert has(res.serial_text, r"^devinfo: bus vmbus: 4 devices$")
    assert has(res.serial_text, r"^anyvm: exit status 0$")


def run_and_stop(cmd, settle=r"^httpd: listening on port 80", then=None):
    """Boots, waits for the app to idle (and for the line then, if given),
    sends hostsim SIGTERM; (rc, serial, stderr)."""
    with vm.Live(cmd) as v:
        line = v.wait_line(settle, 60)
        assert line, "the app never started: " + v.text[-1500:]
        if then is not None:
            assert v.wait_line(then, 60), f"no line {then!r}: " + v.text[-1500:]
        time.sleep(1.5)
        v.proc.send_signal(signal.SIGTERM)
        rc = v.wait(60)
        text, err = v.text, v.stderr_text
    print(f"$ {' '.join(cmd)}\nexit {rc}\n{err}\n{text}")
    return rc, text, err


def test_sigterm_reaches_the_app_through_the_shutdown_service():
    """httpd handles SIGTERM: the kernel passes the host's request on as
    that signal, its epoll_wait ends, and it stops by itself."""
    need(HTTPD)
    rc, text, err = run_and_stop(argv(HTTPD))
    assert "asked the guest to shut down through the shutdown IC" in err
    assert has(text, r"^hyperv shutdown: the host asks the VM to shut down; SIGTERM to the app, "
                     r"which has 10 s to end$")
    assert has(text, r"^httpd: SIGTERM: stopping with 0 connections open$")
    assert has(text, r"^anyvm: exit status 0$")
    assert not has(text, r"did not end within")
    assert rc == 1


def test_an_app_without_a_handler_ends_at_once():
    """devinfo idles with no SIGTERM handler: the VM ends at once, status 0."""
    need(DEVINFO)
    rc, text, err = run_and_stop(argv(DEVINFO, app_args=["idle", "100"]),
                                 settle=r"^devinfo: idle for 100 s")
    assert has(text, r"^hyperv shutdown: the host asks the VM to shut down$")
    assert not has(text, r"^devinfo: all \d+ actions? passed")   # main never returned
    assert has(text, r"^anyvm: exit status 0$") and rc == 1


def test_a_rescinded_channel_goes_and_the_rest_stays():
    need(HTTPD)
    # The rescind comes 3 s into the run, after the guest has taken the
    # offers: the compressed image spends about 1.2 s decoding itself under
    # the PVM emulator before the kernel starts (docs/bench.md).
    rc, text, err = run_and_stop(argv(HTTPD, "--vmbus-rescind", "heartbeat@3"),
                                 then=r"^vmbus: relid \d rescinded$")
    assert has(text, r"^vmbus: relid \d rescinded$"), text
    assert has(text, r"^hyperv shutdown: the host asks the VM to shut down; SIGTERM")
    assert has(text, r"^anyvm: exit status 0$") and rc == 1


# Each fault hits the first channel after the shutdown service's (hostsim
# passes that one over): the heartbeat's, relid 2.
MISBEHAVE = {
    "vmbus-offer-short": r"^vmbus: host message refused: message: shorter than its type's size$",
    "vmbus-offer-relid0": r"^vmbus: host message refused: message: offer with a relid of 0",
    "vmbus-gpadl-status": r"^vmbus relid 2: the host refused GPADL 0x[0-9a-f]+ "
                          r"\(status 0x8000ffff\)$",
    "vmbus-gpadl-id": r"^vmbus relid 2: unexpected message type 10 \(id 0x[0-9a-f]+\)$",
    "vmbus-ring-index": r"^vmbus relid 2 heartbeat: disabled: inbound ring: the host's write "
                        r"index is outside the ring",
    "vmbus-packet-len": r"^vmbus relid 2 heartbeat: disabled: inbound ring: a packet longer than "
                        r"the data in the ring$",
    "vmbus-rescind-open": r"^vmbus: relid 2 rescinded$",
}


def test_every_vmbus_fault_has_a_guest_case():
    kinds = {k for k, (backend, _) in hostsim.misbehave_kinds().items() if backend == "vmbus"}
    assert kinds == set(MISBEHAVE)


@pytest.mark.parametrize("kind", sorted(MISBEHAVE))
def test_misbehaving_host(kind):
    need(HTTPD)
    rc, text, err = run_and_stop(argv(HTTPD, misbehave=kind))
    assert f"hostsim: misbehaving now:" in err, err
    assert has(text, MISBEHAVE[kind]), text
    # the shutdown service and the others after the broken one still negotiate
    for pat in [SERVICES[0], *SERVICES[2:]]:
        assert has(text, pat), pat
    assert has(text, r"^httpd: listening on port 80")
    assert not has(text, r"anyvm: panic")
    # and the host's shutdown request still ends the VM, with status 0
    assert has(text, r"^hyperv shutdown: the host asks the VM to shut down; SIGTERM"), text[-1500:]
    assert has(text, r"^httpd: SIGTERM: stopping")
    assert has(text, r"^anyvm: exit status 0$") and rc == 1, rc
