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

static void test_names(void)
{
	char buf[128];

	TAP_STREQ(name_of(&vpnrt_reason_names, VPNRT_REASON_STATIC), "static-over-bgp",
		  "reason names follow enum vpnrt_reason");
	TAP_STREQ(name_list(&vpnrt_reason_names, ",", buf, sizeof(buf)),
		  "none,policy,longest-prefix,static-over-bgp,weight,bgp-pref,ecmp,failover,fallback",
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
}

int main(void)
{
	test_routes();
	test_gw_conn();
	test_names();
	return tap_done();
}
