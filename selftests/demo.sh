#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: XTCP demonstration for the guest. Loads the module if needed,
# joins two namespaces with veth, runs xtcp-echo as server in one and client
# in the other over socket(AF_XTCP, ...), prints the conversation and
# /proc/net/xtcp while the connection is open and after the client closed
# (its TIME-WAIT line, state 06), then cleans everything up.
#
# Environment: XTCP_KO (default /xtcp/xtcp.ko), XTCP_ECHO (the xtcp-echo
# binary; default /xtcp/tools/xtcp-echo, then ../tools next to this script).

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"

XTCP_KO="${XTCP_KO:-/xtcp/xtcp.ko}"
PORT=7007
SRV_ADDR=10.88.7.1
CLI_ADDR=10.88.7.2
loaded_here=0
srv_pid=""

ECHO="${XTCP_ECHO:-}"
for e in /xtcp/tools/xtcp-echo "$here/../tools/xtcp-echo" \
	 "$here/../tools/build/xtcp-echo"; do
	[ -z "$ECHO" ] && [ -x "$e" ] && ECHO="$e"
done
if [ -z "$ECHO" ]; then
	echo "demo: xtcp-echo not found (set XTCP_ECHO)" >&2
	exit 1
fi

say() { printf '\n=== %s\n' "$*"; }

demo_cleanup()
{
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	netns_cleanup
	if [ "$loaded_here" -eq 1 ]; then
		# The TIME-WAIT socket went with its namespace; that is async.
		for ((i = 0; i < 100; i++)); do
			rmmod xtcp 2>/dev/null && break
			sleep 0.1
		done
		[ -d /sys/module/xtcp ] && echo "demo: rmmod xtcp failed" >&2
	fi
}

# show_proc NS - /proc/net/xtcp of namespace NS, trailing padding trimmed.
show_proc()
{
	echo "--- /proc/net/xtcp in namespace $1"
	netns_exec "$1" cat /proc/net/xtcp | sed 's/ *$//'
}

# wait_listen - until the server's LISTEN line shows (bounded, 5 s).
wait_listen()
{
	local hexport i

	hexport=$(printf '%04X' $PORT)
	for ((i = 0; i < 50; i++)); do
		netns_exec srv cat /proc/net/xtcp 2>/dev/null |
			grep -q ":$hexport 00000000:0000 0A" && return 0
		sleep 0.1
	done
	return 1
}

netns_init demo
trap demo_cleanup EXIT

if [ ! -d /sys/module/xtcp ]; then
	say "insmod $XTCP_KO"
	insmod "$XTCP_KO" || exit 1
	loaded_here=1
fi
echo "AF_XTCP = $(cat /sys/module/xtcp/parameters/family 2>/dev/null || echo '?')"
modprobe -q veth 2>/dev/null

say "namespaces: srv ($SRV_ADDR) <-veth-> cli ($CLI_ADDR)"
netns_create srv && netns_create cli &&
	netns_veth srv xs0 "$SRV_ADDR/24" cli xc0 "$CLI_ADDR/24" || exit 1
netns_exec srv ip -4 -br addr show dev xs0
netns_exec cli ip -4 -br addr show dev xc0

say "server: xtcp-echo server $PORT (in srv)"
ip netns exec "$(netns_name srv)" "$ECHO" server -n 1 "$PORT" &
srv_pid=$!
wait_listen || { echo "demo: server did not start listening" >&2; exit 1; }

say "client: xtcp-echo client $SRV_ADDR $PORT (in cli)"
coproc CLIENT {
	netns_exec cli "$ECHO" client -w "$SRV_ADDR" "$PORT" \
		"hello over XTCP" "IP protocol 253, TCP's header" "bye" 2>&1
}
cli_pid=$CLIENT_PID
cli_in=${CLIENT[1]}
while read -r -t 15 -u "${CLIENT[0]}" line; do
	echo "$line"
	case "$line" in
	*"connection open"*) break ;;
	esac
done

say "connection open: ESTABLISHED (01) on both sides, LISTEN (0A) on srv"
show_proc srv
show_proc cli

say "client closes first (active close)"
exec {cli_in}>&-
while read -r -t 15 -u "${CLIENT[0]}" line; do
	echo "$line"
done
wait "$cli_pid"
cli_rc=$?
wait "$srv_pid"
srv_pid=""

say "after close: the client's side is in TIME-WAIT (06)"
# The server's FIN may still be in flight (FIN-WAIT-2, 05): wait up to 5 s.
for ((i = 0; i < 50; i++)); do
	netns_exec cli cat /proc/net/xtcp | grep -q ":$(printf '%04X' $PORT) 06 " &&
		break
	sleep 0.1
done
show_proc cli
show_proc srv
if netns_exec cli cat /proc/net/xtcp | grep -q ":$(printf '%04X' $PORT) 06 "; then
	echo "TIME-WAIT line present"
else
	echo "demo: no TIME-WAIT line" >&2
	cli_rc=1
fi
say "done (client exit status $cli_rc)"
exit "$cli_rc"
