// SPDX-License-Identifier: GPL-2.0
/*
 * Packet-level tests of XTCP's listen queues (XTCP-D): the fake peer of
 * xtcp_pkt.[ch] sends SYNs and ACKs a real client never would, and the
 * tests watch the SYN-ACKs and the counters of /proc/net/xtcp_stat.
 *
 *  - SYN-ACK retransmission backs off exponentially from the initial RTO
 *    and stops after net.xtcp.synack_retries (TCP_SYNCNT per listener);
 *  - net.xtcp.syncookies = 2: a stateless cookie SYN-ACK, and the final
 *    ACK rebuilds the connection with the MSS the cookie carries;
 *  - forged ACKs (random, for another tuple, another ISN, tampered) are
 *    reset and never create a connection;
 *  - syncookies = 1: cookies only once the SYN queue is full; 0: drops;
 *  - accept-queue overflow drops the final ACK (the SYN-ACK retransmission
 *    brings it back) or, with abort_on_overflow, resets;
 *  - SYNs with data, to broadcast/multicast addresses, with bad options.
 *
 * Runs via pkt_wrap.sh; XTCP only (the sysctls and counters are XTCP's).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/xtcp.h>

#include "xtcp_pkttest.h"

#define PEER_WSCALE	7
#define NCONN		4

/* Counters of /proc/net/xtcp_stat the cases look at. */
enum {
	C_SYNS, C_SYNACKS, C_SYNACK_RTX, C_REQ_TIMEOUTS, C_SYNQ_OVF,
	C_LISTEN_OVF, C_LISTEN_DROPS, C_CK_SENT, C_CK_RECV, C_CK_FAILED,
	C_SYN_DATA, C_SYN_BADADDR, C_BAD_OPTIONS, C_NCTR
};

static const char *const ctr_name[C_NCTR] = {
	"ListenSyns", "OutSynAcks", "SynAckRetrans", "ReqTimeouts",
	"SynQueueOverflows", "ListenOverflows", "ListenDrops",
	"SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed",
	"SynDataDropped", "SynBadAddr", "InBadOptions",
};

struct ctrs {
	long long v[C_NCTR];
};

static void ctrs_get(struct ctrs *c)
{
	int i;

	for (i = 0; i < C_NCTR; i++)
		c->v[i] = xtcp_stat_get(NULL, ctr_name[i]);
}

/* counter @i grew by exactly @d since @k0 (polled: softirq may lag) */
static void ctr_expect(struct __test_metadata *_metadata,
		       const struct ctrs *k0, int i, long long d)
{
	long long t0 = xpkt_now_ms(), v;

	do {
		v = xtcp_stat_get(NULL, ctr_name[i]);
		if (v - k0->v[i] >= d)
			break;
		sleep_ms(10);
	} while (xpkt_now_ms() - t0 < REPLY_MS);
	EXPECT_EQ(d, v - k0->v[i]) TH_LOG("counter %s", ctr_name[i]);
}

FIXTURE_SETUP(pkt)
{
	if (xtcp_ipproto() != IPPROTO_XTCP)
		XTCP_SKIP("net.xtcp sysctls and /proc/net/xtcp_stat are XTCP's");
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
	ASSERT_EQ(0, sysctl_set("synack_retries", 5));
	ASSERT_EQ(0, sysctl_set("syncookies", 1));
	ASSERT_EQ(0, sysctl_set("abort_on_overflow", 0));
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
}

/* A listener on INADDR_ANY in namespace A with @backlog; port into @l. */
static int listener(struct __test_metadata *_metadata,
		    struct _test_data_pkt *self, int backlog,
		    struct sockaddr_in *l)
{
	socklen_t len = sizeof(*l);
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	xtcp_sin(l, (struct in_addr){ .s_addr = htonl(INADDR_ANY) }, 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)l, sizeof(*l)));
	ASSERT_EQ(0, listen(fd, backlog));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)l, &len));
	l->sin_addr = self->env.addr_a;
	return fd;
}

