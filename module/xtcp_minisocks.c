// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP mini sockets: request socks of a listener's SYN queue, the child
 * socket created by the final ACK of a passive open, and the TIME-WAIT
 * (and orphaned FIN-WAIT-2) socks that keep a closed 4-tuple.
 */
#include <linux/random.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/inet_common.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/timewait_sock.h>

#include "xtcp.h"

struct timewait_sock_ops xtcp_timewait_sock_ops = {
	.twsk_obj_size	= sizeof(struct xtcp_timewait_sock),
};

static void xtcp_v4_reqsk_send_ack(const struct sock *sk, struct sk_buff *skb,
				   struct request_sock *req)
{
	const struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct xtcp_options ts = {
		.tstamp_ok = 1,
		.tsval = xtcp_clock_ms() + xreq->ts_off,
		.tsecr = xreq->opt.tsval,
	};

	xtcp_v4_send_ack_ts(sock_net(sk), skb, xreq->iss + 1, xreq->irs + 1,
			    req->rsk_rcv_wnd, 0,
			    xreq->opt.tstamp_ok ? &ts : NULL);
}

/* an ACK from a timewait sock, with timestamps if the connection had them */
static void xtcp_tw_send_ack(struct inet_timewait_sock *tw, struct sk_buff *skb)
{
	struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);
	const struct xtcp_options *in = &XTCP_SKB_CB(skb)->opt;
	struct xtcp_options ts = { .tstamp_ok = 1 };

	/* RFC 7323 §4.3: echo the newest TSval seen */
	if (xtw->tstamp_ok && in->tstamp_ok &&
	    (s32)(in->tsval - xtw->ts_recent) > 0)
		xtw->ts_recent = in->tsval;
	ts.tsval = xtcp_clock_ms() + xtw->ts_offset;
	ts.tsecr = xtw->ts_recent;

	xtcp_v4_send_ack_ts(twsk_net(tw), skb, xtw->snd_nxt, xtw->rcv_nxt,
			    xtw->rcv_wnd, 0, xtw->tstamp_ok ? &ts : NULL);
}

static void xtcp_v4_reqsk_send_reset(const struct sock *sk, struct sk_buff *skb)
{
	xtcp_v4_send_reset(sock_net(sk), skb);
}

static void xtcp_v4_reqsk_destructor(struct request_sock *req)
{
	kfree(rcu_dereference_protected(inet_rsk(req)->ireq_opt, 1));
}

/*
 * The request timer (inet_connection_sock.c) fires: it resends the SYN-ACK,
 * or drops the request once icsk_syn_retries of the listener is reached.
 */
static void xtcp_syn_ack_timeout(const struct request_sock *req)
{
	const struct sock *lsk = req->rsk_listener;

	if (lsk && req->num_timeout >= READ_ONCE(inet_csk(lsk)->icsk_syn_retries))
		xtcp_inc_stats(sock_net(lsk), XTCP_MIB_REQTIMEOUTS);
}

struct request_sock_ops xtcp_request_sock_ops = {
	.family		= PF_INET,
	.obj_size	= sizeof(struct xtcp_request_sock),
	.rtx_syn_ack	= xtcp_v4_rtx_synack,
	.send_ack	= xtcp_v4_reqsk_send_ack,
	.send_reset	= xtcp_v4_reqsk_send_reset,
	.destructor	= xtcp_v4_reqsk_destructor,
	.syn_ack_timeout = xtcp_syn_ack_timeout,
};

/**
 * xtcp_reqsk_init() - fill a request sock from a segment of the handshake
 * @req: request sock from inet_reqsk_alloc()
 * @sk: the listener
 * @skb: the SYN, or the ACK returning a cookie
 *
 * Addresses, ports, routing marks and the windows; the caller sets the
 * sequence numbers and options.
 */
