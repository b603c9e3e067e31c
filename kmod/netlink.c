// SPDX-License-Identifier: GPL-2.0
/*
 * The vpnrt generic netlink family: its policies, which give every
 * attribute of the spec its type and length, the operations, the helpers
 * the request files share, and the state of dumps. The requests live by
 * object: nl_gw.c (gateways), nl_conn.c (connections, tunnels, health
 * checks), nl_route.c (routes, stale marking, route dumps and events),
 * nl_lookup.c (route lookup, the explained decision).
 *
 * Policies give every attribute its type, length and range, and reject
 * what the kernel only reports (netlink.sh checks them against the spec);
 * what needs more than the attribute is checked by the handlers, each
 * rejection naming the attribute and what is allowed. Changes run under
 * RTNL and apply whole or not at all.
 */
#include <linux/rtnetlink.h>
#include <linux/ctype.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"

enum vpnrt_mcgrp {
	VPNRT_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group vpnrt_mcgrps[] = {
	[VPNRT_MCGRP_EVENTS_ID] = { .name = VPNRT_MCGRP_EVENTS },
};

#define RO { .type = NLA_REJECT, .reject_message = "attribute is read-only" }

/*
 * Ranges are the policies' (the kernel's "integer out of range", with
 * the range in the ack's NLMSGERR_ATTR_POLICY); a check that needs more
 * than the attribute (a quota below its use, a pref on a BGP route) is
 * the handler's. Limits above 32767 need a range of their own.
 */
static struct netlink_range_validation bgp_routes_range = {
	.max = VPNRT_GW_MAX_BGP_ROUTES,
};

static struct netlink_range_validation policy_routes_range = {
	.max = VPNRT_GW_MAX_POLICY_ROUTES,
};

static struct netlink_range_validation routes_range = {
	.max = VPNRT_GW_MAX_STATIC_ROUTES,
};

static struct netlink_range_validation stale_timeout_range = {
	.max = VPNRT_STALE_TIMEOUT_MAX,
};

static struct netlink_range_validation health_interval_range = {
	.min = VPNRT_HEALTH_INTERVAL_MIN,
	.max = VPNRT_HEALTH_INTERVAL_MAX,
};

/* the relation to the interval is the handler's (health_parse()) */
static struct netlink_range_validation health_timeout_range = {
	.min = VPNRT_HEALTH_TIMEOUT_MIN,
	.max = VPNRT_HEALTH_TIMEOUT_MAX,
};

const struct nla_policy vpnrt_nl_health_policy[VPNRT_A_HEALTH_MAX + 1] = {
	[VPNRT_A_HEALTH_OFF]		= { .type = NLA_FLAG },
	[VPNRT_A_HEALTH_FAMILY]		= { .type = NLA_U16 },
	[VPNRT_A_HEALTH_DST]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_HEALTH_SRC]		= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_HEALTH_INTERVAL]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&health_interval_range),
	[VPNRT_A_HEALTH_RETRIES]	= NLA_POLICY_RANGE(NLA_U32, 1,
							   VPNRT_HEALTH_RETRIES_MAX),
	[VPNRT_A_HEALTH_RISE]		= NLA_POLICY_RANGE(NLA_U32, 1,
							   VPNRT_HEALTH_RISE_MAX),
	[VPNRT_A_HEALTH_POLICY]		= NLA_POLICY_MAX(NLA_U8,
							 VPNRT_HEALTH_RESERVE_ROUTE),
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
	[VPNRT_A_HEALTH_TIMEOUT]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&health_timeout_range),
	[VPNRT_A_HEALTH_EVENTS_LOST]	= RO,
};

const struct nla_policy vpnrt_nl_tunnel_policy[VPNRT_A_TUNNEL_MAX + 1] = {
	[VPNRT_A_TUNNEL_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_TUNNEL_IFNAME]		= RO,
	[VPNRT_A_TUNNEL_STATE]		= RO,
	[VPNRT_A_TUNNEL_DOWN_REASON]	= RO,
	[VPNRT_A_TUNNEL_TX_PACKETS]	= RO,
	[VPNRT_A_TUNNEL_TX_BYTES]	= RO,
	[VPNRT_A_TUNNEL_TX_ERRORS]	= RO,
	[VPNRT_A_TUNNEL_PAD]		= RO,
	[VPNRT_A_TUNNEL_HEALTH]		= NLA_POLICY_NESTED(vpnrt_nl_health_policy),
	[VPNRT_A_TUNNEL_IKE]		= NLA_POLICY_MAX(NLA_U8, VPNRT_STATE_UP),
	[VPNRT_A_TUNNEL_POSITION]	= { .type = NLA_U8 },
};