/* A fake-peer connection record aimed at the listener @l. */
static void to_listener(struct _test_data_pkt *self, struct tconn *c,
			const struct sockaddr_in *l, uint32_t tisn)
{
	int lfd = c->lfd;

	conn_init(self, c, tisn);
	c->lfd = lfd;
	c->sport = ntohs(l->sin_port);
	c->local = *l;
	c->active = true;
}

/* Our SYN on @c: MSS @mss, window scale PEER_WSCALE, @len data bytes. */
static void send_syn(struct __test_metadata *_metadata,
		     struct _test_data_pkt *self, struct tconn *c, int mss,
		     unsigned int len)
{
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, mss, PEER_WSCALE);
	s.len = len;
	xtcp_pattern(s.data, len, c->tisn);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;
}

/* The SUT's SYN-ACK on @c: records its ISN; returns the segment in @s. */
static void get_synack(struct __test_metadata *_metadata,
		       struct _test_data_pkt *self, struct tconn *c,
		       struct xpkt_seg *s)
{
	expect(_metadata, self, c, s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	ASSERT_EQ(c->tisn + 1, s->ack);
	c->sisn = s->seq;
	c->rcv_nxt = s->seq + 1;
}

/* Nothing to accept on @lfd right now. */
static void expect_no_accept(struct __test_metadata *_metadata, int lfd)
{
	int fd;

	ASSERT_EQ(0, xtcp_set_nonblock(lfd, true));
	fd = accept(lfd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-1, fd) TH_LOG("a forged handshake created a connection");
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, xtcp_set_nonblock(lfd, false));
}

/* The segment the SUT answers an ACK with: a RST with SEQ = our ACK. */
static void expect_rst_for(struct __test_metadata *_metadata,
			   struct _test_data_pkt *self, struct tconn *c,
			   uint32_t ack, const char *what)
{
	struct xpkt_seg s;

	expect(_metadata, self, c, &s, XPKT_RST, what);
	EXPECT_EQ(ack, s.seq) TH_LOG("%s: RST SEQ must be SEG.ACK", what);
}

/*
 * Times of every SYN-ACK to @a and @b within @ms, retransmissions
 * included; the first one's ISN goes into rcv_nxt.
 */
static void synack_times(struct _test_data_pkt *self, struct tconn *a,
			 struct tconn *b, long long *ta, int *na,
			 long long *tb, int *nb, int max, int ms)
{
	long long end = xpkt_now_ms() + ms;
	struct xpkt_seg s;
	long long left;

	*na = 0;
	*nb = 0;
	while ((left = end - xpkt_now_ms()) > 0) {
		if (xpkt_recv(&self->p, &s, 0, (int)left) <= 0)
			break;
		if (s.flags != (XPKT_SYN | XPKT_ACK))
			continue;
		if (s.dport == a->tport && *na < max) {
			if (!*na)
				a->rcv_nxt = s.seq + 1;
			ta[(*na)++] = s.t_ms;
		} else if (s.dport == b->tport && *nb < max) {
			tb[(*nb)++] = s.t_ms;
		}
	}
}

/* The next SYN-ACK to @c within @ms, retransmissions included. */
static int next_synack(struct _test_data_pkt *self, struct tconn *c, int ms)
{
	long long end = xpkt_now_ms() + ms;
	struct xpkt_seg s;
	long long left;

	while ((left = end - xpkt_now_ms()) > 0) {
		if (xpkt_recv(&self->p, &s, c->tport, (int)left) <= 0)
			return 0;
		if (s.flags == (XPKT_SYN | XPKT_ACK))
			return 1;
	}
	return 0;
}

/*
 * RFC 6298 §5.5 applied to the SYN-ACK (as Linux does): retransmitted
 * after the initial RTO (1 s), then 2 s, 4 s ...; after
 * net.xtcp.synack_retries retransmissions (here 2) the request is dropped
 * (ReqTimeouts) and a late ACK is reset. A listener with TCP_SYNCNT 1
 * stops after one retransmission.
 */
