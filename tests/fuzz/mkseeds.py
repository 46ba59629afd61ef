#!/usr/bin/env python3
"""Writes the small, valid seed inputs of the fuzz harnesses whose input is a
binary layout (tests/fuzz/seeds/{acpi,bootinfo,memmap,net_rx,netvsc_rx,hostsim_netvsp,hv_decide,
exit_policy,virtio_pci_caps,pci_scan,syscall,e1000_rx,storvsc_vstor}/). Each layout is described at the top
of its harness, tests/fuzz/fuzz_NAME.c. Run from the
repository root; the output is deterministic."""
import os
import re
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(harness, name, data):
    d = os.path.join(ROOT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


# ---- acpi: 8-byte header, then the image at guest-physical 0xE0000 ----
IMG = 0xE0000


def csum_fix(buf, start, length, at):
    buf[at] = 0
    buf[at] = (-sum(buf[start:start + length])) & 0xFF


def table(sig, body, rev=1):
    t = bytearray(36) + bytearray(body)
    t[0:4] = sig.encode()
    struct.pack_into("<I", t, 4, len(t))
    t[8] = rev
    t[10:16] = b"BOCHS "
    t[16:24] = b"BXPC    "
    struct.pack_into("<I", t, 24, 1)
    t[28:32] = b"BXPC"
    struct.pack_into("<I", t, 32, 1)
    csum_fix(t, 0, len(t), 9)
    return t


def rsdp(rev, rsdt, xsdt):
    r = bytearray(36 if rev >= 2 else 20)
    r[0:8] = b"RSD PTR "
    r[9:15] = b"BOCHS "
    r[15] = rev
    struct.pack_into("<I", r, 16, rsdt)
    if rev >= 2:
        struct.pack_into("<IQ", r, 20, 36, xsdt)
    csum_fix(r, 0, 20, 8)
    if rev >= 2:
        csum_fix(r, 0, 36, 32)
    return r


def madt():
    body = struct.pack("<II", 0xFEE00000, 1)
    body += bytes([0, 8, 0, 0]) + struct.pack("<I", 1)  # Local APIC 0
    body += bytes([0, 8, 1, 1]) + struct.pack("<I", 1)  # Local APIC 1
    body += bytes([1, 12, 0, 0]) + struct.pack("<II", 0xFEC00000, 0)  # I/O APIC
    body += bytes([2, 10, 0, 0]) + struct.pack("<IH", 2, 0)  # ISO 0 -> 2
    body += bytes([2, 10, 0, 9]) + struct.pack("<IH", 9, 0xD)  # ISO 9, level, high
    body += bytes([4, 6, 0xFF, 0, 0, 1])  # Local APIC NMI
    body += bytes([9, 16, 0, 0]) + struct.pack("<III", 2, 1, 2)  # x2APIC 2
    body += bytes([5, 12, 0, 0]) + struct.pack("<Q", 0xFEE00000)  # LAPIC address override
    return table("APIC", body, 3)


def fadt(dsdt, rev, hw_reduced=False):
    length = 276 if rev >= 5 else 116
    f = bytearray(length - 36)
    o = lambda off: off - 36  # noqa: E731 (offsets as in the spec)
    struct.pack_into("<I", f, o(40), dsdt)
    struct.pack_into("<I", f, o(48), 0 if hw_reduced else 0xB2)
    f[o(52)] = 0 if hw_reduced else 0xF1
    struct.pack_into("<I", f, o(64), 0 if hw_reduced else 0x604)
    flags = (1 << 10) | ((1 << 20) if hw_reduced else 0)
    struct.pack_into("<I", f, o(112), flags)
    if rev >= 5:
        struct.pack_into("<H", f, o(109), 2)
        f[o(116):o(128)] = bytes([1, 8, 0, 1]) + struct.pack("<Q", 0xCF9)  # reset reg
        f[o(128)] = 6
        struct.pack_into("<Q", f, o(140), dsdt)
        if not hw_reduced:
            f[o(172):o(184)] = bytes([1, 16, 0, 2]) + struct.pack("<Q", 0x604)
        else:
            f[o(244):o(256)] = bytes([0, 8, 0, 1]) + struct.pack("<Q", 0xFEA00000)
    return table("FACP", f, rev)


S5 = bytes([0x08, 0x5C, ord("_"), ord("S"), ord("5"), ord("_"), 0x12, 0x07, 0x04, 0x0A, 0x05,
            0x00, 0x00, 0x00])
S5_ONE = bytes([0x08, ord("_"), ord("S"), ord("5"), ord("_"), 0x12, 0x04, 0x01, 0x0A, 0x07])


def mcfg():
    return table("MCFG", bytes(8) + struct.pack("<QHBBI", 0xB0000000, 0, 0, 0xFF, 0), 1)


def place(img, off, blob):
    if len(img) < off + len(blob):
        img.extend(bytes(off + len(blob) - len(img)))
    img[off:off + len(blob)] = blob
    return IMG + off


def acpi_seeds():
    # q35-like: RSDP v2 at the image start (found by scan), XSDT and RSDT,
    # FADT 6 -> DSDT with \_S5_, MADT, MCFG, an SSDT.
    img = bytearray()
    layout = {"dsdt": 0x40, "facp": 0x80, "apic": 0x1A0, "mcfg": 0x220, "ssdt": 0x260}
    dsdt = place(img, layout["dsdt"], table("DSDT", S5, 1))
    facp = place(img, layout["facp"], fadt(dsdt, 6))
    apic = place(img, layout["apic"], madt())
    mc = place(img, layout["mcfg"], mcfg())
    ssdt = place(img, layout["ssdt"], table("SSDT", bytes([0x08, ord("X"), ord("Y"), ord("Z"), ord("_"), 0x01]), 1))
    entries = [facp, apic, mc, ssdt]
    xsdt_off, rsdt_off = 0x290, 0x2E0
    xsdt = place(img, xsdt_off, table("XSDT", b"".join(struct.pack("<Q", e) for e in entries), 1))
    rsdt = place(img, rsdt_off, table("RSDT", b"".join(struct.pack("<I", e) for e in entries), 1))
    place(img, 0, rsdp(2, rsdt, xsdt))
    write("acpi", "q35_xsdt", struct.pack("<BBHI", 0, 0, 0, 0) + img)
    # The same memory through the boot loader's hint.
    write("acpi", "q35_hint", struct.pack("<BBHI", 1, 0, 0, 0) + img)

    # ACPI 1.0: RSDP v0 in the EBDA (segment word at 0x40E), RSDT, FADT 1
    # (116 bytes) -> DSDT without \_S5_, the package in an SSDT instead.
    img = bytearray()
    dsdt = place(img, 0x40, table("DSDT", bytes([0x10, 0x05, ord("_"), ord("S"), ord("B"), ord("_")]), 1))
    facp = place(img, 0x80, fadt(dsdt, 1))
    ssdt = place(img, 0x100, table("SSDT", S5_ONE, 1))
    apic = place(img, 0x140, madt())
    rsdt = place(img, 0x1C0, table("RSDT", struct.pack("<III", facp, ssdt, apic), 1))
    place(img, 0x10, rsdp(0, rsdt, 0))
    write("acpi", "acpi1_ebda", struct.pack("<BBHI", 0, 0, IMG >> 4, 0) + img)

    # microvm: hardware-reduced FADT (sleep control register), the real QEMU
    # microvm DSDT from the aml_scan seeds, XSDT only.
    aml_path = os.path.join(ROOT, "aml_scan", "qemu_microvm_dsdt.aml")
    img = bytearray()
    with open(aml_path, "rb") as f:
        dsdt = place(img, 0x40, table("DSDT", f.read(), 2))
    dl = len(img)
    facp = place(img, (dl + 15) & ~15, fadt(dsdt, 6, hw_reduced=True))
    apic = place(img, (len(img) + 15) & ~15, madt())
    xsdt = place(img, (len(img) + 15) & ~15, table("XSDT", struct.pack("<QQ", facp, apic), 1))
    place(img, 0, rsdp(2, 0, xsdt))
    write("acpi", "microvm_hw_reduced", struct.pack("<BBHI", 1, 0, 0, 0) + img)


# ---- bootinfo: proto byte, u16 structure address, then low memory from 0 ----
def mem_put(mem, off, blob):
    if len(mem) < off + len(blob):
        mem.extend(bytes(off + len(blob) - len(mem)))
    mem[off:off + len(blob)] = blob


def bootinfo_seeds():
    at = 0x10
    # multiboot (QEMU -kernel): mem, cmdline, mods, mmap, loader name "qemu"
    mem = bytearray()
    mbi = bytearray(68)
    struct.pack_into("<I", mbi, 0, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9))
    struct.pack_into("<II", mbi, 4, 639, 130048)
    cmd = b"/boot/hello.elf console=ttyS0 -- a b\0"
    loader = b"qemu\0"
    mods_at, mmap_at, cmd_at, loader_at = 0x60, 0x80, 0xF0, 0x120
    struct.pack_into("<I", mbi, 16, cmd_at)
    struct.pack_into("<II", mbi, 20, 1, mods_at)
    mmap = b""
    for base, length, typ in [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
                              (0x100000, 0x7EE0000, 1), (0xFFFC0000, 0x40000, 2)]:
        mmap += struct.pack("<IQQI", 20, base, length, typ)
    struct.pack_into("<II", mbi, 44, len(mmap), mmap_at)
    struct.pack_into("<I", mbi, 64, loader_at)
    mem_put(mem, at, mbi)
    mem_put(mem, mods_at, struct.pack("<IIII", 0x140, 0x180, 0, 0))
    mem_put(mem, mmap_at, mmap)
    mem_put(mem, cmd_at, cmd)
    mem_put(mem, loader_at, loader)
    mem_put(mem, 0x140, b"initrd" * 10 + b"\0\0\0\0")
    write("bootinfo", "multiboot_qemu", struct.pack("<BH", 0, at) + mem)

    # the same with GRUB's framebuffer table (flags bit 12, fields at 88-115):
    # 1024x768, 32 bpp XRGB at 0xFD000000; the longer structure moves to 0x200,
    # past the initrd
    fb_at = 0x200
    mbi = bytearray(mem[at:at + 68]) + bytearray(116 - 68)
    struct.pack_into("<I", mbi, 0, struct.unpack_from("<I", mbi, 0)[0] | (1 << 12))
    struct.pack_into("<QIIIBB6B", mbi, 88, 0xFD000000, 4096, 1024, 768, 32, 1, 16, 8, 8, 8, 0, 8)
    fb_mem = bytearray(mem)
    mem_put(fb_mem, fb_at, mbi)
    write("bootinfo", "multiboot_grub_framebuffer", struct.pack("<BH", 0, fb_at) + fb_mem)

    # PVH start_info version 1 (Firecracker 1.12, QEMU)
    mem = bytearray()
    si = bytearray(56)
    cmd = b"console=ttyS0 reboot=k panic=1 virtio_mmio.device=4K@0xd0000000:5\0"
    cmd_at, mods_at, map_at = 0x48, 0x90, 0xB0
    struct.pack_into("<IIIIQQQQII", si, 0, 0x336EC578, 1, 0, 1, mods_at, cmd_at, 0xE0000,
                     map_at, 3, 0)
    mem_put(mem, at, si)
    mem_put(mem, cmd_at, cmd)
    mem_put(mem, mods_at, struct.pack("<QQQQ", 0x120, 0x20, 0, 0))
    emap = b""
    for base, length, typ in [(0, 0x9FC00, 1), (0x100000, 0x7F00000, 1), (0xEEE00000, 0x100000, 2)]:
        emap += struct.pack("<QQII", base, length, typ, 0)
    mem_put(mem, map_at, emap)
    mem_put(mem, 0x120, b"\x1f\x8b" + bytes(30))
    write("bootinfo", "pvh_v1", struct.pack("<BH", 1, at) + mem)

    # Linux zero page (Firecracker before 1.12): boot_flag, HdrS, e820, cmdline
    # right after the page, cmdline_size, initrd.
    zp = bytearray(4096)
    struct.pack_into("<Q", zp, 0x070, 0)
    struct.pack_into("<H", zp, 0x1FE, 0xAA55)
    struct.pack_into("<I", zp, 0x202, 0x53726448)
    e820 = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0x100000, 0x7F00000, 1)]
    zp[0x1E8] = len(e820)
    for i, (base, length, typ) in enumerate(e820):
        struct.pack_into("<QQI", zp, 0x2D0 + 20 * i, base, length, typ)
    cmd = b"console=ttyS0 reboot=k panic=1 pci=off"
    cmd_at = at + 4096
    struct.pack_into("<I", zp, 0x228, cmd_at)
    struct.pack_into("<I", zp, 0x238, len(cmd))  # no NUL: cmdline_size says where it ends
    struct.pack_into("<II", zp, 0x218, cmd_at + 64, 32)
    mem = bytearray()
    mem_put(mem, at, zp)
    mem_put(mem, cmd_at, cmd)
    mem_put(mem, cmd_at + 64, bytes(32))
    write("bootinfo", "linux_zero_page", struct.pack("<BH", 2, at) + mem)

    # with a VESA linear framebuffer in screen_info (orig_video_isVGA 0x23)
    zp[0x0F] = 0x23
    struct.pack_into("<HHHI", zp, 0x12, 1280, 800, 32, 0xC0000000)
    struct.pack_into("<H6B", zp, 0x24, 5120, 8, 16, 8, 8, 8, 0)
    mem_put(mem, at, zp)
    write("bootinfo", "linux_vesa_framebuffer", struct.pack("<BH", 2, at) + mem)


