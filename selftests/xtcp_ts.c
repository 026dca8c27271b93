// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timestamps (RFC 7323) at the packet level: negotiation on SYN and
 * SYN-ACK (net.xtcp.timestamps), TSval/TSecr on every segment and the echo
 * of TS.Recent, the MSS shrinking by the option, TCP_INFO's
 * TCPI_OPT_TIMESTAMPS, PAWS dropping an old TSval (not a RST), segments
 * without the option dropped, a malformed option length dropped and
 * counted, and RTT samples from a retransmitted segment's echo (RTTM).
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "xtcp_pkttest.h"

#define TS0	1000000U	/* the fake peer's first TSval */

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
	pkt_timer_sysctls_reset();
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
	pkt_timer_sysctls_reset();
}

/* The fake peer's TSval clock and the last TSval seen from the SUT. */
struct tsclock {
	uint32_t val;
	uint32_t recent;
};

/* A segment on @c carrying timestamps (TSval @tsval, TSecr @tsecr). */
static void tx_ts(struct __test_metadata *_metadata, struct _test_data_pkt *self,
		  const struct tconn *c, uint8_t flags, uint32_t seq,
		  unsigned int len, uint32_t tsval, uint32_t tsecr)
{
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, seq, c->rcv_nxt, flags);
	s.optlen = xpkt_opt_ts(s.opt, tsval, tsecr);
	s.len = len;
	xtcp_pattern(s.data, len, seq);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
}

/* Expect @flags with timestamps echoing @echo; records the SUT's TSval. */
static void expect_ts(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, struct tconn *c,
		      struct xpkt_seg *s, uint8_t flags, uint32_t echo,
		      struct tsclock *k, const char *what)
{
	uint32_t tsval, tsecr;

	expect(_metadata, self, c, s, flags, what);
	ASSERT_EQ(1, xpkt_opt_ts_get(s, &tsval, &tsecr))
		log_seg("no timestamps:", s);
	EXPECT_EQ(echo, tsecr) TH_LOG("%s: TSecr", what);
	/* the SUT's clock never runs backwards */
	EXPECT_TRUE(!k->recent || (int32_t)(tsval - k->recent) >= 0);
	k->recent = tsval;
}

/*
 * Passive open with timestamps in our SYN: the SYN-ACK answers with them
 * (TSecr = our TSval) when @want, and without them otherwise.
 */
static void ts_passive_open(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, struct tconn *c,
			    uint32_t tisn, struct tsclock *k, bool want)
{
	struct xpkt_seg s;
	uint32_t v, e;

	conn_init(self, c, tisn);
	c->lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, c->lfd);
	c->sport = ntohs(c->local.sin_port);
	k->val = TS0;
	k->recent = 0;

	xpkt_seg_init(&s, c->tport, c->sport, tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	s.optlen += xpkt_opt_ts(s.opt + s.optlen, k->val, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->active = true;
	c->snd_nxt = tisn + 1;

	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	c->sisn = s.seq;
	c->rcv_nxt = s.seq + 1;
	ASSERT_EQ(want, xpkt_opt_ts_get(&s, &v, &e) == 1) log_seg("SYN-ACK", &s);
	if (want) {
		EXPECT_EQ(k->val, e) TH_LOG("SYN-ACK TSecr");
		k->recent = v;
		tx_ts(_metadata, self, c, XPKT_ACK, c->snd_nxt, 0, ++k->val, v);
	} else {
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	}
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("accept: %s", strerror(errno));
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
}

static void tcp_info_of(struct __test_metadata *_metadata, int fd,
			struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len));
}

/* ===================================================================== */

/*
 * 1. RFC 7323 §3.2: our SYN offers timestamps, the SYN-ACK answers with
 * TSecr = our TSval; afterwards every segment carries them, each ACK
 * echoes our latest TSval (TS.Recent, §4.3), TCP_INFO shows
 * TCPI_OPT_TIMESTAMPS, and full segments are 12 bytes shorter than the
 * MSS (the option's room, RFC 6691).
 */
TEST_F(pkt, ts_negotiated_and_echoed)
{
	struct tconn *c = &self->c;
	struct tsclock k;
	struct tcp_info ti;
	struct xpkt_seg s;
	static char buf[1000], big[PEER_MSS];
	int one = 1;

	ts_passive_open(_metadata, self, c, 0x10000, &k, true);
	tcp_info_of(_metadata, c->fd, &ti);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_EQ((unsigned int)PEER_MSS - 12, ti.tcpi_snd_mss);

	/* our data: the ACK echoes its TSval */
	k.val += 7;
	tx_ts(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, 100, k.val, k.recent);
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "ACK of data");
	ASSERT_EQ(c->snd_nxt + 100, s.ack);
	expect_data(_metadata, c->fd, c->snd_nxt, 100);
	c->snd_nxt += 100;

	/* the SUT's data carries timestamps too */
	ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	memset(buf, 't', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), send(c->fd, buf, sizeof(buf), 0));
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "data");
	EXPECT_EQ(sizeof(buf), s.len);
	c->rcv_nxt += sizeof(buf);
	tx_ts(_metadata, self, c, XPKT_ACK, c->snd_nxt, 0, ++k.val, k.recent);

	/*
	 * a full segment is the MSS less the option's 12 bytes (not checked
	 * on the wire for Linux TCP under XTCP_TEST_AS_TCP, which sends the
	 * two segments as one GSO frame; its TCP_INFO was checked above)
	 */
	if (xtcp_ipproto() == IPPROTO_TCP)
		return;
	ASSERT_EQ((ssize_t)PEER_MSS, send(c->fd, big, PEER_MSS, 0));
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "full segment");
	EXPECT_EQ((unsigned int)PEER_MSS - 12, s.len);
	c->rcv_nxt += s.len;
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "the rest");
	EXPECT_EQ(12U, s.len);
	c->rcv_nxt += s.len;
	tx_ts(_metadata, self, c, XPKT_ACK, c->snd_nxt, 0, ++k.val, k.recent);
}

