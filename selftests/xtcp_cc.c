// SPDX-License-Identifier: GPL-2.0
/*
 * Packet-level congestion-control tests: the fake peer (xtcp_pkt.h) sees
 * every segment the SUT sends and decides which to acknowledge, so the
 * congestion window shows in the number of segments sent per round trip,
 * and in the record of cwnd/ssthresh changes (XTCP_CC_LOG) and TCP_INFO:
 * initial window (RFC 6928), slow start and congestion avoidance (RFC 5681
 * §3.1, RFC 3465), limited transmit (RFC 3042), fast retransmit and fast
 * recovery (RFC 5681 §3.2, RFC 6582), timeout (RFC 5681 §3.1), restart
 * after idle (RFC 5681 §4.1), algorithm choice (TCP_CONGESTION, sysctls).
 */
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "xtcp_pkttest.h"

#define MAX_FLIGHT	64
#define FLIGHT_QUIET_MS	50	/* well below the 200 ms minimum RTO */
#define CA_RECOVERY	3
#define CA_LOSS		4
#define CC_FAST_RETRANS	2
#define CC_RECOVERED	5
#define CC_RTO		6

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
	if (xtcp_ipproto() == IPPROTO_TCP)
		XTCP_SKIP("XTCP congestion control only");
	ASSERT_EQ(0, sysctl_set("initial_cwnd", 10));
	ASSERT_EQ(0, sysctl_set("slow_start_after_idle", 1));
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
	sysctl_set("initial_cwnd", 10);
	sysctl_set("slow_start_after_idle", 1);
}

/* data segments of one round trip, in arrival order */
struct flight {
	unsigned int n;
	uint32_t seq[MAX_FLIGHT];
	uint32_t end[MAX_FLIGHT];
};

static void get_info(struct __test_metadata *_metadata, int fd,
		     struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	ASSERT_EQ(0, getsockopt(fd, SOL_XTCP, XTCP_INFO, ti, &len));
}

/* wait until the SUT processed our ACKs of everything it sent */
static void wait_acked(struct __test_metadata *_metadata, int fd,
		       struct tcp_info *ti)
{
	long long end = xpkt_now_ms() + REPLY_MS;

	do {
		get_info(_metadata, fd, ti);
		if (!ti->tcpi_unacked)
			return;
		sleep_ms(5);
	} while (xpkt_now_ms() < end);
	ASSERT_EQ(0U, ti->tcpi_unacked);
}

/*
 * Connection with the SUT as sender: passive open, TCP_NODELAY, a send
 * buffer for a few hundred segments, cwnd record on, data queued.
 */
static void sender_open(struct __test_metadata *_metadata,
			struct _test_data_pkt *self, struct tconn *c,
			uint32_t tisn, const char *ca)
{
	passive_open(_metadata, self, c, tisn, 0);
	sender_setup(_metadata, c->fd, ca);
}

/*
 * The retransmission timer must stay out of the scenarios that count
 * segments per round trip, but its minimum (200 ms) is not far above what
 * a stalled TCG guest on a loaded host can take between two of our steps.
 * A scenario whose flights were disturbed by a timeout that the test did
 * not cause is run again (with a fresh connection), at most ATTEMPTS times.
 */
#define ATTEMPTS	4
static long long rto_base;

static void rto_mark(void)
{
	rto_base = xtcp_stat_get(NULL, "RtoTimeouts");
}

static bool rto_fired(void)
{
	return xtcp_stat_get(NULL, "RtoTimeouts") != rto_base;
}

/* is [seq, end) one of the segments of @f from index @from on? */
static bool flight_has(const struct flight *f, unsigned int from, uint32_t seq)
{
	unsigned int i;

	for (i = from; i < f->n; i++)
		if (f->seq[i] == seq)
			return true;
	return false;
}

/* sort @f from index @from by sequence number (insertion sort) */
static void flight_sort(struct flight *f, unsigned int from)
{
	unsigned int i, j;

	for (i = from + 1; i < f->n; i++) {
		uint32_t seq = f->seq[i], end = f->end[i];

		for (j = i; j > from && seq_after(f->seq[j - 1], seq); j--) {
			f->seq[j] = f->seq[j - 1];
			f->end[j] = f->end[j - 1];
		}
		f->seq[j] = seq;
		f->end[j] = end;
	}
}

