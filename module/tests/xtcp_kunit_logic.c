// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for XTCP's pure logic: sequence arithmetic and the segment
 * acceptability test, option parsing, illegal flag combinations, the
 * per-second budgets and the RFC 6298 estimator. Built as xtcp_kunit.ko.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "xtcp.h"

/* RFC 9293 §3.4: comparisons modulo 2^32, across the wrap */
static void xtcp_seq_compare_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_before(1, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_before(2, 2));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_before(0xfffffff0U, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(0x10, 0xfffffff0U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(0, 0xffffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(0, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(0x10, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(0x11, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(0xffffffefU, 0xfffffff0U,
						  0x10));
}

/* RFC 9293 §3.10.7.4: the four cases, at and across the wrap */
static void xtcp_seq_acceptable_test(struct kunit *test)
{
	const u32 nxt = 0xfffffff0U, wnd = 0x100;

	/* zero length, zero window: only SEG.SEQ = RCV.NXT */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_acceptable(nxt, 0, nxt, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_acceptable(nxt + 1, 0, nxt, 0));
	/* zero length, open window: RCV.NXT <= SEG.SEQ < RCV.NXT + WND */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_acceptable(nxt + 0xff, 0, nxt, wnd));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_acceptable(nxt + wnd, 0, nxt, wnd));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_acceptable(nxt - 1, 0, nxt, wnd));
	/* data, zero window: never */
	KUNIT_EXPECT_FALSE(test, xtcp_seq_acceptable(nxt, 10, nxt, 0));
	/* data: first or last byte inside the window */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_acceptable(nxt - 5, 10, nxt, wnd));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_acceptable(nxt + wnd - 1, 10, nxt,
						    wnd));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_acceptable(nxt - 10, 10, nxt, wnd));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_acceptable(nxt + wnd, 10, nxt, wnd));
}

/* build a header with @olen option bytes from @opts */
static struct tcphdr *xtcp_kunit_hdr(struct kunit *test, const u8 *opts,
				     int olen, bool syn)
{
	struct tcphdr *th = kunit_kzalloc(test, 60, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, th);
	th->doff = (sizeof(*th) + olen + 3) / 4;
	th->syn = syn;
	memcpy(th + 1, opts, olen);
	return th;
}

static int parse(struct kunit *test, const u8 *opts, int olen, bool syn,
		 struct xtcp_options *opt)
{
	return xtcp_parse_options(xtcp_kunit_hdr(test, opts, olen, syn), opt);
}

/* RFC 9293 §3.2, RFC 7323 §2.3 */
static void xtcp_parse_options_test(struct kunit *test)
{
	static const u8 good[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	static const u8 big_shift[] = { 3, 3, 15, 0 };
	static const u8 unknown[] = { 99, 6, 0, 0, 0, 0, 1, 0 };
	static const u8 truncated[] = { 1, 1, 2, 4 };
	static const u8 zero_len[] = { 9, 0, 0, 0 };
	static const u8 one_len[] = { 9, 1, 0, 0 };
	static const u8 too_long[] = { 99, 9, 0, 0 };
	static const u8 bad_mss_len[] = { 2, 3, 5, 0 };
	static const u8 eol_stops[] = { 0, 9, 0, 0 };
	struct xtcp_options opt;

	KUNIT_EXPECT_EQ(test, 0, parse(test, good, sizeof(good), true, &opt));
	KUNIT_EXPECT_EQ(test, 1460, opt.mss);
	KUNIT_EXPECT_EQ(test, 1, opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, 7, opt.wscale);

	/* MSS and window scale mean nothing outside a SYN */
	KUNIT_EXPECT_EQ(test, 0, parse(test, good, sizeof(good), false, &opt));
	KUNIT_EXPECT_EQ(test, 0, opt.mss);
	KUNIT_EXPECT_EQ(test, 0, opt.wscale_ok);

	KUNIT_EXPECT_EQ(test, 0, parse(test, big_shift, sizeof(big_shift), true, &opt));
	KUNIT_EXPECT_EQ(test, XTCP_MAX_WSCALE, opt.wscale);

	KUNIT_EXPECT_EQ(test, 0, parse(test, unknown, sizeof(unknown), true, &opt));
	KUNIT_EXPECT_EQ(test, 0, parse(test, eol_stops, sizeof(eol_stops), true, &opt));

	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, truncated, sizeof(truncated), true, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, zero_len, sizeof(zero_len), true, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, one_len, sizeof(one_len), true, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, too_long, sizeof(too_long), true, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, bad_mss_len, sizeof(bad_mss_len), true, &opt));
}

