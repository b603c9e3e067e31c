// SPDX-License-Identifier: GPL-2.0
/*
 * What a gateway's tunnels receive. One receive handler per tunnel device,
 * vpnrt_tunnel_rx(), shared by everything that looks at inbound packets:
 *
 *   1. the health prober's answers are taken (health.c judges them);
 *   2. the source check (rp-check strict or loose) drops a packet whose
 *      source address the gateway's tables do not route back to the
 *      connection it came from (strict) or to any connection (loose);
 *   3. the MSS of a SYN or SYN-ACK is clamped (mss-clamp), as the
 *      transmit path does on the way out;
 *
 * everything else goes on to the stack untouched. The handler is on a
 * tunnel's device while the tunnel is probed or its gateway has rp-check
 * or mss-clamp on, and only then: other tunnels cost nothing.
 *
 * The handler's data is the tunnel, which lives as long as its
 * connection: a reader that sees it may use it until its RCU section
 * ends. Attaching and detaching run under RTNL; detaching many tunnels
 * costs one grace period for all (vpnrt_rx_detach_begin(), one
 * synchronize_net(), vpnrt_rx_detach_end()), as the core's
 * netdev_rx_handler_unregister() costs one for each.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ipv6.h>

#include "vpnrt.h"

/**
 * vpnrt_rx_gw_wants() - whether @gw's settings need the receive handler on
 * every tunnel
 * @gw: the gateway
 *
 * Return: true if rp-check or mss-clamp is on
 */
bool vpnrt_rx_gw_wants(const struct vpnrt_gw *gw)
{
	return READ_ONCE(gw->rp_check) != VPNRT_RP_CHECK_OFF ||
	       READ_ONCE(gw->mss_clamp) != VPNRT_MSS_CLAMP_OFF;
}

/* @t needs the handler: probed, or its gateway checks or clamps */
static bool rx_wanted(const struct vpnrt_tunnel *t)
{
	return rcu_access_pointer(t->rx_health) || vpnrt_rx_gw_wants(t->conn->gw);
}

/* the reply to @fl: the flow whose route the source check reads */
static void flow_reverse(const struct vpnrt_flow *fl, struct vpnrt_flow *r)
{
	r->family = fl->family;
	r->proto = fl->proto;
	r->src = fl->dst;
	r->dst = fl->src;
	r->sport = fl->dport;
	r->dport = fl->sport;
}

/*
 * Sources no route speaks for: link-local (169.254.0.0/16, fe80::/10:
 * the inside addresses of BGP sessions over IPsec tunnels, as AWS and
 * Azure number them) and IPv6's unspecified.
 */
static bool source_unrouted(const struct vpnrt_flow *fl)
{
	if (fl->family == AF_INET)
		return ipv4_is_linklocal_169(fl->src.ip);
	return ipv6_addr_type(&fl->src.ip6) &
	       (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_ANY);
}

/*
 * The source check of @skb (flow @fl, transport header at @thoff), from
 * tunnel @t of a gateway checking in mode @mode: true if it may pass. An
 * ICMP error is judged by the packet it quotes, which left through the
 * gateway towards the far side: its destination must be routed to the
 * connection, whichever router inside the far side sent the error.
 */
static bool rp_ok(struct sk_buff *skb, const struct vpnrt_tunnel *t, u8 mode,
		  const struct vpnrt_flow *fl, unsigned int thoff)
{
	const struct vpnrt_conn *want = mode == VPNRT_RP_CHECK_STRICT ? t->conn :
									NULL;
	struct vpnrt_flow q, r;

	if (source_unrouted(fl))
		return true;
	if (unlikely(fl->proto == IPPROTO_ICMP || fl->proto == IPPROTO_ICMPV6) &&
	    vpnrt_icmp_err_flow(skb, fl, thoff, &q)) {
		/* @q is the quoted packet's reply; the quoted packet itself: */
		flow_reverse(&q, &r);
	} else {
		flow_reverse(fl, &r);
	}
	return vpnrt_lookup_source(t->conn->gw, &r, want);
}

/* is the TCP segment at @thoff a SYN? */
static bool tcp_syn(struct sk_buff *skb, unsigned int thoff)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && th->syn;
}

/* what the handler does with a packet, apart from the prober's answers */
enum vpnrt_rx_verdict {
	VPNRT_RX_PASS,
	VPNRT_RX_CLAMPED,		/* passes, its MSS lowered */
	VPNRT_RX_RP_DROP,
	VPNRT_RX_NOMEM,			/* a SYN to clamp could not be written */
};

/*
 * The source check and the MSS clamp of @skb from @t, under RCU; *@pskb
 * may be replaced by an unshared copy (a SYN to clamp that was shared).
 */
