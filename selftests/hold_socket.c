// SPDX-License-Identifier: GPL-2.0
/*
 * hold_socket: test helper that keeps XTCP sockets open for the module
 * load/unload test. It opens them, prints "READY", waits until stdin reaches
 * EOF (at most 120 s), closes them and exits.
 *
 *	hold_socket socket	one unconnected socket
 *	hold_socket listen	a listener on 127.0.0.1
 *	hold_socket conn	a connection ns B -> ns A (XTCP_NS_A/B,
 *				XTCP_ADDR_A/B); the client closes first so
 *				it is left in TIME-WAIT
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xtcp_util.h"

static int print_usage(void)
{
	fprintf(stderr, "usage: hold_socket socket|listen|conn\n");
	return 2;
}

static void wait_stdin_eof(void)
{
	char buf[64];
	int rev;

	for (;;) {
		rev = xtcp_poll1(STDIN_FILENO, POLLIN, 120 * 1000);
		if (rev <= 0 || read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct xtcp_env env;
	struct xtcp_conn c = { .lfd = -1, .cfd = -1, .afd = -1 };
	char ch;

	if (argc != 2)
		return print_usage();
	if (!strcmp(argv[1], "socket")) {
		c.cfd = xtcp_sock_in(NULL, 0);
	} else if (!strcmp(argv[1], "listen")) {
		c.lfd = xtcp_listen_in(NULL, xtcp_loopback(), &sin);
	} else if (!strcmp(argv[1], "conn")) {
		if (xtcp_env_get(&env)) {
			fprintf(stderr, "hold_socket: XTCP_NS_A/B, XTCP_ADDR_A/B unset\n");
			return 2;
		}
		if (xtcp_conn_open(&env, &c))
			c.cfd = -1;
	} else {
		return print_usage();
	}
	if (c.cfd < 0 && c.lfd < 0) {
		fprintf(stderr, "hold_socket %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("READY\n");
	fflush(stdout);
	wait_stdin_eof();
	if (c.cfd >= 0) {
		close(c.cfd);
		c.cfd = -1;
	}
	/* Passive side: wait (bounded) for the FIN, then close. */
	if (c.afd >= 0 && recv(c.afd, &ch, 1, 0) != 0)
		fprintf(stderr, "hold_socket: no EOF on the accepted socket\n");
	xtcp_conn_close(&c);
	return 0;
}
