// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP accept selftests across the veth link: listen() backlog capped by
 * net.core.somaxconn, blocking and non-blocking accept(), poll/epoll
 * readiness of the listener, SO_RCVTIMEO on accept(), a connection reset
 * while still queued, accept-queue overflow with and without
 * net.xtcp.abort_on_overflow, and SO_REUSEPORT listener groups.
 *
 * Every case also runs against the kernel TCP (XTCP_TEST_AS_TCP=1), where
 * the counters come from TcpExt and abort_on_overflow is
 * net.ipv4.tcp_abort_on_overflow.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <netinet/tcp.h>

#include "xtcp_test.h"

#define SOMAXCONN_PATH	"/proc/sys/net/core/somaxconn"
/* A handshake that needs retransmissions still ends within this bound. */
#define SLOW_WAIT_MS	20000
/* One-way delay on B's veth end for the overflow cases. */
#define NETEM_DELAY	"100ms"

FIXTURE(acc) {
	struct xtcp_env env;
	char somaxconn[32];
	bool netem;
	bool abort_set;
};

FIXTURE_SETUP(acc)
{
	xtcp_ns_enter(_metadata, &self->env);
	ASSERT_EQ(0, xtcp_sysctl_get(NULL, SOMAXCONN_PATH, self->somaxconn,
				     sizeof(self->somaxconn)));
}

static const char *abort_path(void)
{
	return xtcp_as_tcp() ? "/proc/sys/net/ipv4/tcp_abort_on_overflow" :
			       "/proc/sys/net/xtcp/abort_on_overflow";
}

/* Undo what a case changed in namespace A/B, even after a failed assert. */
FIXTURE_TEARDOWN(acc)
{
	xtcp_sysctl_set(NULL, SOMAXCONN_PATH, self->somaxconn);
	if (self->abort_set)
		xtcp_sysctl_set(NULL, abort_path(), "0");
	if (self->netem)
		xtcp_system("tc -n %s qdisc del dev xb0 root", self->env.ns_b);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Listener in @ns on @addr:@port (0: any) with @backlog and options. */
static int listen_on(const char *ns, struct in_addr addr, uint16_t port,
		     int backlog, bool reuseport, struct sockaddr_in *bound)
{
	socklen_t len = sizeof(*bound);
	int fd, one = 1;

	fd = xtcp_sock_in(ns, 0);
	if (fd < 0)
		return -1;
	xtcp_sin(bound, addr, port);
	if ((reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
				     sizeof(one))) ||
	    bind(fd, (struct sockaddr *)bound, sizeof(*bound)) ||
	    listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)bound, &len))
		return xtcp_close_fail(fd);
	return fd;
}

/* Start a non-blocking connect from @ns to @dst; returns the socket. */
static int connect_start(const char *ns, const struct sockaddr_in *dst)
{
	int fd = xtcp_sock_in(ns, SOCK_NONBLOCK);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Wait up to @ms for the non-blocking connect on @fd to finish; then make
 * it blocking with XTCP_WAIT_MS timeouts. Returns 0 or -1 (errno: the
 * connect error, or ETIMEDOUT).
 */
static int connect_finish(int fd, int ms)
{
	socklen_t len = sizeof(int);
	int err = 0, rev;

	rev = xtcp_poll1(fd, POLLOUT, ms);
	if (rev <= 0) {
		errno = rev ? errno : ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	if (xtcp_set_nonblock(fd, false) || xtcp_set_timeouts(fd, XTCP_WAIT_MS))
		return -1;
	return 0;
}

/* Local (or with @peer, remote) port of @fd; 0 if unknown. */
static uint16_t port_of(int fd, bool peer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&sin, &len))
		return 0;
	return ntohs(sin.sin_port);
}

static uint16_t local_port(int fd)
{
	return port_of(fd, false);
}

static uint16_t peer_port(int fd)
{
	return port_of(fd, true);
}

/*
 * @len bytes (at most 16 KiB, so both directions fit the socket buffers)
 * from client @cfd to server @afd and back; 0 when they arrive unchanged.
 */
static int echo_check(int cfd, int afd, size_t len, unsigned int seed)
{
	static char out[16384], in[16384], back[16384];

	if (len > sizeof(out))
		return -1;
	xtcp_pattern(out, len, seed);
	if (xtcp_send_all(cfd, out, len) != (ssize_t)len ||
	    xtcp_recv_all(afd, in, len) != (ssize_t)len ||
	    memcmp(in, out, len) ||
	    xtcp_send_all(afd, in, len) != (ssize_t)len ||
	    xtcp_recv_all(cfd, back, len) != (ssize_t)len ||
	    memcmp(back, out, len))
		return -1;
	return 0;
}

