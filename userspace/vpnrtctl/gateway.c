// SPDX-License-Identifier: GPL-2.0
/* vpnrtctl gateway add|set|del|show */
#include <ctype.h>
#include <string.h>
#include <netlink/msg.h>

#include "names.h"
#include "vpnrtctl.h"

static const char *const gw_verbs[] = { "add", "set", "del", "show", NULL };
enum { GW_ADD, GW_SET, GW_DEL, GW_SHOW };

static const char *const gw_settings[] = {
	"ecmp-hash", "max-paths", "max-conns", "max-bgp-routes",
	"max-peer-routes", "max-policy-routes", "max-routes", "mss-clamp",
	"rp-check", NULL
};

/* "auto", "off" or the MSS into @out; -1 if none of them */
static int parse_mss_clamp(const char *v, uint32_t *out)
{
	char e[64];

	if (!strcmp(v, "off")) {
		*out = VPNRT_MSS_CLAMP_OFF;
		return 0;
	}
	if (!strcmp(v, "auto")) {
		*out = VPNRT_MSS_CLAMP_AUTO;
		return 0;
	}
	return parse_u32(v, VPNRT_MSS_CLAMP_MIN, VPNRT_MSS_CLAMP_MAX, out, e,
			 sizeof(e)) ? -1 : 0;
}

/* the setting as vpnrtctl takes it: "off", "auto" or the MSS */
static const char *mss_clamp_str(uint32_t v, char *buf, size_t len)
{
	if (v == VPNRT_MSS_CLAMP_OFF)
		return "off";
	if (v == VPNRT_MSS_CLAMP_AUTO)
		return "auto";
	snprintf(buf, len, "%u", v);
	return buf;
}

static int check_new_name(struct vpnrtctl *c, const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= IFNAMSIZ)
		return cli_err(c, "gateway name \"%s\" must be 1..%d characters",
			       name, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return cli_err(c, "\"%s\" is not a valid device name", name);
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return cli_err(c, "gateway name \"%s\" must not contain '/', ':' or spaces",
				       name);
	return 0;
}

/* the settings of gateway add/set, from argv[i..] */
static int parse_settings(struct vpnrtctl *c, const char *ctx, int argc,
			  char **argv, struct vpnrt_gw *gw)
{
	static const int attrs[] = {
		VPNRT_A_GW_ECMP_HASH, VPNRT_A_GW_MAX_PATHS, VPNRT_A_GW_MAX_CONNS,
		VPNRT_A_GW_MAX_BGP_ROUTES, VPNRT_A_GW_MAX_PEER_ROUTES,
		VPNRT_A_GW_MAX_POLICY_ROUTES, VPNRT_A_GW_MAX_ROUTES,
		VPNRT_A_GW_MSS_CLAMP, VPNRT_A_GW_RP_CHECK,
	};
	uint32_t *u32s[] = {
		NULL, &gw->max_paths, &gw->max_conns, &gw->max_bgp_routes,
		&gw->max_peer_routes, &gw->max_policy_routes, &gw->max_routes,
		&gw->mss_clamp, NULL,
	};
	char e[256];
	int i;

	for (i = 0; i < argc; i++) {
		int k = kw_expect(c, argv[i], gw_settings, ctx);
		const char *v;
		uint32_t n;

		if (k < 0)
			return -1;
		if (VPNRT_HAS(gw, attrs[k]))
			return cli_err(c, "\"%s\" given twice", gw_settings[k]);
		v = next_arg(c, &i, argc, argv, gw_settings[k]);
		if (!v)
			return -1;
		if (attrs[k] == VPNRT_A_GW_ECMP_HASH) {
			int h = name_lookup(&vpnrt_hash_names, v);

			if (h < 0)
				return cli_err(c, "ecmp-hash must be l3 or l4, not \"%s\"", v);
			gw->ecmp_hash = (uint8_t)h;
		} else if (attrs[k] == VPNRT_A_GW_RP_CHECK) {
			int m = name_lookup(&vpnrt_rp_check_names, v);

			if (m < 0)
				return cli_err(c, "rp-check must be strict, loose or off, not \"%s\"",
					       v);
			gw->rp_check = (uint8_t)m;
		} else if (attrs[k] == VPNRT_A_GW_MSS_CLAMP) {
			if (parse_mss_clamp(v, &gw->mss_clamp))
				return cli_err(c, "mss-clamp must be auto, off or %u..%u, not \"%s\"",
					       VPNRT_MSS_CLAMP_MIN, VPNRT_MSS_CLAMP_MAX, v);
		} else {
			uint32_t min = 0, max = UINT32_MAX;

			if (attrs[k] == VPNRT_A_GW_MAX_PATHS) {
				min = 1;
				max = VPNRT_MAX_PATHS;
			}
			if (parse_u32(v, min, max, &n, e, sizeof(e)))
				return cli_err(c, "%s must be %u..%u, not \"%s\"",
					       gw_settings[k], min, max, v);
			*u32s[k] = n;
		}
		VPNRT_SET(gw, attrs[k]);
	}
	return 0;
}

