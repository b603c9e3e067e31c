// SPDX-License-Identifier: GPL-2.0
/* Output: route get/show, conn show, gateway show, monitor, text and JSON */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fake.h"
#include "tap.h"

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void put_addr(struct nl_msg *m, int attr, int family, const char *s)
{
	unsigned char a[16];

	inet_pton(family, s, a);
	nla_put(m, attr, family == AF_INET ? 4 : 16, a);
}

/* a route nest as the kernel replies it */
static void put_route(struct nl_msg *m, int idx, const char *dst, int len,
		      const char *src, int slen, uint8_t proto, const char *conn,
		      uint8_t weight, int prio, long pref, bool usable)
{
	struct nlattr *n = nla_nest_start(m, idx);
	int fam = strchr(dst, ':') ? AF_INET6 : AF_INET;

	nla_put_u32(m, VPNRT_A_ROUTE_GW_IFINDEX, 10);
	nla_put_string(m, VPNRT_A_ROUTE_CONN, conn);
	nla_put_u32(m, VPNRT_A_ROUTE_CONN_ID, 1);
	nla_put_u8(m, VPNRT_A_ROUTE_PROTO, proto);
	nla_put_u16(m, VPNRT_A_ROUTE_FAMILY, (uint16_t)fam);
	put_addr(m, VPNRT_A_ROUTE_DST, fam, dst);
	nla_put_u8(m, VPNRT_A_ROUTE_DST_LEN, (uint8_t)len);
	if (src) {
		put_addr(m, VPNRT_A_ROUTE_SRC, fam, src);
		nla_put_u8(m, VPNRT_A_ROUTE_SRC_LEN, (uint8_t)slen);
	}
	if (proto != VPNRT_PROTO_BGP)
		nla_put_u8(m, VPNRT_A_ROUTE_WEIGHT, weight);
	if (prio >= 0)
		nla_put_u8(m, VPNRT_A_ROUTE_PRIORITY, (uint8_t)prio);
	if (pref >= 0)
		nla_put_u32(m, VPNRT_A_ROUTE_PREF, (uint32_t)pref);
	nla_put_u32(m, VPNRT_A_ROUTE_FLAGS, 0);
	nla_put_u8(m, VPNRT_A_ROUTE_USABLE, usable);
	nla_nest_end(m, n);
}

static struct nl_msg *lookup_reply(bool fallback, bool policy)
{
	struct nl_msg *m = reply_new(VPNRT_CMD_ROUTE_LOOKUP);
	struct nlattr *lk = nla_nest_start(m, VPNRT_A_LOOKUP);

	if (policy)
		put_route(m, VPNRT_A_LOOKUP_ROUTE, "10.1.0.0", 16, "192.168.0.0", 24,
			  VPNRT_PROTO_POLICY, "c1", 100, 10, -1, true);
	else
		put_route(m, VPNRT_A_LOOKUP_ROUTE, "10.1.0.0", 16, NULL, 0,
			  VPNRT_PROTO_STATIC, "c1", 100, -1, -1, !fallback);
	nla_put_u32(m, VPNRT_A_LOOKUP_TUNNEL_IFINDEX, 11);
	nla_put_string(m, VPNRT_A_LOOKUP_TUNNEL_IFNAME, "xfrm1");
	nla_put_u8(m, VPNRT_A_LOOKUP_REASON, fallback ? VPNRT_REASON_FALLBACK :
		   policy ? VPNRT_REASON_POLICY : VPNRT_REASON_PREFIX);
	nla_put_u8(m, VPNRT_A_LOOKUP_FALLBACK, fallback);
	nla_put_u32(m, VPNRT_A_LOOKUP_N_PATHS, 1);
	nla_put_u32(m, VPNRT_A_LOOKUP_HASH, 0xdeadbeef);
	nla_put_u32(m, VPNRT_A_LOOKUP_SKIPPED, fallback ? 2 : 0);
	nla_nest_end(m, lk);
	return m;
}

