// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway netdevice (link kind "vpnrt"). Kernel routes send VPN-bound
 * traffic to it; its transmit decides, per packet and without locks,
 * which connection and tunnel carries the flow, and hands the packet to
 * that tunnel device with the route it arrived with: the tunnel does not
 * route it again.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>
#include <net/tcp.h>

#include "vpnrt.h"

static const struct net_device_ops vpnrt_netdev_ops;

/**
 * vpnrt_is_gw() - whether @dev is a vpnrt gateway
 * @dev: a device
 *
 * Return: true for a gateway
 */
bool vpnrt_is_gw(const struct net_device *dev)
{
	return dev->netdev_ops == &vpnrt_netdev_ops;
}

/**
 * vpnrt_gw_by_ifindex() - the gateway of ifindex @ifindex in @net
 * @net: the netns, under RTNL
 * @ifindex: the gateway's ifindex
 *
 * Return: the gateway, or NULL if there is none of that ifindex
 */
struct vpnrt_gw *vpnrt_gw_by_ifindex(struct net *net, int ifindex)
{
	struct net_device *dev = __dev_get_by_index(net, ifindex);

	return dev && vpnrt_is_gw(dev) ? netdev_priv(dev) : NULL;
}

/**
 * vpnrt_gw_changed() - note a change of @gw's conns, routes or settings
 * for the dumps under way (NLM_F_DUMP_INTR)
 * @gw: the gateway, under RTNL
 *
 * A dump filtered by a gateway sees that gateway's generation, the others
 * the netns's (vpnrt_nl_dumpit()): a change on one gateway does not
 * interrupt a dump of another.
 */
