// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP urgent data (RFC 9293 §3.8.5, RFC 6093): the urgent pointer of
 * outgoing segments after send(MSG_OOB), the urgent pointer and byte of
 * incoming ones, recv(MSG_OOB), SIOCATMARK and EPOLLPRI.
 *
 * Interpretation (RFC 6093 §3, §4): like Linux and the BSDs, the urgent
 * pointer points to the byte *after* the last urgent byte, and only that
 * last byte is "out of band": without SO_OOBINLINE it is taken out of the
 * stream and read with recv(MSG_OOB); with SO_OOBINLINE it stays in the
 * stream and SIOCATMARK tells where. Reading stops at the mark. A newer
 * urgent pointer replaces an older one whose byte was not read (the older
 * byte then stays in the stream).
 */
#include <net/sock.h>

#include "xtcp.h"

/**
 * xtcp_urg_mark() - send(MSG_OOB) queued data: its last byte is urgent
 * @sk: socket, locked; write_seq already past the data
 *
 * The send urgent pointer (SND.UP) becomes the sequence number after the
 * last byte written; urgent mode lasts until the peer acknowledges it.
 */
void xtcp_urg_mark(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_up = xs->write_seq;
	xs->urg_mode = 1;
}

/**
 * xtcp_urg_ptr() - the URG flag and pointer of an outgoing segment
 * @xs: socket
 * @seq: the segment's sequence number
 *
 * RFC 9293 §3.8.5: every segment sent while urgent data lies ahead of it
 * carries URG and the offset of SND.UP; beyond 64 KiB the largest pointer
 * is sent, still telling the peer that urgent data is coming (RFC 6093 §5).
 *
 * Return: the urgent pointer, or 0 when the segment carries no URG.
 */
u16 xtcp_urg_ptr(const struct xtcp_sock *xs, u32 seq)
{
	if (!xs->urg_mode || !xtcp_seq_before(seq, xs->snd_up))
		return 0;
	return min_t(u32, xs->snd_up - seq, 0xffff);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_urg_ptr);

/**
 * xtcp_urg_acked() - SND.UNA moved: leave urgent mode once SND.UP is acked
 * @xs: socket
 */
void xtcp_urg_acked(struct xtcp_sock *xs)
{
	if (xs->urg_mode && xtcp_seq_geq(xs->snd_una, xs->snd_up))
		xs->urg_mode = 0;
}

/*
 * Look for the urgent byte at urg_seq among the in-order data; when it has
 * arrived, keep a copy for recv(MSG_OOB) and EPOLLPRI.
 */
static void xtcp_urg_capture(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	u8 byte;

	if (xs->urg_data != XTCP_URG_NOTYET ||
	    !xtcp_seq_before(xs->urg_seq, xs->rcv_nxt))
		return;
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		u32 off = xs->urg_seq - XTCP_SKB_CB(skb)->seq;

		if (off >= skb->len)
			continue;
		if (skb_copy_bits(skb, off, &byte, 1))
			return;
		WRITE_ONCE(xs->urg_data, XTCP_URG_VALID | byte);
		if (!sock_flag(sk, SOCK_DEAD))
			sk->sk_data_ready(sk);
		return;
	}
}

/**
 * xtcp_urg_rcv() - RFC 9293 §3.10.7.4 sixth check, the URG bit
 * @sk: socket in a state that accepts data
 * @skb: acceptable segment, header still in front of its data
 *
 * A new urgent pointer (past what was read and past the last one) records
 * the urgent byte's sequence number, signals the owner (SIGURG) and waits
 * for the byte; the caller calls xtcp_urg_data_arrived() after queueing
 * data.
 */
