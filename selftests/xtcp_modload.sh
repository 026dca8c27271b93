#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xtcp_modload.sh: module load/unload selftest (KTAP). Checks that insmod
# creates /proc/net/xtcp and rmmod removes it, that rmmod is refused while an
# XTCP socket, listener or connection is open and allowed once they are
# closed (TIME-WAIT included, once its namespace is gone), and that the
# kernel log stays free of BUG/WARNING/Oops lines. Leaves the module loaded.
#
# Environment: XTCP_KO (default /xtcp/xtcp.ko).

set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/ktap.sh
. "$here/lib/ktap.sh"
# shellcheck source=lib/netns.sh
. "$here/lib/netns.sh"

XTCP_KO="${XTCP_KO:-/xtcp/xtcp.ko}"
HOLD="$here/hold_socket"
MARK="xtcp_modload: start $$.$RANDOM"
BAD_LOG='BUG|WARNING|Oops|KASAN|UBSAN|general protection|Call Trace|circular locking|refcount_t|list_add corruption|list_del corruption|kmemleak|rcu.*stall'

loaded() { [ -d /sys/module/xtcp ]; }
proc_present() { [ -e /proc/net/xtcp ]; }

# unload_wait SECS - rmmod, retrying while the module is busy, up to SECS
# (namespace teardown, which frees TIME-WAIT sockets, is asynchronous).
unload_wait()
{
	local i

	for ((i = 0; i < $1 * 10; i++)); do
		rmmod xtcp 2>/dev/null && return 0
		loaded || return 0
		sleep 0.1
	done
	ktap_info "rmmod still failing after $1 s: $(rmmod xtcp 2>&1)," \
		"refcnt $(cat /sys/module/xtcp/refcnt 2>/dev/null)"
	return 1
}

# hold_start MODE - start hold_socket MODE as a coprocess; wait for READY.
hold_start()
{
	local line=""

	coproc HOLDP { "$HOLD" "$1"; }
	HOLD_PID=$HOLDP_PID
	HOLD_IN=${HOLDP[1]}
	if ! read -r -t 20 -u "${HOLDP[0]}" line || [ "$line" != READY ]; then
		ktap_info "hold_socket $1 did not start: '$line'"
		return 1
	fi
}

# hold_stop - let the coprocess close its sockets and wait for it.
hold_stop()
{
	exec {HOLD_IN}>&-
	wait "$HOLD_PID"
}

# busy_check MODE - with hold_socket MODE running, rmmod must fail and the
# module stay; once it exits, rmmod must succeed within 10 s.
busy_check()
{
	local mode="$1" ok=0 out

	if ! loaded && ! insmod "$XTCP_KO"; then
		ktap_fail "rmmod_refused_with_$mode"
		ktap_fail "rmmod_allowed_after_${mode}_closed"
		return
	fi
	if hold_start "$mode"; then
		if out=$(rmmod xtcp 2>&1); then
			ktap_info "rmmod succeeded with an open $mode"
			ok=1
		else
			ktap_info "rmmod refused as expected: $out"
		fi
		loaded || ok=1
		hold_stop
	else
		ok=1
	fi
	ktap_result $ok "rmmod_refused_with_$mode"
	unload_wait 10
	ktap_result $? "rmmod_allowed_after_${mode}_closed"
}

if [ ! -f "$XTCP_KO" ]; then
	ktap_header 1
	ktap_skip module_load_unload "module $XTCP_KO not found"
	ktap_finish
fi
ktap_header 11
echo "$MARK" > /dev/kmsg

# Start from an unloaded module.
if loaded; then
	unload_wait 60 || ktap_info "xtcp was loaded and busy at start"
fi

# 1-2: insmod creates /proc/net/xtcp and the family parameter.
insmod "$XTCP_KO"
rc=$?
ktap_result $rc "insmod"
proc_present
ktap_result $? "proc_net_xtcp_after_insmod"
fam="$(cat /sys/module/xtcp/parameters/family 2>/dev/null)"
ktap_info "family parameter: '${fam}'"

# 3-4: plain unconnected socket.
busy_check socket
# 5: /proc/net/xtcp goes away with the module.
if loaded; then
	ktap_fail "proc_net_xtcp_gone_after_rmmod"
else
	! proc_present
	ktap_result $? "proc_net_xtcp_gone_after_rmmod"
fi

# 6-7: a listener.
busy_check listen

# 8-9: an established connection between two namespaces; after close the
# client side sits in TIME-WAIT until its namespace is deleted.
netns_init m
rc=1
if insmod "$XTCP_KO" && netns_create a && netns_create b &&
   netns_veth a xa0 10.88.2.1/24 b xb0 10.88.2.2/24; then
	XTCP_NS_A="$(netns_name a)" XTCP_NS_B="$(netns_name b)"
	XTCP_ADDR_A=10.88.2.1 XTCP_ADDR_B=10.88.2.2
	export XTCP_NS_A XTCP_NS_B XTCP_ADDR_A XTCP_ADDR_B
	busy_conn=1
	if hold_start conn; then
		if rmmod xtcp 2>/dev/null || ! loaded; then
			ktap_info "rmmod succeeded with an open connection"
		else
			busy_conn=0
		fi
		hold_stop
		netns_exec b cat /proc/net/xtcp | sed 's/^/# /'
	fi
	ktap_result $busy_conn "rmmod_refused_with_connection"
	netns_cleanup
	unload_wait 10
	rc=$?
else
	ktap_fail "rmmod_refused_with_connection"
fi
ktap_result $rc "rmmod_allowed_after_netns_with_time_wait_deleted"

# 10: repeated load/unload cycles.
rc=0
for i in 1 2 3 4 5; do
	if ! insmod "$XTCP_KO"; then
		rc=1
		break
	fi
	if ! proc_present || ! rmmod xtcp || proc_present; then
		rc=1
		break
	fi
done
ktap_result $rc "load_unload_cycles"

# 11: leave the module loaded for what follows; the log must be clean.
loaded || insmod "$XTCP_KO"
bad="$(dmesg | sed -n "/$MARK/,\$p" | grep -E "$BAD_LOG")"
if [ -n "$bad" ]; then
	echo "$bad" | sed 's/^/# dmesg: /'
	ktap_fail "kernel_log_clean"
else
	ktap_ok "kernel_log_clean"
fi
ktap_finish
