#!/usr/bin/env bash
# Installs what anyvm needs to build, run and test, through apt-get.
# A stamp file records a finished set-up so that later runs return at once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
stamp="$top/build/.setup-done"
packages=(
    build-essential binutils make python3
    python3-pytest python3-pytest-xdist python3-pytest-timeout
    qemu-system-x86 qemu-utils
    grub-pc-bin grub-common xorriso mtools
    libcmocka-dev clang libclang-rt-14-dev clang-format
    hyperfine iproute2 iputils-ping dpkg-dev
)
version=$(printf '%s\n' "${packages[@]}" | md5sum | cut -c1-12)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
    exit 0
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages: ${missing[*]}; run as root or install them" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
mkdir -p "$top/build"
echo "$version" > "$stamp"
echo "setup: done"
