// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP ECN (RFC 3168 §6.1) at the packet level, the fake peer (xtcp_pkt.h)
 * reading and writing the IP header's ECN field: negotiation on SYN and
 * SYN-ACK for net.xtcp.ecn 0/1/2 on both sides and through SYN cookies,
 * ECT(0) on new data only, CE echoed in ECE until CWR, the window halved
 * once per window of data on ECE with CWR on the next new data, ECN
 * ignored without negotiation; and end to end, a transfer through a
 * CE-marking qdisc that reduces the window without a retransmission.
 */
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "xtcp_flight.h"

#define CA_OPEN		0
#define CA_CWR		2
#define CC_ECE		8	/* enum xtcp_cc_reason XTCP_CC_ECE */
#define QUIET		50	/* ms without a segment: none coming */
#define WIN0		10	/* initial window (net.xtcp.initial_cwnd) */
#define E2E_BYTES	(512 * 1024)
#define E2E_QDISC_RATE	"2mbit"

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
	need_xtcp();
	pkt_timer_sysctls_reset();
	ASSERT_EQ(0, sysctl_set("ecn", 2));
	ASSERT_EQ(0, sysctl_set("initial_cwnd", WIN0));
	/* no retransmission timeout between two steps of a slow guest */
	ASSERT_EQ(0, sysctl_set("rto_min_ms", 2000));
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
	xtcp_system("tc qdisc del dev %s root 2>/dev/null",
		    getenv("XTCP_IF_A") ? : "xa0");
	sysctl_set("ecn", 2);
	sysctl_set("syncookies", 1);
	pkt_timer_sysctls_reset();
}

static bool info_ecn(struct __test_metadata *_metadata, int fd)
{
	struct tcp_info ti;

	get_info(_metadata, fd, &ti);
	return ti.tcpi_options & TCPI_OPT_ECN;
}

/* a segment on @c with @flags, @len pattern bytes and IP TOS @tos */
static void tx_tos(struct __test_metadata *_metadata,
		   struct _test_data_pkt *self, const struct tconn *c,
		   uint8_t flags, uint32_t seq, uint32_t ack, unsigned int len,
		   uint8_t tos)
{
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, seq, ack, flags);
	s.len = len;
	s.tos = tos;
	xtcp_pattern(s.data, len, seq);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
}

static uint8_t ecn_of(const struct xpkt_seg *s)
{
	return s->tos & XPKT_ECN_MASK;
}

/*
 * Passive open with @syn_flags on our SYN (ECE/CWR), timestamps when @ts;
 * the SYN-ACK must have ECE (and never CWR) exactly when @want_ece, and
 * go out Not-ECT. Return: the SYN-ACK's TSval (0 without timestamps).
 */
static uint32_t ecn_passive_open(struct __test_metadata *_metadata,
				 struct _test_data_pkt *self, struct tconn *c,
				 uint32_t tisn, uint8_t syn_flags, bool ts,
				 bool want_ece)
{
	uint32_t tsval = 0, tsecr = 0;
	struct xpkt_seg s;

	conn_init(self, c, tisn);
	c->lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, c->lfd) TH_LOG("listen: %s", strerror(errno));
	c->sport = ntohs(c->local.sin_port);

	xpkt_seg_init(&s, c->tport, c->sport, tisn, 0, XPKT_SYN | syn_flags);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	if (ts)
		s.optlen += xpkt_opt_ts(s.opt + s.optlen, 1000, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->active = true;
	c->snd_nxt = tisn + 1;

	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK |
	       (want_ece ? XPKT_ECE : 0), "SYN-ACK");
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s)) log_seg("SYN-ACK", &s);
	ASSERT_EQ(tisn + 1, s.ack);
	c->sisn = s.seq;
	c->rcv_nxt = s.seq + 1;
	if (ts) {
		ASSERT_EQ(1, xpkt_opt_ts_get(&s, &tsval, &tsecr));
		xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt,
			      XPKT_ACK);
		s.optlen = xpkt_opt_ts(s.opt, 1001, tsval);
		ASSERT_EQ(0, xpkt_send(&self->p, &s));
	} else {
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	}
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("accept: %s", strerror(errno));
	ASSERT_EQ(0, xtcp_set_timeouts(c->fd, XTCP_WAIT_MS));
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	return tsval;
}

