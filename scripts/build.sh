#!/bin/bash
# Builds the XTCP module (and the selftests/tools userspace) for one guest kernel, out of
# tree in build/<name>/ so builds for different kernels never clobber each other.
#
# Usage: scripts/build.sh stock|debug [--dir NAME] [--module-only] [KBUILD_VAR=value...]
#   --dir NAME     build in build/NAME instead of build/<kernel> (used by `make sparse`/`w1`)
#   --module-only  skip selftests/ and tools/
#   KBUILD vars (C=2, W=1, ...) are passed to the kernel build.
# Products: build/<k>/module/xtcp.ko, build/<k>/selftests-bin/, build/<k>/tools-bin/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

kernel=${1:?usage: build.sh stock|debug [--dir NAME] [--module-only] [VAR=value...]}
shift
name=$kernel module_only=0 kvars=()
while (($#)); do
	case $1 in
	--dir) name=$2; shift 2 ;;
	--module-only) module_only=1; shift ;;
	*=*) kvars+=("$1"); shift ;;
	*) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

if [[ $kernel == debug ]]; then
	cur=$("$here/build-debug-kernel.sh")
	# Each config change leaves a ~0.5 GB tree behind: keep the current and one previous.
	mapfile -t trees < <(ls -dt "$(dirname "$cur")"/debug-kernel-*/)
	keep=1
	for old in "${trees[@]}"; do
		[[ $old == "$cur/" ]] && continue
		((keep-- > 0)) && continue
		rm -rf "$old"
	done
fi
kdir=$(xtcp_kdir "$kernel")
[[ -f $kdir/Makefile ]] || { echo "build.sh: no kernel build tree at $kdir" >&2; exit 1; }

dst=$XTCP_BUILD/$name
mkdir -p "$dst"
# Mirror the module sources; keep kbuild's products (excluded files survive --delete) so
# rebuilds stay incremental. rsync -a keeps mtimes, so unchanged files are not recompiled.
rsync -a --delete \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='*.symvers' --exclude='modules.order' --exclude='*.a' \
	--exclude='.*.d' --exclude='*.dwo' --exclude='/selftests-bin' --exclude='/tools-bin' \
	--exclude='/build.log' \
	--include='/Kbuild' --include='/module/***' --include='/include/***' --exclude='*' \
	"$XTCP_ROOT/" "$dst/"

echo ">> building module for $kernel kernel ($kdir) in build/$name ${kvars[*]}" >&2
# a failed build must not leave an older module behind for the VM to load
rm -f "$dst/module/xtcp.ko"
make -C "$kdir" M="$dst" "${kvars[@]}" modules 2>&1 | tee "$dst/build.log"
(( PIPESTATUS[0] == 0 )) || { echo "!! module build failed for $kernel" >&2; exit 1; }

((module_only)) && exit 0

if [[ -f $XTCP_ROOT/selftests/Makefile ]]; then
	inc=$("$here/kernel-files.sh" ksft)
	echo ">> building selftests into build/$name/selftests-bin" >&2
	mkdir -p "$dst/selftests-bin"
	make -C "$XTCP_ROOT/selftests" OUTPUT="$dst/selftests-bin" KSFT_INCLUDE="$inc"
fi
if [[ -f $XTCP_ROOT/tools/Makefile ]]; then
	echo ">> building tools into build/$name/tools-bin" >&2
	mkdir -p "$dst/tools-bin"
	make -C "$XTCP_ROOT/tools" OUTPUT="$dst/tools-bin"
fi
