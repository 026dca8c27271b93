// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP input: RFC 9293 §3.10.7 "SEGMENT ARRIVES" for a full socket in
 * SYN-SENT and in the synchronized states — sequence check, RST, SYN, ACK
 * and window processing, reassembly and in-order delivery, FIN — and
 * option parsing.
 */
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

/**
 * xtcp_parse_options() - decode the options of a header (RFC 9293 §3.2)
 * @th: header whose doff has been validated against the skb length
 * @opt: result; MSS and window scale are honoured only on a SYN,
 *	timestamps on every segment
 *
 * Every received segment passes through here once, on arrival, so that
 * malformed headers never reach the state machine.
 *
 * Unknown options are skipped by their length; a truncated or malformed
 * known option makes the whole segment invalid.
 *
 * Return: 0, or -EINVAL for a malformed option list.
 */
int xtcp_parse_options(const struct tcphdr *th, struct xtcp_options *opt)
{
	const u8 *ptr = (const u8 *)(th + 1);
	int len = th->doff * 4 - (int)XTCP_HDR_LEN;

	memset(opt, 0, sizeof(*opt));
	while (len > 0) {
		u8 kind = ptr[0], olen;

		if (kind == XTCPOPT_EOL)
			break;
		if (kind == XTCPOPT_NOP) {
			ptr++;
			len--;
			continue;
		}
		if (len < 2)
			return -EINVAL;
		olen = ptr[1];
		if (olen < 2 || olen > len)
			return -EINVAL;
		switch (kind) {
		case XTCPOPT_MSS:
			if (olen != XTCPOLEN_MSS)
				return -EINVAL;
			if (th->syn)
				opt->mss = get_unaligned_be16(ptr + 2);
			break;
		case XTCPOPT_SACK_PERM:
			/* RFC 2018 §2: Kind 4, Length 2, only on a SYN */
			if (olen != XTCPOLEN_SACK_PERM)
				return -EINVAL;
			if (th->syn)
				opt->sack_ok = 1;
			break;
		case XTCPOPT_SACK:
			/*
			 * RFC 2018 §3: Kind 5, Length 2 + 8n; the blocks are
			 * read where they are when the ACK is processed
			 */
			if (olen < XTCPOLEN_SACK_BASE + XTCPOLEN_SACK_BLOCK ||
			    (olen - XTCPOLEN_SACK_BASE) % XTCPOLEN_SACK_BLOCK)
				return -EINVAL;
			if (!th->syn) {
				opt->num_sacks = (olen - XTCPOLEN_SACK_BASE) /
						 XTCPOLEN_SACK_BLOCK;
				opt->sack_off = ptr + XTCPOLEN_SACK_BASE -
						(const u8 *)th;
			}
			break;
		case XTCPOPT_TIMESTAMP:
			/* RFC 7323 §3.2: Kind 8, Length 10, on any segment */
			if (olen != XTCPOLEN_TIMESTAMP)
				return -EINVAL;
			opt->tstamp_ok = 1;
			opt->tsval = get_unaligned_be32(ptr + 2);
			opt->tsecr = get_unaligned_be32(ptr + 6);
			break;
		case XTCPOPT_WINDOW:
			if (olen != XTCPOLEN_WINDOW)
				return -EINVAL;
			if (th->syn) {
				/* RFC 7323 §2.3: a shift above 14 is used as 14 */
				opt->wscale_ok = 1;
				opt->wscale = min_t(u8, ptr[2], XTCP_MAX_WSCALE);
			}
			break;
		default:
			break;
		}
		ptr += olen;
		len -= olen;
	}
	return 0;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_parse_options);

/* RFC 9293 §3.10.7.4 second check: an acceptable RST closes the TCB */
static void xtcp_reset(struct sock *sk)
{
	int err;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		err = ECONNRESET;
	}

	WRITE_ONCE(sk->sk_err, err);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	xtcp_done(sk);
}

/* window the sequence check applies: what we offered, from RCV.NXT */
static u32 xtcp_rcv_window(const struct xtcp_sock *xs)
{
	s32 win = (s32)(xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt);

	return win < 0 ? 0 : win;
}