void xtcp_reqsk_init(struct request_sock *req, const struct sock *sk,
		     struct sk_buff *skb)
{
	const struct tcphdr *th = xtcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);

	sk_rcv_saddr_set(req_to_sk(req), iph->daddr);
	sk_daddr_set(req_to_sk(req), iph->saddr);
	ireq->ir_rmt_port = th->source;
	ireq->ir_num = ntohs(th->dest);
	ireq->ir_mark = inet_request_mark(sk, skb);
	ireq->ir_iif = inet_request_bound_dev_if(sk, skb);
	RCU_INIT_POINTER(ireq->ireq_opt, NULL);
	memset(&xreq->opt, 0, sizeof(xreq->opt));
	/* cookie handshakes carry no timestamps: the cookie cannot hold them */
	xreq->ts_off = 0;
	xreq->synack_sent = 0;
	/* the window of a segment with SYN is never scaled (RFC 7323 §2.2) */
	xreq->snd_wnd = ntohs(th->window);
	req->rsk_rcv_wnd = min_t(u32, ((u64)READ_ONCE(sk->sk_rcvbuf) *
					XTCP_RCV_RATIO_INIT) >> 10,
				 XTCP_MAX_WINDOW);
}

/*
 * The listener's icsk_syn_retries drives the generic request timer:
 * TCP_SYNCNT when set, else net.xtcp.synack_retries as of the latest SYN.
 */
static void xtcp_listener_sync_retries(struct sock *sk)
{
	u8 n = xtcp_sk(sk)->user_syncnt ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->synack_retries);

	if (READ_ONCE(inet_csk(sk)->icsk_syn_retries) != n)
		WRITE_ONCE(inet_csk(sk)->icsk_syn_retries, n);
}

/* answer a SYN with a cookie SYN-ACK and keep nothing (RFC 4987 §3.6) */
static void xtcp_send_cookie(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = xtcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcp_request_sock *xreq;
	struct request_sock *req;
	unsigned int mss_idx;

	req = inet_reqsk_alloc(&xtcp_request_sock_ops, sk, false);
	if (!req)
		return;
	xtcp_reqsk_init(req, sk, skb);
	xreq = xtcp_rsk(req);
	/* RFC 9293 §3.7.1: no MSS option means 536 */
	mss_idx = xtcp_cookie_mss_index(cb->opt.mss ? : XTCP_DEFAULT_MSS);
	xreq->opt.mss = xtcp_cookie_mss_table[mss_idx];
	xreq->irs = cb->seq;
	xreq->iss = xtcp_cookie_make(iph->daddr, iph->saddr, th->dest,
				     th->source, cb->seq, xtcp_cookie_counter(),
				     mss_idx);
	/*
	 * With timestamps the SYN-ACK's TSval keeps the peer's window scale
	 * (xtcp_cookie_tsval), so scaling can be offered; without, not.
	 */
	if (cb->opt.tstamp_ok && READ_ONCE(xtcp_pernet(sock_net(sk))->timestamps)) {
		xreq->opt.tstamp_ok = 1;
		xreq->opt.tsval = cb->opt.tsval;
		xreq->opt.wscale_ok = cb->opt.wscale_ok;
		xreq->opt.wscale = cb->opt.wscale;
		xreq->opt.sack_ok = cb->opt.sack_ok &&
				    READ_ONCE(xtcp_pernet(sock_net(sk))->sack);
		xreq->opt.ecn_ok = xtcp_ecn_syn_ok(sk, cb->flags);
		xreq->ts_off = xtcp_cookie_ts_off(iph->daddr, iph->saddr,
						  th->dest, th->source);
	}
	xreq->cookie = 1;
	if (!xtcp_v4_rtx_synack(sk, req)) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_SYNCOOKIESSENT);
		WRITE_ONCE(xtcp_sk(sk)->last_cookie, jiffies | 1);
	}
	reqsk_free(req);
}

