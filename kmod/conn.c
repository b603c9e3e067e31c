// SPDX-License-Identifier: GPL-2.0
/*
 * Connections and their tunnels. A tunnel is an existing L3 tunnel device
 * in the gateway's netns; the connection holds a tracked reference until
 * the device goes away, and follows its state through the netdevice
 * notifier: a deleted or downed tunnel stops carrying traffic at once.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/rtnetlink.h>

#include "vpnrt.h"

/* link kinds that carry bare IP packets and can be a connection's tunnel */
static const char * const tunnel_kinds[] = {
	"xfrm", "vti", "vti6", "gre", "ip6gre", "ipip", "ip6tnl", "sit",
	"wireguard",
};

static bool tunnel_kind_ok(const struct net_device *dev)
{
	unsigned int i;

	if (!dev->rtnl_link_ops)
		return false;
	for (i = 0; i < ARRAY_SIZE(tunnel_kinds); i++)
		if (!strcmp(dev->rtnl_link_ops->kind, tunnel_kinds[i]))
			return true;
	return false;
}

struct vpnrt_conn *vpnrt_conn_by_name(struct net *net, const char *name)
{
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct vpnrt_conn *c;
	struct vpnrt_gw *gw;

	list_for_each_entry(gw, &vn->gateways, net_link)
		list_for_each_entry(c, &gw->conns, gw_link)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

struct vpnrt_conn *vpnrt_conn_by_id(struct net *net, u32 id)
{
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct vpnrt_conn *c;
	struct vpnrt_gw *gw;

	list_for_each_entry(gw, &vn->gateways, net_link)
		list_for_each_entry(c, &gw->conns, gw_link)
			if (c->id == id)
				return c;
	return NULL;
}

static struct vpnrt_conn *conn_by_tunnel(struct net *net,
					 const struct net_device *dev,
					 unsigned int *idx)
{
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct vpnrt_conn *c;
	struct vpnrt_gw *gw;
	unsigned int i;

	list_for_each_entry(gw, &vn->gateways, net_link)
		list_for_each_entry(c, &gw->conns, gw_link)
			for (i = 0; i < c->n_tunnels; i++)
				if (rtnl_dereference(c->tun[i].dev) == dev) {
					if (idx)
						*idx = i;
					return c;
				}
	return NULL;
}

int vpnrt_tunnel_check_dev(struct net_device *gwdev, struct net_device *dev,
			   struct netlink_ext_ack *extack)
{
	struct vpnrt_conn *other;

	if (vpnrt_is_gw(dev)) {
		NL_SET_ERR_MSG_FMT(extack, "tunnel %s is a vpnrt gateway, not a tunnel",
				   dev->name);
		return -EINVAL;
	}
	if (!tunnel_kind_ok(dev)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s is not an L3 tunnel (xfrm, vti, gre, ipip, wireguard...)",
				   dev->name);
		return -EINVAL;
	}
	other = conn_by_tunnel(dev_net(gwdev), dev, NULL);
	if (other) {
		NL_SET_ERR_MSG_FMT(extack, "tunnel %s is already used by conn %s",
				   dev->name, other->name);
		return -EBUSY;
	}
	return 0;
}

static unsigned long link_down(const struct net_device *dev)
{
	return netif_running(dev) && netif_carrier_ok(dev) ? 0 : VPNRT_DOWN_LINK;
}

/* lowest id not in use in the netns */
static u32 free_id(struct net *net)
{
	u32 id = 1;

	while (vpnrt_conn_by_id(net, id))
		id++;
	return id;
}

static void conn_free(struct vpnrt_conn *c)
{
	unsigned int i;

	for (i = 0; i < VPNRT_MAX_TUNNELS; i++)
		free_percpu(c->tun[i].stats);
	kfree(c);
}

static void conn_free_rcu(struct rcu_head *rcu)
{
	conn_free(container_of(rcu, struct vpnrt_conn, rcu));
}

/*
 * Create a connection on @gw over @n_tunnels checked tunnel devices. Name
 * and id uniqueness and the gateway's quota are the caller's to check.
 */
