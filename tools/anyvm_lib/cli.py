"""The `anyvm` command: `anyvm build DIR` builds an app's folder into an
image; `anyvm run` boots an image on a target with the guest's serial on
stdout and exits with the guest's status; `anyvm pack TARGET` writes the
image in the form a target boots (an ISO, disks, a VM description, a
container image), `anyvm pack all` every one of them."""

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import cmdline as cmdline_mod
from . import app as app_mod
from . import (ROOT, detached, efi, esp, hostsim, image, initrd, iso, launch, ovmf, packdir,
               packs, publish, qemu, runcheck, runplan, status, symbolize, targets, version)

USAGE_EPILOG = """\
exit status of `anyvm run`: the guest's status N (the kernel's last serial line
`anyvm: exit status N`, carried also by the VMM exit code); 127 after a kernel
panic; 123 when the VMM itself failed (an error exit code, or killed); 124 when
--timeout passed; 125 when the VM ended without a status; 126 when nothing was
booted (bad input, a missing tool); 128+S when signal S
(SIGINT, SIGTERM, SIGHUP) stopped anyvm, which stops the VM first.
targets:
""" + "\n".join(f"  {t.name:18} {t.about}" for t in targets.TARGETS.values())


def split_app_args(argv):
    """Everything after the first `--` belongs to the app."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def publish_arg(text):
    try:
        return publish.parse(text)
    except publish.PublishError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class VersionAction(argparse.Action):
    """--version, with git asked only when it is given (a `git describe`
    at every start would cost each `anyvm run` about 15 ms)."""

    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, help="print anyvm's version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"anyvm {version.describe()}")
        parser.exit()


def parser():
    p = argparse.ArgumentParser(prog="anyvm", description="Run and pack anyvm images.")
    p.add_argument("--version", action=VersionAction)
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="boot an image on a target; serial on stdout",
                       usage="anyvm run [options] IMAGE [-- app args...]",
                       epilog=USAGE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--target", default=None, choices=list(targets.TARGETS), metavar="T",
                   help=f"where to boot (default: the folder's anyvm.toml target, else "
                        f"{targets.DEFAULT_TARGET})")
    r.add_argument("--accel", default="auto", choices=["auto", "kvm", "tcg"],
                   help="QEMU accelerator: auto = kvm when kvm_intel/kvm_amd is loaded, else tcg")
    r.add_argument("--mem", default=None,
                   help="guest memory (default: the image's anyvm.toml memory, else 64M)")
    r.add_argument("--cpus", type=int, default=None,
                   help="vCPUs (default: the folder's anyvm.toml cpus, else 1)")
    r.add_argument("--cmdline", default=None,
                   help='kernel parameters, "k=v ..." (default: what the target\'s VMM passes)')
    r.add_argument("--timeout", type=float, default=None, help="kill the VM after SECONDS")
    r.add_argument("--no-exit-device", dest="exit_device", action="store_false",
                   help="leave out isa-debug-exit (hostsim: --exit-port) and the kernel's "
                        "anyvm.exit_port, as on a VMM that carries no status: the status then "
                        "comes from the serial line")
    r.add_argument("-p", "--publish", action="append", default=[], type=publish_arg,
                   metavar="[ADDR:]HOSTPORT:GUESTPORT[/udp]",
                   help="forward a host port to the guest (QEMU user networking; adds a virtio-net "
                        "NIC; the guest takes 10.0.2.15 by DHCP); repeatable")
    r.add_argument("--nic", default="none", metavar="none|user|tap=NAME[,mac=MAC]",
                   help="user: a virtio-net NIC on QEMU user networking (implied by -p); "
                        "tap=NAME: a virtio-net NIC (or --nic-model) on an existing TAP device")
    r.add_argument("--net", default=None, metavar="user|tap:NAME[,mac=MAC]",
                   help="the same as --nic user or --nic tap=NAME[,mac=MAC], spelled as "
                        "other unikernel tools spell it")
    r.add_argument("--nic-model", choices=sorted(qemu.NIC_MODELS), default=None,
                   help="that NIC as QEMU's emulated Intel model or vmxnet3 instead of "
                        "virtio-net (e1000 and e1000-82545em on pc, e1000e on q35, vmxnet3 "
                        "on either)")
    r.add_argument("--initrd", default=None, metavar="FILE|DIR",
                   help="a cpio newc archive (anyvm pack initrd), or a folder packed into one, "
                        "the app reads as its file tree: "
                        "QEMU -initrd, hostsim --initrd, a GRUB module on the iso target")
    r.add_argument("--disk", action="append", default=[], metavar="FILE[,ro]",
                   help="a raw disk image as a virtio-blk disk (hostsim: its virtio-mmio disk); "
                        ",ro: read-only; repeatable")
    r.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a kernel parameter after the target's (docs/architecture.md lists "
                        "them); repeatable")
    r.add_argument("-e", "--env", action="append", default=[], metavar="KEY=VALUE",
                   help="an environment variable for the app (env.KEY=VALUE); repeatable")
    r.add_argument("--gdb", nargs="?", const=str(GDB_PORT), default=None, metavar="PORT",
                   help="QEMU's gdb stub on 127.0.0.1:PORT (default 1234), the VM stopped before "
                        "its first instruction; prints the gdb command that attaches")
    r.add_argument("-d", "--detach", action="store_true",
                   help="start the VM and return: anyvm ps, anyvm logs NAME, anyvm stop NAME")
    r.add_argument("--name", default=None,
                   help="-d: the VM's name (default: the image's, made unique)")
    r.add_argument("--print-command", action="store_true",
                   help="print the VMM command on stderr before running it")
    # optional for argparse only: `--gdb IMAGE` hands the image to --gdb (cmd_run)
    r.add_argument("image", metavar="IMAGE", nargs="?")

    b = sub.add_parser("build", help="build an app's folder (C files, anyvm.toml) into an image",
                       usage="anyvm build DIR [-o OUT.elf]")
    b.add_argument("dir", metavar="DIR", nargs="?", default=".",
                   help="the app's folder (default: the current one)")
    b.add_argument("-o", "--output", default=None, metavar="OUT.elf",
                   help="the image (default: NAME.elf in the current directory; NAME.debug.elf, "
                        "with symbols, beside it)")
    b.add_argument("-j", "--jobs", type=int, default=None, help="parallel compilers")

    sub.add_parser("ps", help="list the VMs started with run -d: running, exited N or stale",
                   usage="anyvm ps")
    lg = sub.add_parser("logs", help="a detached VM's serial output", usage="anyvm logs NAME [-f]")
    lg.add_argument("name", metavar="NAME")
    lg.add_argument("-f", "--follow", action="store_true", help="keep printing until the VM ends")
    st = sub.add_parser("stop", help="stop a detached VM (SIGTERM, then SIGKILL) and forget it",
                        usage="anyvm stop NAME")
    st.add_argument("name", metavar="NAME")
    sub.add_parser("targets", help="list the targets: what each boots and what it needs here",
                   usage="anyvm targets")
    sub.add_parser("version", help="print anyvm's version", usage="anyvm version")

    k = sub.add_parser("pack", help="pack an image for a target (or every target), or a "
                       "folder into an initrd",
                       usage="anyvm pack TARGET IMAGE|DIR -o OUT [options] [-- app args...]\n"
                             "       anyvm pack all IMAGE|DIR -o OUTDIR [options] "
                             "[-- app args...]\n"
                             "       anyvm pack initrd DIR -o OUT.cpio",
                       description="iso: OUT, a BIOS GRUB ISO. efi: OUT, a GPT disk whose EFI "
                                   "system partition holds the .efi as "
                                   "\\EFI\\BOOT\\BOOTX64.EFI (docs/uefi.md). vmware: into "
                                   "OUTDIR, NAME.raw (a BIOS GRUB disk), NAME.vmdk + NAME.vmx "
                                   "(Workstation, Fusion), NAME.ova (ESXi; also NAME.ovf, "
                                   "NAME-disk1.vmdk, NAME.mf); docs/vmware.md. "
                                   + " ".join(f"{k}: into OUTDIR, {v}." for k, v in
                                              packs.ABOUT.items())
                                   + " all: each of these into OUTDIR/TARGET. initrd: a cpio "
                                   "newc archive. docs/cli.md says more.")
    k.add_argument("format", metavar="TARGET",
                   choices=["iso", "efi", "vmware", *packs.PACKS, "all", "initrd"])
    k.add_argument("image", metavar="IMAGE|DIR")
    k.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="iso, efi, initrd: the file to write; the others: the folder (made "
                        "when missing)")
    k.add_argument("--cmdline", default=None,
                   help="kernel parameters written into grub.cfg, the .efi's .cmdline or "
                        f'Firecracker\'s boot_args (default "{targets.QEMU_CMDLINE}"; '
                        f'firecracker: "{targets.FIRECRACKER_CMDLINE}"; azure: '
                        f'"{packs.default_cmdline("azure")}")')
    k.add_argument("--initrd", default=None, metavar="FILE",
                   help="the disk and ISO packs: an initrd GRUB loads as the first multiboot "
                        "module")
    k.add_argument("--mem", default=None, metavar="SIZE",
                   help="vmware, qemu, kubevirt, firecracker: the VM's memory, as run's --mem "
                        "(default: the image's anyvm.toml memory, else 64M; vmware rounds up "
                        "to a multiple of 4M)")
    k.add_argument("--cpus", type=int, default=None, metavar="N",
                   help="vmware, qemu, firecracker: vCPUs (default: anyvm.toml's, else 1; "
                        "vmware: 1 or a multiple of 2 up to 254)")
    k.add_argument("--disk", action="append", default=[], metavar="FILE[,ro]",
                   help="firecracker: a drive (after anyvm.toml's disks); repeatable")
    k.add_argument("--nic", default=None, metavar="tap=NAME[,mac=MAC]",
                   help="firecracker: a network interface on that host TAP device")
    k.add_argument("--efi", action="store_true",
                   help="vmware: boot with VMware's EFI firmware from the GPT disk of pack efi "
                        "(the .efi beside the image) instead of BIOS GRUB")
    k.add_argument("--ref", default=None, metavar="[REGISTRY/]PATH:TAG",
                   help="kubevirt: the container image reference (default anyvm/NAME:latest)")
    k.add_argument("--gen", type=int, default=None, metavar="1|2",
                   help="azure: the VM generation, 1 (BIOS, the GRUB disk; default) or 2 "
                        "(UEFI, the efi disk)")
    return p


def target_needs(t):
    """[(what, found, how to get it)] for booting on target t here."""
    if t.vmm == "hostsim":
        out = [("build/hostsim", os.access(hostsim.HOSTSIM, os.X_OK), "make hostsim"),
               ("/dev/kvm", os.path.exists("/dev/kvm"), "a host with KVM")]
    else:
        out = [("qemu-system-x86_64", shutil.which(qemu.QEMU) is not None,
                "apt-get install qemu-system-x86 (make setup)")]
    if t.medium == "iso":
        out += [(tool, shutil.which(tool) is not None, "apt-get install grub-pc-bin grub-common "
                 "xorriso mtools (make setup)") for tool in ("grub-mkrescue", "xorriso", "mformat")]
    if t.medium in launch.EFI_MEDIA:
        out += [(path, os.path.isfile(path), "apt-get install ovmf (make setup)")
                for path in (ovmf.CODE, ovmf.VARS)]
    if t.medium == "vmware-disk":
        out += [(tool, shutil.which(tool) is not None, "apt-get install fdisk mtools grub-common "
                 "grub-pc-bin (make setup)") for tool in ("sfdisk", "mformat", "grub-mkimage")]
    if t.medium == "efi-disk":
        out += [(tool, shutil.which(tool) is not None, "apt-get install fdisk mtools (make setup)")
                for tool in ("sfdisk", "mformat")]
    return out


def cmd_targets():
    for t in targets.TARGETS.values():
        default = " (default)" if t.name == targets.DEFAULT_TARGET else ""
        print(f"{t.name}{default}: {t.about}")
        for what, found, how in target_needs(t):
            print(f"    needs {what}: " + ("found" if found else f"MISSING ({how})"))
    return 0


def cmd_build(a, app_args):
    if app_args:
        raise app_mod.AppError("anyvm build takes no app arguments (anyvm.toml args = [...])")
    app = app_mod.load(a.dir)
    out = a.output or app.name + ".elf"
    app_mod.build(app, out, jobs=a.jobs)
    print(f"anyvm: built {out} ({os.path.getsize(out)} bytes) from {app.dir}", file=sys.stderr)
    return 0


def image_memory(data):
    """The memory the image's anyvm.toml asked for, else 64M."""
    try:
        return image.app_info(data).get("memory", "64M")
    except image.ImageError:
        return "64M"


