// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP state x stimulus matrix at the packet level (RFC 9293 §3.10.7.4,
 * RFC 5961, RFC 1337). Every synchronized state the fake peer can drive a
 * passively opened connection into is a fixture variant; every stimulus is
 * a test, so each (state, stimulus) pair is its own KTAP case. Each case
 * checks the SUT's reply (flags, SEQ = SND.NXT, ACK = RCV.NXT), what the
 * application can recv() and the state in /proc/net/xtcp afterwards.
 *
 * Names below are the SUT's: RCV.NXT is the fake peer's c->snd_nxt
 * (advanced past any FIN the peer sent), SND.NXT is c->rcv_nxt (advanced
 * past the SUT's FIN) and SND.UNA is SND.NXT - 1 while that FIN is
 * unacknowledged (FIN-WAIT-1, CLOSING, LAST-ACK).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "xtcp_pkttest.h"

#define ST_FIN_WAIT1	0x04
#define ST_FIN_WAIT2	0x05
#define ST_CLOSE_WAIT	0x08
#define ST_LAST_ACK	0x09
#define ST_CLOSING	0x0B

#define IN_WIN		100	/* RST offset inside the receive window */
#define DLEN		100	/* data bytes of the data stimuli */

FIXTURE_VARIANT(pkt) {
	int st;			/* the SUT's state under test */
};

FIXTURE_VARIANT_ADD(pkt, established) {
	.st = XTCP_ST_ESTABLISHED,
};

FIXTURE_VARIANT_ADD(pkt, fin_wait1) {
	.st = ST_FIN_WAIT1,
};

FIXTURE_VARIANT_ADD(pkt, fin_wait2) {
	.st = ST_FIN_WAIT2,
};

FIXTURE_VARIANT_ADD(pkt, close_wait) {
	.st = ST_CLOSE_WAIT,
};

FIXTURE_VARIANT_ADD(pkt, closing) {
	.st = ST_CLOSING,
};

FIXTURE_VARIANT_ADD(pkt, last_ack) {
	.st = ST_LAST_ACK,
};

FIXTURE_VARIANT_ADD(pkt, time_wait) {
	.st = XTCP_ST_TIME_WAIT,
};

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	/* TIME-WAIT (2 MSL = 10 s) must outlast every check of a case */
	pkt_sysctl_defaults(_metadata, 5000);
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
}

/* --- the SUT's sequence variables, seen from the fake peer ------------- */

static bool tw(int st)
{
	return st == XTCP_ST_TIME_WAIT;
}

/* The SUT's FIN is sent but not acknowledged. */
static bool fin_unacked(int st)
{
	return st == ST_FIN_WAIT1 || st == ST_CLOSING ||
	       st == ST_LAST_ACK;
}

/* The peer's FIN has been received (RCV.NXT is past it). */
static bool peer_fin(int st)
{
	return st == ST_CLOSE_WAIT || st == ST_CLOSING ||
	       st == ST_LAST_ACK || st == XTCP_ST_TIME_WAIT;
}

static uint32_t rcv_nxt(const struct tconn *c)
{
	return c->snd_nxt;
}

static uint32_t snd_nxt(const struct tconn *c)
{
	return c->rcv_nxt;
}

static uint32_t snd_una(const struct tconn *c, int st)
{
	return c->rcv_nxt - fin_unacked(st);
}

/* --- reaching the states ---------------------------------------------- */

/* The SUT's FIN after shutdown(SHUT_WR) (@shut) or close(). */
static void sut_fin(struct __test_metadata *_metadata,
		    struct _test_data_pkt *self, struct tconn *c, bool shut)
{
	struct xpkt_seg s;

	if (shut) {
		ASSERT_EQ(0, shutdown(c->fd, SHUT_WR));
	} else {
		ASSERT_EQ(0, close(c->fd));
		c->fd = -1;
	}
	expect(_metadata, self, c, &s, XPKT_FIN | XPKT_ACK, "FIN");
	ASSERT_EQ(c->rcv_nxt, s.seq);
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(0U, s.len);
	c->rcv_nxt++;
}

/* The peer's FIN acknowledging @ack; the SUT ACKs it. */
static void peer_fin_acked(struct __test_metadata *_metadata,
			   struct _test_data_pkt *self, struct tconn *c,
			   uint32_t ack)
{
	struct xpkt_seg s;

	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt, ack, 0);
	c->snd_nxt++;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of the peer's FIN");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
}

/* A fresh connection in the variant's state. */
static void reach(struct __test_metadata *_metadata,
		  struct _test_data_pkt *self, int st)
{
	struct tconn *c = &self->c;