/*
 * The SUT sends @len bytes: the segment must go out ECT(0) exactly when
 * @ecn and carry @flags (ACK, PSH aside; ECE/CWR as the case wants).
 */
static void sut_sends(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, struct tconn *c,
		      unsigned int len, bool ecn, uint8_t flags,
		      const char *what)
{
	char buf[XPKT_MAX_DATA];
	struct xpkt_seg s;

	xtcp_pattern(buf, len, c->rcv_nxt);
	ASSERT_EQ((ssize_t)len, send(c->fd, buf, len, MSG_NOSIGNAL));
	expect(_metadata, self, c, &s, XPKT_ACK | flags, what);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	ASSERT_EQ(len, s.len);
	ASSERT_EQ(ecn ? XPKT_ECT0 : XPKT_NOT_ECT, ecn_of(&s))
		log_seg(what, &s);
	c->rcv_nxt += len;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
}

/*
 * 1. RFC 3168 §6.1.1, passive side: a SYN with ECE and CWR gets a SYN-ACK
 * with ECE (never CWR) when net.xtcp.ecn is 1 or 2, not with 0; a SYN with
 * only ECE, or neither, is not an ECN-setup SYN. TCP_INFO shows
 * TCPI_OPT_ECN exactly on the connections that agreed, whose data then
 * goes out ECT(0); SYN-ACKs are never ECT.
 */
TEST_F(pkt, passive_negotiation)
{
	static const uint8_t syns[] = { XPKT_ECE | XPKT_CWR, XPKT_ECE, 0 };
	struct tconn *c = &self->c;
	long long neg0 = xtcp_stat_get(NULL, "ECNNegotiated");
	int ecn, i, agreed = 0;

	for (ecn = 0; ecn <= 2; ecn++) {
		ASSERT_EQ(0, sysctl_set("ecn", ecn));
		for (i = 0; i < 3; i++) {
			bool want = ecn && syns[i] == (XPKT_ECE | XPKT_CWR);

			TH_LOG("ecn=%d SYN flags 0x%02x", ecn, syns[i]);
			ecn_passive_open(_metadata, self, c,
					 0xE0000 + ecn * 0x1000 + i * 0x100,
					 syns[i], false, want);
			ASSERT_EQ(want, info_ecn(_metadata, c->fd));
			sut_sends(_metadata, self, c, 100, want, 0, "data");
			agreed += want;
			conn_abort(_metadata, self, c);
		}
	}
	ASSERT_EQ(neg0 + agreed, xtcp_stat_get(NULL, "ECNNegotiated"));
}

/*
 * Active open: connect() to the fake peer, our SYN must carry ECE and CWR
 * exactly when @want_setup (and be Not-ECT); we answer with a SYN-ACK with
 * @synack_flags.
 */
static void ecn_active_open(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, struct tconn *c,
			    uint32_t tisn, bool want_setup, uint8_t synack_flags)
{
	socklen_t len = sizeof(c->local);
	struct xpkt_seg s;

	conn_init(self, c, tisn);
	c->fd = xtcp_sock_in(NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, c->fd);
	ASSERT_EQ(-1, connect(c->fd, (struct sockaddr *)&c->rem,
			      sizeof(c->rem)));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(0, getsockname(c->fd, (struct sockaddr *)&c->local, &len));
	c->sport = ntohs(c->local.sin_port);
	c->active = true;
	expect(_metadata, self, c, &s, XPKT_SYN |
	       (want_setup ? XPKT_ECE | XPKT_CWR : 0), "SYN");
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s)) log_seg("SYN", &s);
	c->sisn = s.seq;
	c->rcv_nxt = s.seq + 1;

	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, c->rcv_nxt,
		      XPKT_SYN | XPKT_ACK | synack_flags);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of SYN-ACK");
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s)) log_seg("ACK", &s);
	ASSERT_EQ(0, xtcp_set_nonblock(c->fd, false));
	ASSERT_EQ(0, xtcp_set_timeouts(c->fd, XTCP_WAIT_MS));
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
}

