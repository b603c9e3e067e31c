// SPDX-License-Identifier: GPL-2.0
/* Output: route get/show, conn show, gateway show, monitor, text and JSON */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fake.h"
#include "names.h"
#include "tap.h"

/* the tests run in userspace/ (make -C userspace test) */
#define SPEC_YAML	"../Documentation/netlink/vpnrt.yaml"
#define MAN_PAGE	"../Documentation/vpnrtctl.8"

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
		  "\"tunnel\":\"xfrm1\",\"tunnel_ifindex\":11,\"reason\":\"prefix\","
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

	/* no route: the kernel's ENETUNREACH and its message are the error */
	fake_init(&c, &f);
	f.fail_at = 0;
	f.fail_msg = "lookup: no route to 2001:db8::1 in vpngw0";
	rc = run_line(&c, "route get 2001:db8::1 gateway vpngw0");
	TAP_CHECK(rc == -1 && c.err_kernel &&
		  !strcmp(c.err, "lookup: no route to 2001:db8::1 in vpngw0") &&
		  !strcmp(fake_out(&c), ""),
		  "route get without a route: the kernel's message is the error, nothing printed");
	fake_fini(&c, &f);

	/* a reply naming no route is not an answer (the kernel never sends one) */
	fake_init(&c, &f);
	c.json = true;
	{
		struct nl_msg *m = reply_new(VPNRT_CMD_ROUTE_LOOKUP);
		struct nlattr *lk = nla_nest_start(m, VPNRT_A_LOOKUP);

		nla_put_u8(m, VPNRT_A_LOOKUP_REASON, VPNRT_REASON_NONE);
		nla_nest_end(m, lk);
		f.replies[f.n_replies++] = m;
	}
	rc = run_line(&c, "route get 2001:db8::1 gateway vpngw0");
	TAP_CHECK(rc == -1 && strstr(c.err, "without an answer") && !strcmp(fake_out(&c), ""),
		  "route get: a reply without a route is skipped, then an error: %s", c.err);
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

/* a route marked stale: " stale" in text, "stale":true in JSON */
static void test_route_stale(void)
{
	struct vpnrtctl c;
	struct fake f;
	struct nl_msg *m;
	struct nlattr *n;
	int rc;

	for (int json = 0; json < 2; json++) {
		fake_init(&c, &f);
		c.json = json;
		m = reply_new(VPNRT_CMD_ROUTE_GET);
		n = nla_nest_start(m, VPNRT_A_ROUTES);
		put_route(m, 1, "10.0.0.0", 8, NULL, 0, VPNRT_PROTO_BGP, "c1", 0, -1, 20, true);
		nla_nest_end(m, n);
		f.replies[f.n_replies++] = m;
		m = reply_new(VPNRT_CMD_ROUTE_GET);
		n = nla_nest_start(m, VPNRT_A_ROUTES);
		{
			struct nlattr *e = nla_nest_start(m, 1);

			nla_put_u16(m, VPNRT_A_ROUTE_FAMILY, AF_INET);
			put_addr(m, VPNRT_A_ROUTE_DST, AF_INET, "10.1.0.0");
			nla_put_u8(m, VPNRT_A_ROUTE_DST_LEN, 16);
			nla_put_u8(m, VPNRT_A_ROUTE_PROTO, VPNRT_PROTO_BGP);
			nla_put_string(m, VPNRT_A_ROUTE_CONN, "c1");
			nla_put_u32(m, VPNRT_A_ROUTE_PREF, 30);
			nla_put_u8(m, VPNRT_A_ROUTE_USABLE, 1);
			nla_put_flag(m, VPNRT_A_ROUTE_STALE);
			nla_nest_end(m, e);
		}
		nla_nest_end(m, n);
		f.replies[f.n_replies++] = m;
		rc = run_line(&c, "route show");
		if (!json)
			TAP_STREQ(fake_out(&c),
				  "10.0.0.0/8 conn c1 proto bgp pref 20 gateway vpngw0\n"
				  "10.1.0.0/16 conn c1 proto bgp pref 30 stale\n",
				  "route show text: a stale route says stale, a fresh one nothing");
		else
			TAP_STREQ(fake_out(&c),
				  "[{\"prefix\":\"10.0.0.0/8\",\"family\":\"inet\",\"proto\":\"bgp\","
				  "\"conn\":\"c1\",\"conn_id\":1,\"gateway\":\"vpngw0\","
				  "\"gateway_ifindex\":10,\"pref\":20,\"flags\":[],\"usable\":true},"
				  "{\"prefix\":\"10.1.0.0/16\",\"family\":\"inet\",\"proto\":\"bgp\","
				  "\"conn\":\"c1\",\"pref\":30,\"usable\":true,\"stale\":true}]\n",
				  "route show -j: \"stale\":true on the stale route only");
		TAP_CHECK(rc == 0, "route show with a stale route succeeds (%s)",
			  json ? "json" : "text");
		fake_fini(&c, &f);
	}
}

