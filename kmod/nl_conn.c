// SPDX-License-Identifier: GPL-2.0
/*
 * Connection requests of the vpnrt family: CONN_NEW, CONN_SET (tunnels,
 * their IKE state and health checks), CONN_DEL, CONN_GET and its dump,
 * and the connection and health events.
 */
#include <linux/rtnetlink.h>
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"

static const char *const conn_attr_names[] = {
	[VPNRT_A_CONN_NAME] = "name",
	[VPNRT_A_CONN_ID] = "id",
	[VPNRT_A_CONN_GW_IFINDEX] = "gw-ifindex",
	[VPNRT_A_CONN_TUNNELS] = "tunnels",
	[VPNRT_A_CONN_MODE] = "mode",
	[VPNRT_A_CONN_ROUTING] = "routing",
	[VPNRT_A_CONN_FAMILY] = "family",
	[VPNRT_A_CONN_LOCAL_ADDR] = "local-addr",
	[VPNRT_A_CONN_LOCAL_LEN] = "local-len",
	[VPNRT_A_CONN_PEER_ADDR] = "peer-addr",
	[VPNRT_A_CONN_PEER_LEN] = "peer-len",
	[VPNRT_A_CONN_ADMIN] = "admin",
	[VPNRT_A_CONN_IKE_MANAGED] = "ike-managed",
	[VPNRT_A_CONN_IKE] = "ike",
	[VPNRT_A_CONN_STATE] = "state",
	[VPNRT_A_CONN_DOWN_REASON] = "down-reason",
	[VPNRT_A_CONN_N_ROUTES] = "n-routes",
	[VPNRT_A_CONN_N_BGP_ROUTES] = "n-bgp-routes",
	[VPNRT_A_CONN_OWNER] = "owner",
};

static int health_put_cfg(struct sk_buff *skb, const struct vpnrt_health_cfg *cfg)
{
	unsigned int len = cfg->family == AF_INET6 ? 16 : 4;

	return nla_put_u16(skb, VPNRT_A_HEALTH_FAMILY, cfg->family) ||
	       nla_put(skb, VPNRT_A_HEALTH_DST, len, &cfg->dst) ||
	       nla_put(skb, VPNRT_A_HEALTH_SRC, len, &cfg->src) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_INTERVAL, cfg->interval_ms) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_RETRIES, cfg->retries) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_RISE, cfg->rise) ||
	       nla_put_u8(skb, VPNRT_A_HEALTH_POLICY, cfg->policy) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_TIMEOUT, cfg->timeout_ms);
}

/* a tunnel's health nest in replies: configuration, state and counters */
static int health_fill(struct sk_buff *skb, struct vpnrt_health *hc)
{
	struct vpnrt_health_info hi;
	struct nlattr *nest;

	vpnrt_health_info(hc, &hi);
	nest = nla_nest_start(skb, VPNRT_A_TUNNEL_HEALTH);
	if (!nest || health_put_cfg(skb, &hi.cfg) ||
	    nla_put_u8(skb, VPNRT_A_HEALTH_STATE, hi.state) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_SINCE, hi.since_ms,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_SENT, hi.sent,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_ANSWERED, hi.answered,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_IGNORED, hi.ignored,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_SEND_ERRORS, hi.send_errors,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_EVENTS_LOST, hi.events_lost,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_CONSEC_LOST, hi.consec_lost) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_RTT, hi.rtt_us) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_SRTT, hi.srtt_us) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_WINDOW, hi.window) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_WINDOW_LOST, hi.window_lost) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_TRANSITIONS, hi.transitions))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Tunnel @idx's identity and state, in replies and events. Its IKE state
 * is up unless an IKE-managed connection has it down, as for the conn.
 */
static int tunnel_put_state(struct sk_buff *skb, const struct vpnrt_conn *c,
			    unsigned int idx, const char *ifname)
{
	const struct vpnrt_tunnel *t = &c->tun[idx];
	u32 why = vpnrt_tunnel_down_reason(t);

	return nla_put_u32(skb, VPNRT_A_TUNNEL_IFINDEX, t->ifindex) ||
	       nla_put_string(skb, VPNRT_A_TUNNEL_IFNAME, ifname) ||
	       nla_put_u8(skb, VPNRT_A_TUNNEL_STATE,
			  why ? VPNRT_STATE_DOWN : VPNRT_STATE_UP) ||
	       nla_put_u32(skb, VPNRT_A_TUNNEL_DOWN_REASON, why) ||
	       nla_put_u8(skb, VPNRT_A_TUNNEL_IKE,
			  why & VPNRT_DOWN_IKE ? VPNRT_STATE_DOWN : VPNRT_STATE_UP) ||
	       nla_put_u8(skb, VPNRT_A_TUNNEL_POSITION, idx + 1);
}