/*
 * 2. RFC 3168 §6.1.1, active side: only net.xtcp.ecn = 1 sends an
 * ECN-setup SYN (ECE and CWR); ECN is used only when the SYN-ACK has ECE
 * without CWR — not without ECE, not with ECE and CWR (a reflected SYN),
 * and never when we did not ask.
 */
TEST_F(pkt, active_negotiation)
{
	static const uint8_t synacks[] = { XPKT_ECE, 0, XPKT_ECE | XPKT_CWR };
	struct tconn *c = &self->c;
	int ecn, i;

	for (ecn = 0; ecn <= 2; ecn++) {
		ASSERT_EQ(0, sysctl_set("ecn", ecn));
		for (i = 0; i < 3; i++) {
			bool want = ecn == 1 && synacks[i] == XPKT_ECE;

			TH_LOG("ecn=%d SYN-ACK flags 0x%02x", ecn, synacks[i]);
			ecn_active_open(_metadata, self, c,
					0xE4000 + ecn * 0x1000 + i * 0x100,
					ecn == 1, synacks[i]);
			ASSERT_EQ(want, info_ecn(_metadata, c->fd));
			sut_sends(_metadata, self, c, 100, want, 0, "data");
			conn_abort(_metadata, self, c);
		}
	}
}

/*
 * 3. SYN cookies (net.xtcp.syncookies = 2): with timestamps the cookie
 * SYN-ACK agrees to ECN (ECE) and keeps it in bit 5 of its TSval, and the
 * connection the ACK rebuilds uses ECN; a cookie SYN-ACK without
 * timestamps has nowhere to keep it and does not agree; a SYN without
 * ECN setup leaves bit 5 clear.
 */
TEST_F(pkt, syncookie_carries_ecn)
{
	struct tconn *c = &self->c;
	long long recv0 = xtcp_stat_get(NULL, "SyncookiesRecv");
	uint32_t tsval;

	ASSERT_EQ(0, sysctl_set("syncookies", 2));
	tsval = ecn_passive_open(_metadata, self, c, 0xE8000,
				 XPKT_ECE | XPKT_CWR, true, true);
	ASSERT_EQ(0x20U, tsval & 0x20) TH_LOG("TSval 0x%08x", tsval);
	ASSERT_TRUE(info_ecn(_metadata, c->fd));
	sut_sends(_metadata, self, c, 100, true, 0, "data (ECN cookie)");
	conn_abort(_metadata, self, c);

	tsval = ecn_passive_open(_metadata, self, c, 0xE9000, 0, true, false);
	ASSERT_EQ(0U, tsval & 0x20) TH_LOG("TSval 0x%08x", tsval);
	ASSERT_FALSE(info_ecn(_metadata, c->fd));
	conn_abort(_metadata, self, c);

	ecn_passive_open(_metadata, self, c, 0xEA000, XPKT_ECE | XPKT_CWR,
			 false, false);
	ASSERT_FALSE(info_ecn(_metadata, c->fd));
	sut_sends(_metadata, self, c, 100, false, 0, "data (no timestamps)");
	ASSERT_EQ(recv0 + 3, xtcp_stat_get(NULL, "SyncookiesRecv"));
}

/*
 * 4. RFC 3168 §6.1.2, §6.1.5: new data goes out ECT(0); pure ACKs and a
 * retransmission of that data go out Not-ECT (the SYN-ACK was checked by
 * the open).
 */
TEST_F(pkt, ect_on_new_data_only)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s, r;
	char buf[300];

	ASSERT_EQ(0, sysctl_set("rto_min_ms", 200));
	ecn_passive_open(_metadata, self, c, 0xEB000, XPKT_ECE | XPKT_CWR,
			 false, true);
	/* a pure ACK of our data (two full segments: at once) */
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, PEER_MSS);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt + PEER_MSS,
	   c->rcv_nxt, PEER_MSS);
	c->snd_nxt += 2 * PEER_MSS;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of our data");
	ASSERT_EQ(0U, s.len);
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s)) log_seg("pure ACK", &s);

	/* new data, unacknowledged: ECT(0); its retransmission: Not-ECT */
	xtcp_pattern(buf, sizeof(buf), c->rcv_nxt);
	ASSERT_EQ((ssize_t)sizeof(buf), send(c->fd, buf, sizeof(buf), 0));
	do {
		ASSERT_EQ(1, rx(_metadata, self, c, &s, REPLY_MS));
	} while (!s.len);
	ASSERT_EQ(XPKT_ECT0, ecn_of(&s)) log_seg("new data", &s);
	do {
		ASSERT_LT(0, xpkt_recv(&self->p, &r, c->tport, 5000))
			TH_LOG("no retransmission");
	} while (!r.len);
	ASSERT_EQ(s.seq, r.seq);
	ASSERT_EQ(s.len, r.len);
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&r)) log_seg("retransmission", &r);
	c->rcv_nxt += sizeof(buf);
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	/* later new data is ECT(0) again */
	sut_sends(_metadata, self, c, 200, true, 0, "data after it");
}

