// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP TIME-WAIT, close and counter selftests at the socket-API level.
 * Server sockets live in namespace A (10.88.1.1), clients in B (10.88.1.2),
 * joined by veth (ns_wrap.sh). The oracles are system-call results,
 * /proc/net/xtcp ("st" column), /proc/net/xtcp_stat counters and TCP_INFO,
 * each read in the namespace it belongs to. The net.xtcp sysctls a test
 * changes are set back to their defaults in both namespaces afterwards.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/xtcp.h>

#include "xtcp_test.h"
#include "xtcp_pkt.h"

#define ST_FIN_WAIT2	0x05
#define ST_CLOSE_WAIT	0x08
#define POLL_MS		20	/* /proc has no notification: re-read */
#define IF_A		"xa0"	/* veth ends named by ns_wrap.sh */
#define IF_B		"xb0"

/* tcpi_state values: TCP's state numbers (<net/tcp_states.h>) */
#define TCPI_ESTABLISHED	1
#define TCPI_CLOSE_WAIT		8
#define TCPI_LISTEN		10

/* net.xtcp defaults (Documentation/sysctl.rst) */
static const struct {
	const char *name;
	int def;
} sysctl_defaults[] = {
	{ "msl_ms", 30000 },
	{ "syn_retries", 6 },
	{ "fin_timeout_ms", 60000 },
	{ "max_tw_buckets", 262144 },
};

FIXTURE(tw) {
	struct xtcp_env env;
	struct xtcp_conn c;
	struct sockaddr_in cli;		/* the client's address and port */
	bool netem_a, netem_b;		/* qdiscs to remove in teardown */
};

/* --- namespaces, sysctls, counters, commands ----------------------------- */

/* Move the thread into @ns; returns a descriptor of the old namespace. */
static int ns_enter(const char *ns)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return -1;
	if (xtcp_setns(ns)) {
		close(self);
		return -1;
	}
	return self;
}

static void ns_leave(int self)
{
	if (setns(self, CLONE_NEWNET)) {
		perror("setns back");
		abort();
	}
	close(self);
}