struct vpnrt_conn *vpnrt_conn_create(struct vpnrt_gw *gw, const char *name,
				     u32 id, struct net_device **tdev,
				     unsigned int n_tunnels,
				     struct netlink_ext_ack *extack)
{
	struct net *net = dev_net(gw->dev);
	struct vpnrt_conn *c;
	unsigned int i;

	ASSERT_RTNL();
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n_tunnels; i++) {
		c->tun[i].stats = __netdev_alloc_pcpu_stats(struct vpnrt_tstats,
							    GFP_KERNEL_ACCOUNT);
		if (!c->tun[i].stats) {
			conn_free(c);
			return ERR_PTR(-ENOMEM);
		}
	}
	strscpy(c->name, name, sizeof(c->name));
	c->id = id ? id : free_id(net);
	c->gw = gw;
	c->n_tunnels = n_tunnels;
	INIT_LIST_HEAD(&c->routes);
	for (i = 0; i < n_tunnels; i++) {
		struct vpnrt_tunnel *t = &c->tun[i];

		netdev_hold(tdev[i], &t->dev_tracker, GFP_KERNEL);
		rcu_assign_pointer(t->dev, tdev[i]);
		t->ifindex = tdev[i]->ifindex;
		strscpy(t->ifname, tdev[i]->name, sizeof(t->ifname));
		t->down = link_down(tdev[i]);
	}
	list_add_tail(&c->gw_link, &gw->conns);
	gw->n_conns++;
	return c;
}

/* routes first, then the tunnels; the memory goes after a grace period */
void vpnrt_conn_destroy(struct vpnrt_conn *c)
{
	unsigned int i;

	ASSERT_RTNL();
	vpnrt_stale_cancel_conn(c);
	vpnrt_route_flush_conn(c);
	list_del(&c->gw_link);
	c->gw->n_conns--;
	for (i = 0; i < c->n_tunnels; i++) {
		struct vpnrt_tunnel *t = &c->tun[i];
		struct net_device *dev = rtnl_dereference(t->dev);

		vpnrt_health_stop(c, i);
		if (dev) {
			RCU_INIT_POINTER(t->dev, NULL);
			netdev_put(dev, &t->dev_tracker);
		}
	}
	call_rcu(&c->rcu, conn_free_rcu);
}

/*
 * Down bits change with atomic bit operations: the health prober flips its
 * bit from softirq while RTNL holders flip theirs. @bit is one VPNRT_DOWN_*.
 */
static void down_set(unsigned long *word, unsigned long bit, bool on)
{
	if (on)
		set_bit(__ffs(bit), word);
	else
		clear_bit(__ffs(bit), word);
}

void vpnrt_conn_set_down(struct vpnrt_conn *c, unsigned long bit, bool on)
{
	down_set(&c->down, bit, on);
}

void vpnrt_tunnel_set_down(struct vpnrt_tunnel *t, unsigned long bit, bool on)
{
	down_set(&t->down, bit, on);
}

u32 vpnrt_tunnel_down_reason(const struct vpnrt_tunnel *t)
{
	return READ_ONCE(t->down);
}

/*
 * IKE state is per tunnel (its SA); the connection has VPNRT_DOWN_IKE
 * while every tunnel of an IKE-managed connection has it, which is what
 * the connection-level IKE state reports. Under RTNL, after the tunnels'
 * bits changed.
 */
void vpnrt_conn_ike_sync(struct vpnrt_conn *c)
{
	bool all_down = c->ike_managed;
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < c->n_tunnels; i++)
		if (!(READ_ONCE(c->tun[i].down) & VPNRT_DOWN_IKE))
			all_down = false;
	vpnrt_conn_set_down(c, VPNRT_DOWN_IKE, all_down);
}

/*
 * The connection's own reasons, plus NO_TUNNEL if no tunnel can carry.
 * While the connection is IKE down (every tunnel is), the tunnels' IKE
 * reason is the connection's and does not count again: a connection
 * whose SAs are all down reports IKE alone, as it did before IKE state
 * was per tunnel.
 */
