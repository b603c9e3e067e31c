// SPDX-License-Identifier: GPL-2.0
/* lib/msg.c and lib/names.c: builders, parsers, sizes, names */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "msg.h"
#include "names.h"
#include "tap.h"

static struct vpnrt_route mk(const char *dst, const char *src, uint8_t proto,
			     const char *conn)
{
	struct vpnrt_route r;
	char e[128];

	memset(&r, 0, sizeof(r));
	parse_prefix(dst, &r.dst, e, sizeof(e));
	r.family = (uint16_t)r.dst.family;
	r.proto = proto;
	snprintf(r.conn, sizeof(r.conn), "%s", conn);
	r.present = VPNRT_BIT(VPNRT_A_ROUTE_FAMILY) | VPNRT_BIT(VPNRT_A_ROUTE_DST) |
		    VPNRT_BIT(VPNRT_A_ROUTE_DST_LEN) | VPNRT_BIT(VPNRT_A_ROUTE_PROTO) |
		    VPNRT_BIT(VPNRT_A_ROUTE_CONN);
	if (src) {
		parse_prefix(src, &r.src, e, sizeof(e));
		VPNRT_SET(&r, VPNRT_A_ROUTE_SRC);
		VPNRT_SET(&r, VPNRT_A_ROUTE_SRC_LEN);
	}
	return r;
}

static void test_routes(void)
{
	struct vpnrt_route in[3], out;
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	struct nl_msg *msg;
	char buf[PREFIX_STRLEN];
	size_t before, want = NLA_HDRLEN;
	int rem, i = 0, ok = 1;

	in[0] = mk("10.1.0.0/16", NULL, VPNRT_PROTO_STATIC, "c1");
	in[0].weight = 0;
	VPNRT_SET(&in[0], VPNRT_A_ROUTE_WEIGHT);
	in[1] = mk("2001:db8::/32", "fd00::/8", VPNRT_PROTO_POLICY, "a-long-connection-name-of-31-ch");
	in[1].priority = 100;
	VPNRT_SET(&in[1], VPNRT_A_ROUTE_PRIORITY);
	in[2] = mk("0.0.0.0/0", NULL, VPNRT_PROTO_BGP, "c");
	in[2].pref = 0xfffffffe;
	VPNRT_SET(&in[2], VPNRT_A_ROUTE_PREF);

	msg = vpnrt_msg_new(0x33, VPNRT_CMD_ROUTE_NEW, NLM_F_ACK, 1024);
	TAP_CHECK(msg && ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->version ==
		  VPNRT_GENL_VERSION && nlmsg_hdr(msg)->nlmsg_type == 0x33,
		  "vpnrt_msg_new: family id and genl version");
	before = nlmsg_hdr(msg)->nlmsg_len;
	for (i = 0; i < 3; i++)
		want += vpnrt_route_size(&in[i]);
	TAP_CHECK(vpnrt_put_routes(msg, in, 3) == 0, "three routes put");
	TAP_CHECK(nlmsg_hdr(msg)->nlmsg_len - before == want,
		  "vpnrt_route_size is exact (%zu bytes)", want);
	TAP_CHECK(vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_ROUTES], "parsed back");
	i = 0;
	nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
		if (i >= 3 || nla_type(a) != i + 1 || vpnrt_parse_route(a, &out) ||
		    out.present != in[i].present || out.family != in[i].family ||
		    out.proto != in[i].proto || strcmp(out.conn, in[i].conn) ||
		    memcmp(&out.dst.addr, &in[i].dst.addr, 16) || out.dst.len != in[i].dst.len ||
		    out.src.len != in[i].src.len || out.weight != in[i].weight ||
		    out.priority != in[i].priority || out.pref != in[i].pref)
			ok = 0;
		i++;
	}
	TAP_CHECK(ok && i == 3, "every route round-trips (present mask and values)");
	vpnrt_parse_route(nla_data(tb[VPNRT_A_ROUTES]), &out);
	TAP_STREQ(format_prefix(&out.dst, false, buf, sizeof(buf)), "10.1.0.0/16",
		  "the first element is 10.1.0.0/16");
	nlmsg_free(msg);

	/* a full message refuses more instead of overflowing */
	msg = vpnrt_msg_new(0x33, VPNRT_CMD_ROUTE_NEW, NLM_F_ACK, 64);
	TAP_CHECK(vpnrt_put_routes(msg, in, 3) < 0, "a too-small message: an error, no overflow");
	nlmsg_free(msg);
}

