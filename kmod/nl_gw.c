// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway requests of the vpnrt family: GW_NEW, GW_SET, GW_DEL, GW_GET
 * and its dump, and the gateway events.
 */
#include <linux/rtnetlink.h>
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"

static const char *const gw_attr_names[] = {
	[VPNRT_A_GW_IFINDEX] = "ifindex",
	[VPNRT_A_GW_IFNAME] = "ifname",
	[VPNRT_A_GW_ECMP_HASH] = "ecmp-hash",
	[VPNRT_A_GW_MAX_PATHS] = "max-paths",
	[VPNRT_A_GW_MAX_CONNS] = "max-conns",
	[VPNRT_A_GW_MAX_BGP_ROUTES] = "max-bgp-routes",
	[VPNRT_A_GW_MAX_PEER_ROUTES] = "max-peer-routes",
	[VPNRT_A_GW_MAX_POLICY_ROUTES] = "max-policy-routes",
	[VPNRT_A_GW_MAX_ROUTES] = "max-routes",
	[VPNRT_A_GW_N_CONNS] = "n-conns",
	[VPNRT_A_GW_N_ROUTES] = "n-routes",
	[VPNRT_A_GW_N_POLICY_ROUTES] = "n-policy-routes",
	[VPNRT_A_GW_N_BGP_ROUTES] = "n-bgp-routes",
	[VPNRT_A_GW_STATS] = "stats",
	[VPNRT_A_GW_PAD] = "pad",
	[VPNRT_A_GW_OWNER] = "owner",
	[VPNRT_A_GW_MSS_CLAMP] = "mss-clamp",
	[VPNRT_A_GW_RP_CHECK] = "rp-check",
};

static int gw_fill(struct sk_buff *skb, struct vpnrt_gw *gw, u32 portid,
		   u32 seq, int flags, u8 cmd, struct netlink_callback *cb)
{
	struct vpnrt_gstats st;
	struct nlattr *nest, *sn;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vpnrt_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	vpnrt_gw_stats(gw, &st);
	nest = nla_nest_start(skb, VPNRT_A_GW);
	if (!nest ||
	    nla_put_u32(skb, VPNRT_A_GW_IFINDEX, gw->dev->ifindex) ||
	    nla_put_string(skb, VPNRT_A_GW_IFNAME, gw->dev->name) ||
	    nla_put_u8(skb, VPNRT_A_GW_ECMP_HASH, gw->ecmp_hash) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_PATHS, gw->max_paths) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_CONNS, gw->max_conns) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_BGP_ROUTES, gw->max_bgp_routes) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_PEER_ROUTES, gw->max_peer_routes) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_POLICY_ROUTES, gw->max_policy_routes) ||
	    nla_put_u32(skb, VPNRT_A_GW_MAX_ROUTES, gw->max_routes) ||
	    nla_put_u32(skb, VPNRT_A_GW_N_CONNS, gw->n_conns) ||
	    nla_put_u32(skb, VPNRT_A_GW_N_ROUTES, gw->n_static) ||
	    nla_put_u32(skb, VPNRT_A_GW_N_POLICY_ROUTES, gw->n_policy) ||
	    nla_put_u32(skb, VPNRT_A_GW_N_BGP_ROUTES, gw->n_bgp) ||
	    nla_put_u8(skb, VPNRT_A_GW_OWNER, gw->owner) ||
	    nla_put_u32(skb, VPNRT_A_GW_MSS_CLAMP, gw->mss_clamp) ||
	    nla_put_u8(skb, VPNRT_A_GW_RP_CHECK, gw->rp_check))
		goto err;
	sn = nla_nest_start(skb, VPNRT_A_GW_STATS);
	if (!sn ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_TX_PACKETS,
			      u64_stats_read(&st.packets), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_TX_BYTES,
			      u64_stats_read(&st.bytes), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_NO_ROUTE,
			      u64_stats_read(&st.no_route), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_FALLBACK,
			      u64_stats_read(&st.fallback), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_TX_ERRORS,
			      u64_stats_read(&st.errors), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_TOO_BIG,
			      u64_stats_read(&st.too_big), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_MSS_CLAMPED,
			      u64_stats_read(&st.mss_clamped), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_NO_TUNNEL,
			      u64_stats_read(&st.no_tunnel), VPNRT_A_GW_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_GW_STATS_RP_DROPS,
			      u64_stats_read(&st.rp_drops), VPNRT_A_GW_STATS_PAD))
		goto err;
	nla_nest_end(skb, sn);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/**
 * vpnrt_notify_gw() - send a gateway event
 * @gw: the gateway, under RTNL
 * @cmd: VPNRT_CMD_GW_NEW, _SET or _DEL
 */
