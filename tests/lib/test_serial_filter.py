"""tools/anyvm_lib/serial_filter.py on what SeaBIOS and GRUB really write
(recorded from QEMU 7.2 -M pc and the GRUB 2.06 ISO), cut into chunks at
every position."""

import io

from anyvm_lib.serial_filter import SerialFilter

SEABIOS = (b"\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
           b"Booting from DVD/CD...\r\n\x1b[0;30;47mWelcome to GRUB!\r\n\n\x1b[H\x1b[J\x1b[1;1H\r\n")
KERNEL = b"anyvm 0.1-abc\r\nboot: multiboot\r\nHello, \x1b[1mworld\x1b[0m!\r\nanyvm: exit status 0\r\n"
WANT = (b"SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from DVD/CD...\nWelcome to GRUB!\n\n\n"
        b"anyvm 0.1-abc\nboot: multiboot\nHello, \x1b[1mworld\x1b[0m!\nanyvm: exit status 0\n")


def run(chunks):
    out = io.BytesIO()
    f = SerialFilter(out)
    for c in chunks:
        f.write(c)
    f.close()
    return out.getvalue()


def test_firmware_escapes_dropped_app_escapes_kept():
    assert run([SEABIOS + KERNEL]) == WANT


def test_any_cut_into_two_chunks_gives_the_same():
    data = SEABIOS + KERNEL
    for cut in range(1, len(data)):
        assert run([data[:cut], data[cut:]]) == WANT, f"cut at {cut}"


def test_byte_by_byte():
    data = SEABIOS + KERNEL
    assert run([data[i:i + 1] for i in range(len(data))]) == WANT


def test_osc_and_charset_sequences():
    data = b"\x1b]0;title\x07a\x1b]2;t\x1b\\b\x1b(Bc\x1b7d\r\n"
    assert run([data]) == b"abcd\n"


def test_a_lone_cr_is_kept_and_a_final_one_flushed():
    assert run([b"anyvm x\r\n50%\r100%\r"]) == b"anyvm x\n50%\r100%\r"


def test_banner_only_at_a_line_start():
    # "xanyvm " in the middle of a firmware line does not end the filtering
    assert run([b"xanyvm \x1b[2Jy\r\nanyvm 1\r\n\x1b[1mz"]) == b"xanyvm y\nanyvm 1\n\x1b[1mz"
