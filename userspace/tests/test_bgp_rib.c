// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrtd's BGP table (vpnrtd/bgp_rib.c): import policy and its
 * boundaries, quotas with both actions, best-path selection attribute by
 * attribute, the kernel pref across connections, the exact kernel and
 * VPC operations each change produces, graceful restart, queries and
 * counters, and 100,000 prefixes with their time and bytes per route.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp_rib.h"
#include "bgp_test.h"
#include "tap.h"

static struct bgp_prefix P(const char *s)
{
	return test_prefix(s);
}

/* attributes: LOCAL_PREF (0: absent), origin, MED (-1: absent), path */
static struct bgp_attrs A_;

static const struct bgp_attrs *A(uint32_t lp, uint8_t origin, long med,
				 const char *path)
{
	uint32_t asns[32];
	size_t n = 0;
	char *end;

	bgp_attrs_init(&A_);
	A_.origin = origin;
	if (lp) {
		A_.local_pref = lp;
		A_.present |= 1u << BGP_ATTR_LOCAL_PREF;
	}
	if (med >= 0) {
		A_.med = (uint32_t)med;
		A_.present |= 1u << BGP_ATTR_MED;
	}
	A_.nh_len = 4;
	memcpy(A_.nh, "\xa9\xfe\x0a\x01", 4);
	while (path && *path && n < 32) {
		asns[n++] = (uint32_t)strtoul(path, &end, 10);
		path = end;
	}
	bgp_attrs_set_path(&A_, asns, n);
	return &A_;
}

/* a path "SEQ {SET}": one AS_SEQUENCE segment then one AS_SET */
static const struct bgp_attrs *A_set(uint32_t seq, const uint32_t *set,
				     unsigned int n)
{
	uint8_t *v = A_.var;
	unsigned int i;

	bgp_attrs_init(&A_);
	A_.nh_len = 4;
	memcpy(A_.nh, "\xa9\xfe\x0a\x01", 4);
	*v++ = BGP_SEG_SEQUENCE;
	*v++ = 0;
	*v++ = 1;
	*v++ = (uint8_t)(seq >> 24); *v++ = (uint8_t)(seq >> 16);
	*v++ = (uint8_t)(seq >> 8); *v++ = (uint8_t)seq;
	*v++ = BGP_SEG_SET;
	*v++ = 0;
	*v++ = (uint8_t)n;
	for (i = 0; i < n; i++) {
		*v++ = (uint8_t)(set[i] >> 24); *v++ = (uint8_t)(set[i] >> 16);
		*v++ = (uint8_t)(set[i] >> 8); *v++ = (uint8_t)set[i];
	}
	A_.aspath_len = (uint16_t)(v - A_.var);
	return &A_;
}

static struct bgp_rib_config cfg;

static struct bgp_rib *rib_new(uint32_t max_routes)
{
	bgp_rib_config_init(&cfg);
	cfg.max_routes = max_routes;
	return bgp_rib_new(&cfg);
}

static int peer(struct bgp_rib *rib, const char *conn, int tunnel,
		const char *addr, uint32_t max, uint8_t action)
{
	struct bgp_rib_peer_conf pc;

	memset(&pc, 0, sizeof(pc));
	pc.conn = conn;
	pc.tunnel = (uint8_t)tunnel;
	pc.addr.af = BGP_AF_IPV4;
	inet_pton(AF_INET, addr, pc.addr.addr);
	pc.peer_as = 65001;
	pc.max_routes = max;
	pc.action = action;
	return bgp_rib_peer_add(rib, &pc);
}

static enum bgp_rib_result ann(struct bgp_rib *rib, int p, const char *pfx,
			       const struct bgp_attrs *a)
{
	struct bgp_prefix x = P(pfx);

	return bgp_rib_announce(rib, p, &x, a, NULL);
}

static enum bgp_rib_reason why(struct bgp_rib *rib, int p, const char *pfx,
			       const struct bgp_attrs *a)
{
	struct bgp_prefix x = P(pfx);
	enum bgp_rib_reason w = BGP_RIB_NREASONS;

	bgp_rib_announce(rib, p, &x, a, &w);
	return w;
}

static void wd(struct bgp_rib *rib, int p, const char *pfx)
{
	struct bgp_prefix x = P(pfx);

	bgp_rib_withdraw(rib, p, &x);
}

/* the drained operations as text: "add 10.0.0.0/24 c1 1, vpc-add ..." */
static char ops_buf[8192];

static const char *drain(struct bgp_rib *rib)
{
	struct bgp_rib_op ops[64];
	size_t n, i, off = 0;
	char pb[64];

	ops_buf[0] = '\0';
	while ((n = bgp_rib_drain(rib, ops, 64)))
		for (i = 0; i < n && off < sizeof(ops_buf) - 128; i++) {
			const struct bgp_rib_op *o = &ops[i];

			off += (size_t)snprintf(ops_buf + off,
				sizeof(ops_buf) - off, "%s%s %s",
				off ? ", " : "", bgp_rib_op_name(o->type),
				bgp_prefix_fmt(&o->pfx, pb, sizeof(pb)));
			if (o->conn != BGP_RIB_CONN_VPC)
				off += (size_t)snprintf(ops_buf + off,
					sizeof(ops_buf) - off, " %s",
					bgp_rib_conn_name(rib, o->conn));
			if (o->type == BGP_RIB_OP_ADD ||
			    o->type == BGP_RIB_OP_REPLACE)
				off += (size_t)snprintf(ops_buf + off,
					sizeof(ops_buf) - off, " %u", o->pref);
		}
	return ops_buf;
}

/* which tunnel's path is installed for pfx on peer p's connection */
static bool installed(struct bgp_rib *rib, int p, const char *pfx)
{
	struct bgp_prefix x = P(pfx);
	struct bgp_rib_route r;

	return !bgp_rib_lookup(rib, p, &x, &r) && r.installed;
}

static struct bgp_rib_peer_stats ps(struct bgp_rib *rib, int p)
{
	struct bgp_rib_peer_stats s;

	bgp_rib_peer_stats(rib, p, &s);
	return s;
}

static struct bgp_rib_stats gs(struct bgp_rib *rib)
{
	struct bgp_rib_stats s;

	bgp_rib_stats(rib, &s);
	return s;
}

