"""The `anyvm` command: `anyvm build DIR` builds an app's folder into an
image; `anyvm run` boots an image on a target with the guest's serial on
stdout and exits with the guest's status; `anyvm pack iso` writes a GRUB
ISO."""

import argparse
import os
import shlex
import signal
import sys

from . import cmdline as cmdline_mod
from . import app as app_mod
from . import efi, esp, image, initrd, iso, launch, publish, runcheck, serial_filter, status, targets

USAGE_EPILOG = """\
exit status of `anyvm run`: the guest's status N (the kernel's last serial line
`anyvm: exit status N`, carried also by the VMM exit code); 127 after a kernel
panic; 124 when --timeout passed; 125 when the VM ended without a status; 126
when nothing was booted (bad input, a missing tool); 128+S when signal S
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


def parser():
    p = argparse.ArgumentParser(prog="anyvm", description="Run and pack anyvm images.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="boot an image on a target; serial on stdout",
                       usage="anyvm run [options] IMAGE [-- app args...]",
                       epilog=USAGE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--target", default=targets.DEFAULT_TARGET, choices=list(targets.TARGETS),
                   metavar="T", help=f"where to boot (default {targets.DEFAULT_TARGET})")
    r.add_argument("--accel", default="auto", choices=["auto", "kvm", "tcg"],
                   help="QEMU accelerator: auto = kvm when kvm_intel/kvm_amd is loaded, else tcg")
    r.add_argument("--mem", default=None,
                   help="guest memory (default: the image's anyvm.toml memory, else 64M)")
    r.add_argument("--cpus", type=int, default=1, help="vCPUs (default 1)")
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
    r.add_argument("--nic", choices=["none", "user"], default="none",
                   help="user: a virtio-net NIC on QEMU user networking (implied by -p)")
    r.add_argument("--initrd", default=None, metavar="FILE",
                   help="a cpio newc archive (anyvm pack initrd) the app reads as its file tree: "
                        "QEMU -initrd, hostsim --initrd, a GRUB module on the iso target")
    r.add_argument("--print-command", action="store_true",
                   help="print the VMM command on stderr before running it")
    r.add_argument("image", metavar="IMAGE")

    b = sub.add_parser("build", help="build an app's folder (C files, anyvm.toml) into an image",
                       usage="anyvm build DIR [-o OUT.elf]")
    b.add_argument("dir", metavar="DIR")
    b.add_argument("-o", "--output", default=None, metavar="OUT.elf",
                   help="the image (default: NAME.elf in the current directory; NAME.debug.elf, "
                        "with symbols, beside it)")
    b.add_argument("-j", "--jobs", type=int, default=None, help="parallel compilers")

    k = sub.add_parser("pack", help="pack an image into a boot medium, or a folder into an initrd",
                       usage="anyvm pack iso IMAGE -o OUT.iso [--cmdline ...] [--initrd FILE] "
                             "[-- app args...]\n       anyvm pack initrd DIR -o OUT.cpio"
                             "\n       anyvm pack efi IMAGE -o OUT.img [--cmdline ...] "
                             "[-- app args...]")
    k.add_argument("format", choices=["iso", "initrd", "efi"])
    k.add_argument("image", metavar="IMAGE|DIR")
    k.add_argument("-o", "--output", required=True, metavar="OUT")
    k.add_argument("--cmdline", default=targets.QEMU_CMDLINE,
                   help="kernel parameters written into grub.cfg (iso) or the image's .cmdline "
                        f'(efi) (default "{targets.QEMU_CMDLINE}")')
    k.add_argument("--initrd", default=None, metavar="FILE",
                   help="iso: an initrd GRUB loads as the first multiboot module")
    return p


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


def cmd_run(a, app_args):
    data = runcheck.check_image(a.image, targets.get(a.target).medium)
    runcheck.check_cpus(a.cpus)
    mem = a.mem if a.mem is not None else image_memory(data)
    runcheck.check_memory(mem, data, a.image)
    spec = launch.BootSpec(image=a.image, target=a.target, accel=a.accel, mem=mem,
                           cpus=a.cpus, cmdline=a.cmdline, args=app_args, timeout=a.timeout,
                           exit_device=a.exit_device, nic=a.nic, forwards=a.publish,
                           initrd=a.initrd)
    for f in a.publish:
        print(f"anyvm: {f.describe()}", file=sys.stderr, flush=True)

    def show(argv):
        print("anyvm: " + shlex.join(argv), file=sys.stderr, flush=True)

    shown = serial_filter.SerialFilter(sys.stdout.buffer)
    try:
        res, out = launch.boot(spec, echo=shown, echo_err=sys.stderr.buffer,
                               show_command=show if a.print_command else None)
    finally:
        try:
            shown.close()
        except (BrokenPipeError, ValueError, OSError):
            pass
    if res.serial and not res.serial.endswith(b"\n"):
        try:
            sys.stdout.write("\n")
            sys.stdout.flush()
        except BrokenPipeError:
            pass
    if out.message:
        print(out.message, file=sys.stderr)
    return out.exit_code


def cmd_pack(a, app_args):
    if a.format == "initrd":
        if app_args or a.initrd is not None:
            raise initrd.InitrdError("anyvm pack initrd takes a folder and -o OUT only")
        initrd.pack(a.image, a.output)
        print(f"anyvm: wrote {a.output} ({os.path.getsize(a.output)} bytes, cpio newc) from "
              f"{a.image}", file=sys.stderr)
        return 0
    if a.format == "efi":
        if a.initrd is not None:
            raise esp.EspError("anyvm pack efi: no initrd under UEFI yet")
        line = cmdline_mod.compose(a.cmdline, app_args)
        src = esp.pack(a.image, a.output, line)
        print(f"anyvm: wrote {a.output} (GPT, EFI system partition: {src} as "
              f"\\EFI\\BOOT\\BOOTX64.EFI, command line {line})", file=sys.stderr)
        return 0
    runcheck.check_image(a.image, "iso")
    line = cmdline_mod.compose(a.cmdline, app_args)
    if a.initrd is not None:
        initrd.check(a.initrd)
    iso.pack(a.image, a.output, line, initrd=a.initrd)
    print(f"anyvm: wrote {a.output} (grub.cfg: multiboot {iso.IMAGE_PATH} {line}"
          f"{'; module ' + iso.INITRD_PATH if a.initrd else ''})", file=sys.stderr)
    return 0


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


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    own, app_args = split_app_args(argv)
    a = parser().parse_args(own)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _stop)
    try:
        if a.command == "run":
            return cmd_run(a, app_args)
        if a.command == "build":
            return cmd_build(a, app_args)
        return cmd_pack(a, app_args)
    except (launch.BootError, runcheck.InputError, image.ImageError, cmdline_mod.CmdlineError,
            app_mod.AppError, initrd.InitrdError, efi.EfiError, RuntimeError, OSError) as e:
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
