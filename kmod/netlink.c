// SPDX-License-Identifier: GPL-2.0
/*
 * The vpnrt generic netlink family: requests, replies, dumps and events.
 *
 * Policies give every attribute its type and length and reject what the
 * kernel only reports; values are checked here, so each rejection can say
 * which attribute was wrong and what is allowed. Changes run under RTNL
 * and apply whole or not at all.
 */
#include <linux/rtnetlink.h>
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "vpnrt.h"

enum vpnrt_mcgrp {
	VPNRT_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group vpnrt_mcgrps[] = {
	[VPNRT_MCGRP_EVENTS_ID] = { .name = VPNRT_MCGRP_EVENTS },
};

#define RO { .type = NLA_REJECT, .reject_message = "attribute is read-only" }

static const struct nla_policy health_policy[VPNRT_A_HEALTH_MAX + 1] = {
	[VPNRT_A_HEALTH_OFF]		= { .type = NLA_FLAG },
	[VPNRT_A_HEALTH_FAMILY]		= { .type = NLA_U16 },
	[VPNRT_A_HEALTH_DST]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_HEALTH_SRC]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_HEALTH_INTERVAL]	= { .type = NLA_U32 },
	[VPNRT_A_HEALTH_RETRIES]	= { .type = NLA_U32 },
	[VPNRT_A_HEALTH_RISE]		= { .type = NLA_U32 },
	[VPNRT_A_HEALTH_POLICY]		= { .type = NLA_U8 },
	[VPNRT_A_HEALTH_STATE]		= RO,
	[VPNRT_A_HEALTH_OLD_STATE]	= RO,
	[VPNRT_A_HEALTH_REASON]		= RO,
	[VPNRT_A_HEALTH_TIME]		= RO,
	[VPNRT_A_HEALTH_LOSS_START]	= RO,
	[VPNRT_A_HEALTH_SINCE]		= RO,
	[VPNRT_A_HEALTH_SENT]		= RO,
	[VPNRT_A_HEALTH_ANSWERED]	= RO,
	[VPNRT_A_HEALTH_IGNORED]	= RO,
	[VPNRT_A_HEALTH_SEND_ERRORS]	= RO,
	[VPNRT_A_HEALTH_CONSEC_LOST]	= RO,
	[VPNRT_A_HEALTH_RTT]		= RO,
	[VPNRT_A_HEALTH_SRTT]		= RO,
	[VPNRT_A_HEALTH_WINDOW]		= RO,
	[VPNRT_A_HEALTH_WINDOW_LOST]	= RO,
	[VPNRT_A_HEALTH_TRANSITIONS]	= RO,
	[VPNRT_A_HEALTH_PAD]		= RO,
};

static const struct nla_policy tunnel_policy[VPNRT_A_TUNNEL_MAX + 1] = {
	[VPNRT_A_TUNNEL_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_TUNNEL_IFNAME]		= RO,
	[VPNRT_A_TUNNEL_STATE]		= RO,
	[VPNRT_A_TUNNEL_DOWN_REASON]	= RO,
	[VPNRT_A_TUNNEL_TX_PACKETS]	= RO,
	[VPNRT_A_TUNNEL_TX_BYTES]	= RO,
	[VPNRT_A_TUNNEL_TX_ERRORS]	= RO,
	[VPNRT_A_TUNNEL_PAD]		= RO,
	[VPNRT_A_TUNNEL_HEALTH]		= NLA_POLICY_NESTED(health_policy),
	[VPNRT_A_TUNNEL_IKE]		= { .type = NLA_U8 },
	[VPNRT_A_TUNNEL_POSITION]	= { .type = NLA_U8 },
};

static const struct nla_policy route_policy[VPNRT_A_ROUTE_MAX + 1] = {
	[VPNRT_A_ROUTE_FAMILY]		= { .type = NLA_U16 },
	[VPNRT_A_ROUTE_DST]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_ROUTE_DST_LEN]		= { .type = NLA_U8 },
	[VPNRT_A_ROUTE_SRC]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_ROUTE_SRC_LEN]		= { .type = NLA_U8 },
	[VPNRT_A_ROUTE_PROTO]		= { .type = NLA_U8 },
	[VPNRT_A_ROUTE_CONN]		= { .type = NLA_NUL_STRING,
					    .len = VPNRT_CONN_NAME_MAX - 1 },
	[VPNRT_A_ROUTE_CONN_ID]		= { .type = NLA_U32 },
	[VPNRT_A_ROUTE_WEIGHT]		= { .type = NLA_U8 },
	[VPNRT_A_ROUTE_PRIORITY]	= { .type = NLA_U8 },
	[VPNRT_A_ROUTE_PREF]		= { .type = NLA_U32 },
	[VPNRT_A_ROUTE_FLAGS]		= RO,
	[VPNRT_A_ROUTE_USABLE]		= RO,
	[VPNRT_A_ROUTE_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_ROUTE_STALE]		= RO,
};

static const struct nla_policy stale_policy[VPNRT_A_STALE_MAX + 1] = {
	[VPNRT_A_STALE_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_STALE_CONN]		= { .type = NLA_NUL_STRING,
					    .len = VPNRT_CONN_NAME_MAX - 1 },
	[VPNRT_A_STALE_CONN_ID]		= { .type = NLA_U32 },
	[VPNRT_A_STALE_PROTO]		= { .type = NLA_U8 },
	[VPNRT_A_STALE_TIMEOUT]		= { .type = NLA_U32 },
	[VPNRT_A_STALE_COUNT]		= RO,
};

