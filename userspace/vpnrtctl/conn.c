// SPDX-License-Identifier: GPL-2.0
/* vpnrtctl conn add|set|del|show */
#include <string.h>
#include <sys/socket.h>
#include <netlink/msg.h>

#include "names.h"
#include "vpnrtctl.h"

static const char *const conn_verbs[] = { "add", "set", "del", "show", NULL };
enum { CONN_ADD, CONN_SET, CONN_DEL, CONN_SHOW };

static int parse_state(struct vpnrtctl *c, const char *kw, const char *v,
		       uint8_t *out)
{
	int s = name_lookup(&vpnrt_state_names, v);

	if (s < 0)
		return cli_err(c, "%s must be up or down, not \"%s\"", kw, v);
	*out = (uint8_t)s;
	return 0;
}

/* flow-protection local CIDR peer CIDR (either order) */
static int parse_flow(struct vpnrtctl *c, int *i, int argc, char **argv,
		      struct vpnrt_conn *conn)
{
	static const char *const kws[] = { "local", "peer", NULL };
	bool have[2] = { false, false };
	char e[256];
	int n;

	for (n = 0; n < 2; n++) {
		struct prefix *p;
		const char *v;
		int k;

		if (*i + 1 >= argc)
			return cli_err(c, "\"flow-protection\" needs local CIDR peer CIDR");
		k = kw_expect(c, argv[++*i], kws, "flow-protection");
		if (k < 0)
			return -1;
		if (have[k])
			return cli_err(c, "\"%s\" given twice after \"flow-protection\"", kws[k]);
		have[k] = true;
		v = next_arg(c, i, argc, argv, kws[k]);
		if (!v)
			return -1;
		p = k ? &conn->peer : &conn->local;
		if (parse_prefix(v, p, e, sizeof(e)))
			return cli_err(c, "flow-protection %s: %s", kws[k], e);
	}
	if (conn->local.family != conn->peer.family)
		return cli_err(c, "flow-protection local and peer must be the same family (both IPv4 or both IPv6)");
	conn->routing = VPNRT_ROUTING_FLOW;
	conn->family = (uint16_t)conn->local.family;
	VPNRT_SET(conn, VPNRT_A_CONN_ROUTING);
	VPNRT_SET(conn, VPNRT_A_CONN_FAMILY);
	VPNRT_SET(conn, VPNRT_A_CONN_LOCAL_ADDR);
	VPNRT_SET(conn, VPNRT_A_CONN_LOCAL_LEN);
	VPNRT_SET(conn, VPNRT_A_CONN_PEER_ADDR);
	VPNRT_SET(conn, VPNRT_A_CONN_PEER_LEN);
	return 0;
}

static int parse_add(struct vpnrtctl *c, int argc, char **argv,
		     struct vpnrt_conn *conn)
{
	static const char *const kws[] = {
		"gateway", "tunnel", "mode", "id", "flow-protection", "ike",
		"admin", NULL
	};
	enum { K_GW, K_TUNNEL, K_MODE, K_ID, K_FLOW, K_IKE, K_ADMIN };
	bool seen[7] = { false };
	char e[256];
	int i;

	for (i = 1; i < argc; i++) {
		int k = kw_expect(c, argv[i], kws, "conn add");
		const char *v;

		if (k < 0)
			return -1;
		if (k != K_TUNNEL && seen[k])
			return cli_err(c, "\"%s\" given twice", kws[k]);
		seen[k] = true;
		if (k == K_FLOW) {
			if (parse_flow(c, &i, argc, argv, conn))
				return -1;
			continue;
		}
		v = next_arg(c, &i, argc, argv, kws[k]);
		if (!v)
			return -1;
		switch (k) {
		case K_GW:
			if (dev_index(c, v, &conn->gw_ifindex))
				return -1;
			VPNRT_SET(conn, VPNRT_A_CONN_GW_IFINDEX);
			break;
		case K_TUNNEL: {
			struct vpnrt_tunnel *t;
			int n;

			if (conn->n_tunnels >= VPNRT_MAX_TUNNELS)
				return cli_err(c, "a connection has at most %d tunnels, got a third: \"%s\"",
					       VPNRT_MAX_TUNNELS, v);
			t = &conn->tunnels[conn->n_tunnels];
			if (dev_index(c, v, &t->ifindex))
				return -1;
			for (n = 0; n < conn->n_tunnels; n++)
				if (conn->tunnels[n].ifindex == t->ifindex)
					return cli_err(c, "tunnel \"%s\" given twice", v);
			VPNRT_SET(t, VPNRT_A_TUNNEL_IFINDEX);
			conn->n_tunnels++;
			VPNRT_SET(conn, VPNRT_A_CONN_TUNNELS);
			break;
		}
		case K_MODE: {
			int m = name_lookup(&vpnrt_mode_names, v);

			if (m < 0)
				return cli_err(c, "mode must be active-standby or ecmp, not \"%s\"", v);
			conn->mode = (uint8_t)m;
			break;
		}
		case K_ID:
			if (parse_u32(v, 1, UINT32_MAX, &conn->id, e, sizeof(e)))
				return cli_err(c, "id must be 1..%u (omit it to let the kernel pick), not \"%s\"",
					       UINT32_MAX, v);
			VPNRT_SET(conn, VPNRT_A_CONN_ID);
			break;
		case K_IKE:
			if (!strcmp(v, "managed")) {
				conn->ike_managed = 1;
				VPNRT_SET(conn, VPNRT_A_CONN_IKE_MANAGED);
			} else if (strcmp(v, "none")) {
				return cli_err(c, "ike must be managed or none, not \"%s\"", v);
			}
			break;
		case K_ADMIN:
			if (parse_state(c, "admin", v, &conn->admin))
				return -1;
			VPNRT_SET(conn, VPNRT_A_CONN_ADMIN);
			break;
		}
	}
	if (!seen[K_GW])
		return cli_err(c, "\"conn add %s\" needs gateway GW", conn->name);
	if (!conn->n_tunnels)
		return cli_err(c, "\"conn add %s\" needs tunnel DEV (one or two)", conn->name);
	/* the mode is always sent: active-standby unless given */
	VPNRT_SET(conn, VPNRT_A_CONN_MODE);
	return 0;
}