int gateway_build(struct vpnrtctl *c, const char *verb, int argc, char **argv,
		  struct nl_msg **msgp)
{
	struct vpnrt_gw gw = { 0 };
	struct nl_msg *msg;
	const char *name = NULL;
	char ctx[64];
	int v, i, cmd, flags = NLM_F_ACK;

	*msgp = NULL;
	v = kw_expect(c, verb, gw_verbs, "gateway");
	if (v < 0)
		return -1;
	snprintf(ctx, sizeof(ctx), "gateway %s", gw_verbs[v]);
	if (v == GW_SHOW) {
		for (i = 0; i < argc; i++) {
			if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "-stats")) {
				c->stats = true;
			} else if (!name) {
				name = argv[i];
			} else {
				return cli_err(c, "unexpected \"%s\" after \"%s %s\"; allowed: -s",
					       argv[i], ctx, name);
			}
		}
		if (name) {
			if (dev_index(c, name, &gw.ifindex))
				return -1;
			VPNRT_SET(&gw, VPNRT_A_GW_IFINDEX);
		} else {
			flags = NLM_F_DUMP;
		}
		cmd = VPNRT_CMD_GW_GET;
	} else {
		if (argc < 1)
			return cli_err(c, "\"%s\" needs a gateway NAME", ctx);
		name = argv[0];
		if (v == GW_ADD) {
			if (check_new_name(c, name))
				return -1;
			snprintf(gw.ifname, sizeof(gw.ifname), "%s", name);
			VPNRT_SET(&gw, VPNRT_A_GW_IFNAME);
		} else {
			if (dev_index(c, name, &gw.ifindex))
				return -1;
			VPNRT_SET(&gw, VPNRT_A_GW_IFINDEX);
		}
		if (v == GW_DEL) {
			if (argc > 1)
				return cli_err(c, "\"gateway del %s\" takes no more arguments, got \"%s\"",
					       name, argv[1]);
		} else if (parse_settings(c, ctx, argc - 1, argv + 1, &gw)) {
			return -1;
		}
		if (v == GW_SET && gw.present == VPNRT_BIT(VPNRT_A_GW_IFINDEX))
			return cli_err(c, "\"gateway set %s\" needs something to change: %s",
				       name, "ecmp-hash, max-paths, max-conns, max-bgp-routes, max-peer-routes, max-policy-routes, max-routes, mss-clamp");
		cmd = v == GW_ADD ? VPNRT_CMD_GW_NEW :
		      v == GW_SET ? VPNRT_CMD_GW_SET : VPNRT_CMD_GW_DEL;
	}
	msg = ctl_msg(c, (uint8_t)cmd, flags, 0);
	if (!msg)
		return -1;
	if (gw.present && vpnrt_put_gw(msg, &gw) < 0) {
		nlmsg_free(msg);
		return cli_err(c, "message too long");
	}
	*msgp = msg;
	return 0;
}

