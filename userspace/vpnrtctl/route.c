// SPDX-License-Identifier: GPL-2.0
/* vpnrtctl route add|del|replace|show|get|stale|sweep */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "names.h"
#include "vpnrtctl.h"

static const char *const route_verbs[] = {
	"add", "del", "show", "get", "replace", "stale", "sweep", NULL
};
enum { ROUTE_ADD, ROUTE_DEL, ROUTE_SHOW, ROUTE_GET, ROUTE_REPLACE, ROUTE_STALE,
       ROUTE_SWEEP };

static const char *const change_kws[] = {
	"conn", "from", "weight", "priority", "proto", "pref", NULL
};
enum { K_CONN, K_FROM, K_WEIGHT, K_PRIORITY, K_PROTO, K_PREF, K_N };

static const char *family_word(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int parse_proto(struct vpnrtctl *c, const char *v, uint8_t *proto)
{
	int p = name_lookup(&vpnrt_proto_names, v);

	if (p <= 0)
		return cli_err(c, "proto must be static, policy or bgp, not \"%s\"", v);
	*proto = (uint8_t)p;
	return 0;
}

int route_parse_change(struct vpnrtctl *c, const char *verb, int argc,
		       char **argv, struct vpnrt_route *r)
{
	bool seen[K_N] = { false };
	char ctx[32], e[256];
	uint32_t n;
	int i;

	memset(r, 0, sizeof(*r));
	snprintf(ctx, sizeof(ctx), "route %s", verb);
	if (argc < 1)
		return cli_err(c, "\"%s\" needs PREFIX conn NAME", ctx);
	if (parse_prefix(argv[0], &r->dst, e, sizeof(e))) {
		if (kw_find(argv[0], change_kws) >= 0)
			return cli_err(c, "\"%s\" needs PREFIX first, got \"%s\"", ctx, argv[0]);
		return cli_err(c, "%s", e);
	}
	r->family = (uint16_t)r->dst.family;
	VPNRT_SET(r, VPNRT_A_ROUTE_FAMILY);
	VPNRT_SET(r, VPNRT_A_ROUTE_DST);
	VPNRT_SET(r, VPNRT_A_ROUTE_DST_LEN);

	for (i = 1; i < argc; i++) {
		int k = kw_expect(c, argv[i], change_kws, ctx);
		const char *v;

		if (k < 0)
			return -1;
		if (seen[k])
			return cli_err(c, "\"%s\" given twice", change_kws[k]);
		seen[k] = true;
		v = next_arg(c, &i, argc, argv, change_kws[k]);
		if (!v)
			return -1;
		switch (k) {
		case K_CONN:
			if (check_conn_name(c, v))
				return -1;
			snprintf(r->conn, sizeof(r->conn), "%s", v);
			VPNRT_SET(r, VPNRT_A_ROUTE_CONN);
			break;
		case K_FROM:
			if (parse_prefix(v, &r->src, e, sizeof(e)))
				return cli_err(c, "from: %s", e);
			if (r->src.family != r->dst.family)
				return cli_err(c, "from %s is %s but %s is %s; both must be one family",
					       v, family_word(r->src.family), argv[0],
					       family_word(r->dst.family));
			VPNRT_SET(r, VPNRT_A_ROUTE_SRC);
			VPNRT_SET(r, VPNRT_A_ROUTE_SRC_LEN);
			break;
		case K_WEIGHT:
			if (!strcmp(v, "100"))
				r->weight = VPNRT_WEIGHT_ACTIVE;
			else if (!strcmp(v, "0"))
				r->weight = VPNRT_WEIGHT_STANDBY;
			else
				return cli_err(c, "weight must be 100 or 0, not \"%s\"", v);
			VPNRT_SET(r, VPNRT_A_ROUTE_WEIGHT);
			break;
		case K_PRIORITY:
			if (parse_u32(v, VPNRT_PRIORITY_MIN, VPNRT_PRIORITY_MAX, &n, e, sizeof(e)))
				return cli_err(c, "priority must be %d..%d, not \"%s\"",
					       VPNRT_PRIORITY_MIN, VPNRT_PRIORITY_MAX, v);
			r->priority = (uint8_t)n;
			VPNRT_SET(r, VPNRT_A_ROUTE_PRIORITY);
			break;
		case K_PROTO:
			if (parse_proto(c, v, &r->proto))
				return -1;
			break;
		case K_PREF:
			if (parse_u32(v, 0, UINT32_MAX, &r->pref, e, sizeof(e)))
				return cli_err(c, "pref must be 0..%u, not \"%s\"", UINT32_MAX, v);
			VPNRT_SET(r, VPNRT_A_ROUTE_PREF);
			break;
		}
	}
	if (!seen[K_CONN])
		return cli_err(c, "\"%s %s\" needs conn NAME", ctx, argv[0]);
	if (!seen[K_PROTO])
		r->proto = seen[K_FROM] ? VPNRT_PROTO_POLICY : VPNRT_PROTO_STATIC;
	VPNRT_SET(r, VPNRT_A_ROUTE_PROTO);
	if (r->proto == VPNRT_PROTO_BGP) {
		if (seen[K_FROM])
			return cli_err(c, "from is not allowed with proto bgp: BGP routes have no source prefix");
		if (seen[K_WEIGHT])
			return cli_err(c, "weight is not allowed with proto bgp: BGP routes are ranked by pref");
	}
	if (r->proto == VPNRT_PROTO_STATIC && seen[K_FROM])
		return cli_err(c, "proto static does not take from; a route with from SRC-PREFIX is a policy route");
	if (r->proto == VPNRT_PROTO_POLICY && !seen[K_FROM])
		return cli_err(c, "a policy route needs from SRC-PREFIX");
	if (seen[K_PRIORITY] && r->proto != VPNRT_PROTO_POLICY)
		return cli_err(c, "priority is only for policy routes (route %s PREFIX from SRC-PREFIX ...)",
			       verb);
	if (seen[K_PREF] && r->proto != VPNRT_PROTO_BGP)
		return cli_err(c, "pref is only for BGP routes (proto bgp)");
	return 0;
}

struct nl_msg *route_change_msg(struct vpnrtctl *c, uint8_t cmd, bool replace,
				const struct vpnrt_route *routes, int n)
{
	struct nl_msg *msg;

	if (ctl_open(c))
		return NULL;
	msg = vpnrt_routes_msg(c->family_id, cmd, replace, routes, n);
	if (!msg)
		cli_err(c, "out of memory building the request");
	return msg;
}

/* route stale|sweep [gateway] GW [conn NAME] [proto P] [timeout SECS] */
int route_parse_stale(struct vpnrtctl *c, const char *verb, int argc,
		      char **argv, struct vpnrt_stale *st)
{
	static const char *const kws[] = { "conn", "proto", "timeout", NULL };
	static const int attrs[] = {
		VPNRT_A_STALE_CONN, VPNRT_A_STALE_PROTO, VPNRT_A_STALE_TIMEOUT,
	};
	bool mark = !strcmp(verb, "stale");
	char ctx[32], e[128];
	int i = 0;

	memset(st, 0, sizeof(*st));
	snprintf(ctx, sizeof(ctx), "route %s", verb);
	if (argc > 0 && !strcmp(argv[0], "gateway"))
		i++;
	if (i >= argc)
		return cli_err(c, "\"%s\" needs GW (the gateway)", ctx);
	if (dev_index(c, argv[i], &st->gw_ifindex))
		return -1;
	VPNRT_SET(st, VPNRT_A_STALE_GW_IFINDEX);
	for (i++; i < argc; i++) {
		int k = kw_expect(c, argv[i], mark ? kws : (const char *const[]){
					  "conn", "proto", NULL }, ctx);
		const char *v;

		if (k < 0)
			return -1;
		if (VPNRT_HAS(st, attrs[k]))
			return cli_err(c, "\"%s\" given twice", kws[k]);
		v = next_arg(c, &i, argc, argv, kws[k]);
		if (!v)
			return -1;
		switch (k) {
		case 0:
			if (check_conn_name(c, v))
				return -1;
			snprintf(st->conn, sizeof(st->conn), "%s", v);
			break;
		case 1:
			if (parse_proto(c, v, &st->proto))
				return -1;
			break;
		case 2:
			if (parse_u32(v, 0, VPNRT_STALE_TIMEOUT_MAX, &st->timeout,
				      e, sizeof(e)))
				return cli_err(c, "timeout must be 0..%d seconds, not \"%s\"",
					       VPNRT_STALE_TIMEOUT_MAX, v);
			break;
		}
		VPNRT_SET(st, attrs[k]);
	}
	return 0;
}

static int parse_show(struct vpnrtctl *c, int argc, char **argv,
		      struct vpnrt_route *r)
{
	static const char *const kws[] = { "gateway", "conn", "proto", "family", NULL };
	static const int attrs[] = {
		VPNRT_A_ROUTE_GW_IFINDEX, VPNRT_A_ROUTE_CONN, VPNRT_A_ROUTE_PROTO,
		VPNRT_A_ROUTE_FAMILY,
	};
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < argc; i++) {
		int k = kw_expect(c, argv[i], kws, "route show");
		const char *v;

		if (k < 0)
			return -1;
		if (VPNRT_HAS(r, attrs[k]))
			return cli_err(c, "\"%s\" given twice", kws[k]);
		v = next_arg(c, &i, argc, argv, kws[k]);
		if (!v)
			return -1;
		switch (k) {
		case 0:
			if (dev_index(c, v, &r->gw_ifindex))
				return -1;
			break;
		case 1:
			if (check_conn_name(c, v))
				return -1;
			snprintf(r->conn, sizeof(r->conn), "%s", v);
			break;
		case 2:
			if (parse_proto(c, v, &r->proto))
				return -1;
			break;
		case 3:
			if (!strcmp(v, "inet"))
				r->family = AF_INET;
			else if (!strcmp(v, "inet6"))
				r->family = AF_INET6;
			else
				return cli_err(c, "family must be inet or inet6, not \"%s\"", v);
			break;
		}
		VPNRT_SET(r, attrs[k]);
	}
	return 0;
}

