// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-bench: one benchmark workload over XTCP or TCP between two network
 * namespaces, self-contained: the listener is created in the server
 * namespace and the clients in the client namespace (setns() on
 * /run/netns/NAME; a socket keeps the namespace it was made in), then both
 * sides run as threads of this process. Prints one line per figure:
 *
 *	XTCP_BENCH <name> <proto> <metric> <value>
 *
 * Workloads (--test):
 *	stream	--flows N writers of --size bytes for --time s; metric mbps, and
 *		per flow at the end cwnd, sndbuf_kb, rcvbuf_kb
 *		(bytes the receivers got / receive time)
 *	rr	one connection, --size bytes each way per transaction;
 *		metrics tps, p50_us, p99_us, p999_us (TCP_NODELAY on both ends)
 *	crr	connect, 1 byte each way, close, for --time s; metric cps
 *	conns	--conns N idle connections at once; metrics established,
 *		setup_cps, slab_per_conn and memfree_per_conn (bytes per
 *		connection, both ends counted, from /proc/meminfo deltas)
 *
 * usage: xtcp-bench --proto xtcp|tcp --test T --server-ns NS --client-ns NS
 *	  --addr A.B.C.D [--port P] [--flows N] [--size BYTES] [--time SEC]
 *	  [--conns N] [--name NAME]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/xtcp.h>

#define MAX_FLOWS	16
#define IO_TIMEOUT_S	20
#define MAX_SAMPLES	2000000
#define CONN_BATCH	256
#define SETUP_LIMIT_S	120

struct opts {
	const char *test, *name, *srv_ns, *cli_ns;
	struct sockaddr_in addr;
	int proto, flows, conns;
	size_t size;
	double time_s;
};

static struct opts o = {
	.test = "stream", .flows = 1, .conns = 10000, .size = 65536,
	.time_s = 2.0,
};

static int stop_flag;		/* set once; read with __atomic_load_n() */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "xtcp-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void report(const char *metric, double val)
{
	printf("XTCP_BENCH %s %s %s %.3f\n", o.name ? o.name : o.test,
	       o.proto == IPPROTO_TCP ? "tcp" : "xtcp", metric, val);
	fflush(stdout);
}

static void enter_ns(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		return;
	snprintf(path, sizeof(path), "%s%s", name[0] == '/' ? "" : "/run/netns/", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (setns(fd, CLONE_NEWNET))
		die("setns");
	close(fd);
}

static int new_socket(void)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, o.proto);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void set_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
}

static int make_listener(void)
{
	int fd, one = 1;

	enter_ns(o.srv_ns);
	fd = new_socket();
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&o.addr, sizeof(o.addr)))
		die("bind");
	if (listen(fd, 65535))
		die("listen");
	enter_ns(o.cli_ns);
	return fd;
}

static int connect_one(void)
{
	int fd = new_socket();

	if (connect(fd, (struct sockaddr *)&o.addr, sizeof(o.addr)))
		die("connect");
	return fd;
}

