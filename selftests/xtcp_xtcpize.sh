#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xtcp_xtcpize.sh: unmodified Debian programs over XTCP through the xtcpize
# LD_PRELOAD shim (tools/xtcpize), between two namespaces (KTAP).
#  - socat moves a random 1 MiB file from B to A under `xtcpize run`; the
#    sha256 must match, the listener must show in A's /proc/net/xtcp, the
#    XTCP ActiveOpens/PassiveOpens counters must rise, and neither /proc/net/tcp
#    may show the port;
#  - the same with XTCPIZE_DISABLE=1 must go over TCP (the checks above can
#    tell the two apart);
#  - iperf3 in both directions (-R) under xtcpize must complete over XTCP and
#    report throughput. If iperf3 fails because the module refuses a socket
#    option (ENOPROTOOPT, found with strace), the case is skipped naming the
#    option; any other failure fails.

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/ktap.sh
. "$here/lib/ktap.sh"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"
# shellcheck source=lib/proc.sh
. "$here/lib/proc.sh"

TOOLS="${XTCP_TOOLS:-$here/../tools}"
XTCPIZE="$TOOLS/xtcpize"
SRV=10.88.4.1
CLI=10.88.4.2
PORT=5400
WORK="$(mktemp -d /tmp/xtcpize.XXXXXX)"
NCASES=6

ktap_header $NCASES

if [ ! -x "$XTCPIZE" ] || [ ! -r "$TOOLS/libxtcpize.so" ] ||
   ! command -v socat >/dev/null || ! command -v iperf3 >/dev/null ||
   [ ! -e /proc/net/xtcp ]; then
	ktap_skip_all $NCASES xtcpize_case "needs xtcpize, socat, iperf3 and xtcp.ko"
fi

netns_init z
if ! netns_create a || ! netns_create b ||
   ! netns_veth a xa0 $SRV/24 b xb0 $CLI/24; then
	ktap_info "cannot set up the namespaces"
	ktap_fail_all $NCASES xtcpize_case
fi
NS_A="$(netns_name a)"
NS_B="$(netns_name b)"
trap 'rm -rf "$WORK"; netns_cleanup' EXIT

# socat_copy FILE(xtcp|tcp) - copy $WORK/in from B to A with socat under
# xtcpize; sets COPY_OK, LISTEN_SEEN, OPENS (sum of the two counters' rise)
socat_copy()
{
	local file="$1" pid a0 p0 rc

	rm -f "$WORK/out"
	a0="$(proc_counter "$NS_B" ActiveOpens)"
	p0="$(proc_counter "$NS_A" PassiveOpens)"
	ip netns exec "$NS_A" timeout 60 "$XTCPIZE" run socat -u \
		"TCP4-LISTEN:$PORT,bind=$SRV,reuseaddr" "CREATE:$WORK/out" \
		2>"$WORK/srv.err" &
	pid=$!
	LISTEN_SEEN=1
	proc_listening "$file" "$NS_A" $PORT || LISTEN_SEEN=0
	ip netns exec "$NS_B" timeout 60 "$XTCPIZE" run socat -u \
		"OPEN:$WORK/in" "TCP4:$SRV:$PORT" 2>"$WORK/cli.err"
	rc=$?
	wait $pid || rc=1
	[ $rc -eq 0 ] || ktap_info "socat: $(cat "$WORK/srv.err" "$WORK/cli.err")"
	COPY_OK=1
	if [ $rc -eq 0 ] && [ -f "$WORK/out" ] &&
	   [ "$(sha256sum <"$WORK/in")" = "$(sha256sum <"$WORK/out")" ]; then
		COPY_OK=0
	fi
	OPENS=$(($(proc_counter "$NS_B" ActiveOpens) - a0 + $(proc_counter "$NS_A" PassiveOpens) - p0))
}

dd if=/dev/urandom of="$WORK/in" bs=64k count=16 status=none

# 1-2: socat over XTCP, verified transfer; really XTCP
socat_copy xtcp
ktap_info "xtcpize socat: listener seen in /proc/net/xtcp: $LISTEN_SEEN," \
	"ActiveOpens + PassiveOpens: +$OPENS"
ktap_result $COPY_OK "socat_1MiB_sha256_over_xtcpize"
rc=1
if [ $LISTEN_SEEN -eq 1 ] && [ "$OPENS" -ge 2 ] &&
   (proc_port_in xtcp "$NS_A" $PORT || proc_port_in xtcp "$NS_B" $PORT) &&
   ! proc_port_in tcp "$NS_A" $PORT && ! proc_port_in tcp "$NS_B" $PORT; then
	rc=0
fi
ip netns exec "$NS_A" cat /proc/net/xtcp | sed 's/^/# A xtcp: /'
ktap_result $rc "socat_connection_was_xtcp_not_tcp"