/* TCP_INFO of @fd (SOL_TCP works for XTCP sockets too). */
static int tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len);
}

/* Overflow counter of namespace A (same name in TcpExt). */
static long long overflows(const char *ns)
{
	return xtcp_mib_get(ns, "ListenOverflows", "ListenOverflows");
}

/* Wait up to @ms until ListenOverflows in @ns exceeds @base. */
static long long wait_overflow(const char *ns, long long base, int ms)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	long long v, end = now_ms() + ms;

	do {
		v = overflows(ns);
		if (v > base)
			break;
		nanosleep(&ts, NULL);
	} while (now_ms() < end);
	return v;
}

/* Listen-queue counters of namespace A, for failure reports. */
static void dump_counters(void)
{
	static const char * const names[] = {
		"ListenSyns", "OutSynAcks", "SynAckRetrans", "ReqTimeouts",
		"ListenOverflows", "ListenDrops", "OutRsts", "PassiveOpens",
	};
	unsigned int i;

	if (xtcp_as_tcp())
		return;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		fprintf(stderr, "# %s %lld\n", names[i],
			xtcp_stat_get(NULL, names[i]));
	xtcp_proc_dump(NULL);
	xtcp_proc_dump(getenv("XTCP_NS_B"));
}

/* Delay everything B sends by NETEM_DELAY; false if netem is missing. */
static bool netem_on(struct _test_data_acc *self)
{
	if (xtcp_system("tc -n %s qdisc add dev xb0 root netem delay %s",
			self->env.ns_b, NETEM_DELAY))
		return false;
	self->netem = true;
	return true;
}

TEST_F(acc, backlog_capped_by_somaxconn)
{
	struct sockaddr_in a;
	struct tcp_info ti;
	int lfd, lfd2;

	ASSERT_EQ(0, xtcp_sysctl_set(NULL, SOMAXCONN_PATH, "5"))
		TH_LOG("somaxconn: %s", strerror(errno));
	lfd = listen_on(NULL, self->env.addr_a, 0, 1000, false, &a);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, tcp_info(lfd, &ti)) TH_LOG("TCP_INFO: %s", strerror(errno));
	EXPECT_EQ(TCP_LISTEN, (int)ti.tcpi_state);
	EXPECT_EQ(5U, ti.tcpi_sacked) TH_LOG("max backlog %u", ti.tcpi_sacked);
	EXPECT_EQ(0U, ti.tcpi_unacked);

	/* Below the cap the request stands; listen() again updates it. */
	ASSERT_EQ(0, listen(lfd, 3));
	ASSERT_EQ(0, tcp_info(lfd, &ti));
	EXPECT_EQ(3U, ti.tcpi_sacked);

	/* The cap is per namespace: B's somaxconn is untouched. */
	lfd2 = listen_on(self->env.ns_b, self->env.addr_b, 0, 1000, false, &a);
	ASSERT_LE(0, lfd2) TH_LOG("listen in B: %s", strerror(errno));
	ASSERT_EQ(0, tcp_info(lfd2, &ti));
	EXPECT_LT(5U, ti.tcpi_sacked) TH_LOG("B max backlog %u", ti.tcpi_sacked);
	close(lfd2);
	close(lfd);
}

struct delayed_connect {
	const struct xtcp_env *env;
	const struct sockaddr_in *srv;
	int lfd;
	int fd;
	int err;
};

/* Connect once the main thread sleeps in accept() (or has given up). */
static void *connect_when_waiting(void *arg)
{
	struct delayed_connect *d = arg;
	struct timespec ts = { .tv_nsec = 5 * 1000 * 1000 };
	char path[64], st[512];
	int i;

	/* the listener's owner blocks in accept: its wchan is not "0" */
	snprintf(path, sizeof(path), "/proc/%d/stat", getpid());
	for (i = 0; i < 400; i++) {
		FILE *f = fopen(path, "r");
		char *p = NULL;

		if (f) {
			p = fgets(st, sizeof(st), f);
			fclose(f);
		}
		p = p ? strrchr(st, ')') : NULL;
		if (p && p[1] == ' ' && p[2] == 'S')
			break;
		nanosleep(&ts, NULL);
	}
	d->fd = xtcp_connect_in(d->env->ns_b, d->srv);
	d->err = d->fd < 0 ? errno : 0;
	return NULL;
}