/*
 * Receive exactly @n new data segments, then nothing for FLIGHT_QUIET_MS;
 * they are appended to @f in sequence order. Segments of one flight may
 * arrive out of order (the SUT sends from softirq and process context,
 * possibly on both CPUs), but must be new and together contiguous.
 * Return: true, or false when a timeout disturbed the flight (retry).
 */
static bool recv_flight(struct __test_metadata *_metadata,
			struct _test_data_pkt *self, struct tconn *c,
			struct flight *f, unsigned int n, const char *what)
{
	unsigned int got = 0, from = f->n, i;
	struct tcp_info ti;
	struct xpkt_seg s;
	int r;

	while (got < n) {
		r = xpkt_recv(&self->p, &s, c->tport, REPLY_MS);
		ASSERT_LE(0, r);
		if (r && !s.len)
			continue;
		if (r && !seq_after(c->rcv_nxt, s.seq) &&
		    !flight_has(f, from, s.seq)) {
			ASSERT_TRUE(s.csum_ok);
			ASSERT_LT(f->n, (unsigned int)MAX_FLIGHT);
			f->seq[f->n] = s.seq;
			f->end[f->n] = s.seq + s.len;
			f->n++;
			got++;
			continue;
		}
		if (rto_fired())
			goto disturbed;
		if (r)
			log_seg("unexpected", &s);
		TH_LOG("%s: %u of %u segments (flight from seq %u)", what,
		       got, n, c->rcv_nxt);
		ASSERT_TRUE(false);
	}
	for (;;) {
		r = xpkt_recv(&self->p, &s, c->tport, FLIGHT_QUIET_MS);
		ASSERT_LE(0, r);
		if (!r)
			break;
		if (!s.len)
			continue;
		if (rto_fired())
			goto disturbed;
		log_seg("beyond the window", &s);
		get_info(_metadata, c->fd, &ti);
		TH_LOG("%s: more than %u segments (cwnd %u unacked %u ca_state %u)",
		       what, n, ti.tcpi_snd_cwnd, ti.tcpi_unacked,
		       ti.tcpi_ca_state);
		ASSERT_TRUE(false);
	}
	flight_sort(f, from);
	for (i = from; i < f->n; i++) {
		ASSERT_EQ(c->rcv_nxt, f->seq[i]) TH_LOG("%s: a gap", what);
		c->rcv_nxt = f->end[i];
	}
	c->sut_seen = true;
	c->sut_end = c->rcv_nxt;
	return true;

disturbed:
	TH_LOG("%s: a retransmission timeout fired (guest stall?): again",
	       what);
	return false;
}

/* acknowledge every segment of @f by itself, in order */
static void ack_each(struct __test_metadata *_metadata,
		     struct _test_data_pkt *self, struct tconn *c,
		     const struct flight *f)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, f->end[i], 0);
}

/* one round trip: @n segments arrive, each is acknowledged by itself */
static bool round_trip(struct __test_metadata *_metadata,
		       struct _test_data_pkt *self, struct tconn *c,
		       unsigned int n, const char *what)
{
	struct flight f = { 0 };

	if (!recv_flight(_metadata, self, c, &f, n, what))
		return false;
	topup(c->fd);
	ack_each(_metadata, self, c, &f);
	return true;
}

/*
 * Slow start 10 -> 20 -> 40 segments per round trip, then the first
 * segment of round 3 "lost": two duplicate ACKs send one new segment each
 * (limited transmit), the third one the retransmission, before any timeout.
 * Return: false when a timeout disturbed it (retry).
 */
static bool to_fast_recovery(struct __test_metadata *_metadata,
			     struct _test_data_pkt *self, struct tconn *c,
			     uint32_t tisn, const char *ca)
{
	struct flight f = { 0 };
	struct tcp_info ti;
	struct xpkt_seg s;
	uint32_t una;
	int r;

	rto_mark();
	sender_open(_metadata, self, c, tisn, ca);
	if (!round_trip(_metadata, self, c, 10, "round 1") ||
	    !round_trip(_metadata, self, c, 20, "round 2"))
		return false;
	if (!recv_flight(_metadata, self, c, &f, 40, "round 3"))
		return false;
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(40U, ti.tcpi_snd_cwnd);
	ASSERT_EQ(40U, ti.tcpi_unacked);

	una = f.seq[0];
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, una, 0);
	if (!recv_flight(_metadata, self, c, &f, 1, "limited transmit 1"))
		return false;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, una, 0);
	if (!recv_flight(_metadata, self, c, &f, 1, "limited transmit 2"))
		return false;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, una, 0);
	do {
		r = xpkt_recv(&self->p, &s, c->tport, REPLY_MS);
		ASSERT_LT(0, r) TH_LOG("no fast retransmission");
	} while (!s.len);
	if (rto_fired())
		return false;
	ASSERT_EQ(una, s.seq);
	return true;
}

