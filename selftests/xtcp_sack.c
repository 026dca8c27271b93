// SPDX-License-Identifier: GPL-2.0
/*
 * Packet-level SACK tests: the SACK blocks the SUT reports as a receiver
 * (RFC 2018 §4, D-SACK of RFC 2883, option space with timestamps), and as
 * a sender its RFC 6675 loss recovery — several losses of one window
 * resent without a timeout and nothing SACKed resent, even after a
 * timeout — and its checks on the SACK blocks it is given.
 */
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "xtcp_flight.h"

#define L		100	/* payload of the fake peer's segments */
#define CA_OPEN		0
#define CA_RECOVERY	3
#define MAX_SEEN	256
#define MAX_BLOCKS	4

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
	if (xtcp_ipproto() == IPPROTO_TCP)
		XTCP_SKIP("XTCP's SACK counters and sysctls");
	ASSERT_EQ(0, sysctl_set("sack", 1));
	ASSERT_EQ(0, sysctl_set("dsack", 1));
	ASSERT_EQ(0, sysctl_set("timestamps", 1));
	ASSERT_EQ(0, sysctl_set("initial_cwnd", 10));
	ASSERT_EQ(0, sysctl_set("slow_start_after_idle", 1));
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
	sysctl_set("dsack", 1);
}

/* --- the SUT as receiver ------------------------------------------------ */

/*
 * Passive open whose SYN offers SACK-permitted, and timestamps when @ts;
 * the fake peer's later segments carry no timestamps (the SUT accepts
 * them, RFC 7323 §3.2 "SHOULD" aside), so only the SUT's take option room.
 */
static void sack_open(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, bool ts)
{
	uint8_t opt[16];
	unsigned int n = xpkt_opt_sack_perm(opt);

	if (ts)
		n += xpkt_opt_ts(opt + n, 1000, 0);
	passive_open_opt(_metadata, self, &self->c, 0x5AC0000, 0, opt, n);
}

/*
 * Send the fake peer's bytes [@from * L, @to * L) of the stream and take
 * the SUT's ACK into @s: @ack (in units of L from the stream start) must
 * be its acknowledgment and @want ("12-13 8-9", in the same units, "" for
 * none) exactly its SACK blocks.
 */
static void seg_ack(struct __test_metadata *_metadata,
		    struct _test_data_pkt *self, struct xpkt_seg *s, int from,
		    int to, int ack, const char *want, const char *what)
{
	struct xpkt_sack got[MAX_BLOCKS], exp[MAX_BLOCKS];
	struct tconn *c = &self->c;
	uint32_t base = c->tisn + 1;
	int n, nb = 0, i, a, b, used;

	while (nb < MAX_BLOCKS && sscanf(want, " %d-%d%n", &a, &b, &used) == 2) {
		exp[nb].start = base + a * L;
		exp[nb].end = base + b * L;
		nb++;
		want += used;
	}

	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, base + from * L,
	   c->rcv_nxt, (to - from) * L);
	expect(_metadata, self, c, s, XPKT_ACK, what);
	ASSERT_EQ(base + ack * L, s->ack) TH_LOG("%s: ack", what);
	n = xpkt_opt_sack_get(s, got, MAX_BLOCKS);
	if (n != nb)
		log_seg("got", s);
	ASSERT_EQ(nb, n) TH_LOG("%s: SACK blocks", what);
	for (i = 0; i < nb; i++) {
		EXPECT_EQ(exp[i].start, got[i].start)
			TH_LOG("%s: block %d left edge", what, i);
		EXPECT_EQ(exp[i].end, got[i].end)
			TH_LOG("%s: block %d right edge", what, i);
	}
	ASSERT_LE(s->optlen, 40U);
}

/* seg_ack() when the ACK itself is of no further interest */
static void seg_expect(struct __test_metadata *_metadata,
		       struct _test_data_pkt *self, int from, int to, int ack,
		       const char *want, const char *what)
{
	struct xpkt_seg s;

	seg_ack(_metadata, self, &s, from, to, ack, want, what);
}

/*
 * RFC 2018 §4: the block holding the segment that triggered the ACK comes
 * first, then the most recently reported ones, as many as fit (four
 * without timestamps); blocks merge as holes fill and go when RCV.NXT
 * passes them. RFC 2883 §4: a duplicate below RCV.NXT, and one inside
 * out-of-order data, are reported once in a first D-SACK block, the
 * latter followed by the block holding it.
 */