/* the kernel's reply to route stale / sweep: the scope and the count */
static struct nl_msg *stale_reply_msg(uint8_t cmd, bool conn, uint32_t timeout,
				      uint32_t count)
{
	struct nl_msg *m = reply_new(cmd);
	struct nlattr *n = nla_nest_start(m, VPNRT_A_STALE);

	nla_put_u32(m, VPNRT_A_STALE_GW_IFINDEX, 10);
	if (conn) {
		nla_put_string(m, VPNRT_A_STALE_CONN, "c1");
		nla_put_u32(m, VPNRT_A_STALE_CONN_ID, 1);
	}
	nla_put_u8(m, VPNRT_A_STALE_PROTO, VPNRT_PROTO_BGP);
	if (cmd == VPNRT_CMD_ROUTE_STALE)
		nla_put_u32(m, VPNRT_A_STALE_TIMEOUT, timeout);
	nla_put_u32(m, VPNRT_A_STALE_COUNT, count);
	nla_nest_end(m, n);
	return m;
}

static void test_stale_sweep_output(void)
{
	struct vpnrtctl c;
	struct fake f;
	int rc;

	fake_init(&c, &f);
	f.replies[f.n_replies++] = stale_reply_msg(VPNRT_CMD_ROUTE_STALE, true, 120, 7);
	rc = run_line(&c, "route stale vpngw0 conn c1 proto bgp timeout 120");
	TAP_STREQ(fake_out(&c), "vpngw0 conn c1 proto bgp marked 7 timeout 120s\n",
		  "route stale: the scope, the count marked, the timeout");
	TAP_CHECK(rc == 0, "route stale succeeds");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = stale_reply_msg(VPNRT_CMD_ROUTE_SWEEP, false, 0, 3);
	rc = run_line(&c, "route sweep vpngw0 proto bgp");
	TAP_STREQ(fake_out(&c), "vpngw0 proto bgp swept 3\n", "route sweep: the count swept");
	TAP_CHECK(rc == 0, "route sweep succeeds");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = stale_reply_msg(VPNRT_CMD_ROUTE_SWEEP, true, 0, 0);
	rc = run_line(&c, "route sweep vpngw0 conn c1 proto bgp");
	TAP_STREQ(fake_out(&c),
		  "{\"gateway\":\"vpngw0\",\"conn\":\"c1\",\"proto\":\"bgp\",\"swept\":0}\n",
		  "route sweep -j: one object with the count");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = stale_reply_msg(VPNRT_CMD_ROUTE_STALE, false, 0, 2);
	rc = run_line(&c, "route stale vpngw0 proto bgp");
	TAP_STREQ(fake_out(&c),
		  "{\"gateway\":\"vpngw0\",\"proto\":\"bgp\",\"timeout\":0,\"marked\":2}\n",
		  "route stale -j: timeout 0 (none) and the count marked");
	fake_fini(&c, &f);

	/* an ack without the reply is an error, not silence */
	fake_init(&c, &f);
	rc = run_line(&c, "route sweep vpngw0");
	TAP_CHECK(rc == -1 && strstr(c.err, "without a count"),
		  "route sweep acknowledged without a reply: an error: %s", c.err);
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
	nla_put_u64(m, VPNRT_A_GW_STATS_TOO_BIG, 4);
	nla_put_u64(m, VPNRT_A_GW_STATS_MSS_CLAMPED, 5);
	nla_put_u64(m, VPNRT_A_GW_STATS_NO_TUNNEL, 6);
	nla_put_u64(m, VPNRT_A_GW_STATS_RP_DROPS, 7);
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
		  "vpngw0: ecmp-hash l4 max-paths 16 conns 2/50 routes 4 static 3/1048576 "
		  "policy 1/100 bgp 0/50 max-peer-routes 100\n",
		  "gateway show text: routes counts every proto (as in conn show), then each "
		  "with its quota");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.stats = true;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_GET);
	run_line(&c, "gateway show");
	TAP_CHECK(strstr(fake_out(&c), "\n    tx packets 10 bytes 1000 errors 3 no-route 1 fallback 2\n"
			  "    no-tunnel 6 too-big 4 mss-clamped 5 rp-drops 7\n") != NULL,
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
		  "\"max_policy_routes\":100,\"max_routes\":1048576,\"conns\":2,\"routes\":4,"
		  "\"static_routes\":3,\"policy_routes\":1,\"bgp_routes\":0,\"stats\":{\"tx_packets\":10,"
		  "\"tx_bytes\":1000,\"no_route\":1,\"fallback\":2,\"tx_errors\":3,"
		  "\"too_big\":4,\"mss_clamped\":5,\"no_tunnel\":6,\"rp_drops\":7}}]\n",
		  "gateway show -j -s: routes (every proto), static_routes, policy_routes, bgp_routes");
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

/*
 * An IKE-managed connection (or not) of two tunnels, tunnel 1's IKE down,
 * tunnel 2's up, as CONN_GET replies it; owner agent or none
 */
static struct nl_msg *conn_ike_reply(bool managed, uint8_t owner)
{
	struct nl_msg *m = reply_new(VPNRT_CMD_CONN_GET);
	struct nlattr *cn = nla_nest_start(m, VPNRT_A_CONN), *ts, *t;

