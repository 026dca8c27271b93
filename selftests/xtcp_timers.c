// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timer selftests at the packet level: the retransmission timer of
 * RFC 6298 against a fake peer that never answers (intervals doubling up to
 * net.xtcp.rto_max_ms, ETIMEDOUT after net.xtcp.retries2 or sooner with
 * TCP_USER_TIMEOUT, orphans after net.xtcp.orphan_retries) and keep-alive
 * (RFC 9293 §3.8.4: probes at TCP_KEEPIDLE/TCP_KEEPINTVL, ETIMEDOUT after
 * TCP_KEEPCNT unanswered ones, an answered probe keeps the connection).
 * The sysctls are lowered in the test namespace to keep the run short and
 * set back to their defaults afterwards.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "xtcp_pkttest.h"

FIXTURE_SETUP(pkt)
{
	pkt_fixture_setup(_metadata, self);
	pkt_sysctl_defaults(_metadata, 1000);
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
	if (xtcp_ipproto() != IPPROTO_TCP)
		pkt_timer_sysctls_reset();
}

/* Short timers: RTO from @init_ms, bounded by [100 ms, @max_ms]. */
static void short_rto(struct __test_metadata *_metadata, int init_ms,
		      int max_ms, int retries2)
{
	ASSERT_EQ(0, sysctl_set("rto_min_ms", 100));
	ASSERT_EQ(0, sysctl_set("rto_initial_ms", init_ms));
	ASSERT_EQ(0, sysctl_set("rto_max_ms", max_ms));
	ASSERT_EQ(0, sysctl_set("retries2", retries2));
}

/* SO_ERROR once poll() reports an error or hang-up within @ms; -1 if none. */
static int wait_error(struct __test_metadata *_metadata, int fd, int ms)
{
	socklen_t len = sizeof(int);
	int err = -1;

	if (xtcp_poll1(fd, POLLIN, ms) <= 0)
		return -1;
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	return err;
}

/*
 * Send @len bytes from the SUT and collect up to @max transmissions of that
 * segment (the first and its retransmissions) into @t, the fake peer never
 * acknowledging; stops after @quiet_ms without one. Returns the count.
 */
static int collect_rtx(struct __test_metadata *_metadata,
		       struct _test_data_pkt *self, struct tconn *c,
		       unsigned int len, long long *t, int max, int quiet_ms)
{
	char buf[256];
	struct xpkt_seg s;
	int n = 0, one = 1;

	ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	memset(buf, 'r', sizeof(buf));
	ASSERT_EQ((ssize_t)len, send(c->fd, buf, len, MSG_NOSIGNAL));
	while (n < max && xpkt_recv(&self->p, &s, c->tport, quiet_ms) > 0) {
		ASSERT_TRUE(s.csum_ok);
		if (s.seq != c->rcv_nxt || s.len != len) {
			log_seg("other", &s);
			continue;
		}
		t[n++] = s.t_ms;
	}
	return n;
}

/* @b - @a roughly twice @a - @prev: 1.5x to 2.7x (timer granularity, TCG) */
static bool doubled(long long prev, long long a, long long b)
{
	long long g1 = a - prev, g2 = b - a;

	return g2 * 10 >= g1 * 15 && g2 * 10 <= g1 * 27;
}

/* ===================================================================== */

/* 1. Documentation/sysctl.rst: the defaults of every timer sysctl. */
TEST_F(pkt, timer_sysctl_defaults)
{
	unsigned int i;

	need_xtcp();
	for (i = 0; i < PKT_TIMER_DEFAULTS; i++) {
		int got = sysctl_get(pkt_timer_defaults[i].name);

		if (got != pkt_timer_defaults[i].def)
			fprintf(stderr, "# net.xtcp.%s = %d, default %d\n",
				pkt_timer_defaults[i].name, got,
				pkt_timer_defaults[i].def);
		EXPECT_EQ(pkt_timer_defaults[i].def, got);
	}
	/* out of range values are refused */
	EXPECT_EQ(-1, sysctl_set("rto_min_ms", 0));
	EXPECT_EQ(-1, sysctl_set("rto_max_ms", 120001));
	EXPECT_EQ(-1, sysctl_set("keepalive_probes", 0));
	EXPECT_EQ(-1, sysctl_set("delack_ms", 201));
	EXPECT_EQ(-1, sysctl_set("timestamps", 2));
}

/*
 * 2. RFC 6298 §5.5, §5.6 and §2.5, RFC 1122 §4.2.3.5: the fake peer never
 * answers. The segment is retransmitted after 200 ms (rto_initial_ms),
 * then at doubling intervals until they reach rto_max_ms (800 ms), and
 * after retries2 = 5 retransmissions the connection fails with ETIMEDOUT.
 */