static int parse_ipproto(struct vpnrtctl *c, const char *v, int family,
			 uint8_t *out)
{
	char e[128];
	uint32_t n;

	if (!strcmp(v, "tcp"))
		*out = IPPROTO_TCP;
	else if (!strcmp(v, "udp"))
		*out = IPPROTO_UDP;
	else if (!strcmp(v, "icmp"))
		*out = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	else if (!parse_u32(v, 0, 255, &n, e, sizeof(e)))
		*out = (uint8_t)n;
	else
		return cli_err(c, "ipproto must be tcp, udp, icmp or a number 0..255, not \"%s\"", v);
	return 0;
}

static int parse_get(struct vpnrtctl *c, int argc, char **argv,
		     struct vpnrt_lookup *lk)
{
	static const char *const kws[] = {
		"gateway", "from", "ipproto", "sport", "dport", NULL
	};
	static const int attrs[] = {
		VPNRT_A_LOOKUP_GW_IFINDEX, VPNRT_A_LOOKUP_SRC, VPNRT_A_LOOKUP_IPPROTO,
		VPNRT_A_LOOKUP_SPORT, VPNRT_A_LOOKUP_DPORT,
	};
	char e[256];
	uint32_t n;
	int i;

	memset(lk, 0, sizeof(*lk));
	if (argc < 1)
		return cli_err(c, "\"route get\" needs ADDR gateway GW");
	if (parse_addr(argv[0], &lk->dst, e, sizeof(e))) {
		if (strchr(argv[0], '/'))
			return cli_err(c, "\"route get\" takes an address, not a prefix: \"%s\"", argv[0]);
		return cli_err(c, "%s", e);
	}
	lk->family = (uint16_t)lk->dst.family;
	VPNRT_SET(lk, VPNRT_A_LOOKUP_FAMILY);
	VPNRT_SET(lk, VPNRT_A_LOOKUP_DST);
	for (i = 1; i < argc; i++) {
		int k = kw_expect(c, argv[i], kws, "route get");
		const char *v;

		if (k < 0)
			return -1;
		if (VPNRT_HAS(lk, attrs[k]))
			return cli_err(c, "\"%s\" given twice", kws[k]);
		v = next_arg(c, &i, argc, argv, kws[k]);
		if (!v)
			return -1;
		switch (k) {
		case 0:
			if (dev_index(c, v, &lk->gw_ifindex))
				return -1;
			break;
		case 1:
			if (parse_addr(v, &lk->src, e, sizeof(e)))
				return cli_err(c, "from: %s", e);
			if (lk->src.family != lk->dst.family)
				return cli_err(c, "from %s is %s but %s is %s; both must be one family",
					       v, family_word(lk->src.family), argv[0],
					       family_word(lk->dst.family));
			break;
		case 2:
			if (parse_ipproto(c, v, lk->family, &lk->ipproto))
				return -1;
			break;
		case 3:
		case 4:
			if (parse_u32(v, 0, 65535, &n, e, sizeof(e)))
				return cli_err(c, "%s must be 0..65535, not \"%s\"", kws[k], v);
			if (k == 3)
				lk->sport = (uint16_t)n;
			else
				lk->dport = (uint16_t)n;
			break;
		}
		VPNRT_SET(lk, attrs[k]);
	}
	if (!VPNRT_HAS(lk, VPNRT_A_LOOKUP_GW_IFINDEX))
		return cli_err(c, "\"route get %s\" needs gateway GW", argv[0]);
	if ((VPNRT_HAS(lk, VPNRT_A_LOOKUP_SPORT) || VPNRT_HAS(lk, VPNRT_A_LOOKUP_DPORT)) &&
	    !VPNRT_HAS(lk, VPNRT_A_LOOKUP_IPPROTO))
		return cli_err(c, "sport and dport need ipproto (e.g. ipproto tcp)");
	return 0;
}

