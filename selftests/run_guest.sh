#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_guest.sh: XTCP selftest runner, run inside the QEMU guest as root.
# Loads the module, runs every test with a time limit, prints their KTAP
# output, counts their test cases, unloads the module (itself a test case),
# checks the kernel log and prints one line
#	XTCP_TOTALS pass=N fail=N skip=N
# Exits non-zero if anything failed.
#
# Tests: every executable xtcp_* C program (run through ns_wrap.sh, between
# two fresh namespaces; the packet-level programs xtcp_states* and
# xtcp_hdr, xtcp_listen through pkt_wrap.sh) and every xtcp_*.sh script, xtcp_modload.sh last.
# Environment: XTCP_KO (module, default /xtcp/xtcp.ko), XTCP_TEST_TIMEOUT
# (seconds per test program, default 900), XTCP_TESTS (space-separated
# subset of test names to run).

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"

XTCP_KO="${XTCP_KO:-/xtcp/xtcp.ko}"
export XTCP_KO
TEST_TIMEOUT="${XTCP_TEST_TIMEOUT:-900}"
MARK="xtcp_selftests: run_guest start $$.$RANDOM"
BAD_LOG='BUG|WARNING|Oops|KASAN|UBSAN|general protection|Call Trace|circular locking|refcount_t|list_add corruption|list_del corruption|kmemleak|rcu.*stall|hung_task|blocked for more than'
KMEMLEAK=/sys/kernel/debug/kmemleak
LOGDIR="$(mktemp -d /tmp/xtcp-selftests.XXXXXX)"

PASS=0
FAIL=0
SKIP=0
TOP=0

# top_result RC NAME [DIRECTIVE] - top-level KTAP line (0 pass, 1 fail, 4 skip).
top_result()
{
	TOP=$((TOP + 1))
	case "$1" in
	0) echo "ok $TOP $2" ;;
	4) echo "ok $TOP $2 # SKIP ${3:-}" ;;
	*) echo "not ok $TOP $2" ;;
	esac
}

# count_case RC - add one runner-level test case to the totals.
count_case()
{
	case "$1" in
	0) PASS=$((PASS + 1)) ;;
	4) SKIP=$((SKIP + 1)) ;;
	*) FAIL=$((FAIL + 1)) ;;
	esac
}

# parse_ktap LOG RC - count the test cases of one program's KTAP log into
# the totals; missing results (crash, timeout) and a failing exit status
# without a failed case count as failures. Sets PARSED to 0/1/4 (pass, fail,
# all skipped) for the program.
parse_ktap()
{
	local log="$1" rc="$2" plan pass fail skip seen

	plan=$(grep -m1 -E '^1\.\.[0-9]+' "$log" | sed 's/^1\.\.//')
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
	pass=$(grep -E '^ok [0-9]+' "$log" | grep -cv '# SKIP')
	fail=$(grep -cE '^not ok [0-9]+' "$log")
	seen=$((pass + fail + skip))
	if [ -z "$plan" ]; then
		plan=$seen
		[ "$seen" -gt 0 ] || plan=1
	fi
	if [ "$seen" -lt "$plan" ]; then
		echo "# $(basename "$log" .log): $((plan - seen)) test case(s) without a result (rc $rc)"
		fail=$((fail + plan - seen))
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$fail" -eq 0 ]; then
		echo "# $(basename "$log" .log): exit status $rc"
		fail=1
	fi
	PASS=$((PASS + pass))
	FAIL=$((FAIL + fail))
	SKIP=$((SKIP + skip))
	if [ "$fail" -gt 0 ]; then
		PARSED=1
	elif [ "$pass" -eq 0 ] && [ "$skip" -gt 0 ]; then
		PARSED=4
	else
		PARSED=0
	fi
}