static void test_deny(void)
{
	struct bgp_rib *rib = rib_new(100);
	const struct bgp_attrs *a = A(0, 0, -1, "65001");
	int p = peer(rib, "c1", 1, "169.254.10.1", 100, BGP_RIB_ACT_REFUSE);
	struct bgp_rib_peer_stats s;

	TAP_CHECK(p == 0, "deny: peer 0 added");
	TAP_CHECK(why(rib, p, "0.0.0.0/0", a) == BGP_RIB_DENY,
		  "deny: 0.0.0.0/0 refused (exact entry)");
	TAP_CHECK(why(rib, p, "0.0.0.0/1", a) == BGP_RIB_OK,
		  "deny: 0.0.0.0/1 accepted (exact entry covers nothing)");
	TAP_CHECK(why(rib, p, "100.64.0.0/10", a) == BGP_RIB_DENY,
		  "deny: 100.64.0.0/10 refused");
	TAP_CHECK(why(rib, p, "100.64.1.0/24", a) == BGP_RIB_DENY,
		  "deny: 100.64.1.0/24 refused (inside)");
	TAP_CHECK(why(rib, p, "100.127.255.255/32", a) == BGP_RIB_DENY,
		  "deny: 100.127.255.255/32 refused (last address inside)");
	TAP_CHECK(why(rib, p, "100.128.0.0/10", a) == BGP_RIB_OK,
		  "deny: 100.128.0.0/10 accepted (next /10)");
	TAP_CHECK(why(rib, p, "100.0.0.0/9", a) == BGP_RIB_OK,
		  "deny: 100.0.0.0/9 accepted (covers the entry, less specific)");
	TAP_CHECK(why(rib, p, "100.63.255.0/24", a) == BGP_RIB_OK,
		  "deny: 100.63.255.0/24 accepted (just below)");
	TAP_CHECK(why(rib, p, "::/0", a) == BGP_RIB_DENY,
		  "deny: ::/0 refused");
	TAP_CHECK(why(rib, p, "::/1", a) == BGP_RIB_OK, "deny: ::/1 accepted");
	TAP_CHECK(why(rib, p, "2001:db8::/32", a) == BGP_RIB_OK,
		  "deny: 2001:db8::/32 accepted");
	s = ps(rib, p);
	TAP_CHECK(s.received == 11 && s.accepted == 6 &&
		  s.refused[BGP_RIB_DENY] == 5 && s.installed == 6,
		  "deny: counters received 11 accepted 6 deny 5 installed 6 "
		  "(%u %u %u %u)", s.received, s.accepted,
		  s.refused[BGP_RIB_DENY], s.installed);
	TAP_CHECK(!installed(rib, p, "0.0.0.0/0") &&
		  installed(rib, p, "0.0.0.0/1"),
		  "deny: refused not installed, accepted installed");
	TAP_STREQ(drain(rib), "add 0.0.0.0/1 c1 1, add 100.128.0.0/10 c1 1, "
		  "add 100.0.0.0/9 c1 1, add 100.63.255.0/24 c1 1, "
		  "add ::/1 c1 1, add 2001:db8::/32 c1 1, vpc-add 0.0.0.0/1, "
		  "vpc-add 100.128.0.0/10, vpc-add 100.0.0.0/9, "
		  "vpc-add 100.63.255.0/24, vpc-add ::/1, "
		  "vpc-add 2001:db8::/32", "deny: only accepted routes reach "
		  "the kernel and the VPC table");
	bgp_rib_free(rib);

	/* a config's own deny list, and the own prefixes */
	bgp_rib_config_init(&cfg);
	cfg.n_deny = 1;
	cfg.deny[0].pfx = P("10.0.0.0/8");
	cfg.deny[0].exact = true;
	cfg.n_own = 1;
	cfg.own[0] = P("172.16.0.0/16");
	rib = bgp_rib_new(&cfg);
	p = peer(rib, "c1", 1, "169.254.10.1", 100, BGP_RIB_ACT_REFUSE);
	TAP_CHECK(why(rib, p, "10.0.0.0/8", a) == BGP_RIB_DENY &&
		  why(rib, p, "10.1.0.0/16", a) == BGP_RIB_OK &&
		  why(rib, p, "0.0.0.0/0", a) == BGP_RIB_OK,
		  "deny: a configured list replaces the defaults, exact "
		  "entry matches only itself");
	TAP_CHECK(why(rib, p, "172.16.0.0/16", a) == BGP_RIB_OWN &&
		  why(rib, p, "172.16.5.0/24", a) == BGP_RIB_OWN,
		  "own: our prefix and a more-specific refused as own-prefix");
	TAP_CHECK(why(rib, p, "172.0.0.0/8", a) == BGP_RIB_OK &&
		  why(rib, p, "172.17.0.0/16", a) == BGP_RIB_OK,
		  "own: a covering prefix and a neighbour accepted");
	cfg.own[0] = P("172.16.0.1/16");	/* host bits set */
	TAP_CHECK(!bgp_rib_new(&cfg), "config: prefix with host bits refused");
	bgp_rib_config_init(&cfg);
	cfg.local_as = 0;
	TAP_CHECK(!bgp_rib_new(&cfg), "config: local AS 0 refused");
	bgp_rib_config_init(&cfg);
	cfg.max_routes = BGP_RIB_QUOTA_MAX + 1;
	TAP_CHECK(!bgp_rib_new(&cfg), "config: bgp-routes above 1000000 refused");
	bgp_rib_free(rib);
}

static void test_loop(void)
{
	struct bgp_rib *rib = rib_new(100);
	int p = peer(rib, "c1", 1, "169.254.10.1", 100, BGP_RIB_ACT_REFUSE);
	uint32_t set[] = { 45104, 65010 }, set2[] = { 65010, 65011 };

	TAP_CHECK(why(rib, p, "10.0.0.0/24", A(0, 0, -1, "65001 45104 65002"))
		  == BGP_RIB_LOOP, "loop: our ASN 45104 in the sequence refused");
	TAP_CHECK(why(rib, p, "10.0.1.0/24", A(0, 0, -1, "65001 45103 45105"))
		  == BGP_RIB_OK, "loop: 45103, 45105 accepted");
	TAP_CHECK(why(rib, p, "10.0.2.0/24", A_set(65001, set, 2)) ==
		  BGP_RIB_LOOP, "loop: our ASN in an AS_SET refused");
	TAP_CHECK(why(rib, p, "10.0.3.0/24", A_set(65001, set2, 2)) ==
		  BGP_RIB_OK, "loop: an AS_SET without it accepted");
	TAP_CHECK(ps(rib, p).refused[BGP_RIB_LOOP] == 2,
		  "loop: counted by reason");
	/* implicit withdraw to a looped path takes the route away */
	drain(rib);
	TAP_CHECK(why(rib, p, "10.0.1.0/24", A(0, 0, -1, "65001 45104")) ==
		  BGP_RIB_LOOP, "loop: re-announced with a loop refused");
	TAP_STREQ(drain(rib), "vpc-del 10.0.1.0/24, del 10.0.1.0/24 c1",
		  "loop: the replaced route is deleted, VPC first");
	bgp_rib_free(rib);
}

static void pfx_n(char *buf, size_t len, unsigned int i)
{
	snprintf(buf, len, "10.%u.%u.0/24", i / 256, i % 256);
}