int route_build(struct vpnrtctl *c, const char *verb, int argc, char **argv,
		struct nl_msg **msgp)
{
	struct vpnrt_lookup lk;
	struct vpnrt_route r;
	struct nl_msg *msg;
	int v;

	*msgp = NULL;
	v = kw_expect(c, verb, route_verbs, "route");
	if (v < 0)
		return -1;
	switch (v) {
	case ROUTE_ADD:
	case ROUTE_DEL:
	case ROUTE_REPLACE:
		if (route_parse_change(c, route_verbs[v], argc, argv, &r))
			return -1;
		msg = route_change_msg(c, v == ROUTE_DEL ? VPNRT_CMD_ROUTE_DEL :
				       VPNRT_CMD_ROUTE_NEW, v == ROUTE_REPLACE, &r, 1);
		break;
	case ROUTE_STALE:
	case ROUTE_SWEEP: {
		struct vpnrt_stale st;

		if (route_parse_stale(c, route_verbs[v], argc, argv, &st))
			return -1;
		if (ctl_open(c))
			return -1;
		msg = vpnrt_stale_msg(c->family_id, v == ROUTE_STALE ?
				      VPNRT_CMD_ROUTE_STALE : VPNRT_CMD_ROUTE_SWEEP, &st);
		if (!msg)
			return cli_err(c, "out of memory building the request");
		break;
	}
	case ROUTE_SHOW:
		if (parse_show(c, argc, argv, &r))
			return -1;
		msg = ctl_msg(c, VPNRT_CMD_ROUTE_GET, NLM_F_DUMP, 0);
		if (msg && r.present && vpnrt_put_routes(msg, &r, 1) < 0) {
			nlmsg_free(msg);
			return cli_err(c, "message too long");
		}
		break;
	default:
		if (parse_get(c, argc, argv, &lk))
			return -1;
		msg = ctl_msg(c, VPNRT_CMD_ROUTE_LOOKUP, NLM_F_ACK, 0);
		if (msg && vpnrt_put_lookup(msg, &lk) < 0) {
			nlmsg_free(msg);
			return cli_err(c, "message too long");
		}
		break;
	}
	if (!msg)
		return -1;
	*msgp = msg;
	return 0;
}

