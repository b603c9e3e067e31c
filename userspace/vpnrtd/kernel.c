// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd: bring the kernel's vpnrt objects to the config.
 *
 * Read everything first (gateways, connections, routes), compare with the
 * config, then change only what differs. Never flush: a restart with the
 * same config sends no request at all, so forwarding never stops.
 * Connections vpnrtd did not create (owner none: made by hand) are left
 * alone and said so; those it created and the config no longer names are
 * deleted. What a connection's settings cannot change in place (gateway,
 * tunnel count, mode, routing, id) makes it be deleted and created again,
 * logged with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>

#include "log.h"
#include "msg.h"
#include "vpnrtd.h"

/* routes per request: the kernel takes any number, a page-sized message
 * keeps the acks small */
#define ROUTES_PER_MSG	256

int kernel_open(struct vpnrtd *d)
{
	char err[256];

	if (vpnrt_nl_open(&d->nl, err, sizeof(err))) {
		vlog(LOG_ERR, "kernel: %s", err);
		return -1;
	}
	return 0;
}

void kernel_close(struct vpnrtd *d)
{
	if (d->nl.sk)
		vpnrt_nl_close(&d->nl);
}

/* one request; logs the kernel's extack on failure with what */
static int xfer(struct vpnrtd *d, struct nl_msg *msg, int (*fn)(struct nl_msg *, void *),
		void *arg, const char *what)
{
	struct vpnrt_xfer x = { .fn = fn, .arg = arg };

	if (!msg) {
		vlog(LOG_ERR, "kernel: %s: out of memory", what);
		return -1;
	}
	vpnrt_nl_xfer(d->nl.sk, msg, &x);
	nlmsg_free(msg);
	if (x.error) {
		vlog(LOG_ERR, "kernel: %s: %s", what, vpnrt_xfer_strerror(&x));
		return -1;
	}
	if (x.dump_intr) {
		vlog(LOG_INFO, "kernel: %s: changed while being read; reading again", what);
		return -EAGAIN;
	}
	return 0;
}

/* a request of cmd carrying one gateway or connection, acked; 0 or -1 */
static int send_gw(struct vpnrtd *d, uint8_t cmd, const struct vpnrt_gw *gw,
		   const char *what)
{
	struct nl_msg *msg = vpnrt_msg_new(d->nl.family_id, cmd, NLM_F_ACK, 0);

	if (msg && vpnrt_put_gw(msg, gw) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return xfer(d, msg, NULL, NULL, what) ? -1 : 0;
}

static int send_conn(struct vpnrtd *d, uint8_t cmd, const struct vpnrt_conn *conn,
		     const char *what)
{
	struct nl_msg *msg = vpnrt_msg_new(d->nl.family_id, cmd, NLM_F_ACK, 0);

	if (msg && vpnrt_put_conn(msg, conn) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return xfer(d, msg, NULL, NULL, what) ? -1 : 0;
}

/* ---- reading ---- */

struct gw_list {
	int n, cap;
	struct vpnrt_gw *v;
};

struct conn_list {
	int n, cap;
	struct vpnrt_conn *v;
};

struct route_list {
	int n, cap;
	struct vpnrt_route *v;
};

static void *grow(void *v, int *cap, int n, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	nv = realloc(v, (size_t)*cap * size);
	if (!nv)
		free(v);
	return nv;
}

static int gw_cb(struct nl_msg *msg, void *arg)
{
	struct gw_list *l = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1];

	if (vpnrt_parse_msg(msg, tb) || !tb[VPNRT_A_GW])
		return NL_SKIP;
	l->v = grow(l->v, &l->cap, l->n, sizeof(*l->v));
	if (!l->v)
		return NL_STOP;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	if (!vpnrt_parse_gw(tb[VPNRT_A_GW], &l->v[l->n]))
		l->n++;
	return NL_OK;
}

static int conn_cb(struct nl_msg *msg, void *arg)
{
	struct conn_list *l = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1];

	if (vpnrt_parse_msg(msg, tb) || !tb[VPNRT_A_CONN])
		return NL_SKIP;
	l->v = grow(l->v, &l->cap, l->n, sizeof(*l->v));
	if (!l->v)
		return NL_STOP;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	if (!vpnrt_parse_conn(tb[VPNRT_A_CONN], &l->v[l->n]))
		l->n++;
	return NL_OK;
}