/* our data (@len bytes, IP ECN @tos, @flags), the SUT's ACK with @want */
static void data_acked(struct __test_metadata *_metadata,
		       struct _test_data_pkt *self, struct tconn *c,
		       unsigned int len, uint8_t tos, uint8_t flags,
		       uint8_t want, const char *what)
{
	struct xpkt_seg s;

	tx_tos(_metadata, self, c, XPKT_ACK | XPKT_PSH | flags, c->snd_nxt,
	       c->rcv_nxt, len, tos);
	expect(_metadata, self, c, &s, want, what);
	ASSERT_EQ(c->snd_nxt + len, s.ack);
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s));
	expect_data(_metadata, c->fd, c->snd_nxt, len);
	c->snd_nxt += len;
}

/*
 * 5. RFC 3168 §6.1.3: a data segment with CE is acknowledged at once (not
 * by the delayed-ACK timer) with ECE; every later ACK carries ECE until a
 * segment with CWR arrives; then none; CE on a segment with CWR starts the
 * echo again. TCP_INFO shows TCPI_OPT_ECN_SEEN, InCEs counts the marks.
 */
TEST_F(pkt, ce_echoed_until_cwr)
{
	struct tconn *c = &self->c;
	long long ce0 = xtcp_stat_get(NULL, "InCEs"), dack0;
	struct tcp_info ti;

	ASSERT_EQ(0, sysctl_set("delack_ms", 200));
	ecn_passive_open(_metadata, self, c, 0xEC000, XPKT_ECE | XPKT_CWR,
			 false, true);
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(0, ti.tcpi_options & TCPI_OPT_ECN_SEEN);
	data_acked(_metadata, self, c, 100, XPKT_ECT0, 0, XPKT_ACK,
		   "ACK of ECT(0) data");

	dack0 = xtcp_stat_get(NULL, "DelayedACKs");
	data_acked(_metadata, self, c, 100, XPKT_CE, 0, XPKT_ACK | XPKT_ECE,
		   "ACK of CE data");
	ASSERT_EQ(dack0, xtcp_stat_get(NULL, "DelayedACKs"))
		TH_LOG("the first CE must be acknowledged at once");
	ASSERT_EQ(ce0 + 1, xtcp_stat_get(NULL, "InCEs"));
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(TCPI_OPT_ECN_SEEN, ti.tcpi_options & TCPI_OPT_ECN_SEEN);

	data_acked(_metadata, self, c, 100, XPKT_ECT0, 0, XPKT_ACK | XPKT_ECE,
		   "ECE until CWR (1)");
	data_acked(_metadata, self, c, 100, XPKT_NOT_ECT, 0, XPKT_ACK | XPKT_ECE,
		   "ECE until CWR (2)");
	data_acked(_metadata, self, c, 100, XPKT_ECT0, XPKT_CWR, XPKT_ACK,
		   "ACK of CWR");
	data_acked(_metadata, self, c, 100, XPKT_ECT0, 0, XPKT_ACK,
		   "no ECE after CWR");
	data_acked(_metadata, self, c, 100, XPKT_CE, XPKT_CWR,
		   XPKT_ACK | XPKT_ECE, "CE with CWR");
	data_acked(_metadata, self, c, 100, XPKT_ECT0, 0, XPKT_ACK | XPKT_ECE,
		   "ECE again until CWR");
	data_acked(_metadata, self, c, 100, XPKT_ECT0, XPKT_CWR, XPKT_ACK,
		   "second CWR");
	ASSERT_EQ(ce0 + 2, xtcp_stat_get(NULL, "InCEs"));
	/* the SUT's own data carries ECE only while an echo is due */
	sut_sends(_metadata, self, c, 50, true, 0, "SUT data, no echo due");
}

