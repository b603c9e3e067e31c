// SPDX-License-Identifier: GPL-2.0
/*
 * Connections and their tunnels. A tunnel is an existing L3 tunnel device
 * in the gateway's netns; the connection holds a tracked reference until
 * the device goes away, and follows its state through the netdevice
 * notifier: a deleted or downed tunnel stops carrying traffic at once.
 */
#include <linux/jhash.h>
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

/*
 * The netns indexes conns by id (an xarray, which also hands out free
 * ids), by name and bound tunnels by ifindex (hash tables): the netdevice
 * notifier, which sees every event of every device, finds a tunnel's conn
 * in O(1).
 */

/**
 * vpnrt_conn_net_init() - empty indexes for a new netns
 * @vn: its vpnrt state
 */
void vpnrt_conn_net_init(struct vpnrt_net *vn)
{
	xa_init_flags(&vn->conn_ids, XA_FLAGS_ALLOC1);
	hash_init(vn->conn_names);
	hash_init(vn->tunnels);
}

static u32 name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/**
 * vpnrt_conn_by_name() - the conn of @net named @name
 * @net: the netns
 * @name: the name
 *
 * Return: the conn, or NULL.
 */
struct vpnrt_conn *vpnrt_conn_by_name(struct net *net, const char *name)
{
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct vpnrt_conn *c;

	ASSERT_RTNL();
	hash_for_each_possible(vn->conn_names, c, name_link, name_hash(name))
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/**
 * vpnrt_conn_by_id() - the conn of @net with id @id
 * @net: the netns
 * @id: the id
 *
 * Return: the conn, or NULL.
 */
struct vpnrt_conn *vpnrt_conn_by_id(struct net *net, u32 id)
{
	ASSERT_RTNL();
	return xa_load(&vpnrt_pernet(net)->conn_ids, id);
}

static struct vpnrt_conn *conn_by_tunnel(struct net *net,
					 const struct net_device *dev,
					 unsigned int *idx)
{
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct vpnrt_tunnel *t;

	hash_for_each_possible(vn->tunnels, t, dev_link, dev->ifindex)
		if (rtnl_dereference(t->dev) == dev) {
			if (idx)
				*idx = t - t->conn->tun;
			return t->conn;
		}
	return NULL;
}

/* @t is bound to @dev now (it held no device) */
static void tunnel_hash(struct vpnrt_tunnel *t, struct net_device *dev)
{
	hash_add(vpnrt_pernet(dev_net(dev))->tunnels, &t->dev_link,
		 dev->ifindex);
}

/**
 * vpnrt_tunnel_check_dev() - whether @dev may be a tunnel of a connection of
 * @gwdev
 * @gwdev: the gateway
 * @dev: the device
 * @extack: where a rejection says why
 *
 * Return: 0, or an error with an extack: @dev is a gateway (-EINVAL), not an
 * L3 tunnel (-EINVAL), or another connection's tunnel (-EBUSY)
 */
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

/**
 * vpnrt_conn_free() - free @c now
 * @c: a conn no reader can reach, with no route left on its list
 */
void vpnrt_conn_free(struct vpnrt_conn *c)
{
	unsigned int i;

	for (i = 0; i < VPNRT_MAX_TUNNELS; i++)
		free_percpu(c->tun[i].stats);
	kfree(c);
}

/**
 * vpnrt_conn_create() - create a connection on @gw over checked tunnels
 * @gw: its gateway
 * @name: its name, unique in the netns (the caller checked)
 * @id: its id, unique in the netns (the caller checked), or 0: the
 *	lowest free one
 * @tdev: its tunnel devices
 * @n_tunnels: how many
 * @extack: for errors
 *
 * The gateway's quota is the caller's to check.
 *
 * Return: the conn, or an ERR_PTR().
 */
struct vpnrt_conn *vpnrt_conn_create(struct vpnrt_gw *gw, const char *name,
				     u32 id, struct net_device **tdev,
				     unsigned int n_tunnels,
				     struct netlink_ext_ack *extack)
{
	struct vpnrt_net *vn = vpnrt_pernet(dev_net(gw->dev));
	struct vpnrt_conn *c;
	unsigned int i;
	int err;

