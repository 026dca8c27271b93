// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-echo: line echo server and client over XTCP, for demos and manual
 * checks. Sockets are socket(AF_XTCP, SOCK_STREAM, 0), the family number
 * taken from /sys/module/xtcp/parameters/family when the module is loaded.
 *
 *	xtcp-echo server [-n COUNT] PORT
 *		echo every connection (one at a time) until killed, or
 *		until COUNT connections have been served
 *	xtcp-echo client [-w] ADDR PORT [LINE...]
 *		send each LINE (or stdin's lines), print it and its echo;
 *		with -w keep the connection open until stdin reaches EOF
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/xtcp.h>

#include "xtcp_param.h"

#define IO_TIMEOUT_S	10

static int xtcp_family(void)
{
	return xtcp_param("family", AF_XTCP);
}

static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		perror("setsockopt");
		return -1;
	}
	return 0;
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

static const char *addr_str(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, ntohs(sin->sin_port));
	return buf;
}

static void serve_one(int fd)
{
	unsigned long long total = 0;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				perror("server: recv");
			break;
		}
		if (send_all(fd, buf, n)) {
			perror("server: send");
			break;
		}
		total += n;
	}
	printf("server: connection closed, %llu bytes echoed\n", total);
}

static int run_server(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len;
	int lfd, fd, one = 1, count = -1, served = 0;
	char name[64];

	if (argc >= 2 && !strcmp(argv[0], "-n")) {
		count = atoi(argv[1]);
		argc -= 2;
		argv += 2;
	}
	if (argc != 1)
		return 2;
	sin.sin_port = htons(atoi(argv[0]));
	lfd = socket(xtcp_family(), SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("server: socket(AF_XTCP)");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 16)) {
		perror("server: bind/listen");
		return 1;
	}
	printf("server: listening on %s\n", addr_str(&sin, name, sizeof(name)));
	fflush(stdout);
	while (count < 0 || served < count) {
		len = sizeof(sin);
		fd = accept(lfd, (struct sockaddr *)&sin, &len);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("server: accept");
			return 1;
		}
		printf("server: connection from %s\n",
		       addr_str(&sin, name, sizeof(name)));
		fflush(stdout);
		if (!set_timeouts(fd))
			serve_one(fd);
		fflush(stdout);
		close(fd);
		served++;
	}
	close(lfd);
	return 0;
}

/* Send @line plus a newline and read the echo up to the newline. */
static int exchange(int fd, const char *line)
{
	size_t len = strlen(line), got = 0;
	char *buf = malloc(len + 2);
	ssize_t n;
	int ret = -1;

	if (!buf)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\n';
	if (send_all(fd, buf, len + 1)) {
		perror("client: send");
		goto out;
	}
	printf("client: sent   \"%s\"\n", line);
	while (got < len + 1) {
		n = recv(fd, buf + got, len + 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "client: recv: %s\n",
				n ? strerror(errno) : "connection closed");
			goto out;
		}
		got += n;
	}
	buf[len] = '\0';
	printf("client: echoed \"%s\"\n", buf);
	ret = strcmp(buf, line) ? -1 : 0;
	if (ret)
		fprintf(stderr, "client: echo differs\n");
out:
	fflush(stdout);
	free(buf);
	return ret;
}

static int run_client(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	char line[4096], name[64];
	int fd, i, wait_eof = 0, ret = 0;

	if (argc >= 1 && !strcmp(argv[0], "-w")) {
		wait_eof = 1;
		argc--;
		argv++;
	}
	if (argc < 2 || inet_pton(AF_INET, argv[0], &sin.sin_addr) != 1)
		return 2;
	sin.sin_port = htons(atoi(argv[1]));
	fd = socket(xtcp_family(), SOCK_STREAM, 0);
	if (fd < 0) {
		perror("client: socket(AF_XTCP)");
		return 1;
	}
	if (set_timeouts(fd))
		return 1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("client: connect");
		return 1;
	}
	getsockname(fd, (struct sockaddr *)&me, &len);
	printf("client: connected %s -> ", addr_str(&me, name, sizeof(name)));
	printf("%s\n", addr_str(&sin, name, sizeof(name)));
	for (i = 2; i < argc && !ret; i++)
		ret = exchange(fd, argv[i]);
	if (argc == 2 && !wait_eof) {
		while (!ret && fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			ret = exchange(fd, line);
		}
	}
	if (wait_eof) {
		printf("client: connection open, close it with EOF on stdin\n");
		fflush(stdout);
		/* Bounded: give up waiting after 120 s. */
		while (poll(&(struct pollfd){ .fd = 0, .events = POLLIN }, 1,
			    120 * 1000) > 0 && read(0, line, sizeof(line)) > 0)
			;
	}
	close(fd);
	printf("client: closed\n");
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "server"))
		ret = run_server(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "client"))
		ret = run_client(argc - 2, argv + 2);
	if (ret == 2)
		fprintf(stderr,
			"usage: xtcp-echo server [-n COUNT] PORT\n"
			"       xtcp-echo client [-w] ADDR PORT [LINE...]\n");
	return ret;
}
