// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP output: building headers and options, transmitting and
 * retransmitting queued segments (the queue itself is xtcp_sendq.c),
 * window selection, and the SYN, SYN-ACK, ACK, FIN and RST segments.
 */
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/checksum.h>

#include "xtcp.h"

/**
 * xtcp_mss_for_mtu() - payload bytes per segment for a path MTU
 * @sk: socket (for IP option length)
 * @mtu: path MTU
 *
 * Return: MSS, never below XTCP_MIN_MSS.
 */
unsigned int xtcp_mss_for_mtu(const struct sock *sk, unsigned int mtu)
{
	int mss = (int)mtu - (int)sizeof(struct iphdr) - (int)XTCP_HDR_LEN -
		  (int)inet_csk(sk)->icsk_ext_hdr_len;

	return max(mss, XTCP_MIN_MSS);
}

/**
 * xtcp_free_window() - receive window the free buffer space allows
 * @sk: socket
 *
 * Free buffer space counts skb truesize; the payload it can hold is that
 * space scaled by the payload/truesize ratio of the segments received, so
 * a peer filling the window does not overrun the buffer.
 *
 * Return: window in bytes, a multiple of the scale unit.
 */
u32 xtcp_free_window(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int space = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);
	u32 win;

	if (space <= 0)
		return 0;
	win = (u32)(((u64)space * xs->rcv_ratio) >> 10);
	win = min_t(u32, win, XTCP_MAX_WINDOW << xs->rcv_wscale);
	return win & ~((1U << xs->rcv_wscale) - 1);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_free_window);

/**
 * xtcp_select_window() - the window field for an outgoing segment
 * @sk: socket
 *
 * The right edge we offered never moves left (RFC 9293 §3.8.6.2.2, "the
 * window should not be shrunk"); the new offer is recorded in rcv_wnd and
 * rcv_wup.
 *
 * Return: the 16-bit window field, already scaled.
 */
u16 xtcp_select_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 win = xtcp_free_window(sk);
	u32 old_edge = xs->rcv_wup + xs->rcv_wnd;

	if (xtcp_seq_before(xs->rcv_nxt + win, old_edge))
		win = old_edge - xs->rcv_nxt;
	win = min_t(u32, win, XTCP_MAX_WINDOW << xs->rcv_wscale);
	xs->rcv_wnd = win;
	xs->rcv_wup = xs->rcv_nxt;
	return win >> xs->rcv_wscale;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_select_window);

/**
 * xtcp_ratelimit_allow() - spend one event of a per-second budget
 * @rl: budget state
 * @now: current time in jiffies
 * @limit: events allowed per second; 0 or less allows none
 *
 * Return: true when the event may happen.
 */
bool xtcp_ratelimit_allow(struct xtcp_ratelimit *rl, unsigned long now,
			  int limit)
{
	unsigned long start = READ_ONCE(rl->window_start);

	if (time_after_eq(now, start + HZ) &&
	    cmpxchg(&rl->window_start, start, now) == start)
		atomic_set(&rl->count, 0);
	return atomic_inc_return(&rl->count) <= limit;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_ratelimit_allow);

/**
 * xtcp_write_options() - encode options (RFC 9293 §3.2, RFC 7323 §2.2, §3.2)
 * @ptr: destination, at least XTCP_MAX_OPT_LEN bytes, or NULL to size only
 * @opt: options to encode; zero fields are left out
 *
 * MSS, then SACK-permitted and timestamps (RFC 7323 Appendix A layout:
 * SACK-permitted takes the place of the two NOPs before the timestamps,
 * or follows two NOPs on its own), then the window scale behind one NOP,
 * then SACK blocks behind two NOPs (RFC 2018 §3). The caller keeps the
 * total within XTCP_MAX_OPT_LEN.
 *
 * Return: bytes written, a multiple of four.
 */