static const char *gw_name(struct vpnrtctl *c, const struct vpnrt_gw *gw,
			   char *buf)
{
	if (VPNRT_HAS(gw, VPNRT_A_GW_IFNAME))
		return gw->ifname;
	return dev_name(c, gw->ifindex, buf);
}

static const char *const gw_stat_names[VPNRT_A_GW_STATS_MAX + 1] = {
	[VPNRT_A_GW_STATS_TX_PACKETS] = "tx_packets",
	[VPNRT_A_GW_STATS_TX_BYTES] = "tx_bytes",
	[VPNRT_A_GW_STATS_NO_ROUTE] = "no_route",
	[VPNRT_A_GW_STATS_FALLBACK] = "fallback",
	[VPNRT_A_GW_STATS_TX_ERRORS] = "tx_errors",
	[VPNRT_A_GW_STATS_TOO_BIG] = "too_big",
	[VPNRT_A_GW_STATS_MSS_CLAMPED] = "mss_clamped",
	[VPNRT_A_GW_STATS_NO_TUNNEL] = "no_tunnel",
	[VPNRT_A_GW_STATS_RP_DROPS] = "rp_drops",
};

/*
 * The kernel counts a gateway's routes per proto (N_ROUTES is its static
 * routes); "routes" is their sum, as in conn show, where it counts every
 * proto too.
 */
static bool has_counts(const struct vpnrt_gw *gw)
{
	return VPNRT_HAS(gw, VPNRT_A_GW_N_ROUTES) &&
	       VPNRT_HAS(gw, VPNRT_A_GW_N_POLICY_ROUTES) &&
	       VPNRT_HAS(gw, VPNRT_A_GW_N_BGP_ROUTES);
}

static uint64_t total_routes(const struct vpnrt_gw *gw)
{
	return (uint64_t)gw->n_routes + gw->n_policy_routes + gw->n_bgp_routes;
}

static void gw_json(struct vpnrtctl *c, const struct vpnrt_gw *gw,
		    const char *event)
{
	static const struct { int attr; const char *key; size_t off; } u32s[] = {
#define F(a, k, f) { a, k, offsetof(struct vpnrt_gw, f) }
		F(VPNRT_A_GW_MAX_PATHS, "max_paths", max_paths),
		F(VPNRT_A_GW_MAX_CONNS, "max_conns", max_conns),
		F(VPNRT_A_GW_MAX_BGP_ROUTES, "max_bgp_routes", max_bgp_routes),
		F(VPNRT_A_GW_MAX_PEER_ROUTES, "max_peer_routes", max_peer_routes),
		F(VPNRT_A_GW_MAX_POLICY_ROUTES, "max_policy_routes", max_policy_routes),
		F(VPNRT_A_GW_MAX_ROUTES, "max_routes", max_routes),
		F(VPNRT_A_GW_N_CONNS, "conns", n_conns),
		F(VPNRT_A_GW_N_ROUTES, "static_routes", n_routes),
		F(VPNRT_A_GW_N_POLICY_ROUTES, "policy_routes", n_policy_routes),
		F(VPNRT_A_GW_N_BGP_ROUTES, "bgp_routes", n_bgp_routes),
#undef F
	};
	struct json *j = &c->j;
	char name[IFNAMSIZ], mss[16];
	size_t i;

	json_obj_open(j, NULL);
	if (event)
		json_str(j, "event", event);
	json_str(j, "ifname", gw_name(c, gw, name));
	if (VPNRT_HAS(gw, VPNRT_A_GW_IFINDEX))
		json_u64(j, "ifindex", gw->ifindex);
	if (VPNRT_HAS(gw, VPNRT_A_GW_ECMP_HASH))
		json_str(j, "ecmp_hash", name_of(&vpnrt_hash_names, gw->ecmp_hash));
	if (VPNRT_HAS(gw, VPNRT_A_GW_OWNER))
		json_str(j, "owner", name_of(&vpnrt_owner_names, gw->owner));
	if (VPNRT_HAS(gw, VPNRT_A_GW_MSS_CLAMP))
		json_str(j, "mss_clamp", mss_clamp_str(gw->mss_clamp, mss, sizeof(mss)));
	if (VPNRT_HAS(gw, VPNRT_A_GW_RP_CHECK))
		json_str(j, "rp_check", name_of(&vpnrt_rp_check_names, gw->rp_check));
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		uint32_t v;

		if (u32s[i].attr == VPNRT_A_GW_N_ROUTES && has_counts(gw))
			json_u64(j, "routes", total_routes(gw));
		if (!VPNRT_HAS(gw, u32s[i].attr))
			continue;
		memcpy(&v, (const char *)gw + u32s[i].off, sizeof(v));
		json_u64(j, u32s[i].key, v);
	}
	if (c->stats && VPNRT_HAS(gw, VPNRT_A_GW_STATS)) {
		json_obj_open(j, "stats");
		for (i = 1; i <= VPNRT_A_GW_STATS_MAX; i++)
			if (gw_stat_names[i] && (gw->stats_present & (1u << i)))
				json_u64(j, gw_stat_names[i], gw->stats[i]);
		json_obj_close(j);
	}
	json_obj_close(j);
}

