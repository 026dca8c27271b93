// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP urgent data between two sockets across the veth link (RFC 9293
 * §3.8.5, RFC 6093, with the Linux/BSD semantics: the last byte of a
 * send(MSG_OOB) is out of band): recv(MSG_OOB), SIGURG and POLLPRI on
 * arrival, reads stopping at the mark, SIOCATMARK, SO_OOBINLINE, and TCP's
 * EINVAL cases. XTCP_TEST_AS_TCP=1 runs the same cases against Linux TCP.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "xtcp_test.h"

static sig_atomic_t sigurgs;

static void on_sigurg(int sig)
{
	(void)sig;
	sigurgs++;
}

/* POLLPRI within the wait bound: the urgent byte has arrived. */
static int wait_pri(int fd)
{
	return xtcp_poll1(fd, POLLPRI, XTCP_WAIT_MS) & POLLPRI;
}

static int atmark(int fd)
{
	int v = -1;

	if (ioctl(fd, SIOCATMARK, &v))
		return -1;
	return v;
}

/*
 * The last byte of send(MSG_OOB) arrives out of band: SIGURG to the owner,
 * POLLPRI, recv(MSG_OOB) returns it once (then EINVAL), and it is not in
 * the stream.
 */
TEST_F(ns, oob_byte_out_of_band)
{
	struct sigaction sa = { .sa_handler = on_sigurg };
	struct xtcp_conn c;
	char buf[16];
	char b = 0;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, sigaction(SIGURG, &sa, NULL));
	ASSERT_EQ(0, fcntl(c.afd, F_SETOWN, getpid()));
	sigurgs = 0;
	/* nothing urgent yet: EINVAL, as TCP */
	XTCP_ASSERT_ERRNO(recv(c.afd, &b, 1, MSG_OOB | MSG_DONTWAIT), EINVAL);

	ASSERT_EQ(3, send(c.cfd, "abc", 3, 0));
	ASSERT_EQ(2, send(c.cfd, "!X", 2, MSG_OOB));
	ASSERT_EQ(POLLPRI, wait_pri(c.afd));
	/* poll() is a call: the handler's store is seen here */
	EXPECT_LT(0, sigurgs) TH_LOG("no SIGURG");
	ASSERT_EQ(1, recv(c.afd, &b, 1, MSG_OOB | MSG_PEEK));
	EXPECT_EQ('X', b);
	ASSERT_EQ(1, recv(c.afd, &b, 1, MSG_OOB));
	EXPECT_EQ('X', b);
	XTCP_ASSERT_ERRNO(recv(c.afd, &b, 1, MSG_OOB), EINVAL);
	EXPECT_EQ(0, xtcp_poll1(c.afd, POLLPRI, 0) & POLLPRI);

	ASSERT_EQ(3, send(c.cfd, "def", 3, 0));
	ASSERT_EQ(7, xtcp_recv_all(c.afd, buf, 7));
	EXPECT_EQ(0, memcmp(buf, "abc!def", 7)) TH_LOG("stream %.7s", buf);
	signal(SIGURG, SIG_DFL);
	xtcp_conn_close(&c);
}

/*
 * A read stops at the mark; SIOCATMARK says 0 before it and 1 there; the
 * out-of-band byte is skipped by the next normal read.
 */
TEST_F(ns, oob_read_stops_at_mark)
{
	struct xtcp_conn c;
	char buf[16];
	char b = 0;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(3, send(c.cfd, "abc", 3, 0));
	ASSERT_EQ(1, send(c.cfd, "X", 1, MSG_OOB));
	ASSERT_EQ(2, send(c.cfd, "de", 2, 0));
	ASSERT_EQ(POLLPRI, wait_pri(c.afd));
	EXPECT_EQ(0, atmark(c.afd));
	ASSERT_EQ(3, recv(c.afd, buf, sizeof(buf), 0)) TH_LOG("read past the mark");
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(1, atmark(c.afd));
	ASSERT_EQ(1, recv(c.afd, &b, 1, MSG_OOB));
	EXPECT_EQ('X', b);
	ASSERT_EQ(2, xtcp_recv_all(c.afd, buf, 2));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	EXPECT_EQ(0, atmark(c.afd));
	xtcp_conn_close(&c);
}

/*
 * SO_OOBINLINE: the urgent byte stays in the stream, recv(MSG_OOB) fails
 * with EINVAL, the read still stops at the mark and SIOCATMARK finds it.
 */
TEST_F(ns, oob_inline)
{
	struct xtcp_conn c;
	char buf[16];
	char b;
	int one = 1;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, setsockopt(c.afd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one)));
	ASSERT_EQ(2, send(c.cfd, "ab", 2, 0));
	ASSERT_EQ(1, send(c.cfd, "X", 1, MSG_OOB));
	ASSERT_EQ(2, send(c.cfd, "cd", 2, 0));
	ASSERT_EQ(POLLPRI, wait_pri(c.afd));
	XTCP_ASSERT_ERRNO(recv(c.afd, &b, 1, MSG_OOB), EINVAL);
	ASSERT_EQ(2, recv(c.afd, buf, sizeof(buf), 0));
	EXPECT_EQ(1, atmark(c.afd));
	ASSERT_EQ(3, xtcp_recv_all(c.afd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "Xcd", 3));
	xtcp_conn_close(&c);
}

TEST_HARNESS_MAIN
