"""The initrd as an app's file tree (docs/apps.md, "Files: the initrd"),
end to end: tests/boot/initrd_app built with `tools/anyvm build`, a folder
with nested directories, an empty directory, a symbolic link, an empty file
and a 300 KiB binary file packed with `tools/anyvm pack initrd`, booted with
`tools/anyvm run --initrd` on QEMU microvm (multiboot and PVH) and q35 under
TCG and on hostsim's Firecracker (a small tree: hostsim is slow here).

Every line the app prints is compared with what this test computes from the
folder: the listing (readdir order is the archive's, which is sorted), the
text files, and the big file's FNV-1a sum, which the app computes three ways
(read, pread, stdio) after taking and writing all the memory malloc gives
(--fill): the initrd's pages are never handed out. The banner's initrd line
is checked too, and a corrupt or compressed archive still boots with its one
clear line; hello, which names no file, says it does not read the initrd."""

import os
import random
import re
import subprocess
import sys

import pytest

from anyvm_lib import targets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANYVM = [sys.executable, os.path.join(ROOT, "tools", "anyvm")]
APP = os.path.join(ROOT, "tests", "boot", "initrd_app")
BUILD_TIMEOUT = 600
QEMU_TIMEOUT = 60
HOSTSIM_TIMEOUT = 120
BIG = 300 * 1024

# Every build of the app writes build/ext/initrd/: the tests stay on one worker.
pytestmark = pytest.mark.xdist_group("initrd_app")


def anyvm(args, timeout, cwd=ROOT):
    p = subprocess.run(ANYVM + args, cwd=cwd, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("initrd-app") / "initrd.elf")
    rc, stdout, stderr = anyvm(["build", APP, "-o", out], BUILD_TIMEOUT)
    print(stdout + stderr)
    assert rc == 0, f"the build failed (exit {rc}):\n{stderr}"
    assert "warning:" not in stderr, "the app is not -Wall clean"
    return out


def test_app_links_the_file_layer(app):
    """The app names files (opendir, open, stat, fopen...): its link took
    the file layer's archive members, pulled by musl's file functions."""
    with open(os.path.join(ROOT, "build", "ext", "initrd", "initrd.map")) as f:
        text = f.read()
    members = set(re.findall(r"^build/k/libfiles\.a\((\S+)\)", text, re.M))
    assert {"files.c.o", "open.c.o", "tree.c.o", "cpio_newc.c.o"} <= members, members


def make_tree(top, big):
    """The folder: nested directories, an empty one, a link, an empty file,
    text files, and (when big) the binary file."""
    os.makedirs(os.path.join(top, "dir", "sub"))
    os.makedirs(os.path.join(top, "dir", "emptydir"))
    texts = {"hello.txt": "hello from the initrd\n", "dir/note.txt": "a note\n",
             "dir/sub/deep.txt": "deep\n", "empty": ""}
    for name, text in texts.items():
        with open(os.path.join(top, name), "w") as f:
            f.write(text)
    os.symlink("dir/note.txt", os.path.join(top, "link"))
    if big:
        with open(os.path.join(top, "big.bin"), "wb") as f:
            f.write(random.Random(2024).randbytes(BIG))


def pack(top, out):
    rc, stdout, stderr = anyvm(["pack", "initrd", top, "-o", out], 60)
    assert rc == 0, stderr
    return out


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """{"big": (folder, archive), "small": (folder, archive)}"""
    base = tmp_path_factory.mktemp("initrd-tree")
    out = {}
    for kind in ("big", "small"):
        top = str(base / kind)
        make_tree(top, kind == "big")
        out[kind] = (top, pack(top, str(base / f"{kind}.cpio")))
    return out


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def listing(top, at="/", shown=None):
    """The app's `list` lines for the folder under at, as it prints them:
    entries in sorted order (the archive's), directories followed by their
    contents, text files followed by their first line."""
    lines = []
    here = os.path.join(top, at.lstrip("/"))
    prefix = shown if shown is not None else ("" if at == "/" else at)
    for name in sorted(os.listdir(here)):
        path = f"{prefix}/{name}"
        full = os.path.join(here, name)
        if os.path.islink(full):
            lines.append(f"l {path} -> {os.readlink(full)}")
        elif os.path.isdir(full):
            lines.append(f"d {path}")
            lines += listing(top, os.path.join(at, name), path)
        else:
            lines.append(f"f {path} {os.path.getsize(full)}")
            if name.endswith(".txt"):
                with open(full) as f:
                    lines.append("  text: " + f.read().split("\n")[0])
    return lines