TEST_F_TIMEOUT(pkt, synack_backoff_and_limit, 60)
{
	long long ta[8], tb[8], d1, d2;
	struct sockaddr_in la, lb;
	struct tconn a, b;
	struct ctrs k0;
	int lfa, lfb, na, nb, one = 1;

	ASSERT_EQ(0, sysctl_set("synack_retries", 2));
	lfa = listener(_metadata, self, 16, &la);
	lfb = listener(_metadata, self, 16, &lb);
	ASSERT_EQ(0, setsockopt(lfb, IPPROTO_TCP, TCP_SYNCNT, &one,
				sizeof(one)));
	ctrs_get(&k0);
	to_listener(self, &a, &la, 0x1000);
	to_listener(self, &b, &lb, 0x2000);
	send_syn(_metadata, self, &a, PEER_MSS, 0);
	send_syn(_metadata, self, &b, PEER_MSS, 0);

	/* 0, 1, 3 s for a; 0, 1 s for b; nothing after 7 s */
	synack_times(self, &a, &b, ta, &na, tb, &nb, 8, 9500);
	ASSERT_EQ(3, na) TH_LOG("SYN-ACKs with synack_retries 2");
	ASSERT_EQ(2, nb) TH_LOG("SYN-ACKs with TCP_SYNCNT 1");
	d1 = ta[1] - ta[0];
	d2 = ta[2] - ta[1];
	TH_LOG("SYN-ACK intervals %lld ms, %lld ms (TCP_SYNCNT 1: %lld ms)",
	       d1, d2, tb[1] - tb[0]);
	EXPECT_LE(800, d1);
	EXPECT_GE(1600, d1);
	/* exponential backoff: the second interval doubles the first */
	EXPECT_LE(d1 * 3 / 2, d2);
	EXPECT_GE(d1 * 3, d2);

	ctr_expect(_metadata, &k0, C_SYNS, 2);
	ctr_expect(_metadata, &k0, C_SYNACKS, 5);
	ctr_expect(_metadata, &k0, C_SYNACK_RTX, 3);
	ctr_expect(_metadata, &k0, C_REQ_TIMEOUTS, 2);
	/* the request is gone: the handshake's ACK meets only the listener */
	tx(_metadata, self, &a, XPKT_ACK, a.snd_nxt, a.rcv_nxt, 0);
	expect_rst_for(_metadata, self, &a, a.rcv_nxt, "late ACK");
	expect_no_accept(_metadata, lfa);
	a.active = false;
	b.active = false;
	close(lfa);
	close(lfb);
}

/*
 * net.xtcp.syncookies = 2 (RFC 4987 §3.6): the SYN-ACK carries a cookie
 * and no window scale option, the SUT keeps no request sock, the final
 * ACK (with data) creates the connection; the MSS is the table entry
 * below the one we announced (1300 -> 1220); data flows both ways.
 */
TEST_F(pkt, cookie_always)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	struct sockaddr_in l;
	struct xpkt_seg s;
	struct ctrs k0;
	struct tconn *c = &self->c;

	ASSERT_EQ(0, sysctl_set("syncookies", 2));
	c->lfd = listener(_metadata, self, 16, &l);
	ctrs_get(&k0);
	to_listener(self, c, &l, 0xfffffff0U);
	send_syn(_metadata, self, c, 1300, 0);
	get_synack(_metadata, self, c, &s);
	EXPECT_EQ(-1, xpkt_opt_wscale(&s)) TH_LOG("window scale in a cookie SYN-ACK");
	EXPECT_LT(0, xpkt_opt_mss(&s));
	ctr_expect(_metadata, &k0, C_CK_SENT, 1);
	/* stateless: no SYN-RECEIVED entry for the tuple */
	EXPECT_GT(0, state(c)) TH_LOG("request sock kept despite the cookie");

	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, c->rcv_nxt, 100);
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("accept after the cookie ACK: %s",
				   strerror(errno));
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of the data");
	EXPECT_EQ(c->snd_nxt + 100, s.ack);
	expect_data(_metadata, c->fd, c->snd_nxt, 100);
	c->snd_nxt += 100;
	ctr_expect(_metadata, &k0, C_CK_RECV, 1);
	ctr_expect(_metadata, &k0, C_CK_FAILED, 0);

	ASSERT_EQ(0, getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(1220U, ti.tcpi_snd_mss) TH_LOG("MSS from the cookie");
	EXPECT_EQ(0, (int)ti.tcpi_snd_wscale);
	conn_alive(_metadata, self, c);
}

