/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP internals shared by every file of the module: the socket, request
 * and TIME-WAIT sock layouts, the per-skb control block, per-netns state
 * and the prototypes that cross file boundaries.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/xtcp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/request_sock.h>
#include <net/tcp_states.h>
#include <net/netns/generic.h>

#include "xtcp_cong.h"
#include "xtcp_mib.h"
#include "xtcp_seq.h"

/*
 * sk->sk_state holds the TCP_* values of <net/tcp_states.h>: the generic
 * inet_connection_sock code (accept, shutdown, connect wait, hashing) and
 * the /proc/net/tcp column format both interpret them.
 */

#define XTCP_HDR_LEN		sizeof(struct tcphdr)
#define XTCP_MAX_OPT_LEN	40
#define XTCP_MAX_HEADER		L1_CACHE_ALIGN(XTCP_HDR_LEN + XTCP_MAX_OPT_LEN + \
					       MAX_HEADER + 128)
#define XTCP_MIN_MSS		88
#define XTCP_DEFAULT_MSS	536	/* RFC 9293 §3.7.1 without an MSS option */
#define XTCP_MAX_WSCALE		14	/* RFC 7323 §2.3 */
#define XTCP_RCV_WSCALE		7
#define XTCP_MAX_WINDOW		65535U
#define XTCP_RCV_RATIO_INIT	512	/* payload per KiB of truesize */
#define XTCP_RCV_RATIO_MIN	32
/* headroom of data skbs: our header with options, IPv4, link layer */
#define XTCP_DATA_HEADROOM	160
/* payload of one GSO skb: IPv4's 16-bit length less two 60-byte headers */
#define XTCP_GSO_MAX_PAYLOAD	(65535 - 2 * 60)

/*
 * Timer defaults (RFC 6298 §2, RFC 1122 §4.2.3.5, §4.2.3.6); the values in
 * use are the net.xtcp sysctls, which start from these.
 */
#define XTCP_RTO_MIN_MS		200
#define XTCP_RTO_MAX_MS		120000
#define XTCP_RTO_INIT_MS	1000
#define XTCP_RETRIES2		15
#define XTCP_ORPHAN_RETRIES	8	/* what orphan_retries = 0 means */
#define XTCP_KEEPALIVE_TIME_MS	(7200 * 1000)
#define XTCP_KEEPALIVE_INTVL_MS	(75 * 1000)
#define XTCP_KEEPALIVE_PROBES	9
/* TCP_KEEPIDLE/TCP_KEEPINTVL (seconds) and TCP_KEEPCNT ranges, as TCP's */
#define XTCP_MAX_KEEPIDLE	32767
#define XTCP_MAX_KEEPINTVL	32767
#define XTCP_MAX_KEEPCNT	127
/* delayed ACK (RFC 9293 §3.8.6.3: well under 0.5 s; never above 200 ms) */
#define XTCP_DELACK_MS		40
#define XTCP_DELACK_MAX_MS	200
#define XTCP_DELACK_MAX		((unsigned long)HZ / 5)
/* immediate ACKs granted by TCP_QUICKACK before delaying again */
#define XTCP_QUICKACKS		16
/* TCP_CORK holds a partial segment at most this long (as Linux does) */
#define XTCP_CORK_MAX		((unsigned long)(HZ / 5))

/* option kinds and lengths, RFC 9293 §3.2 and RFC 7323 */
#define XTCPOPT_EOL		0
#define XTCPOPT_NOP		1
#define XTCPOPT_MSS		2
#define XTCPOPT_WINDOW		3
#define XTCPOPT_SACK_PERM	4
#define XTCPOPT_SACK		5
#define XTCPOPT_TIMESTAMP	8
#define XTCPOLEN_MSS		4
#define XTCPOLEN_WINDOW		3
#define XTCPOLEN_SACK_PERM	2	/* RFC 2018 §2 */
#define XTCPOLEN_TIMESTAMP	10	/* RFC 7323 §3.2: exactly 10 */
#define XTCPOLEN_TSTAMP_ALIGNED	12	/* NOP, NOP, timestamps */
#define XTCPOLEN_SACK_BASE	2	/* RFC 2018 §3: Kind 5, Length 2 + 8n */
#define XTCPOLEN_SACK_BLOCK	8
#define XTCP_MAX_SACKS		4	/* blocks that fit the 40 option bytes */
/* RFC 6675 §2: DupThresh, duplicate ACKs (or SACKed segments) meaning loss */
#define XTCP_DUPTHRESH		3
/* RFC 7323 §5.5: TS.Recent idle this long (24 days, in s) is invalid */
#define XTCP_PAWS_IDLE		(24 * 24 * 60 * 60)

/* header flag bits as they appear in byte 13 of the header */
#define XTCPHDR_FIN	0x01
#define XTCPHDR_SYN	0x02
#define XTCPHDR_RST	0x04
#define XTCPHDR_PSH	0x08
#define XTCPHDR_ACK	0x10
#define XTCPHDR_URG	0x20
#define XTCPHDR_ECE	0x40
#define XTCPHDR_CWR	0x80

/**
 * struct xtcp_sack_block - one SACK block (RFC 2018 §3): received data
 *	[@start, @end) above the cumulative acknowledgment
 * @start: left edge, the first sequence number of the block
 * @end: right edge, the sequence number after its last byte
 */
struct xtcp_sack_block {
	u32 start;
	u32 end;
};

