/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP congestion control: the pluggable algorithm interface
 * (struct xtcp_congestion_ops), the loss-recovery states, and the
 * prototypes of the registry (xtcp_cong.c), the recovery state machine
 * (xtcp_recovery.c) and the arithmetic the algorithms share.
 */
#ifndef _XTCP_CONG_H
#define _XTCP_CONG_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

struct sock;
struct xtcp_sock;
struct net;

#define XTCP_CA_NAME_MAX	16	/* TCP_CA_NAME_MAX */
#define XTCP_CA_PRIV_U64	8	/* private state per socket, in u64 */
#define XTCP_INFINITE_SSTHRESH	0x7fffffffU
#define XTCP_INIT_CWND		10	/* RFC 6928 §2 */
#define XTCP_MAX_INIT_CWND	100
#define XTCP_DEFAULT_CA		"cubic"

/**
 * enum xtcp_ca_state - where loss recovery stands (TCP_CA_* numbering)
 * @XTCP_CA_OPEN: no loss suspected
 * @XTCP_CA_DISORDER: one or two duplicate ACKs (limited transmit, RFC 3042)
 * @XTCP_CA_CWR: window reduced for an ECN echo, no retransmission
 * @XTCP_CA_RECOVERY: fast recovery (RFC 5681 §3.2, RFC 6582)
 * @XTCP_CA_LOSS: after a retransmission timeout (RFC 5681 §3.1)
 */
enum xtcp_ca_state {
	XTCP_CA_OPEN = 0,
	XTCP_CA_DISORDER = 1,
	XTCP_CA_CWR = 2,
	XTCP_CA_RECOVERY = 3,
	XTCP_CA_LOSS = 4,
};

/**
 * enum xtcp_ca_event - events an algorithm may react to via cwnd_event
 * @XTCP_CA_EVENT_TX_START: first transmission after an idle period
 * @XTCP_CA_EVENT_LOSS: retransmission timeout
 */
enum xtcp_ca_event {
	XTCP_CA_EVENT_TX_START,
	XTCP_CA_EVENT_LOSS,
};

/**
 * struct xtcp_congestion_ops - a congestion-control algorithm
 * @list: registry linkage (RCU)
 * @name: unique name, as given to TCP_CONGESTION
 * @owner: module holding the code; referenced by every socket using it
 * @init: set up the private state (xtcp_ca_priv()); optional
 * @release: free what @init allocated; optional
 * @ssthresh: slow-start threshold after a loss (packets); required
 * @cong_avoid: grow the window for @acked newly acknowledged packets
 *	outside loss recovery; required
 * @pkts_acked: see every cumulative ACK with an RTT sample (us, or -1)
 * @set_state: told of every recovery state change; optional
 * @cwnd_event: told of &enum xtcp_ca_event events; optional
 * @undo_cwnd: window to restore when a reduction proves spurious;
 *	optional (the prior window is restored without it)
 */
struct xtcp_congestion_ops {
	struct list_head list;
	char name[XTCP_CA_NAME_MAX];
	struct module *owner;

	void (*init)(struct sock *sk);
	void (*release)(struct sock *sk);
	u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, u32 ack, u32 acked);
	void (*pkts_acked)(struct sock *sk, u32 acked, s32 rtt_us);
	void (*set_state)(struct sock *sk, u8 new_state);
	void (*cwnd_event)(struct sock *sk, enum xtcp_ca_event ev);
	u32 (*undo_cwnd)(struct sock *sk);
};

/**
 * enum xtcp_cc_reason - why cwnd or ssthresh changed (struct xtcp_cc_event)
 * @XTCP_CC_INIT: connection start or algorithm switch
 * @XTCP_CC_ACK: growth on a new ACK (slow start, congestion avoidance)
 * @XTCP_CC_FAST_RETRANS: third duplicate ACK, fast recovery entered
 * @XTCP_CC_DUPACK: window inflated by a further duplicate ACK
 * @XTCP_CC_PARTIAL_ACK: window deflated by a partial ACK
 * @XTCP_CC_RECOVERED: full ACK, recovery left
 * @XTCP_CC_RTO: retransmission timeout
 * @XTCP_CC_IDLE: restart after idle
 * @XTCP_CC_ECE: window reduced for an ECN echo (RFC 3168 §6.1.2)
 * @XTCP_CC_TLP: window reduced for a loss a tail loss probe repaired
 *	(RFC 8985 §7.4.2)
 */