/**
 * xtcp_set_peer_options() - adopt the options of the peer's SYN
 * @xs: socket
 * @opt: options of the SYN (or of the request sock's SYN)
 *
 * RFC 9293 §3.7.1: no MSS option means 536. RFC 7323 §2.2: window scaling
 * is on only when both SYNs carry the option, otherwise both shifts are 0.
 * RFC 7323 §3.2: timestamps are used when we offered them (tstamp_ok set
 * on entry) and the peer's SYN carries them; its TSval is the first
 * TS.Recent. The caller resynchronises the MSS.
 */
void xtcp_set_peer_options(struct xtcp_sock *xs,
			   const struct xtcp_options *opt)
{
	xs->tstamp_ok = xs->tstamp_ok && opt->tstamp_ok;
	/* RFC 2018 §2: SACK only when both SYNs carried SACK-permitted */
	xs->sack_ok = xs->sack_ok && opt->sack_ok;
	if (xs->tstamp_ok) {
		xs->ts_recent = opt->tsval;
		xs->ts_recent_stamp = (u32)ktime_get_seconds();
	}
	xs->peer_mss = opt->mss ? max_t(u16, opt->mss, XTCP_MIN_MSS) :
				  XTCP_DEFAULT_MSS;
	if (opt->wscale_ok) {
		xs->snd_wscale = opt->wscale;
	} else {
		xs->snd_wscale = 0;
		xs->rcv_wscale = 0;
	}
}

/**
 * xtcp_paws_reject() - the PAWS test of RFC 7323 §5.3 R1
 * @ts_recent: TS.Recent
 * @ts_recent_stamp: when it was recorded, in seconds
 * @tsval: SEG.TSval of the arriving segment
 * @now_sec: the current time in seconds
 *
 * A segment whose TSval is older than TS.Recent (modulo 2^32) is an old
 * duplicate, unless TS.Recent has been idle for more than 24 days, when it
 * is no longer valid (§5.5).
 *
 * Return: true when the segment must be dropped.
 */
bool xtcp_paws_reject(u32 ts_recent, u32 ts_recent_stamp, u32 tsval,
		      u32 now_sec)
{
	if ((s32)(tsval - ts_recent) >= 0)
		return false;
	return now_sec - ts_recent_stamp <= XTCP_PAWS_IDLE;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_paws_reject);

/*
 * RFC 7323 §4 RTTM: with timestamps every ACK of new data gives a sample,
 * now - TSecr, retransmitted segments included (no Karn ambiguity).
 */
static void xtcp_ts_rtt_sample(struct xtcp_sock *xs,
			       const struct xtcp_options *opt)
{
	u32 rtt_ms;

	if (!xs->tstamp_ok || !opt->tstamp_ok || !opt->tsecr)
		return;
	rtt_ms = xtcp_ts_now(xs) - opt->tsecr;
	/* an echo from the future or of a value never sent: ignore it */
	if ((s32)rtt_ms < 0 || rtt_ms > XTCP_RTO_MAX_MS * 2U)
		return;
	xtcp_rtt_update(xs, max(rtt_ms, 1U) * USEC_PER_MSEC);
}

/*
 * RFC 7323 §5.3 R1 before the sequence check: with timestamps in use, a
 * segment whose TSval is older than TS.Recent is dropped with an ACK
 * (PAWS); a RST is exempt. A non-RST segment without timestamps is
 * counted but, as on Linux, accepted without the PAWS test: §3.2 only
 * says SHOULD drop, and dropping turns any peer path that forgets the
 * option (a TIME-WAIT ACK, say) into a stalled connection. Return: false
 * when the segment must go.
 */
static bool xtcp_ts_check(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->tstamp_ok || (cb->flags & XTCPHDR_RST))
		return true;
	if (!cb->opt.tstamp_ok) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_INNOTIMESTAMP);
		return true;
	}
	if (xtcp_paws_reject(xs->ts_recent, xs->ts_recent_stamp, cb->opt.tsval,
			     (u32)ktime_get_seconds())) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_PAWSDROPS);
		xtcp_send_ack(sk);
		return false;
	}
	return true;
}

/*
 * RFC 7323 §4.3 (2), §5.3 R3: an acceptable segment with SEG.TSval >=
 * TS.Recent and SEG.SEQ <= Last.ACK.sent (rcv_wup, RCV.NXT as of our last
 * segment) updates TS.Recent.
 */