static const struct nla_policy gw_policy[VPNRT_A_GW_MAX + 1] = {
	[VPNRT_A_GW_IFINDEX]		= { .type = NLA_U32 },
	[VPNRT_A_GW_IFNAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[VPNRT_A_GW_ECMP_HASH]		= { .type = NLA_U8 },
	[VPNRT_A_GW_MAX_PATHS]		= { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_CONNS]		= { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_BGP_ROUTES]	= { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_PEER_ROUTES]	= { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_POLICY_ROUTES]	= { .type = NLA_U32 },
	[VPNRT_A_GW_MAX_ROUTES]		= { .type = NLA_U32 },
	[VPNRT_A_GW_N_CONNS]		= RO,
	[VPNRT_A_GW_N_ROUTES]		= RO,
	[VPNRT_A_GW_N_POLICY_ROUTES]	= RO,
	[VPNRT_A_GW_N_BGP_ROUTES]	= RO,
	[VPNRT_A_GW_STATS]		= RO,
	[VPNRT_A_GW_PAD]		= RO,
	[VPNRT_A_GW_OWNER]		= { .type = NLA_U8 },
	/* its range is checked in gw_validate(), with a message naming it */
	[VPNRT_A_GW_MSS_CLAMP]		= { .type = NLA_U32 },
};

static const struct nla_policy conn_policy[VPNRT_A_CONN_MAX + 1] = {
	[VPNRT_A_CONN_NAME]		= { .type = NLA_NUL_STRING,
					    .len = VPNRT_CONN_NAME_MAX - 1 },
	[VPNRT_A_CONN_ID]		= { .type = NLA_U32 },
	[VPNRT_A_CONN_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_CONN_TUNNELS]		= NLA_POLICY_NESTED_ARRAY(tunnel_policy),
	[VPNRT_A_CONN_MODE]		= { .type = NLA_U8 },
	[VPNRT_A_CONN_ROUTING]		= { .type = NLA_U8 },
	[VPNRT_A_CONN_FAMILY]		= { .type = NLA_U16 },
	[VPNRT_A_CONN_LOCAL_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_CONN_LOCAL_LEN]	= { .type = NLA_U8 },
	[VPNRT_A_CONN_PEER_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_CONN_PEER_LEN]		= { .type = NLA_U8 },
	[VPNRT_A_CONN_ADMIN]		= { .type = NLA_U8 },
	[VPNRT_A_CONN_IKE_MANAGED]	= { .type = NLA_U8 },
	[VPNRT_A_CONN_IKE]		= { .type = NLA_U8 },
	[VPNRT_A_CONN_STATE]		= RO,
	[VPNRT_A_CONN_DOWN_REASON]	= RO,
	[VPNRT_A_CONN_N_ROUTES]		= RO,
	[VPNRT_A_CONN_N_BGP_ROUTES]	= RO,
	[VPNRT_A_CONN_OWNER]		= { .type = NLA_U8 },
};

static const struct nla_policy lookup_policy[VPNRT_A_LOOKUP_MAX + 1] = {
	[VPNRT_A_LOOKUP_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_LOOKUP_FAMILY]		= { .type = NLA_U16 },
	[VPNRT_A_LOOKUP_DST]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_LOOKUP_SRC]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_LOOKUP_IPPROTO]	= { .type = NLA_U8 },
	[VPNRT_A_LOOKUP_SPORT]		= { .type = NLA_U16 },
	[VPNRT_A_LOOKUP_DPORT]		= { .type = NLA_U16 },
	[VPNRT_A_LOOKUP_ROUTE]		= RO,
	[VPNRT_A_LOOKUP_TUNNEL_IFINDEX]	= RO,
	[VPNRT_A_LOOKUP_TUNNEL_IFNAME]	= RO,
	[VPNRT_A_LOOKUP_REASON]		= RO,
	[VPNRT_A_LOOKUP_FALLBACK]	= RO,
	[VPNRT_A_LOOKUP_N_PATHS]	= RO,
	[VPNRT_A_LOOKUP_HASH]		= RO,
	[VPNRT_A_LOOKUP_SKIPPED]	= RO,
};

static const struct nla_policy vpnrt_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_GW]		= NLA_POLICY_NESTED(gw_policy),
	[VPNRT_A_CONN]		= NLA_POLICY_NESTED(conn_policy),
	[VPNRT_A_ROUTES]	= NLA_POLICY_NESTED_ARRAY(route_policy),
	[VPNRT_A_LOOKUP]	= NLA_POLICY_NESTED(lookup_policy),
	[VPNRT_A_STALE]		= NLA_POLICY_NESTED(stale_policy),
	[VPNRT_A_REPLACE]	= { .type = NLA_FLAG },
};

static struct genl_family vpnrt_family;

/* ---- small helpers ---- */

/* the nest @type of the request, parsed; -EINVAL and a message if absent */
static int req_nest(struct genl_info *info, int type, struct nlattr **tb,
		    int maxtype, const struct nla_policy *pol, const char *what)
{
	if (!info->attrs[type]) {
		NL_SET_ERR_MSG_FMT(info->extack, "%s attributes missing", what);
		return -EINVAL;
	}
	return nla_parse_nested(tb, maxtype, info->attrs[type], pol,
				info->extack);
}

static int get_family(const struct nlattr *a, u16 *family,
		      struct netlink_ext_ack *extack, const char *what)
{
	*family = nla_get_u16(a);
	if (*family == AF_INET || *family == AF_INET6)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: address family %u; allowed: 2 (inet), 10 (inet6)",
				what, *family);
	return -EAFNOSUPPORT;
}

static int get_addr(const struct nlattr *a, u16 family, union vpnrt_addr *out,
		    struct netlink_ext_ack *extack, const char *what)
{
	unsigned int len = family == AF_INET6 ? 16 : 4;

	if (nla_len(a) != len) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: %d bytes, need %u for %s",
					what, nla_len(a), len,
					family == AF_INET6 ? "IPv6" : "IPv4");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	nla_memcpy(out, a, len);
	return 0;
}

/* @addr/@len_attr must be a prefix with no host bits set */
static int get_prefix(const struct nlattr *addr, const struct nlattr *len_attr,
		      u16 family, union vpnrt_addr *out, u8 *plen,
		      struct netlink_ext_ack *extack, const char *what)
{
	int err = get_addr(addr, family, out, extack, what);

	if (err)
		return err;
	*plen = nla_get_u8(len_attr);
	if (*plen > vpnrt_addr_bits(family)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, len_attr, "%s: prefix length %u; allowed 0..%u",
					what, *plen, vpnrt_addr_bits(family));
		return -EINVAL;
	}
	if (!vpnrt_prefix_valid(family, out, *plen)) {
		if (family == AF_INET)
			NL_SET_ERR_MSG_ATTR_FMT(extack, addr, "%s: %pI4/%u has host bits set",
						what, &out->ip, *plen);
		else
			NL_SET_ERR_MSG_ATTR_FMT(extack, addr, "%s: %pI6c/%u has host bits set",
						what, &out->ip6, *plen);
		return -EINVAL;
	}
	return 0;
}

