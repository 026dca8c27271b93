/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the packet-level selftests (xtcp_states, xtcp_hdr): the fake
 * peer's view of one connection, the common fixture, and the helpers that
 * send, receive and check segments and socket state. Header-only because
 * the helpers use the kselftest harness's assertions, which live in the
 * test program's translation unit.
 */
#ifndef _XTCP_PKTTEST_H
#define _XTCP_PKTTEST_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xtcp_test.h"
#include "xtcp_pkt.h"

#define SUT_WSCALE	7	/* the SUT's window scale shift */
#define PEER_MSS	1460
#define QUIET_MS	500	/* "no reply" means none within this time */
#define REPLY_MS	3000	/* bound on an expected reply */
#define FAR		0x40000000U	/* far outside any window */

/* One connection between the SUT and the fake peer. */
struct tconn {
	bool active;		/* the SUT may still hold state for it */
	uint16_t tport;		/* the fake peer's port */
	uint16_t sport;		/* the SUT's port */
	uint32_t tisn;		/* the fake peer's ISN */
	uint32_t snd_nxt;	/* the fake peer's next sequence number */
	uint32_t sisn;		/* the SUT's ISN */
	uint32_t rcv_nxt;	/* next sequence number expected from the SUT */
	uint32_t sut_end;	/* highest end of SUT data/SYN/FIN seen */
	bool sut_seen;
	int lfd;		/* listener (passive open) */
	int fd;			/* connected socket */
	struct sockaddr_in local;	/* the SUT's address and port */
	struct sockaddr_in rem;		/* the fake peer's */
};

/* FIXTURE_DATA(pkt), spelt "struct _test_data_pkt" in the helpers */
FIXTURE(pkt) {
	struct xtcp_env env;
	struct xpkt p;
	struct in_addr peer;
	struct tconn c;		/* the connection under test */
	struct tconn l;		/* probes to its listener (xtcp_hdr) */
	uint16_t next_port;
};

static inline bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* net.xtcp.@name as a string in @buf (newline removed); 0 or -1 */
static inline int sysctl_str(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Write the string @val to net.xtcp.@name; 0, or -1 with errno. */
static inline int sysctl_set_str(const char *name, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* net.xtcp.@name as an int; -1 if it does not exist */
static inline int sysctl_get(const char *name)
{
	char buf[32];

	return sysctl_str(name, buf, sizeof(buf)) ? -1 : atoi(buf);
}

static inline bool sysctl_has(const char *name)
{
	return sysctl_get(name) >= 0;
}

/* Write @val to net.xtcp.@name; -1 if it does not exist or fails. */
static inline int sysctl_set(const char *name, int val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", val);
	return sysctl_set_str(name, buf);
}

static inline void log_seg(const char *what, const struct xpkt_seg *s)
{
	char buf[160];

	xpkt_seg_str(s, buf, sizeof(buf));
	fprintf(stderr, "#   %s %s\n", what, buf);
}

/* A new connection record with a fresh fake-peer port. */
static inline void conn_init(struct _test_data_pkt *self, struct tconn *c, uint32_t tisn)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->lfd = -1;
	c->tport = self->next_port++;
	c->tisn = tisn;
	c->snd_nxt = tisn;
	xtcp_sin(&c->rem, self->peer, c->tport);
}

/* Send a segment on @c with @len pattern bytes (seeded by @seq). */
static inline void tx(struct __test_metadata *_metadata, struct _test_data_pkt *self,
		      const struct tconn *c, uint8_t flags, uint32_t seq, uint32_t ack,
		      unsigned int len)
{
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, seq, ack, flags);
	s.len = len;
	xtcp_pattern(s.data, len, seq);
	ASSERT_EQ(0, xpkt_send(&self->p, &s))
		TH_LOG("send: %s", strerror(errno));
}

/*
 * Next segment from the SUT on @c within @ms, skipping retransmissions of
 * data, SYN or FIN seen before (the SUT's timers may fire at any time).
 * Return: 1 with a segment (checksums verified), 0 on timeout.
 */
static inline int rx(struct __test_metadata *_metadata, struct _test_data_pkt *self,
		     struct tconn *c, struct xpkt_seg *s, int ms)
{
	long long end = xpkt_now_ms() + ms;
	long long left;
	uint32_t e;
	int r;

