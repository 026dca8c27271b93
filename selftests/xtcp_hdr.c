// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP header-validation selftests at the packet level (RFC 9293 §3.1,
 * §3.2, §3.10.7, RFC 7323 §2.3). The socket under test lives in namespace
 * A (10.88.1.1); the test plays a peer at 10.88.1.3 through an AF_PACKET
 * endpoint on B's veth end (xtcp_pkt.h, set up by pkt_wrap.sh). Malformed
 * segments - bad checksum, data offset, length, options, flags - are sent
 * to a listener and to an established connection; each must be dropped
 * without any reply, counted in /proc/net/xtcp_stat, deliver nothing, and
 * leave the connection usable. Headers xpkt_send() cannot express (data
 * offset not matching the header, truncated segments) are built here.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/xtcp.h>

#include "xtcp_pkttest.h"

/* room for the headers built by hand below */
#define TH_LEN		20
#define SEG_MAX		(TH_LEN + 40 + 200)

/*
 * Wait (bounded) until counter @name reaches @want: the stack handles an
 * injected frame in softirq context, possibly after send() returned.
 */
static long long stat_wait(const char *name, long long want)
{
	long long t0 = xpkt_now_ms(), v;

	for (;;) {
		v = xtcp_stat_get(NULL, name);
		if (v >= want || xpkt_now_ms() - t0 > REPLY_MS)
			return v;
		sleep_ms(10);
	}
}

/* --- fixture --------------------------------------------------------- */

FIXTURE_SETUP(pkt)
{
	if (xtcp_ipproto() != IPPROTO_XTCP)
		XTCP_SKIP("the counters are XTCP's /proc/net/xtcp_stat");
	pkt_fixture_setup(_metadata, self);
	ASSERT_EQ(0, sysctl_set("msl_ms", 1000));
	sysctl_set("challenge_ack_limit", 1000);
	sysctl_set("rst_limit", 1000);
}

FIXTURE_TEARDOWN(pkt)
{
	pkt_fixture_teardown(_metadata, self);
}

/* A header in @th: data offset field @doff (in words), no checksum yet. */
static void raw_hdr(uint8_t *th, uint16_t sport, uint16_t dport, uint32_t seq,
		    uint32_t ack, unsigned int doff, uint8_t flags, uint16_t win)
{
	memset(th, 0, TH_LEN);
	xpkt_put16(th, sport);
	xpkt_put16(th + 2, dport);
	xpkt_put32(th + 4, seq);
	xpkt_put32(th + 8, ack);
	th[12] = (doff & 15) << 4;
	th[13] = flags;
	xpkt_put16(th + 14, win);
}

/* Checksum of the @len bytes at @th (pseudo-header with @p's protocol). */
static void raw_csum(const struct xpkt *p, uint8_t *th, unsigned int len)
{
	xpkt_put16(th + 16, 0);
	xpkt_put16(th + 16, xpkt_l4_csum(p->me, p->sut, p->proto, th, len));
}

/* --- segment helpers (the patterns of xtcp_states.c) -------------------- */

/* A fresh fake-peer port aimed at the listener of self->c. */
static void probe_init(struct _test_data_pkt *self, struct tconn *l,
		       uint32_t tisn)
{
	conn_init(self, l, tisn);
	l->sport = self->c.sport;
	l->local = self->c.local;
}

/*
 * Handshake from @c (conn_init()ed, sport/local set) to the listener
 * self->c.lfd with SYN options @opt/@optlen; the ACK offers window field
 * @win. Leaves @c established with its accept()ed socket in c->fd.
 */
