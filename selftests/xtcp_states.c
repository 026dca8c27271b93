// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP state-machine selftests at the packet level (RFC 9293 §3.10, RFC
 * 5961). The socket under test lives in namespace A (10.88.1.1); the test
 * plays a peer at 10.88.1.3, an address configured nowhere, through an
 * AF_PACKET endpoint on B's veth end (xtcp_pkt.h, set up by pkt_wrap.sh):
 * it injects hand-made segments and asserts on every segment that comes
 * back, its flags, sequence and acknowledgment numbers and checksums, and
 * on the socket's state in /proc/net/xtcp and its system-call results.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "xtcp_pkttest.h"

/* states of /proc/net/xtcp beyond those of xtcp_util.h */
#define ST_SYN_SENT	0x02
#define ST_SYN_RECV	0x03
#define ST_FIN_WAIT1	0x04
#define ST_FIN_WAIT2	0x05
#define ST_CLOSE_WAIT	0x08
#define ST_LAST_ACK	0x09
#define ST_CLOSING	0x0B

/* --- fixture --------------------------------------------------------- */

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	/* every test starts from the same settings; lingering TIME-WAIT short */
	pkt_sysctl_defaults(_metadata, 1000);
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
}

/* --- segment helpers --------------------------------------------------- */

/* Start a non-blocking connect() from A to the fake peer; returns the SYN. */
static void active_start(struct __test_metadata *_metadata,
			 struct _test_data_pkt *self, struct tconn *c,
			 uint32_t tisn, struct xpkt_seg *syn)
{
	socklen_t len = sizeof(c->local);

	conn_init(self, c, tisn);
	c->fd = xtcp_sock_in(NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, c->fd);
	ASSERT_EQ(-1, connect(c->fd, (struct sockaddr *)&c->rem,
			      sizeof(c->rem)));
	ASSERT_EQ(EINPROGRESS, errno) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(c->fd, (struct sockaddr *)&c->local, &len));
	c->sport = ntohs(c->local.sin_port);
	c->active = true;

	expect(_metadata, self, c, syn, XPKT_SYN, "SYN");
	ASSERT_EQ(0U, syn->len);
	ASSERT_LT(0, xpkt_opt_mss(syn)) TH_LOG("SYN without MSS option");
	ASSERT_EQ(SUT_WSCALE, xpkt_opt_wscale(syn));
	c->sisn = syn->seq;
	c->rcv_nxt = syn->seq + 1;
}

/* poll() for the end of a non-blocking connect(); returns SO_ERROR. */
static int connect_result(struct __test_metadata *_metadata, int fd, int ms)
{
	socklen_t len = sizeof(int);
	int err = -1, r;

	r = xtcp_poll1(fd, POLLOUT, ms);
	if (r <= 0)
		return -1;	/* still in progress */
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	return err;
}

/* Active open by hand: SYN from the SUT, our SYN-ACK, its ACK. */
static void active_open(struct __test_metadata *_metadata,
			struct _test_data_pkt *self, struct tconn *c, uint32_t tisn)
{
	struct xpkt_seg s;

	active_start(_metadata, self, c, tisn, &s);
	xpkt_seg_init(&s, c->tport, c->sport, tisn, c->rcv_nxt,
		      XPKT_SYN | XPKT_ACK);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = tisn + 1;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of SYN-ACK");
	ASSERT_EQ(c->rcv_nxt, s.seq);
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(0, connect_result(_metadata, c->fd, REPLY_MS));
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	ASSERT_EQ(0, xtcp_set_nonblock(c->fd, false));
	ASSERT_EQ(0, xtcp_set_timeouts(c->fd, XTCP_WAIT_MS));
}

/* The SUT close()s first; returns its FIN (seq = rcv_nxt). */
static void sut_close_fin(struct __test_metadata *_metadata,
			  struct _test_data_pkt *self, struct tconn *c,
			  struct xpkt_seg *fin)
{
	ASSERT_EQ(0, close(c->fd));
	c->fd = -1;
	expect(_metadata, self, c, fin, XPKT_FIN | XPKT_ACK, "FIN");
	ASSERT_EQ(c->rcv_nxt, fin->seq);
	ASSERT_EQ(c->snd_nxt, fin->ack);
	ASSERT_EQ(0U, fin->len);
}

/*
 * TIME-WAIT on the SUT by the three-segment close (§3.6 figure 13 variant):
 * SUT FIN, our FIN,ACK, its ACK.
 */
static void to_time_wait(struct __test_metadata *_metadata,
			 struct _test_data_pkt *self, struct tconn *c)
{
	struct xpkt_seg s;

	sut_close_fin(_metadata, self, c, &s);
	c->rcv_nxt++;
	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->snd_nxt++;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of our FIN");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	expect_state(_metadata, c, XTCP_ST_TIME_WAIT);
}

/* ===================================================================== */

/*
 * 1. RFC 9293 §3.5 (figure 6), §3.10.7.2, §3.10.7.4: passive open by hand;
 * the SYN-ACK acknowledges ISN+1 and carries MSS (and window scale, since
 * our SYN had it); the third segment carries 100 bytes, which accept()'s
 * socket delivers exactly and the SUT acknowledges.
 */
TEST_F(pkt, passive_open_data_on_third_ack)
{
	passive_open(_metadata, self, &self->c, 0x12345678, 100);
}

/*
 * 2. RFC 9293 §3.5 (figure 6), §3.10.7.3: active open; SUT's SYN carries
 * MSS and window scale; our SYN-ACK makes it ACK and connect() complete.
 */
TEST_F(pkt, active_open)
{
	active_open(_metadata, self, &self->c, 0x01020304);
	conn_alive(_metadata, self, &self->c);
}

/*
 * 3. RFC 9293 §3.5 (figure 7), §3.10.7.3 fourth ("Otherwise enter
 * SYN-RECEIVED, form a SYN,ACK segment"): simultaneous open.
 */
