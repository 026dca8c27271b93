// SPDX-License-Identifier: GPL-2.0
/*
 * Packet-level XTCP test endpoint (see xtcp_pkt.h): builds and parses
 * whole Ethernet frames on an AF_PACKET socket for a fake peer address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "xtcp_pkt.h"
#include "xtcp_util.h"

#define XPKT_ETH_LEN	14
#define XPKT_IP_LEN	20
#define XPKT_TH_LEN	20
#define XPKT_FRAME_MAX	(XPKT_ETH_LEN + 60 + 60 + XPKT_MAX_DATA + 64)

long long xpkt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Ones' complement sum of @len bytes, folded into @sum (not inverted). */
static uint32_t xpkt_sum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Checksum over the pseudo-header (protocol @proto) and the segment. */
uint16_t xpkt_l4_csum(struct in_addr src, struct in_addr dst, int proto,
		      const uint8_t *seg, size_t len)
{
	uint8_t ph[12];
	uint32_t sum;

	memcpy(ph, &src.s_addr, 4);
	memcpy(ph + 4, &dst.s_addr, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = len >> 8;
	ph[11] = len & 0xff;
	sum = xpkt_sum(ph, sizeof(ph), 0);
	sum = xpkt_sum(seg, len, sum);
	return ~sum & 0xffff;
}

void xpkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

void xpkt_put32(uint8_t *p, uint32_t v)
{
	xpkt_put16(p, v >> 16);
	xpkt_put16(p + 2, v & 0xffff);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/*
 * Complete the checksum of a received IPv4 frame whose L4 checksum was
 * left to offload (CHECKSUM_PARTIAL) the way a device with a generic
 * checksum would: the field holds the pseudo-header sum, to which the sum
 * of the segment is added and the result inverted. A wrong pseudo-header
 * sum then fails the ordinary check.
 */
static void xpkt_complete_csum(uint8_t *frame, size_t n)
{
	size_t l4, end;
	uint16_t c;

	if (n < XPKT_ETH_LEN + XPKT_IP_LEN)
		return;
	l4 = XPKT_ETH_LEN + (frame[XPKT_ETH_LEN] & 0x0f) * 4;
	end = XPKT_ETH_LEN + get16(frame + XPKT_ETH_LEN + 2);
	if (end > n || end < l4 + XPKT_TH_LEN)
		return;
	c = ~xpkt_sum(frame + l4, end - l4, 0) & 0xffff;
	frame[l4 + 16] = c >> 8;
	frame[l4 + 17] = c & 0xff;
}

/* MAC address of @ifname in namespace @ns. */
int xpkt_hwaddr(const char *ns, const char *ifname, uint8_t *mac)
{
	struct ifreq ifr;
	int fd, ret;

	fd = xtcp_socket_in(ns, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (!ret)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

/**
 * xpkt_open() - open a packet endpoint
 * @p: endpoint to fill
 * @ns: namespace of the endpoint's interface
 * @ifname: the interface (one end of a veth pair)
 * @sut_ns: namespace of the system under test
 * @sut_ifname: the SUT's end of the link (its MAC is the frames' target)
 * @me: the fake peer address the endpoint plays
 * @sut: the SUT's address
 *
 * Return: 0, or -1 with errno set.
 */
int xpkt_open(struct xpkt *p, const char *ns, const char *ifname,
	      const char *sut_ns, const char *sut_ifname,
	      struct in_addr me, struct in_addr sut)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int one = 1, rcvbuf = 4 << 20, err;

	memset(p, 0, sizeof(*p));
	p->me = me;
	p->sut = sut;
	p->proto = xtcp_ipproto();
	p->ip_id = (uint16_t)xpkt_now_ms();
	if (xpkt_hwaddr(sut_ns, sut_ifname, p->peer_mac))
		return -1;
	p->fd = xtcp_socket_in(ns, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
			       htons(ETH_P_IP));
	if (p->fd < 0)
		return -1;
	/* ioctls on the socket act in its namespace */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(p->fd, SIOCGIFINDEX, &ifr))
		goto fail;
	p->ifindex = ifr.ifr_ifindex;
	if (ioctl(p->fd, SIOCGIFHWADDR, &ifr))
		goto fail;
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = p->ifindex;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	/* best effort: xpkt_recv() also drops PACKET_OUTGOING frames */
	setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* room for whole windows of segments while the test is descheduled */
	setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	/* tp_status tells a checksum left to offload (TCP reference mode) */
	if (setsockopt(p->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		goto fail;
	/* frames of other interfaces queued before bind() */
	xpkt_drain(p, 0, 0, 0);
	return 0;
fail:
	err = errno;
	close(p->fd);
	p->fd = -1;
	errno = err;
	return -1;
}

void xpkt_close(struct xpkt *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* A segment with no options, payload, window 65535. */
void xpkt_seg_init(struct xpkt_seg *s, uint16_t sport, uint16_t dport,
		   uint32_t seq, uint32_t ack, uint8_t flags)
{
	memset(s, 0, sizeof(*s));
	s->sport = sport;
	s->dport = dport;
	s->seq = seq;
	s->ack = ack;
	s->flags = flags;
	s->win = 65535;
}

/**
 * xpkt_send_raw() - send @len transport bytes as one IPv4 datagram (DF,
 * valid IP checksum, TOS 0) from the fake peer to the SUT, whatever they
 * contain
 * @p: endpoint
 * @seg: the transport header and payload, checksum included
 * @len: their length
 *
 * Return: 0, or -1 with errno set.
 */
int xpkt_send_raw(struct xpkt *p, const uint8_t *seg, unsigned int len)
{
	return xpkt_send_raw_tos(p, seg, len, 0);
}

/* xpkt_send_raw() with the IP header's TOS byte (and ECN field) @tos */
int xpkt_send_raw_tos(struct xpkt *p, const uint8_t *seg, unsigned int len,
		      uint8_t tos)
{
	uint8_t frame[XPKT_FRAME_MAX];
	uint8_t *ip = frame + XPKT_ETH_LEN;
	size_t flen = XPKT_ETH_LEN + XPKT_IP_LEN + len;
	ssize_t n;

	if (flen > sizeof(frame)) {
		errno = EINVAL;
		return -1;
	}
	memset(frame, 0, XPKT_ETH_LEN + XPKT_IP_LEN);
	memcpy(frame, p->peer_mac, 6);
	memcpy(frame + 6, p->mac, 6);
	xpkt_put16(frame + 12, ETH_P_IP);

	ip[0] = 0x45;
	ip[1] = tos;
	xpkt_put16(ip + 2, XPKT_IP_LEN + len);
	xpkt_put16(ip + 4, p->ip_id++);
	xpkt_put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = p->proto;
	memcpy(ip + 12, &p->me.s_addr, 4);
	memcpy(ip + 16, &p->sut.s_addr, 4);
	xpkt_put16(ip + 10, ~xpkt_sum(ip, XPKT_IP_LEN, 0) & 0xffff);
	memcpy(ip + XPKT_IP_LEN, seg, len);

	do {
		n = send(p->fd, frame, flen, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != flen) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/**
 * xpkt_send() - send @s from the fake peer to the SUT
 * @p: endpoint
 * @s: segment; options are padded with EOL to a multiple of 4 bytes
 *
 * Return: 0, or -1 with errno set.
 */
int xpkt_send(struct xpkt *p, const struct xpkt_seg *s)
{
	uint8_t th[XPKT_FRAME_MAX];
	unsigned int optlen = (s->optlen + 3) & ~3U;
	unsigned int thlen = XPKT_TH_LEN + optlen;
	unsigned int seglen = thlen + s->len;

	if (s->optlen > XPKT_MAX_OPT || s->len > XPKT_MAX_DATA) {
		errno = EINVAL;
		return -1;
	}
	memset(th, 0, thlen);
	xpkt_put16(th, s->sport);
	xpkt_put16(th + 2, s->dport);
	xpkt_put32(th + 4, s->seq);
	xpkt_put32(th + 8, s->ack);
	th[12] = (thlen / 4) << 4;
	th[13] = s->flags;
	xpkt_put16(th + 14, s->win);
	xpkt_put16(th + 18, s->urp);
	memcpy(th + XPKT_TH_LEN, s->opt, s->optlen);
	memcpy(th + thlen, s->data, s->len);
	xpkt_put16(th + 16, xpkt_l4_csum(p->me, p->sut, p->proto, th, seglen) ^
			    s->csum_xor);
	return xpkt_send_raw_tos(p, th, seglen, s->tos);
}

/* Parse @frame into @s; true if it is a segment from the SUT to us. */
static bool xpkt_parse(struct xpkt *p, const uint8_t *frame, size_t flen,
		       struct xpkt_seg *s)
{
	const uint8_t *ip = frame + XPKT_ETH_LEN, *th;
	unsigned int ihl, tot, thlen, seglen;
	struct in_addr src, dst;
	bool ok;

	if (flen < XPKT_ETH_LEN + XPKT_IP_LEN || get16(frame + 12) != ETH_P_IP)
		return false;
	ihl = (ip[0] & 0x0f) * 4;
	tot = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < XPKT_IP_LEN || tot < ihl ||
	    tot > flen - XPKT_ETH_LEN || ip[9] != p->proto)
		return false;
	memcpy(&src.s_addr, ip + 12, 4);
	memcpy(&dst.s_addr, ip + 16, 4);
	if (src.s_addr != p->sut.s_addr || dst.s_addr != p->me.s_addr)
		return false;
	/* the SUT sets DF and never fragments; a fragment is a failure */
	ok = xpkt_sum(ip, ihl, 0) == 0xffff && !(get16(ip + 6) & 0x3fff);
	th = ip + ihl;
	seglen = tot - ihl;
	if (seglen < XPKT_TH_LEN)
		return false;
	thlen = (th[12] >> 4) * 4;
	if (thlen < XPKT_TH_LEN || thlen > seglen ||
	    thlen - XPKT_TH_LEN > XPKT_MAX_OPT ||
	    seglen - thlen > XPKT_MAX_DATA)
		return false;
	memset(s, 0, sizeof(*s));
	s->saddr = src;
	s->daddr = dst;
	s->tos = ip[1];
	s->sport = get16(th);
	s->dport = get16(th + 2);
	s->seq = get32(th + 4);
	s->ack = get32(th + 8);
	s->flags = th[13];
	s->win = get16(th + 14);
	s->urp = get16(th + 18);
	s->optlen = thlen - XPKT_TH_LEN;
	memcpy(s->opt, th + XPKT_TH_LEN, s->optlen);
	s->len = seglen - thlen;
	memcpy(s->data, th + thlen, s->len);
	s->csum_ok = ok && xpkt_l4_csum(src, dst, p->proto, th, seglen) == 0;
	return true;
}

/**
 * xpkt_recv() - receive the next segment from the SUT to the fake peer
 * @p: endpoint
 * @s: the segment
 * @port: only segments to this (fake peer's) port; 0: any
 * @ms: time limit
 *
 * Frames that are not XTCP segments from the SUT to the fake peer are
 * skipped. A segment with a bad checksum is returned with csum_ok false
 * (and counted in p->bad_csum).
 *
 * Return: 1 with a segment, 0 on timeout, -1 on error.
 */
int xpkt_recv(struct xpkt *p, struct xpkt_seg *s, uint16_t port, int ms)
{
	long long end = xpkt_now_ms() + ms;
	uint8_t frame[XPKT_FRAME_MAX];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct tpacket_auxdata aux;
	struct sockaddr_ll sll;
	struct cmsghdr *cm;
	bool partial;
	long long left;
	ssize_t n;
	int r;

	for (;;) {
		left = end - xpkt_now_ms();
		r = xtcp_poll1(p->fd, POLLIN, left > 0 ? (int)left : 0);
		if (r < 0)
			return -1;
		if (!r)
			return 0;
		msg.msg_name = &sll;
		msg.msg_namelen = sizeof(sll);
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(p->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		partial = false;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_PACKET ||
			    cm->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			partial = aux.tp_status & TP_STATUS_CSUMNOTREADY;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		/*
		 * XTCP leaves the checksum to a veth (NETIF_F_HW_CSUM), which
		 * never performs it: complete it as a device would, so that
		 * the pseudo-header sum XTCP put there is checked. The kernel
		 * TCP of the reference mode (XTCP_TEST_AS_TCP=1) is trusted.
		 */
		if (partial && p->proto != IPPROTO_TCP)
			xpkt_complete_csum(frame, n);
		if (!xpkt_parse(p, frame, n, s))
			continue;
		if (port && s->dport != port)
			continue;
		if (partial && p->proto == IPPROTO_TCP)
			s->csum_ok = true;
		s->t_ms = xpkt_now_ms();
		if (!s->csum_ok)
			p->bad_csum++;
		return 1;
	}
}

/*
 * Discard segments to @port (0: any) until none came for @quiet_ms or
 * @max_ms passed. Return: the number discarded.
 */
int xpkt_drain(struct xpkt *p, uint16_t port, int quiet_ms, int max_ms)
{
	long long end = xpkt_now_ms() + max_ms;
	struct xpkt_seg s;
	int n = 0;

	while (xpkt_recv(p, &s, port, quiet_ms) > 0) {
		n++;
		if (xpkt_now_ms() >= end)
			break;
	}
	return n;
}

/*
 * Reset whatever the SUT still sends us: every segment that arrives until
 * none came for @quiet_ms (or @max_ms passed) is answered with a RST the
 * SUT must accept (RFC 9293 §3.10.7.4: SEQ = its ACK, so RCV.NXT exactly;
 * a SYN without ACK gets RST+ACK). Lets tests end without leaving orphans
 * that retransmit to a peer that is gone. Return: segments answered.
 */
int xpkt_reset_all(struct xpkt *p, int quiet_ms, int max_ms)
{
	long long end = xpkt_now_ms() + max_ms;
	struct xpkt_seg s, r;
	int n = 0;

	while (xpkt_recv(p, &s, 0, quiet_ms) > 0) {
		if (!(s.flags & XPKT_RST)) {
			if (s.flags & XPKT_ACK)
				xpkt_seg_init(&r, s.dport, s.sport, s.ack, 0,
					      XPKT_RST);
			else
				xpkt_seg_init(&r, s.dport, s.sport, 0,
					      s.seq + s.len +
					      !!(s.flags & XPKT_SYN) +
					      !!(s.flags & XPKT_FIN),
					      XPKT_RST | XPKT_ACK);
			xpkt_send(p, &r);
			n++;
		}
		if (xpkt_now_ms() >= end)
			break;
	}
	return n;
}

/*
 * Options for a SYN: MSS (if @mss >= 0), then NOP + window scale (if
 * @wscale >= 0). Return: their length.
 */
unsigned int xpkt_opt_syn(uint8_t *opt, int mss, int wscale)
{
	unsigned int n = 0;

	if (mss >= 0) {
		opt[n++] = 2;
		opt[n++] = 4;
		xpkt_put16(opt + n, mss);
		n += 2;
	}
	if (wscale >= 0) {
		opt[n++] = 1;
		opt[n++] = 3;
		opt[n++] = 3;
		opt[n++] = wscale;
	}
	return n;
}

/*
 * Find option @kind of length @olen (0: any length) in @s; pointer to it,
 * or NULL when absent, of another length, or the list is malformed.
 */
const uint8_t *xpkt_opt_find(const struct xpkt_seg *s, uint8_t kind,
			     uint8_t olen)
{
	unsigned int i = 0;

	while (i < s->optlen) {
		if (s->opt[i] == 0)
			break;
		if (s->opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= s->optlen || s->opt[i + 1] < 2 ||
		    i + s->opt[i + 1] > s->optlen)
			return NULL;
		if (s->opt[i] == kind)
			return !olen || s->opt[i + 1] == olen ? s->opt + i :
								NULL;
		i += s->opt[i + 1];
	}
	return NULL;
}

/* MSS option value of @s, or -1 if absent or malformed. */
int xpkt_opt_mss(const struct xpkt_seg *s)
{
	const uint8_t *o = xpkt_opt_find(s, 2, 4);

	return o ? get16(o + 2) : -1;
}

/* Append NOP, NOP, timestamps (RFC 7323 §3.2) at @opt; returns 12. */
unsigned int xpkt_opt_ts(uint8_t *opt, uint32_t tsval, uint32_t tsecr)
{
	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 8;
	opt[3] = 10;
	xpkt_put32(opt + 4, tsval);
	xpkt_put32(opt + 8, tsecr);
	return 12;
}

/* TSval/TSecr of @s: 1 if it carries a well-formed timestamps option. */
int xpkt_opt_ts_get(const struct xpkt_seg *s, uint32_t *tsval, uint32_t *tsecr)
{
	const uint8_t *o = xpkt_opt_find(s, 8, 10);

	if (!o)
		return 0;
	*tsval = get32(o + 2);
	*tsecr = get32(o + 6);
	return 1;
}

/* Append NOP, NOP, SACK-permitted (RFC 2018 §2) at @opt; returns 4. */
unsigned int xpkt_opt_sack_perm(uint8_t *opt)
{
	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 4;
	opt[3] = 2;
	return 4;
}

/* Append NOP, NOP, SACK (RFC 2018 §3) with @n blocks; returns its length. */
unsigned int xpkt_opt_sack(uint8_t *opt, const struct xpkt_sack *blocks, int n)
{
	int i;

	opt[0] = 1;
	opt[1] = 1;
	opt[2] = 5;
	opt[3] = 2 + 8 * n;
	for (i = 0; i < n; i++) {
		xpkt_put32(opt + 4 + 8 * i, blocks[i].start);
		xpkt_put32(opt + 8 + 8 * i, blocks[i].end);
	}
	return 4 + 8 * n;
}

/*
 * The SACK blocks of @s (at most @max, in option order): their number, 0
 * without a SACK option (or with a malformed option list), -1 if the SACK
 * option's length is not 2 + 8n.
 */
int xpkt_opt_sack_get(const struct xpkt_seg *s, struct xpkt_sack *blocks, int max)
{
	const uint8_t *o = xpkt_opt_find(s, 5, 0);
	int n, k;

	if (!o)
		return 0;
	if (o[1] < 10 || (o[1] - 2) % 8)
		return -1;
	n = (o[1] - 2) / 8;
	for (k = 0; k < n && k < max; k++) {
		blocks[k].start = get32(o + 2 + 8 * k);
		blocks[k].end = get32(o + 6 + 8 * k);
	}
	return n;
}

/* Window scale shift of @s, or -1 if absent or malformed. */
int xpkt_opt_wscale(const struct xpkt_seg *s)
{
	const uint8_t *o = xpkt_opt_find(s, 3, 3);

	return o ? o[2] : -1;
}

/* "SYN,ACK" style rendering of @flags. */
void xpkt_flags_str(uint8_t flags, char *buf, size_t len)
{
	static const char * const names[] = {
		"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
	};
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 8 && off < len; i++) {
		if (!(flags & (1 << i)))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "",
				names[i]);
	}
	if (!flags)
		snprintf(buf, len, "none");
}

/* One-line description of @s for failure reports. */
void xpkt_seg_str(const struct xpkt_seg *s, char *buf, size_t len)
{
	char fl[48];

	xpkt_flags_str(s->flags, fl, sizeof(fl));
	snprintf(buf, len,
		 "%u>%u [%s] seq %u ack %u win %u optlen %u len %u tos 0x%02x%s",
		 s->sport, s->dport, fl, s->seq, s->ack, s->win, s->optlen,
		 s->len, s->tos, s->csum_ok ? "" : " BAD-CHECKSUM");
}