GDB_PORT = 1234


def gdb_and_image(a):
    """`--gdb IMAGE`: argparse gave the image to --gdb's optional PORT."""
    if a.gdb is not None and not a.gdb.isdigit() and a.image is None:
        a.image, a.gdb = a.gdb, str(GDB_PORT)
    if a.image is None:
        raise runcheck.InputError("anyvm run needs an IMAGE (build/NAME.elf)")
    if a.gdb is not None:
        if not a.gdb.isdigit() or not 1 <= int(a.gdb) <= 65535:
            raise runcheck.InputError(f"--gdb {a.gdb}: a TCP port is 1 to 65535")
        a.gdb = int(a.gdb)


def from_folder(a):
    """`anyvm run DIR`: the app in DIR built (as `anyvm build` does) and its
    anyvm.toml's run settings taken where the command line says nothing
    (target, cpus), or before what it adds (env, ports, disks)."""
    if os.path.isdir(a.image):
        app = app_mod.load(a.image)
        print(f"anyvm: building {app.name} from {app.dir}", file=sys.stderr, flush=True)
        a.image = app_mod.build(app, None, echo=subprocess.DEVNULL)
        if a.target is None:
            a.target = app.target
        if a.cpus is None:
            a.cpus = app.cpus
        a.env = [f"{k}={v}" for k, v in app.env.items()] + a.env
        a.publish = [publish.parse(p) for p in app.ports] + a.publish
        a.disk = [d if os.path.isabs(d) else os.path.join(app.dir, d) for d in app.disks] + a.disk
    if a.target is None:
        a.target = targets.DEFAULT_TARGET
    if a.cpus is None:
        a.cpus = 1