TEST_F(pkt, simultaneous_open)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	active_start(_metadata, self, c, 0xabcdef00, &s);
	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;

	/* the SYN,ACK repeats the SUT's SYN, so it is not a retransmission */
	c->sut_seen = false;
	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN,ACK");
	ASSERT_EQ(c->sisn, s.seq);
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_LT(20, s.win) TH_LOG("SYN,ACK offers no room for 20 bytes");
	expect_state(_metadata, c, ST_SYN_RECV);
	ASSERT_EQ(-1, connect_result(_metadata, c->fd, 0))
		TH_LOG("connect() completed in SYN-RECEIVED");

	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	ASSERT_EQ(0, connect_result(_metadata, c->fd, REPLY_MS));
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	ASSERT_EQ(0, xtcp_set_nonblock(c->fd, false));
	ASSERT_EQ(0, xtcp_set_timeouts(c->fd, XTCP_WAIT_MS));
	conn_alive(_metadata, self, c);
}

/*
 * 4. RFC 9293 §3.10.7.1 (CLOSED): with ACK, <SEQ=SEG.ACK><CTL=RST>;
 * without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in
 * SEG.LEN); a RST is discarded.
 */
TEST_F(pkt, rst_for_no_socket)
{
	struct tconn *c = &self->c;
	long long out0 = xtcp_stat_get(NULL, "OutRsts");
	struct xpkt_seg s;
	int fd;

	/* a port where nothing listens: bound once, then closed */
	conn_init(self, c, 1000);
	fd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, fd);
	close(fd);
	c->sport = ntohs(c->local.sin_port);

	tx(_metadata, self, c, XPKT_ACK, 1000, 0xdeadbeef, 0);
	expect(_metadata, self, c, &s, XPKT_RST, "RST for ACK");
	ASSERT_EQ(0xdeadbeef, s.seq);

	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, 1000, 0x1000, 30);
	expect(_metadata, self, c, &s, XPKT_RST, "RST for data,ACK");
	ASSERT_EQ(0x1000U, s.seq);

	tx(_metadata, self, c, XPKT_SYN, 5000, 0, 0);
	expect(_metadata, self, c, &s, XPKT_RST | XPKT_ACK, "RST for SYN");
	ASSERT_EQ(0U, s.seq);
	ASSERT_EQ(5001U, s.ack);

	tx(_metadata, self, c, XPKT_SYN, 0xffffffff, 0, 0);
	expect(_metadata, self, c, &s, XPKT_RST | XPKT_ACK, "RST for SYN");
	ASSERT_EQ(0U, s.seq);
	ASSERT_EQ(0U, s.ack) TH_LOG("SEG.SEQ + 1 wraps to 0");

	tx(_metadata, self, c, XPKT_FIN | XPKT_PSH, 7000, 0, 10);
	expect(_metadata, self, c, &s, XPKT_RST | XPKT_ACK, "RST for data,FIN");
	ASSERT_EQ(0U, s.seq);
	ASSERT_EQ(7011U, s.ack);

	tx(_metadata, self, c, XPKT_RST, 9000, 0, 0);
	tx(_metadata, self, c, XPKT_RST | XPKT_ACK, 9000, 1, 0);
	expect_none(_metadata, self, c, QUIET_MS, "RST to a closed port");

	if (out0 >= 0)
		EXPECT_LE(out0 + 5, xtcp_stat_get(NULL, "OutRsts"));
}

/*
 * 5a. RFC 9293 §3.10.7.3 first: in SYN-SENT, an ACK outside
 * SND.UNA < SEG.ACK =< SND.NXT gets <SEQ=SEG.ACK><CTL=RST> and is dropped.
 */
TEST_F(pkt, synsent_bad_ack)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	active_start(_metadata, self, c, 0x7000, &s);
	tx(_metadata, self, c, XPKT_SYN | XPKT_ACK, c->tisn, c->sisn, 0);
	expect(_metadata, self, c, &s, XPKT_RST, "RST for ack = ISN");
	ASSERT_EQ(c->sisn, s.seq);
	tx(_metadata, self, c, XPKT_SYN | XPKT_ACK, c->tisn, c->sisn + 2, 0);
	expect(_metadata, self, c, &s, XPKT_RST, "RST for ack = ISN + 2");
	ASSERT_EQ(c->sisn + 2, s.seq);
	expect_state(_metadata, c, ST_SYN_SENT);
	ASSERT_EQ(-1, connect_result(_metadata, c->fd, 0));
	/* a correct SYN-ACK still completes it */
	tx(_metadata, self, c, XPKT_SYN | XPKT_ACK, c->tisn, c->sisn + 1, 0);
	c->snd_nxt = c->tisn + 1;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of SYN-ACK");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(0, connect_result(_metadata, c->fd, REPLY_MS));
}

/*
 * 5b. RFC 9293 §3.10.7.3 second: in SYN-SENT a RST without ACK is dropped;
 * a RST whose ACK acknowledges the SYN fails connect() with ECONNREFUSED
 * ("error: connection reset").
 */
TEST_F(pkt, synsent_rst)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	active_start(_metadata, self, c, 0x8000, &s);
	tx(_metadata, self, c, XPKT_RST, 0, 0, 0);
	tx(_metadata, self, c, XPKT_RST, c->tisn, 0, 0);
	expect_none(_metadata, self, c, QUIET_MS, "RST without ACK");
	expect_state(_metadata, c, ST_SYN_SENT);
	ASSERT_EQ(-1, connect_result(_metadata, c->fd, 0))
		TH_LOG("RST without ACK ended the connect");
	/* a RST,ACK with an unacceptable ACK: dropped, and a RST is never answered */
	tx(_metadata, self, c, XPKT_RST | XPKT_ACK, 0, c->sisn + 5, 0);
	expect_none(_metadata, self, c, QUIET_MS, "RST,ACK with a bad ACK");
	ASSERT_EQ(-1, connect_result(_metadata, c->fd, 0))
		TH_LOG("RST with an unacceptable ACK ended the connect");

	tx(_metadata, self, c, XPKT_RST | XPKT_ACK, 0, c->sisn + 1, 0);
	ASSERT_EQ(ECONNREFUSED, connect_result(_metadata, c->fd, REPLY_MS));
	c->active = false;
	ASSERT_LE(0, wait_gone(c, REPLY_MS));
}

/*
 * 6a. RFC 9293 §3.10.7.4 first: a segment entirely left of RCV.NXT is not
 * acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, dropped.
 */
