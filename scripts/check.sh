#!/bin/bash
# `make check`: for each requested guest kernel, build the module + selftests, boot QEMU, run
# /xtcp/selftests/run_guest.sh, and add up its "XTCP_TOTALS pass=N fail=N skip=N" line.
# A build failure, kernel splat, timeout or missing totals line counts as one extra failure.
# Ends with exactly one line "N passed, N failed, N skipped"; exits non-zero on any failure.
#
# Usage: scripts/check.sh [stock] [debug]   (default: stock debug)
# Env:   XTCP_TIMEOUT_STOCK / XTCP_TIMEOUT_DEBUG  host-side VM time limits in seconds.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

(($#)) || set -- stock debug
"$here/install-deps.sh" || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

total_pass=0 total_fail=0 total_skip=0
report=()

for k in "$@"; do
	pass=0 fail=0 skip=0 notes=()
	timeout_var=XTCP_TIMEOUT_${k^^}
	if [[ $k == debug ]]; then tmo=${!timeout_var:-2700}; else tmo=${!timeout_var:-1200}; fi

	echo "================ $k kernel ================"
	if ! "$here/build.sh" "$k"; then
		notes+=("build failed")
		fail=1
	else
		cmd='cd /xtcp/selftests && ./run_guest.sh'
		sum=$XTCP_BUILD/logs/$k-last.summary
		mkdir -p "$XTCP_BUILD/logs"
		rm -f "$sum"
		"$here/vm-run.sh" --kernel "$k" --timeout "$tmo" --summary "$sum" -- "$cmd"
		vrc=$?
		declare -A s=()
		if [[ -f $sum ]]; then
			while IFS='=' read -r key val; do s[$key]=$val; done <"$sum"
		fi
		if [[ ${s[totals]:-} =~ pass=([0-9]+)\ fail=([0-9]+)\ skip=([0-9]+) ]]; then
			pass=${BASH_REMATCH[1]} fail=${BASH_REMATCH[2]} skip=${BASH_REMATCH[3]}
		else
			notes+=("no XTCP_TOTALS line")
			fail=$((fail + 1))
		fi
		if [[ ${s[splat]:-0} == 1 ]]; then
			notes+=("KERNEL SPLAT DETECTED")
			fail=$((fail + 1))
		fi
		[[ ${s[timeout]:-0} == 1 ]] && notes+=("VM timed out after ${tmo}s")
		if ((vrc != 0 && fail == 0)); then
			notes+=("VM run exit status $vrc")
			fail=1
		fi
		[[ -n ${s[log]:-} ]] && notes+=("log ${s[log]#"$XTCP_ROOT"/}")
		unset s
	fi
	report+=("$(printf '%-6s pass=%d fail=%d skip=%d%s' "$k" "$pass" "$fail" "$skip" \
		"${notes[*]:+  (${notes[*]})}")")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

echo "================ summary ================"
printf '%s\n' "${report[@]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
((total_fail == 0))