static int conn_fill(struct sk_buff *skb, struct vpnrt_conn *c, u32 portid,
		     u32 seq, int flags, u8 cmd, struct netlink_callback *cb)
{
	struct nlattr *nest, *tn, *t1;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vpnrt_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, VPNRT_A_CONN);
	if (!nest ||
	    nla_put_string(skb, VPNRT_A_CONN_NAME, c->name) ||
	    nla_put_u32(skb, VPNRT_A_CONN_ID, c->id) ||
	    nla_put_u32(skb, VPNRT_A_CONN_GW_IFINDEX, c->gw->dev->ifindex) ||
	    nla_put_u8(skb, VPNRT_A_CONN_MODE, c->mode) ||
	    nla_put_u8(skb, VPNRT_A_CONN_ROUTING, c->routing) ||
	    nla_put_u8(skb, VPNRT_A_CONN_ADMIN,
		       c->down & VPNRT_DOWN_ADMIN ? VPNRT_STATE_DOWN : VPNRT_STATE_UP) ||
	    nla_put_u8(skb, VPNRT_A_CONN_IKE_MANAGED, c->ike_managed) ||
	    nla_put_u8(skb, VPNRT_A_CONN_IKE,
		       c->down & VPNRT_DOWN_IKE ? VPNRT_STATE_DOWN : VPNRT_STATE_UP) ||
	    nla_put_u8(skb, VPNRT_A_CONN_STATE,
		       vpnrt_conn_down_reason(c) ? VPNRT_STATE_DOWN : VPNRT_STATE_UP) ||
	    nla_put_u32(skb, VPNRT_A_CONN_DOWN_REASON, vpnrt_conn_down_reason(c)) ||
	    nla_put_u32(skb, VPNRT_A_CONN_N_ROUTES,
			c->n_static + c->n_policy + c->n_bgp) ||
	    nla_put_u32(skb, VPNRT_A_CONN_N_BGP_ROUTES, c->n_bgp) ||
	    nla_put_u8(skb, VPNRT_A_CONN_OWNER, c->owner))
		goto err;
	if (c->routing == VPNRT_ROUTING_FLOW) {
		unsigned int len = c->fp_family == AF_INET6 ? 16 : 4;

		if (nla_put_u16(skb, VPNRT_A_CONN_FAMILY, c->fp_family) ||
		    nla_put(skb, VPNRT_A_CONN_LOCAL_ADDR, len, &c->local) ||
		    nla_put_u8(skb, VPNRT_A_CONN_LOCAL_LEN, c->local_len) ||
		    nla_put(skb, VPNRT_A_CONN_PEER_ADDR, len, &c->peer) ||
		    nla_put_u8(skb, VPNRT_A_CONN_PEER_LEN, c->peer_len))
			goto err;
	}
	tn = nla_nest_start(skb, VPNRT_A_CONN_TUNNELS);
	if (!tn)
		goto err;
	for (i = 0; i < c->n_tunnels; i++) {
		const struct vpnrt_tunnel *t = &c->tun[i];
		u64 p, b, e;

		vpnrt_tunnel_stats(t, &p, &b, &e);
		t1 = nla_nest_start(skb, i + 1);
		if (!t1 || tunnel_put_state(skb, c, i, t->ifname) ||
		    nla_put_u64_64bit(skb, VPNRT_A_TUNNEL_TX_PACKETS, p,
				      VPNRT_A_TUNNEL_PAD) ||
		    nla_put_u64_64bit(skb, VPNRT_A_TUNNEL_TX_BYTES, b,
				      VPNRT_A_TUNNEL_PAD) ||
		    nla_put_u64_64bit(skb, VPNRT_A_TUNNEL_TX_ERRORS, e,
				      VPNRT_A_TUNNEL_PAD))
			goto err;
		if (t->health && health_fill(skb, t->health))
			goto err;
		nla_nest_end(skb, t1);
	}
	nla_nest_end(skb, tn);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static struct sk_buff *conn_msg(struct vpnrt_conn *c, u8 cmd)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (skb && conn_fill(skb, c, 0, 0, 0, cmd, NULL)) {
		nlmsg_free(skb);
		skb = NULL;
	}
	return skb;
}

/**
 * vpnrt_notify_conn() - send a connection event
 * @c: the connection, under RTNL
 * @cmd: VPNRT_CMD_CONN_NEW, _SET or _DEL
 */
void vpnrt_notify_conn(struct vpnrt_conn *c, u8 cmd)
{
	struct net *net = dev_net(c->gw->dev);
	struct sk_buff *skb;

	if (!vpnrt_nl_has_listeners(net))
		return;
	skb = conn_msg(c, cmd);
	if (skb)
		vpnrt_nl_notify(net, skb);
}

/**
 * vpnrt_notify_health() - send a health event of a tunnel
 * @c: the connection
 * @idx: the tunnel
 * @dev: its device, or NULL
 * @cfg: the prober's configuration
 * @ev: the change
 *
 * A tunnel's health state changed: the event names the connection and
 * the tunnel with their states now, and the change. From a work item, so
 * without RTNL: everything read here is fixed for the connection's life
 * or read once.
 *
 * Return: 0 if sent or nobody listens, -ENOMEM or -EMSGSIZE if it could
 * not be built (the caller counts it lost)
 */