# ---- memmap: counts byte, max_out byte, entries, excludes (see harness) ----
def enc(v):
    """(shift, u32) with v == u32 << shift, or the low bits kept for shift 0."""
    for s in range(32, -1, -1):
        if v % (1 << s) == 0 and (v >> s) < (1 << 32):
            return s, v >> s
    raise ValueError(v)


def memmap_seeds():
    def build(entries, excludes, max_out):
        out = bytes([len(entries), len(excludes), max_out])
        for base, length, typ in entries:
            bs, b = enc(base)
            ls, lv = enc(length)
            out += struct.pack("<BBBII", typ, bs, ls, b, lv)
        for base, end in excludes:
            bs, b = enc(base)
            es, e = enc(end)
            out += struct.pack("<BBII", bs, es, b, e)
        return out

    e820 = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2), (0x100000, 0x7EE0000, 1),
            (0x7FE0000, 0x20000, 2), (0xFEFFC000, 0x4000, 2), (0xFFFC0000, 0x40000, 2),
            (0x100000000, 0x80000000, 1)]
    write("memmap", "qemu_e820", build(e820, [(0, 0x100000), (0x100000, 0x180000)], 32))
    messy = [(0x1000, 0x5000, 1), (0x3000, 0x1800, 1), (0x2800, 0x100, 3), (0x8000, 0, 1),
             (0xFFFFFFFF00000000, 0xFFFFFFFF00000000, 1), (0x10000, 0x10000, 7),
             (0x12345, 0x20000, 1), (0x4000, 0x1000, 1)]
    write("memmap", "overlaps_and_wrap", build(messy, [(0x18000, 0x16000), (0x30000, 0x31000)], 3))


