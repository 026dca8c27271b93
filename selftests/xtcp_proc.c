// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP /proc/net/xtcp selftests: the /proc/net/tcp column format, LISTEN,
 * ESTABLISHED and TIME-WAIT entries with the right addresses, ports, uid and
 * inode, per-namespace visibility, and the active closer's TIME-WAIT.
 */
#include <arpa/inet.h>
#include <regex.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "xtcp_test.h"

#define PROC_HEADER "  sl  local_address rem_address   st tx_queue rx_queue tr " \
		    "tm->when retrnsmt   uid  timeout inode"

#define PROC_LINE_RE "^ *[0-9]+: [0-9A-F]{8}:[0-9A-F]{4} [0-9A-F]{8}:[0-9A-F]{4} " \
		     "[0-9A-F]{2} [0-9A-F]{8}:[0-9A-F]{8} [0-9A-F]{2}:[0-9A-F]{8,16} " \
		     "[0-9A-F]{8} +[0-9]+ +-?[0-9]+ [0-9]+( |$)"

static char proc_buf[1 << 20];

struct proc_entry {
	int st;
	unsigned int uid;
	unsigned long inode;
};

/*
 * Read /proc/net/xtcp in @ns, check the header and the format of every line
 * and fill @e from the entry (@local, @rem). Returns 0 if found, 1 if not.
 */