/* ---- output ---- */

/* gateway: print the route's gateway (route get prints the query's) */
static void route_fields_json(struct vpnrtctl *c, const struct vpnrt_route *r,
			      bool gateway)
{
	struct json *j = &c->j;
	char buf[PREFIX_STRLEN];

	json_str(j, "prefix", format_prefix(&r->dst, false, buf, sizeof(buf)));
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_SRC))
		json_str(j, "from", format_prefix(&r->src, false, buf, sizeof(buf)));
	json_str(j, "family", family_name(r->family));
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PROTO))
		json_str(j, "proto", name_of(&vpnrt_proto_names, r->proto));
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_CONN))
		json_str(j, "conn", r->conn);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_CONN_ID))
		json_u64(j, "conn_id", r->conn_id);
	if (gateway && VPNRT_HAS(r, VPNRT_A_ROUTE_GW_IFINDEX)) {
		json_str(j, "gateway", dev_name(c, r->gw_ifindex, buf));
		json_u64(j, "gateway_ifindex", r->gw_ifindex);
	}
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_WEIGHT))
		json_u64(j, "weight", r->weight);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PRIORITY))
		json_u64(j, "priority", r->priority);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PREF))
		json_u64(j, "pref", r->pref);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_FLAGS)) {
		unsigned int bit;

		json_arr_open(j, "flags");
		for (bit = 0; bit < 32; bit++)
			if (r->flags & (1u << bit))
				json_str(j, NULL, name_of(&vpnrt_route_flag_names, bit));
		json_arr_close(j);
	}
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_USABLE))
		json_bool(j, "usable", r->usable);
	if (r->stale)
		json_bool(j, "stale", true);
}

