// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket-API selftests on one socket or one namespace: socket()
 * family/type/protocol checks, bind() errors and port space, listen/accept
 * errors, and the errno of operations on unconnected sockets.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

#include <linux/xtcp.h>

#include "xtcp_test.h"

/* Check that @fd is a stream socket whose getsockname() family is AF_INET. */
static void check_inet_stream(struct __test_metadata *_metadata, int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int type = 0;
	socklen_t tlen = sizeof(type);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	memset(&sin, 0xa5, sizeof(sin));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(sizeof(sin), len);
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_EQ(0, sin.sin_port);
	EXPECT_EQ(htonl(INADDR_ANY), sin.sin_addr.s_addr);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen));
	EXPECT_EQ(SOCK_STREAM, type);
	close(fd);
}

TEST_F(ns, socket_af_xtcp_proto0)
{
	check_inet_stream(_metadata, socket(xtcp_family(), SOCK_STREAM, 0));
}

TEST_F(ns, socket_af_xtcp_proto_xtcp)
{
	check_inet_stream(_metadata,
			  socket(xtcp_family(), SOCK_STREAM, xtcp_ipproto()));
}

TEST_F(ns, socket_af_inet_proto_xtcp)
{
	int fd = socket(AF_INET, SOCK_STREAM, xtcp_ipproto());
	int proto = 0;
	socklen_t len = sizeof(proto);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	/* It must be XTCP, not a TCP socket: SO_PROTOCOL says which. */
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len));
	EXPECT_EQ(xtcp_ipproto(), proto);
	check_inet_stream(_metadata, fd);
}

TEST_F(ns, socket_af_xtcp_so_protocol)
{
	int fd = socket(xtcp_family(), SOCK_STREAM, 0);
	int proto = 0;
	socklen_t len = sizeof(proto);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len));
	EXPECT_EQ(xtcp_ipproto(), proto);
	close(fd);
}

TEST_F(ns, socket_dgram_esocktnosupport)
{
	XTCP_ASSERT_ERRNO(socket(xtcp_family(), SOCK_DGRAM, 0), ESOCKTNOSUPPORT);
}

TEST_F(ns, socket_proto_udp_eprotonosupport)
{
	XTCP_ASSERT_ERRNO(socket(xtcp_family(), SOCK_STREAM, IPPROTO_UDP),
			  EPROTONOSUPPORT);
}

TEST_F(ns, socket_inet_dgram_xtcp_eprotonosupport)
{
	XTCP_ASSERT_ERRNO(socket(AF_INET, SOCK_DGRAM, xtcp_ipproto()),
			  EPROTONOSUPPORT);
}

TEST_F(ns, socket_unregistered_family_eafnosupport)
{
	/* AF_NETBEUI (13) has never had an implementation in Linux. */
	int fam = xtcp_family() == 13 ? 14 : 13;

	XTCP_ASSERT_ERRNO(socket(fam, SOCK_STREAM, 0), EAFNOSUPPORT);
	XTCP_ASSERT_ERRNO(socket(AF_MAX + 1, SOCK_STREAM, 0), EAFNOSUPPORT);
}

TEST_F(ns, bind_port0_autoassign)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	xtcp_sin(&sin, xtcp_loopback(), 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		TH_LOG("bind: %s", strerror(errno));
	memset(&sin, 0, sizeof(sin));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(AF_INET, sin.sin_family);
	EXPECT_NE(0, ntohs(sin.sin_port));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin.sin_addr.s_addr);
	close(fd);
}

TEST_F(ns, bind_twice_einval)
{
	struct sockaddr_in sin;
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	xtcp_sin(&sin, xtcp_loopback(), 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), EINVAL);
	close(fd);
}

/* Bind a new socket of (@domain, @proto) to @sin; returns fd or -1. */
static int bind_new(int domain, int proto, const struct sockaddr_in *sin)
{
	int fd = socket(domain, SOCK_STREAM, proto);

	if (fd < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin))) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

TEST_F(ns, bind_same_port_eaddrinuse)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int a, b;

	xtcp_sin(&sin, xtcp_loopback(), 0);
	a = bind_new(xtcp_family(), 0, &sin);
	ASSERT_LE(0, a) TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(a, (struct sockaddr *)&sin, &len));
	XTCP_ASSERT_ERRNO(bind_new(xtcp_family(), 0, &sin), EADDRINUSE);
	/* The AF_INET path shares the same XTCP port space. */
	XTCP_ASSERT_ERRNO(bind_new(AF_INET, xtcp_ipproto(), &sin), EADDRINUSE);
	/* A wildcard bind conflicts with the specific one too. */
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	XTCP_ASSERT_ERRNO(bind_new(xtcp_family(), 0, &sin), EADDRINUSE);
	close(a);
	/* Once closed (never connected) the port is free again. */
	sin.sin_addr = xtcp_loopback();
	b = bind_new(xtcp_family(), 0, &sin);
	ASSERT_LE(0, b) TH_LOG("rebind after close: %s", strerror(errno));
	close(b);
}