# ---- net_rx: see tests/fuzz/fuzz_net_rx.c ----
MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
PEER = bytes([0x02, 0x00, 0x00, 0x00, 0x00, 0x01])
IP = bytes([10, 0, 0, 2])
PEER_IP = bytes([10, 0, 0, 1])


def inet_csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7, 0x4000, 64, proto, 0,
                              PEER_IP, IP))
    struct.pack_into("!H", h, 10, inet_csum(bytes(h)))
    return MAC + PEER + b"\x08\x00" + h + payload


def net_seeds():
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"abcdefgh" * 4)
    struct.pack_into("!H", icmp, 2, inet_csum(bytes(icmp)))
    echo = ipv4(1, bytes(icmp))
    udp = bytearray(struct.pack("!HHHH", 40000, 7, 8 + 5, 0) + b"hello")
    ph = PEER_IP + IP + struct.pack("!BBH", 0, 17, len(udp))
    struct.pack_into("!H", udp, 6, inet_csum(ph + bytes(udp)))
    udpf = ipv4(17, bytes(udp))
    arp = b"\xff" * 6 + PEER + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER + \
        PEER_IP + bytes(6) + IP + bytes(18)

    def hdr(flags=0, start=0, off=0, nbuf=1):
        return struct.pack("<BBHHHHH", flags, 0, 0, 0, start, off, nbuf)

    # Layout: config byte (bit 0 mergeable, bit 1 udp_echo, bit 2 tx offload,
    # bits 3-7 pick the sizes), a second one (bit 0: legacy 10-byte header),
    # then records [u16 length][bytes] each one receive buffer, ending when
    # the input does.
    def rec(b):
        return struct.pack("<H", len(b)) + b

    # Single buffers: an ICMP echo, an ARP request, a UDP echo with the
    # checksum left to complete (NEEDS_CSUM at the UDP field).
    u_partial = bytearray(udpf)
    pseudo = inet_csum(PEER_IP + IP + struct.pack("!BBH", 0, 17, len(udp)))
    struct.pack_into("!H", u_partial, 14 + 20 + 6, ~pseudo & 0xFFFF)
    write("net_rx", "single", bytes([0x02, 0]) + rec(hdr() + echo) + rec(hdr() + arp) +
          rec(hdr(1, 34, 6) + bytes(u_partial)))
    # Mergeable: one echo split over three buffers, then a DATA_VALID frame.
    h = hdr(0, 0, 0, 3)
    write("net_rx", "merged", bytes([0x07, 0]) + rec(h + echo[:20]) + rec(echo[20:50]) +
          rec(echo[50:]) + rec(hdr(2) + udpf))
    # A legacy device without MRG_RXBUF: 10-byte headers (no num_buffers).
    write("net_rx", "legacy", bytes([0x02, 1]) + rec(hdr()[:10] + echo) + rec(hdr()[:10] + arp) +
          rec(hdr(1, 34, 6)[:10] + bytes(u_partial)))


