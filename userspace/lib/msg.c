// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "msg.h"

struct nl_msg *vpnrt_msg_new(int family_id, uint8_t cmd, int flags,
			     size_t size)
{
	struct nl_msg *msg;

	if (size)
		msg = nlmsg_alloc_size(NLMSG_HDRLEN + GENL_HDRLEN + size);
	else
		msg = nlmsg_alloc();
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family_id, 0, flags,
			 cmd, VPNRT_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* PUT(cond, call): append when cond; bail out on error */
#define PUT(cond, call) do {			\
	if (cond) {				\
		int _e = (call);		\
		if (_e < 0)			\
			return _e;		\
	}					\
} while (0)

int vpnrt_put_gw(struct nl_msg *msg, const struct vpnrt_gw *gw)
{
	static const struct { int attr; size_t off; } u32s[] = {
		{ VPNRT_A_GW_MAX_PATHS, offsetof(struct vpnrt_gw, max_paths) },
		{ VPNRT_A_GW_MAX_CONNS, offsetof(struct vpnrt_gw, max_conns) },
		{ VPNRT_A_GW_MAX_BGP_ROUTES, offsetof(struct vpnrt_gw, max_bgp_routes) },
		{ VPNRT_A_GW_MAX_PEER_ROUTES, offsetof(struct vpnrt_gw, max_peer_routes) },
		{ VPNRT_A_GW_MAX_POLICY_ROUTES, offsetof(struct vpnrt_gw, max_policy_routes) },
		{ VPNRT_A_GW_MAX_ROUTES, offsetof(struct vpnrt_gw, max_routes) },
		{ VPNRT_A_GW_MSS_CLAMP, offsetof(struct vpnrt_gw, mss_clamp) },
	};
	struct nlattr *nest = nla_nest_start(msg, VPNRT_A_GW);
	size_t i;

	if (!nest)
		return -NLE_NOMEM;
	PUT(VPNRT_HAS(gw, VPNRT_A_GW_IFINDEX),
	    nla_put_u32(msg, VPNRT_A_GW_IFINDEX, gw->ifindex));
	PUT(VPNRT_HAS(gw, VPNRT_A_GW_IFNAME),
	    nla_put_string(msg, VPNRT_A_GW_IFNAME, gw->ifname));
	PUT(VPNRT_HAS(gw, VPNRT_A_GW_ECMP_HASH),
	    nla_put_u8(msg, VPNRT_A_GW_ECMP_HASH, gw->ecmp_hash));
	PUT(VPNRT_HAS(gw, VPNRT_A_GW_OWNER),
	    nla_put_u8(msg, VPNRT_A_GW_OWNER, gw->owner));
	PUT(VPNRT_HAS(gw, VPNRT_A_GW_RP_CHECK),
	    nla_put_u8(msg, VPNRT_A_GW_RP_CHECK, gw->rp_check));
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		uint32_t v;

		memcpy(&v, (const char *)gw + u32s[i].off, sizeof(v));
		PUT(VPNRT_HAS(gw, u32s[i].attr), nla_put_u32(msg, u32s[i].attr, v));
	}
	return nla_nest_end(msg, nest);
}

/* VPNRT_A_TUNNEL_HEALTH with the attributes a request may carry */
static int put_health(struct nl_msg *msg, const struct vpnrt_health *h)
{
	struct nlattr *nest = nla_nest_start(msg, VPNRT_A_TUNNEL_HEALTH);
	int alen = addr_len(h->family);

	if (!nest)
		return -NLE_NOMEM;
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_OFF),
	    nla_put_flag(msg, VPNRT_A_HEALTH_OFF));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_FAMILY),
	    nla_put_u16(msg, VPNRT_A_HEALTH_FAMILY, h->family));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_DST),
	    nla_put(msg, VPNRT_A_HEALTH_DST, alen, h->dst.addr.bytes));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_SRC),
	    nla_put(msg, VPNRT_A_HEALTH_SRC, alen, h->src.addr.bytes));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_INTERVAL),
	    nla_put_u32(msg, VPNRT_A_HEALTH_INTERVAL, h->interval_ms));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_RETRIES),
	    nla_put_u32(msg, VPNRT_A_HEALTH_RETRIES, h->retries));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_RISE),
	    nla_put_u32(msg, VPNRT_A_HEALTH_RISE, h->rise));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_POLICY),
	    nla_put_u8(msg, VPNRT_A_HEALTH_POLICY, h->policy));
	PUT(VPNRT_HAS(h, VPNRT_A_HEALTH_TIMEOUT),
	    nla_put_u32(msg, VPNRT_A_HEALTH_TIMEOUT, h->timeout_ms));
	return nla_nest_end(msg, nest);
}

