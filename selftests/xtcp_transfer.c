// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP data-integrity selftests over the veth link of ns_wrap.sh: transfers
 * from 1 KiB to 64 MiB under netem loss, delay with jitter, reordering,
 * duplication and corruption and under a tbf rate limit; a receiver that
 * stops reading (zero window, persist probes); SO_SNDBUF, EAGAIN and
 * write-space wakeups, SO_SNDTIMEO and the protocol's memory counter;
 * 4 MiB buffers with window scaling; buffer autotuning; MSS clamping on a
 * 1280-byte MTU; 200 concurrent connections carrying data both ways.
 * Every byte received is compared with the sender's generator, so
 * corruption, loss, duplication or reordering of bytes all fail; a
 * transfer fails on no progress for STALL_MS, never on its speed.
 */
#include <fcntl.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "xtcp_test.h"

#define KIB		1024UL
#define MIB		(1024 * KIB)
/* no progress for this long fails a transfer; only stalls fail, not speed */
#define STALL_MS	60000
#define CHUNK		(64 * KIB)
#define NCONN		200
#define CONN_BYTES	(32 * KIB)
#define DEBUG_CONN_BYTES (4 * KIB)
#define DEBUG_MAX	(512 * KIB)

FIXTURE(xfer) {
	struct xtcp_env env;
	const char *if_a;
	const char *if_b;
	bool debug;
	bool qdisc_set;		/* teardown removes the qdiscs */
	bool mtu_set;		/* teardown restores MTU 1500 */
	bool gso_off;		/* teardown sets net.xtcp.gso back to 1 */
	bool moderate_off;	/* teardown sets moderate_buffers back to 1 */
	long long t0;
};

static long long now_ms(void);

/* true on the debug kernel (kmemleak present): big transfers shrink there */
static bool debug_kernel(void)
{
	struct stat st;

	return !stat("/sys/kernel/debug/kmemleak", &st);
}

FIXTURE_SETUP(xfer)
{
	if (!xtcp_loaded())
		XTCP_SKIP("xtcp module not loaded");
	if (xtcp_env_get(&self->env))
		XTCP_SKIP("XTCP_NS_A/B, XTCP_ADDR_A/B unset: run via ns_wrap.sh");
	self->if_a = getenv("XTCP_IF_A") ? : "xa0";
	self->if_b = getenv("XTCP_IF_B") ? : "xb0";
	self->debug = debug_kernel();
	self->t0 = now_ms();
	ASSERT_EQ(0, xtcp_setns(self->env.ns_a))
		TH_LOG("setns %s: %s", self->env.ns_a, strerror(errno));
}

/* shell commands on one veth end: namespace, [verb,] device, argument */
#define TC_ROOT		"tc -n %s qdisc %s dev %s root %s 2>/dev/null"
#define SET_MTU		"ip -n %s link set %s mtu %d"
#define SET_GSO		"ip netns exec %s sh -c 'echo %d > /proc/sys/net/xtcp/gso'"
#define SET_MODERATE	"ip netns exec %s sh -c " \
			"'echo %d > /proc/sys/net/xtcp/moderate_buffers'"

/* run a shell command; return its exit status */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/*
 * Every test leaves the link as it found it: no qdisc, MTU 1500. Only what
 * a test changed is undone (each command is slow on the debug kernel).
 */
FIXTURE_TEARDOWN(xfer)
{
	if (self->qdisc_set)
		sh(TC_ROOT "; " TC_ROOT, self->env.ns_a, "del", self->if_a, "",
		   self->env.ns_b, "del", self->if_b, "");
	if (self->mtu_set)
		sh(SET_MTU "; " SET_MTU, self->env.ns_a, self->if_a, 1500,
		   self->env.ns_b, self->if_b, 1500);
	if (self->gso_off)
		sh(SET_GSO, self->env.ns_b, 1);
	if (self->moderate_off)
		sh(SET_MODERATE "; " SET_MODERATE, self->env.ns_a, 1,
		   self->env.ns_b, 1);
	TH_LOG("%lld ms", now_ms() - self->t0);
}

