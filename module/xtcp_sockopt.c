// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket options at SOL_TCP and SOL_XTCP (same names and values as
 * TCP's); other levels go to the address family (ip_setsockopt...).
 */
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"
#include "xtcp_sock.h"

#define XTCP_MAX_USER_MSS	65535
#define XTCP_MAX_SYNCNT		127	/* as TCP_SYNCNT's MAX_TCP_SYNCNT */

static bool xtcp_level_is_ours(int level)
{
	return level == SOL_TCP || level == SOL_XTCP;
}

/* TCP_CONGESTION: a name of up to XTCP_CA_NAME_MAX - 1 bytes */
static int xtcp_set_congestion(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	char name[XTCP_CA_NAME_MAX];
	int err;

	if (optlen < 1)
		return -EINVAL;
	optlen = min_t(unsigned int, optlen, sizeof(name) - 1);
	if (copy_from_sockptr(name, optval, optlen))
		return -EFAULT;
	name[optlen] = '\0';
	lock_sock(sk);
	err = xtcp_cong_set(sk, name);
	release_sock(sk);
	return err;
}

/**
 * xtcp_setsockopt() - setsockopt(2)
 * @sk: socket
 * @level: SOL_TCP/SOL_XTCP, or an IP level
 * @optname: option
 * @optval: value
 * @optlen: its length
 *
 * Return: 0 or a negative errno (ENOPROTOOPT for an unknown option).
 */
int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, err = 0;

	if (!xtcp_level_is_ours(level))
		return inet_csk(sk)->icsk_af_ops->setsockopt(sk, level, optname,
							     optval, optlen);
	if (optname == TCP_CONGESTION)
		return xtcp_set_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case TCP_NODELAY:
		xs->nodelay = !!val;
		if (val)
			xtcp_push(sk);
		break;
	case TCP_MAXSEG:
		if (val && (val < XTCP_MIN_MSS || val > XTCP_MAX_USER_MSS)) {
			err = -EINVAL;
			break;
		}
		xs->user_mss = val;
		if (inet_csk(sk)->icsk_pmtu_cookie)
			inet_csk(sk)->icsk_sync_mss(sk,
						    inet_csk(sk)->icsk_pmtu_cookie);
		break;
	case XTCP_CC_LOG:
		if (level != SOL_XTCP) {
			err = -ENOPROTOOPT;
			break;
		}
		err = xtcp_cc_log_enable(sk, val);
		break;
	case TCP_CORK:
		/* hold partial segments; uncorking sends them at once */
		xs->cork = !!val;
		if (!val) {
			sk_stop_timer(sk, &xs->cork_timer);
			xtcp_push_pending(sk, true);
		}
		break;
	case TCP_QUICKACK:
		/*
		 * Not permanent, as on Linux: the next XTCP_QUICKACKS data
		 * segments are acknowledged at once, then delaying resumes.
		 */
		xs->quickack = val ? XTCP_QUICKACKS : 0;
		if (val && xs->ack_pending &&
		    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
					    TCPF_FIN_WAIT2)))
			xtcp_send_ack(sk);
		break;
	case TCP_KEEPIDLE:
		/* TCP's range and errno; the timer restarts with the new time */
		if (val < 1 || val > XTCP_MAX_KEEPIDLE) {
			err = -EINVAL;
			break;
		}
		WRITE_ONCE(xs->keepalive_time, val * HZ);
		xtcp_keepalive_rearm(sk);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPINTVL) {
			err = -EINVAL;
			break;
		}
		WRITE_ONCE(xs->keepalive_intvl, val * HZ);
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT) {
			err = -EINVAL;
			break;
		}
		WRITE_ONCE(xs->keepalive_probes, val);
		break;
	case TCP_USER_TIMEOUT:
		/* RFC 5482 / RFC 9293 §3.8.3 in ms; 0 restores the retry limit */
		if (val < 0) {
			err = -EINVAL;
			break;
		}
		WRITE_ONCE(inet_csk(sk)->icsk_user_timeout, val);
		break;
	case TCP_SYNCNT:
		/* SYN (or, on a listener, SYN-ACK) retransmissions */
		if (val < 1 || val > XTCP_MAX_SYNCNT) {
			err = -EINVAL;
			break;
		}
		xs->user_syncnt = val;
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