TEST_F(pkt, receiver_blocks)
{
	long long dsacks = xtcp_stat_get(NULL, "DSackSent");
	int i;

	sack_open(_metadata, self, false);
	seg_expect(_metadata, self, 2, 3, 0, "2-3", "first hole");
	seg_expect(_metadata, self, 4, 5, 0, "4-5 2-3", "second hole");
	seg_expect(_metadata, self, 3, 4, 0, "2-5", "blocks merged");
	seg_expect(_metadata, self, 6, 7, 0, "6-7 2-5", "6");
	seg_expect(_metadata, self, 8, 9, 0, "8-9 6-7 2-5", "8");
	seg_expect(_metadata, self, 10, 11, 0, "10-11 8-9 6-7 2-5", "10");
	seg_expect(_metadata, self, 12, 13, 0,
		   "12-13 10-11 8-9 6-7", "four blocks at most, the oldest goes");
	seg_expect(_metadata, self, 0, 1, 1, "12-13 10-11 8-9 6-7", "in order, holes remain");
	seg_expect(_metadata, self, 1, 2, 5,
		   "12-13 10-11 8-9 6-7", "hole filled up to an unreported block");
	seg_expect(_metadata, self, 0, 1, 5, "0-1 12-13 10-11 8-9", "D-SACK below RCV.NXT");
	seg_expect(_metadata, self, 8, 9, 5,
		   "8-9 8-9 12-13 10-11", "D-SACK of out-of-order data, then its block");
	seg_expect(_metadata, self, 14, 15, 5,
		   "14-15 8-9 12-13 10-11", "a D-SACK is reported once");
	seg_expect(_metadata, self, 5, 6, 7, "14-15 8-9 12-13 10-11", "RCV.NXT passes a block");
	seg_expect(_metadata, self, 7, 8, 9,
		   "14-15 12-13 10-11", "the block RCV.NXT reached is gone");
	EXPECT_EQ(2, xtcp_stat_get(NULL, "DSackSent") - dsacks);
	for (i = 0; i < 9; i++) {
		char want[L], got[L];

		xtcp_pattern(want, L, self->c.tisn + 1 + i * L);
		ASSERT_EQ(L, xtcp_recv_all(self->c.fd, got, L));
		ASSERT_EQ(0, memcmp(want, got, L)) TH_LOG("segment %d", i);
	}
	expect_no_data(_metadata, self->c.fd);
}

/* with timestamps (12 option bytes) only three blocks fit in 40 */
TEST_F(pkt, receiver_blocks_with_timestamps)
{
	uint32_t tsval, tsecr;
	struct xpkt_seg s;

	sack_open(_metadata, self, true);
	seg_expect(_metadata, self, 2, 3, 0, "2-3", "2");
	seg_expect(_metadata, self, 4, 5, 0, "4-5 2-3", "4");
	seg_expect(_metadata, self, 6, 7, 0, "6-7 4-5 2-3", "6");
	seg_ack(_metadata, self, &s, 8, 9, 0,
		"8-9 6-7 4-5",
		"three blocks beside timestamps");
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &tsval, &tsecr));
	seg_ack(_metadata, self, &s, 6, 7, 0,
		"6-7 6-7 8-9",
		"a D-SACK takes the first of the three");
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &tsval, &tsecr));
}

/* net.xtcp.dsack = 0: duplicates are not reported, SACK blocks still are */
TEST_F(pkt, dsack_sysctl_off)
{
	ASSERT_EQ(0, sysctl_set("dsack", 0));
	sack_open(_metadata, self, false);
	seg_expect(_metadata, self, 0, 1, 1, "", "in order");
	seg_expect(_metadata, self, 0, 1, 1, "", "duplicate: no D-SACK");
	seg_expect(_metadata, self, 2, 3, 1, "2-3", "out of order");
	seg_expect(_metadata, self, 2, 3, 1, "2-3", "its duplicate: no D-SACK");
}

/* RFC 2018 §2: no SACK blocks unless the peer's SYN permitted them */
TEST_F(pkt, no_blocks_without_permission)
{
	passive_open(_metadata, self, &self->c, 0x5AC1000, 0);
	seg_expect(_metadata, self, 2, 3, 0, "", "out of order");
	seg_expect(_metadata, self, 0, 1, 1, "", "in order");
	seg_expect(_metadata, self, 0, 1, 1, "", "duplicate");
}

/* --- the SUT as sender -------------------------------------------------- */

/* data segments the SUT sent while the test was acknowledging */
struct seen {
	unsigned int n;
	uint32_t seq[MAX_SEEN];
	uint32_t end[MAX_SEEN];
};