# ---- virtio_pci_caps and pci_scan: see their harnesses ----

def virtio_caps_space():
    """A virtio-net-pci's configuration space with its capabilities in the
    order QEMU 7.2 lists them: MSI-X, common, ISR, device, notify, PCI
    configuration access; the structures in BAR 4."""
    sp = bytearray(256)
    struct.pack_into("<HHHH", sp, 0, 0x1AF4, 0x1041, 0x0006, 0x0010)  # status: cap list
    sp[0x08:0x0C] = bytes([1, 0, 0, 2])                                # class 02.00.00
    sp[0x34] = 0x98
    sp[0x98:0x9C] = bytes([0x11, 0x88, 0x02, 0x00])                    # MSI-X, 3 entries
    struct.pack_into("<I", sp, 0x9C, 0x00000001)                       # table in BAR 1

    def vcap(at, nxt, typ, bar, off, length, cap_len=16):
        struct.pack_into("<BBBBB3xII", sp, at, 0x09, nxt, cap_len, typ, bar, off, length)

    vcap(0x88, 0x78, 1, 4, 0x0000, 0x1000)
    vcap(0x78, 0x68, 3, 4, 0x1000, 0x1000)
    vcap(0x68, 0x54, 4, 4, 0x2000, 0x1000)
    vcap(0x54, 0x40, 2, 4, 0x3000, 0x1000, 20)
    struct.pack_into("<I", sp, 0x54 + 16, 4)                           # notify_off_multiplier
    vcap(0x40, 0x00, 5, 0, 0, 0, 20)
    return sp