static void test_quota(uint8_t action)
{
	const char *an = action ? "teardown" : "refuse";
	struct bgp_rib *rib = rib_new(50);
	const struct bgp_attrs *a = A(0, 0, -1, "65001");
	struct bgp_notification n;
	uint16_t afi = 0;
	uint8_t safi = 0;
	uint32_t limit = 0;
	enum bgp_rib_result r = BGP_RIB_ACCEPTED;
	char b[32];
	int p, q;
	unsigned int i, ok = 0;

	p = peer(rib, "c1", 1, "169.254.10.1", 100, action);
	for (i = 0; i < 50; i++) {
		pfx_n(b, sizeof(b), i);
		ok += ann(rib, p, b, a) == BGP_RIB_ACCEPTED;
	}
	TAP_CHECK(ok == 50 && gs(rib).routes == 50,
		  "quota %s: 50 routes on the gateway accepted", an);
	r = ann(rib, p, "10.1.0.0/24", a);
	if (!action) {
		struct bgp_prefix x = P("10.1.0.0/24");
		struct bgp_rib_route rt;

		TAP_CHECK(r == BGP_RIB_REFUSED &&
			  why(rib, p, "10.1.1.0/24", a) == BGP_RIB_QUOTA_GW,
			  "quota refuse: the 51st route on the gateway "
			  "refused, reason bgp-routes");
		TAP_CHECK(!bgp_rib_lookup(rib, p, &x, &rt) &&
			  rt.why == BGP_RIB_QUOTA_GW && !rt.installed,
			  "quota refuse: the refused route is held with its "
			  "reason");
		TAP_CHECK(gs(rib).routes == 50 &&
			  ps(rib, p).refused[BGP_RIB_QUOTA_GW] == 2,
			  "quota refuse: 50 routes, 2 refused counted");
		/* room frees: no silent acceptance */
		drain(rib);
		wd(rib, p, "10.0.0.0/24");
		TAP_CHECK(!bgp_rib_lookup(rib, p, &x, &rt) &&
			  rt.why == BGP_RIB_QUOTA_GW && gs(rib).routes == 49,
			  "quota refuse: a withdrawal frees room, the refused "
			  "route stays refused");
		TAP_STREQ(drain(rib), "vpc-del 10.0.0.0/24, del 10.0.0.0/24 c1",
			  "quota refuse: only the withdrawal reaches the kernel");
		TAP_CHECK(bgp_rib_peer_refresh(rib, p) == 1 &&
			  !bgp_rib_lookup(rib, p, &x, &rt) && rt.installed,
			  "quota refuse: a refresh accepts the oldest refused "
			  "route");
		TAP_CHECK(why(rib, p, "10.1.1.0/24", a) == BGP_RIB_QUOTA_GW,
			  "quota refuse: the younger one stays refused");
		wd(rib, p, "10.0.1.0/24");
		TAP_CHECK(why(rib, p, "10.1.1.0/24", a) == BGP_RIB_OK,
			  "quota refuse: re-announced after room freed: "
			  "accepted");
		TAP_STREQ(drain(rib), "vpc-del 10.0.1.0/24, del 10.0.1.0/24 c1, "
			  "add 10.1.0.0/24 c1 1, add 10.1.1.0/24 c1 1, "
			  "vpc-add 10.1.0.0/24, vpc-add 10.1.1.0/24",
			  "quota refuse: the kernel gets the two routes");
	} else {
		struct bgp_rib_peer_stats s = ps(rib, p);

		TAP_CHECK(r == BGP_RIB_TEARDOWN && s.teardown &&
			  s.td_reason == BGP_RIB_QUOTA_GW && s.td_limit == 50,
			  "quota teardown: the 51st route on the gateway: "
			  "teardown, bgp-routes limit 50");
		bgp_rib_teardown_notif(rib, p, &n);
		TAP_CHECK(n.code == BGP_ERR_CEASE &&
			  n.subcode == BGP_CEASE_MAX_PREFIX &&
			  !bgp_notification_maxprefix(&n, &afi, &safi, &limit) &&
			  afi == 1 && safi == 1 && limit == 50,
			  "quota teardown: Cease/1 AFI 1 SAFI 1 limit 50");
		TAP_CHECK(ann(rib, p, "10.2.0.0/24", a) == BGP_RIB_IGNORED &&
			  gs(rib).routes == 50,
			  "quota teardown: later announcements ignored");
		drain(rib);
		bgp_rib_peer_down(rib, p, false);
		TAP_CHECK(gs(rib).routes == 0 && gs(rib).paths == 0 &&
			  !ps(rib, p).teardown,
			  "quota teardown: session down removes all 50");
		drain(rib);
	}
	bgp_rib_free(rib);

	/* per peer: 100, with the gateway's quota out of the way */
	rib = rib_new(1000);
	p = peer(rib, "c1", 1, "169.254.10.1", 100, action);
	q = peer(rib, "c2", 1, "169.254.11.1", 100, action);
	for (i = 0, ok = 0; i < 100; i++) {
		pfx_n(b, sizeof(b), i);
		ok += ann(rib, p, b, a) == BGP_RIB_ACCEPTED;
	}
	TAP_CHECK(ok == 100, "quota %s: 100 routes from a peer accepted", an);
	r = ann(rib, p, "10.1.0.0/24", a);
	if (!action) {
		TAP_CHECK(r == BGP_RIB_REFUSED &&
			  ps(rib, p).refused[BGP_RIB_QUOTA_PEER] == 1 &&
			  ps(rib, p).accepted == 100,
			  "quota refuse: the 101st from a peer refused, "
			  "reason peer-routes");
		TAP_CHECK(why(rib, p, "10.0.5.0/24", A(200, 0, -1, "65001")) ==
			  BGP_RIB_OK, "quota refuse: a full peer may still "
			  "replace its own routes");
	} else {
		TAP_CHECK(r == BGP_RIB_TEARDOWN &&
			  ps(rib, p).td_reason == BGP_RIB_QUOTA_PEER,
			  "quota teardown: the 101st from a peer: teardown");
		bgp_rib_teardown_notif(rib, p, &n);
		TAP_CHECK(!bgp_notification_maxprefix(&n, &afi, &safi,
						       &limit) && limit == 100,
			  "quota teardown: Cease/1 limit 100");
		{
			struct bgp_prefix x = P("2001:db8::/32");

			TAP_CHECK(bgp_rib_announce(rib, q, &x, a, NULL) ==
				  BGP_RIB_ACCEPTED, "quota teardown: the other "
				  "peer unaffected");
		}
	}
	TAP_CHECK(ann(rib, q, "10.0.0.0/24", a) == BGP_RIB_ACCEPTED,
		  "quota %s: another peer has its own quota", an);
	bgp_rib_free(rib);
}

static void test_quota_tunnels(void)
{
	struct bgp_rib *rib = rib_new(2);
	const struct bgp_attrs *a = A(0, 0, -1, "65001");
	int t1 = peer(rib, "c1", 1, "169.254.10.1", 100, BGP_RIB_ACT_REFUSE);
	int t2 = peer(rib, "c1", 2, "169.254.10.5", 100, BGP_RIB_ACT_REFUSE);
	int c2 = peer(rib, "c2", 1, "169.254.11.1", 100, BGP_RIB_ACT_REFUSE);

	TAP_CHECK(t1 == 0 && t2 == 1 && c2 == 2, "quota tunnels: 3 peers");
	TAP_CHECK(peer(rib, "c1", 2, "169.254.10.9", 100, 0) == -EEXIST,
		  "peers: c1 tunnel 2 twice: EEXIST");
	TAP_CHECK(peer(rib, "c1", 3, "169.254.10.9", 100, 0) == -EINVAL,
		  "peers: tunnel 3: EINVAL");
	ann(rib, t1, "10.0.0.0/24", a);
	ann(rib, t1, "10.0.1.0/24", a);
	TAP_CHECK(why(rib, t2, "10.0.0.0/24", a) == BGP_RIB_OK &&
		  gs(rib).routes == 2,
		  "quota tunnels: the other tunnel's copy of a routed prefix "
		  "is free (still 2 kernel routes)");
	TAP_CHECK(why(rib, t2, "10.0.2.0/24", a) == BGP_RIB_QUOTA_GW,
		  "quota tunnels: a third prefix is over bgp-routes 2");
	TAP_CHECK(why(rib, c2, "10.0.0.0/24", a) == BGP_RIB_QUOTA_GW,
		  "quota tunnels: the same prefix on another connection is "
		  "another kernel route: over");
	TAP_CHECK(ps(rib, t1).accepted == 2 && ps(rib, t2).accepted == 1 &&
		  ps(rib, t1).installed == 2 && ps(rib, t2).installed == 0,
		  "quota tunnels: t2's accepted path is a backup, not "
		  "installed");
	/* t1 goes: its prefix stays on c1 through t2, nothing to redo */
	drain(rib);
	wd(rib, t1, "10.0.0.0/24");
	TAP_STREQ(drain(rib), "", "quota tunnels: withdrawing t1's path "
		  "with t2's equal one: no kernel operation");
	TAP_CHECK(installed(rib, t2, "10.0.0.0/24") && gs(rib).routes == 2,
		  "quota tunnels: t2's path installed now");
	bgp_rib_free(rib);
}

