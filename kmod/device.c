// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway netdevice (link kind "vpnrt"). Kernel routes send VPN-bound
 * traffic to it; its transmit decides, per packet and without locks,
 * which connection and tunnel carries the flow, and hands the packet to
 * that tunnel device with the route it arrived with: the tunnel does not
 * route it again.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "vpnrt.h"

static const struct net_device_ops vpnrt_netdev_ops;

bool vpnrt_is_gw(const struct net_device *dev)
{
	return dev->netdev_ops == &vpnrt_netdev_ops;
}

struct vpnrt_gw *vpnrt_gw_by_ifindex(struct net *net, int ifindex)
{
	struct net_device *dev = __dev_get_by_index(net, ifindex);

	return dev && vpnrt_is_gw(dev) ? netdev_priv(dev) : NULL;
}

/* ports of TCP, UDP, UDP-Lite and SCTP sit in the same place */
static void flow_ports(struct sk_buff *skb, unsigned int off,
		       struct vpnrt_flow *fl)
{
	__be16 _ports[2];
	const __be16 *ports;

	if (!vpnrt_proto_has_ports(fl->proto))
		return;
	ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
	if (ports) {
		fl->sport = ports[0];
		fl->dport = ports[1];
	}
}

/*
 * The flow of @skb, and in *@thoff the offset of its transport header (0
 * if the flow has no protocol). Fragments hash on addresses only, so
 * that every fragment of a datagram takes the same path: only the first
 * carries the ports, and an IPv6 fragment after the first does not even
 * name the upper protocol (ipv6_skip_exthdr() stops at its fragment
 * header).
 */
static int flow_from_skb(struct sk_buff *skb, struct vpnrt_flow *fl,
			 unsigned int *thoff)
{
	memset(fl, 0, sizeof(*fl));
	*thoff = 0;
	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		const struct iphdr *iph;

		if (!pskb_network_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl < 5)
			return -EINVAL;
		fl->family = AF_INET;
		fl->src.ip = iph->saddr;
		fl->dst.ip = iph->daddr;
		if (ip_is_fragment(iph))
			return 0;
		fl->proto = iph->protocol;
		*thoff = skb_network_offset(skb) + iph->ihl * 4;
		flow_ports(skb, *thoff, fl);
		return 0;
	}
	case htons(ETH_P_IPV6): {
		const struct ipv6hdr *ip6h;
		__be16 frag_off = 0;
		u8 nexthdr;
		int off;

		if (!pskb_network_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		if (ip6h->version != 6)
			return -EINVAL;
		fl->family = AF_INET6;
		fl->src.ip6 = ip6h->saddr;
		fl->dst.ip6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				       &nexthdr, &frag_off);
		/* frag_off holds the M flag too: nonzero in every fragment */
		if (off < 0 || frag_off)
			return 0;
		fl->proto = nexthdr;
		*thoff = off;
		flow_ports(skb, off, fl);
		return 0;
	}
	}
	return -EPROTONOSUPPORT;
}

/*
 * The packet an ICMP error quotes, from @off: its flow as flow_from_skb()
 * would have read it, in @q. False if it is cut short or malformed.
 */
static bool quoted_flow(struct sk_buff *skb, unsigned int off, u16 family,
			struct vpnrt_flow *q)
{
	memset(q, 0, sizeof(*q));
	q->family = family;
	if (family == AF_INET) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			return false;
		q->src.ip = iph->saddr;
		q->dst.ip = iph->daddr;
		if (!ip_is_fragment(iph)) {
			q->proto = iph->protocol;
			flow_ports(skb, off + iph->ihl * 4, q);
		}
	} else {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		__be16 frag_off = 0;
		u8 nexthdr;
		int th;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return false;
		q->src.ip6 = ip6h->saddr;
		q->dst.ip6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		th = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr,
				      &frag_off);
		if (th >= 0 && !frag_off) {
			q->proto = nexthdr;
			flow_ports(skb, th, q);
		}
	}
	return true;
}