/* put "QDISC..." (e.g. "netem loss 1%") on both ends of the link */
static int impair(struct _test_data_xfer *self, const char *qdisc)
{
	self->qdisc_set = true;
	if (!strncmp(qdisc, "tbf", 3))
		sh("modprobe -q sch_tbf");
	return sh(TC_ROOT " && " TC_ROOT, self->env.ns_a, "replace",
		  self->if_a, qdisc, self->env.ns_b, "replace", self->if_b,
		  qdisc) ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * The byte stream: byte i of stream @seed is a fixed function of (seed, i),
 * so the receiver regenerates what must arrive at any offset.
 */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void stream_fill(uint8_t *buf, uint64_t seed, size_t off, size_t len)
{
	size_t i = 0;

	for (; i < len && ((off + i) & 7); i++)
		buf[i] = mix64(seed + ((off + i) >> 3)) >> (((off + i) & 7) * 8);
	for (; i + 8 <= len; i += 8) {
		uint64_t w = mix64(seed + ((off + i) >> 3));

		memcpy(buf + i, &w, 8);	/* little-endian guest: byte k = w >> 8k */
	}
	for (; i < len; i++)
		buf[i] = mix64(seed + ((off + i) >> 3)) >> (((off + i) & 7) * 8);
}

/* offset of the first byte of @buf that differs from the stream, or -1 */
static long stream_check(const uint8_t *buf, uint64_t seed, size_t off,
			 size_t len, uint8_t *scratch)
{
	size_t i;

	stream_fill(scratch, seed, off, len);
	if (!memcmp(buf, scratch, len))
		return -1;
	for (i = 0; buf[i] == scratch[i]; i++)
		;
	return (long)(off + i);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* one direction of a transfer, driven by its own thread */
struct sender {
	int fd;
	size_t len;
	uint64_t seed;
	size_t sent;
	int err;
	uint32_t max_snd_wnd;	/* largest peer window seen (TCP_INFO) */
	pthread_t thread;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t *buf = malloc(CHUNK);
	struct tcp_info ti;
	socklen_t tlen;

	if (!buf) {
		s->err = ENOMEM;
		return NULL;
	}
	while (s->sent < s->len) {
		size_t n = s->len - s->sent < CHUNK ? s->len - s->sent : CHUNK;
		ssize_t w;

		stream_fill(buf, s->seed, s->sent, n);
		w = send(s->fd, buf, n, MSG_NOSIGNAL);
		if (w <= 0) {
			s->err = w < 0 ? errno : EIO;
			break;
		}
		s->sent += w;
		tlen = sizeof(ti);
		if (!getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) &&
		    ti.tcpi_snd_wnd > s->max_snd_wnd)
			s->max_snd_wnd = ti.tcpi_snd_wnd;
	}
	if (!s->err && shutdown(s->fd, SHUT_WR))
		s->err = errno;
	free(buf);
	return NULL;
}

/*
 * Read @len bytes of stream @seed from @fd and then EOF, comparing each
 * byte. Return: 0, or the errno-like reason (EBADMSG for wrong bytes,
 * EPROTO for data beyond @len, ETIMEDOUT for a stall).
 */
static int receive_verify(struct __test_metadata *_metadata, int fd,
			  size_t len, uint64_t seed, size_t *got)
{
	uint8_t *buf = malloc(CHUNK), *scratch = malloc(CHUNK);
	int err = 0;

	*got = 0;
	if (!buf || !scratch) {
		err = ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = recv(fd, buf, CHUNK, 0);
		long bad;

		if (r == 0)
			break;
		if (r < 0) {
			err = errno == EAGAIN ? ETIMEDOUT : errno;
			TH_LOG("recv after %zu of %zu bytes: %s", *got, len,
			       strerror(errno));
			break;
		}
		if (*got + r > len) {
			TH_LOG("%zu bytes beyond the %zu sent", *got + r - len,
			       len);
			err = EPROTO;
			break;
		}
		bad = stream_check(buf, seed, *got, r, scratch);
		if (bad >= 0) {
			TH_LOG("byte %ld of %zu differs from what was sent",
			       bad, len);
			err = EBADMSG;
			break;
		}
		*got += r;
	}
out:
	free(buf);
	free(scratch);
	return err;
}

/* a client in ns_b connected to @lfd's address, and the accepted socket */
static int connect_pair(struct _test_data_xfer *self, int lfd,
			const struct sockaddr_in *srv, int *cfd, int *afd)
{
	*afd = -1;
	*cfd = xtcp_connect_in(self->env.ns_b, srv);
	if (*cfd < 0)
		return -1;
	*afd = xtcp_accept_timeout(lfd, STALL_MS);
	if (*afd < 0 || xtcp_set_timeouts(*cfd, STALL_MS) ||
	    xtcp_set_timeouts(*afd, STALL_MS))
		return -1;
	return 0;
}

/* a listener in ns_a, one connection to it, and the sender's state */
struct pair {
	int lfd, afd;
	struct sockaddr_in srv;
	struct sender s;	/* s.fd is the client in ns_b */
};

/*
 * Open @p for a stream of @len bytes: the listener gets buffer option
 * @opt = @val first (0: none), which accept() passes on to the server end.
 */
static int pair_open(struct _test_data_xfer *self, struct pair *p,
		     size_t len, int opt, int val)
{
	memset(p, 0, sizeof(*p));
	p->s.len = len;
	p->s.seed = mix64(len) ^ (uint64_t)time(NULL);
	p->lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &p->srv);
	if (p->lfd < 0 ||
	    (opt && setsockopt(p->lfd, SOL_SOCKET, opt, &val, sizeof(val))))
		return -1;
	return connect_pair(self, p->lfd, &p->srv, &p->s.fd, &p->afd);
}