/*
 * A cookie with timestamps (RFC 7323) keeps window scaling: the SYN-ACK
 * offers it and its TSval's low bits hold the peer's shift (7), which the
 * final ACK's TSecr returns; the child scales the peer's window by 7,
 * uses timestamps, and its TSvals continue from the SYN-ACK's.
 */
TEST_F(pkt, cookie_timestamps_keep_wscale)
{
	uint32_t sa_tsval, tsecr, tsval, t2;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	struct tconn *c = &self->c;
	struct sockaddr_in l;
	struct xpkt_seg s;
	struct ctrs k0;

	ASSERT_EQ(0, sysctl_set("syncookies", 2));
	ASSERT_EQ(0, sysctl_set("timestamps", 1));
	c->lfd = listener(_metadata, self, 16, &l);
	ctrs_get(&k0);
	to_listener(self, c, &l, 0x3000);
	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, 1300, PEER_WSCALE);
	s.optlen += xpkt_opt_ts(s.opt + s.optlen, 1000, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;
	get_synack(_metadata, self, c, &s);
	EXPECT_EQ(SUT_WSCALE, xpkt_opt_wscale(&s));
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &sa_tsval, &tsecr));
	EXPECT_EQ(1000U, tsecr);
	EXPECT_EQ((uint32_t)PEER_WSCALE, sa_tsval & 15) TH_LOG("TSval %u", sa_tsval);
	ctr_expect(_metadata, &k0, C_CK_SENT, 1);

	/* the final ACK: timestamps, a window of 100 << 7 */
	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, XPKT_ACK);
	s.win = 100;
	s.optlen = xpkt_opt_ts(s.opt, 1001, sa_tsval);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("cookie ACK with timestamps refused");
	ctr_expect(_metadata, &k0, C_CK_RECV, 1);

	ASSERT_EQ(0, getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(PEER_WSCALE, (int)ti.tcpi_snd_wscale);
	EXPECT_EQ(SUT_WSCALE, (int)ti.tcpi_rcv_wscale);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_WSCALE);
	EXPECT_EQ(100U << PEER_WSCALE, ti.tcpi_snd_wnd);
	EXPECT_GE(1220U, ti.tcpi_snd_mss);
	EXPECT_LE(1208U, ti.tcpi_snd_mss);

	/* the SUT's data carries TSecr 1001 and a TSval not before the SYN-ACK's */
	ASSERT_EQ(5, send(c->fd, "hello", 5, MSG_NOSIGNAL));
	expect(_metadata, self, c, &s, XPKT_ACK, "data from the SUT");
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &tsval, &t2));
	EXPECT_EQ(1001U, t2);
	EXPECT_LE(0, (int32_t)(tsval - sa_tsval));
	c->rcv_nxt += 5;
	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, XPKT_ACK);
	s.optlen = xpkt_opt_ts(s.opt, 1002, tsval);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
}

/* 1 if @s carries a well-formed SACK-permitted option (kind 4, length 2) */
static int has_sack_perm(const struct xpkt_seg *s)
{
	return !!xpkt_opt_find(s, 4, 2);
}