#define HEALTH_SYNTAX \
	"[tunnel DEV] health dst IP src IP [interval DURATION] [timeout DURATION] " \
	"[retries N] [rise N] [policy revoke-route|reserve-route], or [tunnel DEV] health off"

/* a setting of the health check, or -1 */
static int health_setting(const char *arg)
{
	static const char *const kws[] = {
		"dst", "src", "interval", "retries", "rise", "policy", "timeout",
		NULL
	};
	int i;

	for (i = 0; kws[i]; i++)
		if (!strcmp(arg, kws[i]))
			return i;
	return -1;
}

/* one value of "health": dst, src, interval, retries, rise, policy, timeout */
static int parse_health_value(struct vpnrtctl *c, const char *kw, int attr,
			      const char *v, struct vpnrt_health *h)
{
	char e[256], buf[32];
	int p;

	if (VPNRT_HAS(h, attr))
		return cli_err(c, "\"%s\" given twice", kw);
	VPNRT_SET(h, attr);
	switch (attr) {
	case VPNRT_A_HEALTH_DST:
	case VPNRT_A_HEALTH_SRC:
		if (parse_addr(v, attr == VPNRT_A_HEALTH_DST ? &h->dst : &h->src,
			       e, sizeof(e)))
			return cli_err(c, "health %s: %s", kw, e);
		return 0;
	case VPNRT_A_HEALTH_INTERVAL:
		if (parse_duration_ms(v, VPNRT_HEALTH_INTERVAL_MIN,
				      VPNRT_HEALTH_INTERVAL_MAX, &h->interval_ms,
				      e, sizeof(e)))
			return cli_err(c, "health interval: %s", e);
		return 0;
	case VPNRT_A_HEALTH_TIMEOUT:
		if (parse_duration_ms(v, VPNRT_HEALTH_TIMEOUT_MIN,
				      VPNRT_HEALTH_TIMEOUT_MAX, &h->timeout_ms,
				      e, sizeof(e)))
			return cli_err(c, "health timeout: %s", e);
		return 0;
	case VPNRT_A_HEALTH_RETRIES:
		if (parse_u32(v, 1, VPNRT_HEALTH_RETRIES_MAX, &h->retries, e, sizeof(e)))
			return cli_err(c, "retries must be 1..%d (probes lost in a row to go down), not \"%s\"",
				       VPNRT_HEALTH_RETRIES_MAX, v);
		return 0;
	case VPNRT_A_HEALTH_RISE:
		if (parse_u32(v, 1, VPNRT_HEALTH_RISE_MAX, &h->rise, e, sizeof(e)))
			return cli_err(c, "rise must be 1..%d (probes answered in a row to come up), not \"%s\"",
				       VPNRT_HEALTH_RISE_MAX, v);
		return 0;
	default:	/* VPNRT_A_HEALTH_POLICY */
		/* revoke_route, reserve_route: the old spelling, still taken */
		snprintf(e, sizeof(e), "%s", v);
		for (char *u = e; *u; u++)
			if (*u == '_')
				*u = '-';
		p = name_lookup(&vpnrt_health_policy_names, e);
		if (p < 0)
			return cli_err(c, "policy must be %s, not \"%s\"",
				       name_list(&vpnrt_health_policy_names, " or ",
						 buf, sizeof(buf)), v);
		h->policy = (uint8_t)p;
		return 0;
	}
}

/* "tunnel 1" or "tunnel 2": a position, not a device name */
static bool tunnel_position(const char *v, int *pos)
{
	if (v[0] < '1' || v[0] > '0' + VPNRT_MAX_TUNNELS || v[1])
		return false;
	*pos = v[0] - '0';
	return true;
}

