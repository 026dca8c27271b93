// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP ACK and send policy at the packet level: delayed ACKs (RFC 9293
 * §3.8.6.3, RFC 5681 §4.2: at most net.xtcp.delack_ms, and at once for
 * every second full-sized segment), TCP_QUICKACK, TCP_CORK coalescing and
 * its 200 ms limit, Nagle's rule (RFC 9293 §3.8.6.2.1) with and without
 * TCP_NODELAY, and the urgent pointer on the wire both ways (RFC 9293
 * §3.8.5, RFC 6093), observed from the fake peer.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "xtcp_pkttest.h"

#define SLOW_MS		150	/* a delayed ACK (200 ms timer) is later */

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
	pkt_timer_sysctls_reset();
}

/* Our data at snd_nxt; returns the ms until the ACK covering it arrived. */
static long long data_acked_after(struct __test_metadata *_metadata,
				  struct _test_data_pkt *self, struct tconn *c,
				  unsigned int len)
{
	struct xpkt_seg s;
	long long t0;

	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, c->rcv_nxt, len);
	t0 = xpkt_now_ms();
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of data");
	EXPECT_EQ(c->snd_nxt + len, s.ack) log_seg("ACK", &s);
	c->snd_nxt += len;
	return s.t_ms - t0;
}

/* A data segment from the SUT: returns its length (0 if none in @ms). */
static unsigned int sut_data(struct __test_metadata *_metadata,
			     struct _test_data_pkt *self, struct tconn *c, int ms)
{
	struct xpkt_seg s;

	if (!rx(_metadata, self, c, &s, ms))
		return 0;
	EXPECT_EQ(c->rcv_nxt, s.seq) log_seg("data", &s);
	EXPECT_EQ(XPKT_ACK, s.flags & ~XPKT_PSH);
	c->rcv_nxt += s.len;
	return s.len;
}

/* Acknowledge everything the SUT sent. */
static void ack_all(struct __test_metadata *_metadata,
		    struct _test_data_pkt *self, struct tconn *c)
{
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
}

static void send_n(struct __test_metadata *_metadata, int fd, unsigned int len)
{
	static char buf[4096];

	memset(buf, 'p', len);
	ASSERT_EQ((ssize_t)len, send(fd, buf, len, MSG_NOSIGNAL));
}

static void setopt(struct __test_metadata *_metadata, int fd, int opt, int val)
{
	ASSERT_EQ(0, setsockopt(fd, SOL_TCP, opt, &val, sizeof(val)))
		TH_LOG("setsockopt %d: %s", opt, strerror(errno));
}

/* ===================================================================== */

/*
 * 1. RFC 9293 §3.8.6.3: a single small segment is acknowledged by the
 * delayed-ACK timer (delack_ms = 200 here), not at once; DelayedACKs
 * counts it.
 */
TEST_F(pkt, delayed_ack_single_segment)
{
	struct tconn *c = &self->c;
	long long d, n0;

	need_xtcp();
	ASSERT_EQ(0, sysctl_set("delack_ms", 200));
	passive_open(_metadata, self, c, 0x110000, 0);
	n0 = xtcp_stat_get(NULL, "DelayedACKs");
	d = data_acked_after(_metadata, self, c, 100);
	TH_LOG("ACK after %lld ms", d);
	EXPECT_LE(SLOW_MS, d);
	EXPECT_GE(1000, d);
	EXPECT_EQ(n0 + 1, xtcp_stat_get(NULL, "DelayedACKs"));
	expect_data(_metadata, c->fd, c->snd_nxt - 100, 100);
}

/*
 * 2. RFC 5681 §4.2, RFC 1122 §4.2.3.2: an ACK for at least every second
 * full-sized segment. The first 1460-byte segment is not acknowledged by
 * itself; the second is, at once, with an ACK covering both.
 */