int xtcp_write_options(u8 *ptr, const struct xtcp_options *opt)
{
	int len = 0;

	if (opt->mss) {
		if (ptr) {
			ptr[len] = XTCPOPT_MSS;
			ptr[len + 1] = XTCPOLEN_MSS;
			put_unaligned_be16(opt->mss, ptr + len + 2);
		}
		len += 4;
	}
	if (opt->sack_ok && !opt->tstamp_ok) {
		if (ptr) {
			ptr[len] = XTCPOPT_NOP;
			ptr[len + 1] = XTCPOPT_NOP;
			ptr[len + 2] = XTCPOPT_SACK_PERM;
			ptr[len + 3] = XTCPOLEN_SACK_PERM;
		}
		len += 4;
	}
	if (opt->tstamp_ok) {
		if (ptr) {
			ptr[len] = opt->sack_ok ? XTCPOPT_SACK_PERM : XTCPOPT_NOP;
			ptr[len + 1] = opt->sack_ok ? XTCPOLEN_SACK_PERM :
						      XTCPOPT_NOP;
			ptr[len + 2] = XTCPOPT_TIMESTAMP;
			ptr[len + 3] = XTCPOLEN_TIMESTAMP;
			put_unaligned_be32(opt->tsval, ptr + len + 4);
			put_unaligned_be32(opt->tsecr, ptr + len + 8);
		}
		len += XTCPOLEN_TSTAMP_ALIGNED;
	}
	if (opt->wscale_ok) {
		if (ptr) {
			ptr[len] = XTCPOPT_NOP;
			ptr[len + 1] = XTCPOPT_WINDOW;
			ptr[len + 2] = XTCPOLEN_WINDOW;
			ptr[len + 3] = opt->wscale;
		}
		len += 4;
	}
	if (opt->num_sacks && opt->sacks) {
		int i, olen = XTCPOLEN_SACK_BASE +
			      opt->num_sacks * XTCPOLEN_SACK_BLOCK;

		if (ptr) {
			ptr[len] = XTCPOPT_NOP;
			ptr[len + 1] = XTCPOPT_NOP;
			ptr[len + 2] = XTCPOPT_SACK;
			ptr[len + 3] = olen;
			for (i = 0; i < opt->num_sacks; i++) {
				u8 *b = ptr + len + 4 + i * XTCPOLEN_SACK_BLOCK;

				put_unaligned_be32(opt->sacks[i].start, b);
				put_unaligned_be32(opt->sacks[i].end, b + 4);
			}
		}
		len += 2 + olen;
	}
	return len;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_write_options);

/**
 * xtcp_push_header() - push a header (with @opt's options) before the payload
 * @skb: segment with headroom for the header
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: XTCPHDR_* flags
 * @window: window field
 * @opt: SYN options to encode, or NULL
 *
 * The checksum is left to xtcp_finish_header().
 *
 * Return: the header.
 */
struct tcphdr *xtcp_push_header(struct sk_buff *skb, __be16 sport,
				__be16 dport, u32 seq, u32 ack, u8 flags,
				u16 window, const struct xtcp_options *opt)
{
	int optlen = opt ? xtcp_write_options(NULL, opt) : 0;
	struct tcphdr *th;

	th = skb_push(skb, XTCP_HDR_LEN + optlen);
	skb_reset_transport_header(skb);
	memset(th, 0, XTCP_HDR_LEN);
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (XTCP_HDR_LEN + optlen) >> 2;
	((u8 *)th)[13] = flags;
	th->window = htons(window);
	if (optlen)
		xtcp_write_options((u8 *)(th + 1), opt);
	return th;
}

/**
 * xtcp_finish_header() - fill the checksum over pseudo-header and segment
 * @skb: segment whose transport header is set and which ends at skb tail
 * @saddr: IPv4 source address
 * @daddr: IPv4 destination address
 *
 * The pseudo-header carries IP protocol IPPROTO_XTCP (RFC 9293 §3.1).
 */