/* Write @val to net.xtcp.@name in namespace @ns. */
static int sysctl_set_in(const char *ns, const char *name, int val)
{
	char path[128], buf[32];
	int self, fd, len;
	ssize_t n = -1;

	self = ns_enter(ns);
	if (self < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	len = snprintf(buf, sizeof(buf), "%d\n", val);
	if (fd >= 0) {
		n = write(fd, buf, len);
		close(fd);
	}
	ns_leave(self);
	return n == len ? 0 : -1;
}

static void sleep_poll(void)
{
	struct timespec ts = { .tv_nsec = POLL_MS * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Poll counter @name in @ns until it equals @want (up to @ms); its value. */
static long long stat_wait(const char *ns, const char *name, long long want,
			   int ms)
{
	long long t0 = xpkt_now_ms(), v;

	for (;;) {
		v = xtcp_stat_get(ns, name);
		if (v == want || xpkt_now_ms() - t0 > ms)
			return v;
		sleep_poll();
	}
}

/* Run a shell command (output discarded); its exit status. */
static int run_cmd(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* MAC address of @ifname in @ns as "aa:bb:..." */
static int mac_of(const char *ns, const char *ifname, char *buf, size_t len)
{
	uint8_t m[6];

	if (xpkt_hwaddr(ns, ifname, m))
		return -1;
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return 0;
}

/*
 * Permanent neighbour entries both ways, so that a 100% loss qdisc drops
 * our segments rather than ARP (whose failure would abort a SYN-SENT
 * connection with EHOSTUNREACH instead of letting it time out).
 */
static int pin_neighbours(struct _test_data_tw *self)
{
	char ma[32], mb[32], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	if (mac_of(self->env.ns_a, IF_A, ma, sizeof(ma)) ||
	    mac_of(self->env.ns_b, IF_B, mb, sizeof(mb)))
		return -1;
	inet_ntop(AF_INET, &self->env.addr_a, a, sizeof(a));
	inet_ntop(AF_INET, &self->env.addr_b, b, sizeof(b));
	if (run_cmd("ip -n %s neigh replace %s lladdr %s dev %s nud permanent",
		    self->env.ns_a, b, mb, IF_A) ||
	    run_cmd("ip -n %s neigh replace %s lladdr %s dev %s nud permanent",
		    self->env.ns_b, a, ma, IF_B))
		return -1;
	return 0;
}

/* Make @ifname in @ns drop everything it sends (netem loss 100%). */
static int drop_all(const char *ns, const char *ifname)
{
	return run_cmd("ip netns exec %s tc qdisc replace dev %s root netem loss 100%%",
		       ns, ifname);
}

static void drop_none(const char *ns, const char *ifname)
{
	run_cmd("ip netns exec %s tc qdisc del dev %s root", ns, ifname);
}

static void defaults_in(const char *ns)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sysctl_defaults); i++)
		sysctl_set_in(ns, sysctl_defaults[i].name, sysctl_defaults[i].def);
}

/* --- fixture ----------------------------------------------------------- */

FIXTURE_SETUP(tw)
{
	self->c.lfd = -1;
	self->c.cfd = -1;
	self->c.afd = -1;
	if (!xtcp_loaded())
		XTCP_SKIP("xtcp module not loaded");
	if (xtcp_ipproto() != IPPROTO_XTCP)
		XTCP_SKIP("net.xtcp sysctls and counters are XTCP's own");
	if (xtcp_env_get(&self->env))
		XTCP_SKIP("XTCP_NS_A/B, XTCP_ADDR_A/B unset: run via ns_wrap.sh");
	ASSERT_EQ(0, xtcp_setns(self->env.ns_a))
		TH_LOG("setns %s: %s", self->env.ns_a, strerror(errno));
	/* a test killed on timeout cannot restore: start from the defaults */
	defaults_in(self->env.ns_a);
	defaults_in(self->env.ns_b);
}

/* Entries of @ns's /proc/net/xtcp in a state other than TIME-WAIT. */
static int busy_entries(const char *ns)
{
	static char buf[1 << 16];
	char *line, *save;
	unsigned int st;
	int n = 0;

	if (xtcp_proc_read(ns, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, " %*d: %*x:%*x %*x:%*x %2X", &st) == 1 &&
		    st != XTCP_ST_TIME_WAIT)
			n++;
	return n;
}

/*
 * Let every connection of the test finish closing on a clean link, so that
 * none is left retransmitting into the next test's lossy qdisc or into a
 * deleted namespace (an orphan holds the module until it gives up).
 */
static bool quiesce(struct _test_data_tw *self, int ms)
{
	long long t0 = xpkt_now_ms();

	while (busy_entries(self->env.ns_a) || busy_entries(self->env.ns_b)) {
		if (xpkt_now_ms() - t0 > ms)
			return false;
		sleep_poll();
	}
	return true;
}

FIXTURE_TEARDOWN(tw)
{
	if (self->netem_a)
		drop_none(self->env.ns_a, IF_A);
	if (self->netem_b)
		drop_none(self->env.ns_b, IF_B);
	xtcp_conn_close(&self->c);
	if (!quiesce(self, 10000)) {
		TH_LOG("connections still closing 10 s after the test");
		xtcp_proc_dump(self->env.ns_a);
		xtcp_proc_dump(self->env.ns_b);
		EXPECT_TRUE(false);
	}
	defaults_in(self->env.ns_a);
	defaults_in(self->env.ns_b);
}

/* --- connections ------------------------------------------------------- */

/*
 * A connection from B to a new listener in A (self->c); with @reuse the
 * client sets SO_REUSEADDR and binds its address (port 0) before connect.
 */
static void conn_open(struct __test_metadata *_metadata,
		      struct _test_data_tw *self, bool reuse)
{
	struct xtcp_conn *c = &self->c;
	socklen_t len = sizeof(self->cli);
	int one = 1;

	c->lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &c->srv);
	ASSERT_LE(0, c->lfd) TH_LOG("listen: %s", strerror(errno));
	c->cfd = xtcp_sock_in(self->env.ns_b, 0);
	ASSERT_LE(0, c->cfd);
	ASSERT_EQ(0, xtcp_set_timeouts(c->cfd, XTCP_WAIT_MS));
	if (reuse) {
		ASSERT_EQ(0, setsockopt(c->cfd, SOL_SOCKET, SO_REUSEADDR, &one,
					sizeof(one)));
		xtcp_sin(&self->cli, self->env.addr_b, 0);
		ASSERT_EQ(0, bind(c->cfd, (struct sockaddr *)&self->cli,
				  sizeof(self->cli)))
			TH_LOG("bind: %s", strerror(errno));
	}
	ASSERT_EQ(0, connect(c->cfd, (struct sockaddr *)&c->srv,
			     sizeof(c->srv)))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(c->cfd, (struct sockaddr *)&self->cli, &len));
	c->afd = xtcp_accept_timeout(c->lfd, XTCP_WAIT_MS);
	ASSERT_LE(0, c->afd) TH_LOG("accept: %s", strerror(errno));
}

/*
 * The client closes first (RFC 9293 §3.6, figure 12): shutdown(SHUT_WR),
 * the server reads EOF and closes, the client reads EOF - it has then
 * received the server's FIN in FIN-WAIT-2 and is in TIME-WAIT - and
 * closes its descriptor. Returns the time of the client's EOF.
 */
static long long client_closes_first(struct __test_metadata *_metadata,
				     struct _test_data_tw *self)
{
	struct xtcp_conn *c = &self->c;
	long long t;
	char b;

	ASSERT_EQ(0, shutdown(c->cfd, SHUT_WR));
	ASSERT_EQ(0, recv(c->afd, &b, 1, 0))
		TH_LOG("server EOF: %s", strerror(errno));
	ASSERT_EQ(0, close(c->afd));
	c->afd = -1;
	ASSERT_EQ(0, recv(c->cfd, &b, 1, 0))
		TH_LOG("client EOF: %s", strerror(errno));
	t = xpkt_now_ms();
	ASSERT_EQ(0, close(c->cfd));
	c->cfd = -1;
	return t;
}

