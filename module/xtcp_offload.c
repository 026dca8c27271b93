// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP segmentation offload: which routes take multi-segment (GSO) skbs,
 * the checksum a device completes (CHECKSUM_PARTIAL), and the software
 * segmentation of protocol 253 registered with inet_add_offload() for
 * every place that must cut a GSO skb into segments (a device or qdisc
 * that cannot carry it whole, forwarding).
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include "xtcp.h"

/*
 * Devices whose GSO skbs stay in this kernel: loopback, and veth, which
 * hands them whole to its peer in another namespace. A hardware device
 * advertising TSO would treat a protocol-253 GSO skb as TCP.
 */
static bool xtcp_gso_dev_ok(const struct net_device *dev)
{
	if (dev->flags & IFF_LOOPBACK)
		return true;
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, "veth");
}

/*
 * A GSO skb leaves back to back, so it carries about a millisecond of the
 * connection's rate (cwnd per smoothed RTT), at least two segments: on a
 * slow path a 64 KiB burst would fill a bottleneck queue that smoother
 * flows share. Return: the segments, or U32_MAX before an RTT sample.
 */
static u32 xtcp_gso_autosize(const struct xtcp_sock *xs)
{
	if (!xs->srtt_us)
		return U32_MAX;
	return max_t(u32, div_u64((u64)xs->snd_cwnd * USEC_PER_MSEC,
				  xs->srtt_us), 2);
}

/**
 * xtcp_gso_max_segs() - segments one transmission of @sk may carry
 * @sk: socket, locked, with a route
 *
 * Return: 1 unless net.xtcp.gso is on and the route's device is a
 * software device that takes GSO skbs with a generic checksum
 * (NETIF_F_TSO, NETIF_F_HW_CSUM); then its GSO segment limit, or less:
 * about a millisecond's worth of the connection's rate.
 */
unsigned int xtcp_gso_max_segs(const struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get((struct sock *)sk);
	const struct net_device *dev;

	if (!dst || !READ_ONCE(xtcp_pernet(sock_net(sk))->gso))
		return 1;
	dev = dst->dev;
	if (!dev || (dev->features & (NETIF_F_TSO | NETIF_F_HW_CSUM)) !=
		    (NETIF_F_TSO | NETIF_F_HW_CSUM) || !xtcp_gso_dev_ok(dev))
		return 1;
	return clamp_t(u32, READ_ONCE(dev->gso_max_segs), 1,
		       xtcp_gso_autosize(xtcp_sk(sk)));
}

/**
 * xtcp_csum_offload_ok() - may the route's device complete the checksum?
 * @sk: socket with a route
 *
 * Only a device that sums generically from csum_start (NETIF_F_HW_CSUM)
 * is trusted: one that offloads only TCP and UDP over IPv4
 * (NETIF_F_IP_CSUM) would not know protocol 253's pseudo-header.
 *
 * Return: true when CHECKSUM_PARTIAL may be used.
 */
bool xtcp_csum_offload_ok(const struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get((struct sock *)sk);

	return dst && dst->dev && (dst->dev->features & NETIF_F_HW_CSUM);
}

/**
 * xtcp_csum_partial() - leave the checksum of a segment to the device
 * @skb: segment (or GSO skb) whose transport header is set, ending at
 *	the skb's end
 * @saddr: IPv4 source address
 * @daddr: IPv4 destination address
 *
 * RFC 9293 §3.1: the checksum field holds the sum of the pseudo-header
 * (protocol IPPROTO_XTCP); the device, or skb_checksum_help() on the way,
 * adds the segment from csum_start into csum_offset.
 */
void xtcp_csum_partial(struct sk_buff *skb, __be32 saddr, __be32 daddr)
{
	struct tcphdr *th = xtcp_hdr(skb);
	int len = skb->len - skb_transport_offset(skb);

	th->check = ~csum_tcpudp_magic(saddr, daddr, len, IPPROTO_XTCP, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
}

/**
 * xtcp_gso_segment() - cut a GSO skb of protocol 253 into segments
 * @skb: the GSO skb, data at our header (inet_gso_segment() pulled IP)
 * @features: what the device in the way can do
 *
 * skb_segment() copies our header in front of every gso_size bytes of
 * payload; each copy then gets its own sequence number, FIN and PSH only
 * on the last and CWR only on the first (RFC 3168 §6.1.2: CWR marks one
 * segment), and its own checksum: left to the device when it sums
 * generically, computed here otherwise. inet_gso_segment() fixes the IP
 * headers.
 *
 * Return: the list of segments, or an ERR_PTR.
 */
static struct sk_buff *xtcp_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL), *seg;
	unsigned int thlen, mss, i = 0;
	const struct iphdr *iph;
	struct tcphdr *th;
	u32 seq;
	u8 flags;

	if (!(skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4) ||
	    !pskb_may_pull(skb, sizeof(*th)))
		goto out;
	thlen = xtcp_hdr(skb)->doff * 4;
	if (thlen < sizeof(*th) || !pskb_may_pull(skb, thlen))
		goto out;
	th = xtcp_hdr(skb);
	mss = skb_shinfo(skb)->gso_size;
	if (!mss || skb->len - thlen <= mss)
		goto out;
	seq = ntohl(th->seq);
	flags = xtcp_flags(th);
	iph = ip_hdr(skb);

	__skb_pull(skb, thlen);
	segs = skb_segment(skb, features & ~NETIF_F_GSO_MASK);
	if (IS_ERR(segs))
		goto out;
	if (skb->dev)
		xtcp_inc_stats(dev_net(skb->dev), XTCP_MIB_GSOSEGMENTED);
	for (seg = segs; seg; seg = seg->next, i++) {
		int len = seg->len - skb_transport_offset(seg);
		u8 f = flags;

		th = xtcp_hdr(seg);
		th->seq = htonl(seq + i * mss);
		if (seg->next)
			f &= ~(XTCPHDR_FIN | XTCPHDR_PSH);
		if (i)
			f &= ~XTCPHDR_CWR;
		((u8 *)th)[13] = f;
		if (features & NETIF_F_HW_CSUM) {
			xtcp_csum_partial(seg, iph->saddr, iph->daddr);
			continue;
		}
		th->check = 0;
		th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, len,
					      IPPROTO_XTCP,
					      skb_checksum(seg,
							   skb_transport_offset(seg),
							   len, 0));
		seg->ip_summed = CHECKSUM_NONE;
	}
out:
	return segs;
}

static const struct net_offload xtcp_offload = {
	.callbacks = {
		.gso_segment = xtcp_gso_segment,
	},
};

/**
 * xtcp_offload_init() - register the segmentation of protocol 253
 *
 * Return: 0, or -EBUSY when another module owns the protocol's offload.
 */
int xtcp_offload_init(void)
{
	return inet_add_offload(&xtcp_offload, IPPROTO_XTCP);
}

/**
 * xtcp_offload_exit() - withdraw it (no caller remains on return)
 */
void xtcp_offload_exit(void)
{
	inet_del_offload(&xtcp_offload, IPPROTO_XTCP);
	synchronize_net();
}
