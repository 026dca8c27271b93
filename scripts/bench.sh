#!/bin/bash
# `make bench`: builds the module and tools for the stock kernel, boots one guest, runs every
# benchmark workload for XTCP and TCP there (tools/bench-guest.sh: interleaved, repeated),
# then takes medians and writes build/bench/{results.csv,results.json,raw.csv,ratios.png}
# (scripts/bench-report.py) and prints the side-by-side table. Never fails on a figure: only
# a build failure or a guest that does not finish makes it exit non-zero.
#
# Usage: scripts/bench.sh [--kernel stock|debug] [VAR=value...]
#   VARs are passed to the guest: BENCH_REPS, BENCH_TIME, BENCH_LOSS_TIME, BENCH_CONNS,
#   BENCH_LOSS_CONNS, BENCH_IPERF_TIME, BENCH_FILTER, BENCH_PROFILE (see tools/bench-guest.sh).
# Env: XTCP_BENCH_TIMEOUT (host-side VM time limit, default 2400 s).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/lib.sh"

kernel=stock vars=()
while (($#)); do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	BENCH_*=*) vars+=("$1"); shift ;;
	*) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

# a CPU profile needs perf (linux-perf, same version as the guest kernel) in the guest
[[ " ${vars[*]} " == *" BENCH_PROFILE="* ]] && export XTCP_VM_EXTRA_BINS="${XTCP_VM_EXTRA_BINS:-} perf"

"$here/install-deps.sh"
"$here/build.sh" "$kernel"

out=$XTCP_BUILD/bench
mkdir -p "$out"
log=$out/guest.log
cmd="cd /xtcp/tools && env ${vars[*]:+$(printf '%q ' "${vars[@]}")}./bench-guest.sh"
# 10 000 connections on each side need more than the default 2 GiB guest.
set +e
"$here/vm-run.sh" --kernel "$kernel" --mem 4G --timeout "${XTCP_BENCH_TIMEOUT:-2400}" \
	--log "$log" -- "$cmd" | grep -av --line-buffered '^XTCP_BENCH '
rc=${PIPESTATUS[0]}
set -e
echo "================ XTCP vs TCP ================"
python3 "$here/bench-report.py" "$log" "$out"
echo ">> results: ${out#"$XTCP_ROOT"/}/results.csv results.json raw.csv ratios.png; guest log ${log#"$XTCP_ROOT"/}"
if ((rc != 0)); then
	echo "!! the benchmark guest exited with status $rc (see $log)" >&2
	exit "$rc"
fi