static void handshake(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, struct tconn *c,
		      uint32_t tisn, const uint8_t *opt, unsigned int optlen,
		      uint16_t win)
{
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, tisn, 0, XPKT_SYN);
	memcpy(s.opt, opt, optlen);
	s.optlen = optlen;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->active = true;
	c->snd_nxt = tisn + 1;
	expect(_metadata, self, c, &s, XPKT_SYN | XPKT_ACK, "SYN-ACK");
	ASSERT_EQ(tisn + 1, s.ack);
	c->rcv_nxt = s.seq + 1;
	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, XPKT_ACK);
	s.win = win;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	c->fd = xtcp_accept_timeout(self->c.lfd, REPLY_MS);
	ASSERT_LE(0, c->fd) TH_LOG("accept: %s", strerror(errno));
	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
}

/*
 * RFC 9293 §3.5 figure 6: the listener in A (self->c.lfd) and the
 * established connection self->c, our SYN with MSS and window scale 0.
 */
static void open_conn(struct __test_metadata *_metadata,
		      struct _test_data_pkt *self, uint32_t tisn)
{
	struct tconn *c = &self->c;
	uint8_t opt[8];
	unsigned int n;
	int lfd;

	conn_init(self, c, tisn);
	lfd = xtcp_listen_in(NULL, self->env.addr_a, &c->local);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	c->lfd = lfd;
	c->sport = ntohs(c->local.sin_port);
	n = xpkt_opt_syn(opt, PEER_MSS, 0);
	handshake(_metadata, self, c, tisn, opt, n, 65535);
}

/* No connection from probe @l: no /proc entry, nothing to accept. */
static void expect_no_conn(struct __test_metadata *_metadata,
			   struct _test_data_pkt *self, struct tconn *l)
{
	int st = xtcp_proc_state(NULL, &l->local, &l->rem);

	if (st >= 0) {
		TH_LOG("a connection in state %02X was created", st);
		xtcp_proc_dump(NULL);
	}
	ASSERT_EQ(-1, st);
	ASSERT_EQ(0, xtcp_poll1(self->c.lfd, POLLIN, 0));
}

/* Counters that must move by exactly the given amounts. */
struct ctrs {
	long long csum, hdr, opt, flags, errs;
};

static void ctrs_get(struct ctrs *k)
{
	k->csum = xtcp_stat_get(NULL, "InCsumErrors");
	k->hdr = xtcp_stat_get(NULL, "InBadHeader");
	k->opt = xtcp_stat_get(NULL, "InBadOptions");
	k->flags = xtcp_stat_get(NULL, "InBadFlags");
	k->errs = xtcp_stat_get(NULL, "InErrs");
}

/* Wait for counter deltas @d (from @k0) and check none went further. */
static void ctrs_expect(struct __test_metadata *_metadata,
			const struct ctrs *k0, const struct ctrs *d)
{
	struct ctrs k;

	ASSERT_LE(0, k0->csum);
	ASSERT_LE(0, k0->hdr);
	ASSERT_LE(0, k0->opt);
	ASSERT_LE(0, k0->flags);
	ASSERT_LE(0, k0->errs);
	stat_wait("InCsumErrors", k0->csum + d->csum);
	stat_wait("InBadHeader", k0->hdr + d->hdr);
	stat_wait("InBadOptions", k0->opt + d->opt);
	stat_wait("InBadFlags", k0->flags + d->flags);
	stat_wait("InErrs", k0->errs + d->errs);
	ctrs_get(&k);
	EXPECT_EQ(d->csum, k.csum - k0->csum) TH_LOG("InCsumErrors");
	EXPECT_EQ(d->hdr, k.hdr - k0->hdr) TH_LOG("InBadHeader");
	EXPECT_EQ(d->opt, k.opt - k0->opt) TH_LOG("InBadOptions");
	EXPECT_EQ(d->flags, k.flags - k0->flags) TH_LOG("InBadFlags");
	EXPECT_EQ(d->errs, k.errs - k0->errs) TH_LOG("InErrs");
}

