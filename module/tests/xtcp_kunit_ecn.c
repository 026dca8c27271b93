// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for XTCP's ECN decisions (xtcp_ecn.c): which SYNs a listener
 * accepts for each net.xtcp.ecn, which answers make an active open
 * ECN-capable, and the ECN bit of a SYN cookie's TSval.
 */
#include <kunit/test.h>

#include "xtcp.h"

#define SETUP	(XTCPHDR_ECE | XTCPHDR_CWR)

/* RFC 3168 §6.1.1: only ECE and CWR together make an ECN-setup SYN */
static void xtcp_ecn_accept_syn_test(struct kunit *test)
{
	static const u8 syn[] = { XTCPHDR_SYN, XTCPHDR_SYN | XTCPHDR_ECE,
				  XTCPHDR_SYN | XTCPHDR_CWR,
				  XTCPHDR_SYN | SETUP };
	int sysctl;
	unsigned int i;

	for (sysctl = XTCP_ECN_OFF; sysctl <= XTCP_ECN_PASSIVE; sysctl++)
		for (i = 0; i < ARRAY_SIZE(syn); i++)
			KUNIT_EXPECT_EQ_MSG(test,
					    sysctl != XTCP_ECN_OFF &&
					    (syn[i] & SETUP) == SETUP,
					    xtcp_ecn_accept_syn(sysctl, syn[i]),
					    "ecn=%d flags 0x%02x", sysctl, syn[i]);
}

/*
 * RFC 3168 §6.1.1: an ECN-setup SYN-ACK has ECE without CWR; in a
 * simultaneous open the peer's SYN has both; nothing counts unless we
 * asked.
 */
static void xtcp_ecn_agreed_test(struct kunit *test)
{
	const u8 sa = XTCPHDR_SYN | XTCPHDR_ACK;

	KUNIT_EXPECT_TRUE(test, xtcp_ecn_agreed(true, sa | XTCPHDR_ECE));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_agreed(true, sa));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_agreed(true, sa | SETUP));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_agreed(true, sa | XTCPHDR_CWR));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_agreed(false, sa | XTCPHDR_ECE));
	/* simultaneous open: a SYN without ACK */
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_agreed(true, XTCPHDR_SYN | SETUP));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_agreed(true,
						 XTCPHDR_SYN | XTCPHDR_ECE));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_agreed(false, XTCPHDR_SYN | SETUP));
}

/*
 * A cookie SYN-ACK's TSval keeps the ECN decision in bit 5 beside the
 * window scale and SACK-permitted, each decoded unchanged, and is never
 * ahead of the clock.
 */
static void xtcp_ecn_cookie_tsval_test(struct kunit *test)
{
	static const u32 now[] = { 0, 31, 32, 63, 64, 1000, 0xffffffffU };
	struct xtcp_options syn = {}, got = {};
	unsigned int i, k;
	u32 ts;

	for (i = 0; i < ARRAY_SIZE(now); i++) {
		for (k = 0; k < 8; k++) {
			syn.ecn_ok = k & 1;
			syn.sack_ok = !!(k & 2);
			syn.wscale_ok = !!(k & 4);
			syn.wscale = syn.wscale_ok ? 7 : 0;
			ts = xtcp_cookie_tsval(now[i], &syn);
			KUNIT_EXPECT_LE(test, (s32)(ts - now[i]), 0);
			KUNIT_EXPECT_LT(test, now[i] - ts, 128U);
			KUNIT_EXPECT_EQ(test, syn.ecn_ok ? 0x20U : 0U, ts & 0x20);
			memset(&got, 0, sizeof(got));
			xtcp_cookie_ts_decode(ts, &got);
			KUNIT_EXPECT_EQ(test, syn.ecn_ok, got.ecn_ok);
			KUNIT_EXPECT_EQ(test, syn.sack_ok, got.sack_ok);
			KUNIT_EXPECT_EQ(test, syn.wscale_ok, got.wscale_ok);
			KUNIT_EXPECT_EQ(test, syn.wscale, got.wscale);
		}
	}
}

static struct kunit_case xtcp_ecn_cases[] = {
	KUNIT_CASE(xtcp_ecn_accept_syn_test),
	KUNIT_CASE(xtcp_ecn_agreed_test),
	KUNIT_CASE(xtcp_ecn_cookie_tsval_test),
	{}
};

static struct kunit_suite xtcp_ecn_suite = {
	.name = "xtcp_ecn",
	.test_cases = xtcp_ecn_cases,
};

kunit_test_suites(&xtcp_ecn_suite);