/**
 * struct xtcp_options - options parsed from, or to be put in, a header
 * @mss: MSS option value, 0 when absent
 * @wscale: window-scale shift
 * @wscale_ok: the window-scale option was present
 * @tstamp_ok: the timestamps option (RFC 7323 §3) was present / is sent
 * @sack_ok: SACK-permitted (RFC 2018 §2) was present / is sent
 * @num_sacks: SACK blocks (RFC 2018 §3) present / to send from @sacks
 * @sack_off: received: offset of the first SACK block from the header start
 * @ecn_ok: not an option but the ECN-setup flags of a SYN (RFC 3168
 *	§6.1.1) as accepted for a request sock; kept here because a SYN
 *	cookie's TSval carries it with the options (xtcp_ecn.c)
 * @tsval: its TSval
 * @tsecr: its TSecr
 * @sacks: to send: the SACK blocks, most recent first
 */
struct xtcp_options {
	u16 mss;
	u8 wscale;
	u8 wscale_ok;
	u8 tstamp_ok;
	u8 sack_ok;
	u8 num_sacks;
	u8 sack_off;
	u8 ecn_ok;
	u32 tsval;
	u32 tsecr;
	const struct xtcp_sack_block *sacks;
};

/**
 * struct xtcp_skb_cb - per-segment control block kept in skb->cb
 * @header: room for the IP layer's control block while the skb is in IP
 * @opt: options of a received segment, validated on arrival
 * @when: jiffies of the last transmission (queued segments)
 * @first_tx: jiffies of the first transmission (queued segments)
 * @tx_us: time of the last transmission, xtcp_clock_us() (RACK, RFC 8985)
 * @tx_tsval: TSval of the last transmission (at most the one it carried)
 * @seq: first sequence number of the segment
 * @end_seq: seq + SYN + FIN + payload length
 * @ack_seq: acknowledgment number (received segments)
 * @flags: header flags (XTCPHDR_*)
 * @retransmitted: segment was sent more than once (Karn's rule)
 * @sacked: scoreboard bits of a sent segment (XTCP_SKB_SACKED, ...)
 *
 * The IP layer's block is only needed while IP owns the skb: received
 * segments reuse its room from XTCP's receive entry on, and segments on the
 * send queue own it too (each transmission is a clone whose block is
 * cleared for IP).
 */
struct xtcp_skb_cb {
	union {
		union {
			struct inet_skb_parm h4;
		} header;
		struct xtcp_options opt;
		struct {
			u32 when;
			u32 first_tx;
			u32 tx_us;
			u32 tx_tsval;
		};
	};
	u32 seq;
	u32 end_seq;
	u32 ack_seq;
	u8 flags;
	u8 retransmitted;
	u8 sacked;
};

/*
 * xtcp_skb_cb.sacked, the RFC 6675 scoreboard of a sent segment. A SACKed
 * segment is neither lost nor counted as retransmitted; the counters
 * sacked_out, lost_out (in SACK recovery) and retrans_out of struct
 * xtcp_sock count the segments carrying each bit.
 */
#define XTCP_SKB_SACKED		0x01	/* covered by a SACK block */
#define XTCP_SKB_LOST		0x02	/* presumed lost (RFC 6675 IsLost) */
#define XTCP_SKB_RTX		0x04	/* resent in this recovery episode */

#define XTCP_SKB_CB(__skb)	((struct xtcp_skb_cb *)&((__skb)->cb[0]))

/**
 * xtcp_skb_pcount() - segments a sent skb of the write queue stands for
 * @skb: the skb
 *
 * A queued skb may hold many segments' payload; when it is sent, its
 * shared info records them as GSO fields (xtcp_skb_set_pcount()), and
 * every counter of segments (packets_out, sacked_out...) counts these.
 *
 * Return: the count, 1 for a skb of one segment.
 */
static inline u32 xtcp_skb_pcount(const struct sk_buff *skb)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);

	return sh->gso_size ? sh->gso_segs : 1;
}

/**
 * xtcp_skb_set_pcount() - record the segments of a queued skb
 * @skb: the skb, not shared with a clone in flight
 * @mss: the segment size it is (or was) sent with
 */
static inline void xtcp_skb_set_pcount(struct sk_buff *skb, u32 mss)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	if (skb->len <= mss) {
		sh->gso_size = 0;
		sh->gso_segs = 0;
		sh->gso_type = 0;
		return;
	}
	sh->gso_size = mss;
	sh->gso_segs = DIV_ROUND_UP(skb->len, mss);
	sh->gso_type = SKB_GSO_TCPV4;
}

/**
 * struct xtcp_rack - RACK-TLP loss detection state (RFC 8985, xtcp_rack.c)
 * @xmit_us: RACK.xmit_ts, when the most recently sent segment among those
 *	delivered (cumulatively acknowledged or SACKed) was last sent
 * @end_seq: RACK.end_seq, that segment's end
 * @rtt_us: RACK.rtt, the round trip measured on that delivery; 0 until one
 * @min_rtt_us: RACK.min_RTT, the smallest unambiguous round trip seen
 * @fack: RACK.fack, the highest sequence number delivered
 * @dsack_round: SND.NXT when a D-SACK last widened the reordering window
 * @reo_wnd_mult: RACK.reo_wnd_mult, the window in quarters of min_RTT
 * @reo_wnd_persist: RACK.reo_wnd_persist, recoveries before it resets
 * @reordering_seen: RACK.reordering_seen
 * @dsack_round_on: @dsack_round is set
 * @advanced: a delivery since the last loss detection (RACK.advanced)
 * @tlp_active: a tail loss probe is outstanding (TLP.end_seq set)
 * @tlp_retrans: TLP.is_retrans, the probe resent data
 * @tlp_dsack: a D-SACK reported the probe's copy as a duplicate
 * @tlp_end_seq: TLP.end_seq, SND.NXT when the probe went out
 * @ack_tsecr: TSecr of the ACK being processed (with @ack_ts)
 * @ack_ts: that ACK carries timestamps: its TSecr tells whether it was
 *	sent for a segment's last transmission (RFC 8985 §6.2 step 2)
 */