/* State of the client's entry in B's /proc/net/xtcp, -1 if none. */
static int cli_state(struct _test_data_tw *self)
{
	return xtcp_proc_state(self->env.ns_b, &self->cli, &self->c.srv);
}

/* State of the server's entry (accepted side) in A, -1 if none. */
static int srv_state(struct _test_data_tw *self)
{
	return xtcp_proc_state(self->env.ns_a, &self->c.srv, &self->cli);
}

static void expect_cli_state(struct __test_metadata *_metadata,
			     struct _test_data_tw *self, int want)
{
	int st = cli_state(self);

	if (st != want) {
		TH_LOG("client entry state %d, wanted %02X", st, want);
		xtcp_proc_dump(self->env.ns_b);
	}
	ASSERT_EQ(want, st);
}

static int sock_reuse(const char *ns, bool reuse)
{
	int one = 1, fd = xtcp_sock_in(ns, 0);

	if (fd >= 0 && reuse &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int set_linger(int fd, int on, int secs)
{
	struct linger l = { .l_onoff = on, .l_linger = secs };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* ===================================================================== */

/*
 * 1. RFC 9293 §3.3.2 (TIME-WAIT "waiting for enough time to pass to be
 * sure the remote TCP received the acknowledgment"), §3.10.7.4 eighth
 * (FIN-WAIT-2 + FIN: "start the time-wait timer"), timeout 2 MSL: with
 * msl_ms = 400 the active closer's entry is 06 right after close and
 * lives 800 ms (at least 600 ms as seen by polling, gone before 3 s).
 */
TEST_F(tw, time_wait_lasts_2msl)
{
	long long t0, age;
	int st;

	ASSERT_EQ(0, sysctl_set_in(self->env.ns_b, "msl_ms", 400));
	conn_open(_metadata, self, false);
	t0 = client_closes_first(_metadata, self);
	expect_cli_state(_metadata, self, XTCP_ST_TIME_WAIT);
	/* still TIME-WAIT at every look until it vanishes */
	while ((st = cli_state(self)) == XTCP_ST_TIME_WAIT &&
	       xpkt_now_ms() - t0 < 3000)
		sleep_poll();
	age = xpkt_now_ms() - t0;
	if (st >= 0)
		TH_LOG("entry in state %02X after %lld ms", st, age);
	ASSERT_EQ(-1, st);
	ASSERT_EQ(ENOENT, errno);
	TH_LOG("TIME-WAIT lasted about %lld ms (2 MSL = 800 ms)", age);
	ASSERT_LE(600, age);
	ASSERT_GT(3000, age);
}

/*
 * 2. RFC 9293 §3.4.2 / RFC 1122 §4.2.2.13: the tuple of a connection in
 * TIME-WAIT stays reserved, so bind() to its local address and port fails
 * EADDRINUSE; with Linux semantics it succeeds when both the original
 * socket (the TIME-WAIT sock inherits its SO_REUSEADDR) and the new one set
 * SO_REUSEADDR, and the new socket may listen() there.
 */
TEST_F(tw, bind_to_time_wait_port)
{
	int fd, pass;

	for (pass = 0; pass < 2; pass++) {
		bool orig_reuse = pass == 1;

		xtcp_conn_close(&self->c);
		conn_open(_metadata, self, orig_reuse);
		client_closes_first(_metadata, self);
		expect_cli_state(_metadata, self, XTCP_ST_TIME_WAIT);

		fd = sock_reuse(self->env.ns_b, false);
		ASSERT_LE(0, fd);
		XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&self->cli,
				       sizeof(self->cli)), EADDRINUSE);
		close(fd);

		fd = sock_reuse(self->env.ns_b, true);
		ASSERT_LE(0, fd);
		if (!orig_reuse) {
			/* only the new socket asks for reuse: still in use */
			XTCP_ASSERT_ERRNO(bind(fd, (struct sockaddr *)&self->cli,
					       sizeof(self->cli)), EADDRINUSE);
			close(fd);
			continue;
		}
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&self->cli,
				  sizeof(self->cli)))
			TH_LOG("bind with SO_REUSEADDR on both: %s",
			       strerror(errno));
		ASSERT_EQ(0, listen(fd, 4)) TH_LOG("listen: %s", strerror(errno));
		/* the TIME-WAIT sock was not disturbed */
		expect_cli_state(_metadata, self, XTCP_ST_TIME_WAIT);
		close(fd);
	}
}

/*
 * 3. RFC 9293 §3.4.2, RFC 6191 §2 (reuse only by an incoming SYN, which
 * Linux without tcp_tw_reuse also limits to the passive side): connect()
 * from a bound port whose 4-tuple to the same peer is in TIME-WAIT fails
 * EADDRNOTAVAIL; an unbound connect() to the same peer takes another port.
 */