static enum vpnrt_rx_verdict rx_judge(struct sk_buff **pskb,
				      const struct vpnrt_tunnel *t)
{
	const struct vpnrt_gw *gw = t->conn->gw;
	u8 mode = READ_ONCE(gw->rp_check);
	u16 clamp = READ_ONCE(gw->mss_clamp);
	struct sk_buff *skb = *pskb;
	struct vpnrt_flow fl;
	unsigned int thoff;
	int ret;

	if (mode == VPNRT_RP_CHECK_OFF && clamp == VPNRT_MSS_CLAMP_OFF)
		return VPNRT_RX_PASS;
	/* not IP, or malformed: the stack's to judge and drop */
	if (vpnrt_flow_from_skb(skb, &fl, &thoff))
		return VPNRT_RX_PASS;
	if (mode != VPNRT_RP_CHECK_OFF && !rp_ok(skb, t, mode, &fl, thoff))
		return VPNRT_RX_RP_DROP;
	if (clamp == VPNRT_MSS_CLAMP_OFF || fl.proto != IPPROTO_TCP ||
	    !tcp_syn(skb, thoff))
		return VPNRT_RX_PASS;
	/* taps may hold it too: the SYN is written, so it must be ours */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		*pskb = NULL;
		return VPNRT_RX_NOMEM;
	}
	*pskb = skb;
	ret = vpnrt_mss_clamp(skb, thoff,
			      vpnrt_mss_target(clamp, fl.family,
					       READ_ONCE(skb->dev->mtu)));
	if (ret < 0)
		return VPNRT_RX_NOMEM;
	return ret ? VPNRT_RX_CLAMPED : VPNRT_RX_PASS;
}

/**
 * vpnrt_tunnel_rx() - the receive handler of every tunnel that needs one
 * @pskb: the packet; replaced by an unshared copy if it is a shared SYN
 *	to clamp
 *
 * No lock and no allocation, but for that copy. Called by the core under
 * RCU with the tunnel as the device's rx_handler_data.
 *
 * Return: RX_HANDLER_CONSUMED for a health answer or a packet dropped,
 * else RX_HANDLER_PASS
 */
rx_handler_result_t vpnrt_tunnel_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct vpnrt_tunnel *t = rcu_dereference(skb->dev->rx_handler_data);
	struct vpnrt_health *hc;
	struct vpnrt_gw *gw;

	if (unlikely(!t))
		return RX_HANDLER_PASS;
	hc = rcu_dereference(t->rx_health);
	if (hc && vpnrt_health_rx(hc, skb))
		return RX_HANDLER_CONSUMED;
	gw = t->conn->gw;
	switch (rx_judge(pskb, t)) {
	case VPNRT_RX_PASS:
		return RX_HANDLER_PASS;
	case VPNRT_RX_CLAMPED:
		GSTAT_INC(gw, mss_clamped);
		return RX_HANDLER_PASS;
	case VPNRT_RX_RP_DROP:
		GSTAT_INC(gw, rp_drops);
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_RPFILTER);
		return RX_HANDLER_CONSUMED;
	case VPNRT_RX_NOMEM:
		break;
	}
	GSTAT_INC(gw, errors);
	if (*pskb)
		kfree_skb_reason(*pskb, SKB_DROP_REASON_NOMEM);
	return RX_HANDLER_CONSUMED;
}

/* ---- configuration, under RTNL ---- */

/* @dev's handler is @t's, or it has none */
static bool rx_free_for(const struct vpnrt_tunnel *t, struct net_device *dev)
{
	if (!netdev_is_rx_handler_busy(dev))
		return true;
	return t && rtnl_dereference(dev->rx_handler) == vpnrt_tunnel_rx &&
	       rtnl_dereference(dev->rx_handler_data) == t;
}

/**
 * vpnrt_rx_check() - whether tunnel @t can have its receive handler on @dev
 * @t: the tunnel, NULL for one being created
 * @dev: its device, or the one it is being rebound to
 * @attr: the request's attribute that wants the handler, for the extack
 * @extack: where a rejection says why
 *
 * Return: 0, or -EBUSY with an extack if another receive handler (a
 * bridge, bond, macvlan...) has the device
 */
int vpnrt_rx_check(const struct vpnrt_tunnel *t, struct net_device *dev,
		   const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (rx_free_for(t, dev))
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
				"tunnel %s has another rx handler (bridge, bond, macvlan?)",
				dev->name);
	return -EBUSY;
}