static void pair_close(struct pair *p)
{
	close(p->s.fd);
	close(p->afd);
	close(p->lfd);
}

/* start the sender thread on what is left of the stream */
static int stream_start(struct pair *p)
{
	return pthread_create(&p->s.thread, NULL, sender_main, &p->s);
}

/* receive the whole stream, check it, and reap the sender thread */
static void stream_finish(struct __test_metadata *_metadata, struct pair *p)
{
	size_t got;

	EXPECT_EQ(0, receive_verify(_metadata, p->afd, p->s.len, p->s.seed,
				    &got));
	EXPECT_EQ(p->s.len, got);
	pthread_join(p->s.thread, NULL);
	EXPECT_EQ(0, p->s.err) TH_LOG("sender: %s", strerror(p->s.err));
	EXPECT_EQ(p->s.len, p->s.sent);
}

/*
 * Move @len bytes from a client in ns_b to a server in ns_a over whatever
 * the link currently does, and check every byte and the EOF after them.
 */
static void transfer(struct __test_metadata *_metadata,
		     struct _test_data_xfer *self, size_t len)
{
	long long t0 = now_ms();
	struct pair p;

	ASSERT_EQ(0, pair_open(self, &p, len, 0, 0))
		TH_LOG("listen/connect/accept: %s", strerror(errno));
	ASSERT_EQ(0, stream_start(&p));
	stream_finish(_metadata, &p);
	TH_LOG("%zu bytes intact in %lld ms", len, now_ms() - t0);
	pair_close(&p);
}

/*
 * @len, or at most DEBUG_MAX on the debug kernel: KASAN, lockdep and
 * kmemleak under TCG move a few Mbit/s, and that run is there to check the
 * same code paths for memory and locking errors, not to move volume.
 */
static size_t sized(struct _test_data_xfer *self, size_t len)
{
	return self->debug && len > DEBUG_MAX ? DEBUG_MAX : len;
}

TEST_F_TIMEOUT(xfer, clean_1k_to_64m, 600)
{
	static const size_t sizes[] = { 1 * KIB, 64 * KIB, 1 * MIB, 64 * MIB };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		transfer(_metadata, self, sized(self, sizes[i]));
}

TEST_F_TIMEOUT(xfer, loss_1pct, 600)
{
	ASSERT_EQ(0, impair(self, "netem loss 1%"));
	transfer(_metadata, self, 1 * KIB);
	transfer(_metadata, self, sized(self, 64 * MIB));
}

TEST_F_TIMEOUT(xfer, loss_5pct, 600)
{
	ASSERT_EQ(0, impair(self, "netem loss 5%"));
	transfer(_metadata, self, 64 * KIB);
	transfer(_metadata, self, 1 * MIB);
}

TEST_F_TIMEOUT(xfer, loss_10pct, 600)
{
	ASSERT_EQ(0, impair(self, "netem loss 10%"));
	transfer(_metadata, self, 1 * KIB);
	transfer(_metadata, self, 256 * KIB);
}

TEST_F_TIMEOUT(xfer, delay_jitter, 600)
{
	/* jitter without a rate also reorders: netem sorts by send time */
	ASSERT_EQ(0, impair(self, "netem delay 10ms 5ms distribution normal"));
	transfer(_metadata, self, sized(self, 4 * MIB));
}

TEST_F_TIMEOUT(xfer, reorder_25pct, 600)
{
	ASSERT_EQ(0, impair(self, "netem delay 5ms reorder 25% 50%"));
	transfer(_metadata, self, sized(self, 4 * MIB));
}

TEST_F_TIMEOUT(xfer, duplicate_5pct, 600)
{
	ASSERT_EQ(0, impair(self, "netem duplicate 5%"));
	transfer(_metadata, self, sized(self, 4 * MIB));
}

TEST_F_TIMEOUT(xfer, corrupt_1pct, 600)
{
	long long a0, b0, a1, b1;

	a0 = xtcp_stat_get(self->env.ns_a, "InCsumErrors");
	b0 = xtcp_stat_get(self->env.ns_b, "InCsumErrors");
	ASSERT_LE(0, a0);
	ASSERT_LE(0, b0);
	/*
	 * netem corrupts one in a hundred skbs, and a GSO skb is one skb:
	 * one skb per segment keeps the odds below per segment.
	 */
	self->gso_off = true;
	ASSERT_EQ(0, sh(SET_GSO, self->env.ns_b, 0));
	ASSERT_EQ(0, impair(self, "netem corrupt 1%"));
	/* 1 MiB even on the debug kernel: ~1000 segments both ways */
	transfer(_metadata, self, self->debug ? 1 * MIB : 8 * MIB);
	a1 = xtcp_stat_get(self->env.ns_a, "InCsumErrors");
	b1 = xtcp_stat_get(self->env.ns_b, "InCsumErrors");
	/*
	 * At 1 % of ~6000 (debug: ~1000) segments and their ACKs, none
	 * caught has odds below 1e-4: the checksum must have caught some.
	 */
	EXPECT_LT(0, a1 - a0 + b1 - b0)
		TH_LOG("no corrupted segment was counted in InCsumErrors");
}