TEST_F(acc, accept_blocking)
{
	struct delayed_connect d = { .env = &self->env, .fd = -1 };
	struct sockaddr_in srv, peer;
	socklen_t len = sizeof(peer);
	pthread_t thr;
	int lfd, afd;

	lfd = listen_on(NULL, self->env.addr_a, 0, 4, false, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, xtcp_set_timeouts(lfd, SLOW_WAIT_MS));
	d.srv = &srv;
	d.lfd = lfd;
	ASSERT_EQ(0, pthread_create(&thr, NULL, connect_when_waiting, &d));
	afd = accept(lfd, (struct sockaddr *)&peer, &len);
	pthread_join(thr, NULL);
	ASSERT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
	ASSERT_LE(0, d.fd) TH_LOG("connect: %s", strerror(d.err));
	EXPECT_EQ(sizeof(peer), len);
	EXPECT_EQ(self->env.addr_b.s_addr, peer.sin_addr.s_addr);
	EXPECT_EQ(local_port(d.fd), ntohs(peer.sin_port));
	ASSERT_EQ(0, xtcp_set_timeouts(afd, XTCP_WAIT_MS));
	EXPECT_EQ(0, echo_check(d.fd, afd, 4096, 1));
	close(d.fd);
	close(afd);
	close(lfd);
}

TEST_F(acc, accept_nonblocking)
{
	int lfd, lfd_nb, cfd, afd, fl;
	struct sockaddr_in srv;

	lfd = listen_on(NULL, self->env.addr_a, 0, 4, false, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, xtcp_set_nonblock(lfd, true));
	XTCP_ASSERT_ERRNO(accept(lfd, NULL, NULL), EAGAIN);

	cfd = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(POLLIN, xtcp_poll1(lfd, POLLIN, XTCP_WAIT_MS));
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
	/* the accepted socket got SOCK_NONBLOCK, the listener's flag not */
	fl = fcntl(afd, F_GETFL);
	EXPECT_TRUE(fl & O_NONBLOCK);
	XTCP_ASSERT_ERRNO(accept(lfd, NULL, NULL), EAGAIN);
	lfd_nb = fcntl(lfd, F_GETFL);
	EXPECT_TRUE(lfd_nb & O_NONBLOCK);
	ASSERT_EQ(0, xtcp_set_nonblock(afd, false));
	ASSERT_EQ(0, xtcp_set_timeouts(afd, XTCP_WAIT_MS));
	EXPECT_EQ(0, echo_check(cfd, afd, 1000, 2));
	close(cfd);
	close(afd);
	close(lfd);
}

TEST_F(acc, listener_epoll_readiness)
{
	int lfd, ep, c1, c2, a1, a2, n;
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	struct sockaddr_in srv;

	lfd = listen_on(NULL, self->env.addr_a, 0, 4, false, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev));
	/* nothing queued: neither readable nor writable */
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 50));
	EXPECT_EQ(0, xtcp_poll1(lfd, POLLIN | POLLOUT | POLLPRI, 0));

	c1 = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, c1) TH_LOG("connect: %s", strerror(errno));
	c2 = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, c2) TH_LOG("connect: %s", strerror(errno));
	n = epoll_wait(ep, out, 2, XTCP_WAIT_MS);
	ASSERT_EQ(1, n);
	EXPECT_EQ((uint32_t)EPOLLIN, out[0].events);
	a1 = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, a1) TH_LOG("accept: %s", strerror(errno));
	/* one still queued: still readable (level-triggered) */
	if (xtcp_poll1(lfd, POLLIN, 0) != POLLIN)
		ASSERT_EQ(POLLIN, xtcp_poll1(lfd, POLLIN, XTCP_WAIT_MS));
	EXPECT_EQ(1, epoll_wait(ep, out, 2, 0));
	a2 = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, a2) TH_LOG("accept: %s", strerror(errno));
	/* drained */
	EXPECT_EQ(0, xtcp_poll1(lfd, POLLIN, 0));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	EXPECT_NE(peer_port(a1), peer_port(a2));
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(ep);
	close(lfd);
}

