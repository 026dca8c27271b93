// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP over IPv4: the protocol-253 receive entry (validation, checksum,
 * lookup, dispatch), ICMP errors, active open, ISN selection (RFC 6528)
 * and the RST/ACK replies sent when there is no full socket.
 */
#include <linux/siphash.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <net/ip.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/inet_hashtables.h>

#include "xtcp.h"

/*
 * Backlog room beyond the socket buffers (in-window data is kept up to
 * twice SO_RCVBUF, ACKs of a full window need SO_SNDBUF's worth)
 */
#define XTCP_BACKLOG_SLACK	(64 * 1024)

static siphash_aligned_key_t xtcp_isn_secret;

/**
 * xtcp_v4_isn() - initial sequence number per RFC 6528 §3
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 * @now_ns: a monotonic clock in nanoseconds
 *
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where
 * M is a 4-microsecond timer and F is SipHash keyed with a boot secret.
 *
 * Return: the ISN.
 */
u32 xtcp_v4_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		u64 now_ns)
{
	u32 ports = ((u32)ntohs(sport) << 16) | ntohs(dport);

	net_get_random_once(&xtcp_isn_secret, sizeof(xtcp_isn_secret));
	return siphash_3u32((__force u32)saddr, (__force u32)daddr, ports,
			    &xtcp_isn_secret) + (u32)div_u64(now_ns, 4000);
}

static void xtcp_v4_send_check(struct sock *sk, struct sk_buff *skb)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (skb_is_gso(skb) || xtcp_csum_offload_ok(sk))
		xtcp_csum_partial(skb, inet->inet_saddr, inet->inet_daddr);
	else
		xtcp_finish_header(skb, inet->inet_saddr, inet->inet_daddr);
}

const struct inet_connection_sock_af_ops xtcp_ipv4_af_ops = {
	.queue_xmit	= ip_queue_xmit,
	.send_check	= xtcp_v4_send_check,
	.rebuild_header	= inet_sk_rebuild_header,
	.conn_request	= xtcp_v4_conn_request,
	.syn_recv_sock	= xtcp_v4_syn_recv_sock,
	.net_header_len	= sizeof(struct iphdr),
	.setsockopt	= ip_setsockopt,
	.getsockopt	= ip_getsockopt,
	.addr2sockaddr	= inet_csk_addr2sockaddr,
	.sockaddr_len	= sizeof(struct sockaddr_in),
};

