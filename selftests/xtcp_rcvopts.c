// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP receive/send socket options across the veth link, with TCP's
 * semantics: SO_RCVLOWAT honoured by recv(), poll() and epoll (readable
 * only with at least that much data, or at end of stream), SO_RCVTIMEO and
 * SO_SNDTIMEO ending a blocked call with EAGAIN (or a partial count).
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "xtcp_test.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int set_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

static int set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/*
 * SO_RCVLOWAT 100: 50 bytes make neither poll() nor epoll report POLLIN;
 * 60 more do, and recv() returns all 110.
 */
TEST_F(ns, rcvlowat_poll_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct xtcp_conn c;
	char buf[256];
	int ep;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, set_int(c.afd, SOL_SOCKET, SO_RCVLOWAT, 100));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, c.afd, &ev));

	memset(buf, 'l', sizeof(buf));
	ASSERT_EQ(50, send(c.cfd, buf, 50, 0));
	EXPECT_EQ(0, xtcp_poll1(c.afd, POLLIN, 300)) TH_LOG("POLLIN below lowat");
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(60, send(c.cfd, buf, 60, 0));
	EXPECT_EQ(POLLIN, xtcp_poll1(c.afd, POLLIN, XTCP_WAIT_MS) & POLLIN);
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, XTCP_WAIT_MS));
	EXPECT_EQ(110, recv(c.afd, buf, sizeof(buf), MSG_DONTWAIT));
	close(ep);
	xtcp_conn_close(&c);
}

/* SO_RCVLOWAT: end of stream makes the socket readable with less. */
TEST_F(ns, rcvlowat_eof_readable)
{
	struct xtcp_conn c;
	char buf[256];

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, set_int(c.afd, SOL_SOCKET, SO_RCVLOWAT, 100));
	memset(buf, 'e', sizeof(buf));
	ASSERT_EQ(30, send(c.cfd, buf, 30, 0));
	EXPECT_EQ(0, xtcp_poll1(c.afd, POLLIN, 200));
	ASSERT_EQ(0, shutdown(c.cfd, SHUT_WR));
	EXPECT_EQ(POLLIN, xtcp_poll1(c.afd, POLLIN, XTCP_WAIT_MS) & POLLIN);
	EXPECT_EQ(30, recv(c.afd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(c.afd, buf, sizeof(buf), 0));
	xtcp_conn_close(&c);
}

/*
 * SO_RCVLOWAT and a blocking recv(): it waits for the low-water mark, and
 * returns what it has when SO_RCVTIMEO ends the wait.
 */
TEST_F(ns, rcvlowat_blocking_recv)
{
	struct xtcp_conn c;
	char buf[256];
	long long t0, dt;
	ssize_t n;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, set_int(c.afd, SOL_SOCKET, SO_RCVLOWAT, 100));
	ASSERT_EQ(0, set_timeo(c.afd, SO_RCVTIMEO, 500));
	memset(buf, 'b', sizeof(buf));
	ASSERT_EQ(50, send(c.cfd, buf, 50, 0));
	/* let the 50 bytes arrive first */
	ASSERT_EQ(0, xtcp_poll1(c.afd, POLLIN, 200));
	t0 = now_ms();
	n = recv(c.afd, buf, sizeof(buf), 0);
	dt = now_ms() - t0;
	TH_LOG("recv %zd after %lld ms", n, dt);
	EXPECT_EQ(50, n);
	EXPECT_LE(400, dt);
	xtcp_conn_close(&c);
}

/* SO_RCVTIMEO: recv() without data fails with EAGAIN after the timeout. */
TEST_F(ns, rcvtimeo_eagain)
{
	struct xtcp_conn c;
	long long t0, dt;
	char b;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, set_timeo(c.afd, SO_RCVTIMEO, 300));
	t0 = now_ms();
	XTCP_ASSERT_ERRNO(recv(c.afd, &b, 1, 0), EAGAIN);
	dt = now_ms() - t0;
	EXPECT_LE(250, dt);
	EXPECT_GE(3000, dt);
	xtcp_conn_close(&c);
}

/*
 * SO_SNDTIMEO: with the peer not reading, a blocking send() that fills
 * the buffers returns a partial count after the timeout, and the next one
 * fails with EAGAIN after the timeout.
 */
TEST_F(ns, sndtimeo_partial_then_eagain)
{
	static char big[1 << 20];
	struct xtcp_conn c;
	long long t0, dt;
	ssize_t n;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, set_int(c.cfd, SOL_SOCKET, SO_SNDBUF, 8192));
	ASSERT_EQ(0, set_timeo(c.cfd, SO_SNDTIMEO, 300));
	t0 = now_ms();
	n = send(c.cfd, big, sizeof(big), MSG_NOSIGNAL);
	dt = now_ms() - t0;
	TH_LOG("send %zd after %lld ms", n, dt);
	EXPECT_LT(0, n);
	EXPECT_GT((ssize_t)sizeof(big), n);
	EXPECT_LE(250, dt);
	t0 = now_ms();
	XTCP_ASSERT_ERRNO(send(c.cfd, big, sizeof(big), MSG_NOSIGNAL), EAGAIN);
	dt = now_ms() - t0;
	EXPECT_LE(250, dt);
	EXPECT_GE(3000, dt);
	xtcp_conn_close(&c);
}

TEST_HARNESS_MAIN
