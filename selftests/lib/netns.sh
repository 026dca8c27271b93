# SPDX-License-Identifier: GPL-2.0
#
# Network-namespace helper library for the XTCP selftests (bash, sourced).
# Owns: creating the project's own test namespaces with a unique name prefix,
# veth links between them, IPv4 addressing (10.88.x.y/24), optional qdiscs
# (netem/tbf) and the guaranteed cleanup of everything it created.
#
# Usage:
#	. lib/netns.sh
#	netns_init                       # unique prefix + EXIT/INT/TERM traps
#	netns_create a; netns_create b   # namespaces "<prefix>a", "<prefix>b"
#	netns_veth a xa0 10.88.1.1/24 b xb0 10.88.1.2/24
#	netns_qdisc a xa0 netem delay 10ms loss 1%
#	netns_exec a ip addr
#	ip netns exec "$(netns_name a)" ...
#
# Every namespace made through netns_create is deleted by netns_cleanup, which
# netns_init installs as the EXIT trap (INT and TERM exit through it too).
# Nothing here touches interfaces or addresses outside these namespaces.

# Prefix of every namespace this library creates; NETNS_ALL_PREFIX is common
# to all instances so a runner can sweep leftovers after a killed test.
NETNS_ALL_PREFIX="xtcpt-"
NETNS_PREFIX=""
NETNS_CREATED=()
NETNS_CHILD=""

# netns_log MSG... - print a KTAP diagnostic line ("# ...") on stdout.
netns_log()
{
	echo "# netns: $*"
}

# netns_init [TAG] - choose a unique prefix "xtcpt-<TAG><pid>-<rand>-" and
# install the cleanup traps. Call once, before netns_create.
netns_init()
{
	local tag="${1:-}"

	NETNS_PREFIX="${NETNS_ALL_PREFIX}${tag}$$-${RANDOM}-"
	NETNS_CREATED=()
	trap netns_cleanup EXIT
	trap 'netns_on_signal' INT TERM HUP
}

# netns_on_signal - signal trap: stop the child started by netns_run, then
# exit; the EXIT trap removes the namespaces.
netns_on_signal()
{
	trap - INT TERM HUP
	if [ -n "$NETNS_CHILD" ]; then
		kill -TERM "$NETNS_CHILD" 2>/dev/null
		kill -KILL "$NETNS_CHILD" 2>/dev/null
	fi
	exit 143
}

# netns_name NAME - print the full namespace name for short name NAME.
netns_name()
{
	echo "${NETNS_PREFIX}$1"
}

# netns_create NAME - create namespace <prefix>NAME and bring its loopback up.
# Must not run in a subshell (it records the name for cleanup). Returns
# non-zero on failure.
netns_create()
{
	local ns

	[ -n "$NETNS_PREFIX" ] || netns_init
	ns="$(netns_name "$1")"
	if ! ip netns add "$ns"; then
		netns_log "cannot create namespace $ns"
		return 1
	fi
	NETNS_CREATED+=("$ns")
	ip -n "$ns" link set lo up || return 1
}

# netns_exec NAME CMD... - run CMD inside namespace <prefix>NAME.
netns_exec()
{
	local ns

	ns="$(netns_name "$1")"
	shift
	ip netns exec "$ns" "$@"
}

# netns_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2 - create a veth pair with end IF1 in
# namespace NS1 and end IF2 in NS2 (created directly inside them, so host
# interface names never clash), assign the CIDR addresses ADDR1/ADDR2 (either
# may be "-" for none) and bring both ends up.
netns_veth()
{
	local ns1 ns2

	ns1="$(netns_name "$1")"
	ns2="$(netns_name "$4")"
	if ! ip -n "$ns1" link add "$2" type veth peer name "$5" netns "$ns2"; then
		netns_log "cannot create veth $2/$5 (is veth available?)"
		return 1
	fi
	if [ "$3" != "-" ]; then
		ip -n "$ns1" addr add "$3" dev "$2" || return 1
	fi
	if [ "$6" != "-" ]; then
		ip -n "$ns2" addr add "$6" dev "$5" || return 1
	fi
	ip -n "$ns1" link set "$2" up || return 1
	ip -n "$ns2" link set "$5" up || return 1
}