/* two tunnels of c1: which one's path wins */
static void sel_case(const char *name, const struct bgp_attrs *a1_,
		     const struct bgp_attrs *a2_, bool always, int want)
{
	struct bgp_attrs *a1 = malloc(sizeof(*a1)), *a2 = malloc(sizeof(*a2));
	struct bgp_rib *rib;
	int t1, t2, i;

	memcpy(a1, a1_, sizeof(*a1));
	memcpy(a2, a2_, sizeof(*a2));
	for (i = 0; i < 2; i++) {	/* both arrival orders */
		bgp_rib_config_init(&cfg);
		cfg.med_always_compare = always;
		rib = bgp_rib_new(&cfg);
		t1 = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
		t2 = peer(rib, "c1", 2, "169.254.10.5", 100, 0);
		if (!i) {
			ann(rib, t1, "10.0.0.0/24", a1);
			ann(rib, t2, "10.0.0.0/24", a2);
		} else {
			ann(rib, t2, "10.0.0.0/24", a2);
			ann(rib, t1, "10.0.0.0/24", a1);
		}
		TAP_CHECK(installed(rib, want == 1 ? t1 : t2, "10.0.0.0/24") &&
			  !installed(rib, want == 1 ? t2 : t1, "10.0.0.0/24"),
			  "select %s: tunnel %d (%s first)", name, want,
			  i ? "t2" : "t1");
		bgp_rib_free(rib);
	}
	free(a1);
	free(a2);
}

static void sel_copy(struct bgp_attrs *dst, const struct bgp_attrs *src)
{
	memcpy(dst, src, sizeof(*dst));
}

static void test_select(void)
{
	static struct bgp_attrs x;
	uint32_t set[] = { 65002, 65003, 65004 };
	struct bgp_rib *rib;
	int t1, t2;

	sel_copy(&x, A(200, 0, -1, "65001 65002 65003"));
	sel_case("local-pref 200 over 100 despite a longer path", &x,
		 A(100, 0, -1, "65001"), false, 1);
	sel_copy(&x, A(0, 0, -1, "65001 65002"));
	sel_case("absent local-pref is 100: 101 wins", &x,
		 A(101, 0, -1, "65001 65002"), false, 2);
	sel_copy(&x, A(0, 2, 50, "65001 65002"));
	sel_case("shorter AS path despite worse origin and MED", &x,
		 A(0, 0, 0, "65001 65002 65003"), false, 1);
	sel_copy(&x, A_set(65001, set, 3));
	sel_case("an AS_SET counts 1: {3 ASNs} beats 3 ASNs", &x,
		 A(0, 0, -1, "65001 65002 65003"), false, 1);
	sel_copy(&x, A(0, 1, -1, "65001"));
	sel_case("origin IGP over EGP", &x, A(0, 0, -1, "65001"), false, 2);
	sel_copy(&x, A(0, 1, -1, "65001"));
	sel_case("origin EGP over INCOMPLETE", &x, A(0, 2, -1, "65001"),
		 false, 1);
	sel_copy(&x, A(0, 0, 20, "65001 65100"));
	sel_case("MED 10 over 20, same neighbour AS", &x,
		 A(0, 0, 10, "65001 65200"), false, 2);
	sel_copy(&x, A(0, 0, 10, "65001"));
	sel_case("absent MED is 0: beats 10", &x, A(0, 0, -1, "65001"),
		 false, 2);

	/* MED across neighbouring ASes: not compared, the older wins */
	bgp_rib_config_init(&cfg);
	rib = bgp_rib_new(&cfg);
	t1 = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
	t2 = peer(rib, "c1", 2, "169.254.10.5", 100, 0);
	ann(rib, t1, "10.0.0.0/24", A(0, 0, 20, "65001"));
	ann(rib, t2, "10.0.0.0/24", A(0, 0, 10, "65002"));
	TAP_CHECK(installed(rib, t1, "10.0.0.0/24"),
		  "select MED: other neighbour AS: MED ignored, the older "
		  "(t1, MED 20) wins");
	bgp_rib_free(rib);
	sel_copy(&x, A(0, 0, 20, "65001"));
	sel_case("always-compare-med: MED 10 from another AS wins", &x,
		 A(0, 0, 10, "65002"), true, 2);

	/* oldest; re-announcing changed attributes makes a path young */
	bgp_rib_config_init(&cfg);
	rib = bgp_rib_new(&cfg);
	t2 = peer(rib, "c1", 2, "169.254.10.1", 100, 0);
	t1 = peer(rib, "c1", 1, "169.254.10.5", 100, 0);
	ann(rib, t2, "10.0.0.0/24", A(0, 0, -1, "65001"));
	ann(rib, t1, "10.0.0.0/24", A(0, 0, -1, "65001"));
	TAP_CHECK(installed(rib, t2, "10.0.0.0/24"),
		  "select oldest: equal paths, the first to arrive wins");
	ann(rib, t2, "10.0.0.0/24", A(0, 0, -1, "65001"));
	TAP_CHECK(installed(rib, t2, "10.0.0.0/24"),
		  "select oldest: an identical re-announcement keeps its age");
	ann(rib, t2, "10.0.0.0/24", A(0, 0, 0, "65001"));
	TAP_CHECK(installed(rib, t1, "10.0.0.0/24"),
		  "select oldest: changed attributes (MED 0 = absent MED "
		  "in rank) make it younger: t1 wins");
	bgp_rib_free(rib);
}

static void test_pref(void)
{
	struct bgp_rib *rib = rib_new(100);
	int a = peer(rib, "ca", 1, "169.254.10.1", 100, 0);
	int b = peer(rib, "cb", 1, "169.254.11.1", 100, 0);
	int c = peer(rib, "cc", 1, "169.254.12.1", 100, 0);

	ann(rib, a, "10.0.0.0/24", A(0, 0, -1, "65001 65100"));
	ann(rib, b, "10.0.0.0/24", A(0, 0, -1, "65002 65100"));
	TAP_STREQ(drain(rib), "add 10.0.0.0/24 ca 1, add 10.0.0.0/24 cb 1, "
		  "vpc-add 10.0.0.0/24",
		  "pref: equal attributes on two connections: pref 1 each "
		  "(ECMP), one VPC entry");
	ann(rib, c, "10.0.0.0/24", A(0, 0, -1, "65003 65200 65100"));
	TAP_STREQ(drain(rib), "add 10.0.0.0/24 cc 2",
		  "pref: a longer path on a third: pref 2, others untouched");
	ann(rib, a, "10.0.1.0/24", A(300, 0, -1, "65001"));
	ann(rib, b, "10.0.1.0/24", A(200, 0, -1, "65002"));
	ann(rib, c, "10.0.1.0/24", A(100, 0, -1, "65003"));
	TAP_STREQ(drain(rib), "add 10.0.1.0/24 ca 1, add 10.0.1.0/24 cb 2, "
		  "add 10.0.1.0/24 cc 3, vpc-add 10.0.1.0/24",
		  "pref: three ranks: 1, 2, 3");
	/* cb's path for 10.0.1.0/24 improves: only that prefix changes */
	ann(rib, b, "10.0.1.0/24", A(400, 0, -1, "65002"));
	TAP_STREQ(drain(rib), "replace 10.0.1.0/24 ca 2, "
		  "replace 10.0.1.0/24 cb 1",
		  "pref: a change on one connection re-ranks that prefix "
		  "only (cc stays 3)");
	ann(rib, b, "10.0.1.0/24", A(300, 0, -1, "65002"));
	TAP_STREQ(drain(rib), "replace 10.0.1.0/24 ca 1, "
		  "replace 10.0.1.0/24 cc 2",
		  "pref: cb down to ca's rank: ca 1 like cb, cc 2 (dense)");
	bgp_rib_free(rib);
}