TEST_F(ns, bind_port_space_separate_from_tcp)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int x, t;

	/* XTCP first, then TCP on the same port. */
	xtcp_sin(&sin, xtcp_loopback(), 0);
	x = bind_new(xtcp_family(), 0, &sin);
	ASSERT_LE(0, x);
	ASSERT_EQ(0, getsockname(x, (struct sockaddr *)&sin, &len));
	ASSERT_EQ(0, listen(x, 1));
	t = bind_new(AF_INET, IPPROTO_TCP, &sin);
	ASSERT_LE(0, t) TH_LOG("TCP bind to XTCP's port: %s", strerror(errno));
	ASSERT_EQ(0, listen(t, 1));
	close(t);
	close(x);

	/* TCP first, then XTCP on the same port. */
	xtcp_sin(&sin, xtcp_loopback(), 0);
	t = bind_new(AF_INET, IPPROTO_TCP, &sin);
	ASSERT_LE(0, t);
	len = sizeof(sin);
	ASSERT_EQ(0, getsockname(t, (struct sockaddr *)&sin, &len));
	ASSERT_EQ(0, listen(t, 1));
	x = bind_new(xtcp_family(), 0, &sin);
	ASSERT_LE(0, x) TH_LOG("XTCP bind to TCP's port: %s", strerror(errno));
	ASSERT_EQ(0, listen(x, 1));
	close(x);
	close(t);
}

TEST_F(ns, bind_short_addrlen_einval)
{
	struct sockaddr_in sin;
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	xtcp_sin(&sin, xtcp_loopback(), 0);
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&sin, sizeof(sin) - 1),
			  EINVAL);
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&sin, 2), EINVAL);
	/* The socket is still unbound. */
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	close(fd);
}

TEST_F(ns, bind_inet6_family_eafnosupport)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	memset(&ss, 0, sizeof(ss));
	xtcp_sin(sin, xtcp_loopback(), 0);
	sin->sin_family = AF_INET6;
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&ss, sizeof(*sin)),
			  EAFNOSUPPORT);
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&ss, sizeof(ss)),
			  EAFNOSUPPORT);
	close(fd);
}

TEST_F(ns, bind_nonlocal_eaddrnotavail)
{
	struct sockaddr_in sin;
	struct in_addr a;
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	/* TEST-NET-1: assigned to no interface of the test namespaces. */
	ASSERT_EQ(1, inet_pton(AF_INET, "192.0.2.1", &a));
	xtcp_sin(&sin, a, 0);
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
			  EADDRNOTAVAIL);
	close(fd);
}

TEST_F(ns, bind_veth_address)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	xtcp_sin(&sin, self->env.addr_a, 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		TH_LOG("bind %s: %s", inet_ntoa(self->env.addr_a), strerror(errno));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_EQ(self->env.addr_a.s_addr, sin.sin_addr.s_addr);
	/* The other namespace's address is not local here. */
	xtcp_sin(&sin, self->env.addr_b, 0);
	close(fd);
	fd = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, fd);
	XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
			  EADDRNOTAVAIL);
	close(fd);
}

TEST_F(ns, accept_not_listening_einval)
{
	struct sockaddr_in sin;
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	XTCP_ASSERT_ERRNO(accept(fd, NULL, NULL), EINVAL);
	xtcp_sin(&sin, xtcp_loopback(), 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	XTCP_ASSERT_ERRNO(accept(fd, NULL, NULL), EINVAL);
	close(fd);
}

TEST_F(ns, accept_nonblock_eagain)
{
	struct sockaddr_in sin;
	int lfd;

	lfd = xtcp_listen_in(NULL, xtcp_loopback(), &sin);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, xtcp_set_nonblock(lfd, true));
	XTCP_ASSERT_ERRNO(accept(lfd, NULL, NULL), EAGAIN);
	XTCP_ASSERT_ERRNO(accept4(lfd, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
	close(lfd);

	/* A listener created non-blocking behaves the same. */
	lfd = xtcp_sock_in(NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(lfd, 1));
	XTCP_ASSERT_ERRNO(accept(lfd, NULL, NULL), EAGAIN);
	close(lfd);
}

TEST_F(ns, listen_unbound_autobinds)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, listen(fd, 4)) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sin, &len));
	EXPECT_NE(0, ntohs(sin.sin_port));
	close(fd);
}

TEST_F(ns, unconnected_enotconn)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char c;
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	XTCP_ASSERT_ERRNO(recv(fd, &c, 1, 0), ENOTCONN);
	XTCP_ASSERT_ERRNO(recv(fd, &c, 1, MSG_DONTWAIT), ENOTCONN);
	XTCP_ASSERT_ERRNO(shutdown(fd, SHUT_WR), ENOTCONN);
	XTCP_ASSERT_ERRNO(shutdown(fd, SHUT_RDWR), ENOTCONN);
	XTCP_ASSERT_ERRNO(getpeername(fd, (struct sockaddr *)&sin, &len),
			  ENOTCONN);
	/* A listener is not connected either. */
	xtcp_sin(&sin, xtcp_loopback(), 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(fd, 1));
	len = sizeof(sin);
	XTCP_ASSERT_ERRNO(getpeername(fd, (struct sockaddr *)&sin, &len),
			  ENOTCONN);
	XTCP_ASSERT_ERRNO(recv(fd, &c, 1, MSG_DONTWAIT), ENOTCONN);
	close(fd);
}

TEST_F(ns, unconnected_send_epipe)
{
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	XTCP_ASSERT_ERRNO(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
	XTCP_ASSERT_ERRNO(send(fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT), EPIPE);
	close(fd);
}

/* Without MSG_NOSIGNAL the EPIPE comes with SIGPIPE, as on TCP. */
TEST_F_SIGNAL(ns, unconnected_send_sigpipe, SIGPIPE)
{
	int fd = xtcp_sock_in(NULL, 0);

	ASSERT_LE(0, fd);
	send(fd, "x", 1, 0);
	TH_LOG("send on an unconnected socket did not raise SIGPIPE");
	close(fd);
}

TEST_HARNESS_MAIN