static int check_u8_max(const struct nlattr *a, u8 max,
			struct netlink_ext_ack *extack, const char *what)
{
	if (nla_get_u8(a) <= max)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s %u out of range 0..%u", what,
				nla_get_u8(a), max);
	return -EINVAL;
}

static const char *owner_name(u8 owner)
{
	return owner == VPNRT_OWNER_AGENT ? "agent" : "none";
}

/* an owner given at creation: NONE or AGENT */
static int check_owner(const struct nlattr *a, struct netlink_ext_ack *extack,
		       const char *what)
{
	if (!a || nla_get_u8(a) <= VPNRT_OWNER_AGENT)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: owner %u; allowed 0 (none), 1 (agent)",
				what, nla_get_u8(a));
	return -EINVAL;
}

/* an owner given to SET: only the one the object has */
static int check_owner_same(const struct nlattr *a, u8 owner,
			    struct netlink_ext_ack *extack, const char *what)
{
	if (!a || nla_get_u8(a) == owner)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a,
				"%s: owner is %s, fixed at creation; not %u",
				what, owner_name(owner), nla_get_u8(a));
	return -EINVAL;
}

/* optional @a into @out, @def if absent; @min..@max */
static int get_u32_range(const struct nlattr *a, u32 min, u32 max, u32 def,
			 u32 *out, struct netlink_ext_ack *extack,
			 const char *what)
{
	if (!a) {
		*out = def;
		return 0;
	}
	*out = nla_get_u32(a);
	if (*out >= min && *out <= max)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s %u out of range %u..%u", what,
				*out, min, max);
	return -EINVAL;
}

static void bump_genid(struct net *net)
{
	vpnrt_pernet(net)->genid++;
}

static void notify(struct net *net, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&vpnrt_family, net, skb, 0,
				VPNRT_MCGRP_EVENTS_ID, GFP_KERNEL);
}

static bool has_listeners(struct net *net)
{
	return genl_has_listeners(&vpnrt_family, net, VPNRT_MCGRP_EVENTS_ID);
}

/* events from outside requests (health) stop before the family goes */
static bool events_live;

/* ---- dumps ---- */

/*
 * A dump's state, made by its .start and freed by its .done: the filter,
 * checked once in .start (a filter that cannot be honoured fails the
 * request, not the rows), and a cursor of keys, not of pointers, so a
 * round never follows a pointer kept from an earlier one and no change
 * needs to tell dumps: gateways resume at an ifindex, conns at an id,
 * routes at a conn id and the key and seq of a route (route_resume()).
 * NLM_F_DUMP_INTR still marks rounds after a change (genid), as a hint.
 */
struct dump_state {
	int err;			/* 6.1: .start's error, for round 1 */
	char msg[VPNRT_ERRLEN];		/* and its message */
	u32 gw;				/* filter: gateway ifindex, or 0 */
	u16 family;			/* filter: or 0 */
	u8 proto;			/* filter: or 0 */
	bool mid;			/* route dump: in conn @next */
	char conn[VPNRT_CONN_NAME_MAX];	/* filter: conn name, or "" */
	u64 next;			/* the gateway ifindex or conn id
					 * the next round starts at
					 */
	u32 seq, epoch;			/* @mid: the route to start at ... */
	struct vpnrt_route_spec key;	/* ... (key.conn unused) */
};

static struct dump_state *dump_state(struct netlink_callback *cb)
{
	return *(struct dump_state **)cb->ctx;
}

/*
 * .start of the dumps: @parse checks the request and fills the filter.
 * From 6.2 .start has the request's extack and an error fails the
 * request with it (the ack names the attribute). 6.1 gives .start no
 * extack: the error and its message wait for round 1, which returns them
 * in NLMSG_DONE (the message names the attribute too).
 */
static int dump_start(struct netlink_callback *cb,
		      int (*parse)(struct net *net, struct nlattr **attrs,
				   struct dump_state *st,
				   struct netlink_ext_ack *extack))
{
	struct netlink_ext_ack local = {};
	struct netlink_ext_ack *extack = cb->extack ?: &local;
	struct dump_state *st;
	int err;

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	rtnl_lock();
	err = parse(sock_net(cb->skb->sk), vpnrt_dump_attrs(cb), st, extack);
	rtnl_unlock();
	if (err && extack == &local) {
		st->err = err;
		strscpy(st->msg, local._msg ?: "", sizeof(st->msg));
		err = 0;
	}
	if (err) {
		kfree(st);
		return err;
	}
	*(struct dump_state **)cb->ctx = st;
	return 0;
}

static int dump_done(struct netlink_callback *cb)
{
	kfree(dump_state(cb));
	return 0;
}

/* 6.1: the error of .start, in round 1 */
static int dump_start_err(struct netlink_callback *cb)
{
	struct dump_state *st = dump_state(cb);

	if (cb->extack)
		cb->extack->_msg = st->msg;
	return st->err;
}

/* attribute names of the YAML spec, for the messages of dump filters */
static const char *const top_attr_names[] = {
	[VPNRT_A_GW] = "gw",
	[VPNRT_A_CONN] = "conn",
	[VPNRT_A_ROUTES] = "routes",
	[VPNRT_A_LOOKUP] = "lookup",
	[VPNRT_A_STALE] = "stale",
	[VPNRT_A_REPLACE] = "replace",
};

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
};

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

/* @a is not a filter of the dump @what, whose filters are @allowed */
static int no_filter(struct netlink_ext_ack *extack, const struct nlattr *a,
		     const char *const *names, size_t n, const char *what,
		     const char *allowed)
{
	unsigned int t = nla_type(a);

	if (t < n && names[t])
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: %s is no filter; allowed: %s",
					what, names[t], allowed);
	else
		NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: attribute %u is no filter; allowed: %s",
					what, t, allowed);
	return -EINVAL;
}

/* dump requests: attribute @allowed at the top level, no other */
static int dump_attrs_only(struct nlattr **attrs, int allowed,
			   struct netlink_ext_ack *extack, const char *what,
			   const char *name)
{
	int i;

	for (i = 1; attrs && i <= VPNRT_A_MAX; i++)
		if (attrs[i] && i != allowed)
			return no_filter(extack, attrs[i], top_attr_names,
					 ARRAY_SIZE(top_attr_names), what, name);
	return 0;
}

