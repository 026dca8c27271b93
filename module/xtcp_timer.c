// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timers: retransmission (RFC 6298) and persist (RFC 9293 §3.8.6.1)
 * on icsk_retransmit_timer with their retry limits and TCP_USER_TIMEOUT
 * (which also runs RACK-TLP's probe and reordering timeouts, xtcp_rack.c),
 * delayed ACK on icsk_delack_timer, keepalive (RFC 9293 §3.8.4) on
 * icsk_keepalive_timer, and the RTT estimator behind the RTO.
 */
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

#define XTCP_RTO_GRANULARITY_US	(1000000U / HZ)

/**
 * xtcp_rtt_update() - fold an RTT sample into SRTT/RTTVAR (RFC 6298 §2)
 * @xs: socket
 * @sample_us: measured round-trip time in microseconds
 *
 * The first sample sets SRTT = R and RTTVAR = R/2 (§2.2); later ones use
 * alpha = 1/8 and beta = 1/4 (§2.3); the RTO follows (xtcp_rto_restore).
 */
void xtcp_rtt_update(struct xtcp_sock *xs, u32 sample_us)
{
	if (!xs->srtt_us) {
		xs->srtt_us = sample_us;
		xs->rttvar_us = sample_us / 2;
	} else {
		u32 delta = xs->srtt_us > sample_us ? xs->srtt_us - sample_us :
						      sample_us - xs->srtt_us;

		xs->rttvar_us = xs->rttvar_us - xs->rttvar_us / 4 + delta / 4;
		xs->srtt_us = xs->srtt_us - xs->srtt_us / 8 + sample_us / 8;
	}
	xtcp_rto_restore(xs);
}

XTCP_EXPORT_FOR_KUNIT(xtcp_rtt_update);

/**
 * xtcp_rto_compute() - the RTO of RFC 6298 §2.3 from SRTT and RTTVAR
 * @srtt_us: smoothed RTT
 * @rttvar_us: RTT variation
 * @rto_min: lower bound in jiffies (§2.4)
 * @rto_max: upper bound in jiffies (§2.5)
 *
 * RTO = SRTT + max(G, 4 * RTTVAR), G being the clock granularity (one
 * jiffy), clamped to [@rto_min, @rto_max].
 *
 * Return: the RTO in jiffies.
 */
u32 xtcp_rto_compute(u32 srtt_us, u32 rttvar_us, u32 rto_min, u32 rto_max)
{
	u64 rto_us = (u64)srtt_us + max_t(u64, XTCP_RTO_GRANULARITY_US,
					  4ULL * rttvar_us);

	rto_us = min_t(u64, rto_us, U32_MAX);
	return clamp_t(u32, usecs_to_jiffies((u32)rto_us), rto_min,
		       max(rto_min, rto_max));
}

XTCP_EXPORT_FOR_KUNIT(xtcp_rto_compute);

/**
 * xtcp_rto_restore() - RTO from SRTT and RTTVAR without backoff
 * @xs: socket
 *
 * xtcp_rto_compute() within the socket's bounds; the initial RTO
 * (net.xtcp.rto_initial_ms) while no sample exists (RFC 6298 §2.1).
 */
void xtcp_rto_restore(struct xtcp_sock *xs)
{
	if (!xs->srtt_us) {
		xs->icsk.icsk_rto = xtcp_rto_initial(sock_net(&xs->icsk.icsk_inet.sk));
		return;
	}
	xs->icsk.icsk_rto = xtcp_rto_compute(xs->srtt_us, xs->rttvar_us,
					     xs->rto_min, xs->rto_max);
}

/**
 * xtcp_init_rto() - take the RTO bounds and the initial RTO from net.xtcp
 * @sk: socket that is being created or starts a connection
 *
 * The bounds are read when a socket is created, connects or is accepted;
 * later sysctl changes apply to later connections (RFC 6298 §2.1, §2.4,
 * §2.5).
 */
void xtcp_init_rto(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rto_min = msecs_to_jiffies(READ_ONCE(xn->rto_min_ms));
	xs->rto_max = max_t(u32, xs->rto_min,
			    msecs_to_jiffies(READ_ONCE(xn->rto_max_ms)));
	xs->srtt_us = 0;
	xs->rttvar_us = 0;
	inet_csk(sk)->icsk_rto = clamp(xtcp_rto_initial(sock_net(sk)),
				       xs->rto_min, xs->rto_max);
}

/*
 * TCP_USER_TIMEOUT (RFC 5482, RFC 9293 §3.8.3): jiffies left before data
 * sent at @since has waited the user timeout; ULONG_MAX when none is set.
 */
static unsigned long xtcp_user_timeout_left(const struct sock *sk, u32 since)
{
	u32 ut = READ_ONCE(inet_csk(sk)->icsk_user_timeout);
	u32 limit, elapsed = (u32)jiffies - since;

	if (!ut)
		return ULONG_MAX;
	limit = msecs_to_jiffies(ut);
	return elapsed >= limit ? 0 : limit - elapsed;
}

/**
 * xtcp_rearm_rto() - (re)start the retransmission timer with the current RTO
 * @sk: socket
 *
 * With TCP_USER_TIMEOUT set, the timer fires no later than the moment the
 * oldest unacknowledged segment reaches it.
 */
void xtcp_rearm_rto(struct sock *sk)
{
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);
	unsigned long when = inet_csk(sk)->icsk_rto, left;

	if (head && head != xtcp_sk(sk)->send_head) {
		left = xtcp_user_timeout_left(sk, XTCP_SKB_CB(head)->first_tx);
		when = min(when, max(left, 1UL));
	}
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, when,
				  xtcp_sk(sk)->rto_max);
}