	nla_put_string(m, VPNRT_A_CONN_NAME, "c1");
	nla_put_u32(m, VPNRT_A_CONN_ID, 1);
	nla_put_u32(m, VPNRT_A_CONN_GW_IFINDEX, 10);
	ts = nla_nest_start(m, VPNRT_A_CONN_TUNNELS);
	t = nla_nest_start(m, 1);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, 11);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, "xfrm1");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, managed ? VPNRT_STATE_DOWN : VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, managed ? VPNRT_DOWN_IKE : 0);
	nla_put_u8(m, VPNRT_A_TUNNEL_IKE, managed ? VPNRT_STATE_DOWN : VPNRT_STATE_UP);
	nla_put_u8(m, VPNRT_A_TUNNEL_POSITION, 1);
	nla_nest_end(m, t);
	t = nla_nest_start(m, 2);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, 12);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, "xfrm2");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, 0);
	nla_put_u8(m, VPNRT_A_TUNNEL_IKE, VPNRT_STATE_UP);
	nla_put_u8(m, VPNRT_A_TUNNEL_POSITION, 2);
	nla_nest_end(m, t);
	nla_nest_end(m, ts);
	nla_put_u8(m, VPNRT_A_CONN_MODE, VPNRT_MODE_ACTIVE_STANDBY);
	nla_put_u8(m, VPNRT_A_CONN_ADMIN, VPNRT_STATE_UP);
	nla_put_u8(m, VPNRT_A_CONN_IKE_MANAGED, managed);
	nla_put_u8(m, VPNRT_A_CONN_IKE, VPNRT_STATE_UP);
	nla_put_u8(m, VPNRT_A_CONN_STATE, VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_CONN_DOWN_REASON, 0);
	nla_put_u8(m, VPNRT_A_CONN_OWNER, owner);
	nla_nest_end(m, cn);
	return m;
}

/* per-tunnel IKE state and the owner, text and JSON */
static void test_conn_ike_owner(void)
{
	struct vpnrtctl c;
	struct fake f;
	struct nl_msg *g;
	struct nlattr *ga;

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_ike_reply(true, VPNRT_OWNER_AGENT);
	run_line(&c, "conn show");
	TAP_STREQ(fake_out(&c),
		  "c1 id 1 gateway vpngw0 mode active-standby admin up ike up state up owner agent\n"
		  "    tunnel xfrm1 ike down state down reason ike\n"
		  "    tunnel xfrm2 ike up state up\n",
		  "conn show text, IKE-managed: each tunnel's ike, owner agent");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = conn_ike_reply(true, VPNRT_OWNER_AGENT);
	run_line(&c, "conn show");
	TAP_STREQ(fake_out(&c),
		  "[{\"name\":\"c1\",\"id\":1,\"gateway\":\"vpngw0\",\"gateway_ifindex\":10,"
		  "\"mode\":\"active-standby\",\"admin\":\"up\",\"ike\":\"up\",\"ike_managed\":true,"
		  "\"owner\":\"agent\",\"state\":\"up\",\"down_reason\":[],\"tunnels\":["
		  "{\"dev\":\"xfrm1\",\"ifindex\":11,\"position\":1,\"ike\":\"down\",\"state\":\"down\","
		  "\"down_reason\":[\"ike\"]},"
		  "{\"dev\":\"xfrm2\",\"ifindex\":12,\"position\":2,\"ike\":\"up\",\"state\":\"up\","
		  "\"down_reason\":[]}]}]\n",
		  "conn show -j, IKE-managed: owner, each tunnel's position and ike");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_ike_reply(false, VPNRT_OWNER_NONE);
	run_line(&c, "conn show");
	TAP_STREQ(fake_out(&c),
		  "c1 id 1 gateway vpngw0 mode active-standby admin up ike none state up\n"
		  "    tunnel xfrm1 state up\n"
		  "    tunnel xfrm2 state up\n",
		  "conn show text, not IKE-managed, owner none: no ike per tunnel, no owner");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = conn_ike_reply(false, VPNRT_OWNER_NONE);
	run_line(&c, "conn show");
	TAP_CHECK(strstr(fake_out(&c), "\"owner\":\"none\"") &&
		  strstr(fake_out(&c), "\"position\":1,\"ike\":\"none\",\"state\":\"up\"") &&
		  strstr(fake_out(&c), "\"position\":2,\"ike\":\"none\""),
		  "conn show -j, not IKE-managed: owner none, tunnels' ike none");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	g = reply_new(VPNRT_CMD_GW_GET);
	ga = nla_nest_start(g, VPNRT_A_GW);
	nla_put_u32(g, VPNRT_A_GW_IFINDEX, 10);
	nla_put_string(g, VPNRT_A_GW_IFNAME, "vpngw0");
	nla_put_u8(g, VPNRT_A_GW_ECMP_HASH, VPNRT_HASH_L4);
	nla_put_u8(g, VPNRT_A_GW_OWNER, VPNRT_OWNER_AGENT);
	nla_nest_end(g, ga);
	f.replies[f.n_replies++] = g;
	run_line(&c, "gateway show");
	TAP_STREQ(fake_out(&c), "vpngw0: ecmp-hash l4 owner agent\n",
		  "gateway show text: owner agent");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = gw_reply(VPNRT_CMD_GW_GET);
	run_line(&c, "gateway show");
	TAP_CHECK(!strstr(fake_out(&c), "owner"),
		  "gateway show -j without an owner from the kernel: no key");
	fake_fini(&c, &f);
}

