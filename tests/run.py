#!/usr/bin/env python3
"""anyvm's one test runner (`make test`). In order:
  (a) unit: every build/unit/test_* binary; each prints `PASS name` or
      `FAIL name: ...` per test;
  (b) image: every build/*.elf is disassembled and must hold no instruction
      the PVM emulator cannot run (ENVIRONMENT.md), and must carry a valid
      multiboot header (a.out kludge) and a PVH note;
  (c) boot: the boot matrix, tests/boot/matrix.toml, booted through
      tools/anyvm_lib on 2 workers and checked on the serial transcript and
      the VMM exit code.
One line per test (PASS / FAIL name: reason / SKIP name: reason), then
`N passed, N failed[, N skipped]`; the exit status is 1 if anything failed.

  python3 tests/run.py [-k REGEX] [-v]
"""

import argparse
import bisect
import collections
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
MATRIX = os.path.join(ROOT, "tests", "boot", "matrix.toml")
sys.dont_write_bytecode = True    # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tools"))

from anyvm_lib import accel, image, launch, status, targets  # noqa: E402

UNIT_TIMEOUT = 120          # seconds for one unit-test binary (ASan builds)
BOOT_WORKERS = 2            # the machines have 2 cores
TAIL_LINES = 20             # transcript lines shown with a failure

# Instructions the PVM emulator here cannot run (ENVIRONMENT.md): they stop
# the guest with "emulation failure", fault, or never return. ldmxcsr and
# stmxcsr are SSE without an %xmm operand.
BAD_MNEMONICS = re.compile(
    r"\b(popcnt\w*|rdtscp|crc32\w*|cmpxchg16b|xgetbv|xsave\w*|xrstor\w*|movbe\w*|"
    r"vmcall|vmmcall|ldmxcsr|stmxcsr)\b")
BAD_REGISTERS = re.compile(r"%[xyz]mm\d+")


class Report:
    """Prints one line per test and keeps the counts; -k filters by name."""

    def __init__(self, pattern, verbose):
        self.pattern = re.compile(pattern) if pattern else None
        self.verbose = verbose
        self.counts = collections.Counter()
        self.lock = threading.Lock()

    def wanted(self, name):
        return self.pattern is None or self.pattern.search(name) is not None

    def result(self, name, kind, reason=None, detail=None):
        if not self.wanted(name):
            return
        with self.lock:
            self.counts[kind] += 1
            word = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[kind]
            print(f"{word} {name}" + (f": {reason}" if reason else ""))
            if detail and (kind == "fail" or self.verbose):
                print(indent(detail))
            sys.stdout.flush()

    def note(self, text):
        if self.verbose:
            with self.lock:
                print(indent(text))
                sys.stdout.flush()

    def closing(self):
        c = self.counts
        line = f"{c['pass']} passed, {c['fail']} failed"
        if c["skip"]:
            line += f", {c['skip']} skipped"
        print(line)
        return 1 if c["fail"] else 0


def visible(line):
    """Control characters (the firmware's terminal escapes) as ^X, so that a
    transcript shown here cannot reset or clear the reader's terminal."""
    return CONTROL.sub(lambda m: "^" + chr(ord(m.group()) ^ 0x40), line)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def indent(text):
    return "\n".join("    | " + visible(ln) for ln in text.rstrip("\n").splitlines())


def tail(text, n=TAIL_LINES):
    lines = text.rstrip("\n").splitlines()
    cut = lines[-n:]
    head = [f"... ({len(lines) - n} earlier lines)"] if len(lines) > n else []
    return "\n".join(head + cut)


# ---- (a) unit tests ----

UNIT_LINE = re.compile(r"^(PASS|FAIL) (\S+?)(?::\s*(.*))?$")


