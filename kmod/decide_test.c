// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the route tables and the decision procedure: every
 * priority rule and tie-break as a table of cases, usability, failover
 * and the all-down rule, quotas, and the trie against a brute-force
 * reference on random prefixes of both families.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "trie.h"

#define N_CONNS 4

struct fixture {
	struct net_device *dev;		/* only names the gateway */
	struct vpnrt_gw *gw;
	struct vpnrt_conn *c[N_CONNS];
};

static int fx_init(struct kunit *test)
{
	struct fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, vpnrt_routes_init(), 0);
	f->dev = alloc_netdev(0, "kgw", NET_NAME_USER, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, f->dev);
	f->gw = kunit_kzalloc(test, sizeof(*f->gw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->gw);
	f->gw->dev = f->dev;
	INIT_LIST_HEAD(&f->gw->conns);
	vpnrt_table_init(&f->gw->v4, AF_INET);
	vpnrt_table_init(&f->gw->v6, AF_INET6);
	get_random_bytes(&f->gw->hash_key, sizeof(f->gw->hash_key));
	f->gw->ecmp_hash = VPNRT_HASH_L4;
	f->gw->max_paths = VPNRT_MAX_PATHS;
	f->gw->max_conns = 64;
	f->gw->max_routes = 1 << 20;
	f->gw->max_policy_routes = 1000;
	f->gw->max_bgp_routes = 1000;
	f->gw->max_peer_routes = 1000;
	for (i = 0; i < N_CONNS; i++) {
		struct vpnrt_conn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, c);
		snprintf(c->name, sizeof(c->name), "c%u", i);
		c->id = i + 1;
		c->gw = f->gw;
		c->n_tunnels = 1;
		INIT_LIST_HEAD(&c->routes);
		list_add_tail(&c->gw_link, &f->gw->conns);
		f->c[i] = c;
	}
	test->priv = f;
	return 0;
}

static void fx_exit(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int i;

	rtnl_lock();
	for (i = 0; i < N_CONNS; i++)
		vpnrt_route_flush_conn(f->c[i]);
	vpnrt_trie_free(&f->gw->v4);
	vpnrt_trie_free(&f->gw->v6);
	rtnl_unlock();
	free_netdev(f->dev);
	vpnrt_routes_exit();	/* waits for the RCU frees */
}

/* "10.0.0.0/8" or "2001:db8::/32" */
static void parse_prefix(struct kunit *test, const char *s, u16 *family,
			 union vpnrt_addr *a, u8 *len)
{
	const char *end;
	char buf[64];
	char *slash;

	strscpy(buf, s, sizeof(buf));
	slash = strchr(buf, '/');
	memset(a, 0, sizeof(*a));
	if (slash)
		*slash = 0;
	if (in4_pton(buf, -1, a->bytes, -1, &end)) {
		*family = AF_INET;
		*len = 32;
	} else {
		KUNIT_ASSERT_TRUE(test, in6_pton(buf, -1, a->bytes, -1, &end));
		*family = AF_INET6;
		*len = 128;
	}
	if (slash)
		KUNIT_ASSERT_EQ(test, kstrtou8(slash + 1, 10, len), 0);
}

static int add(struct kunit *test, u8 proto, const char *dst, const char *src,
	       int conn, u8 weight, u8 priority, u32 pref)
{
	struct fixture *f = test->priv;
	struct vpnrt_route_spec s = {};
	u16 fam2;
	int err;

	parse_prefix(test, dst, &s.family, &s.dst, &s.dst_len);
	if (src)
		parse_prefix(test, src, &fam2, &s.src, &s.src_len);
	s.proto = proto;
	s.weight = weight;
	s.priority = priority;
	s.pref = pref;
	s.conn = f->c[conn];
	rtnl_lock();
	err = vpnrt_route_add(&s, NULL, NULL);
	rtnl_unlock();
	return err;
}

#define STATIC(dst, conn, w)	add(test, VPNRT_PROTO_STATIC, dst, NULL, conn, w, 0, 0)
#define BGP(dst, conn, pref)	add(test, VPNRT_PROTO_BGP, dst, NULL, conn, 100, 0, pref)
#define POLICY(dst, src, conn, prio, w) \
	add(test, VPNRT_PROTO_POLICY, dst, src, conn, w, prio, 0)

