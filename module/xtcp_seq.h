/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP sequence-number arithmetic (RFC 9293 §3.4) and the segment
 * acceptability test (RFC 9293 §3.10.7.4). Pure functions of their inputs,
 * so KUnit can exercise every wrap-around case without a socket.
 */
#ifndef _XTCP_SEQ_H
#define _XTCP_SEQ_H

#include <linux/types.h>

/* modulo-2^32 comparisons, RFC 9293 §3.4 */
static inline bool xtcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool xtcp_seq_after(u32 a, u32 b)
{
	return xtcp_seq_before(b, a);
}

static inline bool xtcp_seq_leq(u32 a, u32 b)
{
	return !xtcp_seq_after(a, b);
}

static inline bool xtcp_seq_geq(u32 a, u32 b)
{
	return !xtcp_seq_before(a, b);
}

/* lo <= x <= hi, modulo 2^32 */
static inline bool xtcp_seq_between(u32 x, u32 lo, u32 hi)
{
	return hi - lo >= x - lo;
}

/**
 * xtcp_seq_acceptable() - RFC 9293 §3.10.7.4 four-case acceptability test
 * @seq: SEG.SEQ
 * @len: SEG.LEN (payload plus SYN and FIN)
 * @rcv_nxt: RCV.NXT
 * @rcv_wnd: RCV.WND
 *
 * Return: true when some part of the segment lies in the receive window,
 * or, for empty segments, when SEG.SEQ is where the window says it may be.
 */
static inline bool xtcp_seq_acceptable(u32 seq, u32 len, u32 rcv_nxt,
				       u32 rcv_wnd)
{
	u32 end = seq + len - 1;

	if (len == 0) {
		if (rcv_wnd == 0)
			return seq == rcv_nxt;
		return xtcp_seq_geq(seq, rcv_nxt) &&
		       xtcp_seq_before(seq, rcv_nxt + rcv_wnd);
	}
	if (rcv_wnd == 0)
		return false;
	return (xtcp_seq_geq(seq, rcv_nxt) &&
		xtcp_seq_before(seq, rcv_nxt + rcv_wnd)) ||
	       (xtcp_seq_geq(end, rcv_nxt) &&
		xtcp_seq_before(end, rcv_nxt + rcv_wnd));
}

#endif /* _XTCP_SEQ_H */