static bool all_digits(const char *v)
{
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/*
 * conn set NAME [admin up|down] [ike up|down] [tunnel DEV|N] [dev NEWDEV]
 * [health ...], in any order: the settings of "health" may follow it
 * anywhere. One tunnel per command, named by its device or its position
 * (1 or 2); without "tunnel" the kernel takes the connection's only one.
 * With "tunnel", "ike" is that tunnel's IKE state, else every tunnel's;
 * "dev NEWDEV" rebinds the tunnel at position N to another device.
 */
static int parse_set(struct vpnrtctl *c, int argc, char **argv,
		     struct vpnrt_conn *conn)
{
	static const char *const conn_kws[] = {
		"admin", "ike", "tunnel", "health", "dev", NULL
	};
	static const char *const off_kws[] = {
		"admin", "ike", "tunnel", "dev", NULL
	};
	static const char *const health_kws[] = {
		"admin", "ike", "tunnel", "dst", "src", "interval", "retries",
		"rise", "policy", "timeout", NULL
	};
	enum { K_ADMIN, K_IKE, K_TUNNEL, K_HEALTH, K_DEV, K_DST };
	static const int health_map[] = {
		K_ADMIN, K_IKE, K_TUNNEL, K_DST, K_DST + 1, K_DST + 2, K_DST + 3,
		K_DST + 4, K_DST + 5, K_DST + 6,
	};
	static const int off_map[] = { K_ADMIN, K_IKE, K_TUNNEL, K_DEV };
	static const int setting_attr[] = {
		VPNRT_A_HEALTH_DST, VPNRT_A_HEALTH_SRC, VPNRT_A_HEALTH_INTERVAL,
		VPNRT_A_HEALTH_RETRIES, VPNRT_A_HEALTH_RISE, VPNRT_A_HEALTH_POLICY,
		VPNRT_A_HEALTH_TIMEOUT,
	};
	enum { H_NONE, H_ON, H_OFF } health = H_NONE;
	struct vpnrt_tunnel *t = &conn->tunnels[0];
	struct vpnrt_health *h = &t->health;
	const char *tunnel = NULL, *dev = NULL;
	bool has_ike = false;
	uint8_t ike = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *const *kws = health == H_ON ? health_kws :
					 health == H_OFF ? off_kws : conn_kws;
		const char *v, *name, *ctx = health == H_ON ? "health" :
					     health == H_OFF ? "health off" : "conn set";
		int k;

		if (health != H_NONE && !strcmp(argv[i], "health"))
			return cli_err(c, "\"health\" given twice (one tunnel per command)");
		if (health != H_ON && kw_find(argv[i], conn_kws) < 0 &&
		    health_setting(argv[i]) >= 0) {
			if (health == H_OFF)
				return cli_err(c, "\"health off\" takes no other health setting, got \"%s\"",
					       argv[i]);
			return cli_err(c, "\"%s\" is a setting of health: %s", argv[i],
				       HEALTH_SYNTAX);
		}
		/* "dev" in full among the settings of health ("d" is dst) */
		if (health == H_ON && !strcmp(argv[i], "dev")) {
			k = K_DEV;
			name = "dev";
		} else {
			k = kw_expect(c, argv[i], kws, ctx);
			if (k < 0)
				return -1;
			name = kws[k];
			if (health == H_ON)
				k = health_map[k];
			else if (health == H_OFF)
				k = off_map[k];
		}
		if (k == K_HEALTH) {
			if (i + 1 >= argc)
				return cli_err(c, "\"health\" needs its settings: %s", HEALTH_SYNTAX);
			health = H_ON;
			if (!strcmp(argv[i + 1], "off")) {
				health = H_OFF;
				i++;
			}
			continue;
		}
		v = next_arg(c, &i, argc, argv, name);
		if (!v)
			return -1;
		if (k >= K_DST) {
			if (parse_health_value(c, name, setting_attr[k - K_DST], v, h))
				return -1;
			continue;
		}
		switch (k) {
		case K_TUNNEL:
			if (tunnel)
				return cli_err(c, "\"tunnel\" given twice (one tunnel per command)");
			if (tunnel_position(v, &t->pos)) {
				VPNRT_SET(t, VPNRT_A_TUNNEL_POSITION);
			} else if (all_digits(v)) {
				return cli_err(c, "tunnel position must be 1..%d (or a device name), not \"%s\"",
					       VPNRT_MAX_TUNNELS, v);
			} else {
				if (dev_index(c, v, &t->ifindex))
					return -1;
				VPNRT_SET(t, VPNRT_A_TUNNEL_IFINDEX);
			}
			tunnel = v;
			break;
		case K_DEV:
			if (dev)
				return cli_err(c, "\"dev\" given twice (one tunnel per command)");
			dev = v;
			break;
		case K_IKE:
			if (has_ike)
				return cli_err(c, "\"%s\" given twice", name);
			if (parse_state(c, name, v, &ike))
				return -1;
			has_ike = true;
			break;
		default:	/* K_ADMIN */
			if (VPNRT_HAS(conn, VPNRT_A_CONN_ADMIN))
				return cli_err(c, "\"%s\" given twice", name);
			if (parse_state(c, name, v, &conn->admin))
				return -1;
			VPNRT_SET(conn, VPNRT_A_CONN_ADMIN);
			break;
		}
	}
	if (dev) {
		if (!VPNRT_HAS(t, VPNRT_A_TUNNEL_POSITION))
			return cli_err(c, "\"dev %s\" rebinds a tunnel named by its position: tunnel 1|2 dev DEV",
				       dev);
		if (dev_index(c, dev, &t->ifindex))
			return -1;
		VPNRT_SET(t, VPNRT_A_TUNNEL_IFINDEX);
	}
	if (tunnel && health == H_NONE && !has_ike && !dev)
		return cli_err(c, "\"tunnel %s\" needs something to change: ike up|down, dev DEV (tunnel 1|2), or %s",
			       tunnel, HEALTH_SYNTAX);
	if (has_ike && tunnel) {
		t->ike = ike;
		VPNRT_SET(t, VPNRT_A_TUNNEL_IKE);
	} else if (has_ike) {
		conn->ike = ike;
		VPNRT_SET(conn, VPNRT_A_CONN_IKE);
	}
	if (health == H_ON) {
		bool dst = VPNRT_HAS(h, VPNRT_A_HEALTH_DST);
		bool src = VPNRT_HAS(h, VPNRT_A_HEALTH_SRC);

		if (!dst && !src)
			return cli_err(c, "\"health\" needs dst IP (the far side, which answers the probes) and src IP (the probes' source, on this side)");
		if (!dst)
			return cli_err(c, "\"health\" needs dst IP (the far side, which answers the probes)");
		if (!src)
			return cli_err(c, "\"health\" needs src IP (the probes' source, on this side)");
		if (h->dst.family != h->src.family)
			return cli_err(c, "health dst and src must be the same family (both IPv4 or both IPv6)");
		h->family = (uint16_t)h->dst.family;
		VPNRT_SET(h, VPNRT_A_HEALTH_FAMILY);
	} else if (health == H_OFF) {
		VPNRT_SET(h, VPNRT_A_HEALTH_OFF);
	}
	if (health != H_NONE)
		VPNRT_SET(t, VPNRT_A_TUNNEL_HEALTH);
	if (health != H_NONE || tunnel) {
		conn->n_tunnels = 1;
		VPNRT_SET(conn, VPNRT_A_CONN_TUNNELS);
	}
	if (!VPNRT_HAS(conn, VPNRT_A_CONN_ADMIN) && !has_ike && !dev &&
	    health == H_NONE)
		return cli_err(c, "\"conn set %s\" needs something to change: admin up|down, ike up|down, %s",
			       conn->name, HEALTH_SYNTAX);
	return 0;
}