/* mss-clamp in gateway show: text only when on, JSON always */
static struct nl_msg *gw_mss_reply(uint32_t v)
{
	struct nl_msg *m = reply_new(VPNRT_CMD_GW_GET);
	struct nlattr *g = nla_nest_start(m, VPNRT_A_GW);

	nla_put_string(m, VPNRT_A_GW_IFNAME, "vpngw0");
	nla_put_u32(m, VPNRT_A_GW_MSS_CLAMP, v);
	nla_nest_end(m, g);
	return m;
}

static void test_gw_mss_clamp(void)
{
	static const struct { uint32_t v; const char *text, *json; } cases[] = {
		{ VPNRT_MSS_CLAMP_OFF, "vpngw0:\n",
		  "[{\"ifname\":\"vpngw0\",\"mss_clamp\":\"off\"}]\n" },
		{ VPNRT_MSS_CLAMP_AUTO, "vpngw0: mss-clamp auto\n",
		  "[{\"ifname\":\"vpngw0\",\"mss_clamp\":\"auto\"}]\n" },
		{ 1360, "vpngw0: mss-clamp 1360\n",
		  "[{\"ifname\":\"vpngw0\",\"mss_clamp\":\"1360\"}]\n" },
	};
	struct vpnrtctl c;
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_init(&c, &f);
		f.replies[f.n_replies++] = gw_mss_reply(cases[i].v);
		run_line(&c, "gateway show");
		TAP_STREQ(fake_out(&c), cases[i].text,
			  "gateway show, mss-clamp %u: text", cases[i].v);
		fake_fini(&c, &f);

		fake_init(&c, &f);
		c.json = true;
		f.replies[f.n_replies++] = gw_mss_reply(cases[i].v);
		run_line(&c, "gateway show");
		TAP_STREQ(fake_out(&c), cases[i].json,
			  "gateway show -j, mss-clamp %u: a string", cases[i].v);
		fake_fini(&c, &f);
	}
}

/* rp-check in gateway show: text only when on, JSON always */
static struct nl_msg *gw_rp_reply(uint8_t v)
{
	struct nl_msg *m = reply_new(VPNRT_CMD_GW_GET);
	struct nlattr *g = nla_nest_start(m, VPNRT_A_GW);

	nla_put_string(m, VPNRT_A_GW_IFNAME, "vpngw0");
	nla_put_u8(m, VPNRT_A_GW_RP_CHECK, v);
	nla_nest_end(m, g);
	return m;
}

static void test_gw_rp_check(void)
{
	static const struct { uint8_t v; const char *text, *json; } cases[] = {
		{ VPNRT_RP_CHECK_OFF, "vpngw0:\n",
		  "[{\"ifname\":\"vpngw0\",\"rp_check\":\"off\"}]\n" },
		{ VPNRT_RP_CHECK_STRICT, "vpngw0: rp-check strict\n",
		  "[{\"ifname\":\"vpngw0\",\"rp_check\":\"strict\"}]\n" },
		{ VPNRT_RP_CHECK_LOOSE, "vpngw0: rp-check loose\n",
		  "[{\"ifname\":\"vpngw0\",\"rp_check\":\"loose\"}]\n" },
	};
	struct vpnrtctl c;
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_init(&c, &f);
		f.replies[f.n_replies++] = gw_rp_reply(cases[i].v);
		run_line(&c, "gateway show");
		TAP_STREQ(fake_out(&c), cases[i].text,
			  "gateway show, rp-check %u: text", cases[i].v);
		fake_fini(&c, &f);

		fake_init(&c, &f);
		c.json = true;
		f.replies[f.n_replies++] = gw_rp_reply(cases[i].v);
		run_line(&c, "gateway show");
		TAP_STREQ(fake_out(&c), cases[i].json,
			  "gateway show -j, rp-check %u: a string", cases[i].v);
		fake_fini(&c, &f);
	}
}

/* a health nest as CONN_GET replies carry it */
static void put_health(struct nl_msg *m, const char *dst, const char *src,
		       uint32_t interval, uint8_t policy, uint8_t state, uint64_t since)
{
	struct nlattr *h = nla_nest_start(m, VPNRT_A_TUNNEL_HEALTH);
	int fam = strchr(dst, ':') ? AF_INET6 : AF_INET;

	nla_put_u16(m, VPNRT_A_HEALTH_FAMILY, (uint16_t)fam);
	put_addr(m, VPNRT_A_HEALTH_DST, fam, dst);
	put_addr(m, VPNRT_A_HEALTH_SRC, fam, src);
	nla_put_u32(m, VPNRT_A_HEALTH_INTERVAL, interval);
	nla_put_u32(m, VPNRT_A_HEALTH_RETRIES, 3);
	nla_put_u32(m, VPNRT_A_HEALTH_RISE, 1);
	nla_put_u8(m, VPNRT_A_HEALTH_POLICY, policy);
	nla_put_u8(m, VPNRT_A_HEALTH_STATE, state);
	nla_put_u64(m, VPNRT_A_HEALTH_SINCE, since);
	nla_put_u64(m, VPNRT_A_HEALTH_SENT, 120);
	nla_put_u64(m, VPNRT_A_HEALTH_ANSWERED, 117);
	nla_put_u64(m, VPNRT_A_HEALTH_IGNORED, 1);
	nla_put_u64(m, VPNRT_A_HEALTH_SEND_ERRORS, 0);
	nla_put_u32(m, VPNRT_A_HEALTH_CONSEC_LOST, state == VPNRT_HEALTH_DOWN ? 3 : 0);
	nla_put_u32(m, VPNRT_A_HEALTH_RTT, 1234);
	nla_put_u32(m, VPNRT_A_HEALTH_SRTT, 1100);
	nla_put_u32(m, VPNRT_A_HEALTH_WINDOW, 100);
	nla_put_u32(m, VPNRT_A_HEALTH_WINDOW_LOST, 2);
	nla_put_u32(m, VPNRT_A_HEALTH_TRANSITIONS, 3);
	nla_put_u32(m, VPNRT_A_HEALTH_TIMEOUT, 2 * interval);
	nla_put_u64(m, VPNRT_A_HEALTH_EVENTS_LOST, state == VPNRT_HEALTH_DOWN ? 2 : 0);
	nla_nest_end(m, h);
}