const struct nla_policy vpnrt_nl_route_policy[VPNRT_A_ROUTE_MAX + 1] = {
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
	[VPNRT_A_ROUTE_PRIORITY]	= NLA_POLICY_RANGE(NLA_U8, VPNRT_PRIORITY_MIN,
							   VPNRT_PRIORITY_MAX),
	[VPNRT_A_ROUTE_PREF]		= { .type = NLA_U32 },
	[VPNRT_A_ROUTE_FLAGS]		= RO,
	[VPNRT_A_ROUTE_USABLE]		= RO,
	[VPNRT_A_ROUTE_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_ROUTE_STALE]		= RO,
};

const struct nla_policy vpnrt_nl_stale_policy[VPNRT_A_STALE_MAX + 1] = {
	[VPNRT_A_STALE_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_STALE_CONN]		= { .type = NLA_NUL_STRING,
					    .len = VPNRT_CONN_NAME_MAX - 1 },
	[VPNRT_A_STALE_CONN_ID]		= { .type = NLA_U32 },
	[VPNRT_A_STALE_PROTO]		= { .type = NLA_U8 },
	[VPNRT_A_STALE_TIMEOUT]		= NLA_POLICY_FULL_RANGE(NLA_U32, &stale_timeout_range),
	[VPNRT_A_STALE_COUNT]		= RO,
};

const struct nla_policy vpnrt_nl_gw_policy[VPNRT_A_GW_MAX + 1] = {
	[VPNRT_A_GW_IFINDEX]		= { .type = NLA_U32 },
	[VPNRT_A_GW_IFNAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[VPNRT_A_GW_ECMP_HASH]		= NLA_POLICY_MAX(NLA_U8, VPNRT_HASH_L3),
	[VPNRT_A_GW_MAX_PATHS]		= NLA_POLICY_RANGE(NLA_U32, 1, VPNRT_MAX_PATHS),
	[VPNRT_A_GW_MAX_CONNS]		= NLA_POLICY_RANGE(NLA_U32, 1, VPNRT_GW_MAX_CONNS),
	[VPNRT_A_GW_MAX_BGP_ROUTES]	= NLA_POLICY_FULL_RANGE(NLA_U32, &bgp_routes_range),
	[VPNRT_A_GW_MAX_PEER_ROUTES]	= NLA_POLICY_FULL_RANGE(NLA_U32, &bgp_routes_range),
	[VPNRT_A_GW_MAX_POLICY_ROUTES]	= NLA_POLICY_FULL_RANGE(NLA_U32, &policy_routes_range),
	[VPNRT_A_GW_MAX_ROUTES]		= NLA_POLICY_FULL_RANGE(NLA_U32, &routes_range),
	[VPNRT_A_GW_N_CONNS]		= RO,
	[VPNRT_A_GW_N_ROUTES]		= RO,
	[VPNRT_A_GW_N_POLICY_ROUTES]	= RO,
	[VPNRT_A_GW_N_BGP_ROUTES]	= RO,
	[VPNRT_A_GW_STATS]		= RO,
	[VPNRT_A_GW_PAD]		= RO,
	[VPNRT_A_GW_OWNER]		= NLA_POLICY_MAX(NLA_U8, VPNRT_OWNER_AGENT),
	/* its range is checked in vpnrt_nl_gw_validate(), with a message naming it */
	[VPNRT_A_GW_MSS_CLAMP]		= { .type = NLA_U32 },
	[VPNRT_A_GW_RP_CHECK]		= NLA_POLICY_MAX(NLA_U8, VPNRT_RP_CHECK_LOOSE),
};

const struct nla_policy vpnrt_nl_conn_policy[VPNRT_A_CONN_MAX + 1] = {
	[VPNRT_A_CONN_NAME]		= { .type = NLA_NUL_STRING,
					    .len = VPNRT_CONN_NAME_MAX - 1 },
	[VPNRT_A_CONN_ID]		= { .type = NLA_U32 },
	[VPNRT_A_CONN_GW_IFINDEX]	= { .type = NLA_U32 },
	[VPNRT_A_CONN_TUNNELS]		= NLA_POLICY_NESTED_ARRAY(vpnrt_nl_tunnel_policy),
	[VPNRT_A_CONN_MODE]		= NLA_POLICY_MAX(NLA_U8, VPNRT_MODE_ECMP),
	[VPNRT_A_CONN_ROUTING]		= NLA_POLICY_MAX(NLA_U8, VPNRT_ROUTING_FLOW),
	[VPNRT_A_CONN_FAMILY]		= { .type = NLA_U16 },
	[VPNRT_A_CONN_LOCAL_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_CONN_LOCAL_LEN]	= { .type = NLA_U8 },
	[VPNRT_A_CONN_PEER_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[VPNRT_A_CONN_PEER_LEN]		= { .type = NLA_U8 },
	[VPNRT_A_CONN_ADMIN]		= NLA_POLICY_MAX(NLA_U8, VPNRT_STATE_UP),
	[VPNRT_A_CONN_IKE_MANAGED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[VPNRT_A_CONN_IKE]		= NLA_POLICY_MAX(NLA_U8, VPNRT_STATE_UP),
	[VPNRT_A_CONN_STATE]		= RO,
	[VPNRT_A_CONN_DOWN_REASON]	= RO,
	[VPNRT_A_CONN_N_ROUTES]		= RO,
	[VPNRT_A_CONN_N_BGP_ROUTES]	= RO,
	[VPNRT_A_CONN_OWNER]		= NLA_POLICY_MAX(NLA_U8, VPNRT_OWNER_AGENT),
};

const struct nla_policy vpnrt_nl_lookup_policy[VPNRT_A_LOOKUP_MAX + 1] = {
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

/*
 * Each command's own policy for the top level: it takes the attributes
 * its spec entry lists (Documentation/netlink/vpnrt.yaml) and no other,
 * which strict validation refuses as "Unsupported attribute", naming it,
 * before the handler runs. (An NLA_REJECT message would not do: a nest
 * meets "NLA_F_NESTED not expected" first.)
 */
static const struct nla_policy gw_cmd_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_GW]		= NLA_POLICY_NESTED(vpnrt_nl_gw_policy),
};

static const struct nla_policy conn_cmd_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_CONN]		= NLA_POLICY_NESTED(vpnrt_nl_conn_policy),
};

