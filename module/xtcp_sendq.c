// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP send queue: sendmsg copies user data once into page fragments of
 * skbs on sk_write_queue (one segment each, or a GSO skb's worth where the
 * route takes GSO), every byte charged to the socket's memory accounting;
 * skbs are cut where a transmission or a SACK block ends inside them, and
 * ACKs trim and free the acknowledged skbs from the head.
 */
#include <linux/skbuff.h>
#include <net/sock.h>

#include "xtcp.h"

/**
 * xtcp_size_goal() - payload bytes to put in one data skb
 * @sk: socket, locked
 *
 * Where the route takes GSO skbs (xtcp_gso_max_segs()), one skb holds as
 * many full segments as one GSO skb may carry, so a 64 KiB write costs one
 * skb, not 45; elsewhere one skb is one segment. xtcp_push_pending() cuts
 * a skb wherever cwnd, the peer's window or Nagle's rule end a
 * transmission inside it.
 *
 * Return: the goal in bytes, a multiple of the send MSS.
 */
unsigned int xtcp_size_goal(const struct sock *sk)
{
	u32 mss = xtcp_sk(sk)->mss_cache;
	u32 segs = min_t(u32, xtcp_gso_max_segs(sk), XTCP_GSO_MAX_PAYLOAD / mss);

	return max(segs, 1U) * mss;
}

/* charge a queued skb's truesize to the socket (sk_wmem_queued, pages) */
static void xtcp_wmem_charge(struct sock *sk, int bytes)
{
	sk_wmem_queued_add(sk, bytes);
	sk_mem_charge(sk, bytes);
}

/* unlink @skb from the write queue and give its memory back */
static void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_write_queue);
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/* append @skb to the write queue; it becomes the send head if none */
static void xtcp_enqueue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	__skb_queue_tail(&sk->sk_write_queue, skb);
	if (!xs->send_head)
		xs->send_head = skb;
}

/**
 * xtcp_queue_ctl_skb() - queue a SYN or FIN skb that carries no data
 * @sk: socket, locked
 * @skb: the skb, its control block filled in
 *
 * A SYN or FIN must go out even when the protocol's memory limits are
 * reached, so its small charge is taken whether or not it could be
 * scheduled; it is returned when the skb is acknowledged or purged.
 */
void xtcp_queue_ctl_skb(struct sock *sk, struct sk_buff *skb)
{
	XTCP_SKB_CB(skb)->sacked = 0;
	sk_wmem_schedule(sk, skb->truesize);
	xtcp_wmem_charge(sk, skb->truesize);
	xtcp_enqueue(sk, skb);
}

/*
 * A new, empty data skb at the tail of the queue: only headroom for the
 * headers in its linear part, payload goes to page fragments. Return: the
 * skb, or NULL when neither memory nor the protocol limits allow one.
 */
static struct sk_buff *xtcp_new_data_skb(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb = alloc_skb_fclone(XTCP_DATA_HEADROOM, sk->sk_allocation);
	if (!skb)
		return NULL;
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		__kfree_skb(skb);
		return NULL;
	}
	skb_reserve(skb, XTCP_DATA_HEADROOM);
	/*
	 * The checksum is computed over each transmitted copy in
	 * xtcp_finish_header(); PARTIAL keeps skb_copy_to_page_nocache()
	 * from summing the payload a second time while copying it.
	 */
	skb->ip_summed = CHECKSUM_PARTIAL;
	XTCP_SKB_CB(skb)->seq = xs->write_seq;
	XTCP_SKB_CB(skb)->end_seq = xs->write_seq;
	XTCP_SKB_CB(skb)->flags = XTCPHDR_ACK;
	XTCP_SKB_CB(skb)->retransmitted = 0;
	XTCP_SKB_CB(skb)->sacked = 0;
	xtcp_wmem_charge(sk, skb->truesize);
	xtcp_enqueue(sk, skb);
	return skb;
}