static int parse_show(struct vpnrtctl *c, int argc, char **argv,
		      struct vpnrt_conn *conn)
{
	static const char *const kws[] = { "gateway", "name", "-s", NULL };
	int i;

	for (i = 0; i < argc; i++) {
		int k = kw_find(argv[i], kws);
		const char *v;

		if (k == 2 || !strcmp(argv[i], "-stats")) {
			c->stats = true;
			continue;
		}
		if (k < 0) {
			if (argv[i][0] == '-' || VPNRT_HAS(conn, VPNRT_A_CONN_NAME))
				return kw_expect(c, argv[i], kws, "conn show");
			v = argv[i];
		} else {
			v = next_arg(c, &i, argc, argv, kws[k]);
			if (!v)
				return -1;
		}
		if (k == 0) {
			if (VPNRT_HAS(conn, VPNRT_A_CONN_GW_IFINDEX))
				return cli_err(c, "\"gateway\" given twice");
			if (dev_index(c, v, &conn->gw_ifindex))
				return -1;
			VPNRT_SET(conn, VPNRT_A_CONN_GW_IFINDEX);
		} else {
			if (VPNRT_HAS(conn, VPNRT_A_CONN_NAME))
				return cli_err(c, "only one connection NAME, got \"%s\" and \"%s\"",
					       conn->name, v);
			if (check_conn_name(c, v))
				return -1;
			snprintf(conn->name, sizeof(conn->name), "%s", v);
			VPNRT_SET(conn, VPNRT_A_CONN_NAME);
		}
	}
	return 0;
}

int conn_build(struct vpnrtctl *c, const char *verb, int argc, char **argv,
	       struct nl_msg **msgp)
{
	static const uint8_t cmds[] = {
		VPNRT_CMD_CONN_NEW, VPNRT_CMD_CONN_SET, VPNRT_CMD_CONN_DEL,
		VPNRT_CMD_CONN_GET,
	};
	struct vpnrt_conn conn = { 0 };
	struct nl_msg *msg;
	int v, flags = NLM_F_ACK;

	*msgp = NULL;
	v = kw_expect(c, verb, conn_verbs, "conn");
	if (v < 0)
		return -1;
	if (v == CONN_SHOW) {
		if (parse_show(c, argc, argv, &conn))
			return -1;
		if (!VPNRT_HAS(&conn, VPNRT_A_CONN_NAME))
			flags = NLM_F_DUMP;
	} else {
		if (argc < 1)
			return cli_err(c, "\"conn %s\" needs a connection NAME", conn_verbs[v]);
		if (check_conn_name(c, argv[0]))
			return -1;
		snprintf(conn.name, sizeof(conn.name), "%s", argv[0]);
		VPNRT_SET(&conn, VPNRT_A_CONN_NAME);
		if (v == CONN_ADD && parse_add(c, argc, argv, &conn))
			return -1;
		if (v == CONN_SET && parse_set(c, argc, argv, &conn))
			return -1;
		if (v == CONN_DEL && argc > 1)
			return cli_err(c, "\"conn del %s\" takes no more arguments, got \"%s\"",
				       argv[0], argv[1]);
	}
	msg = ctl_msg(c, cmds[v], flags, 0);
	if (!msg)
		return -1;
	if (conn.present && vpnrt_put_conn(msg, &conn) < 0) {
		nlmsg_free(msg);
		return cli_err(c, "message too long");
	}
	*msgp = msg;
	return 0;
}

