/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP tracepoints: xtcp:xtcp_cwnd fires on every change of a socket's
 * congestion window or slow-start threshold (kernels with tracing:
 * /sys/kernel/tracing/events/xtcp/xtcp_cwnd).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#if !defined(_XTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XTCP_TRACE_H

#include <linux/tracepoint.h>
#include <net/sock.h>

TRACE_EVENT(xtcp_cwnd,
	    TP_PROTO(const struct sock *sk, u32 cwnd, u32 ssthresh,
		     u8 ca_state, u8 reason),
	    TP_ARGS(sk, cwnd, ssthresh, ca_state, reason),
	    TP_STRUCT__entry(__field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u32, cwnd)
			     __field(__u32, ssthresh)
			     __field(__u8, ca_state)
			     __field(__u8, reason)),
	    TP_fast_assign(__entry->sport = sk->sk_num;
			   __entry->dport = ntohs(sk->sk_dport);
			   __entry->cwnd = cwnd;
			   __entry->ssthresh = ssthresh;
			   __entry->ca_state = ca_state;
			   __entry->reason = reason;),
	    TP_printk("sport=%u dport=%u cwnd=%u ssthresh=%u ca_state=%u reason=%u",
		      __entry->sport, __entry->dport, __entry->cwnd,
		      __entry->ssthresh, __entry->ca_state, __entry->reason)
);

#endif /* _XTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xtcp_trace
#include <trace/define_trace.h>