static void test_gw_conn(void)
{
	struct vpnrt_gw gw = { 0 }, g2;
	struct vpnrt_conn conn = { 0 }, c2;
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct nl_msg *msg = vpnrt_msg_new(1, VPNRT_CMD_GW_SET, NLM_F_ACK, 0);
	char e[64];

	gw.ifindex = 7;
	gw.max_routes = 123456;
	gw.ecmp_hash = VPNRT_HASH_L3;
	gw.present = VPNRT_BIT(VPNRT_A_GW_IFINDEX) | VPNRT_BIT(VPNRT_A_GW_MAX_ROUTES) |
		     VPNRT_BIT(VPNRT_A_GW_ECMP_HASH);
	TAP_CHECK(vpnrt_put_gw(msg, &gw) == 0 && vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_gw(tb[VPNRT_A_GW], &g2) == 0 && g2.present == gw.present &&
		  g2.ifindex == 7 && g2.max_routes == 123456 && g2.ecmp_hash == VPNRT_HASH_L3,
		  "gateway round-trips with only the present settings");
	nlmsg_free(msg);

	msg = vpnrt_msg_new(1, VPNRT_CMD_CONN_NEW, NLM_F_ACK, 0);
	snprintf(conn.name, sizeof(conn.name), "c9");
	conn.n_tunnels = 2;
	conn.tunnels[0].ifindex = 3;
	conn.tunnels[1].ifindex = 4;
	VPNRT_SET(&conn.tunnels[0], VPNRT_A_TUNNEL_IFINDEX);
	VPNRT_SET(&conn.tunnels[1], VPNRT_A_TUNNEL_IFINDEX);
	conn.routing = VPNRT_ROUTING_FLOW;
	parse_prefix("fd00:1::/64", &conn.local, e, sizeof(e));
	parse_prefix("fd00:2::/48", &conn.peer, e, sizeof(e));
	conn.family = AF_INET6;
	conn.present = VPNRT_BIT(VPNRT_A_CONN_NAME) | VPNRT_BIT(VPNRT_A_CONN_TUNNELS) |
		       VPNRT_BIT(VPNRT_A_CONN_ROUTING) | VPNRT_BIT(VPNRT_A_CONN_FAMILY) |
		       VPNRT_BIT(VPNRT_A_CONN_LOCAL_ADDR) | VPNRT_BIT(VPNRT_A_CONN_LOCAL_LEN) |
		       VPNRT_BIT(VPNRT_A_CONN_PEER_ADDR) | VPNRT_BIT(VPNRT_A_CONN_PEER_LEN);
	TAP_CHECK(vpnrt_put_conn(msg, &conn) == 0 && vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_conn(tb[VPNRT_A_CONN], &c2) == 0 && c2.present == conn.present &&
		  c2.n_tunnels == 2 && c2.tunnels[0].ifindex == 3 && c2.tunnels[1].ifindex == 4 &&
		  c2.local.len == 64 && c2.peer.len == 48 && c2.peer.family == AF_INET6 &&
		  !memcmp(&c2.peer.addr, &conn.peer.addr, 16) && !strcmp(c2.name, "c9"),
		  "connection with two tunnels and flow protection round-trips");
	nlmsg_free(msg);
}