static int accept_one(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static int recv_all(int fd, char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = recv(fd, buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* ------------------------------------------------------------- stream --- */

struct flow {
	pthread_t tid;
	int fd;
	unsigned long long bytes;
	double t_first, t_end;
	int err;
	int cwnd, buf;		/* at the end: sender's cwnd; SO_SNDBUF/SO_RCVBUF */
};

/* what a flow's socket ended with: its cwnd (segments) and @opt's buffer */
static void flow_state(struct flow *f, int opt)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (!getsockopt(f->fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		f->cwnd = ti.tcpi_snd_cwnd;
	len = sizeof(f->buf);
	getsockopt(f->fd, SOL_SOCKET, opt, &f->buf, &len);
}

static struct flow senders[MAX_FLOWS], receivers[MAX_FLOWS];
static pthread_barrier_t start_line;

static void *stream_send(void *arg)
{
	struct flow *f = arg;
	char *buf = calloc(1, o.size);
	double end;

	if (!buf)
		die("calloc");
	pthread_barrier_wait(&start_line);
	end = now_s() + o.time_s;
	while (now_s() < end) {
		if (send_all(f->fd, buf, o.size)) {
			f->err = errno;
			break;
		}
		f->bytes += o.size;
	}
	flow_state(f, SO_SNDBUF);
	shutdown(f->fd, SHUT_WR);
	/* the receiver closes after EOF: everything sent was delivered */
	while (recv(f->fd, buf, o.size, 0) > 0)
		;
	free(buf);
	return NULL;
}

static void *stream_recv(void *arg)
{
	size_t len = o.size < 65536 ? 65536 : o.size;
	struct flow *f = arg;
	char *buf = malloc(len);
	ssize_t n;

	if (!buf)
		die("malloc");
	pthread_barrier_wait(&start_line);
	for (;;) {
		n = recv(f->fd, buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				f->err = errno;
			break;
		}
		if (!f->bytes)
			f->t_first = now_s();
		f->bytes += n;
	}
	f->t_end = now_s();
	flow_state(f, SO_RCVBUF);
	close(f->fd);
	free(buf);
	return NULL;
}

static void run_stream(void)
{
	unsigned long long total = 0, sent = 0;
	double t0 = 0, t1 = 0, cwnd = 0, sndbuf = 0, rcvbuf = 0;
	int lfd, i, errs = 0;

	if (o.flows < 1 || o.flows > MAX_FLOWS) {
		fprintf(stderr, "xtcp-bench: --flows 1..%d\n", MAX_FLOWS);
		exit(2);
	}
	lfd = make_listener();
	for (i = 0; i < o.flows; i++) {
		senders[i].fd = connect_one();
		receivers[i].fd = accept_one(lfd);
	}
	close(lfd);
	pthread_barrier_init(&start_line, NULL, 2 * o.flows);
	for (i = 0; i < o.flows; i++) {
		pthread_create(&receivers[i].tid, NULL, stream_recv, &receivers[i]);
		pthread_create(&senders[i].tid, NULL, stream_send, &senders[i]);
	}
	for (i = 0; i < o.flows; i++) {
		pthread_join(senders[i].tid, NULL);
		pthread_join(receivers[i].tid, NULL);
		close(senders[i].fd);
		total += receivers[i].bytes;
		sent += senders[i].bytes;
		errs += !!senders[i].err + !!receivers[i].err;
		cwnd += senders[i].cwnd / (double)o.flows;
		sndbuf += senders[i].buf / 1024.0 / o.flows;
		rcvbuf += receivers[i].buf / 1024.0 / o.flows;
		if (receivers[i].bytes && (!t0 || receivers[i].t_first < t0))
			t0 = receivers[i].t_first;
		if (receivers[i].t_end > t1)
			t1 = receivers[i].t_end;
	}
	if (errs || total != sent) {
		fprintf(stderr, "xtcp-bench: stream: %d errors, sent %llu received %llu\n",
			errs, sent, total);
		exit(1);
	}
	report("mbps", t1 > t0 ? total * 8 / (t1 - t0) / 1e6 : 0);
	/* per flow, as the sending phase ended: what bounded it */
	report("cwnd", cwnd);
	report("sndbuf_kb", sndbuf);
	report("rcvbuf_kb", rcvbuf);
}

/* ----------------------------------------------------------------- rr --- */

static void *rr_server(void *arg)
{
	int fd = *(int *)arg;
	char *buf = malloc(o.size);

	if (!buf)
		die("malloc");
	while (!recv_all(fd, buf, o.size) && !send_all(fd, buf, o.size))
		;
	close(fd);
	free(buf);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (n - 1) + 0.5);

	return n ? v[i] : 0;
}

static void run_rr(void)
{
	double *lat = malloc(MAX_SAMPLES * sizeof(*lat));
	char *buf = calloc(1, o.size);
	int lfd, cfd, sfd;
	double t0, t, end;
	size_t n = 0;
	pthread_t tid;

	if (!lat || !buf)
		die("malloc");
	lfd = make_listener();
	cfd = connect_one();
	sfd = accept_one(lfd);
	close(lfd);
	set_nodelay(cfd);
	set_nodelay(sfd);
	pthread_create(&tid, NULL, rr_server, &sfd);
	t0 = now_s();
	end = t0 + o.time_s;
	for (t = t0; t < end && n < MAX_SAMPLES; ) {
		double t_req = t;

		if (send_all(cfd, buf, o.size) || recv_all(cfd, buf, o.size))
			die("rr transaction");
		t = now_s();
		lat[n++] = (t - t_req) * 1e6;
	}
	shutdown(cfd, SHUT_WR);
	pthread_join(tid, NULL);
	close(cfd);
	report("tps", n / (t - t0));
	qsort(lat, n, sizeof(*lat), cmp_double);
	report("p50_us", pct(lat, n, 0.50));
	report("p99_us", pct(lat, n, 0.99));
	report("p999_us", pct(lat, n, 0.999));
	free(lat);
	free(buf);
}

/* ---------------------------------------------------------------- crr --- */

struct acceptor {
	pthread_t tid;
	int lfd;
	bool echo;		/* crr: answer one byte and close */
	int *fds;		/* conns: keep them here */
	int max;
	int count;		/* written by the acceptor, read atomically */
};

static void *acceptor_thread(void *arg)
{
	struct acceptor *a = arg;
	struct pollfd p = { .fd = a->lfd, .events = POLLIN };
	char c;
	int fd;

	while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE)) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		fd = accept(a->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (a->echo) {
			if (recv(fd, &c, 1, 0) == 1)
				send(fd, &c, 1, MSG_NOSIGNAL);
			close(fd);
		} else if (a->count < a->max) {
			a->fds[a->count] = fd;
		} else {
			close(fd);
		}
		__atomic_store_n(&a->count, a->count + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void run_crr(void)
{
	struct acceptor a = { .echo = true };
	double t0, t, end;
	unsigned long n = 0;
	char c = 'x';
	int fd;

	a.lfd = make_listener();
	pthread_create(&a.tid, NULL, acceptor_thread, &a);
	t0 = now_s();
	end = t0 + o.time_s;
	for (t = t0; t < end; t = now_s()) {
		fd = connect_one();
		if (send_all(fd, &c, 1) || recv_all(fd, &c, 1))
			die("crr transaction");
		close(fd);
		n++;
	}
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	pthread_join(a.tid, NULL);
	close(a.lfd);
	report("cps", n / (t - t0));
}

/* -------------------------------------------------------------- conns --- */

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = atol(line + klen + 1);
			break;
		}
	}
	fclose(f);
	return val;
}

static void raise_nofile(rlim_t n)
{
	struct rlimit rl = { .rlim_cur = n, .rlim_max = n };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE)");
}

