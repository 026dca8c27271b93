// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP RACK-TLP (RFC 8985), with SACK only: time-based loss detection
 * (RACK: a segment is lost once a segment sent after it was delivered and
 * a reordering window has passed) with its reordering timer, and the tail
 * loss probe (TLP) that makes a lost tail of a flight reveal itself within
 * two round trips instead of an RTO. net.xtcp.rack_tlp turns both off.
 */
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

/* RFC 8985 §7.2 WCDelAckT: the worst-case delayed ACK a probe waits for */
#define XTCP_TLP_WCDELACK_US	(200 * USEC_PER_MSEC)
/* RFC 8985 §6.2 step 4: recoveries a widened reordering window lasts */
#define XTCP_RACK_REO_PERSIST	16

static bool xtcp_rack_on(const struct sock *sk)
{
	return xtcp_sk(sk)->sack_ok &&
	       READ_ONCE(xtcp_pernet(sock_net(sk))->rack_tlp);
}

/**
 * xtcp_rack_init() - forget every RACK and TLP observation
 * @sk: socket being created, connected, accepted or disconnected
 */
void xtcp_rack_init(struct sock *sk)
{
	struct xtcp_rack *r = &xtcp_sk(sk)->rack;

	memset(r, 0, sizeof(*r));
	r->reo_wnd_mult = 1;
}

/**
 * xtcp_rack_ack_start() - note the timestamps of an arriving ACK
 * @sk: socket, locked
 * @opt: the ACK's options
 */
void xtcp_rack_ack_start(struct sock *sk, const struct xtcp_options *opt)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rack.ack_ts = xs->tstamp_ok && opt->tstamp_ok;
	xs->rack.ack_tsecr = opt->tsecr;
}

/* RFC 8985 §6.2 RACK_sent_after(): was (t1, seq1) sent after (t2, seq2)? */
static bool xtcp_rack_sent_after(u32 t1, u32 seq1, u32 t2, u32 seq2)
{
	return (s32)(t1 - t2) > 0 || (t1 == t2 && xtcp_seq_after(seq1, seq2));
}

/**
 * xtcp_rack_delivered() - a sent segment was acknowledged or SACKed
 * @sk: socket, locked
 * @skb: the segment, before it is freed or marked
 * @now: xtcp_clock_us() of the ACK
 *
 * RFC 8985 §6.2 step 2 (RACK_update()): remember the most recently sent
 * segment delivered and the round trip it took. A retransmitted segment
 * whose ACK may be for an earlier copy gives nothing: one whose ACK echoes
 * a TSval older than the retransmission's, or (without timestamps) one
 * acknowledged faster than the minimum round trip. Taking such an ACK for
 * the retransmission would make every segment sent before it, still
 * queued on a long path, look lost. Step 3: a segment never resent that
 * arrives below the highest one delivered shows reordering.
 */
void xtcp_rack_delivered(struct sock *sk, const struct sk_buff *skb, u32 now)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_rack *r = &xtcp_sk(sk)->rack;
	u32 rtt = max(now - cb->tx_us, 1U);

	/* RACK.fack starts at the first delivery (sequence numbers wrap) */
	if (!r->rtt_us || xtcp_seq_after(cb->end_seq, r->fack))
		r->fack = cb->end_seq;
	else if (xtcp_seq_before(cb->end_seq, r->fack) && !cb->retransmitted)
		r->reordering_seen = 1;
	if (cb->retransmitted) {
		if (r->ack_ts ? (s32)(r->ack_tsecr - cb->tx_tsval) < 0 :
				(!r->min_rtt_us || rtt < r->min_rtt_us))
			return;
	} else if (!r->min_rtt_us || rtt < r->min_rtt_us) {
		r->min_rtt_us = rtt;
	}
	if (!r->rtt_us || xtcp_rack_sent_after(cb->tx_us, cb->end_seq,
					       r->xmit_us, r->end_seq)) {
		r->rtt_us = rtt;
		r->xmit_us = cb->tx_us;
		r->end_seq = cb->end_seq;
		r->advanced = 1;
	}
}

/*
 * RFC 8985 §6.2 step 4: no window (loss on the first sign) in recovery or
 * once DupThresh segments are SACKed, while no reordering was seen;
 * otherwise a quarter of the minimum round trip per D-SACK round, at most
 * SRTT.
 */
