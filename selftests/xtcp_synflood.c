// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP SYN-flood selftests (RFC 4987): a flooder process in namespace B
 * sends SYNs with spoofed, random source addresses (10.99.0.0/16) and
 * ports through a raw socket, bounded in count, time and rate, at a
 * listener with a small backlog in namespace A. Meanwhile legitimate
 * clients in B must all connect and exchange verified data through SYN
 * cookies, memory stays bounded and the counters show the cookies. A
 * second case forces cookies for every connection (net.xtcp.syncookies=2).
 *
 * In reference mode (XTCP_TEST_AS_TCP=1) the flood carries IP protocol 6,
 * the sysctl is net.ipv4.tcp_syncookies and the counters come from TcpExt.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <netinet/tcp.h>
#include <netinet/ip.h>

#include "xtcp_test.h"
#include "xtcp_pkt.h"

#define BACKLOG		8
#define LEGIT_CONNS	100
#define LEGIT_BYTES	4096
#define FORCED_CONNS	20
#define BULK_BYTES	(256 * 1024)
/* Flood bounds: packets per second, total packets, lifetime. */
#define FLOOD_RATE	4000
#define FLOOD_MAX	50000
#define FLOOD_MAX_MS	30000
/* Spoofed SYNs in flight at most (below netdev_max_backlog). */
#define FLOOD_WINDOW	128
/* Spoofed SYNs sent before each legitimate connect. */
#define FLOOD_PER_CONN	50
/* A legitimate connect may need SYN retransmissions: be generous. */
#define LEGIT_WAIT_MS	30000
/*
 * Slab growth allowed during the flood; 4 times more on debug kernels
 * (kmemleak present), where KASAN's quarantine holds freed objects back.
 */
#define SLAB_GROWTH_MAX	(64LL << 20)
#define KMEMLEAK_PATH	"/sys/kernel/debug/kmemleak"
/* The link MSS of the 1500-byte veth MTU (IPv4 + 20-byte header). */
#define LINK_MSS	1460
#define TCP_SYN_RECV_ST	0x03

FIXTURE(flood) {
	struct xtcp_env env;
	char cookies[16];
};

static const char *cookies_path(void)
{
	return xtcp_as_tcp() ? "/proc/sys/net/ipv4/tcp_syncookies" :
			       "/proc/sys/net/xtcp/syncookies";
}

/*
 * Namespace A answers the spoofed sources through B (so SYN-ACKs leave and
 * are dropped there) and takes them in despite reverse-path filtering.
 */
FIXTURE_SETUP(flood)
{
	xtcp_ns_enter(_metadata, &self->env);
	ASSERT_EQ(0, xtcp_sysctl_get(NULL, cookies_path(), self->cookies,
				     sizeof(self->cookies)))
		TH_LOG("%s: %s", cookies_path(), strerror(errno));
	ASSERT_EQ(0, xtcp_sysctl_set(NULL, "/proc/sys/net/ipv4/conf/all/rp_filter", "0"));
	ASSERT_EQ(0, xtcp_sysctl_set(NULL, "/proc/sys/net/ipv4/conf/xa0/rp_filter", "0"));
	ASSERT_EQ(0, xtcp_sysctl_set(self->env.ns_b,
				     "/proc/sys/net/ipv4/conf/all/forwarding", "0"));
	ASSERT_EQ(0, xtcp_system("ip -n %s route replace 10.99.0.0/16 via %s dev xa0",
				 self->env.ns_a, inet_ntoa(self->env.addr_b)))
		TH_LOG("cannot add the route for the spoofed sources");
}

FIXTURE_TEARDOWN(flood)
{
	xtcp_sysctl_set(NULL, cookies_path(), self->cookies);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Counter of the protocol under test in namespace A. */
static long long mib(const char *xtcp_name, const char *tcp_name)
{
	return xtcp_mib_get(NULL, xtcp_name, tcp_name);
}

/* TCP_INFO of @fd (SOL_TCP works for XTCP sockets too). */
static int tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len);
}

/*
 * What the flooder reports through shared memory: the child stores, the
 * parent loads, both with __atomic builtins.
 */
struct flood_stats {
	long long sent;
	long long errors;
	long long running;
};

