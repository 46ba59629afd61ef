"""The boot matrix, tests/boot/matrix.toml: load() reads its cases (the keys
are described at the top of that file) and checks them; check() says why a
finished boot fails its case. tests/boot/test_boot_matrix.py runs them;
tests/boot/test_matrix_loader.py tests this module."""

import os
import re
import shutil
import tomllib

from anyvm_lib import accel, launch, qemu, status, targets

MATRIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "matrix.toml")

CASE_KEYS = {"name", "target", "app", "mem", "cpus", "cmdline", "args", "expect", "absent",
             "status", "timeout", "skip_unless", "accel", "about", "exit_device", "vmm_exit",
             "banner", "madt", "sleep_slack_ms", "vmm_args", "keeps_running", "kernel_dir"}
DEFAULT_TIMEOUT = {"qemu": 30, "hostsim": 120}
# Stand-ins in expect lists computed for each case: the hypervisor line of
# the accelerator the case runs on, and the CPU count line of its MADT (or
# of none).
HYPERVISOR, CPUS = "@hypervisor", "@cpus"

# skip_unless conditions: name -> (holds?, reason when it does not)
CONDITIONS = {
    "hardware-kvm": (accel.hardware_kvm, "no hardware KVM here (kvm_intel/kvm_amd not loaded)"),
    "grub-mkrescue": (lambda: shutil.which("grub-mkrescue") is not None,
                      "grub-mkrescue not installed"),
}


class MatrixError(ValueError):
    pass


def read(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise MatrixError(f"{path}: {e}") from None


def compile_all(where, key, patterns):
    try:
        return [re.compile(p) for p in patterns]
    except re.error as e:
        raise MatrixError(f"{where}: bad regex in {key}: {e}") from None


def load(path=MATRIX, accel_used=launch.accel_used):
    """The cases of the matrix with [defaults] applied, "@NAME" in expect and
    absent expanded ([sets], @hypervisor, @cpus) and regexes compiled.
    accel_used(target, accel) names the accelerator a case runs on (kvm or
    tcg). Raises MatrixError on bad data."""
    doc = read(path)
    defaults, sets = doc.get("defaults", {}), doc.get("sets", {})
    hypervisor, cpus_lines = doc.get("hypervisor", {}), doc.get("cpus", {})
    for key in ("madt", "no_madt"):
        if key not in cpus_lines:
            raise MatrixError(f"[cpus] has no {key}")
    sleep_line = doc.get("sleep", {}).get("line")
    cases, seen = [], set()
    for i, raw in enumerate(doc.get("case", [])):
        c = {**defaults, **raw}
        where = f"case #{i + 1} ({c.get('name', '?')})"
        unknown = set(c) - CASE_KEYS
        if unknown:
            raise MatrixError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("name", "target"):
            if key not in c:
                raise MatrixError(f"{where}: no {key}")
        if c["name"] in seen:
            raise MatrixError(f"{where}: duplicate name")
        seen.add(c["name"])
        if c["target"] not in targets.TARGETS:
            raise MatrixError(f"{where}: unknown target {c['target']!r}")
        if "skip_unless" in c and c["skip_unless"] not in CONDITIONS:
            raise MatrixError(f"{where}: unknown skip_unless {c['skip_unless']!r}; "
                              f"known: {', '.join(CONDITIONS)}")
        c.setdefault("app", "hello")
        c.setdefault("args", [])
        c.setdefault("cpus", 1)
        c.setdefault("status", 0)
        c.setdefault("timeout", c.get("keeps_running",
                                      DEFAULT_TIMEOUT[targets.get(c["target"]).vmm]))
        c.setdefault("exit_device", True)
        c.setdefault("banner", True)
        c.setdefault("vmm_args", [])
        if not c["exit_device"] and "vmm_exit" not in c and "keeps_running" not in c:
            raise MatrixError(f"{where}: exit_device = false needs vmm_exit (the VMM's own code)"
                              " or keeps_running")
        c["accel_used"] = accel_used(c["target"], c.get("accel", "auto"))

        expect = c.get("expect", [])
        if c["banner"]:
            # Every case that gets as far as the banner pins both lines.
            for token in (HYPERVISOR, CPUS):
                if token not in expect:
                    raise MatrixError(f"{where}: expect has no {token} (or say banner = false)")
            if not isinstance(c.get("madt"), bool):
                raise MatrixError(f"{where}: madt must be true or false")
            if c["accel_used"] not in hypervisor:
                raise MatrixError(f"{where}: [hypervisor] has no line for {c['accel_used']}")
        else:
            for token in (HYPERVISOR, CPUS):
                if token in expect:
                    raise MatrixError(f"{where}: {token} with banner = false")
        computed = {
            HYPERVISOR: lambda: [hypervisor[c["accel_used"]]],
            CPUS: lambda: [cpus_lines["madt"].replace("{cpus}", str(c["cpus"])) if c["madt"]
                           else cpus_lines["no_madt"]],
        }
        for key in ("expect", "absent"):
            out = []
            for item in c.get(key, []):
                if item in computed and key == "expect":
                    out.extend(computed[item]())
                elif item.startswith("@"):
                    if item[1:] not in sets:
                        raise MatrixError(f"{where}: {key} names unknown set {item}")
                    out.extend(sets[item[1:]])
                else:
                    out.append(item)
            c[key] = compile_all(where, key, out)

        if "sleep_slack_ms" in c:
            if sleep_line is None:
                raise MatrixError(f"{where}: sleep_slack_ms needs [sleep] line")
            (rx,) = compile_all("[sleep]", "line", [sleep_line])
            if not {"asked_ms", "took_us"} <= set(rx.groupindex):
                raise MatrixError("[sleep] line needs the groups (?P<asked_ms>) and (?P<took_us>)")
            if not isinstance(c["sleep_slack_ms"], int) or c["sleep_slack_ms"] < 0:
                raise MatrixError(f"{where}: sleep_slack_ms must be a whole number >= 0")
            c["sleep_line"] = rx
        cases.append(c)
    return cases


def check(case, res, out):
    """The reasons the finished boot res (vm.RunResult, status.Outcome out)
    fails its case; empty when it passes."""
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
    if "sleep_line" in case:
        reasons += check_sleeps(case, lines)
    want = case["status"]
    if out.serial is None:
        reasons.append("no `anyvm: exit status N` (or `anyvm: panic:`) line on the serial port")
    elif out.serial != want:
        reasons.append(f"serial says status {out.serial}, expected {want}")
    if "keeps_running" in case:
        pass                        # the test stopped the VMM: no exit code to check
    elif "vmm_exit" in case:
        if res.rc != case["vmm_exit"]:
            reasons.append(f"VMM exit code {res.rc}, expected {case['vmm_exit']}")
    elif res.rc != qemu.debug_exit_code(want):
        reasons.append(f"VMM exit code {res.rc}, expected {qemu.debug_exit_code(want)} "
                       f"(the exit port's code for status {want})")
    return reasons


def check_sleeps(case, lines):
    """Every sleep line took at most the time asked plus the slack."""
    slack = case["sleep_slack_ms"]
    found = [(ln, case["sleep_line"].search(ln)) for ln in lines]
    found = [(ln, m) for ln, m in found if m]
    if not found:
        return [f"no line matching /{case['sleep_line'].pattern}/"]
    reasons = []
    for ln, m in found:
        limit = (int(m.group("asked_ms")) + slack) * 1000
        if int(m.group("took_us")) > limit:
            reasons.append(f"{ln.strip()!r}: longer than the {limit} us allowed "
                           f"(the time asked plus {slack} ms)")
    return reasons