static int route_cb(struct nl_msg *msg, void *arg)
{
	struct route_list *l = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	int rem;

	if (vpnrt_parse_msg(msg, tb) || !tb[VPNRT_A_ROUTES])
		return NL_SKIP;
	nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
		l->v = grow(l->v, &l->cap, l->n, sizeof(*l->v));
		if (!l->v)
			return NL_STOP;
		memset(&l->v[l->n], 0, sizeof(l->v[0]));
		if (!vpnrt_parse_route(a, &l->v[l->n]))
			l->n++;
	}
	return NL_OK;
}

/* read with retries while the kernel says the dump was interrupted */
#define READ_TRIES 5

static int read_gws(struct vpnrtd *d, struct gw_list *l)
{
	for (int i = 0; i < READ_TRIES; i++) {
		int err;

		free(l->v);
		*l = (struct gw_list){ 0 };
		err = xfer(d, vpnrt_msg_new(d->nl.family_id, VPNRT_CMD_GW_GET,
					    NLM_F_DUMP, 0),
			   gw_cb, l, "reading gateways");
		if (err != -EAGAIN)
			return err;
	}
	return -1;
}

static int read_conns(struct vpnrtd *d, struct conn_list *l)
{
	for (int i = 0; i < READ_TRIES; i++) {
		int err;

		free(l->v);
		*l = (struct conn_list){ 0 };
		err = xfer(d, vpnrt_msg_new(d->nl.family_id, VPNRT_CMD_CONN_GET,
					    NLM_F_DUMP, 0),
			   conn_cb, l, "reading connections");
		if (err != -EAGAIN)
			return err;
	}
	return -1;
}

/*
 * The static and policy routes of conn, one dump per proto: a dump of
 * all of them would carry its BGP routes too (100,000 and more, read
 * and dropped at every reconcile; and interrupted, so read again, while
 * BGP changes them)
 */
static int read_routes(struct vpnrtd *d, const char *conn, struct route_list *l)
{
	static const uint8_t protos[] = { VPNRT_PROTO_STATIC, VPNRT_PROTO_POLICY };

	for (int i = 0; i < READ_TRIES; i++) {
		int err = 0;

		free(l->v);
		*l = (struct route_list){ 0 };
		for (size_t k = 0; k < sizeof(protos) && !err; k++) {
			struct vpnrt_route filt = { 0 };
			struct nl_msg *msg;

			snprintf(filt.conn, sizeof(filt.conn), "%s", conn);
			VPNRT_SET(&filt, VPNRT_A_ROUTE_CONN);
			filt.proto = protos[k];
			VPNRT_SET(&filt, VPNRT_A_ROUTE_PROTO);
			msg = vpnrt_msg_new(d->nl.family_id, VPNRT_CMD_ROUTE_GET,
					    NLM_F_DUMP, 0);
			if (msg && vpnrt_put_routes(msg, &filt, 1) < 0) {
				nlmsg_free(msg);
				msg = NULL;
			}
			err = xfer(d, msg, route_cb, l, "reading routes");
		}
		if (err != -EAGAIN)
			return err;
	}
	return -1;
}

/* ---- gateways ---- */

static void gw_from_cfg(const struct cfg_gw *g, struct vpnrt_gw *gw)
{
	memset(gw, 0, sizeof(*gw));
	snprintf(gw->ifname, sizeof(gw->ifname), "%s", g->name);
	VPNRT_SET(gw, VPNRT_A_GW_IFNAME);
	gw->ecmp_hash = g->ecmp_hash;
	VPNRT_SET(gw, VPNRT_A_GW_ECMP_HASH);
	gw->max_paths = g->max_paths;
	VPNRT_SET(gw, VPNRT_A_GW_MAX_PATHS);
	gw->max_conns = g->quotas.connections;
	VPNRT_SET(gw, VPNRT_A_GW_MAX_CONNS);
	gw->max_bgp_routes = g->quotas.bgp_routes;
	VPNRT_SET(gw, VPNRT_A_GW_MAX_BGP_ROUTES);
	gw->max_peer_routes = g->quotas.peer_routes;
	VPNRT_SET(gw, VPNRT_A_GW_MAX_PEER_ROUTES);
	gw->max_policy_routes = g->quotas.policy_routes;
	VPNRT_SET(gw, VPNRT_A_GW_MAX_POLICY_ROUTES);
}