static int proc_lookup(struct __test_metadata *_metadata, const char *ns,
		       const struct sockaddr_in *local,
		       const struct sockaddr_in *rem, struct proc_entry *e)
{
	unsigned int la, lp, ra, rp, st, uid;
	char *line, *save, *end;
	unsigned long inode;
	int found = 0, lineno = 0, n;
	regex_t re;

	ASSERT_EQ(0, regcomp(&re, PROC_LINE_RE, REG_EXTENDED | REG_NOSUB));
	ASSERT_LE(0, xtcp_proc_read(ns, proc_buf, sizeof(proc_buf)))
		TH_LOG("read /proc/net/xtcp in %s: %s", ns, strerror(errno));
	for (line = strtok_r(proc_buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lineno++) {
		/* Lines are space-padded to a fixed width, like tcp's. */
		end = line + strlen(line);
		while (end > line && end[-1] == ' ')
			*--end = '\0';
		if (lineno == 0) {
			ASSERT_STREQ(PROC_HEADER, line);
			continue;
		}
		ASSERT_EQ(0, regexec(&re, line, 0, NULL, 0))
			TH_LOG("bad line: '%s'", line);
		n = sscanf(line, " %*d: %8X:%4X %8X:%4X %2X %*X:%*X %*X:%*X %*X %u %*d %lu",
			   &la, &lp, &ra, &rp, &st, &uid, &inode);
		ASSERT_EQ(7, n) TH_LOG("cannot parse '%s'", line);
		if (la == local->sin_addr.s_addr &&
		    lp == ntohs(local->sin_port) &&
		    ra == rem->sin_addr.s_addr &&
		    rp == ntohs(rem->sin_port)) {
			ASSERT_EQ(0, found) TH_LOG("duplicate entry '%s'", line);
			found = 1;
			e->st = st;
			e->uid = uid;
			e->inode = inode;
		}
	}
	ASSERT_LT(0, lineno) TH_LOG("/proc/net/xtcp is empty (no header)");
	regfree(&re);
	return !found;
}

static unsigned long fd_inode(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

static void sock_names(int fd, struct sockaddr_in *local,
		       struct sockaddr_in *rem)
{
	socklen_t len = sizeof(*local);

	getsockname(fd, (struct sockaddr *)local, &len);
	len = sizeof(*rem);
	if (getpeername(fd, (struct sockaddr *)rem, &len)) {
		memset(rem, 0, sizeof(*rem));
		rem->sin_family = AF_INET;
	}
}

TEST_F(ns, proc_listen_entry)
{
	struct sockaddr_in srv, any;
	struct proc_entry e;
	int lfd;

	lfd = xtcp_listen_in(self->env.ns_a, self->env.addr_a, &srv);
	ASSERT_LE(0, lfd) TH_LOG("listen: %s", strerror(errno));
	xtcp_sin(&any, (struct in_addr){ .s_addr = 0 }, 0);
	ASSERT_EQ(0, proc_lookup(_metadata, self->env.ns_a, &srv, &any, &e))
		TH_LOG("no LISTEN entry for %s:%d", inet_ntoa(srv.sin_addr),
		       ntohs(srv.sin_port));
	EXPECT_EQ(XTCP_ST_LISTEN, e.st);
	EXPECT_EQ(getuid(), e.uid);
	EXPECT_EQ(fd_inode(lfd), e.inode);
	/* Namespaces are separate: the other one does not list it. */
	EXPECT_EQ(1, proc_lookup(_metadata, self->env.ns_b, &srv, &any, &e));
	close(lfd);
	EXPECT_EQ(1, proc_lookup(_metadata, self->env.ns_a, &srv, &any, &e))
		TH_LOG("closed listener still listed");
}

TEST_F(ns, proc_established_entries)
{
	struct sockaddr_in cl, cr, al, ar;
	struct proc_entry e;
	struct xtcp_conn c;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	sock_names(c.cfd, &cl, &cr);
	sock_names(c.afd, &al, &ar);
	ASSERT_EQ(0, proc_lookup(_metadata, self->env.ns_b, &cl, &cr, &e))
		TH_LOG("client entry missing");
	EXPECT_EQ(XTCP_ST_ESTABLISHED, e.st);
	EXPECT_EQ(fd_inode(c.cfd), e.inode);
	EXPECT_EQ(getuid(), e.uid);
	EXPECT_EQ(self->env.addr_b.s_addr, cl.sin_addr.s_addr);

	ASSERT_EQ(0, proc_lookup(_metadata, self->env.ns_a, &al, &ar, &e))
		TH_LOG("accepted entry missing");
	EXPECT_EQ(XTCP_ST_ESTABLISHED, e.st);
	EXPECT_EQ(fd_inode(c.afd), e.inode);
	EXPECT_EQ(self->env.addr_a.s_addr, al.sin_addr.s_addr);
	EXPECT_EQ(c.srv.sin_port, al.sin_port);
	/* Each side sees only its own namespace's sockets. */
	EXPECT_EQ(1, proc_lookup(_metadata, self->env.ns_a, &cl, &cr, &e));
	xtcp_conn_close(&c);
}

/*
 * Close @first (the active closer) then @second after it read EOF; the
 * active closer's entry must turn TIME-WAIT in @ns_first and the passive
 * side's entry must go away in @ns_second.
 */
static void check_time_wait(struct __test_metadata *_metadata, int first,
			    const char *ns_first, int second,
			    const char *ns_second)
{
	struct sockaddr_in fl, fr, sl, sr;
	struct proc_entry e;
	char c;
	int st;

	sock_names(first, &fl, &fr);
	sock_names(second, &sl, &sr);
	close(first);
	ASSERT_EQ(0, recv(second, &c, 1, 0)) TH_LOG("no EOF after close");
	close(second);
	st = xtcp_proc_wait_state(ns_first, &fl, &fr, XTCP_ST_TIME_WAIT,
				  XTCP_WAIT_MS);
	ASSERT_EQ(XTCP_ST_TIME_WAIT, st) TH_LOG("active closer state %d", st);
	ASSERT_EQ(0, proc_lookup(_metadata, ns_first, &fl, &fr, &e));
	EXPECT_EQ(XTCP_ST_TIME_WAIT, e.st);
	EXPECT_EQ(0UL, e.inode) TH_LOG("TIME-WAIT entry has an inode");
	st = xtcp_proc_wait_state(ns_second, &sl, &sr, -1, XTCP_WAIT_MS);
	EXPECT_EQ(-1, st) TH_LOG("passive closer still listed, state %d", st);
}

TEST_F(ns, proc_time_wait_client_closes_first)
{
	struct xtcp_conn c;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	check_time_wait(_metadata, c.cfd, self->env.ns_b, c.afd, self->env.ns_a);
	close(c.lfd);
}

TEST_F(ns, proc_time_wait_server_closes_first)
{
	struct xtcp_conn c;

	ASSERT_EQ(0, xtcp_conn_open(&self->env, &c))
		TH_LOG("connection: %s", strerror(errno));
	check_time_wait(_metadata, c.afd, self->env.ns_a, c.cfd, self->env.ns_b);
	close(c.lfd);
}

TEST_HARNESS_MAIN