static const struct nla_policy route_new_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_ROUTES]	= NLA_POLICY_NESTED_ARRAY(vpnrt_nl_route_policy),
	[VPNRT_A_REPLACE]	= { .type = NLA_FLAG },
};

/* route-del, and the route dump's filter */
static const struct nla_policy routes_cmd_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_ROUTES]	= NLA_POLICY_NESTED_ARRAY(vpnrt_nl_route_policy),
};

static const struct nla_policy lookup_cmd_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_LOOKUP]	= NLA_POLICY_NESTED(vpnrt_nl_lookup_policy),
};

static const struct nla_policy stale_cmd_policy[VPNRT_A_MAX + 1] = {
	[VPNRT_A_STALE]		= NLA_POLICY_NESTED(vpnrt_nl_stale_policy),
};

/* ---- small helpers ---- */

/**
 * vpnrt_nl_req_nest() - the nest @type of a request, parsed
 * @info: the request
 * @type: the top-level attribute, VPNRT_A_*
 * @tb: its attributes, filled
 * @maxtype: the highest attribute of the nest
 * @pol: the nest's policy
 * @what: the nest's name for the message
 *
 * Return: 0, -EINVAL with a message if the request lacks the nest, or the error
 * of parsing it
 */
int vpnrt_nl_req_nest(struct genl_info *info, int type, struct nlattr **tb,
		      int maxtype, const struct nla_policy *pol, const char *what)
{
	if (!info->attrs[type]) {
		NL_SET_ERR_MSG_FMT(info->extack, "%s attributes missing", what);
		return -EINVAL;
	}
	return nla_parse_nested(tb, maxtype, info->attrs[type], pol,
				info->extack);
}

/**
 * vpnrt_nl_get_family() - an address family attribute: inet or inet6
 * @a: the attribute (u16)
 * @family: its value
 * @extack: where a rejection says why
 * @what: the object, for the message
 *
 * Return: 0, or -EAFNOSUPPORT naming @a
 */
int vpnrt_nl_get_family(const struct nlattr *a, u16 *family,
			struct netlink_ext_ack *extack, const char *what)
{
	*family = nla_get_u16(a);
	if (*family == AF_INET || *family == AF_INET6)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a, "%s: address family %u; allowed: 2 (inet), 10 (inet6)",
				what, *family);
	return -EAFNOSUPPORT;
}

