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

ko="$(dirname "${XTCP_KO:-/xtcp/xtcp.ko}")/xtcp_kunit.ko"

if [ ! -f "$ko" ] || [ ! -d /sys/kernel/debug/kunit ]; then
	ktap_header 1
	ktap_skip kunit "this kernel has no KUnit (the debug kernel runs it)"
	ktap_finish
fi
if ! insmod "$ko"; then
	ktap_header 1
	ktap_fail "insmod xtcp_kunit.ko"
	ktap_finish
fi
results=$(cat /sys/kernel/debug/kunit/xtcp_*/results 2>/dev/null)
rmmod xtcp_kunit

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