TEST_F(tw, connect_tuple_in_time_wait)
{
	struct sockaddr_in other;
	socklen_t len = sizeof(other);
	int fd, afd;

	conn_open(_metadata, self, true);
	client_closes_first(_metadata, self);
	expect_cli_state(_metadata, self, XTCP_ST_TIME_WAIT);

	fd = sock_reuse(self->env.ns_b, true);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_timeouts(fd, XTCP_WAIT_MS));
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&self->cli, sizeof(self->cli)))
		TH_LOG("bind: %s", strerror(errno));
	XTCP_ASSERT_ERRNO(connect(fd, (struct sockaddr *)&self->c.srv,
				  sizeof(self->c.srv)), EADDRNOTAVAIL);
	close(fd);
	expect_cli_state(_metadata, self, XTCP_ST_TIME_WAIT);

	fd = xtcp_connect_in(self->env.ns_b, &self->c.srv);
	ASSERT_LE(0, fd) TH_LOG("unbound connect: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&other, &len));
	ASSERT_NE(self->cli.sin_port, other.sin_port);
	afd = xtcp_accept_timeout(self->c.lfd, XTCP_WAIT_MS);
	ASSERT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
	ASSERT_EQ(3, send(fd, "abc", 3, MSG_NOSIGNAL));
	close(afd);
	close(fd);
}

/*
 * 4. RFC 9293 §3.3.2 (TIME-WAIT) and Linux's tcp_max_tw_buckets: with
 * max_tw_buckets = 0 the active closer keeps no TIME-WAIT entry and counts
 * TwOverflow; back at the default, the entry is made again.
 */
TEST_F(tw, max_tw_buckets)
{
	long long ov0;

	ASSERT_EQ(0, sysctl_set_in(self->env.ns_b, "max_tw_buckets", 0));
	ov0 = xtcp_stat_get(self->env.ns_b, "TwOverflow");
	ASSERT_LE(0, ov0) TH_LOG("no TwOverflow in /proc/net/xtcp_stat");
	conn_open(_metadata, self, false);
	client_closes_first(_metadata, self);
	ASSERT_EQ(-1, cli_state(self)) {
		TH_LOG("entry left although max_tw_buckets = 0");
		xtcp_proc_dump(self->env.ns_b);
	}
	ASSERT_EQ(ov0 + 1, xtcp_stat_get(self->env.ns_b, "TwOverflow"));

	xtcp_conn_close(&self->c);
	ASSERT_EQ(0, sysctl_set_in(self->env.ns_b, "max_tw_buckets", 262144));
	conn_open(_metadata, self, false);
	client_closes_first(_metadata, self);
	expect_cli_state(_metadata, self, XTCP_ST_TIME_WAIT);
	ASSERT_EQ(ov0 + 1, xtcp_stat_get(self->env.ns_b, "TwOverflow"));
}

/*
 * 5. RFC 9293 §3.6 (FIN-WAIT-2 waits for the peer's FIN) and RFC 1122
 * §4.2.2.13 / Linux tcp_fin_timeout: an orphan (closed by the application)
 * in FIN-WAIT-2 shows as 05 and goes after fin_timeout_ms (500 ms), while
 * the peer, which never closes, stays in CLOSE-WAIT (08).
 */
TEST_F(tw, fin_wait2_orphan_timeout)
{
	long long t0, age;
	int st;

	ASSERT_EQ(0, sysctl_set_in(self->env.ns_b, "fin_timeout_ms", 500));
	conn_open(_metadata, self, false);
	t0 = xpkt_now_ms();
	ASSERT_EQ(0, close(self->c.cfd));
	self->c.cfd = -1;
	st = xtcp_proc_wait_state(self->env.ns_b, &self->cli, &self->c.srv,
				  ST_FIN_WAIT2, 2000);
	if (st != ST_FIN_WAIT2)
		xtcp_proc_dump(self->env.ns_b);
	ASSERT_EQ(ST_FIN_WAIT2, st);
	ASSERT_EQ(ST_CLOSE_WAIT, srv_state(self));
	while ((st = cli_state(self)) == ST_FIN_WAIT2 &&
	       xpkt_now_ms() - t0 < 3000)
		sleep_poll();
	age = xpkt_now_ms() - t0;
	ASSERT_EQ(-1, st) TH_LOG("state %02X after %lld ms", st, age);
	TH_LOG("FIN-WAIT-2 orphan gone after about %lld ms (timeout 500 ms)",
	       age);
	ASSERT_LE(400, age);
	ASSERT_GT(2500, age);
	/* the server neither read nor closed: still CLOSE-WAIT */
	ASSERT_EQ(ST_CLOSE_WAIT, srv_state(self));
}

/* Connect from B (optionally bound to @bind_to) and sniff A's SYN-ACK ISN. */
static uint32_t isn_of_connect(struct __test_metadata *_metadata,
			       struct _test_data_tw *self, struct xpkt *p,
			       const struct sockaddr_in *bind_to, int *cfd,
			       long long *t)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	struct xpkt_seg s;
	int fd, r;

	fd = sock_reuse(self->env.ns_b, true);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_timeouts(fd, XTCP_WAIT_MS));
	if (bind_to)
		ASSERT_EQ(0, bind(fd, (const struct sockaddr *)bind_to,
				  sizeof(*bind_to)))
			TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&self->c.srv,
			     sizeof(self->c.srv)))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&me, &len));
	*cfd = fd;
	for (;;) {
		r = xpkt_recv(p, &s, ntohs(me.sin_port), XTCP_WAIT_MS);
		ASSERT_EQ(1, r) TH_LOG("no SYN-ACK seen for port %u",
				       ntohs(me.sin_port));
		if ((s.flags & (XPKT_SYN | XPKT_ACK)) == (XPKT_SYN | XPKT_ACK))
			break;
	}
	*t = s.t_ms;
	return s.seq;
}

