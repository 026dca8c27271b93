// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP loss recovery and window gating shared by every algorithm: the
 * send limit (packets in flight <= cwnd, RFC 5681 §2, plus limited
 * transmit, RFC 3042), fast retransmit with NewReno fast recovery (RFC 5681
 * §3.2, RFC 6582 §3.2) or, with SACK, the loss recovery of RFC 6675 (its
 * scoreboard is xtcp_sack.c; RACK-TLP, xtcp_rack.c, finds losses too), the
 * reaction to a retransmission timeout (RFC 5681 §3.1) and the restart
 * after idle (RFC 5681 §4.1). The algorithm (struct xtcp_congestion_ops)
 * chooses ssthresh and the growth.
 */
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

/**
 * xtcp_cwnd_quota() - how many more segments may go out now?
 * @xs: socket
 *
 * RFC 5681 §2: FlightSize may not exceed cwnd. RFC 3042 §2 (limited
 * transmit): the first and second duplicate ACK each allow one new
 * segment beyond cwnd. With SACK the pipe estimate of RFC 6675 §4 stands
 * for FlightSize, and the segments a duplicate ACK SACKs leave it.
 *
 * Return: the segments the limit leaves room for, 0 when none.
 */
u32 xtcp_cwnd_quota(const struct xtcp_sock *xs)
{
	u32 limit = xs->snd_cwnd, in_flight = xtcp_in_flight(xs);

	if (!xs->sack_ok && xs->ca_state == XTCP_CA_DISORDER)
		limit += min_t(u32, xs->dupacks, 2);
	return in_flight < limit ? limit - in_flight : 0;
}

static void xtcp_set_ca_state(struct sock *sk, u8 state)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_ops && xs->ca_ops->set_state)
		xs->ca_ops->set_state(sk, state);
	xs->ca_state = state;
}

/* a loss: the algorithm's ssthresh, remembering the window for undo */
static void xtcp_reduce_ssthresh(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->prior_cwnd = xs->snd_cwnd;
	xs->snd_ssthresh = max(xs->ca_ops->ssthresh(sk), 2U);
	xs->snd_cwnd_cnt = 0;
}

/*
 * Loss state: resend, from the oldest not yet resent in this episode, the
 * segments below the recovery point while the resent ones still
 * unacknowledged stay below cwnd (go-back-N in slow start, as the timeout
 * leaves no way to tell which were lost).
 */
static void xtcp_loss_retransmit(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	u32 resent = 0;

	if (xtcp_seq_before(xs->rtx_next, xs->snd_una))
		xs->rtx_next = xs->snd_una;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (skb == xs->send_head || resent >= xs->snd_cwnd ||
		    !xtcp_seq_before(cb->seq, xs->recover))
			break;
		resent++;
		if (xtcp_seq_before(cb->seq, xs->rtx_next))
			continue;
		if (xtcp_retransmit_skb(sk, skb))
			break;
		xs->lost_out += xtcp_skb_pcount(skb);
	}
}

/**
 * xtcp_cong_ack() - congestion state after an ACK of new data
 * @sk: socket, locked
 * @ack: the new SND.UNA
 * @acked: segments it acknowledged
 * @prior_in_flight: packets_out before the ACK
 * @rtt_us: RTT sample, or -1
 */