int vpnrt_put_conn(struct nl_msg *msg, const struct vpnrt_conn *conn)
{
	struct nlattr *nest = nla_nest_start(msg, VPNRT_A_CONN);
	int alen = addr_len(conn->family);

	if (!nest)
		return -NLE_NOMEM;
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_NAME),
	    nla_put_string(msg, VPNRT_A_CONN_NAME, conn->name));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_ID),
	    nla_put_u32(msg, VPNRT_A_CONN_ID, conn->id));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_GW_IFINDEX),
	    nla_put_u32(msg, VPNRT_A_CONN_GW_IFINDEX, conn->gw_ifindex));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_TUNNELS)) {
		struct nlattr *tuns = nla_nest_start(msg, VPNRT_A_CONN_TUNNELS);
		int i;

		if (!tuns)
			return -NLE_NOMEM;
		for (i = 0; i < conn->n_tunnels && i < VPNRT_MAX_TUNNELS; i++) {
			const struct vpnrt_tunnel *tun = &conn->tunnels[i];
			struct nlattr *t;

			if (!tun->present)	/* nothing for this one */
				continue;
			t = nla_nest_start(msg, i + 1);
			if (!t)
				return -NLE_NOMEM;
			PUT(VPNRT_HAS(tun, VPNRT_A_TUNNEL_IFINDEX),
			    nla_put_u32(msg, VPNRT_A_TUNNEL_IFINDEX, tun->ifindex));
			PUT(VPNRT_HAS(tun, VPNRT_A_TUNNEL_POSITION),
			    nla_put_u8(msg, VPNRT_A_TUNNEL_POSITION, (uint8_t)tun->pos));
			PUT(VPNRT_HAS(tun, VPNRT_A_TUNNEL_IKE),
			    nla_put_u8(msg, VPNRT_A_TUNNEL_IKE, tun->ike));
			PUT(VPNRT_HAS(tun, VPNRT_A_TUNNEL_HEALTH),
			    put_health(msg, &tun->health));
			PUT(1, nla_nest_end(msg, t));
		}
		PUT(1, nla_nest_end(msg, tuns));
	}
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_MODE),
	    nla_put_u8(msg, VPNRT_A_CONN_MODE, conn->mode));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_ROUTING),
	    nla_put_u8(msg, VPNRT_A_CONN_ROUTING, conn->routing));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_FAMILY),
	    nla_put_u16(msg, VPNRT_A_CONN_FAMILY, conn->family));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_LOCAL_ADDR),
	    nla_put(msg, VPNRT_A_CONN_LOCAL_ADDR, alen, conn->local.addr.bytes));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_LOCAL_LEN),
	    nla_put_u8(msg, VPNRT_A_CONN_LOCAL_LEN, conn->local.len));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_PEER_ADDR),
	    nla_put(msg, VPNRT_A_CONN_PEER_ADDR, alen, conn->peer.addr.bytes));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_PEER_LEN),
	    nla_put_u8(msg, VPNRT_A_CONN_PEER_LEN, conn->peer.len));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_ADMIN),
	    nla_put_u8(msg, VPNRT_A_CONN_ADMIN, conn->admin));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_IKE_MANAGED),
	    nla_put_u8(msg, VPNRT_A_CONN_IKE_MANAGED, conn->ike_managed));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_IKE),
	    nla_put_u8(msg, VPNRT_A_CONN_IKE, conn->ike));
	PUT(VPNRT_HAS(conn, VPNRT_A_CONN_OWNER),
	    nla_put_u8(msg, VPNRT_A_CONN_OWNER, conn->owner));
	return nla_nest_end(msg, nest);
}

int vpnrt_put_route(struct nl_msg *msg, int idx, const struct vpnrt_route *r)
{
	struct nlattr *nest = nla_nest_start(msg, idx);
	int alen = addr_len(r->family);

	if (!nest)
		return -NLE_NOMEM;
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_FAMILY),
	    nla_put_u16(msg, VPNRT_A_ROUTE_FAMILY, r->family));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_DST),
	    nla_put(msg, VPNRT_A_ROUTE_DST, alen, r->dst.addr.bytes));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_DST_LEN),
	    nla_put_u8(msg, VPNRT_A_ROUTE_DST_LEN, r->dst.len));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_SRC),
	    nla_put(msg, VPNRT_A_ROUTE_SRC, alen, r->src.addr.bytes));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_SRC_LEN),
	    nla_put_u8(msg, VPNRT_A_ROUTE_SRC_LEN, r->src.len));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_PROTO),
	    nla_put_u8(msg, VPNRT_A_ROUTE_PROTO, r->proto));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_CONN),
	    nla_put_string(msg, VPNRT_A_ROUTE_CONN, r->conn));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_CONN_ID),
	    nla_put_u32(msg, VPNRT_A_ROUTE_CONN_ID, r->conn_id));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_WEIGHT),
	    nla_put_u8(msg, VPNRT_A_ROUTE_WEIGHT, r->weight));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_PRIORITY),
	    nla_put_u8(msg, VPNRT_A_ROUTE_PRIORITY, r->priority));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_PREF),
	    nla_put_u32(msg, VPNRT_A_ROUTE_PREF, r->pref));
	PUT(VPNRT_HAS(r, VPNRT_A_ROUTE_GW_IFINDEX),
	    nla_put_u32(msg, VPNRT_A_ROUTE_GW_IFINDEX, r->gw_ifindex));
	return nla_nest_end(msg, nest);
}

int vpnrt_put_routes(struct nl_msg *msg, const struct vpnrt_route *routes,
		     int n)
{
	struct nlattr *nest = nla_nest_start(msg, VPNRT_A_ROUTES);
	int i;

	if (!nest)
		return -NLE_NOMEM;
	for (i = 0; i < n; i++)
		PUT(1, vpnrt_put_route(msg, i + 1, &routes[i]));
	return nla_nest_end(msg, nest);
}