/* 2. net.xtcp.timestamps = 0: a SYN's timestamps are not answered. */
TEST_F(pkt, ts_sysctl_off)
{
	struct tconn *c = &self->c;
	struct tsclock k;
	struct tcp_info ti;

	need_xtcp();
	ASSERT_EQ(0, sysctl_set("timestamps", 0));
	ts_passive_open(_metadata, self, c, 0x20000, &k, false);
	tcp_info_of(_metadata, c->fd, &ti);
	EXPECT_FALSE(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_EQ((unsigned int)PEER_MSS, ti.tcpi_snd_mss);
	conn_alive(_metadata, self, c);
}

/*
 * 3. Active open: the SYN offers timestamps with TSecr 0 (RFC 7323 §3.2);
 * a SYN-ACK without them leaves them off, and later segments carry none.
 */
TEST_F(pkt, ts_active_offer_declined)
{
	struct tconn *c = &self->c;
	socklen_t len = sizeof(c->local);
	struct xpkt_seg s;
	uint32_t v, e;

	conn_init(self, c, 0x30000);
	c->fd = xtcp_sock_in(NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, c->fd);
	ASSERT_EQ(-1, connect(c->fd, (struct sockaddr *)&c->rem, sizeof(c->rem)));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(0, getsockname(c->fd, (struct sockaddr *)&c->local, &len));
	c->sport = ntohs(c->local.sin_port);
	c->active = true;
	expect(_metadata, self, c, &s, XPKT_SYN, "SYN");
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &v, &e)) log_seg("SYN", &s);
	EXPECT_EQ(0U, e);
	c->sisn = s.seq;
	c->rcv_nxt = s.seq + 1;

	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, c->rcv_nxt, XPKT_SYN | XPKT_ACK);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->snd_nxt = c->tisn + 1;
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of SYN-ACK");
	EXPECT_EQ(0, xpkt_opt_ts_get(&s, &v, &e)) log_seg("ACK", &s);
	ASSERT_EQ(0, xtcp_set_nonblock(c->fd, false));
	ASSERT_EQ(0, xtcp_set_timeouts(c->fd, XTCP_WAIT_MS));
	conn_alive(_metadata, self, c);
}

/*
 * 4. RFC 7323 §5.3 R1 (PAWS): a data segment whose TSval is older than
 * TS.Recent is dropped (not delivered) and answered with an ACK; a RST
 * with an old TSval is not subject to PAWS and resets the connection.
 */
TEST_F(pkt, paws_drops_old_tsval)
{
	struct tconn *c = &self->c;
	struct tsclock k;
	struct xpkt_seg s;
	long long p0 = 0;

	ts_passive_open(_metadata, self, c, 0x40000, &k, true);
	if (xtcp_ipproto() != IPPROTO_TCP)
		p0 = xtcp_stat_get(NULL, "PAWSDrops");
	k.val += 1000;
	tx_ts(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, 10, k.val, k.recent);
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "ACK of data");
	expect_data(_metadata, c->fd, c->snd_nxt, 10);
	c->snd_nxt += 10;

	/* old TSval: dropped, the ACK still says snd_nxt and echoes k.val */
	tx_ts(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, 20, k.val - 500, k.recent);
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "PAWS ACK");
	EXPECT_EQ(c->snd_nxt, s.ack);
	expect_no_data(_metadata, c->fd);
	if (xtcp_ipproto() != IPPROTO_TCP)
		EXPECT_EQ(p0 + 1, xtcp_stat_get(NULL, "PAWSDrops"));

	/* the same data with a current TSval is accepted */
	tx_ts(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, 20, ++k.val, k.recent);
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "ACK of data");
	expect_data(_metadata, c->fd, c->snd_nxt, 20);
	c->snd_nxt += 20;

	/* RST with an old TSval: PAWS does not apply (§5.3 R1) */
	tx_ts(_metadata, self, c, XPKT_RST, c->snd_nxt, 0, k.val - 5000, k.recent);
	ASSERT_LE(0, wait_gone(c, REPLY_MS)) TH_LOG("RST with old TSval ignored");
	c->active = false;
}

