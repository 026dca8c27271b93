// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the XTCP selftest programs (see xtcp_util.h): namespace
 * switching, bounded socket operations, the echo thread and /proc parsing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/xtcp.h>

#include "xtcp_param.h"
#include "xtcp_util.h"

/*
 * Reference mode: XTCP_TEST_AS_TCP=1 points every test at the kernel's own
 * TCP (AF_INET/IPPROTO_TCP, /proc/net/tcp) to check the tests themselves;
 * the few XTCP-specific cases are then expected to fail (or skip).
 */
bool xtcp_as_tcp(void)
{
	const char *s = getenv("XTCP_TEST_AS_TCP");

	return s && *s == '1';
}

/* Address family XTCP registered (module parameter "family"). */
int xtcp_family(void)
{
	if (xtcp_as_tcp())
		return AF_INET;
	return xtcp_param("family", AF_XTCP);
}

/* IP protocol number XTCP uses (module parameter "proto"). */
int xtcp_ipproto(void)
{
	if (xtcp_as_tcp())
		return IPPROTO_TCP;
	return xtcp_param("proto", IPPROTO_XTCP);
}

/* True when the xtcp module is loaded. */
bool xtcp_loaded(void)
{
	return xtcp_as_tcp() || access("/sys/module/xtcp", F_OK) == 0;
}