void xtcp_finish_header(struct sk_buff *skb, __be32 saddr, __be32 daddr)
{
	struct tcphdr *th = xtcp_hdr(skb);
	int len = skb->len - skb_transport_offset(skb);
	__wsum csum;

	th->check = 0;
	csum = skb_checksum(skb, skb_transport_offset(skb), len, 0);
	th->check = csum_tcpudp_magic(saddr, daddr, len, IPPROTO_XTCP, csum);
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * SACK blocks for a segment with @len payload bytes: a pure ACK has the
 * option space the timestamps leave; a data segment only what it leaves
 * below the MSS, so that no segment outgrows the path.
 */
static int xtcp_sack_for_segment(struct sock *sk, unsigned int len,
				 struct xtcp_sack_block *sp)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int room = XTCP_MAX_OPT_LEN;

	if (!xs->sack_ok || (!xs->num_sacks && !xs->dsack) ||
	    (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		return 0;
	if (xs->tstamp_ok)
		room -= XTCPOLEN_TSTAMP_ALIGNED;
	if (len)
		room = min_t(unsigned int, room,
			     xs->mss_cache > len ? xs->mss_cache - len : 0);
	return xtcp_sack_fill(sk, sp, xtcp_sack_opt_blocks(room));
}

/*
 * Transmit one segment of the socket through ip_queue_xmit(). With
 * timestamps in use every segment carries them (RFC 7323 §3.2): TSval from
 * our clock, TSecr = TS.Recent. Segments other than SYNs and RSTs carry
 * the receiver's SACK blocks (RFC 2018 §4).
 */
static int xtcp_transmit(struct sock *sk, struct sk_buff *skb, u8 flags,
			 u32 seq, const struct xtcp_options *opt, gfp_t gfp)
{
	struct xtcp_sack_block sacks[XTCP_MAX_SACKS];
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_options ts = {};
	struct tcphdr *th;
	u16 win, up = 0;
	int err;

	if (!opt) {
		if (xs->tstamp_ok) {
			ts.tstamp_ok = 1;
			ts.tsval = xtcp_ts_now(xs);
			ts.tsecr = xs->ts_recent;
		}
		if (!(flags & (XTCPHDR_SYN | XTCPHDR_RST))) {
			ts.num_sacks = xtcp_sack_for_segment(sk, skb->len, sacks);
			ts.sacks = sacks;
		}
		if (ts.tstamp_ok || ts.num_sacks)
			opt = &ts;
	}

	if (flags & XTCPHDR_ACK)
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_DACK);
	if (flags & XTCPHDR_SYN) {
		/* RFC 7323 §2.2: the window of a SYN is never scaled */
		win = min_t(u32, xtcp_free_window(sk), XTCP_MAX_WINDOW);
		xs->rcv_wnd = win;
		xs->rcv_wup = xs->rcv_nxt;
	} else {
		win = xtcp_select_window(sk);
	}
	if (!(flags & (XTCPHDR_SYN | XTCPHDR_RST)))
		up = xtcp_urg_ptr(xs, seq);
	if (up)
		flags |= XTCPHDR_URG;
	th = xtcp_push_header(skb, inet->inet_sport, inet->inet_dport, seq,
			      (flags & XTCPHDR_ACK) ? xs->rcv_nxt : 0, flags, win,
			      opt);
	th->urg_ptr = htons(up);
	xtcp_ecn_xmit(sk, skb, th);
	if (flags & XTCPHDR_ACK)
		xs->ack_pending = 0;
	inet_csk(sk)->icsk_af_ops->send_check(sk, skb);
	memset(&XTCP_SKB_CB(skb)->header, 0, sizeof(XTCP_SKB_CB(skb)->header));
	skb_set_owner_w(skb, sk);
	skb->priority = sk->sk_priority;

	xtcp_inc_stats(sock_net(sk), XTCP_MIB_OUTSEGS);
	err = inet_csk(sk)->icsk_af_ops->queue_xmit(sk, skb, &inet->cork.fl);
	return net_xmit_eval(err);
}

/**
 * xtcp_alloc_ctl_skb() - an empty skb with room for every header
 * @gfp: allocation context
 *
 * Return: the skb, or NULL.
 */
struct sk_buff *xtcp_alloc_ctl_skb(gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(XTCP_MAX_HEADER, gfp);

	if (skb)
		skb_reserve(skb, XTCP_MAX_HEADER);
	return skb;
}

/*
 * The options our SYN (or simultaneous-open SYN-ACK) carries; timestamps
 * when offered (RFC 7323 §3.2: TSecr 0 in a SYN without ACK).
 */
static void xtcp_syn_options(struct sock *sk, struct xtcp_options *opt)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	opt->mss = xs->advmss;
	opt->wscale_ok = 1;
	opt->wscale = xs->rcv_wscale;
	opt->sack_ok = xs->sack_ok;
	if (xs->tstamp_ok) {
		opt->tstamp_ok = 1;
		opt->tsval = xtcp_ts_now(xs);
		opt->tsecr = sk->sk_state == TCP_SYN_SENT ? 0 : xs->ts_recent;
	}
}

/* send one queued segment: a clone, or a copy while an earlier clone of it
 * is still in a device queue
 */