static u32 xtcp_rack_reo_wnd(const struct xtcp_sock *xs)
{
	const struct xtcp_rack *r = &xs->rack;

	if (!r->reordering_seen &&
	    (xtcp_in_recovery(xs) || xs->sacked_out >= XTCP_DUPTHRESH))
		return 0;
	return min(r->min_rtt_us / 4 * r->reo_wnd_mult, xs->srtt_us);
}

/* mark the sent, undelivered segments RACK finds lost; Return: the time
 * until the first one still within the reordering window is, or 0
 */
static u32 xtcp_rack_mark(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rack *r = &xs->rack;
	u32 now = xtcp_clock_us(), wait = 0, lost = 0;
	u32 reo = xtcp_rack_reo_wnd(xs);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		s32 left;

		if (skb == xs->send_head)
			break;
		if (cb->sacked & XTCP_SKB_SACKED)
			continue;
		/* lost and not yet resent: nothing more to learn */
		if ((cb->sacked & (XTCP_SKB_LOST | XTCP_SKB_RTX)) == XTCP_SKB_LOST)
			continue;
		if (!xtcp_rack_sent_after(r->xmit_us, r->end_seq, cb->tx_us,
					  cb->end_seq))
			continue;
		left = (s32)(cb->tx_us + r->rtt_us + reo - now);
		if (left > 0) {
			wait = max_t(u32, wait, left);
			continue;
		}
		/* a lost retransmission is to be resent again */
		if (cb->sacked & XTCP_SKB_RTX) {
			xtcp_sack_uncount(xs, XTCP_SKB_RTX, xtcp_skb_pcount(skb));
			cb->sacked &= ~XTCP_SKB_RTX;
		}
		xtcp_sack_mark(xs, skb, XTCP_SKB_LOST);
		lost += xtcp_skb_pcount(skb);
	}
	if (lost)
		xtcp_add_stats(sock_net(sk), XTCP_MIB_RACKLOST, lost);
	return wait;
}

/**
 * xtcp_rack_detect_loss() - RACK loss detection after an ACK
 * @sk: socket, locked, its SACK blocks processed
 *
 * RFC 8985 §6.2 step 5, run when the ACK delivered a segment sent later
 * than any delivered before (RACK.advanced). Nothing can be lost while
 * nothing is SACKed, resent or in recovery, so that common case costs no
 * walk of the queue.
 *
 * Return: microseconds until a segment still inside the reordering
 * window is due (for the reordering timer), or 0.
 */
u32 xtcp_rack_detect_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_rack_on(sk) || !xs->rack.advanced)
		return 0;
	xs->rack.advanced = 0;
	if (!xs->sacked_out && !xs->retrans_out && !xtcp_in_recovery(xs))
		return 0;
	return xtcp_rack_mark(sk);
}

/**
 * xtcp_rack_dsack() - the peer reported a duplicate (RFC 2883 D-SACK)
 * @sk: socket, locked
 * @start: the block's left edge
 * @end: its right edge
 *
 * RFC 8985 §6.2 step 4: a D-SACK means a retransmission was spurious,
 * so reordering counts as seen and the reordering window widens by a
 * quarter of the minimum round trip,
 * at most once per round trip, for the next XTCP_RACK_REO_PERSIST
 * recoveries. RFC 8985 §7.4.2: one that reports the probe's copy means
 * the original arrived, and no loss was repaired.
 */
void xtcp_rack_dsack(struct sock *sk, u32 start, u32 end)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rack *r = &xs->rack;

	/*
	 * The copy the D-SACK reports arrived late, not lost: reordering
	 * (step 3 cannot see it once the segment was resent), so the window
	 * stays open in recovery too.
	 */
	r->reordering_seen = 1;
	if (r->dsack_round_on && !xtcp_seq_before(xs->snd_una, r->dsack_round))
		r->dsack_round_on = 0;
	if (!r->dsack_round_on) {
		r->dsack_round_on = 1;
		r->dsack_round = xs->snd_nxt;
		if (r->reo_wnd_mult < U8_MAX)
			r->reo_wnd_mult++;
		r->reo_wnd_persist = XTCP_RACK_REO_PERSIST;
	}
	/* the probe ends at tlp_end_seq, a FIN's sequence number aside */
	if (r->tlp_active && r->tlp_retrans &&
	    xtcp_seq_before(start, r->tlp_end_seq) &&
	    xtcp_seq_geq(end + 1, r->tlp_end_seq))
		r->tlp_dsack = 1;
}