/**
 * xtcp_v4_connect() - active OPEN (RFC 9293 §3.10.1): route, port, SYN
 * @sk: socket, locked, in CLOSED
 * @uaddr: struct sockaddr_in of the peer
 * @addr_len: its length
 *
 * Return: 0 once the SYN is queued, or a negative errno.
 */
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct ip_options_rcu *inet_opt;
	__be16 orig_sport, orig_dport;
	__be32 daddr, nexthop;
	struct flowi4 *fl4;
	struct rtable *rt;
	unsigned int mtu;
	int err;

	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	nexthop = usin->sin_addr.s_addr;
	daddr = nexthop;
	inet_opt = rcu_dereference_protected(inet->inet_opt,
					     lockdep_sock_is_held(sk));
	if (inet_opt && inet_opt->opt.srr) {
		if (!daddr)
			return -EINVAL;
		nexthop = inet_opt->opt.faddr;
	}

	orig_sport = inet->inet_sport;
	orig_dport = usin->sin_port;
	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, nexthop, inet->inet_saddr,
			      sk->sk_bound_dev_if, IPPROTO_XTCP, orig_sport,
			      orig_dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet_opt || !inet_opt->opt.srr)
		daddr = fl4->daddr;

	if (!inet->inet_saddr) {
		err = inet_bhash2_update_saddr(sk, &fl4->saddr, AF_INET);
		if (err) {
			ip_rt_put(rt);
			return err;
		}
	} else {
		sk_rcv_saddr_set(sk, inet->inet_saddr);
	}

	inet->inet_dport = usin->sin_port;
	sk_daddr_set(sk, daddr);
	icsk->icsk_ext_hdr_len = inet_opt ? inet_opt->opt.optlen : 0;

	/* the local port is chosen and the tuple hashed while in SYN-SENT */
	xtcp_set_state(sk, TCP_SYN_SENT);
	err = inet_hash_connect(&xtcp_pernet(sock_net(sk))->tw_death_row, sk);
	if (err)
		goto failure;

	sk_set_txhash(sk);
	rt = ip_route_newports(fl4, rt, orig_sport, orig_dport,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto failure;
	}
	mtu = dst_mtu(&rt->dst);
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;

	xs->iss = xtcp_v4_isn(inet->inet_saddr, inet->inet_daddr,
			      inet->inet_sport, inet->inet_dport,
			      ktime_get_ns());
	atomic_set(&inet->inet_id, get_random_u16());
	xs->advmss = xtcp_mss_for_mtu(sk, mtu);
	xs->rcv_wscale = XTCP_RCV_WSCALE;
	xs->peer_mss = 0;
	/* offered now; kept only if the SYN-ACK answers (RFC 7323 §3.2) */
	xs->tstamp_ok = !!READ_ONCE(xtcp_pernet(sock_net(sk))->timestamps);
	xs->sack_ok = !!READ_ONCE(xtcp_pernet(sock_net(sk))->sack);
	xtcp_ecn_connect(sk);
	xs->ts_offset = get_random_u32();
	icsk->icsk_sync_mss(sk, mtu);
	icsk->icsk_retransmits = 0;
	icsk->icsk_backoff = 0;
	xtcp_init_rto(sk);

	err = xtcp_connect_send_syn(sk);
	if (err)
		goto failure;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_ACTIVEOPENS);
	return 0;

failure:
	xtcp_set_state(sk, TCP_CLOSE);
	inet_bhash2_reset_saddr(sk);
	ip_rt_put(rt);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	return err;
}