static void test_route_get(void)
{
	struct vpnrtctl c;
	struct fake f;
	int rc;

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = lookup_reply(false, false);
	rc = run_line(&c, "route get 10.1.2.3 gateway vpngw0");
	TAP_STREQ(fake_out(&c),
		  "{\"dst\":\"10.1.2.3\",\"gateway\":\"vpngw0\",\"gateway_ifindex\":10,\"prefix\":\"10.1.0.0/16\","
		  "\"family\":\"inet\",\"proto\":\"static\",\"conn\":\"c1\",\"conn_id\":1,"
		  "\"weight\":100,\"flags\":[],\"usable\":true,"
		  "\"tunnel\":\"xfrm1\",\"tunnel_ifindex\":11,\"reason\":\"longest-prefix\","
		  "\"fallback\":false,\"paths\":1,\"hash\":3735928559,\"skipped\":0}\n",
		  "route get -j: one object with prefix, proto, conn, tunnel, reason, fallback false");
	TAP_CHECK(rc == 0, "route get succeeds");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = lookup_reply(true, false);
	run_line(&c, "route get 10.1.2.3 gateway vpngw0");
	TAP_CHECK(strstr(fake_out(&c), "\"reason\":\"fallback\",\"fallback\":true") &&
		  strstr(fake_out(&c), "\"usable\":false") &&
		  strstr(fake_out(&c), "\"skipped\":2"),
		  "route get -j, all down: reason fallback, fallback true");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = lookup_reply(false, true);
	run_line(&c, "route get 10.1.2.3 gateway vpngw0 from 192.168.0.9");
	TAP_CHECK(strstr(fake_out(&c), "\"src\":\"192.168.0.9\"") &&
		  strstr(fake_out(&c), "\"from\":\"192.168.0.0/24\"") &&
		  strstr(fake_out(&c), "\"proto\":\"policy\"") &&
		  strstr(fake_out(&c), "\"priority\":10") &&
		  strstr(fake_out(&c), "\"reason\":\"policy\""),
		  "route get -j, policy: from, priority, reason policy");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = lookup_reply(false, true);
	run_line(&c, "route get 10.1.2.3 gateway vpngw0 from 192.168.0.9");
	TAP_STREQ(fake_out(&c),
		  "10.1.2.3 route 10.1.0.0/16 from 192.168.0.0/24 conn c1 proto policy priority 10 "
		  "weight 100 tunnel xfrm1 reason policy paths 1 hash 0xdeadbeef skipped 0\n",
		  "route get text");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = lookup_reply(true, false);
	run_line(&c, "route get 10.1.2.3 gateway vpngw0");
	TAP_CHECK(strstr(fake_out(&c), " unusable tunnel xfrm1 reason fallback fallback paths 1"),
		  "route get text, all down: %s", fake_out(&c));
	fake_fini(&c, &f);

	/* no route at all */
	fake_init(&c, &f);
	c.json = true;
	{
		struct nl_msg *m = reply_new(VPNRT_CMD_ROUTE_LOOKUP);
		struct nlattr *lk = nla_nest_start(m, VPNRT_A_LOOKUP);

		nla_put_u8(m, VPNRT_A_LOOKUP_REASON, VPNRT_REASON_NONE);
		nla_nest_end(m, lk);
		f.replies[f.n_replies++] = m;
	}
	run_line(&c, "route get 2001:db8::1 gateway vpngw0");
	TAP_STREQ(fake_out(&c),
		  "{\"dst\":\"2001:db8::1\",\"gateway\":\"vpngw0\",\"gateway_ifindex\":10,\"prefix\":null,\"proto\":null,"
		  "\"conn\":null,\"tunnel\":null,\"reason\":\"none\",\"fallback\":false,"
		  "\"paths\":0,\"hash\":0,\"skipped\":0}\n",
		  "route get -j without a route: nulls and reason none");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	rc = run_line(&c, "route get 10.1.2.3 gateway vpngw0");
	TAP_CHECK(rc == -1 && strstr(c.err, "without an answer"), "an ack without a reply is an error");
	fake_fini(&c, &f);
}

