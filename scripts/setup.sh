#!/usr/bin/env bash
# Installs what anyvm needs to build, run and test, through apt-get.
# A stamp file records a finished set-up so that later runs return at once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
stamp="$top/build/.setup-done"
packages=(
    build-essential binutils make python3 gdb lz4
    python3-pytest python3-pytest-xdist python3-pytest-timeout
    qemu-system-x86 qemu-utils
    grub-pc-bin grub-common xorriso mtools fdisk dosfstools
    ovmf gdisk console-setup-linux
    libcmocka-dev clang libclang-rt-14-dev clang-format
    hyperfine iproute2 iputils-ping dpkg-dev
    curl dnsmasq-base
    wrk cpio kmod
    skopeo umoci python3-yaml python3-pyelftools
)
# Third-party sources, from Debian's source packages into build/src (never
# committed): NAME VERSION, Debian's version pinned.
sources=(
    "musl 1.2.3-1"
    "lwip 2.1.3+dfsg1-2"
)
version=$(printf '%s\n' "${packages[@]}" | md5sum | cut -c1-12)
if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "$version" ]; then
    "$top/scripts/apt-install.sh" "${packages[@]}"
    mkdir -p "$top/build"
    echo "$version" > "$stamp"
    echo "setup: packages done"
fi
for s in "${sources[@]}"; do
    read -r name debver <<< "$s"
    "$top/scripts/debian-source.sh" "$name" "$debver" "$top/build/src/$name"
done
"$top/scripts/install-cli.sh"