TEST_F(pkt, seq_old_duplicate)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x100000, 0);
	push_data(_metadata, self, c, 50);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt - 50,
	   c->rcv_nxt, 50);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of old duplicate");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	expect_no_data(_metadata, c->fd);
	/* and an old duplicate FIN does not close anything */
	tx(_metadata, self, c, XPKT_ACK | XPKT_FIN, c->snd_nxt - 50,
	   c->rcv_nxt, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of old FIN");
	ASSERT_EQ(c->snd_nxt, s.ack);
	conn_alive(_metadata, self, c);
}

/*
 * 6b. RFC 9293 §3.10.7.4 first: a segment beyond RCV.NXT + RCV.WND is not
 * acceptable: ACK, dropped (also a pure ACK far outside, and one far
 * behind).
 */
TEST_F(pkt, seq_beyond_window)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x200000, 0);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt + FAR,
	   c->rcv_nxt, 40);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of out-of-window data");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	expect_no_data(_metadata, c->fd);
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt - FAR, c->rcv_nxt, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of out-of-window ACK");
	ASSERT_EQ(c->snd_nxt, s.ack);
	/* out-of-window FIN: not processed */
	tx(_metadata, self, c, XPKT_ACK | XPKT_FIN, c->snd_nxt + FAR,
	   c->rcv_nxt, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of out-of-window FIN");
	ASSERT_EQ(c->snd_nxt, s.ack);
	conn_alive(_metadata, self, c);
}

/*
 * 6c. RFC 9293 §3.4 (sequence numbers are modulo 2^32), §3.10.7.4: our ISN
 * 0xFFFFFF00 makes the sequence space wrap inside a 1000-byte transfer,
 * sent as four segments; the data arrives intact and in order.
 */
TEST_F(pkt, seq_wraparound)
{
	struct tconn *c = &self->c;
	char want[1000], got[1000];
	struct xpkt_seg s;
	uint32_t start;
	int i;

	passive_open(_metadata, self, c, 0xFFFFFF00, 0);
	start = c->snd_nxt;
	xtcp_pattern(want, sizeof(want), 42);
	for (i = 0; i < 4; i++) {
		xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt,
			      XPKT_ACK | XPKT_PSH);
		s.len = 250;
		memcpy(s.data, want + i * 250, 250);
		ASSERT_EQ(0, xpkt_send(&self->p, &s));
		c->snd_nxt += 250;
		expect(_metadata, self, c, &s, XPKT_ACK, "ACK of data");
		ASSERT_EQ(c->snd_nxt, s.ack);
	}
	ASSERT_EQ(0x2E9U, c->snd_nxt);	/* 0xFFFFFF01 + 1000 mod 2^32 */
	ASSERT_TRUE(seq_after(c->snd_nxt, start));
	ASSERT_EQ(1000, xtcp_recv_all(c->fd, got, sizeof(got)));
	ASSERT_EQ(0, memcmp(want, got, sizeof(want)));
	expect_no_data(_metadata, c->fd);
	/* an old duplicate from before the wrap is still recognised as old */
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, start, c->rcv_nxt, 100);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of pre-wrap duplicate");
	ASSERT_EQ(c->snd_nxt, s.ack);
	expect_no_data(_metadata, c->fd);
}

/*
 * 7a. RFC 9293 §3.10.7.4 second, RFC 5961 §3.2: a RST with SEQ = RCV.NXT
 * resets the connection (ECONNRESET) and is not answered.
 */
TEST_F(pkt, rst_exact_resets)
{
	struct tconn *c = &self->c;
	char b[8];

	passive_open(_metadata, self, c, 0x300000, 0);
	tx(_metadata, self, c, XPKT_RST, c->snd_nxt, 0, 0);
	expect_none(_metadata, self, c, QUIET_MS, "acceptable RST");
	c->active = false;
	XTCP_ASSERT_ERRNO(recv(c->fd, b, sizeof(b), 0), ECONNRESET);
	ASSERT_LE(0, wait_gone(c, REPLY_MS));
}

/*
 * 7b. RFC 5961 §3.2 (RFC 9293 §3.10.7.4 second): a RST inside the window
 * but not at RCV.NXT gets a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT> and
 * the connection stays.
 */
TEST_F(pkt, rst_in_window_challenge_ack)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x400000, 0);
	tx(_metadata, self, c, XPKT_RST, c->snd_nxt + 1, 0, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "challenge ACK");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	tx(_metadata, self, c, XPKT_RST | XPKT_ACK, c->snd_nxt + 1000,
	   c->rcv_nxt, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "challenge ACK (RST,ACK)");
	ASSERT_EQ(c->snd_nxt, s.ack);
	expect_none(_metadata, self, c, 200, "after the challenge ACK");
	conn_alive(_metadata, self, c);
}

/*
 * 7c. RFC 5961 §3.2, RFC 9293 §3.10.7.4 first: a RST outside the window is
 * silently dropped (an unacceptable RST is never answered).
 */
TEST_F(pkt, rst_out_of_window_dropped)
{
	struct tconn *c = &self->c;

	passive_open(_metadata, self, c, 0x500000, 0);
	tx(_metadata, self, c, XPKT_RST, c->snd_nxt + FAR, 0, 0);
	tx(_metadata, self, c, XPKT_RST, c->snd_nxt - 1, 0, 0);
	tx(_metadata, self, c, XPKT_RST | XPKT_ACK, c->snd_nxt - FAR,
	   c->rcv_nxt, 0);
	expect_none(_metadata, self, c, QUIET_MS, "out-of-window RST");
	conn_alive(_metadata, self, c);
}

/*
 * 8. RFC 5961 §4.2 (RFC 9293 §3.10.7.4 fourth): a SYN in a synchronized
 * state, in the window or not, gets a challenge ACK; the connection
 * survives.
 */
TEST_F(pkt, syn_in_established_challenge_ack)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x600000, 0);
	tx(_metadata, self, c, XPKT_SYN, c->snd_nxt, 0, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "challenge ACK (SYN at RCV.NXT)");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	tx(_metadata, self, c, XPKT_SYN, c->tisn, 0, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "challenge ACK (old SYN)");
	ASSERT_EQ(c->snd_nxt, s.ack);
	tx(_metadata, self, c, XPKT_SYN | XPKT_ACK, c->snd_nxt + 100,
	   c->rcv_nxt, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "challenge ACK (SYN,ACK)");
	ASSERT_EQ(c->snd_nxt, s.ack);
	expect_none(_metadata, self, c, 200, "after the challenge ACKs");
	conn_alive(_metadata, self, c);
}