/**
 * xtcp_rack_recovered() - a recovery ended
 * @sk: socket, locked
 *
 * RFC 8985 §6.2 step 4: a widened reordering window returns to one
 * quarter of the minimum round trip after XTCP_RACK_REO_PERSIST
 * recoveries without a D-SACK.
 */
void xtcp_rack_recovered(struct sock *sk)
{
	struct xtcp_rack *r = &xtcp_sk(sk)->rack;

	if (r->reo_wnd_persist && !--r->reo_wnd_persist)
		r->reo_wnd_mult = 1;
}

/* the RTO the connection would wait from now: what is left of a running
 * one, or a full one
 */
static unsigned long xtcp_rto_left(const struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);

	if (icsk->icsk_pending == ICSK_TIME_RETRANS &&
	    timer_pending(&icsk->icsk_retransmit_timer))
		return time_after(icsk->icsk_timeout, jiffies) ?
		       icsk->icsk_timeout - jiffies : 1;
	return icsk->icsk_rto;
}

/*
 * RFC 8985 §7.2: schedule the probe timeout (PTO) in place of the RTO
 * while data is outstanding, no probe is, and no recovery runs: PTO =
 * 2 * SRTT, plus WCDelAckT when one segment is in flight (its ACK may be
 * delayed), never later than the RTO would fire. Return: true when the
 * PTO was armed.
 */
static bool xtcp_tlp_schedule(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long pto;
	u32 pto_us;

	if (!xtcp_rack_on(sk) || xs->rack.tlp_active || !xs->srtt_us ||
	    !xs->packets_out || xtcp_in_recovery(xs))
		return false;
	pto_us = 2 * xs->srtt_us;
	if (xs->packets_out == 1)
		pto_us += XTCP_TLP_WCDELACK_US;
	pto = min(max(usecs_to_jiffies(pto_us), 2UL), xtcp_rto_left(sk));
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_LOSS_PROBE, pto, xs->rto_max);
	return true;
}

/* is the reordering timer running? It then stays: it fires first */
static bool xtcp_reo_pending(const struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);

	return icsk->icsk_pending == ICSK_TIME_REO_TIMEOUT &&
	       timer_pending(&icsk->icsk_retransmit_timer);
}

static void xtcp_rack_arm_reo(struct sock *sk, u32 reo_us)
{
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_REO_TIMEOUT,
				  max(usecs_to_jiffies(reo_us), 1UL),
				  xtcp_sk(sk)->rto_max);
}

/**
 * xtcp_rack_ack_timers() - the retransmission timer after an ACK of new data
 * @sk: socket, locked, data still outstanding
 * @reo_us: what xtcp_rack_detect_loss() returned for the ACK
 *
 * The reordering timer when a segment waits in the reordering window,
 * else the PTO (RFC 8985 §7.2: an ACK of new data schedules it), else the
 * RTO restarted (RFC 6298 §5.3).
 */
void xtcp_rack_ack_timers(struct sock *sk, u32 reo_us)
{
	if (reo_us)
		xtcp_rack_arm_reo(sk, reo_us);
	else if (!xtcp_reo_pending(sk) && !xtcp_tlp_schedule(sk))
		xtcp_rearm_rto(sk);
}

/**
 * xtcp_rack_sent_timers() - the retransmission timer after new data went out
 * @sk: socket, locked
 *
 * RFC 8985 §7.2: the PTO counts from the last transmission; without it the
 * RTO is started unless it runs (RFC 6298 §5.1).
 */
void xtcp_rack_sent_timers(struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);

	if (xtcp_reo_pending(sk) || xtcp_tlp_schedule(sk))
		return;
	if (!timer_pending(&icsk->icsk_retransmit_timer) ||
	    icsk->icsk_pending != ICSK_TIME_RETRANS)
		xtcp_rearm_rto(sk);
}

