// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP readiness selftests: poll() and epoll events of listeners and
 * connected sockets across the veth link (pending connection, writable,
 * data arrival, peer shutdown/close, send-buffer space).
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "xtcp_test.h"

#define ANY_EVENT	(POLLIN | POLLOUT | POLLRDHUP | POLLERR | POLLHUP | POLLPRI)

TEST_F(ns, listener_pollin_when_pending)
{
	struct sockaddr_in srv;
	int lfd, fd, afd, rev;

	lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	rev = xtcp_poll1(lfd, POLLIN | POLLOUT, 100);
	ASSERT_EQ(0, rev) TH_LOG("idle listener revents 0x%x", rev);

	fd = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(errno));
	rev = xtcp_poll1(lfd, POLLIN, XTCP_WAIT_MS);
	ASSERT_EQ(POLLIN, rev) TH_LOG("listener revents 0x%x", rev);
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
	/* Queue drained: not readable any more. */
	rev = xtcp_poll1(lfd, POLLIN, 0);
	EXPECT_EQ(0, rev) TH_LOG("drained listener revents 0x%x", rev);
	close(afd);
	close(fd);
	close(lfd);
}

TEST_F(ns, connected_pollout_immediately)
{
	struct xtcp_conn c;
	int rev;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	rev = xtcp_poll1(c.cfd, ANY_EVENT, 0);
	EXPECT_EQ(POLLOUT, rev) TH_LOG("client revents 0x%x", rev);
	rev = xtcp_poll1(c.afd, ANY_EVENT, 0);
	EXPECT_EQ(POLLOUT, rev) TH_LOG("accepted revents 0x%x", rev);
	xtcp_conn_close(&c);
}

TEST_F(ns, pollin_on_data_not_before)
{
	struct xtcp_conn c;
	char buf[16];
	int rev;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	rev = xtcp_poll1(c.afd, POLLIN | POLLRDHUP | POLLPRI, 100);
	ASSERT_EQ(0, rev) TH_LOG("readable before data: 0x%x", rev);
	ASSERT_EQ(4, send(c.cfd, "ping", 4, MSG_NOSIGNAL));
	rev = xtcp_poll1(c.afd, POLLIN | POLLRDHUP | POLLPRI, XTCP_WAIT_MS);
	ASSERT_EQ(POLLIN, rev) TH_LOG("revents 0x%x", rev);
	ASSERT_EQ(4, recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "ping", 4));
	rev = xtcp_poll1(c.afd, POLLIN, 0);
	EXPECT_EQ(0, rev) TH_LOG("still readable after draining: 0x%x", rev);
	/* And the reverse direction. */
	ASSERT_EQ(0, xtcp_poll1(c.cfd, POLLIN, 0));
	ASSERT_EQ(4, send(c.afd, "pong", 4, MSG_NOSIGNAL));
	rev = xtcp_poll1(c.cfd, POLLIN, XTCP_WAIT_MS);
	ASSERT_EQ(POLLIN, rev);
	xtcp_conn_close(&c);
}

TEST_F(ns, pollin_recv0_after_peer_close)
{
	struct xtcp_conn c;
	char buf[16];
	int rev;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	close(c.cfd);
	c.cfd = -1;
	rev = xtcp_poll1(c.afd, POLLIN | POLLRDHUP, XTCP_WAIT_MS);
	ASSERT_EQ(POLLIN | POLLRDHUP, rev) TH_LOG("revents 0x%x", rev);
	ASSERT_EQ(0, recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT));
	/* Level-triggered: stays readable at EOF. */
	rev = xtcp_poll1(c.afd, POLLIN, 0);
	EXPECT_EQ(POLLIN, rev);
	xtcp_conn_close(&c);
}