/* c1 over xfrm1 (health up, IPv4) and xfrm2 (health down, IPv6, reserve-route) */
static struct nl_msg *conn_health_reply(uint8_t cmd)
{
	struct nl_msg *m = reply_new(cmd);
	struct nlattr *cn = nla_nest_start(m, VPNRT_A_CONN), *ts, *t;

	nla_put_string(m, VPNRT_A_CONN_NAME, "c1");
	nla_put_u32(m, VPNRT_A_CONN_ID, 1);
	nla_put_u8(m, VPNRT_A_CONN_STATE, VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_CONN_DOWN_REASON, 0);
	ts = nla_nest_start(m, VPNRT_A_CONN_TUNNELS);
	t = nla_nest_start(m, 1);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, 11);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, "xfrm1");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, 0);
	nla_put_u64(m, VPNRT_A_TUNNEL_TX_PACKETS, 5);
	nla_put_u64(m, VPNRT_A_TUNNEL_TX_BYTES, 500);
	nla_put_u64(m, VPNRT_A_TUNNEL_TX_ERRORS, 0);
	put_health(m, "172.16.255.1", "10.99.1.1", 100, VPNRT_HEALTH_REVOKE_ROUTE,
		   VPNRT_HEALTH_UP, 12345);
	nla_nest_end(m, t);
	t = nla_nest_start(m, 2);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, 12);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, "xfrm2");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, 0);
	put_health(m, "fd20:ff::2", "fd99:2::1", 1500, VPNRT_HEALTH_RESERVE_ROUTE,
		   VPNRT_HEALTH_DOWN, 245678);
	nla_nest_end(m, t);
	nla_nest_end(m, ts);
	nla_nest_end(m, cn);
	return m;
}

static void test_conn_health(void)
{
	struct vpnrtctl c;
	struct fake f;

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_health_reply(VPNRT_CMD_CONN_GET);
	run_line(&c, "conn show c1");
	TAP_STREQ(fake_out(&c),
		  "c1 id 1 state up\n"
		  "    tunnel xfrm1 state up\n"
		  "        health up dst 172.16.255.1 src 10.99.1.1 interval 100ms timeout 200ms retries 3 rise 1 "
		  "policy revoke-route since 12.3s\n"
		  "    tunnel xfrm2 state up\n"
		  "        health down dst fd20:ff::2 src fd99:2::1 interval 1.5s timeout 3s retries 3 rise 1 "
		  "policy reserve-route since 4m05s\n",
		  "conn show text: a health line under each checked tunnel");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	f.replies[f.n_replies++] = conn_health_reply(VPNRT_CMD_CONN_GET);
	run_line(&c, "conn show c1 -s");
	TAP_CHECK(strstr(fake_out(&c),
			 "    tunnel xfrm1 state up\n"
			 "        tx packets 5 bytes 500 errors 0\n"
			 "        health up dst 172.16.255.1 src 10.99.1.1 interval 100ms timeout 200ms retries 3 rise 1 "
			 "policy revoke-route since 12.3s\n"
			 "          probes sent 120 answered 117 ignored 1 send-errors 0 lost-in-a-row 0 "
			 "rtt 1.234ms srtt 1.100ms loss 2/100 transitions 3 events-lost 0\n") != NULL &&
		  strstr(fake_out(&c), "lost-in-a-row 3 rtt") != NULL,
		  "conn show -s: tx counters, the health line, the probe counters");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = conn_health_reply(VPNRT_CMD_CONN_GET);
	run_line(&c, "conn show c1");
	TAP_STREQ(fake_out(&c),
		  "[{\"name\":\"c1\",\"id\":1,\"state\":\"up\",\"down_reason\":[],\"tunnels\":["
		  "{\"dev\":\"xfrm1\",\"ifindex\":11,\"state\":\"up\",\"down_reason\":[],"
		  "\"health\":{\"family\":\"inet\",\"dst\":\"172.16.255.1\",\"src\":\"10.99.1.1\","
		  "\"interval_ms\":100,\"timeout_ms\":200,\"retries\":3,\"rise\":1,\"policy\":\"revoke-route\","
		  "\"state\":\"up\",\"since_ms\":12345}},"
		  "{\"dev\":\"xfrm2\",\"ifindex\":12,\"state\":\"up\",\"down_reason\":[],"
		  "\"health\":{\"family\":\"inet6\",\"dst\":\"fd20:ff::2\",\"src\":\"fd99:2::1\","
		  "\"interval_ms\":1500,\"timeout_ms\":3000,\"retries\":3,\"rise\":1,\"policy\":\"reserve-route\","
		  "\"state\":\"down\",\"since_ms\":245678}}]}]\n",
		  "conn show -j: tunnels[i].health without stats");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	c.stats = true;
	f.replies[f.n_replies++] = conn_health_reply(VPNRT_CMD_CONN_GET);
	run_line(&c, "conn show c1");
	TAP_CHECK(strstr(fake_out(&c),
			 "{\"dev\":\"xfrm1\",\"ifindex\":11,\"state\":\"up\",\"down_reason\":[],"
			 "\"stats\":{\"tx_packets\":5,\"tx_bytes\":500,\"tx_errors\":0},"
			 "\"health\":{\"family\":\"inet\",\"dst\":\"172.16.255.1\",\"src\":\"10.99.1.1\","
			 "\"interval_ms\":100,\"timeout_ms\":200,\"retries\":3,\"rise\":1,\"policy\":\"revoke-route\","
			 "\"state\":\"up\",\"since_ms\":12345,\"stats\":{\"sent\":120,\"answered\":117,"
			 "\"ignored\":1,\"send_errors\":0,\"consecutive_lost\":0,\"rtt_us\":1234,"
			 "\"srtt_us\":1100,\"window\":100,\"window_lost\":2,\"transitions\":3,\"events_lost\":0}}}") != NULL,
		  "conn show -j -s: tunnel stats kept, health.stats added");
	fake_fini(&c, &f);
}