size_t vpnrt_route_size(const struct vpnrt_route *r)
{
	size_t alen = (size_t)addr_len(r->family), n = NLA_HDRLEN;

	if (VPNRT_HAS(r, VPNRT_A_ROUTE_FAMILY))
		n += (size_t)nla_total_size(2);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_DST))
		n += (size_t)nla_total_size((int)alen);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_DST_LEN))
		n += (size_t)nla_total_size(1);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_SRC))
		n += (size_t)nla_total_size((int)alen);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_SRC_LEN))
		n += (size_t)nla_total_size(1);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PROTO))
		n += (size_t)nla_total_size(1);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_CONN))
		n += (size_t)nla_total_size((int)strlen(r->conn) + 1);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_CONN_ID))
		n += (size_t)nla_total_size(4);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_WEIGHT))
		n += (size_t)nla_total_size(1);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PRIORITY))
		n += (size_t)nla_total_size(1);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PREF))
		n += (size_t)nla_total_size(4);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_GW_IFINDEX))
		n += (size_t)nla_total_size(4);
	return n;
}

struct nl_msg *vpnrt_routes_msg(int family_id, uint8_t cmd, bool replace,
				const struct vpnrt_route *routes, int n)
{
	size_t size = NLA_HDRLEN + 64;
	struct nl_msg *msg;
	int i;

	for (i = 0; i < n; i++)
		size += vpnrt_route_size(&routes[i]);
	msg = vpnrt_msg_new(family_id, cmd, NLM_F_ACK, size);
	if (msg && ((replace && nla_put_flag(msg, VPNRT_A_REPLACE) < 0) ||
		    vpnrt_put_routes(msg, routes, n) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int vpnrt_put_stale(struct nl_msg *msg, const struct vpnrt_stale *st)
{
	struct nlattr *nest = nla_nest_start(msg, VPNRT_A_STALE);

	if (!nest)
		return -NLE_NOMEM;
	PUT(VPNRT_HAS(st, VPNRT_A_STALE_GW_IFINDEX),
	    nla_put_u32(msg, VPNRT_A_STALE_GW_IFINDEX, st->gw_ifindex));
	PUT(VPNRT_HAS(st, VPNRT_A_STALE_CONN),
	    nla_put_string(msg, VPNRT_A_STALE_CONN, st->conn));
	PUT(VPNRT_HAS(st, VPNRT_A_STALE_CONN_ID),
	    nla_put_u32(msg, VPNRT_A_STALE_CONN_ID, st->conn_id));
	PUT(VPNRT_HAS(st, VPNRT_A_STALE_PROTO),
	    nla_put_u8(msg, VPNRT_A_STALE_PROTO, st->proto));
	PUT(VPNRT_HAS(st, VPNRT_A_STALE_TIMEOUT),
	    nla_put_u32(msg, VPNRT_A_STALE_TIMEOUT, st->timeout));
	return nla_nest_end(msg, nest);
}

struct nl_msg *vpnrt_stale_msg(int family_id, uint8_t cmd,
			       const struct vpnrt_stale *st)
{
	struct nl_msg *msg = vpnrt_msg_new(family_id, cmd, NLM_F_ACK, 256);

	if (msg && vpnrt_put_stale(msg, st) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int vpnrt_put_lookup(struct nl_msg *msg, const struct vpnrt_lookup *lk)
{
	struct nlattr *nest = nla_nest_start(msg, VPNRT_A_LOOKUP);
	int alen = addr_len(lk->family);

	if (!nest)
		return -NLE_NOMEM;
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_GW_IFINDEX),
	    nla_put_u32(msg, VPNRT_A_LOOKUP_GW_IFINDEX, lk->gw_ifindex));
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_FAMILY),
	    nla_put_u16(msg, VPNRT_A_LOOKUP_FAMILY, lk->family));
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_DST),
	    nla_put(msg, VPNRT_A_LOOKUP_DST, alen, lk->dst.addr.bytes));
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_SRC),
	    nla_put(msg, VPNRT_A_LOOKUP_SRC, alen, lk->src.addr.bytes));
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_IPPROTO),
	    nla_put_u8(msg, VPNRT_A_LOOKUP_IPPROTO, lk->ipproto));
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_SPORT),
	    nla_put_u16(msg, VPNRT_A_LOOKUP_SPORT, lk->sport));
	PUT(VPNRT_HAS(lk, VPNRT_A_LOOKUP_DPORT),
	    nla_put_u16(msg, VPNRT_A_LOOKUP_DPORT, lk->dport));
	return nla_nest_end(msg, nest);
}

/* ---- parsing ---- */

/* an address attribute: 4 bytes is IPv4, 16 is IPv6, else malformed */
static int get_addr(const struct nlattr *a, struct prefix *p)
{
	int len = nla_len(a);

	if (len != 4 && len != 16)
		return -NLE_INVAL;
	memset(&p->addr, 0, sizeof(p->addr));
	memcpy(p->addr.bytes, nla_data(a), (size_t)len);
	p->family = len == 4 ? AF_INET : AF_INET6;
	p->len = (uint8_t)(len * 8);
	return 0;
}

static void get_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t n = (size_t)nla_len(a);

	if (n >= size)
		n = size - 1;
	memcpy(buf, nla_data(a), n);
	buf[n] = '\0';
}

