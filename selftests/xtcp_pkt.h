/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet-level XTCP test endpoint: an AF_PACKET socket on one end of a veth
 * link that plays a fake peer (an IPv4 address configured nowhere), sends
 * hand-made segments (Ethernet + IPv4 protocol 253 + the TCP header format
 * of RFC 9293, options and payload, both checksums computed) and receives
 * and validates the segments the system under test sends to that address.
 *
 * The kernel of the namespace holding the endpoint does not own the fake
 * address, so nothing there answers; the SUT's namespace needs a static
 * neighbour entry for the fake address pointing at the endpoint's MAC
 * (pkt_wrap.sh sets it up).
 */
#ifndef XTCP_SELFTEST_PKT_H
#define XTCP_SELFTEST_PKT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header flags, in the order of the TCP header's flag byte. */
#define XPKT_FIN	0x01
#define XPKT_SYN	0x02
#define XPKT_RST	0x04
#define XPKT_PSH	0x08
#define XPKT_ACK	0x10
#define XPKT_URG	0x20
#define XPKT_ECE	0x40
#define XPKT_CWR	0x80

/* ECN field of the IP header's TOS byte (RFC 3168 §5) */
#define XPKT_ECN_MASK	0x03
#define XPKT_NOT_ECT	0x00
#define XPKT_ECT1	0x01
#define XPKT_ECT0	0x02
#define XPKT_CE		0x03

#define XPKT_MAX_OPT	40
#define XPKT_MAX_DATA	1460

/* One segment, to send or as received. */
struct xpkt_seg {
	uint16_t sport;			/* host order */
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;			/* XPKT_* */
	uint16_t win;
	uint16_t urp;			/* urgent pointer */
	uint8_t opt[XPKT_MAX_OPT];
	unsigned int optlen;		/* multiple of 4 is not required */
	uint8_t data[XPKT_MAX_DATA];
	unsigned int len;
	uint16_t csum_xor;		/* send: corrupt the checksum with it */
	uint8_t tos;			/* IP TOS byte (ECN bits): sent, and read */
	/* filled on receive */
	struct in_addr saddr;
	struct in_addr daddr;
	bool csum_ok;			/* IP header and segment checksums */
	long long t_ms;			/* CLOCK_MONOTONIC at reception */
};

/* A SACK block (RFC 2018 §3), host order. */
struct xpkt_sack {
	uint32_t start;
	uint32_t end;
};

/* A packet endpoint. */
struct xpkt {
	int fd;
	int ifindex;
	int proto;			/* IP protocol number (253) */
	uint8_t mac[6];			/* our interface */
	uint8_t peer_mac[6];		/* the SUT's interface */
	struct in_addr me;		/* the fake peer address */
	struct in_addr sut;		/* the SUT's address */
	uint16_t ip_id;
	unsigned int bad_csum;		/* received segments with bad checksums */
};

int xpkt_open(struct xpkt *p, const char *ns, const char *ifname,
	      const char *sut_ns, const char *sut_ifname,
	      struct in_addr me, struct in_addr sut);
void xpkt_close(struct xpkt *p);
void xpkt_seg_init(struct xpkt_seg *s, uint16_t sport, uint16_t dport,
		   uint32_t seq, uint32_t ack, uint8_t flags);
int xpkt_send(struct xpkt *p, const struct xpkt_seg *s);
int xpkt_send_raw(struct xpkt *p, const uint8_t *seg, unsigned int len);
int xpkt_send_raw_tos(struct xpkt *p, const uint8_t *seg, unsigned int len,
		      uint8_t tos);
uint16_t xpkt_l4_csum(struct in_addr src, struct in_addr dst, int proto,
		      const uint8_t *seg, size_t len);
int xpkt_hwaddr(const char *ns, const char *ifname, uint8_t *mac);
void xpkt_put16(uint8_t *p, uint16_t v);
void xpkt_put32(uint8_t *p, uint32_t v);
int xpkt_recv(struct xpkt *p, struct xpkt_seg *s, uint16_t port, int ms);
int xpkt_drain(struct xpkt *p, uint16_t port, int quiet_ms, int max_ms);
int xpkt_reset_all(struct xpkt *p, int quiet_ms, int max_ms);
unsigned int xpkt_opt_syn(uint8_t *opt, int mss, int wscale);
const uint8_t *xpkt_opt_find(const struct xpkt_seg *s, uint8_t kind,
			     uint8_t olen);
int xpkt_opt_mss(const struct xpkt_seg *s);
int xpkt_opt_wscale(const struct xpkt_seg *s);
unsigned int xpkt_opt_ts(uint8_t *opt, uint32_t tsval, uint32_t tsecr);
int xpkt_opt_ts_get(const struct xpkt_seg *s, uint32_t *tsval, uint32_t *tsecr);
unsigned int xpkt_opt_sack_perm(uint8_t *opt);
unsigned int xpkt_opt_sack(uint8_t *opt, const struct xpkt_sack *blocks, int n);
int xpkt_opt_sack_get(const struct xpkt_seg *s, struct xpkt_sack *blocks, int max);
void xpkt_flags_str(uint8_t flags, char *buf, size_t len);
void xpkt_seg_str(const struct xpkt_seg *s, char *buf, size_t len);
long long xpkt_now_ms(void);

#endif /* XTCP_SELFTEST_PKT_H */
