#!/bin/bash
# Builds (once) and caches the XTCP debug guest kernel: linux-source-6.1 + tinyconfig +
# scripts/debug-kernel.config, in /var/cache/xtcp/debug-kernel-<hash>/ (an O= build tree).
#
# Usage: scripts/build-debug-kernel.sh [--print-dir]
#   --print-dir  only print the cache directory for the current config (no build)
# On success prints the build tree directory as the last line of stdout. The tree contains
# arch/x86/boot/bzImage, Module.symvers and everything `make -C <dir> M=<ext> modules` needs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug-kernel.config
cache=${XTCP_CACHE:-/var/cache/xtcp}
tarball=${XTCP_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)

key=$( { cat "$frag" "$0"; echo "$srcver"; } | sha256sum | cut -c1-12)
out=$cache/debug-kernel-$key
stamp=$out/.xtcp-build-ok

if [[ ${1:-} == --print-dir ]]; then
	echo "$out"
	exit 0
fi

if [[ -f $stamp ]]; then
	echo "$out"
	exit 0
fi

[[ -f $tarball ]] || { echo "missing $tarball (run scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$cache"

# One build at a time (make check and a manual run may race).
exec 9>"$cache/.debug-kernel.lock"
flock 9
if [[ -f $stamp ]]; then
	echo "$out"
	exit 0
fi

# Pristine source tree, shared by every config (we build with O=, never in the tree).
src=$cache/src-$srcver/linux-source-6.1
if [[ ! -f $src/.xtcp-extract-ok ]]; then
	echo ">> extracting $tarball to $(dirname "$src")" >&2
	rm -rf "$(dirname "$src")"
	mkdir -p "$(dirname "$src")"
	tar -xJf "$tarball" -C "$(dirname "$src")"
	touch "$src/.xtcp-extract-ok"
fi

rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
mk() { make -C "$src" O="$out" ARCH=x86_64 "$@" >>"$log" 2>&1; }
fail() {
	echo "!! debug kernel build failed: $*; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
}

start=$(date +%s)
echo ">> building debug kernel in $out (log: $log; ~10 min on 2 cores)" >&2
mk tinyconfig || fail "make tinyconfig"
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag") \
	>>"$log" 2>&1 || fail "merge_config.sh"
mk olddefconfig || fail "make olddefconfig"

# Kconfig silently drops options whose dependencies are unmet: check every line survived.
missing=0
optional=0
while IFS= read -r line; do
	case $line in
	'# @optional') optional=1; continue ;;
	'# @required') optional=0; continue ;;
	esac
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		grep -qxF "$line" "$out/.config" && continue
		got=$(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$out/.config" || echo "(absent)")
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		grep -qE "^${BASH_REMATCH[1]}=" "$out/.config" || continue
		got=$(grep -E "^${BASH_REMATCH[1]}=" "$out/.config")
	else
		continue
	fi
	if ((optional)); then
		echo "   note: optional '$line' not honoured (got: $got)" >&2
	else
		echo "!! required '$line' not honoured (got: $got)" >&2
		missing=1
	fi
done <"$frag"
((missing == 0)) || fail "config fragment options dropped by Kconfig (unmet dependencies)"

# vmlinux + modules gives Module.symvers (external modules need it) and in-tree dccp.ko.
mk -j"$(nproc)" bzImage modules || fail "make bzImage modules"
mk modules_prepare || fail "make modules_prepare"
[[ -f $out/Module.symvers && -f $out/arch/x86/boot/bzImage ]] || fail "bzImage/Module.symvers missing"

krel=$(make -s -C "$src" O="$out" ARCH=x86_64 kernelrelease 2>/dev/null | tail -n1)
echo "$krel" >"$out/.xtcp-kernelrelease"
echo ">> debug kernel $krel built in $(($(date +%s) - start)) s" >&2
touch "$stamp"
echo "$out"