static void test_promote(void)
{
	struct bgp_rib *rib = rib_new(100);
	int t1 = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
	int t2 = peer(rib, "c1", 2, "169.254.10.5", 100, 0);
	int c2 = peer(rib, "c2", 1, "169.254.11.1", 100, 0);
	struct bgp_rib_peer_stats s;

	ann(rib, t1, "10.0.0.0/24", A(300, 0, -1, "65001"));
	ann(rib, t2, "10.0.0.0/24", A(100, 0, -1, "65001"));
	ann(rib, c2, "10.0.0.0/24", A(200, 0, -1, "65002"));
	TAP_STREQ(drain(rib), "add 10.0.0.0/24 c1 1, add 10.0.0.0/24 c2 2, "
		  "vpc-add 10.0.0.0/24", "promote: c1 (t1, 300) 1, c2 2");
	wd(rib, t1, "10.0.0.0/24");
	TAP_STREQ(drain(rib), "replace 10.0.0.0/24 c1 2, "
		  "replace 10.0.0.0/24 c2 1",
		  "promote: t1's best path withdrawn: t2's path promoted by a "
		  "replace, not a delete and an add; c2 re-ranked");
	TAP_CHECK(installed(rib, t2, "10.0.0.0/24"), "promote: t2 installed");
	s = ps(rib, t1);
	TAP_CHECK(s.received == 0 && s.installed == 0 && s.withdrawals == 1,
		  "promote: t1 holds nothing, 1 withdrawal counted");

	/* implicit withdraw: one path per peer and prefix, replaced */
	ann(rib, t2, "10.0.0.0/24", A(250, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "replace 10.0.0.0/24 c1 1, "
		  "replace 10.0.0.0/24 c2 2",
		  "implicit withdraw: t2's new path replaces its old one");
	s = ps(rib, t2);
	TAP_CHECK(s.received == 1 && s.accepted == 1 && s.announcements == 2 &&
		  gs(rib).attrs == 2,
		  "implicit withdraw: one path held, old attributes released "
		  "(2 sets interned: t2's and c2's)");
	wd(rib, t2, "10.0.0.0/24");
	TAP_STREQ(drain(rib), "del 10.0.0.0/24 c1, replace 10.0.0.0/24 c2 1",
		  "promote: c1's last path gone: delete, c2 pref 1");
	wd(rib, t2, "10.0.0.0/24");
	TAP_STREQ(drain(rib), "", "withdraw: of nothing is a no-op");
	bgp_rib_free(rib);
}

static void test_coalesce(void)
{
	struct bgp_rib *rib = rib_new(100);
	int a = peer(rib, "ca", 1, "169.254.10.1", 100, 0);
	int b = peer(rib, "cb", 1, "169.254.11.1", 100, 0);
	struct bgp_rib_op ops[4];

	ann(rib, a, "10.0.0.0/24", A(0, 0, -1, "65001"));
	wd(rib, a, "10.0.0.0/24");
	TAP_CHECK(bgp_rib_pending(rib) > 0, "coalesce: records pending");
	TAP_STREQ(drain(rib), "", "coalesce: add then delete in one batch "
		  "cancel (route and VPC entry)");
	ann(rib, a, "10.0.0.0/24", A(100, 0, -1, "65001"));
	ann(rib, b, "10.0.0.0/24", A(100, 0, -1, "65001"));
	drain(rib);
	ann(rib, b, "10.0.0.0/24", A(200, 0, -1, "65001"));
	ann(rib, b, "10.0.0.0/24", A(50, 0, -1, "65001"));
	ann(rib, b, "10.0.0.0/24", A(40, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "replace 10.0.0.0/24 cb 2",
		  "coalesce: pref 1 -> 2 -> 2 -> 2 is one replace; ca's "
		  "1 -> 2 -> 1 is none");
	wd(rib, b, "10.0.0.0/24");
	ann(rib, b, "10.0.0.0/24", A(40, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "", "coalesce: delete then add with the same "
		  "pref: nothing");
	wd(rib, b, "10.0.0.0/24");
	ann(rib, b, "10.0.0.0/24", A(100, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "replace 10.0.0.0/24 cb 1",
		  "coalesce: delete then add with another pref: one replace");
	/* order: VPC removals, deletes, replaces, adds, VPC additions */
	ann(rib, a, "10.0.1.0/24", A(0, 0, -1, "65001"));
	wd(rib, a, "10.0.0.0/24");
	wd(rib, b, "10.0.0.0/24");
	ann(rib, b, "10.0.1.0/24", A(50, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "vpc-del 10.0.0.0/24, del 10.0.0.0/24 ca, "
		  "del 10.0.0.0/24 cb, add 10.0.1.0/24 ca 1, "
		  "add 10.0.1.0/24 cb 2, vpc-add 10.0.1.0/24",
		  "coalesce: removals first, VPC entry removed before its "
		  "routes and added after them");
	/* a partial drain leaves the rest pending, still coalescing */
	wd(rib, a, "10.0.1.0/24");
	wd(rib, b, "10.0.1.0/24");
	TAP_CHECK(bgp_rib_drain(rib, ops, 1) == 1 &&
		  ops[0].type == BGP_RIB_OP_VPC_DEL,
		  "drain: one op at a time, the VPC removal first");
	ann(rib, b, "10.0.1.0/24", A(50, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "del 10.0.1.0/24 ca, replace 10.0.1.0/24 cb 1, "
		  "vpc-add 10.0.1.0/24", "drain: the rest coalesced with a new "
		  "change: the VPC entry comes back (it was removed)");
	bgp_rib_free(rib);
}

static void test_gr(void)
{
	struct bgp_rib *rib = rib_new(100);
	int t1 = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
	int t2 = peer(rib, "c1", 2, "169.254.10.5", 100, 0);
	const struct bgp_attrs *a = A(0, 0, -1, "65001");
	struct bgp_update u;
	struct bgp_prefix x = P("10.0.1.0/24");
	struct bgp_rib_route r;

	ann(rib, t1, "10.0.0.0/24", a);
	ann(rib, t1, "10.0.1.0/24", a);
	ann(rib, t1, "10.0.2.0/24", a);
	ann(rib, t1, "2001:db8:1::/48", a);
	drain(rib);
	bgp_rib_peer_down(rib, t1, true);
	TAP_CHECK(ps(rib, t1).stale == 4 && gs(rib).routes == 4,
		  "gr: graceful down: 4 routes stale, still installed");
	TAP_STREQ(drain(rib), "", "gr: marking stale changes no kernel route");
	ann(rib, t1, "10.0.1.0/24", a);
	TAP_CHECK(!bgp_rib_lookup(rib, t1, &x, &r) && !r.stale &&
		  ps(rib, t1).stale == 3,
		  "gr: a re-announced route is fresh again");
	ann(rib, t1, "10.0.2.0/24", A(0, 0, -1, "65001 65002"));
	TAP_CHECK(ps(rib, t1).stale == 2, "gr: re-announced with new "
		  "attributes: fresh too");
	TAP_STREQ(drain(rib), "", "gr: refreshing to the same pref: nothing");
	/* End-of-RIB for IPv4 through bgp_rib_update: sweeps IPv4 only */
	memset(&u, 0, sizeof(u));
	u.eor = BGP_AF_IPV4;
	TAP_CHECK(bgp_rib_update(rib, t1, &u) == BGP_RIB_ACCEPTED,
		  "gr: End-of-RIB update");
	TAP_STREQ(drain(rib), "vpc-del 10.0.0.0/24, del 10.0.0.0/24 c1",
		  "gr: IPv4 End-of-RIB sweeps the stale IPv4 route");
	TAP_CHECK(ps(rib, t1).stale == 1, "gr: the IPv6 one still stale");
	TAP_CHECK(bgp_rib_peer_sweep(rib, t1, BGP_AFS(BGP_AF_IPV6)) == 1,
		  "gr: restart timer: sweep removes 1");
	TAP_STREQ(drain(rib), "vpc-del 2001:db8:1::/48, "
		  "del 2001:db8:1::/48 c1", "gr: the IPv6 route deleted");

	/* stale path vs fresh path of the other tunnel */
	ann(rib, t2, "10.0.1.0/24", a);
	bgp_rib_peer_down(rib, t1, true);
	TAP_CHECK(bgp_rib_peer_sweep(rib, t1, 3) == 2 &&
		  installed(rib, t2, "10.0.1.0/24"),
		  "gr: sweeping t1 promotes t2's path");
	TAP_STREQ(drain(rib), "vpc-del 10.0.2.0/24, del 10.0.2.0/24 c1",
		  "gr: only the prefix t2 lacks is deleted");

	/* without graceful restart: at once */
	ann(rib, t1, "10.0.5.0/24", a);
	ann(rib, t1, "10.0.6.0/24", a);
	drain(rib);
	bgp_rib_peer_down(rib, t1, false);
	TAP_CHECK(ps(rib, t1).received == 0 && gs(rib).routes == 1,
		  "down: no GR: t1's routes removed, t2's stays");
	drain(rib);
	TAP_CHECK(strlen(ops_buf) == strlen("vpc-del 10.0.5.0/24, "
		  "vpc-del 10.0.6.0/24, del 10.0.5.0/24 c1, del 10.0.6.0/24 c1")
		  && !strncmp(ops_buf, "vpc-del 10.0.", 13) &&
		  strstr(ops_buf, "vpc-del 10.0.5.0/24, ") &&
		  strstr(ops_buf, "vpc-del 10.0.6.0/24, ") &&
		  strstr(ops_buf, "del 10.0.5.0/24 c1") &&
		  strstr(ops_buf, "del 10.0.6.0/24 c1"),
		  "down: VPC removals then deletes for both at once (%s)",
		  ops_buf);
	TAP_CHECK(bgp_rib_peer_del(rib, t2) == 0 && gs(rib).routes == 0 &&
		  gs(rib).peers == 1, "peer del: its routes go, one peer left");
	TAP_STREQ(drain(rib), "vpc-del 10.0.1.0/24, del 10.0.1.0/24 c1",
		  "peer del: the connection name still known while its "
		  "delete is pending");
	bgp_rib_free(rib);
}

static void test_vpc(void)
{
	struct bgp_rib *rib = rib_new(100);
	int a = peer(rib, "ca", 1, "169.254.10.1", 100, 0);
	int b = peer(rib, "cb", 1, "169.254.11.1", 100, 0);
	const struct bgp_attrs *x = A(0, 0, -1, "65001");

	ann(rib, a, "10.0.0.0/24", x);
	TAP_STREQ(drain(rib), "add 10.0.0.0/24 ca 1, vpc-add 10.0.0.0/24",
		  "vpc: the first route adds the VPC entry");
	ann(rib, b, "10.0.0.0/24", x);
	TAP_STREQ(drain(rib), "add 10.0.0.0/24 cb 1",
		  "vpc: a second connection's route: no VPC change");
	wd(rib, a, "10.0.0.0/24");
	TAP_STREQ(drain(rib), "del 10.0.0.0/24 ca",
		  "vpc: one of two gone: the entry stays");
	TAP_CHECK(gs(rib).prefixes == 1, "vpc: 1 prefix in the VPC table");
	ann(rib, b, "10.0.0.0/24", A(0, 0, -1, "65001 45104"));
	TAP_STREQ(drain(rib), "vpc-del 10.0.0.0/24, del 10.0.0.0/24 cb",
		  "vpc: the last route refused (loop): entry removed");
	TAP_CHECK(gs(rib).prefixes == 0 && gs(rib).paths == 1,
		  "vpc: empty, the refused path still held");
	bgp_rib_free(rib);
}

static void test_refused_cap(void)
{
	struct bgp_rib *rib;
	int p;
	struct bgp_rib_peer_stats s;
	const struct bgp_attrs *a = A(0, 0, -1, "65001");

	bgp_rib_config_init(&cfg);
	cfg.refused_max = 3;
	rib = bgp_rib_new(&cfg);
	p = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
	ann(rib, p, "100.64.0.0/24", a);
	ann(rib, p, "100.64.1.0/24", a);
	ann(rib, p, "100.64.2.0/24", a);
	ann(rib, p, "100.64.3.0/24", a);
	ann(rib, p, "100.64.4.0/24", a);
	s = ps(rib, p);
	TAP_CHECK(s.received == 3 && s.refused[BGP_RIB_DENY] == 3 &&
		  s.refused_dropped == 2,
		  "refused cap 3: 3 held, 2 only counted");
	ann(rib, p, "100.64.0.0/24", A(0, 0, -1, "65001 65002"));
	s = ps(rib, p);
	TAP_CHECK(s.received == 3 && s.refused_dropped == 2,
		  "refused cap: a held refused route can be replaced");
	ann(rib, p, "10.0.0.0/24", a);
	ann(rib, p, "10.0.0.0/24", A(0, 0, -1, "65001 45104"));
	s = ps(rib, p);
	TAP_CHECK(s.received == 3 && s.refused_dropped == 3 &&
		  s.accepted == 0, "refused cap: an accepted route replaced "
		  "by a refused one beyond the cap: withdrawn, counted");
	TAP_STREQ(drain(rib), "", "refused cap: the route came and went");
	wd(rib, p, "100.64.1.0/24");
	TAP_CHECK(why(rib, p, "100.64.5.0/24", a) == BGP_RIB_DENY &&
		  ps(rib, p).received == 3 && ps(rib, p).refused_dropped == 3,
		  "refused cap: room again after a withdrawal: held");
	bgp_rib_free(rib);
}

static void test_query(void)
{
	struct bgp_rib *rib = rib_new(100);
	int t1 = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
	int t2 = peer(rib, "c1", 2, "169.254.10.5", 100, 0);
	int c2 = peer(rib, "c2", 1, "169.254.11.1", 100, 0);
	uint32_t comm[] = { 0xfde90001 };
	struct bgp_attrs *x = malloc(sizeof(*x));
	struct bgp_rib_iter it;
	struct bgp_rib_route r;
	unsigned int n, nref, ninst;
	char buf[128];

	memcpy(x, A(150, 1, 7, "65001 65005"), sizeof(*x));
	bgp_attrs_set_communities(x, comm, 1);
	ann(rib, t1, "10.0.0.0/24", x);
	ann(rib, t2, "10.0.0.0/24", A(0, 0, -1, "65001"));
	ann(rib, t2, "100.64.0.0/24", A(0, 0, -1, "65001"));
	ann(rib, c2, "10.0.0.0/24", A(0, 0, -1, "65002"));
	TAP_CHECK(bgp_rib_conn_id(rib, "c1") == 0 &&
		  bgp_rib_conn_id(rib, "c2") == 1 &&
		  bgp_rib_conn_id(rib, "c3") == -ENOENT,
		  "query: connection ids");
	bgp_rib_iter_init(&it, -1, 0, false);
	for (n = 0; bgp_rib_iter_next(rib, &it, &r); n++)
		;
	TAP_CHECK(n == 1, "query: c1 installed: 1 route (%u)", n);
	bgp_rib_iter_init(&it, -1, 0, true);
	for (n = nref = ninst = 0; bgp_rib_iter_next(rib, &it, &r); n++) {
		nref += r.why != BGP_RIB_OK;
		ninst += r.installed;
	}
	TAP_CHECK(n == 3 && nref == 1 && ninst == 1,
		  "query: c1 received: 3 paths, 1 refused, 1 installed");
	bgp_rib_iter_init(&it, t1, -1, true);
	TAP_CHECK(bgp_rib_iter_next(rib, &it, &r) && r.peer == t1 &&
		  r.conn == 0 && r.installed && r.pref == 1 && !r.stale &&
		  r.why == BGP_RIB_OK && !bgp_rib_iter_next(rib, &it, &r),
		  "query: t1's one route, installed, pref 1");
	bgp_rib_iter_init(&it, t1, -1, true);
	bgp_rib_iter_next(rib, &it, &r);
	TAP_CHECK(r.attrs->local_pref == 150 && r.attrs->origin == 1 &&
		  r.attrs->med == 7 && bgp_attrs_n_communities(r.attrs) == 1 &&
		  bgp_attrs_community(r.attrs, 0) == 0xfde90001,
		  "query: local-pref, origin, MED, communities");
	TAP_STREQ(bgp_aspath_fmt(r.attrs, buf, sizeof(buf)), "65001 65005",
		  "query: AS path");
	TAP_STREQ(bgp_rib_reason_name(BGP_RIB_QUOTA_GW), "bgp-routes",
		  "query: reason names");
	bgp_rib_iter_init(&it, -1, -1, false);
	for (n = 0; bgp_rib_iter_next(rib, &it, &r); n++)
		;
	TAP_CHECK(n == 2 && gs(rib).routes == 2 && gs(rib).prefixes == 1 &&
		  gs(rib).paths == 4 && gs(rib).accepted == 3 &&
		  gs(rib).refused == 1,
		  "query: gateway: 2 routes, 1 prefix, 4 paths, 3 accepted, "
		  "1 refused");
	free(x);
	bgp_rib_free(rib);
}

/* an UPDATE built by the codec and decoded, through bgp_rib_update() */
static void test_update(void)
{
	struct bgp_rib *rib = rib_new(100);
	int p = peer(rib, "c1", 1, "169.254.10.1", 100, 0);
	struct bgp_ctx ctx = { .as4 = true, .afs = 3, .peer_as = 65001,
			       .ebgp = true };
	struct bgp_prefix pfx[3] = { P("10.0.0.0/24"), P("10.0.1.0/24"),
				     P("100.64.0.0/24") };
	struct bgp_update *u = malloc(sizeof(*u));
	uint8_t buf[4096];
	size_t used;
	int len;

	len = bgp_build_announce(&ctx, A(0, 0, -1, "65001 65002"),
				 BGP_AF_IPV4, pfx, 3, &used, buf, sizeof(buf),
				 NULL, 0);
	TAP_CHECK(len > 0 && used == 3 &&
		  bgp_update_decode(&ctx, buf, (size_t)len, u) == BGP_UPD_OK,
		  "update: 3 prefixes encoded and decoded");
	TAP_CHECK(bgp_rib_update(rib, p, u) == BGP_RIB_REFUSED &&
		  ps(rib, p).accepted == 2 &&
		  ps(rib, p).refused[BGP_RIB_DENY] == 1 &&
		  gs(rib).attrs == 1,
		  "update: 2 accepted, 1 denied, one interned attribute set");
	len = bgp_build_withdraw(BGP_AF_IPV4, pfx, 2, &used, buf, sizeof(buf),
				 NULL, 0);
	TAP_CHECK(len > 0 && bgp_update_decode(&ctx, buf, (size_t)len, u) ==
		  BGP_UPD_OK && bgp_rib_update(rib, p, u) == BGP_RIB_ACCEPTED &&
		  ps(rib, p).accepted == 0 && ps(rib, p).received == 1,
		  "update: withdrawn, the refused one still held");
	TAP_STREQ(drain(rib), "", "update: announced and withdrawn: nothing");
	free(u);
	bgp_rib_free(rib);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100,000 IPv4 prefixes from one peer, quotas raised */
static void test_scale(void)
{
	const unsigned int N = 100000;
	struct bgp_rib_op *ops = malloc(4096 * sizeof(*ops));
	struct bgp_rib *rib;
	struct bgp_prefix x;
	struct bgp_rib_stats s0, s;
	size_t n, adds = 0, dels = 0;
	unsigned int i, ok = 0;
	double t0, t1, t2;
	int p;

	bgp_rib_config_init(&cfg);
	cfg.max_routes = BGP_RIB_QUOTA_MAX;
	rib = bgp_rib_new(&cfg);
	p = peer(rib, "c1", 1, "169.254.10.1", BGP_RIB_QUOTA_MAX, 0);
	s0 = gs(rib);
	memset(&x, 0, sizeof(x));
	x.len = 24;
	t0 = now();
	for (i = 0; i < N; i++) {
		uint32_t v = 0x14000000 + (i << 8);	/* 20.0.0.0/24 on */

		x.addr[0] = (uint8_t)(v >> 24);
		x.addr[1] = (uint8_t)(v >> 16);
		x.addr[2] = (uint8_t)(v >> 8);
		ok += bgp_rib_announce(rib, p, &x,
				       A(0, 0, -1, i % 2 ? "65001 65002" :
					 "65001"), NULL) == BGP_RIB_ACCEPTED;
		if (bgp_rib_pending(rib) >= 8192)
			while ((n = bgp_rib_drain(rib, ops, 4096)))
				adds += n;
	}
	while ((n = bgp_rib_drain(rib, ops, 4096)))
		adds += n;
	t1 = now();
	s = gs(rib);
	TAP_CHECK(ok == N && s.routes == N && s.prefixes == N &&
		  adds == 2 * N && s.attrs == 2,
		  "scale: 100000 accepted, installed, %zu ops, 2 attribute "
		  "sets", adds);
	printf("# scale: 100000 IPv4 prefixes announced and drained in "
	       "%.3f s (%.0f routes/s)\n", t1 - t0, N / (t1 - t0));
	printf("# scale: table memory %zu bytes, %.1f bytes per route\n",
	       s.mem - s0.mem, (double)(s.mem - s0.mem) / N);
	TAP_CHECK((s.mem - s0.mem) / N <= 48,
		  "scale: at most 48 bytes per route (%zu)",
		  (s.mem - s0.mem) / N);
	t1 = now();
	for (i = 0; i < N; i++) {
		uint32_t v = 0x14000000 + (i << 8);

		x.addr[0] = (uint8_t)(v >> 24);
		x.addr[1] = (uint8_t)(v >> 16);
		x.addr[2] = (uint8_t)(v >> 8);
		bgp_rib_withdraw(rib, p, &x);
		if (bgp_rib_pending(rib) >= 8192)
			while ((n = bgp_rib_drain(rib, ops, 4096)))
				dels += n;
	}
	while ((n = bgp_rib_drain(rib, ops, 4096)))
		dels += n;
	t2 = now();
	s = gs(rib);
	printf("# scale: 100000 withdrawn and drained in %.3f s\n", t2 - t1);
	TAP_CHECK(dels == 2 * N && s.routes == 0 && s.paths == 0 &&
		  s.attrs == 0 && s.mem <= s0.mem + 1024,
		  "scale: all withdrawn, memory back within 1 KiB of the "
		  "empty table's (%zu, %zu)", s0.mem, s.mem);
	free(ops);
	bgp_rib_free(rib);
}

static void test_reconfigure(void)
{
	struct bgp_rib *rib = rib_new(100);
	int p = peer(rib, "c1", 1, "169.254.10.1", 1, BGP_RIB_ACT_REFUSE);
	int q = peer(rib, "c2", 1, "169.254.11.1", 0, BGP_RIB_ACT_TEARDOWN);
	const struct bgp_attrs *a = A(0, 0, -1, "65001");
	struct bgp_prefix x = P("2001:db8::/32");
	struct bgp_notification n;
	uint16_t afi = 0;
	uint8_t safi = 0;
	uint32_t limit = 1;

	ann(rib, p, "10.0.0.0/24", a);
	TAP_CHECK(why(rib, p, "10.0.1.0/24", a) == BGP_RIB_QUOTA_PEER &&
		  why(rib, p, "100.64.0.0/24", a) == BGP_RIB_DENY,
		  "reconfigure: peer-routes 1 full, 100.64.0.0/24 denied");
	drain(rib);
	TAP_CHECK(bgp_rib_peer_set_limit(rib, p, 5, BGP_RIB_ACT_REFUSE) == 0 &&
		  gs(rib).routes == 1, "reconfigure: peer-routes raised to 5: "
		  "nothing accepted behind the operator's back");
	bgp_rib_config_init(&cfg);
	cfg.n_deny = 1;
	cfg.deny[0].pfx = P("10.0.0.0/8");
	cfg.deny[0].exact = false;
	TAP_CHECK(bgp_rib_reconfigure(rib, &cfg) == 0,
		  "reconfigure: deny 10.0.0.0/8 instead of the defaults");
	TAP_CHECK(bgp_rib_peer_refresh(rib, p) == 1 &&
		  ps(rib, p).refused[BGP_RIB_DENY] == 2 &&
		  ps(rib, p).accepted == 1,
		  "reconfigure: refresh: 100.64.0.0/24 accepted, the 10/8 "
		  "routes denied");
	TAP_STREQ(drain(rib), "vpc-del 10.0.0.0/24, del 10.0.0.0/24 c1, "
		  "add 100.64.0.0/24 c1 1, vpc-add 100.64.0.0/24",
		  "reconfigure: the kernel follows");
	cfg.n_deny = BGP_RIB_DENY_MAX + 1;
	TAP_CHECK(bgp_rib_reconfigure(rib, &cfg) == -EINVAL,
		  "reconfigure: too many deny entries: EINVAL");
	/* teardown with IPv6 and a quota of 0 */
	TAP_CHECK(bgp_rib_announce(rib, q, &x, a, NULL) == BGP_RIB_TEARDOWN,
		  "teardown: peer-routes 0, the first IPv6 route");
	bgp_rib_teardown_notif(rib, q, &n);
	TAP_CHECK(!bgp_notification_maxprefix(&n, &afi, &safi, &limit) &&
		  afi == 2 && safi == 1 && limit == 0,
		  "teardown: Cease/1 AFI 2 SAFI 1 limit 0");
	bgp_rib_free(rib);
}

/*
 * Drains in small arrays go on where the last stopped: every operation
 * comes out once, in type order, and a change between two drains (to a
 * drained record and to a new one) is not lost
 */
static void test_drain_parts(void)
{
	struct bgp_rib *rib = rib_new(1000);
	int a = peer(rib, "ca", 1, "169.254.10.1", 1000, 0);
	struct bgp_rib_op ops[7];
	unsigned int seen[BGP_RIB_OP_NTYPES] = { 0 }, calls = 0, bad = 0;
	unsigned int last = 0;
	char pfx[32];
	size_t n;

	for (int i = 0; i < 200; i++) {
		snprintf(pfx, sizeof(pfx), "10.%d.%d.0/24", i / 100, i % 100);
		ann(rib, a, pfx, A(0, 0, -1, "65001"));
	}
	while ((n = bgp_rib_drain(rib, ops, 7))) {
		calls++;
		for (size_t i = 0; i < n; i++) {
			bad += ops[i].type < last;
			last = ops[i].type;
			seen[ops[i].type]++;
		}
	}
	TAP_CHECK(seen[BGP_RIB_OP_ADD] == 200 && seen[BGP_RIB_OP_VPC_ADD] == 200 &&
		  !bad && calls == 58 && !bgp_rib_pending(rib),
		  "drain in arrays of 7: 200 adds then 200 VPC adds in %u calls "
		  "(adds %u, VPC adds %u, out of order %u, pending %zu)", calls,
		  seen[BGP_RIB_OP_ADD], seen[BGP_RIB_OP_VPC_ADD], bad,
		  bgp_rib_pending(rib));
	/* stop half-way, then change a drained route and add a new one */
	for (int i = 0; i < 10; i++) {
		snprintf(pfx, sizeof(pfx), "10.0.%d.0/24", i);
		wd(rib, a, pfx);
	}
	TAP_CHECK(bgp_rib_drain(rib, ops, 7) == 7 &&
		  ops[0].type == BGP_RIB_OP_VPC_DEL &&
		  ops[6].type == BGP_RIB_OP_VPC_DEL,
		  "partial drain: the first 7 VPC removals");
	ann(rib, a, "10.0.0.0/24", A(0, 0, -1, "65001"));
	ann(rib, a, "10.9.0.0/24", A(0, 0, -1, "65001"));
	TAP_STREQ(drain(rib), "vpc-del 10.0.7.0/24, vpc-del 10.0.8.0/24, "
		  "vpc-del 10.0.9.0/24, del 10.0.1.0/24 ca, del 10.0.2.0/24 ca, "
		  "del 10.0.3.0/24 ca, del 10.0.4.0/24 ca, del 10.0.5.0/24 ca, "
		  "del 10.0.6.0/24 ca, del 10.0.7.0/24 ca, del 10.0.8.0/24 ca, "
		  "del 10.0.9.0/24 ca, add 10.9.0.0/24 ca 1, "
		  "vpc-add 10.0.0.0/24, vpc-add 10.9.0.0/24",
		  "the rest: 10.0.0.0/24 back (its VPC entry, drained away, "
		  "comes back; its route never left), 10.9.0.0/24 new");
	bgp_rib_free(rib);
}

int main(void)
{
	test_deny();
	test_loop();
	test_quota(BGP_RIB_ACT_REFUSE);
	test_quota(BGP_RIB_ACT_TEARDOWN);
	test_quota_tunnels();
	test_select();
	test_pref();
	test_promote();
	test_coalesce();
	test_drain_parts();
	test_gr();
	test_vpc();
	test_refused_cap();
	test_query();
	test_update();
	test_reconfigure();
	test_scale();
	return tap_done();
}
