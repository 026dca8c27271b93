// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp: every XTCP socket of the namespace — listeners, request
 * socks, connections and TIME-WAIT socks — in /proc/net/tcp's columns.
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

/*
 * Iteration walks lhash2 buckets, then ehash buckets, holding the lock of
 * the bucket the current entry is in between ->start/->next and ->stop.
 */
struct xtcp_iter_state {
	struct seq_net_private p;
	unsigned int bucket;	/* lhash2 buckets first, then ehash */
	bool locked;
};

static unsigned int xtcp_nr_lbuckets(void)
{
	return xtcp_hashinfo.lhash2_mask + 1;
}

static unsigned int xtcp_nr_buckets(void)
{
	return xtcp_nr_lbuckets() + xtcp_hashinfo.ehash_mask + 1;
}

static bool xtcp_bucket_empty(unsigned int b)
{
	unsigned int nl = xtcp_nr_lbuckets();

	if (b < nl)
		return hlist_nulls_empty(&xtcp_hashinfo.lhash2[b].nulls_head);
	return hlist_nulls_empty(&xtcp_hashinfo.ehash[b - nl].chain);
}

static void xtcp_bucket_lock(struct xtcp_iter_state *st)
{
	unsigned int nl = xtcp_nr_lbuckets();

	if (st->bucket < nl)
		spin_lock_bh(&xtcp_hashinfo.lhash2[st->bucket].lock);
	else
		spin_lock_bh(inet_ehash_lockp(&xtcp_hashinfo, st->bucket - nl));
	st->locked = true;
}

static void xtcp_bucket_unlock(struct xtcp_iter_state *st)
{
	unsigned int nl = xtcp_nr_lbuckets();

	if (!st->locked)
		return;
	if (st->bucket < nl)
		spin_unlock_bh(&xtcp_hashinfo.lhash2[st->bucket].lock);
	else
		spin_unlock_bh(inet_ehash_lockp(&xtcp_hashinfo, st->bucket - nl));
	st->locked = false;
}

static struct hlist_nulls_head *xtcp_bucket_head(unsigned int b)
{
	unsigned int nl = xtcp_nr_lbuckets();

	if (b < nl)
		return &xtcp_hashinfo.lhash2[b].nulls_head;
	return &xtcp_hashinfo.ehash[b - nl].chain;
}

/* first entry of @net at or after @sk's successor in the current bucket,
 * moving on to later buckets; returns with that bucket locked
 */
static struct sock *xtcp_walk(struct seq_file *seq, struct sock *sk)
{
	struct xtcp_iter_state *st = seq->private;
	struct net *net = seq_file_net(seq);
	struct hlist_nulls_node *node;

	if (sk) {
		sk = sk_nulls_next(sk);
		goto scan;
	}
	for (; st->bucket < xtcp_nr_buckets(); st->bucket++) {
		if (xtcp_bucket_empty(st->bucket))
			continue;
		xtcp_bucket_lock(st);
		sk = sk_nulls_head(xtcp_bucket_head(st->bucket));
scan:
		sk_nulls_for_each_from(sk, node) {
			if (net_eq(sock_net(sk), net))
				return sk;
		}
		xtcp_bucket_unlock(st);
	}
	return NULL;
}

static void *xtcp_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct xtcp_iter_state *st = seq->private;
	struct sock *sk = NULL;
	loff_t n = *pos;

	st->bucket = 0;
	st->locked = false;
	if (!n)
		return SEQ_START_TOKEN;
	while (n--) {
		sk = xtcp_walk(seq, sk);
		if (!sk)
			return NULL;
	}
	return sk;
}

static void *xtcp_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return xtcp_walk(seq, v == SEQ_START_TOKEN ? NULL : v);
}

static void xtcp_seq_stop(struct seq_file *seq, void *v)
{
	xtcp_bucket_unlock(seq->private);
}

static int xtcp_timer_info(const struct sock *sk, unsigned long *expires)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);

	if (icsk->icsk_pending == ICSK_TIME_RETRANS) {
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

static int xtcp_seq_show(struct seq_file *seq, void *v)
{
	struct sock *sk = v;
	int i = seq->index - 1;

	seq_setwidth(seq, XTCP_PROC_WIDTH);
	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
		goto out;
	}
	if (sk->sk_state == TCP_TIME_WAIT)
		xtcp_show_tw(seq, inet_twsk(sk), i);
	else if (sk->sk_state == TCP_NEW_SYN_RECV)
		xtcp_show_req(seq, inet_reqsk(sk), i);
	else
		xtcp_show_sock(seq, sk, i);
out:
	seq_pad(seq, '\n');
	return 0;
}

static const struct seq_operations xtcp_seq_ops = {
	.start	= xtcp_seq_start,
	.next	= xtcp_seq_next,
	.stop	= xtcp_seq_stop,
	.show	= xtcp_seq_show,
};

/**
 * xtcp_proc_init_net() - create /proc/net/xtcp in @net
 * @net: namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net("xtcp", 0444, net->proc_net, &xtcp_seq_ops,
			     sizeof(struct xtcp_iter_state)))
		return -ENOMEM;
	return 0;
}

/**
 * xtcp_proc_exit_net() - remove /proc/net/xtcp from @net
 * @net: namespace
 */
void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("xtcp", net->proc_net);
}
