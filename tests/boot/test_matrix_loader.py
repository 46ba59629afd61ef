"""tests/boot/matrix.py: loading tests/boot/matrix.toml (defaults, sets, the
computed @hypervisor and @cpus lines, the checks on bad data) and judging a
finished boot against its case."""

import os
import textwrap

import pytest

import matrix
from anyvm_lib import status
from anyvm_lib.vm import RunResult

HEAD = r"""
[defaults]
madt = true
absent = ["@trouble"]

[hypervisor]
tcg = '^hypervisor: TCG$'
kvm = '^hypervisor: KVM$'

[cpus]
madt = '^cpus: {cpus} \(ACPI MADT\)$'
no_madt = '^cpus: 1 \(no MADT\)$'

[sleep]
line = '^sleep: (?P<asked_ms>\d+) ms took (?P<took_us>\d+) us: ok$'

[sets]
trouble = ['anyvm: panic']
hello = ['^Hello$']
"""

CASE = """
[[case]]
name = "c"
target = "microvm"
expect = ["@hypervisor", "@cpus", "@hello"]
"""


def on(accel):
    return lambda target, asked="auto": accel


def load(scratch, body, head=HEAD, accel="tcg"):
    path = os.path.join(scratch, "matrix.toml")
    with open(path, "w") as f:
        f.write(textwrap.dedent(head) + textwrap.dedent(body))
    return matrix.load(path, accel_used=on(accel))


def patterns(case, key="expect"):
    return [rx.pattern for rx in case[key]]


def test_the_real_matrix_loads():
    cases = matrix.load()
    assert len(cases) > 20
    assert len({c["name"] for c in cases}) == len(cases)


@pytest.mark.parametrize("accel,line", [("tcg", "^hypervisor: TCG$"),
                                        ("kvm", "^hypervisor: KVM$")])
def test_every_banner_case_of_the_real_matrix_pins_the_hypervisor(accel, line):
    for case in matrix.load(accel_used=on(accel)):
        if case["banner"]:
            assert line in patterns(case), case["name"]
            assert any(p.startswith("^cpus: ") for p in patterns(case)), case["name"]


def test_expansion(scratch):
    (c,) = load(scratch, CASE)
    assert patterns(c) == [r"^hypervisor: TCG$", r"^cpus: 1 \(ACPI MADT\)$", "^Hello$"]
    assert patterns(c, "absent") == ["anyvm: panic"]
    assert (c["app"], c["args"], c["status"], c["timeout"], c["exit_device"]) == \
        ("hello", [], 0, matrix.DEFAULT_TIMEOUT["qemu"], True)


def test_hypervisor_follows_the_accelerator(scratch):
    (c,) = load(scratch, CASE, accel="kvm")
    assert patterns(c)[0] == r"^hypervisor: KVM$"


def test_cpus_line(scratch):
    (four, none) = load(scratch, CASE.replace('"c"', '"four"') + "cpus = 4\n"
                        + CASE.replace('"c"', '"none"') + "madt = false\n")
    assert patterns(four)[1] == r"^cpus: 4 \(ACPI MADT\)$"
    assert patterns(none)[1] == r"^cpus: 1 \(no MADT\)$"


def test_hostsim_case_has_its_own_timeout(scratch):
    (c,) = load(scratch, CASE.replace('"microvm"', '"firecracker"'))
    assert c["timeout"] == matrix.DEFAULT_TIMEOUT["hostsim"]


@pytest.mark.parametrize("body,message", [
    (CASE.replace('"@hypervisor", ', ""), "no @hypervisor"),
    (CASE.replace('"@cpus", ', ""), "no @cpus"),
    (CASE + "banner = false\n", "@hypervisor with banner = false"),
    (CASE + 'madt = "yes"\n', "madt must be true or false"),
    (CASE + "colour = 1\n", "unknown keys"),
    (CASE + CASE, "duplicate name"),
    (CASE.replace('"microvm"', '"vax"'), "unknown target"),
    (CASE.replace('"@hello"', '"@nothing"'), "unknown set @nothing"),
    (CASE.replace('"@hello"', "'^(unclosed'"), "bad regex in expect"),
    (CASE + "exit_device = false\n", "needs vmm_exit"),
    (CASE + 'skip_unless = "sunshine"\n', "unknown skip_unless"),
    (CASE.replace('name = "c"\n', ""), "no name"),
    (CASE + "sleep_slack_ms = -5\n", "whole number"),
    ("[[case]]\nname = 'x'\ntarget = 'microvm'\nabsent = ['@hypervisor']\n"
     "expect = ['@hypervisor', '@cpus']\n", "unknown set @hypervisor"),
])
def test_bad_data(scratch, body, message):
    with pytest.raises(matrix.MatrixError, match=message):
        load(scratch, body)