def run_unit(report):
    bins = sorted(b for b in glob.glob(os.path.join(BUILD, "unit", "test_*"))
                  if os.access(b, os.X_OK) and not b.endswith((".o", ".d")))
    if not bins:
        report.result("unit", "skip", "no build/unit/test_* binaries (make unit)")
        return
    for path in bins:
        prog = os.path.basename(path)
        try:
            p = subprocess.run([path], stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, errors="replace", timeout=UNIT_TIMEOUT, cwd=ROOT)
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace") if isinstance(e.stdout, bytes) \
                else (e.stdout or "")
            report.result(f"unit/{prog}", "fail", f"did not finish within {UNIT_TIMEOUT} s",
                          tail(out))
            continue
        fails = 0
        for ln in p.stdout.splitlines():
            m = UNIT_LINE.match(ln)
            if not m:
                continue
            name = f"unit/{prog}/{m.group(2)}"
            if m.group(1) == "PASS":
                report.result(name, "pass")
            else:
                fails += 1
                report.result(name, "fail", m.group(3) or "failed")
        if p.returncode != 0 and fails == 0:
            why = (f"killed by signal {-p.returncode}" if p.returncode < 0
                   else f"exited with status {p.returncode} without a FAIL line")
            report.result(f"unit/{prog}", "fail", why, tail(p.stdout + p.stderr))
        elif p.returncode == 0 and fails:
            report.result(f"unit/{prog}", "fail", f"{fails} FAIL lines but exit status 0")


# ---- (b) image checks ----

def text_symbols(debug_elf):
    """Sorted (address, name) of the functions in the debug image, to name
    where a bad instruction sits; empty when there is none."""
    if not os.path.exists(debug_elf):
        return []
    p = subprocess.run(["nm", "-n", "--defined-only", debug_elf], capture_output=True, text=True)
    syms = []
    for ln in p.stdout.splitlines():
        parts = ln.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def where(syms, addr):
    i = bisect.bisect_right([a for a, _ in syms], addr) - 1
    return f" in {syms[i][1]}+{addr - syms[i][0]:#x}" if i >= 0 else ""


def bad_instructions(path):
    """(problems, instruction count) from objdump -d of the image."""
    p = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return [f"objdump failed: {p.stderr.strip()}"], 0
    syms = text_symbols(path[:-len(".elf")] + ".debug.elf")
    problems, count = [], 0
    for ln in p.stdout.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", ln)
        if not m:
            continue
        count += 1
        insn = re.sub(r"<[^>]*>", "", m.group(2))     # drop symbol names
        if BAD_MNEMONICS.search(insn) or BAD_REGISTERS.search(insn):
            addr = int(m.group(1), 16)
            problems.append(f"{addr:#x}{where(syms, addr)}: {m.group(2).strip()}")
    return problems, count


def run_image_checks(report):
    # X.debug.elf holds the same code as X.elf (which is X.debug.elf stripped):
    # the shipped image is the one checked.
    images = sorted(p for p in glob.glob(os.path.join(BUILD, "*.elf"))
                    if not p.endswith(".debug.elf"))
    if not images:
        report.result("image", "fail", "no build/*.elf images (make apps)")
        return
    for path in images:
        name = f"image/{os.path.basename(path)}"
        if report.wanted(name + "/instructions"):
            problems, count = bad_instructions(path)
            if problems:
                report.result(name + "/instructions", "fail",
                              f"{len(problems)} instructions the PVM emulator cannot run",
                              "\n".join(problems[:TAIL_LINES]))
            elif count == 0:
                report.result(name + "/instructions", "fail", "objdump found no instructions")
            else:
                report.result(name + "/instructions", "pass")
        try:
            data = image.read(path)
        except image.ImageError as e:
            report.result(name, "fail", str(e))
            continue
        for check, fn in (("multiboot", image.check_multiboot), ("pvh", image.check_pvh)):
            problems = fn(data)
            report.result(f"{name}/{check}", "fail" if problems else "pass",
                          "; ".join(problems) or None)


# ---- (c) the boot matrix ----

CASE_KEYS = {"name", "target", "app", "mem", "cpus", "cmdline", "args", "expect", "absent",
             "status", "timeout", "skip_unless", "accel", "about", "exit_device", "vmm_exit",
             "vmm_args", "keeps_running", "kernel_dir"}
DEFAULT_TIMEOUT = {"qemu": 30, "hostsim": 120}