/* send a bare segment answering @in, with no socket behind it */
static void xtcp_v4_send_reply(struct net *net, struct sk_buff *in, u32 seq,
			       u32 ack, u16 win, u8 flags,
			       const struct xtcp_options *opt)
{
	const struct iphdr *iph = ip_hdr(in);
	const struct tcphdr *th = xtcp_hdr(in);
	struct sock *ctl = xtcp_pernet(net)->ctl_sk;
	struct flowi4 fl4;
	struct rtable *rt;
	struct sk_buff *skb;

	flowi4_init_output(&fl4, 0, in->mark, RT_TOS(iph->tos),
			   RT_SCOPE_UNIVERSE, IPPROTO_XTCP, 0, iph->saddr,
			   iph->daddr, th->source, th->dest,
			   sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;

	skb = xtcp_alloc_ctl_skb(GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	xtcp_push_header(skb, th->dest, th->source, seq, ack, flags, win, opt);
	xtcp_finish_header(skb, fl4.saddr, fl4.daddr);
	skb_dst_set(skb, &rt->dst);

	xtcp_inc_stats(net, XTCP_MIB_OUTSEGS);
	local_bh_disable();
	ip_build_and_send_pkt(skb, ctl, fl4.saddr, fl4.daddr, NULL, 0);
	local_bh_enable();
}

/**
 * xtcp_v4_send_reset() - RST for a segment no connection accepts
 * @net: namespace the segment arrived in
 * @skb: the offending segment, its control block filled
 *
 * RFC 9293 §3.10.7.1: if the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>;
 * otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. A RST is never
 * answered.
 */
void xtcp_v4_send_reset(struct net *net, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	struct xtcp_net *xn = xtcp_pernet(net);

	if (cb->flags & XTCPHDR_RST)
		return;
	if (skb_rtable(skb)->rt_type != RTN_LOCAL)
		return;
	if (!xtcp_ratelimit_allow(&xn->rst_rl, jiffies,
				  READ_ONCE(xn->rst_limit))) {
		xtcp_inc_stats(net, XTCP_MIB_RSTLIMITED);
		return;
	}
	xtcp_inc_stats(net, XTCP_MIB_OUTRSTS);
	if (cb->flags & XTCPHDR_ACK)
		xtcp_v4_send_reply(net, skb, cb->ack_seq, 0, 0, XTCPHDR_RST,
				   NULL);
	else
		xtcp_v4_send_reply(net, skb, 0, cb->end_seq, 0,
				   XTCPHDR_RST | XTCPHDR_ACK, NULL);
}

/**
 * xtcp_v4_send_ack() - an ACK on behalf of a request or TIME-WAIT sock
 * @net: namespace
 * @skb: segment being answered
 * @seq: our sequence number
 * @ack: acknowledgment number
 * @win: window field
 * @flags: extra flags besides ACK
 */
void xtcp_v4_send_ack(struct net *net, struct sk_buff *skb, u32 seq, u32 ack,
		      u32 win, u8 flags)
{
	xtcp_v4_send_ack_ts(net, skb, seq, ack, win, flags, NULL);
}

/**
 * xtcp_v4_send_ack_ts() - xtcp_v4_send_ack() with timestamps
 * @net: namespace
 * @skb: segment being answered
 * @seq: our sequence number
 * @ack: acknowledgment number
 * @win: window field
 * @flags: extra flags besides ACK
 * @ts: timestamps to carry (RFC 7323 §3.2: in every segment once
 *	negotiated), or NULL
 */
void xtcp_v4_send_ack_ts(struct net *net, struct sk_buff *skb, u32 seq,
			 u32 ack, u32 win, u8 flags,
			 const struct xtcp_options *ts)
{
	xtcp_v4_send_reply(net, skb, seq, ack, min_t(u32, win, XTCP_MAX_WINDOW),
			   flags | XTCPHDR_ACK, ts);
}

/*
 * A child fresh from the handshake processes the segment that created it
 * (the final ACK, perhaps with data); its listener learns of it.
 */
static void xtcp_child_process(struct sock *listener, struct sock *child,
			       struct sk_buff *skb)
	__releases(&child->sk_lock.slock)
{
	if (!sock_owned_by_user(child)) {
		xtcp_rcv_state_process(child, skb);
		if (child->sk_state != TCP_SYN_RECV)
			listener->sk_data_ready(listener);
	} else {
		__sk_add_backlog(child, skb);
	}
	bh_unlock_sock(child);
	sock_put(child);
}

/*
 * cookies went out from @sk within their lifetime, or always do; a
 * last_cookie of 0 means never (the listener was zeroed at allocation,
 * and jiffies start close to the wrap, so 0 + life lies in the future)
 */
static bool xtcp_cookies_recent(const struct sock *sk)
{
	int cookies = READ_ONCE(xtcp_pernet(sock_net(sk))->syncookies);
	unsigned long last = READ_ONCE(xtcp_sk(sk)->last_cookie);
	unsigned long life = (unsigned long)(XTCP_COOKIE_MAX_AGE + 1) * HZ <<
			     XTCP_COOKIE_PERIOD_BITS;

	if (cookies == 2)
		return true;
	return cookies && last && time_before(jiffies, last + life);
}

/*
 * RFC 9293 §3.10.7.2 LISTEN: RST ignored, ACK reset (unless it returns a
 * valid SYN cookie, RFC 4987 §3.6: then it creates the child, or is
 * dropped while the accept queue is full), SYN queued; anything else
 * dropped.
 */
static void xtcp_v4_listen_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sock *child;

	if (cb->flags & XTCPHDR_RST)
		goto discard;
	if (cb->flags & XTCPHDR_ACK) {
		if (!(cb->flags & XTCPHDR_SYN) && xtcp_cookies_recent(sk)) {
			child = xtcp_cookie_receive(sk, skb);
			if (!child)
				goto discard;
			if (!IS_ERR(child)) {
				__acquire(&child->sk_lock.slock);
				xtcp_child_process(sk, child, skb);
				return;
			}
		}
		xtcp_v4_send_reset(sock_net(sk), skb);
		goto discard;
	}
	if (cb->flags & XTCPHDR_SYN)
		inet_csk(sk)->icsk_af_ops->conn_request(sk, skb);
discard:
	kfree_skb(skb);
}

/**
 * xtcp_v4_do_rcv() - process a segment for a full socket
 * @sk: socket, bh-locked and not owned by the user (or from its backlog);
 *	a listener is not locked
 * @skb: segment; consumed
 *
 * Return: 0.
 */
int xtcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_v4_listen_rcv(sk, skb);
		return 0;
	}
	return xtcp_rcv_state_process(sk, skb);
}

