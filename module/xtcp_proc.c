// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp: every XTCP socket of the namespace — listeners, request
 * socks, connections and TIME-WAIT socks — in /proc/net/tcp's columns;
 * /proc/net/xtcp_stat: the namespace's counters.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/sock.h>

#include "xtcp.h"

#define XTCP_PROC_WIDTH	149

static int xtcp_timer_info(const struct sock *sk, unsigned long *expires)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);

	/* the probe and reordering timers stand in for the RTO (as on Linux) */
	if (icsk->icsk_pending == ICSK_TIME_RETRANS ||
	    icsk->icsk_pending == ICSK_TIME_LOSS_PROBE ||
	    icsk->icsk_pending == ICSK_TIME_REO_TIMEOUT) {
		*expires = icsk->icsk_timeout;
		return 1;
	}
	if (icsk->icsk_pending == ICSK_TIME_PROBE0) {
		*expires = icsk->icsk_timeout;
		return 4;
	}
	if (timer_pending(&icsk->icsk_keepalive_timer)) {
		*expires = icsk->icsk_keepalive_timer.expires;
		return 2;
	}
	*expires = jiffies;
	return 0;
}

static void xtcp_show_sock(struct seq_file *f, struct sock *sk, int i)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct inet_sock *inet = inet_sk(sk);
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int state = inet_sk_state_load(sk);
	unsigned long expires;
	int timer, rx, tx;

	timer = xtcp_timer_info(sk, &expires);
	if (state == TCP_LISTEN) {
		rx = READ_ONCE(sk->sk_ack_backlog);
		tx = 0;
	} else {
		rx = max_t(int, READ_ONCE(xs->rcv_nxt) -
				READ_ONCE(xs->copied_seq), 0);
		tx = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
	}
	/* the last two columns (cwnd, ssthresh) wait for congestion control */
	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d",
		   i, inet->inet_rcv_saddr, ntohs(inet->inet_sport),
		   inet->inet_daddr, ntohs(inet->inet_dport), state, tx, rx,
		   timer, jiffies_delta_to_clock_t(expires - jiffies),
		   icsk->icsk_retransmits,
		   from_kuid_munged(seq_user_ns(f), sock_i_uid(sk)),
		   icsk->icsk_probes_out, sock_i_ino(sk),
		   refcount_read(&sk->sk_refcnt), sk,
		   jiffies_to_clock_t(icsk->icsk_rto),
		   jiffies_to_clock_t(icsk->icsk_ack.ato), 0U, 0U, 0);
}

static void xtcp_show_req(struct seq_file *f, const struct request_sock *req,
			  int i)
{
	const struct inet_request_sock *ireq = inet_rsk(req);
	long ttd = req->rsk_timer.expires - jiffies;

	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %u %d %pK",
		   i, ireq->ir_loc_addr, ireq->ir_num, ireq->ir_rmt_addr,
		   ntohs(ireq->ir_rmt_port), TCP_SYN_RECV, 0, 0, 1,
		   jiffies_delta_to_clock_t(ttd), req->num_timeout,
		   from_kuid_munged(seq_user_ns(f),
				    sock_i_uid(req->rsk_listener)),
		   0, 0, 0, req);
}

static void xtcp_show_tw(struct seq_file *f,
			 const struct inet_timewait_sock *tw, int i)
{
	long delta = tw->tw_timer.expires - jiffies;

	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK",
		   i, tw->tw_rcv_saddr, ntohs(tw->tw_sport), tw->tw_daddr,
		   ntohs(tw->tw_dport), tw->tw_substate, 0, 0, 3,
		   jiffies_delta_to_clock_t(delta), 0, 0, 0, 0,
		   refcount_read(&tw->tw_refcnt), tw);
}

/* one line per entry of @head that belongs to @net */
static void xtcp_show_chain(struct seq_file *seq, struct net *net,
			    struct hlist_nulls_head *head, int *line)
{
	struct hlist_nulls_node *node;
	struct sock *sk;

	sk_nulls_for_each(sk, node, head) {
		if (!net_eq(sock_net(sk), net))
			continue;
		seq_setwidth(seq, XTCP_PROC_WIDTH);
		if (sk->sk_state == TCP_TIME_WAIT)
			xtcp_show_tw(seq, inet_twsk(sk), *line);
		else if (sk->sk_state == TCP_NEW_SYN_RECV)
			xtcp_show_req(seq, inet_reqsk(sk), *line);
		else
			xtcp_show_sock(seq, sk, *line);
		seq_pad(seq, '\n');
		(*line)++;
	}
}

/*
 * Listeners (lhash2), then request, established and TIME-WAIT socks
 * (ehash), each bucket under its own lock.
 */
static int xtcp_seq_show(struct seq_file *seq, void *v)
{
	struct inet_hashinfo *h = &xtcp_hashinfo;
	struct net *net = seq_file_single_net(seq);
	unsigned int i;
	int line = 0;

	seq_setwidth(seq, XTCP_PROC_WIDTH);
	seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	seq_pad(seq, '\n');

	for (i = 0; i <= h->lhash2_mask; i++) {
		struct inet_listen_hashbucket *ilb = &h->lhash2[i];

		if (hlist_nulls_empty(&ilb->nulls_head))
			continue;
		spin_lock_bh(&ilb->lock);
		xtcp_show_chain(seq, net, &ilb->nulls_head, &line);
		spin_unlock_bh(&ilb->lock);
	}
	for (i = 0; i <= h->ehash_mask; i++) {
		spinlock_t *lock = inet_ehash_lockp(h, i);

		if (hlist_nulls_empty(&h->ehash[i].chain))
			continue;
		spin_lock_bh(lock);
		xtcp_show_chain(seq, net, &h->ehash[i].chain, &line);
		spin_unlock_bh(lock);
	}
	return 0;
}