/**
 * xtcp_v4_conn_request() - a SYN reached a listener (RFC 9293 §3.10.7.2)
 * @sk: listener
 * @skb: the SYN (not consumed)
 *
 * SYNs to broadcast or multicast addresses are ignored (RFC 1122
 * §4.2.3.10). Data carried by a SYN is dropped and counted: the peer
 * sends it again once the handshake completes. When the accept queue is
 * full the SYN is dropped; when the SYN queue is full (or always, with
 * net.xtcp.syncookies = 2) a cookie SYN-ACK answers it (RFC 4987 §3.6),
 * else a request sock joins the SYN queue and its timer retransmits the
 * SYN-ACK with exponential backoff.
 *
 * Return: 0.
 */
int xtcp_v4_conn_request(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = xtcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = sock_net(sk);
	struct xtcp_request_sock *xreq;
	struct request_sock *req;
	int cookies;

	xtcp_inc_stats(net, XTCP_MIB_LISTENSYNS);
	if (skb_rtable(skb)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST)) {
		xtcp_inc_stats(net, XTCP_MIB_SYNBADADDR);
		goto drop;
	}
	if (cb->flags & (XTCPHDR_RST | XTCPHDR_FIN))
		goto drop;
	if (skb->len > th->doff * 4)
		xtcp_inc_stats(net, XTCP_MIB_SYNDATADROPPED);

	cookies = READ_ONCE(xtcp_pernet(net)->syncookies);
	if (cookies != 2 && inet_csk_reqsk_queue_is_full(sk)) {
		xtcp_inc_stats(net, XTCP_MIB_SYNQUEUEOVERFLOWS);
		if (!cookies)
			goto drop;
		cookies = 2;
	}
	if (sk_acceptq_is_full(sk)) {
		xtcp_inc_stats(net, XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	if (cookies == 2) {
		xtcp_send_cookie(sk, skb);
		return 0;
	}

	req = inet_reqsk_alloc(&xtcp_request_sock_ops, sk, true);
	if (!req)
		goto drop;
	xtcp_reqsk_init(req, sk, skb);
	xreq = xtcp_rsk(req);
	xreq->opt = cb->opt;
	if (!READ_ONCE(xtcp_pernet(sock_net(sk))->timestamps))
		xreq->opt.tstamp_ok = 0;
	if (!READ_ONCE(xtcp_pernet(sock_net(sk))->sack))
		xreq->opt.sack_ok = 0;
	xreq->opt.ecn_ok = xtcp_ecn_syn_ok(sk, cb->flags);
	xreq->ts_off = get_random_u32();
	xreq->irs = cb->seq;
	xreq->iss = xtcp_v4_isn(iph->daddr, iph->saddr, th->dest, th->source,
				ktime_get_ns());
	xtcp_listener_sync_retries(sk);
	if (!inet_csk_reqsk_queue_hash_add(sk, req,
					   xtcp_rto_initial(sock_net(sk)))) {
		reqsk_free(req);
		goto drop;
	}
	/* a failed send is retried by the request timer */
	xtcp_v4_rtx_synack(sk, req);
	reqsk_put(req);
	return 0;

drop:
	xtcp_inc_stats(net, XTCP_MIB_LISTENDROPS);
	return 0;
}

/* seed a new child's TCB from its request sock (RFC 9293 §3.10.7.2) */
static void xtcp_init_child(struct sock *newsk, const struct request_sock *req)
{
	const struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct inet_connection_sock *icsk = inet_csk(newsk);
	struct xtcp_sock *xs = xtcp_sk(newsk);

	xtcp_init_xmit_timers(newsk);
	xs->send_head = NULL;
	xs->ofo_root = RB_ROOT;
	xs->iss = xreq->iss;
	xs->irs = xreq->irs;
	xs->snd_una = xreq->iss;
	xs->snd_nxt = xreq->iss + 1;
	xs->write_seq = xreq->iss + 1;
	xs->recover = xreq->iss;
	xs->rcv_nxt = xreq->irs + 1;
	xs->copied_seq = xs->rcv_nxt;
	xs->rcv_wup = xs->rcv_nxt;
	xs->rcv_wnd = req->rsk_rcv_wnd;
	xs->snd_wnd = xreq->snd_wnd;
	xs->max_window = xs->snd_wnd;
	xs->snd_wl1 = xreq->irs;
	xs->snd_wl2 = xreq->iss;
	xs->rcv_wscale = XTCP_RCV_WSCALE;
	/* the SYN-ACK carried timestamps exactly when xreq->opt has them */
	xs->tstamp_ok = 1;
	xs->sack_ok = 1;
	xs->ts_offset = xreq->ts_off;
	xtcp_set_peer_options(xs, &xreq->opt);
	xtcp_init_rto(newsk);
	xtcp_rack_init(newsk);
	xs->ack_pending = 0;
	xs->quickack = 0;
	xs->urg_mode = 0;
	xs->urg_data = 0;
	xs->rcv_mss = XTCP_DEFAULT_MSS;
	xs->rcv_ratio = XTCP_RCV_RATIO_INIT;
	icsk->icsk_ack.lrcvtime = jiffies;
	xs->dupacks = 0;
	xs->num_sacks = 0;
	xs->dsack = 0;
	xtcp_cong_child_init(newsk);
	xtcp_ecn_init_child(newsk, req);
}

/**
 * xtcp_v4_syn_recv_sock() - create the child socket of a passive open
 * @sk: listener
 * @skb: the final ACK of the handshake
 * @req: its request sock
 * @dst: route, or NULL to look one up
 * @req_unhash: request sock the child replaces in the established hash
 * @own_req: set when the child replaced @req_unhash
 * @opt_child_init: unused (IPv6 mapped sockets)
 *
 * Return: the bh-locked child, or NULL when the accept queue is full or
 * memory is short.
 */
struct sock *xtcp_v4_syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
				   struct request_sock *req,
				   struct dst_entry *dst,
				   struct request_sock *req_unhash,
				   bool *own_req,
				   void (*opt_child_init)(struct sock *newsk,
							  const struct sock *sk))
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct inet_sock *newinet;
	struct xtcp_sock *xs;
	struct sock *newsk;
	unsigned int mtu;

	if (sk_acceptq_is_full(sk))
		goto exit;
	newsk = inet_csk_clone_lock(sk, req, GFP_ATOMIC);
	if (!newsk)
		goto exit;

	xtcp_init_child(newsk, req);
	newinet = inet_sk(newsk);
	sk_daddr_set(newsk, ireq->ir_rmt_addr);
	sk_rcv_saddr_set(newsk, ireq->ir_loc_addr);
	newinet->inet_saddr = ireq->ir_loc_addr;
	RCU_INIT_POINTER(newinet->inet_opt, NULL);
	newinet->mc_index = inet_iif(skb);
	newinet->mc_ttl = ip_hdr(skb)->ttl;
	atomic_set(&newinet->inet_id, get_random_u16());

	if (!dst) {
		dst = inet_csk_route_child_sock(sk, newsk, req);
		if (!dst)
			goto put_and_exit;
	}
	mtu = dst_mtu(dst);
	sk_setup_caps(newsk, dst);
	xs = xtcp_sk(newsk);
	xs->advmss = xtcp_mss_for_mtu(newsk, mtu);
	inet_csk(newsk)->icsk_sync_mss(newsk, mtu);

	if (__inet_inherit_port(sk, newsk) < 0)
		goto put_and_exit;
	*own_req = inet_ehash_nolisten(newsk, req_to_sk(req_unhash), NULL);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_PASSIVEOPENS);
	return newsk;