static int xtcp_env_addr(const char *var, struct in_addr *addr)
{
	const char *s = getenv(var);

	if (!s || inet_pton(AF_INET, s, addr) != 1) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* Fill @env from XTCP_NS_A, XTCP_NS_B, XTCP_ADDR_A and XTCP_ADDR_B. */
int xtcp_env_get(struct xtcp_env *env)
{
	env->ns_a = getenv("XTCP_NS_A");
	env->ns_b = getenv("XTCP_NS_B");
	if (!env->ns_a || !env->ns_b) {
		errno = ENOENT;
		return -1;
	}
	if (xtcp_env_addr("XTCP_ADDR_A", &env->addr_a) ||
	    xtcp_env_addr("XTCP_ADDR_B", &env->addr_b))
		return -1;
	return 0;
}

/* Move the calling thread into namespace @ns (NULL: stay). */
int xtcp_setns(const char *ns)
{
	char path[256];
	int fd, ret;

	if (!ns)
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret;
}

/*
 * Move the calling thread into namespace @ns (NULL: stay) and return a
 * handle for xtcp_ns_leave(), or -1 (errno set) when that failed.
 */
static int xtcp_ns_enter(const char *ns)
{
	int self, err;

	if (!ns)
		return INT_MAX;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (xtcp_setns(ns)) {
		err = errno;
		close(self);
		errno = err;
		return -1;
	}
	return self;
}

/* Return to the namespace xtcp_ns_enter() left; errno is preserved. */
static void xtcp_ns_leave(int self)
{
	int err = errno;

	if (self == INT_MAX)
		return;
	if (setns(self, CLONE_NEWNET)) {
		/* Cannot get back: the rest of the test would be wrong. */
		perror("setns back");
		abort();
	}
	close(self);
	errno = err;
}

/*
 * Create a socket inside namespace @ns (NULL: the current one) and return to
 * the calling thread's namespace; the socket keeps the namespace it was
 * created in.
 */
int xtcp_socket_in(const char *ns, int domain, int type, int protocol)
{
	int self, fd;

	self = xtcp_ns_enter(ns);
	if (self < 0)
		return -1;
	fd = socket(domain, type, protocol);
	xtcp_ns_leave(self);
	return fd;
}

/* socket(AF_XTCP, SOCK_STREAM | @type_flags, 0) inside @ns. */
int xtcp_sock_in(const char *ns, int type_flags)
{
	return xtcp_socket_in(ns, xtcp_family(), SOCK_STREAM | type_flags, 0);
}

/* Build an IPv4 socket address. */
void xtcp_sin(struct sockaddr_in *sin, struct in_addr addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr = addr;
	sin->sin_port = htons(port);
}

/* 127.0.0.1 */
struct in_addr xtcp_loopback(void)
{
	struct in_addr a = { .s_addr = htonl(INADDR_LOOPBACK) };

	return a;
}

/* Bound blocking send/recv/connect on @fd to @ms milliseconds. */
int xtcp_set_timeouts(int fd, int ms)
{
	struct timeval tv = {
		.tv_sec = ms / 1000,
		.tv_usec = (ms % 1000) * 1000,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Switch O_NONBLOCK on or off. */
int xtcp_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

/* poll() one fd; returns revents, 0 on timeout, -1 on error. */
int xtcp_poll1(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, ms);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	return pfd.revents;
}

/*
 * Create a listening XTCP socket in @ns bound to @addr with an automatic
 * port; its address is stored in @bound.
 */
int xtcp_listen_in(const char *ns, struct in_addr addr, struct sockaddr_in *bound)
{
	socklen_t len = sizeof(*bound);
	int fd, err;

	fd = xtcp_sock_in(ns, 0);
	if (fd < 0)
		return -1;
	xtcp_sin(bound, addr, 0);
	if (bind(fd, (struct sockaddr *)bound, sizeof(*bound)) ||
	    listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)bound, &len))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* Close @fd keeping errno for the caller's report; returns -1. */
int xtcp_close_fail(int fd)
{
	int err = errno;

	close(fd);
	errno = err;
	return -1;
}

/*
 * Blocking connect from a new XTCP socket in @ns to @dst, bounded by @ms;
 * the socket keeps those send/receive timeouts.
 */
int xtcp_connect_in_ms(const char *ns, const struct sockaddr_in *dst, int ms)
{
	int fd;

	fd = xtcp_sock_in(ns, 0);
	if (fd < 0)
		return -1;
	if (xtcp_set_timeouts(fd, ms) ||
	    connect(fd, (const struct sockaddr *)dst, sizeof(*dst)))
		return xtcp_close_fail(fd);
	return fd;
}

/* xtcp_connect_in_ms() bounded by XTCP_WAIT_MS. */
int xtcp_connect_in(const char *ns, const struct sockaddr_in *dst)
{
	return xtcp_connect_in_ms(ns, dst, XTCP_WAIT_MS);
}

/* accept() bounded by @ms; the new socket gets XTCP_WAIT_MS timeouts. */
int xtcp_accept_timeout(int lfd, int ms)
{
	int r, fd;

	r = xtcp_poll1(lfd, POLLIN, ms);
	if (r <= 0) {
		if (r == 0)
			errno = ETIMEDOUT;
		return -1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0 && xtcp_set_timeouts(fd, XTCP_WAIT_MS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Open a connection from namespace ns_b to a new listener in ns_a over the
 * veth link. Both ends are blocking with XTCP_WAIT_MS timeouts.
 */
int xtcp_conn_open(const struct xtcp_env *env, struct xtcp_conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	c->cfd = -1;
	c->afd = -1;
	c->lfd = xtcp_listen_in(env->ns_a, env->addr_a, &c->srv);
	if (c->lfd < 0)
		return -1;
	c->cfd = xtcp_connect_in(env->ns_b, &c->srv);
	if (c->cfd < 0)
		goto fail;
	c->afd = xtcp_accept_timeout(c->lfd, XTCP_WAIT_MS);
	if (c->afd < 0)
		goto fail;
	if (getsockopt(c->cfd, SOL_SOCKET, SO_ERROR, &err, &len))
		goto fail;
	if (err) {
		errno = err;
		goto fail;
	}
	return 0;
fail:
	err = errno;
	xtcp_conn_close(c);
	errno = err;
	return -1;
}

/* Close every fd of @c that is open. */
void xtcp_conn_close(struct xtcp_conn *c)
{
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->afd >= 0)
		close(c->afd);
	if (c->lfd >= 0)
		close(c->lfd);
	c->cfd = -1;
	c->afd = -1;
	c->lfd = -1;
}

/* send() all of @buf (MSG_NOSIGNAL); returns @len or -1. */
ssize_t xtcp_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, p + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return done;
}

/* recv() exactly @len bytes; returns @len, the count before EOF, or -1. */
ssize_t xtcp_recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = recv(fd, p + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* Deterministic pseudo-random bytes (xorshift32) seeded by @seed. */
void xtcp_pattern(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	unsigned int x = seed ? seed : 0x9e3779b9;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x >> 24;
	}
}

static void xtcp_echo_one(struct xtcp_echo *e, int fd)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			break;
		if (n < 0 || xtcp_send_all(fd, buf, n) != n) {
			e->errors++;
			break;
		}
		e->bytes += n;
	}
}