/*
 * An ICMP error goes back to the source of the packet it quotes, so it
 * belongs to the flow of that packet's replies: @hfl is that flow, for
 * the ECMP hash, so that the error takes the path its flow takes. False
 * if @skb (whose flow is @fl, transport header at @thoff) is no ICMP
 * error or quotes too little.
 */
static bool icmp_err_flow(struct sk_buff *skb, const struct vpnrt_flow *fl,
			  unsigned int thoff, struct vpnrt_flow *hfl)
{
	struct vpnrt_flow q;
	const u8 *type;
	u8 _type;

	if (fl->family == AF_INET ? fl->proto != IPPROTO_ICMP :
				    fl->proto != IPPROTO_ICMPV6)
		return false;
	type = skb_header_pointer(skb, thoff, sizeof(_type), &_type);
	if (!type || !(fl->family == AF_INET ? icmp_is_err(*type) :
					       icmpv6_is_err(*type)))
		return false;
	/* both ICMP headers are 8 bytes before the quoted packet */
	BUILD_BUG_ON(sizeof(struct icmphdr) != sizeof(struct icmp6hdr));
	if (!quoted_flow(skb, thoff + sizeof(struct icmphdr), fl->family, &q))
		return false;
	memset(hfl, 0, sizeof(*hfl));
	hfl->family = q.family;
	hfl->proto = q.proto;
	hfl->src = q.dst;
	hfl->dst = q.src;
	hfl->sport = q.dport;
	hfl->dport = q.sport;
	return true;
}

static void gstat_inc(struct vpnrt_gw *gw, size_t off)
{
	struct vpnrt_gstats *s = this_cpu_ptr(gw->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc((u64_stats_t *)((char *)s + off));
	u64_stats_update_end(&s->syncp);
}

static bool flow_is_multicast(const struct vpnrt_flow *fl)
{
	if (fl->family == AF_INET)
		return ipv4_is_multicast(fl->dst.ip) || ipv4_is_lbcast(fl->dst.ip);
	return ipv6_addr_is_multicast(&fl->dst.ip6);
}

#define GSTAT_INC(gw, field) gstat_inc(gw, offsetof(struct vpnrt_gstats, field))

static void send_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
	else if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
}

static netdev_tx_t vpnrt_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vpnrt_gw *gw = netdev_priv(dev);
	struct vpnrt_tunnel *t;
	struct vpnrt_path p;
	struct net_device *tdev;
	struct vpnrt_flow fl, qfl, *hfl = NULL;
	struct vpnrt_tstats *ts;
	unsigned int thoff;
	struct vpnrt_gstats *gs;
	unsigned int len;
	int ret;

	if (flow_from_skb(skb, &fl, &thoff)) {
		GSTAT_INC(gw, errors);
		goto drop;
	}
	/* routes are unicast; the device's own IPv6 chatter (MLD) ends here */
	if (flow_is_multicast(&fl))
		goto drop;

	if (unlikely(fl.proto == IPPROTO_ICMP || fl.proto == IPPROTO_ICMPV6) &&
	    icmp_err_flow(skb, &fl, thoff, &qfl))
		hfl = &qfl;

	rcu_read_lock();
	p = vpnrt_lookup(gw, &fl, hfl);
	if (!p.conn)
		goto no_route;
	t = &p.conn->tun[p.tunnel];
	tdev = rcu_dereference(t->dev);
	if (!tdev)
		goto no_route;
	if (p.fallback)
		GSTAT_INC(gw, fallback);

	len = skb->len;
	skb->dev = tdev;
	ret = dev_queue_xmit(skb);

	ts = this_cpu_ptr(t->stats);
	gs = this_cpu_ptr(gw->stats);
	u64_stats_update_begin(&ts->syncp);
	if (likely(net_xmit_eval(ret) == 0)) {
		u64_stats_inc(&ts->packets);
		u64_stats_add(&ts->bytes, len);
	} else {
		u64_stats_inc(&ts->errors);
	}
	u64_stats_update_end(&ts->syncp);
	u64_stats_update_begin(&gs->syncp);
	if (likely(net_xmit_eval(ret) == 0)) {
		u64_stats_inc(&gs->packets);
		u64_stats_add(&gs->bytes, len);
	} else {
		u64_stats_inc(&gs->errors);
	}
	u64_stats_update_end(&gs->syncp);
	rcu_read_unlock();
	return NETDEV_TX_OK;