/*
 * 6. RFC 6528 §3 (and RFC 9293 §3.4.1): ISN = M + F(4-tuple, secret), M a
 * 4 µs timer. The ISNs of A's SYN-ACKs, sniffed on B's veth end, for 20
 * connections from different client ports are all different, not an
 * arithmetic progression and not clustered as a clock or counter would
 * make them; for the same 4-tuple twice (the first connection aborted, so
 * no TIME-WAIT) the second ISN is ahead of the first by about the elapsed
 * time in 4 µs units.
 */
TEST_F(tw, isn_rfc6528)
{
	uint32_t isn[20], d0, i1, i2;
	int i, j, small = 0, dup = 0, fd, afd;
	bool progression = true;
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	long long t, t1, t2;
	int32_t diff;
	struct xpkt p;
	char b;

	self->c.lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a,
				     &self->c.srv);
	ASSERT_LE(0, self->c.lfd);
	ASSERT_EQ(0, xpkt_open(&p, self->env.ns_b, IF_B, self->env.ns_a, IF_A,
			       self->env.addr_b, self->env.addr_a))
		TH_LOG("packet socket on %s: %s", IF_B, strerror(errno));

	for (i = 0; i < 20; i++) {
		isn[i] = isn_of_connect(_metadata, self, &p, NULL, &fd, &t);
		afd = xtcp_accept_timeout(self->c.lfd, XTCP_WAIT_MS);
		ASSERT_LE(0, afd);
		set_linger(fd, 1, 0);
		close(fd);
		close(afd);
	}
	for (i = 0; i < 20; i++)
		for (j = 0; j < i; j++)
			if (isn[i] == isn[j]) {
				TH_LOG("connections %d and %d: ISN %u twice",
				       j, i, isn[i]);
				dup++;
			}
	ASSERT_EQ(0, dup);
	d0 = isn[1] - isn[0];
	for (i = 1; i < 20; i++) {
		diff = (int32_t)(isn[i] - isn[i - 1]);
		if (isn[i] - isn[i - 1] != d0)
			progression = false;
		if (diff > -(1 << 24) && diff < (1 << 24))
			small++;
	}
	ASSERT_FALSE(progression) TH_LOG("ISNs step by a constant %u", d0);
	/* random steps are this close with probability 1/128 each */
	ASSERT_GT(5, small) {
		TH_LOG("%d of 19 ISN steps below 2^24: not keyed per tuple",
		       small);
		for (i = 0; i < 20; i++)
			TH_LOG("ISN %2d: %u", i, isn[i]);
	}

	/* the same 4-tuple twice */
	i1 = isn_of_connect(_metadata, self, &p, NULL, &fd, &t1);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&me, &len));
	afd = xtcp_accept_timeout(self->c.lfd, XTCP_WAIT_MS);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, set_linger(fd, 1, 0));
	close(fd);
	errno = 0;
	ASSERT_EQ(-1, recv(afd, &b, 1, 0));
	ASSERT_EQ(ECONNRESET, errno);
	close(afd);
	i2 = isn_of_connect(_metadata, self, &p, &me, &fd, &t2);
	afd = xtcp_accept_timeout(self->c.lfd, XTCP_WAIT_MS);
	ASSERT_LE(0, afd);
	close(afd);
	close(fd);
	diff = (int32_t)(i2 - i1);
	TH_LOG("same tuple: ISN %u then %u after %lld ms (%d units of 4 us)",
	       i1, i2, t2 - t1, diff);
	ASSERT_LT(0, diff);
	ASSERT_GE((t2 - t1 + 100) * 250, (long long)diff);
	ASSERT_LE((t2 - t1 - 100) * 250, (long long)diff);
	EXPECT_EQ(0U, p.bad_csum);
	xpkt_close(&p);
}

/* Wait up to XTCP_WAIT_MS until CurrEstab of @ns is @want. */
static void curr_estab_is(struct __test_metadata *_metadata, const char *ns,
			  long long want)
{
	long long v = stat_wait(ns, "CurrEstab", want, XTCP_WAIT_MS);

	ASSERT_EQ(want, v) TH_LOG("CurrEstab in %s", ns);
}

/*
 * 7a. RFC 9293 §3.5, RFC 4022 (tcpActiveOpens, tcpPassiveOpens,
 * tcpCurrEstab): one connection counts ActiveOpens +1 in the client's
 * namespace and PassiveOpens +1 in the server's; CurrEstab is 1 on each
 * side while it is open and 0 after both closed.
 */
