// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP congestion-control registry: algorithms register by name, sockets
 * pick one (the namespace default or TCP_CONGESTION), and the sysctls
 * net.xtcp.congestion_control, available_congestion_control,
 * initial_cwnd and slow_start_after_idle.
 */
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "xtcp.h"

static int xtcp_max_init_cwnd = XTCP_MAX_INIT_CWND;
static DEFINE_SPINLOCK(xtcp_cong_list_lock);
static LIST_HEAD(xtcp_cong_list);

/* caller holds rcu_read_lock() or xtcp_cong_list_lock */
static struct xtcp_congestion_ops *xtcp_cong_lookup(const char *name)
{
	struct xtcp_congestion_ops *ca;

	list_for_each_entry_rcu(ca, &xtcp_cong_list, list,
				lockdep_is_held(&xtcp_cong_list_lock)) {
		if (!strcmp(ca->name, name))
			return ca;
	}
	return NULL;
}

/**
 * xtcp_cong_register() - make an algorithm available by its name
 * @ca: algorithm; ssthresh and cong_avoid are required
 *
 * Return: 0, -EINVAL for incomplete ops, -EEXIST for a name in use.
 */
int xtcp_cong_register(struct xtcp_congestion_ops *ca)
{
	int err = 0;

	if (!ca->ssthresh || !ca->cong_avoid || !ca->name[0])
		return -EINVAL;
	spin_lock(&xtcp_cong_list_lock);
	if (xtcp_cong_lookup(ca->name))
		err = -EEXIST;
	else
		list_add_tail_rcu(&ca->list, &xtcp_cong_list);
	spin_unlock(&xtcp_cong_list_lock);
	return err;
}
EXPORT_SYMBOL_GPL(xtcp_cong_register);

/**
 * xtcp_cong_unregister() - withdraw an algorithm
 * @ca: registered algorithm
 *
 * Sockets using it hold a reference on @ca->owner, so none remains when
 * its module goes away; readers walking the list finish before return.
 */
void xtcp_cong_unregister(struct xtcp_congestion_ops *ca)
{
	spin_lock(&xtcp_cong_list_lock);
	list_del_rcu(&ca->list);
	spin_unlock(&xtcp_cong_list_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(xtcp_cong_unregister);

/**
 * xtcp_cong_find() - look an algorithm up by name
 * @name: NUL-terminated name
 *
 * Return: the algorithm or NULL; valid while the caller is in an RCU
 * read-side section or holds a reference on its owner.
 */
const struct xtcp_congestion_ops *xtcp_cong_find(const char *name)
{
	return xtcp_cong_lookup(name);
}

/* take @name (or, failing that, the first registered) with a reference */
static const struct xtcp_congestion_ops *
xtcp_cong_get(const char *name, bool fallback)
{
	const struct xtcp_congestion_ops *ca;

	rcu_read_lock();
	ca = xtcp_cong_lookup(name);
	if (ca && !try_module_get(ca->owner))
		ca = NULL;
	if (!ca && fallback) {
		ca = xtcp_cong_lookup(XTCP_DEFAULT_CA);
		if (ca && !try_module_get(ca->owner))
			ca = NULL;
	}
	rcu_read_unlock();
	return ca;
}

static void xtcp_cong_put(const struct xtcp_congestion_ops *ca)
{
	if (ca)
		module_put(ca->owner);
}

/* the algorithm's state starts afresh */
static void xtcp_cong_start(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	memset(xs->ca_priv, 0, sizeof(xs->ca_priv));
	if (xs->ca_ops && xs->ca_ops->init)
		xs->ca_ops->init(sk);
	xtcp_cc_note(sk, XTCP_CC_INIT);
}

/**
 * xtcp_cong_reset() - the initial congestion state of a connection
 * @sk: socket
 *
 * cwnd = the initial window of net.xtcp.initial_cwnd (RFC 6928 §2),
 * ssthresh "arbitrarily high" (RFC 5681 §3.1), no recovery.
 */
void xtcp_cong_reset(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_cwnd = READ_ONCE(xtcp_pernet(sock_net(sk))->initial_cwnd);
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	xs->snd_cwnd_cnt = 0;
	xs->prior_cwnd = xs->snd_cwnd;
	xs->packets_out = 0;
	xs->lost_out = 0;
	xs->sacked_out = 0;
	xs->retrans_out = 0;
	xs->ca_state = XTCP_CA_OPEN;
	xs->cwnd_limited = 0;
	xs->lsndtime = (u32)jiffies;
	xtcp_cong_start(sk);
}

/**
 * xtcp_cong_sock_init() - give a new socket the namespace's default
 * @sk: socket being initialised
 */
void xtcp_cong_sock_init(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	char name[XTCP_CA_NAME_MAX];

	spin_lock_bh(&xn->ca_lock);
	strscpy(name, xn->ca_default, sizeof(name));
	spin_unlock_bh(&xn->ca_lock);
	xtcp_sk(sk)->ca_ops = xtcp_cong_get(name, true);
	xtcp_sk(sk)->cc_log = NULL;
	xtcp_cong_reset(sk);
}

/**
 * xtcp_cong_child_init() - a passive open's child keeps its listener's
 * algorithm (the clone copied the pointer) with a reference of its own
 * @newsk: child, a copy of the listener
 */
void xtcp_cong_child_init(struct sock *newsk)
{
	struct xtcp_sock *xs = xtcp_sk(newsk);

	xs->cc_log = NULL;
	if (xs->ca_ops && !try_module_get(xs->ca_ops->owner))
		xs->ca_ops = NULL;
	if (!xs->ca_ops)
		xs->ca_ops = xtcp_cong_get(XTCP_DEFAULT_CA, true);
	xtcp_cong_reset(newsk);
}

/**
 * xtcp_cong_sock_release() - drop the socket's algorithm and record
 * @sk: socket being destroyed
 */
void xtcp_cong_sock_release(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_ops && xs->ca_ops->release)
		xs->ca_ops->release(sk);
	xtcp_cong_put(xs->ca_ops);
	xs->ca_ops = NULL;
	xtcp_cc_log_free(sk);
}

/**
 * xtcp_cong_set() - setsockopt(TCP_CONGESTION)
 * @sk: socket, locked
 * @name: NUL-terminated algorithm name
 *
 * The new algorithm takes over the current cwnd and ssthresh with fresh
 * private state.
 *
 * Return: 0, or -ENOENT for a name nobody registered (TCP's errno).
 */
int xtcp_cong_set(struct sock *sk, const char *name)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_congestion_ops *ca;

	ca = xtcp_cong_get(name, false);
	if (!ca)
		return -ENOENT;
	if (ca == xs->ca_ops) {
		xtcp_cong_put(ca);
		return 0;
	}
	if (xs->ca_ops && xs->ca_ops->release)
		xs->ca_ops->release(sk);
	xtcp_cong_put(xs->ca_ops);
	xs->ca_ops = ca;
	xtcp_cong_start(sk);
	return 0;
}

