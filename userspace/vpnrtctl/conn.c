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

static int parse_set(struct vpnrtctl *c, int argc, char **argv,
		     struct vpnrt_conn *conn)
{
	static const char *const kws[] = { "admin", "ike", NULL };
	int i;

	for (i = 1; i < argc; i++) {
		int k = kw_expect(c, argv[i], kws, "conn set");
		int attr = k ? VPNRT_A_CONN_IKE : VPNRT_A_CONN_ADMIN;
		const char *v;

		if (k < 0)
			return -1;
		if (VPNRT_HAS(conn, attr))
			return cli_err(c, "\"%s\" given twice", kws[k]);
		v = next_arg(c, &i, argc, argv, kws[k]);
		if (!v || parse_state(c, kws[k], v, k ? &conn->ike : &conn->admin))
			return -1;
		VPNRT_SET(conn, attr);
	}
	if (!VPNRT_HAS(conn, VPNRT_A_CONN_ADMIN) && !VPNRT_HAS(conn, VPNRT_A_CONN_IKE))
		return cli_err(c, "\"conn set %s\" needs something to change: admin up|down, ike up|down",
			       conn->name);
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

static void reasons_json(struct json *j, uint32_t mask)
{
	unsigned int bit;

	json_arr_open(j, "down_reason");
	for (bit = 0; bit < 32; bit++)
		if (mask & (1u << bit))
			json_str(j, NULL, name_of(&vpnrt_down_reason_names, bit));
	json_arr_close(j);
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
	if (VPNRT_HAS(conn, VPNRT_A_CONN_STATE))
		json_str(j, "state", name_of(&vpnrt_state_names, conn->state));
	if (VPNRT_HAS(conn, VPNRT_A_CONN_DOWN_REASON))
		reasons_json(j, conn->down_reason);
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
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_STATE))
				json_str(j, "state", name_of(&vpnrt_state_names, t->state));
			if (VPNRT_HAS(t, VPNRT_A_TUNNEL_DOWN_REASON))
				reasons_json(j, t->down_reason);
			if (c->stats) {
				json_obj_open(j, "stats");
				json_u64(j, "tx_packets", t->tx_packets);
				json_u64(j, "tx_bytes", t->tx_bytes);
				json_u64(j, "tx_errors", t->tx_errors);
				json_obj_close(j);
			}
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
	for (i = 0; i < conn->n_tunnels; i++) {
		const struct vpnrt_tunnel *t = &conn->tunnels[i];

		fprintf(f, "%stunnel %s", event ? " " : "\n    ",
			VPNRT_HAS(t, VPNRT_A_TUNNEL_IFNAME) ? t->ifname :
			dev_name(c, t->ifindex, buf));
		if (VPNRT_HAS(t, VPNRT_A_TUNNEL_STATE))
			state_text(f, t->state, VPNRT_HAS(t, VPNRT_A_TUNNEL_DOWN_REASON),
				   t->down_reason);
		if (c->stats && !event)
			fprintf(f, "\n        tx packets %llu bytes %llu errors %llu",
				(unsigned long long)t->tx_packets,
				(unsigned long long)t->tx_bytes,
				(unsigned long long)t->tx_errors);
	}
	fprintf(f, "\n");
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