int vpnrt_notify_health(struct vpnrt_conn *c, unsigned int idx,
			struct net_device *dev,
			const struct vpnrt_health_cfg *cfg,
			const struct vpnrt_health_ev *ev)
{
	struct net *net = dev_net(dev);
	struct nlattr *nest, *tn, *t1, *hn;
	struct sk_buff *skb;
	u32 why;
	void *hdr;

	if (!READ_ONCE(vpnrt_nl_events_live) || !vpnrt_nl_has_listeners(net))
		return 0;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &vpnrt_family, 0, VPNRT_CMD_HEALTH);
	if (!hdr)
		goto err;
	why = vpnrt_conn_down_reason(c);
	nest = nla_nest_start(skb, VPNRT_A_CONN);
	if (!nest ||
	    nla_put_string(skb, VPNRT_A_CONN_NAME, c->name) ||
	    nla_put_u32(skb, VPNRT_A_CONN_ID, c->id) ||
	    nla_put_u32(skb, VPNRT_A_CONN_GW_IFINDEX, c->gw->dev->ifindex) ||
	    nla_put_u8(skb, VPNRT_A_CONN_STATE,
		       why ? VPNRT_STATE_DOWN : VPNRT_STATE_UP) ||
	    nla_put_u32(skb, VPNRT_A_CONN_DOWN_REASON, why))
		goto err;
	tn = nla_nest_start(skb, VPNRT_A_CONN_TUNNELS);
	t1 = tn ? nla_nest_start(skb, idx + 1) : NULL;
	if (!t1 || tunnel_put_state(skb, c, idx, dev->name))
		goto err;
	hn = nla_nest_start(skb, VPNRT_A_TUNNEL_HEALTH);
	if (!hn || health_put_cfg(skb, cfg) ||
	    nla_put_u8(skb, VPNRT_A_HEALTH_STATE, ev->new) ||
	    nla_put_u8(skb, VPNRT_A_HEALTH_OLD_STATE, ev->old) ||
	    nla_put_u8(skb, VPNRT_A_HEALTH_REASON, ev->reason) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_TIME, ev->time,
			      VPNRT_A_HEALTH_PAD) ||
	    (ev->loss_start &&
	     nla_put_u64_64bit(skb, VPNRT_A_HEALTH_LOSS_START, ev->loss_start,
			       VPNRT_A_HEALTH_PAD)) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_SENT, ev->sent,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_ANSWERED, ev->answered,
			      VPNRT_A_HEALTH_PAD) ||
	    nla_put_u32(skb, VPNRT_A_HEALTH_CONSEC_LOST, ev->consec_lost) ||
	    nla_put_u64_64bit(skb, VPNRT_A_HEALTH_EVENTS_LOST, ev->events_lost,
			      VPNRT_A_HEALTH_PAD))
		goto err;
	nla_nest_end(skb, hn);
	nla_nest_end(skb, t1);
	nla_nest_end(skb, tn);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	vpnrt_nl_notify(net, skb);
	return 0;
err:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

/**
 * vpnrt_nl_conn_lookup() - the connection a request's conn nest names
 * (pre_doit)
 * @info: the request; RTNL held
 *
 * By name or id; given both, they must name the same connection.
 *
 * Return: the connection, or an error pointer with an extack
 */
struct vpnrt_conn *vpnrt_nl_conn_lookup(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	struct vpnrt_conn *c;
	int err;

	err = vpnrt_nl_req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX,
				vpnrt_nl_conn_policy, "conn");
	if (err)
		return ERR_PTR(err);
	if (tb[VPNRT_A_CONN_NAME]) {
		c = vpnrt_conn_by_name(net, nla_data(tb[VPNRT_A_CONN_NAME]));
		if (!c)
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_CONN_NAME],
						"conn: no conn named %s",
						(char *)nla_data(tb[VPNRT_A_CONN_NAME]));
	} else if (tb[VPNRT_A_CONN_ID]) {
		c = vpnrt_conn_by_id(net, nla_get_u32(tb[VPNRT_A_CONN_ID]));
		if (!c)
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_CONN_ID],
						"conn: no conn with id %u",
						nla_get_u32(tb[VPNRT_A_CONN_ID]));
	} else {
		NL_SET_ERR_MSG(extack, "conn: give name or id");
		return ERR_PTR(-EINVAL);
	}
	/* both given: they must name the same conn */
	if (c && tb[VPNRT_A_CONN_NAME] && tb[VPNRT_A_CONN_ID] &&
	    c->id != nla_get_u32(tb[VPNRT_A_CONN_ID])) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_CONN_ID],
					"conn: %s has id %u, not %u", c->name, c->id,
					nla_get_u32(tb[VPNRT_A_CONN_ID]));
		return ERR_PTR(-EINVAL);
	}
	return c ? c : ERR_PTR(-ENOENT);
}

/**
 * vpnrt_nl_conn_name_ok() - whether @s may name a connection
 * @s: the name
 *
 * Return: true for a non-empty name of letters, digits, '-', '_' and '.'
 */
bool vpnrt_nl_conn_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum(*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* admin and IKE states from @tb; shared by NEW and SET */
static int conn_states_check(struct nlattr **tb, bool ike_managed,
			     struct netlink_ext_ack *extack)
{
	if (tb[VPNRT_A_CONN_IKE] && !ike_managed) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_CONN_IKE],
				    "ike: conn is not IKE-managed (ike none)");
		return -EINVAL;
	}
	return 0;
}

/*
 * The connection-level IKE state sets every tunnel's; the caller applies
 * the tunnels' own afterwards and calls vpnrt_conn_ike_sync().
 */
static void conn_states_apply(struct nlattr **tb, struct vpnrt_conn *c)
{
	unsigned int i;

	if (tb[VPNRT_A_CONN_ADMIN])
		vpnrt_conn_set_down(c, VPNRT_DOWN_ADMIN,
				    nla_get_u8(tb[VPNRT_A_CONN_ADMIN]) == VPNRT_STATE_DOWN);
	if (tb[VPNRT_A_CONN_IKE])
		for (i = 0; i < c->n_tunnels; i++)
			vpnrt_tunnel_set_down(&c->tun[i], VPNRT_DOWN_IKE,
					      nla_get_u8(tb[VPNRT_A_CONN_IKE]) ==
					      VPNRT_STATE_DOWN);
}

/* a tunnel's own IKE state, of a request: -1 if absent */
static int tunnel_ike_check(struct nlattr **tb, bool ike_managed, s8 *ike,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *a = tb[VPNRT_A_TUNNEL_IKE];

	*ike = -1;
	if (!a)
		return 0;
	if (!ike_managed) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "tunnel ike: conn is not IKE-managed (ike none)");
		return -EINVAL;
	}
	*ike = nla_get_u8(a);
	return 0;
}