def cmd_run(a, app_args, argv):
    gdb_and_image(a)
    built = os.path.isdir(a.image)
    from_folder(a)
    data = runcheck.check_image(a.image, targets.get(a.target).medium)
    runcheck.check_cpus(a.cpus)
    mem = a.mem if a.mem is not None else image_memory(data)
    runcheck.check_memory(mem, data, a.image)
    disks = [runcheck.check_disk(d) for d in a.disk]
    if a.net is not None:
        if a.nic != "none":
            raise runcheck.InputError("give --nic or --net, not both")
        a.nic = "tap=" + a.net[4:] if a.net.startswith("tap:") else a.net
    a.nic, a.tap = runcheck.check_nic(a.nic)
    params = [runcheck.check_param(p, "--param") for p in a.param] + \
        ["env." + runcheck.check_param(e, "--env") for e in a.env]
    if a.detach:
        return run_detached(a, app_args, mem, disks, params)
    # the native `anyvm` (tools/launcher/main.c) asks for the plan to be
    # stored under its key; not passed on to the VMM
    offered = os.environb.pop(b"ANYVM_LAUNCHER", None)
    key = runplan.offered_key(offered, argv) if offered and not built else None
    return plan_and_hand_over(a, app_args, mem, disks, params, key)


def pack_initrd_dir(a, scratch):
    """--initrd DIR: the folder packed into scratch, which a.initrd then names."""
    if a.initrd is not None and os.path.isdir(a.initrd):
        packed = os.path.join(scratch, "initrd.cpio")
        initrd.pack(a.initrd, packed)
        print(f"anyvm: packed {a.initrd} into an initrd ({os.path.getsize(packed)} bytes)",
              file=sys.stderr, flush=True)
        a.initrd = packed