/* "PREFIX [from SRC] conn NAME proto P [priority N] [weight N] [pref N]" */
static void route_fields_text(struct vpnrtctl *c, const struct vpnrt_route *r,
			      bool gateway)
{
	FILE *f = c->out;
	char buf[PREFIX_STRLEN];

	fprintf(f, "%s", format_prefix(&r->dst, false, buf, sizeof(buf)));
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_SRC))
		fprintf(f, " from %s", format_prefix(&r->src, false, buf, sizeof(buf)));
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_CONN))
		fprintf(f, " conn %s", r->conn);
	else if (VPNRT_HAS(r, VPNRT_A_ROUTE_CONN_ID))
		fprintf(f, " conn-id %u", r->conn_id);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PROTO))
		fprintf(f, " proto %s", name_of(&vpnrt_proto_names, r->proto));
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PRIORITY))
		fprintf(f, " priority %u", r->priority);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_WEIGHT))
		fprintf(f, " weight %u", r->weight);
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_PREF))
		fprintf(f, " pref %u", r->pref);
	if (gateway && VPNRT_HAS(r, VPNRT_A_ROUTE_GW_IFINDEX))
		fprintf(f, " gateway %s", dev_name(c, r->gw_ifindex, buf));
	if (r->flags) {
		char fl[64];

		fprintf(f, " %s", flags_str(&vpnrt_route_flag_names, r->flags, fl, sizeof(fl)));
	}
	if (VPNRT_HAS(r, VPNRT_A_ROUTE_USABLE) && !r->usable)
		fprintf(f, " unusable");
	if (r->stale)
		fprintf(f, " stale");
}

void route_print(struct vpnrtctl *c, const struct vpnrt_route *r,
		 const char *event)
{
	if (c->json) {
		json_obj_open(&c->j, NULL);
		if (event)
			json_str(&c->j, "event", event);
		route_fields_json(c, r, true);
		json_obj_close(&c->j);
		return;
	}
	if (event)
		fprintf(c->out, "route %s ", event);
	route_fields_text(c, r, true);
	fprintf(c->out, "\n");
}

static const char *tunnel_name(struct vpnrtctl *c, const struct vpnrt_lookup *lk,
			       char *buf)
{
	if (VPNRT_HAS(lk, VPNRT_A_LOOKUP_TUNNEL_IFNAME))
		return lk->tunnel_ifname;
	if (VPNRT_HAS(lk, VPNRT_A_LOOKUP_TUNNEL_IFINDEX))
		return dev_name(c, lk->tunnel_ifindex, buf);
	return NULL;
}

/*
 * A lookup reply always names a route: when nothing matches, or nothing
 * can carry, the kernel answers ENETUNREACH ("lookup: no route to ADDR in
 * GW") instead, which vpnrtctl prints as its error.
 */