TEST_F(acc, accept_rcvtimeo)
{
	struct timeval tv = { .tv_usec = 300 * 1000 };
	struct sockaddr_in srv;
	long long t0, dt;
	int lfd;

	lfd = listen_on(NULL, self->env.addr_a, 0, 4, false, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	t0 = now_ms();
	XTCP_ASSERT_ERRNO(accept(lfd, NULL, NULL), EAGAIN);
	dt = now_ms() - t0;
	/* about the timeout; generous either way */
	EXPECT_LE(250, dt) TH_LOG("accept returned after %lld ms", dt);
	EXPECT_GE(10000, dt) TH_LOG("accept returned after %lld ms", dt);
	close(lfd);
}

TEST_F(acc, reset_while_queued)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_in srv, cli;
	socklen_t len = sizeof(cli);
	int lfd, cfd, afd, st, c2, a2;
	char buf[16];

	lfd = listen_on(NULL, self->env.addr_a, 0, 4, false, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	cfd = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(cfd, (struct sockaddr *)&cli, &len));
	ASSERT_EQ(POLLIN, xtcp_poll1(lfd, POLLIN, XTCP_WAIT_MS));
	ASSERT_EQ(XTCP_ST_ESTABLISHED,
		  xtcp_proc_wait_state(NULL, &srv, &cli, XTCP_ST_ESTABLISHED,
				       XTCP_WAIT_MS));

	/* abortive close: a RST for the still-queued child */
	ASSERT_EQ(0, setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(cfd);
	/* the child leaves the connection table once the RST is processed */
	st = xtcp_proc_wait_state(NULL, &srv, &cli, -1, XTCP_WAIT_MS);
	ASSERT_EQ(-1, st) TH_LOG("child still in state %d", st);

	/*
	 * Like Linux TCP: accept() still hands the connection out, and its
	 * first read reports the reset; it is never a working connection.
	 */
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
	ASSERT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
	XTCP_ASSERT_ERRNO(recv(afd, buf, sizeof(buf), 0), ECONNRESET);
	EXPECT_EQ(0, recv(afd, buf, sizeof(buf), 0));
	XTCP_ASSERT_ERRNO(send(afd, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(afd);

	/* the listener is unaffected */
	EXPECT_EQ(0, xtcp_poll1(lfd, POLLIN, 0));
	c2 = xtcp_connect_in(self->env.ns_b, &srv);
	ASSERT_LE(0, c2) TH_LOG("connect: %s", strerror(errno));
	a2 = xtcp_accept_timeout(lfd, XTCP_WAIT_MS);
	ASSERT_LE(0, a2) TH_LOG("accept: %s", strerror(errno));
	EXPECT_EQ(0, echo_check(c2, a2, 2000, 3));
	close(c2);
	close(a2);
	close(lfd);
}

#define OVF_MAX		4
#define OVF_BYTES	4096

/* An overflowing accept queue: its listener and clients. */
struct ovf {
	int lfd;
	struct sockaddr_in srv;
	int n;				/* clients in cfd[] */
	int cfd[OVF_MAX];
	bool reset[OVF_MAX];		/* client saw the RST of an abort */
};

static void ovf_close(struct ovf *o)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (o->cfd[i] >= 0)
			close(o->cfd[i]);
	if (o->lfd >= 0)
		close(o->lfd);
}

/*
 * A listener with @backlog in A holding @prefill established connections
 * nobody accepts; then, with B's packets delayed by NETEM_DELAY, @simul
 * connects whose SYNs all reach the listener before their final ACKs do,
 * so each gets a SYN-ACK (from a request sock while the SYN queue has
 * room, else a cookie) but the later final ACKs find the accept queue
 * (backlog + 1 connections) full. Waits until ListenOverflows counts that.
 */
static void ovf_setup(struct __test_metadata *_metadata,
		      struct _test_data_acc *self, struct ovf *o, int backlog,
		      int prefill, int simul)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	struct tcp_info ti;
	long long ovf0;
	int i;

	memset(o, 0, sizeof(*o));
	o->lfd = listen_on(NULL, self->env.addr_a, 0, backlog, false, &o->srv);
	ASSERT_LE(0, o->lfd) TH_LOG("listen: %s", strerror(errno));
	for (i = 0; i < prefill; i++) {
		o->cfd[o->n] = xtcp_connect_in(self->env.ns_b, &o->srv);
		ASSERT_LE(0, o->cfd[o->n]) TH_LOG("connect: %s", strerror(errno));
		o->n++;
	}
	/* the prefilled connections are queued (the last ACK may be in flight) */
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, tcp_info(o->lfd, &ti));
		if ((int)ti.tcpi_unacked == prefill)
			break;
		nanosleep(&ts, NULL);
	}
	ASSERT_EQ(prefill, (int)ti.tcpi_unacked);

	if (!netem_on(self))
		XTCP_SKIP("netem unavailable");
	ovf0 = overflows(NULL);
	ASSERT_LE(0, ovf0);
	for (i = 0; i < simul; i++) {
		o->cfd[o->n] = connect_start(self->env.ns_b, &o->srv);
		ASSERT_LE(0, o->cfd[o->n]) TH_LOG("connect: %s", strerror(errno));
		o->n++;
	}
	ASSERT_LT(ovf0, wait_overflow(NULL, ovf0, XTCP_WAIT_MS)) {
		TH_LOG("no accept-queue overflow counted");
		dump_counters();
	}
	ASSERT_EQ(0, tcp_info(o->lfd, &ti));
	EXPECT_EQ(backlog + 1, (int)ti.tcpi_unacked);
}