TEST_F(tw, counters_open_close)
{
	long long ao, po, ao_a, po_b;

	curr_estab_is(_metadata, self->env.ns_a, 0);
	curr_estab_is(_metadata, self->env.ns_b, 0);
	ao = xtcp_stat_get(self->env.ns_b, "ActiveOpens");
	po = xtcp_stat_get(self->env.ns_a, "PassiveOpens");
	ao_a = xtcp_stat_get(self->env.ns_a, "ActiveOpens");
	po_b = xtcp_stat_get(self->env.ns_b, "PassiveOpens");
	ASSERT_LE(0, ao);
	ASSERT_LE(0, po);
	conn_open(_metadata, self, false);
	ASSERT_EQ(ao + 1, xtcp_stat_get(self->env.ns_b, "ActiveOpens"));
	ASSERT_EQ(po + 1, xtcp_stat_get(self->env.ns_a, "PassiveOpens"));
	ASSERT_EQ(ao_a, xtcp_stat_get(self->env.ns_a, "ActiveOpens"));
	ASSERT_EQ(po_b, xtcp_stat_get(self->env.ns_b, "PassiveOpens"));
	curr_estab_is(_metadata, self->env.ns_a, 1);
	curr_estab_is(_metadata, self->env.ns_b, 1);
	client_closes_first(_metadata, self);
	curr_estab_is(_metadata, self->env.ns_a, 0);
	curr_estab_is(_metadata, self->env.ns_b, 0);
}

/*
 * 7b. RFC 9293 §3.10.7.1 (a SYN to a closed port is answered with RST) and
 * §3.10.7.3 (SYN-SENT + RST: connection refused), RFC 4022
 * tcpAttemptFails/tcpOutRsts: the refusing namespace counts OutRsts +1,
 * the connecting one AttemptFails +1.
 */
TEST_F(tw, counters_refused)
{
	struct sockaddr_in dst;
	long long af, rst;
	int fd;

	fd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &dst);
	ASSERT_LE(0, fd);
	close(fd);		/* nothing listens there any more */
	af = xtcp_stat_get(self->env.ns_b, "AttemptFails");
	rst = xtcp_stat_get(self->env.ns_a, "OutRsts");
	ASSERT_LE(0, af);
	ASSERT_LE(0, rst);
	errno = 0;
	ASSERT_EQ(-1, xtcp_connect_in(self->env.ns_b, &dst));
	ASSERT_EQ(ECONNREFUSED, errno) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(af + 1, xtcp_stat_get(self->env.ns_b, "AttemptFails"));
	ASSERT_EQ(rst + 1, xtcp_stat_get(self->env.ns_a, "OutRsts"));
}

/*
 * 7c. RFC 9293 §3.10.4 (ABORT sends RST), §3.10.7.4 second (RST in
 * ESTABLISHED: "connection reset"), RFC 4022 tcpEstabResets: an aborted
 * connection (SO_LINGER {1, 0}) counts EstabResets +1 on the aborting side
 * and on the side that receives the RST.
 */
TEST_F(tw, counters_abort)
{
	long long ea, eb;
	char b;

	conn_open(_metadata, self, false);
	ea = xtcp_stat_get(self->env.ns_a, "EstabResets");
	eb = xtcp_stat_get(self->env.ns_b, "EstabResets");
	ASSERT_LE(0, ea);
	ASSERT_LE(0, eb);
	ASSERT_EQ(0, set_linger(self->c.cfd, 1, 0));
	ASSERT_EQ(0, close(self->c.cfd));
	self->c.cfd = -1;
	errno = 0;
	ASSERT_EQ(-1, recv(self->c.afd, &b, 1, 0));
	ASSERT_EQ(ECONNRESET, errno) TH_LOG("recv: %s", strerror(errno));
	ASSERT_EQ(eb + 1, xtcp_stat_get(self->env.ns_b, "EstabResets"));
	ASSERT_EQ(ea + 1, xtcp_stat_get(self->env.ns_a, "EstabResets"));
}

/*
 * TCP_INFO at SOL_TCP and XTCP_INFO at SOL_XTCP must give the same bytes;
 * both are read between two SOL_TCP reads that agree, so that no time
 * based field (tcpi_last_data_recv...) changed in between.
 */
static void info_both(struct __test_metadata *_metadata, int fd,
		      struct tcp_info *info)
{
	struct tcp_info a, b, x;
	socklen_t la, lb, lx;
	int i;

	for (i = 0; i < 50; i++) {
		la = sizeof(a);
		lb = sizeof(b);
		lx = sizeof(x);
		memset(&a, 0xa5, sizeof(a));
		memset(&b, 0xa5, sizeof(b));
		memset(&x, 0xa5, sizeof(x));
		ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &a, &la))
			TH_LOG("TCP_INFO: %s", strerror(errno));
		ASSERT_EQ(0, getsockopt(fd, SOL_XTCP, XTCP_INFO, &x, &lx))
			TH_LOG("XTCP_INFO: %s", strerror(errno));
		ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &b, &lb));
		if (memcmp(&a, &b, sizeof(a)))
			continue;
		ASSERT_EQ(la, lx);
		ASSERT_LE(offsetof(struct tcp_info, tcpi_bytes_received) +
			  sizeof(a.tcpi_bytes_received), (size_t)la);
		ASSERT_EQ(0, memcmp(&a, &x, sizeof(a)))
			TH_LOG("SOL_TCP and SOL_XTCP structs differ");
		*info = a;
		return;
	}
	ASSERT_TRUE(false) TH_LOG("TCP_INFO never stable across two reads");
}

