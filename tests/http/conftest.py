"""The server under test for tests/http, and what the tests share.

`httpd` is a factory fixture: httpd(tree, args) writes the content tree
(a dict of relative path -> bytes, or None for an empty directory) into a
fresh directory, starts the server on it with the extra arguments and
returns a Server:

    server.host, server.port, server.base_url   where to connect
    server.root                                 the content directory
    server.output()                             all it printed so far
    server.wait_output(regex, timeout)          the first match, or fail
    server.stop()                               end it, return (status, output)

Host-only keywords (binary, env, nofile, default_address) start another
build, with more environment, a descriptor limit, or on every address.

Today the launcher (HostLauncher) runs the host build of apps/httpd,
build/host/httpd-asan (AddressSanitizer and UBSan), on 127.0.0.1 with
port 0, and reads the port from its start line. The tests only use the
interface above, so a launcher that packs the tree into an initrd, boots
build/httpd.elf in a guest and forwards a port can take its place.

However a test ends, its servers are stopped, and each test fails when a
server crashed or a sanitizer spoke, even if its own checks passed.
"""


import pytest

from httpd_server import SANITIZER, HostLauncher, serving


@pytest.fixture
def httpd(scratch):
    def problem(s, died, status, out):
        if died and not s.expect_exit:
            return f"httpd on port {s.port} died (status {status}):\n{out[-3000:]}"
        if SANITIZER.search(out):
            return f"httpd on port {s.port}: sanitizer report:\n{out[-3000:]}"
        return None

    yield from serving(HostLauncher(scratch), scratch, problem)