static void xtcp_ts_update_recent(struct xtcp_sock *xs,
				  const struct xtcp_skb_cb *cb)
{
	if (!xs->tstamp_ok || !cb->opt.tstamp_ok ||
	    xtcp_seq_after(cb->seq, xs->rcv_wup))
		return;
	/* §5.5: after 24 idle days any TSval is newer */
	if ((s32)(cb->opt.tsval - xs->ts_recent) >= 0 ||
	    (u32)ktime_get_seconds() - xs->ts_recent_stamp > XTCP_PAWS_IDLE) {
		xs->ts_recent = cb->opt.tsval;
		xs->ts_recent_stamp = (u32)ktime_get_seconds();
	}
}

/* RFC 9293 §3.10.7.3: SYN-SENT */
static void xtcp_rcv_synsent(struct sock *sk, struct sk_buff *skb)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = xtcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (cb->flags & XTCPHDR_ACK) {
		/* first: an ACK must cover our SYN and nothing more */
		if (xtcp_seq_leq(cb->ack_seq, xs->iss) ||
		    xtcp_seq_after(cb->ack_seq, xs->snd_nxt)) {
			xtcp_v4_send_reset(sock_net(sk), skb);
			return;
		}
	}
	if (cb->flags & XTCPHDR_RST) {
		/* second: only a RST that acknowledges our SYN refuses it */
		if (cb->flags & XTCPHDR_ACK)
			xtcp_reset(sk);
		return;
	}
	if (!(cb->flags & XTCPHDR_SYN) || (cb->flags & XTCPHDR_FIN))
		return;
	/* fourth: the SYN */
	xs->irs = cb->seq;
	xs->rcv_nxt = cb->seq + 1;
	xs->copied_seq = xs->rcv_nxt;
	xs->rcv_wup = xs->rcv_nxt;
	xtcp_set_peer_options(xs, &cb->opt);
	xtcp_ecn_rcv_syn(sk, cb->flags);
	inet_csk(sk)->icsk_sync_mss(sk, inet_csk(sk)->icsk_pmtu_cookie);
	xs->snd_wnd = ntohs(th->window);	/* never scaled in a SYN */
	xs->max_window = xs->snd_wnd;
	xs->snd_wl1 = cb->seq;
	xs->snd_wl2 = cb->ack_seq;

	if (cb->flags & XTCPHDR_ACK) {
		xs->snd_una = cb->ack_seq;
		xtcp_ts_rtt_sample(xs, &cb->opt);
		xtcp_clean_rtx_queue(sk, xs->snd_una, NULL);
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
		icsk->icsk_retransmits = 0;
		icsk->icsk_backoff = 0;
		xtcp_set_state(sk, TCP_ESTABLISHED);
		xtcp_send_ack(sk);
		if (sock_flag(sk, SOCK_KEEPOPEN))
			xtcp_set_keepalive(sk, 1);
		if (!sock_flag(sk, SOCK_DEAD)) {
			sk->sk_state_change(sk);
			sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		}
		xtcp_push(sk);
		return;
	}

	/* simultaneous open: SYN-RECEIVED, our SYN goes out again with ACK */
	xtcp_set_state(sk, TCP_SYN_RECV);
	if (skb_peek(&sk->sk_write_queue))
		XTCP_SKB_CB(skb_peek(&sk->sk_write_queue))->flags |= XTCPHDR_ACK;
	xtcp_retransmit_head(sk);
}

/*
 * RFC 5681 §2: a duplicate ACK acknowledges nothing new while data is
 * outstanding, carries no data, SYN or FIN, and leaves the window as it is.
 * With SACK (RFC 6675 §2) the last condition is instead that it SACKs data
 * not SACKed before (@newly_sacked segments).
 */
static bool xtcp_is_dupack(const struct xtcp_sock *xs,
			   const struct sk_buff *skb, u32 newly_sacked)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->ack_seq != xs->snd_una || xs->snd_una == xs->snd_nxt ||
	    cb->end_seq != cb->seq)
		return false;
	if (xs->sack_ok)
		return newly_sacked;
	return ((u32)ntohs(xtcp_hdr(skb)->window) << xs->snd_wscale) ==
	       xs->snd_wnd;
}

/* segments an ACK delivered (acknowledged or SACKed), from the count of
 * segments neither before it (RFC 6937 §2 DeliveredData, in segments)
 */