no_route:
	rcu_read_unlock();
	GSTAT_INC(gw, no_route);
	send_unreachable(skb);
drop:
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

void vpnrt_gw_stats(const struct vpnrt_gw *gw, struct vpnrt_gstats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vpnrt_gstats *s = per_cpu_ptr(gw->stats, cpu);
		u64 p, b, n, f, e;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
			n = u64_stats_read(&s->no_route);
			f = u64_stats_read(&s->fallback);
			e = u64_stats_read(&s->errors);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		u64_stats_add(&sum->packets, p);
		u64_stats_add(&sum->bytes, b);
		u64_stats_add(&sum->no_route, n);
		u64_stats_add(&sum->fallback, f);
		u64_stats_add(&sum->errors, e);
	}
}

static void vpnrt_get_stats64(struct net_device *dev,
			      struct rtnl_link_stats64 *st)
{
	struct vpnrt_gw *gw = netdev_priv(dev);
	struct vpnrt_gstats sum;

	vpnrt_gw_stats(gw, &sum);
	st->tx_packets = u64_stats_read(&sum.packets);
	st->tx_bytes = u64_stats_read(&sum.bytes);
	st->tx_errors = u64_stats_read(&sum.errors);
	st->tx_dropped = DEV_STATS_READ(dev, tx_dropped);
	st->tx_carrier_errors = u64_stats_read(&sum.no_route);
}

static int vpnrt_dev_init(struct net_device *dev)
{
	struct vpnrt_gw *gw = netdev_priv(dev);

	gw->stats = __netdev_alloc_pcpu_stats(struct vpnrt_gstats,
					      GFP_KERNEL_ACCOUNT);
	if (!gw->stats)
		return -ENOMEM;
	vpnrt_pernet(dev_net(dev))->n_gateways++;	/* uninit: -- */
	return 0;
}

/* unregistering (ip link del, gateway del, netns exit): drop everything */
static void vpnrt_dev_uninit(struct net_device *dev)
{
	struct vpnrt_gw *gw = netdev_priv(dev);

	/*
	 * Lookups lose the tables first, in O(1); then conns and probers
	 * go in O(conns + tunnels), one grace period for all probers; the
	 * routes and trie nodes are freed after one more by work items.
	 */
	vpnrt_stale_cancel_gw(gw);
	vpnrt_table_unpublish(&gw->v4);
	vpnrt_table_unpublish(&gw->v6);
	vpnrt_conn_destroy_all(gw);
	vpnrt_pernet(dev_net(dev))->n_gateways--;
	list_del(&gw->net_link);
	vpnrt_pernet(dev_net(dev))->genid++;
}

static void vpnrt_dev_free(struct net_device *dev)
{
	struct vpnrt_gw *gw = netdev_priv(dev);

	free_percpu(gw->stats);
	gw->stats = NULL;
}

static const struct net_device_ops vpnrt_netdev_ops = {
	.ndo_init		= vpnrt_dev_init,
	.ndo_uninit		= vpnrt_dev_uninit,
	.ndo_start_xmit		= vpnrt_xmit,
	.ndo_get_stats64	= vpnrt_get_stats64,
};

#define VPNRT_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM | \
			NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE)