/* "N/MAX", "N" or "" depending on what is present */
static void count(FILE *f, const struct vpnrt_gw *gw, const char *label,
		  int n_attr, uint32_t n, int max_attr, uint32_t max)
{
	if (VPNRT_HAS(gw, n_attr) && VPNRT_HAS(gw, max_attr))
		fprintf(f, " %s %u/%u", label, n, max);
	else if (VPNRT_HAS(gw, n_attr))
		fprintf(f, " %s %u", label, n);
}

static void gw_text(struct vpnrtctl *c, const struct vpnrt_gw *gw,
		    const char *event)
{
	FILE *f = c->out;
	char name[IFNAMSIZ], mss[16];

	if (event)
		fprintf(f, "gateway %s ", event);
	fprintf(f, "%s:", gw_name(c, gw, name));
	if (VPNRT_HAS(gw, VPNRT_A_GW_ECMP_HASH))
		fprintf(f, " ecmp-hash %s", name_of(&vpnrt_hash_names, gw->ecmp_hash));
	if (VPNRT_HAS(gw, VPNRT_A_GW_MAX_PATHS))
		fprintf(f, " max-paths %u", gw->max_paths);
	count(f, gw, "conns", VPNRT_A_GW_N_CONNS, gw->n_conns,
	      VPNRT_A_GW_MAX_CONNS, gw->max_conns);
	if (has_counts(gw))
		fprintf(f, " routes %llu", (unsigned long long)total_routes(gw));
	count(f, gw, "static", VPNRT_A_GW_N_ROUTES, gw->n_routes,
	      VPNRT_A_GW_MAX_ROUTES, gw->max_routes);
	count(f, gw, "policy", VPNRT_A_GW_N_POLICY_ROUTES, gw->n_policy_routes,
	      VPNRT_A_GW_MAX_POLICY_ROUTES, gw->max_policy_routes);
	count(f, gw, "bgp", VPNRT_A_GW_N_BGP_ROUTES, gw->n_bgp_routes,
	      VPNRT_A_GW_MAX_BGP_ROUTES, gw->max_bgp_routes);
	if (VPNRT_HAS(gw, VPNRT_A_GW_MAX_PEER_ROUTES))
		fprintf(f, " max-peer-routes %u", gw->max_peer_routes);
	/* a set/new event carries the settings without the counts */
	if (!VPNRT_HAS(gw, VPNRT_A_GW_N_CONNS) && VPNRT_HAS(gw, VPNRT_A_GW_MAX_CONNS))
		fprintf(f, " max-conns %u", gw->max_conns);
	if (!VPNRT_HAS(gw, VPNRT_A_GW_N_ROUTES) && VPNRT_HAS(gw, VPNRT_A_GW_MAX_ROUTES))
		fprintf(f, " max-routes %u", gw->max_routes);
	if (!VPNRT_HAS(gw, VPNRT_A_GW_N_POLICY_ROUTES) &&
	    VPNRT_HAS(gw, VPNRT_A_GW_MAX_POLICY_ROUTES))
		fprintf(f, " max-policy-routes %u", gw->max_policy_routes);
	if (!VPNRT_HAS(gw, VPNRT_A_GW_N_BGP_ROUTES) &&
	    VPNRT_HAS(gw, VPNRT_A_GW_MAX_BGP_ROUTES))
		fprintf(f, " max-bgp-routes %u", gw->max_bgp_routes);
	/* clamping is off unless said */
	if (VPNRT_HAS(gw, VPNRT_A_GW_MSS_CLAMP) && gw->mss_clamp != VPNRT_MSS_CLAMP_OFF)
		fprintf(f, " mss-clamp %s", mss_clamp_str(gw->mss_clamp, mss, sizeof(mss)));
	/* so is the source check */
	if (VPNRT_HAS(gw, VPNRT_A_GW_RP_CHECK) && gw->rp_check != VPNRT_RP_CHECK_OFF)
		fprintf(f, " rp-check %s", name_of(&vpnrt_rp_check_names, gw->rp_check));
	/* gateways made by hand say nothing: only the agent's are marked */
	if (VPNRT_HAS(gw, VPNRT_A_GW_OWNER) && gw->owner != VPNRT_OWNER_NONE)
		fprintf(f, " owner %s", name_of(&vpnrt_owner_names, gw->owner));
	fprintf(f, "\n");
	if (c->stats && !event && VPNRT_HAS(gw, VPNRT_A_GW_STATS))
		fprintf(f, "    tx packets %llu bytes %llu errors %llu no-route %llu fallback %llu\n"
			"    no-tunnel %llu too-big %llu mss-clamped %llu rp-drops %llu\n",
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_TX_PACKETS],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_TX_BYTES],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_TX_ERRORS],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_NO_ROUTE],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_FALLBACK],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_NO_TUNNEL],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_TOO_BIG],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_MSS_CLAMPED],
			(unsigned long long)gw->stats[VPNRT_A_GW_STATS_RP_DROPS]);
}