static u32 xtcp_delivered(struct xtcp_sock *xs, u32 prior_undelivered)
{
	u32 now = xs->packets_out - xs->sacked_out;

	xs->ack_delivered = prior_undelivered > now ? prior_undelivered - now : 0;
	return xs->ack_delivered;
}

/*
 * RFC 9293 §3.10.7.4 fifth check, the ACK field. Return: false when the
 * segment must be dropped here (or the socket is gone).
 */
static bool xtcp_ack(struct sock *sk, struct sk_buff *skb)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = xtcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ack = cb->ack_seq, undelivered = xs->packets_out - xs->sacked_out;

	if (sk->sk_state == TCP_SYN_RECV) {
		if (!xtcp_seq_after(ack, xs->snd_una) ||
		    xtcp_seq_after(ack, xs->snd_nxt)) {
			xtcp_v4_send_reset(sock_net(sk), skb);
			return false;
		}
		xtcp_set_state(sk, TCP_ESTABLISHED);
		xs->snd_wl1 = cb->seq - 1;	/* force the window update below */
		if (sock_flag(sk, SOCK_KEEPOPEN))
			xtcp_set_keepalive(sk, 1);
		if (!sock_flag(sk, SOCK_DEAD)) {
			sk->sk_state_change(sk);
			sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		}
	}

	if (xtcp_seq_after(ack, xs->snd_nxt)) {
		/* acknowledges something not yet sent: ACK and drop */
		xtcp_send_ack(sk);
		return false;
	}
	/* the peer is alive: zero-window and keep-alive probes count afresh */
	icsk->icsk_probes_out = 0;
	xtcp_rack_ack_start(sk, &cb->opt);

	if (xtcp_seq_after(ack, xs->snd_una)) {
		u32 prior_in_flight = xtcp_in_flight(xs), acked, lost, reo;
		s32 rtt_us;

		xs->dupacks = 0;
		xs->snd_una = ack;
		xtcp_ts_rtt_sample(xs, &cb->opt);
		acked = xtcp_clean_rtx_queue(sk, ack, &rtt_us);
		xtcp_sack_process(sk, skb);
		lost = xs->lost_out;
		reo = xtcp_rack_detect_loss(sk);
		xtcp_tlp_ack(sk, ack, false);
		xtcp_urg_acked(xs);
		/* new data acknowledged: the backed-off RTO ends (RFC 6298 §5.7) */
		if (icsk->icsk_backoff)
			xtcp_rto_restore(xs);
		icsk->icsk_retransmits = 0;
		icsk->icsk_backoff = 0;
		icsk->icsk_probes_out = 0;
		/* RFC 6298 §5.2, §5.3; RFC 8985 §6.3, §7.2 */
		if (xs->snd_una == xs->snd_nxt)
			inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
		else
			xtcp_rack_ack_timers(sk, reo);
		xtcp_cong_prr(sk, xtcp_delivered(xs, undelivered));
		if (xs->lost_out != lost)
			xtcp_cong_rack_loss(sk);
		/* growth, or partial/full ACK handling in recovery */
		xtcp_cong_ack(sk, ack, acked, prior_in_flight, rtt_us);
	} else {
		/* an older ACK's SACK blocks may be stale: only the latest */
		u32 newly = ack == xs->snd_una ? xtcp_sack_process(sk, skb) : 0;
		u32 reo = xtcp_rack_detect_loss(sk);

		if (reo)
			xtcp_rack_ack_timers(sk, reo);
		xtcp_tlp_ack(sk, ack, !newly && cb->end_seq == cb->seq);
		xtcp_cong_prr(sk, xtcp_delivered(xs, undelivered));
		if (xtcp_is_dupack(xs, skb, newly))
			xtcp_cong_dupack(sk);
	}

	/* window update, SND.WL1/SND.WL2 rule of §3.10.7.4 */
	if (xtcp_seq_between(ack, xs->snd_una, xs->snd_nxt) &&
	    (xtcp_seq_before(xs->snd_wl1, cb->seq) ||
	     (xs->snd_wl1 == cb->seq && xtcp_seq_geq(ack, xs->snd_wl2)))) {
		xs->snd_wnd = (u32)ntohs(th->window) << xs->snd_wscale;
		xs->max_window = max(xs->max_window, xs->snd_wnd);
		xs->snd_wl1 = cb->seq;
		xs->snd_wl2 = ack;
		if (xs->snd_wnd)
			icsk->icsk_probes_out = 0;
	}

	/* our FIN is acknowledged once SND.UNA reaches the end of the queue */
	if (xs->snd_una == xs->write_seq) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
			xtcp_set_state(sk, TCP_FIN_WAIT2);
			WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
			if (!sock_flag(sk, SOCK_DEAD)) {
				sk->sk_state_change(sk);
				break;
			}
			if ((cb->flags & XTCPHDR_FIN) || cb->end_seq != cb->seq)
				break;
			if (sock_owned_by_user(sk)) {
				/*
				 * From close()'s backlog: the peer's FIN may be
				 * queued right behind this ACK and must reach
				 * this socket, so it stays whole until the
				 * FIN-WAIT-2 timeout (or until close() moves it).
				 */
				inet_csk_reset_keepalive_timer(sk,
							       xtcp_fin_timeout(sk));
				break;
			}
			xtcp_time_wait(sk, TCP_FIN_WAIT2, xtcp_fin_timeout(sk));
			return false;
		case TCP_CLOSING:
			xtcp_time_wait(sk, TCP_TIME_WAIT, 0);
			return false;
		case TCP_LAST_ACK:
			xtcp_done(sk);
			return false;
		}
	}

	if (xs->send_head)
		xtcp_push(sk);
	return true;
}

