// SPDX-License-Identifier: GPL-2.0
/*
 * Route requests of the vpnrt family: ROUTE_NEW and ROUTE_DEL in batches
 * that apply whole or not at all, ROUTE_STALE and ROUTE_SWEEP, the route
 * dump (resumed by key) and route events.
 */
#include <linux/rtnetlink.h>
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"

static const char *const route_attr_names[] = {
	[VPNRT_A_ROUTE_FAMILY] = "family",
	[VPNRT_A_ROUTE_DST] = "dst",
	[VPNRT_A_ROUTE_DST_LEN] = "dst-len",
	[VPNRT_A_ROUTE_SRC] = "src",
	[VPNRT_A_ROUTE_SRC_LEN] = "src-len",
	[VPNRT_A_ROUTE_PROTO] = "proto",
	[VPNRT_A_ROUTE_CONN] = "conn",
	[VPNRT_A_ROUTE_CONN_ID] = "conn-id",
	[VPNRT_A_ROUTE_WEIGHT] = "weight",
	[VPNRT_A_ROUTE_PRIORITY] = "priority",
	[VPNRT_A_ROUTE_PREF] = "pref",
	[VPNRT_A_ROUTE_FLAGS] = "flags",
	[VPNRT_A_ROUTE_USABLE] = "usable",
	[VPNRT_A_ROUTE_GW_IFINDEX] = "gw-ifindex",
	[VPNRT_A_ROUTE_STALE] = "stale",
};

static bool route_usable(const struct vpnrt_route *r)
{
	return vpnrt_conn_carries(r->conn);
}

/**
 * vpnrt_nl_route_put() - one route as a nest of type @type
 * @skb: the message
 * @type: the nest's attribute type
 * @r: the route, under RTNL or RCU
 *
 * Return: 0, or -EMSGSIZE if it does not fit
 */
int vpnrt_nl_route_put(struct sk_buff *skb, int type, const struct vpnrt_route *r)
{
	unsigned int len = r->family == AF_INET6 ? 16 : 4;
	union vpnrt_addr dst, src;
	u8 dst_len, src_len;
	struct nlattr *nest;

	vpnrt_route_prefix(r, &dst, &dst_len, &src, &src_len);
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_u16(skb, VPNRT_A_ROUTE_FAMILY, r->family) ||
	    nla_put(skb, VPNRT_A_ROUTE_DST, len, &dst) ||
	    nla_put_u8(skb, VPNRT_A_ROUTE_DST_LEN, dst_len) ||
	    nla_put_u8(skb, VPNRT_A_ROUTE_PROTO, r->proto) ||
	    nla_put_string(skb, VPNRT_A_ROUTE_CONN, r->conn->name) ||
	    nla_put_u32(skb, VPNRT_A_ROUTE_CONN_ID, r->conn->id) ||
	    nla_put_u32(skb, VPNRT_A_ROUTE_GW_IFINDEX, r->conn->gw->dev->ifindex) ||
	    nla_put_u32(skb, VPNRT_A_ROUTE_FLAGS, r->flags) ||
	    nla_put_u8(skb, VPNRT_A_ROUTE_USABLE, route_usable(r)) ||
	    (READ_ONCE(r->stale) && nla_put_flag(skb, VPNRT_A_ROUTE_STALE)))
		return -EMSGSIZE;
	if (r->proto != VPNRT_PROTO_BGP &&
	    nla_put_u8(skb, VPNRT_A_ROUTE_WEIGHT, r->weight))
		return -EMSGSIZE;
	if (r->proto == VPNRT_PROTO_POLICY &&
	    (nla_put(skb, VPNRT_A_ROUTE_SRC, len, &src) ||
	     nla_put_u8(skb, VPNRT_A_ROUTE_SRC_LEN, src_len) ||
	     nla_put_u8(skb, VPNRT_A_ROUTE_PRIORITY, r->priority)))
		return -EMSGSIZE;
	if (r->proto == VPNRT_PROTO_BGP &&
	    nla_put_u32(skb, VPNRT_A_ROUTE_PREF, r->pref))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vpnrt_route_events() - the events of routes, built before they change
 * @net: the netns
 * @rt: the routes
 * @n: how many
 * @cmd: VPNRT_CMD_ROUTE_NEW or VPNRT_CMD_ROUTE_DEL
 * @q: where the events are queued, for vpnrt_send_events()
 *
 * Events for @n routes of one request: as few messages as fit, each with
 * VPNRT_A_ROUTES holding a run of them. Built before deleted routes go.
 * None without listeners, or once the family is going.
 *
 * Return: 0, or -ENOMEM or -EMSGSIZE (what was queued stays on @q)
 */