static int xtcp_transmit_queued(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_options opt = {}, *optp = NULL;
	struct sk_buff *c;
	u8 flags = cb->flags;

	if (flags & XTCPHDR_SYN) {
		xtcp_syn_options(sk, &opt);
		optp = &opt;
		if (sk->sk_state == TCP_SYN_SENT)
			flags &= ~XTCPHDR_ACK;
	}
	cb->when = (u32)jiffies;
	cb->tx_us = xtcp_clock_us();
	cb->tx_tsval = xtcp_ts_now(xtcp_sk(sk));
	if (!cb->retransmitted)
		cb->first_tx = cb->when;
	if (skb_cloned(skb))
		c = pskb_copy(skb, GFP_ATOMIC);
	else
		c = skb_clone(skb, GFP_ATOMIC);
	if (!c)
		return -ENOBUFS;
	return xtcp_transmit(sk, c, flags, cb->seq, optp, GFP_ATOMIC);
}

/* sequence space a queued segment needs from the peer's window */
static u32 xtcp_skb_data_end(const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	return cb->end_seq - !!(cb->flags & XTCPHDR_FIN) -
	       !!(cb->flags & XTCPHDR_SYN);
}

/*
 * May the last, partial segment of @skb wait? Nagle's rule (RFC 9293
 * §3.8.6.2.1) holds it while data is unacknowledged unless TCP_NODELAY is
 * set; TCP_CORK holds it until it is full, uncorked, or XTCP_CORK_MAX old.
 * Only the tail of the queue, which later writes may still fill, waits.
 */
static bool xtcp_hold_partial(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	if ((XTCP_SKB_CB(skb)->flags & (XTCPHDR_FIN | XTCPHDR_SYN)) ||
	    !skb_queue_is_last(&sk->sk_write_queue, skb))
		return false;
	return xs->cork || (!xs->nodelay && xs->snd_nxt != xs->snd_una);
}

/*
 * How many payload bytes of @skb, the send head, one transmission may
 * carry now: at most @segs full segments (cwnd and the route's GSO
 * limit), one while urgent data is pending (each segment's urgent pointer
 * differs), the peer's window in whole segments when it does not take
 * all of @skb, and no partial last segment that xtcp_hold_partial() holds
 * unless @force. Return: the bytes (all of @skb, or a multiple of the
 * MSS), 0 when nothing of a non-empty @skb may go.
 */
static u32 xtcp_send_limit(struct sock *sk, const struct sk_buff *skb,
			   u32 segs, bool force)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 mss = xs->mss_cache, limit = skb->len;

	if (xs->urg_mode)
		segs = 1;
	if (limit > segs * mss)
		limit = segs * mss;
	else if (limit % mss && !force && xtcp_hold_partial(sk, skb))
		limit = rounddown(limit, mss);
	if (xtcp_window_blocks(sk, skb)) {
		u32 edge = xs->snd_una + xs->snd_wnd, seq = XTCP_SKB_CB(skb)->seq;
		u32 room = xtcp_seq_after(edge, seq) ? edge - seq : 0;

		limit = min(limit, rounddown(room, mss));
	}
	return limit;
}

/**
 * xtcp_window_blocks() - does the peer's window hold back a queued segment?
 * @sk: socket
 * @skb: unsent segment of the write queue
 *
 * Return: true when @skb's data does not fit below SND.UNA + SND.WND.
 */
bool xtcp_window_blocks(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return xtcp_seq_after(xtcp_skb_data_end(skb), xs->snd_una + xs->snd_wnd);
}

/**
 * xtcp_push() - send what the peer's window, Nagle and TCP_CORK allow
 * @sk: socket, locked
 */
void xtcp_push(struct sock *sk)
{
	xtcp_push_pending(sk, false);
}

/**
 * xtcp_push_pending() - send queued segments
 * @sk: socket, locked
 * @force: send a partial last segment even if Nagle or TCP_CORK would
 *	hold it (uncorking, the cork time limit)
 *
 * Sender silly-window avoidance is Nagle's rule (RFC 9293 §3.8.6.2.1): a
 * segment shorter than the MSS waits while data is unacknowledged unless
 * TCP_NODELAY is set. With a window too small for the next segment and
 * nothing in flight the persist timer is armed (RFC 9293 §3.8.6.1).
 * Segments in flight never exceed the congestion window
 * (xtcp_cwnd_quota(), RFC 5681 §2), which restarts after idle (RFC 5681
 * §4.1). Where the route allows (xtcp_gso_max_segs()), a skb of several
 * segments goes out as one GSO skb; it is cut (xtcp_fragment()) where
 * cwnd, the window or a held partial segment ends the transmission.
 */
