// SPDX-License-Identifier: GPL-2.0
/* route add|del|show|get: the requests built from argv, and rejections */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "fake.h"
#include "tap.h"

static struct nla_policy route_pol[VPNRT_A_ROUTE_MAX + 1] = {
	[VPNRT_A_ROUTE_FAMILY] = { .type = NLA_U16 },
	[VPNRT_A_ROUTE_DST_LEN] = { .type = NLA_U8 },
	[VPNRT_A_ROUTE_SRC_LEN] = { .type = NLA_U8 },
	[VPNRT_A_ROUTE_PROTO] = { .type = NLA_U8 },
	[VPNRT_A_ROUTE_CONN] = { .type = NLA_STRING },
	[VPNRT_A_ROUTE_WEIGHT] = { .type = NLA_U8 },
	[VPNRT_A_ROUTE_PRIORITY] = { .type = NLA_U8 },
	[VPNRT_A_ROUTE_PREF] = { .type = NLA_U32 },
	[VPNRT_A_ROUTE_GW_IFINDEX] = { .type = NLA_U32 },
};

static bool replace_flag;	/* the last one_route()'s VPNRT_A_REPLACE */

/* run line; parse the only route of the request into rt; the command */
static int one_route(const char *line, struct nlattr **rt, struct fake *f,
		     struct vpnrtctl *c, int *nroutes, uint16_t *flags)
{
	struct nlattr *tb[VPNRT_A_MAX + 1], *a, *first = NULL;
	struct genlmsghdr *g;
	int rem, n = 0;

	if (run_line(c, line)) {
		printf("# unexpected error: %s\n", c->err);
		return -1;
	}
	if (f->n_sent != 1)
		return -1;
	g = sent_parse(f, 0, tb);
	if (!g || !tb[VPNRT_A_ROUTES])
		return -1;
	*flags = nlmsg_hdr(f->sent[0])->nlmsg_flags;
	replace_flag = tb[VPNRT_A_REPLACE] != NULL;
	nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
		n++;
		if (nla_type(a) != n || !(a->nla_type & NLA_F_NESTED))
			return -1;	/* elements are nests typed 1, 2, ... */
		if (!first)
			first = a;
	}
	*nroutes = n;
	if (!first || nla_parse_nested(rt, VPNRT_A_ROUTE_MAX, first, route_pol) < 0)
		return -1;
	return g->cmd;
}

static void test_static(void)
{
	struct nlattr *rt[VPNRT_A_ROUTE_MAX + 1];
	struct vpnrtctl c;
	struct fake f;
	uint16_t flags = 0;
	int n = 0, cmd;
	uint8_t want[4] = { 10, 1, 0, 0 };

	fake_init(&c, &f);
	cmd = one_route("route add 10.1.0.0/16 conn c1", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_NEW && n == 1, "route add: one ROUTE_NEW with one route");
	TAP_CHECK(flags & NLM_F_ACK, "route add asks for an ack");
	TAP_CHECK(cmd > 0 && nla_get_u16(rt[VPNRT_A_ROUTE_FAMILY]) == AF_INET &&
		  nla_len(rt[VPNRT_A_ROUTE_DST]) == 4 &&
		  !memcmp(nla_data(rt[VPNRT_A_ROUTE_DST]), want, 4) &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_DST_LEN]) == 16,
		  "static: family inet, dst 10.1.0.0 (4 bytes), len 16");
	TAP_CHECK(cmd > 0 && nla_get_u8(rt[VPNRT_A_ROUTE_PROTO]) == VPNRT_PROTO_STATIC &&
		  !strcmp(nla_get_string(rt[VPNRT_A_ROUTE_CONN]), "c1"),
		  "static: proto static, conn c1");
	TAP_CHECK(cmd > 0 && !rt[VPNRT_A_ROUTE_WEIGHT] && !rt[VPNRT_A_ROUTE_PRIORITY] &&
		  !rt[VPNRT_A_ROUTE_PREF] && !rt[VPNRT_A_ROUTE_SRC] &&
		  !rt[VPNRT_A_ROUTE_GW_IFINDEX],
		  "static: nothing that was not given");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route del 10.1.0.0/16 conn c1 weight 0", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_DEL && rt[VPNRT_A_ROUTE_WEIGHT] &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_WEIGHT]) == 0,
		  "route del with weight 0: ROUTE_DEL, weight 0");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("r a 0.0.0.0/0 c c1 w 100", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_NEW && nla_get_u8(rt[VPNRT_A_ROUTE_DST_LEN]) == 0 &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_WEIGHT]) == 100,
		  "unique prefixes: r a 0.0.0.0/0 c c1 w 100");
	fake_fini(&c, &f);
}