static void tunnel_ike_apply(struct vpnrt_conn *c, unsigned int idx, s8 ike)
{
	if (ike >= 0)
		vpnrt_tunnel_set_down(&c->tun[idx], VPNRT_DOWN_IKE,
				      ike == VPNRT_STATE_DOWN);
}

/*
 * Tunnel devices of a new connection: 1 or 2, distinct, usable, each
 * with its own IKE state if given (@ike, -1 if not).
 */
static int conn_tunnels(struct vpnrt_gw *gw, struct nlattr *arr,
			bool ike_managed, struct net_device **tdev, s8 *ike,
			unsigned int *n, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_TUNNEL_MAX + 1], *a;
	struct net *net = dev_net(gw->dev);
	int rem, err;

	*n = 0;
	nla_for_each_nested(a, arr, rem) {
		struct net_device *dev;
		u32 ifindex;

		if (*n == VPNRT_MAX_TUNNELS) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "tunnels: at most %u",
						VPNRT_MAX_TUNNELS);
			return -EINVAL;
		}
		err = nla_parse_nested(tb, VPNRT_A_TUNNEL_MAX, a, vpnrt_nl_tunnel_policy,
				       extack);
		if (err)
			return err;
		if (!tb[VPNRT_A_TUNNEL_IFINDEX]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "tunnel: ifindex missing");
			return -EINVAL;
		}
		if (tb[VPNRT_A_TUNNEL_HEALTH]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_TUNNEL_HEALTH],
					    "tunnel: health is set on an existing conn (conn set)");
			return -EINVAL;
		}
		if (tb[VPNRT_A_TUNNEL_POSITION] &&
		    nla_get_u8(tb[VPNRT_A_TUNNEL_POSITION]) != *n + 1) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_TUNNEL_POSITION],
						"tunnel: position %u given to tunnel %u; tunnels are in order",
						nla_get_u8(tb[VPNRT_A_TUNNEL_POSITION]),
						*n + 1);
			return -EINVAL;
		}
		err = tunnel_ike_check(tb, ike_managed, &ike[*n], extack);
		if (err)
			return err;
		ifindex = nla_get_u32(tb[VPNRT_A_TUNNEL_IFINDEX]);
		dev = __dev_get_by_index(net, ifindex);
		if (!dev) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_TUNNEL_IFINDEX],
						"tunnel: no device with ifindex %u in this netns",
						ifindex);
			return -ENODEV;
		}
		if (*n == 1 && tdev[0] == dev) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "tunnel: %s given twice",
						dev->name);
			return -EINVAL;
		}
		err = vpnrt_tunnel_check_dev(gw->dev, dev, extack);
		if (!err && vpnrt_rx_gw_wants(gw))
			err = vpnrt_rx_check(NULL, dev, tb[VPNRT_A_TUNNEL_IFINDEX],
					     extack);
		if (err)
			return err;
		tdev[(*n)++] = dev;
	}
	if (!*n) {
		NL_SET_ERR_MSG_ATTR(extack, arr, "tunnels: at least one needed");
		return -EINVAL;
	}
	return 0;
}

struct flowp {
	u8 mode, routing;
	u16 fp_family;
	u8 local_len, peer_len;
	union vpnrt_addr local, peer;
};

/* flow protection: both CIDRs, one family */
static int conn_flow(struct nlattr **tb, struct flowp *tmp,
		     struct netlink_ext_ack *extack)
{
	static const int need[] = {
		VPNRT_A_CONN_FAMILY, VPNRT_A_CONN_LOCAL_ADDR, VPNRT_A_CONN_LOCAL_LEN,
		VPNRT_A_CONN_PEER_ADDR, VPNRT_A_CONN_PEER_LEN,
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(need); i++) {
		if (!tb[need[i]]) {
			NL_SET_ERR_MSG(extack,
				       "flow-protection needs family, local and peer CIDRs");
			return -EINVAL;
		}
	}
	err = vpnrt_nl_get_family(tb[VPNRT_A_CONN_FAMILY], &tmp->fp_family, extack, "conn");
	if (!err)
		err = vpnrt_nl_get_prefix(tb[VPNRT_A_CONN_LOCAL_ADDR], tb[VPNRT_A_CONN_LOCAL_LEN],
					  tmp->fp_family, &tmp->local, &tmp->local_len,
					  extack, "local CIDR");
	if (!err)
		err = vpnrt_nl_get_prefix(tb[VPNRT_A_CONN_PEER_ADDR], tb[VPNRT_A_CONN_PEER_LEN],
					  tmp->fp_family, &tmp->peer, &tmp->peer_len,
					  extack, "peer CIDR");
	return err;
}

/**
 * vpnrt_nl_conn_new_doit() - CONN_NEW: a connection over its tunnels, with its
 * settings
 * @skb: the request
 * @info: the request, parsed (its attributes and extack)
 *
 * Return: 0 or an error with an extack
 */