void lookup_print(struct vpnrtctl *c, const struct vpnrt_lookup *lk)
{
	const struct vpnrt_route *r = &lk->route;
	const char *reason = name_of(&vpnrt_reason_names, lk->reason);
	char buf[PREFIX_STRLEN], tun[IFNAMSIZ];
	const char *tname = tunnel_name(c, lk, tun);

	if (c->json) {
		struct json *j = &c->j;

		json_init(j, c->out, c->pretty);
		json_obj_open(j, NULL);
		json_str(j, "dst", format_prefix(&lk->dst, true, buf, sizeof(buf)));
		if (VPNRT_HAS(lk, VPNRT_A_LOOKUP_SRC))
			json_str(j, "src", format_prefix(&lk->src, true, buf, sizeof(buf)));
		if (VPNRT_HAS(lk, VPNRT_A_LOOKUP_GW_IFINDEX)) {
			json_str(j, "gateway", dev_name(c, lk->gw_ifindex, buf));
			json_u64(j, "gateway_ifindex", lk->gw_ifindex);
		}
		route_fields_json(c, r, false);
		if (tname)
			json_str(j, "tunnel", tname);
		if (VPNRT_HAS(lk, VPNRT_A_LOOKUP_TUNNEL_IFINDEX))
			json_u64(j, "tunnel_ifindex", lk->tunnel_ifindex);
		json_str(j, "reason", reason);
		json_bool(j, "fallback", lk->fallback);
		json_u64(j, "paths", lk->n_paths);
		json_u64(j, "hash", lk->hash);
		json_u64(j, "skipped", lk->skipped);
		json_obj_close(j);
		json_end(j);
		return;
	}
	fprintf(c->out, "%s route ", format_prefix(&lk->dst, true, buf, sizeof(buf)));
	route_fields_text(c, r, false);
	if (tname)
		fprintf(c->out, " tunnel %s", tname);
	fprintf(c->out, " reason %s%s paths %u hash 0x%08x skipped %u\n", reason,
		lk->fallback ? " fallback" : "", lk->n_paths, lk->hash, lk->skipped);
}

static int routes_reply(struct nl_msg *msg, void *arg)
{
	struct vpnrtctl *c = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	struct vpnrt_route r;
	int rem;

	if (vpnrt_parse_msg(msg, tb) < 0 || !tb[VPNRT_A_ROUTES])
		goto bad;
	nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
		if (vpnrt_parse_route(a, &r) < 0)
			goto bad;
		route_print(c, &r, NULL);
	}
	return NL_OK;
bad:
	fprintf(stderr, "vpnrtctl: warning: skipping a malformed route message\n");
	return NL_SKIP;
}

struct get_state {
	struct vpnrtctl *c;
	const struct vpnrt_lookup *query;
	bool printed;
};

static int lookup_reply(struct nl_msg *msg, void *arg)
{
	struct get_state *st = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct vpnrt_lookup lk;

	if (vpnrt_parse_msg(msg, tb) < 0 || !tb[VPNRT_A_LOOKUP] ||
	    vpnrt_parse_lookup(tb[VPNRT_A_LOOKUP], &lk) < 0 ||
	    !VPNRT_HAS(&lk, VPNRT_A_LOOKUP_ROUTE)) {
		fprintf(stderr, "vpnrtctl: warning: skipping a malformed lookup reply\n");
		return NL_SKIP;
	}
	/* the reply need not echo the query */
	if (!VPNRT_HAS(&lk, VPNRT_A_LOOKUP_DST))
		lk.dst = st->query->dst;
	if (!VPNRT_HAS(&lk, VPNRT_A_LOOKUP_GW_IFINDEX)) {
		lk.gw_ifindex = st->query->gw_ifindex;
		VPNRT_SET(&lk, VPNRT_A_LOOKUP_GW_IFINDEX);
	}
	if (!VPNRT_HAS(&lk, VPNRT_A_LOOKUP_SRC) &&
	    VPNRT_HAS(st->query, VPNRT_A_LOOKUP_SRC)) {
		lk.src = st->query->src;
		VPNRT_SET(&lk, VPNRT_A_LOOKUP_SRC);
	}
	lookup_print(st->c, &lk);
	st->printed = true;
	return NL_OK;
}