enum xtcp_cc_reason {
	XTCP_CC_INIT = 0,
	XTCP_CC_ACK = 1,
	XTCP_CC_FAST_RETRANS = 2,
	XTCP_CC_DUPACK = 3,
	XTCP_CC_PARTIAL_ACK = 4,
	XTCP_CC_RECOVERED = 5,
	XTCP_CC_RTO = 6,
	XTCP_CC_IDLE = 7,
	XTCP_CC_ECE = 8,
	XTCP_CC_TLP = 9,
};

/* xtcp_cong.c: registry and per-socket choice */
int xtcp_cong_register(struct xtcp_congestion_ops *ca);
void xtcp_cong_unregister(struct xtcp_congestion_ops *ca);
const struct xtcp_congestion_ops *xtcp_cong_find(const char *name);
void xtcp_cong_sock_init(struct sock *sk);
void xtcp_cong_child_init(struct sock *newsk);
void xtcp_cong_sock_release(struct sock *sk);
void xtcp_cong_reset(struct sock *sk);
int xtcp_cong_set(struct sock *sk, const char *name);
int xtcp_cong_init_net(struct net *net);
void xtcp_cong_exit_net(struct net *net);
int xtcp_cong_module_init(void);
void xtcp_cong_module_exit(void);

/* xtcp_cong_log.c: record of every cwnd/ssthresh change */
void xtcp_cc_note(struct sock *sk, enum xtcp_cc_reason reason);
int xtcp_cc_log_enable(struct sock *sk, bool on);
int xtcp_cc_log_read(struct sock *sk, char __user *optval, int *len);
void xtcp_cc_log_free(struct sock *sk);

/* xtcp_recovery.c: the loss-recovery state machine */
u32 xtcp_cwnd_quota(const struct xtcp_sock *xs);
void xtcp_cong_ack(struct sock *sk, u32 ack, u32 acked, u32 prior_in_flight,
		   s32 rtt_us);
void xtcp_cong_dupack(struct sock *sk);
void xtcp_cong_rto(struct sock *sk);
void xtcp_cong_idle_restart(struct sock *sk);
void xtcp_cong_cwr(struct sock *sk);
void xtcp_cong_tlp_loss(struct sock *sk);
void xtcp_cong_rack_loss(struct sock *sk);
void xtcp_cong_prr(struct sock *sk, u32 delivered);
void xtcp_cong_sent(struct xtcp_sock *xs, u32 segs);

/* shared arithmetic (xtcp_cong_newreno.c) */
u32 xtcp_slow_start(struct xtcp_sock *xs, u32 acked);
void xtcp_cong_avoid_ai(struct xtcp_sock *xs, u32 w, u32 acked);
u32 xtcp_reno_ssthresh(u32 flight);

/* xtcp_cong_cubic.c: RFC 9438 arithmetic */
u32 xtcp_cubic_root(u64 a);
u32 xtcp_cubic_k_ms(u32 w_max, u32 cwnd_epoch);
u32 xtcp_cubic_w(u32 t_ms, u32 k_ms, u32 w_max);
u64 xtcp_cubic_west(u64 west, u32 acked, u32 cwnd, u32 w_max);
u32 xtcp_cubic_target(u32 t_ms, u32 k_ms, u32 origin, u32 cwnd,
		      u32 west_pkts);
u32 xtcp_cubic_reduce(u32 cwnd, u32 *w_max);

extern struct xtcp_congestion_ops xtcp_newreno;
extern struct xtcp_congestion_ops xtcp_cubic;

#endif /* _XTCP_CONG_H */