/* RFC 7323 §3.2: timestamps on any segment, length exactly 10 */
static void xtcp_parse_timestamps_test(struct kunit *test)
{
	static const u8 ts[] = { 1, 1, 8, 10, 0x12, 0x34, 0x56, 0x78,
				 0x9a, 0xbc, 0xde, 0xf0 };
	static const u8 ts_len9[] = { 8, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0 };
	static const u8 ts_len11[] = { 8, 11, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0 };
	static const u8 ts_cut[] = { 1, 1, 1, 1, 1, 1, 8, 10 };
	static const u8 ts_short[] = { 1, 1, 1, 1, 8, 10, 0, 0 };
	struct xtcp_options opt;

	KUNIT_EXPECT_EQ(test, 0, parse(test, ts, sizeof(ts), false, &opt));
	KUNIT_EXPECT_EQ(test, 1, opt.tstamp_ok);
	KUNIT_EXPECT_EQ(test, 0x12345678U, opt.tsval);
	KUNIT_EXPECT_EQ(test, 0x9abcdef0U, opt.tsecr);
	KUNIT_EXPECT_EQ(test, 0, parse(test, ts, sizeof(ts), true, &opt));
	KUNIT_EXPECT_EQ(test, 1, opt.tstamp_ok);

	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, ts_len9, sizeof(ts_len9), false, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, ts_len11, sizeof(ts_len11), false, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, ts_cut, sizeof(ts_cut), false, &opt));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, ts_short, sizeof(ts_short), false, &opt));
}

/* encoding (RFC 9293 §3.2, RFC 7323 §2.2, §3.2) and decoding it back */
static void xtcp_write_options_test(struct kunit *test)
{
	static const u8 syn[] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10,
				  0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7 };
	struct xtcp_options in = {
		.mss = 1460, .wscale_ok = 1, .wscale = 7,
		.tstamp_ok = 1, .tsval = 7, .tsecr = 0,
	};
	struct xtcp_options out;
	u8 buf[XTCP_MAX_OPT_LEN];
	int len;

	len = xtcp_write_options(buf, &in);
	KUNIT_ASSERT_EQ(test, (int)sizeof(syn), len);
	KUNIT_EXPECT_EQ(test, len, xtcp_write_options(NULL, &in));
	KUNIT_EXPECT_EQ(test, 0, memcmp(syn, buf, sizeof(syn)));
	KUNIT_ASSERT_EQ(test, 0, parse(test, buf, len, true, &out));
	KUNIT_EXPECT_EQ(test, in.mss, out.mss);
	KUNIT_EXPECT_EQ(test, in.wscale, out.wscale);
	KUNIT_EXPECT_EQ(test, in.tsval, out.tsval);
	KUNIT_EXPECT_EQ(test, in.tsecr, out.tsecr);

	/* a data segment: timestamps only, 12 bytes */
	memset(&in, 0, sizeof(in));
	in.tstamp_ok = 1;
	in.tsval = 0xffffffff;
	in.tsecr = 1;
	len = xtcp_write_options(buf, &in);
	KUNIT_ASSERT_EQ(test, XTCPOLEN_TSTAMP_ALIGNED, len);
	KUNIT_ASSERT_EQ(test, 0, parse(test, buf, len, false, &out));
	KUNIT_EXPECT_EQ(test, 0xffffffffU, out.tsval);
	KUNIT_EXPECT_EQ(test, 1U, out.tsecr);
	KUNIT_EXPECT_EQ(test, 0, out.mss);

	memset(&in, 0, sizeof(in));
	KUNIT_EXPECT_EQ(test, 0, xtcp_write_options(buf, &in));
}