int vpnrt_route_events(struct net *net, struct vpnrt_route **rt,
		       unsigned int n, u8 cmd, struct sk_buff_head *q)
{
	unsigned int i = 0;

	if (!READ_ONCE(vpnrt_nl_events_live) || !vpnrt_nl_has_listeners(net))
		return 0;
	while (i < n) {
		struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		struct nlattr *arr;
		unsigned int first = i;
		void *hdr;

		if (!skb)
			return -ENOMEM;
		hdr = genlmsg_put(skb, 0, 0, &vpnrt_family, 0, cmd);
		arr = hdr ? nla_nest_start(skb, VPNRT_A_ROUTES) : NULL;
		if (!arr) {
			nlmsg_free(skb);
			return -EMSGSIZE;
		}
		for (; i < n; i++) {
			struct nlattr *mark = (struct nlattr *)skb_tail_pointer(skb);

			if (vpnrt_nl_route_put(skb, i - first + 1, rt[i])) {
				nlmsg_trim(skb, mark);
				break;
			}
		}
		if (i == first) {
			nlmsg_free(skb);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, arr);
		genlmsg_end(skb, hdr);
		__skb_queue_tail(q, skb);
	}
	return 0;
}

/**
 * vpnrt_send_events() - send the events built for a batch
 * @net: the netns
 * @q: the events, consumed
 */
void vpnrt_send_events(struct net *net, struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q)))
		vpnrt_nl_notify(net, skb);
}

/*
 * Route @idx (1-based) of a request, checked. A delete names the route
 * by family, prefixes, proto and conn; other values are checked alike.
 */
