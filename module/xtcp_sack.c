// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP selective acknowledgments: the blocks a receiver reports (RFC 2018
 * §4, D-SACK of RFC 2883) and the sender's scoreboard, loss detection and
 * choice of what to send next in loss recovery (RFC 6675).
 */
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/sock.h>

#include "xtcp.h"

/* do the ranges [b->start, b->end) and [start, end) overlap or touch? */
static bool xtcp_sack_touches(const struct xtcp_sack_block *b, u32 start,
			      u32 end)
{
	return xtcp_seq_leq(b->start, end) && xtcp_seq_leq(start, b->end);
}

/**
 * xtcp_sack_add() - report newly received out-of-order data
 * @sp: the receiver's blocks, most recently changed first
 * @n: blocks in use
 * @start: first sequence number received
 * @end: sequence number after the last one
 *
 * RFC 2018 §4: the first block reports the contiguous data holding the
 * segment that triggered the ACK; the others repeat the most recently
 * reported blocks. The new range absorbs every block it overlaps or
 * touches, goes first, and the oldest block falls off when more than
 * XTCP_MAX_SACKS remain.
 *
 * Return: blocks now in use.
 */
int xtcp_sack_add(struct xtcp_sack_block *sp, int n, u32 start, u32 end)
{
	struct xtcp_sack_block out[XTCP_MAX_SACKS];
	bool absorbed[XTCP_MAX_SACKS] = {};
	bool changed = true;
	int i, k;

	n = min(n, XTCP_MAX_SACKS);
	out[0].start = start;
	out[0].end = end;
	/* a merge widens the block, which may then touch an earlier one */
	while (changed) {
		changed = false;
		for (i = 0; i < n; i++) {
			if (absorbed[i] ||
			    !xtcp_sack_touches(&sp[i], out[0].start, out[0].end))
				continue;
			if (xtcp_seq_before(sp[i].start, out[0].start))
				out[0].start = sp[i].start;
			if (xtcp_seq_after(sp[i].end, out[0].end))
				out[0].end = sp[i].end;
			absorbed[i] = true;
			changed = true;
		}
	}
	for (i = 0, k = 1; i < n && k < XTCP_MAX_SACKS; i++)
		if (!absorbed[i])
			out[k++] = sp[i];
	memcpy(sp, out, k * sizeof(*sp));
	return k;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_sack_add);

/**
 * xtcp_sack_trim() - forget what the cumulative acknowledgment now covers
 * @sp: the receiver's blocks
 * @n: blocks in use
 * @rcv_nxt: RCV.NXT
 *
 * Blocks at or below RCV.NXT go (RFC 2018 §4: only data above the
 * cumulative acknowledgment is reported); one straddling it starts there.
 *
 * Return: blocks still in use, in their order.
 */
int xtcp_sack_trim(struct xtcp_sack_block *sp, int n, u32 rcv_nxt)
{
	int i, k;

	for (i = 0, k = 0; i < n; i++) {
		if (xtcp_seq_leq(sp[i].end, rcv_nxt))
			continue;
		sp[k] = sp[i];
		if (xtcp_seq_before(sp[k].start, rcv_nxt))
			sp[k].start = rcv_nxt;
		k++;
	}
	return k;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_sack_trim);

/**
 * xtcp_sack_opt_blocks() - SACK blocks that fit in @room option bytes
 * @room: option space left in the segment
 *
 * RFC 2018 §3: the option is two bytes plus eight per block, sent behind
 * two NOPs to keep the blocks aligned.
 *
 * Return: 0 to XTCP_MAX_SACKS.
 */
int xtcp_sack_opt_blocks(unsigned int room)
{
	if (room < 4 + XTCPOLEN_SACK_BLOCK)
		return 0;
	return min_t(unsigned int, (room - 4) / XTCPOLEN_SACK_BLOCK,
		     XTCP_MAX_SACKS);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_sack_opt_blocks);

