"""apps/httpd booted by UEFI firmware (OVMF on QEMU q35) with its content
tree as the initrd, which the EFI entry reads before leaving boot services
(boot/efi/efi_initrd.c): through QEMU's -kernel -initrd, which OVMF offers
through LoadFile2 (q35-uefi), and as a file beside the .efi on the GPT disk
`anyvm pack efi --initrd` writes, named by initrd= (q35-uefi-disk). The
tests are test_httpd.py's own, speaking HTTP over a forwarded port to a
virtio-net NIC the kernel finds after the firmware let go of it."""

import pytest

import test_httpd as host_tests
from guest_server import GuestLauncher, guest_problem
from httpd_server import serving

REUSED = ["test_curl_fetches_exact_bytes", "test_directories_and_paths",
          "test_pipelined_requests"]
for _name in REUSED:
    globals()[_name] = getattr(host_tests, _name)

pytestmark = pytest.mark.xdist_group("httpd-uefi")


@pytest.fixture(params=["q35-uefi", "q35-uefi-disk"], scope="module")
def target(request):
    return request.param


@pytest.fixture
def httpd(scratch, target):
    yield from serving(GuestLauncher(scratch, target), scratch, guest_problem)