void xtcp_cong_ack(struct sock *sk, u32 ack, u32 acked, u32 prior_in_flight,
		   s32 rtt_us)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_congestion_ops *ca = xs->ca_ops;
	enum xtcp_cc_reason why = XTCP_CC_ACK;

	if (ca->pkts_acked)
		ca->pkts_acked(sk, acked, rtt_us);

	switch (xs->ca_state) {
	case XTCP_CA_RECOVERY:
		if (xtcp_seq_before(ack, xs->recover) && xs->sack_ok) {
			/*
			 * RFC 6675 §5 step (C): a partial ACK only updates the
			 * scoreboard; PRR set cwnd (xtcp_cong_prr()) and the
			 * pipe says what may go out.
			 */
			xtcp_sack_xmit(sk);
			return;
		}
		if (xtcp_seq_before(ack, xs->recover)) {
			/*
			 * RFC 6582 §3.2 step 5, partial ACK: resend the next
			 * hole, deflate cwnd by the data acknowledged and add
			 * back one segment.
			 */
			xtcp_retransmit_head(sk);
			xs->lost_out++;
			xs->snd_cwnd = xs->snd_cwnd > acked ?
				       xs->snd_cwnd - acked : 1;
			xs->snd_cwnd++;
			xtcp_cc_note(sk, XTCP_CC_PARTIAL_ACK);
			return;
		}
		/*
		 * RFC 6582 §3.2 step 3, full ACK: the window deflates to
		 * ssthresh (the second option of that step), so that cwnd
		 * ends halved, not collapsed, when everything is acknowledged.
		 */
		xs->snd_cwnd = xs->snd_ssthresh;
		if (!xs->sack_ok)
			xs->lost_out = 0;
		xtcp_set_ca_state(sk, XTCP_CA_OPEN);
		xtcp_cc_note(sk, XTCP_CC_RECOVERED);
		xtcp_rack_recovered(sk);
		return;
	case XTCP_CA_LOSS:
		/*
		 * After a timeout everything sent before it is presumed lost
		 * (RFC 5681 §3.1): cwnd grows in slow start and the segments
		 * below the recovery point are resent in order as it allows.
		 */
		ca->cong_avoid(sk, ack, acked);
		if (xtcp_seq_before(ack, xs->recover)) {
			if (xs->sack_ok)
				xtcp_sack_xmit(sk);
			else
				xtcp_loss_retransmit(sk);
		} else {
			if (!xs->sack_ok)
				xs->lost_out = 0;
			xtcp_set_ca_state(sk, XTCP_CA_OPEN);
			xtcp_rack_recovered(sk);
			why = XTCP_CC_RECOVERED;
		}
		xtcp_cc_note(sk, why);
		return;
	case XTCP_CA_DISORDER:
		xtcp_set_ca_state(sk, XTCP_CA_OPEN);
		break;
	case XTCP_CA_CWR:
		/* RFC 3168 §6.1.2: no growth until the reduced window is acked */
		if (!xtcp_seq_before(ack, xs->recover))
			xtcp_set_ca_state(sk, XTCP_CA_OPEN);
		return;
	}

	/*
	 * Grow only while the window is what limits the sender (RFC 5681
	 * §3.1 growth is for a "fully utilized" window, cf. RFC 7661).
	 */
	if (xs->cwnd_limited || prior_in_flight >= xs->snd_cwnd) {
		ca->cong_avoid(sk, ack, acked);
		xtcp_cc_note(sk, XTCP_CC_ACK);
		xtcp_sndbuf_expand(sk);
	}
}

/**
 * xtcp_cong_prr() - how much SACK recovery may send for an ACK (RFC 6937)
 * @sk: socket, locked, after the ACK's scoreboard update
 * @delivered: segments the ACK delivered (DeliveredData)
 *
 * Proportional rate reduction: while the pipe is above ssthresh, the
 * sender sends ssthresh/RecoverFS of what is delivered, so that the
 * reduction spreads over the round trip instead of a burst into a full
 * queue; below it, slow start back to ssthresh, at most one segment more
 * than delivered (PRR-SSRB, §3). cwnd = pipe + sndcnt lets the sending
 * rules of RFC 6675 (xtcp_sack_xmit()) send exactly sndcnt segments.
 */
void xtcp_cong_prr(struct sock *sk, u32 delivered)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 pipe;
	s64 sndcnt;

	if (!xs->sack_ok || xs->ca_state != XTCP_CA_RECOVERY)
		return;
	xs->prr_delivered += delivered;
	pipe = xtcp_in_flight(xs);
	if (pipe > xs->snd_ssthresh) {
		sndcnt = DIV_ROUND_UP_ULL((u64)xs->prr_delivered * xs->snd_ssthresh,
					  max(xs->recover_fs, 1U)) -
			 (s64)xs->prr_out;
	} else {
		s64 limit = max_t(s64, (s64)xs->prr_delivered - xs->prr_out,
				  delivered) + 1;

		sndcnt = min_t(s64, xs->snd_ssthresh - pipe, limit);
	}
	xs->snd_cwnd = pipe + (u32)max_t(s64, sndcnt, 0);
}

/**
 * xtcp_cong_sent() - count segments sent in SACK recovery (RFC 6937 prr_out)
 * @xs: socket
 * @segs: segments just sent, new or resent
 */
void xtcp_cong_sent(struct xtcp_sock *xs, u32 segs)
{
	if (xs->ca_state == XTCP_CA_RECOVERY)
		xs->prr_out += segs;
}

/*
 * RFC 6675 §5: recovery starts with RecoveryPoint = HighData and ssthresh
 * from the algorithm (step 4.2); the oldest segment is resent at once
 * (step 4.3), then what the pipe allows (step C) under the proportional
 * rate reduction of RFC 6937 (RecoverFS = the segments outstanding), which
 * brings cwnd to ssthresh over the round trip instead of at once.
 */