/* RFC 2018 §3: SACK blocks written behind two NOPs and found again */
static void xtcp_sack_option_test(struct kunit *test)
{
	static const struct xtcp_sack_block blk[] = {
		{ 0xfffffff0U, 0x10 }, { 0x100, 0x200 }, { 0x300, 0x400 },
	};
	static const u8 len6[] = { 1, 1, 5, 6, 0, 0, 0, 1 };
	static const u8 len11[] = { 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0 };
	struct xtcp_options in = {
		.tstamp_ok = 1, .tsval = 5, .tsecr = 6,
		.num_sacks = 3, .sacks = blk,
	};
	struct xtcp_options out;
	const u8 *b;
	u8 buf[XTCP_MAX_OPT_LEN];
	int len;

	/* timestamps and three blocks fill the 40 bytes exactly */
	len = xtcp_write_options(buf, &in);
	KUNIT_ASSERT_EQ(test, XTCP_MAX_OPT_LEN, len);
	KUNIT_EXPECT_EQ(test, len, xtcp_write_options(NULL, &in));
	KUNIT_EXPECT_EQ(test, XTCPOPT_SACK, buf[14]);
	KUNIT_EXPECT_EQ(test, 26, buf[15]);
	KUNIT_ASSERT_EQ(test, 0, parse(test, buf, len, false, &out));
	KUNIT_EXPECT_EQ(test, 5U, out.tsval);
	KUNIT_ASSERT_EQ(test, 3, out.num_sacks);
	KUNIT_EXPECT_EQ(test, (int)sizeof(struct tcphdr) + 16, out.sack_off);
	b = buf + out.sack_off - sizeof(struct tcphdr);
	KUNIT_EXPECT_EQ(test, 0xfffffff0U, get_unaligned_be32(b));
	KUNIT_EXPECT_EQ(test, 0x10U, get_unaligned_be32(b + 4));
	KUNIT_EXPECT_EQ(test, 0x400U, get_unaligned_be32(b + 20));
	/* a SYN's SACK blocks mean nothing */
	KUNIT_ASSERT_EQ(test, 0, parse(test, buf, len, true, &out));
	KUNIT_EXPECT_EQ(test, 0, out.num_sacks);
	/* lengths other than 2 + 8n drop the segment */
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, len6, sizeof(len6), false,
					     &out));
	KUNIT_EXPECT_EQ(test, -EINVAL, parse(test, len11, sizeof(len11), false,
					     &out));
}

/* RFC 7323 §5.3 R1 and §5.5 (24 idle days), across the 2^32 wrap */
static void xtcp_paws_test(struct kunit *test)
{
	const u32 now = 1000000;

	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(100, now, 100, now));
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(100, now, 101, now));
	KUNIT_EXPECT_TRUE(test, xtcp_paws_reject(100, now, 99, now));
	/* wrap: 5 is newer than 0xfffffff0, 0xfffffff0 older than 5 */
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(0xfffffff0, now, 5, now));
	KUNIT_EXPECT_TRUE(test, xtcp_paws_reject(5, now, 0xfffffff0, now));
	/* TS.Recent idle 24 days is still valid, longer is not */
	KUNIT_EXPECT_TRUE(test, xtcp_paws_reject(100, now, 99,
						 now + XTCP_PAWS_IDLE));
	KUNIT_EXPECT_FALSE(test, xtcp_paws_reject(100, now, 99,
						  now + XTCP_PAWS_IDLE + 1));
}

/* RFC 9293 §3.8.5, RFC 6093: the urgent pointer of an outgoing segment */
static void xtcp_urg_ptr_test(struct kunit *test)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->snd_up = 1000;
	/* not in urgent mode: no URG */
	KUNIT_EXPECT_EQ(test, 0, xtcp_urg_ptr(xs, 990));
	xs->urg_mode = 1;
	/* points past the last urgent byte, from the segment's start */
	KUNIT_EXPECT_EQ(test, 10, xtcp_urg_ptr(xs, 990));
	KUNIT_EXPECT_EQ(test, 1, xtcp_urg_ptr(xs, 999));
	/* segments at or after SND.UP carry none */
	KUNIT_EXPECT_EQ(test, 0, xtcp_urg_ptr(xs, 1000));
	KUNIT_EXPECT_EQ(test, 0, xtcp_urg_ptr(xs, 5000));
	/* more than 64 KiB ahead: the largest pointer (RFC 6093 §5) */
	KUNIT_EXPECT_EQ(test, 0xffff, xtcp_urg_ptr(xs, 1000 - 70000));
	/* across the sequence wrap */
	xs->snd_up = 5;
	KUNIT_EXPECT_EQ(test, 10, xtcp_urg_ptr(xs, (u32)-5));
}

