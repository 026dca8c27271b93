#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-guest.sh: the guest side of `make bench` (scripts/bench.sh boots the
# guest and runs it from /xtcp/tools). Runs every workload of xtcp-bench, and
# iperf3 natively and through xtcpize, for TCP and XTCP in the same boot,
# between namespaces A (server, 10.88.9.1) and B (client, 10.88.9.2) joined
# by veth; the loss cases use a second pair with netem "delay 5ms loss 1%" on
# both ends (10 ms RTT) and one segment per skb (gso_max_segs 1), so that the
# loss rate is per packet. Each pair lives for one repetition (fresh pairs per
# run cost more than a short run under TCG); every run uses its own port.
# Protocols are interleaved A-B-B-A across the repetitions to cancel drift.
# Prints "XTCP_BENCH NAME PROTO METRIC VALUE" lines (and "XTCP_BENCH_INFO"
# lines about the machine); the host takes medians. Never fails on a figure.
#
# Environment (defaults in brackets):
#	BENCH_REPS [3]		repetitions of every case and protocol
#	BENCH_TIME [2]		seconds per stream/rr/crr run
#	BENCH_LOSS_TIME [4]	seconds per run under netem loss
#	BENCH_CONNS [10000]	idle connections in the "conns" case
#	BENCH_LOSS_CONNS [1000]	... under netem loss
#	BENCH_IPERF_TIME [3]	seconds per iperf3 run
#	BENCH_FILTER ['']	extended regex: run only matching case names
#	BENCH_PROFILE ['']	case name: after the run, profile it with perf
#				(if packed) for both protocols
#	BENCH_XTCP_SYSCTL ['']	"name=value ..." net.xtcp settings for every
#				namespace (experiments, e.g. "rack_tlp=0")

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../selftests/lib/netns.sh
. "$here/../selftests/lib/netns.sh"

BENCH="$here/xtcp-bench"
XTCPIZE="$here/xtcpize"
XTCP_KO="${XTCP_KO:-/xtcp/xtcp.ko}"
REPS="${BENCH_REPS:-3}"
T="${BENCH_TIME:-2}"
LT="${BENCH_LOSS_TIME:-4}"
CONNS="${BENCH_CONNS:-10000}"
LCONNS="${BENCH_LOSS_CONNS:-1000}"
IT="${BENCH_IPERF_TIME:-3}"
FILTER="${BENCH_FILTER:-}"
XSYSCTL="${BENCH_XTCP_SYSCTL:-}"
NETEM="delay 5ms limit 100000 loss 1%"
SRV=10.88.9.1
CLI=10.88.9.2

# name|netem(0/1)|xtcp-bench arguments
CASES=(
	"stream-1x1K|0|--test stream --flows 1 --size 1024 --time $T"
	"stream-1x16K|0|--test stream --flows 1 --size 16384 --time $T"
	"stream-1x64K|0|--test stream --flows 1 --size 65536 --time $T"
	"stream-1x1M|0|--test stream --flows 1 --size 1048576 --time $T"
	"stream-4x1K|0|--test stream --flows 4 --size 1024 --time $T"
	"stream-4x16K|0|--test stream --flows 4 --size 16384 --time $T"
	"stream-4x64K|0|--test stream --flows 4 --size 65536 --time $T"
	"stream-4x1M|0|--test stream --flows 4 --size 1048576 --time $T"
	"rr-1B|0|--test rr --size 1 --time $T"
	"rr-1K|0|--test rr --size 1024 --time $T"
	"rr-64K|0|--test rr --size 65536 --time $T"
	"crr|0|--test crr --time $T"
	"conns-$CONNS|0|--test conns --conns $CONNS"
	"loss-stream-1x64K|1|--test stream --flows 1 --size 65536 --time $LT"
	"loss-stream-4x64K|1|--test stream --flows 4 --size 65536 --time $LT"
	"loss-rr-1B|1|--test rr --size 1 --time $LT"
	"loss-rr-64K|1|--test rr --size 65536 --time $LT"
	"loss-crr|1|--test crr --time $LT"
	"loss-conns-$LCONNS|1|--test conns --conns $LCONNS"
)

info() { echo "XTCP_BENCH_INFO $*"; }

