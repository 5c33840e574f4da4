#!/bin/sh
# /init of the test guest (busybox sh): mounts what the tests need, runs /vm/command from the
# project copy, prints its exit status between markers the host reads on the serial console, and
# resets the machine (qemu runs with -no-reboot, so a reset ends it: no ACPI needed to power off).
# The console is a tty: FORCE_COLOR=0 keeps jest's output plain text.
export PATH=/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp LANG=C.UTF-8 TERM=dumb CI=true FORCE_COLOR=0
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/shm /dev/pts /proc /sys /tmp /run
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t devpts devpts /dev/pts
# configfs is built in on the gpio-sim kernel; on Debian's kernels it is a module, absent here.
mount -t configfs configfs /sys/kernel/config 2>/dev/null
ip link set lo up
# As on the development machines: tests open thousands of fds and reserve buffers past 2^32
# bytes that they never touch, which the guest's few GB refuse under the heuristic overcommit.
ulimit -n 20000
echo 1 >/proc/sys/vm/overcommit_memory
hostname vm
[ -f /vm/env ] && . /vm/env
cd /project
echo "@@LINUX_EPOLL_VM_BEGIN@@ kernel $(uname -r), $(nproc) cpu(s)"
sh /vm/command
echo "@@LINUX_EPOLL_VM_EXIT $?@@"
sync
reboot -f
