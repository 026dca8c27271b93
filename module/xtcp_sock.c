// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket calls: socket init/destroy, state changes, listen, close and
 * abort (RFC 9293 §3.10.4, §3.10.5), shutdown, receive, poll and ioctl.
 */
#include <linux/poll.h>
#include <asm/ioctls.h>
#include <linux/sockios.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/inet_hashtables.h>

#include "xtcp.h"
#include "xtcp_sock.h"

static unsigned int xtcp_sync_mss(struct sock *sk, u32 pmtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = xtcp_mss_for_mtu(sk, pmtu);

	inet_csk(sk)->icsk_pmtu_cookie = pmtu;
	if (xs->peer_mss && mss > xs->peer_mss)
		mss = xs->peer_mss;
	if (xs->user_mss && mss > xs->user_mss)
		mss = xs->user_mss;
	/* RFC 6691: the MSS excludes options; room for timestamps per segment */
	if (xs->tstamp_ok)
		mss -= XTCPOLEN_TSTAMP_ALIGNED;
	xs->mss_cache = max_t(unsigned int, mss, XTCP_MIN_MSS);
	return xs->mss_cache;
}

/**
 * xtcp_init_sock() - proto init shared by the AF_XTCP and AF_INET paths
 * @sk: freshly allocated socket
 *
 * Return: 0.
 */
int xtcp_init_sock(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_init_xmit_timers(sk);
	xtcp_init_rto(sk);
	xtcp_rack_init(sk);
	icsk->icsk_af_ops = &xtcp_ipv4_af_ops;
	icsk->icsk_sync_mss = xtcp_sync_mss;
	xs->mss_cache = XTCP_DEFAULT_MSS;
	xs->rcv_mss = XTCP_DEFAULT_MSS;
	xs->rcv_ratio = XTCP_RCV_RATIO_INIT;
	xs->send_head = NULL;
	xs->ofo_root = RB_ROOT;
	sk->sk_state = TCP_CLOSE;
	sk->sk_write_space = xtcp_write_space;
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	/* children made by sk_clone_lock() are counted there */
	sk_sockets_allocated_inc(sk);
	xtcp_cong_sock_init(sk);
	return 0;
}

/**
 * xtcp_destroy_sock() - proto destroy: free queues, timers and the port
 * @sk: socket being destroyed
 */
void xtcp_destroy_sock(struct sock *sk)
{
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_write_queue(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_ofo_purge(sk);
	xtcp_cong_sock_release(sk);
	if (inet_csk(sk)->icsk_bind_hash)
		inet_put_port(sk);
	sk_sockets_allocated_dec(sk);
}

/**
 * xtcp_set_state() - move @sk to @state, unhashing it on CLOSED
 * @sk: socket
 * @state: new TCP_* state
 *
 * Keeps CurrEstab, AttemptFails and EstabResets (a direct move from
 * ESTABLISHED or CLOSE-WAIT to CLOSED) as their TCP namesakes count.
 */
void xtcp_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;
	struct net *net = sock_net(sk);

	if (state == TCP_ESTABLISHED && old != TCP_ESTABLISHED) {
		xtcp_inc_stats(net, XTCP_MIB_CURRESTAB);
		/* the buffers start sized for the initial window */
		xtcp_buf_init(sk);
	} else if ((old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT) &&
		   state != TCP_ESTABLISHED && state != TCP_CLOSE_WAIT) {
		xtcp_dec_stats(net, XTCP_MIB_CURRESTAB);
	}

	if (state == TCP_CLOSE) {
		if (old == TCP_SYN_SENT || old == TCP_SYN_RECV)
			xtcp_inc_stats(net, XTCP_MIB_ATTEMPTFAILS);
		else if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
			xtcp_inc_stats(net, XTCP_MIB_ESTABRESETS);
		sk->sk_prot->unhash(sk);
		if (inet_csk(sk)->icsk_bind_hash &&
		    !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			inet_put_port(sk);
	}
	inet_sk_set_state(sk, state);
}

/**
 * xtcp_done() - the connection is over: enter CLOSED and release it
 * @sk: socket, locked
 *
 * An orphaned socket is destroyed; otherwise the owner is woken.
 */
void xtcp_done(struct sock *sk)
{
	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		inet_csk_destroy_sock(sk);
}

/**
 * xtcp_write_space() - sk_write_space: wake writers once space is back
 * @sk: socket
 */
void xtcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !sk_stream_is_writeable(sk))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
						      EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * xtcp_listen() - listen(2): enter LISTEN (RFC 9293 §3.10.1 passive OPEN)
 * @sock: socket
 * @backlog: accept-queue length, already capped by net.core.somaxconn
 *
 * Return: 0 or a negative errno.
 */
int xtcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (sk->sk_state != TCP_LISTEN) {
		err = inet_csk_listen_start(sk);
		if (err)
			goto out;
	}
	err = 0;
out:
	release_sock(sk);
	return err;
}

/*
 * RFC 9293 §3.10.4 CLOSE call: the next state, and whether a FIN is due.
 */
static bool xtcp_close_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xtcp_set_state(sk, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		xtcp_set_state(sk, TCP_LAST_ACK);
		return true;
	case TCP_SYN_SENT:
		xtcp_set_state(sk, TCP_CLOSE);
		return false;
	default:
		return false;
	}
}

/**
 * xtcp_close() - close(2) on an XTCP socket
 * @sk: socket
 * @timeout: SO_LINGER time to wait for our FIN to be acknowledged
 *
 * Unread data aborts the connection with RST (RFC 9293 §3.10.4, RFC 2525
 * §2.17); SO_LINGER {1, 0} aborts; otherwise a FIN is queued and the
 * socket lives on as an orphan until the close handshake completes.
 */
void xtcp_close(struct sock *sk, long timeout)
{
	bool unread;
	int state;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);

	if (sk->sk_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
		goto adjudge;
	}

	unread = !skb_queue_empty(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_receive_queue);

	if (sk->sk_state == TCP_CLOSE) {
		/* nothing to tell the peer */
	} else if (unread) {
		xtcp_send_active_reset(sk, sk->sk_allocation);
		xtcp_set_state(sk, TCP_CLOSE);
	} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
		sk->sk_prot->disconnect(sk, 0);
	} else if (xtcp_close_state(sk)) {
		xtcp_send_fin(sk);
	}

	sk_stream_wait_close(sk, timeout);

adjudge:
	state = sk->sk_state;
	sock_hold(sk);
	sock_orphan(sk);
	release_sock(sk);

	local_bh_disable();
	bh_lock_sock(sk);
	WARN_ON(sock_owned_by_user(sk));
	this_cpu_inc(*sk->sk_prot->orphan_count);

	/* the backlog may already have finished and destroyed it */
	if (state != TCP_CLOSE && sk->sk_state == TCP_CLOSE)
		goto out;

	if (sk->sk_state == TCP_FIN_WAIT2) {
		/* an orphan waits for the peer's FIN in a small timewait sock */
		xtcp_time_wait(sk, TCP_FIN_WAIT2, xtcp_fin_timeout(sk));
		goto out;
	}
	if (sk->sk_state == TCP_CLOSE)
		inet_csk_destroy_sock(sk);
out:
	bh_unlock_sock(sk);
	local_bh_enable();
	sock_put(sk);
}

static bool xtcp_state_synchronized(int state)
{
	return (1 << state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
			       TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 | TCPF_CLOSING |
			       TCPF_LAST_ACK | TCPF_SYN_RECV);
}

/**
 * xtcp_disconnect() - ABORT (RFC 9293 §3.10.5): reset and return to CLOSED
 * @sk: socket, locked
 * @flags: unused
 *
 * Return: 0.
 */