# ns_up - the two namespace pairs of one repetition: a/b plain, la/lb netem
ns_up()
{
	netns_init bench
	netns_create a && netns_create b &&
		netns_veth a xa0 $SRV/24 b xb0 $CLI/24 &&
		netns_create la && netns_create lb &&
		netns_veth la xa0 $SRV/24 lb xb0 $CLI/24 || return 1
	# netem drops whole skbs: one segment per skb on the lossy pair makes
	# its 1 % a packet loss rate for both protocols, whatever their GSO
	netns_exec la ip link set dev xa0 gso_max_segs 1 &&
		netns_exec lb ip link set dev xb0 gso_max_segs 1 || return 1
	# shellcheck disable=SC2086
	netns_netem la xa0 $NETEM && netns_netem lb xb0 $NETEM || return 1
	local ns kv
	for ns in a b la lb; do
		for kv in $XSYSCTL; do
			netns_exec "$ns" sh -c "echo ${kv#*=} > /proc/sys/net/xtcp/${kv%%=*}" ||
				return 1
		done
	done
}

ns_down()
{
	netns_cleanup
	trap - EXIT INT TERM HUP
}

# pair NETEM - prefix of the namespace pair for the case: "" or "l"
pair()
{
	[ "$1" = 1 ] && echo l
}

# run_case NAME NETEM PROTO ARGS - one run on a port of its own
run_case()
{
	local name="$1" p proto="$3" args="$4" out rc ra rb d0 c0=

	p="$(pair "$2")"
	PORT=$((PORT + 1))
	d0="$(softnet_drops)"
	[ "$proto" = xtcp ] && c0="$(xtcp_counters "$p")"
	# shellcheck disable=SC2086
	out="$(${PROFILE_CMD:-} timeout 600 "$BENCH" --proto "$proto" --name "$name" \
		--server-ns "$(netns_name "${p}a")" --client-ns "$(netns_name "${p}b")" \
		--addr $SRV --port $PORT $args 2>&1)"
	rc=$?
	echo "$out" | grep '^XTCP_BENCH '
	if [ $rc -ne 0 ]; then
		echo "$out" | grep -v '^XTCP_BENCH ' | head -5 | sed 's/^/# /'
		echo "XTCP_BENCH $name $proto error $rc"
	fi
	echo "XTCP_BENCH $name $proto softnet_drops $(($(softnet_drops) - d0))"
	ra="$(retrans "${p}a" "$proto")"
	rb="$(retrans "${p}b" "$proto")"
	echo "XTCP_BENCH $name $proto retrans $((${ra:-0} + ${rb:-0} - ${RETRANS0[$p$proto]:-0}))"
	RETRANS0[$p$proto]=$((${ra:-0} + ${rb:-0}))
	[ -n "$c0" ] && counter_deltas "$name" "$c0" "$(xtcp_counters "$p")"
}

# loss-recovery counters of /proc/net/xtcp_stat in the guest log, per case
DIAG_COUNTERS="RtoTimeouts FastRetransmits SackRecovery TailLossProbes TailLossRecoveries RackLostSegs RackReoTimeouts DSackRecv"

# xtcp_counters PAIR - "v1 v2 ..." of DIAG_COUNTERS summed over both ends
xtcp_counters()
{
	{
		netns_exec "${1}a" cat /proc/net/xtcp_stat
		netns_exec "${1}b" cat /proc/net/xtcp_stat
	} | awk -v want="$DIAG_COUNTERS" '{ n[$1] += $2 }
		END { k = split(want, w, " "); for (i = 1; i <= k; i++)
			printf " %d", n[w[i]]; print "" }'
}

# counter_deltas NAME BEFORE AFTER - one "# counters" line for the log
counter_deltas()
{
	local -a b a
	local c i=0 line="# counters $1 xtcp:"

	read -r -a b <<<"$2"
	read -r -a a <<<"$3"
	for c in $DIAG_COUNTERS; do
		line="$line $c=$((a[i] - b[i]))"
		i=$((i + 1))
	done
	echo "$line"
}

