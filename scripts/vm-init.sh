#!/bin/bash
# Guest /init packed by scripts/vm-run.sh: sets up the minimal system, runs /xtcp/.cmd with
# bash in /xtcp, then dumps kmemleak + dmesg between markers, prints XTCP_VM_EXIT=<rc>, reboots.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C LC_ALL=C

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /run/netns
ip link set lo up
hostname xtcp-guest
ulimit -c 0

leakf=/sys/kernel/debug/kmemleak
echo "XTCP_VM_BOOTED kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"

cd /xtcp || exit 1
bash -c "$(cat /xtcp/.cmd)" </dev/null
rc=$?
echo "XTCP_VM_PHASE command-done rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
cd /

if [[ -w $leakf ]]; then
	# kmemleak reports an object only when it is older than 5 s and stayed unreferenced
	# with an unchanged checksum across two scans: scan, top up to 5 s, scan again.
	t_end=$(cut -d' ' -f1 /proc/uptime)
	echo "XTCP_VM_PHASE kmemleak-scan uptime=$t_end"
	echo scan >"$leakf"
	wait_s=$(awk -v a="$t_end" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN {w = 5.5 - (b - a); print (w > 0 ? w : 0)}')
	sleep "$wait_s"
	echo "XTCP_VM_PHASE kmemleak-scan2 uptime=$(cut -d' ' -f1 /proc/uptime)"
	echo scan >"$leakf"
	echo "=== XTCP KMEMLEAK BEGIN ==="
	cat "$leakf"
	echo "=== XTCP KMEMLEAK END ==="
fi
echo "XTCP_VM_PHASE dmesg uptime=$(cut -d' ' -f1 /proc/uptime)"
echo "=== XTCP DMESG BEGIN ==="
dmesg
echo "=== XTCP DMESG END ==="
echo "XTCP_VM_EXIT=$rc"
sync
reboot -f
sleep 5
echo b >/proc/sysrq-trigger
