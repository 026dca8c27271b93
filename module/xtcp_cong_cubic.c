// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP CUBIC (RFC 9438), the default algorithm: window growth along
 * W_cubic(t) = C * (t - K)^3 + W_max with C = 0.4 and beta_cubic = 0.7,
 * the Reno-friendly estimate, fast convergence; slow start as NewReno's.
 * Integer arithmetic only: windows in segments, time in milliseconds,
 * beta and alpha in 1/1024.
 */
#include <linux/math64.h>
#include <net/sock.h>

#include "xtcp.h"

#define CUBIC_SCALE		1024U
#define CUBIC_BETA		717U	/* beta_cubic = 0.7 (RFC 9438 §4.6) */
/* alpha_cubic = 3 * (1 - beta) / (1 + beta) (RFC 9438 §4.3), 1/1024 */
#define CUBIC_ALPHA		(3U * (CUBIC_SCALE - CUBIC_BETA) * CUBIC_SCALE / \
				 (CUBIC_SCALE + CUBIC_BETA))
/* 1 / C in ms^3 per segment: (1 / 0.4) s^3 = 2.5e9 ms^3 (RFC 9438 §5.1) */
#define CUBIC_INV_C_MS3		2500000000ULL
#define CUBIC_MAX_DT_MS		BIT(20)	/* |t - K| cap: d^3 fits in u64 */
#define CUBIC_WEST_SHIFT	20	/* W_est fixed point */

/**
 * struct xtcp_cubic - per-socket CUBIC state (in xtcp_ca_priv())
 * @w_max: window before the last reduction, segments (RFC 9438 §4.6-4.7)
 * @origin: plateau of the current curve: W_max, or cwnd if above it
 * @k_ms: K of the current epoch, milliseconds (RFC 9438 §4.2 eq. 2)
 * @epoch_start: jiffies when the epoch (congestion avoidance after a
 *	reduction) began, 0 for none
 * @west: Reno-friendly estimate W_est, segments << CUBIC_WEST_SHIFT
 */
struct xtcp_cubic {
	u32 w_max;
	u32 origin;
	u32 k_ms;
	u32 epoch_start;
	u64 west;
};

/**
 * xtcp_cubic_root() - integer cube root
 * @a: radicand
 *
 * Return: the largest r with r^3 <= @a (bitwise, one bit per step).
 */
u32 xtcp_cubic_root(u64 a)
{
	u64 r = 0;
	int b;

	/* the cube root of a u64 is below 2^22 */
	for (b = 21; b >= 0; b--) {
		u64 t = r | (1ULL << b);

		/* 2642245^3 is the largest cube below 2^64 */
		if (t <= 2642245 && t * t * t <= a)
			r = t;
	}
	return (u32)r;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cubic_root);

/**
 * xtcp_cubic_k_ms() - K = cubic_root((W_max - cwnd_epoch) / C)
 * @w_max: W_max, segments
 * @cwnd_epoch: cwnd at the start of the epoch, segments
 *
 * RFC 9438 §4.2 equation 2, in milliseconds.
 *
 * Return: K in ms, 0 when the epoch starts at or above W_max.
 */
u32 xtcp_cubic_k_ms(u32 w_max, u32 cwnd_epoch)
{
	if (w_max <= cwnd_epoch)
		return 0;
	return xtcp_cubic_root((u64)(w_max - cwnd_epoch) * CUBIC_INV_C_MS3);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cubic_k_ms);

/**
 * xtcp_cubic_w() - W_cubic(t) = C * (t - K)^3 + W_max (RFC 9438 §4.2 eq. 1)
 * @t_ms: time since the epoch began, ms
 * @k_ms: K, ms
 * @w_max: the curve's plateau, segments
 *
 * Below K the curve is concave (§4.4), above it convex (§4.5).
 *
 * Return: the window in segments, never below 0 or above U32_MAX / 2.
 */
u32 xtcp_cubic_w(u32 t_ms, u32 k_ms, u32 w_max)
{
	u32 d = t_ms >= k_ms ? t_ms - k_ms : k_ms - t_ms;
	u64 delta;

	d = min(d, CUBIC_MAX_DT_MS);
	delta = div64_u64((u64)d * d * d, CUBIC_INV_C_MS3);
	if (t_ms >= k_ms)
		return (u32)min_t(u64, (u64)w_max + delta, U32_MAX / 2);
	return delta >= w_max ? 0 : w_max - (u32)delta;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cubic_w);

/**
 * xtcp_cubic_west() - grow the Reno-friendly estimate W_est
 * @west: W_est, segments << 20
 * @acked: segments acknowledged
 * @cwnd: current window
 * @w_max: W_max
 *
 * RFC 9438 §4.3: W_est += alpha_cubic * segments_acked / cwnd, with
 * alpha_cubic = 3 (1 - beta) / (1 + beta) until W_est reaches W_max
 * and 1 from then on.
 *
 * Return: the new W_est, segments << 20.
 */
u64 xtcp_cubic_west(u64 west, u32 acked, u32 cwnd, u32 w_max)
{
	u32 alpha = (west >> CUBIC_WEST_SHIFT) >= w_max ? CUBIC_SCALE :
						       CUBIC_ALPHA;

	return west + div_u64(((u64)alpha * acked) <<
			      (CUBIC_WEST_SHIFT - 10), max(cwnd, 1U));
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cubic_west);