/* take what arrived within @ms into @sn; false when it overflowed */
static bool collect(struct __test_metadata *_metadata,
		    struct _test_data_pkt *self, struct seen *sn, int ms)
{
	struct xpkt_seg s;
	int r;

	while ((r = xpkt_recv(&self->p, &s, self->c.tport, ms)) > 0) {
		if (!s.len)
			continue;
		ASSERT_TRUE(s.csum_ok);
		if (sn->n == MAX_SEEN)
			return false;
		sn->seq[sn->n] = s.seq;
		sn->end[sn->n] = s.seq + s.len;
		sn->n++;
	}
	ASSERT_LE(0, r);
	return true;
}

/* how often @seq was sent among @sn */
static unsigned int times_sent(const struct seen *sn, uint32_t seq)
{
	unsigned int i, k = 0;

	for (i = 0; i < sn->n; i++)
		k += sn->seq[i] == seq;
	return k;
}

/*
 * The SACK blocks a receiver holding the segments of @f below index @upto,
 * except those marked in @lost, reports after receiving segment @upto - 1
 * (RFC 2018 §4): the block holding it first, then the earlier ones, the
 * most recent first, at most four. Return: their number.
 */
static int blocks_for(const struct flight *f, const bool *lost,
		      unsigned int upto, struct xpkt_sack *blk)
{
	unsigned int i = 0, first;
	int n = 0, k;
	struct xpkt_sack runs[MAX_FLIGHT];
	int nr = 0;

	while (i < upto && !lost[i])
		i++;
	for (; i < upto; i++) {
		if (lost[i])
			continue;
		first = i;
		while (i + 1 < upto && !lost[i + 1])
			i++;
		runs[nr].start = f->seq[first];
		runs[nr].end = f->end[i];
		nr++;
	}
	for (k = nr - 1; k >= 0 && n < MAX_BLOCKS; k--, n++)
		blk[n] = runs[k];
	return n;
}

/* after the segments of @f were acknowledged so, the first hole's seq */
static uint32_t cum_ack(const struct flight *f, const bool *lost,
			unsigned int upto)
{
	unsigned int i;

	for (i = 0; i < upto; i++)
		if (lost[i])
			return f->seq[i];
	return f->end[upto - 1];
}

/* poll TCP_INFO until ca_state is @st (within REPLY_MS) */
static bool wait_ca_state(struct __test_metadata *_metadata, int fd,
			  unsigned int st, struct tcp_info *ti)
{
	long long end = xpkt_now_ms() + REPLY_MS;

	do {
		get_info(_metadata, fd, ti);
		if (ti->tcpi_ca_state == st)
			return true;
		sleep_ms(5);
	} while (xpkt_now_ms() < end);
	TH_LOG("ca_state %u, wanted %u", ti->tcpi_ca_state, st);
	return false;
}

/* slow start to 40 segments in flight (rounds of 10 and 20) */
static bool forty_in_flight(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, struct flight *f,
			    uint32_t tisn)
{
	uint8_t perm[4];
	unsigned int plen = xpkt_opt_sack_perm(perm);
	struct tcp_info ti;

	rto_mark();
	sender_open_opt(_metadata, self, &self->c, tisn, NULL, perm, plen);
	get_info(_metadata, self->c.fd, &ti);
	ASSERT_TRUE(ti.tcpi_options & TCPI_OPT_SACK);
	if (!round_trip(_metadata, self, &self->c, 10, "round 1") ||
	    !round_trip(_metadata, self, &self->c, 20, "round 2") ||
	    !recv_flight(_metadata, self, &self->c, f, 40, "round 3"))
		return false;
	return true;
}

/*
 * RFC 6675: three segments lost from one window of 40 (the 4th, 11th and
 * 21st). The receiver's ACKs SACK everything else: the third duplicate
 * ACK starts recovery with the 4th resent at once, and the 11th and 21st
 * are resent as the ACKs show them lost (IsLost) and the pipe allows,
 * each exactly once, without a retransmission timeout and without
 * resending any SACKed segment. A full ACK ends recovery with cwnd =
 * ssthresh.
 */