static void test_policy_bgp(void)
{
	struct nlattr *rt[VPNRT_A_ROUTE_MAX + 1];
	struct vpnrtctl c;
	struct fake f;
	struct in6_addr a6, s6;
	uint16_t flags;
	int n, cmd;

	inet_pton(AF_INET6, "2001:db8:1::", &a6);
	inet_pton(AF_INET6, "fd00::", &s6);
	fake_init(&c, &f);
	cmd = one_route("route add 2001:db8:1::/48 from fd00::/8 conn c2 priority 5 weight 0",
			rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_NEW &&
		  nla_get_u16(rt[VPNRT_A_ROUTE_FAMILY]) == AF_INET6 &&
		  nla_len(rt[VPNRT_A_ROUTE_DST]) == 16 &&
		  !memcmp(nla_data(rt[VPNRT_A_ROUTE_DST]), &a6, 16) &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_DST_LEN]) == 48,
		  "policy v6: dst 2001:db8:1::/48 as 16 bytes");
	TAP_CHECK(cmd > 0 && rt[VPNRT_A_ROUTE_SRC] && nla_len(rt[VPNRT_A_ROUTE_SRC]) == 16 &&
		  !memcmp(nla_data(rt[VPNRT_A_ROUTE_SRC]), &s6, 16) &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_SRC_LEN]) == 8,
		  "policy v6: src fd00::/8");
	TAP_CHECK(cmd > 0 && nla_get_u8(rt[VPNRT_A_ROUTE_PROTO]) == VPNRT_PROTO_POLICY &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_PRIORITY]) == 5 &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_WEIGHT]) == 0,
		  "policy: proto policy, priority 5, weight 0");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route add 10.2.0.0/16 from 192.168.0.0/24 conn c1", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd > 0 && !rt[VPNRT_A_ROUTE_PRIORITY] && !rt[VPNRT_A_ROUTE_WEIGHT],
		  "policy without priority: the attribute is omitted (kernel default)");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route add 10.3.0.0/16 conn c1 proto bgp pref 4294967295",
			rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd > 0 && nla_get_u8(rt[VPNRT_A_ROUTE_PROTO]) == VPNRT_PROTO_BGP &&
		  nla_get_u32(rt[VPNRT_A_ROUTE_PREF]) == 4294967295u && !rt[VPNRT_A_ROUTE_WEIGHT],
		  "bgp: proto bgp, pref 4294967295");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route add 10.3.0.0/16 conn c1 proto bgp", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd > 0 && !rt[VPNRT_A_ROUTE_PREF], "bgp without pref: omitted");
	fake_fini(&c, &f);
}