/* a dump filter's gateway: -ENODEV unless @a is a vpnrt gateway's ifindex */
static int dump_filter_gw(struct net *net, const struct nlattr *a, u32 *gw,
			  struct netlink_ext_ack *extack, const char *what)
{
	struct net_device *dev;

	*gw = nla_get_u32(a);
	dev = __dev_get_by_index(net, *gw);
	if (dev && vpnrt_is_gw(dev))
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: no vpnrt gateway with ifindex %u",
				what, *gw);
	return -ENODEV;
}

/* ---- gateways ---- */

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
	    nla_put_u32(skb, VPNRT_A_GW_MSS_CLAMP, gw->mss_clamp))
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
			      u64_stats_read(&st.no_tunnel), VPNRT_A_GW_STATS_PAD))
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

	if (!has_listeners(net))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (gw_fill(skb, gw, 0, 0, 0, cmd, NULL)) {
		nlmsg_free(skb);
		return;
	}
	notify(net, skb);
}

/* the gateway named by IFINDEX or IFNAME in @tb */
static struct vpnrt_gw *gw_from_attrs(struct net *net, struct nlattr **tb,
				      struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;

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

struct quota {
	int attr;
	const char *name;
	u32 min, max;
	size_t limit;		/* offset in struct vpnrt_gw */
};

#define GW_OFF(f) offsetof(struct vpnrt_gw, f)

static const struct quota quotas[] = {
	{ VPNRT_A_GW_MAX_CONNS, "max-conns", 1, 4096, GW_OFF(max_conns) },
	{ VPNRT_A_GW_MAX_BGP_ROUTES, "max-bgp-routes", 0, 1000000,
	  GW_OFF(max_bgp_routes) },
	{ VPNRT_A_GW_MAX_PEER_ROUTES, "max-peer-routes", 0, 1000000,
	  GW_OFF(max_peer_routes) },
	{ VPNRT_A_GW_MAX_POLICY_ROUTES, "max-policy-routes", 0, 100000,
	  GW_OFF(max_policy_routes) },
	{ VPNRT_A_GW_MAX_ROUTES, "max-routes", 0, 16777216, GW_OFF(max_routes) },
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

/* check the settings in @tb against @gw (NULL: a new gateway) */
static int gw_validate(struct nlattr **tb, const struct vpnrt_gw *gw,
		       struct netlink_ext_ack *extack)
{
	unsigned int i;
	u32 v, used;
	int err;

	err = gw ? check_owner_same(tb[VPNRT_A_GW_OWNER], gw->owner, extack,
				    "gateway") :
		   check_owner(tb[VPNRT_A_GW_OWNER], extack, "gateway");
	if (err)
		return err;
	if (tb[VPNRT_A_GW_ECMP_HASH] &&
	    nla_get_u8(tb[VPNRT_A_GW_ECMP_HASH]) > VPNRT_HASH_L3) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_GW_ECMP_HASH],
				    "ecmp-hash: allowed 0 (l4), 1 (l3)");
		return -EINVAL;
	}
	if (get_u32_range(tb[VPNRT_A_GW_MAX_PATHS], 1, VPNRT_MAX_PATHS, 0, &v,
			  extack, "max-paths"))
		return -EINVAL;
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
	for (i = 0; i < ARRAY_SIZE(quotas); i++) {
		const struct quota *q = &quotas[i];
		const struct nlattr *a = tb[q->attr];

		if (!a)
			continue;
		if (get_u32_range(a, q->min, q->max, 0, &v, extack, q->name))
			return -EINVAL;
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
	for (i = 0; i < ARRAY_SIZE(quotas); i++)
		if (tb[quotas[i].attr])
			*(u32 *)((char *)gw + quotas[i].limit) =
				nla_get_u32(tb[quotas[i].attr]);
}

static int gw_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct net *net = genl_info_net(info);
	struct vpnrt_gw *gw;
	int err;

	err = req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX, gw_policy, "gateway");
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
	err = gw_validate(tb, NULL, info->extack);
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

static int gw_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct vpnrt_gw *gw;
	int err;

	err = req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX, gw_policy, "gateway");
	if (err)
		return err;
	rtnl_lock();
	gw = gw_from_attrs(genl_info_net(info), tb, info->extack);
	err = PTR_ERR_OR_ZERO(gw);
	if (!err)
		err = gw_validate(tb, gw, info->extack);
	if (!err) {
		gw_apply(tb, gw);
		bump_genid(dev_net(gw->dev));
		vpnrt_notify_gw(gw, VPNRT_CMD_GW_SET);
	}
	rtnl_unlock();
	return err;
}

static int gw_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct vpnrt_gw *gw;
	int err;

	err = req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX, gw_policy, "gateway");
	if (err)
		return err;
	rtnl_lock();
	gw = gw_from_attrs(genl_info_net(info), tb, info->extack);
	err = PTR_ERR_OR_ZERO(gw);
	if (!err) {
		vpnrt_notify_gw(gw, VPNRT_CMD_GW_DEL);
		unregister_netdevice(gw->dev);
	}
	rtnl_unlock();
	return err;
}

static int gw_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct sk_buff *msg;
	struct vpnrt_gw *gw;
	int err;

	err = req_nest(info, VPNRT_A_GW, tb, VPNRT_A_GW_MAX, gw_policy, "gateway");
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	gw = gw_from_attrs(genl_info_net(info), tb, info->extack);
	err = PTR_ERR_OR_ZERO(gw);
	if (!err)
		err = gw_fill(msg, gw, info->snd_portid, info->snd_seq, 0,
			      VPNRT_CMD_GW_GET, NULL);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* gateway dumps take no filter (gw-get a gateway by ifindex or ifname) */
static int gw_dump_parse(struct net *net, struct nlattr **attrs,
			 struct dump_state *st, struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem, err;

	err = dump_attrs_only(attrs, VPNRT_A_GW, extack, "gateway dump", "none");
	if (err || !attrs || !attrs[VPNRT_A_GW])
		return err;
	nla_for_each_nested(a, attrs[VPNRT_A_GW], rem)
		return no_filter(extack, a, gw_attr_names, ARRAY_SIZE(gw_attr_names),
				 "gateway dump", "none");
	return 0;
}