/*
 * Each client not reset sends OVF_BYTES at once (they wait in its send
 * queue or are dropped with its ACK); then the application accepts one
 * connection after the other and each must carry its own client's data,
 * echoed back. A connection whose final ACK was dropped completes once
 * there is room, through a repeated ACK or the data's retransmission.
 */
static void ovf_verify(struct __test_metadata *_metadata, struct ovf *o)
{
	static char out[OVF_BYTES], in[OVF_BYTES];
	bool done[OVF_MAX] = { false };
	int i, j, afd, live = 0;

	for (i = 0; i < o->n; i++) {
		if (o->reset[i])
			continue;
		live++;
		ASSERT_EQ(0, connect_finish(o->cfd[i], SLOW_WAIT_MS)) {
			TH_LOG("connect %d: %s", i, strerror(errno));
			dump_counters();
		}
		ASSERT_EQ(0, xtcp_set_timeouts(o->cfd[i], SLOW_WAIT_MS));
		xtcp_pattern(out, sizeof(out), 10 + i);
		ASSERT_EQ((ssize_t)sizeof(out),
			  xtcp_send_all(o->cfd[i], out, sizeof(out)));
	}
	for (i = 0; i < live; i++) {
		afd = xtcp_accept_timeout(o->lfd, SLOW_WAIT_MS);
		ASSERT_LE(0, afd) {
			TH_LOG("accept %d: %s", i, strerror(errno));
			dump_counters();
		}
		for (j = 0; j < o->n; j++)
			if (!o->reset[j] && local_port(o->cfd[j]) == peer_port(afd))
				break;
		ASSERT_GT(o->n, j) TH_LOG("accepted an unknown peer");
		ASSERT_FALSE(done[j]) TH_LOG("peer accepted twice");
		done[j] = true;
		ASSERT_EQ(0, xtcp_set_timeouts(afd, SLOW_WAIT_MS));
		xtcp_pattern(out, sizeof(out), 10 + j);
		ASSERT_EQ((ssize_t)sizeof(in), xtcp_recv_all(afd, in, sizeof(in))) {
			TH_LOG("data of connection %d: %s", j, strerror(errno));
			dump_counters();
		}
		ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
		ASSERT_EQ((ssize_t)sizeof(in), xtcp_send_all(afd, in, sizeof(in)));
		ASSERT_EQ((ssize_t)sizeof(in), xtcp_recv_all(o->cfd[j], in, sizeof(in)));
		ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
		close(afd);
	}
	/* nothing else was queued: no broken or duplicate connection */
	EXPECT_EQ(0, xtcp_poll1(o->lfd, POLLIN, 0));
}

/*
 * Without abort_on_overflow a final ACK that finds the accept queue full
 * is dropped; the client, established on its side, is not harmed and its
 * connection works once the application makes room. Two paths: final
 * ACKs for request socks (backlog 2: two queued connections, then two
 * handshakes at once), and ACKs returning SYN cookies (backlog 0: the SYN
 * queue is always full, so with net.xtcp.syncookies=1 every SYN gets one).
 */
TEST_F_TIMEOUT(acc, overflow_drops_final_ack, 90)
{
	struct ovf o;

	ovf_setup(_metadata, self, &o, 2, 2, 2);
	ovf_verify(_metadata, &o);
	ovf_close(&o);
}