	ASSERT_RTNL();
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n_tunnels; i++) {
		c->tun[i].stats = __netdev_alloc_pcpu_stats(struct vpnrt_tstats,
							    GFP_KERNEL_ACCOUNT);
		if (!c->tun[i].stats) {
			vpnrt_conn_free(c);
			return ERR_PTR(-ENOMEM);
		}
	}
	strscpy(c->name, name, sizeof(c->name));
	if (id) {
		err = xa_insert(&vn->conn_ids, id, c, GFP_KERNEL_ACCOUNT);
	} else {
		err = xa_alloc(&vn->conn_ids, &id, c, xa_limit_32b,
			       GFP_KERNEL_ACCOUNT);
		if (err == -EBUSY)
			NL_SET_ERR_MSG(extack, "no conn id left");
	}
	if (err) {
		vpnrt_conn_free(c);
		return ERR_PTR(err);
	}
	c->id = id;
	hash_add(vn->conn_names, &c->name_link, name_hash(c->name));
	c->gw = gw;
	c->n_tunnels = n_tunnels;
	INIT_LIST_HEAD(&c->routes);
	for (i = 0; i < n_tunnels; i++) {
		struct vpnrt_tunnel *t = &c->tun[i];

		t->conn = c;
		netdev_hold(tdev[i], &t->dev_tracker, GFP_KERNEL);
		rcu_assign_pointer(t->dev, tdev[i]);
		tunnel_hash(t, tdev[i]);
		t->ifindex = tdev[i]->ifindex;
		strscpy(t->ifname, tdev[i]->name, sizeof(t->ifname));
		t->down = link_down(tdev[i]);
	}
	list_add_tail(&c->gw_link, &gw->conns);
	gw->n_conns++;
	return c;
}

/*
 * Begin stopping @c's probers and taking its receive handlers off; true
 * if one needs a grace period.
 */
static bool conn_health_stop_begin(struct vpnrt_conn *c)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < c->n_tunnels; i++) {
		any |= vpnrt_health_stop_begin(c, i);
		any |= vpnrt_rx_detach_begin(&c->tun[i], true);
	}
	return any;
}

/* after vpnrt_conn_destroy_begin() and a grace period: out of @c's gateway */
static void conn_release(struct vpnrt_conn *c)
{
	unsigned int i;

	for (i = 0; i < c->n_tunnels; i++) {
		struct vpnrt_tunnel *t = &c->tun[i];
		struct net_device *dev = rtnl_dereference(t->dev);

		vpnrt_health_stop_end(c, i);
		vpnrt_rx_detach_end(t);
		if (dev) {
			hash_del(&t->dev_link);
			RCU_INIT_POINTER(t->dev, NULL);
			netdev_put(dev, &t->dev_tracker);
		}
	}
	xa_erase(&vpnrt_pernet(dev_net(c->gw->dev))->conn_ids, c->id);
	hash_del(&c->name_link);
	list_del(&c->gw_link);
	c->gw->n_conns--;
	vpnrt_conn_reap(c);
}

/**
 * vpnrt_conn_destroy() - delete @c with its routes and probers
 * @c: out of the lookup tables at once (O(its routes), yielding the CPU
 *	every VPNRT_CHUNK), probers stopped with one grace period for all;
 *	the memory goes after one more, shared with other deletions
 */
void vpnrt_conn_destroy(struct vpnrt_conn *c)
{
	ASSERT_RTNL();
	vpnrt_stale_cancel_conn(c);
	vpnrt_route_unpublish_conn(c);
	if (conn_health_stop_begin(c))
		synchronize_net();
	conn_release(c);
}

/**
 * vpnrt_conn_destroy_all() - delete every conn of @gw, whose tables are
 * unpublished already (vpnrt_table_unpublish())
 * @gw: the gateway going; O(conns + tunnels) under RTNL: one grace
 *	period for every prober, and the routes go with their conns
 *	(vpnrt_conn_reap()), freed by a work item
 */
