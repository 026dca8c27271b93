// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP module entry: init/exit with full unwind, registration of the
 * AF_XTCP family, the AF_INET protosw, the IP protocol handler and the
 * per-netns state, and the proto/proto_ops tables that tie them together.
 */
#define pr_fmt(fmt) "xtcp: " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/init.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/protocol.h>
#include <net/ip.h>
#include <net/net_namespace.h>

#include "xtcp.h"
#include "xtcp_sock.h"

static int family = AF_XTCP;
module_param(family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_XTCP (default 18)");

unsigned int xtcp_net_id __read_mostly;

static DEFINE_PER_CPU(unsigned int, xtcp_orphan_count);

struct proto xtcp_prot = {
	.name			= "XTCP",
	.owner			= THIS_MODULE,
	.close			= xtcp_close,
	.connect		= xtcp_v4_connect,
	.disconnect		= xtcp_disconnect,
	.accept			= inet_csk_accept,
	.ioctl			= xtcp_ioctl,
	.init			= xtcp_init_sock,
	.destroy		= xtcp_destroy_sock,
	.shutdown		= xtcp_shutdown,
	.keepalive		= xtcp_set_keepalive,
	.setsockopt		= xtcp_setsockopt,
	.getsockopt		= xtcp_getsockopt,
	.sendmsg		= xtcp_sendmsg,
	.recvmsg		= xtcp_recvmsg,
	.backlog_rcv		= xtcp_v4_do_rcv,
	.release_cb		= xtcp_release_cb,
	.hash			= inet_hash,
	.unhash			= inet_unhash,
	.get_port		= inet_csk_get_port,
	.orphan_count		= &xtcp_orphan_count,
	.memory_allocated	= &xtcp_memory_allocated,
	.per_cpu_fw_alloc	= &xtcp_memory_per_cpu_fw_alloc,
	.memory_pressure	= &xtcp_memory_pressure,
	.enter_memory_pressure	= xtcp_enter_memory_pressure,
	.leave_memory_pressure	= xtcp_leave_memory_pressure,
	.sockets_allocated	= &xtcp_sockets_allocated,
	.sysctl_mem		= xtcp_sysctl_mem,
	.sysctl_wmem		= xtcp_sysctl_wmem,
	.sysctl_rmem		= xtcp_sysctl_rmem,
	.max_header		= XTCP_MAX_HEADER,
	.obj_size		= sizeof(struct xtcp_sock),
	.slab_flags		= SLAB_TYPESAFE_BY_RCU,
	.rsk_prot		= &xtcp_request_sock_ops,
	.twsk_prot		= &xtcp_timewait_sock_ops,
	.h.hashinfo		= &xtcp_hashinfo,
};

static const struct proto_ops xtcp_stream_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= xtcp_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= sock_common_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

static struct inet_protosw xtcp_protosw = {
	.type		= SOCK_STREAM,
	.protocol	= IPPROTO_XTCP,
	.prot		= &xtcp_prot,
	.ops		= &xtcp_stream_ops,
	.flags		= INET_PROTOSW_ICSK,
};

static const struct net_protocol xtcp_protocol = {
	.handler	= xtcp_v4_rcv,
	.err_handler	= xtcp_v4_err,
	.no_policy	= 1,
};

/*
 * AF_XTCP sockets are AF_INET sockets of XTCP's protosw: this performs the
 * generic inet setup that inet_create() does for the AF_INET path and then
 * runs the same proto init, so both paths yield identical sockets.
 */
static int xtcp_family_create(struct net *net, struct socket *sock,
			      int protocol, int kern)
{
	struct inet_sock *inet;
	struct sock *sk;
	int err;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != IPPROTO_XTCP)
		return -EPROTONOSUPPORT;

	sock->state = SS_UNCONNECTED;
	sk = sk_alloc(net, PF_INET, GFP_KERNEL, &xtcp_prot, kern);
	if (!sk)
		return -ENOBUFS;

	sock->ops = &xtcp_stream_ops;
	inet = inet_sk(sk);
	inet->is_icsk = 1;
	inet_init_csk_locks(sk);
	inet->nodefrag = 0;
	if (READ_ONCE(net->ipv4.sysctl_ip_no_pmtu_disc))
		inet->pmtudisc = IP_PMTUDISC_DONT;
	else
		inet->pmtudisc = IP_PMTUDISC_WANT;
	atomic_set(&inet->inet_id, 0);

	sock_init_data(sock, sk);
	sk->sk_destruct = inet_sock_destruct;
	sk->sk_protocol = IPPROTO_XTCP;
	sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv;
	sk->sk_txrehash = READ_ONCE(net->core.sysctl_txrehash);

	inet->uc_ttl = -1;
	inet->mc_loop = 1;
	inet->mc_ttl = 1;
	inet->mc_all = 1;
	inet->mc_index = 0;
	inet->mc_list = NULL;
	inet->rcv_tos = 0;

	err = sk->sk_prot->init(sk);
	if (err)
		sk_common_release(sk);
	return err;
}

static struct net_proto_family xtcp_family_ops = {
	.create	= xtcp_family_create,
	.owner	= THIS_MODULE,
};