void vpnrt_gw_changed(struct vpnrt_gw *gw)
{
	vpnrt_genid_bump(&gw->genid);
	vpnrt_genid_bump(&vpnrt_pernet(dev_net(gw->dev))->genid);
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

/**
 * vpnrt_flow_from_skb() - the flow of an IP packet
 * @skb: the packet, its network header set
 * @fl: its flow
 * @thoff: the offset of its transport header (0 if the flow has no
 *	protocol)
 *
 * Fragments hash on addresses only, so that every fragment of a datagram
 * takes the same path: only the first carries the ports, and an IPv6
 * fragment after the first does not even name the upper protocol
 * (ipv6_skip_exthdr() stops at its fragment header).
 *
 * Return: 0, -EINVAL for a malformed header, -EPROTONOSUPPORT if not IP
 */
int vpnrt_flow_from_skb(struct sk_buff *skb, struct vpnrt_flow *fl,
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
 * The packet an ICMP error quotes, from @off: its flow as vpnrt_flow_from_skb()
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

/**
 * vpnrt_icmp_err_flow() - the flow an ICMP error belongs to
 * @skb: the packet
 * @fl: its flow
 * @thoff: its transport header
 * @hfl: the flow of the quoted packet's replies
 *
 * An ICMP error goes back to the source of the packet it quotes, so it
 * belongs to the flow of that packet's replies: @hfl is that flow, for
 * the ECMP hash, so that the error takes the path its flow takes.
 *
 * Return: false if @skb is no ICMP error or quotes too little
 */
bool vpnrt_icmp_err_flow(struct sk_buff *skb, const struct vpnrt_flow *fl,
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

static bool flow_is_multicast(const struct vpnrt_flow *fl)
{
	if (fl->family == AF_INET)
		return ipv4_is_multicast(fl->dst.ip) || ipv4_is_lbcast(fl->dst.ip);
	return ipv6_addr_is_multicast(&fl->dst.ip6);
}

static void send_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
	else if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
}

/*
 * The MTU @skb of @family exceeds in a tunnel device of @mtu, or 0 if it
 * may go in: an IPv4 packet without DF is the tunnel's to fragment, and
 * IPv6 packets up to its minimum MTU of 1280 go into any tunnel (which
 * then fragments its outer packets). GSO packets are measured by the
 * segments they will be cut into.
 */
static unsigned int vpnrt_too_big(const struct sk_buff *skb, int family,
				  unsigned int mtu)
{
	if (family == AF_INET6)
		mtu = max_t(unsigned int, mtu, IPV6_MIN_MTU);
	else if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
		return 0;
	if (skb->len <= mtu || skb->ignore_df)
		return 0;
	if (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))
		return 0;
	return mtu;
}

/**
 * vpnrt_mss_target() - the MSS to clamp SYNs to
 * @clamp: the gateway's setting, not off
 * @family: the SYN's
 * @mtu: the MTU of the tunnel it goes into or came from
 *
 * Return: the setting, or for auto what a segment with IP and TCP headers
 * without options fits in (IPv6 at least 1280).
 */
u16 vpnrt_mss_target(u16 clamp, int family, unsigned int mtu)
{
	unsigned int hdrs = sizeof(struct tcphdr);

	if (clamp != VPNRT_MSS_CLAMP_AUTO)
		return clamp;
	if (family == AF_INET6) {
		mtu = max_t(unsigned int, mtu, IPV6_MIN_MTU);
		hdrs += sizeof(struct ipv6hdr);
	} else {
		hdrs += sizeof(struct iphdr);
	}
	return clamp_t(unsigned int, mtu - min(mtu, hdrs), TCP_MIN_MSS, U16_MAX);
}

/**
 * vpnrt_mss_clamp() - lower the MSS option of a SYN
 * @skb: a TCP segment, not shared
 * @thoff: where its TCP header is
 * @mss: the MSS
 *
 * Lower the MSS option of @skb to @mss if it is a SYN (or SYN-ACK)
 * announcing more, with an incremental checksum update. Any other segment
 * costs one read of its fixed header; only a SYN to change is written,
 * after unsharing its headers if they are cloned.
 *
 * Return: 1 if it did, 0 if not, -ENOMEM if the header could not be made
 * writable
 */
int vpnrt_mss_clamp(struct sk_buff *skb, unsigned int thoff, u16 mss)
{
	const struct tcphdr *cth;
	struct tcphdr _th, *th;
	unsigned int hlen, i;
	u16 old;
	u8 *opt;

	cth = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!cth || !cth->syn)
		return 0;
	hlen = cth->doff * 4;
	if (hlen <= sizeof(*cth) || thoff + hlen > skb->len)
		return 0;
	if (skb_ensure_writable(skb, thoff + hlen))
		return -ENOMEM;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)th;
	for (i = sizeof(*th); i < hlen;) {
		u8 kind = opt[i], len;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (hlen - i < 2)
			break;
		len = opt[i + 1];
		if (len < 2 || len > hlen - i)
			break;
		if (kind == TCPOPT_MSS && len == TCPOLEN_MSS) {
			old = opt[i + 2] << 8 | opt[i + 3];
			if (old <= mss)
				return 0;
			opt[i + 2] = mss >> 8;
			opt[i + 3] = mss & 0xff;
			inet_proto_csum_replace2(&th->check, skb, htons(old),
						 htons(mss), false);
			return 1;
		}
		i += len;
	}
	return 0;
}

/* the segments a packet becomes on the wire, for the packet counters */
static unsigned int tx_segs(const struct sk_buff *skb)
{
	return skb_is_gso(skb) ? max_t(u16, skb_shinfo(skb)->gso_segs, 1) : 1;
}