TEST_F_TIMEOUT(pkt, rto_backoff_capped_then_etimedout, 30)
{
	struct tconn *c = &self->c;
	long long t[10], ct0;
	int n, i, err;

	need_xtcp();
	short_rto(_metadata, 200, 800, 5);
	passive_open(_metadata, self, c, 0x100000, 0);
	ct0 = xtcp_stat_get(NULL, "ConnTimeouts");

	n = collect_rtx(_metadata, self, c, 100, t, 10, 2500);
	for (i = 1; i < n; i++)
		TH_LOG("retransmission %d after %lld ms", i, t[i] - t[i - 1]);
	ASSERT_EQ(6, n) TH_LOG("expected the segment 1 + retries2 times");
	/*
	 * 200, 400, 800 ms: doubling. Times are taken when the tool reads a
	 * frame, so a slow (debug) kernel may stamp the first one late and
	 * shorten only the first gap: it gets a lower bound on the ratio.
	 */
	EXPECT_LE((t[1] - t[0]) * 15, (t[2] - t[1]) * 10);
	EXPECT_TRUE(doubled(t[1], t[2], t[3]));
	/* then capped at rto_max_ms */
	for (i = 4; i < n; i++) {
		EXPECT_LE(600, t[i] - t[i - 1]);
		EXPECT_GE(1300, t[i] - t[i - 1]);
	}
	err = wait_error(_metadata, c->fd, 3000);
	ASSERT_EQ(ETIMEDOUT, err) TH_LOG("SO_ERROR %d", err);
	ASSERT_GE(wait_gone(c, 1000), 0);
	EXPECT_EQ(ct0 + 1, xtcp_stat_get(NULL, "ConnTimeouts"));
	c->active = false;
}

/*
 * 3. RFC 9293 §3.8.3 / RFC 5482 TCP_USER_TIMEOUT: with retries2 = 15 the
 * connection would retransmit for many seconds; a 1500 ms user timeout
 * ends it with ETIMEDOUT about 1.5 s after the data was first sent, at a
 * timer clamped to that moment.
 */
TEST_F_TIMEOUT(pkt, user_timeout_etimedout, 30)
{
	struct tconn *c = &self->c;
	int ut = 1500, n = 0, err;
	long long t0, ut0, dt;
	struct xpkt_seg s;
	char buf[50];
	socklen_t len = sizeof(int);

	need_xtcp();
	short_rto(_metadata, 200, 400, 15);
	passive_open(_metadata, self, c, 0x200000, 0);
	ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int)));
	XTCP_ASSERT_ERRNO(setsockopt(c->fd, SOL_TCP, TCP_USER_TIMEOUT,
				     &(int){ -1 }, sizeof(int)), EINVAL);
	ASSERT_EQ(0, setsockopt(c->fd, SOL_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut)));
	ut = 0;
	ASSERT_EQ(0, getsockopt(c->fd, SOL_TCP, TCP_USER_TIMEOUT, &ut, &len));
	ASSERT_EQ(1500, ut);
	ut0 = xtcp_stat_get(NULL, "UserTimeouts");

	/* the error must come long before retries2 would end it */
	memset(buf, 'u', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), send(c->fd, buf, sizeof(buf), MSG_NOSIGNAL));
	t0 = xpkt_now_ms();
	err = wait_error(_metadata, c->fd, 6000);
	dt = xpkt_now_ms() - t0;
	ASSERT_EQ(ETIMEDOUT, err) TH_LOG("SO_ERROR %d", err);
	/* the transmissions are waiting in the packet socket */
	while (xpkt_recv(&self->p, &s, c->tport, 0) > 0)
		if (s.seq == c->rcv_nxt && s.len == sizeof(buf))
			n++;
	TH_LOG("%d transmissions, ETIMEDOUT after %lld ms", n, dt);
	/* far fewer than 1 + retries2 transmissions, and about 1.5 s */
	EXPECT_LE(2, n);
	EXPECT_GE(6, n);
	EXPECT_LE(1300, dt);
	EXPECT_GE(2500, dt);
	EXPECT_EQ(ut0 + 1, xtcp_stat_get(NULL, "UserTimeouts"));
	c->active = false;
}

/*
 * 4. net.xtcp.orphan_retries (Linux semantics): an orphan (closed with
 * unacknowledged data) gives up after orphan_retries retransmissions, not
 * retries2, and disappears.
 */
TEST_F_TIMEOUT(pkt, orphan_retries, 30)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	char buf[64];
	int n = 0;

	need_xtcp();
	short_rto(_metadata, 200, 400, 15);
	ASSERT_EQ(0, sysctl_set("orphan_retries", 2));
	passive_open(_metadata, self, c, 0x300000, 0);
	memset(buf, 'o', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), send(c->fd, buf, sizeof(buf), MSG_NOSIGNAL));
	ASSERT_EQ(0, close(c->fd));
	c->fd = -1;
	/* the data (then with the FIN) goes out 1 + 2 times at its sequence */
	while (xpkt_recv(&self->p, &s, c->tport, 1500) > 0) {
		ASSERT_TRUE(s.csum_ok);
		if (s.seq == c->rcv_nxt)
			n++;
	}
	TH_LOG("%d transmissions of the orphan's first segment", n);
	EXPECT_LE(2, n);
	EXPECT_GE(4, n);
	ASSERT_GE(wait_gone(c, 3000), 0) TH_LOG("orphan still there");
	c->active = false;
}