# skip_unless conditions: name -> (holds?, reason when it does not)
CONDITIONS = {
    "hardware-kvm": (accel.hardware_kvm, "no hardware KVM here (kvm_intel/kvm_amd not loaded)"),
    "grub-mkrescue": (lambda: shutil.which("grub-mkrescue") is not None,
                      "grub-mkrescue not installed"),
}


class MatrixError(ValueError):
    pass


def load_matrix(path=MATRIX):
    """The cases of matrix.toml, with [defaults] applied and @set references
    in expect/absent expanded from [sets]; raises MatrixError on bad data."""
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise MatrixError(f"{os.path.relpath(path, ROOT)}: {e}") from None
    defaults = doc.get("defaults", {})
    sets = doc.get("sets", {})
    cases, seen = [], set()
    for i, raw in enumerate(doc.get("case", [])):
        c = {**defaults, **raw}
        where_ = f"case #{i + 1} ({c.get('name', '?')})"
        unknown = set(c) - CASE_KEYS
        if unknown:
            raise MatrixError(f"{where_}: unknown keys {sorted(unknown)}")
        for key in ("name", "target"):
            if key not in c:
                raise MatrixError(f"{where_}: no {key}")
        if c["name"] in seen:
            raise MatrixError(f"{where_}: duplicate name")
        seen.add(c["name"])
        if c["target"] not in targets.TARGETS:
            raise MatrixError(f"{where_}: unknown target {c['target']!r}")
        if "skip_unless" in c and c["skip_unless"] not in CONDITIONS:
            raise MatrixError(f"{where_}: unknown skip_unless {c['skip_unless']!r}; "
                              f"known: {', '.join(CONDITIONS)}")
        for key in ("expect", "absent"):
            out = []
            for item in c.get(key, []):
                if item.startswith("@"):
                    if item[1:] not in sets:
                        raise MatrixError(f"{where_}: {key} names unknown set {item}")
                    out.extend(sets[item[1:]])
                else:
                    out.append(item)
            try:
                c[key] = [re.compile(r) for r in out]
            except re.error as e:
                raise MatrixError(f"{where_}: bad regex in {key}: {e}") from None
        c.setdefault("app", "hello")
        c.setdefault("args", [])
        c.setdefault("status", 0)
        c.setdefault("timeout", c.get("keeps_running",
                                      DEFAULT_TIMEOUT[targets.get(c["target"]).vmm]))
        c.setdefault("exit_device", True)
        if not c["exit_device"] and "vmm_exit" not in c and "keeps_running" not in c:
            raise MatrixError(f"{where_}: exit_device = false needs vmm_exit (the VMM's own code)"
                              " or keeps_running")
        cases.append(c)
    return cases


def check_transcript(case, res, out):
    """The reasons a finished boot fails its case (empty: it passes)."""
    lines = res.serial_text.splitlines()
    reasons, at = [], 0
    if "keeps_running" in case:     # the VM must stop itself, not end: stopped by timeout
        if not res.timed_out:
            return [f"the VM ended (exit code {res.rc}); it should still run after "
                    f"{case['keeps_running']} s"]
        ends = [ln for ln in lines if status.EXIT_LINE.search(ln)]
        if len(ends) != 1:
            reasons.append(f"{len(ends)} `anyvm: exit status` lines, expected exactly one")
        seen = status.serial_status(res.serial_text)[0]
        out = status.Outcome(seen, seen, seen, None, False)
    elif res.timed_out:
        return [f"the VM did not end within {case['timeout']} s"]
    for rx in case["expect"]:
        found = next((i for i in range(at, len(lines)) if rx.search(lines[i])), None)
        if found is None:
            reasons.append(f"no line matching /{rx.pattern}/"
                           + (f" after line {at}: {lines[at - 1].strip()!r}" if at else ""))
            break
        at = found + 1
    for rx in case["absent"]:
        hit = next((ln for ln in lines if rx.search(ln)), None)
        if hit is not None:
            reasons.append(f"line {hit.strip()!r} matches absent /{rx.pattern}/")
    want = case["status"]
    if out.serial is None:
        reasons.append("no `anyvm: exit status N` (or `anyvm: panic:`) line on the serial port")
    elif out.serial != want:
        reasons.append(f"serial says status {out.serial}, expected {want}")
    if "keeps_running" in case:
        pass                        # the runner stopped the VMM: no exit code to check
    elif "vmm_exit" in case:
        if res.rc != case["vmm_exit"]:
            reasons.append(f"VMM exit code {res.rc}, expected {case['vmm_exit']}")
    elif res.rc != (2 * want + 1) & 0xFF:
        reasons.append(f"VMM exit code {res.rc}, expected {(2 * want + 1) & 0xFF} "
                       f"(isa-debug-exit of status {want})")
    return reasons