void xtcp_urg_rcv(struct sock *sk, const struct sk_buff *skb)
{
	const struct tcphdr *th = xtcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 up = ntohs(th->urg_ptr);
	u32 ptr;

	/* RFC 6093 §4: a zero pointer points at nothing */
	if (!up)
		return;
	ptr = XTCP_SKB_CB(skb)->seq + up - 1;	/* the last urgent byte */
	if (xtcp_seq_before(ptr, xs->copied_seq))
		return;
	if (xs->urg_data && xtcp_seq_leq(ptr, xs->urg_seq))
		return;
	sk_send_sigurg(sk);
	WRITE_ONCE(xs->urg_seq, ptr);
	WRITE_ONCE(xs->urg_data, XTCP_URG_NOTYET);
}

/**
 * xtcp_urg_data_arrived() - in-order data was queued: capture the byte
 * @sk: socket
 */
void xtcp_urg_data_arrived(struct sock *sk)
{
	if (xtcp_sk(sk)->urg_data == XTCP_URG_NOTYET)
		xtcp_urg_capture(sk);
}

/**
 * xtcp_urg_recv() - recv(MSG_OOB): the out-of-band byte
 * @sk: socket, locked
 * @msg: destination
 * @len: room in it
 * @flags: MSG_PEEK leaves the byte; MSG_TRUNC
 *
 * TCP's errors: EINVAL with SO_OOBINLINE, without urgent data or once it
 * was read; EAGAIN while the pointer has arrived but the byte has not (0
 * after the peer's FIN); ENOTCONN on a closed socket.
 *
 * Return: 1 (bytes copied), 0, or a negative errno.
 */
int xtcp_urg_recv(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 urg = xs->urg_data;
	u8 c;

	if (sock_flag(sk, SOCK_URGINLINE) || !urg || urg == XTCP_URG_READ)
		return -EINVAL;
	if (sk->sk_state == TCP_CLOSE && !sock_flag(sk, SOCK_DONE))
		return -ENOTCONN;
	if (urg & XTCP_URG_VALID) {
		c = urg & 0xff;
		if (!(flags & MSG_PEEK))
			WRITE_ONCE(xs->urg_data, XTCP_URG_READ);
		msg->msg_flags |= MSG_OOB;
		if (!len) {
			msg->msg_flags |= MSG_TRUNC;
			return 0;
		}
		if (!(flags & MSG_TRUNC) && memcpy_to_msg(msg, &c, 1))
			return -EFAULT;
		return 1;
	}
	if (sk->sk_state == TCP_CLOSE || (sk->sk_shutdown & RCV_SHUTDOWN))
		return 0;
	return -EAGAIN;
}

/**
 * xtcp_urg_at_mark() - SIOCATMARK: is the next byte to read the urgent one?
 * @sk: socket
 *
 * Return: true at the mark.
 */
bool xtcp_urg_at_mark(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return READ_ONCE(xs->urg_data) &&
	       READ_ONCE(xs->urg_seq) == READ_ONCE(xs->copied_seq);
}

/**
 * xtcp_urg_limit() - how much of an in-order read may go before the mark
 * @sk: socket, locked
 * @seq: next sequence number to read
 * @used: bytes the read would take from @seq
 * @skip: set when the byte at @seq is the urgent byte, kept out of the
 *	stream (no SO_OOBINLINE), and must be stepped over
 *
 * Reading stops at the mark (the urgent byte starts the next read).
 *
 * Return: the bytes to take from @seq (after the skipped byte, if any).
 */
u32 xtcp_urg_limit(const struct sock *sk, u32 seq, u32 used, bool *skip)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 off;

	*skip = false;
	if (!xs->urg_data)
		return used;
	off = xs->urg_seq - seq;
	if (off >= used)
		return used;
	if (off)
		return off;
	if (sock_flag(sk, SOCK_URGINLINE))
		return used;
	*skip = true;
	return used - 1;
}

/**
 * xtcp_urg_consumed() - reading moved past the urgent byte: forget it
 * @sk: socket, locked
 */
void xtcp_urg_consumed(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->urg_data && xtcp_seq_after(xs->copied_seq, xs->urg_seq))
		WRITE_ONCE(xs->urg_data, 0);
}