/* one tunnel with a health request, as conn set builds it */
static void test_health(void)
{
	struct vpnrt_conn conn = { 0 }, c2;
	struct vpnrt_health *h = &conn.tunnels[0].health;
	struct nlattr *tb[VPNRT_A_MAX + 1], *ct[VPNRT_A_CONN_MAX + 1], *t, *a;
	struct nlattr *tt[VPNRT_A_TUNNEL_MAX + 1], *ht[VPNRT_A_HEALTH_MAX + 1];
	struct nlattr *first = NULL;
	struct nl_msg *msg = vpnrt_msg_new(1, VPNRT_CMD_CONN_SET, NLM_F_ACK, 0);
	uint32_t want;
	char e[64];
	int rem, hrem, n = 0, types = 0, nest_ok = 0;

	snprintf(conn.name, sizeof(conn.name), "c1");
	conn.n_tunnels = 1;
	conn.tunnels[0].ifindex = 7;
	parse_addr("fd20:ff::2", &h->dst, e, sizeof(e));
	parse_addr("fd99:2::1", &h->src, e, sizeof(e));
	h->family = AF_INET6;
	h->interval_ms = 250;
	h->timeout_ms = 900;
	h->retries = 5;
	h->rise = 2;
	h->policy = VPNRT_HEALTH_RESERVE_ROUTE;
	h->state = VPNRT_HEALTH_UP;	/* reply only: not put */
	h->sent = 99;
	h->present = VPNRT_BIT(VPNRT_A_HEALTH_FAMILY) | VPNRT_BIT(VPNRT_A_HEALTH_DST) |
		     VPNRT_BIT(VPNRT_A_HEALTH_SRC) | VPNRT_BIT(VPNRT_A_HEALTH_INTERVAL) |
		     VPNRT_BIT(VPNRT_A_HEALTH_RETRIES) | VPNRT_BIT(VPNRT_A_HEALTH_RISE) |
		     VPNRT_BIT(VPNRT_A_HEALTH_POLICY) | VPNRT_BIT(VPNRT_A_HEALTH_TIMEOUT);
	want = h->present;
	h->present |= VPNRT_BIT(VPNRT_A_HEALTH_STATE) | VPNRT_BIT(VPNRT_A_HEALTH_SENT);
	conn.tunnels[0].present = VPNRT_BIT(VPNRT_A_TUNNEL_IFINDEX) |
				  VPNRT_BIT(VPNRT_A_TUNNEL_HEALTH);
	conn.present = VPNRT_BIT(VPNRT_A_CONN_NAME) | VPNRT_BIT(VPNRT_A_CONN_TUNNELS);
	TAP_CHECK(vpnrt_put_conn(msg, &conn) == 0 && vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_conn(tb[VPNRT_A_CONN], &c2) == 0 && c2.n_tunnels == 1 &&
		  c2.tunnels[0].pos == 1 && c2.tunnels[0].ifindex == 7 &&
		  c2.tunnels[0].present == conn.tunnels[0].present,
		  "a tunnel with IFINDEX and HEALTH round-trips as element 1");
	TAP_CHECK(c2.tunnels[0].health.present == want && c2.tunnels[0].health.family == AF_INET6 &&
		  c2.tunnels[0].health.dst.family == AF_INET6 &&
		  !memcmp(&c2.tunnels[0].health.dst.addr, &h->dst.addr, 16) &&
		  !memcmp(&c2.tunnels[0].health.src.addr, &h->src.addr, 16) &&
		  c2.tunnels[0].health.interval_ms == 250 && c2.tunnels[0].health.retries == 5 &&
		  c2.tunnels[0].health.timeout_ms == 900 &&
		  c2.tunnels[0].health.rise == 2 &&
		  c2.tunnels[0].health.policy == VPNRT_HEALTH_RESERVE_ROUTE &&
		  c2.tunnels[0].health.state == 0 && c2.tunnels[0].health.sent == 0,
		  "health: the request attributes round-trip, reply-only state and sent are not put");
	/*
	 * the nest as the kernel's strict parser wants it: the tunnels array,
	 * its element 1 and the health nest flagged nested, the addresses 16
	 * bytes. Every element is counted; the checks run whatever the parse
	 * gives, so a malformed nest fails them instead of skipping them.
	 */
	if (nla_parse_nested(ct, VPNRT_A_CONN_MAX, tb[VPNRT_A_CONN], NULL) < 0 ||
	    !ct[VPNRT_A_CONN_TUNNELS] || !(ct[VPNRT_A_CONN_TUNNELS]->nla_type & NLA_F_NESTED))
		ct[VPNRT_A_CONN_TUNNELS] = NULL;
	if (ct[VPNRT_A_CONN_TUNNELS]) {
		nla_for_each_nested(t, ct[VPNRT_A_CONN_TUNNELS], rem) {
			if (++n == 1)
				first = t;
		}
	}
	if (first && nla_type(first) == 1 && (first->nla_type & NLA_F_NESTED) &&
	    nla_parse_nested(tt, VPNRT_A_TUNNEL_MAX, first, NULL) == 0 &&
	    tt[VPNRT_A_TUNNEL_HEALTH] && (tt[VPNRT_A_TUNNEL_HEALTH]->nla_type & NLA_F_NESTED) &&
	    nla_parse_nested(ht, VPNRT_A_HEALTH_MAX, tt[VPNRT_A_TUNNEL_HEALTH], NULL) == 0) {
		nla_for_each_nested(a, tt[VPNRT_A_TUNNEL_HEALTH], hrem)
			types++;
		nest_ok = ht[VPNRT_A_HEALTH_DST] && nla_len(ht[VPNRT_A_HEALTH_DST]) == 16 &&
			  ht[VPNRT_A_HEALTH_SRC] && nla_len(ht[VPNRT_A_HEALTH_SRC]) == 16 &&
			  ht[VPNRT_A_HEALTH_FAMILY] &&
			  nla_get_u16(ht[VPNRT_A_HEALTH_FAMILY]) == AF_INET6;
	}
	TAP_CHECK(nest_ok && types == 8,
		  "health nest: element 1 and health nested, 8 attributes, 16-byte addresses (%d)",
		  types);
	TAP_CHECK(n == 1, "one tunnel element (%d)", n);
	nlmsg_free(msg);

	/* off: the flag alone */
	msg = vpnrt_msg_new(1, VPNRT_CMD_CONN_SET, NLM_F_ACK, 0);
	memset(&conn, 0, sizeof(conn));
	conn.n_tunnels = 1;
	conn.tunnels[0].health.present = VPNRT_BIT(VPNRT_A_HEALTH_OFF);
	conn.tunnels[0].present = VPNRT_BIT(VPNRT_A_TUNNEL_HEALTH);
	conn.present = VPNRT_BIT(VPNRT_A_CONN_ID) | VPNRT_BIT(VPNRT_A_CONN_TUNNELS);
	conn.id = 4;
	TAP_CHECK(vpnrt_put_conn(msg, &conn) == 0 && vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_conn(tb[VPNRT_A_CONN], &c2) == 0 && c2.n_tunnels == 1 &&
		  c2.tunnels[0].present == VPNRT_BIT(VPNRT_A_TUNNEL_HEALTH) &&
		  c2.tunnels[0].health.present == VPNRT_BIT(VPNRT_A_HEALTH_OFF),
		  "health off: a tunnel element with only HEALTH { OFF }");
	nlmsg_free(msg);

	/* a reply nest: counters (u64 and u32), state, IPv4 */
	msg = vpnrt_msg_new(1, VPNRT_CMD_CONN_GET, 0, 0);
	{
		struct nlattr *cn = nla_nest_start(msg, VPNRT_A_CONN), *ts, *tn, *hn;
		uint8_t d4[4] = { 172, 16, 255, 1 }, s4[4] = { 10, 99, 1, 1 };

		nla_put_string(msg, VPNRT_A_CONN_NAME, "c1");
		ts = nla_nest_start(msg, VPNRT_A_CONN_TUNNELS);
		tn = nla_nest_start(msg, 2);
		nla_put_u32(msg, VPNRT_A_TUNNEL_IFINDEX, 12);
		hn = nla_nest_start(msg, VPNRT_A_TUNNEL_HEALTH);
		nla_put(msg, VPNRT_A_HEALTH_DST, 4, d4);
		nla_put(msg, VPNRT_A_HEALTH_SRC, 4, s4);
		nla_put_u8(msg, VPNRT_A_HEALTH_STATE, VPNRT_HEALTH_DOWN);
		nla_put_u64(msg, VPNRT_A_HEALTH_SENT, 1ULL << 40);
		nla_put_u64(msg, VPNRT_A_HEALTH_LOSS_START, 1700000000123456789ULL);
		nla_put_u32(msg, VPNRT_A_HEALTH_WINDOW_LOST, 17);
		nla_nest_end(msg, hn);
		nla_nest_end(msg, tn);
		nla_nest_end(msg, ts);
		nla_nest_end(msg, cn);
	}
	TAP_CHECK(vpnrt_parse_msg(msg, tb) == 0 && vpnrt_parse_conn(tb[VPNRT_A_CONN], &c2) == 0 &&
		  c2.tunnels[0].pos == 2 && c2.tunnels[0].health.family == AF_INET &&
		  !VPNRT_HAS(&c2.tunnels[0].health, VPNRT_A_HEALTH_FAMILY) &&
		  c2.tunnels[0].health.state == VPNRT_HEALTH_DOWN &&
		  c2.tunnels[0].health.sent == 1ULL << 40 &&
		  c2.tunnels[0].health.loss_start_ns == 1700000000123456789ULL &&
		  c2.tunnels[0].health.window_lost == 17,
		  "a reply health nest parses: element 2, family from dst, u64 counters");
	nlmsg_free(msg);

	/* malformed: a 5-byte address, a short u64 */
	msg = vpnrt_msg_new(1, VPNRT_CMD_CONN_GET, 0, 0);
	{
		struct nlattr *hn = nla_nest_start(msg, VPNRT_A_CONN);
		struct vpnrt_health hh;

		nla_put(msg, VPNRT_A_HEALTH_DST, 5, "abcde");
		nla_nest_end(msg, hn);
		vpnrt_parse_msg(msg, tb);
		TAP_CHECK(vpnrt_parse_health(tb[VPNRT_A_CONN], &hh) < 0,
			  "a 5-byte health dst is malformed");
	}
	nlmsg_free(msg);
	msg = vpnrt_msg_new(1, VPNRT_CMD_CONN_GET, 0, 0);
	{
		struct nlattr *hn = nla_nest_start(msg, VPNRT_A_CONN);
		struct vpnrt_health hh;

		nla_put_u32(msg, VPNRT_A_HEALTH_SENT, 5);
		nla_nest_end(msg, hn);
		vpnrt_parse_msg(msg, tb);
		TAP_CHECK(vpnrt_parse_health(tb[VPNRT_A_CONN], &hh) < 0,
			  "a 4-byte health sent is malformed");
	}
	nlmsg_free(msg);
}