/* the decision for a flow from @src to @dst (ports fixed) */
static bool decide(struct kunit *test, const char *src, const char *dst,
		   struct vpnrt_decision *d)
{
	struct fixture *f = test->priv;
	struct vpnrt_flow fl = {};
	union vpnrt_addr a;
	bool ok;
	u8 len;

	parse_prefix(test, dst, &fl.family, &fl.dst, &len);
	parse_prefix(test, src, &fl.family, &a, &len);
	fl.src = a;
	fl.proto = IPPROTO_UDP;
	fl.sport = htons(1000);
	fl.dport = htons(2000);
	rcu_read_lock();
	ok = vpnrt_decide(f->gw, &fl, NULL, true, d);
	rcu_read_unlock();
	return ok;
}

static int conn_of(struct kunit *test, const struct vpnrt_decision *d)
{
	struct fixture *f = test->priv;
	int i;

	for (i = 0; i < N_CONNS; i++)
		if (d->conn == f->c[i])
			return i;
	return -1;
}

static void expect_decision(struct kunit *test, const char *src,
			    const char *dst, int conn, int why)
{
	struct vpnrt_decision d;

	KUNIT_ASSERT_TRUE(test, decide(test, src, dst, &d));
	KUNIT_EXPECT_EQ_MSG(test, conn_of(test, &d), conn, "%s -> %s", src, dst);
	KUNIT_EXPECT_EQ_MSG(test, (int)d.reason, why, "%s -> %s", src, dst);
}

#define EXPECT_DECISION(src, dst, conn, why) \
	expect_decision(test, src, dst, conn, why)

static void set_down(struct fixture *f, int conn, unsigned long bit, bool on)
{
	vpnrt_conn_set_down(f->c[conn], bit, on);
}

static void rule_longest_prefix(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 1, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("0.0.0.0/0", 2, 100), 0);
	EXPECT_DECISION("1.1.1.1", "10.1.2.3", 1, VPNRT_REASON_PREFIX);
	EXPECT_DECISION("1.1.1.1", "10.2.0.1", 0, VPNRT_REASON_PREFIX);
	EXPECT_DECISION("1.1.1.1", "192.0.2.1", 2, VPNRT_REASON_PREFIX);
}

static void rule_static_beats_bgp(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, BGP("10.0.0.0/8", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	EXPECT_DECISION("1.1.1.1", "10.9.9.9", 0, VPNRT_REASON_STATIC);
	/* even a standby static route beats BGP */
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/16", 2, 0), 0);
	KUNIT_ASSERT_EQ(test, BGP("10.0.0.0/16", 1, 0), 0);
	EXPECT_DECISION("1.1.1.1", "10.0.9.9", 2, VPNRT_REASON_STATIC);
	/* but a more specific BGP route beats a less specific static one */
	KUNIT_ASSERT_EQ(test, BGP("10.5.0.0/16", 1, 7), 0);
	EXPECT_DECISION("1.1.1.1", "10.5.0.1", 1, VPNRT_REASON_PREFIX);
}

static void rule_weight_then_pref(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 0), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 1, 100), 0);
	EXPECT_DECISION("1.1.1.1", "10.0.0.1", 1, VPNRT_REASON_WEIGHT);
	KUNIT_ASSERT_EQ(test, BGP("172.16.0.0/12", 2, 200), 0);
	KUNIT_ASSERT_EQ(test, BGP("172.16.0.0/12", 3, 100), 0);
	EXPECT_DECISION("1.1.1.1", "172.16.0.1", 3, VPNRT_REASON_PREF);
}