static void test_show_get(void)
{
	struct nlattr *tb[VPNRT_A_MAX + 1], *rt[VPNRT_A_ROUTE_MAX + 1], *a;
	struct vpnrtctl c;
	struct fake f;
	struct genlmsghdr *g;
	int rem, n = 0;

	fake_init(&c, &f);
	TAP_CHECK(!run_line(&c, "route show") && f.n_sent == 1, "route show runs");
	g = sent_parse(&f, 0, tb);
	TAP_CHECK(g && g->cmd == VPNRT_CMD_ROUTE_GET && !tb[VPNRT_A_ROUTES] &&
		  (nlmsg_hdr(f.sent[0])->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP,
		  "route show: a ROUTE_GET dump without a filter");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	TAP_CHECK(!run_line(&c, "route show gateway vpngw0 conn c1 proto bgp family inet6"),
		  "route show with every filter");
	g = sent_parse(&f, 0, tb);
	if (g && tb[VPNRT_A_ROUTES])
		nla_for_each_nested(a, tb[VPNRT_A_ROUTES], rem) {
			n++;
			nla_parse_nested(rt, VPNRT_A_ROUTE_MAX, a, route_pol);
		}
	TAP_CHECK(n == 1 && nla_get_u32(rt[VPNRT_A_ROUTE_GW_IFINDEX]) == 10 &&
		  !strcmp(nla_get_string(rt[VPNRT_A_ROUTE_CONN]), "c1") &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_PROTO]) == VPNRT_PROTO_BGP &&
		  nla_get_u16(rt[VPNRT_A_ROUTE_FAMILY]) == AF_INET6 &&
		  !rt[VPNRT_A_ROUTE_DST],
		  "route show filter: one route nest with gw ifindex 10, conn, proto, family");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	{
		struct nl_msg *msg = NULL;
		char *argv[] = { "192.0.2.7", "gateway", "vpngw0", "from", "10.9.8.7",
				 "ipproto", "udp", "sport", "5000", "dport", "53" };
		static struct nla_policy lpol[VPNRT_A_LOOKUP_MAX + 1] = {
			[VPNRT_A_LOOKUP_GW_IFINDEX] = { .type = NLA_U32 },
			[VPNRT_A_LOOKUP_FAMILY] = { .type = NLA_U16 },
			[VPNRT_A_LOOKUP_IPPROTO] = { .type = NLA_U8 },
			[VPNRT_A_LOOKUP_SPORT] = { .type = NLA_U16 },
			[VPNRT_A_LOOKUP_DPORT] = { .type = NLA_U16 },
		};
		struct nlattr *lt[VPNRT_A_LOOKUP_MAX + 1];
		uint8_t d[4] = { 192, 0, 2, 7 }, s[4] = { 10, 9, 8, 7 };
		int ok = route_build(&c, "get", 11, argv, &msg) == 0 && msg;

		ok = ok && vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_LOOKUP] &&
		     nla_parse_nested(lt, VPNRT_A_LOOKUP_MAX, tb[VPNRT_A_LOOKUP], lpol) == 0;
		TAP_CHECK(ok && ((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->cmd ==
			  VPNRT_CMD_ROUTE_LOOKUP &&
			  nla_get_u32(lt[VPNRT_A_LOOKUP_GW_IFINDEX]) == 10 &&
			  nla_get_u16(lt[VPNRT_A_LOOKUP_FAMILY]) == AF_INET &&
			  nla_len(lt[VPNRT_A_LOOKUP_DST]) == 4 &&
			  !memcmp(nla_data(lt[VPNRT_A_LOOKUP_DST]), d, 4) &&
			  !memcmp(nla_data(lt[VPNRT_A_LOOKUP_SRC]), s, 4) &&
			  nla_get_u8(lt[VPNRT_A_LOOKUP_IPPROTO]) == 17 &&
			  nla_get_u16(lt[VPNRT_A_LOOKUP_SPORT]) == 5000 &&
			  nla_get_u16(lt[VPNRT_A_LOOKUP_DPORT]) == 53,
			  "route get: ROUTE_LOOKUP with gw, family, dst, src, ipproto, ports (host order)");
		nlmsg_free(msg);
	}
	fake_fini(&c, &f);

	fake_init(&c, &f);
	{
		struct nl_msg *msg = NULL;
		char *argv[] = { "2001:db8::1", "gateway", "vpngw0", "ipproto", "icmp" };
		static struct nla_policy lpol[VPNRT_A_LOOKUP_MAX + 1] = {
			[VPNRT_A_LOOKUP_IPPROTO] = { .type = NLA_U8 },
		};
		struct nlattr *lt[VPNRT_A_LOOKUP_MAX + 1];
		int ok = route_build(&c, "get", 5, argv, &msg) == 0 && msg;

		ok = ok && vpnrt_parse_msg(msg, tb) == 0 && tb[VPNRT_A_LOOKUP] &&
		     nla_parse_nested(lt, VPNRT_A_LOOKUP_MAX, tb[VPNRT_A_LOOKUP], lpol) == 0;
		TAP_CHECK(ok && nla_len(lt[VPNRT_A_LOOKUP_DST]) == 16 &&
			  nla_get_u8(lt[VPNRT_A_LOOKUP_IPPROTO]) == 58 &&
			  !lt[VPNRT_A_LOOKUP_SRC] && !lt[VPNRT_A_LOOKUP_SPORT],
			  "route get v6: icmp is 58, no src, no ports");
		nlmsg_free(msg);
	}
	fake_fini(&c, &f);
}