# netns_addr_wait NS ADDR - wait (bounded, 5 s) until address ADDR (no
# prefix length) is usable in NS, i.e. not tentative. IPv4 has no DAD, so this
# normally returns at once; it guards against slow link-up on veth.
netns_addr_wait()
{
	local ns i

	ns="$(netns_name "$1")"
	for ((i = 0; i < 50; i++)); do
		if ip -n "$ns" -4 addr show | grep -q "inet $2/" &&
		   ! ip -n "$ns" -4 addr show | grep "inet $2/" | grep -q tentative; then
			return 0
		fi
		sleep 0.1
	done
	netns_log "address $2 not ready in $ns"
	return 1
}

# netns_qdisc NS IF QDISC [ARGS...] - replace the root qdisc of IF in NS, for
# example: netns_qdisc a xa0 netem delay 20ms loss 2%
netns_qdisc()
{
	local ns dev

	ns="$(netns_name "$1")"
	dev="$2"
	shift 2
	if ! ip netns exec "$ns" tc qdisc replace dev "$dev" root "$@"; then
		netns_log "tc qdisc $* on $dev failed (sch_${1} missing?)"
		return 1
	fi
}

# netns_netem NS IF ARGS... - shorthand for netns_qdisc NS IF netem ARGS...
netns_netem()
{
	local ns="$1" dev="$2"

	shift 2
	netns_qdisc "$ns" "$dev" netem "$@"
}

# netns_tbf NS IF RATE [BURST [LATENCY]] - rate-limit IF with a token bucket
# (defaults: burst 32kbit, latency 50ms).
netns_tbf()
{
	netns_qdisc "$1" "$2" tbf rate "$3" burst "${4:-32kbit}" \
		latency "${5:-50ms}"
}

# netns_run CMD... - run CMD in the foreground in a way that INT/TERM reach
# it (the traps kill it) and return its exit status.
netns_run()
{
	local rc

	"$@" &
	NETNS_CHILD=$!
	wait "$NETNS_CHILD"
	rc=$?
	NETNS_CHILD=""
	return $rc
}

# netns_busy NS - true if NS holds an XTCP socket other than TIME-WAIT
# (state 06 in /proc/net/xtcp): a connection still closing.
netns_busy()
{
	ip netns exec "$1" cat /proc/net/xtcp 2>/dev/null |
		awk 'NR > 1 && $4 != "06" { busy = 1 } END { exit !busy }'
}

# netns_settle SECS - wait up to SECS for the connections the test closed
# to finish their close handshakes (FIN retransmissions, LAST-ACK), so that
# deleting the namespaces leaves no orphan retransmitting to a dead link.
netns_settle()
{
	local ns i

	for ns in "${NETNS_CREATED[@]}"; do
		for ((i = 0; i < $1 * 20; i++)); do
			netns_busy "$ns" || break
			sleep 0.05
		done
		netns_busy "$ns" && netns_log "$ns: sockets still closing after $1 s"
	done
}

# netns_cleanup - delete every namespace created by this instance. Installed
# as the EXIT trap by netns_init; safe to call more than once.
netns_cleanup()
{
	local ns

	netns_settle 10
	for ns in "${NETNS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	NETNS_CREATED=()
}

# netns_sweep_all - delete every namespace of any instance of this library
# (name starts with NETNS_ALL_PREFIX). For runners, after a killed test.
netns_sweep_all()
{
	local ns

	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case "$ns" in
		"$NETNS_ALL_PREFIX"*)
			ip netns del "$ns" 2>/dev/null
			;;
		esac
	done
}