static int read_log(int fd, struct xtcp_cc_event *ev, int max)
{
	socklen_t len = max * sizeof(*ev);

	if (getsockopt(fd, SOL_XTCP, XTCP_CC_LOG, ev, &len))
		return -1;
	return len / sizeof(*ev);
}

/* the RFC 6928 initial window, and net.xtcp.initial_cwnd */
TEST_F(pkt, initial_window)
{
	struct tcp_info ti;
	struct flight f = { 0 };

	rto_mark();
	sender_open(_metadata, self, &self->c, 0xC0000, NULL);
	ASSERT_TRUE(recv_flight(_metadata, self, &self->c, &f, 10,
				"initial window"));
	get_info(_metadata, self->c.fd, &ti);
	ASSERT_EQ(10U, ti.tcpi_snd_cwnd);
	ASSERT_LT(1000000U, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(0, ti.tcpi_ca_state);
	ASSERT_EQ(10U, ti.tcpi_unacked);
	tx(_metadata, self, &self->c, XPKT_RST, self->c.snd_nxt, 0, 0);
	self->c.active = false;
	close(self->c.fd);
	self->c.fd = -1;
	close(self->c.lfd);
	self->c.lfd = -1;

	ASSERT_EQ(0, sysctl_set("initial_cwnd", 3));
	ASSERT_EQ(3, sysctl_get("initial_cwnd"));
	ASSERT_NE(0, sysctl_set("initial_cwnd", 0));
	memset(&f, 0, sizeof(f));
	sender_open(_metadata, self, &self->c, 0xC1000, NULL);
	ASSERT_TRUE(recv_flight(_metadata, self, &self->c, &f, 3,
				"initial_cwnd=3"));
}

/*
 * Slow start doubles cwnd per round trip (one more segment per ACK,
 * RFC 5681 §3.1); two duplicate ACKs send one new segment each (RFC 3042);
 * the third resends the first unacknowledged segment at once with
 * ssthresh = FlightSize / 2 and cwnd = ssthresh + 3 (RFC 5681 §3.2); the
 * full ACK leaves cwnd = ssthresh (RFC 6582 §3.2), without any timeout; then
 * cwnd grows by one segment per round trip (congestion avoidance). All of
 * it shows in the rounds' sizes, TCP_INFO and the cwnd record.
 */
TEST_F(pkt, slow_start_fast_recovery_linear)
{
	struct tconn *c = &self->c;
	struct xtcp_cc_event ev[512];
	struct flight f;
	long long fr0;
	struct tcp_info ti;
	int i, n, k, fr = -1, rec = -1, grows = 0, attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (attempt)
			conn_abort(_metadata, self, c);
		fr0 = xtcp_stat_get(NULL, "FastRetransmits");
		if (!to_fast_recovery(_metadata, self, c, 0xC2000 + attempt,
				      "newreno"))
			continue;
		ASSERT_EQ(fr0 + 1, xtcp_stat_get(NULL, "FastRetransmits"));
		get_info(_metadata, c->fd, &ti);
		ASSERT_EQ(CA_RECOVERY, ti.tcpi_ca_state);
		ASSERT_EQ(21U, ti.tcpi_snd_ssthresh);	/* 42 in flight / 2 */
		ASSERT_EQ(24U, ti.tcpi_snd_cwnd);

		/* the full ACK: cwnd halved, recovery over */
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
		if (!round_trip(_metadata, self, c, 21, "round 4 (= ssthresh)"))
			continue;
		get_info(_metadata, c->fd, &ti);
		ASSERT_EQ(0, ti.tcpi_ca_state);
		memset(&f, 0, sizeof(f));
		if (!round_trip(_metadata, self, c, 22, "round 5") ||
		    !round_trip(_metadata, self, c, 23, "round 6") ||
		    !recv_flight(_metadata, self, c, &f, 24, "round 7"))
			continue;
		if (!rto_fired())
			break;
	}
	ASSERT_GT(ATTEMPTS, attempt) TH_LOG("every attempt disturbed");

	/* the record: +1 per ACK up to 40, the reduction, +1 per round */
	n = read_log(c->fd, ev, 512);
	ASSERT_LT(10, n);
	ASSERT_EQ(10U, ev[0].snd_cwnd);
	for (i = 1; i < n; i++) {
		if (ev[i].reason == CC_FAST_RETRANS && fr < 0)
			fr = i;
		if (ev[i].reason == CC_RECOVERED && rec < 0)
			rec = i;
		ASSERT_NE(CC_RTO, ev[i].reason);
		if (fr < 0)
			ASSERT_EQ(ev[i - 1].snd_cwnd + 1, ev[i].snd_cwnd)
				TH_LOG("slow start, event %d", i);
	}
	ASSERT_EQ(30, fr - 1) TH_LOG("slow start 10 -> 40 in single steps");
	ASSERT_EQ(21U, ev[fr].snd_ssthresh);
	ASSERT_EQ(24U, ev[fr].snd_cwnd);
	ASSERT_LT(fr, rec);
	ASSERT_EQ(21U, ev[rec].snd_cwnd);
	for (k = rec + 1; k < n; k++) {
		ASSERT_EQ(ev[k - 1].snd_cwnd + 1, ev[k].snd_cwnd);
		grows++;
	}
	ASSERT_EQ(3, grows) TH_LOG("one segment per round in avoidance");
}

