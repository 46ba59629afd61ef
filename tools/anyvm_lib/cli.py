"""The `anyvm` command: `anyvm run` boots an image on a target with the
guest's serial on stdout and exits with the guest's status; `anyvm pack iso`
writes a GRUB ISO."""

import argparse
import shlex
import sys

from . import cmdline as cmdline_mod
from . import iso, launch, status, targets

USAGE_EPILOG = """\
exit status of `anyvm run`: the guest's status N (the kernel's last serial line
`anyvm: exit status N`, carried also by the VMM exit code); 127 after a kernel
panic; 124 when --timeout passed; 125 when the VM ended without a status.
targets:
""" + "\n".join(f"  {t.name:18} {t.about}" for t in targets.TARGETS.values())


def split_app_args(argv):
    """Everything after the first `--` belongs to the app."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


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
    r.add_argument("--mem", default="64M", help="guest memory (default 64M)")
    r.add_argument("--cpus", type=int, default=1, help="vCPUs (default 1)")
    r.add_argument("--cmdline", default=None,
                   help='kernel parameters, "k=v ..." (default: what the target\'s VMM passes)')
    r.add_argument("--timeout", type=float, default=None, help="kill the VM after SECONDS")
    r.add_argument("--no-exit-device", dest="exit_device", action="store_false",
                   help="leave out isa-debug-exit (hostsim: --exit-port) and the kernel's "
                        "anyvm.exit_port, as on a VMM that carries no status: the status then "
                        "comes from the serial line")
    r.add_argument("--print-command", action="store_true",
                   help="print the VMM command on stderr before running it")
    r.add_argument("image", metavar="IMAGE")

    k = sub.add_parser("pack", help="pack an image into a boot medium",
                       usage="anyvm pack iso IMAGE -o OUT.iso [--cmdline ...] [-- app args...]")
    k.add_argument("format", choices=["iso"])
    k.add_argument("image", metavar="IMAGE")
    k.add_argument("-o", "--output", required=True, metavar="OUT.iso")
    k.add_argument("--cmdline", default=targets.QEMU_CMDLINE,
                   help=f'kernel parameters written into grub.cfg (default "{targets.QEMU_CMDLINE}")')
    return p


def cmd_run(a, app_args):
    spec = launch.BootSpec(image=a.image, target=a.target, accel=a.accel, mem=a.mem,
                           cpus=a.cpus, cmdline=a.cmdline, args=app_args, timeout=a.timeout,
                           exit_device=a.exit_device)

    def show(argv):
        print("anyvm: " + shlex.join(argv), file=sys.stderr, flush=True)

    res, out = launch.boot(spec, echo=sys.stdout.buffer, echo_err=sys.stderr.buffer,
                           show_command=show if a.print_command else None)
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
    line = cmdline_mod.compose(a.cmdline, app_args)
    iso.pack(a.image, a.output, line)
    print(f"anyvm: wrote {a.output} (grub.cfg: multiboot {iso.IMAGE_PATH} {line})", file=sys.stderr)
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    own, app_args = split_app_args(argv)
    a = parser().parse_args(own)
    try:
        if a.command == "run":
            return cmd_run(a, app_args)
        return cmd_pack(a, app_args)
    except (launch.BootError, cmdline_mod.CmdlineError, RuntimeError, OSError) as e:
        print(f"anyvm: {e}", file=sys.stderr)
        return status.NO_STATUS if a.command == "run" else 1
    except KeyboardInterrupt:
        print("anyvm: interrupted; the VM was stopped", file=sys.stderr)
        return 130