void gateway_print(struct vpnrtctl *c, const struct vpnrt_gw *gw,
		   const char *event)
{
	if (c->json)
		gw_json(c, gw, event);
	else
		gw_text(c, gw, event);
}

static int gw_reply(struct nl_msg *msg, void *arg)
{
	struct vpnrtctl *c = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct vpnrt_gw gw;

	if (vpnrt_parse_msg(msg, tb) < 0 || !tb[VPNRT_A_GW] ||
	    vpnrt_parse_gw(tb[VPNRT_A_GW], &gw) < 0) {
		fprintf(stderr, "vpnrtctl: warning: skipping a malformed gateway message\n");
		return NL_SKIP;
	}
	gateway_print(c, &gw, NULL);
	return NL_OK;
}

int do_gateway(struct vpnrtctl *c, int argc, char **argv)
{
	const char *verb = argc ? argv[0] : "show";
	struct nl_msg *msg;
	int rc;

	if (!strcmp(verb, "delete"))
		verb = "del";
	else if (!strcmp(verb, "list") || !strcmp(verb, "ls"))
		verb = "show";
	if (gateway_build(c, verb, argc ? argc - 1 : 0, argv + (argc ? 1 : 0), &msg))
		return -1;
	if (kw_find(verb, gw_verbs) != GW_SHOW)
		return ctl_xfer(c, msg, NULL, NULL);
	show_begin(c);
	rc = ctl_xfer(c, msg, gw_reply, c);
	show_end(c);
	return rc;
}