/* A SYN to the listener from probe @l with options @opt (@n bytes, padded). */
static void syn_with_opts(struct __test_metadata *_metadata,
			  struct _test_data_pkt *self, struct tconn *l,
			  const uint8_t *opt, unsigned int n)
{
	uint8_t th[SEG_MAX];
	unsigned int olen = (n + 3) & ~3U;

	raw_hdr(th, l->tport, l->sport, l->tisn, 0, (TH_LEN + olen) / 4,
		XPKT_SYN, 65535);
	memset(th + TH_LEN, 0, olen);
	memcpy(th + TH_LEN, opt, n);
	raw_csum(&self->p, th, TH_LEN + olen);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN + olen));
}

/* A data segment (ACK,PSH, @len pattern bytes) on @c with options @opt. */
static void data_with_opts(struct __test_metadata *_metadata,
			   struct _test_data_pkt *self, struct tconn *c,
			   const uint8_t *opt, unsigned int n, unsigned int len)
{
	uint8_t th[SEG_MAX];
	unsigned int olen = (n + 3) & ~3U;

	raw_hdr(th, c->tport, c->sport, c->snd_nxt, c->rcv_nxt,
		(TH_LEN + olen) / 4, XPKT_ACK | XPKT_PSH, 65535);
	memset(th + TH_LEN, 0, olen);
	memcpy(th + TH_LEN, opt, n);
	xtcp_pattern(th + TH_LEN + olen, len, c->snd_nxt);
	raw_csum(&self->p, th, TH_LEN + olen + len);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN + olen + len));
}

/* ===================================================================== */

/*
 * 1. RFC 9293 §3.1 (Checksum) and §3.10.7.4: a segment whose checksum does
 * not verify - one payload bit flipped after computing it - is dropped
 * without a reply, not delivered, and counted as InCsumErrors and InErrs;
 * likewise a SYN to the listener (no SYN-ACK).
 */
TEST_F(pkt, bad_checksum)
{
	struct ctrs k0, d = { .csum = 2, .errs = 2 };
	struct tconn *c = &self->c, *l = &self->l;
	uint8_t th[SEG_MAX];

	open_conn(_metadata, self, 0x1000);
	ctrs_get(&k0);

	raw_hdr(th, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, 5,
		XPKT_ACK | XPKT_PSH, 65535);
	xtcp_pattern(th + TH_LEN, 100, c->snd_nxt);
	raw_csum(&self->p, th, TH_LEN + 100);
	th[TH_LEN + 50] ^= 0x10;
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN + 100));

	probe_init(self, l, 0x2000);
	raw_hdr(th, l->tport, l->sport, l->tisn, 0, 5, XPKT_SYN, 65535);
	raw_csum(&self->p, th, TH_LEN);
	th[7] ^= 0x01;			/* a sequence number bit */
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN));

	ctrs_expect(_metadata, &k0, &d);
	expect_none(_metadata, self, c, QUIET_MS, "bad checksum, established");
	expect_none(_metadata, self, l, 0, "bad checksum, SYN to listener");
	expect_no_data(_metadata, c->fd);
	expect_no_conn(_metadata, self, l);
	conn_alive(_metadata, self, c);
}

/*
 * 2. RFC 9293 §3.1 (Data Offset: the header is at least five 32-bit
 * words): data offset 4 is dropped and counted as InBadHeader (and
 * InErrs), both as a SYN to the listener and as data on the connection.
 */
TEST_F(pkt, data_offset_below_5)
{
	struct ctrs k0, d = { .hdr = 2, .errs = 2 };
	struct tconn *c = &self->c, *l = &self->l;
	uint8_t th[SEG_MAX];

	open_conn(_metadata, self, 0x3000);
	ctrs_get(&k0);

	raw_hdr(th, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, 4,
		XPKT_ACK | XPKT_PSH, 65535);
	xtcp_pattern(th + TH_LEN, 100, c->snd_nxt);
	raw_csum(&self->p, th, TH_LEN + 100);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN + 100));

	probe_init(self, l, 0x4000);
	raw_hdr(th, l->tport, l->sport, l->tisn, 0, 4, XPKT_SYN, 65535);
	raw_csum(&self->p, th, TH_LEN);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN));

	ctrs_expect(_metadata, &k0, &d);
	expect_none(_metadata, self, c, QUIET_MS, "doff 4, established");
	expect_none(_metadata, self, l, 0, "doff 4, SYN to listener");
	expect_no_data(_metadata, c->fd);
	expect_no_conn(_metadata, self, l);
	conn_alive(_metadata, self, c);
}

