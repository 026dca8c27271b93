// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP congestion-window record: every change of cwnd or ssthresh fires
 * the xtcp:xtcp_cwnd tracepoint and, when the socket asked for it with
 * setsockopt(SOL_XTCP, XTCP_CC_LOG), lands in a per-socket ring that
 * getsockopt(XTCP_CC_LOG) reads (kernels without tracing included).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "xtcp.h"

#define CREATE_TRACE_POINTS
#include "xtcp_trace.h"

#define XTCP_CC_LOG_LEN	512	/* power of two */

/**
 * struct xtcp_cc_log - ring of unread events of one socket
 * @start_ns: when recording started
 * @head: events written so far
 * @tail: events read so far
 * @ev: the ring
 */
struct xtcp_cc_log {
	u64 start_ns;
	u32 head;
	u32 tail;
	struct xtcp_cc_event ev[XTCP_CC_LOG_LEN];
};

/**
 * xtcp_cc_note() - record cwnd and ssthresh if they changed
 * @sk: socket, locked
 * @reason: what changed them (&enum xtcp_cc_reason)
 */
void xtcp_cc_note(struct sock *sk, enum xtcp_cc_reason reason)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_cc_log *log = xs->cc_log;
	struct xtcp_cc_event *e;

	if (reason != XTCP_CC_INIT && xs->cc_last_cwnd == xs->snd_cwnd &&
	    xs->cc_last_ssthresh == xs->snd_ssthresh)
		return;
	xs->cc_last_cwnd = xs->snd_cwnd;
	xs->cc_last_ssthresh = xs->snd_ssthresh;
	trace_xtcp_cwnd(sk, xs->snd_cwnd, xs->snd_ssthresh, xs->ca_state,
			reason);
	if (!log)
		return;
	if (log->head - log->tail >= XTCP_CC_LOG_LEN)
		log->tail++;
	e = &log->ev[log->head++ & (XTCP_CC_LOG_LEN - 1)];
	e->time_us = (u32)div_u64(ktime_get_ns() - log->start_ns,
				  NSEC_PER_USEC);
	e->snd_cwnd = xs->snd_cwnd;
	e->snd_ssthresh = xs->snd_ssthresh;
	e->ca_state = xs->ca_state;
	e->reason = reason;
	e->pad = 0;
}

/**
 * xtcp_cc_log_enable() - start (with a first event) or stop recording
 * @sk: socket, locked
 * @on: start
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_cc_log_enable(struct sock *sk, bool on)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!on) {
		xtcp_cc_log_free(sk);
		return 0;
	}
	if (!xs->cc_log) {
		xs->cc_log = kzalloc(sizeof(*xs->cc_log), GFP_KERNEL);
		if (!xs->cc_log)
			return -ENOMEM;
		xs->cc_log->start_ns = ktime_get_ns();
	}
	xtcp_cc_note(sk, XTCP_CC_INIT);
	return 0;
}

/**
 * xtcp_cc_log_read() - getsockopt(XTCP_CC_LOG): hand out unread events
 * @sk: socket, locked
 * @optval: user buffer
 * @len: its size in; bytes copied out
 *
 * Return: 0, -ENOENT when recording is off, or -EFAULT.
 */
int xtcp_cc_log_read(struct sock *sk, char __user *optval, int *len)
{
	struct xtcp_cc_log *log = xtcp_sk(sk)->cc_log;
	int n = 0, max = *len / (int)sizeof(struct xtcp_cc_event);

	if (!log)
		return -ENOENT;
	while (n < max && log->tail != log->head) {
		const struct xtcp_cc_event *e;

		e = &log->ev[log->tail & (XTCP_CC_LOG_LEN - 1)];
		if (copy_to_user(optval + n * sizeof(*e), e, sizeof(*e)))
			return -EFAULT;
		log->tail++;
		n++;
	}
	*len = n * sizeof(struct xtcp_cc_event);
	return 0;
}

/**
 * xtcp_cc_log_free() - stop recording and free the ring
 * @sk: socket
 */
void xtcp_cc_log_free(struct sock *sk)
{
	kfree(xtcp_sk(sk)->cc_log);
	xtcp_sk(sk)->cc_log = NULL;
}