ERRORS = [
    "open /missing: ENOENT",
    "open /hello.txt O_WRONLY: EROFS",
    "open /new O_CREAT: EROFS",
    "open /hello.txt/: ENOTDIR",
    "open /dir O_RDWR: EISDIR",
    "opendir /hello.txt: ENOTDIR",
    "stat /dir/missing: ENOENT",
    "readlink /hello.txt: EINVAL",
    "access /hello.txt W_OK: EROFS",
    "fopen /hello.txt w: EROFS",
]


def libc_lines(top):
    """realpath, scandir (alphasort), nftw (pre-order, the archive's
    order), fgets through the link."""
    lines = ["realpath /link: /dir/note.txt", "realpath dir/./sub/../note.txt: /dir/note.txt",
             "scandir /dir: " + " ".join(sorted([".", ".."] + os.listdir(os.path.join(top, "dir"))))]
    lines.append("nftw /dir d 0")
    for line in listing(top, "/dir"):
        if not line.startswith("  "):
            kind, path = line.split()[:2]
            lines.append(f"nftw {path} {kind} {path.count('/') - 1}")
    with open(os.path.join(top, "dir", "note.txt")) as f:
        lines.append("fgets /link: " + f.readline().rstrip("\n"))
    return lines


def expected(top, args):
    """The app's lines for its arguments (tests/boot/initrd_app/main.c)."""
    want = []
    if "--fill" in args:
        want.append(re.compile(r"filled (\d+) MiB"))
    want += ["list /"] + listing(top)
    if "--sum" in args:
        path = args[args.index("--sum") + 1]
        with open(os.path.join(top, path.lstrip("/")), "rb") as f:
            data = f.read()
        want.append(f"sum {path} {len(data)} {fnv1a(data):016x}")
    if "--cwd" in args:
        d = args[args.index("--cwd") + 1]
        want += [f"cwd {d}"] + listing(top, d, ".")
    if "--errors" in args:
        want += ERRORS
    if "--libc" in args:
        want += libc_lines(top)
    want.append("initrd app: 0 failures")
    return want


def app_lines(serial):
    """The app's lines: what follows the kernel's `anyvm: boot to main`
    line, up to `anyvm: exit status`."""
    lines = serial.replace("\r", "").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("anyvm: boot to main"))
    return [ln for ln in lines[start + 1:] if ln and not ln.startswith("anyvm: exit status")]


def boot(image, target, archive, args=(), mem="64M"):
    t = targets.get(target)
    timeout = HOSTSIM_TIMEOUT if t.vmm == "hostsim" else QEMU_TIMEOUT
    argv = ["run", "--target", target, "--timeout", str(timeout), "--mem", mem]
    if t.vmm == "qemu":
        argv += ["--accel", "tcg"]
    if archive is not None:
        argv += ["--initrd", archive]
    argv += [image] + (["--"] + list(args) if args else [])
    rc, serial, stderr = anyvm(argv, timeout + 30, cwd=os.path.dirname(image))
    print(f"$ tools/anyvm {' '.join(argv)}\nexit code {rc}\n{serial}\n[stderr]\n{stderr}")
    return rc, serial.replace("\r", "")


def compare(got, want):
    problems = []
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else "(nothing)"
        w = want[i] if i < len(want) else "(nothing)"
        pattern = isinstance(w, re.Pattern)
        if not (w.fullmatch(g) if pattern else g == w):
            problems.append(f"line {i + 1}: got {g!r}, want {w.pattern if pattern else w!r}")
    return problems


def banner_line(serial):
    lines = [ln for ln in serial.split("\n") if ln.startswith("initrd: ")]
    assert len(lines) >= 1, "no initrd line in the banner"
    return lines


