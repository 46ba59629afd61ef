"""tools/anyvm_lib/image.py: the copies of an image that tests boot."""

import struct

import pytest

from anyvm_lib import image


def kludge_image(bss_end=0x11EB70, offset=8):
    """A fake image with a multiboot header (a.out kludge) at offset."""
    flags = image.MULTIBOOT_AOUT_KLUDGE | 3
    checksum = (-(image.MULTIBOOT_MAGIC + flags)) & 0xFFFFFFFF
    header = struct.pack("<8I", image.MULTIBOOT_MAGIC, flags, checksum, 0x100000, 0x100000,
                         0x109CBA, bss_end, 0x100040)
    return bytes(offset) + header + bytes(64)


def test_with_bss_end_moves_only_bss_end():
    data = kludge_image()
    copy = image.with_bss_end(data, 0x120000)
    h = image.multiboot_header(copy)
    assert h["bss_end_addr"] == 0x120000 and h["checksum_ok"]
    assert {k: v for k, v in h.items() if k != "bss_end_addr"} == \
        {k: v for k, v in image.multiboot_header(data).items() if k != "bss_end_addr"}
    assert len(copy) == len(data) and image.check_multiboot(copy) == image.check_multiboot(data)


def test_with_bss_end_refuses_to_shrink():
    with pytest.raises(image.ImageError, match="below the image's 0x11eb70"):
        image.with_bss_end(kludge_image(), 0x11E000)


def test_with_bss_end_needs_the_address_fields():
    flags = 3
    checksum = (-(image.MULTIBOOT_MAGIC + flags)) & 0xFFFFFFFF
    data = struct.pack("<3I", image.MULTIBOOT_MAGIC, flags, checksum) + bytes(64)
    with pytest.raises(image.ImageError, match="no address fields"):
        image.with_bss_end(data, 0x120000)