TEST_F_TIMEOUT(xfer, tbf_rate_limit, 600)
{
	ASSERT_EQ(0, impair(self, "tbf rate 20mbit burst 32kb latency 200ms"));
	transfer(_metadata, self, sized(self, 4 * MIB));
}

/*
 * GSO (xtcp_offload.c): over veth, runs of full segments leave the sender
 * as GSO skbs (OutGsoSkbs) that veth hands whole to the receiver, which
 * takes each as one segment; nothing cuts them (GsoSegmented).
 */
TEST_F_TIMEOUT(xfer, gso_whole_over_veth, 600)
{
	long long out0 = xtcp_stat_get(self->env.ns_b, "OutGsoSkbs");
	long long cut0 = xtcp_stat_get(self->env.ns_b, "GsoSegmented");

	ASSERT_LE(0, out0) TH_LOG("no OutGsoSkbs counter");
	transfer(_metadata, self, sized(self, 4 * MIB));
	EXPECT_LT(out0, xtcp_stat_get(self->env.ns_b, "OutGsoSkbs"));
	EXPECT_EQ(cut0, xtcp_stat_get(self->env.ns_b, "GsoSegmented"));
}

/* net.xtcp.gso = 0: one skb per segment, the stream as intact */
TEST_F_TIMEOUT(xfer, gso_off, 600)
{
	long long out0 = xtcp_stat_get(self->env.ns_b, "OutGsoSkbs");

	self->gso_off = true;
	ASSERT_EQ(0, sh(SET_GSO, self->env.ns_b, 0));
	transfer(_metadata, self, sized(self, 4 * MIB));
	EXPECT_EQ(out0, xtcp_stat_get(self->env.ns_b, "OutGsoSkbs"));
}

/*
 * A qdisc that cannot pass a GSO skb whole (tbf with a 16 KiB bucket,
 * below one GSO skb) cuts it with xtcp_gso_segment() into segments with
 * their own sequence numbers, flags and checksums (GsoSegmented).
 */
TEST_F_TIMEOUT(xfer, gso_cut_by_qdisc, 600)
{
	long long cut0 = xtcp_stat_get(self->env.ns_b, "GsoSegmented");

	ASSERT_EQ(0, impair(self, "tbf rate 200mbit burst 16kb latency 100ms"));
	transfer(_metadata, self, sized(self, 4 * MIB));
	EXPECT_LT(cut0, xtcp_stat_get(self->env.ns_b, "GsoSegmented"));
}

/*
 * The receiver stops reading: its window closes, the sender's persist
 * timer probes it (ZeroWindowProbes), and once reading resumes the whole
 * stream arrives intact.
 */
TEST_F_TIMEOUT(xfer, receiver_pause_persist, 300)
{
	long long p0, probes, deadline;
	struct tcp_info ti;
	socklen_t tlen;
	struct pair p;

	/* a small buffer closes the window soon */
	ASSERT_EQ(0, pair_open(self, &p, sized(self, 2 * MIB), SO_RCVBUF,
			       32 * KIB));
	p0 = xtcp_stat_get(self->env.ns_b, "ZeroWindowProbes");
	ASSERT_LE(0, p0);
	ASSERT_EQ(0, stream_start(&p));

	/* not reading: wait (bounded) for the sender to probe twice */
	deadline = now_ms() + 20000;
	do {
		usleep(50 * 1000);
		probes = xtcp_stat_get(self->env.ns_b, "ZeroWindowProbes");
	} while (probes - p0 < 2 && now_ms() < deadline);
	EXPECT_LE(2, probes - p0) TH_LOG("%lld window probes", probes - p0);
	tlen = sizeof(ti);
	ASSERT_EQ(0, getsockopt(p.s.fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen));
	/* closed: what is left of the offered window takes no segment */
	EXPECT_GT(ti.tcpi_snd_mss, ti.tcpi_snd_wnd)
		TH_LOG("window %u, MSS %u", ti.tcpi_snd_wnd, ti.tcpi_snd_mss);
	EXPECT_GT(p.s.len, __atomic_load_n(&p.s.sent, __ATOMIC_RELAXED))
		TH_LOG("the sender was never held back");

	stream_finish(_metadata, &p);
	pair_close(&p);
}