struct xtcp_rack {
	u32 xmit_us;
	u32 end_seq;
	u32 rtt_us;
	u32 min_rtt_us;
	u32 fack;
	u32 dsack_round;
	u8 reo_wnd_mult;
	u8 reo_wnd_persist;
	u8 reordering_seen:1;
	u8 dsack_round_on:1;
	u8 advanced:1;
	u8 tlp_active:1;
	u8 tlp_retrans:1;
	u8 tlp_dsack:1;
	u8 ack_ts:1;
	u32 tlp_end_seq;
	u32 ack_tsecr;
};

/**
 * struct xtcp_sock - an XTCP connection (RFC 9293 §3.3.1 TCB)
 * @icsk: generic connection socket; must be first
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next sequence number to send
 * @snd_wnd: peer's advertised window, already scaled
 * @snd_wl1: segment sequence number used for the last window update
 * @snd_wl2: segment acknowledgment number used for the last window update
 * @iss: initial send sequence number
 * @write_seq: sequence number following the last byte queued to send
 * @max_window: largest window the peer ever offered
 * @rcv_nxt: next sequence number expected
 * @rcv_wnd: window we last advertised
 * @rcv_wup: rcv_nxt when @rcv_wnd was advertised (right edge = sum)
 * @irs: initial receive sequence number
 * @copied_seq: next sequence number the application will read
 * @recover: snd_nxt when loss recovery (timeout or fast retransmit) began;
 *	until SND.UNA passes it, each partial ACK resends the next segment
 * @dupacks: duplicate ACKs in a row (RFC 5681 §2)
 * @mss_cache: current effective send MSS (payload bytes)
 * @advmss: MSS we advertise
 * @peer_mss: MSS the peer announced (RFC 9293 §3.7.1), 0 before the SYN
 * @user_mss: TCP_MAXSEG clamp, 0 when unset
 * @user_syncnt: TCP_SYNCNT, 0 when unset (then net.xtcp.syn_retries, or
 *	net.xtcp.synack_retries on a listener)
 * @snd_wscale: peer's window-scale shift
 * @rcv_wscale: our window-scale shift
 * @nodelay: TCP_NODELAY set
 * @sack_ok: SACK-permitted (RFC 2018 §2) negotiated; before the peer's
 *	SYN, offered. Then SACK blocks are sent and processed (xtcp_sack.c)
 * @tstamp_ok: timestamps (RFC 7323) in use; before the peer's SYN, offered
 * @urg_mode: urgent data sent and not yet acknowledged (SND.UP ahead)
 * @send_head: first skb of sk_write_queue not yet sent, NULL when none
 * @ofo_root: out-of-order segments awaiting the gap before them
 * @srtt_us: smoothed RTT (RFC 6298), 0 before the first sample
 * @rttvar_us: RTT variation (RFC 6298)
 * @ack_pending: bytes received since the last ACK we sent
 * @total_retrans: segments retransmitted over the connection's life
 * @rcv_ratio: payload bytes per 1024 bytes of skb truesize, as last
 *	received; turns free buffer space into a window that really fits
 * @ca_ops: congestion-control algorithm (xtcp_cong.c)
 * @snd_cwnd: congestion window, in packets (RFC 5681 §2)
 * @snd_ssthresh: slow-start threshold, in packets
 * @snd_cwnd_cnt: packets acknowledged towards the next +1 in congestion
 *	avoidance (RFC 3465 §2.1 byte counting, in packets)
 * @prior_cwnd: cwnd when the last reduction began (undo)
 * @packets_out: segments sent and not yet cumulatively acknowledged
 * @lsndtime: jiffies of the last new data sent (restart after idle)
 * @lost_out: without SACK, segments retransmitted in the current recovery
 *	episode; with SACK, segments marked XTCP_SKB_LOST
 * @total_lost: segments presumed lost over the connection's life
 * @rtx_next: after a timeout, end of the last segment resent in this
 *	episode: the next one to resend starts here
 * @ca_state: &enum xtcp_ca_state
 * @cwnd_limited: the last push stopped at cwnd with data waiting
 * @cc_log: record of cwnd/ssthresh changes, NULL unless enabled
 * @cc_last_cwnd: cwnd at the last record (xtcp_cc_note)
 * @cc_last_ssthresh: ssthresh at the last record
 * @ca_priv: the algorithm's private state
 * @rto_min: lower RTO bound in jiffies (net.xtcp.rto_min_ms at creation)
 * @rto_max: upper RTO and backoff bound in jiffies (net.xtcp.rto_max_ms)
 * @probe_stamp: jiffies of the first unanswered zero-window probe
 * @keepalive_time: TCP_KEEPIDLE in jiffies, 0 for net.xtcp.keepalive_time_ms
 * @keepalive_intvl: TCP_KEEPINTVL in jiffies, 0 for the sysctl
 * @keepalive_probes: TCP_KEEPCNT, 0 for net.xtcp.keepalive_probes
 * @cork: TCP_CORK set: partial segments wait (at most XTCP_CORK_MAX)
 * @quickack: ACKs still to send at once (TCP_QUICKACK) before delaying
 * @rcv_mss: largest payload received so far (a "full-sized" segment)
 * @cork_timer: sends a partial segment TCP_CORK has held XTCP_CORK_MAX
 * @ts_recent: TS.Recent, the TSval to echo (RFC 7323 §4.3)
 * @ts_recent_stamp: when @ts_recent was recorded, in seconds (§5.5)
 * @ts_offset: random offset of our TSval clock (RFC 7323 §7.1)
 * @snd_up: send urgent pointer, the sequence number after the last
 *	urgent byte (RFC 9293 §3.8.5, RFC 6093)
 * @urg_seq: sequence number of the received urgent byte
 * @urg_data: 0, XTCP_URG_NOTYET, XTCP_URG_READ, or XTCP_URG_VALID with
 *	the urgent byte in the low eight bits
 * @last_cookie: jiffies (low bit set) when this listener last sent a SYN
 *	cookie, 0 if it never did
 * @sacked_out: sent segments marked XTCP_SKB_SACKED
 * @retrans_out: sent segments marked XTCP_SKB_RTX
 * @num_sacks: entries of @selective_acks in use
 * @dsack: a D-SACK block (RFC 2883) waits for the next ACK
 * @selective_acks: SACK blocks to send, most recently changed first
 *	(RFC 2018 §4)
 * @dsack_block: the duplicate range the next ACK reports
 * @ecn_ok: ECN (RFC 3168) negotiated; in SYN-SENT, requested (xtcp_ecn.c)
 * @ecn_ece: a CE mark was received: our ACKs carry ECE until a CWR arrives
 * @ecn_cwr: the window was reduced for an ECE: the next new data segment
 *	carries CWR
 * @ecn_seen: a segment with CE was received at least once (TCP_INFO)
 * @rcv_rtt_us: the receiver's RTT estimate (xtcp_buf.c), 0 until measured
 * @rcv_rtt_seq: RCV.NXT that ends the window being timed
 * @rcv_rtt_time: when that window was offered (us clock), 0 before
 * @rcvq_seq: copied_seq at the start of the current read round trip
 * @rcvq_time: when that round trip started (us clock)
 * @rcvq_space: most bytes the application read in one round trip
 * @deferred: work an ICMP error left for the socket's owner
 *	(XTCP_MTU_REDUCED_DEFERRED), done in xtcp_release_cb()
 * @mtu_info: next-hop MTU of the last "fragmentation needed"
 * @rack: RACK-TLP state (RFC 8985)
 * @prr_delivered: segments delivered since SACK recovery began (RFC 6937)
 * @prr_out: segments sent since SACK recovery began (RFC 6937)
 * @recover_fs: segments outstanding when it began (RecoverFS, RFC 6937)
 * @ack_delivered: segments the ACK being processed delivered
 */