/* record presence of every attribute in tb[1..max] */
static uint32_t presence(struct nlattr **tb, int max)
{
	uint32_t mask = 0;
	int i;

	for (i = 1; i <= max && i < 32; i++)
		if (tb[i])
			mask |= 1u << i;
	return mask;
}

static uint8_t u8_or(struct nlattr *a, uint8_t dflt)
{
	return a ? nla_get_u8(a) : dflt;
}

static uint16_t u16_or(struct nlattr *a, uint16_t dflt)
{
	return a ? nla_get_u16(a) : dflt;
}

static uint32_t u32_or(struct nlattr *a, uint32_t dflt)
{
	return a ? nla_get_u32(a) : dflt;
}

static uint64_t u64_or(struct nlattr *a, uint64_t dflt)
{
	return a ? nla_get_u64(a) : dflt;
}

int vpnrt_parse_gw(struct nlattr *nest, struct vpnrt_gw *gw)
{
	static struct nla_policy pol[VPNRT_A_GW_MAX + 1] = {
		[VPNRT_A_GW_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_GW_IFNAME] = { .type = NLA_STRING },
		[VPNRT_A_GW_ECMP_HASH] = { .type = NLA_U8 },
		[VPNRT_A_GW_MAX_PATHS] = { .type = NLA_U32 },
		[VPNRT_A_GW_MAX_CONNS] = { .type = NLA_U32 },
		[VPNRT_A_GW_MAX_BGP_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_MAX_PEER_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_MAX_POLICY_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_MAX_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_N_CONNS] = { .type = NLA_U32 },
		[VPNRT_A_GW_N_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_N_POLICY_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_N_BGP_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_GW_STATS] = { .type = NLA_NESTED },
		[VPNRT_A_GW_OWNER] = { .type = NLA_U8 },
		[VPNRT_A_GW_MSS_CLAMP] = { .type = NLA_U32 },
		[VPNRT_A_GW_RP_CHECK] = { .type = NLA_U8 },
	};
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	int err;

	memset(gw, 0, sizeof(*gw));
	err = nla_parse_nested(tb, VPNRT_A_GW_MAX, nest, pol);
	if (err < 0)
		return err;
	gw->present = presence(tb, VPNRT_A_GW_MAX);
	gw->ifindex = u32_or(tb[VPNRT_A_GW_IFINDEX], 0);
	if (tb[VPNRT_A_GW_IFNAME])
		get_str(tb[VPNRT_A_GW_IFNAME], gw->ifname, sizeof(gw->ifname));
	gw->ecmp_hash = u8_or(tb[VPNRT_A_GW_ECMP_HASH], 0);
	gw->max_paths = u32_or(tb[VPNRT_A_GW_MAX_PATHS], 0);
	gw->max_conns = u32_or(tb[VPNRT_A_GW_MAX_CONNS], 0);
	gw->max_bgp_routes = u32_or(tb[VPNRT_A_GW_MAX_BGP_ROUTES], 0);
	gw->max_peer_routes = u32_or(tb[VPNRT_A_GW_MAX_PEER_ROUTES], 0);
	gw->max_policy_routes = u32_or(tb[VPNRT_A_GW_MAX_POLICY_ROUTES], 0);
	gw->max_routes = u32_or(tb[VPNRT_A_GW_MAX_ROUTES], 0);
	gw->n_conns = u32_or(tb[VPNRT_A_GW_N_CONNS], 0);
	gw->n_routes = u32_or(tb[VPNRT_A_GW_N_ROUTES], 0);
	gw->n_policy_routes = u32_or(tb[VPNRT_A_GW_N_POLICY_ROUTES], 0);
	gw->n_bgp_routes = u32_or(tb[VPNRT_A_GW_N_BGP_ROUTES], 0);
	gw->owner = u8_or(tb[VPNRT_A_GW_OWNER], 0);
	gw->mss_clamp = u32_or(tb[VPNRT_A_GW_MSS_CLAMP], 0);
	gw->rp_check = u8_or(tb[VPNRT_A_GW_RP_CHECK], 0);
	if (tb[VPNRT_A_GW_STATS]) {
		static struct nla_policy spol[VPNRT_A_GW_STATS_MAX + 1] = {
			[VPNRT_A_GW_STATS_TX_PACKETS] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_TX_BYTES] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_NO_ROUTE] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_FALLBACK] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_TX_ERRORS] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_TOO_BIG] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_MSS_CLAMPED] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_NO_TUNNEL] = { .type = NLA_U64 },
			[VPNRT_A_GW_STATS_RP_DROPS] = { .type = NLA_U64 },
		};
		struct nlattr *st[VPNRT_A_GW_STATS_MAX + 1];
		int i;

		err = nla_parse_nested(st, VPNRT_A_GW_STATS_MAX,
				       tb[VPNRT_A_GW_STATS], spol);
		if (err < 0)
			return err;
		gw->stats_present = presence(st, VPNRT_A_GW_STATS_MAX);
		for (i = 1; i <= VPNRT_A_GW_STATS_MAX; i++)
			if (i != VPNRT_A_GW_STATS_PAD)
				gw->stats[i] = u64_or(st[i], 0);
	}
	return 0;
}