static int __net_init xtcp_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	xn->msl_ms = 30000;
	xn->syn_retries = 6;
	xn->fin_timeout_ms = 60000;
	xn->rfc1337 = 1;
	xn->challenge_ack_limit = 1000;
	xn->rst_limit = 1000;
	xn->rto_min_ms = XTCP_RTO_MIN_MS;
	xn->rto_max_ms = XTCP_RTO_MAX_MS;
	xn->rto_initial_ms = XTCP_RTO_INIT_MS;
	xn->retries2 = XTCP_RETRIES2;
	xn->orphan_retries = 0;
	xn->keepalive_time_ms = XTCP_KEEPALIVE_TIME_MS;
	xn->keepalive_intvl_ms = XTCP_KEEPALIVE_INTVL_MS;
	xn->keepalive_probes = XTCP_KEEPALIVE_PROBES;
	xn->delack_ms = XTCP_DELACK_MS;
	xn->timestamps = 1;
	xn->sack = 1;
	xn->dsack = 1;
	xn->ecn = XTCP_ECN_PASSIVE;
	xn->gso = 1;
	xn->moderate_buffers = 1;
	xn->rack_tlp = 1;
	xn->synack_retries = 5;
	xn->syncookies = 1;
	xn->abort_on_overflow = 0;
	xn->challenge_rl.window_start = jiffies;
	xn->rst_rl.window_start = jiffies;
	refcount_set(&xn->tw_death_row.tw_refcount, 1);
	xn->tw_death_row.hashinfo = &xtcp_hashinfo;
	xn->tw_death_row.sysctl_max_tw_buckets = 262144;

	xn->mib = alloc_percpu(struct xtcp_mib);
	if (!xn->mib)
		return -ENOMEM;
	err = inet_ctl_sock_create(&xn->ctl_sk, PF_INET, SOCK_RAW,
				   IPPROTO_XTCP, net);
	if (err)
		goto err_mib;

	err = xtcp_sysctl_init_net(net);
	if (err)
		goto err_ctl;
	err = xtcp_cong_init_net(net);
	if (err)
		goto err_sysctl;
	err = xtcp_proc_init_net(net);
	if (err)
		goto err_cong;
	return 0;

err_cong:
	xtcp_cong_exit_net(net);
err_sysctl:
	xtcp_sysctl_exit_net(net);
err_ctl:
	inet_ctl_sock_destroy(xn->ctl_sk);
err_mib:
	free_percpu(xn->mib);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	xtcp_proc_exit_net(net);
	xtcp_cong_exit_net(net);
	xtcp_sysctl_exit_net(net);
	inet_ctl_sock_destroy(xn->ctl_sk);
	free_percpu(xn->mib);
}

static void __net_exit xtcp_net_exit_batch(struct list_head *net_exit_list)
{
	struct net *net;

	/* TIME-WAIT and SYN-queue entries of dying namespaces go now */
	inet_twsk_purge(&xtcp_hashinfo);
	list_for_each_entry(net, net_exit_list, exit_list)
		WARN_ON_ONCE(!refcount_dec_and_test(&xtcp_pernet(net)->tw_death_row.tw_refcount));
}

static struct pernet_operations xtcp_net_ops = {
	.init		= xtcp_net_init,
	.exit		= xtcp_net_exit,
	.exit_batch	= xtcp_net_exit_batch,
	.id		= &xtcp_net_id,
	.size		= sizeof(struct xtcp_net),
};

static int __init xtcp_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct xtcp_skb_cb) > sizeof_field(struct sk_buff, cb));

	if (family <= 0 || family >= NPROTO || family == AF_INET ||
	    family == AF_INET6) {
		pr_err("family=%d is not a usable address family number (1..%d)\n",
		       family, NPROTO - 1);
		return -EINVAL;
	}
	xtcp_family_ops.family = family;

	err = xtcp_mem_init();
	if (err)
		goto out;
	/* tables before pernet state: /proc/net/xtcp reads them */
	err = xtcp_hashinfo_init();
	if (err)
		goto out_mem;
	err = xtcp_cong_module_init();
	if (err)
		goto out_hash;
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto out_cong;
	err = proto_register(&xtcp_prot, 1);
	if (err)
		goto out_pernet;
	err = xtcp_offload_init();
	if (err) {
		pr_err("IP protocol %d already has an offload handler\n",
		       IPPROTO_XTCP);
		goto out_proto;
	}
	err = inet_add_protocol(&xtcp_protocol, IPPROTO_XTCP);
	if (err) {
		pr_err("IP protocol %d already has a handler\n", IPPROTO_XTCP);
		goto out_offload;
	}
	inet_register_protosw(&xtcp_protosw);
	err = sock_register(&xtcp_family_ops);
	if (err) {
		pr_err("address family %d is already registered; load with family=N to choose a free number\n",
		       family);
		goto out_protosw;
	}
	pr_info("loaded: AF_XTCP=%d, IP protocol %d\n", family, IPPROTO_XTCP);
	return 0;

out_protosw:
	inet_unregister_protosw(&xtcp_protosw);
	inet_del_protocol(&xtcp_protocol, IPPROTO_XTCP);
	synchronize_net();
out_offload:
	xtcp_offload_exit();
out_proto:
	proto_unregister(&xtcp_prot);
out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
	rcu_barrier();
out_cong:
	xtcp_cong_module_exit();
out_hash:
	xtcp_hashinfo_destroy();
out_mem:
	xtcp_mem_exit();
out:
	return err;
}

static void __exit xtcp_exit(void)
{
	/* no new sockets and no new packets first */
	sock_unregister(family);
	inet_unregister_protosw(&xtcp_protosw);
	inet_del_protocol(&xtcp_protocol, IPPROTO_XTCP);
	synchronize_net();

	unregister_pernet_subsys(&xtcp_net_ops);
	proto_unregister(&xtcp_prot);
	rcu_barrier();
	/* every socket, and so every skb it sent, is gone */
	xtcp_offload_exit();
	xtcp_cong_module_exit();
	xtcp_hashinfo_destroy();
	xtcp_mem_exit();
	pr_info("unloaded\n");
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XTCP: a TCP-like reliable byte-stream transport on IP protocol 253");
MODULE_ALIAS_NETPROTO(AF_XTCP);