struct xtcp_sock {
	struct inet_connection_sock icsk;

	u32 snd_una;
	u32 snd_nxt;
	u32 snd_wnd;
	u32 snd_wl1;
	u32 snd_wl2;
	u32 iss;
	u32 write_seq;
	u32 max_window;

	u32 rcv_nxt;
	u32 rcv_wnd;
	u32 rcv_wup;
	u32 irs;
	u32 copied_seq;

	u32 recover;
	u8 dupacks;
	u16 mss_cache;
	u16 advmss;
	u16 peer_mss;
	u16 user_mss;
	u8 user_syncnt;
	u8 snd_wscale;
	u8 rcv_wscale;
	u8 nodelay:1;
	u8 tstamp_ok:1;
	u8 sack_ok:1;
	u8 urg_mode:1;

	struct sk_buff *send_head;
	struct rb_root ofo_root;

	u32 srtt_us;
	u32 rttvar_us;
	u32 ack_pending;
	u32 total_retrans;
	u32 rcv_ratio;

	const struct xtcp_congestion_ops *ca_ops;
	u32 snd_cwnd;
	u32 snd_ssthresh;
	u32 snd_cwnd_cnt;
	u32 prior_cwnd;
	u32 packets_out;
	u32 lsndtime;
	u32 lost_out;
	u32 total_lost;
	u32 rtx_next;
	u8 ca_state;
	u8 cwnd_limited:1;
	struct xtcp_cc_log *cc_log;
	u32 cc_last_cwnd;
	u32 cc_last_ssthresh;
	u64 ca_priv[XTCP_CA_PRIV_U64];
	u32 rto_min;
	u32 rto_max;
	u32 probe_stamp;
	u32 keepalive_time;
	u32 keepalive_intvl;
	u8 keepalive_probes;
	u8 cork:1;
	u8 quickack;
	u16 rcv_mss;
	struct timer_list cork_timer;
	u32 ts_recent;
	u32 ts_recent_stamp;
	u32 ts_offset;
	u32 snd_up;
	u32 urg_seq;
	u16 urg_data;
	unsigned long last_cookie;
	u32 sacked_out;
	u32 retrans_out;
	u8 num_sacks;
	u8 dsack:1;
	struct xtcp_sack_block selective_acks[XTCP_MAX_SACKS];
	struct xtcp_sack_block dsack_block;
	u8 ecn_ok:1;
	u8 ecn_ece:1;
	u8 ecn_cwr:1;
	u8 ecn_seen:1;
	u32 rcv_rtt_us;
	u32 rcv_rtt_seq;
	u32 rcv_rtt_time;
	u32 rcvq_seq;
	u32 rcvq_time;
	u32 rcvq_space;
	unsigned long deferred;
	u32 mtu_info;
	struct xtcp_rack rack;
	u32 prr_delivered;
	u32 prr_out;
	u32 recover_fs;
	u32 ack_delivered;
};

/* xtcp_sock.deferred bits */
#define XTCP_MTU_REDUCED_DEFERRED	0

/* xtcp_sock.urg_data states */
#define XTCP_URG_VALID		0x0100	/* the byte is in the low 8 bits */
#define XTCP_URG_NOTYET		0x0200	/* pointer seen, byte not yet */
#define XTCP_URG_READ		0x0400	/* read by recv(MSG_OOB) */

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/* the congestion-control algorithm's private area of @sk */
static inline void *xtcp_ca_priv(const struct sock *sk)
{
	return (void *)xtcp_sk(sk)->ca_priv;
}