/* "" if equal, else the first setting that differs */
static const char *gw_diff(const struct vpnrt_gw *want, const struct vpnrt_gw *have)
{
	if (want->ecmp_hash != have->ecmp_hash)
		return "ecmp-hash";
	if (want->max_paths != have->max_paths)
		return "max-paths";
	if (want->max_conns != have->max_conns)
		return "quotas.connections";
	if (want->max_bgp_routes != have->max_bgp_routes)
		return "quotas.bgp-routes";
	if (want->max_peer_routes != have->max_peer_routes)
		return "quotas.peer-routes";
	if (want->max_policy_routes != have->max_policy_routes)
		return "quotas.policy-routes";
	return "";
}

static int gw_apply(struct vpnrtd *d, const struct cfg_gw *g,
		    const struct gw_list *have, uint32_t *ifindex)
{
	struct vpnrt_gw want;
	const struct vpnrt_gw *cur = NULL;
	const char *what;
	char buf[128];

	gw_from_cfg(g, &want);
	for (int i = 0; i < have->n; i++)
		if (!strcmp(have->v[i].ifname, g->name))
			cur = &have->v[i];
	if (!cur) {
		want.owner = VPNRT_OWNER_AGENT;
		VPNRT_SET(&want, VPNRT_A_GW_OWNER);
		snprintf(buf, sizeof(buf), "creating gateway %s", g->name);
		if (send_gw(d, VPNRT_CMD_GW_NEW, &want, buf))
			return -1;
		vlog(LOG_NOTICE, "gateway %s: created", g->name);
		*ifindex = 0;	/* read back by the caller */
		return 1;
	}
	*ifindex = cur->ifindex;
	what = gw_diff(&want, cur);
	if (!*what)
		return 0;
	want.ifindex = cur->ifindex;
	VPNRT_SET(&want, VPNRT_A_GW_IFINDEX);
	want.present &= ~VPNRT_BIT(VPNRT_A_GW_IFNAME);
	snprintf(buf, sizeof(buf), "changing gateway %s", g->name);
	if (send_gw(d, VPNRT_CMD_GW_SET, &want, buf))
		return -1;
	vlog(LOG_NOTICE, "gateway %s: settings changed (%s first of them)",
	     g->name, what);
	return 0;
}

/* ---- connections ---- */

static bool conn_ike_managed(const struct cfg_conn *c)
{
	for (int i = 0; i < c->n_tunnels; i++)
		if (!c->tunnels[i].ike_none)
			return true;
	return false;
}

static const struct vpnrt_conn *find_kconn(const struct conn_list *l,
					   const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static bool prefix_eq(const struct prefix *a, const struct prefix *b)
{
	int alen = a->family == AF_INET6 ? 16 : 4;

	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr.bytes, b->addr.bytes, alen);
}

/* why the kernel's connection cannot become c in place, or NULL */
static const char *conn_recreate_reason(const struct cfg_conn *c, uint32_t gw_ifindex,
					const struct vpnrt_conn *k)
{
	if (k->gw_ifindex != gw_ifindex)
		return "it is on another gateway";
	if (k->n_tunnels != c->n_tunnels)
		return "its number of tunnels changed";
	if (k->n_tunnels == 2 && k->mode != c->mode)
		return "its mode changed";
	if (k->routing != c->routing)
		return "its routing mode changed";
	if (c->routing == VPNRT_ROUTING_FLOW &&
	    (!prefix_eq(&k->local, &c->local_cidr) || !prefix_eq(&k->peer, &c->peer_cidr)))
		return "its flow-protection CIDRs changed";
	if (c->id && k->id != c->id)
		return "its id changed";
	if (!!k->ike_managed != conn_ike_managed(c))
		return "whether IKE manages it changed";
	return NULL;
}

static int conn_del(struct vpnrtd *d, const char *name, const char *why)
{
	struct vpnrt_conn k = { 0 };
	char buf[128];

	snprintf(k.name, sizeof(k.name), "%s", name);
	VPNRT_SET(&k, VPNRT_A_CONN_NAME);
	snprintf(buf, sizeof(buf), "deleting connection %s", name);
	if (send_conn(d, VPNRT_CMD_CONN_DEL, &k, buf))
		return -1;
	vlog(LOG_NOTICE, "connection %s: deleted: %s", name, why);
	return 0;
}

