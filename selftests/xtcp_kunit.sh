#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xtcp_kunit.sh: load xtcp_kunit.ko (built only for kernels with KUnit, i.e.
# the debug kernel), which runs XTCP's KUnit suites at load time, and report
# each case of /sys/kernel/debug/kunit/xtcp_*/results as a KTAP result.
# Without KUnit (the stock kernel) it reports one skipped case.

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/ktap.sh
. "$here/lib/ktap.sh"

dir="$(dirname "${XTCP_KO:-/xtcp/xtcp.ko}")"
kos=("$dir"/xtcp*_kunit.ko)

if [ ! -f "${kos[0]}" ] || [ ! -d /sys/kernel/debug/kunit ]; then
	ktap_header 1
	ktap_skip kunit "this kernel has no KUnit (the debug kernel runs it)"
	ktap_finish
fi
# every xtcp*_kunit.ko (xtcp_kunit, xtcp_cc_kunit...) runs its suites on load
for ko in "${kos[@]}"; do
	if ! insmod "$ko"; then
		ktap_header 1
		ktap_fail "insmod $(basename "$ko")"
		ktap_finish
	fi
done
results=$(cat /sys/kernel/debug/kunit/xtcp_*/results 2>/dev/null)
for ko in "${kos[@]}"; do
	rmmod "$(basename "$ko" .ko)"
done

# case results are indented one level inside their suite's subtest
cases=$(printf '%s\n' "$results" | grep -E '^[[:space:]]+(not )?ok [0-9]+ ')
if [ -z "$cases" ]; then
	ktap_header 1
	printf '%s\n' "$results" | sed 's/^/# /'
	ktap_fail "KUnit results"
	ktap_finish
fi

ktap_header "$(printf '%s\n' "$cases" | grep -c .)"
printf '%s\n' "$results" | grep -E '^[[:space:]]+# ' | sed 's/^[[:space:]]*/# /'
while read -r line; do
	name=$(printf '%s\n' "$line" |
	       sed -E 's/^[[:space:]]*(not )?ok [0-9]+ (- )?//')
	case "$line" in
	*"not ok"*) ktap_fail "$name" ;;
	*) ktap_ok "$name" ;;
	esac
done <<< "$cases"
ktap_finish