/* SYN with MSS, window scale, optionally SACK-permitted and timestamps */
static void send_syn_opts(struct __test_metadata *_metadata,
			  struct _test_data_pkt *self, struct tconn *c,
			  bool sack, bool ts, uint8_t sack_len)
{
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, PEER_WSCALE);
	if (sack) {
		s.opt[s.optlen++] = 1;
		s.opt[s.optlen++] = 1;
		s.opt[s.optlen++] = 4;
		s.opt[s.optlen++] = sack_len;
		if (sack_len == 3) {
			s.opt[s.optlen - 4] = 4;
			s.opt[s.optlen - 3] = 3;
			s.opt[s.optlen - 2] = 0;
			s.opt[s.optlen - 1] = 0;
		}
	}
	if (ts)
		s.optlen += xpkt_opt_ts(s.opt + s.optlen, 500, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;
}

/* complete the handshake on @c (timestamps echoed if @ts) and accept it */
static int finish_and_accept(struct _test_data_pkt *self, struct tconn *c,
			     int lfd, const struct xpkt_seg *synack, bool ts)
{
	uint32_t tsval = 0, tsecr;
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, XPKT_ACK);
	if (ts && xpkt_opt_ts_get(synack, &tsval, &tsecr))
		s.optlen = xpkt_opt_ts(s.opt, 501, tsval);
	if (xpkt_send(&self->p, &s))
		return -1;
	return xtcp_accept_timeout(lfd, REPLY_MS);
}

/* TCP_INFO of @fd says SACK was negotiated */
static int info_sack(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return !!(ti.tcpi_options & TCPI_OPT_SACK);
}

/*
 * RFC 2018 §2: SACK-permitted is answered only when the SYN carried it
 * and net.xtcp.sack is on, negotiated ones show in TCP_INFO; it survives
 * a SYN cookie in the TSval; a SACK-permitted option of length 3 drops
 * the SYN (InBadOptions). An active open offers it.
 */
TEST_F(pkt, sack_permitted_negotiation)
{
	static const struct {
		bool sack, ts, cookie;
		int sysctl;
	} k[] = {
		{ true, true, false, 1 },
		{ true, false, false, 1 },
		{ false, true, false, 1 },
		{ true, true, false, 0 },
		{ true, true, true, 1 },
	};
	struct sockaddr_in l;
	struct xpkt_seg s;
	struct tconn c;
	struct ctrs k0;
	unsigned int i;
	int lfd, fd, want;

	lfd = listener(_metadata, self, 16, &l);
	c.lfd = -1;
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		ASSERT_EQ(0, sysctl_set("sack", k[i].sysctl));
		ASSERT_EQ(0, sysctl_set("syncookies", k[i].cookie ? 2 : 1));
		to_listener(self, &c, &l, 0x60000 + 0x1000 * i);
		send_syn_opts(_metadata, self, &c, k[i].sack, k[i].ts, 2);
		get_synack(_metadata, self, &c, &s);
		want = k[i].sack && k[i].sysctl;
		EXPECT_EQ(want, has_sack_perm(&s)) TH_LOG("case %u", i);
		fd = finish_and_accept(self, &c, lfd, &s, k[i].ts);
		ASSERT_LE(0, fd) TH_LOG("case %u not accepted", i);
		EXPECT_EQ(want, info_sack(fd)) TH_LOG("case %u TCP_INFO", i);
		close(fd);
		xpkt_reset_all(&self->p, 30, 1000);
		c.active = false;
	}
	ASSERT_EQ(0, sysctl_set("sack", 1));
	ASSERT_EQ(0, sysctl_set("syncookies", 1));

	/* a malformed SACK-permitted drops the SYN */
	ctrs_get(&k0);
	to_listener(self, &c, &l, 0x70000);
	send_syn_opts(_metadata, self, &c, true, false, 3);
	expect_none(_metadata, self, &c, QUIET_MS, "SYN with SACK-permitted length 3");
	ctr_expect(_metadata, &k0, C_BAD_OPTIONS, 1);
	c.active = false;

	/* an active open offers it */
	fd = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, fd);
	xtcp_set_nonblock(fd, true);
	to_listener(self, &c, &l, 0);
	xtcp_sin(&c.rem, self->peer, c.tport);
	connect(fd, (struct sockaddr *)&c.rem, sizeof(c.rem));
	ASSERT_EQ(1, xpkt_recv(&self->p, &s, c.tport, REPLY_MS) > 0);
	EXPECT_EQ(XPKT_SYN, s.flags);
	EXPECT_EQ(1, has_sack_perm(&s)) TH_LOG("SYN of connect() without SACK-permitted");
	close(fd);
	close(lfd);
}