static int gw_dump_start(struct netlink_callback *cb)
{
	return dump_start(cb, gw_dump_parse);
}

/*
 * Gateways in ifindex order: each round starts at the first ifindex
 * after the last one sent. The list is not sorted (ip link add may
 * choose an ifindex), so each gateway costs a walk of the list, which
 * holds at most max_gateways (256 by default) entries.
 */
static int gw_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct dump_state *st = dump_state(cb);
	struct vpnrt_gw *gw, *next;

	if (st->err)
		return dump_start_err(cb);
	rtnl_lock();
	cb->seq = vn->genid;
	for (;;) {
		next = NULL;
		list_for_each_entry(gw, &vn->gateways, net_link)
			if (gw->dev->ifindex >= st->next &&
			    (!next || gw->dev->ifindex < next->dev->ifindex))
				next = gw;
		if (!next || gw_fill(skb, next, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     VPNRT_CMD_GW_GET, cb))
			break;
		st->next = (u64)next->dev->ifindex + 1;
	}
	rtnl_unlock();
	return skb->len;
}

/* ---- connections ---- */

static int health_put_cfg(struct sk_buff *skb, const struct vpnrt_health_cfg *cfg)
{
	unsigned int len = cfg->family == AF_INET6 ? 16 : 4;

	return nla_put_u16(skb, VPNRT_A_HEALTH_FAMILY, cfg->family) ||
	       nla_put(skb, VPNRT_A_HEALTH_DST, len, &cfg->dst) ||
	       nla_put(skb, VPNRT_A_HEALTH_SRC, len, &cfg->src) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_INTERVAL, cfg->interval_ms) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_RETRIES, cfg->retries) ||
	       nla_put_u32(skb, VPNRT_A_HEALTH_RISE, cfg->rise) ||
	       nla_put_u8(skb, VPNRT_A_HEALTH_POLICY, cfg->policy);
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

	if (!has_listeners(net))
		return;
	skb = conn_msg(c, cmd);
	if (skb)
		notify(net, skb);
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
 */
void vpnrt_notify_health(struct vpnrt_conn *c, unsigned int idx,
			 struct net_device *dev,
			 const struct vpnrt_health_cfg *cfg,
			 const struct vpnrt_health_ev *ev)
{
	struct net *net = dev_net(dev);
	struct nlattr *nest, *tn, *t1, *hn;
	struct sk_buff *skb;
	u32 why;
	void *hdr;

	if (!READ_ONCE(events_live) || !has_listeners(net))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
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
	    nla_put_u32(skb, VPNRT_A_HEALTH_CONSEC_LOST, ev->consec_lost))
		goto err;
	nla_nest_end(skb, hn);
	nla_nest_end(skb, t1);
	nla_nest_end(skb, tn);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	notify(net, skb);
	return;
err:
	nlmsg_free(skb);
}

static struct vpnrt_conn *conn_from_attrs(struct net *net, struct nlattr **tb,
					  struct netlink_ext_ack *extack)
{
	struct vpnrt_conn *c;

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

static bool conn_name_ok(const char *s)
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
	if (tb[VPNRT_A_CONN_ADMIN] &&
	    check_u8_max(tb[VPNRT_A_CONN_ADMIN], VPNRT_STATE_UP, extack, "admin"))
		return -EINVAL;
	if (tb[VPNRT_A_CONN_IKE]) {
		if (check_u8_max(tb[VPNRT_A_CONN_IKE], VPNRT_STATE_UP, extack, "ike"))
			return -EINVAL;
		if (!ike_managed) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_CONN_IKE],
					    "ike: conn is not IKE-managed (ike none)");
			return -EINVAL;
		}
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
	if (check_u8_max(a, VPNRT_STATE_UP, extack, "tunnel ike"))
		return -EINVAL;
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
		err = nla_parse_nested(tb, VPNRT_A_TUNNEL_MAX, a, tunnel_policy,
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
	err = get_family(tb[VPNRT_A_CONN_FAMILY], &tmp->fp_family, extack, "conn");
	if (!err)
		err = get_prefix(tb[VPNRT_A_CONN_LOCAL_ADDR], tb[VPNRT_A_CONN_LOCAL_LEN],
				 tmp->fp_family, &tmp->local, &tmp->local_len,
				 extack, "local CIDR");
	if (!err)
		err = get_prefix(tb[VPNRT_A_CONN_PEER_ADDR], tb[VPNRT_A_CONN_PEER_LEN],
				 tmp->fp_family, &tmp->peer, &tmp->peer_len,
				 extack, "peer CIDR");
	return err;
}

static int conn_new_doit(struct sk_buff *skb, struct genl_info *info)
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

	err = req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX, conn_policy, "conn");
	if (err)
		return err;
	if (!tb[VPNRT_A_CONN_NAME] || !tb[VPNRT_A_CONN_GW_IFINDEX] ||
	    !tb[VPNRT_A_CONN_TUNNELS]) {
		NL_SET_ERR_MSG(extack, "conn: name, gateway and tunnels are required");
		return -EINVAL;
	}
	name = nla_data(tb[VPNRT_A_CONN_NAME]);
	if (!conn_name_ok(name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_CONN_NAME],
				    "conn: name must be letters, digits, '-', '_' or '.'");
		return -EINVAL;
	}
	if (tb[VPNRT_A_CONN_MODE] &&
	    check_u8_max(tb[VPNRT_A_CONN_MODE], VPNRT_MODE_ECMP, extack, "mode"))
		return -EINVAL;
	if (tb[VPNRT_A_CONN_ROUTING] &&
	    check_u8_max(tb[VPNRT_A_CONN_ROUTING], VPNRT_ROUTING_FLOW, extack, "routing"))
		return -EINVAL;
	if (tb[VPNRT_A_CONN_IKE_MANAGED] &&
	    check_u8_max(tb[VPNRT_A_CONN_IKE_MANAGED], 1, extack, "ike-managed"))
		return -EINVAL;
	ike_managed = tb[VPNRT_A_CONN_IKE_MANAGED] &&
		      nla_get_u8(tb[VPNRT_A_CONN_IKE_MANAGED]);
	err = conn_states_check(tb, ike_managed, extack);
	if (!err)
		err = check_owner(tb[VPNRT_A_CONN_OWNER], extack, "conn");
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
	for (i = 0; i < n; i++)
		tunnel_ike_apply(c, i, ike[i]);
	vpnrt_conn_ike_sync(c);
	bump_genid(net);
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