TEST_F_TIMEOUT(acc, overflow_drops_cookie_ack, 90)
{
	struct ovf o;

	ovf_setup(_metadata, self, &o, 0, 0, 2);
	ovf_verify(_metadata, &o);
	ovf_close(&o);
}

/*
 * With abort_on_overflow the final ACK that overflows the accept queue is
 * answered with a RST: that client's first read fails with ECONNRESET,
 * while every queued connection keeps working.
 */
TEST_F_TIMEOUT(acc, overflow_abort_resets_client, 90)
{
	struct pollfd pfd[OVF_MAX];
	int i, nreset = 0;
	long long t0;
	struct ovf o;
	char buf[16];

	ASSERT_EQ(0, xtcp_sysctl_set(NULL, abort_path(), "1"))
		TH_LOG("abort_on_overflow: %s", strerror(errno));
	self->abort_set = true;
	ovf_setup(_metadata, self, &o, 2, 2, 2);

	/* wait for the error on one of the two late clients */
	for (t0 = now_ms(); now_ms() - t0 < XTCP_WAIT_MS; ) {
		for (i = 0; i < 2; i++)
			pfd[i] = (struct pollfd){ .fd = o.cfd[2 + i],
						  .events = POLLIN };
		if (poll(pfd, 2, 100) < 0 ||
		    ((pfd[0].revents | pfd[1].revents) & POLLERR))
			break;
	}
	for (i = 0; i < 2; i++) {
		if (!(pfd[i].revents & POLLERR)) {
			EXPECT_EQ(0, pfd[i].revents)
				TH_LOG("revents 0x%x", pfd[i].revents);
			continue;
		}
		XTCP_ASSERT_ERRNO(recv(o.cfd[2 + i], buf, sizeof(buf), 0),
				  ECONNRESET);
		o.reset[2 + i] = true;
		nreset++;
	}
	if (nreset != 1)
		dump_counters();
	ASSERT_EQ(1, nreset);
	ovf_verify(_metadata, &o);
	ovf_close(&o);
}

#define RP_LISTENERS	4
#define RP_CONNS	64

TEST_F(acc, reuseport_group)
{
	int lfd[RP_LISTENERS], hits[RP_LISTENERS] = { 0 };
	struct pollfd pfd[RP_LISTENERS];
	struct sockaddr_in srv, b;
	int i, k, n, cfd, afd, fd5;

	lfd[0] = listen_on(NULL, self->env.addr_a, 0, 16, true, &srv);
	ASSERT_LE(0, lfd[0]) TH_LOG("listen: %s", strerror(errno));
	for (i = 1; i < RP_LISTENERS; i++) {
		lfd[i] = listen_on(NULL, self->env.addr_a, ntohs(srv.sin_port),
				   16, true, &b);
		ASSERT_LE(0, lfd[i]) TH_LOG("listen %d: %s", i, strerror(errno));
	}
	/* not part of the group: the port is taken */
	fd5 = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, fd5);
	XTCP_ASSERT_ERRNO(bind(fd5, (struct sockaddr *)&srv, sizeof(srv)),
			  EADDRINUSE);
	close(fd5);

	for (k = 0; k < RP_CONNS; k++) {
		cfd = xtcp_connect_in(self->env.ns_b, &srv);
		ASSERT_LE(0, cfd) TH_LOG("connect %d: %s", k, strerror(errno));
		for (i = 0; i < RP_LISTENERS; i++)
			pfd[i] = (struct pollfd){ .fd = lfd[i], .events = POLLIN };
		n = poll(pfd, RP_LISTENERS, XTCP_WAIT_MS);
		ASSERT_EQ(1, n) TH_LOG("%d listeners ready", n);
		for (i = 0; i < RP_LISTENERS; i++)
			if (pfd[i].revents)
				break;
		ASSERT_EQ(POLLIN, pfd[i].revents);
		afd = accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC);
		ASSERT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
		hits[i]++;
		ASSERT_EQ(local_port(cfd), peer_port(afd));
		ASSERT_EQ(0, xtcp_set_timeouts(afd, XTCP_WAIT_MS));
		ASSERT_EQ(0, echo_check(cfd, afd, 1024, 100 + k))
			TH_LOG("data on connection %d", k);
		close(cfd);
		close(afd);
	}
	for (i = 0; i < RP_LISTENERS; i++) {
		EXPECT_LT(0, hits[i]) TH_LOG("listener %d accepted nothing", i);
		close(lfd[i]);
	}
}

TEST_HARNESS_MAIN
