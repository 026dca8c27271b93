#!/bin/bash
# Boots a QEMU (TCG) guest on the stock or debug kernel with an initramfs holding the host's
# bash/iproute2/kmod/coreutils, the XTCP module and test binaries, runs one command in /xtcp,
# and exits with its status -- or non-zero on a kernel splat, a missing exit marker or timeout.
#
# Usage: scripts/vm-run.sh --kernel stock|debug [--timeout SEC] [--log FILE]
#                          [--summary FILE] [--mem SIZE] -- COMMAND...
#   COMMAND   one argument: a shell string run with `bash -c`; several: a command + args.
#   --log     full serial log (default build/logs/<kernel>-<timestamp>.log)
#   --summary write key=value lines (guest_rc, splat, timeout, totals) for scripts/check.sh
# Guest layout: /xtcp/xtcp.ko (+ xtcp_kunit.ko), /xtcp/selftests/ (build/<k>/selftests-bin),
# /xtcp/tools/ (build/<k>/tools-bin). Env: XTCP_VM_EXTRA_BINS="prog ..." adds host programs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

kernel='' timeout_s=${XTCP_VM_TIMEOUT:-600} log='' summary='' mem=''
while (($#)); do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--summary) summary=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "vm-run: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[[ $kernel == stock || $kernel == debug ]] || { echo "vm-run: --kernel stock|debug required" >&2; exit 2; }
(($#)) || { echo "vm-run: no command given (use -- COMMAND...)" >&2; exit 2; }
if (($# == 1)); then cmd=$1; else cmd=$(printf '%q ' "$@"); fi

kimage=$(xtcp_kimage "$kernel")
[[ -r $kimage ]] || { echo "vm-run: kernel image $kimage missing (make debug-kernel?)" >&2; exit 2; }
krel=$(xtcp_krelease "$kernel")
[[ -n $mem ]] || { [[ $kernel == debug ]] && mem=3G || mem=2G; }

kb=$XTCP_BUILD/$kernel
ird=$XTCP_BUILD/initramfs
mkdir -p "$ird" "$XTCP_BUILD/logs"
[[ -n $log ]] || log=$XTCP_BUILD/logs/$kernel-$(date +%Y%m%d-%H%M%S).log
: >"$log"

# ---------------------------------------------------------------- static initramfs part ---
gnu_bins="bash timeout dd seq sha256sum md5sum cksum head tail cat sort uniq od stat date sleep
	mktemp wc tr cut env printf tee nproc ls cp mv rm mkdir rmdir ln chmod basename dirname
	realpath readlink truncate base64 du id tac paste expr fold yes true false touch sync
	cmp diff grep sed awk find xargs ps pgrep pkill kill dmesg nsenter unshare flock setsid
	taskset ip tc ss nstat socat iperf3 strace ethtool tcpdump"
sbin_bins="kmod"
kmod_links="insmod rmmod modprobe lsmod modinfo depmod"
stock_mods="veth tun sch_netem sch_tbf sch_red sch_fq_codel sch_prio sch_htb sch_ingress ifb
	cls_u32 cls_basic cls_matchall act_pedit act_csum act_gact act_mirred dccp dccp_ipv4
	inet_diag tcp_diag"

resolve() { type -P "$1" 2>/dev/null || true; }

base_key() {
	{
		cat "$0" "$here/lib.sh"
		echo "$kernel $krel ${XTCP_VM_EXTRA_BINS:-}"
		for b in $gnu_bins $sbin_bins busybox ${XTCP_VM_EXTRA_BINS:-}; do
			p=$(resolve "$b")
			[[ -n $p ]] && stat -L -c '%n %s %Y' "$p"
		done
		[[ $kernel == debug ]] && xtcp_debug_dir
		true
	} | sha256sum | cut -c1-12
}

copy_libs() { # copy_libs ROOT FILE: the ELF's shared libraries and loader, by their ldd paths
	local root=$1 f=$2 l
	for l in $(ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^[ \t]*\// {print $1}'); do
		[[ -e $root$l ]] && continue
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
}

build_base() { # build_base OUT.cpio.gz
	local out=$1 b p m
	root=$(mktemp -d "$ird/root.XXXXXX")
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,run,tmp,etc,root,var,mnt,xtcp}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	ln -s ../run "$root/var/run"
	if ((EUID == 0)); then
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi

	for b in $gnu_bins ${XTCP_VM_EXTRA_BINS:-}; do
		p=$(resolve "$b")
		[[ -n $p ]] || continue
		cp -L "$p" "$root/usr/bin/$b"
		copy_libs "$root" "$p"
	done
	p=$(resolve kmod)
	cp -L "$p" "$root/usr/sbin/kmod"
	copy_libs "$root" "$p"
	for b in $kmod_links; do ln -s kmod "$root/usr/sbin/$b"; done
	ln -s bash "$root/usr/bin/sh"

	cp -L "$(resolve busybox)" "$root/usr/bin/busybox"
	for b in $("$root/usr/bin/busybox" --list); do
		[[ -e $root/usr/bin/$b || -e $root/usr/sbin/$b || -L $root/usr/bin/$b ]] && continue
		ln -s busybox "$root/usr/bin/$b"
	done

	# iproute2 config and tc's netem delay-distribution tables.
	[[ -d /etc/iproute2 ]] && cp -a /etc/iproute2 "$root/etc/"
	[[ -d /usr/share/iproute2 ]] && mkdir -p "$root/usr/share" && cp -a /usr/share/iproute2 "$root/usr/share/"
	for d in /usr/lib/x86_64-linux-gnu/tc /usr/lib/tc; do
		[[ -d $d ]] || continue
		mkdir -p "$root$d"
		cp -L "$d"/*.dist "$root$d/" 2>/dev/null || true
	done
	for f in /etc/protocols /etc/services; do [[ -f $f ]] && cp -L "$f" "$root$f"; done
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

	# Kernel modules: the stock kernel needs its veth/netem/tun/... modules; the debug
	# kernel has them built in except dccp (=m).
	local mdir=$root/usr/lib/modules/$krel
	if [[ $kernel == stock ]]; then
		mkdir -p "$mdir"
		for m in $stock_mods; do
			modprobe -S "$krel" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" {print $2}'
		done | sort -u | while read -r p; do
			mkdir -p "$root$(dirname "$p")"
			cp -L "$p" "$root$p"
		done
		cp /lib/modules/"$krel"/modules.{order,builtin,builtin.modinfo} "$mdir/" 2>/dev/null || true
	else
		local dk
		dk=$(xtcp_debug_dir)
		make -s -C "$dk" INSTALL_MOD_PATH="$root/usr" INSTALL_MOD_STRIP=1 DEPMOD=/bin/true \
			modules_install >/dev/null
		rm -f "$mdir/build" "$mdir/source"
	fi
	[[ -d $mdir ]] && depmod -b "$root/usr" "$krel"

	install -m 755 "$here/vm-init.sh" "$root/init"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) | ${XTCP_INITRD_COMPRESS:-cat} >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$root"
	root=
}

root='' payload='' initrd='' base=''
cleanup() { rm -rf "$root" "$payload" "$initrd" "$base.tmp"; }
trap cleanup EXIT
key=$(base_key)
base=$ird/base-$kernel-$key.cpio
if [[ ! -f $base ]]; then
	echo ">> packing initramfs base for $kernel ($krel)" >&2
	rm -f "$ird/base-$kernel-"*.cpio*
	build_base "$base"
fi

# --------------------------------------------------------------- per-run payload (/xtcp) ---
payload=$(mktemp -d "$ird/payload.XXXXXX")
initrd=$ird/initrd-$kernel-$$.img
mkdir -p "$payload/xtcp"
if [[ -d $kb/module ]]; then
	find "$kb/module" -name '*.ko' -exec cp {} "$payload/xtcp/" \;
fi
[[ -d $kb/selftests-bin ]] && cp -a "$kb/selftests-bin" "$payload/xtcp/selftests"
[[ -d $kb/tools-bin ]] && cp -a "$kb/tools-bin" "$payload/xtcp/tools"
printf '%s\n' "$cmd" >"$payload/xtcp/.cmd"
echo "$kernel" >"$payload/xtcp/.kernel"
(cd "$payload" && find . | cpio -o -H newc -R 0:0 --quiet) | cat "$base" - >"$initrd"

# ---------------------------------------------------------------------------- boot ---
append="console=ttyS0 quiet loglevel=5 panic=-1 printk.time=1 log_buf_len=8M"
append+=" ${XTCP_VM_APPEND:-}"
# shellcheck disable=SC2054 # "tcg,thread=multi" is one QEMU argument
qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m "$mem"
	-nographic -no-reboot -nic none -kernel "$kimage" -initrd "$initrd" -append "$append")

echo ">> booting $kernel kernel $krel (timeout ${timeout_s}s, log $log)" >&2
t0=$EPOCHREALTIME
set +e
timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 |
	sed -u 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' |
	while IFS= read -r line; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$log"
		case $line in
		*'=== XTCP DMESG BEGIN ==='*)
			in_dmesg=1
			echo "[... full dmesg captured in $log ...]"
			continue
			;;
		*'=== XTCP DMESG END ==='*) in_dmesg=0; continue ;;
		*XTCP_VM_BOOTED*)
			printf '>> guest ready after %.1f s (host clock)\n' \
				"$(bc <<<"$EPOCHREALTIME - $t0")" >&2
			;;
		esac
		((${in_dmesg:-0})) || printf '%s\n' "$line"
	done
qrc=${PIPESTATUS[0]}
set -e
elapsed=$(bc <<<"$EPOCHREALTIME - $t0")

timed_out=0
if ((qrc == 124 || qrc == 137)); then
	timed_out=1
	echo "!! VM TIMEOUT: $kernel guest killed after ${timeout_s}s" >&2
fi
guest_rc=$(tr -d '\r' <"$log" | grep -ao 'XTCP_VM_EXIT=[0-9]*' | tail -n1 | cut -d= -f2 || true)
totals=$(tr -d '\r' <"$log" | grep -aoE 'XTCP_TOTALS pass=[0-9]+ fail=[0-9]+ skip=[0-9]+' | tail -n1 || true)

splat=0
"$here/splat-check.sh" "$log" "$kernel" || splat=1

if [[ -n $summary ]]; then
	printf 'kernel=%s\nguest_rc=%s\nsplat=%s\ntimeout=%s\ntotals=%s\nlog=%s\n' \
		"$kernel" "${guest_rc:-none}" "$splat" "$timed_out" "$totals" "$log" >"$summary"
fi
printf '>> %s VM finished in %.1f s: guest exit %s%s\n' "$kernel" "$elapsed" \
	"${guest_rc:-<none>}" "$( ((splat)) && echo ', KERNEL SPLAT DETECTED')" >&2

if [[ -z $guest_rc ]]; then
	echo "!! $kernel guest did not report an exit code (crash, panic or timeout; see $log)" >&2
	exit 125
fi
if ((splat)); then
	((guest_rc != 0)) && exit "$guest_rc"
	exit 99
fi
exit "$guest_rc"
