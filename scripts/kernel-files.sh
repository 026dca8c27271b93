#!/bin/bash
# Extracts the few files XTCP takes from the linux-source-6.1 tarball (never copied into the
# repository) into build/, and prints the directory holding them.
#
# Usage: scripts/kernel-files.sh ksft|checkpatch
#   ksft        build/ksft-include/{kselftest_harness.h,kselftest.h}
#   checkpatch  build/checkpatch/{checkpatch.pl,spelling.txt,const_structs.checkpatch}
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

case ${1:-} in
ksft)
	out=$XTCP_BUILD/ksft-include
	files=(tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h)
	;;
checkpatch)
	out=$XTCP_BUILD/checkpatch
	files=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
	;;
*) echo "usage: kernel-files.sh ksft|checkpatch" >&2; exit 2 ;;
esac

tarball=${XTCP_LINUX_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
stamp=$out/.ok
if [[ ! -f $stamp || $tarball -nt $stamp ]]; then
	rm -rf "$out"
	mkdir -p "$out"
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
	src=${XTCP_CACHE:-/var/cache/xtcp}/src-$srcver/linux-source-6.1
	if [[ -f $src/.xtcp-extract-ok ]]; then
		for f in "${files[@]}"; do cp "$src/$f" "$out/"; done
	else
		[[ -f $tarball ]] || { echo "missing $tarball (run scripts/install-deps.sh)" >&2; exit 1; }
		tar -xJf "$tarball" -C "$out" --transform='s|.*/||' "${files[@]/#/linux-source-6.1/}"
	fi
	for f in "${files[@]}"; do [[ -f $out/${f##*/} ]] || { echo "failed to get $f" >&2; exit 1; }; done
	[[ -f $out/checkpatch.pl ]] && chmod +x "$out/checkpatch.pl"
	touch "$stamp"
fi
echo "$out"
