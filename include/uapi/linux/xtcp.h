/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * XTCP user API: address family, IP protocol and socket-option level numbers.
 * Socket options at SOL_XTCP use the same names and values as SOL_TCP.
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

#include <linux/types.h>

/*
 * Default address family. It is free below AF_MAX on Linux 6.1 (the
 * historical AF_ASH slot, never implemented). The module parameter
 * "family" may move it; the number in use is readable from
 * /sys/module/xtcp/parameters/family.
 */
#define AF_XTCP		18
#define PF_XTCP		AF_XTCP

/* IP protocol number (RFC 3692 experimentation); module parameter "proto". */
#define IPPROTO_XTCP	253

/* Socket-option level; option names are those of SOL_TCP. */
#define SOL_XTCP	299

/*
 * getsockopt(SOL_XTCP, XTCP_INFO) fills a struct tcp_info (<linux/tcp.h>),
 * exactly as getsockopt(SOL_TCP, TCP_INFO) does on an XTCP socket.
 */
#define XTCP_INFO	11	/* TCP_INFO */

/*
 * SOL_XTCP only: a record of every change of the congestion window and
 * slow-start threshold. setsockopt(XTCP_CC_LOG, int 1) starts recording
 * (0 stops); getsockopt(XTCP_CC_LOG) returns the events recorded since the
 * last read as an array of struct xtcp_cc_event, oldest first (the oldest
 * are overwritten beyond 512 unread events).
 */
#define XTCP_CC_LOG	100

struct xtcp_cc_event {
	__u32 time_us;		/* since recording started */
	__u32 snd_cwnd;		/* packets */
	__u32 snd_ssthresh;	/* packets */
	__u8 ca_state;		/* TCP_CA_* numbering */
	__u8 reason;		/* see XTCP_CC_* in module/xtcp_cong.h */
	__u16 pad;
};

#endif /* _UAPI_LINUX_XTCP_H */
