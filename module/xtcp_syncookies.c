// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP SYN cookies (RFC 4987 §3.6): a listener whose SYN queue is full
 * (net.xtcp.syncookies = 1), or every listener (= 2), answers a SYN with
 * a SYN-ACK whose ISN encodes what the handshake needs and keeps no
 * state; the final ACK proves the peer received that ISN, and the
 * connection is rebuilt from it.
 *
 * Cookie layout (our own design), all arithmetic modulo 2^32:
 *
 *	cookie = H1(tuple) + (t << 27 | m << 24 | H2(tuple, ISN', T, m) & 0xffffff)
 *
 * T is a coarse clock (seconds since boot / 64), t its five low bits, m
 * the index of the peer's MSS in xtcp_cookie_mss_table, ISN' the peer's
 * initial sequence number; H1 and H2 are SipHash with two per-boot keys.
 * H1 hides the structure from the peer; H2 authenticates every field, so
 * a cookie for another tuple, another ISN, another MSS index or another
 * time fails with probability 1 - 2^-24. A cookie is valid for
 * XTCP_COOKIE_MAX_AGE ticks of T (between 128 and 192 s).
 *
 * When the SYN carried timestamps (RFC 7323), the options a cookie cannot
 * hold travel in the low six bits of the SYN-ACK's TSval, which the final
 * ACK echoes in TSecr: the peer's window-scale shift (bits 0-3, 15 for
 * none), SACK-permitted (bit 4) and ECN setup (bit 5, RFC 3168 §6.1.1:
 * without timestamps a cookie connection does not use ECN). The TSval
 * clock offset of such a connection is a keyed hash of its tuple, so that
 * the child continues the clock the SYN-ACK started.
 */
#include <linux/ktime.h>
#include <linux/siphash.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>
#include <net/request_sock.h>

#include "xtcp.h"

#define XTCP_COOKIE_T_BITS	5
#define XTCP_COOKIE_T_SHIFT	27
#define XTCP_COOKIE_MSS_SHIFT	24
#define XTCP_COOKIE_HASH_MASK	0x00ffffffU

/* MSS values a cookie can carry: the common path MTUs, smallest first */
const u16 xtcp_cookie_mss_table[1 << XTCP_COOKIE_MSS_BITS] = {
	216, 536, 1024, 1220, 1360, 1440, 1460, 8960,
};

XTCP_EXPORT_FOR_KUNIT(xtcp_cookie_mss_table);

#define XTCP_COOKIE_TS_BITS	6
#define XTCP_COOKIE_TS_WSCALE	0x0fU	/* 15: no window scaling */
#define XTCP_COOKIE_TS_SACK	0x10U
#define XTCP_COOKIE_TS_ECN	0x20U

static siphash_aligned_key_t xtcp_cookie_keys[3];

/* what H2 authenticates */
struct xtcp_cookie_input {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u32 peer_isn;
	u32 count;
	u32 mss_idx;
};

static void xtcp_cookie_keys_init(void)
{
	net_get_random_once(xtcp_cookie_keys, sizeof(xtcp_cookie_keys));
}

static u32 xtcp_cookie_h1(__be32 saddr, __be32 daddr, __be16 sport,
			  __be16 dport)
{
	return siphash_3u32((__force u32)saddr, (__force u32)daddr,
			    (u32)ntohs(sport) << 16 | ntohs(dport),
			    &xtcp_cookie_keys[0]);
}

static u32 xtcp_cookie_h2(__be32 saddr, __be32 daddr, __be16 sport,
			  __be16 dport, u32 peer_isn, u32 count,
			  unsigned int mss_idx)
{
	struct xtcp_cookie_input in = {
		.saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport,
		.peer_isn = peer_isn, .count = count, .mss_idx = mss_idx,
	};

	return (u32)siphash(&in, sizeof(in), &xtcp_cookie_keys[1]) &
	       XTCP_COOKIE_HASH_MASK;
}

/**
 * xtcp_cookie_mss_index() - the cookie table entry for a peer's MSS
 * @mss: MSS the peer announced (RFC 9293 §3.7.1)
 *
 * Return: the index of the largest table value not above @mss (0 when
 * @mss is below every entry), so the connection never sends segments
 * larger than the peer accepts.
 */
unsigned int xtcp_cookie_mss_index(u16 mss)
{
	unsigned int i;

	for (i = ARRAY_SIZE(xtcp_cookie_mss_table) - 1; i > 0; i--)
		if (xtcp_cookie_mss_table[i] <= mss)
			break;
	return i;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cookie_mss_index);

/**
 * xtcp_cookie_counter() - the coarse clock T of the cookie
 *
 * Return: seconds since boot divided by 2^XTCP_COOKIE_PERIOD_BITS.
 */
u32 xtcp_cookie_counter(void)
{
	return (u32)(ktime_get_boottime_seconds() >> XTCP_COOKIE_PERIOD_BITS);
}

/**
 * xtcp_cookie_make() - the ISN of a cookie SYN-ACK
 * @saddr: our (listener's) address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 * @peer_isn: the sequence number of the peer's SYN
 * @count: the coarse clock now (xtcp_cookie_counter())
 * @mss_idx: index into xtcp_cookie_mss_table
 *
 * Return: the cookie.
 */
u32 xtcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		     u32 peer_isn, u32 count, unsigned int mss_idx)
{
	u32 mask = (1U << XTCP_COOKIE_T_BITS) - 1;

	xtcp_cookie_keys_init();
	return xtcp_cookie_h1(saddr, daddr, sport, dport) +
	       ((count & mask) << XTCP_COOKIE_T_SHIFT |
		mss_idx << XTCP_COOKIE_MSS_SHIFT |
		xtcp_cookie_h2(saddr, daddr, sport, dport, peer_isn, count,
			       mss_idx));
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cookie_make);

