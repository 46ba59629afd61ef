"""What every anyvm test shares (pytest loads this first):

  * tools/ on sys.path, so tests import anyvm_lib, the library every boot
    goes through;
  * the folder a test lives in (unit, image, fuzz, boot, lib) as a keyword,
    so `-k unit` or `-k "boot and not netblk"` select by it;
  * `scratch`: a temporary directory removed when the test ends;
  * the closing line: each test counts once, as failed when any of its
    phases (set-up, the test, tear-down) failed or its collection broke, as
    skipped when it was skipped (each skip's reason is printed above the
    line), else as passed. The very last line of the run is
    `N passed, N failed` (`, N skipped` when any), and the exit status is
    not 0 when anything failed.
"""

import os
import shutil
import sys
import tempfile

import pytest

sys.dont_write_bytecode = True    # no __pycache__ in the source tree
TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(ROOT, "tools"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        rel = os.path.relpath(str(item.path), TESTS)
        item.extra_keyword_matches.add(rel.split(os.sep)[0])


@pytest.fixture
def scratch():
    """A fresh temporary directory, removed with everything in it when the
    test ends, however it ends."""
    path = tempfile.mkdtemp(prefix="anyvm-test-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def skip_reason(report):
    """The reason of a skipped test's report."""
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text[len("Skipped: "):] if text.startswith("Skipped: ") else text


class Tally:
    """Counts each test once (see the module's docstring)."""

    def __init__(self):
        self.outcome = {}        # nodeid -> "passed" | "failed" | "skipped"
        self.skips = {}          # nodeid -> reason
        self.broken = []         # collection errors: nodeid

    @pytest.hookimpl
    def pytest_collectreport(self, report):
        if report.failed:
            self.broken.append(report.nodeid or "(collection)")

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        nodeid = report.nodeid
        if report.failed:
            self.outcome[nodeid] = "failed"
            self.skips.pop(nodeid, None)
        elif report.skipped:
            if self.outcome.get(nodeid) != "failed":
                self.outcome[nodeid] = "skipped"
                self.skips[nodeid] = skip_reason(report)
        elif report.when == "call":
            self.outcome.setdefault(nodeid, "passed")

    def counts(self):
        values = list(self.outcome.values())
        return (values.count("passed"), values.count("failed") + len(self.broken),
                values.count("skipped"))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        if self.counts()[1] and session.exitstatus == 0:
            session.exitstatus = 1

    def closing_lines(self, config):
        passed, failed, skipped = self.counts()
        name = config.cwd_relative_nodeid
        lines = [f"SKIP {name(nodeid)}: {reason}" for nodeid, reason in sorted(self.skips.items())]
        lines += [f"BROKEN {name(nodeid)}: could not be collected (see above)"
                  for nodeid in self.broken]
        lines.append(f"{passed} passed, {failed} failed"
                     + (f", {skipped} skipped" if skipped else ""))
        return lines


def pytest_configure(config):
    # pytest-xdist workers report to the controller, which prints the line.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Tally(), "anyvm-tally")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    tally = config.pluginmanager.get_plugin("anyvm-tally")
    if tally is None:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    for line in tally.closing_lines(config):
        if reporter is not None:
            reporter.write_line(line)
        else:
            print(line)
    sys.stdout.flush()
