#!/usr/bin/env bash
# Fetches one Debian source package and unpacks it, without changing the
# system's apt configuration:
#   scripts/debian-source.sh NAME VERSION DEST
# unpacks NAME at exactly VERSION (Debian's, e.g. 1.2.3-1) into DEST. A
# deb-src entry is derived from each deb entry the system already has
# (deb822 files in sources.list.d, or one-line sources.list entries), in a
# private apt directory next to DEST; apt-get source downloads, dpkg-source
# (dpkg-dev) unpacks and applies Debian's patches. Nothing happens when DEST
# already holds that version.
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: $0 NAME VERSION DEST" >&2
    exit 2
fi
name=$1 version=$2 dest=$3
stamp="$dest/.anyvm-debian-source"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$name $version" ]; then
    exit 0
fi
work="$dest.apt"
rm -rf "$dest" "$work"
mkdir -p "$work/sources" "$work/lists/partial" "$work/archives/partial" "$work/get"

# deb-src twins of the system's own entries: no host name is written here.
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
    sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$f" > "$work/sources/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -nE 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' "$f" > "$work/sources/$(basename "$f").list"
done
if [ -z "$(cat "$work"/sources/* 2>/dev/null)" ]; then
    echo "debian-source: no deb entry in /etc/apt to derive a deb-src entry from" >&2
    exit 1
fi
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
          -o "APT::Sandbox::User=root")
echo "debian-source: fetching $name $version"
apt-get "${apt_opts[@]}" -qq update
(cd "$work/get" && apt-get "${apt_opts[@]}" -qq source --download-only "$name=$version")
dsc=$(cd "$work/get" && ls *.dsc)
# apt-get checked the files against the archive's signed index; dpkg-source
# checks them against the .dsc (its own signature check needs debian-keyring,
# which is not installed: it warns, in the log).
if ! (cd "$work/get" && dpkg-source -x "$dsc" unpacked) > "$work/dpkg-source.log" 2>&1; then
    cat "$work/dpkg-source.log" >&2
    exit 1
fi
mkdir -p "$(dirname "$dest")"
mv "$work/get/unpacked" "$dest"
rm -rf "$work"
echo "$name $version" > "$stamp"
echo "debian-source: $name $version unpacked in $dest"