static void rule_ecmp(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_flow fl = {};
	struct vpnrt_decision d;
	unsigned int hits[2] = {}, i;

	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 1, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 2, 0), 0);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.0.0.1", &d));
	KUNIT_EXPECT_EQ(test, (int)d.reason, VPNRT_REASON_ECMP);
	KUNIT_EXPECT_EQ(test, d.n_paths, 2u);

	fl.family = AF_INET;
	fl.dst.ip = htonl(0x0a000001);
	fl.src.ip = htonl(0xc0a80001);
	fl.proto = IPPROTO_TCP;
	rcu_read_lock();
	for (i = 0; i < 1000; i++) {
		fl.sport = htons(10000 + i);
		/* no hash given: the decision hashes the flow itself */
		KUNIT_ASSERT_TRUE(test, vpnrt_decide(f->gw, &fl, NULL, false, &d));
		KUNIT_ASSERT_EQ(test, d.n_paths, 2u);
		KUNIT_ASSERT_LT(test, conn_of(test, &d), 2);
		hits[conn_of(test, &d)]++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_GT(test, hits[0], 350u);
	KUNIT_EXPECT_GT(test, hits[1], 350u);

	/* L3 hashing: the ports no longer matter */
	WRITE_ONCE(f->gw->ecmp_hash, VPNRT_HASH_L3);
	fl.sport = htons(1);
	KUNIT_EXPECT_EQ(test, vpnrt_flow_hash(f->gw, &fl),
			(fl.sport = htons(2), vpnrt_flow_hash(f->gw, &fl)));
	WRITE_ONCE(f->gw->ecmp_hash, VPNRT_HASH_L4);
	KUNIT_EXPECT_NE(test, vpnrt_flow_hash(f->gw, &fl),
			(fl.sport = htons(1), vpnrt_flow_hash(f->gw, &fl)));
}

static void rule_max_paths(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_decision d;
	int i;

	for (i = 0; i < N_CONNS; i++)
		KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", i, 100), 0);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.0.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, (u32)N_CONNS);
	WRITE_ONCE(f->gw->max_paths, 2);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.0.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, 2u);
	KUNIT_EXPECT_LT(test, conn_of(test, &d), 2);
}

static void rule_policy_first(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, POLICY("10.0.0.0/8", "192.168.0.0/16", 2, 10, 100), 0);
	EXPECT_DECISION("192.168.1.1", "10.1.1.1", 2, VPNRT_REASON_POLICY);
	EXPECT_DECISION("172.16.0.1", "10.1.1.1", 0, VPNRT_REASON_PREFIX);
	/* smaller priority number first */
	KUNIT_ASSERT_EQ(test, POLICY("10.0.0.0/8", "192.168.1.0/24", 1, 5, 100), 0);
	EXPECT_DECISION("192.168.1.1", "10.1.1.1", 1, VPNRT_REASON_POLICY);
	EXPECT_DECISION("192.168.2.1", "10.1.1.1", 2, VPNRT_REASON_POLICY);
	/* same priority: the more specific destination */
	KUNIT_ASSERT_EQ(test, POLICY("10.2.0.0/16", "192.168.0.0/16", 3, 10, 100), 0);
	EXPECT_DECISION("192.168.2.1", "10.2.0.1", 3, VPNRT_REASON_POLICY);
	/* same pair: weight */
	KUNIT_ASSERT_EQ(test, POLICY("10.2.0.0/16", "192.168.0.0/16", 0, 10, 0), 0);
	EXPECT_DECISION("192.168.2.1", "10.2.0.1", 3, VPNRT_REASON_POLICY);
}

static void usability_and_failover(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_decision d;

	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, BGP("10.1.0.0/16", 2, 5), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 3, 100), 0);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 0, VPNRT_REASON_WEIGHT);
	/* active down: the standby */
	set_down(f, 0, VPNRT_DOWN_ADMIN, true);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 1, VPNRT_REASON_FAILOVER);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.skipped, 1u);
	/* standby down too: the BGP route */
	set_down(f, 1, VPNRT_DOWN_IKE, true);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 2, VPNRT_REASON_FAILOVER);
	/* BGP down: the less specific prefix */
	vpnrt_conn_set_down(f->c[2], VPNRT_DOWN_ADMIN, true);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 3, VPNRT_REASON_FAILOVER);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.skipped, 3u);
	/* everything back: the active again (automatic switch-back) */
	set_down(f, 0, VPNRT_DOWN_ADMIN, false);
	set_down(f, 1, VPNRT_DOWN_IKE, false);
	set_down(f, 2, VPNRT_DOWN_ADMIN, false);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 0, VPNRT_REASON_WEIGHT);
	/* a policy route that cannot carry is passed over */
	KUNIT_ASSERT_EQ(test, POLICY("10.1.0.0/16", "1.1.1.0/24", 3, 10, 100), 0);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 3, VPNRT_REASON_POLICY);
	f->c[3]->tun[0].down = VPNRT_DOWN_HEALTH;
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 0, VPNRT_REASON_FAILOVER);
}