TEST_F(pkt, ack_every_second_full_segment)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	long long t0;
	int i;

	need_xtcp();
	ASSERT_EQ(0, sysctl_set("delack_ms", 200));
	passive_open(_metadata, self, c, 0x120000, 0);
	for (i = 0; i < 3; i++) {
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, PEER_MSS);
		c->snd_nxt += PEER_MSS;
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, PEER_MSS);
		c->snd_nxt += PEER_MSS;
		t0 = xpkt_now_ms();
		expect(_metadata, self, c, &s, XPKT_ACK, "ACK of two segments");
		TH_LOG("pair %d: ACK after %lld ms", i, s.t_ms - t0);
		ASSERT_EQ(c->snd_nxt, s.ack) log_seg("ACK", &s);
		EXPECT_GT(SLOW_MS, s.t_ms - t0);
	}
	/* one more full segment alone waits for the timer */
	t0 = xpkt_now_ms();
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, PEER_MSS);
	c->snd_nxt += PEER_MSS;
	expect(_metadata, self, c, &s, XPKT_ACK, "delayed ACK");
	ASSERT_EQ(c->snd_nxt, s.ack);
	EXPECT_LE(SLOW_MS, s.t_ms - t0);
}

/*
 * 3. TCP_QUICKACK: set, the next segments are acknowledged at once; like
 * Linux it is not permanent (16 segments here), after which the delayed
 * ACK comes back.
 */
TEST_F(pkt, quickack_not_permanent)
{
	struct tconn *c = &self->c;
	socklen_t len = sizeof(int);
	long long d;
	int i, v = -1;

	need_xtcp();
	ASSERT_EQ(0, sysctl_set("delack_ms", 200));
	passive_open(_metadata, self, c, 0x130000, 0);
	setopt(_metadata, c->fd, TCP_QUICKACK, 1);
	ASSERT_EQ(0, getsockopt(c->fd, SOL_TCP, TCP_QUICKACK, &v, &len));
	EXPECT_EQ(1, v);
	for (i = 0; i < 16; i++) {
		d = data_acked_after(_metadata, self, c, 10);
		EXPECT_GT(SLOW_MS, d) TH_LOG("segment %d: ACK after %lld ms", i, d);
	}
	ASSERT_EQ(0, getsockopt(c->fd, SOL_TCP, TCP_QUICKACK, &v, &len));
	EXPECT_EQ(0, v);
	d = data_acked_after(_metadata, self, c, 10);
	TH_LOG("after quick ACKs: ACK after %lld ms", d);
	EXPECT_LE(SLOW_MS, d);
}

/*
 * 4. TCP_CORK: three small writes leave as one segment when uncorked (the
 * first would otherwise go at once: nothing is in flight); full segments
 * leave while corked, the partial rest on uncork.
 */
TEST_F(pkt, cork_coalesces_until_uncork)
{
	struct tconn *c = &self->c;
	socklen_t len = sizeof(int);
	int v = -1;

	passive_open(_metadata, self, c, 0x140000, 0);
	setopt(_metadata, c->fd, TCP_CORK, 1);
	ASSERT_EQ(0, getsockopt(c->fd, SOL_TCP, TCP_CORK, &v, &len));
	EXPECT_EQ(1, v);
	send_n(_metadata, c->fd, 100);
	send_n(_metadata, c->fd, 100);
	send_n(_metadata, c->fd, 100);
	setopt(_metadata, c->fd, TCP_CORK, 0);
	ASSERT_EQ(300U, sut_data(_metadata, self, c, REPLY_MS));
	ack_all(_metadata, self, c);

	/*
	 * corked, a full segment and 80 bytes: the full one goes, the rest
	 * on uncork (one full segment only: Linux TCP, under
	 * XTCP_TEST_AS_TCP, would send two as one GSO frame)
	 */
	setopt(_metadata, c->fd, TCP_CORK, 1);
	send_n(_metadata, c->fd, PEER_MSS + 80);
	ASSERT_EQ((unsigned int)PEER_MSS, sut_data(_metadata, self, c, REPLY_MS));
	ack_all(_metadata, self, c);
	setopt(_metadata, c->fd, TCP_CORK, 0);
	ASSERT_EQ(80U, sut_data(_metadata, self, c, REPLY_MS));
	ack_all(_metadata, self, c);
}

