// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP Explicit Congestion Notification (RFC 3168 §6.1): negotiation on
 * SYN and SYN-ACK (net.xtcp.ecn), ECT(0) on new data, the echo of CE marks
 * in ECE until CWR, and the sender's reaction to ECE.
 */
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/sock.h>

#include "xtcp.h"

#define XTCP_ECN_SETUP	(XTCPHDR_ECE | XTCPHDR_CWR)

/**
 * xtcp_ecn_accept_syn() - does a listener accept the ECN setup of a SYN?
 * @sysctl: net.xtcp.ecn
 * @syn_flags: header flags of the SYN
 *
 * RFC 3168 §6.1.1: an ECN-setup SYN carries both ECE and CWR; the host
 * answers with an ECN-setup SYN-ACK when it is willing to use ECN (here
 * net.xtcp.ecn 1 or 2).
 *
 * Return: true when the connection will be ECN-capable.
 */
bool xtcp_ecn_accept_syn(int sysctl, u8 syn_flags)
{
	return sysctl != XTCP_ECN_OFF &&
	       (syn_flags & XTCP_ECN_SETUP) == XTCP_ECN_SETUP;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_ecn_accept_syn);

/**
 * xtcp_ecn_agreed() - the answer to our ECN-setup SYN
 * @requested: our SYN was an ECN-setup SYN
 * @flags: header flags of the SYN-ACK (or, in a simultaneous open, SYN)
 *
 * RFC 3168 §6.1.1: an ECN-setup SYN-ACK has ECE and not CWR; anything
 * else means the peer does not use ECN. In a simultaneous open the peer's
 * SYN must itself be an ECN-setup SYN (ECE and CWR).
 *
 * Return: true when the connection is ECN-capable.
 */
bool xtcp_ecn_agreed(bool requested, u8 flags)
{
	if (!requested)
		return false;
	if (!(flags & XTCPHDR_ACK))
		return (flags & XTCP_ECN_SETUP) == XTCP_ECN_SETUP;
	return (flags & XTCP_ECN_SETUP) == XTCPHDR_ECE;
}

XTCP_EXPORT_FOR_KUNIT(xtcp_ecn_agreed);

static void xtcp_ecn_reset(struct xtcp_sock *xs, bool ok)
{
	xs->ecn_ok = ok;
	xs->ecn_ece = 0;
	xs->ecn_cwr = 0;
	xs->ecn_seen = 0;
}

/**
 * xtcp_ecn_connect() - an active open decides whether its SYN asks for ECN
 * @sk: socket about to send its SYN
 *
 * RFC 3168 §6.1.1: with net.xtcp.ecn = 1 the SYN is an ECN-setup SYN.
 */
void xtcp_ecn_connect(struct sock *sk)
{
	xtcp_ecn_reset(xtcp_sk(sk), READ_ONCE(xtcp_pernet(sock_net(sk))->ecn) ==
			XTCP_ECN_ON);
}

/**
 * xtcp_ecn_rcv_syn() - the peer's SYN-ACK (or SYN) in SYN-SENT
 * @sk: socket in SYN-SENT that asked for ECN or not
 * @flags: the segment's header flags
 */
void xtcp_ecn_rcv_syn(struct sock *sk, u8 flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->ecn_ok = xtcp_ecn_agreed(xs->ecn_ok, flags);
	if (xs->ecn_ok)
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_ECNNEGOTIATED);
}

/**
 * xtcp_ecn_syn_ok() - will a listener answer this SYN with ECN setup?
 * @lsk: the listener
 * @flags: header flags of the SYN
 *
 * Return: the decision, kept in the request sock's opt.ecn_ok.
 */
bool xtcp_ecn_syn_ok(const struct sock *lsk, u8 flags)
{
	return xtcp_ecn_accept_syn(READ_ONCE(xtcp_pernet(sock_net(lsk))->ecn),
				   flags);
}

/**
 * xtcp_ecn_synack_flags() - the ECN flags of a request sock's SYN-ACK
 * @req: the request sock
 *
 * Return: XTCPHDR_ECE for an ECN-setup SYN-ACK (never CWR, RFC 3168
 * §6.1.1), else 0.
 */
u8 xtcp_ecn_synack_flags(const struct request_sock *req)
{
	return xtcp_rsk(req)->opt.ecn_ok ? XTCPHDR_ECE : 0;
}

/**
 * xtcp_ecn_init_child() - ECN state of the child of a passive open
 * @newsk: the child
 * @req: its request sock (a SYN cookie's carries what the TSval kept)
 */