/* can more payload go into @skb, the tail of the write queue? */
static bool xtcp_tail_open(const struct sock *sk, const struct sk_buff *skb,
			   unsigned int goal)
{
	/* only an unsent tail may grow: send_head is at or before it */
	return skb && xtcp_sk(sk)->send_head && skb->len < goal &&
	       !(XTCP_SKB_CB(skb)->flags & (XTCPHDR_SYN | XTCPHDR_FIN));
}

/* drop an empty data skb a failed copy left at the tail */
static void xtcp_remove_empty_tail(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!skb || skb->len || skb != xs->send_head ||
	    XTCP_SKB_CB(skb)->end_seq != XTCP_SKB_CB(skb)->seq)
		return;
	xs->send_head = NULL;
	xtcp_wmem_free_skb(sk, skb);
}

/*
 * Copy up to @copy bytes from @msg into @skb's page fragments, through the
 * socket's page-fragment cache. Return: bytes copied, 0 when the skb has
 * no fragment slot left, -ENOMEM when memory must be waited for, -EFAULT.
 */
static int xtcp_copy_to_frags(struct sock *sk, struct sk_buff *skb,
			      struct msghdr *msg, int copy)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags;
	bool merge;
	int err;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= MAX_SKB_FRAGS)
		return 0;
	copy = min_t(int, copy, pfrag->size - pfrag->offset);
	if (!sk_wmem_schedule(sk, copy))
		return -ENOMEM;
	/* adds to len, data_len, truesize, sk_wmem_queued and the charge */
	err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
				       pfrag->offset, copy);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		get_page(pfrag->page);
	}
	pfrag->offset += copy;
	return copy;
}

/**
 * xtcp_sendmsg() - sendmsg(2): queue user data as MSS-sized segments
 * @sk: socket
 * @msg: source
 * @size: bytes
 *
 * Data is copied once, into page fragments appended to the unsent tail skb
 * until it holds an MSS. Blocks while the queue is at SO_SNDBUF or the
 * protocol's memory limits refuse more, up to SO_SNDTIMEO; a non-blocking
 * socket gets EAGAIN instead.
 *
 * Return: bytes queued or a negative errno (EPIPE raises SIGPIPE unless
 * MSG_NOSIGNAL).
 */
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int flags = msg->msg_flags;
	size_t copied = 0;
	long timeo;
	int err;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto do_error;
	}
	sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);

	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;

	while (msg_data_left(msg)) {
		struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
		unsigned int goal = xtcp_size_goal(sk);
		int copy, room;

		if (!xtcp_tail_open(sk, skb, goal)) {
new_skb:
			if (!sk_stream_memory_free(sk))
				goto wait_for_space;
			skb = xtcp_new_data_skb(sk);
			if (!skb)
				goto wait_for_space;
		}
		copy = min_t(size_t, msg_data_left(msg), goal - skb->len);
		/* a skb of many segments grows only while SO_SNDBUF allows */
		room = READ_ONCE(sk->sk_sndbuf) - sk->sk_wmem_queued;
		if (room <= 0)
			goto wait_for_space;
		copy = min(copy, room);
		copy = xtcp_copy_to_frags(sk, skb, msg, copy);
		if (copy == 0)
			goto new_skb;
		if (copy == -ENOMEM)
			goto wait_for_space;
		if (copy < 0) {
			err = copy;
			xtcp_remove_empty_tail(sk);
			goto do_error;
		}
		XTCP_SKB_CB(skb)->end_seq += copy;
		xs->write_seq += copy;
		copied += copy;
		/*
		 * A full skb goes out at once rather than when the whole
		 * write is queued, so the path is busy while the rest is
		 * copied; ACKs that arrived meanwhile free space and open
		 * windows.
		 */
		if (skb->len >= goal) {
			xtcp_push(sk);
			sk_flush_backlog(sk);
		}
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		xtcp_remove_empty_tail(sk);
		xtcp_push(sk);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}

out:
	if (copied) {
		struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

		/* RFC 9293 §3.9.1: PSH on the last segment of a write */
		if (tail && xs->send_head)
			XTCP_SKB_CB(tail)->flags |= XTCPHDR_PSH;
		/* MSG_OOB: the last byte is urgent and goes out at once */
		if (flags & MSG_OOB)
			xtcp_urg_mark(sk);
		xtcp_push_pending(sk, flags & MSG_OOB);
	}
	release_sock(sk);
	return copied;