int vpnrt_parse_health(struct nlattr *nest, struct vpnrt_health *h)
{
	static struct nla_policy pol[VPNRT_A_HEALTH_MAX + 1] = {
		[VPNRT_A_HEALTH_OFF] = { .type = NLA_FLAG },
		[VPNRT_A_HEALTH_FAMILY] = { .type = NLA_U16 },
		[VPNRT_A_HEALTH_INTERVAL] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_RETRIES] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_RISE] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_POLICY] = { .type = NLA_U8 },
		[VPNRT_A_HEALTH_STATE] = { .type = NLA_U8 },
		[VPNRT_A_HEALTH_OLD_STATE] = { .type = NLA_U8 },
		[VPNRT_A_HEALTH_REASON] = { .type = NLA_U8 },
		[VPNRT_A_HEALTH_TIME] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_LOSS_START] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_SINCE] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_SENT] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_ANSWERED] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_IGNORED] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_SEND_ERRORS] = { .type = NLA_U64 },
		[VPNRT_A_HEALTH_CONSEC_LOST] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_RTT] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_SRTT] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_WINDOW] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_WINDOW_LOST] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_TRANSITIONS] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_TIMEOUT] = { .type = NLA_U32 },
		[VPNRT_A_HEALTH_EVENTS_LOST] = { .type = NLA_U64 },
	};
	struct nlattr *tb[VPNRT_A_HEALTH_MAX + 1];
	int err;

	memset(h, 0, sizeof(*h));
	err = nla_parse_nested(tb, VPNRT_A_HEALTH_MAX, nest, pol);
	if (err < 0)
		return err;
	h->present = presence(tb, VPNRT_A_HEALTH_MAX);
	if (tb[VPNRT_A_HEALTH_DST] && get_addr(tb[VPNRT_A_HEALTH_DST], &h->dst))
		return -NLE_INVAL;
	if (tb[VPNRT_A_HEALTH_SRC] && get_addr(tb[VPNRT_A_HEALTH_SRC], &h->src))
		return -NLE_INVAL;
	h->family = u16_or(tb[VPNRT_A_HEALTH_FAMILY], (uint16_t)h->dst.family);
	h->interval_ms = u32_or(tb[VPNRT_A_HEALTH_INTERVAL], 0);
	h->retries = u32_or(tb[VPNRT_A_HEALTH_RETRIES], 0);
	h->rise = u32_or(tb[VPNRT_A_HEALTH_RISE], 0);
	h->policy = u8_or(tb[VPNRT_A_HEALTH_POLICY], 0);
	h->state = u8_or(tb[VPNRT_A_HEALTH_STATE], 0);
	h->old_state = u8_or(tb[VPNRT_A_HEALTH_OLD_STATE], 0);
	h->reason = u8_or(tb[VPNRT_A_HEALTH_REASON], 0);
	h->time_ns = u64_or(tb[VPNRT_A_HEALTH_TIME], 0);
	h->loss_start_ns = u64_or(tb[VPNRT_A_HEALTH_LOSS_START], 0);
	h->since_ms = u64_or(tb[VPNRT_A_HEALTH_SINCE], 0);
	h->sent = u64_or(tb[VPNRT_A_HEALTH_SENT], 0);
	h->answered = u64_or(tb[VPNRT_A_HEALTH_ANSWERED], 0);
	h->ignored = u64_or(tb[VPNRT_A_HEALTH_IGNORED], 0);
	h->send_errors = u64_or(tb[VPNRT_A_HEALTH_SEND_ERRORS], 0);
	h->consec_lost = u32_or(tb[VPNRT_A_HEALTH_CONSEC_LOST], 0);
	h->rtt_us = u32_or(tb[VPNRT_A_HEALTH_RTT], 0);
	h->srtt_us = u32_or(tb[VPNRT_A_HEALTH_SRTT], 0);
	h->window = u32_or(tb[VPNRT_A_HEALTH_WINDOW], 0);
	h->window_lost = u32_or(tb[VPNRT_A_HEALTH_WINDOW_LOST], 0);
	h->transitions = u32_or(tb[VPNRT_A_HEALTH_TRANSITIONS], 0);
	h->timeout_ms = u32_or(tb[VPNRT_A_HEALTH_TIMEOUT], 0);
	h->events_lost = u64_or(tb[VPNRT_A_HEALTH_EVENTS_LOST], 0);
	return 0;
}

