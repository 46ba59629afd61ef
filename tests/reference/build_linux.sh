#!/usr/bin/env bash
# Builds the reference Linux kernel for hostsim into build/reference/:
# Debian's linux-source-6.1 (the package's tarball, never committed) with
# `make tinyconfig` and tests/reference/linux-6.1.config merged on top. The
# result is build/reference/vmlinux, an ELF with the PVH note, which
# build/hostsim boots in both of Firecracker's modes (tests/reference/boot.py).
#   tests/reference/build_linux.sh        (about 4-5 minutes on 2 cores)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/reference"
src="$out/linux-source-6.1"
tarball=/usr/src/linux-source-6.1.tar.xz
packages=(linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils)

"$top/scripts/apt-install.sh" "${packages[@]}"

mkdir -p "$out"
if [ ! -f "$src/Makefile" ]; then
    echo "build_linux: unpacking $tarball"
    tar -C "$out" -xf "$tarball"
fi
frag="$top/tests/reference/linux-6.1.config"
if [ ! -f "$src/.config" ] || [ "$frag" -nt "$src/.config" ]; then
    make -C "$src" -s ARCH=x86_64 tinyconfig
    "$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$frag" >/dev/null
    make -C "$src" -s ARCH=x86_64 olddefconfig
    # Every line of the fragment must have survived olddefconfig: a symbol
    # Kconfig dropped (a missing dependency) would silently change the test.
    bad=0
    while IFS= read -r line; do
        case "$line" in
        CONFIG_*=n) sym=${line%%=*}; grep -q "^$sym=" "$src/.config" && { echo "build_linux: $sym is set" >&2; bad=1; } ;;
        CONFIG_*) grep -qx "$line" "$src/.config" || { echo "build_linux: $line did not stick" >&2; bad=1; } ;;
        esac
    done < "$frag"
    [ $bad -eq 0 ] || exit 1
fi
jobs=$(nproc)
echo "build_linux: make -j$jobs vmlinux"
time make -C "$src" -s ARCH=x86_64 -j"$jobs" vmlinux
cp "$src/vmlinux" "$out/vmlinux"
echo "build_linux: $out/vmlinux"