/*
 * 9. RFC 9293 §3.10.7.4 fifth: "If the ACK acks something not yet sent
 * (SEG.ACK > SND.NXT), then send an ACK, drop the segment, and return."
 */
TEST_F(pkt, ack_of_unsent_data)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x700000, 0);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt,
	   c->rcv_nxt + 1000, 30);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK for ACK of unsent data");
	ASSERT_EQ(c->snd_nxt, s.ack) TH_LOG("the data must be dropped");
	ASSERT_EQ(c->rcv_nxt, s.seq);
	expect_no_data(_metadata, c->fd);
	conn_alive(_metadata, self, c);
}

/*
 * 1b. RFC 9293 §3.10.7.2: between our SYN and our ACK the SUT holds a
 * request sock, listed in /proc/net/xtcp as SYN-RECEIVED (03); a RST at
 * its RCV.NXT drops it (§3.10.7.4 second check) and the entry goes.
 */
TEST_F(pkt, request_sock_listed_then_reset)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	conn_init(self, c, 0x1E0000);
	c->lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, c->lfd) TH_LOG("listen: %s", strerror(errno));
	c->sport = ntohs(c->local.sin_port);
	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;
	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	c->rcv_nxt = s.seq + 1;
	ASSERT_EQ(ST_SYN_RECV, state(c));

	tx(_metadata, self, c, XPKT_RST, c->snd_nxt, 0, 0);
	ASSERT_LE(0, wait_gone(c, 1000)) TH_LOG("request sock survived RST");
	expect_none(_metadata, self, c, QUIET_MS, "RST");
}

/*
 * 9b. RFC 5681 §3.2: after the third duplicate ACK the first unacknowledged
 * segment is sent again at once, long before the retransmission timer
 * (at least 200 ms, RFC 6298 §2.4) could fire; counted as FastRetransmits.
 */
TEST_F(pkt, fast_retransmit_three_dupacks)
{
	struct tconn *c = &self->c;
	long long fr0, t0;
	struct xpkt_seg r;
	unsigned int got = 0;
	char buf[4000];
	uint32_t first;
	int one = 1, i;

	if (xtcp_ipproto() == IPPROTO_TCP)
		XTCP_SKIP("FastRetransmits is XTCP's counter");
	passive_open(_metadata, self, c, 0xD10000, 0);
	ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	memset(buf, 'f', sizeof(buf));
	first = c->rcv_nxt;
	ASSERT_EQ((ssize_t)sizeof(buf), write(c->fd, buf, sizeof(buf)));
	while (got < sizeof(buf)) {
		ASSERT_LT(0, xpkt_recv(&self->p, &r, c->tport, REPLY_MS))
			TH_LOG("data stopped after %u bytes", got);
		ASSERT_TRUE(r.csum_ok);
		if (r.seq == first + got)
			got += r.len;
	}

	/* a new ACK for the first segment, then three duplicates of it */
	fr0 = xtcp_stat_get(NULL, "FastRetransmits");
	for (i = 0; i < 4; i++)
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, first + PEER_MSS, 0);
	t0 = xpkt_now_ms();
	do {
		ASSERT_LT(0, xpkt_recv(&self->p, &r, c->tport, 1000))
			TH_LOG("no retransmission within 1 s");
	} while (r.seq != first + PEER_MSS);
	TH_LOG("second segment resent after %lld ms", xpkt_now_ms() - t0);
	ASSERT_LT(xpkt_now_ms() - t0, 150);
	ASSERT_TRUE(r.csum_ok);
	ASSERT_EQ((unsigned int)PEER_MSS, r.len);
	ASSERT_EQ(fr0 + 1, xtcp_stat_get(NULL, "FastRetransmits"));

	/* acknowledge everything: the connection goes on */
	c->rcv_nxt = first + sizeof(buf);
	c->sut_seen = true;
	c->sut_end = c->rcv_nxt;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	conn_alive(_metadata, self, c);
}

/*
 * 10a. RFC 9293 §3.10.7.2 / RFC 1122 §4.2.3.10 and RFC 9293 §3.1 (SYN and
 * FIN or RST together are meaningless): SYN,FIN and SYN,RST to a listener
 * create no connection and get no reply; counted as InBadFlags.
 */
TEST_F(pkt, bad_flags_to_listener)
{
	struct tconn *c = &self->c;
	long long bad0 = xtcp_stat_get(NULL, "InBadFlags");
	uint8_t opt[8];
	struct xpkt_seg s;

	conn_init(self, c, 0x800000);
	c->lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, c->lfd);
	c->sport = ntohs(c->local.sin_port);
	xpkt_opt_syn(opt, PEER_MSS, 0);

	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN | XPKT_FIN);
	memcpy(s.opt, opt, sizeof(opt));
	s.optlen = sizeof(opt);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	s.flags = XPKT_SYN | XPKT_RST;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	s.flags = XPKT_SYN | XPKT_FIN | XPKT_RST | XPKT_PSH | XPKT_URG;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	expect_none(_metadata, self, c, QUIET_MS, "illegal flags to listener");
	ASSERT_EQ(-1, state(c)) TH_LOG("a connection was created");
	ASSERT_EQ(0, xtcp_poll1(c->lfd, POLLIN, 0));
	if (bad0 >= 0)
		EXPECT_LE(bad0 + 3, xtcp_stat_get(NULL, "InBadFlags"));

	/* the listener still works */
	close(c->lfd);
	c->lfd = -1;
	passive_open(_metadata, self, c, 0x810000, 10);
}

/*
 * 10b. As 10a on an established connection: SYN,FIN and SYN,RST at RCV.NXT
 * change nothing (no CLOSE-WAIT, no reset) and are not answered.
 */