static void all_down_fallback(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_decision d;

	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 1, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 0, 100), 0);
	/* a false health alarm on every path keeps the best route in use */
	f->c[0]->tun[0].down = VPNRT_DOWN_HEALTH;
	f->c[1]->tun[0].down = VPNRT_DOWN_HEALTH;
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_TRUE(test, d.fallback);
	KUNIT_EXPECT_EQ(test, conn_of(test, &d), 0);
	KUNIT_EXPECT_EQ(test, (int)d.reason, VPNRT_REASON_FALLBACK);
	/* one usable less specific path is preferred to the fallback */
	f->c[1]->tun[0].down = 0;
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 1, VPNRT_REASON_FAILOVER);
	/* admin down is never used; a deleted tunnel cannot be */
	f->c[1]->tun[0].down = VPNRT_DOWN_HEALTH;
	set_down(f, 0, VPNRT_DOWN_ADMIN, true);
	KUNIT_EXPECT_FALSE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	set_down(f, 0, VPNRT_DOWN_ADMIN, false);
	f->c[0]->tun[0].down = VPNRT_DOWN_NO_DEVICE;
	KUNIT_EXPECT_FALSE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	/* no route at all */
	KUNIT_EXPECT_FALSE(test, decide(test, "1.1.1.1", "11.0.0.1", &d));
}

static void tunnels_active_standby_and_ecmp(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_conn *c = f->c[0];
	struct vpnrt_decision d;

	c->n_tunnels = 2;
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.0.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.tunnel, 0);
	KUNIT_EXPECT_EQ(test, d.n_paths, 1u);
	c->tun[0].down = VPNRT_DOWN_LINK;
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.0.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.tunnel, 1);
	c->tun[0].down = 0;
	c->mode = VPNRT_MODE_ECMP;
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.0.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, 2u);
	KUNIT_EXPECT_EQ(test, (int)d.reason, VPNRT_REASON_ECMP);
}

static void ipv6_rules(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, STATIC("2001:db8::/32", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, BGP("2001:db8:1::/48", 1, 10), 0);
	KUNIT_ASSERT_EQ(test, POLICY("2001:db8::/32", "fd00::/8", 2, 10, 100), 0);
	EXPECT_DECISION("2001:db8:ff::1", "2001:db8:1::5", 1, VPNRT_REASON_PREFIX);
	EXPECT_DECISION("2001:db8:ff::1", "2001:db8:2::5", 0, VPNRT_REASON_PREFIX);
	EXPECT_DECISION("fd00::1", "2001:db8:1::5", 2, VPNRT_REASON_POLICY);
}