#define FLOOD_SET(p, v)		__atomic_store_n(p, v, __ATOMIC_RELAXED)

/* A SYN from a random 10.99.0.0/16 address and port to @dst:@port. */
static size_t flood_syn(uint8_t *pkt, struct in_addr dst, uint16_t port,
			int proto)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	uint8_t *th = pkt + sizeof(*ip);
	struct in_addr src;
	unsigned int optlen, thlen;

	src.s_addr = htonl(0x0a630000 | (random() % 0xfe00 + 0x100));
	memset(pkt, 0, 64);
	xpkt_put16(th, 1024 + random() % 64000);
	xpkt_put16(th + 2, port);
	xpkt_put32(th + 4, random());
	optlen = xpkt_opt_syn(th + 20, LINK_MSS, -1);
	thlen = 20 + optlen;
	th[12] = (thlen / 4) << 4;
	th[13] = XPKT_SYN;
	xpkt_put16(th + 14, 64240);
	xpkt_put16(th + 16, xpkt_l4_csum(src, dst, proto, th, thlen));

	/* the kernel fills in the IP checksum (and the ID when 0) */
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + thlen);
	ip->id = htons(random());
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	return sizeof(*ip) + thlen;
}

/* SYNs the listener's namespace @ns found its SYN queue full for. */
static long long syn_queue_full(const char *ns)
{
	return xtcp_mib_get(ns, "SynQueueOverflows", "TCPReqQFullDoCookies");
}

/*
 * The flooder (a child process): raw IPv4 socket in namespace @env->ns_b,
 * SYNs at FLOOD_RATE per second, but never more than FLOOD_WINDOW ahead of
 * what the listener's namespace has processed (so the flood cannot fill
 * the input queues of a slow guest and drop legitimate packets there),
 * until @stop_fd is closed, FLOOD_MAX packets were sent or FLOOD_MAX_MS
 * passed.
 */
static void flooder(const struct xtcp_env *env, uint16_t port, int stop_fd,
		    struct flood_stats *st)
{
	struct sockaddr_in to;
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	long long t0, el, due, base, done, sent = 0, errors = 0;
	struct in_addr dst = env->addr_a;
	uint8_t pkt[64];
	size_t len;
	int fd;

	fd = xtcp_socket_in(env->ns_b, AF_INET, SOCK_RAW, IPPROTO_RAW);
	base = syn_queue_full(env->ns_a);
	if (fd < 0 || base < 0) {
		FLOOD_SET(&st->errors, -errno);
		_exit(1);
	}
	srandom(getpid() ^ now_ms());
	xtcp_sin(&to, dst, 0);
	FLOOD_SET(&st->running, 1);
	t0 = now_ms();
	while (sent < FLOOD_MAX) {
		el = now_ms() - t0;
		if (el >= FLOOD_MAX_MS)
			break;
		due = el * FLOOD_RATE / 1000 + 1;
		done = syn_queue_full(env->ns_a) - base;
		if (due > done + FLOOD_WINDOW)
			due = done + FLOOD_WINDOW;
		if (due > FLOOD_MAX)
			due = FLOOD_MAX;
		for (; sent < due; sent++) {
			len = flood_syn(pkt, dst, port, xtcp_ipproto());
			if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to,
				   sizeof(to)) != (ssize_t)len)
				errors++;
		}
		FLOOD_SET(&st->sent, sent);
		FLOOD_SET(&st->errors, errors);
		/* the rate limit doubles as the wait for the stop signal */
		if (poll(&pfd, 1, 5) != 0)
			break;
	}
	FLOOD_SET(&st->running, 0);
	close(fd);
	_exit(0);
}