static void test_rejections(void)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "route add 10.0.0.1/8 conn c1", "\"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?" },
		{ "route add 10.0.0.0/33 conn c1", "prefix length in \"10.0.0.0/33\" must be 0..32" },
		{ "route add bogus conn c1", "\"bogus\" is not a prefix" },
		{ "route add conn c1 10.0.0.0/8", "\"route add\" needs PREFIX first, got \"conn\"" },
		{ "route add", "\"route add\" needs PREFIX conn NAME" },
		{ "route add 10.0.0.0/8", "\"route add 10.0.0.0/8\" needs conn NAME" },
		{ "route add 10.0.0.0/8 weight 100", "needs conn NAME" },
		{ "route add 10.0.0.0/8 conn", "missing value after \"conn\"" },
		{ "route add 10.0.0.0/8 conn c1 weight 50", "weight must be 100 or 0, not \"50\"" },
		{ "route add 10.0.0.0/8 conn c1 weight 1000", "weight must be 100 or 0, not \"1000\"" },
		{ "route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority 0", "priority must be 1..100, not \"0\"" },
		{ "route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority 101", "priority must be 1..100, not \"101\"" },
		{ "route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 priority x", "priority must be 1..100, not \"x\"" },
		{ "route add 10.0.0.0/8 conn c1 priority 5", "priority is only for policy routes" },
		{ "route add 10.0.0.0/8 conn c1 pref 10", "pref is only for BGP routes (proto bgp)" },
		{ "route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 pref 10", "pref is only for BGP routes" },
		{ "route add 10.0.0.0/8 conn c1 proto bgp pref 4294967296", "pref must be 0..4294967295, not \"4294967296\"" },
		{ "route add 10.0.0.0/8 conn c1 proto bgp pref -1", "pref must be 0..4294967295, not \"-1\"" },
		{ "route add 10.0.0.0/8 conn c1 proto bgp weight 100", "weight is not allowed with proto bgp" },
		{ "route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 proto bgp", "from is not allowed with proto bgp" },
		{ "route add 10.0.0.0/8 from 1.0.0.0/8 conn c1 proto static", "proto static does not take from" },
		{ "route add 10.0.0.0/8 conn c1 proto policy", "a policy route needs from SRC-PREFIX" },
		{ "route add 10.0.0.0/8 conn c1 proto ospf", "proto must be static, policy or bgp, not \"ospf\"" },
		{ "route add 10.0.0.0/8 conn c1 foo", "unknown keyword \"foo\" after \"route add\"; allowed: conn, from, weight, priority, proto, pref" },
		{ "route del 10.0.0.0/8 conn c1 foo bar", "unknown keyword \"foo\" after \"route del\"" },
		{ "route add 10.0.0.0/8 conn c1 p 5", "ambiguous keyword \"p\" after \"route add\"; allowed: conn, from, weight, priority, proto, pref" },
		{ "route add 10.0.0.0/8 conn c1 conn c2", "\"conn\" given twice" },
		{ "route add 10.0.0.0/8 from 2001:db8::/32 conn c1", "from 2001:db8::/32 is IPv6 but 10.0.0.0/8 is IPv4" },
		{ "route add 10.0.0.0/8 from 10.0.0.1/8 conn c1", "from: \"10.0.0.1/8\" has host bits set" },
		{ "route add 10.0.0.0/8 conn 0123456789012345678901234567890123", "is too long (at most 31 characters)" },
		{ "route frob", "unknown keyword \"frob\" after \"route\"; allowed: add, del, show, get" },
		{ "route show conn", "missing value after \"conn\"" },
		{ "route show proto rip", "proto must be static, policy or bgp, not \"rip\"" },
		{ "route show family ipx", "family must be inet or inet6, not \"ipx\"" },
		{ "route show gateway nosuch0", "device \"nosuch0\" does not exist" },
		{ "route show color red", "unknown keyword \"color\" after \"route show\"; allowed: gateway, conn, proto, family" },
		{ "route get 10.0.0.1", "\"route get 10.0.0.1\" needs gateway GW" },
		{ "route get 10.0.0.0/8 gateway vpngw0", "takes an address, not a prefix" },
		{ "route get 10.0.0.1 gateway vpngw0 from 2001:db8::1", "is IPv6 but 10.0.0.1 is IPv4" },
		{ "route get 10.0.0.1 gateway vpngw0 ipproto tcp dport 70000", "dport must be 0..65535, not \"70000\"" },
		{ "route get 10.0.0.1 gateway vpngw0 dport 80", "sport and dport need ipproto" },
		{ "route get 10.0.0.1 gateway vpngw0 ipproto gre", "ipproto must be tcp, udp, icmp or a number 0..255, not \"gre\"" },
		{ "route get 10.0.0.1 gateway xyz9", "device \"xyz9\" does not exist" },
	};
	struct vpnrtctl c;
	struct fake f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		fake_init(&c, &f);
		rc = run_line(&c, bad[i].line);
		TAP_CHECK(rc == -1 && strstr(c.err, bad[i].msg) && f.n_sent == 0,
			  "rejected: %s -> %s", bad[i].line, c.err);
		fake_fini(&c, &f);
	}
}