def run_case(case):
    """(kind, reason, detail) for one matrix case."""
    cond = case.get("skip_unless")
    if cond and not CONDITIONS[cond][0]():
        return "skip", CONDITIONS[cond][1], None
    image = os.path.join(BUILD, case["app"] + ".elf")
    if "kernel_dir" in case:    # boot a copy from a directory of that name
        tmp = tempfile.TemporaryDirectory(prefix="anyvm-case-")   # removed with run_case's frame
        os.makedirs(os.path.join(tmp.name, case["kernel_dir"]))
        image = shutil.copy(image, os.path.join(tmp.name, case["kernel_dir"]))
    spec = launch.BootSpec(image=image,
                           target=case["target"], accel=case.get("accel", "auto"),
                           mem=case.get("mem", "64M"), cpus=case.get("cpus", 1),
                           cmdline=case.get("cmdline"), args=case["args"],
                           timeout=case["timeout"], exit_device=case["exit_device"],
                           extra=case.get("vmm_args", []))
    try:
        res, out = launch.boot(spec)
    except launch.BootError as e:
        return "fail", str(e), None
    detail = (f"$ {shlex.join(res.argv)}\n"
              f"exit code {res.rc}{' (killed: timeout)' if res.timed_out else ''}, "
              f"{res.seconds:.2f} s\n" + res.serial_text)
    if res.stderr.strip():
        detail += "\n[stderr]\n" + res.stderr_text
    reasons = check_transcript(case, res, out)
    if reasons:
        return "fail", "; ".join(reasons), tail(detail, TAIL_LINES + 2)
    return "pass", None, detail


def run_matrix(report, path=MATRIX):
    try:
        cases = load_matrix(path)
    except MatrixError as e:
        report.result("boot/matrix", "fail", str(e))
        return
    cases = [c for c in cases if report.wanted("boot/" + c["name"])]
    # hostsim boots are slow here (the PVM emulator): one worker starts on
    # them while the other runs the quick QEMU boots, then each helps the other.
    slow = collections.deque(c for c in cases if targets.get(c["target"]).vmm == "hostsim")
    quick = collections.deque(c for c in cases if targets.get(c["target"]).vmm != "hostsim")
    lock = threading.Lock()

    def worker(first, second):
        while True:
            with lock:
                queue = first if first else second
                if not queue:
                    return
                case = queue.popleft()
            kind, reason, detail = run_case(case)
            report.result("boot/" + case["name"], kind, reason, detail)

    pool = [threading.Thread(target=worker, args=(slow, quick)),
            threading.Thread(target=worker, args=(quick, slow))][:BOOT_WORKERS]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


NETBLK = os.path.join(ROOT, "tests", "boot", "netblk_test.py")
MISBEHAVE = os.path.join(ROOT, "tests", "boot", "misbehave_test.py")
SCRIPT_LINE = re.compile(r"^(PASS|FAIL|SKIP) (\S+)(?:: (.*))?$")


def run_script(report, group, cmd, timeout):
    """Runs a test script that prints one `PASS|FAIL|SKIP name[: reason]`
    line per check and counts each line like the runner's own tests. A
    script that times out, or fails without printing any result, fails as
    `group`."""
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        report.result(group, "fail", f"timed out after {timeout} s", tail(out))
        return
    seen = 0
    for line in res.stdout.splitlines():
        m = SCRIPT_LINE.match(line)
        if not m:
            continue
        seen += 1
        kind = {"PASS": "pass", "FAIL": "fail", "SKIP": "skip"}[m.group(1)]
        report.result(m.group(2), kind, m.group(3),
                      tail(res.stdout + res.stderr) if kind == "fail" else None)
    if res.returncode != 0 and seen == 0:
        report.result(group, "fail", f"exit status {res.returncode}, no results",
                      tail(res.stdout + res.stderr))