TEST_F(pkt, bad_flags_established)
{
	struct tconn *c = &self->c;
	long long bad0;

	passive_open(_metadata, self, c, 0x900000, 0);
	bad0 = xtcp_stat_get(NULL, "InBadFlags");
	tx(_metadata, self, c, XPKT_SYN | XPKT_FIN | XPKT_ACK, c->snd_nxt,
	   c->rcv_nxt, 0);
	tx(_metadata, self, c, XPKT_SYN | XPKT_RST, c->snd_nxt, 0, 0);
	tx(_metadata, self, c, XPKT_SYN | XPKT_RST | XPKT_ACK, c->snd_nxt,
	   c->rcv_nxt, 0);
	tx(_metadata, self, c, XPKT_SYN | XPKT_FIN | XPKT_ACK | XPKT_PSH,
	   c->snd_nxt, c->rcv_nxt, 10);
	expect_none(_metadata, self, c, QUIET_MS, "illegal flags");
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	expect_no_data(_metadata, c->fd);
	if (bad0 >= 0)
		EXPECT_LE(bad0 + 4, xtcp_stat_get(NULL, "InBadFlags"));
	conn_alive(_metadata, self, c);
}

/*
 * 10c. RFC 9293 §3.10.7.4 fifth: "if the ACK bit is off, drop the segment
 * and return" — a data segment with no flags at all is not delivered.
 */
TEST_F(pkt, no_flags_dropped)
{
	struct tconn *c = &self->c;

	passive_open(_metadata, self, c, 0xA00000, 0);
	tx(_metadata, self, c, 0, c->snd_nxt, c->rcv_nxt, 30);
	tx(_metadata, self, c, XPKT_PSH, c->snd_nxt, c->rcv_nxt, 30);
	tx(_metadata, self, c, XPKT_FIN, c->snd_nxt, 0, 0);
	expect_none(_metadata, self, c, QUIET_MS, "segment without ACK");
	expect_no_data(_metadata, c->fd);
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	conn_alive(_metadata, self, c);
}

/*
 * 11a. RFC 9293 §3.6 (figure 12, case 1), §3.10.4, §3.10.7.4 fifth/eighth:
 * close() → FIN-WAIT-1; ACK → FIN-WAIT-2; FIN → ACK, TIME-WAIT, which ends
 * after 2 MSL (§3.4.2).
 */
TEST_F(pkt, close_active)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	long long t0, gone;

	ASSERT_EQ(0, sysctl_set("msl_ms", 500));
	passive_open(_metadata, self, c, 0xB00000, 0);
	sut_close_fin(_metadata, self, c, &s);
	c->rcv_nxt++;
	ASSERT_EQ(ST_FIN_WAIT1, state(c));
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	expect_state(_metadata, c, ST_FIN_WAIT2);
	expect_none(_metadata, self, c, 200, "ACK of the FIN");
	ASSERT_EQ(ST_FIN_WAIT2, state(c));
	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->snd_nxt++;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of our FIN");
	t0 = xpkt_now_ms();
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	expect_state(_metadata, c, XTCP_ST_TIME_WAIT);
	sleep_ms(500);
	ASSERT_EQ(XTCP_ST_TIME_WAIT, state(c)) TH_LOG("TIME-WAIT < 2 MSL");
	gone = wait_gone(c, 3000);
	ASSERT_LE(0, gone) TH_LOG("TIME-WAIT still there 2 MSL + 3 s later");
	TH_LOG("TIME-WAIT lasted about %lld ms (2 MSL = 1000)",
	       xpkt_now_ms() - t0);
	c->active = false;
}

/*
 * 11a'. RFC 9293 §3.10.4 and §3.8.1 (RFC 6298 §5): an unacknowledged FIN
 * is retransmitted with the same sequence number and a growing interval,
 * until it is acknowledged.
 */
TEST_F(pkt, fin_retransmitted_until_acked)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s, r;
	long long t[3];
	int i, n;

	passive_open(_metadata, self, c, 0xB80000, 0);
	sut_close_fin(_metadata, self, c, &s);
	t[0] = xpkt_now_ms();
	for (i = 1; i < 3; i++) {
		do {
			n = xpkt_recv(&self->p, &r, c->tport, 5000);
			ASSERT_LT(0, n) TH_LOG("FIN not retransmitted (#%d)", i);
		} while (!(r.flags & XPKT_FIN));
		t[i] = xpkt_now_ms();
		ASSERT_TRUE(r.csum_ok);
		ASSERT_EQ(s.seq, r.seq);
		ASSERT_EQ(0U, r.len);
	}
	TH_LOG("FIN retransmitted after %lld ms, then %lld ms",
	       t[1] - t[0], t[2] - t[1]);
	ASSERT_LT(t[1] - t[0], t[2] - t[1]);
	ASSERT_EQ(ST_FIN_WAIT1, state(c));
	c->rcv_nxt++;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	expect_state(_metadata, c, ST_FIN_WAIT2);
}

/*
 * 11b. RFC 9293 §3.6 (figure 12, passive side), §3.10.7.4 eighth, §3.10.2
 * (SEND in CLOSE-WAIT), §3.10.4: our FIN → CLOSE-WAIT, recv() 0; the
 * application still sends (half-close); close() → LAST-ACK with FIN; our
 * ACK → CLOSED.
 */
TEST_F(pkt, close_passive_half_close)
{
	struct tconn *c = &self->c;
	char buf[300], b;
	struct xpkt_seg s;
	unsigned int got = 0;

	passive_open(_metadata, self, c, 0xC00000, 0);
	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->snd_nxt++;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of our FIN");
	ASSERT_EQ(c->snd_nxt, s.ack);
	expect_state(_metadata, c, ST_CLOSE_WAIT);
	ASSERT_EQ(0, recv(c->fd, &b, 1, 0));

	xtcp_pattern(buf, sizeof(buf), 7);
	ASSERT_EQ((ssize_t)sizeof(buf), send(c->fd, buf, sizeof(buf),
					     MSG_NOSIGNAL));
	while (got < sizeof(buf)) {
		expect(_metadata, self, c, &s, XPKT_ACK, "data in CLOSE-WAIT");
		ASSERT_EQ(c->rcv_nxt, s.seq);
		ASSERT_EQ(c->snd_nxt, s.ack);
		ASSERT_GE(sizeof(buf) - got, s.len);
		ASSERT_EQ(0, memcmp(buf + got, s.data, s.len));
		got += s.len;
		c->rcv_nxt += s.len;
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	}
	expect_state(_metadata, c, ST_CLOSE_WAIT);

	ASSERT_EQ(0, close(c->fd));
	c->fd = -1;
	expect(_metadata, self, c, &s, XPKT_FIN | XPKT_ACK, "FIN in LAST-ACK");
	ASSERT_EQ(c->rcv_nxt, s.seq);
	ASSERT_EQ(c->snd_nxt, s.ack);
	c->rcv_nxt++;
	ASSERT_EQ(ST_LAST_ACK, state(c));
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	ASSERT_LE(0, wait_gone(c, REPLY_MS)) TH_LOG("LAST-ACK stays after ACK");
	c->active = false;
	expect_none(_metadata, self, c, 200, "ACK of the FIN in LAST-ACK");
}