/* Enable keep-alive with TCP_KEEPIDLE @idle s, TCP_KEEPINTVL @intvl s, @cnt. */
static void keepalive_on(struct __test_metadata *_metadata, int fd, int idle,
			 int intvl, int cnt)
{
	int one = 1;

	ASSERT_EQ(0, setsockopt(fd, SOL_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)));
	ASSERT_EQ(0, setsockopt(fd, SOL_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)));
	ASSERT_EQ(0, setsockopt(fd, SOL_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)));
}

/* Next keep-alive probe: an empty ACK at SND.UNA - 1 (RFC 9293 §3.8.4). */
static int keepalive_probe(struct __test_metadata *_metadata,
			   struct _test_data_pkt *self, struct tconn *c,
			   struct xpkt_seg *s, int ms)
{
	if (!rx(_metadata, self, c, s, ms))
		return 0;
	if (s->flags != XPKT_ACK || s->seq != c->rcv_nxt - 1 || s->len > 1 ||
	    s->ack != c->snd_nxt) {
		log_seg("not a keep-alive probe", s);
		return -1;
	}
	return 1;
}

/*
 * 5. TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT: TCP's ranges and EINVAL, and
 * the values read back; without them the net.xtcp defaults show.
 */
TEST_F(pkt, keepalive_sockopt_ranges)
{
	static const struct {
		int opt, bad_lo, bad_hi, good;
	} r[] = {
		{ TCP_KEEPIDLE, 0, 32768, 32767 },
		{ TCP_KEEPINTVL, 0, 32768, 1 },
		{ TCP_KEEPCNT, 0, 128, 127 },
	};
	socklen_t len = sizeof(int);
	int fd, v, i;

	fd = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, fd);
	if (xtcp_ipproto() != IPPROTO_TCP) {
		ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_KEEPIDLE, &v, &len));
		EXPECT_EQ(7200, v);
		ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_KEEPINTVL, &v, &len));
		EXPECT_EQ(75, v);
		ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_KEEPCNT, &v, &len));
		EXPECT_EQ(9, v);
	}
	for (i = 0; i < 3; i++) {
		XTCP_ASSERT_ERRNO(setsockopt(fd, SOL_TCP, r[i].opt, &r[i].bad_lo,
					     sizeof(int)), EINVAL);
		XTCP_ASSERT_ERRNO(setsockopt(fd, SOL_TCP, r[i].opt, &r[i].bad_hi,
					     sizeof(int)), EINVAL);
		ASSERT_EQ(0, setsockopt(fd, SOL_TCP, r[i].opt, &r[i].good,
					sizeof(int)));
		v = -1;
		ASSERT_EQ(0, getsockopt(fd, SOL_TCP, r[i].opt, &v, &len));
		EXPECT_EQ(r[i].good, v);
	}
	close(fd);
}

/*
 * 6. RFC 9293 §3.8.4: with TCP_KEEPIDLE 1 s, TCP_KEEPINTVL 1 s and
 * TCP_KEEPCNT 3, an idle connection whose peer stays silent sees three
 * probes about a second apart, then a RST, and the socket fails with
 * ETIMEDOUT.
 */
TEST_F_TIMEOUT(pkt, keepalive_unanswered_etimedout, 30)
{
	struct tconn *c = &self->c;
	long long t[4];
	struct xpkt_seg s;
	int i, err;

	passive_open(_metadata, self, c, 0x400000, 0);
	keepalive_on(_metadata, c->fd, 1, 1, 3);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, keepalive_probe(_metadata, self, c, &s, 2500))
			TH_LOG("probe %d", i + 1);
		t[i] = s.t_ms;
		c->sut_seen = false;
	}
	for (i = 1; i < 3; i++) {
		TH_LOG("probe gap %lld ms", t[i] - t[i - 1]);
		EXPECT_LE(700, t[i] - t[i - 1]);
		EXPECT_GE(1700, t[i] - t[i - 1]);
	}
	expect(_metadata, self, c, &s, XPKT_RST | XPKT_ACK, "RST after TCP_KEEPCNT probes");
	err = wait_error(_metadata, c->fd, 3000);
	ASSERT_EQ(ETIMEDOUT, err) TH_LOG("SO_ERROR %d", err);
	c->active = false;
}

/*
 * 7. RFC 9293 §3.8.4: an answered probe keeps the connection: with
 * TCP_KEEPCNT 2, three probes answered one after another (each next probe
 * waits TCP_KEEPIDLE again) leave it established and usable.
 */
TEST_F_TIMEOUT(pkt, keepalive_answered_stays, 30)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;
	int i;

	passive_open(_metadata, self, c, 0x500000, 0);
	keepalive_on(_metadata, c->fd, 1, 1, 2);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, keepalive_probe(_metadata, self, c, &s, 2500))
			TH_LOG("probe %d", i + 1);
		c->sut_seen = false;
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	}
	conn_alive(_metadata, self, c);
}

TEST_HARNESS_MAIN