static void health_from_cfg(const struct cfg_health *h, struct vpnrt_health *out)
{
	memset(out, 0, sizeof(*out));
	if (!h->enabled) {
		VPNRT_SET(out, VPNRT_A_HEALTH_OFF);
		return;
	}
	out->family = h->dst.family;
	out->dst = h->dst;
	out->src = h->src;
	out->interval_ms = h->interval_ms;
	out->timeout_ms = h->timeout_ms;
	out->retries = h->retries;
	out->rise = h->rise;
	out->policy = h->policy;
	VPNRT_SET(out, VPNRT_A_HEALTH_FAMILY);
	VPNRT_SET(out, VPNRT_A_HEALTH_DST);
	VPNRT_SET(out, VPNRT_A_HEALTH_SRC);
	VPNRT_SET(out, VPNRT_A_HEALTH_INTERVAL);
	VPNRT_SET(out, VPNRT_A_HEALTH_TIMEOUT);
	VPNRT_SET(out, VPNRT_A_HEALTH_RETRIES);
	VPNRT_SET(out, VPNRT_A_HEALTH_RISE);
	VPNRT_SET(out, VPNRT_A_HEALTH_POLICY);
}

/* does the kernel's check of tunnel k equal h? */
static bool health_eq(const struct cfg_health *h, const struct vpnrt_tunnel *k)
{
	const struct vpnrt_health *kh = &k->health;
	bool on = VPNRT_HAS(k, VPNRT_A_TUNNEL_HEALTH) &&
		  VPNRT_HAS(kh, VPNRT_A_HEALTH_DST);
	int alen;

	if (!h->enabled)
		return !on;
	if (!on)
		return false;
	alen = h->dst.family == AF_INET6 ? 16 : 4;
	/* a module without TIMEOUT times probes out at the interval */
	return kh->family == h->dst.family &&
	       (VPNRT_HAS(kh, VPNRT_A_HEALTH_TIMEOUT) ? kh->timeout_ms :
							kh->interval_ms) == h->timeout_ms &&
	       !memcmp(kh->dst.addr.bytes, h->dst.addr.bytes, alen) &&
	       !memcmp(kh->src.addr.bytes, h->src.addr.bytes, alen) &&
	       kh->interval_ms == h->interval_ms && kh->retries == h->retries &&
	       kh->rise == h->rise && kh->policy == h->policy;
}

static int conn_new(struct vpnrtd *d, const struct cfg_conn *c, uint32_t gw_ifindex,
		    const uint32_t *ifindex)
{
	struct vpnrt_conn k = { 0 };
	char buf[128];

	snprintf(k.name, sizeof(k.name), "%s", c->name);
	VPNRT_SET(&k, VPNRT_A_CONN_NAME);
	if (c->id) {
		k.id = c->id;
		VPNRT_SET(&k, VPNRT_A_CONN_ID);
	}
	k.gw_ifindex = gw_ifindex;
	VPNRT_SET(&k, VPNRT_A_CONN_GW_IFINDEX);
	k.n_tunnels = c->n_tunnels;
	for (int i = 0; i < c->n_tunnels; i++) {
		k.tunnels[i].ifindex = ifindex[i];
		VPNRT_SET(&k.tunnels[i], VPNRT_A_TUNNEL_IFINDEX);
	}
	VPNRT_SET(&k, VPNRT_A_CONN_TUNNELS);
	k.mode = c->mode;
	VPNRT_SET(&k, VPNRT_A_CONN_MODE);
	k.routing = c->routing;
	VPNRT_SET(&k, VPNRT_A_CONN_ROUTING);
	if (c->routing == VPNRT_ROUTING_FLOW) {
		k.family = c->local_cidr.family;
		k.local = c->local_cidr;
		k.peer = c->peer_cidr;
		VPNRT_SET(&k, VPNRT_A_CONN_FAMILY);
		VPNRT_SET(&k, VPNRT_A_CONN_LOCAL_ADDR);
		VPNRT_SET(&k, VPNRT_A_CONN_LOCAL_LEN);
		VPNRT_SET(&k, VPNRT_A_CONN_PEER_ADDR);
		VPNRT_SET(&k, VPNRT_A_CONN_PEER_LEN);
	}
	k.admin = c->enabled ? VPNRT_STATE_UP : VPNRT_STATE_DOWN;
	VPNRT_SET(&k, VPNRT_A_CONN_ADMIN);
	k.ike_managed = conn_ike_managed(c);
	VPNRT_SET(&k, VPNRT_A_CONN_IKE_MANAGED);
	k.owner = VPNRT_OWNER_AGENT;
	VPNRT_SET(&k, VPNRT_A_CONN_OWNER);
	snprintf(buf, sizeof(buf), "creating connection %s", c->name);
	if (send_conn(d, VPNRT_CMD_CONN_NEW, &k, buf))
		return -1;
	vlog(LOG_NOTICE, "connection %s: created with %d tunnel%s", c->name,
	     c->n_tunnels, c->n_tunnels > 1 ? "s" : "");
	return 0;
}