/* RFC 2883 §4: the next ACK's first block reports [start, end) once */
static void xtcp_sack_note_dsack(struct sock *sk, u32 start, u32 end)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!READ_ONCE(xtcp_pernet(sock_net(sk))->dsack))
		return;
	xs->dsack_block.start = start;
	xs->dsack_block.end = end;
	xs->dsack = 1;
}

/**
 * xtcp_sack_rcv_ofo() - out-of-order data arrived
 * @sk: socket, locked
 * @start: first sequence number of its payload
 * @end: sequence number after its payload
 * @dup: all of it was held already (a duplicate, RFC 2883 §4 case 2)
 */
void xtcp_sack_rcv_ofo(struct sock *sk, u32 start, u32 end, bool dup)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->sack_ok || start == end)
		return;
	if (dup)
		xtcp_sack_note_dsack(sk, start, end);
	xs->num_sacks = xtcp_sack_add(xs->selective_acks, xs->num_sacks,
				      start, end);
}

/**
 * xtcp_sack_rcv_dup() - data below RCV.NXT arrived again
 * @sk: socket, locked
 * @start: first duplicate sequence number
 * @end: sequence number after the last duplicate one
 *
 * RFC 2883 §4 case 1: reported in a D-SACK block below the cumulative
 * acknowledgment.
 */
void xtcp_sack_rcv_dup(struct sock *sk, u32 start, u32 end)
{
	if (xtcp_sk(sk)->sack_ok && start != end)
		xtcp_sack_note_dsack(sk, start, end);
}

/**
 * xtcp_sack_rcv_advance() - RCV.NXT moved: drop the blocks it covers
 * @sk: socket, locked
 */
void xtcp_sack_rcv_advance(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->num_sacks)
		xs->num_sacks = xtcp_sack_trim(xs->selective_acks,
					       xs->num_sacks, xs->rcv_nxt);
}

/**
 * xtcp_sack_fill() - the SACK blocks of the segment being sent
 * @sk: socket, locked
 * @sp: room for XTCP_MAX_SACKS blocks
 * @max: blocks the segment has room for
 *
 * A pending D-SACK block goes first and is reported once (RFC 2883 §4);
 * the most recently changed blocks follow (RFC 2018 §4).
 *
 * Return: blocks written.
 */
int xtcp_sack_fill(struct sock *sk, struct xtcp_sack_block *sp,
		   unsigned int max)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int i, n = 0;

	if (!max)
		return 0;
	if (xs->dsack) {
		sp[n++] = xs->dsack_block;
		xs->dsack = 0;
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_DSACKSENT);
	}
	for (i = 0; i < xs->num_sacks && n < max; i++)
		sp[n++] = xs->selective_acks[i];
	return n;
}

/**
 * xtcp_sack_block_valid() - may a received SACK block be used?
 * @start: its left edge
 * @end: its right edge
 * @snd_una: SND.UNA
 * @snd_nxt: SND.NXT
 * @max_window: the largest window the peer offered
 *
 * A block must be non-empty and end at or below SND.NXT (RFC 2018 §3); a
 * block below SND.UNA (a D-SACK, RFC 2883 §4) may reach back at most one
 * window, so that nothing from a peer's imagination is believed.
 *
 * Return: true when the block is plausible.
 */
bool xtcp_sack_block_valid(u32 start, u32 end, u32 snd_una, u32 snd_nxt,
			   u32 max_window)
{
	u32 floor = snd_una - max_t(u32, max_window, XTCP_MAX_WINDOW);

	return xtcp_seq_before(start, end) && xtcp_seq_leq(end, snd_nxt) &&
	       xtcp_seq_geq(start, floor);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_sack_block_valid);

/* payload range end of a queued segment (a FIN is never SACKed) */
static u32 xtcp_sack_skb_end(const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	return cb->end_seq - !!(cb->flags & XTCPHDR_FIN);
}

/**
 * xtcp_sack_mark() - set scoreboard bits on a sent skb
 * @xs: socket
 * @skb: the skb, in the write queue before send_head
 * @bits: XTCP_SKB_SACKED, XTCP_SKB_LOST and/or XTCP_SKB_RTX
 *
 * The counters sacked_out, lost_out and retrans_out follow the bits, by
 * the segments the skb stands for.
 */