exit:
	dst_release(dst);
	return NULL;

put_and_exit:
	inet_csk_prepare_forced_close(newsk);
	xtcp_done(newsk);
	return NULL;
}

/**
 * xtcp_check_req() - a segment for a request sock (SYN-RECEIVED)
 * @sk: the listener
 * @skb: the segment (not consumed)
 * @req: the request sock
 *
 * RFC 9293 §3.10.7.4 for SYN-RECEIVED of a passive open: a retransmitted
 * SYN gets the SYN-ACK again, unacceptable segments an ACK, a RST drops
 * the request, a wrong ACK gets <SEQ=SEG.ACK><CTL=RST>, and the right ACK
 * creates the child, which is returned bh-locked and referenced. When the
 * accept queue is full, the right ACK is dropped (the peer repeats it
 * after the next SYN-ACK), or with net.xtcp.abort_on_overflow answered
 * with a RST that ends the handshake.
 *
 * Return: the child, or NULL.
 */
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct request_sock *req)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct net *net = sock_net(sk);
	u8 flags = cb->flags;
	bool own_req = false;
	struct sock *child;

	if ((flags & XTCPHDR_SYN) &&
	    !(flags & (XTCPHDR_ACK | XTCPHDR_RST | XTCPHDR_FIN)) &&
	    cb->seq == xreq->irs) {
		inet_rtx_syn_ack(sk, req);
		return NULL;
	}
	if (!xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq, xreq->irs + 1,
				 req->rsk_rcv_wnd)) {
		if (!(flags & XTCPHDR_RST))
			req->rsk_ops->send_ack(sk, skb, req);
		return NULL;
	}
	if (flags & XTCPHDR_RST) {
		inet_csk_reqsk_queue_drop(sk, req);
		return NULL;
	}
	if (flags & XTCPHDR_SYN) {
		/* RFC 5961 §4.2 */
		if (xtcp_challenge_ack_allowed(net))
			req->rsk_ops->send_ack(sk, skb, req);
		return NULL;
	}
	if (!(flags & XTCPHDR_ACK))
		return NULL;
	if (cb->ack_seq != xreq->iss + 1) {
		xtcp_v4_send_reset(net, skb);
		return NULL;
	}
	if (sk_acceptq_is_full(sk)) {
		xtcp_inc_stats(net, XTCP_MIB_LISTENOVERFLOWS);
		xtcp_inc_stats(net, XTCP_MIB_LISTENDROPS);
		if (READ_ONCE(xtcp_pernet(net)->abort_on_overflow)) {
			xtcp_v4_send_reset(net, skb);
			inet_csk_reqsk_queue_drop(sk, req);
		} else {
			/* drop the ACK: the request timer's next SYN-ACK
			 * makes the peer send it again
			 */
			inet_rsk(req)->acked = 1;
		}
		return NULL;
	}

	child = inet_csk(sk)->icsk_af_ops->syn_recv_sock(sk, skb, req, NULL,
							 req, &own_req, NULL);
	if (!child)
		return NULL;	/* out of memory: the peer will retry */
	return inet_csk_complete_hashdance(sk, child, req, own_req);
}