void xtcp_push_pending(struct sock *sk, bool force)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	unsigned int max_segs = xtcp_gso_max_segs(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool sent = false;

	if (xs->send_head && !xs->packets_out)
		xtcp_cong_idle_restart(sk);
	xs->cwnd_limited = 0;
	while ((skb = xs->send_head)) {
		u32 quota = xtcp_cwnd_quota(xs), limit;
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!quota) {
			xs->cwnd_limited = 1;
			break;
		}
		limit = xtcp_send_limit(sk, skb, min_t(u32, quota, max_segs),
					force);
		if (!limit && skb->len) {
			if (!xtcp_window_blocks(sk, skb)) {
				/* Nagle or TCP_CORK holds the partial segment */
				if (xs->cork)
					xtcp_cork_timer_arm(sk);
				break;
			}
			/*
			 * The window takes no whole segment and nothing is in
			 * flight, so no RTO to keep: start probing unless a
			 * probe is already scheduled. The timer may still be
			 * pending from a cleared RTO (clearing only resets
			 * icsk_pending), so pending is what counts.
			 */
			if (xs->snd_nxt == xs->snd_una &&
			    icsk->icsk_pending != ICSK_TIME_PROBE0)
				inet_csk_reset_xmit_timer(sk, ICSK_TIME_PROBE0,
							  icsk->icsk_rto,
							  xs->rto_max);
			break;
		}
		if (limit < skb->len && xtcp_fragment(sk, skb, limit))
			break;
		xtcp_skb_set_pcount(skb, xs->mss_cache);
		if (xtcp_transmit_queued(sk, skb))
			break;
		if (xtcp_skb_pcount(skb) > 1)
			xtcp_inc_stats(sock_net(sk), XTCP_MIB_OUTGSOSKBS);
		xs->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
				NULL : skb->next;
		xs->packets_out += xtcp_skb_pcount(skb);
		xtcp_cong_sent(xs, xtcp_skb_pcount(skb));
		if (xtcp_seq_after(cb->end_seq, xs->snd_nxt))
			xs->snd_nxt = cb->end_seq;
		xs->lsndtime = (u32)jiffies;
		sent = true;
	}
	/* once per push, not per segment: the RTO, or the PTO (RFC 8985) */
	if (sent)
		xtcp_rack_sent_timers(sk);
}

/**
 * xtcp_retransmit_skb() - resend one sent, unacknowledged segment
 * @sk: socket, locked
 * @skb: the segment, in the write queue before send_head
 *
 * Return: 0, or a negative errno when it could not be sent.
 */
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* a retransmission is one segment (RFC 6675 NextSeg, RFC 5681) */
	if (skb->len > xs->mss_cache)
		xtcp_fragment(sk, skb, xs->mss_cache);
	xs->rtx_next = XTCP_SKB_CB(skb)->end_seq;
	XTCP_SKB_CB(skb)->retransmitted = 1;
	/* RFC 6675 §4: resent data counts in the pipe once more */
	if (xs->sack_ok)
		xtcp_sack_mark(xs, skb, XTCP_SKB_RTX);
	xs->total_retrans++;
	xtcp_cong_sent(xs, 1);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	return xtcp_transmit_queued(sk, skb);
}

/**
 * xtcp_retransmit_oversized() - resend what a smaller path MTU dropped
 * @sk: socket, locked, its send MSS just lowered
 *
 * Every sent, unacknowledged, unSACKed segment longer than the new MSS
 * was too large for the path and is gone; each goes again at once, cut
 * to the MSS, up to cwnd segments. This is no sign of congestion (RFC
 * 1191 §6.5), so cwnd stays; anything left is found by the usual
 * recovery.
 */
void xtcp_retransmit_oversized(struct sock *sk)
{
	const struct sk_buff_head *q = &sk->sk_write_queue;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(q);
	u32 resent = 0;

	while (skb && skb != xs->send_head && resent < xs->snd_cwnd) {
		if (skb->len > xs->mss_cache &&
		    !(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED)) {
			if (xtcp_retransmit_skb(sk, skb))
				break;
			resent++;
		}
		/* the rest of a cut skb is next */
		skb = skb_queue_is_last(q, skb) ? NULL : skb->next;
	}
	if (resent)
		xtcp_rearm_rto(sk);
}