/* has @skb of @sk's write queue been sent (SND.NXT only grows)? */
static inline bool xtcp_skb_sent(const struct sock *sk,
				 const struct sk_buff *skb)
{
	return (s32)(XTCP_SKB_CB(skb)->seq -
		     xtcp_sk(sk)->snd_nxt) < 0;
}

/* a loss episode runs: fast recovery or the Loss state after a timeout */
static inline bool xtcp_in_recovery(const struct xtcp_sock *xs)
{
	return xs->ca_state == XTCP_CA_RECOVERY || xs->ca_state == XTCP_CA_LOSS;
}

static inline bool xtcp_in_slow_start(const struct xtcp_sock *xs)
{
	return xs->snd_cwnd < xs->snd_ssthresh;
}

/**
 * struct xtcp_request_sock - an entry of a listener's SYN queue
 * @ireq: generic inet request sock; must be first
 * @iss: our initial sequence number
 * @irs: the peer's initial sequence number
 * @snd_wnd: window from the SYN (never scaled, RFC 7323 §2.2)
 * @opt: options the peer sent in its SYN (tstamp_ok cleared when we do
 *	not answer with timestamps)
 * @ts_off: offset of the TSval clock of the SYN-ACK and of the child
 * @opt: options the peer sent in its SYN
 * @synack_sent: a SYN-ACK went out already (the next is a retransmission)
 * @cookie: a stateless SYN cookie request: its TSval carries the options
 */
struct xtcp_request_sock {
	struct inet_request_sock ireq;
	u32 iss;
	u32 irs;
	u32 snd_wnd;
	struct xtcp_options opt;
	u32 ts_off;
	u8 synack_sent;
	u8 cookie;
};

static inline struct xtcp_request_sock *xtcp_rsk(const struct request_sock *req)
{
	return (struct xtcp_request_sock *)req;
}

/**
 * struct xtcp_timewait_sock - the small sock that keeps a 4-tuple in TIME-WAIT
 * @tw: generic timewait sock; must be first
 * @rcv_nxt: next sequence number expected from the peer
 * @snd_nxt: our sequence number after our FIN
 * @rcv_wnd: window to advertise in ACKs
 * @tstamp_ok: the connection used timestamps: ACKs carry them too
 * @ts_recent: TS.Recent to echo
 * @ts_offset: the connection's TSval clock offset
 */
struct xtcp_timewait_sock {
	struct inet_timewait_sock tw;
	u32 rcv_nxt;
	u32 snd_nxt;
	u32 rcv_wnd;
	u8 tstamp_ok;
	u32 ts_recent;
	u32 ts_offset;
};

static inline struct xtcp_timewait_sock *xtcp_twsk(const struct sock *sk)
{
	return (struct xtcp_timewait_sock *)sk;
}

/**
 * struct xtcp_ratelimit - a budget of events per second
 * @window_start: jiffies when the current one-second window began
 * @count: events in the current window
 */
struct xtcp_ratelimit {
	unsigned long window_start;
	atomic_t count;
};

/**
 * struct xtcp_net - per network namespace state
 * @ctl_sk: kernel socket used to send replies that have no full socket
 * @tw_death_row: TIME-WAIT accounting for this namespace
 * @mib: per-CPU counters shown in /proc/net/xtcp_stat
 * @msl_ms: maximum segment lifetime; TIME-WAIT lasts twice this long
 * @syn_retries: SYN retransmissions before connect() fails with ETIMEDOUT
 * @fin_timeout_ms: lifetime of an orphaned connection in FIN-WAIT-2
 * @rfc1337: 1 to ignore RST in TIME-WAIT (RFC 1337), 0 to obey it
 * @challenge_ack_limit: challenge ACKs per second (RFC 5961 §7)
 * @rst_limit: RSTs per second for segments without a connection
 * @synack_retries: SYN-ACK retransmissions before a request is dropped
 * @syncookies: 0 never, 1 when the SYN queue overflows, 2 always
 * @abort_on_overflow: 1 to reset a handshake the full accept queue refuses
 * @challenge_rl: budget state for @challenge_ack_limit
 * @rst_rl: budget state for @rst_limit
 * @rto_min_ms: lower bound of the retransmission timeout (RFC 6298 §2.4)
 * @rto_max_ms: upper bound of the RTO and of its backoff (RFC 6298 §2.5)
 * @rto_initial_ms: RTO before the first RTT sample (RFC 6298 §2.1)
 * @retries2: retransmissions of a synchronized connection before it fails
 *	with ETIMEDOUT (RFC 1122 §4.2.3.5 R2)
 * @orphan_retries: the same for a connection closed by the application;
 *	0 means XTCP_ORPHAN_RETRIES
 * @keepalive_time_ms: idle time before the first keep-alive probe
 * @keepalive_intvl_ms: time between unanswered keep-alive probes
 * @keepalive_probes: unanswered probes before the connection is dropped
 * @delack_ms: delayed-ACK timeout (at most XTCP_DELACK_MAX_MS)
 * @timestamps: 1 to offer and accept the timestamps option (RFC 7323)
 * @sack: 1 to offer and accept SACK-permitted (RFC 2018 §2)
 * @dsack: 1 to report duplicate segments with D-SACK (RFC 2883)
 * @sysctl_hdr: registered net.xtcp sysctl table
 * @ca_lock: protects @ca_default
 * @ca_default: name of the default congestion control
 * @initial_cwnd: initial window in segments (RFC 6928)
 * @slow_start_after_idle: 1 to restart from the initial window after an
 *	idle period (RFC 5681 §4.1)
 * @cc_sysctl_hdr: registered congestion-control sysctls (xtcp_cong.c)
 * @ecn: 0 no ECN; 1 request it on outgoing SYNs and accept it on incoming
 *	ones; 2 accept only (RFC 3168 §6.1.1)
 * @gso: 1 to send runs of full segments as GSO skbs where the route's
 *	device allows (xtcp_offload.c)
 * @moderate_buffers: 1 to size SO_SNDBUF/SO_RCVBUF to the flow (xtcp_buf.c)
 * @rack_tlp: 1 for RACK-TLP loss detection with SACK (RFC 8985, xtcp_rack.c)
 */