/* 4 MiB buffers: a scaled window far above 64 KiB moves a large transfer */
TEST_F_TIMEOUT(xfer, big_buffers_wscale, 600)
{
	int buf = 4 * MIB;
	struct tcp_info ti;
	socklen_t tlen;
	struct pair p;

	/* FORCE: the 4 MiB may exceed net.core.rmem_max (we run as root) */
	ASSERT_EQ(0, pair_open(self, &p, sized(self, 32 * MIB), SO_RCVBUFFORCE,
			       buf));
	ASSERT_EQ(0, setsockopt(p.afd, SOL_SOCKET, SO_SNDBUFFORCE, &buf,
				sizeof(buf)));
	ASSERT_EQ(0, setsockopt(p.s.fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf,
				sizeof(buf)));
	ASSERT_EQ(0, stream_start(&p));
	stream_finish(_metadata, &p);

	tlen = sizeof(ti);
	ASSERT_EQ(0, getsockopt(p.s.fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen));
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_WSCALE);
	EXPECT_LT(0, (int)ti.tcpi_snd_wscale);
	EXPECT_LT(64 * KIB, (unsigned long)p.s.max_snd_wnd)
		TH_LOG("largest window offered: %u", p.s.max_snd_wnd);
	pair_close(&p);
}

/* a socket's SO_SNDBUF or SO_RCVBUF as getsockopt() reports it */
static int sockbuf(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int val = -1;

	getsockopt(fd, SOL_SOCKET, opt, &val, &len);
	return val;
}

/*
 * One stream over a 40 ms round trip; @lock > 0 sets SO_SNDBUF on the
 * client and SO_RCVBUF on the server to @lock first. Reports the client's
 * SO_SNDBUF and the server's SO_RCVBUF before (@b0) and after (@b1).
 */
static void autotune_run(struct __test_metadata *_metadata,
			 struct _test_data_xfer *self, int lock, int b0[2],
			 int b1[2])
{
	struct pair p;

	ASSERT_EQ(0, pair_open(self, &p, sized(self, 16 * MIB),
			       lock ? SO_RCVBUF : 0, lock));
	if (lock)
		ASSERT_EQ(0, setsockopt(p.s.fd, SOL_SOCKET, SO_SNDBUF, &lock,
					sizeof(lock)));
	b0[0] = sockbuf(p.s.fd, SO_SNDBUF);
	b0[1] = sockbuf(p.afd, SO_RCVBUF);
	ASSERT_EQ(0, stream_start(&p));
	stream_finish(_metadata, &p);
	b1[0] = sockbuf(p.s.fd, SO_SNDBUF);
	b1[1] = sockbuf(p.afd, SO_RCVBUF);
	TH_LOG("lock %d: SO_SNDBUF %d -> %d, SO_RCVBUF %d -> %d", lock, b0[0],
	       b1[0], b0[1], b1[1]);
	pair_close(&p);
}

/*
 * Buffer autotuning (xtcp_buf.c, net.xtcp.moderate_buffers): over a path
 * with a 40 ms round trip the sender's SO_SNDBUF grows with cwnd and the
 * receiver's SO_RCVBUF with what is read per round trip; buffers the
 * application set, or all of them with the sysctl at 0, stay as they
 * were. The debug kernel moves too little per round trip to need more
 * than the default buffers, so there only the unchanged cases are checked.
 */
TEST_F_TIMEOUT(xfer, buffers_autotune, 600)
{
	int b0[2], b1[2];

	ASSERT_EQ(0, impair(self, "netem delay 20ms limit 10000"));
	autotune_run(_metadata, self, 0, b0, b1);
	if (!self->debug) {
		EXPECT_LT(b0[0], b1[0]) TH_LOG("SO_SNDBUF did not grow");
		EXPECT_LT(b0[1], b1[1]) TH_LOG("SO_RCVBUF did not grow");
	}
	EXPECT_GE(4 * (int)MIB, b1[0]);
	EXPECT_GE(6 * (int)MIB, b1[1]);

	autotune_run(_metadata, self, 64 * KIB, b0, b1);
	EXPECT_EQ(b0[0], b1[0]);
	EXPECT_EQ(b0[1], b1[1]);

	self->moderate_off = true;
	ASSERT_EQ(0, sh(SET_MODERATE " && " SET_MODERATE, self->env.ns_a, 0,
			self->env.ns_b, 0));
	autotune_run(_metadata, self, 0, b0, b1);
	EXPECT_EQ(b0[0], b1[0]);
	EXPECT_EQ(b0[1], b1[1]);
}