/*
 * A retransmission timeout sets ssthresh = max(FlightSize / 2, 2) and
 * cwnd = 1 (RFC 5681 §3.1): one segment goes out; an ACK of it lets two
 * more out (slow start): the next two, resent, since everything sent
 * before the timeout is presumed lost.
 */
TEST_F(pkt, timeout_collapses_cwnd)
{
	struct tconn *c = &self->c;
	long long rto0 = xtcp_stat_get(NULL, "RtoTimeouts");
	struct xtcp_cc_event ev[64];
	struct flight f = { 0 };
	struct tcp_info ti;
	struct xpkt_seg s;
	int n, i, found = 0;

	rto_mark();
	sender_open(_metadata, self, c, 0xC3000, "newreno");
	ASSERT_TRUE(recv_flight(_metadata, self, c, &f, 10, "initial window"));
	/* no ACK: the first segment comes again after the RTO (1 s) */
	do {
		ASSERT_LT(0, xpkt_recv(&self->p, &s, c->tport, 3000))
			TH_LOG("no retransmission");
	} while (!s.len);
	ASSERT_EQ(f.seq[0], s.seq);
	ASSERT_EQ(rto0 + 1, xtcp_stat_get(NULL, "RtoTimeouts"));
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(1U, ti.tcpi_snd_cwnd);
	ASSERT_EQ(5U, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(CA_LOSS, ti.tcpi_ca_state);
	/* nothing else within the loss window of one segment */
	ASSERT_EQ(0, xpkt_recv(&self->p, &s, c->tport, FLIGHT_QUIET_MS));

	/* ACK of the first segment: cwnd 2, the second resent */
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, f.end[0], 0);
	/* at once: the next timeout (backed off) would be 2 s away */
	do {
		ASSERT_LT(0, xpkt_recv(&self->p, &s, c->tport, 1000));
	} while (!s.len);
	ASSERT_EQ(f.seq[1], s.seq);
	do {
		ASSERT_LT(0, xpkt_recv(&self->p, &s, c->tport, 1000));
	} while (!s.len);
	ASSERT_EQ(f.seq[2], s.seq);
	ASSERT_EQ(0, xpkt_recv(&self->p, &s, c->tport, FLIGHT_QUIET_MS));
	ASSERT_EQ(rto0 + 1, xtcp_stat_get(NULL, "RtoTimeouts"));
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(2U, ti.tcpi_snd_cwnd);

	n = read_log(c->fd, ev, 64);
	for (i = 0; i < n; i++) {
		if (ev[i].reason != CC_RTO)
			continue;
		ASSERT_EQ(1U, ev[i].snd_cwnd);
		ASSERT_EQ(5U, ev[i].snd_ssthresh);
		found++;
	}
	ASSERT_EQ(1, found);
}

/*
 * RFC 5681 §4.1: after more than one RTO without sending, cwnd restarts
 * from the initial window; not with net.xtcp.slow_start_after_idle = 0.
 */
