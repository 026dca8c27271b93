// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket-memory accounting: the protocol-wide page counter, its
 * limits and pressure state that struct proto points at, and the count of
 * sockets the generic sk_mem_* helpers consult under pressure.
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <net/sock.h>

#include "xtcp.h"

/* pages charged to every XTCP socket's send and receive queues */
atomic_long_t xtcp_memory_allocated;
/* per-CPU cache in front of xtcp_memory_allocated (sk_memory_allocated_add) */
DEFINE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
/* XTCP sockets in existence, read by the pressure heuristics */
struct percpu_counter xtcp_sockets_allocated;
/* set while the page counter is above the pressure threshold */
unsigned long xtcp_memory_pressure;
/* low, pressure, high limits in pages; set at load from the RAM size */
long xtcp_sysctl_mem[3];
/*
 * Per-socket minimum, default and maximum buffer sizes in bytes; a socket
 * below the minimum is allowed to queue even above the hard limit.
 */
int xtcp_sysctl_wmem[3] = { 4096, 16384, 4 * 1024 * 1024 };
int xtcp_sysctl_rmem[3] = { 4096, 131072, 6 * 1024 * 1024 };

/**
 * xtcp_enter_memory_pressure() - proto.enter_memory_pressure
 * @sk: socket whose allocation crossed the pressure limit
 */
void xtcp_enter_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(xtcp_memory_pressure, 1);
}

/**
 * xtcp_leave_memory_pressure() - proto.leave_memory_pressure
 * @sk: socket whose release brought the counter below the low limit
 */
void xtcp_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(xtcp_memory_pressure, 0);
}

/**
 * xtcp_mem_init() - size the limits from free memory; set up the counter
 *
 * The pressure threshold is one sixteenth of the pages available to
 * buffers, the low mark three quarters of it and the hard limit twice it.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_mem_init(void)
{
	unsigned long pages = max(nr_free_buffer_pages() / 16, 128UL);

	xtcp_sysctl_mem[0] = pages / 4 * 3;
	xtcp_sysctl_mem[1] = pages;
	xtcp_sysctl_mem[2] = pages * 2;
	return percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
}

/**
 * xtcp_mem_exit() - free the socket counter
 */
void xtcp_mem_exit(void)
{
	percpu_counter_destroy(&xtcp_sockets_allocated);
}

/**
 * xtcp_rmem_admit() - charge an arriving segment to the receive side
 * @sk: socket
 * @skb: segment about to be owned by @sk (skb_set_owner_r())
 *
 * Return: false when the protocol's memory limits refuse it; the segment
 * is then dropped and counted, and the peer retransmits it.
 */
bool xtcp_rmem_admit(struct sock *sk, struct sk_buff *skb)
{
	if (sk_rmem_schedule(sk, skb, skb->truesize))
		return true;
	xtcp_inc_stats(sock_net(sk), XTCP_MIB_RCVMEMDROPS);
	return false;
}