/**
 * xtcp_retransmit_head() - resend the oldest unacknowledged segment
 * @sk: socket, locked
 *
 * Return: 0, or a negative errno when nothing could be sent.
 */
int xtcp_retransmit_head(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (!skb || skb == xs->send_head)
		return -EAGAIN;
	return xtcp_retransmit_skb(sk, skb);
}

/**
 * xtcp_connect_send_syn() - queue and send the SYN of an active open
 * @sk: socket in SYN-SENT with iss chosen and route set
 *
 * Return: 0 or -ENOBUFS.
 */
int xtcp_connect_send_syn(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb = xtcp_alloc_ctl_skb(sk->sk_allocation);
	if (!skb)
		return -ENOBUFS;
	XTCP_SKB_CB(skb)->seq = xs->iss;
	XTCP_SKB_CB(skb)->end_seq = xs->iss + 1;
	XTCP_SKB_CB(skb)->flags = XTCPHDR_SYN;
	XTCP_SKB_CB(skb)->retransmitted = 0;
	xs->snd_una = xs->iss;
	xs->snd_nxt = xs->iss;
	xs->recover = xs->iss;
	xs->write_seq = xs->iss + 1;
	xs->snd_wnd = 0;
	xs->rcv_wnd = 0;
	xs->rcv_wup = 0;
	xtcp_queue_ctl_skb(sk, skb);
	xtcp_push(sk);
	return 0;
}

/**
 * xtcp_send_ack() - send a pure ACK carrying the current window
 * @sk: socket
 */
void xtcp_send_ack(struct sock *sk)
{
	struct sk_buff *skb;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	skb = xtcp_alloc_ctl_skb(GFP_ATOMIC);
	if (!skb) {
		/* try again from the delayed-ACK timer */
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK,
					  xtcp_delack_timeout(sk), XTCP_DELACK_MAX);
		return;
	}
	xtcp_transmit(sk, skb, XTCPHDR_ACK, xtcp_sk(sk)->snd_nxt, NULL,
		      GFP_ATOMIC);
}

/**
 * xtcp_challenge_ack_allowed() - may a challenge ACK go out now?
 * @net: namespace
 *
 * RFC 5961 §7: challenge ACKs are limited to net.xtcp.challenge_ack_limit
 * per second in the namespace; both outcomes are counted.
 *
 * Return: true when the ACK may be sent.
 */
bool xtcp_challenge_ack_allowed(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	if (!xtcp_ratelimit_allow(&xn->challenge_rl, jiffies,
				  READ_ONCE(xn->challenge_ack_limit))) {
		xtcp_inc_stats(net, XTCP_MIB_CHALLENGEACKLIMITED);
		return false;
	}
	xtcp_inc_stats(net, XTCP_MIB_CHALLENGEACKS);
	return true;
}

/**
 * xtcp_send_challenge_ack() - an ACK in answer to a suspicious RST or SYN
 * @sk: socket
 *
 * RFC 5961 §3.2 and §4.2, within the budget of
 * xtcp_challenge_ack_allowed().
 */
void xtcp_send_challenge_ack(struct sock *sk)
{
	if (xtcp_challenge_ack_allowed(sock_net(sk)))
		xtcp_send_ack(sk);
}

/**
 * xtcp_send_window_probe() - zero-window probe (RFC 9293 §3.8.6.1)
 * @sk: socket
 *
 * An ACK one below SND.UNA is outside the peer's window, so the peer must
 * answer with an ACK that carries its current window.
 */
void xtcp_send_window_probe(struct sock *sk)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb(GFP_ATOMIC);

	if (!skb)
		return;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_WINPROBES);
	xtcp_transmit(sk, skb, XTCPHDR_ACK, xtcp_sk(sk)->snd_una - 1, NULL,
		      GFP_ATOMIC);
}

/**
 * xtcp_send_active_reset() - <SEQ=SND.NXT><CTL=RST,ACK> for ABORT
 * @sk: socket in a synchronized state
 * @gfp: allocation context
 */
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb(gfp);

	xtcp_inc_stats(sock_net(sk), XTCP_MIB_OUTRSTS);
	if (skb)
		xtcp_transmit(sk, skb, XTCPHDR_RST | XTCPHDR_ACK,
			      xtcp_sk(sk)->snd_nxt, NULL, gfp);
}

