# shellcheck shell=bash
# Shared helpers for the XTCP build/test scripts (sourced, not executed).
# Resolves the guest kernels: "stock" (Debian cloud kernel) and "debug" (our cached build).

XTCP_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XTCP_ROOT=${XTCP_ROOT:-$(cd "$XTCP_SCRIPTS/.." && pwd)}
XTCP_BUILD=${XTCP_BUILD:-$XTCP_ROOT/build}

# Newest installed cloud kernel that also has matching headers (never a hardcoded version).
xtcp_stock_kver() {
	if [[ -n ${XTCP_STOCK_KVER:-} ]]; then
		echo "$XTCP_STOCK_KVER"
		return
	fi
	local v best=
	for v in $(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V); do
		[[ -d /usr/src/linux-headers-$v ]] && best=$v
	done
	[[ -n $best ]] || { echo "no /boot/vmlinuz-*-cloud-amd64 with matching headers" >&2; return 1; }
	echo "$best"
}

xtcp_debug_dir() { "$XTCP_SCRIPTS/build-debug-kernel.sh" --print-dir; }

# xtcp_kdir stock|debug: the kbuild tree to build external modules against.
xtcp_kdir() {
	case $1 in
	stock) echo "/usr/src/linux-headers-$(xtcp_stock_kver)" ;;
	debug) xtcp_debug_dir ;;
	*) echo "unknown kernel '$1' (stock|debug)" >&2; return 1 ;;
	esac
}

# xtcp_kimage stock|debug: bootable bzImage.
xtcp_kimage() {
	case $1 in
	stock) echo "/boot/vmlinuz-$(xtcp_stock_kver)" ;;
	debug) echo "$(xtcp_debug_dir)/arch/x86/boot/bzImage" ;;
	*) return 1 ;;
	esac
}

# xtcp_krelease stock|debug: uname -r inside the guest.
xtcp_krelease() {
	case $1 in
	stock) xtcp_stock_kver ;;
	debug) cat "$(xtcp_debug_dir)/.xtcp-kernelrelease" ;;
	*) return 1 ;;
	esac
}