static int route_parse(struct net *net, struct nlattr *nla, unsigned int idx,
		       struct vpnrt_route_spec *s, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_ROUTE_MAX + 1];
	char what[16];
	int err;

	snprintf(what, sizeof(what), "route %u", idx);
	memset(s, 0, sizeof(*s));
	err = nla_parse_nested(tb, VPNRT_A_ROUTE_MAX, nla, vpnrt_nl_route_policy, extack);
	if (err)
		return err;
	if (!tb[VPNRT_A_ROUTE_FAMILY] || !tb[VPNRT_A_ROUTE_DST] ||
	    !tb[VPNRT_A_ROUTE_DST_LEN] || !tb[VPNRT_A_ROUTE_PROTO] ||
	    (!tb[VPNRT_A_ROUTE_CONN] && !tb[VPNRT_A_ROUTE_CONN_ID])) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, nla,
					"%s: family, dst, dst-len, proto and conn needed",
					what);
		return -EINVAL;
	}
	err = vpnrt_nl_get_family(tb[VPNRT_A_ROUTE_FAMILY], &s->family, extack, what);
	if (err)
		return err;
	err = vpnrt_nl_get_prefix(tb[VPNRT_A_ROUTE_DST], tb[VPNRT_A_ROUTE_DST_LEN],
				  s->family, &s->dst, &s->dst_len, extack, what);
	if (err)
		return err;
	s->proto = nla_get_u8(tb[VPNRT_A_ROUTE_PROTO]);
	if (s->proto < VPNRT_PROTO_STATIC || s->proto > VPNRT_PROTO_BGP) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_PROTO],
					"%s: proto %u; allowed 1 static, 2 policy, 3 bgp",
					what, s->proto);
		return -EINVAL;
	}
	if (tb[VPNRT_A_ROUTE_CONN]) {
		s->conn = vpnrt_conn_by_name(net, nla_data(tb[VPNRT_A_ROUTE_CONN]));
		if (!s->conn) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_CONN],
						"%s: no conn named %s", what,
						(char *)nla_data(tb[VPNRT_A_ROUTE_CONN]));
			return -ENOENT;
		}
	} else {
		s->conn = vpnrt_conn_by_id(net, nla_get_u32(tb[VPNRT_A_ROUTE_CONN_ID]));
		if (!s->conn) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_CONN_ID],
						"%s: no conn with id %u", what,
						nla_get_u32(tb[VPNRT_A_ROUTE_CONN_ID]));
			return -ENOENT;
		}
	}

	if (s->proto == VPNRT_PROTO_POLICY) {
		if (!tb[VPNRT_A_ROUTE_SRC] || !tb[VPNRT_A_ROUTE_SRC_LEN]) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, nla,
						"%s: a policy route needs src and src-len",
						what);
			return -EINVAL;
		}
		err = vpnrt_nl_get_prefix(tb[VPNRT_A_ROUTE_SRC], tb[VPNRT_A_ROUTE_SRC_LEN],
					  s->family, &s->src, &s->src_len, extack, what);
		if (err)
			return err;
	} else if (tb[VPNRT_A_ROUTE_SRC] || tb[VPNRT_A_ROUTE_SRC_LEN]) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_SRC] ?: tb[VPNRT_A_ROUTE_SRC_LEN],
					"%s: src is for policy routes only", what);
		return -EINVAL;
	}

	s->priority = VPNRT_PRIORITY_DEFAULT;
	if (tb[VPNRT_A_ROUTE_PRIORITY]) {
		s->priority = nla_get_u8(tb[VPNRT_A_ROUTE_PRIORITY]);
		if (s->proto != VPNRT_PROTO_POLICY) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_PRIORITY],
						"%s: priority is for policy routes only", what);
			return -EINVAL;
		}
	}
	s->weight = VPNRT_WEIGHT_ACTIVE;
	if (tb[VPNRT_A_ROUTE_WEIGHT]) {
		s->weight = nla_get_u8(tb[VPNRT_A_ROUTE_WEIGHT]);
		if (s->proto == VPNRT_PROTO_BGP) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_WEIGHT],
						"%s: BGP routes have pref, not weight", what);
			return -EINVAL;
		}
		if (s->weight != VPNRT_WEIGHT_ACTIVE && s->weight != VPNRT_WEIGHT_STANDBY) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_WEIGHT],
						"%s: weight %u; allowed 100 (active), 0 (standby)",
						what, s->weight);
			return -EINVAL;
		}
	}
	if (tb[VPNRT_A_ROUTE_PREF]) {
		if (s->proto != VPNRT_PROTO_BGP) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_PREF],
						"%s: pref is for BGP routes only", what);
			return -EINVAL;
		}
		s->pref = nla_get_u32(tb[VPNRT_A_ROUTE_PREF]);
	}
	if (tb[VPNRT_A_ROUTE_GW_IFINDEX] &&
	    nla_get_u32(tb[VPNRT_A_ROUTE_GW_IFINDEX]) != s->conn->gw->dev->ifindex) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_GW_IFINDEX],
					"%s: conn %s is not on that gateway", what,
					s->conn->name);
		return -EINVAL;
	}
	return 0;
}

/*
 * prefix the message a lower layer left with "route N: ", unless it has
 * one already ("route exists" has not: it is not "route N:")
 */
static void route_err(struct netlink_ext_ack *extack, unsigned int idx)
{
	char msg[VPNRT_ERRLEN];

	if (!extack || !extack->_msg ||
	    (!strncmp(extack->_msg, "route ", 6) && isdigit(extack->_msg[6])))
		return;
	strscpy(msg, extack->_msg, sizeof(msg));
	NL_SET_ERR_MSG_FMT(extack, "route %u: %s", idx, msg);
}

/* the routes of a ROUTE_NEW/ROUTE_DEL request: 0, with an extack, if none */
static unsigned int req_routes(struct genl_info *info)
{
	const struct nlattr *a;
	unsigned int n = 0;
	int rem;

	if (GENL_REQ_ATTR_CHECK(info, VPNRT_A_ROUTES))
		return 0;
	nla_for_each_nested(a, info->attrs[VPNRT_A_ROUTES], rem)
		n++;
	if (!n)
		NL_SET_ERR_MSG(info->extack, "routes: none given");
	return n;
}

/**
 * vpnrt_nl_route_new_doit() - ROUTE_NEW
 * @skb: the request
 * @info: the request, parsed (its attributes and extack)
 *
 * ROUTE_NEW: the routes of the array in order, all or none. With
 * VPNRT_A_REPLACE a route that exists takes the new values (a new object
 * replacing it, see vpnrt_route_set()); without, only a stale one does
 * (a refresh), and any other is "route exists". Events name the routes
 * added and those whose values changed; a refresh clears the stale mark
 * without one.
 *
 * Return: 0 or an error with an extack naming the route
 */