/*
 * 11c. RFC 9293 §3.10.7.4 fifth and eighth in FIN-WAIT-1: a FIN,ACK that
 * also acknowledges our FIN (three-segment close) → ACK, TIME-WAIT.
 */
TEST_F(pkt, close_three_segment)
{
	struct tconn *c = &self->c;

	passive_open(_metadata, self, c, 0xD00000, 0);
	to_time_wait(_metadata, self, c);
}

/*
 * 11d. RFC 9293 §3.6 (figure 13), §3.10.7.4 eighth ("FIN-WAIT-1 ... enter
 * the CLOSING state") and fifth (CLOSING: ACK of our FIN → TIME-WAIT):
 * simultaneous close.
 */
TEST_F(pkt, close_simultaneous)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0xE00000, 0);
	sut_close_fin(_metadata, self, c, &s);
	/* our FIN acknowledges everything before the SUT's FIN, not the FIN */
	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->snd_nxt++;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK in CLOSING");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt + 1, s.seq);
	expect_state(_metadata, c, ST_CLOSING);
	c->rcv_nxt++;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	expect_state(_metadata, c, XTCP_ST_TIME_WAIT);
	expect_none(_metadata, self, c, 200, "ACK of the FIN in CLOSING");
}

/*
 * 12a. RFC 9293 §3.10.7.4 eighth (TIME-WAIT: "Remain in the TIME-WAIT
 * state. Restart the 2 MSL time-wait timeout."): a retransmitted FIN is
 * ACKed again and the entry outlives its original 2 MSL.
 */
TEST_F(pkt, time_wait_fin_restarts_timer)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	long long t0, t1;

	ASSERT_EQ(0, sysctl_set("msl_ms", 1500));	/* TIME-WAIT 3 s */
	passive_open(_metadata, self, c, 0xF00000, 0);
	to_time_wait(_metadata, self, c);
	t0 = xpkt_now_ms();
	sleep_ms(1500);
	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt - 1,
	   c->rcv_nxt, 0);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of retransmitted FIN");
	t1 = xpkt_now_ms();
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	/* originally due at t0 + 3 s; restarted, due at t1 + 3 s */
	sleep_ms(t0 + 3000 + 700 - xpkt_now_ms());
	ASSERT_GT(t1 + 3000, xpkt_now_ms()) TH_LOG("test too slow to judge");
	ASSERT_EQ(XTCP_ST_TIME_WAIT, state(c))
		TH_LOG("TIME-WAIT timer not restarted by the FIN");
	ASSERT_LE(0, wait_gone(c, 4000));
	c->active = false;
}

/* 12b. RFC 1337 (§3.10.7.4 second, TIME-WAIT): rfc1337=1, RST ignored. */
TEST_F(pkt, time_wait_rst_ignored)
{
	struct tconn *c = &self->c;
	long long ign0 = xtcp_stat_get(NULL, "TwRstIgnored");

	ASSERT_EQ(0, sysctl_set("msl_ms", 3000));
	passive_open(_metadata, self, c, 0x1100000, 0);
	to_time_wait(_metadata, self, c);
	tx(_metadata, self, c, XPKT_RST, c->snd_nxt, 0, 0);
	tx(_metadata, self, c, XPKT_RST | XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	expect_none(_metadata, self, c, QUIET_MS, "RST in TIME-WAIT");
	ASSERT_EQ(XTCP_ST_TIME_WAIT, state(c)) TH_LOG("RST killed TIME-WAIT");
	if (ign0 >= 0)
		EXPECT_LE(ign0 + 2, xtcp_stat_get(NULL, "TwRstIgnored"));
	/* let it go before the next test */
	ASSERT_EQ(0, sysctl_set("msl_ms", 1000));
}

/*
 * 12c. RFC 9293 §3.10.7.4 second (TIME-WAIT: "If the RST bit is set, then
 * enter the CLOSED state"), with RFC 1337's protection off (rfc1337=0).
 */
TEST_F(pkt, time_wait_rst_kills_without_rfc1337)
{
	struct tconn *c = &self->c;

	if (!sysctl_has("rfc1337"))
		XTCP_SKIP("needs net.xtcp.rfc1337");
	ASSERT_EQ(0, sysctl_set("rfc1337", 0));
	ASSERT_EQ(0, sysctl_set("msl_ms", 5000));
	passive_open(_metadata, self, c, 0x1200000, 0);
	to_time_wait(_metadata, self, c);
	tx(_metadata, self, c, XPKT_RST, c->snd_nxt, 0, 0);
	ASSERT_LE(0, wait_gone(c, 1000)) TH_LOG("RST did not end TIME-WAIT");
	c->active = false;
	expect_none(_metadata, self, c, 200, "RST in TIME-WAIT");
}

/*
 * 12d. RFC 9293 §3.6.1 / RFC 1122 §4.2.2.13, RFC 6191: a SYN above the old
 * RCV.NXT reopens a TIME-WAIT tuple that has a listener: SYN-ACK; a SYN
 * below it does not (ACK only).
 */
TEST_F(pkt, time_wait_syn_reopens)
{
	struct tconn *c = &self->c;
	long long rec0 = xtcp_stat_get(NULL, "TwRecycled");
	struct xpkt_seg s;
	uint32_t nisn;

	ASSERT_EQ(0, sysctl_set("msl_ms", 5000));
	passive_open(_metadata, self, c, 0x1300000, 0);
	to_time_wait(_metadata, self, c);

	/* an old SYN (below RCV.NXT) only gets the TIME-WAIT ACK */
	tx(_metadata, self, c, XPKT_SYN, c->tisn, 0, 0);
	if (rx(_metadata, self, c, &s, QUIET_MS)) {
		log_seg("reply to old SYN:", &s);
		ASSERT_EQ(XPKT_ACK, s.flags);
		ASSERT_EQ(c->snd_nxt, s.ack);
	}
	ASSERT_EQ(XTCP_ST_TIME_WAIT, state(c));

	nisn = c->snd_nxt + 100000;
	xpkt_seg_init(&s, c->tport, c->sport, nisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->sut_seen = false;
	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	ASSERT_EQ(nisn + 1, s.ack);
	c->rcv_nxt = s.seq + 1;
	c->snd_nxt = nisn + 1;
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, c->rcv_nxt, 10);
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("accept: %s", strerror(errno));
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of data");
	ASSERT_EQ(c->snd_nxt + 10, s.ack);
	expect_data(_metadata, c->fd, c->snd_nxt, 10);
	c->snd_nxt += 10;
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	if (rec0 >= 0)
		EXPECT_LE(rec0 + 1, xtcp_stat_get(NULL, "TwRecycled"));
}

/*
 * 12e. Orphaned FIN-WAIT-2 lifetime (net.xtcp.fin_timeout_ms; RFC 9293
 * leaves FIN-WAIT-2 unbounded, Linux bounds it by tcp_fin_timeout).
 */
TEST_F(pkt, fin_wait2_timeout)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	if (!sysctl_has("fin_timeout_ms"))
		XTCP_SKIP("needs net.xtcp.fin_timeout_ms");
	ASSERT_EQ(0, sysctl_set("fin_timeout_ms", 1000));
	passive_open(_metadata, self, c, 0x1400000, 0);
	sut_close_fin(_metadata, self, c, &s);
	c->rcv_nxt++;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	expect_state(_metadata, c, ST_FIN_WAIT2);
	sleep_ms(400);
	ASSERT_EQ(ST_FIN_WAIT2, state(c));
	ASSERT_LE(0, wait_gone(c, 3000)) TH_LOG("FIN-WAIT-2 outlived its timeout");
	c->active = false;
}

