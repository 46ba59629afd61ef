#!/usr/bin/env bash
# Installs, through apt-get, those of the Debian packages named on the
# command line that are not installed yet; does nothing when all are.
#   scripts/apt-install.sh PACKAGE...
# Installing needs root: run as another user with something missing, it
# names what is missing and exits 1.
set -euo pipefail
if [ $# -eq 0 ]; then
    echo "usage: $0 PACKAGE..." >&2
    exit 2
fi
missing=()
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "apt-install: missing Debian packages: ${missing[*]}; run this as root," \
        "or install them: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "apt-install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