/**
 * xtcp_time_wait() - replace @sk by a timewait sock and close it
 * @sk: socket, bh-locked
 * @state: TCP_TIME_WAIT, or TCP_FIN_WAIT2 for an orphan awaiting a FIN
 * @timeo: lifetime for TCP_FIN_WAIT2; TIME-WAIT always lasts 2 * MSL
 *
 * When net.xtcp.max_tw_buckets is reached the tuple is released at once
 * and TwOverflow counts it.
 */
void xtcp_time_wait(struct sock *sk, int state, int timeo)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_timewait_sock *tw;

	tw = inet_twsk_alloc(sk, &xn->tw_death_row, state);
	if (tw) {
		struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);

		xtw->rcv_nxt = xs->rcv_nxt;
		xtw->snd_nxt = xs->snd_nxt;
		xtw->rcv_wnd = min_t(u32, xs->rcv_wnd >> xs->rcv_wscale,
				     XTCP_MAX_WINDOW);
		xtw->tstamp_ok = xs->tstamp_ok;
		xtw->ts_recent = xs->ts_recent;
		xtw->ts_offset = xs->ts_offset;
		if (state == TCP_TIME_WAIT)
			timeo = msecs_to_jiffies(2 * READ_ONCE(xn->msl_ms));
		/* the timer is pinned: no BH may run before the dance ends */
		local_bh_disable();
		inet_twsk_schedule(tw, timeo);
		inet_twsk_hashdance(tw, sk, &xtcp_hashinfo);
		local_bh_enable();
	} else {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_TWOVERFLOW);
	}
	xtcp_done(sk);
}