	for (;;) {
		left = end - xpkt_now_ms();
		r = xpkt_recv(&self->p, s, c->tport, left > 0 ? (int)left : 0);
		ASSERT_LE(0, r) TH_LOG("recv: %s", strerror(errno));
		if (!r)
			return 0;
		if (!s->csum_ok)
			log_seg("bad checksum:", s);
		ASSERT_TRUE(s->csum_ok);
		e = s->seq + s->len + !!(s->flags & XPKT_SYN) +
		    !!(s->flags & XPKT_FIN);
		if (e == s->seq || (s->flags & XPKT_RST))
			return 1;
		if (c->sut_seen && !seq_after(e, c->sut_end)) {
			log_seg("(retransmission skipped)", s);
			continue;
		}
		c->sut_seen = true;
		c->sut_end = e;
		return 1;
	}
}

/* Expect a segment with exactly @flags (PSH ignored) within REPLY_MS. */
static inline void expect(struct __test_metadata *_metadata, struct _test_data_pkt *self,
			  struct tconn *c, struct xpkt_seg *s, uint8_t flags,
			  const char *what)
{
	char want[48];

	xpkt_flags_str(flags, want, sizeof(want));
	if (!rx(_metadata, self, c, s, REPLY_MS)) {
		TH_LOG("%s: no segment within %d ms (wanted %s)", what,
		       REPLY_MS, want);
		ASSERT_TRUE(false);
	}
	if ((s->flags & ~XPKT_PSH) != flags) {
		log_seg("got", s);
		TH_LOG("%s: wanted flags %s", what, want);
	}
	ASSERT_EQ(flags, s->flags & ~XPKT_PSH);
}

/* Expect no segment on @c for @ms (retransmissions aside). */
static inline void expect_none(struct __test_metadata *_metadata,
			       struct _test_data_pkt *self, struct tconn *c, int ms,
			       const char *what)
{
	struct xpkt_seg s;

	if (rx(_metadata, self, c, &s, ms)) {
		log_seg("unexpected", &s);
		TH_LOG("%s: expected no reply", what);
		ASSERT_TRUE(false);
	}
}

static inline int state(struct tconn *c)
{
	return xtcp_proc_state(NULL, &c->local, &c->rem);
}

static inline void expect_state(struct __test_metadata *_metadata, struct tconn *c,
				int st)
{
	int got = xtcp_proc_wait_state(NULL, &c->local, &c->rem, st,
				       REPLY_MS);

	if (got != st) {
		TH_LOG("state %02X, wanted %02X", got, st);
		xtcp_proc_dump(NULL);
	}
	ASSERT_EQ(st, got);
}

