# SPDX-License-Identifier: GPL-2.0
#
# KTAP output helpers for the XTCP bash selftests (sourced).
# Owns: the plan line, numbered ok/not ok/skip result lines and the final
# totals/exit code, in the format kselftest_harness.h programs print.
#
#	. lib/ktap.sh
#	ktap_header 3
#	ktap_result "$cond_ok" name   # 0 = pass
#	ktap_ok name; ktap_fail name; ktap_skip name reason
#	ktap_finish                   # prints totals, exits 0/1/4

KTAP_NUM=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

# ktap_header N - print the KTAP version line and the plan "1..N".
ktap_header()
{
	echo "TAP version 13"
	echo "1..$1"
}

# ktap_info MSG... - diagnostic line.
ktap_info()
{
	echo "# $*"
}

# ktap_ok NAME - record a passing test case.
ktap_ok()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_NUM $1"
}

# ktap_fail NAME - record a failing test case.
ktap_fail()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_NUM $1"
}

# ktap_skip NAME REASON - record a skipped test case.
ktap_skip()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_NUM $1 # SKIP $2"
}

# ktap_result RC NAME - pass if RC is 0, fail otherwise.
ktap_result()
{
	if [ "$1" -eq 0 ]; then
		ktap_ok "$2"
	else
		ktap_fail "$2"
	fi
}

# ktap_skip_all N PREFIX REASON - skip cases PREFIX_0 .. PREFIX_N-1 and finish.
ktap_skip_all()
{
	local i

	for ((i = 0; i < $1; i++)); do
		ktap_skip "$2_$i" "$3"
	done
	ktap_finish
}

# ktap_fail_all N PREFIX - fail cases PREFIX_0 .. PREFIX_N-1 and finish.
ktap_fail_all()
{
	local i

	for ((i = 0; i < $1; i++)); do
		ktap_fail "$2_$i"
	done
	ktap_finish
}

# ktap_finish - print the totals line and exit: 1 if anything failed, 4
# (KSFT_SKIP) if everything was skipped, else 0.
ktap_finish()
{
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	if [ "$KTAP_FAIL" -gt 0 ]; then
		exit 1
	fi
	if [ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ]; then
		exit 4
	fi
	exit 0
}