static void quotas_and_duplicates(struct kunit *test)
{
	struct fixture *f = test->priv;

	f->gw->max_routes = 2;
	f->gw->max_bgp_routes = 3;
	f->gw->max_peer_routes = 1;
	f->gw->max_policy_routes = 1;
	KUNIT_EXPECT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	KUNIT_EXPECT_EQ(test, STATIC("10.0.0.0/8", 0, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, STATIC("10.0.0.0/8", 1, 100), 0);
	KUNIT_EXPECT_EQ(test, STATIC("11.0.0.0/8", 1, 100), -ENOSPC);
	KUNIT_EXPECT_EQ(test, BGP("12.0.0.0/8", 0, 1), 0);
	KUNIT_EXPECT_EQ(test, BGP("13.0.0.0/8", 0, 1), -ENOSPC);	/* per conn */
	KUNIT_EXPECT_EQ(test, BGP("13.0.0.0/8", 1, 1), 0);
	KUNIT_EXPECT_EQ(test, BGP("13.0.0.0/8", 2, 1), 0);
	KUNIT_EXPECT_EQ(test, BGP("14.0.0.0/8", 3, 1), -ENOSPC);	/* per gw */
	KUNIT_EXPECT_EQ(test, POLICY("10.0.0.0/8", "1.0.0.0/8", 0, 10, 100), 0);
	KUNIT_EXPECT_EQ(test, POLICY("10.0.0.0/8", "2.0.0.0/8", 0, 10, 100), -ENOSPC);
	KUNIT_EXPECT_EQ(test, f->gw->n_static, 2u);
	KUNIT_EXPECT_EQ(test, f->gw->n_bgp, 3u);
	KUNIT_EXPECT_EQ(test, f->gw->n_policy, 1u);
	KUNIT_EXPECT_EQ(test, f->c[0]->n_bgp, 1u);
}

/*
 * Random routes of both families against a brute-force reference: the
 * route chosen is among the best usable ones of the longest prefix that
 * has any, and the trie is empty again once every route is gone.
 */
struct ref_route {
	u16 family;
	u8 len, proto, weight;
	u32 pref;
	int conn;
	union vpnrt_addr dst;
};

static bool ref_usable(struct fixture *f, const struct ref_route *r)
{
	return vpnrt_conn_usable(f->c[r->conn]) &&
	       vpnrt_tunnel_usable(&f->c[r->conn]->tun[0]);
}

/* could the all-down rule pick @r, at the deepest matching length @dl? */
static bool ref_fallback_ok(struct fixture *f, const struct ref_route *r,
			    const struct vpnrt_flow *fl, int dl)
{
	return r->family == fl->family && r->len == dl &&
	       vpnrt_prefix_match(fl->family, &r->dst, r->len, &fl->dst) &&
	       !f->c[r->conn]->down;
}

static int ref_cmp(const struct ref_route *a, const struct ref_route *b)
{
	if (a->proto != b->proto)
		return a->proto == VPNRT_PROTO_STATIC ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return 0;
}

/*
 * Decide @fl both ways, explained (always from the trie's root) and as the
 * transmit path does (jump table, no explanation), with one random hash;
 * the two must agree. Returns the explained decision in @d.
 */
static bool decide_both(struct kunit *test, struct fixture *f,
			const struct vpnrt_flow *fl, struct vpnrt_decision *d)
{
	struct vpnrt_decision fast;
	u32 hash = get_random_u32();
	bool ok, ok2;

	rcu_read_lock();
	ok = vpnrt_decide(f->gw, fl, &hash, true, d);
	ok2 = vpnrt_decide(f->gw, fl, &hash, false, &fast);
	rcu_read_unlock();
	KUNIT_ASSERT_EQ(test, ok, ok2);
	if (ok) {
		/* the transmit path may know a lone route by its conn alone */
		if (fast.route)
			KUNIT_ASSERT_PTR_EQ(test, d->route, fast.route);
		else
			KUNIT_ASSERT_TRUE(test, d->route && !d->route->link.next);
		KUNIT_ASSERT_PTR_EQ(test, d->conn, fast.conn);
		KUNIT_ASSERT_EQ(test, d->tunnel, fast.tunnel);
		KUNIT_ASSERT_EQ(test, d->n_paths, fast.n_paths);
		KUNIT_ASSERT_EQ(test, d->fallback, fast.fallback);
	}
	return ok;
}

static void random_vs_reference(struct kunit *test)
{
	struct fixture *f = test->priv;
	const unsigned int n = 600;
	struct ref_route *ref;
	unsigned int i, j, k, round;

	ref = kunit_kcalloc(test, n, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);

	for (i = 0; i < n; i++) {
		struct ref_route *r = &ref[i];
		struct vpnrt_route_spec s = {};
		int err;

		r->family = i & 1 ? AF_INET6 : AF_INET;
		/* short prefixes of a small space: many overlaps */
		r->len = get_random_u32() % (r->family == AF_INET ? 13 : 21);
		get_random_bytes(&r->dst, sizeof(r->dst));
		r->dst.bytes[0] &= 0x0f;
		if (r->family == AF_INET)
			memset(&r->dst.bytes[4], 0, 12);
		vpnrt_prefix_mask(r->family, &r->dst, r->len);
		r->proto = get_random_u32() % 2 ? VPNRT_PROTO_STATIC : VPNRT_PROTO_BGP;
		r->weight = r->proto == VPNRT_PROTO_BGP || get_random_u32() % 2 ? 100 : 0;
		r->pref = r->proto == VPNRT_PROTO_BGP ? get_random_u32() % 3 : 0;
		r->conn = get_random_u32() % N_CONNS;
		s.family = r->family;
		s.dst = r->dst;
		s.dst_len = r->len;
		s.proto = r->proto;
		s.weight = r->weight;
		s.pref = r->pref;
		s.conn = f->c[r->conn];
		rtnl_lock();
		err = vpnrt_route_add(&s, NULL, NULL);
		rtnl_unlock();
		if (err == -EEXIST)
			r->family = 0;	/* a duplicate: not in the reference */
		else
			KUNIT_ASSERT_EQ(test, err, 0);
	}

	for (round = 0; round < 8; round++) {
		/* random usability of the connections */
		for (k = 0; k < N_CONNS; k++)
			f->c[k]->down = get_random_u32() % 3 ? 0 : VPNRT_DOWN_ADMIN;

		for (j = 0; j < 400; j++) {
			struct vpnrt_flow fl = {};
			struct vpnrt_decision d;
			int best_len = -1, dl = -1;
			const struct ref_route *best = NULL;
			unsigned int want_paths = 0;
			bool ok;

			fl.family = j & 1 ? AF_INET6 : AF_INET;
			get_random_bytes(&fl.dst, sizeof(fl.dst));
			fl.dst.bytes[0] &= 0x0f;
			if (fl.family == AF_INET)
				memset(&fl.dst.bytes[4], 0, 12);

			/* longest prefix with a usable route; deepest overall */
			for (i = 0; i < n; i++) {
				const struct ref_route *r = &ref[i];

				if (r->family != fl.family ||
				    !vpnrt_prefix_match(fl.family, &r->dst, r->len, &fl.dst))
					continue;
				if (r->len > dl)
					dl = r->len;
				if (ref_usable(f, r) && r->len > best_len)
					best_len = r->len;
			}
			for (i = 0; i < n; i++) {
				const struct ref_route *r = &ref[i];

				if (r->family != fl.family || r->len != best_len ||
				    !vpnrt_prefix_match(fl.family, &r->dst, r->len, &fl.dst) ||
				    !ref_usable(f, r))
					continue;
				if (!best || ref_cmp(r, best) < 0) {
					best = r;
					want_paths = 0;
				}
				if (!ref_cmp(r, best))
					want_paths++;
			}
			ok = decide_both(test, f, &fl, &d);

			if (best) {
				KUNIT_ASSERT_TRUE(test, ok);
				KUNIT_ASSERT_FALSE(test, d.fallback);
				KUNIT_ASSERT_EQ(test, d.n_paths, want_paths);
				KUNIT_ASSERT_EQ(test, (int)d.route->proto, (int)best->proto);
				KUNIT_ASSERT_EQ(test, d.route->weight, best->weight);
				KUNIT_ASSERT_EQ(test, d.route->pref, best->pref);
				KUNIT_ASSERT_EQ(test, (int)d.route->node->cidr, best_len);
				KUNIT_ASSERT_TRUE(test, vpnrt_conn_usable(d.conn));
			} else if (dl >= 0) {
				/* all down: fallback iff an admin-up route at the deepest prefix */
				bool any = false;

				for (i = 0; i < n; i++)
					any |= ref_fallback_ok(f, &ref[i], &fl, dl);
				KUNIT_ASSERT_EQ(test, ok, any);
				if (ok) {
					KUNIT_ASSERT_TRUE(test, d.fallback);
					KUNIT_ASSERT_EQ(test, (int)d.route->node->cidr, dl);
				}
			} else {
				KUNIT_ASSERT_FALSE(test, ok);
			}
		}
	}

	/* remove in random order: every prefix and branch point must go */
	for (i = 0; i < N_CONNS; i++) {
		rtnl_lock();
		vpnrt_route_flush_conn(f->c[(i * 3) % N_CONNS]);
		KUNIT_EXPECT_EQ(test, vpnrt_trie_jump_check(&f->gw->v4), 0u);
		rtnl_unlock();
	}
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.root));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v6.root));
	KUNIT_EXPECT_EQ(test, f->gw->v4.n_nodes + f->gw->v6.n_nodes, 0u);
	KUNIT_EXPECT_EQ(test, f->gw->n_static + f->gw->n_bgp, 0u);
}

