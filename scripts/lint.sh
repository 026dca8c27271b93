#!/bin/bash
# `make lint`: checkpatch.pl --strict --no-tree -f over every .c/.h we own (module/, include/,
# tools/, selftests/). Fails on any ERROR, WARNING or CHECK.
#
# Usage: scripts/lint.sh [FILE...]   (default: all tracked and untracked-not-ignored sources)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

cp_dir=$("$here/kernel-files.sh" checkpatch)
cd "$XTCP_ROOT"

if (($#)); then
	files=("$@")
else
	# git ls-files only reads the index; generated files (*.mod.c, build/) are ignored.
	mapfile -t files < <(git ls-files -co --exclude-standard -- module include tools selftests |
		grep -E '\.[ch]$' | grep -Ev '(^|/)build/|\.mod\.c$' | sort -u)
fi
((${#files[@]})) || { echo ">> lint: no C sources yet"; exit 0; }

# Ignored checkpatch types, all inapplicable to a standalone -f run on an out-of-tree repo:
#  FILE_PATH_CHANGES  asks for MAINTAINERS updates when files are added (patch mode only).
# (SPDX_LICENSE_TAG is deliberately NOT ignored: every source file must carry one.)
common=(--strict --no-tree --terse --show-types --ignore FILE_PATH_CHANGES)
# Userspace (tools/, selftests/) follows kernel style, but these checks concern kernel APIs:
#  PREFER_KERNEL_TYPES             u8/u32 are kernel-internal; userspace uses <stdint.h>.
#  PREFER_DEFINED_ATTRIBUTE_MACRO  __packed/__printf etc. are defined only inside the kernel.
user_ignore=PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO

kfiles=() ufiles=()
for f in "${files[@]}"; do
	[[ -f $f ]] || continue
	case $f in
	tools/* | selftests/*) ufiles+=("$f") ;;
	*) kfiles+=("$f") ;;
	esac
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
if ((${#kfiles[@]})); then
	"$cp_dir/checkpatch.pl" "${common[@]}" -f "${kfiles[@]}" >>"$out" 2>&1 || rc=1
fi
if ((${#ufiles[@]})); then
	"$cp_dir/checkpatch.pl" "${common[@]}" --ignore "$user_ignore" -f "${ufiles[@]}" \
		>>"$out" 2>&1 || rc=1
fi
problems=$(grep -cE ': (ERROR|WARNING|CHECK):' "$out" || true)
if ((rc != 0 || problems != 0)); then
	grep -E ': (ERROR|WARNING|CHECK):' "$out" || cat "$out"
	echo "!! lint: $problems checkpatch problem(s) in ${#files[@]} files"
	exit 1
fi
echo ">> lint: ${#files[@]} files clean (checkpatch --strict)"
