// SPDX-License-Identifier: GPL-2.0
/*
 * Packet-level RACK-TLP tests (RFC 8985), the SUT as a SACK sender and
 * the fake peer as its receiver: a lost tail of a flight is probed
 * (the last segment resent) within a few round trips instead of an RTO;
 * the ACK of that probe lets RACK find the rest of the tail lost and
 * recovery resend it; a probe that repaired a loss reduces the window, one
 * whose copy a D-SACK reports does not; a single SACK below DupThresh
 * marks the segments before it lost once the reordering timer fires; a
 * SACK of the probe whose TSecr is the original's proves nothing;
 * net.xtcp.rack_tlp = 0 leaves all of it to the RTO.
 */
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "xtcp_flight.h"

#define TAIL		4	/* segments of the flight whose ACKs are lost */
#define PATH_MS		40	/* round trip the fake peer plays */
#define NO_SSTHRESH	0x7fffffffU	/* TCP_INFO before any reduction */
#define PEER_TSVAL	1000	/* the fake peer's TSval clock */

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
	if (xtcp_ipproto() == IPPROTO_TCP)
		XTCP_SKIP("XTCP's RACK-TLP counters and sysctls");
	ASSERT_EQ(0, sysctl_set("sack", 1));
	ASSERT_EQ(0, sysctl_set("dsack", 1));
	ASSERT_EQ(0, sysctl_set("timestamps", 1));
	ASSERT_EQ(0, sysctl_set("initial_cwnd", 10));
	ASSERT_EQ(0, sysctl_set("rack_tlp", 1));
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
}

/* an ACK of @ack from the fake peer with SACK block [@start, @end) if any */
static void ack_sack1(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, uint32_t ack,
		      uint32_t start, uint32_t end)
{
	struct xpkt_sack blk = { start, end };

	ack_sack(_metadata, self, ack, &blk, start != end);
}

/* the next data segment from the SUT, retransmissions included */
static bool next_data(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, struct xpkt_seg *s, int ms)
{
	long long end = xpkt_now_ms() + ms, left;
	int r;

	for (;;) {
		left = end - xpkt_now_ms();
		if (left <= 0)
			return false;
		r = xpkt_recv(&self->p, s, self->c.tport, (int)left);
		ASSERT_LE(0, r);
		if (!r)
			return false;
		ASSERT_TRUE(s->csum_ok);
		if (s->len)
			return true;
	}
}

/* write @n full segments' worth of data (TCP_NODELAY) */
static void write_segs(struct __test_metadata *_metadata, int fd,
		       unsigned int n, unsigned int mss)
{
	static char buf[MAX_FLIGHT * PEER_MSS];

	ASSERT_LE(n * mss, sizeof(buf));
	ASSERT_EQ((ssize_t)(n * mss), send(fd, buf, n * mss, 0));
}

/*
 * Receive exactly @n new segments (no quiet period: the PTO is short);
 * @last_tsval, if not NULL, gets the TSval of the highest one.
 */
static void recv_new(struct __test_metadata *_metadata,
		     struct _test_data_pkt *self, struct flight *f,
		     unsigned int n, uint32_t *last_tsval)
{
	uint32_t high = 0, tsecr;
	struct xpkt_seg s;

	while (f->n < n) {
		ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
			TH_LOG("%u of %u segments", f->n, n);
		if (flight_has(f, 0, s.seq))
			continue;
		if (last_tsval && (!f->n || seq_after(s.seq, high))) {
			high = s.seq;
			ASSERT_EQ(1, xpkt_opt_ts_get(&s, last_tsval, &tsecr));
		}
		f->seq[f->n] = s.seq;
		f->end[f->n] = s.seq + s.len;
		f->n++;
	}
	flight_sort(f, 0);
	ASSERT_EQ(self->c.rcv_nxt, f->seq[0]);
	self->c.rcv_nxt = f->end[n - 1];
}

/*
 * Open with SACK (and timestamps when @last_tsval is not NULL), play one
 * round trip of PATH_MS so the SUT has an RTT sample (the PTO needs SRTT,
 * RFC 8985 §7.2) and RACK a minimum RTT, then send TAIL segments into @f,
 * none acknowledged yet; @last_tsval gets the last one's TSval.
 * Return: the MSS.
 */
