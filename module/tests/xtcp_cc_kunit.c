// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for XTCP's congestion-control arithmetic: NewReno's slow
 * start with appropriate byte counting, congestion avoidance and ssthresh.
 * Built as xtcp_cc_kunit.ko.
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

kunit_test_suites(&xtcp_newreno_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for XTCP's congestion-control arithmetic");
