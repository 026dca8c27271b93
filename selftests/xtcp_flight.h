/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the packet-level suites in which the SUT sends data and the
 * fake peer receives it (xtcp_cc, xtcp_sack, xtcp_rack): opening such a connection,
 * receiving its flights of segments, acknowledging them, and telling a
 * flight the test shaped from one a retransmission timeout disturbed.
 */
#ifndef _XTCP_FLIGHT_H
#define _XTCP_FLIGHT_H

#include <linux/xtcp.h>
#include <netinet/tcp.h>

#include "xtcp_pkttest.h"

#define MAX_FLIGHT	64
#define FLIGHT_QUIET_MS	50	/* well below the 200 ms minimum RTO */

/* data segments of one round trip, in arrival order */
struct flight {
	unsigned int n;
	uint32_t seq[MAX_FLIGHT];
	uint32_t end[MAX_FLIGHT];
};

static inline void get_info(struct __test_metadata *_metadata, int fd,
			    struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	ASSERT_EQ(0, getsockopt(fd, SOL_XTCP, XTCP_INFO, ti, &len));
}

/* wait until the SUT processed our ACKs of everything it sent */
static inline void wait_acked(struct __test_metadata *_metadata, int fd,
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

/* queue as much as the send buffer takes, without blocking */
static inline void topup(int fd)
{
	static char buf[65536];

	while (send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
		;
}

/*
 * The SUT as a sender on @fd: algorithm @ca (NULL: the default),
 * TCP_NODELAY, a send buffer for a few hundred segments, the cwnd record
 * (XTCP_CC_LOG) on, and data queued.
 */
static inline void sender_setup(struct __test_metadata *_metadata, int fd,
				const char *ca)
{
	int one = 1, sndbuf = 1 << 20;

	if (ca)
		ASSERT_EQ(0, setsockopt(fd, SOL_TCP, TCP_CONGESTION, ca,
					strlen(ca)));
	ASSERT_EQ(0, setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, setsockopt(fd, SOL_XTCP, XTCP_CC_LOG, &one, sizeof(one)));
	topup(fd);
}

/*
 * Connection with the SUT as sender: passive open (SYN with the @xoptlen
 * option bytes of @xopt as well), then sender_setup().
 */
static inline void sender_open_opt(struct __test_metadata *_metadata,
				   struct _test_data_pkt *self, struct tconn *c,
				   uint32_t tisn, const char *ca,
				   const uint8_t *xopt, unsigned int xoptlen)
{
	passive_open_opt(_metadata, self, c, tisn, 0, xopt, xoptlen);
	sender_setup(_metadata, c->fd, ca);
}

/* sender_open_opt() without options beyond MSS and window scale */
static inline void sender_open(struct __test_metadata *_metadata,
			       struct _test_data_pkt *self, struct tconn *c,
			       uint32_t tisn, const char *ca)
{
	sender_open_opt(_metadata, self, c, tisn, ca, NULL, 0);
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

static inline void rto_mark(void)
{
	rto_base = xtcp_stat_get(NULL, "RtoTimeouts");
}

static inline bool rto_fired(void)
{
	return xtcp_stat_get(NULL, "RtoTimeouts") != rto_base;
}

/* abandon the connection under test (RST to the SUT, sockets closed) */
static inline void conn_abort(struct __test_metadata *_metadata,
			      struct _test_data_pkt *self, struct tconn *c)
{
	if (c->active)
		tx(_metadata, self, c, XPKT_RST, c->snd_nxt, 0, 0);
	c->active = false;
	if (c->fd >= 0)
		close(c->fd);
	if (c->lfd >= 0)
		close(c->lfd);
	c->fd = -1;
	c->lfd = -1;
	xpkt_drain(&self->p, c->tport, 30, 500);
}

/* is [seq, end) one of the segments of @f from index @from on? */
static inline bool flight_has(const struct flight *f, unsigned int from, uint32_t seq)
{
	unsigned int i;

	for (i = from; i < f->n; i++)
		if (f->seq[i] == seq)
			return true;
	return false;
}

/* sort @f from index @from by sequence number (insertion sort) */
static inline void flight_sort(struct flight *f, unsigned int from)
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
static inline bool recv_flight(struct __test_metadata *_metadata,
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
static inline void ack_each(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, struct tconn *c,
			    const struct flight *f)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		tx(_metadata, self, c, XPKT_ACK, c->snd_nxt, f->end[i], 0);
}

/* one round trip: @n segments arrive, each is acknowledged by itself */
static inline bool round_trip(struct __test_metadata *_metadata,
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

/* an ACK of @ack from the fake peer with the @n SACK blocks of @blk */
static inline void ack_sack(struct __test_metadata *_metadata,
			    struct _test_data_pkt *self, uint32_t ack,
			    const struct xpkt_sack *blk, int n)
{
	struct tconn *c = &self->c;
	struct xpkt_seg s;

	xpkt_seg_init(&s, c->tport, c->sport, c->snd_nxt, ack, XPKT_ACK);
	if (n)
		s.optlen = xpkt_opt_sack(s.opt, blk, n);
	ASSERT_EQ(0, xpkt_send(&self->p, &s));
}

#endif /* _XTCP_FLIGHT_H */
