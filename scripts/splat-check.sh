#!/bin/bash
# Scans a guest serial log for kernel error reports (oops, WARN, BUG, KASAN, UBSAN, lockdep,
# RCU stalls, hung tasks, kmemleak). Only kernel lines (with a printk timestamp) and the
# kmemleak section printed by the guest /init are considered, so test output cannot trigger it.
#
# Usage: scripts/splat-check.sh LOGFILE [LABEL]
# Exit: 0 clean, 1 splat found (matching lines printed to stdout), 2 usage error.
set -euo pipefail

log=${1:?usage: splat-check.sh LOGFILE [LABEL]}
label=${2:-}
[[ -r $log ]] || { echo "splat-check: cannot read $log" >&2; exit 2; }

patterns=(
	'BUG:' 'WARNING:' 'Oops' 'general protection fault' 'Kernel panic' 'kernel BUG at'
	'KASAN:' 'UBSAN:' 'possible circular locking' 'possible recursive locking'
	'inconsistent lock state' 'suspicious RCU usage' 'rcu_sched self-detected stall'
	'rcu: INFO:' 'detected stalls on CPUs' 'blocked for more than' 'unreferenced object'
	'kmemleak:.*new suspected' 'Kernel memory leak detector disabled'
	'stack-protector:' 'ODEBUG:' 'list_(add|del) corruption' 'refcount_t:'
	'Unable to handle kernel' 'BUG kmalloc' 'Poison overwritten' 'Redzone overwritten'
	'Call Trace:' 'trying to register non-static key'
	'turning off the locking correctness validator' 'irq lock inversion'
	'lock held when returning to user space' 'bad unlock balance'
)
# Any kernel stack dump ("Call Trace:") counts: the kernel prints one only with a report.
# Benign lines that mention nothing above but are listed here in case a future kernel
# rewords them; matched lines containing these are never splats.
benign='loading out-of-tree module taints kernel|module verification failed'

pat=$(IFS='|'; echo "${patterns[*]}")
ts='\[ *[0-9]+\.[0-9]+\]'

hits=$(tr -d '\r' <"$log" |
	awk '/=== XTCP KMEMLEAK BEGIN ===/ {k=1; next} /=== XTCP KMEMLEAK END ===/ {k=0; next} !k' |
	grep -E "$ts.*($pat)" | grep -Ev "$benign" || true)
leaks=$(tr -d '\r' <"$log" |
	awk '/=== XTCP KMEMLEAK END ===/ {k=0} k && NF {print} /=== XTCP KMEMLEAK BEGIN ===/ {k=1}' || true)

[[ -z $hits && -z $leaks ]] && exit 0

echo "!! KERNEL SPLAT DETECTED${label:+ on the $label kernel} (log: $log)"
if [[ -n $hits ]]; then
	printf '%s\n' "$hits" | awk '!seen[$0]++' | head -n 40 | sed 's/^/!!   /'
fi
if [[ -n $leaks ]]; then
	echo "!! kmemleak report is not empty:"
	printf '%s\n' "$leaks" | head -n 40 | sed 's/^/!!   /'
fi
exit 1
