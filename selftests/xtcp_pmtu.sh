#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xtcp_pmtu.sh: path MTU discovery across a router (KTAP). B -- R -- A, where
# R forwards onto a link of MTU 1280 while A's own end (and so the MSS A
# announces) stays at 1500. XTCP's full-sized segments leave B with DF set,
# R answers them with ICMP "fragmentation needed", and B must lower its MSS
# (PmtuReductions) and resend, or the transfer never completes.
#  - a random 4 MiB file moved B -> A with socat under xtcpize, GSO skbs on
#    (net.xtcp.gso = 1): sha256 matches, PmtuReductions rose in B;
#  - the same with one skb per segment (net.xtcp.gso = 0).

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
SRV=10.88.7.2
PORT=5500
WORK="$(mktemp -d /tmp/xtcp-pmtu.XXXXXX)"
NCASES=4

ktap_header $NCASES

if [ ! -x "$XTCPIZE" ] || [ ! -r "$TOOLS/libxtcpize.so" ] ||
   ! command -v socat >/dev/null || [ ! -e /proc/net/xtcp ]; then
	ktap_skip_all $NCASES pmtu_case "needs xtcpize, socat and xtcp.ko"
fi

netns_init p
if ! netns_create a || ! netns_create r || ! netns_create b ||
   ! netns_veth b xb0 10.88.6.2/24 r xr0 10.88.6.1/24 ||
   ! netns_veth r xr1 10.88.7.1/24 a xa0 $SRV/24 ||
   ! ip -n "$(netns_name r)" link set xr1 mtu 1280 ||
   ! ip -n "$(netns_name b)" route add default via 10.88.6.1 ||
   ! ip -n "$(netns_name a)" route add default via 10.88.7.1 ||
   ! netns_exec r sysctl -qw net.ipv4.ip_forward=1; then
	ktap_info "cannot set up the namespaces"
	ktap_fail_all $NCASES pmtu_case
fi
NS_A="$(netns_name a)"
NS_B="$(netns_name b)"
trap 'rm -rf "$WORK"; netns_cleanup' EXIT

# copy_ok - move $WORK/in from B to A over XTCP; true when it arrived intact
copy_ok()
{
	local pid rc

	rm -f "$WORK/out"
	PORT=$((PORT + 1))
	ip netns exec "$NS_A" timeout 60 "$XTCPIZE" run socat -u \
		"TCP4-LISTEN:$PORT,bind=$SRV,reuseaddr" "CREATE:$WORK/out" \
		2>"$WORK/srv.err" &
	pid=$!
	proc_listening xtcp "$NS_A" $PORT
	ip netns exec "$NS_B" timeout 60 "$XTCPIZE" run socat -u \
		"OPEN:$WORK/in" "TCP4:$SRV:$PORT" 2>"$WORK/cli.err"
	rc=$?
	wait $pid || rc=1
	[ $rc -eq 0 ] || ktap_info "socat: $(cat "$WORK/srv.err" "$WORK/cli.err")"
	[ $rc -eq 0 ] && [ -f "$WORK/out" ] &&
		[ "$(sha256sum <"$WORK/in")" = "$(sha256sum <"$WORK/out")" ]
}

dd if=/dev/urandom of="$WORK/in" bs=64k count=64 status=none

for gso in 1 0; do
	netns_exec b sh -c "echo $gso > /proc/sys/net/xtcp/gso"
	r0="$(proc_counter "$NS_B" PmtuReductions)"
	copy_ok
	ktap_result $? "pmtu_gso${gso}_transfer_intact"
	r1="$(proc_counter "$NS_B" PmtuReductions)"
	ktap_info "gso $gso: PmtuReductions ${r0:-?} -> ${r1:-?}"
	[ -n "$r0" ] && [ -n "$r1" ] && [ "$r1" -gt "$r0" ]
	ktap_result $? "pmtu_gso${gso}_mss_lowered"
	# a new connection starts from the route's learned MTU: flush it
	ip -n "$NS_B" route flush cache 2>/dev/null
done

ktap_finish