/*
 * 3. RFC 9293 §3.1 (Data Offset) and §3.10.7.4: a data offset past the end
 * of the segment - 15 words on a bare 20-byte header, and on 20 + 30 bytes
 * of data - is dropped as InBadHeader.
 */
TEST_F(pkt, data_offset_past_end)
{
	struct ctrs k0, d = { .hdr = 2, .errs = 2 };
	struct tconn *c = &self->c, *l = &self->l;
	uint8_t th[SEG_MAX];

	open_conn(_metadata, self, 0x5000);
	ctrs_get(&k0);

	raw_hdr(th, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, 15,
		XPKT_ACK | XPKT_PSH, 65535);
	xtcp_pattern(th + TH_LEN, 30, c->snd_nxt);
	raw_csum(&self->p, th, TH_LEN + 30);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN + 30));

	probe_init(self, l, 0x6000);
	raw_hdr(th, l->tport, l->sport, l->tisn, 0, 15, XPKT_SYN, 65535);
	raw_csum(&self->p, th, TH_LEN);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, TH_LEN));

	ctrs_expect(_metadata, &k0, &d);
	expect_none(_metadata, self, c, QUIET_MS, "doff 15, established");
	expect_none(_metadata, self, l, 0, "doff 15, SYN to listener");
	expect_no_data(_metadata, c->fd);
	expect_no_conn(_metadata, self, l);
	conn_alive(_metadata, self, c);
}

/*
 * 4. RFC 9293 §3.1 (the fixed header is 20 bytes): a datagram whose IP
 * total length covers only 12 bytes of transport header (ports, sequence
 * and acknowledgment numbers of a valid connection) is dropped as
 * InBadHeader.
 */
TEST_F(pkt, segment_shorter_than_header)
{
	struct ctrs k0, d = { .hdr = 2, .errs = 2 };
	struct tconn *c = &self->c, *l = &self->l;
	uint8_t th[SEG_MAX];

	open_conn(_metadata, self, 0x7000);
	ctrs_get(&k0);

	raw_hdr(th, c->tport, c->sport, c->snd_nxt, c->rcv_nxt, 5, XPKT_ACK,
		65535);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, 12));
	probe_init(self, l, 0x8000);
	raw_hdr(th, l->tport, l->sport, l->tisn, 0, 5, XPKT_SYN, 65535);
	ASSERT_EQ(0, xpkt_send_raw(&self->p, th, 12));

	ctrs_expect(_metadata, &k0, &d);
	expect_none(_metadata, self, c, QUIET_MS, "12-byte segment, established");
	expect_none(_metadata, self, l, 0, "12-byte SYN to listener");
	expect_no_conn(_metadata, self, l);
	conn_alive(_metadata, self, c);
}

/*
 * 5a. RFC 9293 §3.1 (Options: kind, length counting kind and length
 * octets) and §3.2 ("MUST be prepared to handle an illegal option length
 * (e.g., zero)" without crashing): a truncated MSS, an option longer than
 * the header, a zero-length and a length-1 option make a SYN to the
 * listener and a data segment on the connection be dropped, each counted
 * as InBadOptions, with no SYN-ACK, no ACK and nothing delivered.
 */