/* RFC 9293 §3.10.7.4 eighth check: an in-order FIN */
static void xtcp_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv_nxt++;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);

	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xtcp_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* our FIN is not acknowledged yet: simultaneous close */
		xtcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		xtcp_send_ack(sk);
		xtcp_time_wait(sk, TCP_TIME_WAIT, 0);
		return;
	default:
		break;
	}
	xtcp_send_ack(sk);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		if (sk->sk_shutdown == SHUTDOWN_MASK ||
		    sk->sk_state == TCP_CLOSE)
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
		else
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
	}
}

/**
 * xtcp_ofo_purge() - free every segment of the reassembly tree
 * @sk: socket
 */
void xtcp_ofo_purge(struct sock *sk)
{
	struct rb_root *root = &xtcp_sk(sk)->ofo_root;
	struct rb_node *p = rb_first(root);

	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		p = rb_next(p);
		rb_erase(&skb->rbnode, root);
		kfree_skb(skb);
	}
}

/*
 * Hold an out-of-order segment (payload only, cb->seq at its first byte)
 * in the sequence-ordered tree. A segment wholly inside one already held is
 * dropped; segments wholly inside the new one are dropped; partial overlaps
 * are kept and trimmed when they become in order. Return: true when the
 * segment held nothing new (a duplicate, for D-SACK).
 */
static bool xtcp_ofo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct rb_root *root = &xtcp_sk(sk)->ofo_root;
	struct rb_node **p = &root->rb_node, *parent = NULL;
	u32 seq = XTCP_SKB_CB(skb)->seq, end = XTCP_SKB_CB(skb)->end_seq;
	struct sk_buff *other;

	while (*p) {
		parent = *p;
		other = rb_to_skb(parent);
		if (xtcp_seq_before(seq, XTCP_SKB_CB(other)->seq)) {
			p = &parent->rb_left;
		} else if (xtcp_seq_after(seq, XTCP_SKB_CB(other)->seq)) {
			p = &parent->rb_right;
		} else {
			/* same start: keep the longer one */
			if (xtcp_seq_leq(end, XTCP_SKB_CB(other)->end_seq)) {
				kfree_skb(skb);
				return true;
			}
			rb_replace_node(&other->rbnode, &skb->rbnode, root);
			kfree_skb(other);
			goto drop_covered;
		}
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, root);

	other = rb_to_skb(rb_prev(&skb->rbnode));
	if (other && xtcp_seq_geq(XTCP_SKB_CB(other)->end_seq, end)) {
		rb_erase(&skb->rbnode, root);
		kfree_skb(skb);
		return true;
	}
drop_covered:
	while ((other = skb_rb_next(skb)) &&
	       xtcp_seq_leq(XTCP_SKB_CB(other)->end_seq, end)) {
		rb_erase(&other->rbnode, root);
		kfree_skb(other);
	}
	return false;
}

