"""tools/anyvm_lib/initrd.py and how a boot is handed an initrd: the
archive `anyvm pack initrd` writes (listed back by GNU cpio itself), the
paths QEMU's -initrd cannot take, the QEMU, hostsim and GRUB command lines,
and the files a boot refuses before it starts."""

import os
import subprocess

import pytest

from anyvm_lib import hostsim, initrd, iso, launch


def listing(archive, verbose=False):
    """cpio -t of the archive: its names (or `ls -l`-like lines), in order."""
    with open(archive, "rb") as f:
        out = subprocess.run(["cpio", "-t", "--quiet"] + (["-v"] if verbose else []), stdin=f,
                             capture_output=True, check=True, text=True).stdout
    return out.splitlines()


@pytest.fixture
def tree(scratch):
    top = os.path.join(scratch, "tree")
    os.makedirs(os.path.join(top, "b", "sub"))
    os.makedirs(os.path.join(top, "a dir"))
    for name, text in [("z.txt", "z"), ("b/sub/deep", "d"), ("a dir/x", "x"), ("empty", "")]:
        with open(os.path.join(top, name), "w") as f:
            f.write(text)
    os.symlink("b/sub", os.path.join(top, "link"))
    return top


def test_pack_sorted_relative_names_links_kept(tree, scratch):
    out = os.path.join(scratch, "out.cpio")
    assert initrd.pack(tree, out) == out
    with open(out, "rb") as f:
        assert f.read(6) == b"070701"
    assert listing(out) == ["a dir", "a dir/x", "b", "b/sub", "b/sub/deep", "empty", "link",
                            "z.txt"]
    lines = {ln.split()[-1] if "->" not in ln else ln.split()[-3]: ln
             for ln in listing(out, verbose=True)}
    assert lines["link"].startswith("l") and lines["link"].endswith("-> b/sub")
    assert lines["b"].startswith("d")
    assert " root " in lines["z.txt"]        # -R 0:0
    # the same folder, the same bytes
    again = os.path.join(scratch, "again.cpio")
    initrd.pack(tree, again)
    with open(out, "rb") as a, open(again, "rb") as b:
        assert a.read() == b.read()


def test_pack_refuses(tree, scratch):
    with pytest.raises(initrd.InitrdError, match="no such directory"):
        initrd.pack(os.path.join(scratch, "nothing"), os.path.join(scratch, "x.cpio"))
    with pytest.raises(initrd.InitrdError, match="inside the folder it packs"):
        initrd.pack(tree, os.path.join(tree, "b", "x.cpio"))
    assert not os.path.exists(os.path.join(tree, "b", "x.cpio"))


def test_check(scratch):
    with pytest.raises(initrd.InitrdError, match="not found"):
        initrd.check(os.path.join(scratch, "none.cpio"))
    empty = os.path.join(scratch, "empty.cpio")
    open(empty, "w").close()
    with pytest.raises(initrd.InitrdError, match="is empty"):
        initrd.check(empty)


@pytest.mark.parametrize("name", ["a b.cpio", "a,b.cpio", "tab\there.cpio"])
def test_qemu_path_links_what_qemu_would_split(scratch, name):
    path = os.path.join(scratch, name)
    open(path, "w").close()
    work = os.path.join(scratch, "work")
    os.mkdir(work)
    got = initrd.qemu_path(path, work)
    assert not any(c.isspace() or c == "," for c in got)
    assert os.path.realpath(got) == os.path.realpath(path)


def test_qemu_path_plain_is_kept(scratch):
    path = os.path.join(scratch, "plain.cpio")
    assert initrd.qemu_path(path, scratch) == path


def write_initrd(scratch):
    path = os.path.join(scratch, "i.cpio")
    with open(path, "wb") as f:
        f.write(b"070701")
    return path


def test_qemu_command_gets_initrd(scratch):
    image = os.path.join(scratch, "k.elf")
    open(image, "w").close()
    spec = launch.BootSpec(image=image, target="q35", accel="tcg", initrd=write_initrd(scratch))
    argv = launch.prepare(spec, scratch)
    i = argv.index("-initrd")
    assert argv[i + 1] == os.path.join(scratch, "i.cpio")
    assert "-kernel" in argv


def test_hostsim_command_gets_initrd(scratch, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode: True)   # no hostsim build needed
    image = os.path.join(scratch, "k.elf")
    open(image, "w").close()
    spec = launch.BootSpec(image=image, target="firecracker-linux", initrd=write_initrd(scratch))
    argv = launch.prepare(spec, scratch)
    assert argv[argv.index("--initrd") + 1] == os.path.join(scratch, "i.cpio")
    assert "--initrd" not in hostsim.argv("firecracker", "pvh", "k", "", "64M", 1, None)


def test_missing_initrd_refused_before_the_boot(scratch):
    image = os.path.join(scratch, "k.elf")
    open(image, "w").close()
    spec = launch.BootSpec(image=image, target="microvm", accel="tcg",
                           initrd=os.path.join(scratch, "none.cpio"))
    with pytest.raises(launch.BootError, match="initrd .*none.cpio not found"):
        launch.prepare(spec, scratch)


def test_grub_cfg_loads_the_initrd_as_a_module():
    lines = iso.grub_cfg("console=ttyS0 -- a", initrd=True).splitlines()
    i = lines.index(f"multiboot {iso.IMAGE_PATH} console=ttyS0 -- a")
    assert lines[i + 1] == f"module {iso.INITRD_PATH}"
    assert lines[i + 2] == "boot"
    assert not any(ln.startswith("module") for ln in iso.grub_cfg("x").splitlines())