static void xtcp_sack_enter_recovery(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* RFC 3168 §6.1.2: ssthresh is not reduced twice in one window */
	if (xs->ca_state != XTCP_CA_CWR)
		xtcp_reduce_ssthresh(sk);
	xs->recover = xs->snd_nxt;
	xs->total_lost++;
	xs->prr_delivered = 0;
	xs->prr_out = 0;
	xs->recover_fs = xs->packets_out;
	xtcp_set_ca_state(sk, XTCP_CA_RECOVERY);
	xtcp_cong_prr(sk, xs->ack_delivered);
	xtcp_cc_note(sk, XTCP_CC_FAST_RETRANS);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_FASTRETRANS);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_SACKRECOVERY);
	xtcp_sack_mark_head_lost(sk);
	xtcp_retransmit_head(sk);
	xtcp_sack_xmit(sk);
	xtcp_rearm_rto(sk);
}

/* may a new SACK recovery start? Not before SND.UNA passed the previous
 * one's point (RFC 6675 §5.1); CWR's recover point is no loss episode
 */
static bool xtcp_sack_may_recover(const struct xtcp_sock *xs)
{
	return xs->ca_state == XTCP_CA_CWR ||
	       !xtcp_seq_before(xs->snd_una, xs->recover);
}

/*
 * RFC 6675 §5: with SACK, the third duplicate ACK or a lost oldest segment
 * (IsLost(HighACK + 1), step 2) starts recovery.
 */
static void xtcp_sack_dupack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_in_recovery(xs)) {
		xtcp_sack_xmit(sk);
		return;
	}
	if (xs->dupacks < XTCP_DUPTHRESH && !xtcp_sack_head_lost(sk)) {
		/* an ECN reduction (CWR) stays in force, RFC 3168 §6.1.2 */
		if (xs->ca_state != XTCP_CA_CWR)
			xtcp_set_ca_state(sk, XTCP_CA_DISORDER);
		return;
	}
	if (xtcp_sack_may_recover(xs))
		xtcp_sack_enter_recovery(sk);
}

/**
 * xtcp_cong_rack_loss() - RACK found segments lost (RFC 8985 §6.2 step 5)
 * @sk: socket, locked, SACK in use, after an ACK or the reordering timer
 *
 * In recovery the lost segments are resent as the pipe allows (RFC 6675
 * step C); otherwise a lost oldest segment starts recovery as a third
 * duplicate ACK would (RFC 8985 §3.4: the time-based rule stands in for
 * the count of duplicate ACKs).
 */
void xtcp_cong_rack_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_in_recovery(xs)) {
		xtcp_sack_xmit(sk);
		return;
	}
	if (xtcp_sack_head_lost(sk) && xtcp_sack_may_recover(xs))
		xtcp_sack_enter_recovery(sk);
}

/**
 * xtcp_cong_dupack() - a duplicate ACK (RFC 5681 §2 definition)
 * @sk: socket, locked
 *
 * First and second: limited transmit (RFC 3042). Third: fast retransmit
 * and fast recovery with ssthresh from the algorithm and cwnd =
 * ssthresh + 3 (RFC 5681 §3.2 steps 2-3), unless the ACK does not cover
 * the previous recovery point (RFC 6582 §3.2 step 1). Later ones inflate
 * cwnd by one segment (RFC 5681 §3.2 step 4). With SACK, RFC 6675 instead
 * (xtcp_sack_dupack()).
 */
void xtcp_cong_dupack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->dupacks < U8_MAX)
		xs->dupacks++;
	if (xs->sack_ok) {
		xtcp_sack_dupack(sk);
		return;
	}
	switch (xs->ca_state) {
	case XTCP_CA_RECOVERY:
		xs->snd_cwnd++;
		xtcp_cc_note(sk, XTCP_CC_DUPACK);
		return;
	case XTCP_CA_LOSS:
		return;
	}
	if (xs->dupacks < 3) {
		/* an ECN reduction (CWR) stays in force, RFC 3168 §6.1.2 */
		if (xs->ca_state != XTCP_CA_CWR)
			xtcp_set_ca_state(sk, XTCP_CA_DISORDER);
		return;
	}
	/* CWR's recover point is no loss episode (RFC 6582 step 1) */
	if (xs->dupacks != 3 || (xs->ca_state != XTCP_CA_CWR &&
				 xtcp_seq_before(xs->snd_una, xs->recover)))
		return;
	/* RFC 3168 §6.1.2: ssthresh is not reduced twice in one window */
	if (xs->ca_state != XTCP_CA_CWR)
		xtcp_reduce_ssthresh(sk);
	xs->snd_cwnd = xs->snd_ssthresh + 3;
	xs->recover = xs->snd_nxt;
	xs->lost_out = 1;
	xs->total_lost++;
	xtcp_set_ca_state(sk, XTCP_CA_RECOVERY);
	xtcp_cc_note(sk, XTCP_CC_FAST_RETRANS);
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_FASTRETRANS);
	xtcp_retransmit_head(sk);
	xtcp_rearm_rto(sk);
}