/* a segment for a request sock: complete the handshake in a child */
static void xtcp_v4_rcv_req(struct sock *sk, struct sk_buff *skb)
{
	struct request_sock *req = inet_reqsk(sk);
	struct sock *listener = req->rsk_listener;
	struct sock *child;

	sock_hold(listener);
	if (unlikely(listener->sk_state != TCP_LISTEN)) {
		inet_csk_reqsk_queue_drop_and_put(listener, req);
		sock_put(listener);
		kfree_skb(skb);
		return;
	}
	child = xtcp_check_req(listener, skb, req);
	if (!child) {
		reqsk_put(req);
		sock_put(listener);
		kfree_skb(skb);
		return;
	}

	/*
	 * Our lookup reference on @req now belongs to the accept queue. The
	 * child is bh-locked and referenced by inet_csk_clone_lock().
	 */
	__acquire(&child->sk_lock.slock);
	xtcp_child_process(listener, child, skb);
	sock_put(listener);
}

/**
 * xtcp_flags_illegal() - control-bit combinations no valid segment carries
 * @flags: header flags
 *
 * SYN with RST or FIN, and segments with no control bit at all. Other
 * odd combinations (a FIN without ACK, say) still follow RFC 9293 §3.10.7:
 * a RST when no connection matches, a drop at the ACK check otherwise.
 *
 * Return: true when the segment must be dropped.
 */
bool xtcp_flags_illegal(u8 flags)
{
	if ((flags & XTCPHDR_SYN) && (flags & (XTCPHDR_RST | XTCPHDR_FIN)))
		return true;
	return !(flags & (XTCPHDR_FIN | XTCPHDR_SYN | XTCPHDR_RST |
			  XTCPHDR_PSH | XTCPHDR_ACK | XTCPHDR_URG));
}

XTCP_EXPORT_FOR_KUNIT(xtcp_flags_illegal);

/**
 * xtcp_fill_cb() - record a received segment's numbers in its control block
 * @skb: segment, skb->data at the header
 * @th: its header
 */
void xtcp_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->seq = ntohl(th->seq);
	cb->flags = xtcp_flags(th);
	cb->end_seq = cb->seq + !!th->syn + !!th->fin + skb->len -
		      th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->retransmitted = 0;
}

/**
 * xtcp_v4_rcv() - net_protocol handler for IP protocol IPPROTO_XTCP
 * @skb: datagram payload, skb->data at the transport header
 *
 * Every field is validated before use: header length, data offset,
 * checksum, option list and control-bit combination; a bad segment is
 * dropped without a reply and counted.
 *
 * Return: 0.
 */
int xtcp_v4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const struct tcphdr *th;
	const struct iphdr *iph;
	bool refcounted, again = false;
	struct sock *sk;
	int sdif = inet_sdif(skb);

	if (skb->pkt_type != PACKET_HOST)
		goto discard;
	xtcp_inc_stats(net, XTCP_MIB_INSEGS);
	if (!pskb_may_pull(skb, XTCP_HDR_LEN))
		goto bad_header;
	th = (const struct tcphdr *)skb->data;
	if (th->doff < XTCP_HDR_LEN / 4 || !pskb_may_pull(skb, th->doff * 4))
		goto bad_header;
	if (skb_checksum_init(skb, IPPROTO_XTCP, inet_compute_pseudo) ||
	    skb_checksum_complete(skb)) {
		xtcp_inc_stats(net, XTCP_MIB_INCSUMERRORS);
		xtcp_inc_stats(net, XTCP_MIB_INERRS);
		goto discard;
	}

	th = (const struct tcphdr *)skb->data;
	iph = ip_hdr(skb);
	if (xtcp_parse_options(th, &XTCP_SKB_CB(skb)->opt))
		goto bad_options;
	xtcp_fill_cb(skb, th);
	if (xtcp_flags_illegal(XTCP_SKB_CB(skb)->flags)) {
		xtcp_inc_stats(net, XTCP_MIB_INBADFLAGS);
		goto discard;
	}