/* route replace: ROUTE_NEW with VPNRT_A_REPLACE; add without it */
static void test_replace(void)
{
	struct nlattr *rt[VPNRT_A_ROUTE_MAX + 1];
	struct vpnrtctl c;
	struct fake f;
	uint16_t flags = 0;
	int n = 0, cmd;

	fake_init(&c, &f);
	cmd = one_route("route replace 10.1.0.0/16 conn c1 weight 0", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_NEW && n == 1 && replace_flag &&
		  (flags & NLM_F_ACK) && !(flags & NLM_F_REPLACE) &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_WEIGHT]) == 0 &&
		  nla_get_u8(rt[VPNRT_A_ROUTE_PROTO]) == VPNRT_PROTO_STATIC,
		  "route replace: ROUTE_NEW with VPNRT_A_REPLACE (nlmsg flags: ACK only), weight 0");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route add 10.1.0.0/16 conn c1", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_NEW && !replace_flag,
		  "route add: no VPNRT_A_REPLACE");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route del 10.1.0.0/16 conn c1", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_DEL && !replace_flag,
		  "route del: no VPNRT_A_REPLACE");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = one_route("route rep 10.3.0.0/16 conn c1 proto bgp pref 7", rt, &f, &c, &n, &flags);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_NEW && replace_flag &&
		  nla_get_u32(rt[VPNRT_A_ROUTE_PREF]) == 7,
		  "route rep (a prefix of replace), bgp pref 7");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	TAP_CHECK(run_line(&c, "route replace 10.1.0.0/16 conn c1 proto bgp weight 0") == -1 &&
		  strstr(c.err, "weight is not allowed with proto bgp") && f.n_sent == 0,
		  "route replace checks as route add does: %s", c.err);
	fake_fini(&c, &f);
}

static struct nla_policy stale_pol[VPNRT_A_STALE_MAX + 1] = {
	[VPNRT_A_STALE_GW_IFINDEX] = { .type = NLA_U32 },
	[VPNRT_A_STALE_CONN] = { .type = NLA_STRING },
	[VPNRT_A_STALE_CONN_ID] = { .type = NLA_U32 },
	[VPNRT_A_STALE_PROTO] = { .type = NLA_U8 },
	[VPNRT_A_STALE_TIMEOUT] = { .type = NLA_U32 },
};

/* run line; its request's command, the stale nest in st (NULL if none) */
static int stale_req(struct vpnrtctl *c, struct fake *f, const char *line,
		     struct nlattr **st, int *n_attrs)
{
	struct nlattr *tb[VPNRT_A_MAX + 1];
	struct genlmsghdr *g;

