#!/bin/sh
# /init of the Linux guest of the HTTP benchmark (busybox sh, pid 1):
# bench/linux_guest/build.sh packs it. It prints `linux-guest: nginx ready`
# on the console (the serial port, console=ttyS0) once nginx listens, or a
# `linux-guest: FAIL ...` line; pid 1 must never exit (the kernel panics).
fail() {
    echo "linux-guest: FAIL $*"
    while :; do sleep 3600; done
}

mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sysfs /sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "mount /dev"

# Debian's kernel has virtio and its transports as modules: loaded in the
# order build.sh took from modules.dep.
while read -r m; do
    insmod "/lib/modules/$m" || fail "insmod $m"
done </lib/modules/load-order

# A static address rather than DHCP: QEMU's user network always gives the
# first guest 10.0.2.15/24 with the gateway 10.0.2.2 (QEMU's manual,
# "Network options", -netdev user), so asking its DHCP server only adds
# round trips to the boot.
n=0
while [ ! -e /sys/class/net/eth0 ]; do
    n=$((n + 1))
    [ $n -le 200 ] || fail "no eth0 after loading virtio_net"
    sleep 0.01
done
ip link set lo up || fail "ip link set lo up"
ip addr add 10.0.2.15/24 dev eth0 || fail "ip addr add"
ip link set eth0 up || fail "ip link set eth0 up"
ip route add default via 10.0.2.2 || fail "ip route add"

# The page: the harness appends an archive holding /index.html to this
# initramfs, the same bytes it gives anyvm's httpd.
[ -f /index.html ] || fail "no /index.html: the harness appends it to the initramfs"
mv /index.html /srv/www/index.html || fail "mv index.html"
echo "linux-guest: page $(wc -c </srv/www/index.html) bytes"

# nginx forks its master into the background (daemon on) only after its
# listening socket is open, so when the command returns it accepts
# connections.
/usr/sbin/nginx -e stderr || fail "nginx did not start (exit $?)"
echo "linux-guest: nginx ready"
while :; do sleep 3600; done