void vpnrt_conn_destroy_all(struct vpnrt_gw *gw)
{
	struct vpnrt_conn *c, *tmp;
	bool any = false;

	ASSERT_RTNL();
	list_for_each_entry(c, &gw->conns, gw_link)
		any |= conn_health_stop_begin(c);
	if (any)
		synchronize_net();
	list_for_each_entry_safe(c, tmp, &gw->conns, gw_link)
		conn_release(c);
	gw->n_static = 0;
	gw->n_policy = 0;
	gw->n_bgp = 0;
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

/**
 * vpnrt_conn_set_down() - set or clear one reason for a connection to be down
 * @c: the connection
 * @bit: the reason, VPNRT_DOWN_*
 * @on: set or clear it
 *
 * The lookup reads the word without a lock: one flip takes the connection out
 * of use or back.
 */
void vpnrt_conn_set_down(struct vpnrt_conn *c, unsigned long bit, bool on)
{
	down_set(&c->down, bit, on);
}

/**
 * vpnrt_tunnel_set_down() - set or clear one reason for a tunnel to be down
 * @t: the tunnel
 * @bit: the reason, VPNRT_DOWN_*
 * @on: set or clear it
 *
 * The lookup reads the word without a lock: one flip takes the tunnel out of
 * use or back.
 */
void vpnrt_tunnel_set_down(struct vpnrt_tunnel *t, unsigned long bit, bool on)
{
	down_set(&t->down, bit, on);
}

/**
 * vpnrt_tunnel_down_reason() - why a tunnel is down
 * @t: the tunnel
 *
 * Return: its VPNRT_DOWN_* bits, 0 if it is usable
 */
u32 vpnrt_tunnel_down_reason(const struct vpnrt_tunnel *t)
{
	return READ_ONCE(t->down);
}

/**
 * vpnrt_conn_ike_sync() - the connection's IKE state from its tunnels'
 * @c: the connection, under RTNL, after its tunnels' bits changed
 *
 * IKE state is per tunnel (its SA); the connection has VPNRT_DOWN_IKE while
 * every tunnel of an IKE-managed connection has it, which is what the
 * connection-level IKE state reports. Under RTNL, after the tunnels' bits
 * changed.
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

/**
 * vpnrt_conn_down_reason() - why a connection cannot carry
 * @c: the connection
 *
 * The connection's own reasons, plus NO_TUNNEL if no tunnel can carry. While
 * the connection is IKE down (every tunnel is), the tunnels' IKE reason is the
 * connection's and does not count again: a connection whose SAs are all down
 * reports IKE alone, as it did before IKE state was per tunnel.
 *
 * Return: its VPNRT_DOWN_* bits, 0 if it can carry
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

/**
 * vpnrt_tunnel_rebind() - bind a tunnel to another device
 * @c: the connection, under RTNL
 * @idx: the tunnel
 * @dev: the device, checked by vpnrt_tunnel_check_dev()
 *
 * Bind conn->tun[idx] to @dev, checked by the caller (vpnrt_tunnel_check_dev),
 * in place of its device, if it still has one. Its prober, if any, must be
 * stopped already, and its receive handler off its device. The IKE state,
 * counters and routes stay: they belong to the tunnel, not to the device.
 */
void vpnrt_tunnel_rebind(struct vpnrt_conn *c, unsigned int idx,
			 struct net_device *dev)
{
	struct vpnrt_tunnel *t = &c->tun[idx];
	struct net_device *old = rtnl_dereference(t->dev);
	netdevice_tracker tracker;

	ASSERT_RTNL();
	WARN_ON_ONCE(t->health || t->rx_dev);
	netdev_hold(dev, &tracker, GFP_KERNEL);
	if (old)
		hash_del(&t->dev_link);
	rcu_assign_pointer(t->dev, dev);
	tunnel_hash(t, dev);
	if (old)
		netdev_put(old, &t->dev_tracker);
	t->dev_tracker = tracker;
	t->ifindex = dev->ifindex;
	strscpy(t->ifname, dev->name, sizeof(t->ifname));
	vpnrt_tunnel_set_down(t, VPNRT_DOWN_LINK, link_down(dev));
	vpnrt_tunnel_set_down(t, VPNRT_DOWN_NO_DEVICE, false);
}

/**
 * vpnrt_tunnel_stats() - a tunnel's counters, summed over the CPUs
 * @t: the tunnel
 * @packets: packets sent into it
 * @bytes: their bytes
 * @errors: packets it refused
 */
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
	bool wait;

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
		/* prober and receive handler: one grace period for both */
		wait = vpnrt_health_stop_begin(c, i);
		wait |= vpnrt_rx_detach_begin(t, true);
		if (wait)
			synchronize_net();
		vpnrt_health_stop_end(c, i);
		vpnrt_rx_detach_end(t);
		vpnrt_tunnel_set_down(t, VPNRT_DOWN_NO_DEVICE, true);
		hash_del(&t->dev_link);
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

/**
 * vpnrt_conn_notifier_init() - follow the tunnel devices' changes (netdevice
 * notifier)
 *
 * Return: 0 or the error of registering
 */
int vpnrt_conn_notifier_init(void)
{
	return register_netdevice_notifier(&vpnrt_netdev_nb);
}

/**
 * vpnrt_conn_notifier_exit() - stop following the tunnel devices
 */
void vpnrt_conn_notifier_exit(void)
{
	unregister_netdevice_notifier(&vpnrt_netdev_nb);
}