/*
 * The next @n new data segments from the SUT (ends in @end, flags in
 * @flags), each ECT(0), then none for QUIET ms.
 */
static void recv_new(struct __test_metadata *_metadata,
		     struct _test_data_pkt *self, struct tconn *c,
		     unsigned int n, uint32_t *end, uint8_t *flags,
		     const char *what)
{
	struct xpkt_seg s;
	unsigned int got = 0;

	while (got < n) {
		if (!rx(_metadata, self, c, &s, REPLY_MS)) {
			TH_LOG("%s: %u of %u segments", what, got, n);
			ASSERT_TRUE(false);
		}
		if (!s.len)
			continue;
		ASSERT_EQ(c->rcv_nxt, s.seq) TH_LOG("%s: out of order", what);
		ASSERT_EQ(XPKT_ECT0, ecn_of(&s)) log_seg(what, &s);
		c->rcv_nxt += s.len;
		end[got] = c->rcv_nxt;
		flags[got] = s.flags;
		got++;
	}
	if (rx(_metadata, self, c, &s, QUIET) && s.len) {
		log_seg("beyond the window", &s);
		TH_LOG("%s: more than %u segments", what, n);
		ASSERT_TRUE(false);
	}
}

/* wait until TCP_INFO shows @ca_state (the ACK is processed in softirq) */
static void wait_ca(struct __test_metadata *_metadata, int fd,
		    struct tcp_info *ti, unsigned int ca_state)
{
	long long end = xpkt_now_ms() + REPLY_MS;

	do {
		get_info(_metadata, fd, ti);
		if (ti->tcpi_ca_state == ca_state)
			return;
		sleep_ms(2);
	} while (xpkt_now_ms() < end);
	ASSERT_EQ(ca_state, ti->tcpi_ca_state);
}

/* the SUT as sender on an ECN connection with NewReno, data queued */
static void ecn_sender_open(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, struct tconn *c,
			    uint32_t tisn, bool ecn)
{
	ecn_passive_open(_metadata, self, c, tisn,
			 ecn ? XPKT_ECE | XPKT_CWR : 0, false, ecn);
	sender_setup(_metadata, c->fd, "newreno");
}

/*
 * 6. RFC 3168 §6.1.2: an ACK with ECE halves the window (NewReno:
 * ssthresh = FlightSize / 2, cwnd = ssthresh; state CWR) without a
 * retransmission; a second ECE in the same window changes nothing, nor
 * does the window grow in CWR; the first new data segment after the
 * reduction carries CWR (and only it); the ACK of everything sent before
 * the reduction ends CWR, and an ECE for later data reduces again.
 */