static int do_get(struct vpnrtctl *c, int argc, char **argv)
{
	struct vpnrt_lookup lk;
	struct get_state st = { c, &lk, false };
	struct nl_msg *msg;

	if (parse_get(c, argc, argv, &lk))
		return -1;
	msg = ctl_msg(c, VPNRT_CMD_ROUTE_LOOKUP, NLM_F_ACK, 0);
	if (!msg)
		return -1;
	if (vpnrt_put_lookup(msg, &lk) < 0) {
		nlmsg_free(msg);
		return cli_err(c, "message too long");
	}
	if (ctl_xfer(c, msg, lookup_reply, &st))
		return -1;
	if (!st.printed)
		return cli_err(c, "the kernel acknowledged route get without an answer");
	return 0;
}

/* the reply of route stale|sweep: "GW [conn NAME] [proto P] marked|swept N" */
static int stale_reply(struct nl_msg *msg, void *arg)
{
	struct vpnrtctl *c = ((void **)arg)[0];
	bool *printed = ((void **)arg)[1];
	bool sweep = nlmsg_hdr(msg)->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
		     ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd ==
		     VPNRT_CMD_ROUTE_SWEEP;
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct vpnrt_stale st;
	char buf[IFNAMSIZ];

	if (vpnrt_parse_msg(msg, tb) < 0 || !tb[VPNRT_A_STALE] ||
	    vpnrt_parse_stale(tb[VPNRT_A_STALE], &st) < 0 ||
	    !VPNRT_HAS(&st, VPNRT_A_STALE_COUNT)) {
		fprintf(stderr, "vpnrtctl: warning: skipping a malformed stale reply\n");
		return NL_SKIP;
	}
	*printed = true;
	if (c->json) {
		struct json *j = &c->j;

		json_init(j, c->out, c->pretty);
		json_obj_open(j, NULL);
		json_str(j, "gateway", dev_name(c, st.gw_ifindex, buf));
		if (VPNRT_HAS(&st, VPNRT_A_STALE_CONN))
			json_str(j, "conn", st.conn);
		if (VPNRT_HAS(&st, VPNRT_A_STALE_PROTO))
			json_str(j, "proto", name_of(&vpnrt_proto_names, st.proto));
		if (VPNRT_HAS(&st, VPNRT_A_STALE_TIMEOUT))
			json_u64(j, "timeout", st.timeout);
		json_u64(j, sweep ? "swept" : "marked", st.count);
		json_obj_close(j);
		json_end(j);
		return NL_OK;
	}
	fprintf(c->out, "%s", dev_name(c, st.gw_ifindex, buf));
	if (VPNRT_HAS(&st, VPNRT_A_STALE_CONN))
		fprintf(c->out, " conn %s", st.conn);
	if (VPNRT_HAS(&st, VPNRT_A_STALE_PROTO))
		fprintf(c->out, " proto %s", name_of(&vpnrt_proto_names, st.proto));
	fprintf(c->out, " %s %u", sweep ? "swept" : "marked", st.count);
	if (st.timeout)
		fprintf(c->out, " timeout %us", st.timeout);
	fprintf(c->out, "\n");
	return NL_OK;
}

int do_route(struct vpnrtctl *c, int argc, char **argv)
{
	const char *verb = argc ? argv[0] : "show";
	struct nl_msg *msg;
	int v, rc;

	if (!strcmp(verb, "delete"))
		verb = "del";
	else if (!strcmp(verb, "list") || !strcmp(verb, "ls"))
		verb = "show";
	argc = argc ? argc - 1 : 0;
	argv++;
	v = kw_expect(c, verb, route_verbs, "route");
	if (v < 0)
		return -1;
	if (v == ROUTE_GET)
		return do_get(c, argc, argv);
	if (route_build(c, verb, argc, argv, &msg))
		return -1;
	if (v == ROUTE_STALE || v == ROUTE_SWEEP) {
		bool printed = false;
		void *arg[2] = { c, &printed };

		if (ctl_xfer(c, msg, stale_reply, arg))
			return -1;
		if (!printed)
			return cli_err(c, "the kernel acknowledged route %s without a count",
				       route_verbs[v]);
		return 0;
	}
	if (v != ROUTE_SHOW)
		return ctl_xfer(c, msg, NULL, NULL);
	show_begin(c);
	rc = ctl_xfer(c, msg, routes_reply, c);
	show_end(c);
	return rc;
}