/* a health nest of CONN_SET: a configuration, or off */
static int health_parse(struct nlattr *nest, struct vpnrt_health_cfg *cfg,
			bool *off, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_HEALTH_MAX + 1];
	int i, err;

	err = nla_parse_nested(tb, VPNRT_A_HEALTH_MAX, nest, health_policy,
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
	err = get_family(tb[VPNRT_A_HEALTH_FAMILY], &cfg->family, extack,
			 "health");
	if (!err)
		err = get_addr(tb[VPNRT_A_HEALTH_DST], cfg->family, &cfg->dst,
			       extack, "health dst");
	if (!err)
		err = get_addr(tb[VPNRT_A_HEALTH_SRC], cfg->family, &cfg->src,
			       extack, "health src");
	if (!err)
		err = get_u32_range(tb[VPNRT_A_HEALTH_INTERVAL],
				    VPNRT_HEALTH_INTERVAL_MIN,
				    VPNRT_HEALTH_INTERVAL_MAX,
				    VPNRT_HEALTH_INTERVAL_DEF, &cfg->interval_ms,
				    extack, "health interval (ms)");
	if (!err)
		err = get_u32_range(tb[VPNRT_A_HEALTH_RETRIES], 1,
				    VPNRT_HEALTH_RETRIES_MAX,
				    VPNRT_HEALTH_RETRIES_DEF, &cfg->retries,
				    extack, "health retries");
	if (!err)
		err = get_u32_range(tb[VPNRT_A_HEALTH_RISE], 1,
				    VPNRT_HEALTH_RISE_MAX, VPNRT_HEALTH_RISE_DEF,
				    &cfg->rise, extack, "health rise");
	if (!err && tb[VPNRT_A_HEALTH_POLICY])
		err = check_u8_max(tb[VPNRT_A_HEALTH_POLICY],
				   VPNRT_HEALTH_RESERVE_ROUTE, extack,
				   "health policy");
	if (err)
		return err;
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
		err = nla_parse_nested(tb, VPNRT_A_TUNNEL_MAX, a, tunnel_policy,
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
			vpnrt_tunnel_rebind(c, i, ts[i].dev);
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

static int conn_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tunnel_set ts[VPNRT_MAX_TUNNELS] = {};
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	struct vpnrt_conn *c;
	unsigned int i;
	int err;

	err = req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX, conn_policy, "conn");
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
	rtnl_lock();
	c = conn_from_attrs(genl_info_net(info), tb, extack);
	err = PTR_ERR_OR_ZERO(c);
	if (err)
		goto out;
	err = check_owner_same(tb[VPNRT_A_CONN_OWNER], c->owner, extack, "conn");
	if (!err)
		err = conn_states_check(tb, c->ike_managed, extack);
	if (!err && tb[VPNRT_A_CONN_TUNNELS])
		err = conn_set_tunnels(c, tb[VPNRT_A_CONN_TUNNELS], ts, extack);
	if (err) {
		for (i = 0; i < VPNRT_MAX_TUNNELS; i++)
			vpnrt_health_discard(ts[i].hc);
		goto out;
	}
	/* nothing fails from here */
	conn_states_apply(tb, c);
	conn_set_tunnels_apply(c, ts);
	vpnrt_conn_ike_sync(c);
	bump_genid(genl_info_net(info));
	vpnrt_notify_conn(c, VPNRT_CMD_CONN_SET);
out:
	rtnl_unlock();
	return err;
}

static int conn_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	struct net *net = genl_info_net(info);
	struct sk_buff *ev = NULL;
	struct vpnrt_conn *c;
	int err;

	err = req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX, conn_policy, "conn");
	if (err)
		return err;
	rtnl_lock();
	c = conn_from_attrs(net, tb, info->extack);
	err = PTR_ERR_OR_ZERO(c);
	if (!err) {
		if (has_listeners(net))
			ev = conn_msg(c, VPNRT_CMD_CONN_DEL);
		vpnrt_conn_destroy(c);
		bump_genid(net);
	}
	rtnl_unlock();
	if (ev)
		notify(net, ev);
	return err;
}

static int conn_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	struct vpnrt_conn *c;
	struct sk_buff *msg;
	int err;

	err = req_nest(info, VPNRT_A_CONN, tb, VPNRT_A_CONN_MAX, conn_policy, "conn");
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	c = conn_from_attrs(genl_info_net(info), tb, info->extack);
	err = PTR_ERR_OR_ZERO(c);
	if (!err)
		err = conn_fill(msg, c, info->snd_portid, info->snd_seq, 0,
				VPNRT_CMD_CONN_GET, NULL);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* a conn dump's filter: gw-ifindex in conn, or nothing */
static int conn_dump_parse(struct net *net, struct nlattr **attrs,
			   struct dump_state *st, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	int i, err;

	err = dump_attrs_only(attrs, VPNRT_A_CONN, extack, "conn dump",
			      "conn.gw-ifindex");
	if (err || !attrs || !attrs[VPNRT_A_CONN])
		return err;
	err = nla_parse_nested(tb, VPNRT_A_CONN_MAX, attrs[VPNRT_A_CONN],
			       conn_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= VPNRT_A_CONN_MAX; i++) {
		if (tb[i] && i != VPNRT_A_CONN_GW_IFINDEX)
			return no_filter(extack, tb[i], conn_attr_names,
					 ARRAY_SIZE(conn_attr_names), "conn dump",
					 "gw-ifindex");
	}
	if (!tb[VPNRT_A_CONN_GW_IFINDEX])
		return 0;
	return dump_filter_gw(net, tb[VPNRT_A_CONN_GW_IFINDEX], &st->gw,
			      extack, "conn dump");
}

static int conn_dump_start(struct netlink_callback *cb)
{
	return dump_start(cb, conn_dump_parse);
}

