/* SPDX-License-Identifier: GPL-2.0 */
/* XTCP socket calls (xtcp_sock.c, xtcp_sockopt.c) named by the proto tables. */
#ifndef _XTCP_SOCK_H
#define _XTCP_SOCK_H

#include <net/sock.h>

int xtcp_init_sock(struct sock *sk);
void xtcp_destroy_sock(struct sock *sk);
void xtcp_close(struct sock *sk, long timeout);
int xtcp_disconnect(struct sock *sk, int flags);
void xtcp_shutdown(struct sock *sk, int how);
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len);
int xtcp_ioctl(struct sock *sk, int cmd, unsigned long arg);
__poll_t xtcp_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait);
int xtcp_listen(struct socket *sock, int backlog);
int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen);
int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen);

#endif /* _XTCP_SOCK_H */
