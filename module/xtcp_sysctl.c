// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP sysctls: the net.xtcp.* table, registered per network namespace and
 * pointing at that namespace's struct xtcp_net.
 */
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static int xtcp_one = 1;
static int xtcp_msl_max = 3600 * 1000;
static int xtcp_syn_retries_max = 127;
static int xtcp_rto_ms_max = XTCP_RTO_MAX_MS;
static int xtcp_retries_max = 255;
static int xtcp_keepalive_ms_max = XTCP_MAX_KEEPIDLE * 1000;
static int xtcp_keepcnt_max = XTCP_MAX_KEEPCNT;
static int xtcp_delack_ms_max = XTCP_DELACK_MAX_MS;

/*
 * An int sysctl of struct xtcp_net: .data holds the field's offset until
 * xtcp_sysctl_init_net() turns it into the namespace's address.
 */
#define XTCP_SYSCTL_INT(_name, _field, _min, _max) {			\
	.procname	= _name,					\
	.data		= (void *)offsetof(struct xtcp_net, _field),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= _min,						\
	.extra2		= _max,						\
}

static const struct ctl_table xtcp_sysctl_template[] = {
	/* TIME-WAIT lasts 2 * msl_ms (RFC 9293 §3.4.2) */
	XTCP_SYSCTL_INT("msl_ms", msl_ms, &xtcp_one, &xtcp_msl_max),
	/* SYN retransmissions before connect() gives ETIMEDOUT */
	XTCP_SYSCTL_INT("syn_retries", syn_retries, &xtcp_one,
			&xtcp_syn_retries_max),
	/* lifetime of an orphaned connection in FIN-WAIT-2 */
	XTCP_SYSCTL_INT("fin_timeout_ms", fin_timeout_ms, &xtcp_one,
			&xtcp_msl_max),
	/* 1: RST in TIME-WAIT is ignored (RFC 1337); 0: it ends it */
	XTCP_SYSCTL_INT("rfc1337", rfc1337, SYSCTL_ZERO, SYSCTL_ONE),
	/* challenge ACKs per second (RFC 5961 §7) */
	XTCP_SYSCTL_INT("challenge_ack_limit", challenge_ack_limit,
			SYSCTL_ZERO, NULL),
	/* RSTs per second for segments without a connection */
	XTCP_SYSCTL_INT("rst_limit", rst_limit, SYSCTL_ZERO, NULL),
	/* TIME-WAIT socks allowed in this namespace */
	XTCP_SYSCTL_INT("max_tw_buckets", tw_death_row.sysctl_max_tw_buckets,
			SYSCTL_ZERO, NULL),
	/* SYN-ACK retransmissions before a request is dropped */
	XTCP_SYSCTL_INT("synack_retries", synack_retries, &xtcp_one,
			&xtcp_syn_retries_max),
	/* 0: never, 1: when the SYN queue overflows, 2: always (RFC 4987) */
	XTCP_SYSCTL_INT("syncookies", syncookies, SYSCTL_ZERO, SYSCTL_TWO),
	/* 1: reset a handshake whose child finds the accept queue full */
	XTCP_SYSCTL_INT("abort_on_overflow", abort_on_overflow, SYSCTL_ZERO,
			SYSCTL_ONE),
	/* RFC 6298 §2.4 lower bound of the RTO */
	XTCP_SYSCTL_INT("rto_min_ms", rto_min_ms, &xtcp_one, &xtcp_rto_ms_max),
	/* RFC 6298 §2.5 upper bound of the RTO and its backoff */
	XTCP_SYSCTL_INT("rto_max_ms", rto_max_ms, &xtcp_one, &xtcp_rto_ms_max),
	/* RFC 6298 §2.1 RTO before the first RTT sample */
	XTCP_SYSCTL_INT("rto_initial_ms", rto_initial_ms, &xtcp_one,
			&xtcp_rto_ms_max),
	/* RFC 1122 §4.2.3.5 R2: retransmissions before ETIMEDOUT */
	XTCP_SYSCTL_INT("retries2", retries2, SYSCTL_ZERO, &xtcp_retries_max),
	/* the same for orphans; 0 means 8 */
	XTCP_SYSCTL_INT("orphan_retries", orphan_retries, SYSCTL_ZERO,
			&xtcp_retries_max),
	/* RFC 9293 §3.8.4 idle time before keep-alive probes */
	XTCP_SYSCTL_INT("keepalive_time_ms", keepalive_time_ms, &xtcp_one,
			&xtcp_keepalive_ms_max),
	/* time between keep-alive probes */
	XTCP_SYSCTL_INT("keepalive_intvl_ms", keepalive_intvl_ms, &xtcp_one,
			&xtcp_keepalive_ms_max),
	/* unanswered keep-alive probes before the connection dies */
	XTCP_SYSCTL_INT("keepalive_probes", keepalive_probes, &xtcp_one,
			&xtcp_keepcnt_max),
	/* delayed-ACK timeout, RFC 9293 §3.8.6.3 */
	XTCP_SYSCTL_INT("delack_ms", delack_ms, &xtcp_one, &xtcp_delack_ms_max),
	/* offer and accept RFC 7323 timestamps */
	XTCP_SYSCTL_INT("timestamps", timestamps, SYSCTL_ZERO, SYSCTL_ONE),
	/* offer and accept SACK-permitted (RFC 2018 §2) */
	XTCP_SYSCTL_INT("sack", sack, SYSCTL_ZERO, SYSCTL_ONE),
	/* report duplicate segments in D-SACK blocks (RFC 2883) */
	XTCP_SYSCTL_INT("dsack", dsack, SYSCTL_ZERO, SYSCTL_ONE),
	/* RFC 3168 §6.1.1: 0 off, 1 request and accept, 2 accept only */
	XTCP_SYSCTL_INT("ecn", ecn, SYSCTL_ZERO, SYSCTL_TWO),
	/* GSO skbs onto loopback and veth (xtcp_offload.c) */
	XTCP_SYSCTL_INT("gso", gso, SYSCTL_ZERO, SYSCTL_ONE),
	/* 1: send and receive buffers follow cwnd and the reader (xtcp_buf.c) */
	XTCP_SYSCTL_INT("moderate_buffers", moderate_buffers, SYSCTL_ZERO,
			SYSCTL_ONE),
	/* 1: RACK-TLP time-based loss detection and tail probes (RFC 8985) */
	XTCP_SYSCTL_INT("rack_tlp", rack_tlp, SYSCTL_ZERO, SYSCTL_ONE),
	{ }
};

/**
 * xtcp_sysctl_init_net() - register net.xtcp.* for @net
 * @net: namespace being created
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_sysctl_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;
	unsigned int i;

	table = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(xtcp_sysctl_template) - 1; i++)
		if (table[i].data)
			table[i].data = (char *)xn + (uintptr_t)table[i].data;

	xn->sysctl_hdr = register_net_sysctl(net, "net/xtcp", table);
	if (!xn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_sysctl_exit_net() - unregister net.xtcp.* of @net
 * @net: namespace going away
 */
void xtcp_sysctl_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;

	if (!xn->sysctl_hdr)
		return;
	table = xn->sysctl_hdr->ctl_table_arg;
	unregister_net_sysctl_table(xn->sysctl_hdr);
	xn->sysctl_hdr = NULL;
	kfree(table);
}