struct xtcp_net {
	struct sock *ctl_sk;
	struct inet_timewait_death_row tw_death_row;
	struct xtcp_mib __percpu *mib;
	int msl_ms;
	int syn_retries;
	int fin_timeout_ms;
	int rfc1337;
	int challenge_ack_limit;
	int rst_limit;
	int synack_retries;
	int syncookies;
	int abort_on_overflow;
	struct xtcp_ratelimit challenge_rl;
	struct xtcp_ratelimit rst_rl;
	int rto_min_ms;
	int rto_max_ms;
	int rto_initial_ms;
	int retries2;
	int orphan_retries;
	int keepalive_time_ms;
	int keepalive_intvl_ms;
	int keepalive_probes;
	int delack_ms;
	int timestamps;
	int sack;
	struct ctl_table_header *sysctl_hdr;
	spinlock_t ca_lock;	/* protects ca_default */
	char ca_default[XTCP_CA_NAME_MAX];
	int initial_cwnd;
	int slow_start_after_idle;
	struct ctl_table_header *cc_sysctl_hdr;
	int dsack;
	int ecn;
	int gso;
	int moderate_buffers;
	int rack_tlp;
};

/* pure functions the KUnit suites (module/tests/) call from xtcp_kunit.ko */
#if IS_ENABLED(CONFIG_KUNIT)
#define XTCP_EXPORT_FOR_KUNIT(sym)	EXPORT_SYMBOL_GPL(sym)
#else
#define XTCP_EXPORT_FOR_KUNIT(sym)
#endif

extern unsigned int xtcp_net_id;
extern struct inet_hashinfo xtcp_hashinfo;
extern struct proto xtcp_prot;
extern struct request_sock_ops xtcp_request_sock_ops;
extern const struct inet_connection_sock_af_ops xtcp_ipv4_af_ops;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

/* count one event in @net's /proc/net/xtcp_stat */
static inline void xtcp_inc_stats(const struct net *net,
				  enum xtcp_mib_field field)
{
	this_cpu_inc(xtcp_pernet(net)->mib->mibs[field]);
}

/* count @n events in @net's /proc/net/xtcp_stat */
static inline void xtcp_add_stats(const struct net *net,
				  enum xtcp_mib_field field, unsigned long n)
{
	this_cpu_add(xtcp_pernet(net)->mib->mibs[field], n);
}

/* lifetime of an orphan in FIN-WAIT-2, net.xtcp.fin_timeout_ms */
static inline int xtcp_fin_timeout(const struct sock *sk)
{
	return msecs_to_jiffies(READ_ONCE(xtcp_pernet(sock_net(sk))->fin_timeout_ms));
}

/* RTO before the first RTT sample, net.xtcp.rto_initial_ms, in jiffies */
static inline u32 xtcp_rto_initial(const struct net *net)
{
	return msecs_to_jiffies(READ_ONCE(xtcp_pernet(net)->rto_initial_ms));
}

/* the millisecond clock behind TSval (RFC 7323 §5.4: 1 ms to 1 s a tick) */
static inline u32 xtcp_clock_ms(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/* the same monotonic clock in microseconds (receiver RTT, xtcp_buf.c) */
static inline u32 xtcp_clock_us(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/* TSval for a segment of @xs now */
static inline u32 xtcp_ts_now(const struct xtcp_sock *xs)
{
	return xtcp_clock_ms() + xs->ts_offset;
}

/* delayed-ACK timeout, net.xtcp.delack_ms, in jiffies */
static inline unsigned long xtcp_delack_timeout(const struct sock *sk)
{
	return msecs_to_jiffies(READ_ONCE(xtcp_pernet(sock_net(sk))->delack_ms));
}

/* SYN retransmissions of an active open: TCP_SYNCNT or net.xtcp.syn_retries */
static inline int xtcp_syn_retries(const struct sock *sk)
{
	return xtcp_sk(sk)->user_syncnt ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->syn_retries);
}

static inline void xtcp_dec_stats(const struct net *net,
				  enum xtcp_mib_field field)
{
	this_cpu_dec(xtcp_pernet(net)->mib->mibs[field]);
}

static inline struct tcphdr *xtcp_hdr(const struct sk_buff *skb)
{
	return (struct tcphdr *)skb_transport_header(skb);
}

static inline u8 xtcp_flags(const struct tcphdr *th)
{
	return ((const u8 *)th)[13];
}

/* xtcp_sock.c */
void xtcp_set_state(struct sock *sk, int state);
void xtcp_done(struct sock *sk);
void xtcp_write_space(struct sock *sk);

/* xtcp_ipv4.c */
int xtcp_v4_rcv(struct sk_buff *skb);
int xtcp_v4_err(struct sk_buff *skb, u32 info);
void xtcp_release_cb(struct sock *sk);
int xtcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
void xtcp_v4_send_reset(struct net *net, struct sk_buff *skb);
void xtcp_v4_send_ack(struct net *net, struct sk_buff *skb, u32 seq, u32 ack,
		      u32 win, u8 flags);
void xtcp_v4_send_ack_ts(struct net *net, struct sk_buff *skb, u32 seq,
			 u32 ack, u32 win, u8 flags,
			 const struct xtcp_options *ts);
u32 xtcp_v4_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		u64 now_ns);
void xtcp_fill_cb(struct sk_buff *skb, const struct tcphdr *th);
bool xtcp_flags_illegal(u8 flags);