def boot_spec(a, app_args, mem, disks, params):
    return launch.BootSpec(image=a.image, target=a.target, accel=a.accel, mem=mem,
                           cpus=a.cpus, cmdline=a.cmdline, args=app_args, timeout=a.timeout,
                           exit_device=a.exit_device, nic=a.nic, forwards=a.publish,
                           initrd=a.initrd, nic_model=a.nic_model, disks=disks,
                           gdb_port=a.gdb, params=params, tap=a.tap)


def run_detached(a, app_args, mem, disks, params):
    """run -d: the VM's folder (detached.py) holds its scratch files and
    output; the name goes to stdout, how to follow it to stderr."""
    if a.timeout is not None:
        raise runcheck.InputError("--timeout applies to a VM anyvm waits for, not to -d "
                                  "(anyvm stop NAME ends it)")
    name = detached.check_name(a.name) if a.name else detached.new_name(a.image)
    folder, work = detached.reserve(name)
    try:
        pack_initrd_dir(a, work)
        argv = launch.prepare(boot_spec(a, app_args, mem, disks, params), work)
        pid = detached.start(name, argv, a.image, a.target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    print(name)
    print(f"anyvm: {name} started (VMM pid {pid}); its serial output: anyvm logs {name} [-f]; "
          f"end it: anyvm stop {name}", file=sys.stderr)
    return 0


def cmd_ps():
    rows = []
    for name in detached.names():
        try:
            r = detached.load(name)
        except detached.DetachedError as e:
            rows.append((name, f"unreadable: {e}", "", ""))
            continue
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["started"]))
        rows.append((name, detached.state(r), r["target"], started + "  " + r["image"]))
    print(f"{'NAME':20} {'STATE':12} {'TARGET':12} STARTED  IMAGE")
    for name, st, target, rest in rows:
        print(f"{name:20} {st:12} {target:12} {rest}")
    return 0