/* a 1280-byte MTU on both ends: MSS 1240 at most, stream intact */
TEST_F_TIMEOUT(xfer, mss_clamp_mtu_1280, 300)
{
	struct tcp_info ti;
	socklen_t tlen;
	struct pair p;

	self->mtu_set = true;
	ASSERT_EQ(0, sh(SET_MTU " && " SET_MTU, self->env.ns_a, self->if_a,
			1280, self->env.ns_b, self->if_b, 1280));
	ASSERT_EQ(0, pair_open(self, &p, sized(self, 2 * MIB), 0, 0));
	tlen = sizeof(ti);
	ASSERT_EQ(0, getsockopt(p.s.fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen));
	EXPECT_GE(1240U, ti.tcpi_snd_mss);
	EXPECT_GE(1240U, ti.tcpi_advmss);
	tlen = sizeof(ti);
	ASSERT_EQ(0, getsockopt(p.afd, IPPROTO_TCP, TCP_INFO, &ti, &tlen));
	EXPECT_GE(1240U, ti.tcpi_snd_mss);

	ASSERT_EQ(0, stream_start(&p));
	stream_finish(_metadata, &p);
	pair_close(&p);
}

/* pages XTCP sockets hold, the "memory" column of /proc/net/protocols */
static long proto_pages(void)
{
	char line[256], name[32];
	long pages = -1, mem;
	FILE *f = fopen("/proc/net/protocols", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %*u %*d %ld", name, &mem) == 2 &&
		    !strcmp(name, "XTCP"))
			pages = mem;
	fclose(f);
	return pages;
}

/*
 * Queue non-blocking sends of stream @seed on @fd until EAGAIN, and again
 * whenever ACKs of what was in flight make room, until the socket stays
 * unwritable for 300 ms: the peer, which does not read, has closed its
 * window and the queue is full. Return: bytes accepted, or -1 when the
 * queue never filled (or an error other than EAGAIN).
 */
static long fill_until_full(int fd, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK);
	long total = 0;
	int rounds;

	if (!buf)
		return -1;
	for (rounds = 0; rounds < 100 && total < (long)(256 * MIB); ) {
		ssize_t w;

		stream_fill(buf, seed, total, CHUNK);
		w = send(fd, buf, CHUNK, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w >= 0) {
			total += w;
			continue;
		}
		if (errno != EAGAIN)
			break;
		rounds++;
		if (xtcp_poll1(fd, POLLOUT, 300) == 0) {
			free(buf);
			return total;
		}
	}
	free(buf);
	return -1;
}

/*
 * A peer that does not read: non-blocking sends stop with EAGAIN once the
 * queue reaches SO_SNDBUF (a larger buffer takes more), the socket stays
 * unwritable then, becomes writable when the peer reads (write-space
 * wakeup), and the whole stream arrives intact.
 */