/* xtcp_input.c */
int xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb);
int xtcp_parse_options(const struct tcphdr *th, struct xtcp_options *opt);
void xtcp_ofo_purge(struct sock *sk);
void xtcp_set_peer_options(struct xtcp_sock *xs,
			   const struct xtcp_options *opt);
bool xtcp_paws_reject(u32 ts_recent, u32 ts_recent_stamp, u32 tsval,
		      u32 now_sec);

/* xtcp_output.c */
int xtcp_connect_send_syn(struct sock *sk);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_challenge_ack(struct sock *sk);
bool xtcp_challenge_ack_allowed(struct net *net);
bool xtcp_ratelimit_allow(struct xtcp_ratelimit *rl, unsigned long now,
			  int limit);
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp);
int xtcp_send_fin(struct sock *sk);
void xtcp_push(struct sock *sk);
void xtcp_push_pending(struct sock *sk, bool force);
bool xtcp_window_blocks(const struct sock *sk, const struct sk_buff *skb);
int xtcp_retransmit_head(struct sock *sk);
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void xtcp_retransmit_oversized(struct sock *sk);
void xtcp_send_window_probe(struct sock *sk);
struct sk_buff *xtcp_make_synack(const struct sock *sk, struct dst_entry *dst,
				 struct request_sock *req);
int xtcp_v4_rtx_synack(const struct sock *sk, struct request_sock *req);
u16 xtcp_select_window(struct sock *sk);
u32 xtcp_free_window(const struct sock *sk);
void xtcp_finish_header(struct sk_buff *skb, __be32 saddr, __be32 daddr);
struct tcphdr *xtcp_push_header(struct sk_buff *skb, __be16 sport,
				__be16 dport, u32 seq, u32 ack, u8 flags,
				u16 window, const struct xtcp_options *opt);
struct sk_buff *xtcp_alloc_ctl_skb(gfp_t gfp);
unsigned int xtcp_mss_for_mtu(const struct sock *sk, unsigned int mtu);
int xtcp_write_options(u8 *ptr, const struct xtcp_options *opt);

/* xtcp_sendq.c */
unsigned int xtcp_size_goal(const struct sock *sk);

/* xtcp_buf.c */
void xtcp_sndbuf_expand(struct sock *sk);
void xtcp_buf_init(struct sock *sk);
void xtcp_rcv_rtt_measure(struct sock *sk, const struct sk_buff *skb);
void xtcp_rcvbuf_grow(struct sock *sk);
void xtcp_queue_ctl_skb(struct sock *sk, struct sk_buff *skb);
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
u32 xtcp_clean_rtx_queue(struct sock *sk, u32 ack, s32 *rtt_us);
void xtcp_purge_write_queue(struct sock *sk);
int xtcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len);

/* xtcp_sack.c */
int xtcp_sack_add(struct xtcp_sack_block *sp, int n, u32 start, u32 end);
int xtcp_sack_trim(struct xtcp_sack_block *sp, int n, u32 rcv_nxt);
int xtcp_sack_opt_blocks(unsigned int room);
void xtcp_sack_rcv_ofo(struct sock *sk, u32 start, u32 end, bool dup);
void xtcp_sack_rcv_dup(struct sock *sk, u32 start, u32 end);
void xtcp_sack_rcv_advance(struct sock *sk);
int xtcp_sack_fill(struct sock *sk, struct xtcp_sack_block *sp,
		   unsigned int max);
bool xtcp_sack_block_valid(u32 start, u32 end, u32 snd_una, u32 snd_nxt,
			   u32 max_window);
u32 xtcp_sack_process(struct sock *sk, const struct sk_buff *skb);
void xtcp_sack_skb_freed(struct xtcp_sock *xs, struct sk_buff *skb);
void xtcp_sack_mark(struct xtcp_sock *xs, struct sk_buff *skb, u8 bits);
void xtcp_sack_uncount(struct xtcp_sock *xs, u8 bits, u32 segs);
void xtcp_sack_mark_head_lost(struct sock *sk);
void xtcp_sack_mark_rto(struct sock *sk);
void xtcp_sack_xmit(struct sock *sk);
bool xtcp_sack_head_lost(const struct sock *sk);
u32 xtcp_in_flight(const struct xtcp_sock *xs);

/* xtcp_rack.c */
void xtcp_rack_init(struct sock *sk);
void xtcp_rack_ack_start(struct sock *sk, const struct xtcp_options *opt);
void xtcp_rack_delivered(struct sock *sk, const struct sk_buff *skb, u32 now);
u32 xtcp_rack_detect_loss(struct sock *sk);
void xtcp_rack_dsack(struct sock *sk, u32 start, u32 end);
void xtcp_rack_recovered(struct sock *sk);
void xtcp_rack_ack_timers(struct sock *sk, u32 reo_us);
void xtcp_rack_sent_timers(struct sock *sk);
void xtcp_tlp_ack(struct sock *sk, u32 ack, bool pure_dup);
void xtcp_rack_reo_timeout(struct sock *sk);
void xtcp_tlp_timeout(struct sock *sk);

/* xtcp_offload.c */
unsigned int xtcp_gso_max_segs(const struct sock *sk);
bool xtcp_csum_offload_ok(const struct sock *sk);
void xtcp_csum_partial(struct sk_buff *skb, __be32 saddr, __be32 daddr);
int xtcp_offload_init(void);
void xtcp_offload_exit(void);