static void xtcp_flags_illegal_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_flags_illegal(0));
	KUNIT_EXPECT_TRUE(test, xtcp_flags_illegal(XTCPHDR_SYN | XTCPHDR_FIN));
	KUNIT_EXPECT_TRUE(test, xtcp_flags_illegal(XTCPHDR_SYN | XTCPHDR_RST));
	KUNIT_EXPECT_TRUE(test, xtcp_flags_illegal(XTCPHDR_ECE | XTCPHDR_CWR));
	KUNIT_EXPECT_FALSE(test, xtcp_flags_illegal(XTCPHDR_SYN));
	KUNIT_EXPECT_FALSE(test, xtcp_flags_illegal(XTCPHDR_SYN | XTCPHDR_ACK));
	KUNIT_EXPECT_FALSE(test, xtcp_flags_illegal(XTCPHDR_FIN | XTCPHDR_PSH));
	KUNIT_EXPECT_FALSE(test, xtcp_flags_illegal(XTCPHDR_RST));
	KUNIT_EXPECT_FALSE(test, xtcp_flags_illegal(XTCPHDR_ACK));
}

/* a budget of @limit per second, renewed one second after it began */
static void xtcp_ratelimit_test(struct kunit *test)
{
	struct xtcp_ratelimit rl = { .window_start = 1000 };
	int i;

	atomic_set(&rl.count, 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, xtcp_ratelimit_allow(&rl, 1000 + i, 3));
	KUNIT_EXPECT_FALSE(test, xtcp_ratelimit_allow(&rl, 1000 + HZ - 1, 3));
	KUNIT_EXPECT_TRUE(test, xtcp_ratelimit_allow(&rl, 1000 + HZ, 3));
	KUNIT_EXPECT_EQ(test, 1000UL + HZ, rl.window_start);
	KUNIT_EXPECT_FALSE(test, xtcp_ratelimit_allow(&rl, 1000 + HZ, 0));
}

/*
 * The receive window (RFC 9293 §3.8.6.2.2, RFC 7323 §2.3): free buffer
 * times the payload/truesize ratio, a multiple of the scale unit, capped
 * at 65535 << shift, and never moving the right edge left.
 */
static void xtcp_window_test(struct kunit *test)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);
	struct sock *sk = (struct sock *)xs;

	KUNIT_ASSERT_NOT_NULL(test, xs);
	/* 64 KiB free, half of truesize is payload, no scaling */
	sk->sk_rcvbuf = 65536;
	xs->rcv_ratio = 512;
	KUNIT_EXPECT_EQ(test, 32768U, xtcp_free_window(sk));
	/* a full buffer offers nothing, an over-full one too */
	atomic_set(&sk->sk_rmem_alloc, 65536);
	KUNIT_EXPECT_EQ(test, 0U, xtcp_free_window(sk));
	atomic_set(&sk->sk_rmem_alloc, 70000);
	KUNIT_EXPECT_EQ(test, 0U, xtcp_free_window(sk));
	/* unscaled: capped at 65535 */
	atomic_set(&sk->sk_rmem_alloc, 0);
	sk->sk_rcvbuf = 1 << 20;
	xs->rcv_ratio = 1024;
	KUNIT_EXPECT_EQ(test, 65535U, xtcp_free_window(sk));
	/* shift 7: 4 MiB fits under 65535 << 7; rounded to 128 */
	xs->rcv_wscale = 7;
	sk->sk_rcvbuf = 4 << 20;
	KUNIT_EXPECT_EQ(test, 4U << 20, xtcp_free_window(sk));
	sk->sk_rcvbuf = 1000;
	KUNIT_EXPECT_EQ(test, 896U, xtcp_free_window(sk));
	/* shift 14: capped at 65535 << 14 */
	xs->rcv_wscale = 14;
	sk->sk_rcvbuf = INT_MAX;
	KUNIT_EXPECT_EQ(test, 65535U << 14, xtcp_free_window(sk));

	/* the field is the window >> shift, and the offer is recorded */
	xs->rcv_wscale = 7;
	sk->sk_rcvbuf = 4 << 20;
	xs->rcv_nxt = 0xfffff000U;
	KUNIT_EXPECT_EQ(test, (u16)((4U << 20) >> 7), xtcp_select_window(sk));
	KUNIT_EXPECT_EQ(test, 4U << 20, xs->rcv_wnd);
	KUNIT_EXPECT_EQ(test, 0xfffff000U, xs->rcv_wup);
	/* less free space later: the right edge stays where it was */
	atomic_set(&sk->sk_rmem_alloc, (4 << 20) - 1000);
	xs->rcv_nxt += 1 << 20;
	KUNIT_EXPECT_EQ(test, (u16)((3U << 20) >> 7), xtcp_select_window(sk));
	KUNIT_EXPECT_EQ(test, 3U << 20, xs->rcv_wnd);
}

