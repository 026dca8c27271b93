#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ns_wrap.sh: run one XTCP selftest program between two fresh namespaces
# joined by veth, then delete them. The program learns the setup from:
#	XTCP_NS_A, XTCP_ADDR_A	server namespace and its address (10.88.1.1)
#	XTCP_NS_B, XTCP_ADDR_B	client namespace and its address (10.88.1.2)
#	XTCP_IF_A, XTCP_IF_B	the veth ends (xa0 in A, xb0 in B), for tests
#				that set their own qdisc or MTU
# Optional: XTCP_NETEM="delay 5ms loss 1%" applies netem to both veth ends.
# Optional: XTCP_PKT_PEER=10.88.1.3 (see pkt_wrap.sh) adds, in namespace A, a
# permanent neighbour entry sending that address (configured nowhere) to
# xb0's MAC, turns forwarding off in B, and exports XTCP_PKT_PEER plus
#	XTCP_PKT_IF_A, XTCP_PKT_IF_B	the veth ends (xa0 in A, xb0 in B)
#
# usage: ns_wrap.sh PROGRAM [ARGS...]

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"

if [ $# -lt 1 ]; then
	echo "usage: $0 PROGRAM [ARGS...]" >&2
	exit 2
fi

netns_init w
if ! netns_create a || ! netns_create b ||
   ! netns_veth a xa0 10.88.1.1/24 b xb0 10.88.1.2/24; then
	echo "Bail out! cannot set up the test namespaces"
	exit 1
fi
if [ -n "${XTCP_NETEM:-}" ]; then
	# shellcheck disable=SC2086
	netns_netem a xa0 $XTCP_NETEM || exit 1
	# shellcheck disable=SC2086
	netns_netem b xb0 $XTCP_NETEM || exit 1
fi

if [ -n "${XTCP_PKT_PEER:-}" ]; then
	mac_b="$(ip -n "$(netns_name b)" -br link show dev xb0 |
		awk '{ print $3 }')"
	if [ -z "$mac_b" ] ||
	   ! netns_exec b sh -c \
		'echo 0 > /proc/sys/net/ipv4/conf/all/forwarding' ||
	   ! ip -n "$(netns_name a)" neigh replace "$XTCP_PKT_PEER" \
		lladdr "$mac_b" dev xa0 nud permanent; then
		echo "Bail out! cannot set up the fake peer $XTCP_PKT_PEER"
		exit 1
	fi
	XTCP_PKT_IF_A=xa0
	XTCP_PKT_IF_B=xb0
	export XTCP_PKT_PEER XTCP_PKT_IF_A XTCP_PKT_IF_B
fi

XTCP_NS_A="$(netns_name a)"
XTCP_NS_B="$(netns_name b)"
XTCP_ADDR_A=10.88.1.1
XTCP_ADDR_B=10.88.1.2
XTCP_IF_A=xa0
XTCP_IF_B=xb0
export XTCP_NS_A XTCP_NS_B XTCP_ADDR_A XTCP_ADDR_B XTCP_IF_A XTCP_IF_B

netns_run "$@"
