"""An app outside the anyvm tree: a folder with C files and, optionally, an
anyvm.toml, built into one image by `anyvm build DIR` (docs/apps.md).

anyvm.toml (TOML, every key optional):
    name    = "myapp"          # argv[0] and the image's name; default: the folder's
    args    = ["-v", "80"]     # main()'s arguments when the command line gives none
    memory  = "64M"            # what `anyvm run` gives the VM unless told --mem
    stack   = "256K"           # the app's stack (default 64K)
    devices = true             # link the bus and driver layers (false: none)
    block   = true             # with them, the disk drivers (false: no disk is found)
    network = false            # link the TCP/IP stack and sockets (true needs devices)

and how `anyvm run DIR` boots it (the command line's flags win, or add):
    target  = "microvm"        # `anyvm targets` lists them
    cpus    = 1
    env     = {GREETING = "hi"}   # the app's environment (env.KEY=VALUE)
    ports   = ["8080:80"]      # -p: host ports forwarded to the guest
    disks   = ["data.img", "seed.img,ro"]   # --disk, relative to the folder

The build compiles the C files with clang against musl's headers and
include/anyvm/ (ordinary warnings; see the Makefile's ACFLAGS for why clang),
links them with the kernel, and writes NAME.elf (and NAME.debug.elf, with
symbols, for addr2line)."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from . import BUILD, ROOT
from . import cmdline as cmdline_mod
from . import publish, runcheck, targets

MANIFEST = "anyvm.toml"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
SIZE = re.compile(r"^([1-9][0-9]*)([KMG])$")
STACK_MIN, STACK_MAX = 16 << 10, 64 << 20
MEMORY_MIN = 2 << 20
# The note section the kernel ignores and the tools read (image.app_info).
INFO_SECTION = ".anyvm_info"


class AppError(ValueError):
    pass


@dataclass
class App:
    dir: str
    name: str
    sources: list
    args: list = field(default_factory=list)
    memory: str = None
    stack_bytes: int = 0
    devices: bool = True
    block: bool = True
    network: bool = False
    target: str = None
    cpus: int = None
    env: dict = field(default_factory=dict)
    ports: list = field(default_factory=list)
    disks: list = field(default_factory=list)


def parse_size(text, what, where):
    m = SIZE.match(text) if isinstance(text, str) else None
    if m is None:
        raise AppError(f"{where}: {what} = {text!r}: expected a size such as \"256K\" or \"64M\"")
    return int(m.group(1)) << {"K": 10, "M": 20, "G": 30}[m.group(2)]


def _expect(manifest, key, value, kind, about):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise AppError(f"{manifest}: {key} must be {about}, not {value!r}")


def load(directory):
    """The app in directory, checked: C files present, the manifest valid.
    Raises AppError naming the file and what is wrong."""
    if not os.path.isdir(directory):
        raise AppError(f"{directory}: no such directory")
    directory = os.path.abspath(directory)
    sources = sorted(f for f in os.listdir(directory) if f.endswith(".c")
                     and os.path.isfile(os.path.join(directory, f)))
    if not sources:
        raise AppError(f"{directory}: no C files (*.c) to build")
    default_name = re.sub(r"[^a-z0-9_-]", "-", os.path.basename(directory).lower()).strip("-_")
    app = App(dir=directory, name=default_name or "app", sources=sources)
    manifest = os.path.join(directory, MANIFEST)
    if not os.path.exists(manifest):
        return app
    # imported here: the parser costs every `anyvm` start about 5 ms, and
    # only a folder with an anyvm.toml needs it
    import tomllib
    try:
        with open(manifest, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise AppError(f"{manifest}: not valid TOML: {e}") from None
    known = {"name", "args", "memory", "stack", "devices", "block", "network", "target", "cpus",
             "env", "ports", "disks"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AppError(f"{manifest}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    if "name" in data:
        _expect(manifest, "name", data["name"], str, "a string")
        if not NAME.match(data["name"]):
            raise AppError(f"{manifest}: name = {data['name']!r}: lower-case letters, digits, "
                           "'-' and '_', at most 32, starting with a letter or digit")
        app.name = data["name"]
    if "args" in data:
        _expect(manifest, "args", data["args"], list, "a list of strings")
        for a in data["args"]:
            _expect(manifest, "args", a, str, "a list of strings")
        try:
            cmdline_mod.check_limits(cmdline_mod.compose("", data["args"]))
        except cmdline_mod.CmdlineError as e:
            raise AppError(f"{manifest}: args: {e}") from None
        app.args = list(data["args"])
    if "memory" in data:
        if parse_size(data["memory"], "memory", manifest) < MEMORY_MIN:
            raise AppError(f"{manifest}: memory = {data['memory']!r}: at least 2M")
        app.memory = data["memory"]
    if "stack" in data:
        app.stack_bytes = parse_size(data["stack"], "stack", manifest)
        if not STACK_MIN <= app.stack_bytes <= STACK_MAX:
            raise AppError(f"{manifest}: stack = {data['stack']!r}: from 16K to 64M")
    if "devices" in data:
        _expect(manifest, "devices", data["devices"], bool, "true or false")
        app.devices = data["devices"]
    if "block" in data:
        _expect(manifest, "block", data["block"], bool, "true or false")
        app.block = data["block"]
        if app.block and not app.devices:
            raise AppError(f"{manifest}: block = true needs the device layers (devices = true)")
    if "network" in data:
        _expect(manifest, "network", data["network"], bool, "true or false")
        app.network = data["network"]
        if app.network and not app.devices:
            raise AppError(f"{manifest}: network = true needs the device layers (devices = true)")
    run_settings(app, data, manifest)
    return app


def run_settings(app, data, manifest):
    """The keys `anyvm run DIR` uses, each checked as the flag it stands for."""
    if "target" in data:
        _expect(manifest, "target", data["target"], str, "a string")
        if data["target"] not in targets.TARGETS:
            raise AppError(f"{manifest}: target = {data['target']!r}: one of "
                           f"{', '.join(targets.TARGETS)}")
        app.target = data["target"]
    if "cpus" in data:
        _expect(manifest, "cpus", data["cpus"], int, "a whole number")
        try:
            app.cpus = runcheck.check_cpus(data["cpus"])
        except runcheck.InputError as e:
            raise AppError(f"{manifest}: cpus: {e}") from None
    if "env" in data:
        _expect(manifest, "env", data["env"], dict, "a table of strings")
        for key, value in data["env"].items():
            _expect(manifest, f"env.{key}", value, str, "a string")
            try:
                runcheck.check_param(f"{key}={value}", "env")
            except runcheck.InputError as e:
                raise AppError(f"{manifest}: {e}") from None
        app.env = dict(data["env"])
    for key, parse in (("ports", publish.parse), ("disks", None)):
        if key not in data:
            continue
        _expect(manifest, key, data[key], list, "a list of strings")
        for item in data[key]:
            _expect(manifest, key, item, str, "a list of strings")
            if parse is not None:
                try:
                    parse(item)
                except publish.PublishError as e:
                    raise AppError(f"{manifest}: ports: {e}") from None
        setattr(app, key, list(data[key]))


def c_string(text):
    """A C string literal of text (UTF-8), octal escapes for what is not
    printable ASCII (an octal escape stops after three digits, unlike \\x)."""
    out = []
    for b in text.encode():
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def config_source(app):
    """The configuration source linked into the image (init/app_config.h),
    and the info section the tools read back (image.app_info)."""
    args = ", ".join(c_string(a) for a in app.args)
    info = "".join(f"{k}={v}\n" for k, v in [("name", app.name), ("memory", app.memory)] if v)
    return (
        '#include "init/app_config.h"\n'
        f"const char anyvm_app_name[] = {c_string(app.name)};\n"
        f"const char *const anyvm_app_default_args[] = {{{args + ', ' if args else ''}0}};\n"
        f"const unsigned long anyvm_app_stack_bytes = {app.stack_bytes};\n"
        f'__attribute__((section("{INFO_SECTION}"), used)) '
        f"static const char anyvm_app_info[] = {c_string(info)};\n")


def source_dir(app, ext_b):
    """The path of the app's folder that make is given (EXT_DIR). The
    objects' dependency files name the sources by it, so it stays the same
    from one build to the next: the folder itself, or a symbolic link to it
    at ext_b/src when the folder's path has a blank, which make cannot take.

    What make cannot see is kept in ext_b/inputs: the folder, its C files
    and whether the device layers are linked. When that changes, the last
    build's objects and image are removed: make would stop at sources that
    are gone ("No rule to make target"), keep objects newer than another
    folder's sources but not made from them, or keep an image that is newer
    than a shorter list of objects."""
    src = app.dir
    if any(c.isspace() for c in src):
        src = os.path.join(ext_b, "src")
        if os.path.lexists(src):
            os.remove(src)
        os.symlink(app.dir, src)
    inputs = f"dir={app.dir}\nsources={' '.join(app.sources)}\ndevices={app.devices}\n"
    inputs += f"block={app.block}\nnetwork={app.network}\n"
    record = os.path.join(ext_b, "inputs")
    if not os.path.exists(record) or open(record).read() != inputs:
        shutil.rmtree(os.path.join(ext_b, "obj"), ignore_errors=True)
        # The self-decompressing image's intermediates (the Makefile's
        # build/zimage/ext/NAME/): else make would take the old ones, newer
        # than the new sources, for up to date.
        shutil.rmtree(os.path.join(BUILD, "zimage", "ext", app.name), ignore_errors=True)
        for name in (app.name + ".elf", app.name + ".debug.elf"):
            if os.path.exists(os.path.join(ext_b, name)):
                os.remove(os.path.join(ext_b, name))
        with open(record, "w") as f:
            f.write(inputs)
    return src


def build(app, output, jobs=None, echo=None):
    """Builds app into output (and its .debug.elf beside it) with the
    repository's Makefile; returns output, or with output None the image
    where the build left it. Raises AppError when the build fails (the
    compiler's messages went to stderr)."""
    ext_b = os.path.join(BUILD, "ext", app.name)
    os.makedirs(ext_b, exist_ok=True)
    config = os.path.join(ext_b, "config.c")
    text = config_source(app)
    if not os.path.exists(config) or open(config).read() != text:
        with open(config, "w") as f:
            f.write(text)
    src = source_dir(app, ext_b)
    target = os.path.join("build", "ext", app.name, app.name + ".elf")
    cmd = ["make", "--no-print-directory", "-C", ROOT, f"-j{jobs or os.cpu_count() or 1}",
           f"EXT_APP={app.name}", f"EXT_DIR={src}", f"EXT_CONFIG={config}",
           f"EXT_DEVICES={'yes' if app.devices else 'no'}",
           f"EXT_BLOCK={'yes' if app.block else 'no'}",
           f"EXT_NETWORK={'yes' if app.network else 'no'}", target]
    p = subprocess.run(cmd, stdout=echo, stderr=None)
    if p.returncode != 0:
        raise AppError(f"building {app.dir} failed (the messages above say why)")
    built = os.path.join(ROOT, target)
    if output is None:
        return built          # `anyvm run DIR` boots it where the build left it
    shutil.copyfile(built, output)
    shutil.copyfile(built[:-len(".elf")] + ".debug.elf", output[:-len(".elf")] + ".debug.elf"
                    if output.endswith(".elf") else output + ".debug.elf")
    return output