/*
 * Forged final ACKs never create a connection: a random cookie, the right
 * cookie from another port (another tuple), the right cookie with another
 * peer ISN, and the right cookie with its MSS bits or low bit changed.
 * Each is answered by <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.2) and
 * counted; the genuine ACK then still works.
 */
TEST_F(pkt, cookie_forged_acks)
{
	static const uint32_t tamper[] = { 1U << 24, 1U << 27, 1 };
	struct sockaddr_in l;
	struct tconn *c = &self->c, o;
	struct xpkt_seg s;
	struct ctrs k0;
	uint32_t cookie, ack;
	unsigned int i, n = 0;

	ASSERT_EQ(0, sysctl_set("syncookies", 2));
	c->lfd = listener(_metadata, self, 16, &l);
	to_listener(self, c, &l, 0x5000);
	send_syn(_metadata, self, c, PEER_MSS, 0);
	get_synack(_metadata, self, c, &s);
	cookie = s.seq;
	ctrs_get(&k0);

	/* a random cookie on a tuple that never sent a SYN */
	to_listener(self, &o, &l, 0x7000);
	ack = cookie ^ 0x5a5a5a5aU;
	tx(_metadata, self, &o, XPKT_ACK, o.tisn + 1, ack, 0);
	expect_rst_for(_metadata, self, &o, ack, "random cookie");
	n++;
	/* the right cookie from another port */
	tx(_metadata, self, &o, XPKT_ACK, c->tisn + 1, cookie + 1, 0);
	expect_rst_for(_metadata, self, &o, cookie + 1, "cookie of another tuple");
	n++;
	o.active = false;
	/* another peer ISN */
	tx(_metadata, self, c, XPKT_ACK, c->tisn + 2, cookie + 1, 0);
	expect_rst_for(_metadata, self, c, cookie + 1, "another peer ISN");
	n++;
	for (i = 0; i < ARRAY_SIZE(tamper); i++) {
		ack = (cookie ^ tamper[i]) + 1;
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, ack, 0);
		expect_rst_for(_metadata, self, c, ack, "tampered cookie");
		n++;
	}
	ctr_expect(_metadata, &k0, C_CK_FAILED, n);
	ctr_expect(_metadata, &k0, C_CK_RECV, 0);
	expect_no_accept(_metadata, c->lfd);

	/* the genuine ACK */
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("genuine cookie ACK refused");
	ctr_expect(_metadata, &k0, C_CK_RECV, 1);
	conn_alive(_metadata, self, c);
}

/*
 * syncookies = 1: requests join the SYN queue until it holds more than
 * backlog entries (as in Linux, backlog 1 admits two); the next SYN gets
 * a cookie (SynQueueOverflows, SyncookiesSent)
 * and both kinds complete. syncookies = 0: that SYN is dropped unanswered
 * (ListenDrops).
 */