/* conns in id order: each round starts at the id after the last one seen */
static int conn_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct vpnrt_net *vn = vpnrt_pernet(net);
	struct dump_state *st = dump_state(cb);
	struct vpnrt_conn *c;
	unsigned long id;

	if (st->err)
		return dump_start_err(cb);
	if (st->next > U32_MAX)
		return 0;
	rtnl_lock();
	cb->seq = vn->genid;
	xa_for_each_start(&vn->conn_ids, id, c, st->next) {
		if ((!st->gw || c->gw->dev->ifindex == st->gw) &&
		    conn_fill(skb, c, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI,
			      VPNRT_CMD_CONN_GET, cb))
			break;
		st->next = (u64)id + 1;
	}
	rtnl_unlock();
	return skb->len;
}

/* ---- routes ---- */

static bool route_usable(const struct vpnrt_route *r)
{
	return vpnrt_conn_carries(r->conn);
}

/* one route as a nest of type @type */
static int route_put(struct sk_buff *skb, int type, const struct vpnrt_route *r)
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

	if (!READ_ONCE(events_live) || !has_listeners(net))
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

			if (route_put(skb, i - first + 1, rt[i])) {
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
		notify(net, skb);
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
	err = nla_parse_nested(tb, VPNRT_A_ROUTE_MAX, nla, route_policy, extack);
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
	err = get_family(tb[VPNRT_A_ROUTE_FAMILY], &s->family, extack, what);
	if (err)
		return err;
	err = get_prefix(tb[VPNRT_A_ROUTE_DST], tb[VPNRT_A_ROUTE_DST_LEN],
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
		err = get_prefix(tb[VPNRT_A_ROUTE_SRC], tb[VPNRT_A_ROUTE_SRC_LEN],
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
		if (s->priority < VPNRT_PRIORITY_MIN || s->priority > VPNRT_PRIORITY_MAX) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VPNRT_A_ROUTE_PRIORITY],
						"%s: priority %u out of range %u..%u", what,
						s->priority, VPNRT_PRIORITY_MIN,
						VPNRT_PRIORITY_MAX);
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

static unsigned int count_nested(const struct nlattr *arr)
{
	const struct nlattr *a;
	unsigned int n = 0;
	int rem;

	nla_for_each_nested(a, arr, rem)
		n++;
	return n;
}

/*
 * ROUTE_NEW: the routes of the array in order, all or none. With
 * VPNRT_A_REPLACE a route that exists takes the new values (a new object
 * replacing it, see vpnrt_route_set()); without, only a stale one does
 * (a refresh), and any other is "route exists". Events name the routes
 * added and those whose values changed; a refresh clears the stale mark
 * without one.
 */
static int route_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool replace = info->attrs[VPNRT_A_REPLACE];
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct vpnrt_route_change *ch;
	struct vpnrt_route **ev;
	struct sk_buff_head q;
	struct vpnrt_route_spec s;
	unsigned int n = 0, n_ev = 0, total, i;
	bool changed = false;
	struct nlattr *a;
	int rem, err = 0;

	if (GENL_REQ_ATTR_CHECK(info, VPNRT_A_ROUTES))
		return -EINVAL;
	total = count_nested(info->attrs[VPNRT_A_ROUTES]);
	if (!total) {
		NL_SET_ERR_MSG(extack, "routes: none given");
		return -EINVAL;
	}
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
		changed |= ch[i].op != VPNRT_ROUTE_UNCHANGED;
		if ((ch[i].op == VPNRT_ROUTE_ADDED ||
		     ch[i].op == VPNRT_ROUTE_REPLACED) && !ch[i].r->replaced)
			ev[n_ev++] = ch[i].r;
	}
	vpnrt_route_set_commit(ch, n);
	if (changed)
		bump_genid(net);
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

static int route_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct vpnrt_route **found;
	struct sk_buff_head q;
	struct vpnrt_route_spec s;
	unsigned int n = 0, total, i;
	struct nlattr *a;
	int rem, err = 0;

	if (GENL_REQ_ATTR_CHECK(info, VPNRT_A_ROUTES))
		return -EINVAL;
	total = count_nested(info->attrs[VPNRT_A_ROUTES]);
	if (!total) {
		NL_SET_ERR_MSG(extack, "routes: none given");
		return -EINVAL;
	}
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
		vpnrt_route_del(found[i]);
		if (!((i + 1) % VPNRT_CHUNK))
			cond_resched();
	}
	n = 0;
	bump_genid(net);
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

/*
 * ROUTE_STALE marks the routes of the scope stale, ROUTE_SWEEP deletes
 * those of them still stale (with ROUTE_DEL events); both reply with the
 * scope and the count.
 */