/* connect @n sockets into @fds with at most CONN_BATCH handshakes in flight */
static int connect_batch(int *fds, int n)
{
	struct pollfd p[CONN_BATCH];
	int i, err, ok = 0, flags;
	socklen_t len;
	double limit;

	for (i = 0; i < n; i++) {
		fds[i] = new_socket();
		flags = fcntl(fds[i], F_GETFL);
		fcntl(fds[i], F_SETFL, flags | O_NONBLOCK);
		if (connect(fds[i], (struct sockaddr *)&o.addr, sizeof(o.addr)) &&
		    errno != EINPROGRESS) {
			fprintf(stderr, "xtcp-bench: connect #%d: %s\n", i, strerror(errno));
			close(fds[i]);
			fds[i] = -1;
		}
		p[i].fd = fds[i];
		p[i].events = POLLOUT;
	}
	limit = now_s() + SETUP_LIMIT_S;
	for (;;) {
		int pending = 0;

		for (i = 0; i < n; i++)
			pending += p[i].fd >= 0;
		if (!pending || now_s() > limit)
			break;
		if (poll(p, n, 1000) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < n; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			len = sizeof(err);
			getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
			if (err) {
				fprintf(stderr, "xtcp-bench: connect: %s\n", strerror(err));
				close(fds[i]);
				fds[i] = -1;
			} else {
				ok++;
			}
			p[i].fd = -1;
		}
	}
	return ok;
}

