/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the XTCP selftest programs: family/protocol discovery,
 * creating sockets inside named network namespaces, bounded (timed) socket
 * operations, connected socket pairs across the veth link, a threaded echo
 * server, test patterns and /proc/net/xtcp lookup.
 *
 * Namespaces and addresses come from the environment set by ns_wrap.sh:
 * XTCP_NS_A/XTCP_ADDR_A (server side) and XTCP_NS_B/XTCP_ADDR_B (client).
 * Every helper returns -1 with errno set on failure. XTCP_TEST_AS_TCP=1 runs
 * the tests against the kernel TCP instead, to check the tests themselves.
 */
#ifndef XTCP_SELFTEST_UTIL_H
#define XTCP_SELFTEST_UTIL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Bound for any single wait in the tests, in milliseconds. */
#define XTCP_WAIT_MS		5000

/* TCP state numbers as printed in the "st" column of /proc/net/xtcp. */
#define XTCP_ST_ESTABLISHED	0x01
#define XTCP_ST_TIME_WAIT	0x06
#define XTCP_ST_LISTEN		0x0A

struct xtcp_env {
	const char *ns_a;		/* server namespace (name in /run/netns) */
	const char *ns_b;		/* client namespace */
	struct in_addr addr_a;		/* address of ns_a on the veth link */
	struct in_addr addr_b;		/* address of ns_b on the veth link */
};

/* A connection from ns_b (cfd) to a listener in ns_a (lfd, accepted afd). */
struct xtcp_conn {
	int lfd;
	int cfd;
	int afd;
	struct sockaddr_in srv;		/* listener address */
};

/* State of the echo server thread, see xtcp_echo_start(). */
struct xtcp_echo {
	int lfd;
	int nconn;
	int served;
	int errors;
	int accept_ms;			/* bound of each accept() */
	unsigned long long bytes;
	pthread_t thread;
};

bool xtcp_as_tcp(void);
int xtcp_family(void);
int xtcp_ipproto(void);
bool xtcp_loaded(void);
int xtcp_env_get(struct xtcp_env *env);
int xtcp_setns(const char *ns);
int xtcp_socket_in(const char *ns, int domain, int type, int protocol);
int xtcp_sock_in(const char *ns, int type_flags);
void xtcp_sin(struct sockaddr_in *sin, struct in_addr addr, uint16_t port);
struct in_addr xtcp_loopback(void);
int xtcp_set_timeouts(int fd, int ms);
int xtcp_set_nonblock(int fd, bool on);
int xtcp_poll1(int fd, short events, int ms);
int xtcp_listen_in(const char *ns, struct in_addr addr, struct sockaddr_in *bound);
int xtcp_connect_in(const char *ns, const struct sockaddr_in *dst);
int xtcp_close_fail(int fd);
int xtcp_connect_in_ms(const char *ns, const struct sockaddr_in *dst, int ms);
int xtcp_accept_timeout(int lfd, int ms);
int xtcp_conn_open(const struct xtcp_env *env, struct xtcp_conn *c);
void xtcp_conn_close(struct xtcp_conn *c);
ssize_t xtcp_send_all(int fd, const void *buf, size_t len);
ssize_t xtcp_recv_all(int fd, void *buf, size_t len);
void xtcp_pattern(void *buf, size_t len, unsigned int seed);
int xtcp_echo_start(struct xtcp_echo *e, int lfd, int nconn);
int xtcp_echo_start_timeout(struct xtcp_echo *e, int lfd, int nconn,
			    int accept_ms);
int xtcp_echo_join(struct xtcp_echo *e);
ssize_t xtcp_proc_read(const char *ns, char *buf, size_t len);
void xtcp_proc_dump(const char *ns);
long long xtcp_stat_get(const char *ns, const char *name);
long long xtcp_mib_get(const char *ns, const char *name, const char *tcp_name);
int xtcp_sysctl_get(const char *ns, const char *path, char *buf, size_t len);
int xtcp_sysctl_set(const char *ns, const char *path, const char *val);
int xtcp_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xtcp_proc_state(const char *ns, const struct sockaddr_in *local,
		    const struct sockaddr_in *rem);
int xtcp_proc_wait_state(const char *ns, const struct sockaddr_in *local,
			 const struct sockaddr_in *rem, int state, int ms);

#endif /* XTCP_SELFTEST_UTIL_H */