/**
 * xtcp_cubic_target() - the window to grow towards over the next RTT
 * @t_ms: time since the epoch began plus one RTT, ms
 * @k_ms: K, ms
 * @origin: the curve's plateau
 * @cwnd: current window
 * @west_pkts: Reno-friendly estimate W_est, segments
 *
 * RFC 9438 §4.4-4.5: target = W_cubic(t + RTT) bounded to
 * [cwnd, 1.5 cwnd]; §4.3: where W_cubic is below W_est (the Reno-friendly
 * region) the window follows W_est.
 *
 * Return: target window, segments.
 */
u32 xtcp_cubic_target(u32 t_ms, u32 k_ms, u32 origin, u32 cwnd,
		      u32 west_pkts)
{
	u32 target = xtcp_cubic_w(t_ms, k_ms, origin);

	target = clamp(target, cwnd, cwnd + cwnd / 2);
	return max(target, west_pkts);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cubic_target);

/**
 * xtcp_cubic_reduce() - W_max and ssthresh on a congestion event
 * @cwnd: window when the loss was detected
 * @w_max: previous W_max, updated
 *
 * RFC 9438 §4.6: ssthresh = cwnd * beta_cubic; §4.7 fast convergence:
 * when cwnd is below the previous W_max, W_max = cwnd * (1 + beta) / 2,
 * else W_max = cwnd.
 *
 * Return: ssthresh, at least 2 segments.
 */
u32 xtcp_cubic_reduce(u32 cwnd, u32 *w_max)
{
	if (cwnd < *w_max)
		*w_max = (u32)div_u64((u64)cwnd * (CUBIC_SCALE + CUBIC_BETA),
				      2 * CUBIC_SCALE);
	else
		*w_max = cwnd;
	return max_t(u32, div_u64((u64)cwnd * CUBIC_BETA, CUBIC_SCALE), 2);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cubic_reduce);

static void xtcp_cubic_init(struct sock *sk)
{
	struct xtcp_cubic *ca = xtcp_ca_priv(sk);

	BUILD_BUG_ON(sizeof(*ca) > sizeof(((struct xtcp_sock *)0)->ca_priv));
	memset(ca, 0, sizeof(*ca));
}

static u32 xtcp_cubic_ssthresh(struct sock *sk)
{
	struct xtcp_cubic *ca = xtcp_ca_priv(sk);

	ca->epoch_start = 0;
	return xtcp_cubic_reduce(xtcp_sk(sk)->snd_cwnd, &ca->w_max);
}

/* a new epoch: the curve starts at the current window (RFC 9438 §4.2) */
static void xtcp_cubic_epoch(struct xtcp_sock *xs, struct xtcp_cubic *ca)
{
	ca->epoch_start = (u32)jiffies ? : 1;
	if (xs->snd_cwnd < ca->w_max) {
		ca->k_ms = xtcp_cubic_k_ms(ca->w_max, xs->snd_cwnd);
		ca->origin = ca->w_max;
	} else {
		ca->k_ms = 0;
		ca->origin = xs->snd_cwnd;
	}
	ca->west = (u64)xs->snd_cwnd << CUBIC_WEST_SHIFT;
}

static void xtcp_cubic_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct xtcp_cubic *ca = xtcp_ca_priv(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 t_ms, target;

	if (xtcp_in_slow_start(xs)) {
		acked = xtcp_slow_start(xs, acked);
		if (!acked)
			return;
	}
	if (!ca->epoch_start)
		xtcp_cubic_epoch(xs, ca);
	t_ms = jiffies_to_msecs((u32)jiffies - ca->epoch_start) +
	       xs->srtt_us / USEC_PER_MSEC;
	ca->west = xtcp_cubic_west(ca->west, acked, xs->snd_cwnd, ca->w_max);
	target = xtcp_cubic_target(t_ms, ca->k_ms, ca->origin, xs->snd_cwnd,
				   ca->west >> CUBIC_WEST_SHIFT);
	/*
	 * RFC 9438 §4.4/§4.5: cwnd grows by (target - cwnd) / cwnd per
	 * acknowledged segment, i.e. one segment per cwnd / (target - cwnd).
	 */
	if (target > xs->snd_cwnd)
		xtcp_cong_avoid_ai(xs, xs->snd_cwnd / (target - xs->snd_cwnd),
				   acked);
}

/* RFC 9438 §5.8: an idle period does not count as time on the curve */
static void xtcp_cubic_cwnd_event(struct sock *sk, enum xtcp_ca_event ev)
{
	struct xtcp_cubic *ca = xtcp_ca_priv(sk);

	if (ev == XTCP_CA_EVENT_TX_START || ev == XTCP_CA_EVENT_LOSS)
		ca->epoch_start = 0;
}

static u32 xtcp_cubic_undo_cwnd(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return max(xs->snd_cwnd, xs->prior_cwnd);
}

struct xtcp_congestion_ops xtcp_cubic = {
	.name		= "cubic",
	.owner		= THIS_MODULE,
	.init		= xtcp_cubic_init,
	.ssthresh	= xtcp_cubic_ssthresh,
	.cong_avoid	= xtcp_cubic_cong_avoid,
	.cwnd_event	= xtcp_cubic_cwnd_event,
	.undo_cwnd	= xtcp_cubic_undo_cwnd,
};
