// SPDX-License-Identifier: GPL-2.0
/*
 * ROUTE_LOOKUP: the transmit path's decision for a flow, explained (the
 * route, tunnel and rule that decided), for CAP_NET_ADMIN only.
 */
#include <linux/rtnetlink.h>
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"

/**
 * vpnrt_nl_route_lookup_doit() - ROUTE_LOOKUP: the transmit path's decision for
 * a flow, explained
 * @skb: the request
 * @info: the request, parsed (its attributes and extack)
 *
 * Return: 0 or an error with an extack; -ENETUNREACH if no route decides
 */
int vpnrt_nl_route_lookup_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[VPNRT_A_LOOKUP_MAX + 1];
	struct net *net = genl_info_net(info);
	struct vpnrt_decision d;
	struct vpnrt_flow fl = {};
	struct net_device *dev, *tdev;
	const struct vpnrt_tunnel *t;
	struct nlattr *nest;
	struct sk_buff *msg;
	struct vpnrt_gw *gw;
	u32 hash;
	void *hdr;
	int err;

	err = vpnrt_nl_req_nest(info, VPNRT_A_LOOKUP, tb, VPNRT_A_LOOKUP_MAX,
				vpnrt_nl_lookup_policy, "lookup");
	if (err)
		return err;
	if (!tb[VPNRT_A_LOOKUP_GW_IFINDEX] || !tb[VPNRT_A_LOOKUP_FAMILY] ||
	    !tb[VPNRT_A_LOOKUP_DST]) {
		NL_SET_ERR_MSG(extack, "lookup: gateway, family and dst are required");
		return -EINVAL;
	}
	err = vpnrt_nl_get_family(tb[VPNRT_A_LOOKUP_FAMILY], &fl.family, extack, "lookup");
	if (!err)
		err = vpnrt_nl_get_addr(tb[VPNRT_A_LOOKUP_DST], fl.family, &fl.dst, extack,
					"lookup dst");
	if (!err && tb[VPNRT_A_LOOKUP_SRC])
		err = vpnrt_nl_get_addr(tb[VPNRT_A_LOOKUP_SRC], fl.family, &fl.src, extack,
					"lookup src");
	if (err)
		return err;
	if (tb[VPNRT_A_LOOKUP_IPPROTO])
		fl.proto = nla_get_u8(tb[VPNRT_A_LOOKUP_IPPROTO]);
	if (tb[VPNRT_A_LOOKUP_SPORT])
		fl.sport = htons(nla_get_u16(tb[VPNRT_A_LOOKUP_SPORT]));
	if (tb[VPNRT_A_LOOKUP_DPORT])
		fl.dport = htons(nla_get_u16(tb[VPNRT_A_LOOKUP_DPORT]));
	/* the data path knows ports only where vpnrt_proto_has_ports() */
	if ((fl.sport || fl.dport) && !vpnrt_proto_has_ports(fl.proto)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_LOOKUP_SPORT] ?:
				    tb[VPNRT_A_LOOKUP_DPORT],
				    "lookup: ports need ipproto tcp, udp, udplite or sctp");
		return -EINVAL;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, nla_get_u32(tb[VPNRT_A_LOOKUP_GW_IFINDEX]));
	if (!dev || !vpnrt_is_gw(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_LOOKUP_GW_IFINDEX],
				    "lookup: no vpnrt gateway with that ifindex");
		err = -ENODEV;
		goto err;
	}
	gw = netdev_priv(dev);
	hash = vpnrt_flow_hash(gw, &fl);
	if (!vpnrt_lookup_explain(gw, &fl, hash, &d)) {
		if (fl.family == AF_INET)
			NL_SET_ERR_MSG_FMT(extack, "lookup: no route to %pI4 in %s",
					   &fl.dst.ip, dev->name);
		else
			NL_SET_ERR_MSG_FMT(extack, "lookup: no route to %pI6c in %s",
					   &fl.dst.ip6, dev->name);
		err = -ENETUNREACH;
		goto err;
	}
	t = &d.conn->tun[d.tunnel];
	tdev = rcu_dereference(t->dev);
	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &vpnrt_family, 0, VPNRT_CMD_ROUTE_LOOKUP);
	if (!hdr)
		goto err;
	nest = nla_nest_start(msg, VPNRT_A_LOOKUP);
	if (!nest || vpnrt_nl_route_put(msg, VPNRT_A_LOOKUP_ROUTE, d.route) ||
	    nla_put_u32(msg, VPNRT_A_LOOKUP_TUNNEL_IFINDEX,
			tdev ? tdev->ifindex : t->ifindex) ||
	    nla_put_string(msg, VPNRT_A_LOOKUP_TUNNEL_IFNAME,
			   tdev ? tdev->name : t->ifname) ||
	    nla_put_u8(msg, VPNRT_A_LOOKUP_REASON, d.reason) ||
	    nla_put_u8(msg, VPNRT_A_LOOKUP_FALLBACK, d.fallback) ||
	    nla_put_u32(msg, VPNRT_A_LOOKUP_N_PATHS, d.n_paths) ||
	    nla_put_u32(msg, VPNRT_A_LOOKUP_HASH, hash) ||
	    nla_put_u32(msg, VPNRT_A_LOOKUP_SKIPPED, d.skipped))
		goto err;
	rcu_read_unlock();
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	rcu_read_unlock();
	nlmsg_free(msg);
	return err;
}