/**
 * xtcp_cookie_check() - validate the cookie an ACK returns
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 * @peer_isn: SEG.SEQ - 1 of the ACK: the peer's initial sequence number
 * @cookie: SEG.ACK - 1 of the ACK: the ISN we sent
 * @count_now: the coarse clock now
 *
 * Return: the MSS table index the cookie carries, -ETIME when it is older
 * than XTCP_COOKIE_MAX_AGE ticks, -EBADMSG when it was not made by us
 * for this tuple, ISN and MSS index.
 */
int xtcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		      u32 peer_isn, u32 cookie, u32 count_now)
{
	u32 mask = (1U << XTCP_COOKIE_T_BITS) - 1;
	unsigned int mss_idx;
	u32 v, age, count;

	xtcp_cookie_keys_init();
	v = cookie - xtcp_cookie_h1(saddr, daddr, sport, dport);
	age = (count_now - (v >> XTCP_COOKIE_T_SHIFT)) & mask;
	if (age > XTCP_COOKIE_MAX_AGE)
		return -ETIME;
	count = count_now - age;
	mss_idx = (v >> XTCP_COOKIE_MSS_SHIFT) &
		  ((1U << XTCP_COOKIE_MSS_BITS) - 1);
	if ((v & XTCP_COOKIE_HASH_MASK) !=
	    xtcp_cookie_h2(saddr, daddr, sport, dport, peer_isn, count, mss_idx))
		return -EBADMSG;
	return mss_idx;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cookie_check);

/**
 * xtcp_cookie_tsval() - the TSval of a cookie SYN-ACK
 * @now: the connection's timestamp clock now
 * @syn: options of the peer's SYN
 *
 * The low XTCP_COOKIE_TS_BITS bits carry the peer's window-scale shift,
 * SACK-permitted and whether the SYN-ACK agreed to ECN; the value never
 * exceeds @now, so the TSvals that follow never go backwards (RFC 7323
 * §5.4: monotonic).
 *
 * Return: the TSval.
 */
u32 xtcp_cookie_tsval(u32 now, const struct xtcp_options *syn)
{
	u32 mask = (1U << XTCP_COOKIE_TS_BITS) - 1;
	u32 bits = syn->wscale_ok ? min_t(u32, syn->wscale, XTCP_MAX_WSCALE) :
				    XTCP_COOKIE_TS_WSCALE;
	u32 ts;

	if (syn->sack_ok)
		bits |= XTCP_COOKIE_TS_SACK;
	if (syn->ecn_ok)
		bits |= XTCP_COOKIE_TS_ECN;
	ts = (now & ~mask) | bits;
	if ((s32)(ts - now) > 0)
		ts -= mask + 1;
	return ts;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cookie_tsval);

/**
 * xtcp_cookie_ts_decode() - the options a cookie ACK's TSecr carries
 * @tsecr: TSecr of the final ACK (our cookie SYN-ACK's TSval)
 * @opt: the window scale, SACK-permitted and ECN are set from it
 */
void xtcp_cookie_ts_decode(u32 tsecr, struct xtcp_options *opt)
{
	u32 w = tsecr & XTCP_COOKIE_TS_WSCALE;

	opt->wscale_ok = w != XTCP_COOKIE_TS_WSCALE;
	opt->wscale = opt->wscale_ok ? min_t(u32, w, XTCP_MAX_WSCALE) : 0;
	opt->sack_ok = !!(tsecr & XTCP_COOKIE_TS_SACK);
	opt->ecn_ok = !!(tsecr & XTCP_COOKIE_TS_ECN);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_cookie_ts_decode);

