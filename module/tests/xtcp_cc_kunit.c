// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for XTCP's congestion-control arithmetic: NewReno's slow
 * start with appropriate byte counting, congestion avoidance and ssthresh;
 * CUBIC's cube root, K, W(t), Reno-friendly estimate, target window and
 * reduction with fast convergence. Built as xtcp_cc_kunit.ko.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "xtcp.h"

static struct xtcp_sock *xtcp_kunit_xs(struct kunit *test, u32 cwnd,
				       u32 ssthresh)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->snd_cwnd = cwnd;
	xs->snd_ssthresh = ssthresh;
	return xs;
}

/* RFC 5681 §3.1 / RFC 3465 §2.2: +acked per ACK, at most L = 2 */
static void xtcp_slow_start_test(struct kunit *test)
{
	struct xtcp_sock *xs = xtcp_kunit_xs(test, 10, 100);

	KUNIT_EXPECT_EQ(test, 0U, xtcp_slow_start(xs, 1));
	KUNIT_EXPECT_EQ(test, 11U, xs->snd_cwnd);
	/* a stretch ACK of 5 segments counts as L = 2 */
	KUNIT_EXPECT_EQ(test, 0U, xtcp_slow_start(xs, 5));
	KUNIT_EXPECT_EQ(test, 13U, xs->snd_cwnd);
	/* ssthresh caps the growth; what is left goes to avoidance */
	xs->snd_cwnd = 99;
	KUNIT_EXPECT_EQ(test, 1U, xtcp_slow_start(xs, 2));
	KUNIT_EXPECT_EQ(test, 100U, xs->snd_cwnd);
	/* a window of ACKs, one per segment, doubles cwnd */
	xs->snd_cwnd = 10;
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	{
		int i;

		for (i = 0; i < 10; i++)
			xtcp_slow_start(xs, 1);
	}
	KUNIT_EXPECT_EQ(test, 20U, xs->snd_cwnd);
}

/* RFC 5681 §3.1 eq. 3 in byte-counting form: +1 per cwnd segments acked */
static void xtcp_cong_avoid_test(struct kunit *test)
{
	struct xtcp_sock *xs = xtcp_kunit_xs(test, 20, 10);
	int i;

	for (i = 0; i < 19; i++)
		xtcp_cong_avoid_ai(xs, xs->snd_cwnd, 1);
	KUNIT_EXPECT_EQ(test, 20U, xs->snd_cwnd);
	xtcp_cong_avoid_ai(xs, xs->snd_cwnd, 1);
	KUNIT_EXPECT_EQ(test, 21U, xs->snd_cwnd);
	KUNIT_EXPECT_EQ(test, 0U, xs->snd_cwnd_cnt);
	/* a stretch ACK keeps its remainder */
	xtcp_cong_avoid_ai(xs, xs->snd_cwnd, 25);
	KUNIT_EXPECT_EQ(test, 22U, xs->snd_cwnd);
	KUNIT_EXPECT_EQ(test, 4U, xs->snd_cwnd_cnt);
	/* 2 * 22 more segments: two more increments, still +-1 per window */
	xtcp_cong_avoid_ai(xs, 22, 40);
	KUNIT_EXPECT_EQ(test, 24U, xs->snd_cwnd);
}

/* RFC 5681 §3.1 eq. 4: max(FlightSize / 2, 2 * SMSS) */
static void xtcp_reno_ssthresh_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 20U, xtcp_reno_ssthresh(40));
	KUNIT_EXPECT_EQ(test, 20U, xtcp_reno_ssthresh(41));
	KUNIT_EXPECT_EQ(test, 2U, xtcp_reno_ssthresh(3));
	KUNIT_EXPECT_EQ(test, 2U, xtcp_reno_ssthresh(1));
	KUNIT_EXPECT_EQ(test, 2U, xtcp_reno_ssthresh(0));
}

static struct kunit_case xtcp_newreno_cases[] = {
	KUNIT_CASE(xtcp_slow_start_test),
	KUNIT_CASE(xtcp_cong_avoid_test),
	KUNIT_CASE(xtcp_reno_ssthresh_test),
	{}
};