/* ---- output ---- */

static const char *ike_str(const struct vpnrt_conn *conn)
{
	if (VPNRT_HAS(conn, VPNRT_A_CONN_IKE_MANAGED) && !conn->ike_managed)
		return "none";
	if (!VPNRT_HAS(conn, VPNRT_A_CONN_IKE))
		return NULL;
	return name_of(&vpnrt_state_names, conn->ike);
}

/*
 * A tunnel's own IKE state: "none" when its connection is not IKE-managed
 * (the kernel reports up then), NULL if not reported.
 */
static const char *tunnel_ike_str(const struct vpnrt_conn *conn,
				  const struct vpnrt_tunnel *t)
{
	if (!VPNRT_HAS(t, VPNRT_A_TUNNEL_IKE))
		return NULL;
	if (VPNRT_HAS(conn, VPNRT_A_CONN_IKE_MANAGED) && !conn->ike_managed)
		return "none";
	return name_of(&vpnrt_state_names, t->ike);
}

static void reasons_json(struct json *j, const char *key, uint32_t mask)
{
	unsigned int bit;

	json_arr_open(j, key);
	for (bit = 0; bit < 32; bit++)
		if (mask & (1u << bit))
			json_str(j, NULL, name_of(&vpnrt_down_reason_names, bit));
	json_arr_close(j);
}

/* the configuration of a health check, as JSON members */
static void health_cfg_json(struct json *j, const struct vpnrt_health *h)
{
	char buf[PREFIX_STRLEN];

	if (VPNRT_HAS(h, VPNRT_A_HEALTH_FAMILY))
		json_str(j, "family", family_name(h->family));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_DST))
		json_str(j, "dst", format_prefix(&h->dst, true, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_SRC))
		json_str(j, "src", format_prefix(&h->src, true, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_INTERVAL))
		json_u64(j, "interval_ms", h->interval_ms);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_TIMEOUT))
		json_u64(j, "timeout_ms", h->timeout_ms);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_RETRIES))
		json_u64(j, "retries", h->retries);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_RISE))
		json_u64(j, "rise", h->rise);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_POLICY))
		json_str(j, "policy", name_of(&vpnrt_health_policy_names, h->policy));
}

/* "health": {configuration, state, since_ms, and with -s "stats"} */
static void health_json(struct vpnrtctl *c, const struct vpnrt_health *h)
{
	struct json *j = &c->j;

	json_obj_open(j, "health");
	health_cfg_json(j, h);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_STATE))
		json_str(j, "state", name_of(&vpnrt_health_state_names, h->state));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_SINCE))
		json_u64(j, "since_ms", h->since_ms);
	if (c->stats) {
		json_obj_open(j, "stats");
		json_u64(j, "sent", h->sent);
		json_u64(j, "answered", h->answered);
		json_u64(j, "ignored", h->ignored);
		json_u64(j, "send_errors", h->send_errors);
		json_u64(j, "consecutive_lost", h->consec_lost);
		json_u64(j, "rtt_us", h->rtt_us);
		json_u64(j, "srtt_us", h->srtt_us);
		json_u64(j, "window", h->window);
		json_u64(j, "window_lost", h->window_lost);
		json_u64(j, "transitions", h->transitions);
		json_u64(j, "events_lost", h->events_lost);
		json_obj_close(j);
	}
	json_obj_close(j);
}