# 3: control: XTCPIZE_DISABLE=1 leaves the program on TCP
PORT=5402
export XTCPIZE_DISABLE=1
socat_copy tcp
unset XTCPIZE_DISABLE
rc=1
if [ $COPY_OK -eq 0 ] && [ $LISTEN_SEEN -eq 1 ] && [ "$OPENS" -eq 0 ] &&
   ! proc_port_in xtcp "$NS_A" $PORT && ! proc_port_in xtcp "$NS_B" $PORT; then
	rc=0
fi
ktap_result $rc "xtcpize_disable_keeps_tcp"

# missing_opt LOG - the SOL_TCP option an strace log shows refused with
# ENOPROTOOPT, if any
missing_opt()
{
	grep -E 'setsockopt|getsockopt' "$1" | grep -E 'SOL_TCP|IPPROTO_TCP' |
		grep ENOPROTOOPT | sed -E 's/.*(TCP_[A-Z_]+).*/\1/' | sort -u |
		tr '\n' ' '
}

# wait_quiet PID SECS - wait for PID; if it still runs after SECS - 2 s,
# show the XTCP sockets of both namespaces (a stalled transfer) first
wait_quiet()
{
	local i

	for ((i = 0; i < ($2 - 2) * 10; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		ktap_info "iperf3 client still running after $(($2 - 2)) s; XTCP sockets:"
		ip netns exec "$NS_A" cat /proc/net/xtcp | sed 's/^/# A: /'
		ip netns exec "$NS_B" cat /proc/net/xtcp | sed 's/^/# B: /'
	fi
	wait "$1"
}

# iperf DIR(fwd|rev) NAME - iperf3 under xtcpize, client in B, server in A
iperf()
{
	local rflag=() pid rc a0 mbps opt

	[ "$1" = rev ] && rflag=(-R)
	PORT=$((PORT + 1))
	a0="$(proc_counter "$NS_B" ActiveOpens)"
	ip netns exec "$NS_A" timeout 60 "$XTCPIZE" run \
		iperf3 -4 -s -1 -B $SRV -p $PORT >"$WORK/isrv" 2>&1 &
	pid=$!
	if ! proc_listening xtcp "$NS_A" $PORT; then
		ktap_info "iperf3 server not listening over XTCP: $(head -3 "$WORK/isrv")"
		kill "$pid" 2>/dev/null
		wait "$pid"
		ktap_fail "$2"
		return
	fi
	ip netns exec "$NS_B" timeout 30 "$XTCPIZE" run iperf3 -4 -c $SRV \
		-p $PORT -t 1 -f m "${rflag[@]}" >"$WORK/icli" 2>&1 &
	wait_quiet $! 30
	rc=$?
	sed 's/^/# iperf3: /' "$WORK/icli"
	if [ $rc -ne 0 ]; then
		kill "$pid" 2>/dev/null
		wait "$pid"
		# which socket option was missing? rerun the client under strace
		ip netns exec "$NS_A" timeout 60 "$XTCPIZE" run \
			iperf3 -4 -s -1 -B $SRV -p $PORT >/dev/null 2>&1 &
		pid=$!
		proc_listening xtcp "$NS_A" $PORT
		ip netns exec "$NS_B" timeout 60 strace -f -o "$WORK/strace" \
			"$XTCPIZE" run iperf3 -4 -c $SRV -p $PORT -t 1 "${rflag[@]}" \
			>/dev/null 2>&1
		kill "$pid" 2>/dev/null
		wait "$pid"
		opt="$(missing_opt "$WORK/strace")"
		if [ -n "$opt" ]; then
			ktap_skip "$2" "XTCP refuses socket option(s) iperf3 needs: $opt(ENOPROTOOPT)"
		else
			ktap_fail "$2"
		fi
		return
	fi
	wait "$pid"
	mbps="$(awk '/receiver$/ { for (i = 1; i < NF; i++)
		if ($(i + 1) == "Mbits/sec") m = $i } END { print m }' "$WORK/icli")"
	ktap_info "iperf3 $1 over xtcpize: ${mbps:-?} Mbit/s," \
		"XTCP ActiveOpens +$(($(proc_counter "$NS_B" ActiveOpens) - a0))"
	# the control and the data connection are both XTCP
	if [ -n "$mbps" ] && [ "$(($(proc_counter "$NS_B" ActiveOpens) - a0))" -ge 2 ] &&
	   awk -v m="$mbps" 'BEGIN { exit !(m > 0) }'; then
		ktap_ok "$2"
	else
		ktap_fail "$2"
	fi
}

# 4-5: iperf3 both directions
iperf fwd iperf3_over_xtcpize
iperf rev iperf3_reverse_over_xtcpize

# 6: nothing of ours left on TCP in either namespace
rc=0
for p in 5400 5403 5404; do
	proc_port_in tcp "$NS_A" $p && rc=1
	proc_port_in tcp "$NS_B" $p && rc=1
done
ktap_result $rc "no_tcp_sockets_on_xtcpized_ports"

ktap_finish
