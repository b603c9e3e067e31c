/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the vpnrt generic netlink family share (netlink.c):
 * the family, the policies, the request helpers, and the state of dumps.
 */
#ifndef _VPNRT_NETLINK_H
#define _VPNRT_NETLINK_H

#include <net/genetlink.h>

#include "vpnrt.h"

extern struct genl_family vpnrt_family;
/* events from outside requests (health) stop before the family goes */
extern bool vpnrt_nl_events_live;

extern const struct nla_policy vpnrt_nl_health_policy[VPNRT_A_HEALTH_MAX + 1];
extern const struct nla_policy vpnrt_nl_tunnel_policy[VPNRT_A_TUNNEL_MAX + 1];
extern const struct nla_policy vpnrt_nl_route_policy[VPNRT_A_ROUTE_MAX + 1];
extern const struct nla_policy vpnrt_nl_stale_policy[VPNRT_A_STALE_MAX + 1];
extern const struct nla_policy vpnrt_nl_gw_policy[VPNRT_A_GW_MAX + 1];
extern const struct nla_policy vpnrt_nl_conn_policy[VPNRT_A_CONN_MAX + 1];
extern const struct nla_policy vpnrt_nl_lookup_policy[VPNRT_A_LOOKUP_MAX + 1];

/* request helpers: each failure sets an extack naming the attribute */
int vpnrt_nl_req_nest(struct genl_info *info, int type, struct nlattr **tb,
		      int maxtype, const struct nla_policy *pol, const char *what);
int vpnrt_nl_get_family(const struct nlattr *a, u16 *family,
			struct netlink_ext_ack *extack, const char *what);
int vpnrt_nl_get_addr(const struct nlattr *a, u16 family, union vpnrt_addr *out,
		      struct netlink_ext_ack *extack, const char *what);
int vpnrt_nl_get_prefix(const struct nlattr *addr, const struct nlattr *len_attr,
			u16 family, union vpnrt_addr *out, u8 *plen,
			struct netlink_ext_ack *extack, const char *what);
const char *vpnrt_nl_owner_name(u8 owner);
int vpnrt_nl_check_owner_same(const struct nlattr *a, u8 owner,
			      struct netlink_ext_ack *extack, const char *what);
void vpnrt_nl_notify(struct net *net, struct sk_buff *skb);
bool vpnrt_nl_has_listeners(struct net *net);

/*
 * What the family's pre_doit does before an op's doit, by the op's
 * internal_flags, and its post_doit undoes after it: with GW or CONN
 * the doit runs under RTNL with the object its request names (the
 * gw or conn nest) in user_ptr[0]; with REPLY, user_ptr[1] is the reply,
 * allocated before RTNL was taken (vpnrt_nl_reply() sends it).
 */
#define VPNRT_NL_F_GW		BIT(0)
#define VPNRT_NL_F_CONN		BIT(1)
#define VPNRT_NL_F_REPLY	BIT(2)

static inline struct sk_buff *vpnrt_nl_reply_msg(struct genl_info *info)
{
	return info->user_ptr[1];
}

int vpnrt_nl_reply(struct genl_info *info);

/*
 * A dump's state, made by its .start and freed by its .done: the filter,
 * checked once in .start (a filter that cannot be honoured fails the
 * request, not the rows), and a cursor of keys, not of pointers, so a
 * round never follows a pointer kept from an earlier one and no change
 * needs to tell dumps: gateways resume at an ifindex, conns at an id,
 * routes at a conn id and the key and seq of a route (vpnrt_nl_route_resume()).
 * NLM_F_DUMP_INTR still marks rounds after a change, as a hint: of the
 * gateway the dump is filtered by, else of any in the netns (genid).
 */
struct vpnrt_nl_dump {
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
	/* fills a message from the cursor on; 0 or an error */
	int (*round)(struct sk_buff *skb, struct netlink_callback *cb,
		     struct vpnrt_nl_dump *st);
};

static inline struct vpnrt_nl_dump *vpnrt_nl_dump_state(struct netlink_callback *cb)
{
	return *(struct vpnrt_nl_dump **)cb->ctx;
}

int vpnrt_nl_dump_start(struct netlink_callback *cb,
			int (*parse)(struct net *net, struct nlattr **attrs,
				     struct vpnrt_nl_dump *st,
				     struct netlink_ext_ack *extack),
			int (*round)(struct sk_buff *skb, struct netlink_callback *cb,
				     struct vpnrt_nl_dump *st));
int vpnrt_nl_dump_done(struct netlink_callback *cb);
int vpnrt_nl_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vpnrt_nl_no_filter(struct netlink_ext_ack *extack, const struct nlattr *a,
		       const char *const *names, size_t n, const char *what,
		       const char *allowed);
int vpnrt_nl_dump_filter_gw(struct net *net, const struct nlattr *a, u32 *gw,
			    struct netlink_ext_ack *extack, const char *what);

/* gateways (nl_gw.c) */
int vpnrt_nl_gw_validate(struct nlattr **tb, const struct vpnrt_gw *gw,
			 struct netlink_ext_ack *extack);
struct vpnrt_gw *vpnrt_nl_gw_lookup(struct genl_info *info);
int vpnrt_nl_gw_new_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_gw_set_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_gw_del_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_gw_get_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_gw_dump_start(struct netlink_callback *cb);

/* connections (nl_conn.c) */
bool vpnrt_nl_conn_name_ok(const char *s);
struct vpnrt_conn *vpnrt_nl_conn_lookup(struct genl_info *info);
int vpnrt_nl_conn_new_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_conn_set_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_conn_del_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_conn_get_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_conn_dump_start(struct netlink_callback *cb);

/* routes (nl_route.c) */
int vpnrt_nl_route_put(struct sk_buff *skb, int type, const struct vpnrt_route *r);
int vpnrt_nl_route_new_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_route_stale_doit(struct sk_buff *skb, struct genl_info *info);
int vpnrt_nl_route_dump_start(struct netlink_callback *cb);
void vpnrt_nl_route_cursor_set(struct vpnrt_nl_dump *st, const struct vpnrt_conn *c,
			       const struct vpnrt_route *r);
struct vpnrt_route *vpnrt_nl_route_resume(struct netlink_callback *cb,
					  struct vpnrt_nl_dump *st,
					  struct vpnrt_conn *c);

/* lookup (nl_lookup.c) */
int vpnrt_nl_route_lookup_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _VPNRT_NETLINK_H */