static void *xtcp_echo_main(void *arg)
{
	struct xtcp_echo *e = arg;
	int fd;

	while (e->served < e->nconn) {
		fd = xtcp_accept_timeout(e->lfd, e->accept_ms);
		if (fd < 0) {
			e->errors++;
			break;
		}
		if (e->accept_ms > XTCP_WAIT_MS &&
		    xtcp_set_timeouts(fd, e->accept_ms))
			e->errors++;
		xtcp_echo_one(e, fd);
		close(fd);
		e->served++;
	}
	return NULL;
}

/*
 * Start a thread that accepts @nconn connections on @lfd one after the
 * other and echoes each until EOF, then closes it. Every wait is bounded:
 * each accept() by @accept_ms, each receive by XTCP_WAIT_MS or @accept_ms,
 * whichever is longer.
 */
int xtcp_echo_start_timeout(struct xtcp_echo *e, int lfd, int nconn,
			    int accept_ms)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->lfd = lfd;
	e->nconn = nconn;
	e->accept_ms = accept_ms;
	err = pthread_create(&e->thread, NULL, xtcp_echo_main, e);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* xtcp_echo_start_timeout() with XTCP_WAIT_MS per accept(). */
int xtcp_echo_start(struct xtcp_echo *e, int lfd, int nconn)
{
	return xtcp_echo_start_timeout(e, lfd, nconn, XTCP_WAIT_MS);
}

/* Wait for the echo thread; returns its error count. */
int xtcp_echo_join(struct xtcp_echo *e)
{
	pthread_join(e->thread, NULL);
	return e->errors;
}

/*
 * Open @path with @flags from namespace @ns (NULL: the current one). Files
 * under /proc/thread-self/net and /proc/sys/net are bound to the namespace
 * of the opener.
 */
static int xtcp_ns_open_flags(const char *ns, const char *path, int flags)
{
	int self, fd;

	self = xtcp_ns_enter(ns);
	if (self < 0)
		return -1;
	fd = open(path, flags | O_CLOEXEC);
	xtcp_ns_leave(self);
	return fd;
}

/* Open @path read-only from namespace @ns (NULL: the current one). */
static int xtcp_ns_open(const char *ns, const char *path)
{
	return xtcp_ns_open_flags(ns, path, O_RDONLY);
}

/* Read /proc/net/xtcp as seen from namespace @ns into @buf (NUL-ended). */
ssize_t xtcp_proc_read(const char *ns, char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = xtcp_ns_open(ns, xtcp_as_tcp() ? "/proc/thread-self/net/tcp" :
			  "/proc/thread-self/net/xtcp");
	if (fd < 0)
		return -1;
	while (done < len - 1) {
		n = read(fd, buf + done, len - 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	buf[done] = '\0';
	return done;
}

/* Print /proc/net/xtcp of @ns as KTAP diagnostics (for failure reports). */
void xtcp_proc_dump(const char *ns)
{
	static char buf[1 << 16];
	char *line, *save;

	if (xtcp_proc_read(ns, buf, sizeof(buf)) < 0) {
		fprintf(stderr, "# /proc/net/xtcp in %s: %s\n", ns, strerror(errno));
		return;
	}
	fprintf(stderr, "# /proc/net/xtcp in %s:\n", ns ? ns : "(current)");
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "#   %.120s\n", line);
}

/*
 * State ("st" column) of the /proc/net/xtcp entry in @ns whose local and
 * remote addresses are @local and @rem; -1 with errno ENOENT if none.
 */
int xtcp_proc_state(const char *ns, const struct sockaddr_in *local,
		    const struct sockaddr_in *rem)
{
	unsigned int la, lp, ra, rp, st;
	static char buf[1 << 20];
	char *line, *save;

	if (xtcp_proc_read(ns, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, " %*d: %8X:%4X %8X:%4X %2X",
			   &la, &lp, &ra, &rp, &st) != 5)
			continue;
		if (la == local->sin_addr.s_addr &&
		    lp == ntohs(local->sin_port) &&
		    ra == rem->sin_addr.s_addr &&
		    rp == ntohs(rem->sin_port))
			return st;
	}
	errno = ENOENT;
	return -1;
}