/**
 * vpnrt_nl_get_addr() - an address of @family
 * @a: the attribute: 4 bytes for IPv4, 16 for IPv6
 * @family: AF_INET or AF_INET6
 * @out: the address, zero-padded
 * @extack: where a rejection says why
 * @what: the object, for the message
 *
 * Return: 0, or -EINVAL naming @a if its length is not the family's
 */
int vpnrt_nl_get_addr(const struct nlattr *a, u16 family, union vpnrt_addr *out,
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

/**
 * vpnrt_nl_get_prefix() - a prefix with no host bits set
 * @addr: the address attribute
 * @len_attr: the prefix length attribute (u8)
 * @family: AF_INET or AF_INET6
 * @out: the address
 * @plen: the prefix length
 * @extack: where a rejection says why
 * @what: the object, for the message
 *
 * Return: 0, or -EINVAL naming the attribute at fault
 */
int vpnrt_nl_get_prefix(const struct nlattr *addr, const struct nlattr *len_attr,
			u16 family, union vpnrt_addr *out, u8 *plen,
			struct netlink_ext_ack *extack, const char *what)
{
	int err = vpnrt_nl_get_addr(addr, family, out, extack, what);

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

/**
 * vpnrt_nl_owner_name() - the name of an owner, for messages
 * @owner: enum vpnrt_owner
 *
 * Return: "agent" or "none"
 */
const char *vpnrt_nl_owner_name(u8 owner)
{
	return owner == VPNRT_OWNER_AGENT ? "agent" : "none";
}

/**
 * vpnrt_nl_check_owner_same() - an owner given to SET: only the one the object
 * has
 * @a: the attribute, or NULL
 * @owner: the object's owner, fixed at creation
 * @extack: where a rejection says why
 * @what: the object, for the message
 *
 * Return: 0, or -EINVAL naming @a
 */
int vpnrt_nl_check_owner_same(const struct nlattr *a, u8 owner,
			      struct netlink_ext_ack *extack, const char *what)
{
	if (!a || nla_get_u8(a) == owner)
		return 0;
	NL_SET_ERR_MSG_ATTR_FMT(extack, a,
				"%s: owner is %s, fixed at creation; not %u",
				what, vpnrt_nl_owner_name(owner), nla_get_u8(a));
	return -EINVAL;
}

/**
 * vpnrt_nl_notify() - send an event to the netns's listeners
 * @net: the netns
 * @skb: the event, consumed
 */
void vpnrt_nl_notify(struct net *net, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&vpnrt_family, net, skb, 0,
				VPNRT_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/**
 * vpnrt_nl_has_listeners() - whether anyone listens to the events of @net
 * @net: the netns
 *
 * Return: true if an event would reach someone
 */
bool vpnrt_nl_has_listeners(struct net *net)
{
	return genl_has_listeners(&vpnrt_family, net, VPNRT_MCGRP_EVENTS_ID);
}

/* events from outside requests (health) stop before the family goes */
bool vpnrt_nl_events_live;

/* ---- dumps ---- */

/**
 * vpnrt_nl_dump_start() - the dumps' .start
 * @cb: the dump
 * @parse: checks the request and fills the filter
 * @round: fills one message of the dump, under RTNL (vpnrt_nl_dumpit())
 *
 * .start of the dumps: @parse checks the request and fills the filter.
 * From 6.2 .start has the request's extack and an error fails the
 * request with it (the ack names the attribute). 6.1 gives .start no
 * extack: the error and its message wait for round 1, which returns them
 * in NLMSG_DONE (the message names the attribute too).
 *
 * Return: 0 or an error (6.2 on: with the extack)
 */
int vpnrt_nl_dump_start(struct netlink_callback *cb,
			int (*parse)(struct net *net, struct nlattr **attrs,
				     struct vpnrt_nl_dump *st,
				     struct netlink_ext_ack *extack),
			int (*round)(struct sk_buff *skb, struct netlink_callback *cb,
				     struct vpnrt_nl_dump *st))
{
	struct netlink_ext_ack local = {};
	struct netlink_ext_ack *extack = cb->extack ?: &local;
	struct vpnrt_nl_dump *st;
	int err;

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return -ENOMEM;
	st->round = round;
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
	*(struct vpnrt_nl_dump **)cb->ctx = st;
	return 0;
}

/**
 * vpnrt_nl_dump_done() - the dumps' .done: free the state
 * @cb: the dump
 *
 * Return: 0
 */
int vpnrt_nl_dump_done(struct netlink_callback *cb)
{
	kfree(vpnrt_nl_dump_state(cb));
	return 0;
}

/*
 * The generation a round of @st sees: that of the gateway it is filtered
 * by, else the netns's. A gateway gone since the last round is a change:
 * a generation other than the last round's (and not 0, which would turn
 * the core's check off).
 */
static u32 dump_genid(struct net *net, const struct netlink_callback *cb,
		      const struct vpnrt_nl_dump *st)
{
	struct vpnrt_gw *gw;

	if (!st->gw)
		return vpnrt_pernet(net)->genid;
	gw = vpnrt_gw_by_ifindex(net, st->gw);
	return gw ? gw->genid : (cb->prev_seq + 1 ?: 1);
}

/**
 * vpnrt_nl_dumpit() - the dumps' .dumpit: one round, under RTNL
 * @skb: the message being filled
 * @cb: the dump
 *
 * Round 1 of a dump whose .start failed on 6.1 returns that error.
 * Otherwise the dump's round fills @skb under RTNL, from its cursor on;
 * the generation it saw (its gateway's if it is filtered by one, else the
 * netns's) marks the messages of rounds after a change (NLM_F_DUMP_INTR,
 * through genl_dump_check_consistent()).
 *
 * Return: the message's length, 0 at the end, or an error
 */
int vpnrt_nl_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vpnrt_nl_dump *st = vpnrt_nl_dump_state(cb);
	int err;

	if (st->err) {
		if (cb->extack)
			cb->extack->_msg = st->msg;
		return st->err;
	}
	rtnl_lock();
	cb->seq = dump_genid(sock_net(skb->sk), cb, st);
	err = st->round(skb, cb, st);
	rtnl_unlock();
	return err ?: skb->len;
}

/**
 * vpnrt_nl_no_filter() - refuse @a, which is no filter of the dump @what
 * @extack: where the rejection says why
 * @a: the attribute
 * @names: the attribute names of its set, by type
 * @n: the size of @names
 * @what: the dump, for the message
 * @allowed: its filters, for the message
 *
 * Return: -EINVAL
 */
int vpnrt_nl_no_filter(struct netlink_ext_ack *extack, const struct nlattr *a,
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

/**
 * vpnrt_nl_dump_filter_gw() - a dump filter's gateway, by ifindex
 * @net: the netns, under RTNL
 * @a: the ifindex attribute
 * @gw: the ifindex
 * @extack: where a rejection says why
 * @what: the dump, for the message
 *
 * Return: 0, or -ENODEV unless @a is a vpnrt gateway's ifindex
 */
int vpnrt_nl_dump_filter_gw(struct net *net, const struct nlattr *a, u32 *gw,
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

/* ---- requests ---- */

/**
 * vpnrt_nl_reply() - send the reply pre_doit made (VPNRT_NL_F_REPLY)
 * @info: the request
 *
 * Return: 0 or the error of sending
 */
int vpnrt_nl_reply(struct genl_info *info)
{
	struct sk_buff *msg = info->user_ptr[1];

	info->user_ptr[1] = NULL;	/* sent: post_doit does not free it */
	return genlmsg_reply(msg, info);
}

/*
 * The prologue of the ops that act on one named gateway or conn: the
 * reply made first (it may sleep and needs no lock), RTNL, the object.
 * Ops that parse and check a large request (routes, a new conn) take
 * RTNL themselves, after the checks: they have no internal_flags.
 */
static int vpnrt_nl_pre_doit(const struct vpnrt_genl_op *ops,
			     struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = NULL;
	void *obj;

	if (!(ops->internal_flags & (VPNRT_NL_F_GW | VPNRT_NL_F_CONN)))
		return 0;
	if (ops->internal_flags & VPNRT_NL_F_REPLY) {
		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
	}
	rtnl_lock();
	if (ops->internal_flags & VPNRT_NL_F_GW)
		obj = vpnrt_nl_gw_lookup(info);
	else
		obj = vpnrt_nl_conn_lookup(info);
	if (IS_ERR(obj)) {
		rtnl_unlock();
		nlmsg_free(msg);
		return PTR_ERR(obj);
	}
	info->user_ptr[0] = obj;
	info->user_ptr[1] = msg;
	return 0;
}

static void vpnrt_nl_post_doit(const struct vpnrt_genl_op *ops,
			       struct sk_buff *skb, struct genl_info *info)
{
	if (!(ops->internal_flags & (VPNRT_NL_F_GW | VPNRT_NL_F_CONN)))
		return;
	rtnl_unlock();
	nlmsg_free(info->user_ptr[1]);	/* a reply the doit did not send */
}

#define OP_POLICY(p) .policy = p, .maxattr = VPNRT_A_MAX

static const struct genl_ops vpnrt_ops[] = {
	{ .cmd = VPNRT_CMD_GW_NEW, .doit = vpnrt_nl_gw_new_doit,
	  OP_POLICY(gw_cmd_policy), .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_GW_DEL, .doit = vpnrt_nl_gw_del_doit,
	  OP_POLICY(gw_cmd_policy), .flags = GENL_UNS_ADMIN_PERM,
	  .internal_flags = VPNRT_NL_F_GW },
	{ .cmd = VPNRT_CMD_GW_SET, .doit = vpnrt_nl_gw_set_doit,
	  OP_POLICY(gw_cmd_policy), .flags = GENL_UNS_ADMIN_PERM,
	  .internal_flags = VPNRT_NL_F_GW },
	{ .cmd = VPNRT_CMD_GW_GET, .doit = vpnrt_nl_gw_get_doit,
	  .start = vpnrt_nl_gw_dump_start, .dumpit = vpnrt_nl_dumpit,
	  .done = vpnrt_nl_dump_done, OP_POLICY(gw_cmd_policy),
	  .internal_flags = VPNRT_NL_F_GW | VPNRT_NL_F_REPLY },
	{ .cmd = VPNRT_CMD_CONN_NEW, .doit = vpnrt_nl_conn_new_doit,
	  OP_POLICY(conn_cmd_policy), .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_CONN_DEL, .doit = vpnrt_nl_conn_del_doit,
	  OP_POLICY(conn_cmd_policy), .flags = GENL_UNS_ADMIN_PERM,
	  .internal_flags = VPNRT_NL_F_CONN },
	{ .cmd = VPNRT_CMD_CONN_SET, .doit = vpnrt_nl_conn_set_doit,
	  OP_POLICY(conn_cmd_policy), .flags = GENL_UNS_ADMIN_PERM,
	  .internal_flags = VPNRT_NL_F_CONN },
	{ .cmd = VPNRT_CMD_CONN_GET, .doit = vpnrt_nl_conn_get_doit,
	  .start = vpnrt_nl_conn_dump_start, .dumpit = vpnrt_nl_dumpit,
	  .done = vpnrt_nl_dump_done, OP_POLICY(conn_cmd_policy),
	  .internal_flags = VPNRT_NL_F_CONN | VPNRT_NL_F_REPLY },
	{ .cmd = VPNRT_CMD_ROUTE_NEW, .doit = vpnrt_nl_route_new_doit,
	  OP_POLICY(route_new_policy), .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_DEL, .doit = vpnrt_nl_route_del_doit,
	  OP_POLICY(routes_cmd_policy), .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_GET, .start = vpnrt_nl_route_dump_start,
	  .dumpit = vpnrt_nl_dumpit, .done = vpnrt_nl_dump_done,
	  OP_POLICY(routes_cmd_policy) },
	/* its flow hash and path choice map flows: not for everyone */
	{ .cmd = VPNRT_CMD_ROUTE_LOOKUP, .doit = vpnrt_nl_route_lookup_doit,
	  OP_POLICY(lookup_cmd_policy), .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_STALE, .doit = vpnrt_nl_route_stale_doit,
	  OP_POLICY(stale_cmd_policy), .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = VPNRT_CMD_ROUTE_SWEEP, .doit = vpnrt_nl_route_stale_doit,
	  OP_POLICY(stale_cmd_policy), .flags = GENL_UNS_ADMIN_PERM },
};

struct genl_family vpnrt_family __ro_after_init = {
	.name		= VPNRT_GENL_NAME,
	.version	= VPNRT_GENL_VERSION,
	.maxattr	= VPNRT_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.pre_doit	= vpnrt_nl_pre_doit,
	.post_doit	= vpnrt_nl_post_doit,
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
		WRITE_ONCE(vpnrt_nl_events_live, true);
	return err;
}

/**
 * vpnrt_genl_exit() - unregister the family, after the last health event
 */
void vpnrt_genl_exit(void)
{
	WRITE_ONCE(vpnrt_nl_events_live, false);
	vpnrt_health_flush();	/* events under way see it, or are done */
	genl_unregister_family(&vpnrt_family);
}

#ifdef VPNRT_KUNIT
#include "netlink_test.c"
#endif