/* Wait up to @ms for the /proc/net/xtcp entry of @c to go; its age or -1. */
static inline long long wait_gone(struct tconn *c, int ms)
{
	long long t0 = xpkt_now_ms();
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };

	while (xpkt_now_ms() - t0 <= ms) {
		if (state(c) < 0 && errno == ENOENT)
			return xpkt_now_ms() - t0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* recv() on the SUT socket must have nothing (and no error) right now. */
static inline void expect_no_data(struct __test_metadata *_metadata, int fd)
{
	char b[64];
	ssize_t n;

	n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
	if (n >= 0)
		TH_LOG("recv returned %zd bytes that must not have arrived", n);
	ASSERT_EQ(-1, n);
	ASSERT_EQ(EAGAIN, errno) TH_LOG("recv: %s", strerror(errno));
}

/* The SUT socket must deliver exactly the pattern bytes of [seq, seq+len). */
static inline void expect_data(struct __test_metadata *_metadata, int fd,
			       uint32_t seq, unsigned int len)
{
	char want[XPKT_MAX_DATA], got[XPKT_MAX_DATA];

	xtcp_pattern(want, len, seq);
	ASSERT_EQ((ssize_t)len, xtcp_recv_all(fd, got, len))
		TH_LOG("recv: %s", strerror(errno));
	ASSERT_EQ(0, memcmp(want, got, len));
	expect_no_data(_metadata, fd);
}

/* Our data segment (PSH) at snd_nxt: ACKed and delivered exactly once. */
static inline void push_data(struct __test_metadata *_metadata,
			     struct _test_data_pkt *self, struct tconn *c,
			     unsigned int len)
{
	struct xpkt_seg s;

	tx(_metadata, self, c, XPKT_ACK | XPKT_PSH, c->snd_nxt, c->rcv_nxt,
	   len);
	expect(_metadata, self, c, &s, XPKT_ACK, "ACK of data");
	ASSERT_EQ(c->snd_nxt + len, s.ack);
	ASSERT_EQ(c->rcv_nxt, s.seq);
	expect_data(_metadata, c->fd, c->snd_nxt, len);
	c->snd_nxt += len;
}

/* The connection still works: data both ways. */
static inline void conn_alive(struct __test_metadata *_metadata,
			      struct _test_data_pkt *self, struct tconn *c)
{
	struct xpkt_seg s;

	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	push_data(_metadata, self, c, 20);
	ASSERT_EQ(5, send(c->fd, "hello", 5, MSG_NOSIGNAL));
	expect(_metadata, self, c, &s, XPKT_ACK, "data from the SUT");
	ASSERT_EQ(c->rcv_nxt, s.seq);
	ASSERT_EQ(5U, s.len);
	ASSERT_EQ(0, memcmp(s.data, "hello", 5));
	c->rcv_nxt += 5;
	tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
}

/*
 * Passive open by hand (RFC 9293 §3.5 figure 6, §3.10.7.2): listener in A,
 * our SYN with MSS and window scale 0, the @xoptlen bytes of @xopt, and
 * ISN @tisn, its SYN-ACK, our ACK (carrying @len bytes of data when
 * @len > 0), accept().
 */
static inline void passive_open_opt(struct __test_metadata *_metadata,
				    struct _test_data_pkt *self, struct tconn *c,
				    uint32_t tisn, unsigned int len,
				    const uint8_t *xopt, unsigned int xoptlen)
{
	struct xpkt_seg s;

	conn_init(self, c, tisn);
	c->lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, c->lfd) TH_LOG("listen: %s", strerror(errno));
	c->sport = ntohs(c->local.sin_port);

	xpkt_seg_init(&s, c->tport, c->sport, tisn, 0, XPKT_SYN);
	s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
	ASSERT_GE((unsigned int)XPKT_MAX_OPT, s.optlen + xoptlen);
	if (xoptlen)
		memcpy(s.opt + s.optlen, xopt, xoptlen);
	s.optlen += xoptlen;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->active = true;
	c->snd_nxt = tisn + 1;

	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	ASSERT_EQ(tisn + 1, s.ack);
	ASSERT_LT(0, xpkt_opt_mss(&s)) TH_LOG("SYN-ACK without MSS option");
	ASSERT_EQ(SUT_WSCALE, xpkt_opt_wscale(&s));
	ASSERT_NE(0, s.win);
	ASSERT_EQ(0U, s.len);
	c->sisn = s.seq;
	c->rcv_nxt = s.seq + 1;

	tx(_metadata, self, c, XPKT_ACK | (len ? XPKT_PSH : 0), c->snd_nxt,
	   c->rcv_nxt, len);
	c->fd = xtcp_accept_timeout(c->lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("accept: %s", strerror(errno));
	if (len) {
		expect(_metadata, self, c, &s, XPKT_ACK, "ACK of data");
		ASSERT_EQ(c->snd_nxt + len, s.ack);
		ASSERT_EQ(c->rcv_nxt, s.seq);
		expect_data(_metadata, c->fd, c->snd_nxt, len);
		c->snd_nxt += len;
	}
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
}

/* passive_open_opt() with MSS and window scale 0 only */
static inline void passive_open(struct __test_metadata *_metadata,
				struct _test_data_pkt *self, struct tconn *c,
				uint32_t tisn, unsigned int len)
{
	passive_open_opt(_metadata, self, c, tisn, len, NULL, 0);
}

/* --- fixture ------------------------------------------------------------ */

/*
 * Common start of both suites' FIXTURE_SETUP: the packet endpoint of the
 * fake peer (pkt_wrap.sh exports its address and interfaces), the test
 * process in namespace A, and a port range of its own for the peer.
 */
static inline void pkt_fixture_setup(struct __test_metadata *_metadata,
				     struct _test_data_pkt *self)
{
	const char *peer = getenv("XTCP_PKT_PEER");
	const char *if_a = getenv("XTCP_PKT_IF_A");
	const char *if_b = getenv("XTCP_PKT_IF_B");

	self->c.fd = -1;
	self->c.lfd = -1;
	self->l.fd = -1;
	self->l.lfd = -1;
	self->p.fd = -1;
	if (!xtcp_loaded())
		XTCP_SKIP("xtcp module not loaded");
	if (xtcp_env_get(&self->env) || !peer || !if_a || !if_b ||
	    inet_pton(AF_INET, peer, &self->peer) != 1)
		XTCP_SKIP("XTCP_PKT_PEER/IF_A/IF_B unset: run via pkt_wrap.sh");
	ASSERT_EQ(0, xtcp_setns(self->env.ns_a))
		TH_LOG("setns %s: %s", self->env.ns_a, strerror(errno));
	ASSERT_EQ(0, xpkt_open(&self->p, self->env.ns_b, if_b, self->env.ns_a,
			       if_a, self->peer, self->env.addr_a))
		TH_LOG("packet endpoint on %s: %s", if_b, strerror(errno));
	srandom(getpid() ^ (unsigned int)xpkt_now_ms());
	self->next_port = 20000 + random() % 40000;
	/*
	 * The fake peer reads segments as a wire carries them: veth would
	 * hand it the SUT's GSO skbs whole (xtcp_transfer tests those).
	 */
	sysctl_set("gso", 0);
}

/*
 * The net.xtcp settings every packet-level case starts from, with TIME-WAIT
 * lasting 2 x @msl_ms (XTCP_TEST_AS_TCP runs have no net.xtcp at all).
 */
static inline void pkt_sysctl_defaults(struct __test_metadata *_metadata,
				       int msl_ms)
{
	if (xtcp_ipproto() != IPPROTO_TCP) {
		ASSERT_EQ(0, sysctl_set("msl_ms", msl_ms));
		ASSERT_EQ(0, sysctl_set("syn_retries", 6));
		/*
		 * The suites script every segment of RFC 793/6298/5681/6675
		 * scenarios; a tail loss probe would add segments of its own
		 * into their quiet periods. xtcp_rack turns it back on.
		 */
		ASSERT_EQ(0, sysctl_set("rack_tlp", 0));
	}
	sysctl_set("rfc1337", 1);
	sysctl_set("challenge_ack_limit", 1000);
	sysctl_set("rst_limit", 1000);
	sysctl_set("fin_timeout_ms", 60000);
	sysctl_set("max_tw_buckets", 262144);
}

/* net.xtcp timer and option defaults (Documentation/sysctl.rst) */
static const struct {
	const char *name;
	int def;
} pkt_timer_defaults[] = {
	{ "rto_min_ms", 200 },
	{ "rto_max_ms", 120000 },
	{ "rto_initial_ms", 1000 },
	{ "retries2", 15 },
	{ "orphan_retries", 0 },
	{ "keepalive_time_ms", 7200000 },
	{ "keepalive_intvl_ms", 75000 },
	{ "keepalive_probes", 9 },
	{ "delack_ms", 40 },
	{ "timestamps", 1 },
};

#define PKT_TIMER_DEFAULTS	ARRAY_SIZE(pkt_timer_defaults)

/* Set the sysctls of pkt_timer_defaults back (a test may lower them). */
static inline void pkt_timer_sysctls_reset(void)
{
	unsigned int i;

	if (xtcp_ipproto() == IPPROTO_TCP)
		return;
	for (i = 0; i < PKT_TIMER_DEFAULTS; i++)
		sysctl_set(pkt_timer_defaults[i].name, pkt_timer_defaults[i].def);
}

/* Skip a case that needs XTCP's own sysctls or counters. */
#define need_xtcp() do {						\
	if (xtcp_ipproto() == IPPROTO_TCP)				\
		XTCP_SKIP("net.xtcp sysctls and counters are XTCP's own"); \
} while (0)

/*
 * Common FIXTURE_TEARDOWN: close the sockets, reset what the SUT may still
 * retransmit to us, and fail on any bad checksum it sent.
 */
static inline void pkt_fixture_teardown(struct __test_metadata *_metadata,
					struct _test_data_pkt *self)
{
	struct xpkt_seg s;

	if (self->c.fd >= 0)
		close(self->c.fd);
	if (self->c.lfd >= 0)
		close(self->c.lfd);
	if (self->l.fd >= 0)
		close(self->l.fd);
	if (self->p.fd < 0)
		return;
	if (self->c.active) {
		xpkt_seg_init(&s, self->c.tport, self->c.sport,
			      self->c.snd_nxt, 0, XPKT_RST);
		xpkt_send(&self->p, &s);
	}
	/* FINs of sockets the test closed, retransmissions: reset them all */
	xpkt_reset_all(&self->p, 30, 2000);
	EXPECT_EQ(0U, self->p.bad_csum)
		TH_LOG("%u segment(s) from the SUT had bad checksums",
		       self->p.bad_csum);
	xpkt_close(&self->p);
}

#endif /* _XTCP_PKTTEST_H */