static netdev_tx_t vpnrt_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vpnrt_gw *gw = netdev_priv(dev);
	enum skb_drop_reason reason;
	unsigned int len, segs, thoff, mtu, too_big;
	struct vpnrt_tunnel *t;
	struct vpnrt_path p;
	struct net_device *tdev;
	struct vpnrt_flow fl, qfl, *hfl = NULL;
	struct vpnrt_tstats *ts;
	struct vpnrt_gstats *gs;
	u16 clamp;
	int ret;

	ret = vpnrt_flow_from_skb(skb, &fl, &thoff);
	if (ret) {
		GSTAT_INC(gw, errors);
		reason = ret == -EPROTONOSUPPORT ? SKB_DROP_REASON_UNHANDLED_PROTO :
						   SKB_DROP_REASON_IP_INHDR;
		goto drop;
	}
	/* routes are unicast; the device's own IPv6 chatter (MLD) ends here */
	if (flow_is_multicast(&fl)) {
		reason = SKB_DROP_REASON_IP_OUTNOROUTES;
		goto drop;
	}

	if (unlikely(fl.proto == IPPROTO_ICMP || fl.proto == IPPROTO_ICMPV6) &&
	    vpnrt_icmp_err_flow(skb, &fl, thoff, &qfl))
		hfl = &qfl;

	rcu_read_lock();
	p = vpnrt_lookup(gw, &fl, hfl);
	if (!p.conn)
		goto no_route;
	t = &p.conn->tun[p.tunnel];
	tdev = rcu_dereference(t->dev);
	if (!tdev || !netif_running(tdev))
		goto no_tunnel;
	mtu = READ_ONCE(tdev->mtu);
	too_big = vpnrt_too_big(skb, fl.family, mtu);
	if (unlikely(too_big))
		goto too_big;
	clamp = READ_ONCE(gw->mss_clamp);
	if (clamp && fl.proto == IPPROTO_TCP) {
		ret = vpnrt_mss_clamp(skb, thoff,
				      vpnrt_mss_target(clamp, fl.family, mtu));
		if (unlikely(ret < 0)) {
			rcu_read_unlock();
			GSTAT_INC(gw, errors);
			reason = SKB_DROP_REASON_NOMEM;
			goto drop;
		}
		if (ret)
			GSTAT_INC(gw, mss_clamped);
	}
	if (p.fallback)
		GSTAT_INC(gw, fallback);

	len = skb->len;
	segs = tx_segs(skb);
	skb->dev = tdev;
	ret = dev_queue_xmit(skb);

	ts = this_cpu_ptr(t->stats);
	gs = this_cpu_ptr(gw->stats);
	u64_stats_update_begin(&ts->syncp);
	if (likely(net_xmit_eval(ret) == 0)) {
		u64_stats_add(&ts->packets, segs);
		u64_stats_add(&ts->bytes, len);
	} else {
		u64_stats_inc(&ts->errors);
	}
	u64_stats_update_end(&ts->syncp);
	u64_stats_update_begin(&gs->syncp);
	if (likely(net_xmit_eval(ret) == 0)) {
		u64_stats_add(&gs->packets, segs);
		u64_stats_add(&gs->bytes, len);
	} else {
		u64_stats_inc(&gs->errors);
	}
	u64_stats_update_end(&gs->syncp);
	rcu_read_unlock();
	return NETDEV_TX_OK;

too_big:
	rcu_read_unlock();
	GSTAT_INC(gw, too_big);
	/* as ip_tunnel does: the route the packet came by learns it too */
	skb_dst_update_pmtu_no_confirm(skb, too_big);
	if (fl.family == AF_INET)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(too_big));
	else
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, too_big);
	reason = SKB_DROP_REASON_PKT_TOO_BIG;
	goto drop;
no_tunnel:
	rcu_read_unlock();
	GSTAT_INC(gw, no_tunnel);
	send_unreachable(skb);
	reason = VPNRT_DROP_NO_TUNNEL;
	goto drop;
no_route:
	rcu_read_unlock();
	GSTAT_INC(gw, no_route);
	send_unreachable(skb);
	reason = SKB_DROP_REASON_IP_OUTNOROUTES;
drop:
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb_reason(skb, reason);
	return NETDEV_TX_OK;
}

/**
 * vpnrt_gw_stats() - a gateway's counters, summed over the CPUs
 * @gw: the gateway
 * @sum: the sums
 */
void vpnrt_gw_stats(const struct vpnrt_gw *gw, struct vpnrt_gstats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vpnrt_gstats *s = per_cpu_ptr(gw->stats, cpu);
		u64 p, b, n, f, e, tb, mc, nt, rp;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
			n = u64_stats_read(&s->no_route);
			f = u64_stats_read(&s->fallback);
			e = u64_stats_read(&s->errors);
			tb = u64_stats_read(&s->too_big);
			mc = u64_stats_read(&s->mss_clamped);
			nt = u64_stats_read(&s->no_tunnel);
			rp = u64_stats_read(&s->rp_drops);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		u64_stats_add(&sum->packets, p);
		u64_stats_add(&sum->bytes, b);
		u64_stats_add(&sum->no_route, n);
		u64_stats_add(&sum->fallback, f);
		u64_stats_add(&sum->errors, e);
		u64_stats_add(&sum->too_big, tb);
		u64_stats_add(&sum->mss_clamped, mc);
		u64_stats_add(&sum->no_tunnel, nt);
		u64_stats_add(&sum->rp_drops, rp);
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
	st->tx_carrier_errors = u64_stats_read(&sum.no_route) +
				u64_stats_read(&sum.no_tunnel);
}