static void conn_json(struct vpnrtctl *c, const struct vpnrt_conn *conn,
		      const char *event)
{
	struct json *j = &c->j;
	char buf[PREFIX_STRLEN];
	const char *ike = ike_str(conn);
	int i;

	json_obj_open(j, NULL);
	if (event)
		json_str(j, "event", event);
	json_str(j, "name", conn->name);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_ID))
		json_u64(j, "id", conn->id);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_GW_IFINDEX)) {
		json_str(j, "gateway", dev_name(c, conn->gw_ifindex, buf));
		json_u64(j, "gateway_ifindex", conn->gw_ifindex);
	}
	if (VPNRT_HAS(conn, VPNRT_A_CONN_MODE))
		json_str(j, "mode", name_of(&vpnrt_mode_names, conn->mode));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_ROUTING))
		json_str(j, "routing", name_of(&vpnrt_routing_names, conn->routing));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_LOCAL_ADDR))
		json_str(j, "local", format_prefix(&conn->local, false, buf, sizeof(buf)));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_PEER_ADDR))
		json_str(j, "peer", format_prefix(&conn->peer, false, buf, sizeof(buf)));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_ADMIN))
		json_str(j, "admin", name_of(&vpnrt_state_names, conn->admin));
	if (ike)
		json_str(j, "ike", ike);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_IKE_MANAGED))
		json_bool(j, "ike_managed", conn->ike_managed);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_OWNER))
		json_str(j, "owner", name_of(&vpnrt_owner_names, conn->owner));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_STATE))
		json_str(j, "state", name_of(&vpnrt_state_names, conn->state));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_DOWN_REASON))
		reasons_json(j, "down_reason", conn->down_reason);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_N_ROUTES))
		json_u64(j, "routes", conn->n_routes);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_N_BGP_ROUTES))
		json_u64(j, "bgp_routes", conn->n_bgp_routes);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_TUNNELS)) {
		json_arr_open(j, "tunnels");
		for (i = 0; i < conn->n_tunnels; i++) {
			const struct vpnrt_tunnel *t = &conn->tunnels[i];

			json_obj_open(j, NULL);
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_IFNAME))
				json_str(j, "dev", t->ifname);
			else
				json_str(j, "dev", dev_name(c, t->ifindex, buf));
			json_u64(j, "ifindex", t->ifindex);
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_POSITION))
				json_u64(j, "position", (uint64_t)t->pos);
			if (tunnel_ike_str(conn, t))
				json_str(j, "ike", tunnel_ike_str(conn, t));
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_STATE))
				json_str(j, "state", name_of(&vpnrt_state_names, t->state));
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_DOWN_REASON))
				reasons_json(j, "down_reason", t->down_reason);
			if (c->stats) {
				json_obj_open(j, "stats");
				json_u64(j, "tx_packets", t->tx_packets);
				json_u64(j, "tx_bytes", t->tx_bytes);
				json_u64(j, "tx_errors", t->tx_errors);
				json_obj_close(j);
			}
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_HEALTH))
				health_json(c, &t->health);
			json_obj_close(j);
		}
		json_arr_close(j);
	}
	json_obj_close(j);
}

static void state_text(FILE *f, uint8_t state, bool has_reason, uint32_t reason)
{
	char buf[128];

	fprintf(f, " state %s", name_of(&vpnrt_state_names, state));
	if (has_reason && reason)
		fprintf(f, " reason %s",
			flags_str(&vpnrt_down_reason_names, reason, buf, sizeof(buf)));
}

/* "12.3s", "4m05s", "2h07m", "3d04h": how long ago, for people */
static const char *format_age(uint64_t ms, char *buf, size_t len)
{
	unsigned long long v = ms;

	if (v < 60000)
		snprintf(buf, len, "%llu.%llus", v / 1000, v % 1000 / 100);
	else if (v < 3600000)
		snprintf(buf, len, "%llum%02llus", v / 60000, v % 60000 / 1000);
	else if (v < 86400000)
		snprintf(buf, len, "%lluh%02llum", v / 3600000, v % 3600000 / 60000);
	else
		snprintf(buf, len, "%llud%02lluh", v / 86400000, v % 86400000 / 3600000);
	return buf;
}

/* " dst A src A interval D timeout D retries N rise N policy P", what is present */
static void health_cfg_text(FILE *f, const struct vpnrt_health *h)
{
	char buf[PREFIX_STRLEN];

	if (VPNRT_HAS(h, VPNRT_A_HEALTH_DST))
		fprintf(f, " dst %s", format_prefix(&h->dst, true, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_SRC))
		fprintf(f, " src %s", format_prefix(&h->src, true, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_INTERVAL))
		fprintf(f, " interval %s", format_duration_ms(h->interval_ms, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_TIMEOUT))
		fprintf(f, " timeout %s", format_duration_ms(h->timeout_ms, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_RETRIES))
		fprintf(f, " retries %u", h->retries);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_RISE))
		fprintf(f, " rise %u", h->rise);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_POLICY))
		fprintf(f, " policy %s", name_of(&vpnrt_health_policy_names, h->policy));
}

/* the health lines under a tunnel of conn show */
static void health_text(struct vpnrtctl *c, const struct vpnrt_health *h)
{
	FILE *f = c->out;
	char buf[32];

	fprintf(f, "\n        health %s", VPNRT_HAS(h, VPNRT_A_HEALTH_STATE) ?
		name_of(&vpnrt_health_state_names, h->state) : "unknown");
	health_cfg_text(f, h);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_SINCE))
		fprintf(f, " since %s", format_age(h->since_ms, buf, sizeof(buf)));
	if (!c->stats)
		return;
	fprintf(f, "\n          probes sent %llu answered %llu ignored %llu send-errors %llu"
		" lost-in-a-row %u rtt %u.%03ums srtt %u.%03ums loss %u/%u transitions %u"
		" events-lost %llu",
		(unsigned long long)h->sent, (unsigned long long)h->answered,
		(unsigned long long)h->ignored, (unsigned long long)h->send_errors,
		h->consec_lost, h->rtt_us / 1000, h->rtt_us % 1000,
		h->srtt_us / 1000, h->srtt_us % 1000, h->window_lost, h->window,
		h->transitions, (unsigned long long)h->events_lost);
}