void xtcp_sack_mark(struct xtcp_sock *xs, struct sk_buff *skb, u8 bits)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 segs = xtcp_skb_pcount(skb);
	u8 new = bits & ~cb->sacked;

	if (new & XTCP_SKB_SACKED) {
		/* SACKed data is neither lost nor in flight (RFC 6675 §4) */
		xtcp_sack_skb_freed(xs, skb);
		cb->sacked = 0;
		xs->sacked_out += segs;
	}
	if (new & XTCP_SKB_LOST)
		xs->lost_out += segs;
	if (new & XTCP_SKB_RTX)
		xs->retrans_out += segs;
	cb->sacked |= new;
}

/**
 * xtcp_sack_uncount() - take segments with scoreboard bits off the counters
 * @xs: socket
 * @bits: the bits they carried
 * @segs: how many
 */
void xtcp_sack_uncount(struct xtcp_sock *xs, u8 bits, u32 segs)
{
	if (bits & XTCP_SKB_SACKED)
		xs->sacked_out -= min(xs->sacked_out, segs);
	if (bits & XTCP_SKB_LOST)
		xs->lost_out -= min(xs->lost_out, segs);
	if (bits & XTCP_SKB_RTX)
		xs->retrans_out -= min(xs->retrans_out, segs);
}

/**
 * xtcp_sack_skb_freed() - a sent skb leaves the scoreboard
 * @xs: socket
 * @skb: the skb, acknowledged cumulatively (or SACKed)
 */
void xtcp_sack_skb_freed(struct xtcp_sock *xs, struct sk_buff *skb)
{
	xtcp_sack_uncount(xs, XTCP_SKB_CB(skb)->sacked, xtcp_skb_pcount(skb));
}

/*
 * Does block @b cover sent skb @skb whole? A skb of several segments that
 * the block covers only in part is cut at the block's edge first, so the
 * part inside can be marked (and, on the next call, the part behind).
 * Return: true when @skb, perhaps now shorter, lies inside @b.
 */
static bool xtcp_sack_cover(struct sock *sk, struct sk_buff *skb,
			    const struct xtcp_sack_block *b)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 end = xtcp_sack_skb_end(skb);

	if (!xtcp_seq_before(cb->seq, b->end) ||
	    !xtcp_seq_after(end, b->start))
		return false;
	/* the part below the block stays unSACKed; the rest comes next */
	if (xtcp_seq_after(b->start, cb->seq)) {
		xtcp_fragment(sk, skb, b->start - cb->seq);
		return false;
	}
	if (xtcp_seq_after(end, b->end) &&
	    xtcp_fragment(sk, skb, b->end - cb->seq))
		return false;
	return true;
}

/* the sent segment after @skb (the oldest for NULL), or NULL */
static struct sk_buff *xtcp_next_sent(const struct sock *sk,
				      struct sk_buff *skb)
{
	const struct sk_buff_head *q = &sk->sk_write_queue;

	if (!skb)
		skb = skb_peek(q);
	else
		skb = skb_queue_is_last(q, skb) ? NULL : skb->next;
	return skb == xtcp_sk(sk)->send_head ? NULL : skb;
}

/*
 * RFC 6675 §4 IsLost(): a segment is lost when more than (DupThresh - 1)
 * full segments' worth of data, or DupThresh discontiguous ranges, above
 * it are SACKed. Walking down from the newest sent segment both counts
 * only grow, so once a segment is lost every unSACKed one below is too;
 * the walk stops at the first segment already marked, below which the
 * previous walk marked everything.
 */