static unsigned int tail_open_ts(struct __test_metadata *_metadata,
				 struct _test_data_pkt *self, struct flight *f,
				 uint32_t tisn, uint32_t *last_tsval)
{
	uint8_t perm[16];
	unsigned int plen = xpkt_opt_sack_perm(perm), mss;
	struct flight first = { 0 };
	struct tcp_info ti;
	int one = 1;

	if (last_tsval)
		plen += xpkt_opt_ts(perm + plen, PEER_TSVAL, 0);
	passive_open_opt(_metadata, self, &self->c, tisn, 0, perm, plen);
	ASSERT_EQ(0, setsockopt(self->c.fd, SOL_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	get_info(_metadata, self->c.fd, &ti);
	ASSERT_TRUE(ti.tcpi_options & TCPI_OPT_SACK);
	mss = ti.tcpi_snd_mss;
	write_segs(_metadata, self->c.fd, 2, mss);
	recv_new(_metadata, self, &first, 2, last_tsval);
	sleep_ms(PATH_MS);
	if (last_tsval) {
		/* with timestamps the RTT sample comes from the echo */
		struct xpkt_seg a;

		xpkt_seg_init(&a, self->c.tport, self->c.sport,
			      self->c.snd_nxt, first.end[1], XPKT_ACK);
		a.optlen = xpkt_opt_ts(a.opt, PEER_TSVAL + 1, *last_tsval);
		ASSERT_EQ(0, xpkt_send(&self->p, &a));
	} else {
		tx(_metadata, self, &self->c, XPKT_ACK, self->c.snd_nxt,
		   first.end[1], 0);
	}
	wait_acked(_metadata, self->c.fd, &ti);
	write_segs(_metadata, self->c.fd, TAIL, mss);
	recv_new(_metadata, self, f, TAIL, last_tsval);
	return mss;
}

static unsigned int tail_open(struct __test_metadata *_metadata,
			      struct _test_data_pkt *self, struct flight *f,
			      uint32_t tisn)
{
	return tail_open_ts(_metadata, self, f, tisn, NULL);
}

/*
 * RFC 8985 §7.3: with nothing new to send, the probe is the last segment
 * sent, long before the RTO (which would resend the first). §6.2: its
 * SACK, a round trip later than the others were sent, shows the three
 * before it lost; recovery resends them without a timeout, as fast as
 * the peer acknowledges them (RFC 6937: one more than delivered).
 */
TEST_F(pkt, tail_probe_then_rack_recovery)
{
	long long tlp0 = xtcp_stat_get(NULL, "TailLossProbes");
	long long rto0 = xtcp_stat_get(NULL, "RtoTimeouts");
	long long rack0 = xtcp_stat_get(NULL, "RackLostSegs");
	long long rec0 = xtcp_stat_get(NULL, "SackRecovery");
	struct flight f = { 0 };
	bool resent[TAIL] = { false };
	struct xpkt_seg s;
	unsigned int i, k, upto;

	tail_open(_metadata, self, &f, 0x7AC0000);
	ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
		TH_LOG("no probe");
	EXPECT_EQ(f.seq[TAIL - 1], s.seq) TH_LOG("the probe resends the last");
	EXPECT_EQ(1, xtcp_stat_get(NULL, "TailLossProbes") - tlp0);
	EXPECT_EQ(0, xtcp_stat_get(NULL, "RtoTimeouts") - rto0);

	/*
	 * The probe arrived: SACK it two path round trips later, so that its
	 * RTT is clearly no ACK of an earlier copy (RFC 8985 §6.2 step 2
	 * ignores a resent segment acknowledged faster than the min RTT).
	 */
	sleep_ms(2 * PATH_MS);
	ack_sack1(_metadata, self, f.seq[0], f.seq[TAIL - 1], f.end[TAIL - 1]);
	for (k = 0; k < TAIL - 1; k++) {
		ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
			TH_LOG("%u of %u resent", k, TAIL - 1);
		for (i = 0; i < TAIL - 1 && f.seq[i] != s.seq; i++)
			;
		ASSERT_GT(TAIL - 1U, i) TH_LOG("resent %u, not lost", s.seq);
		EXPECT_FALSE(resent[i]) TH_LOG("segment %u resent twice", i);
		resent[i] = true;
		if (!k)
			continue;
		/*
		 * RFC 6937 §3 PRR-SSRB: the pipe was empty and the SACK
		 * delivered one segment, so two went, not all three (cwnd =
		 * ssthresh at once would send them all): the third waits
		 * for an ACK.
		 */
		if (k == 1)
			EXPECT_FALSE(next_data(_metadata, self, &s,
					       FLIGHT_QUIET_MS))
				TH_LOG("a third before any ACK");
		/* acknowledge what arrived, as the receiver would */
		for (upto = 0; upto < TAIL - 1 && resent[upto]; upto++)
			;
		if (upto == TAIL - 1)
			ack_sack1(_metadata, self, f.end[TAIL - 1], 0, 0);
		else
			ack_sack1(_metadata, self, f.seq[upto],
				  f.seq[TAIL - 1], f.end[TAIL - 1]);
	}
	EXPECT_EQ(0, xtcp_stat_get(NULL, "RtoTimeouts") - rto0);
	EXPECT_EQ(TAIL - 1, xtcp_stat_get(NULL, "RackLostSegs") - rack0);
	EXPECT_EQ(1, xtcp_stat_get(NULL, "SackRecovery") - rec0);
}

/*
 * Only the last segment is lost: its ACK-less tail is probed, the probe
 * is acknowledged (no D-SACK: the original never arrived) and the next
 * ACK beyond it makes the window shrink (RFC 8985 §7.4.2). With @dsack
 * the peer reports the probe as a duplicate: no loss, no reduction.
 */
static void probe_outcome(struct __test_metadata *_metadata,
			  struct _test_data_pkt *self, uint32_t tisn,
			  bool dsack)
{
	long long rec0 = xtcp_stat_get(NULL, "TailLossRecoveries");
	struct flight f = { 0 }, more = { 0 };
	struct tcp_info ti;
	struct xpkt_seg s;
	unsigned int mss;

	mss = tail_open(_metadata, self, &f, tisn);
	/* all but the last arrived */
	ack_sack1(_metadata, self, f.seq[TAIL - 1], 0, 0);
	ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
		TH_LOG("no probe");
	ASSERT_EQ(f.seq[TAIL - 1], s.seq);
	if (dsack)
		ack_sack1(_metadata, self, f.end[TAIL - 1], f.seq[TAIL - 1],
			  f.end[TAIL - 1]);
	else
		ack_sack1(_metadata, self, f.end[TAIL - 1], 0, 0);
	wait_acked(_metadata, self->c.fd, &ti);
	/* new data, acknowledged: an ACK beyond the probe */
	write_segs(_metadata, self->c.fd, 1, mss);
	recv_new(_metadata, self, &more, 1, NULL);
	tx(_metadata, self, &self->c, XPKT_ACK, self->c.snd_nxt, more.end[0],
	   0);
	wait_acked(_metadata, self->c.fd, &ti);
	if (dsack) {
		EXPECT_EQ(0, xtcp_stat_get(NULL, "TailLossRecoveries") - rec0);
		EXPECT_EQ(NO_SSTHRESH, ti.tcpi_snd_ssthresh);
	} else {
		EXPECT_EQ(1, xtcp_stat_get(NULL, "TailLossRecoveries") - rec0);
		EXPECT_GT(NO_SSTHRESH, ti.tcpi_snd_ssthresh);
		EXPECT_GE(ti.tcpi_snd_ssthresh, ti.tcpi_snd_cwnd);
	}
}

TEST_F(pkt, probe_repair_reduces_window)
{
	probe_outcome(_metadata, self, 0x7AC1000, false);
}

TEST_F(pkt, probe_dsack_keeps_window)
{
	probe_outcome(_metadata, self, 0x7AC2000, true);
}

/*
 * RFC 8985 §6.2-6.3: one SACKed segment (below DupThresh) is no loss yet
 * for RFC 6675, but the segments sent before it are lost once a
 * reordering window (a quarter of the 40 ms minimum RTT) past their round
 * trip has gone by: the reordering timer fires and recovery resends the
 * first, without an RTO. A guest stall that lets the probe timeout fire
 * first, or the window pass before the ACK is processed, sends the case
 * round again on a fresh connection.
 */
TEST_F(pkt, reordering_timer_marks_lost)
{
	long long reo0, rto0, tlp0;
	struct xpkt_seg s;
	int attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		struct flight f = { 0 };

		if (attempt)
			conn_abort(_metadata, self, &self->c);
		reo0 = xtcp_stat_get(NULL, "RackReoTimeouts");
		rto0 = xtcp_stat_get(NULL, "RtoTimeouts");
		tlp0 = xtcp_stat_get(NULL, "TailLossProbes");
		tail_open(_metadata, self, &f, 0x7AC3000 + attempt);
		sleep_ms(PATH_MS);
		ack_sack1(_metadata, self, f.seq[0], f.seq[TAIL - 1],
			  f.end[TAIL - 1]);
		ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
			TH_LOG("nothing resent");
		if (xtcp_stat_get(NULL, "TailLossProbes") != tlp0 ||
		    xtcp_stat_get(NULL, "RtoTimeouts") != rto0 ||
		    xtcp_stat_get(NULL, "RackReoTimeouts") == reo0) {
			TH_LOG("attempt %d: probe %lld, RTO %lld, timer %lld",
			       attempt,
			       xtcp_stat_get(NULL, "TailLossProbes") - tlp0,
			       xtcp_stat_get(NULL, "RtoTimeouts") - rto0,
			       xtcp_stat_get(NULL, "RackReoTimeouts") - reo0);
			continue;
		}
		EXPECT_EQ(f.seq[0], s.seq) TH_LOG("the oldest goes first");
		break;
	}
	ASSERT_LT(attempt, ATTEMPTS)
		TH_LOG("no attempt was resent by the reordering timer");
}

/*
 * RFC 8985 §6.2 step 2, with timestamps: the probe resent the last
 * segment, and an ACK SACKs it two path round trips later. If that ACK
 * echoes the TSval of the original transmission, the SACK may be the
 * original's: RACK must not take the probe for delivered, or the three
 * segments before it (sent earlier, and on a long queue still on their
 * way) would all look lost. Echoing the probe's TSval, it does.
 */
static void probe_sack_echo(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, uint32_t tisn,
			    bool echo_probe)
{
	long long rack0 = xtcp_stat_get(NULL, "RackLostSegs");
	long long rto0 = xtcp_stat_get(NULL, "RtoTimeouts");
	uint32_t ts_orig, ts_probe, tsecr;
	struct xpkt_sack blk;
	struct flight f = { 0 };
	struct xpkt_seg s, a;

	tail_open_ts(_metadata, self, &f, tisn, &ts_orig);
	ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
		TH_LOG("no probe");
	ASSERT_EQ(f.seq[TAIL - 1], s.seq);
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &ts_probe, &tsecr));
	ASSERT_TRUE(seq_after(ts_probe, ts_orig));
	sleep_ms(2 * PATH_MS);
	blk.start = f.seq[TAIL - 1];
	blk.end = f.end[TAIL - 1];
	xpkt_seg_init(&a, self->c.tport, self->c.sport, self->c.snd_nxt,
		      f.seq[0], XPKT_ACK);
	a.optlen = xpkt_opt_ts(a.opt, PEER_TSVAL + 100,
			       echo_probe ? ts_probe : ts_orig);
	a.optlen += xpkt_opt_sack(a.opt + a.optlen, &blk, 1);
	ASSERT_EQ(0, xpkt_send(&self->p, &a));
	if (echo_probe) {
		ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
			TH_LOG("nothing resent");
		EXPECT_EQ(f.seq[0], s.seq);
		EXPECT_EQ(TAIL - 1, xtcp_stat_get(NULL, "RackLostSegs") - rack0);
	} else {
		/* only the RTO (armed at the probe) may resend: a stall */
		if (next_data(_metadata, self, &s, FLIGHT_QUIET_MS))
			EXPECT_NE(rto0, xtcp_stat_get(NULL, "RtoTimeouts"))
				TH_LOG("resent %u on an ambiguous SACK", s.seq);
		EXPECT_EQ(0, xtcp_stat_get(NULL, "RackLostSegs") - rack0);
	}
}

