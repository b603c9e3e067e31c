// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtctl monitor: one line per event of the "events" multicast group,
 * and, when vpnrtd runs, its BGP state changes (vpnrtd prints those
 * lines; agent.c copies them), in the order they arrive
 */
#include <unistd.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "vpnrtctl.h"

struct event_name {
	const char *json;	/* "conn-set" */
	const char *text;	/* "set" */
};

static const struct event_name events[VPNRT_CMD_MAX + 1] = {
	[VPNRT_CMD_GW_NEW] = { "gw-new", "add" },
	[VPNRT_CMD_GW_DEL] = { "gw-del", "del" },
	[VPNRT_CMD_GW_SET] = { "gw-set", "set" },
	[VPNRT_CMD_CONN_NEW] = { "conn-new", "add" },
	[VPNRT_CMD_CONN_DEL] = { "conn-del", "del" },
	[VPNRT_CMD_CONN_SET] = { "conn-set", "set" },
	[VPNRT_CMD_ROUTE_NEW] = { "route-new", "add" },
	[VPNRT_CMD_ROUTE_DEL] = { "route-del", "del" },
	[VPNRT_CMD_HEALTH] = { "health", "health" },
};

static void begin(struct vpnrtctl *c)
{
	if (c->json)
		json_init(&c->j, c->out, false);	/* one object per line */
}

static void end(struct vpnrtctl *c)
{
	if (c->json)
		json_end(&c->j);
	fflush(c->out);
}

static void unknown(struct vpnrtctl *c, const struct nlmsghdr *nlh,
		    unsigned int cmd, const char *why)
{
	begin(c);
	if (c->json) {
		json_obj_open(&c->j, NULL);
		json_str(&c->j, "event", "unknown");
		json_u64(&c->j, "cmd", cmd);
		json_u64(&c->j, "len", nlh->nlmsg_len);
		json_str(&c->j, "note", why);
		json_obj_close(&c->j);
	} else {
		fprintf(c->out, "event cmd %u len %u (%s)\n", cmd, nlh->nlmsg_len, why);
	}
	end(c);
}

int monitor_print(struct nl_msg *msg, void *arg)
{
	struct vpnrtctl *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	const struct event_name *ev;
	unsigned int cmd;
	int rem;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return NL_SKIP;
	cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	if (cmd > VPNRT_CMD_MAX || !events[cmd].json) {
		unknown(c, nlh, cmd, "unknown command");
		return NL_OK;
	}
	ev = &events[cmd];
	if (vpnrt_parse_msg(msg, tb) < 0) {
		unknown(c, nlh, cmd, "malformed");
		return NL_OK;
	}
	switch (cmd) {
	case VPNRT_CMD_GW_NEW:
	case VPNRT_CMD_GW_DEL:
	case VPNRT_CMD_GW_SET: {
		struct vpnrt_gw gw;

		if (!tb[VPNRT_A_GW] || vpnrt_parse_gw(tb[VPNRT_A_GW], &gw) < 0)
			break;
		begin(c);
		gateway_print(c, &gw, c->json ? ev->json : ev->text);
		end(c);
		return NL_OK;
	}
	case VPNRT_CMD_CONN_NEW:
	case VPNRT_CMD_CONN_DEL:
	case VPNRT_CMD_CONN_SET: {
		struct vpnrt_conn conn;

		if (!tb[VPNRT_A_CONN] || vpnrt_parse_conn(tb[VPNRT_A_CONN], &conn) < 0)
			break;
		begin(c);
		conn_print(c, &conn, c->json ? ev->json : ev->text);
		end(c);
		return NL_OK;
	}
	case VPNRT_CMD_HEALTH: {
		struct vpnrt_conn conn;

		/* one tunnel, with the change in its health nest */
		if (!tb[VPNRT_A_CONN] || vpnrt_parse_conn(tb[VPNRT_A_CONN], &conn) < 0 ||
		    conn.n_tunnels != 1 ||
		    !VPNRT_HAS(&conn.tunnels[0], VPNRT_A_TUNNEL_HEALTH) ||
		    !VPNRT_HAS(&conn.tunnels[0].health, VPNRT_A_HEALTH_STATE))
			break;
		begin(c);
		health_event_print(c, &conn);
		end(c);
		return NL_OK;
	}
	default: {	/* ROUTE_NEW, ROUTE_DEL: one line per route */
		struct vpnrt_route r;

		if (!tb[VPNRT_A_ROUTES])
			break;
		nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
			if (vpnrt_parse_route(a, &r) < 0) {
				unknown(c, nlh, cmd, "malformed route");
				continue;
			}
			begin(c);
			route_print(c, &r, c->json ? ev->json : ev->text);
			end(c);
		}
		return NL_OK;
	}
	}
	unknown(c, nlh, cmd, "malformed");
	return NL_OK;
}

int do_monitor(struct vpnrtctl *c, int argc, char **argv)
{
	int fd, r;

	if (argc > 0)
		return cli_err(c, "\"monitor\" takes no arguments, got \"%s\"", argv[0]);
	/* vpnrtd's BGP events too, when it runs (c->ops->listen polls it) */
	fd = agent_monitor_open(c);
	c->agent_mon = fd >= 0;
	c->agent_fd = fd;
	c->agent_len = 0;
	/*
	 * vpnrtd may start after the monitor, or restart under it (its
	 * routes stay in the kernel meanwhile): listen keeps asking
	 * (c->agent_retry), unless it is there and refused
	 */
	r = c->ops->listen(c, monitor_print, c);
	if (c->agent_mon)
		close(c->agent_fd);
	c->agent_mon = false;
	c->agent_retry = false;
	return r;
}