TEST_F(pkt, restart_after_idle)
{
	static char buf[50 * PEER_MSS];
	struct tconn *c = &self->c;
	int pass, one = 1, attempt;
	struct tcp_info ti;
	struct flight f;

	for (pass = 0; pass < 2; pass++) {
		ASSERT_EQ(0, sysctl_set("slow_start_after_idle", !pass));
		for (attempt = 0; attempt < ATTEMPTS; attempt++) {
			conn_abort(_metadata, self, c);
			rto_mark();
			passive_open(_metadata, self, c,
				     0xC4000 + pass * 0x1000 + attempt, 0);
			ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_CONGESTION,
						"newreno", 7));
			ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_NODELAY,
						&one, sizeof(one)));
			ASSERT_EQ(30 * PEER_MSS, write(c->fd, buf, 30 * PEER_MSS));
			memset(&f, 0, sizeof(f));
			if (!recv_flight(_metadata, self, c, &f, 10, "round 1"))
				continue;
			ack_each(_metadata, self, c, &f);
			memset(&f, 0, sizeof(f));
			if (!recv_flight(_metadata, self, c, &f, 20, "round 2"))
				continue;
			ack_each(_metadata, self, c, &f);
			if (!rto_fired())
				break;
		}
		ASSERT_GT(ATTEMPTS, attempt);
		/* application-limited in round 2: growth stops at 21 */
		wait_acked(_metadata, c->fd, &ti);
		ASSERT_EQ(21U, ti.tcpi_snd_cwnd);
		/* idle for more than one RTO */
		sleep_ms(ti.tcpi_rto / 1000 + 300);
		ASSERT_EQ(50 * PEER_MSS, write(c->fd, buf, 50 * PEER_MSS));
		memset(&f, 0, sizeof(f));
		ASSERT_TRUE(recv_flight(_metadata, self, c, &f, pass ? 21 : 10,
					pass ? "no restart" : "restart window"));
		get_info(_metadata, c->fd, &ti);
		ASSERT_EQ(pass ? 21U : 10U, ti.tcpi_snd_cwnd);
	}
}

/*
 * CUBIC (RFC 9438 §4.6): the third duplicate ACK sets ssthresh =
 * cwnd * 0.7 (not NewReno's half); cwnd = ssthresh + 3 in recovery and
 * ssthresh after it; growth resumes from there without a timeout.
 */
TEST_F(pkt, cubic_reduction)
{
	struct tconn *c = &self->c;
	struct tcp_info ti;
	socklen_t len;
	char name[16];
	int attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (attempt)
			conn_abort(_metadata, self, c);
		if (!to_fast_recovery(_metadata, self, c, 0xC5000 + attempt,
				      "cubic"))
			continue;
		len = sizeof(name);
		ASSERT_EQ(0, getsockopt(c->fd, SOL_TCP, TCP_CONGESTION, name,
					&len));
		ASSERT_STREQ("cubic", name);
		get_info(_metadata, c->fd, &ti);
		ASSERT_EQ(CA_RECOVERY, ti.tcpi_ca_state);
		ASSERT_EQ(28U, ti.tcpi_snd_ssthresh);	/* 40 * 0.7 */
		ASSERT_EQ(31U, ti.tcpi_snd_cwnd);
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
		if (!round_trip(_metadata, self, c, 28, "round 4 (0.7 W_max)"))
			continue;
		get_info(_metadata, c->fd, &ti);
		ASSERT_EQ(0, ti.tcpi_ca_state);
		ASSERT_LE(28U, ti.tcpi_snd_cwnd);
		if (!rto_fired())
			break;
	}
	ASSERT_GT(ATTEMPTS, attempt) TH_LOG("every attempt disturbed");
}

/*
 * TCP_CONGESTION at SOL_TCP and SOL_XTCP, net.xtcp.congestion_control and
 * available_congestion_control; unknown names give ENOENT.
 */