	passive_open(_metadata, self, c, (uint32_t)random(), 0);
	switch (st) {
	case XTCP_ST_ESTABLISHED:
		break;
	case ST_FIN_WAIT1:
		sut_fin(_metadata, self, c, true);
		break;
	case ST_FIN_WAIT2:
		sut_fin(_metadata, self, c, true);
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
		break;
	case ST_CLOSE_WAIT:
		peer_fin_acked(_metadata, self, c, c->rcv_nxt);
		break;
	case ST_CLOSING:
		sut_fin(_metadata, self, c, true);
		peer_fin_acked(_metadata, self, c, c->rcv_nxt - 1);
		break;
	case ST_LAST_ACK:
		peer_fin_acked(_metadata, self, c, c->rcv_nxt);
		expect_state(_metadata, c, ST_CLOSE_WAIT);
		sut_fin(_metadata, self, c, false);
		break;
	case XTCP_ST_TIME_WAIT:
		sut_fin(_metadata, self, c, false);
		peer_fin_acked(_metadata, self, c, c->rcv_nxt);
		break;
	default:
		ASSERT_TRUE(false) TH_LOG("state %02X not handled", st);
	}
	expect_state(_metadata, c, st);
}

/* --- checks -------------------------------------------------------------- */

/* An ACK <SEQ=SND.NXT><ACK=@ack> within REPLY_MS. */
static void expect_ack(struct __test_metadata *_metadata,
		       struct _test_data_pkt *self, struct tconn *c,
		       uint32_t ack, const char *what)
{
	struct xpkt_seg s;

	expect(_metadata, self, c, &s, XPKT_ACK, what);
	if (s.ack != ack || s.seq != snd_nxt(c) || s.len)
		log_seg("got", &s);
	ASSERT_EQ(ack, s.ack) TH_LOG("%s: wrong ACK", what);
	ASSERT_EQ(snd_nxt(c), s.seq) TH_LOG("%s: SEQ is not SND.NXT", what);
	ASSERT_EQ(0U, s.len);
}

/* TIME-WAIT may answer with an ACK of RCV.NXT or not at all. */
static void maybe_ack(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, struct tconn *c,
		      const char *what)
{
	struct xpkt_seg s;

	if (!rx(_metadata, self, c, &s, QUIET_MS))
		return;
	log_seg("reply:", &s);
	ASSERT_EQ(XPKT_ACK, s.flags & ~XPKT_PSH) TH_LOG("%s", what);
	ASSERT_EQ(rcv_nxt(c), s.ack) TH_LOG("%s", what);
	ASSERT_EQ(0U, s.len);
}

/* Nothing new for the application: EAGAIN, or EOF after the peer's FIN. */
static void no_data(struct __test_metadata *_metadata, struct tconn *c,
		    int st)
{
	char b[64];
	ssize_t n;

	if (c->fd < 0)
		return;
	if (!peer_fin(st)) {
		expect_no_data(_metadata, c->fd);
		return;
	}
	n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n)
		TH_LOG("recv after the peer's FIN: %zd (%s)", n,
		       n < 0 ? strerror(errno) : "data");
	ASSERT_EQ(0, n);
}

/* ===================================================================== */

/*
 * 1. RFC 5961 §4.2, RFC 9293 §3.10.7.4 fourth: a SYN at RCV.NXT gets a
 * challenge ACK. TIME-WAIT: a SYN at or below RCV.NXT is answered with an
 * ACK (one above it may reopen the tuple, RFC 6191), so it gets RCV.NXT-1.
 */
TEST_F(pkt, syn)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_SYN, rcv_nxt(c) - tw(variant->st), 0, 0);
	expect_ack(_metadata, self, c, rcv_nxt(c), "ACK of SYN");
	expect_state(_metadata, c, variant->st);
	no_data(_metadata, c, variant->st);
}

/*
 * 2. RFC 9293 §3.10.7.4 second, RFC 5961 §3.2: a RST at exactly RCV.NXT
 * ends the connection, unanswered; in TIME-WAIT RFC 1337 (rfc1337=1)
 * ignores it.
 */
TEST_F(pkt, rst_exact)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_RST, rcv_nxt(c), 0, 0);
	if (tw(variant->st)) {
		expect_none(_metadata, self, c, QUIET_MS, "RST in TIME-WAIT");
		ASSERT_EQ(XTCP_ST_TIME_WAIT, state(c))
			TH_LOG("RST ended TIME-WAIT despite rfc1337=1");
		return;
	}
	ASSERT_LE(0, wait_gone(c, 1000))
		TH_LOG("RST at RCV.NXT did not end the connection");
	c->active = false;
	expect_none(_metadata, self, c, QUIET_MS, "acceptable RST");
}

/*
 * 3. RFC 5961 §3.2: a RST inside the window but not at RCV.NXT gets a
 * challenge ACK; TIME-WAIT stays silent (RFC 1337).
 */
TEST_F(pkt, rst_in_window)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_RST, rcv_nxt(c) + IN_WIN, 0, 0);
	if (tw(variant->st))
		expect_none(_metadata, self, c, QUIET_MS, "RST in TIME-WAIT");
	else
		expect_ack(_metadata, self, c, rcv_nxt(c), "challenge ACK");
	expect_state(_metadata, c, variant->st);
}

/* 4. RFC 5961 §3.2, RFC 9293 §3.10.7.4 first: RST outside: dropped. */
TEST_F(pkt, rst_outside)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_RST, rcv_nxt(c) + FAR, 0, 0);
	expect_none(_metadata, self, c, QUIET_MS, "out-of-window RST");
	expect_state(_metadata, c, variant->st);
}

