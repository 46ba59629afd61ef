"""apps/httpd over a TAP device in a namespace the test makes (no NAT in
between), serving its built-in page as 10.0.0.2:

  * microvm (virtio-mmio) and q35 (modern virtio-pci behind a PCIe root
    port): 100 keep-alive requests, 200 connections opened
    at once with a request in flight on each, then a SYN flood bounded in
    count and time followed by a request that must be answered;
  * pc (transitional virtio-pci on the conventional bus) and hostsim
    Firecracker (virtio-mmio from the command line): the smoke set, one page
    and 100 requests. hostsim runs on the PVM emulator here at 1-2 million
    guest instructions a second, hence its longer timeouts.

Each VM prints its statistics every second (--stats-interval 1); at the
end it must still be running, with nothing refused or timed out. The
traffic comes from httpd_ns_client.py run inside the namespace."""

import os
import re
import subprocess
import sys

import pytest

from anyvm_lib import devices, hostsim, netns, vm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL = os.path.join(ROOT, "build", "httpd.elf")
CLIENT = os.path.join(HERE, "httpd_ns_client.py")
PARAMS = f"net.ip={netns.GUEST_IP}/24 net.gw={netns.HOST_IP}"

pytestmark = pytest.mark.xdist_group("httpd-tap")

PROFILES = {
    "microvm": dict(boot_timeout=60, actions=[("page", 100), ("concurrent", 200),
                                              ("synflood", 2000, 5)]),
    "q35": dict(boot_timeout=60, actions=[("page", 100), ("concurrent", 200),
                                          ("synflood", 2000, 5)]),
    "pc": dict(boot_timeout=60, actions=[("page", 100)]),
    "hostsim": dict(boot_timeout=240, actions=[("page", 100)], client_timeout=300),
}


def client(ns, action, timeout):
    argv = ns.cmd(sys.executable, CLIENT, action[0], netns.GUEST_IP, *map(str, action[1:]))
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return (r.stdout + r.stderr).strip()


@pytest.fixture(scope="module")
def runs(namespace, tmp_path_factory):
    done = {}

    def run(profile):
        if profile in done:
            return done[profile]
        if not os.path.isfile(KERNEL):
            pytest.fail("build/httpd.elf is not built (make apps)", pytrace=False)
        prof = PROFILES[profile]
        if profile == "hostsim" and not os.access(hostsim.HOSTSIM, os.X_OK):
            pytest.fail("build/hostsim is not built (make hostsim)", pytrace=False)
        work = str(tmp_path_factory.mktemp(f"httpd-tap-{profile}"))
        argv = devices.argv(profile, KERNEL, ["--stats-interval", "1"], work,
                            nic=devices.Nic(netns.TAP, netns.MAC), params=PARAMS,
                            timeout=prof["boot_timeout"] + 600)
        results = {}
        with vm.Live(namespace.cmd(*argv)) as live:
            try:
                if live.wait_line(r"^httpd: listening on port 80 ", prof["boot_timeout"]) is None:
                    results["boot"] = "httpd never said it was listening"
                else:
                    for action in prof["actions"]:
                        results[action[0]] = client(namespace, action,
                                                    prof.get("client_timeout", 120))
                    # one more statistics line after the traffic
                    live.wait_line(r"^httpd: stats: ", 30)
                results["alive"] = live.proc.poll() is None
            finally:
                live.kill()
                text = live.text
        done[profile] = (results, text)
        return done[profile]

    return run


CASES = [(p, a[0]) for p, prof in PROFILES.items() for a in prof["actions"]]


@pytest.mark.parametrize("profile,action", CASES, ids=[f"{p}-{a}" for p, a in CASES])
def test_httpd_over_tap(runs, profile, action):
    results, text = runs(profile)
    assert "boot" not in results, f"{results['boot']}:\n{text[-3000:]}"
    line = results[action]
    assert re.match(rf"^{action} ok ", line), f"{line}\n--- guest ---\n{text[-3000:]}"
    assert results["alive"], f"the guest ended:\n{text[-3000:]}"
    assert "anyvm: panic" not in text and "anyvm: exception" not in text, text[-3000:]
    stats = re.findall(r"^httpd: stats: .*$", text, re.M)
    assert stats, text[-3000:]
    m = re.search(r"refused=(\d+) timed_out=(\d+)", stats[-1])
    assert m and m.group(1) == "0" and m.group(2) == "0", stats[-1]