/* net.xtcp.congestion_control: the default for new sockets */
static int xtcp_proc_ca_default(struct ctl_table *ctl, int write,
				void *buffer, size_t *lenp, loff_t *ppos)
{
	struct xtcp_net *xn = ctl->data;
	char name[XTCP_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data = name,
		.maxlen = sizeof(name),
	};
	bool known;
	int err;

	spin_lock_bh(&xn->ca_lock);
	strscpy(name, xn->ca_default, sizeof(name));
	spin_unlock_bh(&xn->ca_lock);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (!write || err)
		return err;
	rcu_read_lock();
	known = xtcp_cong_find(name);
	rcu_read_unlock();
	if (!known)
		return -ENOENT;
	spin_lock_bh(&xn->ca_lock);
	strscpy(xn->ca_default, name, sizeof(xn->ca_default));
	spin_unlock_bh(&xn->ca_lock);
	return 0;
}

/* net.xtcp.available_congestion_control: registered names, space separated */
static int xtcp_proc_ca_available(struct ctl_table *ctl, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct xtcp_congestion_ops *ca;
	struct ctl_table tbl = { .maxlen = 256 };
	size_t off = 0;
	int err;

	tbl.data = kzalloc(tbl.maxlen, GFP_KERNEL);
	if (!tbl.data)
		return -ENOMEM;
	rcu_read_lock();
	list_for_each_entry_rcu(ca, &xtcp_cong_list, list)
		off += scnprintf((char *)tbl.data + off, tbl.maxlen - off,
				 "%s%s", off ? " " : "", ca->name);
	rcu_read_unlock();
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	kfree(tbl.data);
	return err;
}

static const struct ctl_table xtcp_cong_sysctl_template[] = {
	{
		.procname	= "congestion_control",
		.maxlen		= XTCP_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_proc_ca_default,
	},
	{
		.procname	= "available_congestion_control",
		.maxlen		= 256,
		.mode		= 0444,
		.proc_handler	= xtcp_proc_ca_available,
	},
	{
		/* RFC 6928 §2: initial window in segments */
		.procname	= "initial_cwnd",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_max_init_cwnd,
	},
	{
		/* RFC 5681 §4.1: restart from the initial window after idle */
		.procname	= "slow_start_after_idle",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{ }
};

/**
 * xtcp_cong_init_net() - defaults and sysctls of a new namespace
 * @net: namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_cong_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;

	spin_lock_init(&xn->ca_lock);
	strscpy(xn->ca_default, XTCP_DEFAULT_CA, sizeof(xn->ca_default));
	xn->initial_cwnd = XTCP_INIT_CWND;
	xn->slow_start_after_idle = 1;

	table = kmemdup(xtcp_cong_sysctl_template,
			sizeof(xtcp_cong_sysctl_template), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	table[0].data = xn;
	table[1].data = xn;
	table[2].data = &xn->initial_cwnd;
	table[3].data = &xn->slow_start_after_idle;
	xn->cc_sysctl_hdr = register_net_sysctl(net, "net/xtcp", table);
	if (!xn->cc_sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_cong_exit_net() - unregister the namespace's sysctls
 * @net: namespace
 */
void xtcp_cong_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;

	if (!xn->cc_sysctl_hdr)
		return;
	table = xn->cc_sysctl_hdr->ctl_table_arg;
	unregister_net_sysctl_table(xn->cc_sysctl_hdr);
	xn->cc_sysctl_hdr = NULL;
	kfree(table);
}

/**
 * xtcp_cong_module_init() - register the built-in algorithms
 *
 * CUBIC first: it is the default, as in Linux.
 *
 * Return: 0 or a negative errno.
 */
int xtcp_cong_module_init(void)
{
	int err;

	err = xtcp_cong_register(&xtcp_cubic);
	if (err)
		return err;
	err = xtcp_cong_register(&xtcp_newreno);
	if (err)
		xtcp_cong_unregister(&xtcp_cubic);
	return err;
}

/**
 * xtcp_cong_module_exit() - withdraw the built-in algorithms
 */
void xtcp_cong_module_exit(void)
{
	xtcp_cong_unregister(&xtcp_newreno);
	xtcp_cong_unregister(&xtcp_cubic);
}
