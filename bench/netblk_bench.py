"""virtio-net and virtio-blk figures for `make bench`:
ping round trip, ping flood rate, and virtio-blk sequential write and read
MB/s, on QEMU microvm (virtio-mmio), QEMU q35 (virtio-pci behind PCIe root
ports) and hostsim's Firecracker layout; then the same over the emulated
NICs (e1000 on pc, e1000e on q35) and in VMware's layout (vmxnet3, PVSCSI
disks), with their ratios against virtio on q35. Imported by bench/bench.py.

For each VMM one VM runs build/devinfo.elf with
  blkbench rw MIB  (RUNS times)  then  ping 10.0.0.2 COUNT SECONDS:
the guest times a sequential write and read of MIB MiB on its writable disk
(apps/devinfo/blkbench.c) and prints `devinfo: blkbench blk0 write N MiB in
T ms: X MB/s`, then answers ARP and ICMP echo as 10.0.0.2 while the bench,
from a network namespace of its own holding the VM's TAP at 10.0.0.1/24,
runs `ping -c 50 -i 0.01` (round trip) and `ping -f -c 2000` (flood rate).

The device setups, the namespace and the VMM process are those of
tools/anyvm_lib (devices, netns, vm.Live), which the device tests use too.
The namespace and the temp directory are removed even when something fails.
Without root or /dev/net/tun the network figures are reported as not
measured and the block figures are taken from a VM without a NIC. Traffic
goes only to the address inside the namespace created here.
"""

import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from anyvm_lib import accel as accel_lib, devices, hostsim, netns, vm  # noqa: E402

KERNEL = os.path.join(ROOT, "build", "devinfo.elf")

PING_RTT_COUNT = 50          # ping -c 50 -i 0.01
PING_WARMUP = 3              # answered first (ARP, caches), not part of a figure
FLOOD_COUNT = 2000           # ping -f -c 2000
RO_BYTES = 1024 * 1024

# Per VMM: which device setup (anyvm_lib.devices.SETUPS), how many MiB
# blkbench moves, how often, and how long the guest and the bench wait.
TARGETS = [
    dict(name="microvm", label="QEMU microvm {accel} (virtio-mmio)", setup="microvm",
         mib=32, runs=5, mem="128M", boot_timeout=60, flood=FLOOD_COUNT),
    dict(name="q35", label="QEMU q35 {accel} (virtio-pci)", setup="q35",
         mib=32, runs=5, mem="128M", boot_timeout=60, flood=FLOOD_COUNT),
    # The emulated NICs (and, in VMware's layout, PVSCSI) beside virtio on
    # q35: the ratios below are against the q35 figures.
    dict(name="e1000", label="QEMU pc {accel} (e1000 NIC, virtio-pci disks)", setup="pc-e1000",
         mib=32, runs=5, mem="128M", boot_timeout=60, flood=FLOOD_COUNT, nic="e1000"),
    dict(name="e1000e", label="QEMU q35 {accel} (e1000e NIC, virtio-pci disks)",
         setup="q35-e1000e", mib=32, runs=5, mem="128M", boot_timeout=60, flood=FLOOD_COUNT,
         nic="e1000e"),
    dict(name="vmware", label="QEMU q35 {accel} (VMware layout: vmxnet3 NIC, PVSCSI disks)",
         setup="vmware-q35", mib=32, runs=5, mem="128M", boot_timeout=60, flood=FLOOD_COUNT,
         nic="vmxnet3", disk="pvscsi"),
    # The PVM emulator here runs the guest at 1-2 M instructions a second:
    # a small disk size, fewer runs.
    dict(name="hostsim", label="hostsim firecracker on {kvm} (virtio-mmio, Firecracker layout)",
         setup="hostsim", mib=2, runs=3, mem="64M", boot_timeout=120, flood=FLOOD_COUNT),
    # Hyper-V's synthetic devices on hostsim's Hyper-V host, against the
    # Firecracker layout on the same hostsim (ratios below).
    dict(name="hostsim-hyperv", label="hostsim hyperv on {kvm} (netvsc NIC, storvsc disks)",
         setup="hostsim-hyperv", mib=2, runs=3, mem="64M", boot_timeout=120, flood=FLOOD_COUNT,
         base="hostsim", nic="netvsc", disk="storvsc"),
]