static void conn_text(struct vpnrtctl *c, const struct vpnrt_conn *conn,
		      const char *event)
{
	FILE *f = c->out;
	char buf[PREFIX_STRLEN];
	const char *ike = ike_str(conn);
	int i;

	if (event)
		fprintf(f, "conn %s ", event);
	fprintf(f, "%s", conn->name);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_ID))
		fprintf(f, " id %u", conn->id);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_GW_IFINDEX))
		fprintf(f, " gateway %s", dev_name(c, conn->gw_ifindex, buf));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_MODE))
		fprintf(f, " mode %s", name_of(&vpnrt_mode_names, conn->mode));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_ROUTING) && conn->routing == VPNRT_ROUTING_FLOW) {
		fprintf(f, " flow-protection local %s",
			format_prefix(&conn->local, false, buf, sizeof(buf)));
		fprintf(f, " peer %s", format_prefix(&conn->peer, false, buf, sizeof(buf)));
	}
	if (VPNRT_HAS(conn, VPNRT_A_CONN_ADMIN))
		fprintf(f, " admin %s", name_of(&vpnrt_state_names, conn->admin));
	if (ike)
		fprintf(f, " ike %s", ike);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_STATE))
		state_text(f, conn->state, VPNRT_HAS(conn, VPNRT_A_CONN_DOWN_REASON),
			   conn->down_reason);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_N_ROUTES))
		fprintf(f, " routes %u", conn->n_routes);
	if (VPNRT_HAS(conn, VPNRT_A_CONN_N_BGP_ROUTES))
		fprintf(f, " bgp-routes %u", conn->n_bgp_routes);
	/* objects made by hand say nothing: only the agent's are marked */
	if (VPNRT_HAS(conn, VPNRT_A_CONN_OWNER) && conn->owner != VPNRT_OWNER_NONE)
		fprintf(f, " owner %s", name_of(&vpnrt_owner_names, conn->owner));
	for (i = 0; i < conn->n_tunnels; i++) {
		const struct vpnrt_tunnel *t = &conn->tunnels[i];
		const char *tike = tunnel_ike_str(conn, t);

		fprintf(f, "%stunnel %s", event ? " " : "\n    ",
			VPNRT_HAS(t, VPNRT_A_TUNNEL_IFNAME) ? t->ifname :
			dev_name(c, t->ifindex, buf));
		/* the tunnels' own IKE states, where there are any */
		if (tike && strcmp(tike, "none"))
			fprintf(f, " ike %s", tike);
		if (VPNRT_HAS(t, VPNRT_A_TUNNEL_STATE))
			state_text(f, t->state, VPNRT_HAS(t, VPNRT_A_TUNNEL_DOWN_REASON),
				   t->down_reason);
		if (c->stats && !event)
			fprintf(f, "\n        tx packets %llu bytes %llu errors %llu",
				(unsigned long long)t->tx_packets,
				(unsigned long long)t->tx_bytes,
				(unsigned long long)t->tx_errors);
		if (!VPNRT_HAS(t, VPNRT_A_TUNNEL_HEALTH))
			continue;
		if (event) {
			if (VPNRT_HAS(&t->health, VPNRT_A_HEALTH_STATE))
				fprintf(f, " health %s",
					name_of(&vpnrt_health_state_names, t->health.state));
		} else {
			health_text(c, &t->health);
		}
	}
	fprintf(f, "\n");
}

/* a CLOCK_REALTIME time in ns as "seconds.microseconds" */
static const char *format_realtime(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%llu.%06llu", (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns % 1000000000 / 1000));
	return buf;
}