int xtcp_disconnect(struct sock *sk, int flags)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	int old_state = sk->sk_state;

	if (xtcp_state_synchronized(old_state))
		xtcp_send_active_reset(sk, gfp_any());
	if (old_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);

	if (old_state == TCP_LISTEN)
		inet_csk_listen_stop(sk);
	else if (old_state == TCP_SYN_SENT)
		WRITE_ONCE(sk->sk_err, ECONNRESET);

	xtcp_clear_xmit_timers(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_ofo_purge(sk);
	xtcp_purge_write_queue(sk);

	inet_sk(sk)->inet_dport = 0;
	inet_bhash2_reset_saddr(sk);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	icsk->icsk_backoff = 0;
	icsk->icsk_retransmits = 0;
	xtcp_init_rto(sk);
	xtcp_rack_init(sk);
	xs->snd_wnd = 0;
	xs->peer_mss = 0;
	xs->tstamp_ok = 0;
	xs->urg_mode = 0;
	xs->urg_data = 0;
	xs->mss_cache = XTCP_DEFAULT_MSS;
	xs->dupacks = 0;
	xs->num_sacks = 0;
	xs->dsack = 0;
	xtcp_cong_reset(sk);
	sk_dst_reset(sk);
	sk_error_report(sk);
	return 0;
}

/**
 * xtcp_shutdown() - shutdown(2) for SHUT_WR: queue our FIN (half-close)
 * @sk: socket, locked by inet_shutdown()
 * @how: RCV_SHUTDOWN and/or SEND_SHUTDOWN
 */
void xtcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	if ((1 << sk->sk_state) &
	    (TCPF_ESTABLISHED | TCPF_SYN_RECV | TCPF_CLOSE_WAIT)) {
		if (xtcp_close_state(sk))
			xtcp_send_fin(sk);
	}
}

/*
 * Grow the receive buffer for the reader's pace (xtcp_rcvbuf_grow()), then
 * announce freed receive space when the right window edge would move by
 * at least two segments (RFC 9293 §3.8.6.2.2 receiver SWS avoidance), so
 * a sender stalled on a closed window learns about it at once.
 */
static void xtcp_rcv_space_update(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 old_edge = xs->rcv_wup + xs->rcv_wnd;
	u32 free;

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	xtcp_rcvbuf_grow(sk);
	free = xtcp_free_window(sk);
	if ((s32)(xs->rcv_nxt + free - old_edge) >= 2 * (s32)xs->mss_cache ||
	    (xs->rcv_wnd == 0 && free >= xs->mss_cache))
		xtcp_send_ack(sk);
}

static struct sk_buff *xtcp_find_skb(struct sock *sk, u32 seq, u32 *offset)
{
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		u32 off = seq - XTCP_SKB_CB(skb)->seq;

		if (off < skb->len) {
			*offset = off;
			return skb;
		}
	}
	return NULL;
}

