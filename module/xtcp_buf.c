// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP buffer autotuning (net.xtcp.moderate_buffers): the send buffer
 * follows the congestion window, the receive buffer follows what the
 * application reads per round trip ("dynamic right-sizing", Fisk and Feng,
 * 2001), each up to the protocol's maximum and never below what the socket
 * started with. A buffer the application sized with SO_SNDBUF or SO_RCVBUF
 * is left alone. Both are limits, not allocations: an idle connection
 * costs nothing more, and the protocol's page counter still bounds the
 * total.
 */
#include <net/sock.h>

#include "xtcp.h"

/* a receiver RTT sample beyond this is a stale echo, not a round trip */
#define XTCP_RCV_RTT_MAX_MS	10000

static bool xtcp_moderate(const struct sock *sk, int lock)
{
	return !(sk->sk_userlocks & lock) &&
	       READ_ONCE(xtcp_pernet(sock_net(sk))->moderate_buffers);
}

/*
 * Memory one queued full-sized segment is charged at most: a data skb of
 * the write queue (xtcp_sendq.c) is an fclone with XTCP_DATA_HEADROOM of
 * linear room and its payload in page fragments.
 */
static u32 xtcp_seg_truesize(u32 mss)
{
	return SKB_TRUESIZE(XTCP_DATA_HEADROOM) + mss;
}

/**
 * xtcp_sndbuf_expand() - let the send buffer hold two congestion windows
 * @sk: socket, locked
 *
 * One window is in flight while the application queues the next, so
 * SO_SNDBUF grows to twice the congestion window in charged bytes, up to
 * the protocol's maximum (wmem[2]). The window counted is at least the
 * initial window and at least what is in flight: during a recovery the
 * queue still holds the flight from before the reduction.
 * Writers waiting for space are woken when it grew (sk_write_space()
 * does nothing for an orphan or a queue still full).
 */
void xtcp_sndbuf_expand(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 segs, want;

	if (!xtcp_moderate(sk, SOCK_SNDBUF_LOCK))
		return;
	segs = max3(xs->snd_cwnd, xs->packets_out,
		    (u32)READ_ONCE(xtcp_pernet(sock_net(sk))->initial_cwnd));
	want = min_t(u64, 2ULL * segs * xtcp_seg_truesize(xs->mss_cache),
		     READ_ONCE(xtcp_sysctl_wmem[2]));
	if (want <= READ_ONCE(sk->sk_sndbuf))
		return;
	WRITE_ONCE(sk->sk_sndbuf, want);
	sk->sk_write_space(sk);
}

/**
 * xtcp_buf_init() - start the measurements of a new connection
 * @sk: socket entering ESTABLISHED
 */
void xtcp_buf_init(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv_rtt_us = 0;
	xs->rcv_rtt_time = 0;
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time = xtcp_clock_us();
	xs->rcvq_space = 0;
	xtcp_sndbuf_expand(sk);
}

/* the estimate follows a smaller sample at once, a larger one by 1/8 */
static void xtcp_rcv_rtt_sample(struct xtcp_sock *xs, u32 us)
{
	if (!xs->rcv_rtt_us || us < xs->rcv_rtt_us)
		xs->rcv_rtt_us = us;
	else
		xs->rcv_rtt_us += (us - xs->rcv_rtt_us) >> 3;
}

/**
 * xtcp_rcv_rtt_measure() - the receiver's round-trip estimate
 * @sk: socket, locked
 * @skb: an in-order data segment about to advance RCV.NXT
 *
 * The receiver sees no ACKs of its own data. With timestamps, the TSecr
 * of arriving data echoes the TSval of the ACK that let it be sent (RFC
 * 7323 §4.3), so our clock minus TSecr is a round trip, in milliseconds
 * (a sub-millisecond path counts as one). Without them, the time a whole
 * offered window takes to arrive is the sample: one round trip for a
 * sender the window limits, more for any other.
 */
void xtcp_rcv_rtt_measure(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_options *opt = &XTCP_SKB_CB(skb)->opt;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now;

	if (xs->tstamp_ok) {
		u32 ms = xtcp_ts_now(xs) - opt->tsecr;

		/* a zero or far-off echo is no sample (RFC 7323 §4.3) */
		if (opt->tstamp_ok && opt->tsecr && ms < XTCP_RCV_RTT_MAX_MS)
			xtcp_rcv_rtt_sample(xs, max(ms, 1U) * USEC_PER_MSEC);
		return;
	}
	if (xs->rcv_rtt_time && xtcp_seq_before(xs->rcv_nxt, xs->rcv_rtt_seq))
		return;
	now = xtcp_clock_us();
	if (xs->rcv_rtt_time)
		xtcp_rcv_rtt_sample(xs, max(now - xs->rcv_rtt_time, 1U));
	xs->rcv_rtt_seq = xs->rcv_nxt + max_t(u32, xs->rcv_wnd, xs->rcv_mss);
	xs->rcv_rtt_time = now ? now : 1;
}

/**
 * xtcp_rcvbuf_grow() - size the receive buffer for what is read per RTT
 * @sk: socket, locked, after recvmsg() consumed data
 *
 * Once per measured round trip, the bytes the application read in it are
 * compared with the most seen so far; a new maximum makes SO_RCVBUF room
 * for twice that in charged bytes (the payload/truesize ratio of the
 * arriving segments), so the window offered lets the sender double,
 * up to the protocol's maximum (rmem[2]).
 */
void xtcp_rcvbuf_grow(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), copied;
	u64 want;

	if (!xs->rcv_rtt_us || now - xs->rcvq_time < xs->rcv_rtt_us)
		return;
	copied = xs->copied_seq - xs->rcvq_seq;
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time = now;
	if (copied <= xs->rcvq_space)
		return;
	xs->rcvq_space = copied;
	if (!xtcp_moderate(sk, SOCK_RCVBUF_LOCK))
		return;
	want = div_u64(2ULL * copied << 10, xs->rcv_ratio);
	want = min_t(u64, want, READ_ONCE(xtcp_sysctl_rmem[2]));
	if (want > READ_ONCE(sk->sk_rcvbuf))
		WRITE_ONCE(sk->sk_rcvbuf, (int)want);
}