do_error:
	if (copied)
		goto out;
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/*
 * Give a queued skb its own copy of a header a clone in flight shares,
 * before its fragments change; the charge follows a resized head.
 */
static int xtcp_skb_unshare(struct sock *sk, struct sk_buff *skb)
{
	int old_truesize = skb->truesize;

	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	if (skb->truesize != old_truesize)
		xtcp_wmem_charge(sk, skb->truesize - old_truesize);
	return 0;
}

/**
 * xtcp_fragment() - cut a queued data skb in two
 * @sk: socket, locked
 * @skb: a data skb of the write queue, sent or not
 * @len: payload bytes that stay in @skb, 0 < @len < @skb->len
 *
 * The rest moves to a new skb queued right behind it with the same
 * control block: the scoreboard bits, transmission times and Karn flag
 * stay with both halves; FIN and PSH go with the second. For a sent skb
 * the segment counts are recomputed, and the counters that counted it
 * follow. A clone of @skb in flight keeps its own header.
 *
 * Return: 0, or -ENOMEM with @skb unchanged.
 */
int xtcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *ncb;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 moved = skb->len - len, before, mss;
	bool sent = xtcp_skb_sent(sk, skb);
	struct sk_buff *n;
	int diff;

	if (WARN_ON_ONCE(!len || len >= skb->len || skb_headlen(skb)))
		return -EINVAL;
	if (xtcp_skb_unshare(sk, skb))
		return -ENOMEM;
	n = alloc_skb_fclone(XTCP_DATA_HEADROOM, GFP_ATOMIC);
	if (!n)
		return -ENOMEM;
	skb_reserve(n, XTCP_DATA_HEADROOM);
	xtcp_wmem_charge(sk, n->truesize);
	before = xtcp_skb_pcount(skb);
	mss = skb_shinfo(skb)->gso_size ? : xs->mss_cache;

	skb_split(skb, n, len);
	/* the payload's charge moves with it */
	n->truesize += moved;
	skb->truesize -= moved;
	n->ip_summed = skb->ip_summed;
	ncb = XTCP_SKB_CB(n);
	*ncb = *cb;
	ncb->seq = cb->seq + len;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(XTCPHDR_FIN | XTCPHDR_PSH);
	__skb_queue_after(&sk->sk_write_queue, skb, n);

	if (!sent)
		return 0;
	xtcp_skb_set_pcount(skb, mss);
	xtcp_skb_set_pcount(n, mss);
	/* cutting inside a segment makes one more; counters follow */
	diff = xtcp_skb_pcount(skb) + xtcp_skb_pcount(n) - before;
	xs->packets_out += diff;
	if (cb->sacked & XTCP_SKB_SACKED)
		xs->sacked_out += diff;
	if (cb->sacked & XTCP_SKB_LOST)
		xs->lost_out += diff;
	if (cb->sacked & XTCP_SKB_RTX)
		xs->retrans_out += diff;
	return 0;
}

/*
 * Drop the first @len payload bytes of a sent skb that an ACK covered in
 * part, so a retransmission carries only unacknowledged data. The frags
 * array is shared with clones still in a device queue, so a cloned skb is
 * first given a private copy of its header; when that fails the skb stays
 * whole and a retransmission resends the acknowledged bytes as well,
 * which the peer trims as a duplicate.
 */