def virtio_pci_caps_seeds():
    # bar_bad, then six BARs: flags, log2(size) + 1, base >> 12.
    bars = bytearray()
    for i in range(6):
        if i == 1:
            bars += struct.pack("<BBI", 0, 13, 0xFEBD1000 >> 12)
        elif i == 4:
            bars += struct.pack("<BBI", 0, 15, 0xFE000000 >> 12)
        else:
            bars += struct.pack("<BBI", 0, 0, 0)
    write("virtio_pci_caps", "qemu", bytes([0]) + bars + bytes(virtio_caps_space()))


def pci_function(bus, dev, fn, image, masks=(0,) * 6):
    return bytes([bus, dev << 3 | fn]) + struct.pack("<6I", *masks) + bytes(image[:128])


def pci_header(vendor, device, class24, header=0, pin=0, line=0):
    h = bytearray(128)
    struct.pack_into("<HH", h, 0, vendor, device)
    struct.pack_into("<I", h, 8, class24 << 8)
    h[0x0E] = header
    h[0x3C], h[0x3D] = line, pin
    return h


def pci_scan_seeds():
    # Overrides: ISA IRQ 11 -> GSI 11 level, active high (QEMU's MADT).
    ov = bytes([1]) + struct.pack("<BHH", 11, 11, 0x000D) + bytes(1) + bytes(12)
    host = pci_header(0x8086, 0x29C0, 0x060000)
    port = pci_header(0x1B36, 0x000C, 0x060400, header=1, pin=1, line=11)
    port[0x18:0x1B] = bytes([0, 1, 1])                 # configured: bus 1
    net = pci_header(0x1AF4, 0x1041, 0x020000, pin=1, line=11)
    net[0:256] = virtio_caps_space()[:128]
    net[0x3C], net[0x3D] = 11, 1
    struct.pack_into("<I", net, 0x14, 0xFE840000)      # BAR1 mem32
    struct.pack_into("<II", net, 0x20, 0xFE00000C, 0)  # BAR4 mem64 prefetchable
    nic = pci_header(0x8086, 0x100E, 0x020000, pin=1, line=10)
    struct.pack_into("<II", nic, 0x10, 0xFEA40000, 0xC001)  # mem32, I/O
    recs = (pci_function(0, 0, 0, host) +
            pci_function(0, 2, 0, port) +
            pci_function(1, 0, 0, net, (0, 0xFFFFF000, 0, 0, 0xFFFFC000, 0xFFFFFFFF)) +
            pci_function(0, 3, 0, nic, (0xFFFE0000, 0xFFFFFFC0, 0, 0, 0, 0)))
    write("pci_scan", "q35-like", ov + recs)
    # Two bridges the firmware left unnumbered, the first hiding a bridge
    # that was numbered 0x23-0xce: the second must not get a bus inside the
    # first one's final range.
    b0 = pci_header(0x1B36, 0x0001, 0x060400, header=0x81)
    b1 = pci_header(0x1B36, 0x0001, 0x060400, header=1)
    inner = pci_header(0x1B36, 0x0001, 0x060400, header=1)
    inner[0x18:0x1B] = bytes([1, 0x23, 0xCE])
    dev = pci_header(0x1AF4, 0x1042, 0x010000)
    write("pci_scan", "unnumbered-bridges", bytes(19) + pci_function(0, 0, 0, b0) +
          pci_function(0, 0, 1, b1) + pci_function(1, 0, 0, inner) + pci_function(2, 0, 0, dev) +
          pci_function(0x23, 0, 0, dev))


# ---- hv_decide: flags byte, then 4 leaves (base + 0, 1, 3, 0x10) per base ----
def hv_decide_seeds():
    def leaves(table):
        out = bytearray(16 * 4 * 16)
        for (slot, k), regs in table.items():
            struct.pack_into("<IIII", out, (slot * 4 + k) * 16, *regs)
        return bytes(out).rstrip(b"\0")

    def sig(s):
        return struct.unpack("<III", s)
    kvm = (0x40000001, *sig(b"KVMKVMKVM\0\0\0"))
    hv = (0x40000005, *sig(b"Microsoft Hv"))
    write("hv_decide", "tcg", bytes([0x03]) + leaves({(0, 0): (0x40000001, *sig(b"TCGTCGTCGTCG"))}))
    write("hv_decide", "kvm", bytes([0x02]) + leaves({(0, 0): kvm, (0, 1): (0x01007efb, 0, 0, 0)}))
    write("hv_decide", "kvm_hyperv", bytes([0x02]) + leaves({
        (0, 0): hv, (0, 1): (0x31237648, 0, 0, 0), (0, 2): (0x276, 0x30, 0, 0),
        (1, 0): (0x40000101, *sig(b"KVMKVMKVM\0\0\0")), (1, 1): (0x01007efb, 0, 0, 0)}))
    write("hv_decide", "vmware", bytes([0x03]) + leaves({
        (0, 0): (0x40000010, *sig(b"VMwareVMware")), (0, 3): (2600000, 66000, 0, 0)}))