static int parse_tunnel(struct nlattr *nest, struct vpnrt_tunnel *t)
{
	static struct nla_policy pol[VPNRT_A_TUNNEL_MAX + 1] = {
		[VPNRT_A_TUNNEL_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_TUNNEL_IFNAME] = { .type = NLA_STRING },
		[VPNRT_A_TUNNEL_STATE] = { .type = NLA_U8 },
		[VPNRT_A_TUNNEL_DOWN_REASON] = { .type = NLA_U32 },
		[VPNRT_A_TUNNEL_TX_PACKETS] = { .type = NLA_U64 },
		[VPNRT_A_TUNNEL_TX_BYTES] = { .type = NLA_U64 },
		[VPNRT_A_TUNNEL_TX_ERRORS] = { .type = NLA_U64 },
		[VPNRT_A_TUNNEL_HEALTH] = { .type = NLA_NESTED },
		[VPNRT_A_TUNNEL_IKE] = { .type = NLA_U8 },
		[VPNRT_A_TUNNEL_POSITION] = { .type = NLA_U8 },
	};
	struct nlattr *tb[VPNRT_A_TUNNEL_MAX + 1];
	int err;

	memset(t, 0, sizeof(*t));
	err = nla_parse_nested(tb, VPNRT_A_TUNNEL_MAX, nest, pol);
	if (err < 0)
		return err;
	t->present = presence(tb, VPNRT_A_TUNNEL_MAX);
	t->ifindex = u32_or(tb[VPNRT_A_TUNNEL_IFINDEX], 0);
	if (tb[VPNRT_A_TUNNEL_IFNAME])
		get_str(tb[VPNRT_A_TUNNEL_IFNAME], t->ifname, sizeof(t->ifname));
	t->state = u8_or(tb[VPNRT_A_TUNNEL_STATE], 0);
	t->down_reason = u32_or(tb[VPNRT_A_TUNNEL_DOWN_REASON], 0);
	t->tx_packets = u64_or(tb[VPNRT_A_TUNNEL_TX_PACKETS], 0);
	t->tx_bytes = u64_or(tb[VPNRT_A_TUNNEL_TX_BYTES], 0);
	t->tx_errors = u64_or(tb[VPNRT_A_TUNNEL_TX_ERRORS], 0);
	t->ike = u8_or(tb[VPNRT_A_TUNNEL_IKE], 0);
	/* the nest's type is the position; the attribute says it again */
	t->pos = tb[VPNRT_A_TUNNEL_POSITION] ?
		 nla_get_u8(tb[VPNRT_A_TUNNEL_POSITION]) : nla_type(nest);
	if (tb[VPNRT_A_TUNNEL_HEALTH])
		return vpnrt_parse_health(tb[VPNRT_A_TUNNEL_HEALTH], &t->health);
	return 0;
}

int vpnrt_parse_conn(struct nlattr *nest, struct vpnrt_conn *conn)
{
	static struct nla_policy pol[VPNRT_A_CONN_MAX + 1] = {
		[VPNRT_A_CONN_NAME] = { .type = NLA_STRING },
		[VPNRT_A_CONN_ID] = { .type = NLA_U32 },
		[VPNRT_A_CONN_GW_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_CONN_TUNNELS] = { .type = NLA_NESTED },
		[VPNRT_A_CONN_MODE] = { .type = NLA_U8 },
		[VPNRT_A_CONN_ROUTING] = { .type = NLA_U8 },
		[VPNRT_A_CONN_FAMILY] = { .type = NLA_U16 },
		[VPNRT_A_CONN_LOCAL_LEN] = { .type = NLA_U8 },
		[VPNRT_A_CONN_PEER_LEN] = { .type = NLA_U8 },
		[VPNRT_A_CONN_ADMIN] = { .type = NLA_U8 },
		[VPNRT_A_CONN_IKE_MANAGED] = { .type = NLA_U8 },
		[VPNRT_A_CONN_IKE] = { .type = NLA_U8 },
		[VPNRT_A_CONN_STATE] = { .type = NLA_U8 },
		[VPNRT_A_CONN_DOWN_REASON] = { .type = NLA_U32 },
		[VPNRT_A_CONN_N_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_CONN_N_BGP_ROUTES] = { .type = NLA_U32 },
		[VPNRT_A_CONN_OWNER] = { .type = NLA_U8 },
	};
	struct nlattr *tb[VPNRT_A_CONN_MAX + 1];
	int err;

	memset(conn, 0, sizeof(*conn));
	err = nla_parse_nested(tb, VPNRT_A_CONN_MAX, nest, pol);
	if (err < 0)
		return err;
	conn->present = presence(tb, VPNRT_A_CONN_MAX);
	if (tb[VPNRT_A_CONN_NAME])
		get_str(tb[VPNRT_A_CONN_NAME], conn->name, sizeof(conn->name));
	conn->id = u32_or(tb[VPNRT_A_CONN_ID], 0);
	conn->gw_ifindex = u32_or(tb[VPNRT_A_CONN_GW_IFINDEX], 0);
	if (tb[VPNRT_A_CONN_TUNNELS]) {
		struct nlattr *t;
		int rem;

		nla_for_each_nested(t, tb[VPNRT_A_CONN_TUNNELS], rem) {
			if (conn->n_tunnels >= VPNRT_MAX_TUNNELS)
				break;
			err = parse_tunnel(t, &conn->tunnels[conn->n_tunnels]);
			if (err < 0)
				return err;
			conn->n_tunnels++;
		}
	}
	conn->mode = u8_or(tb[VPNRT_A_CONN_MODE], 0);
	conn->routing = u8_or(tb[VPNRT_A_CONN_ROUTING], 0);
	conn->family = u16_or(tb[VPNRT_A_CONN_FAMILY], 0);
	if (tb[VPNRT_A_CONN_LOCAL_ADDR] &&
	    get_addr(tb[VPNRT_A_CONN_LOCAL_ADDR], &conn->local))
		return -NLE_INVAL;
	if (tb[VPNRT_A_CONN_PEER_ADDR] &&
	    get_addr(tb[VPNRT_A_CONN_PEER_ADDR], &conn->peer))
		return -NLE_INVAL;
	conn->local.len = u8_or(tb[VPNRT_A_CONN_LOCAL_LEN], conn->local.len);
	conn->peer.len = u8_or(tb[VPNRT_A_CONN_PEER_LEN], conn->peer.len);
	conn->admin = u8_or(tb[VPNRT_A_CONN_ADMIN], 0);
	conn->ike_managed = u8_or(tb[VPNRT_A_CONN_IKE_MANAGED], 0);
	conn->ike = u8_or(tb[VPNRT_A_CONN_IKE], 0);
	conn->state = u8_or(tb[VPNRT_A_CONN_STATE], 0);
	conn->down_reason = u32_or(tb[VPNRT_A_CONN_DOWN_REASON], 0);
	conn->n_routes = u32_or(tb[VPNRT_A_CONN_N_ROUTES], 0);
	conn->n_bgp_routes = u32_or(tb[VPNRT_A_CONN_N_BGP_ROUTES], 0);
	conn->owner = u8_or(tb[VPNRT_A_CONN_OWNER], 0);
	return 0;
}