# (id, target, tree, the app's arguments)
RUNS = [
    ("microvm", "microvm", "big",
     ["--fill", "--sum", "/big.bin", "--errors", "--cwd", "/dir", "--libc"]),
    ("microvm-pvh", "microvm-pvh", "big", ["--fill", "--sum", "/big.bin"]),
    ("q35", "q35", "big", ["--fill", "--sum", "/big.bin", "--errors"]),
    ("firecracker", "firecracker", "small", ["--errors", "--sum", "/hello.txt", "--cwd", "/dir"]),
    # GRUB puts a module anywhere outside the range the image declares: the
    # compressed image declares all the kernel is decoded to, from 1 MiB.
    ("iso", "iso", "small", ["--errors", "--sum", "/hello.txt", "--cwd", "/dir"]),
]


@pytest.mark.parametrize("target,tree,args", [pytest.param(*r[1:], id=r[0]) for r in RUNS])
def test_tree(app, trees, target, tree, args):
    top, archive = trees[tree]
    rc, serial = boot(app, target, archive, args)
    files = sum(len(f) for _, _, f in os.walk(top)) - 1          # the link is not a file
    dirs = sum(len(d) for _, d, _ in os.walk(top))
    assert banner_line(serial) == [
        f"initrd: {files} files, {dirs} directories, 1 symlink, {os.path.getsize(archive)} "
        "bytes (cpio newc)"]
    got, want = app_lines(serial), expected(top, args)
    problems = compare(got, want)
    assert not problems, "the app's lines differ:\n" + "\n".join(problems)
    if "--fill" in args:
        filled = int(re.search(r"^filled (\d+) MiB$", serial, re.M).group(1))
        assert filled >= 48, f"only {filled} MiB of 64 taken: the fill proves little"
    assert serial.rstrip().endswith("anyvm: exit status 0") and rc == 0


def test_corrupt_archive_still_boots(app, trees, tmp_path):
    """A header field broken in the middle: the line that says where and
    why, the entries before it, and the app runs."""
    top, archive = trees["small"]
    with open(archive, "rb") as f:
        data = bytearray(f.read())
    offsets = [m.start() for m in re.finditer(rb"070701", data)]
    bad = offsets[3]                          # the fourth entry's header
    data[bad + 6 + 6 * 8] = ord("x")          # its mtime: not hexadecimal
    broken = str(tmp_path / "broken.cpio")
    with open(broken, "wb") as f:
        f.write(data)
    rc, serial = boot(app, "microvm", broken)
    lines = banner_line(serial)
    assert lines[0] == (f"initrd: malformed cpio archive at offset {bad}: a header field is not "
                        "8 hexadecimal digits; 3 entries before it are used")
    assert lines[1].startswith("initrd: ")
    names = sorted(os.listdir(top))
    got = app_lines(serial)
    assert got[0] == "list /" and got[-1] == "initrd app: 0 failures"
    listed = [ln.split()[1] for ln in got[1:-1] if not ln.startswith("  ")]
    assert listed == listing_paths(top)[:len(listed)] and 0 < len(listed) < len(names) + 4
    assert rc == 0


def listing_paths(top):
    return [ln.split()[1] for ln in listing(top) if not ln.startswith("  ")]


@pytest.mark.parametrize("what,data,line", [
    ("gzip", b"\x1f\x8b\x08\x00" + bytes(60),
     "initrd: not a cpio newc archive (64 bytes starting 1f 8b 08 00: gzip-compressed: anyvm "
     "reads an uncompressed archive); not used"),
    ("odc", b"070707" + b"0" * 70,
     "initrd: not a cpio newc archive (76 bytes starting 30 37 30 37: the old portable cpio "
     "format: make it with cpio -H newc); not used"),
])
def test_not_an_archive(app, tmp_path, what, data, line):
    path = str(tmp_path / f"{what}.bin")
    with open(path, "wb") as f:
        f.write(data)
    rc, serial = boot(app, "microvm", path)
    assert banner_line(serial) == [line]
    assert app_lines(serial) == ["list /", "initrd app: 0 failures"]     # an empty root
    assert rc == 0


def test_hello_does_not_read_it(trees):
    """hello names no file: its image has no file layer, and says so."""
    _, archive = trees["small"]
    rc, serial = boot(os.path.join(ROOT, "build", "hello.elf"), "microvm", archive)
    assert banner_line(serial) == [
        f"initrd: {os.path.getsize(archive)} bytes, not read: this app names no file"]
    assert rc == 0