TEST_F(pkt, cookies_when_syn_queue_full)
{
	struct tconn c[NCONN] = { 0 };
	struct sockaddr_in l;
	struct xpkt_seg s;
	struct ctrs k0;
	int lfd, fd, i;

	lfd = listener(_metadata, self, 1, &l);
	ctrs_get(&k0);
	for (i = 0; i < 3; i++) {
		to_listener(self, &c[i], &l, 0x10000 * (i + 1));
		send_syn(_metadata, self, &c[i], PEER_MSS, 0);
		get_synack(_metadata, self, &c[i], &s);
		/* the queued requests offer window scaling, the cookie not */
		EXPECT_EQ(i < 2 ? SUT_WSCALE : -1, xpkt_opt_wscale(&s));
	}
	ctr_expect(_metadata, &k0, C_SYNQ_OVF, 1);
	ctr_expect(_metadata, &k0, C_CK_SENT, 1);

	ASSERT_EQ(0, sysctl_set("syncookies", 0));
	to_listener(self, &c[3], &l, 0x40000);
	send_syn(_metadata, self, &c[3], PEER_MSS, 0);
	expect_none(_metadata, self, &c[3], QUIET_MS, "SYN, queue full, no cookies");
	ctr_expect(_metadata, &k0, C_SYNQ_OVF, 2);
	ctr_expect(_metadata, &k0, C_LISTEN_DROPS, 1);
	c[3].active = false;
	ASSERT_EQ(0, sysctl_set("syncookies", 1));

	/* the cookie, then the queued requests complete */
	for (i = 2; i >= 0; i--) {
		tx(_metadata, self, &c[i], XPKT_ACK, c[i].snd_nxt, c[i].rcv_nxt, 0);
		fd = xtcp_accept_timeout(lfd, REPLY_MS);
		ASSERT_LE(0, fd) TH_LOG("connection %d not accepted", i);
		c[i].fd = fd;
		conn_alive(_metadata, self, &c[i]);
	}
	ctr_expect(_metadata, &k0, C_CK_RECV, 1);
	for (i = 0; i < 3; i++)
		close(c[i].fd);
	close(lfd);
}

/*
 * Accept-queue overflow (backlog 2 admits three children): the fourth
 * final ACK is dropped without reply (ListenOverflows); the SYN-ACK
 * retransmission brings it back once accept() made room. With
 * net.xtcp.abort_on_overflow = 1 it is reset instead.
 */
TEST_F_TIMEOUT(pkt, accept_queue_overflow, 40)
{
	struct tconn c[NCONN] = { 0 };
	struct sockaddr_in l;
	struct xpkt_seg s;
	struct ctrs k0;
	int lfd, fds[NCONN], i, abort_mode;

	for (abort_mode = 0; abort_mode < 2; abort_mode++) {
		ASSERT_EQ(0, sysctl_set("abort_on_overflow", abort_mode));
		lfd = listener(_metadata, self, 2, &l);
		ctrs_get(&k0);
		for (i = 0; i < NCONN; i++)
			to_listener(self, &c[i], &l, 0x100000 * (i + 1));
		/* SYN, SYN, ACK, ACK, SYN, SYN, ACK: three children queued */
		for (i = 0; i < NCONN; i++) {
			send_syn(_metadata, self, &c[i], PEER_MSS, 0);
			get_synack(_metadata, self, &c[i], &s);
			/* a request sock, not a cookie */
			EXPECT_EQ(SUT_WSCALE, xpkt_opt_wscale(&s));
			if (i % 2 == 0)
				continue;
			tx(_metadata, self, &c[i - 1], XPKT_ACK,
			   c[i - 1].snd_nxt, c[i - 1].rcv_nxt, 0);
			if (i == 1)
				tx(_metadata, self, &c[i], XPKT_ACK,
				   c[i].snd_nxt, c[i].rcv_nxt, 0);
		}
		tx(_metadata, self, &c[3], XPKT_ACK, c[3].snd_nxt, c[3].rcv_nxt, 0);
		if (abort_mode) {
			expect_rst_for(_metadata, self, &c[3], c[3].rcv_nxt,
				       "abort_on_overflow");
			c[3].active = false;
		} else {
			expect_none(_metadata, self, &c[3], QUIET_MS,
				    "ACK meeting a full accept queue");
		}
		ctr_expect(_metadata, &k0, C_LISTEN_OVF, 1);
		for (i = 0; i < 3; i++) {
			fds[i] = xtcp_accept_timeout(lfd, REPLY_MS);
			ASSERT_LE(0, fds[i]);
		}
		if (!abort_mode) {
			/* the SYN-ACK again, our ACK again, the fourth child */
			ASSERT_EQ(1, next_synack(self, &c[3], 8000))
				TH_LOG("no SYN-ACK retransmission");
			tx(_metadata, self, &c[3], XPKT_ACK, c[3].snd_nxt,
			   c[3].rcv_nxt, 0);
			fds[3] = xtcp_accept_timeout(lfd, REPLY_MS);
			ASSERT_LE(0, fds[3]) TH_LOG("the dropped ACK never came back");
			c[3].fd = fds[3];
			conn_alive(_metadata, self, &c[3]);
			close(fds[3]);
		} else {
			expect_no_accept(_metadata, lfd);
		}
		for (i = 0; i < 3; i++)
			close(fds[i]);
		close(lfd);
		xpkt_reset_all(&self->p, 30, 2000);
	}
}