int vpnrt_nl_conn_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	struct net_device *tdev[VPNRT_MAX_TUNNELS];
	s8 ike[VPNRT_MAX_TUNNELS];
	struct net *net = genl_info_net(info);
	struct netlink_ext_ack *extack = info->extack;
	struct flowp tmp = {};
	struct vpnrt_conn *c;
	struct vpnrt_route_spec rs;
	struct vpnrt_gw *gw;
	unsigned int n, i;
	bool ike_managed;
	const char *name;
	u32 id = 0;
	int err;

	err = vpnrt_nl_req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX,
				vpnrt_nl_conn_policy, "conn");
	if (err)
		return err;
	if (!tb[VPNRT_A_CONN_NAME] || !tb[VPNRT_A_CONN_GW_IFINDEX] ||
	    !tb[VPNRT_A_CONN_TUNNELS]) {
		NL_SET_ERR_MSG(extack, "conn: name, gateway and tunnels are required");
		return -EINVAL;
	}
	name = nla_data(tb[VPNRT_A_CONN_NAME]);
	if (!vpnrt_nl_conn_name_ok(name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_CONN_NAME],
				    "conn: name must be letters, digits, '-', '_' or '.'");
		return -EINVAL;
	}
	ike_managed = tb[VPNRT_A_CONN_IKE_MANAGED] &&
		      nla_get_u8(tb[VPNRT_A_CONN_IKE_MANAGED]);
	err = conn_states_check(tb, ike_managed, extack);
	if (err)
		return err;
	tmp.mode = tb[VPNRT_A_CONN_MODE] ? nla_get_u8(tb[VPNRT_A_CONN_MODE]) :
		   VPNRT_MODE_ACTIVE_STANDBY;
	tmp.routing = tb[VPNRT_A_CONN_ROUTING] ? nla_get_u8(tb[VPNRT_A_CONN_ROUTING]) :
		      VPNRT_ROUTING_DESTINATION;
	if (tmp.routing == VPNRT_ROUTING_FLOW) {
		err = conn_flow(tb, &tmp, extack);
		if (err)
			return err;
	} else if (tb[VPNRT_A_CONN_LOCAL_ADDR] || tb[VPNRT_A_CONN_PEER_ADDR]) {
		NL_SET_ERR_MSG(extack, "conn: local/peer CIDRs need flow-protection routing");
		return -EINVAL;
	}
	if (tb[VPNRT_A_CONN_ID])
		id = nla_get_u32(tb[VPNRT_A_CONN_ID]);

	rtnl_lock();
	gw = vpnrt_gw_by_ifindex(net, nla_get_u32(tb[VPNRT_A_CONN_GW_IFINDEX]));
	if (!gw) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_CONN_GW_IFINDEX],
					"conn: no vpnrt gateway with ifindex %u",
					nla_get_u32(tb[VPNRT_A_CONN_GW_IFINDEX]));
		err = -ENODEV;
		goto out;
	}
	if (vpnrt_conn_by_name(net, name)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_CONN_NAME],
					"conn: %s exists", name);
		err = -EEXIST;
		goto out;
	}
	if (id && vpnrt_conn_by_id(net, id)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_CONN_ID],
					"conn: id %u is in use by %s", id,
					vpnrt_conn_by_id(net, id)->name);
		err = -EEXIST;
		goto out;
	}
	if (gw->n_conns >= gw->max_conns) {
		NL_SET_ERR_MSG_FMT(extack, "conn: %s has %u conns, its max-conns",
				   gw->dev->name, gw->n_conns);
		err = -ENOSPC;
		goto out;
	}
	err = conn_tunnels(gw, tb[VPNRT_A_CONN_TUNNELS], ike_managed, tdev, ike,
			   &n, extack);
	if (err)
		goto out;
	if (tmp.mode == VPNRT_MODE_ECMP && n < 2) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_CONN_MODE],
				    "conn: mode ecmp needs two tunnels");
		err = -EINVAL;
		goto out;
	}

	c = vpnrt_conn_create(gw, name, id, tdev, n, extack);
	if (IS_ERR(c)) {
		err = PTR_ERR(c);
		goto out;
	}
	c->mode = tmp.mode;
	c->routing = tmp.routing;
	c->ike_managed = ike_managed;
	if (tb[VPNRT_A_CONN_OWNER])
		c->owner = nla_get_u8(tb[VPNRT_A_CONN_OWNER]);
	/* IKE-managed: every tunnel starts IKE down, unless told otherwise */
	for (i = 0; i < n; i++)
		vpnrt_tunnel_set_down(&c->tun[i], VPNRT_DOWN_IKE, ike_managed);
	conn_states_apply(tb, c);
	for (i = 0; i < n; i++) {
		tunnel_ike_apply(c, i, ike[i]);
		vpnrt_rx_attach(&c->tun[i]);
	}
	vpnrt_conn_ike_sync(c);
	vpnrt_gw_changed(c->gw);
	if (c->routing == VPNRT_ROUTING_FLOW) {
		c->fp_family = tmp.fp_family;
		c->local = tmp.local;
		c->local_len = tmp.local_len;
		c->peer = tmp.peer;
		c->peer_len = tmp.peer_len;
		memset(&rs, 0, sizeof(rs));
		rs.family = c->fp_family;
		rs.proto = VPNRT_PROTO_STATIC;
		rs.weight = VPNRT_WEIGHT_ACTIVE;
		rs.dst = c->peer;
		rs.dst_len = c->peer_len;
		rs.flags = VPNRT_ROUTE_F_FLOW;
		rs.conn = c;
		err = vpnrt_route_add(&rs, NULL, extack);
		if (err) {
			vpnrt_conn_destroy(c);
			goto out;
		}
	}
	vpnrt_notify_conn(c, VPNRT_CMD_CONN_NEW);
out:
	rtnl_unlock();
	return err;
}

/* an optional u32, @def if absent */
static u32 health_u32(const struct nlattr *a, u32 def)
{
	return a ? nla_get_u32(a) : def;
}