static long long flood_get(const long long *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

struct flood {
	pid_t pid;
	int stop_fd;
	struct flood_stats *st;
};

static int flood_start(struct flood *f, const struct xtcp_env *env,
		       uint16_t port)
{
	int p[2];

	f->st = mmap(NULL, sizeof(*f->st), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->st == MAP_FAILED || pipe(p))
		return -1;
	memset((void *)f->st, 0, sizeof(*f->st));
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (f->pid == 0) {
		close(p[1]);
		flooder(env, port, p[0], f->st);
	}
	close(p[0]);
	f->stop_fd = p[1];
	return 0;
}

/* Stop the flooder and reap it; returns its exit status or -1. */
static int flood_stop(struct flood *f)
{
	int status;

	if (f->pid <= 0)
		return -1;
	close(f->stop_fd);
	if (waitpid(f->pid, &status, 0) != f->pid)
		return -1;
	f->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Slab memory of the machine from /proc/meminfo, in bytes (-1: unknown). */
static long long slab_bytes(void)
{
	char line[128];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Packets the input queues of all CPUs dropped (/proc/net/softnet_stat). */
static long long softnet_drops(void)
{
	unsigned int processed, dropped;
	long long sum = 0;
	char line[256];
	FILE *f = fopen("/proc/net/softnet_stat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %x", &processed, &dropped) == 2)
			sum += dropped;
	fclose(f);
	return sum;
}

/* Entries in SYN-RECEIVED for local port @port in namespace A. */
static int syn_recv_count(uint16_t port)
{
	static char buf[1 << 20];
	unsigned int lp, st;
	char *line, *save;
	int n = 0;

	if (xtcp_proc_read(NULL, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, " %*d: %*8X:%4X %*8X:%*4X %2X", &lp, &st) == 2 &&
		    lp == port && st == TCP_SYN_RECV_ST)
			n++;
	return n;
}

/*
 * One legitimate client in namespace B: connect (bounded by @wait_ms,
 * retransmitted SYNs allowed), @len bytes there and back in chunks of at
 * most 16 KiB, verified. Returns the connected socket or -1.
 */
static int legit_conn(const char *ns, const struct sockaddr_in *srv,
		      size_t len, unsigned int seed, int wait_ms, int *fdp)
{
	static char out[16384], back[16384];
	size_t done, n;
	int fd;

	*fdp = -1;
	fd = xtcp_connect_in_ms(ns, srv, wait_ms);
	if (fd < 0)
		return -1;
	*fdp = fd;
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(out) ? len - done : sizeof(out);
		xtcp_pattern(out, n, seed + done);
		if (xtcp_send_all(fd, out, n) != (ssize_t)n ||
		    xtcp_recv_all(fd, back, n) != (ssize_t)n)
			return -1;
		if (memcmp(out, back, n)) {
			errno = EBADMSG;
			return -1;
		}
	}
	return 0;
}

/* What a failed legitimate connection and the server side looked like. */
static void legit_report(int fd, const struct xtcp_echo *echo)
{
	static const char * const names[] = {
		"SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed",
		"ListenOverflows", "ListenDrops", "OutRsts", "PassiveOpens",
	};
	struct tcp_info ti;
	unsigned int i;

	if (fd >= 0 && !tcp_info(fd, &ti))
		fprintf(stderr, "# client: state %u retransmits %u total %u rto %u us unacked %u\n",
			ti.tcpi_state, ti.tcpi_retransmits, ti.tcpi_total_retrans,
			ti.tcpi_rto, ti.tcpi_unacked);
	fprintf(stderr, "# echo server: %d served, %d errors\n",
		echo->served, echo->errors);
	if (xtcp_as_tcp())
		return;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		fprintf(stderr, "# %s %lld\n", names[i],
			xtcp_stat_get(NULL, names[i]));
}

TEST_F_TIMEOUT(flood, legit_clients_survive_spoofed_flood, 240)
{
	long long sent0, recv0, recv1, fail0, qovf0, slab0, slab, slab_max;
	int lfd, fd, i, n, ok = 0, srecv_max = 0, via_cookie = 0;
	struct tcp_info ti;
	struct sockaddr_in srv;
	struct xtcp_echo echo;
	struct flood fl = { 0 };
	long long t0, t1, t, slowest = 0, flood0, drops0;

	ASSERT_EQ(0, xtcp_sysctl_set(NULL, cookies_path(), "1"));
	lfd = xtcp_sock_in(NULL, 0);
	ASSERT_LE(0, lfd);
	xtcp_sin(&srv, self->env.addr_a, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&srv, sizeof(srv)));
	ASSERT_EQ(0, listen(lfd, BACKLOG));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&srv,
				 &(socklen_t){ sizeof(srv) }));
	ASSERT_EQ(0, xtcp_echo_start_timeout(&echo, lfd, LEGIT_CONNS,
					     LEGIT_WAIT_MS));

	sent0 = mib("SyncookiesSent", "SyncookiesSent");
	recv0 = mib("SyncookiesRecv", "SyncookiesRecv");
	fail0 = mib("SyncookiesFailed", "SyncookiesFailed");
	qovf0 = syn_queue_full(NULL);
	ASSERT_LE(0, sent0);
	ASSERT_LE(0, recv0);
	ASSERT_LE(0, fail0);
	ASSERT_LE(0, qovf0);
	slab0 = slab_bytes();
	slab_max = slab0;
	drops0 = softnet_drops();

	ASSERT_EQ(0, flood_start(&fl, &self->env, ntohs(srv.sin_port)));
	/* the SYN queue fills up and cookies take over */
	t0 = now_ms();
	while (mib("SyncookiesSent", "SyncookiesSent") <= sent0 &&
	       now_ms() - t0 < 10000 &&
	       (flood_get(&fl.st->running) || !flood_get(&fl.st->sent)))
		usleep(10000);
	ASSERT_LT(sent0, mib("SyncookiesSent", "SyncookiesSent"))
		TH_LOG("no cookies after %lld flood SYNs (%lld send errors)",
		       flood_get(&fl.st->sent), flood_get(&fl.st->errors));
	flood0 = flood_get(&fl.st->sent);

	for (t0 = now_ms(), i = 0; i < LEGIT_CONNS; i++) {
		/* spread the clients over the flood */
		while (flood_get(&fl.st->running) &&
		       flood_get(&fl.st->sent) < flood0 + i * FLOOD_PER_CONN)
			usleep(1000);
		t = now_ms();
		if (legit_conn(self->env.ns_b, &srv, LEGIT_BYTES, i * 7919,
			       LEGIT_WAIT_MS, &fd)) {
			TH_LOG("legit connection %d: %s after %lld ms", i,
			       strerror(errno), now_ms() - t);
			legit_report(fd, &echo);
			xtcp_proc_dump(NULL);
			if (fd >= 0)
				close(fd);
			/* each failure may have taken LEGIT_WAIT_MS */
			break;
		}
		t = now_ms() - t;
		if (t > slowest)
			slowest = t;
		ok++;
		/* an XTCP cookie handshake offers no window scaling */
		if (!xtcp_as_tcp() && !tcp_info(fd, &ti) &&
		    !(ti.tcpi_options & TCPI_OPT_WSCALE))
			via_cookie++;
		close(fd);
		if (i % 10 == 0) {
			slab = slab_bytes();
			if (slab > slab_max)
				slab_max = slab;
			n = syn_recv_count(ntohs(srv.sin_port));
			if (n > srecv_max)
				srecv_max = n;
		}
	}
	t1 = now_ms();
	TH_LOG("flood: %lld SYNs sent (%lld errors), %s after %d connects in %lld ms",
	       flood_get(&fl.st->sent), flood_get(&fl.st->errors),
	       flood_get(&fl.st->running) ? "still running" : "ended",
	       LEGIT_CONNS, t1 - t0);
	EXPECT_EQ(0, flood_stop(&fl));
	EXPECT_EQ(0, xtcp_echo_join(&echo)) TH_LOG("echo server errors");
	close(lfd);

	EXPECT_EQ(LEGIT_CONNS, ok);
	EXPECT_EQ(LEGIT_CONNS, echo.served);
	EXPECT_EQ((unsigned long long)LEGIT_CONNS * LEGIT_BYTES, echo.bytes);
	/* memory and the SYN queue stay bounded */
	EXPECT_GT(SLAB_GROWTH_MAX * (access(KMEMLEAK_PATH, F_OK) ? 1 : 4),
		  slab_max - slab0)
		TH_LOG("slab grew by %lld KiB", (slab_max - slab0) >> 10);
	EXPECT_GE(2 * BACKLOG, srecv_max)
		TH_LOG("%d SYN-RECEIVED entries", srecv_max);
	EXPECT_LT(0, srecv_max) TH_LOG("the flood queued no request");
	/* cookies were sent, and the legitimate clients came back with them */
	EXPECT_LT(qovf0, syn_queue_full(NULL));
	EXPECT_LT(sent0, mib("SyncookiesSent", "SyncookiesSent"));
	recv1 = mib("SyncookiesRecv", "SyncookiesRecv");
	TH_LOG("slab +%lld KiB, up to %d SYN-RECEIVED, %lld cookies validated",
	       (slab_max - slab0) >> 10, srecv_max, recv1 - recv0);
	TH_LOG("%d clients without window scaling, %lld packets dropped by input queues",
	       via_cookie, softnet_drops() - drops0);
	TH_LOG("slowest legitimate connection: %lld ms", slowest);
	EXPECT_LT(recv0, recv1);
	EXPECT_LE(recv0 + via_cookie, recv1);
	EXPECT_GE(recv0 + LEGIT_CONNS, recv1);
	EXPECT_EQ(fail0, mib("SyncookiesFailed", "SyncookiesFailed"));
}