static void xtcp_trim_acked(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct skb_shared_info *shinfo;
	u32 eat, head, before;
	int i, k;

	if (xtcp_skb_unshare(sk, skb))
		return;
	before = xtcp_skb_pcount(skb);

	head = min_t(u32, len, skb_headlen(skb));
	if (head)
		__skb_pull(skb, head);
	eat = len - head;
	shinfo = skb_shinfo(skb);
	for (i = 0, k = 0; i < shinfo->nr_frags; i++) {
		skb_frag_t *frag = &shinfo->frags[i];
		u32 size = skb_frag_size(frag);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
			continue;
		}
		shinfo->frags[k] = *frag;
		if (eat) {
			skb_frag_off_add(&shinfo->frags[k], eat);
			skb_frag_size_sub(&shinfo->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shinfo->nr_frags = k;
	skb->data_len -= len - head;
	skb->len -= len - head;
	XTCP_SKB_CB(skb)->seq += len;
	/* the payload bytes leave the accounting as they were charged */
	skb->truesize -= len - head;
	sk_wmem_queued_add(sk, -(int)(len - head));
	sk_mem_uncharge(sk, len - head);
	/* the segments acknowledged leave the counts */
	if (shinfo->gso_size) {
		xtcp_skb_set_pcount(skb, shinfo->gso_size);
		before -= xtcp_skb_pcount(skb);
		xs->packets_out -= min(xs->packets_out, before);
		xtcp_sack_uncount(xs, XTCP_SKB_CB(skb)->sacked, before);
	}
}

/**
 * xtcp_clean_rtx_queue() - free the segments @ack covers
 * @sk: socket, locked
 * @ack: new SND.UNA
 * @rtt_us: the RTT sample taken, or -1 (may be NULL)
 *
 * Walks from the head only as far as @ack reaches, trimming the first
 * skb it covers in part. Takes an RTT sample from a skb sent once
 * (Karn's rule, RFC 6298 §3) and wakes writers waiting for space.
 *
 * Return: segments acknowledged (whole skbs and the ones trimmed off).
 */
u32 xtcp_clean_rtx_queue(struct sock *sk, u32 ack, s32 *rtt_us)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 prior_packets = xs->packets_out, now = xtcp_clock_us();
	bool space = false, karn = false;
	struct sk_buff *skb;
	long rtt = -1;

	while ((skb = skb_peek(&sk->sk_write_queue)) && skb != xs->send_head) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (xtcp_seq_after(cb->end_seq, ack)) {
			if (xtcp_seq_after(ack, cb->seq) &&
			    !(cb->flags & XTCPHDR_SYN) &&
			    ack - cb->seq <= skb->len) {
				xtcp_rack_delivered(sk, skb, now);
				xtcp_trim_acked(sk, skb, ack - cb->seq);
				space = true;
			}
			break;
		}
		/*
		 * Karn: an ACK that covers a retransmitted segment gives no
		 * sample at all, not even from the segments sent after it,
		 * whose ACK may have waited for the retransmission.
		 */
		if (cb->retransmitted)
			karn = true;
		else
			rtt = (long)((u32)jiffies - cb->when);
		if (!(cb->sacked & XTCP_SKB_SACKED))
			xtcp_rack_delivered(sk, skb, now);
		xtcp_sack_skb_freed(xs, skb);
		xs->packets_out -= min(xs->packets_out, xtcp_skb_pcount(skb));
		xtcp_wmem_free_skb(sk, skb);
		space = true;
	}
	if (rtt_us)
		*rtt_us = -1;
	/* with timestamps the caller sampled from TSecr (RFC 7323 §4) */
	if (rtt >= 0 && !karn && !xs->tstamp_ok) {
		xtcp_rtt_update(xs, jiffies_to_usecs(max(rtt, 1L)));
		if (rtt_us)
			*rtt_us = jiffies_to_usecs(max(rtt, 1L));
	}
	if (space)
		sk->sk_write_space(sk);
	return prior_packets - xs->packets_out;
}

/**
 * xtcp_purge_write_queue() - drop every queued segment
 * @sk: socket
 */
void xtcp_purge_write_queue(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = skb_peek(&sk->sk_write_queue)))
		xtcp_wmem_free_skb(sk, skb);
	xtcp_sk(sk)->send_head = NULL;
	xtcp_sk(sk)->packets_out = 0;
	xtcp_sk(sk)->sacked_out = 0;
	xtcp_sk(sk)->lost_out = 0;
	xtcp_sk(sk)->retrans_out = 0;
	sk_mem_reclaim(sk);
}
