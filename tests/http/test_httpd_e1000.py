"""apps/httpd in a guest whose NIC is an emulated Intel one, driven by
drivers/e1000: QEMU's e1000 (82540EM) on pc and e1000e (82574L) behind a
PCIe root port on q35, on user networking with the guest's port 80
forwarded (guest_server.py). A few of test_httpd.py's tests run against it:
exact bytes over curl, a thousand requests on one connection, and a 10 MiB
file (TCP sending whole windows: the transmit ring fills and is handed over
in batches) next to a slow reader. The driver's probe line must be there,
so the NIC really was the Intel one."""

import re

import pytest

import test_httpd as host_tests
from guest_server import GuestLauncher
from httpd_server import serving

NICS = {"pc-e1000": ("pc", "e1000", "82540EM"), "q35-e1000e": ("q35", "e1000e", "82574L")}

REUSED = [
    "test_curl_fetches_exact_bytes", "test_thousand_requests_on_one_connection",
    "test_large_file_sha256_and_a_slow_reader",
]
for _name in REUSED:
    globals()[_name] = getattr(host_tests, _name)

pytestmark = pytest.mark.xdist_group("httpd-e1000")


@pytest.fixture(params=list(NICS), scope="module")
def nic(request):
    return NICS[request.param]


@pytest.fixture
def httpd(scratch, nic):
    target, model, chip = nic
    probe = re.compile(rf"^e1000 [0-9a-f:.]+: {chip}, interrupts ", re.M)

    def problem(s, died, status, out):
        if died:
            return f"the guest ended (status {status}):\n{out[-3000:]}"
        if "anyvm: panic" in out or "anyvm: exception" in out or "disabled:" in out:
            return f"the guest failed:\n{out[-3000:]}"
        if not probe.search(out):
            return f"no e1000 {chip} probe line: the NIC was not the {model}:\n{out[-3000:]}"
        return None

    yield from serving(GuestLauncher(scratch, target, nic_model=model), scratch, problem)