/* the replace flag, the stale flag of replies, the stale/sweep request */
static void test_replace_stale(void)
{
	struct vpnrt_route in[2], out;
	struct vpnrt_stale st = { 0 }, st2;
	struct nlattr *tb[VPNRT_A_MAX + 1], *a;
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	int rem, n = 0;

	in[0] = mk("10.1.0.0/16", NULL, VPNRT_PROTO_STATIC, "c1");
	in[1] = mk("10.2.0.0/16", NULL, VPNRT_PROTO_BGP, "c1");
	msg = vpnrt_routes_msg(0x33, VPNRT_CMD_ROUTE_NEW, true, in, 2);
	nlh = msg ? nlmsg_hdr(msg) : NULL;
	TAP_CHECK(nlh && !(nlh->nlmsg_flags & NLM_F_REPLACE) && (nlh->nlmsg_flags & NLM_F_ACK) &&
		  ((struct genlmsghdr *)nlmsg_data(nlh))->cmd == VPNRT_CMD_ROUTE_NEW &&
		  vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_REPLACE] &&
		  nla_len(tb[VPNRT_A_REPLACE]) == 0,
		  "vpnrt_routes_msg replace: ROUTE_NEW, NLM_F_ACK, the flag VPNRT_A_REPLACE (not NLM_F_REPLACE)");
	if (msg && vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_ROUTES])
		nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem)
			n += vpnrt_parse_route(a, &out) == 0 && out.present == in[n].present;
	TAP_CHECK(n == 2, "vpnrt_routes_msg: both routes, as put (%d)", n);
	nlmsg_free(msg);
	msg = vpnrt_routes_msg(0x33, VPNRT_CMD_ROUTE_NEW, false, in, 1);
	TAP_CHECK(msg && (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_ACK) &&
		  vpnrt_parse_msg(msg, tb) == 0 && !tb[VPNRT_A_REPLACE] && tb[VPNRT_A_ROUTES],
		  "vpnrt_routes_msg without replace: no VPNRT_A_REPLACE");
	nlmsg_free(msg);

	/* a reply route with the stale flag, and one without */
	msg = vpnrt_msg_new(1, VPNRT_CMD_ROUTE_GET, 0, 0);
	{
		struct nlattr *arr = nla_nest_start(msg, VPNRT_A_ROUTES), *e;

		e = nla_nest_start(msg, 1);
		nla_put_u8(msg, VPNRT_A_ROUTE_PROTO, VPNRT_PROTO_BGP);
		nla_put_flag(msg, VPNRT_A_ROUTE_STALE);
		nla_nest_end(msg, e);
		e = nla_nest_start(msg, 2);
		nla_put_u8(msg, VPNRT_A_ROUTE_PROTO, VPNRT_PROTO_BGP);
		nla_nest_end(msg, e);
		nla_nest_end(msg, arr);
	}
	n = 0;
	if (vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_ROUTES])
		nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
			if (vpnrt_parse_route(a, &out) == 0 &&
			    out.stale == (n == 0) &&
			    VPNRT_HAS(&out, VPNRT_A_ROUTE_STALE) == (n == 0))
				n++;
		}
	TAP_CHECK(n == 2, "VPNRT_A_ROUTE_STALE parses to stale (and its present bit), its absence not");
	nlmsg_free(msg);

	/* the stale request round-trips; COUNT of a reply parses */
	st.gw_ifindex = 7;
	snprintf(st.conn, sizeof(st.conn), "peer-1");
	st.proto = VPNRT_PROTO_BGP;
	st.timeout = 240;
	st.count = 99;		/* reply only: not put */
	st.present = VPNRT_BIT(VPNRT_A_STALE_GW_IFINDEX) | VPNRT_BIT(VPNRT_A_STALE_CONN) |
		     VPNRT_BIT(VPNRT_A_STALE_PROTO) | VPNRT_BIT(VPNRT_A_STALE_TIMEOUT);
	msg = vpnrt_stale_msg(0x33, VPNRT_CMD_ROUTE_STALE, &st);
	nlh = msg ? nlmsg_hdr(msg) : NULL;
	TAP_CHECK(nlh && (nlh->nlmsg_flags & NLM_F_ACK) &&
		  ((struct genlmsghdr *)nlmsg_data(nlh))->cmd == VPNRT_CMD_ROUTE_STALE,
		  "vpnrt_stale_msg: ROUTE_STALE with NLM_F_ACK");
	TAP_CHECK(msg && vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_STALE] &&
		  (tb[VPNRT_A_STALE]->nla_type & NLA_F_NESTED) &&
		  vpnrt_parse_stale(tb[VPNRT_A_STALE], &st2) == 0 &&
		  st2.present == st.present && st2.gw_ifindex == 7 &&
		  !strcmp(st2.conn, "peer-1") && st2.proto == VPNRT_PROTO_BGP &&
		  st2.timeout == 240 && st2.count == 0,
		  "stale scope round-trips: gw, conn, proto, timeout; count not put");
	nlmsg_free(msg);
	st.present = VPNRT_BIT(VPNRT_A_STALE_GW_IFINDEX) | VPNRT_BIT(VPNRT_A_STALE_CONN_ID);
	st.conn_id = 4;
	msg = vpnrt_stale_msg(0x33, VPNRT_CMD_ROUTE_SWEEP, &st);
	TAP_CHECK(msg && ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd ==
		  VPNRT_CMD_ROUTE_SWEEP && vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_stale(tb[VPNRT_A_STALE], &st2) == 0 &&
		  st2.present == st.present && st2.conn_id == 4 && !st2.conn[0],
		  "sweep by conn id: only gw and conn id");
	nlmsg_free(msg);
	msg = vpnrt_msg_new(1, VPNRT_CMD_ROUTE_SWEEP, 0, 0);
	a = nla_nest_start(msg, VPNRT_A_STALE);
	nla_put_u32(msg, VPNRT_A_STALE_GW_IFINDEX, 3);
	nla_put_u32(msg, VPNRT_A_STALE_COUNT, 123456);
	nla_nest_end(msg, a);
	TAP_CHECK(vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_stale(tb[VPNRT_A_STALE], &st2) == 0 && st2.count == 123456 &&
		  VPNRT_HAS(&st2, VPNRT_A_STALE_COUNT),
		  "a sweep reply: COUNT parses");
	nlmsg_free(msg);
	msg = vpnrt_msg_new(1, VPNRT_CMD_ROUTE_SWEEP, 0, 0);
	a = nla_nest_start(msg, VPNRT_A_STALE);
	nla_put_u8(msg, VPNRT_A_STALE_COUNT, 1);
	nla_nest_end(msg, a);
	TAP_CHECK(vpnrt_parse_msg(msg, tb) == 0 &&
		  vpnrt_parse_stale(tb[VPNRT_A_STALE], &st2) < 0,
		  "a 1-byte COUNT is malformed");
	nlmsg_free(msg);
}

