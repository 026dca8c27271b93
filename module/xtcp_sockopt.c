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

static bool xtcp_level_is_ours(int level)
{
	return level == SOL_TCP || level == SOL_XTCP;
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
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
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
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