lookup:
	sk = __inet_lookup_skb(&xtcp_hashinfo, skb, th->doff * 4, th->source,
			       th->dest, sdif, &refcounted);
	if (!sk)
		goto no_socket;

	if (sk->sk_state == TCP_TIME_WAIT) {
		struct inet_timewait_sock *tw = inet_twsk(sk);

		struct sock *lsk;

		switch (xtcp_timewait_process(tw, skb)) {
		case XTCP_TW_SYN:
			/* an acceptable new SYN reopens the tuple */
			lsk = inet_lookup_listener(net, &xtcp_hashinfo, skb,
						   th->doff * 4, iph->saddr,
						   th->source, iph->daddr,
						   th->dest, inet_iif(skb),
						   sdif);
			if (lsk) {
				xtcp_inc_stats(net, XTCP_MIB_TWRECYCLED);
				xtcp_inc_stats(net, XTCP_MIB_TWKILLED);
				inet_twsk_deschedule_put(tw);
				sk = lsk;
				refcounted = false;
				goto process;
			}
			inet_twsk_put(tw);
			break;
		case XTCP_TW_KILL:
			inet_twsk_deschedule_put(tw);
			break;
		default:
			inet_twsk_put(tw);
		}
		goto discard;
	}

	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		xtcp_v4_rcv_req(sk, skb);
		return 0;
	}

process:
	nf_reset_ct(skb);
	if (sk_filter(sk, skb))
		goto discard_and_relse;
	skb->dev = NULL;

	if (sk->sk_state == TCP_LISTEN) {
		xtcp_v4_do_rcv(sk, skb);
		goto put;
	}

	bh_lock_sock_nested(sk);
	if (sk->sk_state == TCP_CLOSE && !sock_owned_by_user(sk) && !again) {
		/*
		 * Closed on another CPU since the lookup — moved into a
		 * timewait sock, say: whatever holds the tuple now answers
		 * (a peer's FIN must get its ACK, not wait for an RTO).
		 */
		bh_unlock_sock(sk);
		if (refcounted)
			sock_put(sk);
		again = true;
		goto lookup;
	}
	if (!sock_owned_by_user(sk)) {
		xtcp_v4_do_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, 2 * READ_ONCE(sk->sk_rcvbuf) +
					   READ_ONCE(sk->sk_sndbuf) +
					   XTCP_BACKLOG_SLACK)) {
		bh_unlock_sock(sk);
		xtcp_inc_stats(net, XTCP_MIB_BACKLOGDROPS);
		goto discard_and_relse;
	}
	bh_unlock_sock(sk);
put:
	if (refcounted)
		sock_put(sk);
	return 0;

no_socket:
	xtcp_v4_send_reset(net, skb);
discard:
	kfree_skb(skb);
	return 0;

bad_header:
	xtcp_inc_stats(net, XTCP_MIB_INBADHEADER);
	xtcp_inc_stats(net, XTCP_MIB_INERRS);
	goto discard;
bad_options:
	xtcp_inc_stats(net, XTCP_MIB_INBADOPTIONS);
	xtcp_inc_stats(net, XTCP_MIB_INERRS);
	goto discard;

discard_and_relse:
	if (refcounted)
		sock_put(sk);
	goto discard;
}

/*
 * Path MTU discovery (RFC 1191 §6, RFC 9293 §3.7.3): the route of @sk
 * learns the smaller MTU, the send MSS follows, and the segments in
 * flight that no longer fit are resent at once.
 */