/*
 * Retransmissions allowed before giving up: syn_retries in SYN-SENT,
 * retries2 (RFC 1122 §4.2.3.5 R2) when synchronized, orphan_retries for a
 * connection the application has closed (0 meaning 8, as in Linux).
 */
static int xtcp_retry_limit(const struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	int n;

	if (sk->sk_state == TCP_SYN_SENT)
		return xtcp_syn_retries(sk);
	if (sock_flag(sk, SOCK_DEAD)) {
		n = READ_ONCE(xn->orphan_retries);
		return n ? n : XTCP_ORPHAN_RETRIES;
	}
	return READ_ONCE(xn->retries2);
}

/* the connection timed out: ETIMEDOUT (RFC 9293 §3.8.3) and CLOSED */
static void xtcp_write_err(struct sock *sk)
{
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_CONNTIMEOUTS);
	WRITE_ONCE(sk->sk_err, sk->sk_err_soft ? : ETIMEDOUT);
	sk_error_report(sk);
	xtcp_done(sk);
}

/* RFC 6298 §5.4-5.7: retransmit the oldest segment and back off */
static void xtcp_retransmit_timeout(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);

	if (!head || head == xs->send_head)
		return;

	xtcp_inc_stats(sock_net(sk), XTCP_MIB_RTOTIMEOUTS);
	if (!xtcp_user_timeout_left(sk, XTCP_SKB_CB(head)->first_tx)) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_USERTIMEOUTS);
		xtcp_write_err(sk);
		return;
	}
	if (icsk->icsk_retransmits >= xtcp_retry_limit(sk)) {
		xtcp_write_err(sk);
		return;
	}

	xtcp_cong_rto(sk);
	xtcp_retransmit_head(sk);
	icsk->icsk_retransmits++;
	icsk->icsk_backoff++;
	/* RFC 6298 §5.5, bounded by rto_max (§2.5) */
	icsk->icsk_rto = min(icsk->icsk_rto << 1, xs->rto_max);
	xtcp_rearm_rto(sk);
}

/*
 * RFC 9293 §3.8.6.1: probe a zero window, backing off, while data waits.
 * A window that is open but too small for the next segment, with nothing
 * in flight, is probed the same way: no ACK would otherwise come to tell
 * us it opened if the peer's window update were lost.
 * Every answer resets the probe count (xtcp_ack()), so a peer that keeps
 * answering is probed for ever; unanswered probes end the connection after
 * the retry limit, or once TCP_USER_TIMEOUT has passed since the first.
 */