def cmd_logs(a):
    record = detached.load(a.name)
    path = os.path.join(detached.vm_dir(a.name), "serial.log")
    if not os.access(runplan.RUNNER, os.X_OK):
        raise runplan.PlanError(f"{runplan.RUNNER} not found (build it: make tools)")
    # the serial filter of `anyvm run` (tools/launcher/serial_filter.c)
    sys.stdout.flush()
    shown = subprocess.Popen([runplan.RUNNER, "--serial-filter"], stdin=subprocess.PIPE)
    try:
        with open(path, "rb") as f:
            while True:
                data = f.read(65536)
                if data:
                    shown.stdin.write(data)
                    shown.stdin.flush()
                    continue
                if not a.follow or not detached.alive(record):
                    break
                time.sleep(0.2)
            shown.stdin.write(f.read())
    except BrokenPipeError:
        pass        # the reader of our stdout went away
    finally:
        try:
            shown.stdin.close()
        except BrokenPipeError:
            pass
        shown.wait()
    if not detached.alive(record):
        print(f"anyvm: {a.name}: {detached.state(record)}", file=sys.stderr)
    return 0


def cmd_stop(a):
    was = detached.stop(a.name)
    print(f"anyvm: {a.name} stopped and removed (it was {was})", file=sys.stderr)
    return 0


def run_inputs(a, target, vmm, disks):
    """The files and facts the plan was made from: when one changes, a
    cached plan is made afresh (docs/cli.md, "The native launcher and the plan cache")."""
    paths = [os.path.abspath(a.image), *runplan.tool_files()]
    if a.initrd is not None:
        paths.append(os.path.abspath(a.initrd))
    paths += [d.path for d in disks]
    found = shutil.which(vmm[0])
    if found:
        paths.append(found)
    if target.vmm != "hostsim" and a.accel == "auto":
        # accel.hardware_kvm(): which of these exist decides kvm or tcg
        paths += ["/sys/module/kvm_intel", "/sys/module/kvm_amd"]
    return paths


def plan_and_hand_over(a, app_args, mem, disks, params, key):
    """Plan the run (the checks, the VMM command, scratch files such as a
    packed initrd or a PVH copy) and replace this process by the runner,
    build/anyvm, which carries it out (runplan.py). A plan that made no
    scratch file and used no TAP device is stored in the cache when the
    native `anyvm` offered its key, for its next identical run."""
    scratch = tempfile.mkdtemp(prefix="anyvm-run-")
    try:
        pack_initrd_dir(a, scratch)
        spec = boot_spec(a, app_args, mem, disks, params)
        vmm = launch.prepare(spec, scratch)
        target = targets.get(a.target)
        notes = [f"anyvm: {f.describe()}" for f in a.publish]
        if a.gdb is not None:
            debug = symbolize.debug_elf(a.image) or a.image
            notes.append("anyvm: the VM waits for gdb: " + shlex.join(
                ["gdb", "-ex", f"target remote 127.0.0.1:{a.gdb}", debug]))
        if a.print_command:
            notes.append("anyvm: " + shlex.join(vmm))
        hostsim_vm = target.vmm == "hostsim"
        # hostsim stops itself at --timeout; allow it a moment before killing it
        kill_after = a.timeout + 10 if a.timeout and hostsim_vm else a.timeout
        settings = dict(notes=notes, timeout=a.timeout, kill_after=kill_after,
                        timeout_rc=hostsim.EXIT_TIMEOUT if hostsim_vm else None,
                        exit_device=a.exit_device,
                        symbolize=[sys.executable, os.path.join(ROOT, "tools", "anyvm"),
                                   "--symbolize-report", os.path.abspath(a.image)])
        if key is not None and a.tap is None and not os.listdir(scratch):
            try:
                path = runplan.store(key,
                                     runplan.body(vmm, inputs=run_inputs(a, target, vmm, disks),
                                                  **settings))
            except OSError as e:
                print(f"anyvm: note: the plan was not cached: {e}", file=sys.stderr)
            else:
                os.rmdir(scratch)
                runplan.hand_over(path)
        path = os.path.join(scratch, "run.plan")
        runplan.write(path, runplan.body(vmm, scratch=scratch, **settings))
        runplan.hand_over(path)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def say(text):
    print(f"anyvm: {text}", file=sys.stderr, flush=True)