static int route_stale_doit(struct sk_buff *skb, struct genl_info *info)
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

	err = req_nest(info, VPNRT_A_STALE, tb, VPNRT_A_STALE_MAX, stale_policy,
		       "stale");
	if (err)
		return err;
	if (tb[VPNRT_A_STALE_TIMEOUT]) {
		if (sweep) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VPNRT_A_STALE_TIMEOUT],
					    "stale: timeout is for route-stale, not route-sweep");
			return -EINVAL;
		}
		err = get_u32_range(tb[VPNRT_A_STALE_TIMEOUT], 0,
				    VPNRT_STALE_TIMEOUT_MAX, 0, &timeout, extack,
				    "stale: timeout");
		if (err)
			return err;
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
		bump_genid(net);
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
			    struct dump_state *st, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VPNRT_A_ROUTE_MAX + 1], *a, *elem = NULL;
	const char *what = "route dump";
	int i, rem, err;

	err = dump_attrs_only(attrs, VPNRT_A_ROUTES, extack, what, "routes");
	if (err || !attrs || !attrs[VPNRT_A_ROUTES])
		return err;
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
	err = nla_parse_nested(tb, VPNRT_A_ROUTE_MAX, elem, route_policy, extack);
	if (err)
		return err;
	for (i = 1; i <= VPNRT_A_ROUTE_MAX; i++) {
		if (tb[i] && !memchr(route_filters, i, sizeof(route_filters)))
			return no_filter(extack, tb[i], route_attr_names,
					 ARRAY_SIZE(route_attr_names), what,
					 "family, proto, conn, gw-ifindex");
	}
	/* family and proto 0: any, as absent */
	if (tb[VPNRT_A_ROUTE_FAMILY] && nla_get_u16(tb[VPNRT_A_ROUTE_FAMILY])) {
		err = get_family(tb[VPNRT_A_ROUTE_FAMILY], &st->family, extack, what);
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
		err = dump_filter_gw(net, tb[VPNRT_A_ROUTE_GW_IFINDEX], &st->gw,
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

static int route_dump_start(struct netlink_callback *cb)
{
	return dump_start(cb, route_dump_parse);
}

/* the cursor at route @r of conn @c, not sent yet */
static void route_cursor_set(struct dump_state *st, const struct vpnrt_conn *c,
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

/*
 * Where a round resumes in conn @c: the route of the cursor, found by
 * its key in the tries (never through a pointer kept from the last
 * round), if it is still the one of that seq; else, if it was deleted
 * (or deleted and added again, at the tail), the first route of @c with
 * a seq at or after the cursor's, as conn->routes is in seq order. Only
 * that walk is linear, in the routes before the cursor, once per round
 * whose route at the cursor was deleted since the last one. If the seqs
 * of @c were numbered again since (2^31 additions to one conn), the dump
 * starts @c again and says it was interrupted.
 */
static struct vpnrt_route *route_resume(struct netlink_callback *cb,
					struct dump_state *st,
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
	if (!arr || route_put(skb, 1, r)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, arr);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Route dump: conns in id order, each conn's routes in the order of
 * conn->routes (the order they were added). A round costs the routes it
 * sends plus one trie lookup, so 100,000 routes dump in linear time.
 */
static int route_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpnrt_net *vn = vpnrt_pernet(sock_net(skb->sk));
	struct dump_state *st = dump_state(cb);
	struct vpnrt_route *r;
	struct vpnrt_conn *c;
	unsigned long id;
	int err = 0;

	if (st->err)
		return dump_start_err(cb);
	if (st->next > U32_MAX)
		return 0;
	rtnl_lock();
	cb->seq = vn->genid;
	xa_for_each_start(&vn->conn_ids, id, c, st->next) {
		if ((st->gw && c->gw->dev->ifindex != st->gw) ||
		    (st->conn[0] && strcmp(c->name, st->conn)))
			goto next_conn;
		if (st->mid && id == st->next)
			r = route_resume(cb, st, c);
		else
			r = list_first_entry(&c->routes, struct vpnrt_route,
					     conn_link);
		list_for_each_entry_from(r, &c->routes, conn_link) {
			if ((st->proto && r->proto != st->proto) ||
			    (st->family && r->family != st->family))
				continue;
			if (route_dump_one(skb, cb, r)) {
				route_cursor_set(st, c, r);
				if (!skb->len)
					err = -EMSGSIZE;
				goto out;
			}
		}
next_conn:
		st->mid = false;
		st->next = (u64)id + 1;
	}
out:
	rtnl_unlock();
	return err ?: skb->len;
}

static int route_lookup_doit(struct sk_buff *skb, struct genl_info *info)
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

	err = req_nest(info, VPNRT_A_LOOKUP, tb, VPNRT_A_LOOKUP_MAX,
		       lookup_policy, "lookup");
	if (err)
		return err;
	if (!tb[VPNRT_A_LOOKUP_GW_IFINDEX] || !tb[VPNRT_A_LOOKUP_FAMILY] ||
	    !tb[VPNRT_A_LOOKUP_DST]) {
		NL_SET_ERR_MSG(extack, "lookup: gateway, family and dst are required");
		return -EINVAL;
	}
	err = get_family(tb[VPNRT_A_LOOKUP_FAMILY], &fl.family, extack, "lookup");
	if (!err)
		err = get_addr(tb[VPNRT_A_LOOKUP_DST], fl.family, &fl.dst, extack,
			       "lookup dst");
	if (!err && tb[VPNRT_A_LOOKUP_SRC])
		err = get_addr(tb[VPNRT_A_LOOKUP_SRC], fl.family, &fl.src, extack,
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
	if (!nest || route_put(msg, VPNRT_A_LOOKUP_ROUTE, d.route) ||
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

static const struct genl_ops vpnrt_ops[] = {
	{ .cmd = VPNRT_CMD_GW_NEW, .doit = gw_new_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_GW_DEL, .doit = gw_del_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_GW_SET, .doit = gw_set_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_GW_GET, .doit = gw_get_doit,
	  .start = gw_dump_start, .dumpit = gw_get_dumpit, .done = dump_done },
	{ .cmd = VPNRT_CMD_CONN_NEW, .doit = conn_new_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_CONN_DEL, .doit = conn_del_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_CONN_SET, .doit = conn_set_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_CONN_GET, .doit = conn_get_doit,
	  .start = conn_dump_start, .dumpit = conn_get_dumpit,
	  .done = dump_done },
	{ .cmd = VPNRT_CMD_ROUTE_NEW, .doit = route_new_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_DEL, .doit = route_del_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_GET, .start = route_dump_start,
	  .dumpit = route_get_dumpit, .done = dump_done },
	/* its flow hash and path choice map flows: not for everyone */
	{ .cmd = VPNRT_CMD_ROUTE_LOOKUP, .doit = route_lookup_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_STALE, .doit = route_stale_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_SWEEP, .doit = route_stale_doit,
	  .flags = GENL_UNS_ADMIN_PERM },
};

static struct genl_family vpnrt_family __ro_after_init = {
	.name		= VPNRT_GENL_NAME,
	.version	= VPNRT_GENL_VERSION,
	.maxattr	= VPNRT_A_MAX,
	.policy		= vpnrt_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= vpnrt_ops,
	.n_ops		= ARRAY_SIZE(vpnrt_ops),
	.mcgrps		= vpnrt_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vpnrt_mcgrps),
};

/**
 * vpnrt_genl_init() - register the vpnrt generic netlink family
 *
 * Return: 0 or the error of registering
 */
int vpnrt_genl_init(void)
{
	int err = genl_register_family(&vpnrt_family);

	if (!err)
		WRITE_ONCE(events_live, true);
	return err;
}

/**
 * vpnrt_genl_exit() - unregister the family, after the last health event
 */
void vpnrt_genl_exit(void)
{
	WRITE_ONCE(events_live, false);
	vpnrt_health_flush();	/* events under way see it, or are done */
	genl_unregister_family(&vpnrt_family);
}

#ifdef VPNRT_KUNIT
#include "netlink_test.c"
#endif
