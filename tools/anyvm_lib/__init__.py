"""anyvm's host-side library: build VMM command lines, pack images, boot an
image on a target and read the guest's exit status from the VMM and the serial
transcript. tools/anyvm is the command; the tests (tests/) and bench/ import
the same pieces so that every boot goes through one path."""

import os

# The repository root: tools/anyvm_lib/ is two levels below it.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