# ---- exit_policy: which byte, then a port value, a command line or low memory ----
def exit_policy_seeds():
    write("exit_policy", "port", b"\x00" + b"0xf4")
    write("exit_policy", "cmdline", b"\x01" + b"console=ttyS0 anyvm.exit_port=0xf4 -- a b\0")
    mpf = bytearray(b"_MP_" + struct.pack("<I", 0x9FC10) + bytes([1, 4, 0, 0, 0, 0, 0, 0]))
    mpf[10] = (-sum(mpf)) & 0xFF
    mpc = bytearray(b"PCMP" + struct.pack("<H", 44) + bytes([4, 0]) + b"FC      " +
                    b"000000000000" + bytes(16))
    mpc[7] = (-sum(mpc)) & 0xFF
    write("exit_policy", "firecracker_mptable", b"\x02" + bytes(mpf) + bytes(mpc))


# ---- syscall: programs of calls, each a table index then its operands drawn
# as tests/fuzz/fuzz_syscall.c draws them; the indices are read from its table,
# so the seeds follow it when calls are added ----
def syscall_index():
    src = open(os.path.join(os.path.dirname(ROOT), "fuzz_syscall.c")).read()
    table = src[src.index("static const struct call calls[] = {"):]
    table = table[:table.index("\n};")]
    return re.findall(r"\{LINUX_NR_(\w+),", table)


def syscall_seeds():
    names = syscall_index()

    def call(name, nth=0):
        return [i for i, n in enumerate(names) if n == name][nth]

    fd = lambda n: [3, n]                              # descriptor(): n
    hint = lambda i: [1, i]                            # the hint at index i
    arena = lambda off: [3, off >> 8, off & 0xFF]      # a pointer into the arena
    epfd = lambda i: [1, i]                            # the i-th epoll set made
    poke = lambda off, v: [0xF0, off >> 8, off & 0xFF] + list(struct.pack(">Q", v))

    # epoll: a set over the console (EPOLLIN|EPOLLOUT at arena+16), a wait,
    # an edge-triggered second registration, a set nested in another, a wait
    # on the outer one, the inner one closed, a wait again.
    prog = poke(16, 5)
    prog += [call("epoll_create1")] + hint(0)
    prog += [call("epoll_ctl")] + epfd(0) + hint(0) + fd(1) + arena(16)
    prog += [call("epoll_wait")] + epfd(0) + arena(64) + hint(2) + hint(0)
    prog += [call("epoll_ctl", 1)] + epfd(0) + hint(0) + [0, 3, 0] + arena(32) + [3] + [0] * 8
    prog += [call("epoll_wait")] + epfd(0) + arena(64) + hint(2) + hint(0)
    prog += [call("epoll_create")] + hint(0)
    prog += [call("epoll_ctl", 1)] + epfd(1) + hint(0) + epfd(0) + arena(48) + [0] + [7] * 8
    prog += [call("epoll_pwait")] + epfd(1) + arena(64) + hint(2) + hint(3) + arena(96) + hint(0)
    prog += [call("close")] + fd(3)
    prog += [call("epoll_wait")] + epfd(1) + arena(64) + hint(2) + hint(0)
    write("syscall", "epoll", prog)

    # poll over two console entries, select over the three, ppoll with a mask.
    prog = [call("poll")] + [1, 2] + arena(32) + fd(0) + [0, 1, 0, 0] + fd(1) + [0, 4, 0, 0]
    prog += hint(0)
    prog += poke(256, 3) + poke(384, 6)  # reads 0 and 1, writes 1 and 2
    prog += [call("select")] + hint(3) + arena(256) + arena(384) + arena(512) + arena(640)
    prog += [call("ppoll")] + [1, 1] + arena(32) + fd(2) + [0, 5, 0, 0] + arena(700) + arena(720)
    prog += hint(0)
    write("syscall", "poll_select", prog)


# ---- vmbus_ring: operations (fuzz_vmbus_ring.c); numbers most significant
# byte first ----
def vmbus_ring_seeds():
    pkt = struct.pack("<HHHHQ", 6, 2, 3, 0, 7) + b"payload!"  # inband, 24 bytes
    put = [0, 0, 0, len(pkt) + 8] + list(pkt) + [0] * 8  # op 0 at data offset 0
    windex = [1, 0, 0, 0, len(pkt) + 8, 0]  # op 1: inbound write_index
    read = [2, 0x01, 0x00]  # op 2 with a 256-byte buffer
    send = [3, 0, 16]  # op 3: 17 bytes out
    write("vmbus_ring", "one_packet", put + windex + read + send + read)
    xfer = struct.pack("<HHHHQ", 9, 4, 4, 1, 9) + struct.pack("<II", 0, 1) + b"range..."
    put = [0, 0, 0, len(xfer) + 8] + list(xfer) + [0] * 8
    write("vmbus_ring", "gpa_direct", put + [1, 0, 0, 0, len(xfer) + 8, 0] + read)