/*
 * Bad SYNs: a SYN with data (the data is dropped and counted, not
 * acknowledged, and the peer's retransmission after the handshake is what
 * the application reads); SYNs to the subnet broadcast and to a multicast
 * group (RFC 1122 §4.2.3.10: ignored, SynBadAddr); a SYN with a malformed
 * MSS option (dropped, InBadOptions). None creates a request.
 */
TEST_F(pkt, bad_syns)
{
	static const char *const dst[] = { "10.88.1.255", "224.0.0.1" };
	struct tconn *c = &self->c, b;
	struct in_addr sut = self->p.sut;
	struct sockaddr_in l;
	struct xpkt_seg s;
	struct ctrs k0;
	unsigned int i;

	c->lfd = listener(_metadata, self, 16, &l);
	ctrs_get(&k0);

	to_listener(self, c, &l, 0x900);
	send_syn(_metadata, self, c, PEER_MSS, 200);
	get_synack(_metadata, self, c, &s);
	EXPECT_EQ(c->tisn + 1, s.ack) TH_LOG("SYN data acknowledged");
	ctr_expect(_metadata, &k0, C_SYN_DATA, 1);
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd);
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	expect_no_data(_metadata, c->fd);
	/* the peer retransmits what the SYN carried: now it is delivered */
	push_data(_metadata, self, c, 200);

	for (i = 0; i < 2; i++) {
		to_listener(self, &b, &l, 0xa00 + i);
		ASSERT_EQ(1, inet_pton(AF_INET, dst[i], &self->p.sut));
		send_syn(_metadata, self, &b, PEER_MSS, 0);
		self->p.sut = sut;
		expect_none(_metadata, self, &b, QUIET_MS, dst[i]);
	}
	ctr_expect(_metadata, &k0, C_SYN_BADADDR, 2);

	/* MSS option of length 3 */
	to_listener(self, &b, &l, 0xb00);
	xpkt_seg_init(&s, b.tport, b.sport, b.tisn, 0, XPKT_SYN);
	s.opt[0] = 2;
	s.opt[1] = 3;
	s.opt[2] = 5;
	s.opt[3] = 0;
	s.optlen = 4;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	expect_none(_metadata, self, &b, QUIET_MS, "SYN with a bad MSS option");
	ctr_expect(_metadata, &k0, C_BAD_OPTIONS, 1);
	/* the SYNs with data and to bad addresses reached the listener */
	ctr_expect(_metadata, &k0, C_SYNS, 3);
	ctr_expect(_metadata, &k0, C_SYNACKS, 1);
	expect_no_accept(_metadata, c->lfd);
}

TEST_HARNESS_MAIN