/**
 * xtcp_cookie_ts_off() - TSval clock offset of a cookie connection
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 *
 * RFC 7323 §7.1 asks for a per-connection random offset; a cookie
 * connection derives it from its tuple with a secret key, so the SYN-ACK
 * and the child agree without state.
 *
 * Return: the offset.
 */
u32 xtcp_cookie_ts_off(__be32 saddr, __be32 daddr, __be16 sport,
		       __be16 dport)
{
	xtcp_cookie_keys_init();
	return siphash_3u32((__force u32)saddr, (__force u32)daddr,
			    (u32)ntohs(sport) << 16 | ntohs(dport),
			    &xtcp_cookie_keys[2]);
}

/**
 * xtcp_cookie_receive() - rebuild a connection from a cookie ACK
 * @sk: the listener
 * @skb: an ACK without SYN or RST that matched no request sock
 *
 * RFC 4987 §3.6: the ACK must acknowledge a valid, fresh cookie; the
 * child then starts in SYN-RECEIVED with the MSS the cookie carries and,
 * with timestamps, the window scale, SACK-permitted and ECN TSecr carries
 * (without them no window scaling and no ECN, which the cookie SYN-ACK
 * then did not offer), is queued for accept() and processes the ACK
 * itself. A valid cookie meeting a full
 * accept queue is dropped like a final ACK in xtcp_check_req(): the
 * peer's next segment (its data, retransmitted) returns the same cookie,
 * unless net.xtcp.abort_on_overflow asks for a RST.
 *
 * Return: the bh-locked, referenced child; ERR_PTR(-EBADMSG) when the ACK
 * does not return a valid cookie (SyncookiesFailed; the caller answers
 * with a RST, RFC 9293 §3.10.7.2); ERR_PTR(-ECONNREFUSED) when the accept
 * queue is full and net.xtcp.abort_on_overflow asks for a RST; NULL when
 * the ACK is dropped (accept queue full, memory short).
 */
struct sock *xtcp_cookie_receive(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = xtcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = sock_net(sk);
	struct xtcp_request_sock *xreq;
	struct request_sock *req;
	bool own_req = false;
	struct sock *child;
	int mss_idx;

	mss_idx = xtcp_cookie_check(iph->daddr, iph->saddr, th->dest,
				    th->source, cb->seq - 1, cb->ack_seq - 1,
				    xtcp_cookie_counter());
	if (mss_idx < 0) {
		xtcp_inc_stats(net, XTCP_MIB_SYNCOOKIESFAILED);
		return ERR_PTR(-EBADMSG);
	}
	if (sk_acceptq_is_full(sk)) {
		xtcp_inc_stats(net, XTCP_MIB_LISTENOVERFLOWS);
		xtcp_inc_stats(net, XTCP_MIB_LISTENDROPS);
		if (READ_ONCE(xtcp_pernet(net)->abort_on_overflow))
			return ERR_PTR(-ECONNREFUSED);
		return NULL;
	}

	req = inet_reqsk_alloc(&xtcp_request_sock_ops, sk, false);
	if (!req)
		return NULL;
	xtcp_reqsk_init(req, sk, skb);
	xreq = xtcp_rsk(req);
	xreq->iss = cb->ack_seq - 1;
	xreq->irs = cb->seq - 1;
	xreq->opt.mss = xtcp_cookie_mss_table[mss_idx];
	/* RFC 7323: the options the SYN-ACK's TSval kept, the peer's TSval */
	if (cb->opt.tstamp_ok && READ_ONCE(xtcp_pernet(net)->timestamps)) {
		xtcp_cookie_ts_decode(cb->opt.tsecr, &xreq->opt);
		xreq->opt.tstamp_ok = 1;
		xreq->opt.tsval = cb->opt.tsval;
		xreq->ts_off = xtcp_cookie_ts_off(iph->daddr, iph->saddr,
						  th->dest, th->source);
		/* this ACK's window is scaled (RFC 7323 §2.2) */
		if (xreq->opt.wscale_ok)
			xreq->snd_wnd <<= xreq->opt.wscale;
	}

	child = inet_csk(sk)->icsk_af_ops->syn_recv_sock(sk, skb, req, NULL,
							 NULL, &own_req, NULL);
	if (!child) {
		reqsk_free(req);
		return NULL;
	}
	/* the accept queue holds the request until accept() takes the child */
	refcount_set(&req->rsk_refcnt, 1);
	if (!inet_csk_reqsk_queue_add(sk, req, child)) {
		/* bh-locked by inet_csk_clone_lock() inside syn_recv_sock */
		__acquire(&child->sk_lock.slock);
		bh_unlock_sock(child);
		sock_put(child);
		__reqsk_free(req);
		return NULL;
	}
	xtcp_inc_stats(net, XTCP_MIB_SYNCOOKIESRECV);
	return child;
}