/**
 * vpnrt_rx_gw_check() - whether every tunnel of @gw can have the receive
 * handler, before a setting that wants it is applied
 * @gw: the gateway
 * @attr: the setting, for the extack
 * @extack: where a rejection says why
 *
 * Return: 0, or -EBUSY with an extack naming the first tunnel that cannot
 */
int vpnrt_rx_gw_check(const struct vpnrt_gw *gw, const struct nlattr *attr,
		      struct netlink_ext_ack *extack)
{
	struct vpnrt_conn *c;
	unsigned int i;
	int err;

	ASSERT_RTNL();
	list_for_each_entry(c, &gw->conns, gw_link) {
		for (i = 0; i < c->n_tunnels; i++) {
			struct net_device *dev = rtnl_dereference(c->tun[i].dev);

			if (!dev)
				continue;
			err = vpnrt_rx_check(&c->tun[i], dev, attr, extack);
			if (err)
				return err;
		}
	}
	return 0;
}

/**
 * vpnrt_rx_attach() - put the receive handler on @t's device if @t needs it
 * @t: the tunnel, checked by vpnrt_rx_check() in this RTNL section
 *
 * This cannot fail: a device that another handler took was refused by the
 * check.
 */
void vpnrt_rx_attach(struct vpnrt_tunnel *t)
{
	struct net_device *dev = rtnl_dereference(t->dev);

	ASSERT_RTNL();
	if (!dev || !rx_wanted(t))
		return;
	if (t->rx_dev == dev && !t->rx_closing)
		return;
	if (t->rx_dev) {	/* unpublished, or on another device */
		WARN_ON_ONCE(!t->rx_closing);
		return;
	}
	if (WARN_ON_ONCE(netdev_rx_handler_register(dev, vpnrt_tunnel_rx, t)))
		return;
	t->rx_dev = dev;
}

/**
 * vpnrt_rx_detach_begin() - first half of taking the receive handler off
 * @t's device: it is unpublished
 * @t: the tunnel
 * @force: off even if the tunnel still wants it (it goes, or its device)
 *
 * Call vpnrt_rx_detach_end() for it after synchronize_net(), in the same
 * RTNL section: many tunnels share one grace period.
 *
 * Return: true if the handler was unpublished (a grace period is due)
 */
bool vpnrt_rx_detach_begin(struct vpnrt_tunnel *t, bool force)
{
	ASSERT_RTNL();
	if (!t->rx_dev || t->rx_closing || (!force && rx_wanted(t)))
		return false;
	/* the core has no batch form: this is its first half */
	RCU_INIT_POINTER(t->rx_dev->rx_handler, NULL);
	t->rx_closing = true;
	return true;
}

/**
 * vpnrt_rx_detach_end() - second half, after vpnrt_rx_detach_begin() and a
 * grace period: no packet is in the handler any more
 * @t: the tunnel
 */
void vpnrt_rx_detach_end(struct vpnrt_tunnel *t)
{
	ASSERT_RTNL();
	if (!t->rx_closing)
		return;
	RCU_INIT_POINTER(t->rx_dev->rx_handler_data, NULL);
	t->rx_dev = NULL;
	t->rx_closing = false;
}

/**
 * vpnrt_rx_sync() - the receive handler on @t's device if it needs one, off
 * it if not, with a grace period of its own
 * @t: the tunnel, checked by vpnrt_rx_check() if it may need the handler
 */
void vpnrt_rx_sync(struct vpnrt_tunnel *t)
{
	if (vpnrt_rx_detach_begin(t, false)) {
		synchronize_net();
		vpnrt_rx_detach_end(t);
	}
	vpnrt_rx_attach(t);
}

/**
 * vpnrt_rx_gw_sync() - the receive handler on every tunnel of @gw that
 * needs it, off the others, after its settings changed
 * @gw: the gateway, checked by vpnrt_rx_gw_check() if it wants the handler
 *
 * One grace period for every tunnel that loses its handler.
 */
void vpnrt_rx_gw_sync(struct vpnrt_gw *gw)
{
	struct vpnrt_conn *c;
	unsigned int i;
	bool any = false;

	ASSERT_RTNL();
	list_for_each_entry(c, &gw->conns, gw_link)
		for (i = 0; i < c->n_tunnels; i++)
			any |= vpnrt_rx_detach_begin(&c->tun[i], false);
	if (any)
		synchronize_net();
	list_for_each_entry(c, &gw->conns, gw_link) {
		for (i = 0; i < c->n_tunnels; i++) {
			vpnrt_rx_detach_end(&c->tun[i]);
			vpnrt_rx_attach(&c->tun[i]);
		}
	}
}

#ifdef VPNRT_KUNIT
#include "rx_test.c"
#endif