static void vpnrt_setup(struct net_device *dev)
{
	struct vpnrt_gw *gw = netdev_priv(dev);

	dev->netdev_ops = &vpnrt_netdev_ops;
	dev->header_ops = NULL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* keep the route the packet came with: the tunnel reuses it */
	netif_keep_dst(dev);
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU;
	dev->features |= VPNRT_FEATURES;
	dev->hw_features |= VPNRT_FEATURES;
	dev->hw_enc_features |= VPNRT_FEATURES;
	vpnrt_dev_set_lltx_local(dev);
	dev->needs_free_netdev = true;
	dev->priv_destructor = vpnrt_dev_free;

	memset(gw, 0, sizeof(*gw));
	gw->dev = dev;
	INIT_LIST_HEAD(&gw->conns);
	INIT_LIST_HEAD(&gw->net_link);
	INIT_LIST_HEAD(&gw->stale_timers);
	vpnrt_table_init(&gw->v4, AF_INET);
	vpnrt_table_init(&gw->v6, AF_INET6);
	get_random_bytes(&gw->hash_key, sizeof(gw->hash_key));
	gw->ecmp_hash = VPNRT_HASH_L4;
	gw->max_paths = VPNRT_MAX_PATHS;
	gw->max_conns = VPNRT_DEF_MAX_CONNS;
	gw->max_bgp_routes = VPNRT_DEF_MAX_BGP_ROUTES;
	gw->max_peer_routes = VPNRT_DEF_MAX_PEER_ROUTES;
	gw->max_policy_routes = VPNRT_DEF_MAX_POLICY_ROUTES;
	gw->max_routes = VPNRT_DEF_MAX_ROUTES;
}

static int vpnrt_register(struct net_device *dev,
			  struct netlink_ext_ack *extack)
{
	struct vpnrt_gw *gw = netdev_priv(dev);
	u32 max = READ_ONCE(vpnrt_max_gateways);
	int err;

	if (vpnrt_pernet(dev_net(dev))->n_gateways >= max) {
		NL_SET_ERR_MSG_FMT(extack,
				   "gateway quota of this netns reached (module parameter max_gateways %u)",
				   max);
		return -ENOSPC;
	}
	err = register_netdevice(dev);
	if (err)
		return err;
	list_add_tail(&gw->net_link, &vpnrt_pernet(dev_net(dev))->gateways);
	vpnrt_pernet(dev_net(dev))->genid++;
	return 0;
}

static int vpnrt_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	int err = vpnrt_register(dev, extack);

	if (!err)
		vpnrt_notify_gw(netdev_priv(dev), VPNRT_CMD_GW_NEW);
	return err;
}

static void vpnrt_dellink(struct net_device *dev, struct list_head *head)
{
	vpnrt_notify_gw(netdev_priv(dev), VPNRT_CMD_GW_DEL);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops vpnrt_link_ops __read_mostly = {
	.kind		= VPNRT_LINK_KIND,
	.priv_size	= sizeof(struct vpnrt_gw),
	.setup		= vpnrt_setup,
	.newlink	= vpnrt_newlink,
	.dellink	= vpnrt_dellink,
};

/* the genl way to make a gateway: like `ip link add NAME type vpnrt; up` */
int vpnrt_gw_create(struct net *net, const char *name, struct vpnrt_gw **out,
		    struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int err;

	ASSERT_RTNL();
	if (__dev_get_by_name(net, name)) {
		NL_SET_ERR_MSG_FMT(extack, "a device named %s exists", name);
		return -EEXIST;
	}
	dev = alloc_netdev(sizeof(struct vpnrt_gw), name, NET_NAME_USER,
			   vpnrt_setup);
	if (!dev)
		return -ENOMEM;
	dev_net_set(dev, net);
	dev->rtnl_link_ops = &vpnrt_link_ops;
	err = vpnrt_register(dev, extack);
	if (err) {
		free_netdev(dev);
		return err;
	}
	err = dev_change_flags(dev, dev->flags | IFF_UP, extack);
	if (err) {
		unregister_netdevice(dev);
		return err;
	}
	*out = netdev_priv(dev);
	return 0;
}

#ifdef VPNRT_KUNIT
#include "flow_test.c"
#endif
