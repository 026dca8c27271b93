# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# /proc helpers for the XTCP selftest scripts (bash, sourced): counters of
# /proc/net/xtcp_stat and sockets of /proc/net/{xtcp,tcp}, read inside a
# test namespace.

# proc_counter NS NAME - value of an XTCP counter in namespace NS
proc_counter()
{
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/xtcp_stat
}

# proc_port_in FILE NS PORT - true if /proc/net/FILE in NS has a socket on PORT
proc_port_in()
{
	local hex

	hex="$(printf '%04X' "$3")"
	ip netns exec "$2" cat "/proc/net/$1" |
		awk -v p=":$hex" 'NR > 1 && ($2 ~ p"$" || $3 ~ p"$") { f = 1 }
				  END { exit !f }'
}

# proc_listening FILE NS PORT - wait (5 s) for a listener on PORT in /proc/net/FILE
proc_listening()
{
	local hex i

	hex="$(printf '%04X' "$3")"
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$2" cat "/proc/net/$1" |
			awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 }
					  END { exit !f }' && return 0
		sleep 0.05
	done
	return 1
}