void vpnrt_notify_gw(struct vpnrt_gw *gw, u8 cmd)
{
	struct net *net = dev_net(gw->dev);
	struct sk_buff *skb;

	if (!vpnrt_nl_has_listeners(net))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (gw_fill(skb, gw, 0, 0, 0, cmd, NULL)) {
		nlmsg_free(skb);
		return;
	}
	vpnrt_nl_notify(net, skb);
}

/**
 * vpnrt_nl_gw_lookup() - the gateway a request's gw nest names (pre_doit)
 * @info: the request; RTNL held
 *
 * By ifindex or ifname; given both, they must name the same device.
 *
 * Return: the gateway, or an error pointer with an extack
 */
struct vpnrt_gw *vpnrt_nl_gw_lookup(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct net_device *dev = NULL;
	int err;

	err = vpnrt_nl_req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX,
				vpnrt_nl_gw_policy, "gateway");
	if (err)
		return ERR_PTR(err);
	if (tb[VPNRT_A_GW_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(tb[VPNRT_A_GW_IFINDEX]));
	} else if (tb[VPNRT_A_GW_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(tb[VPNRT_A_GW_IFNAME]));
	} else {
		NL_SET_ERR_MSG(extack, "gateway: give ifindex or ifname");
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG(extack, "gateway: no such device in this netns");
		return ERR_PTR(-ENODEV);
	}
	if (!vpnrt_is_gw(dev)) {
		NL_SET_ERR_MSG_FMT(extack, "gateway: %s is not a vpnrt device", dev->name);
		return ERR_PTR(-EINVAL);
	}
	/* both given: they must name the same device */
	if (tb[VPNRT_A_GW_IFINDEX] && tb[VPNRT_A_GW_IFNAME] &&
	    strcmp(dev->name, nla_data(tb[VPNRT_A_GW_IFNAME]))) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_GW_IFNAME],
					"gateway: ifindex %d is %s, not ifname %s",
					dev->ifindex, dev->name,
					(char *)nla_data(tb[VPNRT_A_GW_IFNAME]));
		return ERR_PTR(-EINVAL);
	}
	return netdev_priv(dev);
}

/* the quotas: their ranges are in the policy */
struct quota {
	int attr;
	const char *name;
	size_t limit;		/* offset in struct vpnrt_gw */
};

#define GW_OFF(f) offsetof(struct vpnrt_gw, f)

static const struct quota quotas[] = {
	{ VPNRT_A_GW_MAX_CONNS, "max-conns", GW_OFF(max_conns) },
	{ VPNRT_A_GW_MAX_BGP_ROUTES, "max-bgp-routes", GW_OFF(max_bgp_routes) },
	{ VPNRT_A_GW_MAX_PEER_ROUTES, "max-peer-routes", GW_OFF(max_peer_routes) },
	{ VPNRT_A_GW_MAX_POLICY_ROUTES, "max-policy-routes", GW_OFF(max_policy_routes) },
	{ VPNRT_A_GW_MAX_ROUTES, "max-routes", GW_OFF(max_routes) },
};

/* what a quota counts now; a quota cannot go below it */
static u32 quota_usage(const struct vpnrt_gw *gw, int attr)
{
	const struct vpnrt_conn *c;
	u32 most = 0;

	switch (attr) {
	case VPNRT_A_GW_MAX_CONNS:
		return gw->n_conns;
	case VPNRT_A_GW_MAX_BGP_ROUTES:
		return gw->n_bgp;
	case VPNRT_A_GW_MAX_POLICY_ROUTES:
		return gw->n_policy;
	case VPNRT_A_GW_MAX_ROUTES:
		return gw->n_static;
	case VPNRT_A_GW_MAX_PEER_ROUTES:
		list_for_each_entry(c, &gw->conns, gw_link)
			most = max(most, c->n_bgp);
		return most;
	}
	return 0;
}

/**
 * vpnrt_nl_gw_validate() - check a gateway's settings before any is applied
 * @tb: the gateway attributes
 * @gw: the gateway, or NULL for a new one
 * @extack: where a rejection says why
 *
 * Return: 0, or an error naming the attribute at fault: nothing is applied then
 */
int vpnrt_nl_gw_validate(struct nlattr **tb, const struct vpnrt_gw *gw,
			 struct netlink_ext_ack *extack)
{
	unsigned int i;
	u32 v, used;
	int err;