/*
 * A health event as the kernel sends it: tunnel idx (1 or 2) of c1 went
 * from old to new; loss_start 0 leaves it out.
 */
static struct nl_msg *health_event(int idx, uint8_t old, uint8_t new, uint8_t reason,
				   uint64_t time, uint64_t loss_start)
{
	struct nl_msg *m = reply_new(VPNRT_CMD_HEALTH);
	struct nlattr *cn = nla_nest_start(m, VPNRT_A_CONN), *ts, *t, *h;
	bool down = new == VPNRT_HEALTH_DOWN;

	nla_put_string(m, VPNRT_A_CONN_NAME, "c1");
	nla_put_u32(m, VPNRT_A_CONN_ID, 1);
	nla_put_u32(m, VPNRT_A_CONN_GW_IFINDEX, 10);
	nla_put_u8(m, VPNRT_A_CONN_STATE, down ? VPNRT_STATE_DOWN : VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_CONN_DOWN_REASON, down ? VPNRT_DOWN_NO_TUNNEL : 0);
	ts = nla_nest_start(m, VPNRT_A_CONN_TUNNELS);
	t = nla_nest_start(m, idx);
	nla_put_u32(m, VPNRT_A_TUNNEL_IFINDEX, idx == 1 ? 11 : 12);
	nla_put_string(m, VPNRT_A_TUNNEL_IFNAME, idx == 1 ? "xfrm1" : "xfrm2");
	nla_put_u8(m, VPNRT_A_TUNNEL_STATE, down ? VPNRT_STATE_DOWN : VPNRT_STATE_UP);
	nla_put_u32(m, VPNRT_A_TUNNEL_DOWN_REASON, down ? VPNRT_DOWN_HEALTH : 0);
	h = nla_nest_start(m, VPNRT_A_TUNNEL_HEALTH);
	nla_put_u16(m, VPNRT_A_HEALTH_FAMILY, AF_INET);
	put_addr(m, VPNRT_A_HEALTH_DST, AF_INET, "172.16.255.1");
	put_addr(m, VPNRT_A_HEALTH_SRC, AF_INET, "10.99.1.1");
	nla_put_u32(m, VPNRT_A_HEALTH_INTERVAL, 100);
	nla_put_u32(m, VPNRT_A_HEALTH_RETRIES, 3);
	nla_put_u32(m, VPNRT_A_HEALTH_RISE, 1);
	nla_put_u8(m, VPNRT_A_HEALTH_POLICY, VPNRT_HEALTH_REVOKE_ROUTE);
	nla_put_u8(m, VPNRT_A_HEALTH_STATE, new);
	nla_put_u8(m, VPNRT_A_HEALTH_OLD_STATE, old);
	nla_put_u8(m, VPNRT_A_HEALTH_REASON, reason);
	nla_put_u64(m, VPNRT_A_HEALTH_TIME, time);
	if (loss_start)
		nla_put_u64(m, VPNRT_A_HEALTH_LOSS_START, loss_start);
	nla_put_u64(m, VPNRT_A_HEALTH_SENT, 40);
	nla_put_u64(m, VPNRT_A_HEALTH_ANSWERED, down ? 37 : 38);
	nla_put_u32(m, VPNRT_A_HEALTH_CONSEC_LOST, down ? 3 : 0);
	nla_nest_end(m, h);
	nla_nest_end(m, t);
	nla_nest_end(m, ts);
	nla_nest_end(m, cn);
	return m;
}