/* 5. TCP_CORK holds a partial segment at most 200 ms (as Linux does). */
TEST_F(pkt, cork_limit_200ms)
{
	struct tconn *c = &self->c;
	long long t0, d;

	passive_open(_metadata, self, c, 0x150000, 0);
	setopt(_metadata, c->fd, TCP_CORK, 1);
	t0 = xpkt_now_ms();
	send_n(_metadata, c->fd, 100);
	ASSERT_EQ(100U, sut_data(_metadata, self, c, REPLY_MS));
	d = xpkt_now_ms() - t0;
	TH_LOG("corked segment sent after %lld ms", d);
	EXPECT_LE(SLOW_MS, d);
	EXPECT_GE(1500, d);
	ack_all(_metadata, self, c);
	setopt(_metadata, c->fd, TCP_CORK, 0);
	conn_alive(_metadata, self, c);
}

/*
 * 6. RFC 9293 §3.8.6.2.1 Nagle: a small segment waits while earlier data
 * is unacknowledged and leaves when the ACK arrives; with TCP_NODELAY it
 * does not wait.
 */
TEST_F(pkt, nagle_holds_small_segment)
{
	struct tconn *c = &self->c;
	socklen_t len = sizeof(int);
	int v = -1;

	passive_open(_metadata, self, c, 0x160000, 0);
	ASSERT_EQ(0, getsockopt(c->fd, SOL_TCP, TCP_NODELAY, &v, &len));
	EXPECT_EQ(0, v);
	send_n(_metadata, c->fd, 100);
	ASSERT_EQ(100U, sut_data(_metadata, self, c, REPLY_MS));
	send_n(_metadata, c->fd, 50);
	expect_none(_metadata, self, c, 300, "small segment behind unacked data");
	ack_all(_metadata, self, c);
	ASSERT_EQ(50U, sut_data(_metadata, self, c, REPLY_MS));

	/* TCP_NODELAY: a small write goes out behind the unacknowledged 50 */
	setopt(_metadata, c->fd, TCP_NODELAY, 1);
	send_n(_metadata, c->fd, 30);
	ASSERT_EQ(30U, sut_data(_metadata, self, c, REPLY_MS));
	ack_all(_metadata, self, c);
}

/*
 * 7. RFC 9293 §3.8.5, RFC 6093 (Linux/BSD interpretation): send(MSG_OOB)
 * of "XYZ" sends URG with the urgent pointer just past the last byte, Z,
 * at once even behind unacknowledged data (Nagle does not hold it); once
 * acknowledged, later segments carry no URG.
 */
TEST_F(pkt, urg_pointer_on_wire)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x170000, 0);
	send_n(_metadata, c->fd, 10);
	ASSERT_EQ(10U, sut_data(_metadata, self, c, REPLY_MS));
	ASSERT_EQ(3, send(c->fd, "XYZ", 3, MSG_OOB));
	expect(_metadata, self, c, &s, XPKT_ACK | XPKT_URG, "urgent data");
	ASSERT_EQ(c->rcv_nxt, s.seq);
	ASSERT_EQ(3U, s.len);
	EXPECT_EQ(3, s.urp) TH_LOG("urgent pointer");
	c->rcv_nxt += 3;
	ack_all(_metadata, self, c);
	send_n(_metadata, c->fd, 5);
	expect(_metadata, self, c, &s, XPKT_ACK, "data after urgent mode");
	EXPECT_EQ(0, s.urp);
	c->rcv_nxt += 5;
	ack_all(_metadata, self, c);
}

/*
 * 8. RFC 9293 §3.10.7.4 sixth check: a segment "abcX" with URG and pointer
 * 4 makes X (the byte before the pointer) the out-of-band byte: POLLPRI,
 * recv(MSG_OOB) gives X, and the stream reads "abc" then what follows.
 */
TEST_F(pkt, urg_pointer_received)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	char buf[8], b = 0;

	passive_open(_metadata, self, c, 0x180000, 0);
	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt,
		      XPKT_ACK | XPKT_PSH | XPKT_URG);
	memcpy(s.data, "abcX", 4);
	s.len = 4;
	s.urp = 4;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt += 4;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of urgent data");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(POLLPRI, xtcp_poll1(c->fd, POLLPRI, REPLY_MS) & POLLPRI);
	ASSERT_EQ(1, recv(c->fd, &b, 1, MSG_OOB));
	EXPECT_EQ('X', b);
	ASSERT_EQ(3, recv(c->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	expect_no_data(_metadata, c->fd);
}

TEST_HARNESS_MAIN