static void xtcp_sack_mark_lost(struct sock *sk)
{
	struct sk_buff_head *q = &sk->sk_write_queue;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 limit = (XTCP_DUPTHRESH - 1) * xs->mss_cache;
	u32 bytes = 0, ranges = 0;
	bool above_sacked = false;
	struct sk_buff *skb;

	if (!xs->sacked_out)
		return;
	/* the newest sent segment: the one before send_head, or the tail */
	skb = xs->send_head;
	if (skb)
		skb = skb_queue_is_first(q, skb) ? NULL : skb->prev;
	else
		skb = skb_peek_tail(q);
	for (; skb; skb = skb_queue_is_first(q, skb) ? NULL : skb->prev) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (cb->sacked & XTCP_SKB_SACKED) {
			if (!above_sacked)
				ranges++;
			above_sacked = true;
			bytes += xtcp_sack_skb_end(skb) - cb->seq;
			continue;
		}
		above_sacked = false;
		if (cb->sacked & XTCP_SKB_LOST)
			break;
		if (bytes > limit || ranges >= XTCP_DUPTHRESH)
			xtcp_sack_mark(xs, skb, XTCP_SKB_LOST);
	}
}

/**
 * xtcp_sack_process() - the SACK blocks of an arriving ACK
 * @sk: socket, locked, after the cumulative ACK was processed
 * @skb: the ACK, its header still in place
 *
 * RFC 6675 §5 Update(): every sent segment a valid block covers whole is
 * marked SACKed (and delivered for RACK, xtcp_rack.c); then IsLost() marks
 * the segments below enough SACKed data. A first block below the
 * cumulative ACK or inside the second is a D-SACK (RFC 2883 §4): counted
 * and handed to RACK.
 *
 * Return: segments newly SACKed.
 */
u32 xtcp_sack_process(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sack_block blk[XTCP_MAX_SACKS];
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 newly = 0, hi = xs->snd_una, now;
	const u8 *ptr;
	struct sk_buff *s;
	int i, n = 0;

	if (!xs->sack_ok || !cb->opt.num_sacks)
		return 0;
	ptr = (const u8 *)xtcp_hdr(skb) + cb->opt.sack_off;
	for (i = 0; i < cb->opt.num_sacks; i++, ptr += XTCPOLEN_SACK_BLOCK) {
		u32 start = get_unaligned_be32(ptr);
		u32 end = get_unaligned_be32(ptr + 4);

		if (!xtcp_sack_block_valid(start, end, xs->snd_una, xs->snd_nxt,
					   xs->max_window))
			continue;
		if (i == 0 && (xtcp_seq_leq(end, cb->ack_seq) ||
			       (cb->opt.num_sacks > 1 &&
				xtcp_seq_geq(start, get_unaligned_be32(ptr + 8)) &&
				xtcp_seq_leq(end, get_unaligned_be32(ptr + 12))))) {
			xtcp_inc_stats(sock_net(sk), XTCP_MIB_DSACKRECV);
			xtcp_rack_dsack(sk, start, end);
			continue;
		}
		if (xtcp_seq_leq(end, xs->snd_una))
			continue;
		blk[n++] = (struct xtcp_sack_block){ start, end };
		if (xtcp_seq_after(end, hi))
			hi = end;
	}
	if (!n)
		return 0;

	now = xtcp_clock_us();
	for (s = xtcp_next_sent(sk, NULL); s; s = xtcp_next_sent(sk, s)) {
		struct xtcp_skb_cb *scb = XTCP_SKB_CB(s);

		if (!xtcp_seq_before(scb->seq, hi))
			break;
		if ((scb->sacked & XTCP_SKB_SACKED) ||
		    xtcp_sack_skb_end(s) == scb->seq)
			continue;
		for (i = 0; i < n; i++) {
			if (xtcp_sack_cover(sk, s, &blk[i])) {
				newly += xtcp_skb_pcount(s);
				xtcp_rack_delivered(sk, s, now);
				xtcp_sack_mark(xs, s, XTCP_SKB_SACKED);
				break;
			}
		}
	}
	xtcp_sack_mark_lost(sk);
	return newly;
}

/**
 * xtcp_sack_head_lost() - IsLost(HighACK + 1), RFC 6675 §5 step (2)
 * @sk: socket
 *
 * Return: true when the oldest unacknowledged segment is presumed lost.
 */