int vpnrt_parse_route(struct nlattr *nest, struct vpnrt_route *r)
{
	static struct nla_policy pol[VPNRT_A_ROUTE_MAX + 1] = {
		[VPNRT_A_ROUTE_FAMILY] = { .type = NLA_U16 },
		[VPNRT_A_ROUTE_DST_LEN] = { .type = NLA_U8 },
		[VPNRT_A_ROUTE_SRC_LEN] = { .type = NLA_U8 },
		[VPNRT_A_ROUTE_PROTO] = { .type = NLA_U8 },
		[VPNRT_A_ROUTE_CONN] = { .type = NLA_STRING },
		[VPNRT_A_ROUTE_CONN_ID] = { .type = NLA_U32 },
		[VPNRT_A_ROUTE_WEIGHT] = { .type = NLA_U8 },
		[VPNRT_A_ROUTE_PRIORITY] = { .type = NLA_U8 },
		[VPNRT_A_ROUTE_PREF] = { .type = NLA_U32 },
		[VPNRT_A_ROUTE_FLAGS] = { .type = NLA_U32 },
		[VPNRT_A_ROUTE_USABLE] = { .type = NLA_U8 },
		[VPNRT_A_ROUTE_GW_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_ROUTE_STALE] = { .type = NLA_FLAG },
	};
	struct nlattr *tb[VPNRT_A_ROUTE_MAX + 1];
	int err;

	memset(r, 0, sizeof(*r));
	err = nla_parse_nested(tb, VPNRT_A_ROUTE_MAX, nest, pol);
	if (err < 0)
		return err;
	r->present = presence(tb, VPNRT_A_ROUTE_MAX);
	if (tb[VPNRT_A_ROUTE_DST] && get_addr(tb[VPNRT_A_ROUTE_DST], &r->dst))
		return -NLE_INVAL;
	if (tb[VPNRT_A_ROUTE_SRC] && get_addr(tb[VPNRT_A_ROUTE_SRC], &r->src))
		return -NLE_INVAL;
	r->family = u16_or(tb[VPNRT_A_ROUTE_FAMILY], (uint16_t)r->dst.family);
	r->dst.len = u8_or(tb[VPNRT_A_ROUTE_DST_LEN], r->dst.len);
	r->src.len = u8_or(tb[VPNRT_A_ROUTE_SRC_LEN], r->src.len);
	r->proto = u8_or(tb[VPNRT_A_ROUTE_PROTO], 0);
	if (tb[VPNRT_A_ROUTE_CONN])
		get_str(tb[VPNRT_A_ROUTE_CONN], r->conn, sizeof(r->conn));
	r->conn_id = u32_or(tb[VPNRT_A_ROUTE_CONN_ID], 0);
	r->weight = u8_or(tb[VPNRT_A_ROUTE_WEIGHT], 0);
	r->priority = u8_or(tb[VPNRT_A_ROUTE_PRIORITY], 0);
	r->pref = u32_or(tb[VPNRT_A_ROUTE_PREF], 0);
	r->flags = u32_or(tb[VPNRT_A_ROUTE_FLAGS], 0);
	r->usable = u8_or(tb[VPNRT_A_ROUTE_USABLE], 0);
	r->gw_ifindex = u32_or(tb[VPNRT_A_ROUTE_GW_IFINDEX], 0);
	r->stale = tb[VPNRT_A_ROUTE_STALE] != NULL;
	return 0;
}

int vpnrt_parse_stale(struct nlattr *nest, struct vpnrt_stale *st)
{
	static struct nla_policy pol[VPNRT_A_STALE_MAX + 1] = {
		[VPNRT_A_STALE_GW_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_STALE_CONN] = { .type = NLA_STRING },
		[VPNRT_A_STALE_CONN_ID] = { .type = NLA_U32 },
		[VPNRT_A_STALE_PROTO] = { .type = NLA_U8 },
		[VPNRT_A_STALE_TIMEOUT] = { .type = NLA_U32 },
		[VPNRT_A_STALE_COUNT] = { .type = NLA_U32 },
	};
	struct nlattr *tb[VPNRT_A_STALE_MAX + 1];
	int err;

	memset(st, 0, sizeof(*st));
	err = nla_parse_nested(tb, VPNRT_A_STALE_MAX, nest, pol);
	if (err < 0)
		return err;
	st->present = presence(tb, VPNRT_A_STALE_MAX);
	st->gw_ifindex = u32_or(tb[VPNRT_A_STALE_GW_IFINDEX], 0);
	if (tb[VPNRT_A_STALE_CONN])
		get_str(tb[VPNRT_A_STALE_CONN], st->conn, sizeof(st->conn));
	st->conn_id = u32_or(tb[VPNRT_A_STALE_CONN_ID], 0);
	st->proto = u8_or(tb[VPNRT_A_STALE_PROTO], 0);
	st->timeout = u32_or(tb[VPNRT_A_STALE_TIMEOUT], 0);
	st->count = u32_or(tb[VPNRT_A_STALE_COUNT], 0);
	return 0;
}