TEST_F_TIMEOUT(xfer, sndbuf_eagain_wakeup, 300)
{
	int small = 64 * KIB, big = 1 * MIB, fd2, afd2, sndbuf, outq;
	long filled, filled_big;
	socklen_t olen;
	struct pair p;

	ASSERT_EQ(0, pair_open(self, &p, sized(self, 4 * MIB), SO_RCVBUF,
			       32 * KIB));
	/* the larger buffer first, on a connection of its own */
	ASSERT_EQ(0, connect_pair(self, p.lfd, &p.srv, &fd2, &afd2));
	ASSERT_EQ(0, setsockopt(fd2, SOL_SOCKET, SO_SNDBUFFORCE, &big,
				sizeof(big)));
	filled_big = fill_until_full(fd2, 1);
	ASSERT_LT(0, filled_big) TH_LOG("queue never full: %s", strerror(errno));
	close(fd2);
	close(afd2);

	ASSERT_EQ(0, setsockopt(p.s.fd, SOL_SOCKET, SO_SNDBUF, &small,
				sizeof(small)));
	olen = sizeof(sndbuf);
	ASSERT_EQ(0, getsockopt(p.s.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &olen));
	filled = fill_until_full(p.s.fd, p.s.seed);
	ASSERT_LT(0, filled) TH_LOG("queue never full: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(p.s.fd, SIOCOUTQ, &outq));
	/* what waits on the sender is bounded by its buffer */
	EXPECT_GE(sndbuf, outq)
		TH_LOG("%d bytes queued, SO_SNDBUF %d", outq, sndbuf);
	EXPECT_GT(filled_big, filled)
		TH_LOG("SO_SNDBUF %d took %ld bytes, 1 MiB (doubled) %ld", sndbuf,
		       filled, filled_big);

	/* the reader starts; the writer is woken and sends the rest */
	p.s.sent = filled;
	ASSERT_EQ(0, xtcp_set_nonblock(p.s.fd, false));
	ASSERT_EQ(0, stream_start(&p));
	stream_finish(_metadata, &p);
	pair_close(&p);
}

/*
 * Where the route takes GSO skbs (veth), one write-queue skb holds a GSO
 * skb's worth of segments, so the memory a full send queue is charged
 * (SO_MEMINFO's wmem_queued, every skb's truesize) is little more than the
 * bytes it holds (SIOCOUTQ); with net.xtcp.gso = 0 every segment is a skb
 * of its own and its header costs about half a segment on top.
 */
TEST_F_TIMEOUT(xfer, sendq_skbs_hold_many_segments, 300)
{
	int big = 1 * MIB, gso, outq;
	__u32 mem[SK_MEMINFO_VARS];
	socklen_t len;
	struct pair p;
	long pct;

	self->gso_off = true;
	for (gso = 1; gso >= 0; gso--) {
		ASSERT_EQ(0, sh(SET_GSO, self->env.ns_b, gso));
		/* a receiver that does not read closes the window soon */
		ASSERT_EQ(0, pair_open(self, &p, 1, SO_RCVBUF, 32 * KIB));
		ASSERT_EQ(0, setsockopt(p.s.fd, SOL_SOCKET, SO_SNDBUFFORCE,
					&big, sizeof(big)));
		ASSERT_LT(0, fill_until_full(p.s.fd, p.s.seed));
		len = sizeof(mem);
		ASSERT_EQ(0, getsockopt(p.s.fd, SOL_SOCKET, SO_MEMINFO, mem,
					&len));
		ASSERT_EQ(0, ioctl(p.s.fd, SIOCOUTQ, &outq));
		ASSERT_LT(0, outq);
		pct = ((long)mem[SK_MEMINFO_WMEM_QUEUED] - outq) * 100 / outq;
		TH_LOG("gso %d: %d bytes queued, charged %u (+%ld %%)", gso,
		       outq, mem[SK_MEMINFO_WMEM_QUEUED], pct);
		/*
		 * A skb per segment: its header costs about half a segment
		 * (+53 %). With GSO every unsent skb holds at least two
		 * segments (more on a fast path: +3 % on the stock kernel,
		 * +8-10 % on the slower debug kernel), so at most about +27 %.
		 */
		EXPECT_TRUE(gso ? pct < 30 : pct > 45);
		pair_close(&p);
	}
}

/* SO_SNDTIMEO: a blocking send into a full queue gives up with EAGAIN */
TEST_F_TIMEOUT(xfer, sndtimeo_eagain, 120)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200 * 1000 };
	uint8_t *buf = calloc(1, CHUNK);
	long long t0 = 0;
	struct pair p;
	ssize_t w = 0;
	int i;

	ASSERT_TRUE(!!buf);
	ASSERT_EQ(0, pair_open(self, &p, 0, 0, 0));
	ASSERT_EQ(0, setsockopt(p.s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	for (i = 0; i < 1000; i++) {
		t0 = now_ms();
		w = send(p.s.fd, buf, CHUNK, MSG_NOSIGNAL);
		if (w < 0)
			break;
	}
	ASSERT_EQ(-1, w) TH_LOG("the queue never filled");
	EXPECT_EQ(EAGAIN, errno) TH_LOG("%s", strerror(errno));
	/* it waited for space before giving up (a lower bound only) */
	EXPECT_LE(150, now_ms() - t0);
	free(buf);
	pair_close(&p);
}

/*
 * The protocol's page counter (/proc/net/protocols) carries what a full
 * 4 MiB (2 MiB doubled) send queue holds and gives it back when the data
 * is acknowledged.
 */
TEST_F_TIMEOUT(xfer, memory_accounting, 300)
{
	long before, during, after, filled;
	int big = 2 * MIB;
	struct pair p;
	size_t got;

	ASSERT_EQ(0, pair_open(self, &p, 0, SO_RCVBUF, 32 * KIB));
	ASSERT_EQ(0, setsockopt(p.s.fd, SOL_SOCKET, SO_SNDBUFFORCE, &big,
				sizeof(big)));
	before = proto_pages();
	ASSERT_LE(0, before) TH_LOG("no XTCP line in /proc/net/protocols");
	filled = fill_until_full(p.s.fd, p.s.seed);
	ASSERT_LT(0, filled);
	during = proto_pages();
	/*
	 * About 1000 pages are queued; per-CPU caches may hold back up to
	 * 256 pages per CPU of the count.
	 */
	EXPECT_LE(before + 256, during)
		TH_LOG("%ld bytes queued; pages %ld before, %ld during",
		       filled, before, during);

	ASSERT_EQ(0, shutdown(p.s.fd, SHUT_WR));
	EXPECT_EQ(0, receive_verify(_metadata, p.afd, filled, p.s.seed, &got));
	EXPECT_EQ(filled, (long)got);
	/* the server's FIN reaches us after it has read, and ACKed, it all */
	ASSERT_EQ(0, shutdown(p.afd, SHUT_WR));
	ASSERT_TRUE(xtcp_poll1(p.s.fd, POLLIN, STALL_MS) & POLLIN);
	after = proto_pages();
	EXPECT_GT(during, after) TH_LOG("pages %ld during, %ld after",
					during, after);
	pair_close(&p);
}

/* ------------------------------------------------------------------------
 * Many connections in one epoll loop, each end sending CONN_BYTES (debug
 * kernel: DEBUG_CONN_BYTES) of its own stream and verifying the other's.
 */
struct end {
	int fd;
	uint64_t tx_seed, rx_seed;
	size_t len;	/* bytes each way */
	size_t tx, rx;
	bool tx_done, rx_eof;
};

/* send what the socket takes; shut the write side once all is out */
static int end_write(struct end *e, uint8_t *buf)
{
	while (!e->tx_done) {
		size_t n = e->len - e->tx < CHUNK ? e->len - e->tx : CHUNK;
		ssize_t w;

		if (!n) {
			if (shutdown(e->fd, SHUT_WR))
				return -1;
			e->tx_done = true;
			break;
		}
		stream_fill(buf, e->tx_seed, e->tx, n);
		w = send(e->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		e->tx += w;
	}
	return 0;
}

/* read and check what arrived; -1 on an error or a wrong byte */
static int end_read(struct __test_metadata *_metadata, struct end *e,
		    uint8_t *buf, uint8_t *scratch)
{
	while (!e->rx_eof) {
		ssize_t r = recv(e->fd, buf, CHUNK, MSG_DONTWAIT);

		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		if (r == 0) {
			e->rx_eof = true;
			if (e->rx != e->len) {
				TH_LOG("EOF after %zu bytes", e->rx);
				return -1;
			}
			break;
		}
		if (e->rx + r > e->len ||
		    stream_check(buf, e->rx_seed, e->rx, r, scratch) >= 0) {
			TH_LOG("wrong bytes at %zu", e->rx);
			return -1;
		}
		e->rx += r;
	}
	return 0;
}

TEST_F_TIMEOUT(xfer, concurrent_200_both_ways, 600)
{
	struct end *ends = calloc(2 * NCONN, sizeof(*ends));
	uint8_t *buf = malloc(CHUNK), *scratch = malloc(CHUNK);
	struct epoll_event ev, evs[64];
	int lfd, ep, i, n, done = 0;
	struct sockaddr_in srv;
	long long last = now_ms();

	ASSERT_TRUE(ends && buf && scratch);
	lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &srv);
	ASSERT_LE(0, lfd);
	for (i = 0; i < NCONN; i++) {
		struct end *c = &ends[2 * i], *a = &ends[2 * i + 1];

		c->fd = xtcp_connect_in(self->env.ns_b, &srv);
		ASSERT_LE(0, c->fd) TH_LOG("connect %d: %s", i, strerror(errno));
		a->fd = xtcp_accept_timeout(lfd, STALL_MS);
		ASSERT_LE(0, a->fd) TH_LOG("accept %d: %s", i, strerror(errno));
		c->len = self->debug ? DEBUG_CONN_BYTES : CONN_BYTES;
		a->len = c->len;
		/* the client sends stream 2i+1, the server stream 2i+2 */
		c->tx_seed = mix64(2 * i + 1);
		a->rx_seed = c->tx_seed;
		a->tx_seed = mix64(2 * i + 2);
		c->rx_seed = a->tx_seed;
	}
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	for (i = 0; i < 2 * NCONN; i++) {
		ASSERT_EQ(0, xtcp_set_nonblock(ends[i].fd, true));
		ev.events = EPOLLIN | EPOLLOUT;
		ev.data.u32 = i;
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, ends[i].fd, &ev));
	}

	while (done < 2 * NCONN) {
		n = epoll_wait(ep, evs, 64, 1000);
		ASSERT_LE(0, n);
		if (n)
			last = now_ms();
		ASSERT_GT(STALL_MS, now_ms() - last)
			TH_LOG("no progress for %d ms, %d of %d ends done",
			       STALL_MS, done, 2 * NCONN);
		for (i = 0; i < n; i++) {
			struct end *e = &ends[evs[i].data.u32];
			bool was = e->tx_done && e->rx_eof;

			if (evs[i].events & EPOLLOUT)
				ASSERT_EQ(0, end_write(e, buf))
					TH_LOG("send: %s", strerror(errno));
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				ASSERT_EQ(0, end_read(_metadata, e, buf, scratch))
					TH_LOG("recv: %s", strerror(errno));
			if (!was && e->tx_done && e->rx_eof) {
				done++;
				epoll_ctl(ep, EPOLL_CTL_DEL, e->fd, NULL);
			} else if (e->tx_done) {
				ev.events = EPOLLIN;
				ev.data.u32 = evs[i].data.u32;
				epoll_ctl(ep, EPOLL_CTL_MOD, e->fd, &ev);
			}
		}
	}
	for (i = 0; i < 2 * NCONN; i++) {
		EXPECT_EQ(ends[i].len, ends[i].tx);
		EXPECT_EQ(ends[i].len, ends[i].rx);
		close(ends[i].fd);
	}
	close(ep);
	close(lfd);
	free(ends);
	free(buf);
	free(scratch);
}

TEST_HARNESS_MAIN