/*
 * The wanted IKE state of tunnel i for the kernel: -1 unknown (leave it),
 * else 0/1. A tunnel without IKE (ike: none) in an IKE-managed
 * connection is always up as far as IKE goes.
 */
static int want_ike(struct vpnrtd *d, const struct cfg_conn *c, int i)
{
	struct tun_state *ts;

	if (c->tunnels[i].ike_none)
		return 1;
	ts = vpnrtd_tun(d, c->name, i + 1);
	if (!ts || !ts->ike_known)
		return -1;
	return ts->ike_up;
}

/* CONN_SET for what differs in place; k is the kernel's view */
static int conn_update(struct vpnrtd *d, const struct cfg_conn *c,
		       const struct vpnrt_conn *k, const uint32_t *ifindex)
{
	struct vpnrt_conn set = { 0 };
	bool any = false, ike_managed = conn_ike_managed(c);
	char what[256] = "", buf[128];

	snprintf(set.name, sizeof(set.name), "%s", c->name);
	VPNRT_SET(&set, VPNRT_A_CONN_NAME);
	if (k->admin != (c->enabled ? VPNRT_STATE_UP : VPNRT_STATE_DOWN)) {
		set.admin = c->enabled ? VPNRT_STATE_UP : VPNRT_STATE_DOWN;
		VPNRT_SET(&set, VPNRT_A_CONN_ADMIN);
		strcat(what, c->enabled ? " enabled" : " disabled");
		any = true;
	}
	set.n_tunnels = c->n_tunnels;
	for (int i = 0; i < c->n_tunnels; i++) {
		const struct vpnrt_tunnel *kt = &k->tunnels[i];
		struct vpnrt_tunnel *st = &set.tunnels[i];
		int ike = ike_managed ? want_ike(d, c, i) : -1;
		bool tun_any = false;

		/* named by position; a device other than its own rebinds it */
		st->pos = i + 1;
		VPNRT_SET(st, VPNRT_A_TUNNEL_POSITION);
		st->ifindex = ifindex[i];
		VPNRT_SET(st, VPNRT_A_TUNNEL_IFINDEX);
		if (kt->ifindex != ifindex[i]) {
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 " tunnel %d device", i + 1);
			tun_any = true;
		}
		if (!health_eq(&c->tunnels[i].health, kt)) {
			health_from_cfg(&c->tunnels[i].health, &st->health);
			VPNRT_SET(st, VPNRT_A_TUNNEL_HEALTH);
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 " tunnel %d health", i + 1);
			tun_any = true;
		}
		if (ike >= 0 && (!VPNRT_HAS(kt, VPNRT_A_TUNNEL_IKE) || kt->ike != ike)) {
			st->ike = ike ? VPNRT_STATE_UP : VPNRT_STATE_DOWN;
			VPNRT_SET(st, VPNRT_A_TUNNEL_IKE);
			snprintf(what + strlen(what), sizeof(what) - strlen(what),
				 " tunnel %d ike %s", i + 1, ike ? "up" : "down");
			tun_any = true;
		}
		if (tun_any)
			any = true;
		else
			st->present = 0;	/* nothing for this one */
	}
	if (!any)
		return 0;
	VPNRT_SET(&set, VPNRT_A_CONN_TUNNELS);
	snprintf(buf, sizeof(buf), "changing connection %s", c->name);
	if (send_conn(d, VPNRT_CMD_CONN_SET, &set, buf))
		return -1;
	vlog(LOG_NOTICE, "connection %s: set%s", c->name, what);
	return 0;
}

/* ---- routes ---- */

