"""Checks of every shipped image, build/APP.elf for each apps/APP and the
bench's build/empty.elf (`make apps build/empty.elf`):

  instructions  objdump -d finds no instruction the PVM emulator of the
                test machines cannot run (they stop the guest with
                "emulation failure", fault, or never return) where it could
                run there. The link map (build/APP.map) says where each
                function came from:
                  kernel  (everything but the two below): none at all, SSE
                          and x87 included (fninit aside, which PVM runs);
                  libc    (musl's libc.a) and app (build/a/): SSE and x87
                          only, the code that computes in floating point
                          (musl and apps are built -mno-implicit-float, so
                          no other code touches those registers: an app
                          that does not use floating point runs on PVM, as
                          the hostsim boot tests show); in app code only
                          when apps/APP/app.mk says APP_FLOAT := yes;
                  never:  the other instructions PVM lacks (popcnt,
                          rdtscp, crc32, ...), on any path.
  multiboot     a valid multiboot v1 header with the a.out kludge;
  pvh           a PVH ELF note whose entry lies in a loaded segment.
                The kernel's code is checked in the uncompressed image
                (build/zimage/APP.elf), and the stub of the shipped,
                self-decompressing image on its own, like kernel code.
  size          hello, the smallest app, stays below 64 KiB, and leaves out
                the layers its app.mk declines (the waiting calls, sys/poll/,
                whose dispatch entries are weak: NAME_POLL := no) and the
                file layer (sys/files/, which only an app that names a file
                links: its link map names no member of build/k/libfiles.a).
"""

import bisect
import os
import re
import subprocess

import pytest

from anyvm_lib import image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
IMAGES = sorted(d for d in os.listdir(os.path.join(ROOT, "apps"))
                if os.path.isdir(os.path.join(ROOT, "apps", d))) + ["empty"]
SHOWN = 20      # bad instructions listed with a failure
MULTIBOOT_HEADER_BYTES = 32     # eight 32-bit words (Multiboot 0.6.96, section 3.1.1)

# Never runnable under PVM, whatever the code.
NEVER = re.compile(
    r"\b(popcnt\w*|rdtscp|crc32\w*|cmpxchg16b|xgetbv|xsave\w*|xrstor\w*|movbe\w*|"
    r"vmcall|vmmcall)\b")
# SSE (ldmxcsr and stmxcsr have no %xmm operand) and the x87 instructions
# that compute or move values (not fninit, which PVM runs, nor fwait, whose
# byte 0x9b also turns up when objdump decodes the boot GDT in .text).
FLOAT_REGISTERS = re.compile(r"%([xyz]mm\d+|st\b)")
FLOAT_MNEMONICS = re.compile(
    r"^(ldmxcsr|stmxcsr|f(i?ld|i?stp?|isttp|b?ld|bstp|i?add|i?sub|i?subr|i?mul|i?div|i?divr|"
    r"u?comi?p?|chs|abs|sqrt|xch|rndint|scale|prem1?|xam|tst|xtract|2xm1|yl2xp?1?|patan|ptan|"
    r"sin|cos|sincos|n?stcw|ldcw|n?stsw|n?stenv|ldenv|n?save|rstor|free|decstp|incstp|cmov\w+)"
    r"(ll|[sltq])?)\b")

# An input section in a GNU ld map: its name, then (on the same line or the
# next) its address, size and origin.
MAP_SECTION = re.compile(r"^ (\.text\S*)\s*\n?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", re.M)


def origins(map_path):
    """Sorted (start, end, kind) of the code in the image, kind kernel, libc
    or app, from the link map; None when there is no map (build/empty.elf)."""
    if not os.path.exists(map_path):
        return None
    with open(map_path) as f:
        text = f.read()
    out = []
    for m in MAP_SECTION.finditer(text):
        start, size, origin = int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if size == 0:
            continue
        kind = ("libc" if re.search(r"libc\.a\(", origin) else
                "app" if origin.startswith("build/a/") else "kernel")
        out.append((start, start + size, kind))
    return sorted(out)


def kind_at(spans, starts, addr):
    i = bisect.bisect_right(starts, addr) - 1
    return spans[i][2] if i >= 0 and addr < spans[i][1] else "kernel"