static void vpnrt_get_drvinfo(struct net_device *dev,
			      struct ethtool_drvinfo *info)
{
	strscpy(info->driver, VPNRT_LINK_KIND, sizeof(info->driver));
	snprintf(info->version, sizeof(info->version), "genl %u",
		 VPNRT_GENL_VERSION);
}

static const struct ethtool_ops vpnrt_ethtool_ops = {
	.get_drvinfo		= vpnrt_get_drvinfo,
};

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
	vpnrt_genid_bump(&vpnrt_pernet(dev_net(dev))->genid);
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
	dev->ethtool_ops = &vpnrt_ethtool_ops;
	dev->header_ops = NULL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* keep the route the packet came with: the tunnel reuses it */
	netif_keep_dst(dev);
	dev->mtu = ETH_DATA_LEN;
	/*
	 * Below 1280 IPv6 would leave the device and take its IPv6 routes
	 * along (addrconf): the gateway carries both families.
	 */
	dev->min_mtu = IPV6_MIN_MTU;
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
	gw->genid = 1;
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
	vpnrt_genid_bump(&vpnrt_pernet(dev_net(dev))->genid);
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

/* the settings of ip -d link show */
static size_t vpnrt_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)) +	/* IFLA_VPNRT_ECMP_HASH */
	       nla_total_size(sizeof(u32)) +	/* IFLA_VPNRT_MAX_PATHS */
	       nla_total_size(sizeof(u32)) +	/* IFLA_VPNRT_MSS_CLAMP */
	       nla_total_size(sizeof(u32)) +	/* IFLA_VPNRT_N_CONNS */
	       nla_total_size(sizeof(u8)) +	/* IFLA_VPNRT_OWNER */
	       nla_total_size(sizeof(u8));	/* IFLA_VPNRT_RP_CHECK */
}

static int vpnrt_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct vpnrt_gw *gw = netdev_priv(dev);

	if (nla_put_u8(skb, IFLA_VPNRT_ECMP_HASH, READ_ONCE(gw->ecmp_hash)) ||
	    nla_put_u32(skb, IFLA_VPNRT_MAX_PATHS, READ_ONCE(gw->max_paths)) ||
	    nla_put_u32(skb, IFLA_VPNRT_MSS_CLAMP, READ_ONCE(gw->mss_clamp)) ||
	    nla_put_u32(skb, IFLA_VPNRT_N_CONNS, READ_ONCE(gw->n_conns)) ||
	    nla_put_u8(skb, IFLA_VPNRT_OWNER, READ_ONCE(gw->owner)) ||
	    nla_put_u8(skb, IFLA_VPNRT_RP_CHECK, READ_ONCE(gw->rp_check)))
		return -EMSGSIZE;
	return 0;
}

struct rtnl_link_ops vpnrt_link_ops __read_mostly = {
	.kind		= VPNRT_LINK_KIND,
	.priv_size	= sizeof(struct vpnrt_gw),
	.setup		= vpnrt_setup,
	.newlink	= vpnrt_newlink,
	.dellink	= vpnrt_dellink,
	.get_size	= vpnrt_get_size,
	.fill_info	= vpnrt_fill_info,
};

/**
 * vpnrt_gw_create() - make a gateway device and bring it up
 * @net: the netns, under RTNL
 * @name: its name
 * @out: the gateway
 * @extack: where a failure says why
 *
 * What GW_NEW does: like ``ip link add NAME type vpnrt`` and ``ip link set
 * NAME up``.
 *
 * Return: 0, or an error with an extack (a device of that name exists, the
 * netns's gateway quota is reached, ...)
 */
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
#include "device_test.c"
#include "flow_test.c"
#endif
