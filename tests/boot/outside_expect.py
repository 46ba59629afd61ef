"""What the worked example (tests/boot/outside_app) must print, worked out
on the host, and the comparison of a transcript with it
(tests/boot/test_outside_app.py).

The floating-point lines are formatted here by Python's % operator, which
follows C's printf conversions, from the same inputs, and the math from the
host's C library (Python's math module): an oracle independent of musl.
What is musl's own choice (its getopt's messages, strerror's texts,
strtod's errno without a conversion, rand's generator) is written out with
the musl 1.2.3 source file it comes from. Values that change from run to
run (clocks, sleeps) are Measured: a regular expression the whole line must
match, whose groups the test then bounds."""

import math
import re
import struct
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

PREFIX = "outside: "
# The kernel's report of a system call it lacks (sys/syscall.c), which
# comes just before the app's line about that call.
KERNEL_SAYS = re.compile(r"^sys: system call \d+ ")
SLEEP_MS = 50          # outside_app/clocks.c SLEEP_MS
STACK_BYTES = 128 << 10  # outside_app/anyvm.toml stack

# strerror's texts (musl 1.2.3 src/errno/__strerror.h).
STRERROR = {
    "ENOSYS": "Function not implemented",
    "ERANGE": "Result not representable",
    "EAGAIN": "Resource temporarily unavailable",
    "ENOENT": "No such file or directory",
    "ENOMEM": "Out of memory",
}


@dataclass(frozen=True)
class Measured:
    """A line whose values change from run to run: `pattern` must match the
    whole line; its named groups are kept under `name`."""
    name: str
    pattern: str


def musl_rand(seed, count):
    """rand() after srand(seed): musl 1.2.3 src/prng/rand.c, a 64-bit
    linear congruential generator whose top 31 bits are returned."""
    state = (seed - 1) % 2**64
    out = []
    for _ in range(count):
        state = (6364136223846793005 * state + 1) % 2**64
        out.append(state >> 33)
    return out


def long_double_third():
    """1.0L / 3 as printf's %.18Lf: the x87 80-bit format has a 64-bit
    significand, so 1/3 (between 2^-2 and 2^-1) is the nearest multiple of
    2^-65."""
    m = round(Fraction(2**65, 3))
    with localcontext() as ctx:
        ctx.prec = 60
        value = Decimal(m) / Decimal(2**65)
        return str(value.quantize(Decimal(10) ** -18, rounding=ROUND_HALF_EVEN))