TEST_F(pkt, ece_halves_cwnd_once_per_window)
{
	struct tconn *c = &self->c;
	long long red0 = xtcp_stat_get(NULL, "ECEReductions");
	long long cwr0 = xtcp_stat_get(NULL, "OutCWRs");
	long long rtx0 = xtcp_stat_get(NULL, "RetransSegs");
	static struct xtcp_cc_event ev[512];
	uint32_t end[WIN0], more[4];
	uint8_t fl[WIN0], mfl[4];
	struct tcp_info ti;
	socklen_t len;
	int i, n, ece_ev = 0;

	ecn_sender_open(_metadata, self, c, 0xED000, true);
	recv_new(_metadata, self, c, WIN0, end, fl, "initial window");
	for (i = 0; i < WIN0; i++)
		ASSERT_EQ(0, fl[i] & XPKT_CWR);

	/* ECE on the ACK of the first segment: 10 in flight -> 5 */
	tx(_metadata, self, c, XPKT_ACK | XPKT_ECE, c->snd_nxt, end[0], 0);
	wait_ca(_metadata, c->fd, &ti, CA_CWR);
	ASSERT_EQ(5U, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(5U, ti.tcpi_snd_cwnd);
	ASSERT_EQ(9U, ti.tcpi_unacked);
	ASSERT_EQ(red0 + 1, xtcp_stat_get(NULL, "ECEReductions"));
	expect_none(_metadata, self, c, QUIET, "9 in flight, cwnd 5");

	/* a second ECE within the window: no second reduction */
	tx(_metadata, self, c, XPKT_ACK | XPKT_ECE, c->snd_nxt, end[1], 0);
	for (i = 2; i <= 4; i++)
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, end[i], 0);
	expect_none(_metadata, self, c, QUIET, "5 in flight, cwnd 5");
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(CA_CWR, ti.tcpi_ca_state);
	ASSERT_EQ(5U, ti.tcpi_snd_cwnd) TH_LOG("no growth in CWR");
	ASSERT_EQ(5U, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(red0 + 1, xtcp_stat_get(NULL, "ECEReductions"));

	/* room for one new segment at a time: the first carries CWR */
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, end[5], 0);
	recv_new(_metadata, self, c, 1, more, mfl, "first after reduction");
	ASSERT_EQ(XPKT_CWR, mfl[0] & XPKT_CWR);
	ASSERT_EQ(0, mfl[0] & XPKT_ECE);
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, end[6], 0);
	recv_new(_metadata, self, c, 1, more + 1, mfl + 1, "second after");
	ASSERT_EQ(0, mfl[1] & XPKT_CWR);
	ASSERT_EQ(cwr0 + 1, xtcp_stat_get(NULL, "OutCWRs"));

	/* everything sent before the reduction acknowledged: CWR is over */
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, end[WIN0 - 1], 0);
	wait_ca(_metadata, c->fd, &ti, CA_OPEN);
	ASSERT_EQ(5U, ti.tcpi_snd_cwnd);
	recv_new(_metadata, self, c, 3, more + 1, mfl + 1, "after CWR");

	/* an ECE for data of the new window: a second reduction */
	tx(_metadata, self, c, XPKT_ACK | XPKT_ECE, c->snd_nxt, more[0], 0);
	wait_ca(_metadata, c->fd, &ti, CA_CWR);
	ASSERT_EQ(red0 + 2, xtcp_stat_get(NULL, "ECEReductions"));
	ASSERT_EQ(2U, ti.tcpi_snd_ssthresh);	/* 5 in flight / 2 */
	ASSERT_EQ(2U, ti.tcpi_snd_cwnd);
	ASSERT_EQ(rtx0, xtcp_stat_get(NULL, "RetransSegs"));

	/* the cwnd record names both reductions */
	len = sizeof(ev);
	ASSERT_EQ(0, getsockopt(c->fd, SOL_XTCP, XTCP_CC_LOG, ev, &len));
	n = len / sizeof(ev[0]);
	for (i = 0; i < n; i++) {
		if (ev[i].reason != CC_ECE)
			continue;
		ASSERT_EQ(CA_CWR, ev[i].ca_state);
		ASSERT_EQ(ev[i].snd_ssthresh, ev[i].snd_cwnd);
		ece_ev++;
	}
	ASSERT_EQ(2, ece_ev);
}

/*
 * 7. Duplicate ACKs during CWR: the first two leave the reduction in force
 * (no Disorder, no limited transmit beyond cwnd); the third starts fast
 * retransmit at once — CWR's recover point is no loss episode — without a
 * second ssthresh reduction in the same window (RFC 3168 §6.1.2):
 * cwnd = ssthresh + 3.
 */
TEST_F(pkt, dupacks_in_cwr)
{
	struct tconn *c = &self->c;
	uint32_t end[WIN0];
	uint8_t fl[WIN0];
	struct tcp_info ti;
	struct xpkt_seg s;
	int i, r;

	ecn_sender_open(_metadata, self, c, 0xEF000, true);
	recv_new(_metadata, self, c, WIN0, end, fl, "initial window");
	tx(_metadata, self, c, XPKT_ACK | XPKT_ECE, c->snd_nxt, end[0], 0);
	wait_ca(_metadata, c->fd, &ti, CA_CWR);
	ASSERT_EQ(5U, ti.tcpi_snd_ssthresh);
	for (i = 0; i < 2; i++)
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, end[0], 0);
	expect_none(_metadata, self, c, QUIET, "two duplicate ACKs in CWR");
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(CA_CWR, ti.tcpi_ca_state);
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, end[0], 0);
	do {
		r = xpkt_recv(&self->p, &s, c->tport, REPLY_MS);
		ASSERT_LT(0, r) TH_LOG("no fast retransmission");
	} while (!s.len);
	ASSERT_EQ(end[0], s.seq);
	ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s));
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(3, ti.tcpi_ca_state);		/* Recovery */
	ASSERT_EQ(5U, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(8U, ti.tcpi_snd_cwnd);
}