static void xtcp_v4_mtu_reduced(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	u32 mtu = READ_ONCE(xtcp_sk(sk)->mtu_info);
	struct dst_entry *dst;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	/* the route clamps the value to net.ipv4.route.min_pmtu */
	dst = inet_csk_update_pmtu(sk, mtu);
	if (!dst)
		return;
	mtu = dst_mtu(dst);
	if (inet_sk(sk)->pmtudisc == IP_PMTUDISC_DONT ||
	    icsk->icsk_pmtu_cookie <= mtu)
		return;
	icsk->icsk_sync_mss(sk, mtu);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_PMTUREDUCTIONS);
	xtcp_retransmit_oversized(sk);
}

/*
 * ICMP "fragmentation needed" quoting sequence number @seq with next-hop
 * MTU @mtu: honoured only for data in flight (RFC 5927 §4.1, a blind
 * attacker must guess it); done now, or by the socket's owner in
 * xtcp_release_cb().
 */
static void xtcp_v4_frag_needed(struct sock *sk, u32 seq, u32 mtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	bh_lock_sock(sk);
	if (xtcp_seq_between(seq, xs->snd_una, xs->snd_nxt) &&
	    xs->snd_una != xs->snd_nxt) {
		WRITE_ONCE(xs->mtu_info, mtu);
		if (!sock_owned_by_user(sk))
			xtcp_v4_mtu_reduced(sk);
		else
			set_bit(XTCP_MTU_REDUCED_DEFERRED, &xs->deferred);
	}
	bh_unlock_sock(sk);
}

/**
 * xtcp_release_cb() - proto.release_cb: work deferred while the
 *	application held the socket
 * @sk: socket, still owned, its spinlock held
 */
void xtcp_release_cb(struct sock *sk)
{
	if (test_and_clear_bit(XTCP_MTU_REDUCED_DEFERRED,
			       &xtcp_sk(sk)->deferred))
		xtcp_v4_mtu_reduced(sk);
}

/**
 * xtcp_v4_err() - ICMP error for a segment we sent
 * @skb: the ICMP message, skb->data at the quoted IP header
 * @info: ICMP info (MTU for fragmentation needed)
 *
 * The quoted sequence number must lie in [SND.UNA, SND.NXT] (RFC 5927
 * §4.1). Hard errors abort a connection still in SYN-SENT; otherwise they
 * are kept as soft errors.
 *
 * Return: 0, or -ENOENT when no connection matches.
 */
int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct tcphdr *th = (const struct tcphdr *)(skb->data +
							   (iph->ihl << 2));
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);
	struct xtcp_sock *xs;
	struct sock *sk;
	int err;

	sk = __inet_lookup_established(net, &xtcp_hashinfo, iph->daddr,
				       th->dest, iph->saddr, ntohs(th->source),
				       inet_iif(skb), 0);
	if (!sk)
		return -ENOENT;
	if (sk->sk_state == TCP_TIME_WAIT) {
		inet_twsk_put(inet_twsk(sk));
		return 0;
	}
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		reqsk_put(inet_reqsk(sk));
		return 0;
	}

	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code > NR_ICMP_UNREACH)
			goto out_put;
		if (code == ICMP_FRAG_NEEDED) {
			xtcp_v4_frag_needed(sk, ntohl(th->seq), info);
			goto out_put;
		}
		err = icmp_err_convert[code].errno;
		break;
	case ICMP_TIME_EXCEEDED:
		err = EHOSTUNREACH;
		break;
	case ICMP_PARAMETERPROB:
		err = EPROTO;
		break;
	default:
		goto out_put;
	}

	bh_lock_sock(sk);
	xs = xtcp_sk(sk);
	if (!xtcp_seq_between(ntohl(th->seq), xs->snd_una, xs->snd_nxt))
		goto out;
	if (sk->sk_state == TCP_SYN_SENT && !sock_owned_by_user(sk)) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
		xtcp_done(sk);
	} else {
		WRITE_ONCE(sk->sk_err_soft, err);
	}
out:
	bh_unlock_sock(sk);
out_put:
	sock_put(sk);
	return 0;
}