/*
 * The IPv4 jump table: thousands of prefixes from /8 to /32, so the table
 * is built and lookups start below /16, under changing usability; the
 * fast decision must equal the explained one (which walks from the root),
 * and every slot must stay exact through additions and removals.
 */
static void jump_table_agrees(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int i, j, round, fast = 0;

	for (i = 0; i < 3000; i++) {
		struct vpnrt_route_spec s = {};
		int err;

		s.family = AF_INET;
		s.dst_len = 8 + get_random_u32() % 25;
		s.dst.ip = htonl(get_random_u32() & 0x0fffffff);
		vpnrt_prefix_mask(AF_INET, &s.dst, s.dst_len);
		s.proto = get_random_u32() % 4 ? VPNRT_PROTO_STATIC : VPNRT_PROTO_BGP;
		s.weight = get_random_u32() % 2 ? 100 : 0;
		s.conn = f->c[get_random_u32() % N_CONNS];
		rtnl_lock();
		err = vpnrt_route_add(&s, NULL, NULL);
		rtnl_unlock();
		KUNIT_ASSERT_TRUE(test, !err || err == -EEXIST);
	}
	rtnl_lock();
	KUNIT_ASSERT_NOT_NULL(test, rtnl_dereference(f->gw->v4.jump));
	KUNIT_EXPECT_EQ(test, vpnrt_trie_jump_check(&f->gw->v4), 0u);
	rtnl_unlock();

	for (round = 0; round < 6; round++) {
		for (i = 0; i < N_CONNS; i++)
			f->c[i]->down = get_random_u32() % 3 ? 0 : VPNRT_DOWN_ADMIN;
		for (j = 0; j < 2000; j++) {
			struct vpnrt_flow fl = { .family = AF_INET };
			struct vpnrt_decision d;

			fl.dst.ip = htonl(get_random_u32() & 0x0fffffff);
			if (decide_both(test, f, &fl, &d))
				fast += d.route->node->cidr >= 16;
		}
	}
	/* hundreds of answers were /16 or longer: the jump was taken */
	KUNIT_EXPECT_GT(test, fast, 150u);

	/* the same with the large table of 20 bits, built now */
	rtnl_lock();
	vpnrt_trie_jump_build(&f->gw->v4, 20);
	KUNIT_ASSERT_EQ(test, rtnl_dereference(f->gw->v4.jump)->bits, 20u);
	KUNIT_EXPECT_EQ(test, vpnrt_trie_jump_check(&f->gw->v4), 0u);
	rtnl_unlock();
	for (j = 0; j < 4000; j++) {
		struct vpnrt_flow fl = { .family = AF_INET };
		struct vpnrt_decision d;

		fl.dst.ip = htonl(get_random_u32() & 0x0fffffff);
		decide_both(test, f, &fl, &d);
	}

	for (i = 0; i < N_CONNS; i++) {
		rtnl_lock();
		vpnrt_route_flush_conn(f->c[i]);
		KUNIT_EXPECT_EQ(test, vpnrt_trie_jump_check(&f->gw->v4), 0u);
		rtnl_unlock();
	}
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.root));
}