static void route_from_cfg(const struct cfg_conn *c, const struct cfg_route *r,
			   struct vpnrt_route *out)
{
	memset(out, 0, sizeof(*out));
	out->family = r->dst.family;
	VPNRT_SET(out, VPNRT_A_ROUTE_FAMILY);
	out->dst = r->dst;
	VPNRT_SET(out, VPNRT_A_ROUTE_DST);
	VPNRT_SET(out, VPNRT_A_ROUTE_DST_LEN);
	snprintf(out->conn, sizeof(out->conn), "%s", c->name);
	VPNRT_SET(out, VPNRT_A_ROUTE_CONN);
	out->weight = r->weight;
	VPNRT_SET(out, VPNRT_A_ROUTE_WEIGHT);
	if (r->policy) {
		out->proto = VPNRT_PROTO_POLICY;
		out->src = r->src;
		out->priority = r->priority;
		VPNRT_SET(out, VPNRT_A_ROUTE_SRC);
		VPNRT_SET(out, VPNRT_A_ROUTE_SRC_LEN);
		VPNRT_SET(out, VPNRT_A_ROUTE_PRIORITY);
	} else {
		out->proto = VPNRT_PROTO_STATIC;
	}
	VPNRT_SET(out, VPNRT_A_ROUTE_PROTO);
}

/* same key: proto, dst and (policy) src */
static bool route_key_eq(const struct vpnrt_route *a, const struct vpnrt_route *b)
{
	if (a->proto != b->proto || !prefix_eq(&a->dst, &b->dst))
		return false;
	return a->proto != VPNRT_PROTO_POLICY || prefix_eq(&a->src, &b->src);
}

static bool route_val_eq(const struct vpnrt_route *a, const struct vpnrt_route *b)
{
	return a->weight == b->weight &&
	       (a->proto != VPNRT_PROTO_POLICY || a->priority == b->priority);
}

/* the request attributes only, for ROUTE_DEL of a dumped route */
static void route_del_key(const struct vpnrt_route *r, const char *conn,
			  struct vpnrt_route *out)
{
	memset(out, 0, sizeof(*out));
	out->family = r->family;
	out->dst = r->dst;
	out->proto = r->proto;
	snprintf(out->conn, sizeof(out->conn), "%s", conn);
	VPNRT_SET(out, VPNRT_A_ROUTE_FAMILY);
	VPNRT_SET(out, VPNRT_A_ROUTE_DST);
	VPNRT_SET(out, VPNRT_A_ROUTE_DST_LEN);
	VPNRT_SET(out, VPNRT_A_ROUTE_PROTO);
	VPNRT_SET(out, VPNRT_A_ROUTE_CONN);
	if (r->proto == VPNRT_PROTO_POLICY) {
		out->src = r->src;
		VPNRT_SET(out, VPNRT_A_ROUTE_SRC);
		VPNRT_SET(out, VPNRT_A_ROUTE_SRC_LEN);
	}
}

/* ROUTE_NEW (replace: atomic replace of existing ones) or ROUTE_DEL */
static int routes_send(struct vpnrtd *d, uint8_t cmd, bool replace,
		       const struct vpnrt_route *v, int n, const char *conn)
{
	for (int off = 0; off < n; off += ROUTES_PER_MSG) {
		int cnt = n - off < ROUTES_PER_MSG ? n - off : ROUTES_PER_MSG;
		struct nl_msg *msg;
		char buf[128];

		msg = vpnrt_routes_msg(d->nl.family_id, cmd, replace, v + off, cnt);
		snprintf(buf, sizeof(buf), "%s routes of connection %s",
			 replace ? "replacing" :
			 cmd == VPNRT_CMD_ROUTE_NEW ? "adding" : "deleting", conn);
		if (xfer(d, msg, NULL, NULL, buf))
			return -1;
	}
	return 0;
}

/*
 * Make the connection's static and policy routes those of the config:
 * add the missing ones first, then delete the extra ones, and replace
 * those whose weight or priority changed in place (the kernel swaps the
 * route atomically: no moment without it).
 */
