#!/usr/bin/env bash
# Builds the C library applications link: musl, from Debian's source package
# (scripts/debian-source.sh), for anyvm's one-address-space kernel:
#   scripts/build-musl.sh SRC OUT
# leaves OUT/lib/libc.a and OUT/include. Flags, and why:
#   clang -mno-implicit-float   no SSE register unless the C code computes
#                     in floating point: printf("%d"), memcpy, malloc never
#                     touch one, so an app that does not use floating point
#                     runs where SSE cannot (the PVM emulator of the test
#                     machines); GCC has no such option
#   -mno-red-zone     interrupts arrive on the stack the code runs on (one
#                     privilege level), so nothing may live below %rsp
#   -iquote libc/port our syscall_arch.h before musl's: a system call is a
#                     function call into sys/, not the syscall instruction;
#                     our syscall.h around musl's internal one: the
#                     functions that name a file refer to the kernel's
#                     file layer (libc/port/syscall_arch.h says why)
# The handful of musl's assembly files that still hold a syscall instruction
# (thread area, clone, vfork, cancellation, signal return) are replaced by
# sys/musl_arch.c at link time. Nothing happens when OUT is up to date.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 SRC OUT" >&2
    exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
src=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
flags="-Os -mno-implicit-float -mno-red-zone -fno-stack-protector -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables"
version="$(cat "$src/.anyvm-debian-source") | $flags | $(md5sum "$top"/libc/port/*.h "$0" | md5sum)"
stamp="$out/.anyvm-build"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$out/lib/libc.a" ]; then
    exit 0
fi
rm -rf "$out/obj" "$out/lib" "$out/include"
mkdir -p "$out/obj"
echo "build-musl: configuring ($(cat "$src/.anyvm-debian-source"))"
(cd "$out/obj" && CC=clang AR=ar RANLIB=ranlib CFLAGS="$flags" CPPFLAGS="-iquote $top/libc/port" \
    "$src/configure" --prefix="$out" --disable-shared > configure.log 2>&1) || {
    cat "$out/obj/configure.log" >&2
    exit 1
}
echo "build-musl: compiling (about 30 s on 2 cores)"
if ! make -C "$out/obj" -j"$(nproc)" AR=ar RANLIB=ranlib lib/libc.a > "$out/obj/make.log" 2>&1; then
    tail -30 "$out/obj/make.log" >&2
    exit 1
fi
make -C "$out/obj" install-headers > /dev/null
mkdir -p "$out/lib"
cp "$out/obj/lib/libc.a" "$out/lib/libc.a"
# No object may have kept the syscall instruction but the ones sys/ replaces.
left=$(objdump -d "$out/lib/libc.a" | awk '/^[0-9a-f]+ <.*>:$/ {fn = $2} /\tsyscall *$/ {print fn}' | sort -u | tr '\n' ' ')
want="<__clone>: <__restore_rt>: <__set_thread_area>: <__syscall_cp_asm>: <__unmapself>: <vfork>: "
if [ "$left" != "$want" ]; then
    echo "build-musl: syscall instructions outside the replaced functions: $left" >&2
    exit 1
fi
# The file layer is pulled in by the functions that name a file, never by
# the start code every image has (libc/port/syscall_arch.h).
marked=$(nm -A "$out/lib/libc.a" 2> /dev/null |
    awk '$NF == "__anyvm_files" && $(NF-1) == "U" {split($1, p, ":"); print p[2]}' | sort -u |
    tr '\n' ' ')
for o in open.lo openat.lo fopen.lo __fopen_rb_ca.lo fstatat.lo readdir.lo access.lo readlink.lo \
        getcwd.lo chdir.lo; do
    case " $marked " in *" $o "*) ;; *)
        echo "build-musl: $o does not refer to __anyvm_files (the file layer)" >&2; exit 1 ;;
    esac
done
case " $marked " in *" __libc_start_main.lo "*)
    echo "build-musl: the start code refers to __anyvm_files: every image would link the file layer" >&2
    exit 1 ;;
esac
echo "$version" > "$stamp"
echo "build-musl: $out/lib/libc.a"