/*
 * 8. Without ECN negotiated, ECE on ACKs and CE on data mean nothing: no
 * reduction, no echo, no CWR, no ECT, nothing counted.
 */
TEST_F(pkt, no_ecn_ignores_ece_and_ce)
{
	struct tconn *c = &self->c;
	long long red0 = xtcp_stat_get(NULL, "ECEReductions");
	long long ce0 = xtcp_stat_get(NULL, "InCEs");
	uint32_t end[WIN0];
	struct tcp_info ti;
	struct xpkt_seg s;
	int i;

	ASSERT_EQ(0, sysctl_set("ecn", 1));
	ecn_sender_open(_metadata, self, c, 0xEE000, false);
	ASSERT_FALSE(info_ecn(_metadata, c->fd));
	/* the SUT's data is Not-ECT: recv_new() wants ECT(0), read by hand */
	for (i = 0; i < WIN0; i++) {
		do {
			ASSERT_EQ(1, rx(_metadata, self, c, &s, REPLY_MS));
		} while (!s.len);
		ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s)) log_seg("data", &s);
		ASSERT_EQ(c->rcv_nxt, s.seq);
		c->rcv_nxt += s.len;
		end[i] = c->rcv_nxt;
	}
	tx(_metadata, self, c, XPKT_ACK | XPKT_ECE, c->snd_nxt, end[0], 0);
	/* slow start goes on: two more segments for the one acknowledged */
	for (i = 0; i < 2; i++) {
		do {
			ASSERT_EQ(1, rx(_metadata, self, c, &s, REPLY_MS));
		} while (!s.len);
		ASSERT_EQ(0, s.flags & (XPKT_CWR | XPKT_ECE));
		ASSERT_EQ(XPKT_NOT_ECT, ecn_of(&s));
		ASSERT_EQ(c->rcv_nxt, s.seq);
		c->rcv_nxt += s.len;
	}
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(CA_OPEN, ti.tcpi_ca_state);
	ASSERT_EQ(11U, ti.tcpi_snd_cwnd);
	ASSERT_EQ(red0, xtcp_stat_get(NULL, "ECEReductions"));

	/* CE on our data: no ECE in the ACK */
	tx_tos(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, end[1],
	       PEER_MSS, XPKT_CE);
	c->snd_nxt += PEER_MSS;
	do {
		ASSERT_EQ(1, rx(_metadata, self, c, &s, REPLY_MS));
	} while (s.ack != c->snd_nxt);
	ASSERT_EQ(0, s.flags & XPKT_ECE) log_seg("ACK of CE data", &s);
	ASSERT_EQ(ce0, xtcp_stat_get(NULL, "InCEs"));
	get_info(_metadata, c->fd, &ti);
	ASSERT_EQ(0, ti.tcpi_options & (TCPI_OPT_ECN | TCPI_OPT_ECN_SEEN));
}

/* byte @off of the end-to-end transfer */
static char e2e_byte(long long off)
{
	return (char)(off * 131 + (off >> 13));
}

static void e2e_fill(char *buf, int len, long long off)
{
	int i;

	for (i = 0; i < len; i++)
		buf[i] = e2e_byte(off + i);
}

/* receiver of the end-to-end transfer: reads and checks every byte */
struct sink {
	int fd;
	long long got;
	bool bad;
	pthread_t t;
};