int vpnrt_nl_route_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool replace = info->attrs[VPNRT_A_REPLACE];
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct vpnrt_route_change *ch;
	struct vpnrt_route **ev;
	struct sk_buff_head q;
	struct vpnrt_route_spec s;
	unsigned int n = 0, n_ev = 0, total, i;
	struct vpnrt_gw *changed = NULL;
	struct nlattr *a;
	int rem, err = 0;

	total = req_routes(info);
	if (!total)
		return -EINVAL;
	ch = kvmalloc_array(total, sizeof(*ch), VPNRT_GFP_ROUTE);
	ev = kvmalloc_array(total, sizeof(*ev), VPNRT_GFP_ROUTE);
	if (!ch || !ev) {
		NL_SET_ERR_MSG(extack, "out of memory (the memory cgroup's limit?)");
		err = -ENOMEM;
		goto out;
	}
	__skb_queue_head_init(&q);

	rtnl_lock();
	i = 0;
	nla_for_each_nested(a, info->attrs[VPNRT_A_ROUTES], rem) {
		if (!(++i % VPNRT_CHUNK))
			cond_resched();
		err = route_parse(net, a, i, &s, extack);
		if (err)
			goto undo;
		err = vpnrt_route_set(&s, replace, &ch[n], extack);
		if (err) {
			route_err(extack, i);
			goto undo;
		}
		n++;
	}
	/* the routes as they will be, but those a later element replaced */
	for (i = 0; i < n; i++) {
		if (ch[i].op != VPNRT_ROUTE_UNCHANGED &&
		    changed != ch[i].r->conn->gw) {
			changed = ch[i].r->conn->gw;
			vpnrt_gw_changed(changed);
		}
		if ((ch[i].op == VPNRT_ROUTE_ADDED ||
		     ch[i].op == VPNRT_ROUTE_REPLACED) && !ch[i].r->replaced)
			ev[n_ev++] = ch[i].r;
	}
	vpnrt_route_set_commit(ch, n);
	vpnrt_route_events(net, ev, n_ev, VPNRT_CMD_ROUTE_NEW, &q);
	rtnl_unlock();
	vpnrt_send_events(net, &q);
	goto out;

undo:
	while (n--)
		vpnrt_route_set_undo(&ch[n]);
	rtnl_unlock();
out:
	kvfree(ev);
	kvfree(ch);
	return err;
}

/**
 * vpnrt_nl_route_del_doit() - ROUTE_DEL: delete the routes of the array, all or
 * none
 * @skb: the request
 * @info: the request, parsed (its attributes and extack)
 *
 * Return: 0 or an error with an extack naming the route
 */
int vpnrt_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct vpnrt_gw *changed = NULL;
	struct vpnrt_route **found;
	struct sk_buff_head q;
	struct vpnrt_route_spec s;
	unsigned int n = 0, total, i;
	struct nlattr *a;
	int rem, err = 0;

	total = req_routes(info);
	if (!total)
		return -EINVAL;
	found = kvmalloc_array(total, sizeof(*found), VPNRT_GFP_ROUTE);
	if (!found) {
		NL_SET_ERR_MSG(extack, "out of memory (the memory cgroup's limit?)");
		return -ENOMEM;
	}
	__skb_queue_head_init(&q);

	rtnl_lock();
	/* find them all first: nothing is deleted unless everything is found */
	nla_for_each_nested(a, info->attrs[VPNRT_A_ROUTES], rem) {
		struct vpnrt_route *r;

		if (!((n + 1) % VPNRT_CHUNK))
			cond_resched();
		err = route_parse(net, a, n + 1, &s, extack);
		if (err)
			goto out;
		r = vpnrt_route_find(&s);
		if (!r) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "route %u: no such route", n + 1);
			err = -ESRCH;
			goto out;
		}
		if (r->flags & VPNRT_ROUTE_F_FLOW) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a,
						"route %u: owned by flow protection of conn %s",
						n + 1, r->conn->name);
			err = -EPERM;
			goto out;
		}
		if (r->picked) {
			for (i = 0; found[i] != r; i++)
				;
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "route %u: same as route %u",
						n + 1, i + 1);
			err = -EINVAL;
			goto out;
		}
		r->picked = 1;
		found[n++] = r;
	}
	vpnrt_route_events(net, found, n, VPNRT_CMD_ROUTE_DEL, &q);
	for (i = 0; i < n; i++) {
		if (found[i]->conn->gw != changed) {
			changed = found[i]->conn->gw;
			vpnrt_gw_changed(changed);
		}
		vpnrt_route_del(found[i]);
		if (!((i + 1) % VPNRT_CHUNK))
			cond_resched();
	}
	n = 0;
