// SPDX-License-Identifier: GPL-2.0
/*
 * libxtcpize.so: LD_PRELOAD shim that runs an unmodified program over XTCP.
 * It interposes socket(2) only: AF_INET + SOCK_STREAM with protocol 0 or
 * IPPROTO_TCP becomes the same call with IPPROTO_XTCP; the SOCK_NONBLOCK and
 * SOCK_CLOEXEC flags pass through, every other socket is left alone.
 *
 * Environment:
 *	XTCPIZE_DISABLE=1	pass every call through unchanged
 *	XTCPIZE_PROTO=N		IP protocol to use instead of IPPROTO_XTCP
 *	XTCPIZE_DEBUG=1		log each rewritten call on stderr
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/xtcp.h>

#define SOCK_TYPE_MASK	0xf

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

/**
 * socket() - socket(2), with TCP stream sockets turned into XTCP sockets
 * @domain: address family
 * @type: socket type, possibly or-ed with SOCK_NONBLOCK/SOCK_CLOEXEC
 * @protocol: IP protocol (0 or IPPROTO_TCP is rewritten for AF_INET streams)
 *
 * Return: the new descriptor, or -1 with errno set.
 */
int socket(int domain, int type, int protocol)
{
	static int (*next_socket)(int, int, int);
	int proto = protocol;

	if (!next_socket)
		next_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");

	if (domain == AF_INET && (type & SOCK_TYPE_MASK) == SOCK_STREAM &&
	    (protocol == 0 || protocol == IPPROTO_TCP) &&
	    !env_int("XTCPIZE_DISABLE", 0)) {
		proto = env_int("XTCPIZE_PROTO", IPPROTO_XTCP);
		if (env_int("XTCPIZE_DEBUG", 0))
			fprintf(stderr,
				"xtcpize: AF_INET stream (type %#x, protocol %d) -> protocol %d\n",
				type, protocol, proto);
	}
	if (next_socket)
		return next_socket(domain, type, proto);
	return syscall(SYS_socket, domain, type, proto);
}
