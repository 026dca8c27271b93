// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for XTCP's SYN cookies (xtcp_syncookies.c): the MSS table
 * index, the encode/decode round trip for every table entry, expiry, and
 * tampering with each field the cookie authenticates.
 */
#include <kunit/test.h>

#include "xtcp.h"

#define SADDR	cpu_to_be32(0x0a580101)
#define DADDR	cpu_to_be32(0x0a580102)
#define SPORT	htons(8080)
#define DPORT	htons(40000)
#define PISN	0x89abcdefU
#define NOW	0x12345U

/* the largest entry not above the announced MSS, never a larger one */
static void xtcp_cookie_mss_index_test(struct kunit *test)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, 0U, xtcp_cookie_mss_index(0));
	KUNIT_EXPECT_EQ(test, 0U, xtcp_cookie_mss_index(100));
	KUNIT_EXPECT_EQ(test, 1U, xtcp_cookie_mss_index(536));
	KUNIT_EXPECT_EQ(test, 3U, xtcp_cookie_mss_index(1300));
	KUNIT_EXPECT_EQ(test, 6U, xtcp_cookie_mss_index(1460));
	KUNIT_EXPECT_EQ(test, 6U, xtcp_cookie_mss_index(8959));
	KUNIT_EXPECT_EQ(test, 7U, xtcp_cookie_mss_index(65535));
	for (i = 0; i < ARRAY_SIZE(xtcp_cookie_mss_table); i++) {
		KUNIT_EXPECT_EQ(test, i,
				xtcp_cookie_mss_index(xtcp_cookie_mss_table[i]));
		if (i)
			KUNIT_EXPECT_LT(test, xtcp_cookie_mss_table[i - 1],
					xtcp_cookie_mss_table[i]);
	}
}

/* RFC 4987 §3.6: what the SYN-ACK encodes, the final ACK gives back */
static void xtcp_cookie_roundtrip_test(struct kunit *test)
{
	unsigned int i, age;
	u32 c;

	for (i = 0; i < ARRAY_SIZE(xtcp_cookie_mss_table); i++) {
		c = xtcp_cookie_make(SADDR, DADDR, SPORT, DPORT, PISN, NOW, i);
		for (age = 0; age <= XTCP_COOKIE_MAX_AGE; age++)
			KUNIT_EXPECT_EQ(test, (int)i,
					xtcp_cookie_check(SADDR, DADDR, SPORT,
							  DPORT, PISN, c,
							  NOW + age));
	}
	/* across the wrap of the five counter bits and of the 32-bit clock */
	c = xtcp_cookie_make(SADDR, DADDR, SPORT, DPORT, PISN, 0x1f, 2);
	KUNIT_EXPECT_EQ(test, 2, xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT,
						   PISN, c, 0x21));
	c = xtcp_cookie_make(SADDR, DADDR, SPORT, DPORT, PISN, 0xffffffffU, 5);
	KUNIT_EXPECT_EQ(test, 5, xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT,
						   PISN, c, 1));
}

/* older than XTCP_COOKIE_MAX_AGE ticks, or from the future: refused */
static void xtcp_cookie_expiry_test(struct kunit *test)
{
	u32 c = xtcp_cookie_make(SADDR, DADDR, SPORT, DPORT, PISN, NOW, 4);
	u32 later;

	for (later = XTCP_COOKIE_MAX_AGE + 1; later < 32; later++)
		KUNIT_EXPECT_EQ(test, -ETIME,
				xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT,
						  PISN, c, NOW + later));
	/* a full wrap of the counter bits lands in range but fails the MAC */
	KUNIT_EXPECT_EQ(test, -EBADMSG,
			xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT, PISN, c,
					  NOW + 32));
	KUNIT_EXPECT_EQ(test, -ETIME,
			xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT, PISN, c,
					  NOW - 1));
}

/* every authenticated field: a change makes the cookie invalid */
static void xtcp_cookie_tamper_test(struct kunit *test)
{
	u32 c = xtcp_cookie_make(SADDR, DADDR, SPORT, DPORT, PISN, NOW, 6);
	unsigned int bit;
	int r;

	KUNIT_EXPECT_LT(test, xtcp_cookie_check(cpu_to_be32(0x0a580103),
						DADDR, SPORT, DPORT, PISN, c,
						NOW), 0);
	KUNIT_EXPECT_LT(test, xtcp_cookie_check(SADDR, cpu_to_be32(0x0a580109),
						SPORT, DPORT, PISN, c, NOW), 0);
	KUNIT_EXPECT_LT(test, xtcp_cookie_check(SADDR, DADDR, htons(8081),
						DPORT, PISN, c, NOW), 0);
	KUNIT_EXPECT_LT(test, xtcp_cookie_check(SADDR, DADDR, SPORT,
						htons(40001), PISN, c, NOW), 0);
	KUNIT_EXPECT_LT(test, xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT,
						PISN + 1, c, NOW), 0);
	/* each single bit of the cookie: hash, MSS index and time bits */
	for (bit = 0; bit < 32; bit++) {
		r = xtcp_cookie_check(SADDR, DADDR, SPORT, DPORT, PISN,
				      c ^ (1U << bit), NOW);
		KUNIT_EXPECT_LT_MSG(test, r, 0, "bit %u flipped", bit);
	}
}

/* a TSval carrying window scale and SACK-permitted: never ahead of the clock */
static void xtcp_cookie_tsval_test(struct kunit *test)
{
	static const u32 now[] = { 0, 63, 64, 1000, 0xffffffffU };
	struct xtcp_options syn = {}, got = {};
	unsigned int i, w;
	u32 ts;

	for (i = 0; i < ARRAY_SIZE(now); i++) {
		for (w = 0; w <= XTCP_MAX_WSCALE + 2; w++) {
			syn.wscale_ok = w <= XTCP_MAX_WSCALE + 1;
			syn.wscale = w;
			syn.sack_ok = (w + i) & 1;
			ts = xtcp_cookie_tsval(now[i], &syn);
			KUNIT_EXPECT_LE(test, (s32)(ts - now[i]), 0);
			KUNIT_EXPECT_LT(test, now[i] - ts, 128U);
			xtcp_cookie_ts_decode(ts, &got);
			KUNIT_EXPECT_EQ(test, syn.wscale_ok, got.wscale_ok);
			KUNIT_EXPECT_EQ(test, syn.sack_ok, got.sack_ok);
			/* a shift above 14 is used as 14 (RFC 7323 §2.3) */
			if (syn.wscale_ok)
				KUNIT_EXPECT_EQ(test, min_t(u8, w, XTCP_MAX_WSCALE),
						got.wscale);
		}
	}
}

static struct kunit_case xtcp_cookie_cases[] = {
	KUNIT_CASE(xtcp_cookie_mss_index_test),
	KUNIT_CASE(xtcp_cookie_roundtrip_test),
	KUNIT_CASE(xtcp_cookie_expiry_test),
	KUNIT_CASE(xtcp_cookie_tamper_test),
	KUNIT_CASE(xtcp_cookie_tsval_test),
	{}
};

static struct kunit_suite xtcp_cookie_suite = {
	.name = "xtcp_cookie",
	.test_cases = xtcp_cookie_cases,
};

kunit_test_suites(&xtcp_cookie_suite);