TEST_F(pkt, malformed_options)
{
	static const struct {
		const char *what;
		uint8_t opt[8];
		unsigned int n;
	} bad[] = {
		{ "truncated MSS (2 bytes left)", { 1, 1, 2, 4 }, 4 },
		{ "option beyond the header", { 2, 4, 5, 180, 99, 12, 0, 0 }, 8 },
		{ "zero-length option", { 9, 0, 0, 0 }, 4 },
		{ "length-1 option", { 99, 1, 1, 1 }, 4 },
	};
	struct ctrs k0, d = { 0 };
	struct tconn *c = &self->c;
	struct tconn probes[4];
	unsigned int i;

	open_conn(_metadata, self, 0x9000);
	ctrs_get(&k0);
	for (i = 0; i < 4; i++) {
		probe_init(self, &probes[i], 0x10000 * (i + 1));
		syn_with_opts(_metadata, self, &probes[i], bad[i].opt,
			      bad[i].n);
		data_with_opts(_metadata, self, c, bad[i].opt, bad[i].n, 50);
	}
	d.opt = 8;
	d.errs = 8;
	ctrs_expect(_metadata, &k0, &d);
	expect_none(_metadata, self, c, QUIET_MS, "bad options, established");
	expect_no_data(_metadata, c->fd);
	for (i = 0; i < 4; i++) {
		TH_LOG("checking: %s", bad[i].what);
		expect_none(_metadata, self, &probes[i], 0, bad[i].what);
		expect_no_conn(_metadata, self, &probes[i]);
	}
	conn_alive(_metadata, self, c);
}

/*
 * 5b. RFC 9293 §3.2 ("MUST ignore without error any TCP option it does not
 * implement, assuming that the option has a length field") and §3.1 (NOP
 * between options, EOL ends the list, what follows is padding): a SYN
 * with unknown kind 99 length 6 gets a SYN-ACK and becomes a connection; a
 * SYN with NOPs around an MSS of 1000 and garbage after EOL is accepted and
 * its MSS honoured (TCP_INFO snd_mss).
 */