static void test_route_show(void)
{
	struct vpnrtctl c;
	struct fake f;
	struct nl_msg *m;
	struct nlattr *n;
	int rc;

	fake_init(&c, &f);
	m = reply_new(VPNRT_CMD_ROUTE_GET);
	n = nla_nest_start(m, VPNRT_A_ROUTES);
	put_route(m, 1, "10.0.0.0", 8, NULL, 0, VPNRT_PROTO_STATIC, "c1", 0, -1, -1, false);
	nla_nest_end(m, n);
	f.replies[f.n_replies++] = m;
	m = reply_new(VPNRT_CMD_ROUTE_GET);
	n = nla_nest_start(m, VPNRT_A_ROUTES);
	put_route(m, 1, "2001:db8::", 32, NULL, 0, VPNRT_PROTO_BGP, "c2", 0, -1, 200, true);
	nla_nest_end(m, n);
	f.replies[f.n_replies++] = m;
	rc = run_line(&c, "route show");
	TAP_STREQ(fake_out(&c),
		  "10.0.0.0/8 conn c1 proto static weight 0 gateway vpngw0 unusable\n"
		  "2001:db8::/32 conn c2 proto bgp pref 200 gateway vpngw0\n",
		  "route show text: one line per route");
	TAP_CHECK(rc == 0, "route show succeeds");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	m = reply_new(VPNRT_CMD_ROUTE_GET);
	n = nla_nest_start(m, VPNRT_A_ROUTES);
	put_route(m, 1, "10.0.0.0", 8, "172.16.0.0", 12, VPNRT_PROTO_POLICY, "c1", 100, 7, -1, true);
	nla_nest_end(m, n);
	f.replies[f.n_replies++] = m;
	f.dump_intr = true;
	rc = run_line(&c, "route show");
	TAP_STREQ(fake_out(&c),
		  "[{\"prefix\":\"10.0.0.0/8\",\"from\":\"172.16.0.0/12\",\"family\":\"inet\","
		  "\"proto\":\"policy\",\"conn\":\"c1\",\"conn_id\":1,\"gateway\":\"vpngw0\","
		  "\"gateway_ifindex\":10,\"weight\":100,\"priority\":7,\"flags\":[],\"usable\":true}]\n",
		  "route show -j: an array (closed even when the dump was interrupted)");
	TAP_CHECK(rc == -1 && !strcmp(c.err, DUMP_INTR_MSG),
		  "NLM_F_DUMP_INTR: warning and failure: %s", c.err);
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	rc = run_line(&c, "route show");
	TAP_STREQ(fake_out(&c), "[]\n", "route show -j with no routes: []");
	fake_fini(&c, &f);
}

static struct nl_msg *conn_reply(uint8_t cmd, bool down)
{
	struct nl_msg *m = reply_new(cmd);
	struct nlattr *cn = nla_nest_start(m, VPNRT_A_CONN), *ts, *t;

	nla_put_string(m, VPNRT_A_CONN_NAME, "c1");
	nla_put_u32(m, VPNRT_A_CONN_ID, 1);
	nla_put_u32(m, VPNRT_A_CONN_GW_IFINDEX, 10);
	ts = nla_nest_start(m, VPNRT_A_CONN_TUNNELS);
	t = nla_nest_start(m, 1);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, 11);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, "xfrm1");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, 0);
	nla_put_u64(m, VPNRT_A_TUNNEL_TX_PACKETS, 5);
	nla_put_u64(m, VPNRT_A_TUNNEL_TX_BYTES, 500);
	nla_put_u64(m, VPNRT_A_TUNNEL_TX_ERRORS, 0);
	nla_nest_end(m, t);
	t = nla_nest_start(m, 2);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, 12);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, "xfrm2");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, VPNRT_STATE_DOWN);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, VPNRT_DOWN_LINK | VPNRT_DOWN_HEALTH);
	nla_nest_end(m, t);
	nla_nest_end(m, ts);
	nla_put_u8(m, VPNRT_A_CONN_MODE, VPNRT_MODE_ACTIVE_STANDBY);
	nla_put_u8(m, VPNRT_A_CONN_ROUTING, VPNRT_ROUTING_DESTINATION);
	nla_put_u8(m, VPNRT_A_CONN_ADMIN, down ? VPNRT_STATE_DOWN : VPNRT_STATE_UP);
	nla_put_u8(m, VPNRT_A_CONN_IKE_MANAGED, 0);
	nla_put_u8(m, VPNRT_A_CONN_IKE, VPNRT_STATE_UP);
	nla_put_u8(m, VPNRT_A_CONN_STATE, down ? VPNRT_STATE_DOWN : VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_CONN_DOWN_REASON, down ? VPNRT_DOWN_ADMIN : 0);
	nla_put_u32(m, VPNRT_A_CONN_N_ROUTES, 3);
	nla_put_u32(m, VPNRT_A_CONN_N_BGP_ROUTES, 1);
	nla_nest_end(m, cn);
	return m;
}