/* a health nest of CONN_SET: a configuration, or off */
static int health_parse(struct nlattr *nest, struct vpnrt_health_cfg *cfg,
			bool *off, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_HEALTH_MAX + 1];
	int i, err;

	err = nla_parse_nested(tb, VPNRT_A_HEALTH_MAX, nest, vpnrt_nl_health_policy,
			       extack);
	if (err)
		return err;
	*off = tb[VPNRT_A_HEALTH_OFF];
	if (*off) {
		for (i = 1; i <= VPNRT_A_HEALTH_MAX; i++) {
			if (i != VPNRT_A_HEALTH_OFF && tb[i]) {
				NL_SET_ERR_MSG_ATTR(extack, tb[i],
						    "health: off takes no other attribute");
				return -EINVAL;
			}
		}
		return 0;
	}
	if (!tb[VPNRT_A_HEALTH_FAMILY] || !tb[VPNRT_A_HEALTH_DST] ||
	    !tb[VPNRT_A_HEALTH_SRC]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "health: family, dst and src are required (or off)");
		return -EINVAL;
	}
	memset(cfg, 0, sizeof(*cfg));
	err = vpnrt_nl_get_family(tb[VPNRT_A_HEALTH_FAMILY], &cfg->family, extack,
				  "health");
	if (!err)
		err = vpnrt_nl_get_addr(tb[VPNRT_A_HEALTH_DST], cfg->family, &cfg->dst,
					extack, "health dst");
	if (!err)
		err = vpnrt_nl_get_addr(tb[VPNRT_A_HEALTH_SRC], cfg->family, &cfg->src,
					extack, "health src");
	if (err)
		return err;
	/* the ranges are the policy's; the timeout's bound follows the interval */
	cfg->interval_ms = health_u32(tb[VPNRT_A_HEALTH_INTERVAL],
				      VPNRT_HEALTH_INTERVAL_DEF);
	cfg->timeout_ms = health_u32(tb[VPNRT_A_HEALTH_TIMEOUT], cfg->interval_ms);
	if (cfg->timeout_ms > VPNRT_HEALTH_TIMEOUT_RATIO_MAX * cfg->interval_ms) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_HEALTH_TIMEOUT],
					"health timeout (ms) %u over %u x interval (%u ms)",
					cfg->timeout_ms,
					VPNRT_HEALTH_TIMEOUT_RATIO_MAX,
					cfg->interval_ms);
		return -EINVAL;
	}
	cfg->retries = health_u32(tb[VPNRT_A_HEALTH_RETRIES],
				  VPNRT_HEALTH_RETRIES_DEF);
	cfg->rise = health_u32(tb[VPNRT_A_HEALTH_RISE], VPNRT_HEALTH_RISE_DEF);
	if (tb[VPNRT_A_HEALTH_POLICY])
		cfg->policy = nla_get_u8(tb[VPNRT_A_HEALTH_POLICY]);
	return vpnrt_health_cfg_check(cfg, extack);
}

/* what CONN_SET does to one tunnel */
struct tunnel_set {
	bool present, off, has_cfg;
	s8 ike;				/* -1: unchanged */
	struct net_device *dev;		/* rebind to it, or NULL */
	struct vpnrt_health_cfg cfg;	/* the check given, if has_cfg */
	struct vpnrt_health *hc;	/* prepared, to start */
};

/*
 * The device a tunnel named by POSITION is rebound to: the IFINDEX of its
 * nest when it differs from the tunnel's, or when the tunnel lost its
 * device and a device has that ifindex again (re-created with it); NULL
 * for none: the tunnel's own ifindex only names it.
 */
static int tunnel_rebind_dev(struct vpnrt_conn *c, unsigned int idx,
			     struct nlattr *ifa, struct net_device **out,
			     struct netlink_ext_ack *extack)
{
	struct vpnrt_tunnel *t = &c->tun[idx];
	struct net_device *dev;
	u32 ifindex;
	int err;

	*out = NULL;
	if (!ifa)
		return 0;
	ifindex = nla_get_u32(ifa);
	if (ifindex == t->ifindex && rtnl_dereference(t->dev))
		return 0;
	dev = __dev_get_by_index(dev_net(c->gw->dev), ifindex);
	if (!dev && ifindex == t->ifindex)
		return 0;
	if (!dev) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, ifa,
					"tunnel %u: no device with ifindex %u in this netns",
					idx + 1, ifindex);
		return -ENODEV;
	}
	err = vpnrt_tunnel_check_dev(c->gw->dev, dev, extack);
	if (err) {
		NL_SET_BAD_ATTR(extack, ifa);
		return err;
	}
	*out = dev;
	return 0;
}

/*
 * Which tunnel of @c a CONN_SET nest names: by POSITION (1-based), which
 * with an IFINDEX of another device rebinds it; else by IFINDEX, one of
 * its tunnels' (the device may be gone); else its only tunnel.
 */
static int tunnel_of_nest(struct vpnrt_conn *c, struct nlattr *a,
			  struct nlattr **tb, unsigned int *idx,
			  struct net_device **rebind,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *pa = tb[VPNRT_A_TUNNEL_POSITION];
	struct nlattr *ifa = tb[VPNRT_A_TUNNEL_IFINDEX];
	unsigned int i;

	*rebind = NULL;
	if (pa) {
		if (!nla_get_u8(pa) || nla_get_u8(pa) > c->n_tunnels) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, pa,
						"tunnel: position %u; conn %s has 1..%u",
						nla_get_u8(pa), c->name, c->n_tunnels);
			return -EINVAL;
		}
		*idx = nla_get_u8(pa) - 1;
		return tunnel_rebind_dev(c, *idx, ifa, rebind, extack);
	}
	if (ifa) {
		u32 ifindex = nla_get_u32(ifa);

		for (i = 0; i < c->n_tunnels; i++) {
			if (c->tun[i].ifindex == ifindex) {
				*idx = i;
				return 0;
			}
		}
		NL_SET_ERR_MSG_ATTR_FMT(extack, ifa,
					"tunnel: ifindex %u is not a tunnel of conn %s",
					ifindex, c->name);
		return -ENODEV;
	}
	if (c->n_tunnels == 1) {
		*idx = 0;
		return 0;
	}
	NL_SET_ERR_MSG_ATTR_FMT(extack, a,
				"tunnel: conn %s has two tunnels; give the ifindex or position",
				c->name);
	return -EINVAL;
}