TEST_F(pkt, unknown_option_and_padding)
{
	static const uint8_t unknown[] = {
		2, 4, PEER_MSS >> 8, PEER_MSS & 0xff, 99, 6, 1, 2, 3, 4, 1, 1
	};
	static const uint8_t padded[] = {
		1, 1, 2, 4, 1000 >> 8, 1000 & 0xff, 1, 0, 2, 1, 9, 0
	};
	struct ctrs k0, d = { 0 };
	struct tconn a, b;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	open_conn(_metadata, self, 0xA000);
	ctrs_get(&k0);
	probe_init(self, &a, 0xB000);
	handshake(_metadata, self, &a, 0xB000, unknown, sizeof(unknown),
		  65535);
	conn_alive(_metadata, self, &a);
	close(a.fd);

	probe_init(self, &b, 0xC000);
	handshake(_metadata, self, &b, 0xC000, padded, sizeof(padded), 65535);
	ASSERT_EQ(0, getsockopt(b.fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(1000U, ti.tcpi_snd_mss) TH_LOG("MSS after NOPs not used");
	conn_alive(_metadata, self, &b);
	close(b.fd);
	ctrs_expect(_metadata, &k0, &d);
	conn_alive(_metadata, self, &self->c);
	/* RST both so that nothing retransmits to us */
	tx(_metadata, self, &a, XPKT_RST, a.snd_nxt, 0, 0);
	tx(_metadata, self, &b, XPKT_RST, b.snd_nxt, 0, 0);
}

/*
 * 6a. RFC 9293 §3.1 (SYN with FIN or RST is meaningless), §3.10.7.2 and
 * §3.10.7.4 fifth ("if the ACK bit is off, drop the segment"): SYN+FIN, SYN+RST and
 * no flags at all are dropped without reply and counted as InBadFlags, at
 * the listener (no connection) and on the connection (no reset, no data).
 */
TEST_F(pkt, illegal_flags)
{
	static const uint8_t fl[] = {
		XPKT_SYN | XPKT_FIN, XPKT_SYN | XPKT_RST, 0
	};
	struct ctrs k0, d = { 0 };
	struct tconn *c = &self->c;
	struct tconn probes[3];
	struct xpkt_seg s;
	unsigned int i;

	open_conn(_metadata, self, 0xD000);
	ctrs_get(&k0);
	for (i = 0; i < 3; i++) {
		probe_init(self, &probes[i], 0x100000 * (i + 1));
		xpkt_seg_init(&s, probes[i].tport, probes[i].sport,
			      probes[i].tisn, 0, fl[i]);
		s.optlen = xpkt_opt_syn(s.opt, PEER_MSS, 0);
		ASSERT_EQ(0, xpkt_send(&self->p, &s));
		/* on the connection, at exactly RCV.NXT, with data */
		tx(_metadata, self, c, fl[i], c->snd_nxt, c->rcv_nxt, 40);
	}
	d.flags = 6;
	ctrs_expect(_metadata, &k0, &d);
	expect_none(_metadata, self, c, QUIET_MS, "illegal flags, established");
	expect_no_data(_metadata, c->fd);
	for (i = 0; i < 3; i++) {
		expect_none(_metadata, self, &probes[i], 0,
			    "illegal flags to listener");
		expect_no_conn(_metadata, self, &probes[i]);
	}
	conn_alive(_metadata, self, c);
}

/*
 * 6b. RFC 7323 §2.3: "If a Window Scale option is received with a
 * shift.cnt value larger than 14, the TCP SHOULD log the error but MUST
 * use 14 instead of the specified value." A SYN with shift 15: the
 * connection works and the SUT scales our window by 14 (TCP_INFO
 * snd_wscale 14, snd_wnd = 2 << 14 for a window field of 2).
 */
TEST_F(pkt, window_scale_15_is_14)
{
	struct tconn *c = &self->c, w;
	struct tcp_info ti;
	socklen_t len;
	struct xpkt_seg s;
	uint8_t opt[8];
	unsigned int n;
	long long t0;
	int wscale;

	open_conn(_metadata, self, 0xE000);
	n = xpkt_opt_syn(opt, PEER_MSS, 15);
	probe_init(self, &w, 0xF000);
	handshake(_metadata, self, &w, 0xF000, opt, n, 2);
	/* a window update, in case the third segment's was not taken */
	xpkt_seg_init(&s, w.tport, w.sport, w.snd_nxt, w.rcv_nxt, XPKT_ACK);
	s.win = 2;
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
	t0 = xpkt_now_ms();
	do {
		len = sizeof(ti);
		ASSERT_EQ(0, getsockopt(w.fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
		if (ti.tcpi_snd_wnd == 2U << 14)
			break;
		sleep_ms(10);
	} while (xpkt_now_ms() - t0 < REPLY_MS);
	wscale = ti.tcpi_snd_wscale;
	EXPECT_EQ(14, wscale);
	EXPECT_EQ(2U << 14, ti.tcpi_snd_wnd);
	conn_alive(_metadata, self, &w);
	tx(_metadata, self, &w, XPKT_RST, w.snd_nxt, 0, 0);
	close(w.fd);
	conn_alive(_metadata, self, c);
}

static uint32_t rnd32(void)
{
	return (uint32_t)random() << 16 ^ (uint32_t)random();
}

/*
 * SUT data of @len bytes sent on @c, received in order and acknowledged,
 * within REPLY_MS per segment; compared with the pattern seeded by @seed.
 */
static void sut_to_peer(struct __test_metadata *_metadata,
			struct _test_data_pkt *self, struct tconn *c,
			unsigned int len, unsigned int seed)
{
	static uint8_t want[10240], got[10240];
	unsigned int have = 0;
	struct xpkt_seg s;
	uint32_t off;

	ASSERT_GE(sizeof(want), len);
	xtcp_pattern(want, len, seed);
	ASSERT_EQ((ssize_t)len, xtcp_send_all(c->fd, want, len));
	while (have < len) {
		ASSERT_EQ(1, rx(_metadata, self, c, &s, REPLY_MS))
			TH_LOG("SUT data stalled at %u of %u bytes", have, len);
		if (!s.len)
			continue;
		off = s.seq - c->rcv_nxt;
		if (off == 0 && have + s.len <= len) {
			memcpy(got + have, s.data, s.len);
			have += s.len;
			c->rcv_nxt += s.len;
		}
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, c->rcv_nxt, 0);
	}
	ASSERT_EQ(0, memcmp(want, got, len));
}

/*
 * 7. RFC 9293 §3.2 / §3.10.7 (robustness: "be conservative in what you
 * do, be liberal in what you accept", and malformed segments must not
 * break the implementation): 2000 random segments - random flags,
 * sequence and acknowledgment numbers, data offset, option bytes and
 * length, the checksum correct half the time - at the listener port from
 * random ports and at the established connection's ports (sequence
 * numbers outside its receive window, so that none is acceptable data),
 * within ~5 s; afterwards the connection carries 10 KiB each way intact
 * and the kernel log stays clean (run_guest.sh checks it).
 */
TEST_F_TIMEOUT(pkt, fuzz_garbage, 90)
{
	struct tconn *c = &self->c;
	long long in0, t0, sent = 0;
	uint8_t th[SEG_MAX];
	unsigned int i, len, doff, j;
	uint16_t sport;
	uint32_t seq;

	open_conn(_metadata, self, 0x11000);
	in0 = xtcp_stat_get(NULL, "InSegs");
	ASSERT_LE(0, in0);
	t0 = xpkt_now_ms();
	/* 1000 segments however slow the guest, up to 2000 within 5 s */
	for (i = 0; i < 2000 && (i < 1000 || xpkt_now_ms() - t0 < 5000); i++) {
		bool est = random() & 1;

		if (est) {
			sport = c->tport;
			/* at least 2^30 away from RCV.NXT */
			seq = c->snd_nxt + (1U << 30) + rnd32() % (1U << 31);
		} else {
			do {
				sport = 1024 + random() % 60000;
			} while (sport == c->tport);
			seq = rnd32();
		}
		len = TH_LEN + random() % (SEG_MAX - TH_LEN + 1);
		doff = random() & 1 ? 5 + random() % 11 : random() % 16;
		raw_hdr(th, sport, c->sport, seq, rnd32(), doff, random() & 0xff,
			random() & 0xffff);
		for (j = TH_LEN; j < len; j++)
			th[j] = random() % 5 ? random() & 0xff : random() % 4;
		th[18] = random() & 0xff;	/* urgent pointer */
		th[19] = random() & 0xff;
		if (random() % 8 == 0)
			len = random() % TH_LEN;	/* truncated */
		if (len >= TH_LEN && random() & 1) {
			raw_csum(&self->p, th, len);
		} else if (len >= TH_LEN) {
			raw_csum(&self->p, th, len);
			th[16] ^= 1 + random() % 255;
		}
		ASSERT_EQ(0, xpkt_send_raw(&self->p, th, len));
		sent++;
	}
	TH_LOG("%lld garbage segments in %lld ms", sent,
	       xpkt_now_ms() - t0);
	/* every one reached the module (counted before validation) */
	ASSERT_LE(in0 + sent, stat_wait("InSegs", in0 + sent));
	/* forget the replies (dup ACKs, RSTs, SYN-ACKs) */
	xpkt_drain(&self->p, c->tport, 300, 5000);

	expect_state(_metadata, c, XTCP_ST_ESTABLISHED);
	for (i = 0; i < 10; i++)
		push_data(_metadata, self, c, 1024);
	sut_to_peer(_metadata, self, c, 10240, 77);
	conn_alive(_metadata, self, c);
}

TEST_HARNESS_MAIN
