#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ns_wrap.sh: run one XTCP selftest program between two fresh namespaces
# joined by veth, then delete them. The program learns the setup from:
#	XTCP_NS_A, XTCP_ADDR_A	server namespace and its address (10.88.1.1)
#	XTCP_NS_B, XTCP_ADDR_B	client namespace and its address (10.88.1.2)
# Optional: XTCP_NETEM="delay 5ms loss 1%" applies netem to both veth ends.
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

XTCP_NS_A="$(netns_name a)"
XTCP_NS_B="$(netns_name b)"
XTCP_ADDR_A=10.88.1.1
XTCP_ADDR_B=10.88.1.2
export XTCP_NS_A XTCP_NS_B XTCP_ADDR_A XTCP_ADDR_B

netns_run "$@"