/*
 * Append a segment that starts at or before RCV.NXT (payload only) to the
 * receive queue, minus what was already received. Return: true when its
 * FIN is now the next thing in sequence.
 */
static bool xtcp_queue_in_order(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 trim = xs->rcv_nxt - cb->seq;
	bool fin = cb->flags & XTCPHDR_FIN;

	if (trim >= skb->len) {
		fin = fin && cb->seq + skb->len == xs->rcv_nxt;
		kfree_skb(skb);
		return fin;
	}
	/*
	 * The payload may sit in page fragments (a GSO skb, most drivers):
	 * pskb_pull() takes the overlap from them too. Without memory for
	 * that the segment is dropped; the peer sends it again.
	 */
	if (trim && !pskb_pull(skb, trim)) {
		kfree_skb(skb);
		return false;
	}
	cb->seq += trim;
	if (!skb->sk)
		skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	xs->rcv_nxt = cb->seq + skb->len;
	xs->ack_pending += skb->len;
	xs->rcv_ratio = clamp_t(u32, ((u64)skb->len << 10) / skb->truesize,
				XTCP_RCV_RATIO_MIN, 1024);
	return fin;
}

/*
 * When to acknowledge in-order data (RFC 9293 §3.8.6.3, RFC 5681 §4.2,
 * RFC 1122 §4.2.3.2): at once when it filled a gap, in TCP_QUICKACK mode,
 * or when at least two full-sized segments are unacknowledged; otherwise
 * the delayed-ACK timer (net.xtcp.delack_ms, at most 200 ms) sends it. The
 * timer is not pushed back by later segments, so no ACK waits longer.
 */
static void xtcp_ack_policy(struct sock *sk, bool gap)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->ack_pending)
		return;
	if (gap || xs->quickack || xs->ack_pending >= 2U * xs->rcv_mss) {
		if (xs->quickack)
			xs->quickack--;
		xtcp_send_ack(sk);
	} else if (!(icsk->icsk_pending == ICSK_TIME_DACK &&
		     timer_pending(&icsk->icsk_delack_timer))) {
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK,
					  xtcp_delack_timeout(sk), XTCP_DELACK_MAX);
	}
}

/*
 * RFC 9293 §3.10.7.4 seventh and eighth checks: deliver text in sequence
 * order and process the FIN. Out-of-order segments wait in the reassembly
 * tree and are answered with an immediate duplicate ACK, as is a segment
 * that fills a gap (RFC 5681 §4.2). Return: true when @skb was consumed.
 */
static bool xtcp_data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = xtcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int hdrlen = th->doff * 4;
	u32 data_len = skb->len - hdrlen;
	struct sk_buff *ofo;
	bool gap, fin;

	if (!data_len && !(cb->flags & XTCPHDR_FIN))
		return false;

	if (!((1 << sk->sk_state) &
	      (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)) ||
	    xtcp_seq_leq(cb->end_seq, xs->rcv_nxt)) {
		/* an old duplicate, or the peer already sent its FIN */
		if (xtcp_seq_leq(cb->seq + data_len, xs->rcv_nxt))
			xtcp_sack_rcv_dup(sk, cb->seq, cb->seq + data_len);
		xtcp_send_ack(sk);
		return false;
	}

	if (data_len && (sk->sk_shutdown & RCV_SHUTDOWN) &&
	    ((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))) {
		/* new data after close(): nobody will read it */
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
		xtcp_done(sk);
		return false;
	}
	/*
	 * Data inside the window we offered is kept even when the truesize
	 * estimate behind that offer was low; twice the buffer is the hard
	 * bound beyond which segments are dropped.
	 */
	if (atomic_read(&sk->sk_rmem_alloc) > 2 * READ_ONCE(sk->sk_rcvbuf)) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_RCVQUEUEDROPS);
		xtcp_send_ack(sk);
		return false;
	}

	if (!xtcp_rmem_admit(sk, skb)) {
		xtcp_send_ack(sk);
		return false;
	}
	__skb_pull(skb, hdrlen);
	skb_dst_drop(skb);
	/* the largest segment seen is what "full-sized" means for delayed ACKs */
	if (data_len > xs->rcv_mss)
		xs->rcv_mss = min_t(u32, data_len, max_t(u32, xs->advmss,
							 XTCP_DEFAULT_MSS));
	if (xtcp_seq_after(cb->seq, xs->rcv_nxt)) {
		u32 seq = cb->seq;

		skb_set_owner_r(skb, sk);
		/* RFC 2018 §4: SACK blocks tell the sender what arrived */
		xtcp_sack_rcv_ofo(sk, seq, seq + data_len,
				  xtcp_ofo_insert(sk, skb));
		xtcp_send_ack(sk);
		return true;
	}

	/* RFC 2883 §4: a head that was received before is a D-SACK */
	if (xtcp_seq_before(cb->seq, xs->rcv_nxt))
		xtcp_sack_rcv_dup(sk, cb->seq, xs->rcv_nxt);
	gap = !RB_EMPTY_ROOT(&xs->ofo_root);
	xtcp_rcv_rtt_measure(sk, skb);
	fin = xtcp_queue_in_order(sk, skb);
	while (!fin && (ofo = skb_rb_first(&xs->ofo_root)) &&
	       xtcp_seq_leq(XTCP_SKB_CB(ofo)->seq, xs->rcv_nxt)) {
		rb_erase(&ofo->rbnode, &xs->ofo_root);
		fin = xtcp_queue_in_order(sk, ofo);
	}
	xtcp_sack_rcv_advance(sk);
	xtcp_urg_data_arrived(sk);

	if (!sock_flag(sk, SOCK_DEAD) &&
	    !skb_queue_empty(&sk->sk_receive_queue))
		sk->sk_data_ready(sk);

	if (fin) {
		/* nothing follows a FIN */
		xtcp_ofo_purge(sk);
		xtcp_fin(sk);
	} else {
		xtcp_ack_policy(sk, gap);
	}
	return true;
}