static void test_names(void)
{
	char buf[128];

	TAP_STREQ(name_of(&vpnrt_reason_names, VPNRT_REASON_STATIC), "static",
		  "reason names follow enum vpnrt_reason");
	TAP_STREQ(name_list(&vpnrt_reason_names, ",", buf, sizeof(buf)),
		  "none,policy,prefix,static,weight,pref,ecmp,failover,fallback",
		  "all reason names in order");
	TAP_STREQ(name_of(&vpnrt_reason_names, 200), "unknown", "an unknown value");
	TAP_CHECK(name_lookup(&vpnrt_proto_names, "bgp") == VPNRT_PROTO_BGP &&
		  name_lookup(&vpnrt_proto_names, "s") == VPNRT_PROTO_STATIC &&
		  name_lookup(&vpnrt_proto_names, "") == -1 &&
		  name_lookup(&vpnrt_hash_names, "l") == -1,
		  "name lookup: exact, unique prefix, empty, ambiguous");
	TAP_STREQ(flags_str(&vpnrt_down_reason_names,
			    VPNRT_DOWN_ADMIN | VPNRT_DOWN_NO_TUNNEL | (1u << 9), buf, sizeof(buf)),
		  "admin,no-tunnel,bit9", "down reasons as a list, unknown bits by number");
	TAP_STREQ(flags_str(&vpnrt_down_reason_names, VPNRT_DOWN_IKE | VPNRT_DOWN_NO_DEVICE |
			    VPNRT_DOWN_LINK | VPNRT_DOWN_HEALTH, buf, sizeof(buf)),
		  "ike,no-device,link,health", "every down reason name");
	TAP_STREQ(name_list(&vpnrt_health_state_names, ",", buf, sizeof(buf)),
		  "init,up,down", "health states follow enum vpnrt_health_state");
	TAP_STREQ(name_list(&vpnrt_health_policy_names, ",", buf, sizeof(buf)),
		  "revoke-route,reserve-route", "health policies follow enum vpnrt_health_policy");
	TAP_STREQ(name_list(&vpnrt_health_reason_names, ",", buf, sizeof(buf)),
		  "start,lost,answered,events-lost", "health reasons follow enum vpnrt_health_reason");
	TAP_CHECK(name_lookup(&vpnrt_health_policy_names, "reserve") == VPNRT_HEALTH_RESERVE_ROUTE &&
		  name_lookup(&vpnrt_health_policy_names, "re") == -1,
		  "health policy lookup: unique prefix, ambiguous");
}

int main(void)
{
	test_routes();
	test_gw_conn();
	test_health();
	test_replace_stale();
	test_names();
	return tap_done();
}