void health_event_print(struct vpnrtctl *c, const struct vpnrt_conn *conn)
{
	static const char *const why[] = {
		[VPNRT_HEALTH_R_START] = "started",
		[VPNRT_HEALTH_R_LOST] = "probes lost",
		[VPNRT_HEALTH_R_ANSWERED] = "probes answered",
		[VPNRT_HEALTH_R_EVENTS_LOST] = "events lost: the state now",
	};
	const struct vpnrt_tunnel *t = &conn->tunnels[0];
	const struct vpnrt_health *h = &t->health;
	char tdev[IFNAMSIZ], gdev[IFNAMSIZ], buf[64];
	const char *tun;

	tun = VPNRT_HAS(t, VPNRT_A_TUNNEL_IFNAME) ? t->ifname : dev_name(c, t->ifindex, tdev);
	if (c->json) {
		struct json *j = &c->j;

		json_obj_open(j, NULL);
		json_str(j, "event", "health");
		json_str(j, "name", conn->name);
		json_str(j, "conn", conn->name);
		if (VPNRT_HAS(conn, VPNRT_A_CONN_ID))
			json_u64(j, "id", conn->id);
		if (VPNRT_HAS(conn, VPNRT_A_CONN_GW_IFINDEX)) {
			json_str(j, "gateway", dev_name(c, conn->gw_ifindex, gdev));
			json_u64(j, "gateway_ifindex", conn->gw_ifindex);
		}
		json_str(j, "tunnel", tun);
		json_u64(j, "ifindex", t->ifindex);
		json_u64(j, "tunnel_index", (uint64_t)t->pos);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_OLD_STATE))
			json_str(j, "old", name_of(&vpnrt_health_state_names, h->old_state));
		json_str(j, "new", name_of(&vpnrt_health_state_names, h->state));
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_REASON))
			json_str(j, "reason", name_of(&vpnrt_health_reason_names, h->reason));
		health_cfg_json(j, h);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_TIME))
			json_u64(j, "time_ns", h->time_ns);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_LOSS_START))
			json_u64(j, "loss_start_ns", h->loss_start_ns);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_SENT))
			json_u64(j, "sent", h->sent);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_ANSWERED))
			json_u64(j, "answered", h->answered);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_CONSEC_LOST))
			json_u64(j, "consecutive_lost", h->consec_lost);
		if (VPNRT_HAS(h, VPNRT_A_HEALTH_EVENTS_LOST))
			json_u64(j, "events_lost", h->events_lost);
		if (VPNRT_HAS(t, VPNRT_A_TUNNEL_STATE))
			json_str(j, "tunnel_state", name_of(&vpnrt_state_names, t->state));
		if (VPNRT_HAS(t, VPNRT_A_TUNNEL_DOWN_REASON))
			reasons_json(j, "tunnel_down_reason", t->down_reason);
		if (VPNRT_HAS(conn, VPNRT_A_CONN_STATE))
			json_str(j, "conn_state", name_of(&vpnrt_state_names, conn->state));
		if (VPNRT_HAS(conn, VPNRT_A_CONN_DOWN_REASON))
			reasons_json(j, "conn_down_reason", conn->down_reason);
		json_obj_close(j);
		return;
	}
	fprintf(c->out, "health conn %s tunnel %s", conn->name, tun);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_OLD_STATE))
		fprintf(c->out, " %s ->", name_of(&vpnrt_health_state_names, h->old_state));
	fprintf(c->out, " %s", name_of(&vpnrt_health_state_names, h->state));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_REASON))
		fprintf(c->out, " (%s)", h->reason < sizeof(why) / sizeof(why[0]) ?
			why[h->reason] : "unknown reason");
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_TIME))
		fprintf(c->out, " at %s", format_realtime(h->time_ns, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_LOSS_START))
		fprintf(c->out, " loss-start %s",
			format_realtime(h->loss_start_ns, buf, sizeof(buf)));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_POLICY))
		fprintf(c->out, " policy %s", name_of(&vpnrt_health_policy_names, h->policy));
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_SENT))
		fprintf(c->out, " sent %llu", (unsigned long long)h->sent);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_ANSWERED))
		fprintf(c->out, " answered %llu", (unsigned long long)h->answered);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_CONSEC_LOST))
		fprintf(c->out, " lost-in-a-row %u", h->consec_lost);
	if (VPNRT_HAS(h, VPNRT_A_HEALTH_EVENTS_LOST) && h->events_lost)
		fprintf(c->out, " events-lost %llu", (unsigned long long)h->events_lost);
	if (VPNRT_HAS(t, VPNRT_A_TUNNEL_STATE)) {
		fprintf(c->out, " tunnel");
		state_text(c->out, t->state, VPNRT_HAS(t, VPNRT_A_TUNNEL_DOWN_REASON),
			   t->down_reason);
	}
	if (VPNRT_HAS(conn, VPNRT_A_CONN_STATE)) {
		fprintf(c->out, " conn");
		state_text(c->out, conn->state, VPNRT_HAS(conn, VPNRT_A_CONN_DOWN_REASON),
			   conn->down_reason);
	}
	fprintf(c->out, "\n");
}

void conn_print(struct vpnrtctl *c, const struct vpnrt_conn *conn,
		const char *event)
{
	if (c->json)
		conn_json(c, conn, event);
	else
		conn_text(c, conn, event);
}

static int conn_reply(struct nl_msg *msg, void *arg)
{
	struct vpnrtctl *c = arg;
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct vpnrt_conn conn;

	if (vpnrt_parse_msg(msg, tb) < 0 || !tb[VPNRT_A_CONN] ||
	    vpnrt_parse_conn(tb[VPNRT_A_CONN], &conn) < 0) {
		fprintf(stderr, "vpnrtctl: warning: skipping a malformed connection message\n");
		return NL_SKIP;
	}
	conn_print(c, &conn, NULL);
	return NL_OK;
}

int do_conn(struct vpnrtctl *c, int argc, char **argv)
{
	const char *verb = argc ? argv[0] : "show";
	struct nl_msg *msg;
	int rc;

	if (!strcmp(verb, "delete"))
		verb = "del";
	else if (!strcmp(verb, "list") || !strcmp(verb, "ls"))
		verb = "show";
	if (conn_build(c, verb, argc ? argc - 1 : 0, argv + (argc ? 1 : 0), &msg))
		return -1;
	if (kw_find(verb, conn_verbs) != CONN_SHOW)
		return ctl_xfer(c, msg, NULL, NULL);
	show_begin(c);
	rc = ctl_xfer(c, msg, conn_reply, c);
	show_end(c);
	return rc;
}