out:
	/* a failed request leaves its routes as they were */
	for (i = 0; i < n; i++)
		found[i]->picked = 0;
	rtnl_unlock();
	if (!err)
		vpnrt_send_events(net, &q);
	else
		__skb_queue_purge(&q);
	kvfree(found);
	return err;
}

/* the scope of ROUTE_STALE / ROUTE_SWEEP: a gateway, maybe a conn, a proto */
static int stale_scope(struct net *net, struct nlattr *nest, struct nlattr **tb,
		       struct vpnrt_stale_scope *sc,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *a;

	memset(sc, 0, sizeof(*sc));
	a = tb[VPNRT_A_STALE_GW_IFINDEX];
	if (!a) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "stale: gw-ifindex is required");
		NL_SET_ERR_ATTR_MISS(extack, nest, VPNRT_A_STALE_GW_IFINDEX);
		return -EINVAL;
	}
	sc->gw = vpnrt_gw_by_ifindex(net, nla_get_u32(a));
	if (!sc->gw) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "stale: no vpnrt gateway with ifindex %u",
					nla_get_u32(a));
		return -ENODEV;
	}
	a = tb[VPNRT_A_STALE_CONN];
	if (a) {
		sc->conn = vpnrt_conn_by_name(net, nla_data(a));
		if (!sc->conn) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "stale: no conn named %s",
						(char *)nla_data(a));
			return -ENOENT;
		}
	} else if (tb[VPNRT_A_STALE_CONN_ID]) {
		a = tb[VPNRT_A_STALE_CONN_ID];
		sc->conn = vpnrt_conn_by_id(net, nla_get_u32(a));
		if (!sc->conn) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a, "stale: no conn with id %u",
						nla_get_u32(a));
			return -ENOENT;
		}
	}
	if (sc->conn && sc->conn->gw != sc->gw) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "stale: conn %s is not on that gateway",
					sc->conn->name);
		return -EINVAL;
	}
	a = tb[VPNRT_A_STALE_PROTO];
	if (a) {
		sc->proto = nla_get_u8(a);
		if (sc->proto < VPNRT_PROTO_STATIC || sc->proto > VPNRT_PROTO_BGP) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, a,
						"stale: proto %u; allowed 1 static, 2 policy, 3 bgp",
						sc->proto);
			return -EINVAL;
		}
	}
	return 0;
}

/* the reply: the scope, the timeout of a mark, and the count */
static int stale_fill(struct sk_buff *skb, struct genl_info *info,
		      const struct vpnrt_stale_scope *sc, bool sweep,
		      u32 timeout, u32 count)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put_reply(skb, info, &vpnrt_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, VPNRT_A_STALE);
	if (!nest ||
	    nla_put_u32(skb, VPNRT_A_STALE_GW_IFINDEX, sc->gw->dev->ifindex) ||
	    (sc->conn &&
	     (nla_put_string(skb, VPNRT_A_STALE_CONN, sc->conn->name) ||
	      nla_put_u32(skb, VPNRT_A_STALE_CONN_ID, sc->conn->id))) ||
	    (sc->proto && nla_put_u8(skb, VPNRT_A_STALE_PROTO, sc->proto)) ||
	    (!sweep && nla_put_u32(skb, VPNRT_A_STALE_TIMEOUT, timeout)) ||
	    nla_put_u32(skb, VPNRT_A_STALE_COUNT, count)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * vpnrt_nl_route_stale_doit() - ROUTE_STALE and ROUTE_SWEEP
 * @skb: the request
 * @info: the request, parsed (its attributes and extack)
 *
 * ROUTE_STALE marks the routes of the scope stale, ROUTE_SWEEP deletes
 * those of them still stale (with ROUTE_DEL events); both reply with the
 * scope and the count.
 *
 * Return: 0 or an error with an extack
 */
int vpnrt_nl_route_stale_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool sweep = info->genlhdr->cmd == VPNRT_CMD_ROUTE_SWEEP;
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[VPNRT_A_STALE_MAX + 1];
	struct net *net = genl_info_net(info);
	struct vpnrt_stale_scope sc;
	struct sk_buff_head q;
	struct sk_buff *msg;
	u32 timeout = 0, count = 0;
	int err;

	err = vpnrt_nl_req_nest(info, VPNRT_A_STALE, tb, VPNRT_A_STALE_MAX, vpnrt_nl_stale_policy,
				"stale");
	if (err)
		return err;
	if (tb[VPNRT_A_STALE_TIMEOUT]) {
		if (sweep) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_STALE_TIMEOUT],
					    "stale: timeout is for route-stale, not route-sweep");
			return -EINVAL;
		}
		timeout = nla_get_u32(tb[VPNRT_A_STALE_TIMEOUT]);
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	__skb_queue_head_init(&q);
	rtnl_lock();
	err = stale_scope(net, info->attrs[VPNRT_A_STALE], tb, &sc, extack);
	if (!err)
		err = sweep ? vpnrt_stale_sweep(&sc, &count, &q) :
			      vpnrt_stale_mark(&sc, timeout, &count);
	if (!err && count)
		vpnrt_gw_changed(sc.gw);
	if (!err)
		err = stale_fill(msg, info, &sc, sweep, timeout, count);
	rtnl_unlock();
	vpnrt_send_events(net, &q);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* route dump filters */