static int routes_apply(struct vpnrtd *d, const struct cfg_conn *c)
{
	struct route_list have = { 0 };
	struct vpnrt_route *add = NULL, *del = NULL, *chg = NULL;
	bool *matched = NULL;
	int n_add = 0, n_del = 0, n_chg = 0, ret = -1;

	if (read_routes(d, c->name, &have))
		goto out;
	add = calloc((size_t)c->n_routes + 1, sizeof(*add));
	chg = calloc((size_t)c->n_routes + 1, sizeof(*chg));
	del = calloc((size_t)have.n + (size_t)c->n_routes + 1, sizeof(*del));
	matched = calloc((size_t)have.n + 1, sizeof(*matched));
	if (!add || !del || !chg || !matched) {
		vlog(LOG_ERR, "connection %s: out of memory comparing routes", c->name);
		goto out;
	}
	for (int i = 0; i < c->n_routes; i++) {
		struct vpnrt_route want;
		int j;

		route_from_cfg(c, &c->routes[i], &want);
		for (j = 0; j < have.n; j++) {
			if (matched[j] || !route_key_eq(&want, &have.v[j]))
				continue;
			matched[j] = true;
			break;
		}
		if (j == have.n)
			add[n_add++] = want;
		else if (!route_val_eq(&want, &have.v[j]))
			chg[n_chg++] = want;
	}
	for (int j = 0; j < have.n; j++) {
		const struct vpnrt_route *r = &have.v[j];

		/* the kernel's own (flow protection) and BGP's are not ours here */
		if (matched[j] || (r->flags & VPNRT_ROUTE_F_FLOW) ||
		    (r->proto != VPNRT_PROTO_STATIC && r->proto != VPNRT_PROTO_POLICY))
			continue;
		route_del_key(r, c->name, &del[n_del++]);
	}
	if (n_add && routes_send(d, VPNRT_CMD_ROUTE_NEW, false, add, n_add, c->name))
		goto out;
	if (n_del && routes_send(d, VPNRT_CMD_ROUTE_DEL, false, del, n_del, c->name))
		goto out;
	if (n_chg && routes_send(d, VPNRT_CMD_ROUTE_NEW, true, chg, n_chg, c->name))
		goto out;
	if (n_add || n_del || n_chg)
		vlog(LOG_NOTICE, "connection %s: routes: %d added, %d removed, %d changed",
		     c->name, n_add, n_del, n_chg);
	ret = 0;
out:
	free(have.v);
	free(add);
	free(del);
	free(chg);
	free(matched);
	return ret;
}

/* ---- the whole ---- */

static bool cfg_has_conn(const struct cfg *cfg, const char *name)
{
	return cfg_find_conn(cfg, name, NULL) != NULL;
}

static int conn_apply(struct vpnrtd *d, const struct cfg_conn *c, uint32_t gw_ifindex,
		      const struct conn_list *kconns)
{
	const struct vpnrt_conn *k = find_kconn(kconns, c->name);
	uint32_t ifindex[VPNRT_MAX_TUNNELS] = { 0 };
	const char *why;

	for (int i = 0; i < c->n_tunnels; i++) {
		struct tun_state *ts = vpnrtd_tun(d, c->name, i + 1);
		char err[256];

		ifindex[i] = link_ensure(d, c, &c->tunnels[i], err, sizeof(err));
		if (!ifindex[i]) {
			/* gone: what follows the device (BGP) must see it */
			if (ts)
				ts->ifindex = 0;
			vlog(LOG_ERR, "connection %s: tunnel %d: %s; retrying",
			     c->name, i + 1, err);
			return -1;
		}
		if (ts)
			ts->ifindex = ifindex[i];
	}
	if (k && k->owner != VPNRT_OWNER_AGENT) {
		vlog(LOG_ERR, "connection %s: exists and was not created by vpnrtd; left alone (delete it to let vpnrtd manage it)",
		     c->name);
		return -1;
	}
	if (k) {
		why = conn_recreate_reason(c, gw_ifindex, k);
		if (why) {
			if (conn_del(d, c->name, why))
				return -1;
			k = NULL;
		}
	}
	if (!k) {
		struct conn_list fresh = { 0 };
		int err;

		if (conn_new(d, c, gw_ifindex, ifindex))
			return -1;
		/* health checks, IKE states: set in place on the new one */
		if (read_conns(d, &fresh))
			return -1;
		k = find_kconn(&fresh, c->name);
		err = k ? conn_update(d, c, k, ifindex) : -1;
		free(fresh.v);
		if (err)
			return -1;
	} else if (conn_update(d, c, k, ifindex)) {
		return -1;
	}
	return routes_apply(d, c);
}

