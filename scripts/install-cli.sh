#!/usr/bin/env bash
# Puts `anyvm` on PATH: a symbolic link BINDIR/anyvm (default /usr/local/bin)
# to this checkout's tools/anyvm, which finds its library through the link.
#   scripts/install-cli.sh [BINDIR]
# A link to another checkout that still exists is left alone (that one stays
# the `anyvm` on PATH, and this says so); a missing or dangling one is
# (re)made. A file that is not a link is never replaced.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bindir=${1:-/usr/local/bin}
link="$bindir/anyvm"
want="$top/tools/anyvm"
if [ -L "$link" ]; then
    have=$(readlink "$link")
    if [ "$have" = "$want" ]; then
        exit 0
    fi
    if [ -e "$link" ]; then
        echo "install-cli: $link runs $have (another checkout); left as it is" \
            "(ln -sfn $want $link to use this one)"
        exit 0
    fi
elif [ -e "$link" ]; then
    echo "install-cli: $link exists and is not a link; left as it is (tools/anyvm runs" \
        "this checkout's)"
    exit 0
fi
if ! [ -d "$bindir" ] || ! [ -w "$bindir" ]; then
    echo "install-cli: cannot write $bindir; run tools/anyvm, or as root: ln -sfn $want $link"
    exit 0
fi
ln -sfn "$want" "$link"
echo "install-cli: $link -> $want"