/* trie structure: children are longer prefixes inside their parent */
static void check_node(struct kunit *test, const struct vpnrt_node *n,
		       const struct vpnrt_node *parent, unsigned int *count)
{
	unsigned int b;

	if (!n)
		return;
	(*count)++;
	KUNIT_ASSERT_PTR_EQ(test, n->parent, parent);
	if (parent) {
		KUNIT_ASSERT_GT(test, n->cidr, parent->cidr);
		KUNIT_ASSERT_TRUE(test, vpnrt_node_matches(parent, &n->key));
	}
	/* a node without routes is a branch point with two children */
	if (hlist_empty(&n->routes)) {
		KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(n->child[0]));
		KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(n->child[1]));
	}
	for (b = 0; b < 2; b++) {
		const struct vpnrt_node *c = rcu_dereference_protected(n->child[b], 1);

		if (c)
			KUNIT_ASSERT_EQ(test, vpnrt_key_bit(&c->key, n->cidr), b);
		check_node(test, c, n, count);
	}
}

/*
 * A prefix with one route names its connection, and the transmit path
 * decides from that alone: the name follows the route set, and the
 * decision, ECMP over the conn's tunnels included, equals the explained.
 */
static void solo_route_by_conn(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_route_spec s = {};
	struct vpnrt_flow fl = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct vpnrt_decision d, fast;
	struct vpnrt_node *n;
	unsigned int hits[2] = {}, i;
	u8 len;

	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 0, 100), 0);
	parse_prefix(test, "10.1.0.0/16", &s.family, &s.dst, &len);
	rtnl_lock();
	n = vpnrt_trie_find(&f->gw->v4, &s.dst, 16);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_NULL(test, n);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(n->solo), f->c[0]);
	fl.dst.ip = htonl(0x0a010203);
	fl.src.ip = htonl(0x01010101);
	rcu_read_lock();
	KUNIT_ASSERT_TRUE(test, vpnrt_decide(f->gw, &fl, NULL, false, &fast));
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, fast.route);
	KUNIT_EXPECT_PTR_EQ(test, fast.conn, f->c[0]);

	/* a second route: no name, the routes are read */
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 1, 0), 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(n->solo));
	KUNIT_ASSERT_TRUE(test, decide_both(test, f, &fl, &d));
	KUNIT_EXPECT_PTR_EQ(test, d.conn, f->c[0]);
	/* the better one goes: the other is named */
	s.dst_len = 16;
	s.proto = VPNRT_PROTO_STATIC;
	s.weight = 100;
	s.conn = f->c[0];
	rtnl_lock();
	vpnrt_route_del(vpnrt_route_find(&s));
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(n->solo), f->c[1]);
	KUNIT_ASSERT_TRUE(test, decide_both(test, f, &fl, &d));
	KUNIT_EXPECT_PTR_EQ(test, d.conn, f->c[1]);

	/* the lone route's conn in ECMP over two tunnels: both carry */
	f->c[1]->n_tunnels = 2;
	f->c[1]->mode = VPNRT_MODE_ECMP;
	for (i = 0; i < 400; i++) {
		fl.sport = htons(1000 + i);
		KUNIT_ASSERT_TRUE(test, decide_both(test, f, &fl, &d));
		KUNIT_ASSERT_EQ(test, d.n_paths, 2u);
		hits[d.tunnel]++;
	}
	KUNIT_EXPECT_GT(test, hits[0], 100u);
	KUNIT_EXPECT_GT(test, hits[1], 100u);
	/* one tunnel down: the other, and the all-down rule with both */
	f->c[1]->tun[0].down = VPNRT_DOWN_HEALTH;
	KUNIT_ASSERT_TRUE(test, decide_both(test, f, &fl, &d));
	KUNIT_EXPECT_EQ(test, d.tunnel, 1);
	f->c[1]->tun[1].down = VPNRT_DOWN_HEALTH;
	KUNIT_ASSERT_TRUE(test, decide_both(test, f, &fl, &d));
	KUNIT_EXPECT_TRUE(test, d.fallback);
}