/**
 * xtcp_timewait_process() - a segment for a timewait sock
 * @tw: the timewait sock (reference held by the caller)
 * @skb: the segment (not consumed)
 *
 * FIN-WAIT-2 orphan: an in-order FIN moves it to TIME-WAIT. TIME-WAIT
 * (RFC 9293 §3.10.7.4): a retransmitted FIN is ACKed and restarts the
 * 2 MSL timer; RST is ignored (RFC 1337) unless net.xtcp.rfc1337 is 0 and
 * it sits at RCV.NXT; a SYN above RCV.NXT may reopen
 * the tuple; other segments that occupy sequence space are ACKed.
 *
 * Return: XTCP_TW_SYN to hand the SYN to a listener, XTCP_TW_KILL to
 * remove the timewait sock, XTCP_TW_DONE otherwise.
 */
enum xtcp_tw_verdict xtcp_timewait_process(struct inet_timewait_sock *tw,
					   struct sk_buff *skb)
{
	struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_net *xn = xtcp_pernet(twsk_net(tw));
	struct net *net = twsk_net(tw);
	u8 flags = cb->flags;

	if (tw->tw_substate == TCP_FIN_WAIT2) {
		if (flags & XTCPHDR_RST) {
			if (cb->seq == xtw->rcv_nxt)
				return XTCP_TW_KILL;
			return XTCP_TW_DONE;
		}
		if (!(flags & XTCPHDR_ACK) || (flags & XTCPHDR_SYN))
			return XTCP_TW_DONE;
		if (xtcp_seq_after(cb->end_seq - !!(flags & XTCPHDR_FIN),
				   xtw->rcv_nxt)) {
			/* new data for a closed socket */
			xtcp_v4_send_reset(net, skb);
			return XTCP_TW_KILL;
		}
		if ((flags & XTCPHDR_FIN) && cb->end_seq - 1 == xtw->rcv_nxt) {
			xtw->rcv_nxt = cb->end_seq;
			tw->tw_substate = TCP_TIME_WAIT;
			xtcp_tw_send_ack(tw, skb);
			inet_twsk_reschedule(tw, msecs_to_jiffies(2 *
					     READ_ONCE(xn->msl_ms)));
		}
		return XTCP_TW_DONE;
	}

	if (flags & XTCPHDR_RST) {
		/* RFC 1337: a RST must not cut TIME-WAIT short, unless asked */
		if (READ_ONCE(xn->rfc1337) || cb->seq != xtw->rcv_nxt) {
			xtcp_inc_stats(net, XTCP_MIB_TWRSTIGNORED);
			return XTCP_TW_DONE;
		}
		xtcp_inc_stats(net, XTCP_MIB_TWKILLED);
		return XTCP_TW_KILL;
	}
	if ((flags & XTCPHDR_SYN) &&
	    !(flags & (XTCPHDR_ACK | XTCPHDR_FIN)) &&
	    xtcp_seq_after(cb->seq, xtw->rcv_nxt))
		return XTCP_TW_SYN;
	if (flags & XTCPHDR_FIN) {
		xtcp_tw_send_ack(tw, skb);
		inet_twsk_reschedule(tw, msecs_to_jiffies(2 *
				     READ_ONCE(xn->msl_ms)));
		return XTCP_TW_DONE;
	}
	if (cb->end_seq != cb->seq || (flags & XTCPHDR_SYN))
		xtcp_tw_send_ack(tw, skb);
	return XTCP_TW_DONE;
}