/* the tunnels array of CONN_SET, checked, probers prepared */
static int conn_set_tunnels(struct vpnrt_conn *c, struct nlattr *arr,
			    struct tunnel_set *ts,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_TUNNEL_MAX + 1], *a;
	const struct vpnrt_health_cfg *cfg;
	struct net_device *dev, *rebind;
	unsigned int i;
	int rem, err;

	nla_for_each_nested(a, arr, rem) {
		err = nla_parse_nested(tb, VPNRT_A_TUNNEL_MAX, a, vpnrt_nl_tunnel_policy,
				       extack);
		if (err)
			return err;
		err = tunnel_of_nest(c, a, tb, &i, &rebind, extack);
		if (err)
			return err;
		if (ts[i].present) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "tunnel: %s given twice",
						c->tun[i].ifname);
			return -EINVAL;
		}
		if (!tb[VPNRT_A_TUNNEL_HEALTH] && !tb[VPNRT_A_TUNNEL_IKE] &&
		    !rebind) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "tunnel: nothing to set (health, ike, or a new ifindex)");
			return -EINVAL;
		}
		err = tunnel_ike_check(tb, c->ike_managed, &ts[i].ike, extack);
		if (err)
			return err;
		if (tb[VPNRT_A_TUNNEL_HEALTH]) {
			err = health_parse(tb[VPNRT_A_TUNNEL_HEALTH], &ts[i].cfg,
					   &ts[i].off, extack);
			if (err)
				return err;
			ts[i].has_cfg = !ts[i].off;
		}
		ts[i].dev = rebind;
		ts[i].present = true;
		/* a new device where the gateway wants the receive handler */
		if (rebind && vpnrt_rx_gw_wants(c->gw)) {
			err = vpnrt_rx_check(&c->tun[i], rebind,
					     tb[VPNRT_A_TUNNEL_IFINDEX], extack);
			if (err)
				return err;
		}
	}
	if (ts[0].dev && ts[0].dev == ts[1].dev) {
		NL_SET_ERR_MSG_FMT(extack, "tunnel 2: %s is given to tunnel 1 too",
				   ts[1].dev->name);
		return -EINVAL;
	}
	/*
	 * Probers to start: a check given, or on a rebound tunnel the one it
	 * has (kept while its device was gone), on the device it will have.
	 */
	for (i = 0; i < c->n_tunnels; i++) {
		struct vpnrt_tunnel *t = &c->tun[i];

		if (!ts[i].present || ts[i].off)
			continue;
		if (ts[i].has_cfg)
			cfg = &ts[i].cfg;
		else if (ts[i].dev && t->health_on)
			cfg = &t->health_cfg;
		else
			continue;
		dev = ts[i].dev ?: rtnl_dereference(t->dev);
		ts[i].hc = vpnrt_health_prepare(c, i, dev, cfg, extack);
		if (IS_ERR(ts[i].hc)) {
			err = PTR_ERR(ts[i].hc);
			ts[i].hc = NULL;
			return err;
		}
	}
	return 0;
}

/* a checked CONN_SET's tunnels part; cannot fail */
static void conn_set_tunnels_apply(struct vpnrt_conn *c, struct tunnel_set *ts)
{
	unsigned int i;

	for (i = 0; i < c->n_tunnels; i++) {
		struct vpnrt_tunnel *t = &c->tun[i];

		if (ts[i].dev) {
			vpnrt_health_stop(c, i);
			if (vpnrt_rx_detach_begin(t, true)) {
				synchronize_net();
				vpnrt_rx_detach_end(t);
			}
			vpnrt_tunnel_rebind(c, i, ts[i].dev);
			vpnrt_rx_attach(t);
		}
		if (ts[i].off) {
			vpnrt_health_stop(c, i);
			t->health_on = false;
		} else if (ts[i].hc) {
			if (ts[i].has_cfg) {
				t->health_cfg = ts[i].cfg;
				t->health_on = true;
			}
			vpnrt_health_start(c, i, ts[i].hc);
		}
		tunnel_ike_apply(c, i, ts[i].ike);
	}
}

/* attributes fixed at creation; CONN_SET refuses them */
static const struct {
	int attr;
	const char *name;
} conn_fixed[] = {
	{ VPNRT_A_CONN_GW_IFINDEX, "gateway" },
	{ VPNRT_A_CONN_MODE, "mode" },
	{ VPNRT_A_CONN_ROUTING, "routing" },
	{ VPNRT_A_CONN_FAMILY, "family" },
	{ VPNRT_A_CONN_LOCAL_ADDR, "local CIDR" },
	{ VPNRT_A_CONN_LOCAL_LEN, "local CIDR" },
	{ VPNRT_A_CONN_PEER_ADDR, "peer CIDR" },
	{ VPNRT_A_CONN_PEER_LEN, "peer CIDR" },
	{ VPNRT_A_CONN_IKE_MANAGED, "ike-managed" },
};