static void trie_shape(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_node *root;
	unsigned int i, count = 0;
	char buf[32];
	int err;

	for (i = 0; i < 300; i++) {
		u32 a = get_random_u32();
		u8 len = 8 + get_random_u32() % 25;

		a &= len ? ~0U << (32 - len) : 0;
		snprintf(buf, sizeof(buf), "%pI4/%u", &(__be32){ htonl(a) }, len);
		err = STATIC(buf, i % N_CONNS, 100);
		KUNIT_ASSERT_TRUE(test, !err || err == -EEXIST);
	}
	rtnl_lock();
	root = rtnl_dereference(f->gw->v4.root);
	check_node(test, root, NULL, &count);
	KUNIT_EXPECT_GE(test, count, f->gw->v4.n_nodes);
	KUNIT_EXPECT_LT(test, count, 2 * f->gw->v4.n_nodes);
	rtnl_unlock();
}

static struct kunit_case vpnrt_decide_cases[] = {
	KUNIT_CASE(rule_longest_prefix),
	KUNIT_CASE(rule_static_beats_bgp),
	KUNIT_CASE(rule_weight_then_pref),
	KUNIT_CASE(rule_ecmp),
	KUNIT_CASE(rule_max_paths),
	KUNIT_CASE(rule_policy_first),
	KUNIT_CASE(usability_and_failover),
	KUNIT_CASE(all_down_fallback),
	KUNIT_CASE(tunnels_active_standby_and_ecmp),
	KUNIT_CASE(ipv6_rules),
	KUNIT_CASE(quotas_and_duplicates),
	KUNIT_CASE(random_vs_reference),
	KUNIT_CASE(jump_table_agrees),
	KUNIT_CASE(solo_route_by_conn),
	KUNIT_CASE(trie_shape),
	{}
};

static struct kunit_suite vpnrt_decide_suite = {
	.name = "vpnrt_decide",
	.init = fx_init,
	.exit = fx_exit,
	.test_cases = vpnrt_decide_cases,
};

kunit_test_suite(vpnrt_decide_suite);
