"""The C unit tests as pytest results. Each tests/unit/test_NAME.c is built
(`make unit`) into build/unit/test_NAME, a cmocka program (unit.h). pytest
collects one item per test the program lists (`test_NAME --list`), named
`unit/test_NAME.c::TEST`, and one more, `unit/test_NAME.c::program-exit`.

The program runs once, the first time one of its items runs, with cmocka's
TAP output (CMOCKA_MESSAGE_OUTPUT=TAP), stderr merged into stdout (unit.h
leaves stdout unbuffered, so the order holds) and UBSan stopping at its
first report. Then:
  * a test passes when its `ok N - TEST` line came; it fails with what was
    printed for it (CHECK's expression, cmocka's file:line) on `not ok`;
  * a test with no line fails: the program died in it (the output since the
    last result, a sanitizer report for instance, is shown) or before it;
  * program-exit fails when the program did not end as its results say it
    should (exit 0 with every test passed, 1 with some failed): a crash, a
    timeout, a sanitizer report after the last test (LeakSanitizer at
    exit), a TAP plan or test name that does not match the list.
"""

import os
import re
import signal
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD_UNIT = os.path.join(ROOT, "build", "unit")
TIMEOUT = 120           # seconds for one program (sanitizer builds)
EXIT_ITEM = "program-exit"   # never a C identifier, so never a test's name
TAIL = 40               # output lines shown with a failure

RESULT = re.compile(r"^(not )?ok (\d+) - (.*)$")
PLAN = re.compile(r"^1\.\.(\d+)$")
GROUP = re.compile(r"^# (not )?ok - ")
SANITIZER = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error: ")

ENV = {
    "CMOCKA_MESSAGE_OUTPUT": "TAP",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".c" and file_path.name.startswith("test_") and \
            str(file_path.parent) == HERE:
        return Program.from_parent(parent, path=file_path)
    return None


class UnitFailure(Exception):
    def __init__(self, why, output=""):
        super().__init__(why)
        self.why, self.output = why, output


def tail(lines, n=TAIL):
    cut = lines[-n:]
    head = [f"... ({len(lines) - n} earlier lines)"] if len(lines) > n else []
    return "\n".join(head + cut)


class Result:
    def __init__(self, ok, output):
        self.ok, self.output = ok, output


class Run:
    """One run of a program, read from its TAP output."""

    def __init__(self, argv):
        self.argv = argv
        self.timed_out = False
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=TIMEOUT, cwd=ROOT,
                               env={**os.environ, **ENV})
            out, self.rc = p.stdout, p.returncode
        except subprocess.TimeoutExpired as e:
            out, self.rc, self.timed_out = e.stdout or b"", None, True
        self.lines = out.decode("utf-8", "replace").splitlines()
        self.results, self.order, self.plan = {}, [], None
        self.trailing = []       # output after the last result line
        pending, last = [], None
        for line in self.lines:
            m = RESULT.match(line)
            if m:
                name = m.group(3)
                self.results[name] = Result(m.group(1) is None, pending)
                self.order.append(name)
                pending, last = [], name
            elif PLAN.match(line) and self.plan is None:
                self.plan = int(PLAN.match(line).group(1))
            elif GROUP.match(line):
                continue
            elif line.startswith("# ") and last is not None and not pending:
                self.results[last].output.append(line)   # diagnostics of the test before
            else:
                pending.append(line)
        self.trailing = pending

    def ended(self):
        """How the program ended, in words."""
        if self.timed_out:
            return f"did not finish within {TIMEOUT} s (killed)"
        if self.rc < 0:
            try:
                name = signal.Signals(-self.rc).name
            except ValueError:
                name = str(-self.rc)
            return f"killed by signal {name}"
        return f"exit status {self.rc}"

    def sanitizer_lines(self):
        return [ln for ln in self.lines if SANITIZER.search(ln)]


class Program(pytest.File):
    """build/unit/test_NAME, collected from tests/unit/test_NAME.c."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.exe = os.path.join(BUILD_UNIT, self.path.stem)
        self._run = None
        self.names = []          # the tests the program lists, in its order

    def collect(self):
        rel = os.path.relpath(self.exe, ROOT)
        if not os.access(self.exe, os.X_OK):
            raise self.CollectError(f"{rel} is not built (make unit)")
        if os.path.getmtime(self.exe) < os.path.getmtime(self.path):
            raise self.CollectError(f"{rel} is older than {self.path.name} (make unit)")
        try:
            p = subprocess.run([self.exe, "--list"], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            raise self.CollectError(f"{rel} --list did not finish within 60 s") from None
        names = p.stdout.split()
        if p.returncode != 0 or not names:
            raise self.CollectError(f"{rel} --list: exit status {p.returncode}, "
                                    f"{len(names)} tests: {p.stderr.strip()[-500:]}")
        self.names = names
        group = pytest.mark.xdist_group(f"unit-{self.path.stem}")
        for name in names + [EXIT_ITEM]:
            item = (Exit if name == EXIT_ITEM else Case).from_parent(self, name=name)
            item.add_marker(group)
            yield item

    def run(self):
        if self._run is None:
            self._run = Run([self.exe])
        return self._run



class UnitItem(pytest.Item):
    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, UnitFailure):
            e = excinfo.value
            return f"{e.why}\n{e.output}".rstrip()
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.path.stem}: {self.name}"


class Case(UnitItem):
    def runtest(self):
        run = self.parent.run()
        res = run.results.get(self.name)
        if res is not None:
            if not res.ok:
                raise UnitFailure("failed", tail(res.output))
            return
        # No result: the program ended in this test, or in one before it.
        names = self.parent.names
        first_missing = next((n for n in names if n not in run.results), None)
        if first_missing == self.name:
            raise UnitFailure(f"the program ended during this test: {run.ended()}",
                              tail(run.trailing))
        raise UnitFailure(f"never ran: the program ended ({run.ended()}) during "
                          f"{first_missing or 'an earlier test'}")


class Exit(UnitItem):
    def runtest(self):
        run = self.parent.run()
        names = self.parent.names
        problems = []
        if run.timed_out or run.rc not in (0, 1):
            problems.append(f"the program {run.ended()}")
        failed = [n for n in run.order if not run.results[n].ok]
        if run.rc == 0 and failed:
            problems.append(f"exit status 0, but {len(failed)} tests failed")
        if run.rc == 1 and not failed:
            problems.append("exit status 1, but no test failed")
        missing = [n for n in names if n not in run.results]
        if missing:
            problems.append(f"{len(missing)} listed tests gave no result, from {missing[0]} on")
        unknown = [n for n in run.order if n not in names]
        if unknown:
            problems.append(f"results for tests not listed: {', '.join(unknown)}")
        if run.plan != len(names):
            problems.append(f"TAP plan 1..{run.plan} for {len(names)} listed tests")
        reports = run.sanitizer_lines()
        if reports:
            problems.append("sanitizer reports: " + "; ".join(reports[:3]))
        if problems:
            raise UnitFailure("; ".join(problems),
                              f"$ {run.argv[0]}\n" + tail(run.trailing or run.lines))