u32 vpnrt_conn_down_reason(const struct vpnrt_conn *c)
{
	u32 why = READ_ONCE(c->down);
	u32 mask = why & VPNRT_DOWN_IKE ? ~(u32)VPNRT_DOWN_IKE : ~0U;
	unsigned int i;

	for (i = 0; i < c->n_tunnels; i++)
		if (!(READ_ONCE(c->tun[i].down) & mask))
			return why;
	return why | VPNRT_DOWN_NO_TUNNEL;
}

/*
 * Bind conn->tun[idx] to @dev, checked by the caller (vpnrt_tunnel_check_dev),
 * in place of its device, if it still has one. Its prober, if any, must be
 * stopped already. The IKE state, counters and routes stay: they belong to
 * the tunnel, not to the device.
 */
void vpnrt_tunnel_rebind(struct vpnrt_conn *c, unsigned int idx,
			 struct net_device *dev)
{
	struct vpnrt_tunnel *t = &c->tun[idx];
	struct net_device *old = rtnl_dereference(t->dev);
	netdevice_tracker tracker;

	ASSERT_RTNL();
	WARN_ON_ONCE(t->health);
	netdev_hold(dev, &tracker, GFP_KERNEL);
	rcu_assign_pointer(t->dev, dev);
	if (old)
		netdev_put(old, &t->dev_tracker);
	t->dev_tracker = tracker;
	t->ifindex = dev->ifindex;
	strscpy(t->ifname, dev->name, sizeof(t->ifname));
	vpnrt_tunnel_set_down(t, VPNRT_DOWN_LINK, link_down(dev));
	vpnrt_tunnel_set_down(t, VPNRT_DOWN_NO_DEVICE, false);
}

void vpnrt_tunnel_stats(const struct vpnrt_tunnel *t, u64 *packets, u64 *bytes,
			u64 *errors)
{
	int cpu;

	*packets = *bytes = *errors = 0;
	for_each_possible_cpu(cpu) {
		const struct vpnrt_tstats *s = per_cpu_ptr(t->stats, cpu);
		u64 p, b, e;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
			e = u64_stats_read(&s->errors);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*packets += p;
		*bytes += b;
		*errors += e;
	}
}

static int vpnrt_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vpnrt_tunnel *t;
	struct vpnrt_conn *c;
	unsigned int i;
	u32 before;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGENAME:
	case NETDEV_UNREGISTER:
		break;
	default:
		return NOTIFY_DONE;
	}
	if (vpnrt_is_gw(dev))
		return NOTIFY_DONE;
	c = conn_by_tunnel(dev_net(dev), dev, &i);
	if (!c)
		return NOTIFY_DONE;
	t = &c->tun[i];
	before = vpnrt_conn_down_reason(c) | vpnrt_tunnel_down_reason(t);

	if (event == NETDEV_UNREGISTER) {
		vpnrt_health_stop(c, i);
		vpnrt_tunnel_set_down(t, VPNRT_DOWN_NO_DEVICE, true);
		RCU_INIT_POINTER(t->dev, NULL);
		netdev_put(dev, &t->dev_tracker);
	} else {
		strscpy(t->ifname, dev->name, sizeof(t->ifname));
		vpnrt_tunnel_set_down(t, VPNRT_DOWN_LINK, link_down(dev));
	}
	if (event == NETDEV_CHANGENAME ||
	    before != (vpnrt_conn_down_reason(c) | vpnrt_tunnel_down_reason(t)))
		vpnrt_notify_conn(c, VPNRT_CMD_CONN_SET);
	return NOTIFY_DONE;
}

static struct notifier_block vpnrt_netdev_nb = {
	.notifier_call = vpnrt_netdev_event,
};

int vpnrt_conn_notifier_init(void)
{
	return register_netdevice_notifier(&vpnrt_netdev_nb);
}

void vpnrt_conn_notifier_exit(void)
{
	unregister_netdevice_notifier(&vpnrt_netdev_nb);
}