TEST_F_TIMEOUT(flood, cookies_always, 60)
{
	long long recv0, sent0;
	struct sockaddr_in srv;
	struct tcp_info ti;
	char out[LEGIT_BYTES], in[LEGIT_BYTES];
	struct xtcp_echo echo;
	int lfd, cfd, afd, i;

	ASSERT_EQ(0, xtcp_sysctl_set(NULL, cookies_path(), "2"));
	lfd = xtcp_listen_in(NULL, self->env.addr_a, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	sent0 = mib("SyncookiesSent", "SyncookiesSent");
	recv0 = mib("SyncookiesRecv", "SyncookiesRecv");

	for (i = 0; i < FORCED_CONNS; i++) {
		cfd = xtcp_connect_in(self->env.ns_b, &srv);
		ASSERT_LE(0, cfd) TH_LOG("connect %d: %s", i, strerror(errno));
		afd = xtcp_accept_timeout(lfd, XTCP_WAIT_MS);
		ASSERT_LE(0, afd) TH_LOG("accept %d: %s", i, strerror(errno));
		ASSERT_EQ(0, tcp_info(afd, &ti));
		EXPECT_EQ(TCP_ESTABLISHED, (int)ti.tcpi_state);
		/* the MSS came back from the cookie's table, not above the link */
		EXPECT_LE(536U, ti.tcpi_snd_mss)
			TH_LOG("snd_mss %u", ti.tcpi_snd_mss);
		EXPECT_GE((unsigned int)LINK_MSS, ti.tcpi_snd_mss)
			TH_LOG("snd_mss %u", ti.tcpi_snd_mss);

		/* 4 KiB each way, verified */
		xtcp_pattern(out, sizeof(out), 1000 + i);
		ASSERT_EQ((ssize_t)sizeof(out), xtcp_send_all(cfd, out, sizeof(out)));
		ASSERT_EQ((ssize_t)sizeof(in), xtcp_recv_all(afd, in, sizeof(in)));
		ASSERT_EQ((ssize_t)sizeof(in), xtcp_send_all(afd, in, sizeof(in)));
		ASSERT_EQ((ssize_t)sizeof(in), xtcp_recv_all(cfd, in, sizeof(in)));
		ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
		close(cfd);
		close(afd);
	}

	/* a longer transfer over one more cookie connection */
	ASSERT_EQ(0, xtcp_echo_start(&echo, lfd, 1));
	EXPECT_EQ(0, legit_conn(self->env.ns_b, &srv, BULK_BYTES, 77,
				XTCP_WAIT_MS, &cfd))
		TH_LOG("bulk echo: %s", strerror(errno));
	if (cfd >= 0)
		close(cfd);
	EXPECT_EQ(0, xtcp_echo_join(&echo));
	EXPECT_EQ((unsigned long long)BULK_BYTES, echo.bytes);
	close(lfd);
	EXPECT_LE(sent0 + FORCED_CONNS + 1, mib("SyncookiesSent", "SyncookiesSent"));
	EXPECT_LE(recv0 + FORCED_CONNS + 1, mib("SyncookiesRecv", "SyncookiesRecv"));
}

TEST_HARNESS_MAIN