TEST_F(pkt, probe_sack_echoing_the_original_is_ambiguous)
{
	probe_sack_echo(_metadata, self, 0x7AC5000, false);
}

TEST_F(pkt, probe_sack_echoing_the_probe_counts)
{
	probe_sack_echo(_metadata, self, 0x7AC6000, true);
}

/* net.xtcp.rack_tlp = 0: no probe; the RTO resends the first segment */
TEST_F(pkt, sysctl_off_leaves_it_to_the_rto)
{
	long long tlp0 = xtcp_stat_get(NULL, "TailLossProbes");
	long long rto0 = xtcp_stat_get(NULL, "RtoTimeouts");
	struct flight f = { 0 };
	struct xpkt_seg s;

	ASSERT_EQ(0, sysctl_set("rack_tlp", 0));
	tail_open(_metadata, self, &f, 0x7AC4000);
	ASSERT_TRUE(next_data(_metadata, self, &s, REPLY_MS))
		TH_LOG("no retransmission");
	EXPECT_EQ(f.seq[0], s.seq);
	EXPECT_EQ(0, xtcp_stat_get(NULL, "TailLossProbes") - tlp0);
	EXPECT_EQ(1, xtcp_stat_get(NULL, "RtoTimeouts") - rto0);
	EXPECT_EQ(-1, sysctl_set("rack_tlp", 2));
}

TEST_HARNESS_MAIN