static struct kunit_suite xtcp_newreno_suite = {
	.name = "xtcp_newreno",
	.test_cases = xtcp_newreno_cases,
};

/* floor of the cube root, across the whole u64 range */
static void xtcp_cubic_root_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0U, xtcp_cubic_root(0));
	KUNIT_EXPECT_EQ(test, 1U, xtcp_cubic_root(1));
	KUNIT_EXPECT_EQ(test, 1U, xtcp_cubic_root(7));
	KUNIT_EXPECT_EQ(test, 2U, xtcp_cubic_root(8));
	KUNIT_EXPECT_EQ(test, 2U, xtcp_cubic_root(26));
	KUNIT_EXPECT_EQ(test, 3U, xtcp_cubic_root(27));
	KUNIT_EXPECT_EQ(test, 1000000U, xtcp_cubic_root(1000000000000000000ULL));
	KUNIT_EXPECT_EQ(test, 999999U,
			xtcp_cubic_root(1000000000000000000ULL - 1));
	KUNIT_EXPECT_EQ(test, 2642245U, xtcp_cubic_root(U64_MAX));
}

/* RFC 9438 §4.2 eq. 2: K = cbrt((W_max - cwnd_epoch) / C), C = 0.4 */
static void xtcp_cubic_k_test(struct kunit *test)
{
	/* (100 - 70) / 0.4 = 75 s^3, cbrt = 4.2172 s */
	KUNIT_EXPECT_EQ(test, 4217U, xtcp_cubic_k_ms(100, 70));
	/* (10 - 7) / 0.4 = 7.5 s^3: 1.9574 s */
	KUNIT_EXPECT_EQ(test, 1957U, xtcp_cubic_k_ms(10, 7));
	/* at or above W_max the curve starts in its convex part */
	KUNIT_EXPECT_EQ(test, 0U, xtcp_cubic_k_ms(100, 100));
	KUNIT_EXPECT_EQ(test, 0U, xtcp_cubic_k_ms(100, 120));
	/* huge windows do not overflow: (2^32 - 1) / 0.4 s^3 = 2204.5 s */
	KUNIT_EXPECT_EQ(test, 2206141U, xtcp_cubic_k_ms(U32_MAX, 0));
}

/* RFC 9438 §4.2 eq. 1 with its concave (§4.4) and convex (§4.5) parts */
static void xtcp_cubic_w_test(struct kunit *test)
{
	u32 k = xtcp_cubic_k_ms(100, 70);

	/*
	 * W(0) = cwnd_epoch (71: K is rounded down to the ms), W(K) = W_max,
	 * W(2K) = 2 W_max - cwnd_epoch
	 */
	KUNIT_EXPECT_EQ(test, 71U, xtcp_cubic_w(0, k, 100));
	KUNIT_EXPECT_EQ(test, 100U, xtcp_cubic_w(k, k, 100));
	KUNIT_EXPECT_EQ(test, 129U, xtcp_cubic_w(2 * k, k, 100));
	/* concave: below W_max, growth slowing down towards K */
	KUNIT_EXPECT_EQ(test, 97U, xtcp_cubic_w(k / 2, k, 100));
	/* 3 s before K: 0.4 * 27 = 10.8 segments below W_max */
	KUNIT_EXPECT_EQ(test, 90U, xtcp_cubic_w(k - 3000, k, 100));
	/* convex: 0.4 * 10^3 = 400 segments 10 s after K */
	KUNIT_EXPECT_EQ(test, 500U, xtcp_cubic_w(k + 10000, k, 100));
	/* far beyond: |t - K| capped at 2^20 ms, never wrapping */
	KUNIT_EXPECT_EQ(test, 461168701U, xtcp_cubic_w(U32_MAX, 0, 100));
	KUNIT_EXPECT_EQ(test, U32_MAX / 2, xtcp_cubic_w(U32_MAX, 0, U32_MAX - 1));
	/* far before K (never below 0) */
	KUNIT_EXPECT_EQ(test, 0U, xtcp_cubic_w(0, 100000, 10));
}