TEST_F(pkt, recovery_three_losses)
{
	static const unsigned int holes[] = { 3, 10, 20 };
	struct xpkt_sack blk[MAX_BLOCKS];
	uint32_t high;
	long long rtx0, rec0;
	struct tcp_info ti;
	struct flight f;
	bool lost[MAX_FLIGHT];
	struct seen sn;
	unsigned int i;
	int attempt, n;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		memset(&f, 0, sizeof(f));
		if (attempt)
			conn_abort(_metadata, self, &self->c);
		rtx0 = xtcp_stat_get(NULL, "RetransSegs");
		rec0 = xtcp_stat_get(NULL, "SackRecovery");
		if (!forty_in_flight(_metadata, self, &f, 0x5AC2000 + attempt))
			continue;
		memset(lost, 0, sizeof(lost));
		for (i = 0; i < ARRAY_SIZE(holes); i++)
			lost[holes[i]] = true;
		memset(&sn, 0, sizeof(sn));
		for (i = 0; i < f.n; i++) {
			if (lost[i])
				continue;
			n = blocks_for(&f, lost, i + 1, blk);
			ack_sack(_metadata, self, cum_ack(&f, lost, i + 1), blk,
				 n);
			ASSERT_TRUE(collect(_metadata, self, &sn, 0));
		}
		ASSERT_TRUE(collect(_metadata, self, &sn, FLIGHT_QUIET_MS));
		if (rto_fired())
			continue;
		break;
	}
	ASSERT_LT(attempt, ATTEMPTS) TH_LOG("timeouts disturbed every attempt");

	/* the first 40 end at rcv_nxt: anything sent below it was resent */
	high = self->c.rcv_nxt;
	n = 0;
	for (i = 0; i < sn.n; i++) {
		if (seq_after(sn.end[i], high))
			high = sn.end[i];
		if (seq_after(sn.end[i], self->c.rcv_nxt))
			continue;
		n++;
		EXPECT_TRUE(sn.seq[i] == f.seq[holes[0]] ||
			    sn.seq[i] == f.seq[holes[1]] ||
			    sn.seq[i] == f.seq[holes[2]])
			TH_LOG("resent %u, which was SACKed", sn.seq[i]);
	}
	for (i = 0; i < ARRAY_SIZE(holes); i++)
		EXPECT_EQ(1U, times_sent(&sn, f.seq[holes[i]]))
			TH_LOG("lost segment %u", holes[i]);
	EXPECT_EQ(3, n) TH_LOG("segments resent");
	get_info(_metadata, self->c.fd, &ti);
	EXPECT_EQ(CA_RECOVERY, ti.tcpi_ca_state);
	EXPECT_LT(0U, ti.tcpi_sacked);
	EXPECT_EQ(3, xtcp_stat_get(NULL, "RetransSegs") - rtx0);
	EXPECT_EQ(1, xtcp_stat_get(NULL, "SackRecovery") - rec0);

	/* RFC 6675 §5: a full ACK (beyond RecoveryPoint) ends recovery */
	ack_sack(_metadata, self, high, NULL, 0);
	ASSERT_TRUE(wait_ca_state(_metadata, self->c.fd, CA_OPEN, &ti));
	EXPECT_EQ(ti.tcpi_snd_ssthresh, ti.tcpi_snd_cwnd);
	EXPECT_GT(40U, ti.tcpi_snd_ssthresh);
}

/*
 * RFC 6675 §5.1: after a retransmission timeout the scoreboard stays, so
 * segments SACKed before it are not resent while the rest is, in order, as
 * the slow-start window allows (RFC 5681 §3.1).
 */