/*
 * 5. RFC 7323 §3.2: once negotiated, a non-RST segment without timestamps
 * is counted (InNoTimestamp) and, as on Linux, accepted; a timestamps
 * option whose length is not 10 makes the segment malformed: dropped
 * silently and counted (InBadOptions). The connection goes on.
 */
TEST_F(pkt, ts_missing_or_malformed_dropped)
{
	struct tconn *c = &self->c;
	struct tsclock k;
	struct xpkt_seg s;
	long long nots = 0, bad = 0;

	need_xtcp();
	ts_passive_open(_metadata, self, c, 0x50000, &k, true);
	nots = xtcp_stat_get(NULL, "InNoTimestamp");
	bad = xtcp_stat_get(NULL, "InBadOptions");

	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, c->rcv_nxt, 30);
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "ACK of data");
	EXPECT_EQ(c->snd_nxt + 30, s.ack);
	expect_data(_metadata, c->fd, c->snd_nxt, 30);
	c->snd_nxt += 30;
	EXPECT_EQ(nots + 1, xtcp_stat_get(NULL, "InNoTimestamp"));

	/* kind 8, length 9, then padding: malformed */
	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt,
		      XPKT_ACK | XPKT_PSH);
	s.optlen = xpkt_opt_ts(s.opt, ++k.val, k.recent);
	s.opt[3] = 9;
	s.len = 30;
	xtcp_pattern(s.data, s.len, c->snd_nxt);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	expect_none(_metadata, self, c, QUIET_MS, "malformed timestamps");
	expect_no_data(_metadata, c->fd);
	EXPECT_EQ(bad + 1, xtcp_stat_get(NULL, "InBadOptions"));

	/* well-formed: delivered */
	tx_ts(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, 30, ++k.val, k.recent);
	expect_ts(_metadata, self, c, &s, XPKT_ACK, k.val, &k, "ACK of data");
	expect_data(_metadata, c->fd, c->snd_nxt, 30);
	c->snd_nxt += 30;
}

/*
 * 6. RFC 7323 §4 RTTM: the echo of a retransmitted segment's TSval is an
 * RTT sample (Karn's rule would allow none). The handshake's ACK, held
 * back 400 ms, makes SRTT about 400 ms; acknowledging the retransmission
 * of data at once, echoing its TSval, lowers it.
 */
TEST_F_TIMEOUT(pkt, rttm_from_retransmission, 30)
{
	struct tconn *c = &self->c;
	struct tcp_info a, b;
	struct tsclock k;
	struct xpkt_seg s;
	uint32_t v, e, first_tsval;
	long long t0;
	int one = 1, outq = -1;

	conn_init(self, c, 0x60000);
	c->lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, c->lfd);
	c->sport = ntohs(c->local.sin_port);
	k.val = TS0;
	xpkt_seg_init(&s, c->tport, c->sport, c->tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	s.optlen += xpkt_opt_ts(s.opt + s.optlen, k.val, 0);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->active = true;
	c->snd_nxt = c->tisn + 1;
	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	c->rcv_nxt = s.seq + 1;
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &v, &e));
	k.recent = v;
	sleep_ms(400);
	tx_ts(_metadata, self, c, XPKT_ACK, c->snd_nxt, 0, ++k.val, v);
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd);
	tcp_info_of(_metadata, c->fd, &a);
	TH_LOG("after the handshake: rtt %u us", a.tcpi_rtt);
	ASSERT_LE(300000U, a.tcpi_rtt) TH_LOG("no RTT sample from the SYN-ACK's echo");

	ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(10, send(c->fd, "0123456789", 10, 0));
	expect(_metadata, self, c, &s, XPKT_ACK, "data");
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &first_tsval, &e));
	/* no ACK: wait for the retransmission */
	do {
		ASSERT_LT(0, xpkt_recv(&self->p, &s, c->tport, 5000))
			TH_LOG("no retransmission");
	} while (s.seq != c->rcv_nxt || s.len != 10);
	ASSERT_EQ(1, xpkt_opt_ts_get(&s, &v, &e));
	EXPECT_NE(first_tsval, v) TH_LOG("retransmission with the same TSval");
	c->rcv_nxt += 10;
	tx_ts(_metadata, self, c, XPKT_ACK, c->snd_nxt, 0, ++k.val, v);
	/* the sample is taken when the ACK is processed: wait for that */
	t0 = xpkt_now_ms();
	while (ioctl(c->fd, SIOCOUTQ, &outq) == 0 && outq &&
	       xpkt_now_ms() - t0 < REPLY_MS)
		sleep_ms(10);
	ASSERT_EQ(0, outq) TH_LOG("the ACK was not processed");
	tcp_info_of(_metadata, c->fd, &b);
	TH_LOG("after the retransmission's ACK: rtt %u us", b.tcpi_rtt);
	EXPECT_GT(a.tcpi_rtt - 20000, b.tcpi_rtt);
	EXPECT_LE(1U, b.tcpi_total_retrans);
}

TEST_HARNESS_MAIN