/*
 * RFC 9438 §4.3: W_est grows by alpha_cubic = 3 * 0.3 / 1.7 = 0.529
 * segments per window of ACKs, and by 1 once it reached W_max.
 */
static void xtcp_cubic_west_test(struct kunit *test)
{
	u64 west = 70ULL << 20;
	int i;

	for (i = 0; i < 70; i++)
		west = xtcp_cubic_west(west, 1, 70, 100);
	/* 70 + 0.528 (alpha = 541 / 1024) */
	KUNIT_EXPECT_EQ(test, 70U, (u32)(west >> 20));
	KUNIT_EXPECT_EQ(test, 528U, (u32)(((west & ((1 << 20) - 1)) * 1000) >> 20));
	/* at W_max, alpha becomes 1: one segment per window */
	west = 100ULL << 20;
	for (i = 0; i < 101; i++)
		west = xtcp_cubic_west(west, 1, 100, 100);
	KUNIT_EXPECT_EQ(test, 101U, (u32)(west >> 20));
}

/* target: W(t + RTT) in [cwnd, 1.5 cwnd], or W_est in the friendly region */
static void xtcp_cubic_target_test(struct kunit *test)
{
	u32 k = xtcp_cubic_k_ms(100, 70);

	/* concave, CUBIC ahead of Reno: follow the curve */
	KUNIT_EXPECT_EQ(test, 97U, xtcp_cubic_target(k / 2, k, 100, 80, 90));
	/* Reno-friendly region: W_est above W_cubic wins */
	KUNIT_EXPECT_EQ(test, 90U, xtcp_cubic_target(0, k, 100, 80, 90));
	KUNIT_EXPECT_EQ(test, 99U, xtcp_cubic_target(k / 2, k, 100, 80, 99));
	/* never below cwnd (no decrease in avoidance) */
	KUNIT_EXPECT_EQ(test, 95U, xtcp_cubic_target(0, k, 100, 95, 0));
	/* at most 1.5 cwnd per RTT */
	KUNIT_EXPECT_EQ(test, 150U, xtcp_cubic_target(k + 10000, k, 100, 100,
						      0));
}

/* RFC 9438 §4.6 beta = 0.7, §4.7 fast convergence */
static void xtcp_cubic_reduce_test(struct kunit *test)
{
	u32 w_max = 0;

	KUNIT_EXPECT_EQ(test, 70U, xtcp_cubic_reduce(100, &w_max));
	KUNIT_EXPECT_EQ(test, 100U, w_max);
	/* the next loss below W_max: W_max = cwnd * (1 + 0.7) / 2 */
	KUNIT_EXPECT_EQ(test, 56U, xtcp_cubic_reduce(80, &w_max));
	KUNIT_EXPECT_EQ(test, 68U, w_max);
	/* above the old W_max: W_max = cwnd */
	KUNIT_EXPECT_EQ(test, 84U, xtcp_cubic_reduce(120, &w_max));
	KUNIT_EXPECT_EQ(test, 120U, w_max);
	/* never below 2 segments */
	KUNIT_EXPECT_EQ(test, 2U, xtcp_cubic_reduce(2, &w_max));
}

static struct kunit_case xtcp_cubic_cases[] = {
	KUNIT_CASE(xtcp_cubic_root_test),
	KUNIT_CASE(xtcp_cubic_k_test),
	KUNIT_CASE(xtcp_cubic_w_test),
	KUNIT_CASE(xtcp_cubic_west_test),
	KUNIT_CASE(xtcp_cubic_target_test),
	KUNIT_CASE(xtcp_cubic_reduce_test),
	{}
};

static struct kunit_suite xtcp_cubic_suite = {
	.name = "xtcp_cubic",
	.test_cases = xtcp_cubic_cases,
};

kunit_test_suites(&xtcp_newreno_suite, &xtcp_cubic_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for XTCP's congestion-control arithmetic");