/*
 * Wait up to @ms for the entry (@local, @rem) in @ns to reach @state. The
 * kernel offers no notification for this, so it re-reads every 20 ms.
 * Returns the last state seen (or -1 if the entry never showed).
 */
int xtcp_proc_wait_state(const char *ns, const struct sockaddr_in *local,
			 const struct sockaddr_in *rem, int state, int ms)
{
	struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	int st, waited;

	for (waited = 0; ; waited += 20) {
		st = xtcp_proc_state(ns, local, rem);
		if (st == state || waited >= ms)
			return st;
		nanosleep(&ts, NULL);
	}
}

/* Counter @name of /proc/net/xtcp_stat in @ns (NULL: current), or -1. */
long long xtcp_stat_get(const char *ns, const char *name)
{
	char line[128], key[64];
	long long val, ret = -1;
	FILE *f;
	int fd;

	fd = xtcp_ns_open(ns, "/proc/thread-self/net/xtcp_stat");
	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", key, &val) == 2 &&
		    !strcmp(key, name)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Counter of the protocol under test in @ns: @name of /proc/net/xtcp_stat,
 * or in reference mode @tcp_name of the TcpExt line pair of
 * /proc/net/netstat (NULL: no TCP equivalent). -1 when unavailable.
 */
long long xtcp_mib_get(const char *ns, const char *name, const char *tcp_name)
{
	static char buf[8192];
	char *names, *vals, *sn, *sv, *n, *v;
	long long ret = -1;
	ssize_t len = 0, r;
	int fd;

	if (!xtcp_as_tcp())
		return xtcp_stat_get(ns, name);
	if (!tcp_name)
		return -1;
	fd = xtcp_ns_open(ns, "/proc/thread-self/net/netstat");
	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	/* "TcpExt: Name1 Name2 ...\nTcpExt: 1 2 ...\n" */
	names = strstr(buf, "TcpExt:");
	if (!names)
		return -1;
	vals = strstr(names + 1, "TcpExt:");
	if (!vals)
		return -1;
	vals[-1] = '\0';
	vals[strcspn(vals, "\n")] = '\0';
	n = strtok_r(names + 7, " ", &sn);
	v = strtok_r(vals + 7, " ", &sv);
	for (; n && v; n = strtok_r(NULL, " ", &sn), v = strtok_r(NULL, " ", &sv)) {
		if (!strcmp(n, tcp_name)) {
			ret = strtoll(v, NULL, 10);
			break;
		}
	}
	return ret;
}

/*
 * Read sysctl file @path (e.g. "/proc/sys/net/core/somaxconn") as seen from
 * namespace @ns into @buf (NUL-ended, trailing newline removed).
 */
int xtcp_sysctl_get(const char *ns, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = xtcp_ns_open(ns, path);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Write @val to sysctl file @path in namespace @ns (NULL: current). */
int xtcp_sysctl_set(const char *ns, const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	fd = xtcp_ns_open_flags(ns, path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	err = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n < 0 ? err : EIO;
		return -1;
	}
	return 0;
}

/*
 * Run the shell command made from @fmt (ip, tc, ...) with its output
 * discarded. Returns its exit status, or -1 if it could not run.
 */
int xtcp_system(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n, st;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 20, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(cmd) - 20) {
		errno = E2BIG;
		return -1;
	}
	strcat(cmd, " >/dev/null 2>&1");
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}