static void test_health_events(void)
{
	const uint64_t t0 = 1732291234267890123ULL, t1 = 1732291234567890999ULL;
	struct vpnrtctl c;
	struct fake f;
	struct nl_msg *m;
	struct nlattr *n;

	fake_init(&c, &f);
	f.replies[f.n_replies++] = health_event(1, VPNRT_HEALTH_UP, VPNRT_HEALTH_DOWN,
						VPNRT_HEALTH_R_LOST, t1, t0);
	f.replies[f.n_replies++] = health_event(2, VPNRT_HEALTH_INIT, VPNRT_HEALTH_UP,
						VPNRT_HEALTH_R_ANSWERED, t1, 0);
	f.replies[f.n_replies++] = health_event(1, VPNRT_HEALTH_DOWN, VPNRT_HEALTH_INIT,
						VPNRT_HEALTH_R_START, 5, 0);
	/* malformed: no tunnel */
	m = reply_new(VPNRT_CMD_HEALTH);
	n = nla_nest_start(m, VPNRT_A_CONN);
	nla_put_string(m, VPNRT_A_CONN_NAME, "c1");
	nla_nest_end(m, n);
	f.replies[f.n_replies++] = m;
	f.replies[f.n_replies++] = conn_health_reply(VPNRT_CMD_CONN_SET);
	run_line(&c, "monitor");
	TAP_STREQ(fake_out(&c),
		  "health conn c1 tunnel xfrm1 up -> down (probes lost) at 1732291234.567890 "
		  "loss-start 1732291234.267890 policy revoke-route sent 40 answered 37 "
		  "lost-in-a-row 3 tunnel state down reason health conn state down reason no-tunnel\n"
		  "health conn c1 tunnel xfrm2 init -> up (probes answered) at 1732291234.567890 "
		  "policy revoke-route sent 40 answered 38 lost-in-a-row 0 tunnel state up "
		  "conn state up\n"
		  "health conn c1 tunnel xfrm1 down -> init (started) at 0.000000 "
		  "policy revoke-route sent 40 answered 38 lost-in-a-row 0 tunnel state up "
		  "conn state up\n"
		  "event cmd 13 len 32 (malformed)\n"
		  "conn set c1 id 1 state up tunnel xfrm1 state up health up tunnel xfrm2 state up "
		  "health down\n",
		  "monitor text: health events, one line each; conn events show each tunnel's health");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	c.json = true;
	f.replies[f.n_replies++] = health_event(1, VPNRT_HEALTH_UP, VPNRT_HEALTH_DOWN,
						VPNRT_HEALTH_R_LOST, t1, t0);
	f.replies[f.n_replies++] = health_event(2, VPNRT_HEALTH_DOWN, VPNRT_HEALTH_UP,
						VPNRT_HEALTH_R_ANSWERED, t1, 0);
	run_line(&c, "monitor");
	TAP_STREQ(fake_out(&c),
		  "{\"event\":\"health\",\"name\":\"c1\",\"conn\":\"c1\",\"id\":1,"
		  "\"gateway\":\"vpngw0\",\"gateway_ifindex\":10,\"tunnel\":\"xfrm1\",\"ifindex\":11,"
		  "\"tunnel_index\":1,\"old\":\"up\",\"new\":\"down\",\"reason\":\"lost\","
		  "\"family\":\"inet\",\"dst\":\"172.16.255.1\",\"src\":\"10.99.1.1\","
		  "\"interval_ms\":100,\"retries\":3,\"rise\":1,\"policy\":\"revoke-route\","
		  "\"time_ns\":1732291234567890999,\"loss_start_ns\":1732291234267890123,"
		  "\"sent\":40,\"answered\":37,\"consecutive_lost\":3,\"tunnel_state\":\"down\","
		  "\"tunnel_down_reason\":[\"health\"],\"conn_state\":\"down\","
		  "\"conn_down_reason\":[\"no-tunnel\"]}\n"
		  "{\"event\":\"health\",\"name\":\"c1\",\"conn\":\"c1\",\"id\":1,"
		  "\"gateway\":\"vpngw0\",\"gateway_ifindex\":10,\"tunnel\":\"xfrm2\",\"ifindex\":12,"
		  "\"tunnel_index\":2,\"old\":\"down\",\"new\":\"up\",\"reason\":\"answered\","
		  "\"family\":\"inet\",\"dst\":\"172.16.255.1\",\"src\":\"10.99.1.1\","
		  "\"interval_ms\":100,\"retries\":3,\"rise\":1,\"policy\":\"revoke-route\","
		  "\"time_ns\":1732291234567890999,"
		  "\"sent\":40,\"answered\":38,\"consecutive_lost\":0,\"tunnel_state\":\"up\","
		  "\"tunnel_down_reason\":[],\"conn_state\":\"up\",\"conn_down_reason\":[]}\n",
		  "monitor -j: health events, loss_start_ns only on the way down");
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
		  "gateway del vpngw0: ecmp-hash l4 max-paths 16 conns 2/50 routes 4 "
		  "static 3/1048576 policy 1/100 bgp 0/50 max-peer-routes 100\n"
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

/*
 * The entry names of enum (or flags) def in the YAML spec, in order, into
 * out[]: "NAME,NAME,..." ("" if def is not found).
 */
static const char *spec_entries(const char *def, char *out, size_t len)
{
	FILE *f = fopen(SPEC_YAML, "r");
	char line[256], want[128];
	bool in = false, entries = false;
	size_t off = 0;

	out[0] = '\0';
	if (!f)
		return out;
	snprintf(want, sizeof(want), "    name: %s\n", def);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (!strncmp(line, "attribute-sets:", 15))
			break;
		if (!strcmp(line, "  -\n")) {		/* the next definition */
			if (in)
				break;
			continue;
		}
		if (!in) {
			in = !strcmp(line, want);
			continue;
		}
		if (!strncmp(line, "    entries: [", 14)) {	/* [ a, b ] */
			for (p = strtok(line + 14, " ,]\n"); p; p = strtok(NULL, " ,]\n"))
				off += (size_t)snprintf(out + off, len - off, "%s%s",
							off ? "," : "", p);
			break;
		}
		if (!strcmp(line, "    entries:\n"))
			entries = true;
		else if (entries && !strncmp(line, "        name: ", 14) && off < len) {
			line[strcspn(line, "\n")] = '\0';
			off += (size_t)snprintf(out + off, len - off, "%s%s",
						off ? "," : "", line + 14);
		}
	}
	fclose(f);
	return out;
}