/*
 * 8. RFC 9293 §3.3.2 (state names; tcpi_state uses TCP's numbering),
 * RFC 6298 §2 (RTO), RFC 9293 §3.10.7.4 fifth (SND.UNA advances with
 * acknowledgments): TCP_INFO and XTCP_INFO give identical structs with
 * LISTEN (10) on a listener, ESTABLISHED (1) on both ends, snd_mss > 0,
 * rto >= 200 ms, bytes_acked equal to what was sent once acknowledged, and
 * CLOSE-WAIT (8) after the peer's FIN.
 */
TEST_F(tw, tcp_info)
{
	static char buf[10000], got[10000];
	struct tcp_info ti;
	long long t0;
	char b;

	conn_open(_metadata, self, false);
	info_both(_metadata, self->c.lfd, &ti);
	ASSERT_EQ(TCPI_LISTEN, ti.tcpi_state);

	info_both(_metadata, self->c.cfd, &ti);
	ASSERT_EQ(TCPI_ESTABLISHED, ti.tcpi_state);
	ASSERT_LT(0U, ti.tcpi_snd_mss);
	ASSERT_LE(200000U, ti.tcpi_rto);
	ASSERT_EQ(0ULL, ti.tcpi_bytes_acked);
	info_both(_metadata, self->c.afd, &ti);
	ASSERT_EQ(TCPI_ESTABLISHED, ti.tcpi_state);
	ASSERT_LT(0U, ti.tcpi_snd_mss);

	xtcp_pattern(buf, sizeof(buf), 8);
	ASSERT_EQ((ssize_t)sizeof(buf), xtcp_send_all(self->c.cfd, buf,
						      sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(got), xtcp_recv_all(self->c.afd, got,
						      sizeof(got)));
	ASSERT_EQ(0, memcmp(buf, got, sizeof(buf)));
	t0 = xpkt_now_ms();
	for (;;) {
		info_both(_metadata, self->c.cfd, &ti);
		if (ti.tcpi_bytes_acked == sizeof(buf) ||
		    xpkt_now_ms() - t0 > XTCP_WAIT_MS)
			break;
		sleep_poll();
	}
	ASSERT_EQ((unsigned long long)sizeof(buf), ti.tcpi_bytes_acked);
	info_both(_metadata, self->c.afd, &ti);
	ASSERT_EQ((unsigned long long)sizeof(buf), ti.tcpi_bytes_received);

	ASSERT_EQ(0, shutdown(self->c.cfd, SHUT_WR));
	ASSERT_EQ(0, recv(self->c.afd, &b, 1, 0));
	info_both(_metadata, self->c.afd, &ti);
	ASSERT_EQ(TCPI_CLOSE_WAIT, ti.tcpi_state);
}

/*
 * 9a. RFC 9293 §3.10.4 (CLOSE; SO_LINGER is the Berkeley API for waiting
 * on it, RFC 1122 §4.2.2.13 "graceful close"): with SO_LINGER {1, 2}
 * close() blocks until the FIN is acknowledged or 2 s pass; the peer's
 * namespace drops everything it sends, so close() returns after ~2 s.
 */
TEST_F(tw, linger_timeout_peer_silent)
{
	long long t0, dt;

	conn_open(_metadata, self, false);
	ASSERT_EQ(0, pin_neighbours(self));
	ASSERT_EQ(0, set_linger(self->c.cfd, 1, 2));
	if (drop_all(self->env.ns_a, IF_A))
		XTCP_SKIP("tc netem unavailable");
	self->netem_a = true;
	t0 = xpkt_now_ms();
	ASSERT_EQ(0, close(self->c.cfd)) TH_LOG("close: %s", strerror(errno));
	dt = xpkt_now_ms() - t0;
	self->c.cfd = -1;
	drop_none(self->env.ns_a, IF_A);
	self->netem_a = false;
	TH_LOG("close() with SO_LINGER {1, 2} took %lld ms", dt);
	ASSERT_LE(1500, dt);
	ASSERT_GE(5000, dt);
}

/*
 * 9b. RFC 9293 §3.10.4 (ABORT) and §3.10.7.4 second: SO_LINGER {1, 0}
 * close() sends RST; the peer's recv() fails ECONNRESET.
 */
TEST_F(tw, linger_zero_peer_reset)
{
	char b;

	conn_open(_metadata, self, false);
	ASSERT_EQ(0, set_linger(self->c.cfd, 1, 0));
	ASSERT_EQ(0, close(self->c.cfd));
	self->c.cfd = -1;
	errno = 0;
	ASSERT_EQ(-1, recv(self->c.afd, &b, 1, 0));
	ASSERT_EQ(ECONNRESET, errno) TH_LOG("recv: %s", strerror(errno));
}

/*
 * 9c. RFC 9293 §3.10.4 / RFC 2525 §2.17 (close with unread data must send
 * RST): the server closes with 100 unread bytes; the client's recv() fails
 * ECONNRESET.
 */
TEST_F(tw, close_unread_data_reset)
{
	char b[100] = { 0 };

	conn_open(_metadata, self, false);
	ASSERT_EQ(100, send(self->c.cfd, b, sizeof(b), MSG_NOSIGNAL));
	ASSERT_EQ(POLLIN, xtcp_poll1(self->c.afd, POLLIN, XTCP_WAIT_MS));
	ASSERT_EQ(0, close(self->c.afd));
	self->c.afd = -1;
	errno = 0;
	ASSERT_EQ(-1, recv(self->c.cfd, b, 1, 0));
	ASSERT_EQ(ECONNRESET, errno) TH_LOG("recv: %s", strerror(errno));
}

/* the handler runs on return from send(), which the compiler cannot see past */
static sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/*
 * 9d. RFC 9293 §3.10.2 (SEND in CLOSED/after reset: "connection does not
 * exist"/"connection reset") with the sockets API mapping: after the
 * peer's RST the first send() fails ECONNRESET (or EPIPE), a later one
 * EPIPE and raises SIGPIPE, which MSG_NOSIGNAL suppresses.
 */
TEST_F(tw, send_after_reset_epipe)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };
	int r;

	conn_open(_metadata, self, false);
	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	ASSERT_EQ(0, set_linger(self->c.afd, 1, 0));
	ASSERT_EQ(0, close(self->c.afd));
	self->c.afd = -1;
	r = xtcp_poll1(self->c.cfd, POLLIN, XTCP_WAIT_MS);
	ASSERT_NE(0, r & (POLLERR | POLLHUP)) TH_LOG("revents %#x", r);

	errno = 0;
	ASSERT_EQ(-1, send(self->c.cfd, "x", 1, MSG_NOSIGNAL));
	ASSERT_TRUE(errno == ECONNRESET || errno == EPIPE)
		TH_LOG("first send: %s", strerror(errno));
	ASSERT_EQ(0, sigpipes);

	errno = 0;
	ASSERT_EQ(-1, send(self->c.cfd, "x", 1, 0));
	ASSERT_EQ(EPIPE, errno) TH_LOG("second send: %s", strerror(errno));
	ASSERT_EQ(1, sigpipes);

	errno = 0;
	ASSERT_EQ(-1, send(self->c.cfd, "x", 1, MSG_NOSIGNAL));
	ASSERT_EQ(EPIPE, errno);
	ASSERT_EQ(1, sigpipes) TH_LOG("SIGPIPE despite MSG_NOSIGNAL");
}