def pack_image(a, fmt, out, app_args, opts):
    """One pack of an image (not a folder) into out; what was written, for
    the summary line."""
    line = cmdline_mod.compose(a.cmdline or packs.default_cmdline(fmt), app_args)
    if fmt == "efi":
        if a.initrd is not None:
            initrd.check(a.initrd)
        src = esp.pack(a.image, out, line, initrd=a.initrd)
        if a.initrd is not None:
            line = esp.with_initrd_param(line)
        return f"{out} (GPT, EFI system partition: {src} as \\EFI\\BOOT\\BOOTX64.EFI" + \
            (f", {a.initrd} as {esp.INITRD_PATH}" if a.initrd else "") + \
            f", command line {line})"
    if fmt == "iso":
        runcheck.check_image(a.image, "iso")
        if a.initrd is not None:
            initrd.check(a.initrd)
        iso.pack(a.image, out, line, initrd=a.initrd)
        return f"{out} (grub.cfg: multiboot {iso.IMAGE_PATH} {line}" \
               f"{'; module ' + iso.INITRD_PATH if a.initrd else ''})"
    if fmt == "vmware":
        # imported here: with the OVF writer it costs every start about 5 ms
        from . import vmware
        written = vmware.pack(a.image, out, line, initrd_path=a.initrd, mem=a.mem,
                              cpus=opts.cpus, progress=say,
                              firmware="efi" if a.efi else "bios")
    else:
        written = packs.pack(fmt, a.image, out, line, opts, say)
    return f"{out}: " + ", ".join(os.path.basename(p) for p in written.values()) + \
        f" (command line {line})"


ALL = ["iso", "efi", "vmware", *packs.PACKS]


def cmd_pack(a, app_args):
    if a.format == "initrd":
        if app_args or a.initrd is not None:
            raise initrd.InitrdError("anyvm pack initrd takes a folder and -o OUT only")
        initrd.pack(a.image, a.output)
        print(f"anyvm: wrote {a.output} ({os.path.getsize(a.output)} bytes, cpio newc) from "
              f"{a.image}", file=sys.stderr)
        return 0
    uses = {"mem": ("vmware", "qemu", "kubevirt", "firecracker", "all"),
            "cpus": ("vmware", "qemu", "firecracker", "all"),
            "disk": ("firecracker", "all"), "nic": ("firecracker", "all"),
            "ref": ("kubevirt", "all"), "efi": ("vmware",), "gen": ("azure",)}
    for opt, fmts in uses.items():
        if getattr(a, opt) not in (None, [], False) and a.format not in fmts:
            raise packdir.PackError(f"--{opt} is for anyvm pack "
                                    f"{', '.join(f for f in fmts if f != 'all')}")
    opts = packs.Options(initrd=a.initrd, mem=a.mem, cpus=a.cpus, disks=list(a.disk),
                         nic=a.nic, ref=a.ref, gen=1 if a.gen is None else a.gen)
    if os.path.isdir(a.image):
        if a.format == "efi":
            raise esp.EspError("anyvm pack efi takes a built image (build/NAME.elf with "
                               "build/NAME.efi beside it), not a folder")
        app = app_mod.load(a.image)
        say(f"building {app.name} from {app.dir}")
        a.image = app_mod.build(app, None, echo=subprocess.DEVNULL)
        opts.disks = [d if os.path.isabs(d) else os.path.join(app.dir, d)
                      for d in app.disks] + opts.disks
        opts.ports = list(app.ports)
        if opts.cpus is None:
            opts.cpus = app.cpus
    if opts.cpus is None:
        opts.cpus = 1
    if a.format != "all":
        print("anyvm: wrote " + pack_image(a, a.format, a.output, app_args, opts),
              file=sys.stderr)
        return 0
    return pack_all(a, app_args, opts)


