/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * XTCP user API: address family, IP protocol and socket-option level numbers.
 * Socket options at SOL_XTCP use the same names and values as SOL_TCP.
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

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

#endif /* _UAPI_LINUX_XTCP_H */