static void *sink_run(void *arg)
{
	struct sink *k = arg;
	static char buf[65536], want[65536];
	ssize_t n;

	while (k->got < E2E_BYTES) {
		n = recv(k->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		e2e_fill(want, n, k->got);
		if (memcmp(buf, want, n))
			k->bad = true;
		k->got += n;
	}
	return NULL;
}

/*
 * 9. End to end: net.xtcp.ecn = 1 in A, a listener in B (ecn 2 accepts),
 * and a tbf bottleneck on A's veth whose fq_codel child marks CE on
 * packets queued longer than 1 ms. The transfer arrives intact; B
 * received CEs and echoed them, A reduced its window for ECE (counter,
 * ssthresh) and retransmitted nothing: congestion signalled without loss.
 */
TEST_F_TIMEOUT(pkt, e2e_ce_marking_qdisc, 120)
{
	const char *ifa = getenv("XTCP_IF_A") ? : "xa0";
	long long red0 = xtcp_stat_get(NULL, "ECEReductions");
	long long rtx0 = xtcp_stat_get(NULL, "RetransSegs");
	long long ce0 = xtcp_stat_get(self->env.ns_b, "InCEs");
	int lfd, cfd, sndbuf = 1 << 20, chunk;
	static char buf[16384];
	struct sockaddr_in srv;
	struct tcp_info ti;
	struct sink k = { 0 };
	long long sent = 0, end;

	ASSERT_EQ(0, sysctl_set("ecn", 1));
	ASSERT_EQ(0, sysctl_set("rto_min_ms", 200));
	ASSERT_EQ(0, xtcp_system("tc qdisc replace dev %s root handle 1: tbf %s %s",
				 ifa, "rate " E2E_QDISC_RATE,
				 "burst 6kb latency 2s"));
	ASSERT_EQ(0, xtcp_system("tc qdisc add dev %s parent 1:1 handle 10: %s",
				 ifa, "fq_codel ce_threshold 1ms"))
		TH_LOG("sch_fq_codel missing?");

	lfd = xtcp_listen_in(self->env.ns_b, self->env.addr_b, &srv);
	ASSERT_LE(0, lfd);
	cfd = xtcp_connect_in(NULL, &srv);
	ASSERT_LE(0, cfd);
	k.fd = xtcp_accept_timeout(lfd, REPLY_MS);
	ASSERT_LE(0, k.fd);
	ASSERT_TRUE(info_ecn(_metadata, cfd));
	ASSERT_TRUE(info_ecn(_metadata, k.fd));
	ASSERT_EQ(0, setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, xtcp_set_timeouts(cfd, 60000));
	ASSERT_EQ(0, xtcp_set_timeouts(k.fd, 60000));
	ASSERT_EQ(0, pthread_create(&k.t, NULL, sink_run, &k));

	while (sent < E2E_BYTES) {
		chunk = E2E_BYTES - sent < (long long)sizeof(buf) ?
			(int)(E2E_BYTES - sent) : (int)sizeof(buf);
		e2e_fill(buf, chunk, sent);
		if (xtcp_send_all(cfd, buf, chunk) != chunk)
			break;
		sent += chunk;
	}
	pthread_join(k.t, NULL);
	ASSERT_EQ(E2E_BYTES, sent);
	ASSERT_EQ(E2E_BYTES, k.got);
	ASSERT_FALSE(k.bad);

	/* everything acknowledged, before any FIN could meet the queue */
	end = xpkt_now_ms() + 10000;
	do {
		get_info(_metadata, cfd, &ti);
		if (!ti.tcpi_unacked)
			break;
		sleep_ms(10);
	} while (xpkt_now_ms() < end);
	ASSERT_EQ(0U, ti.tcpi_unacked);
	TH_LOG("cwnd %u ssthresh %u retrans %u; ECEReductions +%lld, InCEs +%lld",
	       ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh, ti.tcpi_total_retrans,
	       xtcp_stat_get(NULL, "ECEReductions") - red0,
	       xtcp_stat_get(self->env.ns_b, "InCEs") - ce0);
	ASSERT_LT(ce0, xtcp_stat_get(self->env.ns_b, "InCEs"));
	ASSERT_LT(red0, xtcp_stat_get(NULL, "ECEReductions"));
	ASSERT_GT(100000U, ti.tcpi_snd_ssthresh) TH_LOG("ssthresh never set");
	ASSERT_EQ(rtx0, xtcp_stat_get(NULL, "RetransSegs"));
	ASSERT_EQ(0U, ti.tcpi_total_retrans);
	get_info(_metadata, k.fd, &ti);
	ASSERT_EQ(TCPI_OPT_ECN_SEEN, ti.tcpi_options & TCPI_OPT_ECN_SEEN);
	close(cfd);
	close(k.fd);
	close(lfd);
}

TEST_HARNESS_MAIN