# ---- vmbus_msg: the shutdown IC's OFFERCHANNEL and a VERSION_RESPONSE ----
def vmbus_msg_seeds():
    offer = bytearray(196)
    offer[0] = 1
    offer[8:24] = bytes.fromhex("31600b0e13523449818b38d90ced39db")
    struct.pack_into("<I", offer, 8 + 176, 3)
    struct.pack_into("<I", offer, 8 + 184, 0x2003)
    write("vmbus_msg", "offer", offer)
    write("vmbus_msg", "version_response", struct.pack("<IIBBHI", 15, 0, 1, 0, 0, 0x2001))
    write("vmbus_msg", "gpadl_created", struct.pack("<IIIII", 10, 0, 3, 0xE1E10, 0))


# ---- hyperv_ic: a NEGOTIATE request, a timesync v4 request, a KVP
# ENUMERATE ----
def hyperv_ic_seeds():
    body = struct.pack("<HHI", 2, 4, 0) + struct.pack("<8H", 1, 0, 3, 0, 1, 0, 3, 0)
    body += struct.pack("<4H", 3, 1, 3, 2)
    hdr = struct.pack("<HHHHHHIBBH", 1, 0, 0, 1, 0, len(body), 0, 7, 3, 0)
    write("hyperv_ic", "negotiate", struct.pack("<II", 1, 20 + len(body)) + hdr + body)
    body = struct.pack("<QQBBB5x", 0x01DA3C457689C000, 0, 1, 0, 0)
    hdr = struct.pack("<HHHHHHIBBH", 3, 0, 4, 4, 0, len(body), 0, 8, 3, 0)
    write("hyperv_ic", "timesync", struct.pack("<II", 1, 20 + len(body)) + hdr + body)
    body = struct.pack("<BBHI", 3, 2, 0, 0) + bytes(2572)  # ENUMERATE, AUTO pool, index 0
    hdr = struct.pack("<HHHHHHIBBH", 3, 0, 2, 4, 0, len(body), 0, 9, 3, 0)
    write("hyperv_ic", "kvp_enumerate", struct.pack("<II", 1, 20 + len(body)) + hdr + body)


# ---- netvsc_rx: what a Hyper-V host sends netvsc (tests/fuzz/fuzz_netvsc_rx.c):
# a transfer-page packet of two ranges, a received frame with a checksum
# PPI, a query answer, a receive-buffer completion ----
def netvsc_rx_seeds():
    nvsp = struct.pack("<IIII", 107, 0, 0xFFFFFFFF, 0) + bytes(24)
    xfer = struct.pack("<HBBI", 0xCAFE, 0, 0, 2) + struct.pack("<IIII", 1574, 0, 60, 1806)
    desc = struct.pack("<HHHHQ", 7, (16 + len(xfer)) // 8, (16 + len(xfer) + len(nvsp)) // 8, 1,
                       5)
    write("netvsc_rx", "transfer_two_ranges", bytes([0]) + desc + xfer + nvsp)
    frame = bytes([2, 0, 0, 0, 0, 1, 2, 0x99, 0x99, 0x99, 0x99, 0x99, 8, 6]) + bytes(46)
    rndis = struct.pack("<IIIIIIIIIII", 1, 60 + len(frame), 52, len(frame), 0, 0, 0, 36, 16, 0, 0)
    ppi = struct.pack("<IIII", 16, 0, 12, 0x38)
    write("netvsc_rx", "packet_with_checksum_ppi", bytes([1]) + rndis + ppi + frame)
    query = struct.pack("<IIIIII", 0x80000004, 30, 7, 0, 6, 16) + bytes([0, 0x15, 0x5d, 0, 0, 1])
    write("netvsc_rx", "query_answer_mac", bytes([2]) + query)
    write("netvsc_rx", "indicate_connect", bytes([2]) + struct.pack("<IIIII", 7, 20, 0x4001000B,
                                                                    0, 0))
    recvbuf = struct.pack("<IIIIIII", 102, 1, 1, 0, 1806, 36, 1806 * 36) + bytes(12)
    write("netvsc_rx", "recv_buf_complete", bytes([3, 1]) + recvbuf)