static const u8 route_filters[] = {
	VPNRT_A_ROUTE_FAMILY, VPNRT_A_ROUTE_PROTO, VPNRT_A_ROUTE_CONN,
	VPNRT_A_ROUTE_GW_IFINDEX,
};

/*
 * A route dump's filter: one element of routes with any of family,
 * proto, conn and gw-ifindex; a route must match all of them. A conn or
 * gateway that does not exist is an error, as for ip route show dev.
 */
static int route_dump_parse(struct net *net, struct nlattr **attrs,
			    struct vpnrt_nl_dump *st, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_ROUTE_MAX + 1], *a, *elem = NULL;
	const char *what = "route dump";
	int i, rem, err;

	if (!attrs || !attrs[VPNRT_A_ROUTES])
		return 0;
	nla_for_each_nested(a, attrs[VPNRT_A_ROUTES], rem) {
		if (elem) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "route dump: a second element of routes; the filter is one");
			return -EINVAL;
		}
		elem = a;
	}
	if (!elem)
		return 0;
	err = nla_parse_nested(tb, VPNRT_A_ROUTE_MAX, elem, vpnrt_nl_route_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= VPNRT_A_ROUTE_MAX; i++) {
		if (tb[i] && !memchr(route_filters, i, sizeof(route_filters)))
			return vpnrt_nl_no_filter(extack, tb[i], route_attr_names,
						  ARRAY_SIZE(route_attr_names), what,
						  "family, proto, conn, gw-ifindex");
	}
	/* family and proto 0: any, as absent */
	if (tb[VPNRT_A_ROUTE_FAMILY] && nla_get_u16(tb[VPNRT_A_ROUTE_FAMILY])) {
		err = vpnrt_nl_get_family(tb[VPNRT_A_ROUTE_FAMILY], &st->family, extack, what);
		if (err)
			return err;
	}
	if (tb[VPNRT_A_ROUTE_PROTO]) {
		st->proto = nla_get_u8(tb[VPNRT_A_ROUTE_PROTO]);
		if (st->proto > VPNRT_PROTO_BGP) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_PROTO],
						"%s: proto %u; allowed 1 static, 2 policy, 3 bgp",
						what, st->proto);
			return -EINVAL;
		}
	}
	if (tb[VPNRT_A_ROUTE_GW_IFINDEX]) {
		err = vpnrt_nl_dump_filter_gw(net, tb[VPNRT_A_ROUTE_GW_IFINDEX], &st->gw,
					      extack, what);
		if (err)
			return err;
	}
	if (tb[VPNRT_A_ROUTE_CONN]) {
		nla_strscpy(st->conn, tb[VPNRT_A_ROUTE_CONN], sizeof(st->conn));
		if (!vpnrt_conn_by_name(net, st->conn)) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_CONN],
						"%s: no conn named %s", what, st->conn);
			return -ENOENT;
		}
	}
	return 0;
}

