#!/usr/bin/env bash
# Builds the Linux guest that the HTTP benchmark (bench/http_bench.py) sets
# beside anyvm's httpd: Debian 12's own kernel and nginx, no compiling.
#
#   bench/linux_guest/build.sh [OUT]      (OUT: build/bench/linux-guest)
#
# OUT/vmlinuz            Debian's kernel (the package linux-image-amd64 names)
# OUT/vmlinux            the same kernel, decompressed here from vmlinuz: an
#                        ELF with the PVH entry note, which QEMU boots
#                        without running the xz decompressor in the guest
# OUT/initramfs.cpio     cpio newc, uncompressed: busybox-static, nginx with
#                        the shared libraries it needs, the virtio modules,
#                        /init (bench/linux_guest/init.sh) and nginx.conf
# OUT/packages.txt       the Debian packages and versions it was made from
#
# Everything comes from Debian's binary packages through `apt-get download`
# into a temporary folder and `dpkg-deb -x`: nothing is installed on the
# host. The page nginx serves is not in this archive: the harness appends
# a second archive holding /index.html to it at run time (the kernel
# unpacks concatenated archives in turn: Linux's
# Documentation/driver-api/early-userspace/buffer-format.rst), so that
# both guests get the same bytes from the one place. The result is
# rebuilt only when this script, init.sh or nginx.conf change (a stamp
# holds their checksum).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build/bench/linux-guest}
inputs=("$here/build.sh" "$here/init.sh" "$here/nginx.conf")
key=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$key" ] &&
    [ -f "$out/vmlinuz" ] && [ -f "$out/vmlinux" ] && [ -f "$out/initramfs.cpio" ]; then
    exit 0
fi
for tool in apt-get apt-cache dpkg-deb depmod cpio readelf python3; do
    command -v "$tool" >/dev/null || {
        echo "linux_guest: $tool is missing (make setup installs it)" >&2
        exit 1
    }
done

work=$(mktemp -d /tmp/anyvm-linux-guest-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/pkg" "$work/root"

# Debian 12's kernel: the linux-image-amd64 metapackage depends on the
# versioned package that holds vmlinuz and the modules.
kpkg=$(apt-cache depends linux-image-amd64 | awk '$1 == "Depends:" { print $2; exit }')
case "$kpkg" in
linux-image-6.1.*-amd64) ;;
*)
    echo "linux_guest: linux-image-amd64 depends on '$kpkg', not a 6.1 kernel" >&2
    exit 1
    ;;
esac
# nginx-light is, in Debian 12, a package of dependencies only: nginx (the
# server) and an echo module this configuration does not load. The server's
# shared libraries come from these packages (checked below with readelf).
libpkgs=(libc6 libcrypt1 libpcre2-8-0 libssl3 zlib1g)
pkgs=("$kpkg" nginx busybox-static "${libpkgs[@]}")
echo "linux_guest: apt-get download ${pkgs[*]}"
# The sandbox option only matters as root: apt's _apt user cannot write to
# a folder made by mktemp.
(cd "$work/debs" && apt-get -q -o APT::Sandbox::User=root download "${pkgs[@]}" >/dev/null)
: >"$work/packages.txt"
for p in "${pkgs[@]}"; do
    deb=$(ls "$work/debs/${p}_"*.deb)
    dpkg-deb -x "$deb" "$work/pkg/$p"
    dpkg-deb -f "$deb" Package Version | paste -sd' ' >>"$work/packages.txt"
done

root=$work/root
mkdir -p "$root"/{bin,sbin,etc/nginx,proc,sys,dev,run,tmp,srv/www,var/log/nginx,var/lib/nginx}
mkdir -p "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/usr/sbin" "$root/lib/modules"

# busybox-static: the shell that runs /init and the few tools it calls.
cp "$work/pkg/busybox-static/bin/busybox" "$root/bin/busybox"
for applet in sh mount mkdir mv cat wc ip insmod sleep echo; do
    ln -s busybox "$root/bin/$applet"
done

# The kernel and its virtio modules. Debian builds virtio, virtio_ring,
# virtio_mmio, virtio_pci and virtio_net as modules (its config has
# CONFIG_VIRTIO_MMIO=m, CONFIG_VIRTIO_NET=m); the package carries no
# modules.dep (its postinst runs depmod), so depmod writes one here.
kroot=$work/pkg/$kpkg
kver=$(ls "$kroot/lib/modules")
cp "$kroot/boot/vmlinuz-$kver" "$work/vmlinuz"
# vmlinux: Debian's kernel is xz-compressed (CONFIG_KERNEL_XZ=y) inside
# the bzImage; its decompressor, run by the guest, takes seconds under TCG.
# The xz stream (magic FD 37 7A 58 5A 00, the xz file format's section
# 2.1.1.1) holds the kernel's ELF image, which carries the PVH note
# (XEN_ELFNOTE_PHYS32_ENTRY, type 18, CONFIG_PVH=y): QEMU boots it as it
# boots anyvm, and Firecracker boots Linux so.
python3 - "$work/vmlinuz" "$work/vmlinux" <<'PY'
import lzma, subprocess, sys
data = open(sys.argv[1], "rb").read()
at = data.find(b"\xfd7zXZ\x00")
if at < 0:
    sys.exit("linux_guest: no xz stream in vmlinuz")
elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
if elf[:4] != b"\x7fELF":
    sys.exit("linux_guest: vmlinuz's xz stream does not hold an ELF image")
open(sys.argv[2], "wb").write(elf)
notes = subprocess.run(["readelf", "-n", sys.argv[2]], capture_output=True, text=True).stdout
if "0x00000012" not in notes:
    sys.exit("linux_guest: the kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)")
PY
depmod -b "$kroot" "$kver"
mdir=$kroot/lib/modules/$kver
# modules.dep: "path: dep dep ...", each line's list holding every module
# the first needs, the ones needed by others last (depmod(8), modules.dep(5)):
# loading the list from its end, then the module, satisfies each in turn.
load_order=()
add_module() {
    local m
    for m in "${load_order[@]}"; do [ "$m" = "$1" ] && return; done
    load_order+=("$1")
}
for want in virtio_mmio virtio_pci virtio_net; do
    line=$(grep -E "(^|/)$want\.ko(\.[a-z]+)?:" "$mdir/modules.dep") || {
        echo "linux_guest: $want is not in $kpkg's modules.dep" >&2
        exit 1
    }
    read -r -a deps <<<"${line#*:}"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do add_module "${deps[i]}"; done
    add_module "${line%%:*}"
done
: >"$root/lib/modules/load-order"
for m in "${load_order[@]}"; do
    case "$m" in
    *.ko) ;;
    *)
        echo "linux_guest: $m is compressed; this script expects plain .ko files" >&2
        exit 1
        ;;
    esac
    cp "$mdir/$m" "$root/lib/modules/"
    basename "$m" >>"$root/lib/modules/load-order"
done

# nginx and the shared libraries it needs, found by following DT_NEEDED
# (readelf -d) from the binary through the library packages: ldd would
# resolve them from the host's own libraries instead.
cp "$work/pkg/nginx/usr/sbin/nginx" "$root/usr/sbin/nginx"
libdirs=()
for p in "${libpkgs[@]}"; do
    for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu; do
        [ -d "$work/pkg/$p/$d" ] && libdirs+=("$work/pkg/$p/$d")
    done
done
find_lib() {
    local d
    for d in "${libdirs[@]}"; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
unread=("$root/usr/sbin/nginx")
while [ ${#unread[@]} -gt 0 ]; do
    elf=${unread[0]}
    unread=("${unread[@]:1}")
    for so in $(needed "$elf"); do
        [ -e "$root/lib/x86_64-linux-gnu/$so" ] && continue
        src=$(find_lib "$so") || {
            echo "linux_guest: $so (needed by $(basename "$elf")) is in none of: ${libpkgs[*]}" >&2
            exit 1
        }
        cp -L "$src" "$root/lib/x86_64-linux-gnu/$so"
        unread+=("$root/lib/x86_64-linux-gnu/$so")
    done
done
# The program interpreter nginx names (PT_INTERP), where it names it.
interp=$(readelf -l "$root/usr/sbin/nginx" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
[ "$interp" = /lib64/ld-linux-x86-64.so.2 ] || {
    echo "linux_guest: nginx asks for the interpreter '$interp'" >&2
    exit 1
}
cp -L "$work/pkg/libc6/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$root/lib/x86_64-linux-gnu/"
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"

# nginx's workers run as www-data, as on a Debian install; glibc finds the
# user in /etc/passwd without nsswitch.conf (its built-in default is "files").
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
echo 'www-data:x:33:33:www-data:/srv/www:/bin/false' >>"$root/etc/passwd"
printf 'root:x:0:\nwww-data:x:33:\n' >"$root/etc/group"
cp "$here/nginx.conf" "$root/etc/nginx/nginx.conf"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet >"$work/initramfs.cpio")

mkdir -p "$out"
rm -f "$out/.stamp"
mv "$work/vmlinuz" "$out/vmlinuz"
mv "$work/vmlinux" "$out/vmlinux"
mv "$work/initramfs.cpio" "$out/initramfs.cpio"
mv "$work/packages.txt" "$out/packages.txt"
echo "$key" >"$out/.stamp"
echo "linux_guest: $out (kernel $kver, initramfs $(stat -c %s "$out/initramfs.cpio") bytes)"