int vpnrt_parse_lookup(struct nlattr *nest, struct vpnrt_lookup *lk)
{
	static struct nla_policy pol[VPNRT_A_LOOKUP_MAX + 1] = {
		[VPNRT_A_LOOKUP_GW_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_LOOKUP_FAMILY] = { .type = NLA_U16 },
		[VPNRT_A_LOOKUP_IPPROTO] = { .type = NLA_U8 },
		[VPNRT_A_LOOKUP_SPORT] = { .type = NLA_U16 },
		[VPNRT_A_LOOKUP_DPORT] = { .type = NLA_U16 },
		[VPNRT_A_LOOKUP_ROUTE] = { .type = NLA_NESTED },
		[VPNRT_A_LOOKUP_TUNNEL_IFINDEX] = { .type = NLA_U32 },
		[VPNRT_A_LOOKUP_TUNNEL_IFNAME] = { .type = NLA_STRING },
		[VPNRT_A_LOOKUP_REASON] = { .type = NLA_U8 },
		[VPNRT_A_LOOKUP_FALLBACK] = { .type = NLA_U8 },
		[VPNRT_A_LOOKUP_N_PATHS] = { .type = NLA_U32 },
		[VPNRT_A_LOOKUP_HASH] = { .type = NLA_U32 },
		[VPNRT_A_LOOKUP_SKIPPED] = { .type = NLA_U32 },
	};
	struct nlattr *tb[VPNRT_A_LOOKUP_MAX + 1];
	int err;

	memset(lk, 0, sizeof(*lk));
	err = nla_parse_nested(tb, VPNRT_A_LOOKUP_MAX, nest, pol);
	if (err < 0)
		return err;
	lk->present = presence(tb, VPNRT_A_LOOKUP_MAX);
	lk->gw_ifindex = u32_or(tb[VPNRT_A_LOOKUP_GW_IFINDEX], 0);
	if (tb[VPNRT_A_LOOKUP_DST] && get_addr(tb[VPNRT_A_LOOKUP_DST], &lk->dst))
		return -NLE_INVAL;
	if (tb[VPNRT_A_LOOKUP_SRC] && get_addr(tb[VPNRT_A_LOOKUP_SRC], &lk->src))
		return -NLE_INVAL;
	lk->family = u16_or(tb[VPNRT_A_LOOKUP_FAMILY], (uint16_t)lk->dst.family);
	lk->ipproto = u8_or(tb[VPNRT_A_LOOKUP_IPPROTO], 0);
	lk->sport = u16_or(tb[VPNRT_A_LOOKUP_SPORT], 0);
	lk->dport = u16_or(tb[VPNRT_A_LOOKUP_DPORT], 0);
	if (tb[VPNRT_A_LOOKUP_ROUTE]) {
		err = vpnrt_parse_route(tb[VPNRT_A_LOOKUP_ROUTE], &lk->route);
		if (err < 0)
			return err;
	}
	lk->tunnel_ifindex = u32_or(tb[VPNRT_A_LOOKUP_TUNNEL_IFINDEX], 0);
	if (tb[VPNRT_A_LOOKUP_TUNNEL_IFNAME])
		get_str(tb[VPNRT_A_LOOKUP_TUNNEL_IFNAME], lk->tunnel_ifname,
			sizeof(lk->tunnel_ifname));
	lk->reason = u8_or(tb[VPNRT_A_LOOKUP_REASON], 0);
	lk->fallback = u8_or(tb[VPNRT_A_LOOKUP_FALLBACK], 0);
	lk->n_paths = u32_or(tb[VPNRT_A_LOOKUP_N_PATHS], 0);
	lk->hash = u32_or(tb[VPNRT_A_LOOKUP_HASH], 0);
	lk->skipped = u32_or(tb[VPNRT_A_LOOKUP_SKIPPED], 0);
	return 0;
}

int vpnrt_parse_msg(struct nl_msg *msg, struct nlattr **tb)
{
	static struct nla_policy pol[VPNRT_A_MAX + 1] = {
		[VPNRT_A_GW] = { .type = NLA_NESTED },
		[VPNRT_A_CONN] = { .type = NLA_NESTED },
		[VPNRT_A_ROUTES] = { .type = NLA_NESTED },
		[VPNRT_A_LOOKUP] = { .type = NLA_NESTED },
		[VPNRT_A_STALE] = { .type = NLA_NESTED },
		[VPNRT_A_REPLACE] = { .type = NLA_FLAG },
	};

	return genlmsg_parse(nlmsg_hdr(msg), 0, tb, VPNRT_A_MAX, pol);
}
