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

static const struct ctl_table xtcp_sysctl_template[] = {
	{
		/* TIME-WAIT lasts 2 * msl_ms (RFC 9293 §3.4.2) */
		.procname	= "msl_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_msl_max,
	},
	{
		/* SYN retransmissions before connect() gives ETIMEDOUT */
		.procname	= "syn_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_syn_retries_max,
	},
	{
		/* lifetime of an orphaned connection in FIN-WAIT-2 */
		.procname	= "fin_timeout_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_msl_max,
	},
	{
		/* 1: RST in TIME-WAIT is ignored (RFC 1337); 0: it ends it */
		.procname	= "rfc1337",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		/* challenge ACKs per second (RFC 5961 §7) */
		.procname	= "challenge_ack_limit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		/* RSTs per second for segments without a connection */
		.procname	= "rst_limit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		/* TIME-WAIT socks allowed in this namespace */
		.procname	= "max_tw_buckets",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		/* RFC 6298 §2.4 lower bound of the RTO */
		.procname	= "rto_min_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_rto_ms_max,
	},
	{
		/* RFC 6298 §2.5 upper bound of the RTO and its backoff */
		.procname	= "rto_max_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_rto_ms_max,
	},
	{
		/* RFC 6298 §2.1 RTO before the first RTT sample */
		.procname	= "rto_initial_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_rto_ms_max,
	},
	{
		/* RFC 1122 §4.2.3.5 R2: retransmissions before ETIMEDOUT */
		.procname	= "retries2",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_retries_max,
	},
	{
		/* the same for orphans; 0 means 8 */
		.procname	= "orphan_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_retries_max,
	},
	{
		/* RFC 9293 §3.8.4 idle time before keep-alive probes */
		.procname	= "keepalive_time_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_keepalive_ms_max,
	},
	{
		/* time between keep-alive probes */
		.procname	= "keepalive_intvl_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_keepalive_ms_max,
	},
	{
		/* unanswered keep-alive probes before the connection dies */
		.procname	= "keepalive_probes",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_keepcnt_max,
	},
	{
		/* delayed-ACK timeout, RFC 9293 §3.8.6.3 */
		.procname	= "delack_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_one,
		.extra2		= &xtcp_delack_ms_max,
	},
	{
		/* offer and accept RFC 7323 timestamps */
		.procname	= "timestamps",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
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

	table = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	table[0].data = &xn->msl_ms;
	table[1].data = &xn->syn_retries;
	table[2].data = &xn->fin_timeout_ms;
	table[3].data = &xn->rfc1337;
	table[4].data = &xn->challenge_ack_limit;
	table[5].data = &xn->rst_limit;
	table[6].data = &xn->tw_death_row.sysctl_max_tw_buckets;
	table[7].data = &xn->rto_min_ms;
	table[8].data = &xn->rto_max_ms;
	table[9].data = &xn->rto_initial_ms;
	table[10].data = &xn->retries2;
	table[11].data = &xn->orphan_retries;
	table[12].data = &xn->keepalive_time_ms;
	table[13].data = &xn->keepalive_intvl_ms;
	table[14].data = &xn->keepalive_probes;
	table[15].data = &xn->delack_ms;
	table[16].data = &xn->timestamps;

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
