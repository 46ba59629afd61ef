#!/usr/bin/env bash
# Builds the reference Linux kernel for hostsim into build/reference/:
# Debian's linux-source-6.1 (the package's tarball, never committed) with
# `make tinyconfig` and tests/reference/linux-6.1.config merged on top. The
# result is build/reference/vmlinux, an ELF with the PVH note, which
# build/hostsim boots in both of Firecracker's modes (tests/reference/boot.py).
# With `hyperv`, tests/reference/linux-6.1-hyperv.config is merged too and
# the kernel goes to build/reference-hyperv/ (tests/reference/boot_hyperv.py
# boots it on `build/hostsim hyperv`).
#   tests/reference/build_linux.sh [hyperv]   (about 4-5 minutes on 2 cores)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
variant=${1:-}
case "$variant" in
"") out="$top/build/reference" ;;
hyperv) out="$top/build/reference-hyperv" ;;
*) echo "usage: $0 [hyperv]" >&2; exit 2 ;;
esac
src="$out/linux-source-6.1"
tarball=/usr/src/linux-source-6.1.tar.xz
packages=(linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils)

"$top/scripts/apt-install.sh" "${packages[@]}"

mkdir -p "$out"
if [ ! -f "$src/Makefile" ]; then
    echo "build_linux: unpacking $tarball"
    tar -C "$out" -xf "$tarball"
fi
frags=("$top/tests/reference/linux-6.1.config")
[ -n "$variant" ] && frags+=("$top/tests/reference/linux-6.1-$variant.config")
stale=0
for f in "${frags[@]}"; do [ "$f" -nt "$src/.config" ] && stale=1; done
if [ ! -f "$src/.config" ] || [ $stale -eq 1 ]; then
    make -C "$src" -s ARCH=x86_64 tinyconfig
    "$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "${frags[@]}" >/dev/null
    make -C "$src" -s ARCH=x86_64 olddefconfig
    # Every line of the fragment must have survived olddefconfig: a symbol
    # Kconfig dropped (a missing dependency) would silently change the test.
    bad=0
    while IFS= read -r line; do
        case "$line" in
        CONFIG_*=n) sym=${line%%=*}; grep -q "^$sym=" "$src/.config" && { echo "build_linux: $sym is set" >&2; bad=1; } ;;
        CONFIG_*) grep -qx "$line" "$src/.config" || { echo "build_linux: $line did not stick" >&2; bad=1; } ;;
        esac
    done < <(cat "${frags[@]}")
    [ $bad -eq 0 ] || exit 1
fi
jobs=$(nproc)
echo "build_linux: make -j$jobs vmlinux"
time make -C "$src" -s ARCH=x86_64 -j"$jobs" vmlinux
cp "$src/vmlinux" "$out/vmlinux"
echo "build_linux: $out/vmlinux"