static const char * const xtcp_mib_names[] = {
	[XTCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]		= "PassiveOpens",
	[XTCP_MIB_ATTEMPTFAILS]		= "AttemptFails",
	[XTCP_MIB_ESTABRESETS]		= "EstabResets",
	[XTCP_MIB_CURRESTAB]		= "CurrEstab",
	[XTCP_MIB_INSEGS]		= "InSegs",
	[XTCP_MIB_OUTSEGS]		= "OutSegs",
	[XTCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[XTCP_MIB_FASTRETRANS]		= "FastRetransmits",
	[XTCP_MIB_INERRS]		= "InErrs",
	[XTCP_MIB_INCSUMERRORS]		= "InCsumErrors",
	[XTCP_MIB_INBADHEADER]		= "InBadHeader",
	[XTCP_MIB_INBADFLAGS]		= "InBadFlags",
	[XTCP_MIB_INBADOPTIONS]		= "InBadOptions",
	[XTCP_MIB_OUTRSTS]		= "OutRsts",
	[XTCP_MIB_RSTLIMITED]		= "RstLimited",
	[XTCP_MIB_CHALLENGEACKS]	= "ChallengeACKs",
	[XTCP_MIB_CHALLENGEACKLIMITED]	= "ChallengeACKLimited",
	[XTCP_MIB_RTOTIMEOUTS]		= "RtoTimeouts",
	[XTCP_MIB_CONNTIMEOUTS]		= "ConnTimeouts",
	[XTCP_MIB_USERTIMEOUTS]		= "UserTimeouts",
	[XTCP_MIB_KEEPALIVEPROBES]	= "KeepAliveProbes",
	[XTCP_MIB_KEEPALIVETIMEOUTS]	= "KeepAliveTimeouts",
	[XTCP_MIB_DELAYEDACKS]		= "DelayedACKs",
	[XTCP_MIB_PAWSDROPS]		= "PAWSDrops",
	[XTCP_MIB_INNOTIMESTAMP]	= "InNoTimestamp",
	[XTCP_MIB_TWRSTIGNORED]		= "TwRstIgnored",
	[XTCP_MIB_TWKILLED]		= "TWKilled",
	[XTCP_MIB_TWRECYCLED]		= "TwRecycled",
	[XTCP_MIB_TWOVERFLOW]		= "TwOverflow",
	[XTCP_MIB_LISTENSYNS]		= "ListenSyns",
	[XTCP_MIB_OUTSYNACKS]		= "OutSynAcks",
	[XTCP_MIB_SYNACKRETRANS]	= "SynAckRetrans",
	[XTCP_MIB_REQTIMEOUTS]		= "ReqTimeouts",
	[XTCP_MIB_SYNQUEUEOVERFLOWS]	= "SynQueueOverflows",
	[XTCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[XTCP_MIB_LISTENDROPS]		= "ListenDrops",
	[XTCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[XTCP_MIB_SYNDATADROPPED]	= "SynDataDropped",
	[XTCP_MIB_SYNBADADDR]		= "SynBadAddr",
	[XTCP_MIB_WINPROBES]		= "ZeroWindowProbes",
	[XTCP_MIB_RCVMEMDROPS]		= "RcvMemDrops",
	[XTCP_MIB_SACKRECOVERY]		= "SackRecovery",
	[XTCP_MIB_SACKRENEGING]		= "SackReneging",
	[XTCP_MIB_DSACKSENT]		= "DSackSent",
	[XTCP_MIB_DSACKRECV]		= "DSackRecv",
	[XTCP_MIB_ECNNEGOTIATED]	= "ECNNegotiated",
	[XTCP_MIB_INCES]		= "InCEs",
	[XTCP_MIB_ECEREDUCTIONS]	= "ECEReductions",
	[XTCP_MIB_OUTCWRS]		= "OutCWRs",
	[XTCP_MIB_OUTGSOSKBS]		= "OutGsoSkbs",
	[XTCP_MIB_GSOSEGMENTED]		= "GsoSegmented",
	[XTCP_MIB_BACKLOGDROPS]		= "BacklogDrops",
	[XTCP_MIB_RCVQUEUEDROPS]	= "RcvQueueDrops",
	[XTCP_MIB_PMTUREDUCTIONS]	= "PmtuReductions",
	[XTCP_MIB_TLPPROBES]		= "TailLossProbes",
	[XTCP_MIB_TLPRECOVERIES]	= "TailLossRecoveries",
	[XTCP_MIB_RACKLOST]		= "RackLostSegs",
	[XTCP_MIB_RACKREOTIMEOUTS]	= "RackReoTimeouts",
};

static_assert(ARRAY_SIZE(xtcp_mib_names) == XTCP_MIB_MAX);

/* /proc/net/xtcp_stat: "Name Value" per counter, summed over CPUs */
static int xtcp_stat_show(struct seq_file *seq, void *v)
{
	struct xtcp_net *xn = xtcp_pernet(seq_file_single_net(seq));
	int i, cpu;

	for (i = 0; i < XTCP_MIB_MAX; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(xn->mib, cpu)->mibs[i];
		/* CurrEstab is a gauge whose per-CPU parts may be negative */
		seq_printf(seq, "%s %ld\n", xtcp_mib_names[i], (long)sum);
	}
	return 0;
}

/**
 * xtcp_proc_init_net() - create /proc/net/xtcp and xtcp_stat in @net
 * @net: namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single("xtcp", 0444, net->proc_net,
				    xtcp_seq_show, NULL))
		return -ENOMEM;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_stat_show, NULL)) {
		remove_proc_entry("xtcp", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_proc_exit_net() - remove /proc/net/xtcp and xtcp_stat from @net
 * @net: namespace
 */
void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("xtcp_stat", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