def test_no_banner_case_needs_no_stand_ins(scratch):
    (c,) = load(scratch, "[[case]]\nname = 'x'\ntarget = 'microvm'\nbanner = false\n"
                "expect = ['^anyvm: panic']\n")
    assert patterns(c) == ["^anyvm: panic"]


def test_hypervisor_table_must_cover_the_accelerator(scratch):
    with pytest.raises(matrix.MatrixError, match="no line for kvm"):
        load(scratch, CASE, head=HEAD.replace("kvm = '^hypervisor: KVM$'", ""), accel="kvm")


def test_sleep_slack_needs_the_sleep_line(scratch):
    head = HEAD.replace("[sleep]\nline = '^sleep: (?P<asked_ms>\\d+) ms took (?P<took_us>\\d+) "
                        "us: ok$'\n", "")
    assert "[sleep]" not in head
    with pytest.raises(matrix.MatrixError, match=r"needs \[sleep\] line"):
        load(scratch, CASE + "sleep_slack_ms = 100\n", head=head)


def test_unreadable_matrix(scratch):
    with pytest.raises(matrix.MatrixError):
        load(scratch, "[[case]\n")


# ---- judging a finished boot ----

GOOD = "hypervisor: TCG\ncpus: 1 (ACPI MADT)\nHello\nanyvm: exit status 0\n"


def judge(case, serial, rc=1, timed_out=False, exit_device=True):
    res = RunResult(argv=["vmm"], rc=rc, timed_out=timed_out, timeout=case["timeout"],
                    serial=serial.encode())
    return matrix.check(case, res, status.outcome(res, exit_device))


@pytest.fixture
def case(scratch):
    return load(scratch, CASE)[0]


def test_a_good_boot_passes(case):
    assert judge(case, GOOD) == []


def test_a_line_out_of_order_fails(case):
    reasons = judge(case, "cpus: 1 (ACPI MADT)\nhypervisor: TCG\nHello\nanyvm: exit status 0\n")
    assert reasons and "no line matching" in reasons[0]


def test_another_hypervisor_fails(case):
    reasons = judge(case, GOOD.replace("TCG", "KVM"))
    assert reasons and "/^hypervisor: TCG$/" in reasons[0]


def test_a_missing_madt_fails(case):
    assert judge(case, GOOD.replace("(ACPI MADT)", "(no MADT)"))


def test_an_absent_line_fails(case):
    reasons = judge(case, GOOD + "anyvm: panic: late\n")
    assert any("matches absent /anyvm: panic/" in r for r in reasons)


def test_serial_status_must_match(case):
    reasons = judge(case, GOOD.replace("status 0", "status 3"), rc=7)
    assert "serial says status 3, expected 0" in reasons


def test_exit_code_must_match(case):
    reasons = judge(case, GOOD, rc=0)
    assert any("VMM exit code 0, expected 1" in r for r in reasons)


def test_no_status_line_fails(case):
    reasons = judge(case, GOOD.replace("anyvm: exit status 0\n", ""))
    assert any("no `anyvm: exit status N`" in r for r in reasons)


def test_timeout_fails(case):
    assert judge(case, GOOD, rc=None, timed_out=True) == \
        [f"the VM did not end within {case['timeout']} s"]


def test_vmm_exit_replaces_the_exit_port(scratch):
    (c,) = load(scratch, CASE + "exit_device = false\nvmm_exit = 0\n")
    assert judge(c, GOOD, rc=0, exit_device=False) == []
    assert judge(c, GOOD, rc=1, exit_device=False) == ["VMM exit code 1, expected 0"]


SLEEPS = "sleep: 10 ms took {} us: ok\nsleep: 5 ms took 5100 us: ok\n"


@pytest.fixture
def sleeper(scratch):
    return load(scratch, CASE + "sleep_slack_ms = 200\n")[0]


def test_sleep_within_the_bound(sleeper):
    assert judge(sleeper, GOOD + SLEEPS.format(210000)) == []


def test_sleep_beyond_the_bound(sleeper):
    reasons = judge(sleeper, GOOD + SLEEPS.format(210001))
    assert len(reasons) == 1 and "longer than the 210000 us allowed" in reasons[0]


def test_sleep_lines_must_be_there(sleeper):
    reasons = judge(sleeper, GOOD)
    assert any("no line matching /^sleep:" in r for r in reasons)
