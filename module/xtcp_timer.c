// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timers: retransmission (RFC 6298) and persist (RFC 9293 §3.8.6.1)
 * on icsk_retransmit_timer, delayed ACK on icsk_delack_timer, keepalive
 * (RFC 9293 §3.8.4) on icsk_keepalive_timer, and the RTT estimator behind the RTO.
 */
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

#define XTCP_KEEPALIVE_TIME	(7200U * HZ)
#define XTCP_KEEPALIVE_INTVL	(75U * HZ)
#define XTCP_KEEPALIVE_PROBES	9
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
 * xtcp_rto_restore() - RTO from SRTT and RTTVAR without backoff
 * @xs: socket
 *
 * RTO = SRTT + max(G, 4 * RTTVAR) clamped to [XTCP_RTO_MIN, XTCP_RTO_MAX]
 * (RFC 6298 §2.4, §2.5); the initial RTO while no sample exists (§2.1).
 */
void xtcp_rto_restore(struct xtcp_sock *xs)
{
	u32 rto_us;

	if (!xs->srtt_us) {
		xs->icsk.icsk_rto = XTCP_RTO_INIT;
		return;
	}
	rto_us = xs->srtt_us + max(XTCP_RTO_GRANULARITY_US, 4 * xs->rttvar_us);
	xs->icsk.icsk_rto = clamp_t(u32, usecs_to_jiffies(rto_us),
				    XTCP_RTO_MIN, XTCP_RTO_MAX);
}

/**
 * xtcp_rearm_rto() - (re)start the retransmission timer with the current RTO
 * @sk: socket
 */
void xtcp_rearm_rto(struct sock *sk)
{
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, inet_csk(sk)->icsk_rto,
				  XTCP_RTO_MAX);
}

/* RFC 6298 §5.4-5.7: retransmit the oldest segment and back off */
static void xtcp_retransmit_timeout(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);
	int limit;

	if (!head || head == xs->send_head)
		return;

	limit = sk->sk_state == TCP_SYN_SENT ?
		xtcp_syn_retries(sk) : XTCP_RETRIES2;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_RTOTIMEOUTS);
	if (icsk->icsk_retransmits >= limit) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_CONNTIMEOUTS);
		WRITE_ONCE(sk->sk_err, sk->sk_err_soft ? : ETIMEDOUT);
		sk_error_report(sk);
		xtcp_done(sk);
		return;
	}

	xtcp_cong_rto(sk);
	xtcp_retransmit_head(sk);
	icsk->icsk_retransmits++;
	icsk->icsk_backoff++;
	icsk->icsk_rto = min(icsk->icsk_rto << 1, XTCP_RTO_MAX);
	xtcp_rearm_rto(sk);
}

/* RFC 9293 §3.8.6.1: probe a zero window, backing off, while data waits */
static void xtcp_persist_timeout(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long when;

	if (!xs->send_head || xs->snd_wnd || xs->snd_nxt != xs->snd_una)
		return;
	if (icsk->icsk_probes_out >= XTCP_RETRIES2) {
		WRITE_ONCE(sk->sk_err, ETIMEDOUT);
		sk_error_report(sk);
		xtcp_done(sk);
		return;
	}
	xtcp_send_window_probe(sk);
	icsk->icsk_probes_out++;
	if (icsk->icsk_backoff < 16)
		icsk->icsk_backoff++;
	when = min_t(unsigned long, (unsigned long)icsk->icsk_rto << icsk->icsk_backoff,
		     XTCP_RTO_MAX);
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_PROBE0, when, XTCP_RTO_MAX);
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
	if (icsk->icsk_pending == ICSK_TIME_PROBE0) {
		icsk->icsk_pending = 0;
		xtcp_persist_timeout(sk);
	} else {
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
	if (xtcp_sk(sk)->ack_pending)
		xtcp_send_ack(sk);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* RFC 9293 §3.8.4 keep-alive: probe an idle connection, give up after
 * XTCP_KEEPALIVE_PROBES unanswered probes; also the FIN-WAIT-2 timeout of
 * an orphan that could not become a timewait sock yet
 */
static void xtcp_keepalive_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_keepalive_timer);
	struct sock *sk = &icsk->icsk_inet.sk;
	unsigned long idle, next = XTCP_KEEPALIVE_TIME;

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

	idle = jiffies - icsk->icsk_ack.lrcvtime;
	if (idle >= XTCP_KEEPALIVE_TIME) {
		if (icsk->icsk_probes_out >= XTCP_KEEPALIVE_PROBES) {
			WRITE_ONCE(sk->sk_err, ETIMEDOUT);
			sk_error_report(sk);
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_done(sk);
			goto out;
		}
		xtcp_send_window_probe(sk);
		icsk->icsk_probes_out++;
		next = XTCP_KEEPALIVE_INTVL;
	} else {
		next = XTCP_KEEPALIVE_TIME - idle;
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
		inet_csk_reset_keepalive_timer(sk, XTCP_KEEPALIVE_TIME);
	else
		inet_csk_delete_keepalive_timer(sk);
}

/**
 * xtcp_init_xmit_timers() - set up the socket's three timers
 * @sk: socket
 */
void xtcp_init_xmit_timers(struct sock *sk)
{
	inet_csk_init_xmit_timers(sk, xtcp_write_timer, xtcp_delack_timer,
				  xtcp_keepalive_timer);
}