/* TCP_INFO: the TCB as struct tcp_info, tcpi_state in TCP's numbering */
static void xtcp_get_info(struct sock *sk, struct tcp_info *info)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = (u32)jiffies;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = inet_sk_state_load(sk);
	if (info->tcpi_state == TCP_LISTEN) {
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}

	lock_sock(sk);
	info->tcpi_retransmits = icsk->icsk_retransmits;
	info->tcpi_probes = icsk->icsk_probes_out;
	info->tcpi_backoff = icsk->icsk_backoff;
	if (xs->tstamp_ok && !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)))
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (xs->sack_ok && !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)))
		info->tcpi_options |= TCPI_OPT_SACK;
	info->tcpi_options |= xtcp_ecn_info_options(sk);
	if (xs->snd_wscale || xs->rcv_wscale) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = xs->snd_wscale;
		info->tcpi_rcv_wscale = xs->rcv_wscale;
	}
	info->tcpi_rto = jiffies_to_usecs(icsk->icsk_rto);
	info->tcpi_ato = jiffies_to_usecs(icsk->icsk_ack.ato);
	info->tcpi_snd_mss = xs->mss_cache;
	info->tcpi_rcv_mss = xs->advmss;
	info->tcpi_advmss = xs->advmss;
	info->tcpi_last_data_recv = jiffies_to_msecs(now -
						     icsk->icsk_ack.lrcvtime);
	info->tcpi_rtt = xs->srtt_us;
	info->tcpi_rttvar = xs->rttvar_us;
	info->tcpi_total_retrans = xs->total_retrans;
	info->tcpi_ca_state = xs->ca_state;
	info->tcpi_snd_cwnd = xs->snd_cwnd;
	info->tcpi_snd_ssthresh = xs->snd_ssthresh;
	info->tcpi_unacked = xs->packets_out;
	info->tcpi_lost = xs->lost_out;
	info->tcpi_retrans = xs->sack_ok ? xs->retrans_out : xs->lost_out;
	info->tcpi_sacked = xs->sacked_out;
	info->tcpi_last_data_sent = jiffies_to_msecs(now - xs->lsndtime);
	info->tcpi_rcv_space = xs->rcv_wnd;
	info->tcpi_snd_wnd = xs->snd_wnd;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT))) {
		/* sequence space past the SYNs (a FIN counts as one byte) */
		info->tcpi_notsent_bytes = xs->write_seq - xs->snd_nxt;
		info->tcpi_bytes_acked = xs->snd_una - xs->iss - 1;
		info->tcpi_bytes_received = xs->rcv_nxt - xs->irs - 1;
	}
	release_sock(sk);
}

/**
 * xtcp_getsockopt() - getsockopt(2)
 * @sk: socket
 * @level: SOL_TCP/SOL_XTCP, or an IP level
 * @optname: option
 * @optval: user buffer
 * @optlen: user length, in and out
 *
 * Return: 0 or a negative errno.
 */
int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, len;

	if (!xtcp_level_is_ours(level))
		return inet_csk(sk)->icsk_af_ops->getsockopt(sk, level, optname,
							     optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	if (optname == TCP_INFO) {
		struct tcp_info info;

		xtcp_get_info(sk, &info);
		len = min_t(unsigned int, len, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	if (optname == TCP_CONGESTION) {
		char name[XTCP_CA_NAME_MAX] = "";

		lock_sock(sk);
		if (xs->ca_ops)
			strscpy(name, xs->ca_ops->name, sizeof(name));
		release_sock(sk);
		len = min_t(unsigned int, len, sizeof(name));
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	}
	if (optname == XTCP_CC_LOG && level == SOL_XTCP) {
		int err;

		lock_sock(sk);
		err = xtcp_cc_log_read(sk, optval, &len);
		release_sock(sk);
		if (!err && put_user(len, optlen))
			err = -EFAULT;
		return err;
	}

	len = min_t(unsigned int, len, sizeof(int));

	switch (optname) {
	case TCP_NODELAY:
		val = xs->nodelay;
		break;
	case TCP_MAXSEG:
		if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
			val = xs->user_mss ? : XTCP_DEFAULT_MSS;
		else
			val = xs->mss_cache;
		break;
	case TCP_CORK:
		val = xs->cork;
		break;
	case TCP_QUICKACK:
		val = !!xs->quickack;
		break;
	case TCP_KEEPIDLE:
		val = xtcp_keepalive_time(sk) / HZ;
		break;
	case TCP_KEEPINTVL:
		val = xtcp_keepalive_intvl(sk) / HZ;
		break;
	case TCP_KEEPCNT:
		val = xtcp_keepalive_probes(sk);
		break;
	case TCP_USER_TIMEOUT:
		val = READ_ONCE(inet_csk(sk)->icsk_user_timeout);
		break;
	case TCP_SYNCNT:
		val = xtcp_syn_retries(sk);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