void xtcp_ecn_init_child(struct sock *newsk, const struct request_sock *req)
{
	bool ok = xtcp_rsk(req)->opt.ecn_ok;

	xtcp_ecn_reset(xtcp_sk(newsk), ok);
	if (ok)
		xtcp_inc_stats(sock_net(newsk), XTCP_MIB_ECNNEGOTIATED);
}

/**
 * xtcp_ecn_xmit() - ECN bits of a segment about to be queued to IP
 * @sk: socket, locked
 * @skb: the segment, header pushed
 * @th: its header, checksum not yet computed
 *
 * RFC 3168 §6.1.1: our SYN asks for ECN with ECE and CWR, a
 * simultaneous-open SYN-ACK agrees with ECE. §6.1.2 and §6.1.5: only new
 * data goes out ECN-capable, ECT(0); SYNs, pure ACKs (window probes
 * included), RSTs and retransmissions do not; the first new data segment
 * after a window reduction carries CWR. §6.1.3: while a CE mark waits for
 * the sender's CWR, every ACK carries ECE.
 */
void xtcp_ecn_xmit(struct sock *sk, const struct sk_buff *skb,
		   struct tcphdr *th)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 *flags = &((u8 *)th)[13];
	bool data = skb->len > th->doff * 4U;

	INET_ECN_dontxmit(sk);
	if (!xs->ecn_ok || (*flags & XTCPHDR_RST))
		return;
	if (*flags & XTCPHDR_SYN) {
		*flags |= (*flags & XTCPHDR_ACK) ? XTCPHDR_ECE : XTCP_ECN_SETUP;
		return;
	}
	if (xs->ecn_ece && (*flags & XTCPHDR_ACK))
		*flags |= XTCPHDR_ECE;
	if (!data || XTCP_SKB_CB(skb)->retransmitted)
		return;
	INET_ECN_xmit(sk);
	if (xs->ecn_cwr) {
		*flags |= XTCPHDR_CWR;
		xs->ecn_cwr = 0;
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_OUTCWRS);
	}
}

/*
 * RFC 3168 §6.1.2: an ACK with ECE halves the window, at most once per
 * window of data: not again while the reduction (CWR) lasts, and not when
 * loss recovery has reduced it already.
 */
static void xtcp_ecn_echo(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_state != XTCP_CA_OPEN && xs->ca_state != XTCP_CA_DISORDER)
		return;
	xtcp_cong_cwr(sk);
	xs->ecn_cwr = 1;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_ECEREDUCTIONS);
}

/**
 * xtcp_ecn_rcv() - ECN of an acceptable segment, before its ACK is processed
 * @sk: socket in a synchronized state (or SYN-RECEIVED), locked
 * @skb: the segment, its IP header still in place
 *
 * RFC 3168 §6.1.3: CWR ends the echo of earlier CE marks; a data segment
 * with CE starts it (again), with an immediate ACK when it is new. An ACK
 * with ECE reduces the window (§6.1.2). Connections without ECN ignore
 * both.
 */
void xtcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 payload = cb->end_seq - cb->seq - !!(cb->flags & XTCPHDR_FIN);

	if (!xs->ecn_ok)
		return;
	if (cb->flags & XTCPHDR_CWR)
		xs->ecn_ece = 0;
	if (payload && INET_ECN_is_ce(ip_hdr(skb)->tos)) {
		xtcp_inc_stats(sock_net(sk), XTCP_MIB_INCES);
		xs->ecn_seen = 1;
		if (!xs->ecn_ece && !xs->quickack)
			xs->quickack = 1;
		xs->ecn_ece = 1;
	}
	if ((cb->flags & (XTCPHDR_ACK | XTCPHDR_ECE)) ==
	    (XTCPHDR_ACK | XTCPHDR_ECE) && sk->sk_state != TCP_SYN_RECV &&
	    xtcp_seq_geq(cb->ack_seq, xs->snd_una) &&
	    xtcp_seq_leq(cb->ack_seq, xs->snd_nxt))
		xtcp_ecn_echo(sk);
}

/**
 * xtcp_ecn_info_options() - the ECN bits of TCP_INFO's tcpi_options
 * @sk: socket
 *
 * Return: TCPI_OPT_ECN when ECN was negotiated, TCPI_OPT_ECN_SEEN once a
 * CE mark was received.
 */
u8 xtcp_ecn_info_options(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u8 opts = 0;

	if (xs->ecn_ok && !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)))
		opts |= TCPI_OPT_ECN;
	if (xs->ecn_seen)
		opts |= TCPI_OPT_ECN_SEEN;
	return opts;
}
