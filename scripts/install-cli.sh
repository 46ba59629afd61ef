#!/usr/bin/env bash
# Puts `anyvm` on PATH: a symbolic link BINDIR/anyvm (default /usr/local/bin)
# to this checkout's build/anyvm, the native launcher (tools/launcher/; it
# runs a cached `anyvm run` plan itself and hands everything else to
# tools/anyvm beside it), built here first when missing.
#   scripts/install-cli.sh [BINDIR]
# A link to another checkout that still exists is left alone (that one stays
# the `anyvm` on PATH, and this says so); a missing or dangling one, or this
# checkout's older link to tools/anyvm, is (re)made. A file that is not a
# link is never replaced.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bindir=${1:-/usr/local/bin}
link="$bindir/anyvm"
want="$top/build/anyvm"
if ! [ -x "$want" ] && ! make -C "$top" --no-print-directory -s build/anyvm >&2; then
    echo "install-cli: cannot build build/anyvm; linking tools/anyvm instead"
    want="$top/tools/anyvm"
fi
if [ -L "$link" ]; then
    have=$(readlink "$link")
    if [ "$have" = "$want" ]; then
        exit 0
    fi
    if [ -e "$link" ] && [ "$have" != "$top/tools/anyvm" ] && [ "$have" != "$top/build/anyvm" ]; then
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