/* xtcp_mem.c */
extern atomic_long_t xtcp_memory_allocated;
DECLARE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
extern struct percpu_counter xtcp_sockets_allocated;
extern unsigned long xtcp_memory_pressure;
extern long xtcp_sysctl_mem[3];
extern int xtcp_sysctl_wmem[3];
extern int xtcp_sysctl_rmem[3];
void xtcp_enter_memory_pressure(struct sock *sk);
void xtcp_leave_memory_pressure(struct sock *sk);
int xtcp_mem_init(void);
void xtcp_mem_exit(void);
bool xtcp_rmem_admit(struct sock *sk, struct sk_buff *skb);

/* xtcp_timer.c */
void xtcp_init_xmit_timers(struct sock *sk);
void xtcp_clear_xmit_timers(struct sock *sk);
void xtcp_cork_timer_arm(struct sock *sk);
void xtcp_rearm_rto(struct sock *sk);
void xtcp_rtt_update(struct xtcp_sock *xs, u32 sample_us);
void xtcp_rto_restore(struct xtcp_sock *xs);
void xtcp_set_keepalive(struct sock *sk, int val);
void xtcp_init_rto(struct sock *sk);
u32 xtcp_rto_compute(u32 srtt_us, u32 rttvar_us, u32 rto_min, u32 rto_max);
u32 xtcp_keepalive_time(const struct sock *sk);
u32 xtcp_keepalive_intvl(const struct sock *sk);
int xtcp_keepalive_probes(const struct sock *sk);
void xtcp_keepalive_rearm(struct sock *sk);

/* xtcp_urgent.c */
void xtcp_urg_mark(struct sock *sk);
u16 xtcp_urg_ptr(const struct xtcp_sock *xs, u32 seq);
void xtcp_urg_acked(struct xtcp_sock *xs);
void xtcp_urg_rcv(struct sock *sk, const struct sk_buff *skb);
void xtcp_urg_data_arrived(struct sock *sk);
int xtcp_urg_recv(struct sock *sk, struct msghdr *msg, size_t len, int flags);
bool xtcp_urg_at_mark(const struct sock *sk);
u32 xtcp_urg_limit(const struct sock *sk, u32 seq, u32 used, bool *skip);
void xtcp_urg_consumed(struct sock *sk);

/* xtcp_minisocks.c */
void xtcp_time_wait(struct sock *sk, int state, int timeo);
/**
 * enum xtcp_tw_verdict - what the receive path does after a timewait sock
 * saw a segment
 * @XTCP_TW_DONE: nothing more
 * @XTCP_TW_SYN: a new SYN may reopen the tuple: give it to a listener
 * @XTCP_TW_KILL: remove the timewait sock now
 */
enum xtcp_tw_verdict {
	XTCP_TW_DONE,
	XTCP_TW_SYN,
	XTCP_TW_KILL,
};

enum xtcp_tw_verdict xtcp_timewait_process(struct inet_timewait_sock *tw,
					   struct sk_buff *skb);
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct request_sock *req);
int xtcp_v4_conn_request(struct sock *sk, struct sk_buff *skb);
void xtcp_reqsk_init(struct request_sock *req, const struct sock *sk,
		     struct sk_buff *skb);
struct sock *xtcp_v4_syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
				   struct request_sock *req,
				   struct dst_entry *dst,
				   struct request_sock *req_unhash,
				   bool *own_req,
				   void (*opt_child_init)(struct sock *newsk,
							  const struct sock *sk));
extern struct timewait_sock_ops xtcp_timewait_sock_ops;

/* xtcp_syncookies.c */
#define XTCP_COOKIE_MSS_BITS	3
#define XTCP_COOKIE_PERIOD_BITS	6	/* the time counter ticks every 64 s */
#define XTCP_COOKIE_MAX_AGE	2	/* counter ticks a cookie stays valid */
extern const u16 xtcp_cookie_mss_table[1 << XTCP_COOKIE_MSS_BITS];
unsigned int xtcp_cookie_mss_index(u16 mss);
u32 xtcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		     u32 peer_isn, u32 count, unsigned int mss_idx);
int xtcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		      u32 peer_isn, u32 cookie, u32 count_now);
u32 xtcp_cookie_counter(void);
u32 xtcp_cookie_tsval(u32 now, const struct xtcp_options *syn);
void xtcp_cookie_ts_decode(u32 tsecr, struct xtcp_options *opt);
u32 xtcp_cookie_ts_off(__be32 saddr, __be32 daddr, __be16 sport,
		       __be16 dport);
struct sock *xtcp_cookie_receive(struct sock *sk, struct sk_buff *skb);

/* xtcp_ecn.c */
#define XTCP_ECN_OFF		0
#define XTCP_ECN_ON		1	/* request and accept */
#define XTCP_ECN_PASSIVE	2	/* accept only (the default) */
bool xtcp_ecn_accept_syn(int sysctl, u8 syn_flags);
bool xtcp_ecn_agreed(bool requested, u8 flags);
void xtcp_ecn_connect(struct sock *sk);
void xtcp_ecn_rcv_syn(struct sock *sk, u8 flags);
bool xtcp_ecn_syn_ok(const struct sock *lsk, u8 flags);
u8 xtcp_ecn_synack_flags(const struct request_sock *req);
void xtcp_ecn_init_child(struct sock *newsk, const struct request_sock *req);
void xtcp_ecn_xmit(struct sock *sk, const struct sk_buff *skb,
		   struct tcphdr *th);
void xtcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb);
u8 xtcp_ecn_info_options(const struct sock *sk);

/* xtcp_proc.c */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);

/* xtcp_sysctl.c */
int xtcp_sysctl_init_net(struct net *net);
void xtcp_sysctl_exit_net(struct net *net);

/* xtcp_hash.c */
int xtcp_hashinfo_init(void);
void xtcp_hashinfo_destroy(void);

#endif /* _XTCP_H */