/**
 * xtcp_send_fin() - queue our FIN behind any unsent data and push it
 * @sk: socket, locked, in process context
 *
 * Return: 0.
 */
int xtcp_send_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

	if (tail && xs->send_head &&
	    !(XTCP_SKB_CB(tail)->flags & (XTCPHDR_SYN | XTCPHDR_FIN))) {
		XTCP_SKB_CB(tail)->flags |= XTCPHDR_FIN;
		XTCP_SKB_CB(tail)->end_seq++;
	} else {
		struct sk_buff *skb;

		skb = xtcp_alloc_ctl_skb(sk_gfp_mask(sk, GFP_KERNEL) |
					 __GFP_NOFAIL);
		XTCP_SKB_CB(skb)->seq = xs->write_seq;
		XTCP_SKB_CB(skb)->end_seq = xs->write_seq + 1;
		XTCP_SKB_CB(skb)->flags = XTCPHDR_FIN | XTCPHDR_ACK;
		XTCP_SKB_CB(skb)->retransmitted = 0;
		xtcp_queue_ctl_skb(sk, skb);
	}
	xs->write_seq++;
	xtcp_push(sk);
	return 0;
}

/**
 * xtcp_make_synack() - build the SYN-ACK for a request sock
 * @sk: listener
 * @dst: route to the peer
 * @req: request sock
 *
 * Return: the segment, checksummed and owning @dst, or NULL (the caller
 * still owns @dst then).
 */
struct sk_buff *xtcp_make_synack(const struct sock *sk, struct dst_entry *dst,
				 struct request_sock *req)
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct xtcp_options opt = {};
	struct sk_buff *skb;
	u32 win;

	skb = xtcp_alloc_ctl_skb(GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_dst_set(skb, dst);

	opt.mss = xtcp_mss_for_mtu(sk, dst_mtu(dst));
	if (xreq->opt.wscale_ok) {
		opt.wscale_ok = 1;
		opt.wscale = XTCP_RCV_WSCALE;
	}
	/* RFC 2018 §2: SACK-permitted only in answer to a SYN that had it */
	opt.sack_ok = xreq->opt.sack_ok;
	/* RFC 7323 §3.2: answer a SYN's timestamps, echoing its TSval */
	if (xreq->opt.tstamp_ok) {
		opt.tstamp_ok = 1;
		opt.tsval = xtcp_clock_ms() + xreq->ts_off;
		/* a cookie's TSval keeps the SYN's options (RFC 4987 §3.6) */
		if (xreq->cookie)
			opt.tsval = xtcp_cookie_tsval(opt.tsval, &xreq->opt);
		opt.tsecr = xreq->opt.tsval;
	}
	win = req->rsk_rcv_wnd;
	xtcp_push_header(skb, htons(ireq->ir_num), ireq->ir_rmt_port,
			 xreq->iss, xreq->irs + 1, XTCPHDR_SYN | XTCPHDR_ACK |
			 xtcp_ecn_synack_flags(req), win, &opt);
	xtcp_finish_header(skb, ireq->ir_loc_addr, ireq->ir_rmt_addr);
	return skb;
}

/**
 * xtcp_v4_rtx_synack() - request_sock_ops.rtx_syn_ack: (re)send a SYN-ACK
 * @sk: listener
 * @req: request sock
 *
 * Return: 0 or a negative errno.
 */
int xtcp_v4_rtx_synack(const struct sock *sk, struct request_sock *req)
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct flowi4 fl4;
	int err;

	dst = inet_csk_route_req(sk, &fl4, req);
	if (!dst)
		return -EHOSTUNREACH;
	skb = xtcp_make_synack(sk, dst, req);
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_OUTSEGS);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_OUTSYNACKS);
	if (xtcp_rsk(req)->synack_sent) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_SYNACKRETRANS);
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	}
	xtcp_rsk(req)->synack_sent = 1;
	rcu_read_lock();
	err = ip_build_and_send_pkt(skb, sk, ireq->ir_loc_addr,
				    ireq->ir_rmt_addr,
				    rcu_dereference(ireq->ireq_opt),
				    inet_sk(sk)->tos);
	rcu_read_unlock();
	return net_xmit_eval(err);
}