/**
 * xtcp_recvmsg() - recvmsg(2): copy in-order data to the application
 * @sk: socket
 * @msg: destination
 * @len: bytes wanted
 * @flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT
 * @addr_len: unused for a connected stream
 *
 * Return: bytes copied, 0 at end of stream, or a negative errno.
 */
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 peek_seq, *seq;
	size_t copied = 0;
	long timeo;
	int target;
	int err = 0;

	if (flags & MSG_ERRQUEUE)
		return sock_recv_errqueue(sk, msg, len, SOL_IP, IP_RECVERR);

	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	if (flags & MSG_OOB) {
		err = xtcp_urg_recv(sk, msg, len, flags);
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	seq = &xs->copied_seq;
	if (flags & MSG_PEEK) {
		peek_seq = xs->copied_seq;
		seq = &peek_seq;
	}

	while (copied < len) {
		struct sk_buff *skb;
		u32 offset, used;

		skb = xtcp_find_skb(sk, *seq, &offset);
		if (skb) {
			bool skip;

			/* a read stops at the urgent mark (RFC 6093 §3) */
			if (copied && xs->urg_data && xs->urg_seq == *seq)
				break;
			used = min_t(size_t, skb->len - offset, len - copied);
			used = xtcp_urg_limit(sk, *seq, used, &skip);
			if (skip) {
				/* the out-of-band byte is not in the stream */
				(*seq)++;
				offset++;
			}
			if (used && skb_copy_datagram_msg(skb, offset, msg, used)) {
				if (!copied)
					err = -EFAULT;
				break;
			}
			*seq += used;
			copied += used;
			if (!(flags & MSG_PEEK)) {
				xtcp_urg_consumed(sk);
				if (offset + used >= skb->len) {
					__skb_unlink(skb, &sk->sk_receive_queue);
					consume_skb(skb);
					/*
					 * Segments that arrived during a long
					 * copy are taken in (and ACKed) now,
					 * before the backlog overflows.
					 */
					sk_flush_backlog(sk);
				}
			}
			continue;
		}

		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			/* a FIN, then a pending error (RST), then shutdown */
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				err = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				err = -ENOTCONN;
				break;
			}
			if (!timeo) {
				err = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				err = sock_intr_errno(timeo);
				break;
			}
		}

		if (copied >= target) {
			/* drain the backlog before returning */
			release_sock(sk);
			lock_sock(sk);
		} else {
			if (!(flags & MSG_PEEK))
				xtcp_rcv_space_update(sk);
			sk_wait_data(sk, &timeo,
				     skb_peek_tail(&sk->sk_receive_queue));
		}
	}

	if (!(flags & MSG_PEEK) && copied)
		xtcp_rcv_space_update(sk);
out:
	release_sock(sk);
	return copied ? (int)copied : err;
}

/**
 * xtcp_ioctl() - SIOCINQ, SIOCATMARK, SIOCOUTQ and SIOCOUTQNSD
 * @sk: socket
 * @cmd: request
 * @arg: user pointer to an int
 *
 * Return: 0, -EINVAL on a listener, or -ENOIOCTLCMD.
 */
int xtcp_ioctl(struct sock *sk, int cmd, unsigned long arg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ: {
		struct sk_buff *skb;

		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = 0;
		skb_queue_walk(&sk->sk_receive_queue, skb)
			answ += skb->len;
		skb = skb_peek(&sk->sk_receive_queue);
		if (skb)
			answ -= xs->copied_seq - XTCP_SKB_CB(skb)->seq;
		release_sock(sk);
		break;
	}
	case SIOCATMARK:
		answ = xtcp_urg_at_mark(sk);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		answ = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_nxt);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

/*
 * Readable for poll: at least SO_RCVLOWAT (and at least one) bytes of
 * in-order data wait to be read.
 */
static bool xtcp_readable(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int avail = (int)(READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq));
	int target = max(READ_ONCE(sk->sk_rcvlowat), 1);

	/* an out-of-band byte at the mark is not readable data */
	if (xtcp_urg_at_mark(sk) && !sock_flag(sk, SOCK_URGINLINE))
		target++;
	return avail > 0 && avail >= target;
}

/**
 * xtcp_poll() - poll/epoll readiness with the meaning TCP gives it
 * @file: file
 * @sock: socket
 * @wait: poll table
 *
 * Return: the ready mask.
 */
__poll_t xtcp_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	int state;
	u8 shutdown;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return inet_csk_listen_poll(sk);

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;

	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		/* SO_RCVLOWAT: EPOLLIN once that much can be read */
		if (!skb_queue_empty_lockless(&sk->sk_receive_queue) &&
		    xtcp_readable(sk))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_is_writeable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* NOSPACE before the re-check: pairs with the
				 * freeing of queue space on ACK
				 */
				smp_mb__after_atomic();
				if (sk_stream_is_writeable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	/* RFC 9293 §3.8.5: urgent data has arrived */
	if (READ_ONCE(xtcp_sk(sk)->urg_data) & XTCP_URG_VALID)
		mask |= EPOLLPRI;
	/* see sk_err after the state it was set with */
	smp_rmb();
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}