/**
 * vpnrt_nl_route_cursor_set() - set the cursor of a route dump
 * @st: the dump's state
 * @c: the connection
 * @r: its route, the next to send (not sent yet)
 */
void vpnrt_nl_route_cursor_set(struct vpnrt_nl_dump *st, const struct vpnrt_conn *c,
			       const struct vpnrt_route *r)
{
	st->next = c->id;
	st->mid = true;
	st->seq = r->seq;
	st->epoch = c->route_epoch;
	st->key.family = r->family;
	st->key.proto = r->proto;
	vpnrt_route_prefix(r, &st->key.dst, &st->key.dst_len, &st->key.src,
			   &st->key.src_len);
}

/**
 * vpnrt_nl_route_resume() - where a route dump resumes
 * @cb: the dump
 * @st: its state
 * @c: the connection of the cursor
 *
 * Where a round resumes in conn @c: the route of the cursor, found by
 * its key in the tries (never through a pointer kept from the last
 * round), if it is still the one of that seq; else, if it was deleted
 * (or deleted and added again, at the tail), the first route of @c with
 * a seq at or after the cursor's, as conn->routes is in seq order. Only
 * that walk is linear, in the routes before the cursor, once per round
 * whose route at the cursor was deleted since the last one. If the seqs
 * of @c were numbered again since (2^31 additions to one conn), the dump
 * starts @c again and says it was interrupted.
 *
 * Return: the route to send next, or NULL when @c has no more
 */
struct vpnrt_route *vpnrt_nl_route_resume(struct netlink_callback *cb,
					  struct vpnrt_nl_dump *st,
					  struct vpnrt_conn *c)
{
	struct vpnrt_route *r;

	if (st->epoch != c->route_epoch) {
		cb->seq--;
		return list_first_entry(&c->routes, struct vpnrt_route, conn_link);
	}
	st->key.conn = c;
	r = vpnrt_route_find(&st->key);
	st->key.conn = NULL;
	if (r && r->seq == st->seq)
		return r;
	list_for_each_entry(r, &c->routes, conn_link)
		if ((s32)(r->seq - st->seq) >= 0)
			break;
	return r;
}

/* one route in a message of its own; -EMSGSIZE when @skb is full */
static int route_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct vpnrt_route *r)
{
	struct nlattr *arr;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vpnrt_family, NLM_F_MULTI, VPNRT_CMD_ROUTE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	arr = nla_nest_start(skb, VPNRT_A_ROUTES);
	if (!arr || vpnrt_nl_route_put(skb, 1, r)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, arr);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * A round of the route dump: conns in id order, each conn's routes in the
 * order of conn->routes (the order they were added). A round costs the
 * routes it sends plus one trie lookup, so 100,000 routes dump in linear
 * time.
 */
static int route_dump_round(struct sk_buff *skb, struct netlink_callback *cb,
			    struct vpnrt_nl_dump *st)
{
	struct vpnrt_net *vn = vpnrt_pernet(sock_net(skb->sk));
	struct vpnrt_route *r;
	struct vpnrt_conn *c;
	unsigned long id;

	if (st->next > U32_MAX)
		return 0;
	xa_for_each_start(&vn->conn_ids, id, c, st->next) {
		if ((st->gw && c->gw->dev->ifindex != st->gw) ||
		    (st->conn[0] && strcmp(c->name, st->conn)))
			goto next_conn;
		if (st->mid && id == st->next)
			r = vpnrt_nl_route_resume(cb, st, c);
		else
			r = list_first_entry(&c->routes, struct vpnrt_route,
					     conn_link);
		list_for_each_entry_from(r, &c->routes, conn_link) {
			if ((st->proto && r->proto != st->proto) ||
			    (st->family && r->family != st->family))
				continue;
			if (route_dump_one(skb, cb, r)) {
				vpnrt_nl_route_cursor_set(st, c, r);
				return skb->len ? 0 : -EMSGSIZE;
			}
		}
next_conn:
		st->mid = false;
		st->next = (u64)id + 1;
	}
	return 0;
}

/**
 * vpnrt_nl_route_dump_start() - .start of the route dump: its filters checked
 * @cb: the dump
 *
 * Return: 0 or an error with an extack (6.1: in round 1)
 */
int vpnrt_nl_route_dump_start(struct netlink_callback *cb)
{
	return vpnrt_nl_dump_start(cb, route_dump_parse, route_dump_round);
}