/*
 * 10. RFC 6298 §2.1 (initial RTO 1 s), §5.5 (back off: double the RTO)
 * and RFC 9293 §3.8.1 / RFC 1122 §4.2.3.5 (R2 for SYN: give up and report
 * ETIMEDOUT): with syn_retries = 2 and every segment dropped, connect()
 * fails ETIMEDOUT after 1 + 2 + 4 = 7 s (5 to 15 s allowed); RtoTimeouts
 * and ConnTimeouts count it.
 */
TEST_F_TIMEOUT(tw, syn_retries_timeout, 60)
{
	long long rto, ct, t0, dt;
	struct sockaddr_in dst;
	socklen_t len = sizeof(int);
	int fd, r, err = 0;

	ASSERT_EQ(0, sysctl_set_in(self->env.ns_b, "syn_retries", 2));
	self->c.lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &dst);
	ASSERT_LE(0, self->c.lfd);
	ASSERT_EQ(0, pin_neighbours(self));
	if (drop_all(self->env.ns_b, IF_B))
		XTCP_SKIP("tc netem unavailable");
	self->netem_b = true;
	rto = xtcp_stat_get(self->env.ns_b, "RtoTimeouts");
	ct = xtcp_stat_get(self->env.ns_b, "ConnTimeouts");
	ASSERT_LE(0, rto);
	ASSERT_LE(0, ct);

	fd = xtcp_sock_in(self->env.ns_b, SOCK_NONBLOCK);
	ASSERT_LE(0, fd);
	t0 = xpkt_now_ms();
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&dst, sizeof(dst)));
	ASSERT_EQ(EINPROGRESS, errno);
	r = xtcp_poll1(fd, POLLOUT, 20000);
	dt = xpkt_now_ms() - t0;
	ASSERT_LT(0, r) TH_LOG("connect still pending after %lld ms", dt);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	close(fd);
	TH_LOG("connect() failed with %s after %lld ms", strerror(err), dt);
	ASSERT_EQ(ETIMEDOUT, err);
	ASSERT_LE(5000, dt);
	ASSERT_GE(15000, dt);
	ASSERT_LE(rto + 2, xtcp_stat_get(self->env.ns_b, "RtoTimeouts"));
	ASSERT_EQ(ct + 1, xtcp_stat_get(self->env.ns_b, "ConnTimeouts"));
}

TEST_HARNESS_MAIN