/*
 * 5. RFC 9293 §3.10.7.4 eighth: an in-order FIN is ACKed; ESTABLISHED →
 * CLOSE-WAIT, FIN-WAIT-1 (FIN not acked) → CLOSING, FIN-WAIT-2 →
 * TIME-WAIT. Where the peer's FIN was already received, its retransmission
 * (SEQ = RCV.NXT - 1) is ACKed again and the state stays ("CLOSE-WAIT,
 * CLOSING, LAST-ACK: Remain"; TIME-WAIT: remain, restart 2 MSL). The ACK
 * field is SND.UNA, so the SUT's own FIN is never acknowledged here.
 */
TEST_F(pkt, fin)
{
	struct tconn *c = &self->c;
	int next = variant->st;

	reach(_metadata, self, variant->st);
	if (peer_fin(variant->st)) {
		tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, rcv_nxt(c) - 1,
		   snd_una(c, variant->st), 0);
		expect_ack(_metadata, self, c, rcv_nxt(c), "ACK of old FIN");
	} else {
		tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, rcv_nxt(c),
		   snd_una(c, variant->st), 0);
		c->snd_nxt++;
		expect_ack(_metadata, self, c, rcv_nxt(c), "ACK of FIN");
		if (variant->st == XTCP_ST_ESTABLISHED)
			next = ST_CLOSE_WAIT;
		else if (variant->st == ST_FIN_WAIT1)
			next = ST_CLOSING;
		else
			next = XTCP_ST_TIME_WAIT;
	}
	expect_state(_metadata, c, next);
}

/*
 * 6. RFC 9293 §3.10.7.4 fifth: an ACK of SND.UNA (nothing new) is a
 * duplicate: no reply, nothing changes.
 */
TEST_F(pkt, pure_ack)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_ACK, rcv_nxt(c), snd_una(c, variant->st), 0);
	expect_none(_metadata, self, c, QUIET_MS, "duplicate ACK");
	expect_state(_metadata, c, variant->st);
}

/*
 * 7. RFC 9293 §3.10.7.4 fifth ("If the ACK is a duplicate (SEG.ACK <
 * SND.UNA), it can be ignored"), RFC 5961 §5.2 (within MAX.SND.WND of
 * SND.UNA): no reply, nothing changes.
 */
TEST_F(pkt, old_ack)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_ACK, rcv_nxt(c),
	   snd_una(c, variant->st) - 1000, 0);
	expect_none(_metadata, self, c, QUIET_MS, "old ACK");
	expect_state(_metadata, c, variant->st);
}

/*
 * 8. RFC 9293 §3.10.7.4 fifth ("If the ACK acks something not yet sent
 * (SEG.ACK > SND.NXT), then send an ACK, drop the segment, and return"):
 * the 20 bytes it carries are not delivered. TIME-WAIT: ACK or nothing.
 */
TEST_F(pkt, future_ack)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, rcv_nxt(c),
	   snd_nxt(c) + 1000, 20);
	if (tw(variant->st))
		maybe_ack(_metadata, self, c, "ACK of unsent data");
	else
		expect_ack(_metadata, self, c, rcv_nxt(c),
			   "ACK of unsent data");
	expect_state(_metadata, c, variant->st);
	no_data(_metadata, c, variant->st);
}

/*
 * 9. RFC 9293 §3.10.7.4 seventh: in-window data is delivered and ACKed in
 * ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2; after the peer's FIN (CLOSE-WAIT,
 * CLOSING, LAST-ACK, TIME-WAIT) "ignore the segment text": ACK of the
 * unchanged RCV.NXT, nothing delivered.
 */
TEST_F(pkt, data_in_window)
{
	struct tconn *c = &self->c;
	uint32_t seq;

	reach(_metadata, self, variant->st);
	seq = rcv_nxt(c);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, seq, snd_una(c, variant->st),
	   DLEN);
	if (peer_fin(variant->st)) {
		expect_ack(_metadata, self, c, seq, "ACK of data after FIN");
		no_data(_metadata, c, variant->st);
	} else {
		expect_ack(_metadata, self, c, seq + DLEN, "ACK of data");
		c->snd_nxt += DLEN;
		expect_data(_metadata, c->fd, seq, DLEN);
	}
	expect_state(_metadata, c, variant->st);
}

/*
 * 10. RFC 9293 §3.10.7.4 first: data far beyond the window is not
 * acceptable: ACK of RCV.NXT, dropped. TIME-WAIT: ACK or nothing.
 */
TEST_F(pkt, data_out_of_window)
{
	struct tconn *c = &self->c;

	reach(_metadata, self, variant->st);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, rcv_nxt(c) + FAR,
	   snd_una(c, variant->st), DLEN);
	if (tw(variant->st))
		maybe_ack(_metadata, self, c, "ACK of out-of-window data");
	else
		expect_ack(_metadata, self, c, rcv_nxt(c),
			   "ACK of out-of-window data");
	expect_state(_metadata, c, variant->st);
	no_data(_metadata, c, variant->st);
}

TEST_HARNESS_MAIN
