"""apps/httpd in a guest: the HTTP tests of test_httpd.py that only speak
HTTP, run against build/httpd.elf booted on QEMU microvm and q35 (TCG
unless hardware KVM is loaded) with its content tree as the initrd and a
port forwarded on user networking (guest_server.py). What they check is in
test_httpd.py; here the server is the unikernel: lwIP, the socket layer,
epoll and the initrd's files under the same server code."""

import os

import pytest

import test_httpd as host_tests
from guest_server import GuestLauncher, guest_problem
from httpd_server import make_tree, serving

TARGETS = ["microvm", "q35"]

# The tests that speak only HTTP (no sanitizer build, descriptor limits,
# LD_PRELOAD faults or host addresses). 200 connections opened at once are
# left to the host build: through QEMU's user networking under TCG its NAT
# accepts the host's connections about one a second once many wait and
# passes a request on late, so the server's 10 s idle timeout closes the
# connection first (a Linux guest with nginx, whose header timeout is 60 s,
# takes 11 s for the 200).
REUSED = [
    "test_curl_fetches_exact_bytes", "test_head_matches_get", "test_404_and_405",
    "test_directories_and_paths", "test_thousand_requests_on_one_connection",
    "test_pipelined_requests",
    "test_http10_and_connection_close",
    "test_bad_request", "test_megabyte_header_gets_431", "test_idle_timeout",
    "test_client_resets", "test_thousand_connections_opened_and_dropped",
    "test_large_file_sha256_and_a_slow_reader",
]
for _name in REUSED:
    globals()[_name] = getattr(host_tests, _name)

pytestmark = pytest.mark.xdist_group("httpd-guest")


@pytest.fixture(params=TARGETS, scope="module")
def target(request):
    return request.param


@pytest.fixture
def httpd(scratch, target):
    yield from serving(GuestLauncher(scratch, target), scratch, guest_problem)


@pytest.fixture(scope="module")
def bad_input_server(tmp_path_factory, target):
    work = str(tmp_path_factory.mktemp("httpd-guest-bad"))
    root = os.path.join(work, "www")
    make_tree(root, host_tests.tree())
    server = GuestLauncher(work, target).start(root, [])
    yield server
    alive = server.alive()
    _, out = server.stop()
    assert alive and "anyvm: panic" not in out, out[-3000:]

