// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for XTCP's SACK logic (xtcp_sack.c): the receiver's block
 * list (RFC 2018 §4 order, merging, the cap, trimming at RCV.NXT, across
 * the sequence wrap), the option space per segment, and the checks on
 * received blocks.
 */
#include <kunit/test.h>

#include "xtcp.h"

#define W	0xfffffff0U	/* near the wrap */

static void expect_block(struct kunit *test, const struct xtcp_sack_block *b,
			 u32 start, u32 end)
{
	KUNIT_EXPECT_EQ(test, start, b->start);
	KUNIT_EXPECT_EQ(test, end, b->end);
}

/* RFC 2018 §4: newest first, merged with what it touches, four at most */
static void xtcp_sack_add_test(struct kunit *test)
{
	struct xtcp_sack_block sp[XTCP_MAX_SACKS];
	int n = 0;

	n = xtcp_sack_add(sp, n, W + 20, W + 30);
	KUNIT_ASSERT_EQ(test, 1, n);
	n = xtcp_sack_add(sp, n, W + 40, W + 50);
	KUNIT_ASSERT_EQ(test, 2, n);
	expect_block(test, &sp[0], W + 40, W + 50);
	expect_block(test, &sp[1], W + 20, W + 30);
	/* touching on the right edge merges, across the wrap */
	n = xtcp_sack_add(sp, n, W + 30, W + 35);
	KUNIT_ASSERT_EQ(test, 2, n);
	expect_block(test, &sp[0], W + 20, W + 35);
	expect_block(test, &sp[1], W + 40, W + 50);
	/* filling the hole merges both; the merged block goes first */
	n = xtcp_sack_add(sp, n, W + 35, W + 40);
	KUNIT_ASSERT_EQ(test, 1, n);
	expect_block(test, &sp[0], W + 20, W + 50);
	/* a duplicate inside a block moves it first, unchanged */
	n = xtcp_sack_add(sp, n, 100, 110);
	n = xtcp_sack_add(sp, n, W + 25, W + 26);
	KUNIT_ASSERT_EQ(test, 2, n);
	expect_block(test, &sp[0], W + 20, W + 50);
	expect_block(test, &sp[1], 100, 110);
	/* a fifth distinct block pushes the oldest out */
	n = xtcp_sack_add(sp, n, 200, 210);
	n = xtcp_sack_add(sp, n, 300, 310);
	n = xtcp_sack_add(sp, n, 400, 410);
	KUNIT_ASSERT_EQ(test, XTCP_MAX_SACKS, n);
	expect_block(test, &sp[0], 400, 410);
	expect_block(test, &sp[3], W + 20, W + 50);
	n = xtcp_sack_add(sp, n, 500, 510);
	KUNIT_ASSERT_EQ(test, XTCP_MAX_SACKS, n);
	expect_block(test, &sp[0], 500, 510);
	expect_block(test, &sp[3], 200, 210);
	/* a range covering several blocks absorbs them all */
	n = xtcp_sack_add(sp, n, 150, 450);
	KUNIT_ASSERT_EQ(test, 2, n);
	expect_block(test, &sp[0], 150, 450);
	expect_block(test, &sp[1], 500, 510);
}

/* RFC 2018 §4: only data above the cumulative acknowledgment */
static void xtcp_sack_trim_test(struct kunit *test)
{
	struct xtcp_sack_block sp[XTCP_MAX_SACKS] = {
		{ 30, 40 }, { W, 5 }, { 10, 20 },
	};
	int n;

	n = xtcp_sack_trim(sp, 3, W + 8);
	KUNIT_ASSERT_EQ(test, 3, n);
	expect_block(test, &sp[1], W + 8, 5);
	n = xtcp_sack_trim(sp, n, 5);
	KUNIT_ASSERT_EQ(test, 2, n);
	expect_block(test, &sp[0], 30, 40);
	expect_block(test, &sp[1], 10, 20);
	n = xtcp_sack_trim(sp, n, 20);
	KUNIT_ASSERT_EQ(test, 1, n);
	expect_block(test, &sp[0], 30, 40);
	KUNIT_EXPECT_EQ(test, 0, xtcp_sack_trim(sp, n, 40));
}

/* RFC 2018 §3: 2 + 8n bytes behind two NOPs */
static void xtcp_sack_opt_blocks_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 4, xtcp_sack_opt_blocks(XTCP_MAX_OPT_LEN));
	KUNIT_EXPECT_EQ(test, 3, xtcp_sack_opt_blocks(XTCP_MAX_OPT_LEN -
						      XTCPOLEN_TSTAMP_ALIGNED));
	KUNIT_EXPECT_EQ(test, 1, xtcp_sack_opt_blocks(12));
	KUNIT_EXPECT_EQ(test, 0, xtcp_sack_opt_blocks(11));
	KUNIT_EXPECT_EQ(test, 0, xtcp_sack_opt_blocks(0));
	KUNIT_EXPECT_EQ(test, 4, xtcp_sack_opt_blocks(1000));
}

/* blocks the sender believes: non-empty, up to SND.NXT, within a window */
static void xtcp_sack_block_valid_test(struct kunit *test)
{
	const u32 una = W, nxt = W + 100000, win = 65535;

	KUNIT_EXPECT_TRUE(test, xtcp_sack_block_valid(W + 10, W + 20, una, nxt,
						      win));
	KUNIT_EXPECT_TRUE(test, xtcp_sack_block_valid(W + 99000, nxt, una,
						      nxt, win));
	KUNIT_EXPECT_FALSE(test, xtcp_sack_block_valid(W + 20, W + 20, una,
						       nxt, win));
	KUNIT_EXPECT_FALSE(test, xtcp_sack_block_valid(W + 20, W + 10, una,
						       nxt, win));
	KUNIT_EXPECT_FALSE(test, xtcp_sack_block_valid(nxt, nxt + 1, una, nxt,
						       win));
	/* a D-SACK below SND.UNA, but not from far below */
	KUNIT_EXPECT_TRUE(test, xtcp_sack_block_valid(W - 1000, W - 900, una,
						      nxt, win));
	KUNIT_EXPECT_FALSE(test, xtcp_sack_block_valid(W - 70000, W - 69000,
						       una, nxt, win));
	KUNIT_EXPECT_TRUE(test, xtcp_sack_block_valid(W - 70000, W - 69000,
						      una, nxt, 1 << 20));
}

static struct kunit_case xtcp_sack_cases[] = {
	KUNIT_CASE(xtcp_sack_add_test),
	KUNIT_CASE(xtcp_sack_trim_test),
	KUNIT_CASE(xtcp_sack_opt_blocks_test),
	KUNIT_CASE(xtcp_sack_block_valid_test),
	{}
};

static struct kunit_suite xtcp_sack_suite = {
	.name = "xtcp_sack",
	.test_cases = xtcp_sack_cases,
};

kunit_test_suites(&xtcp_sack_suite);