/**
 * xtcp_tlp_ack() - does an ACK end the probe episode?
 * @sk: socket, locked, after the ACK's SACK blocks were processed
 * @ack: its acknowledgment number
 * @pure_dup: it acknowledged and SACKed nothing new
 *
 * RFC 8985 §7.4: the episode ends once the probe is acknowledged. A probe
 * of new data, or a resent one whose copy a D-SACK reported, or a pure
 * duplicate ACK at its end (the copy arriving after the original), tells
 * of no loss; an ACK beyond the probe without any of these means the
 * probe repaired a loss, and congestion control reacts
 * (xtcp_cong_tlp_loss()).
 */
void xtcp_tlp_ack(struct sock *sk, u32 ack, bool pure_dup)
{
	struct xtcp_rack *r = &xtcp_sk(sk)->rack;

	if (!r->tlp_active || xtcp_seq_before(ack, r->tlp_end_seq))
		return;
	if (r->tlp_retrans && !r->tlp_dsack) {
		if (xtcp_seq_after(ack, r->tlp_end_seq))
			xtcp_cong_tlp_loss(sk);
		else if (!pure_dup)
			return;		/* the D-SACK may still come */
	}
	r->tlp_active = 0;
}

/**
 * xtcp_rack_reo_timeout() - the reordering timer fired
 * @sk: socket, locked
 *
 * RFC 8985 §6.3: the segments whose reordering window has passed are lost
 * now; recovery starts or resends them, and the RTO (or a later
 * reordering timeout) follows.
 */
void xtcp_rack_reo_timeout(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 lost = xs->lost_out, wait;

	if (!xs->packets_out)
		return;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_RACKREOTIMEOUTS);
	wait = xtcp_rack_mark(sk);
	/* no ACK delivered anything: PRR starts from nothing (RFC 6937) */
	xs->ack_delivered = 0;
	if (xs->lost_out != lost)
		xtcp_cong_rack_loss(sk);
	if (wait)
		xtcp_rack_arm_reo(sk, wait);
	else if (!timer_pending(&inet_csk(sk)->icsk_retransmit_timer))
		xtcp_rearm_rto(sk);
}

/* the newest sent skb of the write queue, NULL when none */
static struct sk_buff *xtcp_last_sent(const struct sock *sk)
{
	const struct sk_buff_head *q = &sk->sk_write_queue;
	struct sk_buff *skb = xtcp_sk(sk)->send_head;

	if (!skb)
		return skb_peek_tail(q);
	return skb_queue_is_first(q, skb) ? NULL : skb->prev;
}

/* RFC 8985 §7.3: no new data may go: resend the last segment sent */
static int xtcp_tlp_resend_last(struct sock *sk)
{
	struct sk_buff *skb = xtcp_last_sent(sk);
	u32 mss = xtcp_sk(sk)->mss_cache;

	if (!skb || (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED))
		return -EAGAIN;
	/* cut a skb of several segments before its last one */
	if (skb->len > mss) {
		if (xtcp_fragment(sk, skb, rounddown(skb->len - 1, mss)))
			return -ENOMEM;
		skb = skb->next;
	}
	return xtcp_retransmit_skb(sk, skb);
}

/**
 * xtcp_tlp_timeout() - the probe timeout fired: send a tail loss probe
 * @sk: socket, locked
 *
 * RFC 8985 §7.3: one segment of new data if the peer's window takes it
 * (beyond cwnd if need be), else the last segment sent again; its ACK
 * (with SACK) lets RACK find whatever else of the tail was lost. The RTO
 * follows (§7.3: it is re-armed after the probe).
 */
void xtcp_tlp_timeout(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rack *r = &xs->rack;
	u32 nxt = xs->snd_nxt;

	if (!xs->packets_out || xtcp_in_recovery(xs))
		goto rearm;
	/* the episode is open before the push, which must not re-arm a PTO */
	r->tlp_active = 1;
	r->tlp_retrans = 0;
	r->tlp_dsack = 0;
	if (xs->send_head && !xtcp_window_blocks(sk, xs->send_head)) {
		xs->snd_cwnd++;
		xtcp_push_pending(sk, true);
		xs->snd_cwnd--;
	}
	if (xs->snd_nxt == nxt) {
		if (xtcp_tlp_resend_last(sk)) {
			r->tlp_active = 0;
			goto rearm;
		}
		r->tlp_retrans = 1;
	}
	r->tlp_end_seq = xs->snd_nxt;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_TLPPROBES);
rearm:
	xtcp_rearm_rto(sk);
}