TEST_F(pkt, algorithm_choice)
{
	char name[32], def[32], avail[256];
	socklen_t len;
	int fd;

	ASSERT_EQ(0, sysctl_str("congestion_control", def, sizeof(def)));
	ASSERT_EQ(0, sysctl_str("available_congestion_control", avail,
				sizeof(avail)));
	ASSERT_NE(NULL, strstr(avail, "newreno"));
	ASSERT_NE(NULL, strstr(avail, "cubic"));
	ASSERT_NE(NULL, strstr(avail, def));

	fd = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, fd);
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ(def, name);
	ASSERT_EQ(0, setsockopt(fd, SOL_TCP, TCP_CONGESTION, "newreno", 7));
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(fd, SOL_XTCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ("newreno", name);
	XTCP_ASSERT_ERRNO(setsockopt(fd, SOL_TCP, TCP_CONGESTION, "nosuch", 6),
			  ENOENT);
	XTCP_ASSERT_ERRNO(setsockopt(fd, SOL_XTCP, TCP_CONGESTION, "nosuch",
				     6), ENOENT);
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ("newreno", name);
	close(fd);

	/* the sysctl: unknown names refused, known ones become the default */
	errno = 0;
	ASSERT_EQ(-1, sysctl_set_str("congestion_control", "nosuch\n"));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, sysctl_str("congestion_control", name, sizeof(name)));
	ASSERT_STREQ(def, name);
	ASSERT_NE(0, sysctl_set_str("available_congestion_control", "x\n"));
	ASSERT_EQ(0, sysctl_set_str("congestion_control", "newreno\n"));
	fd = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, fd);
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ("newreno", name);
	close(fd);
	ASSERT_EQ(0, sysctl_set_str("congestion_control", def));
}

/* an accepted connection inherits its listener's algorithm */
TEST_F(pkt, algorithm_inherited)
{
	struct sockaddr_in a;
	char name[16];
	socklen_t len;
	int lfd, cfd, afd;

	ASSERT_EQ(0, sysctl_set_str("congestion_control", "cubic"));
	lfd = xtcp_listen_in(NULL, self->env.addr_a, &a);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setsockopt(lfd, SOL_XTCP, TCP_CONGESTION, "newreno", 7));
	cfd = xtcp_connect_in(NULL, &a);
	ASSERT_LE(0, cfd);
	afd = xtcp_accept_timeout(lfd, REPLY_MS);
	ASSERT_LE(0, afd);
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(afd, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ("newreno", name);
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(cfd, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ("cubic", name);
	/* switching an established connection */
	ASSERT_EQ(0, setsockopt(afd, SOL_TCP, TCP_CONGESTION, "cubic", 5));
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(afd, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_STREQ("cubic", name);
	ASSERT_EQ(5, write(cfd, "hello", 5));
	ASSERT_EQ(5, xtcp_recv_all(afd, name, 5));
	close(cfd);
	close(afd);
	close(lfd);
}

#define TRACEFS		"/sys/kernel/tracing"
#define CWND_EVENT	TRACEFS "/events/xtcp/xtcp_cwnd"

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * The xtcp:xtcp_cwnd tracepoint records the same changes (kernels with
 * tracing; the debug kernel has none and skips).
 */
TEST_F(pkt, tracepoint)
{
	struct tconn *c = &self->c;
	static char buf[1 << 16];
	struct flight f = { 0 };
	char want[64];
	ssize_t n, len = 0;
	int fd;

	if (access(TRACEFS "/trace", F_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	if (access(CWND_EVENT "/enable", F_OK))
		XTCP_SKIP("no tracefs event xtcp/xtcp_cwnd (kernel without tracing)");
	ASSERT_EQ(0, write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, write_file(CWND_EVENT "/enable", "1"));

	rto_mark();
	sender_open(_metadata, self, c, 0xC6000, "newreno");
	ASSERT_TRUE(recv_flight(_metadata, self, c, &f, 10, "initial window"));
	topup(c->fd);
	ack_each(_metadata, self, c, &f);
	memset(&f, 0, sizeof(f));
	ASSERT_TRUE(recv_flight(_metadata, self, c, &f, 20, "round 2"));
	ASSERT_EQ(0, write_file(CWND_EVENT "/enable", "0"));

	fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	snprintf(want, sizeof(want), "sport=%u dport=%u cwnd=10 ", c->sport,
		 c->tport);
	ASSERT_NE(NULL, strstr(buf, want)) TH_LOG("trace:\n%s", buf);
	snprintf(want, sizeof(want), "sport=%u dport=%u cwnd=20 ", c->sport,
		 c->tport);
	ASSERT_NE(NULL, strstr(buf, want)) TH_LOG("trace:\n%s", buf);
}

TEST_HARNESS_MAIN