def run_device_tests(report, timeout=600):
    """The block and network tests of build/devinfo.elf (issue 11): disks
    with known patterns and a TAP in a network namespace of their own, on
    every VMM profile (tests/boot/netblk_test.py)."""
    if report.pattern is not None and "netblk" not in report.pattern.pattern:
        return
    if os.geteuid() != 0:
        report.result("netblk", "skip", "needs root (TAP devices and network namespaces)")
        return
    run_script(report, "netblk", [sys.executable, NETBLK, "--profile", "all"], timeout)


def run_misbehave_tests(report, timeout=300):
    """A device that breaks its protocol is disabled and the kernel keeps
    running: build/hostsim --misbehave KIND against build/devinfo.elf
    (tests/boot/misbehave_test.py)."""
    if report.pattern is not None and "misbehave" not in report.pattern.pattern:
        return
    for need in (os.path.join(BUILD, "hostsim"), os.path.join(BUILD, "devinfo.elf")):
        if not os.path.exists(need):
            report.result("misbehave", "skip", f"{os.path.relpath(need, ROOT)} missing "
                          "(make hostsim apps)")
            return
    if not os.path.exists("/dev/kvm"):
        report.result("misbehave", "skip", "/dev/kvm is absent")
        return
    run_script(report, "misbehave", [sys.executable, MISBEHAVE], timeout)


FUZZ_SECONDS = 5


def run_fuzz(report):
    """Each libFuzzer harness (build/fuzz/fuzz_NAME, built by `make fuzzers`)
    runs briefly from its seeds; a crash, leak or sanitizer report fails it.
    `make fuzz` runs them longer."""
    for exe in sorted(glob.glob(os.path.join(BUILD, "fuzz", "fuzz_*"))):
        if not os.access(exe, os.X_OK) or exe.endswith(".log"):
            continue
        name = os.path.basename(exe)[len("fuzz_"):]
        test = f"fuzz/{name}"
        if not report.wanted(test):
            continue
        seeds = os.path.join(ROOT, "tests", "fuzz", "seeds", name)
        with tempfile.TemporaryDirectory() as corpus:
            cmd = [exe, f"-max_total_time={FUZZ_SECONDS}", corpus]
            if os.path.isdir(seeds):
                cmd.append(seeds)
            try:
                res = subprocess.run(cmd, capture_output=True, text=True,
                                     timeout=FUZZ_SECONDS * 6 + 30)
            except subprocess.TimeoutExpired:
                report.result(test, "fail", "did not stop in time")
                continue
        runs = re.search(r"#(\d+)\s+DONE", res.stderr)
        if res.returncode == 0:
            report.result(test, "pass", f"{runs.group(1)} inputs" if runs else None)
        else:
            report.result(test, "fail", f"exit status {res.returncode}", tail(res.stderr))


def main():
    ap = argparse.ArgumentParser(description="Run anyvm's tests: unit, image checks, boot matrix.")
    ap.add_argument("-k", metavar="REGEX", help="run only the tests whose name matches "
                    "(names: unit/PROG/TEST, image/IMAGE/CHECK, boot/CASE)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show every boot's command and transcript, not only failures'")
    ap.add_argument("--matrix", default=MATRIX, metavar="FILE",
                    help="the boot matrix to run (default tests/boot/matrix.toml)")
    a = ap.parse_args()
    report = Report(a.k, a.verbose)
    start = time.monotonic()
    run_unit(report)
    run_image_checks(report)
    run_fuzz(report)
    run_matrix(report, a.matrix)
    run_device_tests(report)
    run_misbehave_tests(report)
    report.note(f"took {time.monotonic() - start:.1f} s")
    return report.closing()


if __name__ == "__main__":
    sys.exit(main())