/**
 * xtcp_rcv_state_process() - SEGMENT ARRIVES for a socket not in LISTEN
 * @sk: socket, bh-locked and not owned by the user (or from its backlog)
 * @skb: validated segment with its control block filled; consumed
 *
 * Return: 0.
 */
int xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 flags = cb->flags;

	inet_csk(sk)->icsk_ack.lrcvtime = jiffies;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		/*
		 * Only segments already queued to the backlog reach a closed,
		 * unhashed socket; their connection lives on in a timewait
		 * sock or is gone, so they are dropped without a reply.
		 */
		goto discard;
	case TCP_SYN_SENT:
		xtcp_rcv_synsent(sk, skb);
		goto discard;
	}

	/* timestamps and PAWS (RFC 7323 §3.2, §5.3) come first */
	if (!xtcp_ts_check(sk, skb))
		goto discard;

	/* first: sequence number */
	if (!xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq, xs->rcv_nxt,
				 xtcp_rcv_window(xs))) {
		u32 data_end = cb->seq + skb->len - xtcp_hdr(skb)->doff * 4;

		if (flags & XTCPHDR_RST)
			goto discard;
		/* RFC 2883 §4: data received before is reported in a D-SACK */
		if (xtcp_seq_leq(data_end, xs->rcv_nxt))
			xtcp_sack_rcv_dup(sk, cb->seq, data_end);
		xtcp_send_ack(sk);
		goto discard;
	}
	xtcp_ts_update_recent(xs, cb);

	/* second: RST, RFC 5961 §3.2 */
	if (flags & XTCPHDR_RST) {
		if (cb->seq == xs->rcv_nxt)
			xtcp_reset(sk);
		else
			xtcp_send_challenge_ack(sk);
		goto discard;
	}

	/* fourth: SYN in a synchronized state, RFC 5961 §4.2 */
	if (flags & XTCPHDR_SYN) {
		xtcp_send_challenge_ack(sk);
		goto discard;
	}

	/* fifth: ACK, after ECN (RFC 3168 §6.1.2-§6.1.3, xtcp_ecn.c) */
	if (!(flags & XTCPHDR_ACK))
		goto discard;
	xtcp_ecn_rcv(sk, skb);
	if (!xtcp_ack(sk, skb))
		goto discard;

	/* sixth: the URG bit, where data is still accepted */
	if ((flags & XTCPHDR_URG) &&
	    ((1 << sk->sk_state) &
	     (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		xtcp_urg_rcv(sk, skb);

	/* seventh and eighth: text and FIN */
	if (xtcp_data_queue(sk, skb))
		return 0;
discard:
	kfree_skb(skb);
	return 0;
}