# want NAME - true if NAME is selected by XTCP_TESTS (or no selection).
want()
{
	[ -z "${XTCP_TESTS:-}" ] && return 0
	case " $XTCP_TESTS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# run_one NAME CMD... - run one test program with the time limit, print its
# KTAP output indented as a subtest, and record the result.
run_one()
{
	local name="$1" log="$LOGDIR/$1.log" rc

	shift
	echo "# selftests: xtcp: $name"
	timeout "$TEST_TIMEOUT" "$@" > "$log" 2>&1 < /dev/null &
	wait $!
	rc=$?
	sed 's/^/    /' "$log"
	[ "$rc" -eq 124 ] || [ "$rc" -eq 143 ] &&
		echo "# $name: killed after ${TEST_TIMEOUT} s (rc $rc)"
	parse_ktap "$log" "$rc"
	top_result "$PARSED" "selftests: xtcp: $name"
	# Sockets a test leaves behind (orphans still closing) hold the module.
	[ -r /sys/module/xtcp/refcnt ] &&
		echo "# $name: xtcp module refcnt $(cat /sys/module/xtcp/refcnt) after the test"
	# A killed test cannot clean up: remove its namespaces.
	netns_sweep_all
}

# kernel_log_check - the log since MARK must not have BUG/WARNING/... lines.
kernel_log_check()
{
	local bad

	bad="$(dmesg | sed -n "/$MARK/,\$p" | grep -E "$BAD_LOG")"
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/# dmesg: /'
		return 1
	fi
	return 0
}

# kmemleak_check - on kernels with kmemleak, report unreferenced objects
# allocated since the start (cleared then). Returns 4 if unavailable.
kmemleak_check()
{
	local leaks

	[ -w "$KMEMLEAK" ] || return 4
	echo scan > "$KMEMLEAK"
	leaks="$(cat "$KMEMLEAK")"
	if [ -n "$leaks" ]; then
		echo "$leaks" | sed 's/^/# kmemleak: /' | head -200
		return 1
	fi
	return 0
}

# --- setup ---------------------------------------------------------------
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -w "$KMEMLEAK" ] && echo clear > "$KMEMLEAK"
echo "$MARK" > /dev/kmsg

# veth and netem may be modules or built in: load, then check by trying.
modprobe -q veth 2>/dev/null
modprobe -q sch_netem 2>/dev/null
netns_init r
if netns_create probe1 && netns_create probe2 &&
   netns_veth probe1 p0 - probe2 p1 -; then
	netns_qdisc probe1 p0 netem delay 1ms >/dev/null 2>&1 ||
		echo "# netem unavailable: netem-based tests will skip"
else
	echo "# veth unavailable: namespace tests will fail"
fi
netns_cleanup

tests=()
for f in "$here"/xtcp_*; do
	[ -x "$f" ] && [ -f "$f" ] || continue
	case "$f" in
	*/xtcp_modload.sh) ;;
	*) tests+=("$f") ;;
	esac
done
[ -x "$here/xtcp_modload.sh" ] && tests+=("$here/xtcp_modload.sh")

echo "TAP version 13"
echo "1..$(( ${#tests[@]} + 3 ))"

# --- load ----------------------------------------------------------------
rc=1
if [ -d /sys/module/xtcp ]; then
	echo "# xtcp already loaded"
	rc=0
elif [ ! -f "$XTCP_KO" ]; then
	echo "# module $XTCP_KO not found"
else
	insmod "$XTCP_KO" && [ -e /proc/net/xtcp ]
	rc=$?
fi
[ -r /sys/module/xtcp/parameters/family ] &&
	echo "# AF_XTCP = $(cat /sys/module/xtcp/parameters/family)"
top_result $rc "insmod xtcp.ko"
count_case $rc

# --- tests ---------------------------------------------------------------
for f in "${tests[@]}"; do
	name="$(basename "$f")"
	if ! want "$name"; then
		continue
	fi
	case "$name" in
	*.sh) run_one "$name" "$f" ;;
	xtcp_states* | xtcp_hdr | xtcp_listen | xtcp_timers | xtcp_policy | xtcp_ts | xtcp_cc | \
	xtcp_sack | xtcp_ecn | xtcp_rack)
		run_one "$name" "$here/pkt_wrap.sh" "$f" ;;
	*) run_one "$name" "$here/ns_wrap.sh" "$f" ;;
	esac
done

# --- unload: TIME-WAIT sockets die with their namespaces, which the kernel
# tears down asynchronously, so retry for a bounded time ------------------
rc=1
if [ -d /sys/module/xtcp ]; then
	for ((i = 0; i < 300; i++)); do
		if rmmod xtcp 2>/dev/null; then
			rc=0
			break
		fi
		sleep 0.1
	done
	if [ $rc -ne 0 ]; then
		echo "# rmmod: $(rmmod xtcp 2>&1), refcnt $(cat /sys/module/xtcp/refcnt 2>/dev/null)"
		cat /proc/net/xtcp 2>/dev/null | sed 's/^/# /'
	elif [ -e /proc/net/xtcp ]; then
		echo "# /proc/net/xtcp still present after rmmod"
		rc=1
	fi
else
	echo "# xtcp not loaded at the end"
fi
top_result $rc "rmmod xtcp"
count_case $rc

kernel_log_check
rc=$?
kmemleak_check
leak=$?
[ $leak -eq 1 ] && rc=1
top_result $rc "kernel log clean (no BUG/WARNING/Oops/leak)"
count_case $rc

rm -rf "$LOGDIR"
echo "# Totals: pass:$PASS fail:$FAIL xfail:0 xpass:0 skip:$SKIP error:0"
echo "XTCP_TOTALS pass=$PASS fail=$FAIL skip=$SKIP"
[ "$FAIL" -eq 0 ]