	if (gw) {
		err = vpnrt_nl_check_owner_same(tb[VPNRT_A_GW_OWNER], gw->owner, extack,
						"gateway");
		if (err)
			return err;
	}
	if (tb[VPNRT_A_GW_MSS_CLAMP]) {
		v = nla_get_u32(tb[VPNRT_A_GW_MSS_CLAMP]);
		if (v > VPNRT_MSS_CLAMP_MAX ||
		    (v > VPNRT_MSS_CLAMP_AUTO && v < VPNRT_MSS_CLAMP_MIN)) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_GW_MSS_CLAMP],
						"mss-clamp %u; allowed 0 (off), 1 (auto), %u..%u",
						v, VPNRT_MSS_CLAMP_MIN, VPNRT_MSS_CLAMP_MAX);
			return -EINVAL;
		}
	}
	/* rp-check or mss-clamp turning on: every tunnel needs its handler */
	if (gw && !vpnrt_rx_gw_wants(gw)) {
		const struct nlattr *on = NULL;

		if (tb[VPNRT_A_GW_MSS_CLAMP] && nla_get_u32(tb[VPNRT_A_GW_MSS_CLAMP]))
			on = tb[VPNRT_A_GW_MSS_CLAMP];
		if (tb[VPNRT_A_GW_RP_CHECK] && nla_get_u8(tb[VPNRT_A_GW_RP_CHECK]))
			on = tb[VPNRT_A_GW_RP_CHECK];
		err = on ? vpnrt_rx_gw_check(gw, on, extack) : 0;
		if (err)
			return err;
	}
	for (i = 0; i < ARRAY_SIZE(quotas); i++) {
		const struct quota *q = &quotas[i];
		const struct nlattr *a = tb[q->attr];

		if (!a)
			continue;
		v = nla_get_u32(a);
		used = gw ? quota_usage(gw, q->attr) : 0;
		if (v < used) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s %u is below the %u in use",
						q->name, v, used);
			return -EBUSY;
		}
	}
	return 0;
}

static void gw_apply(struct nlattr **tb, struct vpnrt_gw *gw)
{
	unsigned int i;

	if (tb[VPNRT_A_GW_ECMP_HASH])
		WRITE_ONCE(gw->ecmp_hash, nla_get_u8(tb[VPNRT_A_GW_ECMP_HASH]));
	if (tb[VPNRT_A_GW_MAX_PATHS])
		WRITE_ONCE(gw->max_paths, nla_get_u32(tb[VPNRT_A_GW_MAX_PATHS]));
	if (tb[VPNRT_A_GW_MSS_CLAMP])
		WRITE_ONCE(gw->mss_clamp, nla_get_u32(tb[VPNRT_A_GW_MSS_CLAMP]));
	if (tb[VPNRT_A_GW_RP_CHECK])
		WRITE_ONCE(gw->rp_check, nla_get_u8(tb[VPNRT_A_GW_RP_CHECK]));
	for (i = 0; i < ARRAY_SIZE(quotas); i++)
		if (tb[quotas[i].attr])
			*(u32 *)((char *)gw + quotas[i].limit) =
				nla_get_u32(tb[quotas[i].attr]);
}

/**
 * vpnrt_nl_gw_new_doit() - GW_NEW: make a gateway device, up, with its settings
 * @skb: the request
 * @info: the request, parsed (its attributes and extack)
 *
 * Return: 0 or an error with an extack
 */
int vpnrt_nl_gw_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct net *net = genl_info_net(info);
	struct vpnrt_gw *gw;
	int err;

	err = vpnrt_nl_req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX,
				vpnrt_nl_gw_policy, "gateway");
	if (err)
		return err;
	if (!tb[VPNRT_A_GW_IFNAME] || !nla_len(tb[VPNRT_A_GW_IFNAME]) ||
	    !*(char *)nla_data(tb[VPNRT_A_GW_IFNAME])) {
		NL_SET_ERR_MSG(info->extack, "gateway: ifname missing");
		return -EINVAL;
	}
	if (tb[VPNRT_A_GW_IFINDEX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VPNRT_A_GW_IFINDEX],
				    "gateway: ifindex is chosen by the kernel");
		return -EINVAL;
	}
	if (!dev_valid_name(nla_data(tb[VPNRT_A_GW_IFNAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VPNRT_A_GW_IFNAME],
				    "gateway: not a valid device name");
		return -EINVAL;
	}
	err = vpnrt_nl_gw_validate(tb, NULL, info->extack);
	if (err)
		return err;

	rtnl_lock();
	err = vpnrt_gw_create(net, nla_data(tb[VPNRT_A_GW_IFNAME]), &gw,
			      info->extack);
	if (!err) {
		gw_apply(tb, gw);
		if (tb[VPNRT_A_GW_OWNER])
			gw->owner = nla_get_u8(tb[VPNRT_A_GW_OWNER]);
		vpnrt_notify_gw(gw, VPNRT_CMD_GW_NEW);
	}
	rtnl_unlock();
	return err;
}

