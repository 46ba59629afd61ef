"""What the reference boots share: one PASS/FAIL/SKIP line per check and
the closing count (tests/reference/boot.py, boot_hyperv.py)."""

import subprocess


class Report:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, why=""):
        print(f"{'PASS' if ok else 'FAIL'} {name}" + ("" if ok else f": {why}"))
        self.passed += ok
        self.failed += not ok

    def skip(self, name, why):
        print(f"SKIP {name}: {why}")
        self.skipped += 1

    def summary(self):
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def netns_run(ns, *args):
    """A command inside network namespace ns; fails loudly."""
    subprocess.run(["ip", "netns", "exec", ns] + list(args), check=True)


def tap_in_netns(ns, host_ip):
    """Network namespace ns with tap0 up at host_ip/24."""
    subprocess.run(["ip", "netns", "add", ns], check=True)
    netns_run(ns, "ip", "tuntap", "add", "tap0", "mode", "tap")
    netns_run(ns, "ip", "addr", "add", f"{host_ip}/24", "dev", "tap0")
    netns_run(ns, "ip", "link", "set", "tap0", "up")