TEST_F(ns, pollrdhup_after_peer_shutdown)
{
	struct xtcp_conn c;
	char buf[16];
	int rev;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	ASSERT_EQ(0, xtcp_poll1(c.afd, POLLRDHUP, 0));
	ASSERT_EQ(0, shutdown(c.cfd, SHUT_WR));
	/* wait for the FIN itself: POLLOUT alone would end an ANY_EVENT wait */
	rev = xtcp_poll1(c.afd, POLLRDHUP, XTCP_WAIT_MS);
	ASSERT_TRUE(rev & POLLRDHUP) TH_LOG("revents 0x%x", rev);
	rev = xtcp_poll1(c.afd, ANY_EVENT, 0);
	EXPECT_TRUE(rev & POLLIN);
	EXPECT_TRUE(rev & POLLOUT) TH_LOG("half-closed peer still writable");
	EXPECT_FALSE(rev & (POLLHUP | POLLERR)) TH_LOG("revents 0x%x", rev);
	ASSERT_EQ(0, recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT));

	/* Both directions shut: POLLHUP on the side that saw both FINs. */
	ASSERT_EQ(0, shutdown(c.afd, SHUT_WR));
	rev = xtcp_poll1(c.cfd, POLLIN | POLLRDHUP, XTCP_WAIT_MS);
	ASSERT_TRUE(rev & POLLRDHUP) TH_LOG("revents 0x%x", rev);
	EXPECT_TRUE(rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	rev = xtcp_poll1(c.afd, ANY_EVENT, 0);
	EXPECT_TRUE(rev & POLLHUP) TH_LOG("revents 0x%x", rev);
	xtcp_conn_close(&c);
}

TEST_F(ns, pollout_after_peer_drains)
{
	struct xtcp_conn c;
	int sz = 16384, rev, i;
	size_t queued = 0;
	char *buf;
	ssize_t n;

	buf = calloc(1, 65536);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(c.cfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)));
	ASSERT_EQ(0, setsockopt(c.afd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)));
	/* Fill the path until the sender blocks (bounded: 64 MiB). */
	for (i = 0; i < 1024; i++) {
		n = send(c.cfd, buf, 65536, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno) TH_LOG("send: %s", strerror(errno));
			/* Data may still be draining into the peer: settle. */
			if (xtcp_poll1(c.cfd, POLLOUT, 200) == 0)
				break;
			continue;
		}
		queued += n;
	}
	ASSERT_GT(1024, i) TH_LOG("sender never blocked (%zu bytes)", queued);
	rev = xtcp_poll1(c.cfd, POLLOUT, 0);
	ASSERT_EQ(0, rev) TH_LOG("full socket revents 0x%x", rev);

	/* The receiver drains everything: the sender becomes writable. */
	while (queued) {
		n = recv(c.afd, buf, queued < 65536 ? queued : 65536, 0);
		ASSERT_LT(0, n) TH_LOG("drain: %zd %s, %zu left", n,
				       strerror(errno), queued);
		queued -= n;
	}
	rev = xtcp_poll1(c.cfd, POLLOUT, XTCP_WAIT_MS);
	EXPECT_EQ(POLLOUT, rev) TH_LOG("revents 0x%x", rev);
	free(buf);
	xtcp_conn_close(&c);
}

TEST_F(ns, epoll_data_and_rdhup)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct xtcp_conn c;
	char buf[16];
	int ep;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.fd = c.afd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, c.afd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 100));

	ASSERT_EQ(3, send(c.cfd, "abc", 3, MSG_NOSIGNAL));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, XTCP_WAIT_MS));
	EXPECT_EQ(c.afd, ev.data.fd);
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events);
	ASSERT_EQ(3, recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 0));

	ASSERT_EQ(0, shutdown(c.cfd, SHUT_WR));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, XTCP_WAIT_MS));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLRDHUP), ev.events);
	close(ep);
	xtcp_conn_close(&c);
}

TEST_F(ns, epoll_listener_edge_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct sockaddr_in srv;
	int ep, lfd, fd, afd;

	lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &srv);
	ASSERT_LE(0, lfd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.fd = lfd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 100));
	fd = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, XTCP_WAIT_MS));
	EXPECT_EQ((uint32_t)EPOLLIN, ev.events);
	/* Edge-triggered: no second report for the same pending connection. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	afd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, afd);
	close(afd);
	close(fd);
	close(ep);
	close(lfd);
}

TEST_HARNESS_MAIN