bool xtcp_sack_head_lost(const struct sock *sk)
{
	const struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	return skb && skb != xtcp_sk(sk)->send_head &&
	       (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_LOST);
}

/**
 * xtcp_sack_mark_head_lost() - the oldest segment is to be resent first
 * @sk: socket, locked, entering fast recovery (RFC 6675 §5 step 4.3)
 */
void xtcp_sack_mark_head_lost(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (skb && skb != xtcp_sk(sk)->send_head &&
	    !(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED))
		xtcp_sack_mark(xtcp_sk(sk), skb, XTCP_SKB_LOST);
}

/**
 * xtcp_sack_mark_rto() - the scoreboard after a retransmission timeout
 * @sk: socket, locked
 *
 * Every unSACKed segment is presumed lost and none counts as resent
 * (RFC 5681 §3.1); the SACKed ones are not resent (RFC 6675 §5.1). A
 * SACKed oldest segment means the receiver discarded data it had SACKed
 * (reneging): then every SACK bit goes (RFC 2018 §8).
 */
void xtcp_sack_mark_rto(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool renege;

	renege = skb && skb != xs->send_head &&
		 (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED);
	if (renege)
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_SACKRENEGING);
	xs->sacked_out = 0;
	xs->lost_out = 0;
	xs->retrans_out = 0;
	for (skb = xtcp_next_sent(sk, NULL); skb; skb = xtcp_next_sent(sk, skb)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if ((cb->sacked & XTCP_SKB_SACKED) && !renege) {
			cb->sacked = XTCP_SKB_SACKED;
			xs->sacked_out += xtcp_skb_pcount(skb);
			continue;
		}
		cb->sacked = 0;
		xtcp_sack_mark(xs, skb, XTCP_SKB_LOST);
	}
}

/**
 * xtcp_in_flight() - the data outstanding in the network, in segments
 * @xs: socket
 *
 * Without SACK, every segment sent and not cumulatively acknowledged.
 * With it, RFC 6675 §4 SetPipe(): segments neither SACKed nor presumed
 * lost, plus the ones resent in this episode.
 *
 * Return: the estimate, compared with cwnd.
 */
u32 xtcp_in_flight(const struct xtcp_sock *xs)
{
	u32 left;

	if (!xs->sack_ok)
		return xs->packets_out;
	left = xs->packets_out - min(xs->packets_out,
				     xs->sacked_out + xs->lost_out);
	return left + xs->retrans_out;
}

/**
 * xtcp_sack_xmit() - send what the window allows in SACK loss recovery
 * @sk: socket, locked, in fast recovery or after a timeout
 *
 * RFC 6675 §5 step (C) with NextSeg() of §4, while the pipe is below cwnd:
 * (1) the oldest segment presumed lost and not yet resent; (2) new data;
 * (3) the oldest segment neither SACKed nor resent below SACKed data.
 * The optional rescue retransmission (rule 4) is not used.
 */
void xtcp_sack_xmit(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb, *rule3 = NULL;
	u32 sacked_seen = 0, nxt = xs->snd_nxt;

	for (skb = xtcp_next_sent(sk, NULL); skb; skb = xtcp_next_sent(sk, skb)) {
		u8 bits = XTCP_SKB_CB(skb)->sacked;

		if (bits & XTCP_SKB_SACKED) {
			sacked_seen++;
			continue;
		}
		if (!(bits & XTCP_SKB_LOST)) {
			/* past the lost ones: a rule (3) candidate at most */
			if (!(bits & XTCP_SKB_RTX)) {
				if (sacked_seen < xs->sacked_out)
					rule3 = skb;
				break;
			}
			continue;
		}
		if (bits & XTCP_SKB_RTX)
			continue;
		if (xtcp_in_flight(xs) >= xs->snd_cwnd)
			return;
		if (xtcp_retransmit_skb(sk, skb))
			return;
	}
	xtcp_push(sk);
	if (rule3 && xs->snd_nxt == nxt && xtcp_in_flight(xs) < xs->snd_cwnd)
		xtcp_retransmit_skb(sk, rule3);
}