static void run_conns(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long slab0, free0, slab1, free1;
	struct acceptor a = { 0 };
	int *cfds, i, ok = 0, b;
	double t0, t1, limit;

	raise_nofile(2 * (rlim_t)o.conns + 64);
	cfds = calloc(o.conns, sizeof(*cfds));
	a.fds = calloc(o.conns, sizeof(*a.fds));
	a.max = o.conns;
	if (!cfds || !a.fds)
		die("calloc");
	a.lfd = make_listener();
	sleep(1);
	slab0 = meminfo_kb("Slab");
	free0 = meminfo_kb("MemFree");
	pthread_create(&a.tid, NULL, acceptor_thread, &a);
	t0 = now_s();
	for (i = 0; i < o.conns; i += CONN_BATCH) {
		b = o.conns - i < CONN_BATCH ? o.conns - i : CONN_BATCH;
		ok += connect_batch(cfds + i, b);
	}
	limit = now_s() + SETUP_LIMIT_S;
	while (__atomic_load_n(&a.count, __ATOMIC_ACQUIRE) < ok && now_s() < limit)
		usleep(10000);
	t1 = now_s();
	sleep(1);
	slab1 = meminfo_kb("Slab");
	free1 = meminfo_kb("MemFree");
	report("established", a.count < ok ? a.count : ok);
	report("setup_cps", ok / (t1 - t0));
	if (ok) {
		report("slab_per_conn", (slab1 - slab0) * 1024.0 / ok);
		report("memfree_per_conn", (free0 - free1) * 1024.0 / ok);
	}
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
	pthread_join(a.tid, NULL);
	close(a.lfd);
	/* abortive close: no 10 000 close handshakes and TIME-WAITs to wait for */
	for (i = 0; i < o.conns; i++) {
		if (cfds[i] < 0)
			continue;
		setsockopt(cfds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cfds[i]);
	}
	for (i = 0; i < a.count && i < a.max; i++)
		close(a.fds[i]);
	free(cfds);
	free(a.fds);
	if (ok < o.conns) {
		fprintf(stderr, "xtcp-bench: conns: %d of %d established\n", ok, o.conns);
		exit(1);
	}
}

/* --------------------------------------------------------------- main --- */

static void print_usage(void)
{
	fprintf(stderr,
		"usage: xtcp-bench --proto xtcp|tcp --test stream|rr|crr|conns\n"
		"       --server-ns NS --client-ns NS --addr A.B.C.D [--port P]\n"
		"       [--flows N] [--size BYTES] [--time SEC] [--conns N] [--name NAME]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "test", required_argument, NULL, 't' },
		{ "server-ns", required_argument, NULL, 's' },
		{ "client-ns", required_argument, NULL, 'c' },
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "flows", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 'S' },
		{ "time", required_argument, NULL, 'T' },
		{ "conns", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	o.proto = IPPROTO_XTCP;
	o.addr.sin_family = AF_INET;
	o.addr.sin_port = htons(5201);
	o.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (!strcmp(optarg, "tcp"))
				o.proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "xtcp"))
				o.proto = IPPROTO_XTCP;
			else
				print_usage();
			break;
		case 't':
			o.test = optarg;
			break;
		case 's':
			o.srv_ns = optarg;
			break;
		case 'c':
			o.cli_ns = optarg;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &o.addr.sin_addr) != 1)
				print_usage();
			break;
		case 'p':
			o.addr.sin_port = htons(atoi(optarg));
			break;
		case 'f':
			o.flows = atoi(optarg);
			break;
		case 'S':
			o.size = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			o.time_s = atof(optarg);
			break;
		case 'n':
			o.conns = atoi(optarg);
			break;
		case 'N':
			o.name = optarg;
			break;
		default:
			print_usage();
		}
	}
	if (!o.size || o.size > (64 << 20) || o.time_s <= 0 || o.conns < 1)
		print_usage();
	signal(SIGPIPE, SIG_IGN);
	/* a stuck transfer must not hang the whole run */
	alarm((unsigned int)o.time_s + 2 * SETUP_LIMIT_S + 60);

	if (!strcmp(o.test, "stream"))
		run_stream();
	else if (!strcmp(o.test, "rr"))
		run_rr();
	else if (!strcmp(o.test, "crr"))
		run_crr();
	else if (!strcmp(o.test, "conns"))
		run_conns();
	else
		print_usage();
	return 0;
}