BLK_LINE = re.compile(r"^devinfo: blkbench (\S+) (write|read) (\d+) MiB in ([\d.]+) ms: "
                      r"([\d.]+) MB/s$", re.M)
BLK_INFO = re.compile(r"^devinfo: blkbench \S+: \d+ requests of .*$", re.M)
RTT = re.compile(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")
SENT = re.compile(r"(\d+) packets transmitted, (\d+) received.*?, time (\d+)ms")


def rel(path):
    return os.path.relpath(path, os.getcwd())


def say(line):
    print(line)
    sys.stdout.flush()


def show(label, value, *commands):
    say(f"{label}: {value}")
    for c in commands:
        say(f"    {c}")


def net_possible():
    """None when TAP devices and namespaces can be used, else why not."""
    why = netns.unavailable()
    if why is None and shutil.which("ping") is None:
        why = "no ping(8)"
    return why


def run(cmd, timeout):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def vmm_command(t, acc, kernel, work, rw, ro, app_args, nic):
    """The VMM command of target t, built by anyvm_lib like the tests'."""
    disks = [devices.Disk(rw, serial="anyvm-rw"), devices.Disk(ro, readonly=True,
                                                                serial="anyvm-ro")]
    argv = devices.argv(t["setup"], kernel, app_args, work, disks=disks, nic=nic, mem=t["mem"],
                        accel=acc, timeout=t["boot_timeout"] + 60)
    if devices.SETUPS[t["setup"]].vmm == "hostsim":
        argv[0] = rel(argv[0])
    return argv


def brief(r):
    """A failed command's output on one line."""
    return (r.stdout + r.stderr).strip().replace("\n", " | ")[-300:] or f"exit code {r.returncode}"


def ping_figures(t, label, ns, vm_note):
    """Round trip and flood rate, pinged from the namespace."""
    warm = ns.cmd("ping", "-n", "-q", "-c", str(PING_WARMUP), "-i", "0.01", "-W", "2",
                  netns.GUEST_IP)
    run(warm, timeout=30)
    rtt_cmd = ns.cmd("ping", "-n", "-q", "-c", str(PING_RTT_COUNT), "-i", "0.01", "-W", "2",
                     netns.GUEST_IP)
    r = run(rtt_cmd, timeout=60)
    m, s = RTT.search(r.stdout), SENT.search(r.stdout)
    if m and s:
        show(f"ping round trip, {label}",
             f"min/avg/max {m.group(1)}/{m.group(2)}/{m.group(3)} ms (mdev {m.group(4)} ms; "
             f"{s.group(2)} of {s.group(1)} answered)",
             "$ " + shlex.join(rtt_cmd), vm_note)
    else:
        show(f"ping round trip, {label}", "not measured: " + brief(r),
             "$ " + shlex.join(rtt_cmd))
    flood_cmd = ns.cmd("ping", "-n", "-q", "-f", "-c", str(t["flood"]), "-W", "2",
                       netns.GUEST_IP)
    r = run(flood_cmd, timeout=120)
    m, s = RTT.search(r.stdout), SENT.search(r.stdout)
    if s:
        sent, got, ms = int(s.group(1)), int(s.group(2)), int(s.group(3))
        rate = got * 1000.0 / ms if ms else 0.0
        t["figures"]["flood"] = rate
        show(f"ping flood rate, {label}",
             f"{rate:.0f} packets/s ({got} of {sent} answered, "
             f"{100.0 * (sent - got) / sent:.1f}% loss, in {ms} ms"
             + (f"; rtt avg {m.group(2)} ms" if m else "") + ")",
             "$ " + shlex.join(flood_cmd), vm_note)
    else:
        show(f"ping flood rate, {label}", "not measured: " + brief(r),
             "$ " + shlex.join(flood_cmd))


def blk_figures(t, label, text, vm_cmd):
    disk = t.get("disk", "virtio-blk")
    fails = [ln for ln in text.splitlines() if ln.startswith("devinfo: FAIL blkbench")]
    if fails:
        show(f"{disk} sequential write/read, {label}",
             "not measured: THE GUEST'S CHECK FAILED: " + " | ".join(fails)[:500], vm_cmd)
        return
    rows = BLK_LINE.findall(text)
    passes = len(re.findall(r"^devinfo: PASS blkbench ", text, re.M))
    if not rows:
        tail = [ln for ln in text.splitlines() if ln.strip()][-3:]   # the VMM's complaint
        show(f"{disk} sequential write/read, {label}",
             "not measured: no `devinfo: blkbench` lines"
             + (": " + " | ".join(tail) if tail else ""), vm_cmd)
        return
    info = BLK_INFO.search(text)
    for op in ("write", "read"):
        mbs = [float(r[4]) for r in rows if r[1] == op]
        ms = [float(r[3]) for r in rows if r[1] == op]
        if not mbs:
            continue
        mib = rows[0][2]
        runs = f"{len(mbs)} run" + ("s" if len(mbs) > 1 else "")
        value = (f"median {statistics.median(mbs):.1f} MB/s ({runs}"
                 + (f"; min {min(mbs):.1f}, max {max(mbs):.1f}" if len(mbs) > 1 else "")
                 + f"; {mib} MiB in median {statistics.median(ms):.1f} ms"
                 + (", flush included" if op == "write" else "")
                 + f"; data checked in {passes} of {len(mbs)} runs)")
        t["figures"][op] = statistics.median(mbs)
        show(f"{disk} sequential {op}, {label}", value,
             vm_cmd + f"  # lines `devinfo: blkbench {rows[0][0]} {op} ...`")
    if info:
        say(f"    ({info.group(0)[len('devinfo: '):]})")


def run_with_net(t, label, acc, kernel, work, rw, ro, blk_args, ns_name):
    """One VM in a namespace of its own: the ping figures, then (vm, rc, vm_cmd).
    netns.NamespaceError when the namespace cannot be set up."""
    pings = PING_WARMUP + PING_RTT_COUNT + t["flood"]
    app_args = blk_args + ["ping", netns.GUEST_IP, str(pings), str(t["boot_timeout"])]
    with netns.Namespace(ns_name) as ns:
        argv = ns.cmd(*vmm_command(t, acc, kernel, work, rw, ro, app_args,
                                   devices.Nic(netns.TAP, netns.MAC)))
        vm_cmd = "$ " + shlex.join(argv)
        say(f"netblk figures, {label}: one VM, namespace {ns_name} with {netns.TAP} at "
            f"{netns.HOST_IP}/{netns.PREFIX}, guest {netns.GUEST_IP}; disks {t['mib'] + 1} MiB "
            f"sparse (rw) and 1 MiB (ro) in {os.path.dirname(rw)}")
        with vm.Live(argv) as v:    # killed before the namespace goes
            ready = v.wait_line(r"devinfo: ping: answering as|devinfo: FAIL ping|"
                                r"anyvm: exit status|anyvm: panic", t["boot_timeout"])
            if ready is None or "answering" not in ready:
                show(f"ping round trip and flood rate, {label}",
                     "not measured: the guest never started answering ("
                     + (ready or "no line within %d s" % t["boot_timeout"]) + ")", vm_cmd)
            else:
                ping_figures(t, label, ns, "# against the VM: " + vm_cmd)
            rc = v.wait(15)   # the guest ends once every echo was answered
    return v, rc, vm_cmd


def run_without_net(t, label, acc, kernel, work, rw, ro, blk_args, why):
    """One VM without a NIC: only the block figures. (vm, rc, vm_cmd)."""
    say(f"ping round trip and flood rate, {label}: not measured: {why}")
    argv = vmm_command(t, acc, kernel, work, rw, ro, blk_args, None)
    with vm.Live(argv) as v:
        rc = v.wait(t["boot_timeout"] + 60)
    return v, rc, "$ " + shlex.join(argv)


def bench_target(t, kernel, acc, net_why):
    kvm = "hardware KVM" if accel_lib.hardware_kvm() else "the PVM emulator"
    label = t["label"].format(accel=acc, kvm=kvm)
    if devices.SETUPS[t["setup"]].vmm == "hostsim" and not os.access(hostsim.HOSTSIM, os.X_OK):
        say(f"netblk figures, {label}: not measured: {rel(hostsim.HOSTSIM)} missing "
            "(make hostsim)")
        return
    work = tempfile.mkdtemp(prefix=f"anyvm-bench-{t['name']}-")
    ns_name = f"anyvm-bench-{os.getpid()}-{t['name']}"[:30]
    start = time.monotonic()
    try:
        rw, ro = os.path.join(work, "rw.img"), os.path.join(work, "ro.img")
        with open(rw, "wb") as f:                 # sparse: blkbench writes it all
            f.truncate((t["mib"] + 1) * 1024 * 1024)
        ro_data = bytes(range(256)) * (RO_BYTES // 256)
        with open(ro, "wb") as f:
            f.write(ro_data)
        blk_args = ["blkbench", "rw", str(t["mib"])] * t["runs"]
        args = (t, label, acc, rel(kernel), work, rw, ro, blk_args)
        if net_why is None:
            try:
                v, rc, vm_cmd = run_with_net(*args, ns_name)
            except netns.NamespaceError as e:    # the namespace or the TAP could not be made
                v, rc, vm_cmd = run_without_net(*args, f"network namespace: {e}")
        else:
            v, rc, vm_cmd = run_without_net(*args, net_why)
        text = v.text
        blk_figures(t, label, text, vm_cmd)
        if "anyvm: exit status 0" not in text:
            last = next((ln for ln in reversed(v.lines)
                         if "exit status" in ln or "panic" in ln or "FAIL" in ln), "no exit line")
            say(f"    note: the VM did not end cleanly (VMM exit code {rc}; {last})")
        with open(ro, "rb") as f:
            if f.read() != ro_data:
                say(f"    note: THE READ-ONLY DISK CHANGED ({label})")
        say(f"    ({label}: {time.monotonic() - start:.1f} s in all)")
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        say(f"netblk figures, {label}: not measured: {e}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ratios(targets):
    """Each other NIC's flood rate and disk controller's MB/s against virtio
    on the same VMM: q35 for QEMU's, hostsim firecracker for hostsim hyperv's."""
    for t in targets:
        if "nic" not in t:
            continue
        where = t.get("base", "q35")
        base = next(b for b in targets if b["name"] == where).get("figures", {})
        f, nic = t.get("figures", {}), t["nic"]
        if f.get("flood") and base.get("flood"):
            show(f"ping flood rate, {nic} / virtio-net ({where})",
                 f"{f['flood'] / base['flood']:.2f} ({f['flood']:.0f} / {base['flood']:.0f} "
                 "packets/s)")
        if t.get("disk"):
            for op in ("write", "read"):
                if f.get(op) and base.get(op):
                    show(f"sequential {op}, {t['disk']} / virtio-blk ({where})",
                         f"{f[op] / base[op]:.2f} ({f[op]:.1f} / {base[op]:.1f} MB/s)")


def bench_netblk(acc):
    """All the virtio figures, and the emulated NICs and PVSCSI beside them;
    prints them, returns nothing."""
    if not os.path.exists(KERNEL):
        say(f"netblk figures: not measured: {rel(KERNEL)} missing (make apps)")
        return
    net_why = net_possible()
    for t in TARGETS:
        t["figures"] = {}
        bench_target(t, KERNEL, acc, net_why)
    ratios(TARGETS)