def app_uses_float(name):
    mk = os.path.join(ROOT, "apps", name, "app.mk")
    if not os.path.exists(mk):
        return False
    with open(mk) as f:
        return re.search(rf"^{re.escape(name)}_FLOAT\s*:=\s*yes\s*$", f.read(), re.M) is not None


def image_path(name):
    path = os.path.join(BUILD, name + ".elf")
    if not os.path.exists(path):
        pytest.fail(f"build/{name}.elf is not built (make apps build/empty.elf)", pytrace=False)
    return path


def text_symbols(debug_elf):
    """Sorted (address, name) of the functions in the debug image, to name
    where a bad instruction sits; empty when there is none."""
    if not os.path.exists(debug_elf):
        return []
    p = subprocess.run(["nm", "-n", "--defined-only", debug_elf], capture_output=True,
                       text=True, timeout=60)
    syms = []
    for ln in p.stdout.splitlines():
        parts = ln.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def where(syms, addr):
    i = bisect.bisect_right([a for a, _ in syms], addr) - 1
    return f" in {syms[i][1]}+{addr - syms[i][0]:#x}" if i >= 0 else ""


def is_float(insn):
    return FLOAT_REGISTERS.search(insn) is not None or FLOAT_MNEMONICS.match(insn) is not None


def kernel_path(name):
    """The uncompressed image of build/NAME.elf: build/zimage/NAME.elf when
    NAME.elf is the self-decompressing image (the Makefile's default), else
    NAME.elf itself (ZIMAGE=no, and build/empty.elf)."""
    path = os.path.join(BUILD, "zimage", name + ".elf")
    return path if os.path.exists(path) else image_path(name)


def data_in_code(syms):
    """The address range of early_fail.S's data (its GDT, far pointer and
    messages), which sits in the entry code's section: objdump would decode
    its bytes (addresses, text) as instructions, whatever they happen to
    spell. Empty when the symbols are not there."""
    at = {n: a for a, n in syms}
    if "early_gdt" in at and "early_fail_data_end" in at:
        return range(at["early_gdt"], at["early_fail_data_end"])
    return range(0)


def bad_instructions(name, path):
    """(problems, instructions per kind) from objdump -d of the uncompressed
    image; the symbols come from build/X.debug.elf, which holds the same
    code, the kinds from build/X.map."""
    syms = text_symbols(os.path.join(BUILD, name + ".debug.elf"))
    # The multiboot header (arch/x86_64/entry.S) lies in the stripped
    # image's text: data, whose addresses objdump would decode as
    # instructions (a byte 0xd8 of bss_end_addr reads as x87's fcoms, which
    # depends only on the image's size). Code starts after it.
    header = [a for a, n in syms if n == "multiboot_header"]
    start = ["--start-address", f"{header[0] + MULTIBOOT_HEADER_BYTES:#x}"] if header else []
    p = subprocess.run(["objdump", "-d", "--no-show-raw-insn", *start, path],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"objdump failed: {p.stderr.strip()}"
    spans = origins(os.path.join(BUILD, name + ".map"))
    starts = [a for a, _, _ in spans or []]
    float_ok = {"libc": True, "app": app_uses_float(name), "kernel": False}
    problems, counts = [], {"kernel": 0, "libc": 0, "app": 0}
    data = data_in_code(syms)
    for ln in p.stdout.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", ln)
        if not m or int(m.group(1), 16) in data:
            continue
        addr = int(m.group(1), 16)
        kind = kind_at(spans, starts, addr) if spans else "kernel"
        counts[kind] += 1
        insn = re.sub(r"<[^>]*>", "", m.group(2)).strip()     # drop symbol names
        if NEVER.search(insn) or (is_float(insn) and not float_ok[kind]):
            problems.append(f"{addr:#x}{where(syms, addr)} ({kind}): {m.group(2).strip()}")
    return problems, counts


@pytest.mark.parametrize("name", IMAGES)
def test_instructions(name):
    problems, counts = bad_instructions(name, kernel_path(name))
    assert counts["kernel"] > 0, "objdump found no kernel instructions"
    if name != "empty":
        # the map must tell the C library and the app apart from the kernel
        assert counts["libc"] > 0 and counts["app"] > 0, f"link map classified nothing: {counts}"
    assert not problems, (f"{len(problems)} instructions the PVM emulator cannot run:\n"
                          + "\n".join(problems[:SHOWN]))


@pytest.mark.parametrize("name", [n for n in IMAGES if n != "empty"])
def test_stub_instructions(name):
    """The decompressing stub of build/NAME.elf (boot/zimage/, its only code:
    the payload is data): nothing the PVM emulator cannot run, floating
    point included, from after its multiboot header on."""
    path = image_path(name)
    if kernel_path(name) == path:
        pytest.skip("build/%s.elf is not compressed (ZIMAGE=no)" % name)
    # The header's own address fields are those of the file at 1 MiB, where
    # multiboot loads it; objdump goes by the ELF's: the segment that starts
    # at file offset 0, plus the header's offset.
    data = image.read(path)
    at = image.load_address(data) + image.multiboot_header(data)["offset"]
    p = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                        "--start-address", f"{at + MULTIBOOT_HEADER_BYTES:#x}", path],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"objdump failed: {p.stderr.strip()}"
    # the stub's link, unstripped, names early_fail.S's data
    data = data_in_code(text_symbols(os.path.join(BUILD, "zimage", name + ".stub.elf")))
    assert len(data) > 0, "early_fail.S's data not found in the stub's link"
    insns = [m.group(2).strip()
             for m in re.finditer(r"^\s*([0-9a-f]+):\s+(.*)$", p.stdout, re.M)
             if int(m.group(1), 16) not in data]
    assert len(insns) > 100, f"objdump found {len(insns)} instructions in the stub"
    bad = [i for i in insns if NEVER.search(i) or is_float(re.sub(r"<[^>]*>", "", i))]
    assert not bad, f"the stub has instructions the PVM emulator cannot run: {bad[:SHOWN]}"