/**
 * xtcp_cong_rto() - congestion state on a retransmission timeout
 * @sk: socket, locked
 *
 * RFC 5681 §3.1: ssthresh = max(FlightSize / 2, 2 * SMSS) (equation 4;
 * the algorithm's rule) when the segment times out for the first time,
 * and cwnd = 1 segment (the loss window). Everything sent so far is to be
 * recovered (RFC 6582 §3.2 "recover").
 */
void xtcp_cong_rto(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!icsk->icsk_retransmits || xs->ca_state != XTCP_CA_LOSS)
		xtcp_reduce_ssthresh(sk);
	xs->snd_cwnd = 1;
	xs->snd_cwnd_cnt = 0;
	xs->recover = xs->snd_nxt;
	xs->rtx_next = xs->snd_una;
	xs->dupacks = 0;
	if (xs->sack_ok)
		xtcp_sack_mark_rto(sk);
	else
		xs->lost_out = 1;
	xs->total_lost++;
	/* RFC 8985 §7: a timeout ends the probe episode */
	xs->rack.tlp_active = 0;
	if (xs->ca_ops->cwnd_event)
		xs->ca_ops->cwnd_event(sk, XTCP_CA_EVENT_LOSS);
	xtcp_set_ca_state(sk, XTCP_CA_LOSS);
	xtcp_cc_note(sk, XTCP_CC_RTO);
}

/**
 * xtcp_cong_idle_restart() - restart after idle before sending new data
 * @sk: socket, locked, with nothing in flight
 *
 * RFC 5681 §4.1: after no transmission for more than one RTO, cwnd is
 * reduced to the restart window min(IW, cwnd) (net.xtcp.slow_start_after_idle).
 */
void xtcp_cong_idle_restart(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 idle = (u32)jiffies - xs->lsndtime;

	if (!READ_ONCE(xn->slow_start_after_idle) ||
	    idle <= inet_csk(sk)->icsk_rto || xs->ca_state != XTCP_CA_OPEN)
		return;
	if (xs->ca_ops->cwnd_event)
		xs->ca_ops->cwnd_event(sk, XTCP_CA_EVENT_TX_START);
	xs->snd_cwnd = min_t(u32, xs->snd_cwnd, READ_ONCE(xn->initial_cwnd));
	xs->snd_cwnd_cnt = 0;
	xtcp_cc_note(sk, XTCP_CC_IDLE);
}

/* ssthresh as for a loss, cwnd = ssthresh at once, no growth (CWR) until
 * everything sent so far is acknowledged
 */
static void xtcp_cong_reduce(struct sock *sk, enum xtcp_cc_reason why)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_reduce_ssthresh(sk);
	xs->snd_cwnd = xs->snd_ssthresh;
	xs->recover = xs->snd_nxt;
	xtcp_set_ca_state(sk, XTCP_CA_CWR);
	xtcp_cc_note(sk, why);
}

/**
 * xtcp_cong_cwr() - reduce the window for ECN, without a loss
 * @sk: socket, locked, in OPEN or DISORDER
 *
 * RFC 3168 §6.1.2: ssthresh as for a loss (the algorithm's rule), cwnd =
 * ssthresh at once, nothing retransmitted. The CWR state, in which cwnd
 * does not grow, lasts until everything sent so far (recover) is
 * acknowledged (xtcp_cong_ack()).
 */
void xtcp_cong_cwr(struct sock *sk)
{
	xtcp_cong_reduce(sk, XTCP_CC_ECE);
}

/**
 * xtcp_cong_tlp_loss() - a tail loss probe repaired a loss
 * @sk: socket, locked
 *
 * RFC 8985 §7.4.2: the probe's retransmission was the only copy to
 * arrive, so a segment was lost and congestion control reacts as to any
 * loss: the reduction of fast recovery, with nothing left to resend. In
 * recovery or after a timeout the window was reduced already.
 */
void xtcp_cong_tlp_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_in_recovery(xs))
		return;
	xs->total_lost++;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_TLPRECOVERIES);
	xtcp_cong_reduce(sk, XTCP_CC_TLP);
}