def pack_all(a, app_args, opts):
    """Every target into OUTDIR/TARGET; a target that cannot be packed here
    is named with the reason and the others still made. Exit 1 if any failed."""
    packdir.check_outdir(a.output)
    os.makedirs(a.output, exist_ok=True)
    name = packdir.image_name(a.image)
    failed = []
    for fmt in ALL:
        say(f"pack {fmt} ...")
        out = packs.subdir(a.output, fmt)
        if fmt in ("iso", "efi"):
            os.makedirs(out, exist_ok=True)
            out = os.path.join(out, f"{name}.iso" if fmt == "iso" else f"{name}-efi.img")
        try:
            print("anyvm: wrote " + pack_image(a, fmt, out, app_args, opts), file=sys.stderr,
                  flush=True)
        except (runcheck.InputError, image.ImageError, cmdline_mod.CmdlineError,
                initrd.InitrdError, packdir.PackError, efi.EfiError, esp.EspError, RuntimeError,
                OSError) as e:
            print(f"anyvm: pack {fmt} failed: {e}", file=sys.stderr, flush=True)
            failed.append(fmt)
            sub = packs.subdir(a.output, fmt)
            if os.path.isdir(sub) and not os.listdir(sub):
                os.rmdir(sub)
    done = [f for f in ALL if f not in failed]
    say(f"packed {', '.join(done) or 'nothing'} into {a.output}"
        + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived (a CI cancel, `timeout`, a closed terminal).
    Raised in the main thread like KeyboardInterrupt, so the code that runs
    the VMM kills it and the scratch directory is removed on the way out."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _stop(signum, frame):
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)   # a second signal must not cut the clean-up short
    raise Stopped(signum)


def symbolize_report(image):
    """--symbolize-report IMAGE: the runner hands over the serial
    transcript on stdin after it saw a kernel exception report."""
    text = sys.stdin.buffer.read().decode("utf-8", "replace").replace("\r", "")
    for line in symbolize.report(text, image):
        print(line, file=sys.stderr)
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--symbolize-report":
        return symbolize_report(argv[1])
    own, app_args = split_app_args(argv)
    a = parser().parse_args(own)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _stop)
    try:
        if a.command == "run":
            return cmd_run(a, app_args, argv)
        if a.command == "build":
            return cmd_build(a, app_args)
        if a.command in ("ps", "logs", "stop"):
            if app_args:
                raise runcheck.InputError(f"anyvm {a.command} takes no app arguments")
            return {"ps": lambda: cmd_ps(), "logs": lambda: cmd_logs(a),
                    "stop": lambda: cmd_stop(a)}[a.command]()
        if a.command in ("targets", "version"):
            if app_args:
                raise runcheck.InputError(f"anyvm {a.command} takes no arguments")
            if a.command == "version":
                print(f"anyvm {version.describe()}")
                return 0
            return cmd_targets()
        return cmd_pack(a, app_args)
    except (launch.BootError, runcheck.InputError, image.ImageError, cmdline_mod.CmdlineError,
            app_mod.AppError, initrd.InitrdError, packdir.PackError, detached.DetachedError,
            efi.EfiError, RuntimeError, OSError) as e:
        print(f"anyvm: {e}", file=sys.stderr)
        return status.NOT_STARTED if a.command == "run" else 1
    except KeyboardInterrupt:
        print("anyvm: interrupted; the VM was stopped", file=sys.stderr)
        return 128 + signal.SIGINT
    except Stopped as e:
        name = signal.Signals(e.signum).name
        try:
            print(f"anyvm: stopped by {name}; the VM was stopped", file=sys.stderr)
        except OSError:
            pass      # SIGHUP: the terminal may be gone
        return 128 + e.signum