/*
 * 12f. net.xtcp.max_tw_buckets = 0: the closing connection gives its tuple
 * up at once instead of TIME-WAIT (counted as TwOverflow).
 */
TEST_F(pkt, time_wait_overflow)
{
	struct tconn *c = &self->c;
	long long ovf0 = xtcp_stat_get(NULL, "TwOverflow");
	struct xpkt_seg s;

	ASSERT_EQ(0, sysctl_set("max_tw_buckets", 0));
	passive_open(_metadata, self, c, 0x1500000, 0);
	sut_close_fin(_metadata, self, c, &s);
	c->rcv_nxt++;
	tx(_metadata, self, c, XPKT_FIN | XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	c->snd_nxt++;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of our FIN");
	ASSERT_EQ(c->snd_nxt, s.ack);
	ASSERT_LE(0, wait_gone(c, 1000));
	c->active = false;
	if (ovf0 >= 0)
		EXPECT_LE(ovf0 + 1, xtcp_stat_get(NULL, "TwOverflow"));
}

/*
 * 13a. RFC 9293 §3.10.4 / RFC 2525 §2.17: close() with unread data sends
 * RST, not FIN.
 */
TEST_F(pkt, close_unread_data_rst)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x1600000, 0);
	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, c->rcv_nxt, 30);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of data");
	c->snd_nxt += 30;
	ASSERT_EQ(0, close(c->fd));
	c->fd = -1;
	ASSERT_TRUE(rx(_metadata, self, c, &s, REPLY_MS));
	if (!(s.flags & XPKT_RST) || (s.flags & XPKT_FIN))
		log_seg("got", &s);
	ASSERT_TRUE(s.flags & XPKT_RST);
	ASSERT_FALSE(s.flags & XPKT_FIN);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	c->active = false;
	ASSERT_LE(0, wait_gone(c, REPLY_MS));
}

/* 13b. RFC 9293 §3.10.5 (ABORT): SO_LINGER {1, 0} close() sends RST. */
TEST_F(pkt, linger_zero_rst)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x1700000, 0);
	ASSERT_EQ(0, setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, close(c->fd));
	c->fd = -1;
	ASSERT_TRUE(rx(_metadata, self, c, &s, REPLY_MS));
	if (!(s.flags & XPKT_RST) || (s.flags & XPKT_FIN))
		log_seg("got", &s);
	ASSERT_TRUE(s.flags & XPKT_RST);
	ASSERT_FALSE(s.flags & XPKT_FIN);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	c->active = false;
	ASSERT_LE(0, wait_gone(c, REPLY_MS));
}

/*
 * 13c. SO_LINGER {1, 2}: close() waits for the ACK of our FIN, at most the
 * linger time (socket(7)); the peer never acknowledges, so about 2 s.
 */
TEST_F(pkt, linger_timeout)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 2 };
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	long long t0, dt;

	passive_open(_metadata, self, c, 0x1800000, 0);
	ASSERT_EQ(0, setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	t0 = xpkt_now_ms();
	ASSERT_EQ(0, close(c->fd));
	dt = xpkt_now_ms() - t0;
	c->fd = -1;
	TH_LOG("close() with linger 2 s took %lld ms", dt);
	ASSERT_LE(1500, dt);
	ASSERT_GE(5000, dt);
	expect(_metadata, self, c, &s, XPKT_FIN | XPKT_ACK, "FIN");
	ASSERT_EQ(c->rcv_nxt, s.seq);
}

/*
 * 14. RFC 9293 §3.8.1, RFC 6298 §5.5 (back off the timer) and §3.10.7.3
 * (SYN retransmission limit, R2): with syn_retries=2 the SYN goes out 3
 * times with growing gaps and connect() fails with ETIMEDOUT.
 */
