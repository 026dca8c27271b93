#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pkt_wrap.sh: run one packet-level XTCP selftest (xtcp_pkt.h) between two
# fresh namespaces: ns_wrap.sh's setup (A 10.88.1.1 on xa0, B 10.88.1.2 on
# xb0) plus a fake peer address, by default 10.88.1.3, configured on no
# interface: A reaches it through a static neighbour entry pointing at xb0's
# MAC, where the test's AF_PACKET endpoint plays it, and B's kernel ignores
# it (not local, no forwarding).
#
# usage: pkt_wrap.sh PROGRAM [ARGS...]

here="$(cd "$(dirname "$0")" && pwd)"
XTCP_PKT_PEER="${XTCP_PKT_PEER:-10.88.1.3}"
export XTCP_PKT_PEER
exec "$here/ns_wrap.sh" "$@"