# softnet_drops - packets dropped because a CPU's input backlog was full
# (netdev_max_backlog; veth delivers through it), all CPUs
softnet_drops()
{
	local n=0 d

	for d in $(awk '{ print $2 }' /proc/net/softnet_stat); do
		n=$((n + 16#$d))
	done
	echo $n
}

# retrans NS PROTO - segments retransmitted so far in namespace NS
retrans()
{
	if [ "$2" = xtcp ]; then
		netns_exec "$1" awk '$1 == "RetransSegs" { print $2 }' /proc/net/xtcp_stat
	else
		netns_exec "$1" awk '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++)
			if ($i == "RetransSegs") c = i; h = 1; next }
			$1 == "Tcp:" { print $c }' /proc/net/snmp
	fi
}

# wait_listen NS PORT PROTO - until a listener on PORT shows in NS (5 s)
wait_listen()
{
	local hex i file=/proc/net/tcp

	hex="$(printf ':%04X' "$2")"
	[ "$3" = xtcp ] && file=/proc/net/xtcp
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$1" cat "$file" 2>/dev/null |
			awk -v p="$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }' &&
			return 0
		sleep 0.05
	done
	return 1
}

# run_iperf PROTO DIR(fwd|rev) - iperf3 client in B, server in A; for xtcp
# both run under xtcpize
run_iperf()
{
	local proto="$1" dir="$2" name="iperf3-$2" wrap=() rflag=() out rc srv
	local A B

	[ "$proto" = xtcp ] && wrap=("$XTCPIZE" run)
	[ "$dir" = rev ] && rflag=(-R)
	A="$(netns_name a)"
	B="$(netns_name b)"
	PORT=$((PORT + 1))
	srv="$(mktemp)"
	ip netns exec "$A" timeout 60 "${wrap[@]}" \
		iperf3 -4 -s -1 -B $SRV -p $PORT >"$srv" 2>&1 &
	if ! wait_listen "$A" $PORT "$proto"; then
		echo "# iperf3 server did not listen: $(head -3 "$srv")"
		echo "XTCP_BENCH $name $proto error 1"
	else
		out="$(ip netns exec "$B" timeout 60 "${wrap[@]}" \
			iperf3 -4 -c $SRV -p $PORT -t "$IT" -f m "${rflag[@]}" 2>&1)"
		rc=$?
		echo "$out" | sed "s/^/# $proto $name: /"
		if [ $rc -eq 0 ]; then
			echo "$out" | awk -v n="$name" -v p="$proto" '
				/receiver$/ { for (i = 1; i < NF; i++)
					if ($(i + 1) == "Mbits/sec") m = $i }
				/sender$/ && NF >= 9 { r = $(NF - 1) }
				END { if (m != "") print "XTCP_BENCH", n, p, "mbps", m
				      if (r ~ /^[0-9]+$/) print "XTCP_BENCH", n, p, "retr", r }'
		else
			echo "XTCP_BENCH $name $proto error $rc"
		fi
	fi
	wait
	rm -f "$srv"
}

# ---------------------------------------------------------------- main ---
modprobe -q veth 2>/dev/null
modprobe -q sch_netem 2>/dev/null
[ -d /sys/module/xtcp ] || insmod "$XTCP_KO" || { echo "bench: insmod failed"; exit 1; }

info kernel "$(uname -r)"
info cpus "$(nproc)"
info cpu_model "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
info mem_total_kb "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
info reps "$REPS"
info time_s "$T"
info loss_time_s "$LT"
info netem "$NETEM"

declare -A RETRANS0
PORT=5200
start=$SECONDS
for ((rep = 1; rep <= REPS; rep++)); do
	if ((rep % 2)); then order=(xtcp tcp); else order=(tcp xtcp); fi
	RETRANS0=()
	ns_up || { echo "bench: cannot set up the namespaces"; exit 1; }
	for c in "${CASES[@]}"; do
		IFS='|' read -r name netem args <<<"$c"
		[ -n "$FILTER" ] && ! [[ $name =~ $FILTER ]] && continue
		for proto in "${order[@]}"; do
			echo "# rep $rep/$REPS $name $proto (t=$((SECONDS - start)) s)"
			run_case "$name" "$netem" "$proto" "$args"
		done
	done
	for dir in fwd rev; do
		[ -n "$FILTER" ] && ! [[ iperf3-$dir =~ $FILTER ]] && continue
		for proto in "${order[@]}"; do
			echo "# rep $rep/$REPS iperf3-$dir $proto (t=$((SECONDS - start)) s)"
			run_iperf "$proto" "$dir"
		done
	done
	ns_down
done
info elapsed_s "$((SECONDS - start))"

# Optional CPU profile of one case per protocol (system-wide cpu-clock
# samples; perf is packed only when scripts/bench.sh is given BENCH_PROFILE).
if [ -n "${BENCH_PROFILE:-}" ] && ! command -v perf >/dev/null; then
	echo "# profile: no perf in the guest (the host needs linux-perf)"
elif [ -n "${BENCH_PROFILE:-}" ]; then
	for c in "${CASES[@]}"; do
		IFS='|' read -r name netem args <<<"$c"
		[ "$name" = "$BENCH_PROFILE" ] || continue
		RETRANS0=()
		ns_up || exit 1
		for proto in xtcp tcp; do
			PROFILE_CMD="perf record -q -a -e cpu-clock -F 2000 -o /tmp/perf.data --"
			run_case "$name" "$netem" "$proto" "$args" >/dev/null
			PROFILE_CMD=
			perf report -q -i /tmp/perf.data --stdio --no-children --sort sym \
				--percent-limit 0.7 2>/dev/null | grep -v '^$' | head -40 |
				sed "s/^/# profile $name $proto: /"
		done
		ns_down
	done
fi
exit 0