TEST_F(pkt, timeout_skips_sacked)
{
	uint8_t perm[4];
	unsigned int plen = xpkt_opt_sack_perm(perm), i;
	struct xpkt_sack blk[1];
	long long rto0 = xtcp_stat_get(NULL, "RtoTimeouts");
	struct flight f = { 0 };
	struct xpkt_seg s;
	struct seen sn = { 0 };
	uint32_t ack;
	int r;

	sender_open_opt(_metadata, self, &self->c, 0x5AC3000, NULL, perm,
			plen);
	ASSERT_TRUE(recv_flight(_metadata, self, &self->c, &f, 10, "IW"));
	/* the 2nd and 3rd arrived, the 1st did not: too little for IsLost */
	blk[0].start = f.seq[1];
	blk[0].end = f.end[2];
	ack_sack(_metadata, self, f.seq[0], blk, 1);
	/* limited transmit may send new data; then the timeout resends #1 */
	do {
		r = xpkt_recv(&self->p, &s, self->c.tport, 3 * REPLY_MS);
		ASSERT_LT(0, r) TH_LOG("no retransmission by the timer");
	} while (s.seq != f.seq[0]);
	EXPECT_EQ(1, xtcp_stat_get(NULL, "RtoTimeouts") - rto0);

	/* cumulative ACK of #1, #2-#3 SACKed: slow start resends #4, #5 */
	ack = f.end[0];
	ack_sack(_metadata, self, ack, blk, 1);
	ASSERT_TRUE(collect(_metadata, self, &sn, FLIGHT_QUIET_MS));
	EXPECT_EQ(1U, times_sent(&sn, f.seq[3]));
	EXPECT_EQ(1U, times_sent(&sn, f.seq[4]));
	/* acknowledge up to what arrived, as a receiver would, until done */
	for (i = 0; i < 6 && seq_after(f.end[9], ack); i++) {
		ack = f.end[2];
		for (r = 3; r < 10 && times_sent(&sn, f.seq[r]); r++)
			ack = f.end[r];
		ack_sack(_metadata, self, ack, NULL, 0);
		ASSERT_TRUE(collect(_metadata, self, &sn, FLIGHT_QUIET_MS));
	}
	for (r = 3; r < 10; r++)
		EXPECT_EQ(1U, times_sent(&sn, f.seq[r]))
			TH_LOG("segment %d resent once", r + 1);
	EXPECT_EQ(0U, times_sent(&sn, f.seq[1])) TH_LOG("#2 was SACKed");
	EXPECT_EQ(0U, times_sent(&sn, f.seq[2])) TH_LOG("#3 was SACKed");
	EXPECT_EQ(1, xtcp_stat_get(NULL, "RtoTimeouts") - rto0);
}

/*
 * Blocks beyond SND.NXT, empty or reversed ones, or ones from far below
 * the window mark nothing (RFC 2018 §3); a first block below the
 * cumulative ACK is a D-SACK (RFC 2883 §4), counted and not marked; a SACK
 * option whose length is not 2 + 8n drops the segment.
 */
TEST_F(pkt, block_checks)
{
	uint8_t perm[4];
	unsigned int plen = xpkt_opt_sack_perm(perm);
	long long bad0 = xtcp_stat_get(NULL, "InBadOptions");
	long long ds0 = xtcp_stat_get(NULL, "DSackRecv");
	struct flight f = { 0 };
	struct tcp_info ti;
	struct xpkt_sack blk[3];
	struct xpkt_seg s;
	int i;

	rto_mark();
	sender_open_opt(_metadata, self, &self->c, 0x5AC4000, NULL, perm,
			plen);
	ASSERT_TRUE(recv_flight(_metadata, self, &self->c, &f, 10, "IW"));
	blk[0].start = f.end[9] + 1;		/* beyond SND.NXT */
	blk[0].end = f.end[9] + 1 + L;
	blk[1].start = f.end[5];			/* reversed */
	blk[1].end = f.seq[5];
	blk[2].start = f.seq[0] - 0x10000000;	/* far below */
	blk[2].end = f.seq[0] - 0x0fff0000;
	for (i = 0; i < 4; i++)
		ack_sack(_metadata, self, f.seq[0], blk, 3);
	if (!rto_fired())
		expect_none(_metadata, self, &self->c, FLIGHT_QUIET_MS,
			    "bogus SACK blocks");
	get_info(_metadata, self->c.fd, &ti);
	EXPECT_EQ(0U, ti.tcpi_sacked);
	EXPECT_EQ(CA_OPEN, ti.tcpi_ca_state);

	/* malformed: kind 5, length 6 */
	xpkt_seg_init(&s, self->c.tport, self->c.sport, self->c.snd_nxt,
		      f.end[0], XPKT_ACK);
	s.opt[0] = 1;
	s.opt[1] = 1;
	s.opt[2] = 5;
	s.opt[3] = 6;
	xpkt_put32(s.opt + 4, f.seq[1]);
	s.optlen = 8;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	sleep_ms(FLIGHT_QUIET_MS);
	EXPECT_EQ(1, xtcp_stat_get(NULL, "InBadOptions") - bad0);
	get_info(_metadata, self->c.fd, &ti);
	EXPECT_EQ(10U, ti.tcpi_unacked) TH_LOG("the malformed ACK was used");

	/* D-SACK: #1 arrived twice, reported below the cumulative ACK */
	blk[0].start = f.seq[0];
	blk[0].end = f.end[0];
	ack_sack(_metadata, self, f.end[0], blk, 1);
	sleep_ms(FLIGHT_QUIET_MS);
	EXPECT_EQ(1, xtcp_stat_get(NULL, "DSackRecv") - ds0);
	get_info(_metadata, self->c.fd, &ti);
	EXPECT_EQ(0U, ti.tcpi_sacked);
}

TEST_HARNESS_MAIN