/* the names vpnrtctl prints for values 0..n-1, NULL ones as "-" */
static const char *cli_names(const struct name_table *t, char *out, size_t len)
{
	size_t off = 0, i;

	out[0] = '\0';
	for (i = 0; i < t->n && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s", off ? "," : "",
					t->names[i] ? t->names[i] : "-");
	return out;
}

/*
 * Does the man page have a line ".B word" (or ".BR word ...")? With from,
 * only from the first line containing it to the next section (.SH).
 */
static bool man_has_word(const char *word, const char *from)
{
	FILE *f = fopen(MAN_PAGE, "r");
	char line[512], esc[128], *w = esc;
	bool found = false, in = !from;

	if (!f)
		return false;
	for (; *word && w < esc + sizeof(esc) - 3; word++) {
		if (*word == '-')
			*w++ = '\\';
		*w++ = *word;
	}
	*w = '\0';
	while (!found && fgets(line, sizeof(line), f)) {
		size_t n = strlen(esc);
		const char *rest;

		if (!in) {
			in = strstr(line, from) != NULL;
			continue;
		}
		if (from && !strncmp(line, ".SH", 3))
			break;
		rest = !strncmp(line, ".B ", 3) ? line + 3 :
				   !strncmp(line, ".BR ", 4) ? line + 4 : NULL;

		found = rest && !strncmp(rest, esc, n) &&
			(rest[n] == '\n' || rest[n] == ' ' || rest[n] == ',');
	}
	fclose(f);
	return found;
}

/*
 * One set of names: what vpnrtctl prints (text and JSON) is what ynl
 * prints, the entry names of the YAML spec's enums; and the man page
 * lists every route get reason by that name.
 */
static void test_names_match_spec(void)
{
	static const struct { const char *def; const struct name_table *t; const char *cli; } m[] = {
		{ "reason", &vpnrt_reason_names, NULL },
		{ "health-policy", &vpnrt_health_policy_names, NULL },
		{ "health-state", &vpnrt_health_state_names, NULL },
		{ "health-reason", &vpnrt_health_reason_names, NULL },
		{ "down-reason", &vpnrt_down_reason_names, NULL },
		{ "route-flags", &vpnrt_route_flag_names, NULL },
		{ "ecmp-hash", &vpnrt_hash_names, NULL },
		{ "conn-mode", &vpnrt_mode_names, NULL },
		{ "state", &vpnrt_state_names, NULL },
		{ "owner", &vpnrt_owner_names, NULL },
		/* value 0 has no name on the command line */
		{ "proto", &vpnrt_proto_names, "unspec,static,policy,bgp" },
		/* the one exception, the keyword of conn add */
		{ "routing-mode", &vpnrt_routing_names, "destination,flow" },
	};
	char spec[256], cli[256];
	size_t i;
	bool ok = true;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		spec_entries(m[i].def, spec, sizeof(spec));
		if (m[i].cli)
			snprintf(cli, sizeof(cli), "%s", m[i].cli);
		else
			cli_names(m[i].t, cli, sizeof(cli));
		TAP_STREQ(spec, cli, "spec enum %s: vpnrtctl prints the YAML's names", m[i].def);
	}
	TAP_STREQ(name_of(&vpnrt_routing_names, VPNRT_ROUTING_FLOW), "flow-protection",
		  "routing mode flow is printed as flow-protection, the keyword of conn add");
	for (i = 1; i < vpnrt_reason_names.n; i++)
		if (!man_has_word(vpnrt_reason_names.names[i], "names the one that decided")) {
			ok = false;
			printf("# vpnrtctl.8 does not list reason %s\n", vpnrt_reason_names.names[i]);
		}
	TAP_CHECK(ok, "vpnrtctl.8 lists every route get reason by its name");
	TAP_CHECK(man_has_word("revoke-route", NULL) && man_has_word("reserve-route", NULL),
		  "vpnrtctl.8 lists the health policies by their names");
}

int main(void)
{
	test_route_get();
	test_route_show();
	test_route_stale();
	test_stale_sweep_output();
	test_conn_gw();
	test_gw_mss_clamp();
	test_gw_rp_check();
	test_conn_ike_owner();
	test_conn_health();
	test_monitor();
	test_health_events();
	test_names_match_spec();
	return tap_done();
}
