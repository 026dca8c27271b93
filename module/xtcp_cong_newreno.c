// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP NewReno (RFC 5681, RFC 6582): slow start and congestion avoidance
 * with appropriate byte counting (RFC 3465, counted in segments), and
 * ssthresh = max(FlightSize / 2, 2) on loss. Fast recovery itself is
 * shared by every algorithm (xtcp_recovery.c). The growth helpers here are
 * used by CUBIC as well.
 */
#include <net/sock.h>

#include "xtcp.h"

#define XTCP_ABC_LIMIT	2	/* RFC 3465 §2.2: L = 2 * SMSS */

/**
 * xtcp_slow_start() - slow-start growth (RFC 5681 §3.1, RFC 3465 §2.2)
 * @xs: socket
 * @acked: segments newly acknowledged by this ACK
 *
 * cwnd grows by the segments acknowledged, at most L = 2 per ACK, and
 * not beyond ssthresh.
 *
 * Return: acknowledged segments left over for congestion avoidance once
 * cwnd reached ssthresh, else 0.
 */
u32 xtcp_slow_start(struct xtcp_sock *xs, u32 acked)
{
	u32 inc = min_t(u32, acked, XTCP_ABC_LIMIT);
	u32 cwnd = min(xs->snd_cwnd + inc, xs->snd_ssthresh);

	inc = cwnd - xs->snd_cwnd;
	xs->snd_cwnd = cwnd;
	/* only what crossed ssthresh continues in congestion avoidance */
	return xtcp_in_slow_start(xs) ? 0 : acked - inc;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_slow_start);

/**
 * xtcp_cong_avoid_ai() - additive increase of one segment per @w acked
 * @xs: socket
 * @w: segments to acknowledge per increment (cwnd for Reno)
 * @acked: segments newly acknowledged
 *
 * RFC 3465 §2.1 byte counting: snd_cwnd_cnt accumulates acknowledged
 * segments; each time it reaches @w, cwnd grows by one (RFC 5681 §3.1
 * equation 3 in its byte-counting form).
 */
void xtcp_cong_avoid_ai(struct xtcp_sock *xs, u32 w, u32 acked)
{
	w = max(w, 1U);
	if (xs->snd_cwnd_cnt >= w) {
		xs->snd_cwnd_cnt = 0;
		xs->snd_cwnd++;
	}
	xs->snd_cwnd_cnt += acked;
	if (xs->snd_cwnd_cnt >= w) {
		xs->snd_cwnd += xs->snd_cwnd_cnt / w;
		xs->snd_cwnd_cnt %= w;
	}
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cong_avoid_ai);

/**
 * xtcp_reno_ssthresh() - RFC 5681 §3.1 equation 4 in segments
 * @flight: FlightSize, segments outstanding
 *
 * Return: max(FlightSize / 2, 2).
 */
u32 xtcp_reno_ssthresh(u32 flight)
{
	return max(flight / 2, 2U);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_reno_ssthresh);

static u32 xtcp_newreno_ssthresh(struct sock *sk)
{
	return xtcp_reno_ssthresh(xtcp_sk(sk)->packets_out);
}

static void xtcp_newreno_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_in_slow_start(xs)) {
		acked = xtcp_slow_start(xs, acked);
		if (!acked)
			return;
	}
	xtcp_cong_avoid_ai(xs, xs->snd_cwnd, acked);
}

static u32 xtcp_newreno_undo_cwnd(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return max(xs->snd_cwnd, xs->prior_cwnd);
}

struct xtcp_congestion_ops xtcp_newreno = {
	.name		= "newreno",
	.owner		= THIS_MODULE,
	.ssthresh	= xtcp_newreno_ssthresh,
	.cong_avoid	= xtcp_newreno_cong_avoid,
	.undo_cwnd	= xtcp_newreno_undo_cwnd,
};