# ---- hostsim_netvsp: steps a guest takes (tests/fuzz/fuzz_hostsim_netvsp.c):
# a frame with a checksum PPI from a send section, a QUERY, a frame from the
# TAP and its completion ----
def hostsim_netvsp_seeds():
    def rndis_step(msg, section, channel, tid):
        assert len(msg) % 2 == 0 and len(msg) < 240
        return bytes([1, len(msg) // 2]) + msg + bytes([section, channel, 0, tid])
    frame = bytes([0x02, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00, 0x15, 0x5d, 0, 0, 1, 0x88, 0xB5])
    frame += bytes(46)
    pkt = struct.pack("<11I", 1, 120, 52, 60, 0, 0, 0, 36, 16, 0, 0)
    pkt += struct.pack("<4I", 16, 0, 12, 0) + frame
    query = struct.pack("<7I", 4, 28, 9, 0x01010101, 0, 20, 0)
    tap = bytes([3, 1]) + struct.pack(">H", 60) + bytes([0x38, 0x00])
    write("hostsim_netvsp", "frame_query_deliver",
          rndis_step(pkt, 2, 0, 9) + rndis_step(query, 3, 1, 10) + tap + bytes([2, 16]))


# ---- scsi: which parser (byte % 8: 0 sense, 1 INQUIRY, 2 VPD (page = last
# byte), 3 REPORT LUNS, 4/5 READ CAPACITY(10)/(16), 6 MODE SENSE(6), 7 the
# READ/WRITE builder), then the device's reply (tests/fuzz/fuzz_scsi.c) ----
def scsi_seeds():
    write("scsi", "sense_fixed_data_protect",
          bytes([0]) + bytes([0x70, 0, 0x07, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x27, 0, 0, 0, 0, 0]))
    write("scsi", "sense_descriptor_info",
          bytes([0]) + bytes([0x72, 0x03, 0x11, 0, 0, 0, 0, 12, 0, 0x0A, 0x80, 0]) +
          struct.pack(">Q", 0x1234))
    inquiry = bytearray(36)
    inquiry[2], inquiry[3], inquiry[4] = 6, 2, 31
    inquiry[8:36] = b"VMware  Virtual disk    2.0 "
    write("scsi", "inquiry", bytes([1]) + inquiry)
    write("scsi", "vpd_serial", bytes([2]) + bytes([0, 0x80, 0, 5]) + b"abc 0" + bytes([0x80]))
    write("scsi", "report_luns", bytes([3]) + struct.pack(">II", 16, 0) + bytes(8) +
          bytes([0x40, 0x05]) + bytes(6))
    write("scsi", "read_capacity10", bytes([4]) + struct.pack(">II", 8191, 512))
    write("scsi", "read_capacity16", bytes([5]) + struct.pack(">QI", (1 << 40) - 1, 4096) +
          bytes(20))
    write("scsi", "mode_sense_wp", bytes([6, 3, 0, 0x80, 0]))
    write("scsi", "rw_boundary", bytes([7]) + struct.pack(">IIIBB", 0, 0xFFFFFFFF, 2, 0, 1))


def e1000_seeds():
    # Receive (first byte even: 8 descriptors): the device completes
    # descriptors 0-2 with good frames, the driver takes them, then the
    # device writes one with length 0 and the driver finds the ring broken.
    write_desc = lambda i, length, status, errors=0: \
        [1, i] + list(struct.pack(">H", length)) + [errors, status]
    prog = [0]
    for i, length in enumerate((60, 1514, 342)):
        prog += write_desc(i, length, 0x03)
    prog += [0]
    prog += write_desc(3, 60, 0x03, errors=0x01) + write_desc(4, 12, 0x03) + [0]
    prog += write_desc(5, 0, 0x03) + [0]
    write("e1000_rx", "rx_frames_then_zero_length", prog)
    # Transmit (first byte odd): frames queued, the device marks the first
    # two done, the driver reaps; one with a checksum request; reap again.
    put = lambda length, csum=False, start=34, offset=6: \
        [8 if csum else 0] + list(struct.pack(">H", length)) + [start, offset]
    done = lambda i: [1, i] + list(struct.pack(">I", 1))
    prog = [1] + put(60) + put(1514) + done(0) + done(1) + [2]
    prog += put(342, csum=True) + done(2) + done(3) + [2]
    write("e1000_rx", "tx_put_and_reap", prog)


# ---- storvsc_vstor: mode byte, asked (u32 BE), then the completion ----
def storvsc_seeds():
    def completion(srb_status, scsi_status, sense_len, moved, sense=b""):
        p = struct.pack("<III", 1, 0, 0) + struct.pack("<HBBBBBBBBBBI", 0x34, srb_status,
                                                       scsi_status, 0, 0, 0, 0, 10, sense_len,
                                                       1, 0, moved)
        return p + sense.ljust(20, b"\0") + bytes(16)
    write("storvsc_vstor", "read_ok", b"\x01" + struct.pack(">I", 4096) +
          completion(0x01, 0, 0x14, 4096))
    fixed = bytes([0x70, 0, 7, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x27, 0, 0, 0, 0, 0])
    write("storvsc_vstor", "write_protected", b"\x01" + struct.pack(">I", 512) +
          completion(0x84, 2, 0x14, 0, fixed))
    props = struct.pack("<III", 1, 0, 0) + struct.pack("<IHHIIQ", 0, 0, 0, 0, 0x40000, 0)
    write("storvsc_vstor", "properties", b"\x01" + bytes(4) + props.ljust(64, b"\0"))


if __name__ == "__main__":
    storvsc_seeds()
    hyperv_ic_seeds()
    netvsc_rx_seeds()
    hostsim_netvsp_seeds()
    vmbus_ring_seeds()
    vmbus_msg_seeds()
    acpi_seeds()
    bootinfo_seeds()
    memmap_seeds()
    net_seeds()
    hv_decide_seeds()
    exit_policy_seeds()
    virtio_pci_caps_seeds()
    pci_scan_seeds()
    syscall_seeds()
    scsi_seeds()
    e1000_seeds()