/* RFC 6298 §2.2 to §2.5, within the socket's sysctl-given bounds */
static void xtcp_rtt_test(struct kunit *test)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);
	const u32 lo = HZ / 5, hi = 120 * HZ;

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->rto_min = lo;
	xs->rto_max = hi;
	xtcp_rtt_update(xs, 100000);
	KUNIT_EXPECT_EQ(test, 100000U, xs->srtt_us);
	KUNIT_EXPECT_EQ(test, 50000U, xs->rttvar_us);
	/* 100 ms + 4 * 50 ms = 300 ms */
	KUNIT_EXPECT_EQ(test, usecs_to_jiffies(300000),
			xs->icsk.icsk_rto);

	xtcp_rtt_update(xs, 200000);
	/* RTTVAR = 3/4 * 50 + 1/4 * 100 ms, SRTT = 7/8 * 100 + 1/8 * 200 ms */
	KUNIT_EXPECT_EQ(test, 62500U, xs->rttvar_us);
	KUNIT_EXPECT_EQ(test, 112500U, xs->srtt_us);

	/* a tiny RTT still gives the floor; a huge one the cap */
	memset(xs, 0, sizeof(*xs));
	xs->rto_min = lo;
	xs->rto_max = hi;
	xtcp_rtt_update(xs, 100);
	KUNIT_EXPECT_EQ(test, lo, xs->icsk.icsk_rto);
	memset(xs, 0, sizeof(*xs));
	xs->rto_min = lo;
	xs->rto_max = hi;
	xtcp_rtt_update(xs, 200U * 1000 * 1000);
	KUNIT_EXPECT_EQ(test, hi, xs->icsk.icsk_rto);
}

/* RFC 6298 §2.3 to §2.5 arithmetic, G = one jiffy, sysctl bounds */
static void xtcp_rto_compute_test(struct kunit *test)
{
	const u32 g_us = 1000000U / HZ;

	/* RTTVAR 0: the granularity term G is used instead of 4 * RTTVAR */
	KUNIT_EXPECT_EQ(test, usecs_to_jiffies(500000 + g_us),
			xtcp_rto_compute(500000, 0, 1, 120 * HZ));
	KUNIT_EXPECT_EQ(test, usecs_to_jiffies(100000 + 4 * 30000),
			xtcp_rto_compute(100000, 30000, 1, 120 * HZ));
	/* bounds: net.xtcp.rto_min_ms and rto_max_ms */
	KUNIT_EXPECT_EQ(test, (u32)HZ, xtcp_rto_compute(1000, 0, HZ, 2 * HZ));
	KUNIT_EXPECT_EQ(test, 2U * HZ,
			xtcp_rto_compute(10000000, 1000000, HZ, 2 * HZ));
	/* a maximum below the minimum gives the minimum */
	KUNIT_EXPECT_EQ(test, (u32)HZ, xtcp_rto_compute(10000000, 0, HZ, 1));
	/* no overflow with the largest values */
	KUNIT_EXPECT_EQ(test, 120U * HZ,
			xtcp_rto_compute(U32_MAX, U32_MAX, 1, 120 * HZ));
}

static struct kunit_case xtcp_logic_cases[] = {
	KUNIT_CASE(xtcp_seq_compare_test),
	KUNIT_CASE(xtcp_seq_acceptable_test),
	KUNIT_CASE(xtcp_parse_options_test),
	KUNIT_CASE(xtcp_parse_timestamps_test),
	KUNIT_CASE(xtcp_write_options_test),
	KUNIT_CASE(xtcp_sack_option_test),
	KUNIT_CASE(xtcp_paws_test),
	KUNIT_CASE(xtcp_urg_ptr_test),
	KUNIT_CASE(xtcp_flags_illegal_test),
	KUNIT_CASE(xtcp_ratelimit_test),
	KUNIT_CASE(xtcp_rtt_test),
	KUNIT_CASE(xtcp_window_test),
	KUNIT_CASE(xtcp_rto_compute_test),
	{}
};

static struct kunit_suite xtcp_logic_suite = {
	.name = "xtcp_logic",
	.test_cases = xtcp_logic_cases,
};

kunit_test_suites(&xtcp_logic_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for XTCP's pure logic");
