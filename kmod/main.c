// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrt: route-based IPsec VPN gateway with cloud-style dynamic routing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "vpnrt.h"

unsigned int vpnrt_net_id __read_mostly;

/*
 * Gateways a netns may have: an unprivileged user namespace can make
 * gateways, and each pins a netdev and its tables. The administrator of
 * the host sets it (/sys/module/vpnrt/parameters/max_gateways); it holds
 * for every netns, and lowering it deletes nothing.
 */
unsigned int vpnrt_max_gateways __read_mostly = 256;
module_param_named(max_gateways, vpnrt_max_gateways, uint, 0644);
MODULE_PARM_DESC(max_gateways, "gateways per network namespace (default 256)");

/**
 * vpnrt_pernet() - vpnrt's state in a netns
 * @net: the netns
 *
 * Return: the state
 */
struct vpnrt_net *vpnrt_pernet(struct net *net)
{
	return net_generic(net, vpnrt_net_id);
}

static int __net_init vpnrt_net_init(struct net *net)
{
	struct vpnrt_net *vn = vpnrt_pernet(net);

	INIT_LIST_HEAD(&vn->gateways);
	vn->genid = 1;
	vpnrt_conn_net_init(vn);
	return 0;
}

/* queue every gateway of @net for unregistering, under RTNL */
static void net_gateways_kill(struct net *net, struct list_head *kill)
{
	struct vpnrt_gw *gw, *tmp;

	list_for_each_entry_safe(gw, tmp, &vpnrt_pernet(net)->gateways, net_link)
		unregister_netdevice_queue(gw->dev, kill);
}

/*
 * A dying netns loses its gateways before anything else goes: the tunnel
 * devices' own pernet exits (xfrm interfaces unregister theirs in the
 * core's first RTNL section, before any exit_batch) would otherwise reach
 * the conns one device at a time, each waiting for a grace period of its
 * own to stop its prober. Deleting the gateways first, each netns's
 * probers share one (vpnrt_conn_destroy_all()). No gateway can appear in
 * the netns afterwards: nothing in userspace holds it any more.
 */
static void __net_exit vpnrt_net_pre_exit(struct net *net)
{
	LIST_HEAD(kill);

	rtnl_lock();
	net_gateways_kill(net, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
}

/* what vpnrt_net_pre_exit() left, if anything; then the conn ids */
static void __net_exit vpnrt_net_exit_batch(struct list_head *net_list)
{
	struct net *net;
	LIST_HEAD(kill);

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list)
		net_gateways_kill(net, &kill);
	unregister_netdevice_many(&kill);
	list_for_each_entry(net, net_list, exit_list) {
		WARN_ON_ONCE(!xa_empty(&vpnrt_pernet(net)->conn_ids));
		xa_destroy(&vpnrt_pernet(net)->conn_ids);
	}
	rtnl_unlock();
}

static struct pernet_operations vpnrt_net_ops = {
	.init		= vpnrt_net_init,
	.pre_exit	= vpnrt_net_pre_exit,
	.exit_batch	= vpnrt_net_exit_batch,
	.id		= &vpnrt_net_id,
	.size		= sizeof(struct vpnrt_net),
};

/**
 * vpnrt_module_start() - the module's setup
 *
 * The module's setup and teardown. KUnit's request-path suite runs them itself
 * on kernels whose suites run before the module's init (6.1).
 *
 * Return: 0, or an error with nothing left set up
 */
int vpnrt_module_start(void)
{
	int err;

	err = vpnrt_routes_init();
	if (err)
		return err;
	err = vpnrt_health_init();
	if (err)
		goto err_routes;
	err = vpnrt_stale_init();
	if (err)
		goto err_health;
	err = register_pernet_device(&vpnrt_net_ops);
	if (err)
		goto err_stale;
	err = rtnl_link_register(&vpnrt_link_ops);
	if (err)
		goto err_pernet;
	err = vpnrt_conn_notifier_init();
	if (err)
		goto err_link;
	err = vpnrt_genl_init();
	if (err)
		goto err_notifier;
	vpnrt_bench_init();
	pr_info("generic netlink family %s version %u registered\n",
		VPNRT_GENL_NAME, VPNRT_GENL_VERSION);
	return 0;

err_notifier:
	vpnrt_conn_notifier_exit();
err_link:
	rtnl_link_unregister(&vpnrt_link_ops);
err_pernet:
	unregister_pernet_device(&vpnrt_net_ops);
err_stale:
	vpnrt_stale_exit();
err_health:
	vpnrt_health_exit();
err_routes:
	vpnrt_routes_exit();
	return err;
}

/**
 * vpnrt_module_stop() - the module's teardown: every gateway goes, then the
 * rest
 */
void vpnrt_module_stop(void)
{
	vpnrt_bench_exit();
	vpnrt_genl_exit();
	rtnl_link_unregister(&vpnrt_link_ops);	/* deletes every gateway */
	vpnrt_conn_notifier_exit();
	unregister_pernet_device(&vpnrt_net_ops);
	vpnrt_stale_exit();	/* every gateway is gone: no sweep is due */
	vpnrt_health_exit();
	vpnrt_routes_exit();
}

static int __init vpnrt_init(void)
{
	return vpnrt_module_start();
}

static void __exit vpnrt_exit(void)
{
	vpnrt_module_stop();
}

module_init(vpnrt_init);
module_exit(vpnrt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based IPsec VPN gateway with dynamic routing");
MODULE_AUTHOR("The vpnrt developers");
MODULE_ALIAS_GENL_FAMILY(VPNRT_GENL_NAME);
MODULE_ALIAS_RTNL_LINK(VPNRT_LINK_KIND);