int kernel_reconcile(struct vpnrtd *d)
{
	struct gw_list gws = { 0 };
	struct conn_list conns = { 0 };
	int ret = 0;

	if (read_gws(d, &gws))
		return -1;
	for (int g = 0; g < d->cfg->n_gws; g++) {
		const struct cfg_gw *cg = &d->cfg->gws[g];
		uint32_t ifindex;
		int r = gw_apply(d, cg, &gws, &ifindex);

		if (r < 0)
			ret = -1;
		if (r == 1 && read_gws(d, &gws))
			ret = -1;
		if (link_gw_up(d, cg->name))
			ret = -1;
	}
	if (read_conns(d, &conns)) {
		free(gws.v);
		return -1;
	}
	/* connections of our gateways that the config no longer names */
	for (int i = 0; i < conns.n; i++) {
		const struct vpnrt_conn *k = &conns.v[i];
		bool ours = false;

		for (int g = 0; g < gws.n; g++)
			if (gws.v[g].ifindex == k->gw_ifindex &&
			    cfg_find_gw(d->cfg, gws.v[g].ifname))
				ours = true;
		if (!ours || cfg_has_conn(d->cfg, k->name))
			continue;
		if (k->owner == VPNRT_OWNER_AGENT) {
			if (conn_del(d, k->name, "no longer in the config"))
				ret = -1;
		} else {
			vlog(d->announce ? LOG_INFO : LOG_DEBUG,
			     "connection %s: not in the config and not created by vpnrtd; left alone",
			     k->name);
		}
	}
	for (int g = 0; g < d->cfg->n_gws; g++) {
		const struct cfg_gw *cg = &d->cfg->gws[g];
		uint32_t gw_ifindex = 0;

		for (int i = 0; i < gws.n; i++)
			if (!strcmp(gws.v[i].ifname, cg->name))
				gw_ifindex = gws.v[i].ifindex;
		if (!gw_ifindex) {
			ret = -1;
			continue;
		}
		for (int c = 0; c < cg->n_conns; c++)
			if (conn_apply(d, &cg->conns[c], gw_ifindex, &conns))
				ret = -1;
	}
	/* gateways vpnrtd created that the config no longer names */
	for (int i = 0; i < gws.n; i++) {
		struct vpnrt_gw k = { 0 };
		char buf[128];

		if (cfg_find_gw(d->cfg, gws.v[i].ifname) ||
		    gws.v[i].owner != VPNRT_OWNER_AGENT)
			continue;
		k.ifindex = gws.v[i].ifindex;
		VPNRT_SET(&k, VPNRT_A_GW_IFINDEX);
		snprintf(buf, sizeof(buf), "deleting gateway %s", gws.v[i].ifname);
		if (send_gw(d, VPNRT_CMD_GW_DEL, &k, buf))
			ret = -1;
		else
			vlog(LOG_NOTICE, "gateway %s: deleted: no longer in the config",
			     gws.v[i].ifname);
	}
	free(gws.v);
	free(conns.v);
	return ret;
}

int kernel_set_tunnel_ike(struct vpnrtd *d, const char *conn, int pos, bool up)
{
	struct tun_state *ts = vpnrtd_tun(d, conn, pos);
	const struct cfg_conn *c = cfg_find_conn(d->cfg, conn, NULL);
	struct vpnrt_conn set = { 0 };
	char buf[128];

	if (!ts || !c || pos < 1 || pos > c->n_tunnels || !ts->ifindex)
		return -1;
	snprintf(set.name, sizeof(set.name), "%s", conn);
	VPNRT_SET(&set, VPNRT_A_CONN_NAME);
	set.n_tunnels = c->n_tunnels;
	for (int i = 0; i < c->n_tunnels; i++) {
		if (i + 1 != pos)
			continue;
		set.tunnels[i].pos = pos;
		VPNRT_SET(&set.tunnels[i], VPNRT_A_TUNNEL_POSITION);
		set.tunnels[i].ike = up ? VPNRT_STATE_UP : VPNRT_STATE_DOWN;
		VPNRT_SET(&set.tunnels[i], VPNRT_A_TUNNEL_IKE);
	}
	VPNRT_SET(&set, VPNRT_A_CONN_TUNNELS);
	snprintf(buf, sizeof(buf), "setting IKE state of connection %s tunnel %d",
		 conn, pos);
	if (send_conn(d, VPNRT_CMD_CONN_SET, &set, buf))
		return -1;
	vlog(LOG_NOTICE, "connection %s: tunnel %d: IKE %s in the kernel", conn, pos,
	     up ? "up" : "down");
	return 0;
}