TEST_F_TIMEOUT(pkt, syn_retransmit_backoff, 40)
{
	struct tconn *c = &self->c;
	long long t[4], g1, g2;
	struct xpkt_seg s;
	int n = 1, err;

	ASSERT_EQ(0, sysctl_set("syn_retries", 2));
	active_start(_metadata, self, c, 0, &s);
	t[0] = s.t_ms;
	c->sut_seen = false;	/* see the retransmissions */
	while (n < 4 && xpkt_recv(&self->p, &s, c->tport, 6000) > 0) {
		ASSERT_TRUE(s.csum_ok);
		if (s.flags != XPKT_SYN || s.seq != c->sisn) {
			log_seg("unexpected", &s);
			ASSERT_TRUE(false);
		}
		t[n++] = s.t_ms;
		/* 3 SYNs: connect() must fail before a 4th */
		if (n == 3)
			break;
	}
	ASSERT_EQ(3, n) TH_LOG("saw %d SYNs", n);
	g1 = t[1] - t[0];
	g2 = t[2] - t[1];
	TH_LOG("SYN gaps %lld ms, %lld ms", g1, g2);
	ASSERT_LE(700, g1);
	ASSERT_LT(g1, g2);
	/* the last RTO (4 s) then ETIMEDOUT */
	err = connect_result(_metadata, c->fd, 10000);
	ASSERT_EQ(ETIMEDOUT, err) TH_LOG("SO_ERROR %d (%s)", err,
					 err > 0 ? strerror(err) : "-");
	ASSERT_EQ(0, xpkt_recv(&self->p, &s, c->tport, 200))
		TH_LOG("a 4th SYN went out");
	c->active = false;
}

/*
 * 15. RFC 5961 §7: challenge ACKs are rate limited (net.xtcp.
 * challenge_ack_limit per second): 50 in-window RSTs within a second get
 * at most the limit (+1 for a window boundary) of challenge ACKs.
 */
TEST_F(pkt, challenge_ack_rate_limit)
{
	struct tconn *c = &self->c;
	long long lim0 = xtcp_stat_get(NULL, "ChallengeAckLimited");
	struct xpkt_seg s;
	int attempt, i, n = 0;
	long long t0;

	if (!sysctl_has("challenge_ack_limit"))
		XTCP_SKIP("needs net.xtcp.challenge_ack_limit");
	passive_open(_metadata, self, c, 0x1900000, 0);
	ASSERT_EQ(0, sysctl_set("challenge_ack_limit", 5));
	/* a burst may straddle two one-second windows: allow one retry */
	for (attempt = 0; attempt < 2; attempt++) {
		sleep_ms(1100);
		t0 = xpkt_now_ms();
		for (i = 0; i < 50; i++)
			tx(_metadata, self, c, XPKT_RST, c->snd_nxt + 1 + i, 0, 0);
		n = 0;
		while (rx(_metadata, self, c, &s, 1000 - (int)(xpkt_now_ms() - t0)) &&
		       xpkt_now_ms() - t0 < 1000) {
			ASSERT_EQ(XPKT_ACK, s.flags);
			ASSERT_EQ(c->snd_nxt, s.ack);
			n++;
		}
		TH_LOG("attempt %d: %d challenge ACKs for 50 RSTs", attempt, n);
		if (n >= 1 && n <= 6)
			break;
	}
	ASSERT_LE(1, n);
	ASSERT_GE(6, n);
	if (lim0 >= 0)
		EXPECT_LE(lim0 + 44, xtcp_stat_get(NULL, "ChallengeAckLimited"));
	ASSERT_EQ(0, sysctl_set("challenge_ack_limit", 1000));
	sleep_ms(1100);
	conn_alive(_metadata, self, c);
}

/*
 * 16. RFC 9293 §3.10.7.1 RSTs for segments without a connection are rate
 * limited (net.xtcp.rst_limit per second): 100 SYNs to a closed port within
 * 100 ms get at most the limit (+1) RSTs.
 */
TEST_F(pkt, rst_rate_limit)
{
	struct tconn *c = &self->c;
	long long rl0 = xtcp_stat_get(NULL, "RstLimited");
	struct xpkt_seg s;
	int attempt, i, n = 0, fd;
	long long t0;

	if (!sysctl_has("rst_limit"))
		XTCP_SKIP("needs net.xtcp.rst_limit");
	conn_init(self, c, 1);
	fd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, fd);
	close(fd);
	c->sport = ntohs(c->local.sin_port);
	ASSERT_EQ(0, sysctl_set("rst_limit", 10));
	for (attempt = 0; attempt < 2; attempt++) {
		sleep_ms(1100);
		t0 = xpkt_now_ms();
		for (i = 0; i < 100; i++)
			tx(_metadata, self, c, XPKT_SYN, 1000 * i, 0, 0);
		TH_LOG("100 SYNs sent in %lld ms", xpkt_now_ms() - t0);
		n = 0;
		while (rx(_metadata, self, c, &s, 1000 - (int)(xpkt_now_ms() - t0)) &&
		       xpkt_now_ms() - t0 < 1000) {
			ASSERT_EQ(XPKT_RST | XPKT_ACK, s.flags);
			n++;
		}
		TH_LOG("attempt %d: %d RSTs for 100 SYNs", attempt, n);
		if (n >= 1 && n <= 11)
			break;
	}
	ASSERT_LE(1, n);
	ASSERT_GE(11, n);
	if (rl0 >= 0)
		EXPECT_LE(rl0 + 89, xtcp_stat_get(NULL, "RstLimited"));
}

/*
 * RFC 9293 §3.1 (checksum), §3.10.7.4: a segment with a bad checksum is
 * dropped without any reply or effect, even a RST at RCV.NXT.
 */
TEST_F(pkt, bad_checksum_dropped)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	passive_open(_metadata, self, c, 0x1A00000, 0);
	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt,
		      XPKT_ACK | XPKT_PSH);
	s.len = 20;
	s.csum_xor = 0x0100;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	s.flags = XPKT_RST;
	s.len = 0;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	s.flags = XPKT_ACK | XPKT_FIN;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	expect_none(_metadata, self, c, QUIET_MS, "bad checksums");
	expect_no_data(_metadata, c->fd);
	conn_alive(_metadata, self, c);
}

TEST_HARNESS_MAIN