static struct nl_msg *gw_reply(uint8_t cmd)
{
	struct nl_msg *m = reply_new(cmd);
	struct nlattr *g = nla_nest_start(m, VPNRT_A_GW), *s;

	nla_put_u32(m, VPNRT_A_GW_IFINDEX, 10);
	nla_put_string(m, VPNRT_A_GW_IFNAME, "vpngw0");
	nla_put_u8(m, VPNRT_A_GW_ECMP_HASH, VPNRT_HASH_L4);
	nla_put_u32(m, VPNRT_A_GW_MAX_PATHS, 16);
	nla_put_u32(m, VPNRT_A_GW_MAX_CONNS, 50);
	nla_put_u32(m, VPNRT_A_GW_MAX_BGP_ROUTES, 50);
	nla_put_u32(m, VPNRT_A_GW_MAX_PEER_ROUTES, 100);
	nla_put_u32(m, VPNRT_A_GW_MAX_POLICY_ROUTES, 100);
	nla_put_u32(m, VPNRT_A_GW_MAX_ROUTES, 1048576);
	nla_put_u32(m, VPNRT_A_GW_N_CONNS, 2);
	nla_put_u32(m, VPNRT_A_GW_N_ROUTES, 3);
	nla_put_u32(m, VPNRT_A_GW_N_POLICY_ROUTES, 1);
	nla_put_u32(m, VPNRT_A_GW_N_BGP_ROUTES, 0);
	s = nla_nest_start(m, VPNRT_A_GW_STATS);
	nla_put_u64(m, VPNRT_A_GW_STATS_TX_PACKETS, 10);
	nla_put_u64(m, VPNRT_A_GW_STATS_TX_BYTES, 1000);
	nla_put_u64(m, VPNRT_A_GW_STATS_NO_ROUTE, 1);
	nla_put_u64(m, VPNRT_A_GW_STATS_FALLBACK, 2);
	nla_put_u64(m, VPNRT_A_GW_STATS_TX_ERRORS, 3);
	nla_nest_end(m, s);
	nla_nest_end(m, g);
	return m;
}

static void test_conn_gw(void)
{
	struct vpnrtctl c;
	struct fake f;

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_reply(VPNRT_CMD_CONN_GET, false);
	run_line(&c, "conn show");
	TAP_STREQ(fake_out(&c),
		  "c1 id 1 gateway vpngw0 mode active-standby admin up ike none state up routes 3 bgp-routes 1\n"
		  "    tunnel xfrm1 state up\n"
		  "    tunnel xfrm2 state down reason link,health\n",
		  "conn show text: a line, then a line per tunnel");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_reply(VPNRT_CMD_CONN_GET, false);
	run_line(&c, "conn show -s");
	TAP_CHECK(strstr(fake_out(&c), "    tunnel xfrm1 state up\n        tx packets 5 bytes 500 errors 0\n") != NULL,
		  "conn show -s: tunnel counters");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = conn_reply(VPNRT_CMD_CONN_GET, true);
	run_line(&c, "conn show");
	TAP_STREQ(fake_out(&c),
		  "[{\"name\":\"c1\",\"id\":1,\"gateway\":\"vpngw0\",\"gateway_ifindex\":10,"
		  "\"mode\":\"active-standby\",\"routing\":\"destination\",\"admin\":\"down\","
		  "\"ike\":\"none\",\"ike_managed\":false,\"state\":\"down\",\"down_reason\":[\"admin\"],"
		  "\"routes\":3,\"bgp_routes\":1,\"tunnels\":["
		  "{\"dev\":\"xfrm1\",\"ifindex\":11,\"state\":\"up\",\"down_reason\":[]},"
		  "{\"dev\":\"xfrm2\",\"ifindex\":12,\"state\":\"down\",\"down_reason\":[\"link\",\"health\"]}]}]\n",
		  "conn show -j");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_GET);
	run_line(&c, "gateway show");
	TAP_STREQ(fake_out(&c),
		  "vpngw0: ecmp-hash l4 max-paths 16 conns 2/50 routes 3 policy 1/100 bgp 0/50 "
		  "max-routes 1048576 max-peer-routes 100\n",
		  "gateway show text");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.stats = true;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_GET);
	run_line(&c, "gateway show");
	TAP_CHECK(strstr(fake_out(&c), "\n    tx packets 10 bytes 1000 errors 3 no-route 1 fallback 2\n") != NULL,
		  "gateway show -s: counters");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	c.stats = true;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_GET);
	run_line(&c, "gateway show vpngw0");
	TAP_STREQ(fake_out(&c),
		  "[{\"ifname\":\"vpngw0\",\"ifindex\":10,\"ecmp_hash\":\"l4\",\"max_paths\":16,"
		  "\"max_conns\":50,\"max_bgp_routes\":50,\"max_peer_routes\":100,"
		  "\"max_policy_routes\":100,\"max_routes\":1048576,\"conns\":2,\"routes\":3,"
		  "\"policy_routes\":1,\"bgp_routes\":0,\"stats\":{\"tx_packets\":10,"
		  "\"tx_bytes\":1000,\"no_route\":1,\"fallback\":2,\"tx_errors\":3}}]\n",
		  "gateway show -j -s");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	c.pretty = true;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_GET);
	run_line(&c, "gateway show");
	TAP_CHECK(starts(fake_out(&c), "[\n    {\n        \"ifname\": \"vpngw0\",\n"),
		  "-p pretty-prints");
	fake_fini(&c, &f);
}