def c_round(x):
    """C's round(): halves away from zero (Python's round goes to even)."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


def integer_lines(argv0, use_float, status, verbose, operands, greeting):
    """The lines of every run, up to the floating-point part."""
    lines = [f"outside: argv[0]={argv0} float={'yes' if use_float else 'no'} exit={status} "
             f"verbose={verbose} operands={len(operands)}"]
    lines += [f"outside: operand {i}: [{op}]" for i, op in enumerate(operands, 1)]
    lines += [
        "outside: printf -42|   42|42   |00042|ff|0XFF|010|Z|text|abc|     7|%",
        f"outside: printf {-2**63} {2**64 - 1} 8 -56",
        "outside: fprintf to stdout",
        "outside: fprintf to stderr",
        "outside: puts",
        f"outside: perror: {STRERROR['ENOENT']}",
        'outside: snprintf returned 15, kept "truncat"',
        "outside: sscanf 3 fields: id=42 name=probe hex=255",
        "outside: stdin: end of file",
        "outside: string outside len=7 strdup=outside strcmp=-1 strncmp=0 strchr=tside "
        "strrchr=de strstr=side",
        "outside: strtok [alpha] [beta] [gamma] [delta]",
        "outside: memmove+memset --01234789 memcmp=0",
        "outside: qsort ints: " + " ".join(map(str, sorted([42, -7, 19, 0, 1000, 3, -7, 88, 5,
                                                             64]))),
        "outside: bsearch 64: index 7",
        "outside: qsort strings: " + " ".join(sorted(["pear", "apple", "fig", "banana",
                                                      "cherry"])),
        "outside: strtol base 0: 31/4 -493/5 123/3 9/4",
        "outside: atoi=-17 abs=5 labs=6 div=3,2",
        "outside: rand after srand(42): " + " ".join(map(str, musl_rand(42, 5))),
        "outside: getenv OUTSIDE_GREETING="
        + (f"[{greeting}]" if greeting is not None else "(not set)"),
        "outside: getenv OUTSIDE_UNSET=(not set)",
        "outside: setenv then getenv OUTSIDE_SET=[by setenv]",
        "outside: getentropy(16) = 0, bytes set",
        "outside: ctype alpha=10 digit=2 space=2 punct=2 upper=2 xdigit(f)=1 "
        "[HELLO, WORLD 42!] [hello, world 42!]",
        # No file system yet: every path names nothing (sys/path.c), so open
        # and fopen (musl's open) fail with ENOENT, and the kernel says nothing.
        f'outside: open("/no/such/file") = -1: ENOENT {STRERROR["ENOENT"]}',
        f'outside: fopen("/etc/hostname") = NULL: ENOENT {STRERROR["ENOENT"]}',
        f'outside: strtol("99999999999999999999") = {2**63 - 1}: ERANGE {STRERROR["ERANGE"]}',
        # fork is call 57; pthread_create's clone (56) fails, which musl's
        # src/thread/pthread_create.c turns into EAGAIN.
        "sys: system call 57 not implemented: ENOSYS",
        f"outside: fork() = -1: ENOSYS {STRERROR['ENOSYS']}",
        "sys: system call 56 not implemented: ENOSYS",
        f"outside: pthread_create = EAGAIN {STRERROR['EAGAIN']}",
        f"outside: limits INT_MAX={2**31 - 1} INT_MIN={-2**31} LONG_MAX={2**63 - 1} CHAR_BIT=8",
        f"outside: inttypes UINT64_MAX={2**64 - 1} INT64_MIN={-2**63} 0x{0xdeadbeefcafe:x} "
        f"SIZE_MAX={2**64 - 1}",
        "outside: sizeof char=1 short=2 int=4 long=8 pointer=8",
        "outside: assert passed",
        Measured("time", r"outside: time\(\) (?P<s>\d+)"),
        Measured("realtime", r"outside: CLOCK_REALTIME (?P<s>\d+)\.(?P<ns>\d{9})"),
        Measured("gettimeofday", r"outside: gettimeofday (?P<s>\d+)\.(?P<us>\d{6})"),
        Measured("date", r"outside: UTC date (?P<date>\d{4}-\d\d-\d\d)"),
        "outside: CLOCK_MONOTONIC 100 reads, 0 went backwards",
        Measured("nanosleep", rf"outside: nanosleep {SLEEP_MS} ms took (?P<us>\d+) us"),
        Measured("usleep", rf"outside: usleep {SLEEP_MS * 1000} us took (?P<us>\d+) us"),
        # outside_app/memory.c: 4 rounds of 48 blocks, sized by size_of()
        f"outside: malloc/realloc/calloc/free: 192 blocks up to "
        f"{max(2**((5 * r + b) % 19) + 3 * b + r for r in range(4) for b in range(48))} bytes, "
        "contents intact",
        f"outside: malloc(1 TiB) = NULL: ENOMEM {STRERROR['ENOMEM']}",
        f"outside: RLIMIT_STACK {STACK_BYTES}",
        # outside_app/memory.c check_stack: at every 1 KiB, its page number
        "outside: 96 KiB on the stack, page sum "
        f"{sum(at // 4096 for at in range(0, 96 << 10, 1024))}",
    ]
    return lines


# strtod's inputs (outside_app/floating.c) with how far it reads and the
# errno it leaves: ERANGE beyond the range of double either way, and musl's
# EINVAL when nothing converts (src/internal/floatscan.c).
STRTOD = [("3.14159", 7, "0"), ("  -2.5e-3xyz", 9, "0"), ("0x1.8p1", 7, "0"),
          ("1e400", 5, "ERANGE"), ("-inf", 4, "0"), ("abc", 0, "EINVAL"), (".5.", 2, "0"),
          ("1e-400", 6, "ERANGE")]


def strtod_value(text, end):
    s = text[:end].strip()
    if not s:
        return 0.0
    return float.fromhex(s) if s.lower().startswith(("0x", "-0x")) else float(s)


def float_lines():
    """The floating-point part's lines (outside_app/floating.c), formatted
    here from the same inputs."""
    pi = math.pi
    f32_third = struct.unpack("f", struct.pack("f", 1.0 / 3.0))[0]
    values = [3.5, -1.25, 2e3, 0.0, -7.75, 1e-3, 42.0]
    lines = [
        "outside: printf %.3f %e %g: " + "%.3f %e %g" % (pi, 12345.6789, 0.0001),
        "outside: printf %10.4f|%-12.3e|%+g|%G|%E: "
        + "%10.4f|%-12.3e|%+g|%G|%E" % (-pi, 6.02214076e23, 1e-5, 1e300 * 10.0, 0.5),
        "outside: printf %.17g of 0.1+0.2: " + "%.17g" % (0.1 + 0.2),
        # C's %a: the shortest exact hexadecimal form (C11 7.21.6.1)
        "outside: printf %a of 3: 0x1.8p+1",
        "outside: printf inf/nan/denormal: "
        + "%f %F %g %g" % (math.inf, -math.inf, math.nan, 5e-324),
        "outside: float 1/3 %.9g, long double 1/3 %s (16 bytes)" % (f32_third,
                                                                   long_double_third()),
        "outside: qsort doubles: " + " ".join("%g" % v for v in sorted(values)),
    ]
    lines += ['outside: strtod "%s" = %.17g end=%d errno=%s'
              % (text, strtod_value(text, end), end, err) for text, end, err in STRTOD]
    lines += [
        "outside: sscanf 2 fields: ratio=%g scale=%g" % (0.75, -1.5e2),
        'outside: snprintf %%.2f "%.2f", atof back %g' % (pi, float("%.2f" % pi)),
        "outside: math sqrt(2)=%.17g sin(pi/6)=%.12g cos(pi)=%.12g pow(2,10)=%g pow(2,0.5)=%.12g"
        % (math.sqrt(2), math.sin(pi / 6), math.cos(pi), math.pow(2, 10), math.pow(2, 0.5)),
        "outside: math floor(-2.5)=%g ceil(-2.5)=%g fabs(-3)=%g fmod(10,3)=%g round(2.5)=%g "
        "rint(2.5)=%g trunc(-2.7)=%g"
        % (math.floor(-2.5), math.ceil(-2.5), math.fabs(-3), math.fmod(10, 3), c_round(2.5),
           round(2.5), math.trunc(-2.7)),
        "outside: math exp(1)=%.12g log(10)=%.12g log10(1000)=%.12g atan2(1,1)*4=%.12g "
        "hypot(3,4)=%g"
        % (math.exp(1), math.log(10), math.log10(1000), math.atan2(1, 1) * 4, math.hypot(3, 4)),
        "outside: conversions (long)-2.7=%d lround(2.5)=%d (double)INT64_MAX=%.17g"
        % (int(-2.7), c_round(2.5), float(2**63 - 1)),
    ]
    return lines


def expected(use_float, status, verbose, operands, greeting=None):
    """The lines a run of the example prints whose options come to these
    (outside_app/main.c): with floating point or not, the exit status, how
    many --verbose, the operands; greeting is OUTSIDE_GREETING's value."""
    lines = integer_lines("outside", use_float, status, verbose, operands, greeting)
    lines += float_lines() if use_float else ["outside: floating point skipped (--no-float)"]
    lines += ["outside: every check passed", f"outside: atexit handler ran, exit status {status}"]
    return lines


def app_lines(transcript):
    """The lines of a serial transcript that the app printed (they start
    with its name) and the kernel's reports of missing system calls."""
    return [ln for ln in transcript.replace("\r", "").split("\n")
            if ln.startswith(PREFIX) or KERNEL_SAYS.match(ln)]


def compare(lines, want):
    """(problems, {Measured.name: its match}) of the app's lines against
    the expected ones, one for one and in order."""
    problems, found = [], {}
    for i in range(max(len(lines), len(want))):
        got = lines[i] if i < len(lines) else None
        exp = want[i] if i < len(want) else None
        if got is None:
            problems.append(f"line {i + 1}: missing, expected {exp!r}")
            break
        if exp is None:
            problems.append(f"line {i + 1}: {got!r} more than expected")
            break
        if isinstance(exp, Measured):
            m = re.fullmatch(exp.pattern, got)
            if m is None:
                problems.append(f"line {i + 1}: {got!r} does not match /{exp.pattern}/")
            else:
                found[exp.name] = m
        elif got != exp:
            problems.append(f"line {i + 1}: {got!r}, expected {exp!r}")
    return problems, found