	*n_attrs = 0;
	if (run_line(c, line) && !strstr(c->err, "without a count")) {
		printf("# unexpected error: %s\n", c->err);
		return -1;
	}
	if (f->n_sent != 1 || !(g = sent_parse(f, 0, tb)) || !tb[VPNRT_A_STALE] ||
	    !(tb[VPNRT_A_STALE]->nla_type & NLA_F_NESTED) ||
	    nla_parse_nested(st, VPNRT_A_STALE_MAX, tb[VPNRT_A_STALE], stale_pol) < 0)
		return -1;
	for (int i = 1; i <= VPNRT_A_STALE_MAX; i++)
		*n_attrs += !!st[i];
	if (!(nlmsg_hdr(f->sent[0])->nlmsg_flags & NLM_F_ACK))
		return -1;
	return g->cmd;
}

/* route stale|sweep: the scope, the timeout, and the rejections */
static void test_stale_sweep(void)
{
	static const struct { const char *line, *err; } bad[] = {
		{ "route stale", "\"route stale\" needs GW (the gateway)" },
		{ "route sweep gateway", "\"route sweep\" needs GW (the gateway)" },
		{ "route stale nosuch0", "device \"nosuch0\" does not exist" },
		{ "route stale vpngw0 timeout 86401", "timeout must be 0..86400 seconds, not \"86401\"" },
		{ "route stale vpngw0 timeout -1", "timeout must be 0..86400 seconds, not \"-1\"" },
		{ "route stale vpngw0 proto ospf", "proto must be static, policy or bgp, not \"ospf\"" },
		{ "route sweep vpngw0 timeout 5",
		  "unknown keyword \"timeout\" after \"route sweep\"; allowed: conn, proto" },
		{ "route stale vpngw0 conn c1 conn c2", "\"conn\" given twice" },
		{ "route stale vpngw0 proto", "missing value after \"proto\"" },
	};
	struct nlattr *st[VPNRT_A_STALE_MAX + 1];
	struct vpnrtctl c;
	struct fake f;
	int cmd, n;

	fake_init(&c, &f);
	cmd = stale_req(&c, &f, "route stale vpngw0 conn c1 proto bgp timeout 120", st, &n);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_STALE && n == 4 &&
		  nla_get_u32(st[VPNRT_A_STALE_GW_IFINDEX]) == 10 &&
		  !strcmp(nla_get_string(st[VPNRT_A_STALE_CONN]), "c1") &&
		  nla_get_u8(st[VPNRT_A_STALE_PROTO]) == VPNRT_PROTO_BGP &&
		  nla_get_u32(st[VPNRT_A_STALE_TIMEOUT]) == 120,
		  "route stale GW conn proto timeout: ROUTE_STALE with gw 10, conn, proto 3, timeout 120");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = stale_req(&c, &f, "route stale gateway vpngw1", st, &n);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_STALE && n == 1 &&
		  nla_get_u32(st[VPNRT_A_STALE_GW_IFINDEX]) == 13,
		  "route stale gateway GW: the gateway alone (every conn, every proto, no timeout)");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = stale_req(&c, &f, "route sweep vpngw0 proto bgp", st, &n);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_SWEEP && n == 2 &&
		  nla_get_u8(st[VPNRT_A_STALE_PROTO]) == VPNRT_PROTO_BGP &&
		  !st[VPNRT_A_STALE_TIMEOUT],
		  "route sweep GW proto bgp: ROUTE_SWEEP, no timeout");
	fake_fini(&c, &f);

	fake_init(&c, &f);
	cmd = stale_req(&c, &f, "route stale vpngw0 timeout 0", st, &n);
	TAP_CHECK(cmd == VPNRT_CMD_ROUTE_STALE && n == 2 &&
		  nla_get_u32(st[VPNRT_A_STALE_TIMEOUT]) == 0,
		  "route stale timeout 0: sent as given (no timed sweep)");
	fake_fini(&c, &f);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(&c, &f);
		TAP_CHECK(run_line(&c, bad[i].line) == -1 && f.n_sent == 0 &&
			  !strcmp(c.err, bad[i].err),
			  "%s: refused, nothing sent: %s", bad[i].line, c.err);
		fake_fini(&c, &f);
	}
}

int main(void)
{
	test_static();
	test_replace();
	test_stale_sweep();
	test_policy_bgp();
	test_show_get();
	test_rejections();
	return tap_done();
}