/**
 * vpnrt_nl_gw_set_doit() - GW_SET: change a gateway's settings, all or none
 * @skb: the request
 * @info: the request, parsed; the gateway in user_ptr[0], under RTNL
 *
 * Return: 0 or an error with an extack
 */
int vpnrt_nl_gw_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vpnrt_gw *gw = info->user_ptr[0];
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	int err;

	/* the nest pre_doit found the gateway in, parsed again for the rest */
	err = vpnrt_nl_req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX,
				vpnrt_nl_gw_policy, "gateway");
	if (!err)
		err = vpnrt_nl_gw_validate(tb, gw, info->extack);
	if (err)
		return err;
	gw_apply(tb, gw);
	vpnrt_rx_gw_sync(gw);
	vpnrt_gw_changed(gw);
	vpnrt_notify_gw(gw, VPNRT_CMD_GW_SET);
	return 0;
}

/**
 * vpnrt_nl_gw_del_doit() - GW_DEL: delete a gateway with its connections and
 * routes
 * @skb: the request
 * @info: the request, parsed; the gateway in user_ptr[0], under RTNL
 *
 * Return: 0
 */
int vpnrt_nl_gw_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vpnrt_gw *gw = info->user_ptr[0];

	vpnrt_notify_gw(gw, VPNRT_CMD_GW_DEL);
	unregister_netdevice(gw->dev);
	return 0;
}

/**
 * vpnrt_nl_gw_get_doit() - GW_GET: one gateway, by ifindex or name
 * @skb: the request
 * @info: the request, parsed; the gateway in user_ptr[0], under RTNL
 *
 * Return: 0 or an error
 */
int vpnrt_nl_gw_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = gw_fill(vpnrt_nl_reply_msg(info), info->user_ptr[0],
			  info->snd_portid, info->snd_seq, 0, VPNRT_CMD_GW_GET,
			  NULL);

	return err ?: vpnrt_nl_reply(info);
}

/* gateway dumps take no filter (gw-get a gateway by ifindex or ifname) */
static int gw_dump_parse(struct net *net, struct nlattr **attrs,
			 struct vpnrt_nl_dump *st, struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem;

	if (!attrs || !attrs[VPNRT_A_GW])
		return 0;
	nla_for_each_nested(a, attrs[VPNRT_A_GW], rem)
		return vpnrt_nl_no_filter(extack, a, gw_attr_names, ARRAY_SIZE(gw_attr_names),
					  "gateway dump", "none");
	return 0;
}

/*
 * A round of the gateway dump: gateways in ifindex order, each round
 * from the first ifindex after the last one sent. The list is not sorted
 * (ip link add may choose an ifindex), so each gateway costs a walk of
 * the list, which holds at most max_gateways (256 by default) entries.
 */
static int gw_dump_round(struct sk_buff *skb, struct netlink_callback *cb,
			 struct vpnrt_nl_dump *st)
{
	struct vpnrt_net *vn = vpnrt_pernet(sock_net(skb->sk));
	struct vpnrt_gw *gw, *next;

	for (;;) {
		next = NULL;
		list_for_each_entry(gw, &vn->gateways, net_link)
			if (gw->dev->ifindex >= st->next &&
			    (!next || gw->dev->ifindex < next->dev->ifindex))
				next = gw;
		if (!next || gw_fill(skb, next, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     VPNRT_CMD_GW_GET, cb))
			return 0;
		st->next = (u64)next->dev->ifindex + 1;
	}
}

/**
 * vpnrt_nl_gw_dump_start() - .start of the gateway dump: it takes no filter
 * @cb: the dump
 *
 * Return: 0 or an error with an extack (6.1: in round 1)
 */
int vpnrt_nl_gw_dump_start(struct netlink_callback *cb)
{
	return vpnrt_nl_dump_start(cb, gw_dump_parse, gw_dump_round);
}