static void test_monitor(void)
{
	struct vpnrtctl c;
	struct fake f;
	struct nl_msg *m;
	struct nlattr *n;
	int rc;

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_reply(VPNRT_CMD_CONN_SET, true);
	m = reply_new(VPNRT_CMD_ROUTE_NEW);
	n = nla_nest_start(m, VPNRT_A_ROUTES);
	put_route(m, 1, "10.0.0.0", 8, NULL, 0, VPNRT_PROTO_STATIC, "c1", 100, -1, -1, true);
	put_route(m, 2, "10.2.0.0", 16, NULL, 0, VPNRT_PROTO_BGP, "c1", 0, -1, 5, true);
	nla_nest_end(m, n);
	f.replies[f.n_replies++] = m;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_DEL);
	f.replies[f.n_replies++] = reply_new(77);
	rc = run_line(&c, "monitor");
	TAP_STREQ(fake_out(&c),
		  "conn set c1 id 1 gateway vpngw0 mode active-standby admin down ike none state down "
		  "reason admin routes 3 bgp-routes 1 tunnel xfrm1 state up tunnel xfrm2 state down "
		  "reason link,health\n"
		  "route add 10.0.0.0/8 conn c1 proto static weight 100 gateway vpngw0\n"
		  "route add 10.2.0.0/16 conn c1 proto bgp pref 5 gateway vpngw0\n"
		  "gateway del vpngw0: ecmp-hash l4 max-paths 16 conns 2/50 routes 3 policy 1/100 "
		  "bgp 0/50 max-routes 1048576 max-peer-routes 100\n"
		  "event cmd 77 len 20 (unknown command)\n",
		  "monitor text: one line per event (and per route)");
	TAP_CHECK(rc == -1, "monitor returns only on failure");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	c.pretty = true;	/* ignored: one object per line */
	f.replies[f.n_replies++] = conn_reply(VPNRT_CMD_CONN_NEW, false);
	m = reply_new(VPNRT_CMD_ROUTE_DEL);
	n = nla_nest_start(m, VPNRT_A_ROUTES);
	put_route(m, 1, "10.0.0.0", 8, NULL, 0, VPNRT_PROTO_STATIC, "c1", 100, -1, -1, true);
	nla_nest_end(m, n);
	f.replies[f.n_replies++] = m;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_SET);
	f.replies[f.n_replies++] = reply_new(99);
	run_line(&c, "monitor");
	{
		const char *o = fake_out(&c);
		int lines = 0;

		for (const char *p = o; *p; p++)
			lines += *p == '\n';
		TAP_CHECK(lines == 4 && starts(o, "{\"event\":\"conn-new\",\"name\":\"c1\"") &&
			  strstr(o, "\n{\"event\":\"route-del\",\"prefix\":\"10.0.0.0/8\"") &&
			  strstr(o, "\n{\"event\":\"gw-set\",\"ifname\":\"vpngw0\"") &&
			  strstr(o, "\n{\"event\":\"unknown\",\"cmd\":99,"),
			  "monitor -j: one object per line with \"event\"");
	}
	fake_fini(&c, &f);
}

int main(void)
{
	test_route_get();
	test_route_show();
	test_conn_gw();
	test_monitor();
	return tap_done();
}