/**
 * vpnrt_nl_conn_set_doit() - CONN_SET: change a connection, its tunnels and
 * health checks, all or none
 * @skb: the request
 * @info: the request, parsed; the connection in user_ptr[0], under RTNL
 *
 * Return: 0 or an error with an extack
 */
int vpnrt_nl_conn_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tunnel_set ts[VPNRT_MAX_TUNNELS] = {};
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	struct vpnrt_conn *c = info->user_ptr[0];
	unsigned int i;
	int err;

	/* the nest pre_doit found the conn in, parsed again for the rest */
	err = vpnrt_nl_req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX,
				vpnrt_nl_conn_policy, "conn");
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(conn_fixed); i++) {
		if (tb[conn_fixed[i].attr]) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[conn_fixed[i].attr],
						"conn: %s cannot be changed; delete and add the conn",
						conn_fixed[i].name);
			return -EINVAL;
		}
	}
	if (!tb[VPNRT_A_CONN_ADMIN] && !tb[VPNRT_A_CONN_IKE] &&
	    !tb[VPNRT_A_CONN_TUNNELS]) {
		NL_SET_ERR_MSG(extack, "conn: nothing to set (admin, ike, tunnels)");
		return -EINVAL;
	}
	for (i = 0; i < VPNRT_MAX_TUNNELS; i++)
		ts[i].ike = -1;
	err = vpnrt_nl_check_owner_same(tb[VPNRT_A_CONN_OWNER], c->owner, extack, "conn");
	if (!err)
		err = conn_states_check(tb, c->ike_managed, extack);
	if (!err && tb[VPNRT_A_CONN_TUNNELS])
		err = conn_set_tunnels(c, tb[VPNRT_A_CONN_TUNNELS], ts, extack);
	if (err) {
		for (i = 0; i < VPNRT_MAX_TUNNELS; i++)
			vpnrt_health_discard(ts[i].hc);
		return err;
	}
	/* nothing fails from here */
	conn_states_apply(tb, c);
	conn_set_tunnels_apply(c, ts);
	vpnrt_conn_ike_sync(c);
	vpnrt_gw_changed(c->gw);
	vpnrt_notify_conn(c, VPNRT_CMD_CONN_SET);
	return 0;
}

/**
 * vpnrt_nl_conn_del_doit() - CONN_DEL: delete a connection with its routes
 * @skb: the request
 * @info: the request, parsed; the connection in user_ptr[0], under RTNL
 *
 * Return: 0
 */
int vpnrt_nl_conn_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vpnrt_conn *c = info->user_ptr[0];
	struct net *net = genl_info_net(info);
	struct sk_buff *ev = NULL;

	/* the event describes the conn as it was: made before it goes */
	if (vpnrt_nl_has_listeners(net))
		ev = conn_msg(c, VPNRT_CMD_CONN_DEL);
	vpnrt_gw_changed(c->gw);
	vpnrt_conn_destroy(c);
	if (ev)
		vpnrt_nl_notify(net, ev);
	return 0;
}

/**
 * vpnrt_nl_conn_get_doit() - CONN_GET: one connection, by name or id
 * @skb: the request
 * @info: the request, parsed; the connection in user_ptr[0], under RTNL
 *
 * Return: 0 or an error
 */
int vpnrt_nl_conn_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = conn_fill(vpnrt_nl_reply_msg(info), info->user_ptr[0],
			    info->snd_portid, info->snd_seq, 0,
			    VPNRT_CMD_CONN_GET, NULL);

	return err ?: vpnrt_nl_reply(info);
}

/* a conn dump's filter: gw-ifindex in conn, or nothing */
static int conn_dump_parse(struct net *net, struct nlattr **attrs,
			   struct vpnrt_nl_dump *st, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	int i, err;

	if (!attrs || !attrs[VPNRT_A_CONN])
		return 0;
	err = nla_parse_nested(tb, VPNRT_A_CONN_MAX, attrs[VPNRT_A_CONN],
			       vpnrt_nl_conn_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= VPNRT_A_CONN_MAX; i++) {
		if (tb[i] && i != VPNRT_A_CONN_GW_IFINDEX)
			return vpnrt_nl_no_filter(extack, tb[i], conn_attr_names,
						  ARRAY_SIZE(conn_attr_names), "conn dump",
						  "gw-ifindex");
	}
	if (!tb[VPNRT_A_CONN_GW_IFINDEX])
		return 0;
	return vpnrt_nl_dump_filter_gw(net, tb[VPNRT_A_CONN_GW_IFINDEX], &st->gw,
				       extack, "conn dump");
}

/* a round of the conn dump: conns in id order, from the id after the last sent */
static int conn_dump_round(struct sk_buff *skb, struct netlink_callback *cb,
			   struct vpnrt_nl_dump *st)
{
	struct vpnrt_net *vn = vpnrt_pernet(sock_net(skb->sk));
	struct vpnrt_conn *c;
	unsigned long id;

	if (st->next > U32_MAX)
		return 0;
	xa_for_each_start(&vn->conn_ids, id, c, st->next) {
		if ((!st->gw || c->gw->dev->ifindex == st->gw) &&
		    conn_fill(skb, c, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI,
			      VPNRT_CMD_CONN_GET, cb))
			break;
		st->next = (u64)id + 1;
	}
	return 0;
}

/**
 * vpnrt_nl_conn_dump_start() - .start of the connection dump: its gateway
 * filter checked
 * @cb: the dump
 *
 * Return: 0 or an error with an extack (6.1: in round 1)
 */
int vpnrt_nl_conn_dump_start(struct netlink_callback *cb)
{
	return vpnrt_nl_dump_start(cb, conn_dump_parse, conn_dump_round);
}