def test_float_check_can_fail():
    """The classification itself: an SSE instruction counts as kernel code
    outside the map's libc and app spans, and in app code without
    APP_FLOAT."""
    assert is_float("movsd  %xmm0,0x8(%rsp)") and is_float("fldt   0x60(%rsp)")
    assert is_float("ldmxcsr 0x4(%rsp)") and is_float("fstpt  (%rsp)") and is_float("fildll 0x8(%rsp)")
    assert not is_float("fninit") and not is_float("fwait")
    assert not is_float("mov    %rax,%rbx") and not is_float("xor    %eax,%eax")
    spans = [(0x1000, 0x2000, "libc"), (0x3000, 0x3100, "app")]
    starts = [a for a, _, _ in spans]
    assert kind_at(spans, starts, 0x1800) == "libc"
    assert kind_at(spans, starts, 0x2800) == "kernel"
    assert kind_at(spans, starts, 0x3050) == "app"


@pytest.mark.parametrize("name", IMAGES)
def test_multiboot(name):
    problems = image.check_multiboot(image.read(image_path(name)))
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("name", IMAGES)
def test_pvh(name):
    problems = image.check_pvh(image.read(image_path(name)))
    assert not problems, "; ".join(problems)


HELLO_LIMIT = 65536
# A member of an archive the link took, in the map's "Archive member
# included" list: "build/k/libfiles.a(files.c.o)".
FILES_MEMBER = re.compile(r"^build/k/libfiles\.a\((\S+)\)", re.M)


def test_hello_size_and_layers():
    size = os.path.getsize(image_path("hello"))
    assert size < HELLO_LIMIT, f"build/hello.elf is {size} bytes, not below {HELLO_LIMIT}"
    with open(os.path.join(BUILD, "hello.map")) as f:
        text = f.read()
    loaded = [l for l in text.splitlines() if l.startswith("LOAD ")]
    assert loaded, "build/hello.map lists no LOAD lines"
    assert not [l for l in loaded if "/sys/poll/" in l], "hello links sys/poll/ (hello_POLL := no)"
    assert "LOAD build/k/libfiles.a" in loaded, "the link did not search the file layer's archive"
    members = FILES_MEMBER.findall(text)
    assert not members, f"hello links the file layer: {members}"