static void xtcp_persist_timeout(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long when;

	if (!xs->send_head || xs->snd_nxt != xs->snd_una ||
	    !xtcp_window_blocks(sk, xs->send_head))
		return;
	if (!icsk->icsk_probes_out) {
		xs->probe_stamp = (u32)jiffies;
	} else if (!xtcp_user_timeout_left(sk, xs->probe_stamp)) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_USERTIMEOUTS);
		xtcp_write_err(sk);
		return;
	} else if (icsk->icsk_probes_out >= xtcp_retry_limit(sk)) {
		xtcp_write_err(sk);
		return;
	}
	xtcp_send_window_probe(sk);
	icsk->icsk_probes_out++;
	if (icsk->icsk_backoff < 16)
		icsk->icsk_backoff++;
	when = min_t(unsigned long, (unsigned long)icsk->icsk_rto << icsk->icsk_backoff,
		     xs->rto_max);
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_PROBE0, when, xs->rto_max);
}

static void xtcp_write_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_retransmit_timer);
	struct sock *sk = &icsk->icsk_inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		/* the owner holds the lock: look again shortly */
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       jiffies + HZ / 20);
		goto out;
	}
	if (sk->sk_state == TCP_CLOSE || !icsk->icsk_pending)
		goto out;
	switch (icsk->icsk_pending) {
	case ICSK_TIME_PROBE0:
		icsk->icsk_pending = 0;
		xtcp_persist_timeout(sk);
		break;
	case ICSK_TIME_LOSS_PROBE:
		icsk->icsk_pending = 0;
		xtcp_tlp_timeout(sk);
		break;
	case ICSK_TIME_REO_TIMEOUT:
		icsk->icsk_pending = 0;
		xtcp_rack_reo_timeout(sk);
		break;
	default:
		icsk->icsk_pending = 0;
		xtcp_retransmit_timeout(sk);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void xtcp_delack_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_delack_timer);
	struct sock *sk = &icsk->icsk_inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &icsk->icsk_delack_timer, jiffies + HZ / 50);
		goto out;
	}
	icsk->icsk_ack.pending = 0;
	if (xtcp_sk(sk)->ack_pending) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_DELAYEDACKS);
		xtcp_send_ack(sk);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_keepalive_time() - idle time before the first keep-alive probe
 * @sk: socket
 *
 * Return: TCP_KEEPIDLE, or net.xtcp.keepalive_time_ms, in jiffies.
 */
u32 xtcp_keepalive_time(const struct sock *sk)
{
	u32 t = READ_ONCE(xtcp_sk(sk)->keepalive_time);

	return t ? : msecs_to_jiffies(READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_time_ms));
}

/**
 * xtcp_keepalive_intvl() - time between unanswered keep-alive probes
 * @sk: socket
 *
 * Return: TCP_KEEPINTVL, or net.xtcp.keepalive_intvl_ms, in jiffies.
 */
u32 xtcp_keepalive_intvl(const struct sock *sk)
{
	u32 t = READ_ONCE(xtcp_sk(sk)->keepalive_intvl);

	return t ? : msecs_to_jiffies(READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_intvl_ms));
}

/**
 * xtcp_keepalive_probes() - unanswered keep-alive probes before giving up
 * @sk: socket
 *
 * Return: TCP_KEEPCNT, or net.xtcp.keepalive_probes.
 */
int xtcp_keepalive_probes(const struct sock *sk)
{
	int n = READ_ONCE(xtcp_sk(sk)->keepalive_probes);

	return n ? : READ_ONCE(xtcp_pernet(sock_net(sk))->keepalive_probes);
}

/**
 * xtcp_keepalive_rearm() - restart keep-alive after TCP_KEEPIDLE changed
 * @sk: socket, locked
 *
 * The first probe goes out when the connection has been idle for the new
 * time, counted from the last segment received.
 */
void xtcp_keepalive_rearm(struct sock *sk)
{
	u32 idle = jiffies - inet_csk(sk)->icsk_ack.lrcvtime;
	u32 kt = xtcp_keepalive_time(sk);

	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		return;
	inet_csk_reset_keepalive_timer(sk, idle < kt ? kt - idle : 1);
}

/* RFC 9293 §3.8.4 keep-alive: probe an idle connection, give up after
 * TCP_KEEPCNT unanswered probes (or TCP_USER_TIMEOUT); also the FIN-WAIT-2
 * timeout of an orphan that could not become a timewait sock yet
 */
static void xtcp_keepalive_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_keepalive_timer);
	struct sock *sk = &icsk->icsk_inet.sk;
	unsigned long idle, next, ktime;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		inet_csk_reset_keepalive_timer(sk, HZ / 20);
		goto out;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		/* an orphan outlived net.xtcp.fin_timeout_ms: abort it */
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_done(sk);
		goto out;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		goto out;

	/* data in flight or a zero window: the other timers watch the peer */
	if (xtcp_sk(sk)->snd_una != xtcp_sk(sk)->snd_nxt ||
	    xtcp_sk(sk)->send_head) {
		inet_csk_reset_keepalive_timer(sk, xtcp_keepalive_time(sk));
		goto out;
	}
	idle = (u32)jiffies - icsk->icsk_ack.lrcvtime;
	ktime = xtcp_keepalive_time(sk);
	if (idle >= ktime) {
		u32 ut = icsk->icsk_user_timeout;

		if ((ut && idle >= msecs_to_jiffies(ut) &&
		     icsk->icsk_probes_out) ||
		    (!ut && icsk->icsk_probes_out >= xtcp_keepalive_probes(sk))) {
			xtcp_inc_stats(sock_net(sk), XTCP_MIB_KEEPALIVETIMEOUTS);
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_write_err(sk);
			goto out;
		}
		xtcp_send_window_probe(sk);
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_KEEPALIVEPROBES);
		icsk->icsk_probes_out++;
		next = xtcp_keepalive_intvl(sk);
	} else {
		/* the peer answered (or spoke): count afresh */
		icsk->icsk_probes_out = 0;
		next = ktime - idle;
	}
	inet_csk_reset_keepalive_timer(sk, next);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_set_keepalive() - proto keepalive hook for SO_KEEPALIVE
 * @sk: socket
 * @val: enable
 */
void xtcp_set_keepalive(struct sock *sk, int val)
{
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (val)
		inet_csk_reset_keepalive_timer(sk, xtcp_keepalive_time(sk));
	else
		inet_csk_delete_keepalive_timer(sk);
}

/* TCP_CORK's time limit: send what it has held for XTCP_CORK_MAX */
static void xtcp_cork_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, cork_timer);
	struct sock *sk = &xs->icsk.icsk_inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &xs->cork_timer, jiffies + HZ / 50);
	else if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
		xtcp_push_pending(sk, true);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_cork_timer_arm() - TCP_CORK holds a partial segment: bound the wait
 * @sk: socket, locked
 *
 * Started when the hold begins and not pushed back by later writes, so no
 * byte waits longer than XTCP_CORK_MAX (200 ms, as on Linux).
 */
void xtcp_cork_timer_arm(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!timer_pending(&xs->cork_timer))
		sk_reset_timer(sk, &xs->cork_timer, jiffies + XTCP_CORK_MAX);
}

/**
 * xtcp_init_xmit_timers() - set up the socket's timers
 * @sk: socket
 */
void xtcp_init_xmit_timers(struct sock *sk)
{
	inet_csk_init_xmit_timers(sk, xtcp_write_timer, xtcp_delack_timer,
				  xtcp_keepalive_timer);
	timer_setup(&xtcp_sk(sk)->cork_timer, xtcp_cork_timer, 0);
}

/**
 * xtcp_clear_xmit_timers() - stop every timer of the socket
 * @sk: socket
 */
void xtcp_clear_xmit_timers(struct sock *sk)
{
	inet_csk_clear_xmit_timers(sk);
	sk_stop_timer(sk, &xtcp_sk(sk)->cork_timer);
}
