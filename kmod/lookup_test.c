// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the route tables and the lookup: every
 * priority rule and tie-break as a table of cases, usability, failover
 * and the all-down rule, quotas, and the trie against a brute-force
 * reference on random prefixes of both families.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/kthread.h>
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
	INIT_LIST_HEAD(&f->gw->stale_timers);
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

static void spec(struct kunit *test, u8 proto, const char *dst, const char *src,
		 int conn, u8 weight, u8 priority, u32 pref,
		 struct vpnrt_route_spec *s)
{
	struct fixture *f = test->priv;
	u16 fam2;

	memset(s, 0, sizeof(*s));
	parse_prefix(test, dst, &s->family, &s->dst, &s->dst_len);
	if (src)
		parse_prefix(test, src, &fam2, &s->src, &s->src_len);
	s->proto = proto;
	s->weight = weight;
	s->priority = priority;
	s->pref = pref;
	s->conn = f->c[conn];
}

static int add(struct kunit *test, u8 proto, const char *dst, const char *src,
	       int conn, u8 weight, u8 priority, u32 pref)
{
	struct vpnrt_route_spec s;
	int err;

	spec(test, proto, dst, src, conn, weight, priority, pref, &s);
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
	ok = vpnrt_lookup_explain(f->gw, &fl, vpnrt_flow_hash(f->gw, &fl), d);
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
	struct vpnrt_path p;
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
		/* the transmit path's lookup hashes the flow itself */
		p = vpnrt_lookup(f->gw, &fl, NULL);
		KUNIT_ASSERT_NOT_NULL(test, p.conn);
		d.conn = p.conn;
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

#define ECMP_FLOWS 10000

/* path of flow @i, as the transmit path picks it: conn * 2 + tunnel */
static int ecmp_path(struct kunit *test, unsigned int i)
{
	struct fixture *f = test->priv;
	struct vpnrt_flow fl = {};
	struct vpnrt_path p;
	int conn;

	fl.family = AF_INET;
	fl.proto = IPPROTO_UDP;
	fl.src.ip = htonl(0xc0a80000 + i / 50);
	fl.sport = htons(1024 + i % 50);
	fl.dst.ip = htonl(0x0a000001);
	fl.dport = htons(4500);
	rcu_read_lock();
	p = vpnrt_lookup(f->gw, &fl, NULL);
	rcu_read_unlock();
	if (!p.conn)
		return -1;
	for (conn = 0; conn < N_CONNS; conn++)
		if (p.conn == f->c[conn])
			return conn * VPNRT_MAX_TUNNELS + p.tunnel;
	return -1;
}

/*
 * Moves between @before and the paths flows take now: every flow that
 * moved left @lost (-1: none was lost) and every flow of @lost moved,
 * and how many moved to each path, in @to.
 */
static unsigned int ecmp_moves(struct kunit *test, const s8 *before, int lost,
			       unsigned int *to)
{
	unsigned int i, moved = 0;
	int now;

	memset(to, 0, sizeof(*to) * N_CONNS * VPNRT_MAX_TUNNELS);
	for (i = 0; i < ECMP_FLOWS; i++) {
		now = ecmp_path(test, i);
		KUNIT_ASSERT_GE(test, now, 0);
		if (now == before[i])
			continue;
		moved++;
		to[now]++;
		if (lost >= 0)
			KUNIT_EXPECT_EQ_MSG(test, (int)before[i], lost,
					    "flow %u moved from a path that stayed", i);
	}
	return moved;
}

/*
 * Resilient ECMP, measured over 10,000 flows: with 4 equal paths, one
 * going down moves only its own flows (at most 27 %; the optimum is
 * 25 %), spread over the other three, and its return moves exactly those
 * back. The same holds for the two tunnels of one connection.
 */
static void ecmp_resilient(struct kunit *test)
{
	unsigned int share[N_CONNS * VPNRT_MAX_TUNNELS] = {};
	unsigned int to[N_CONNS * VPNRT_MAX_TUNNELS];
	struct fixture *f = test->priv;
	unsigned int i, moved;
	s8 *before, *path;

	before = kunit_kzalloc(test, ECMP_FLOWS, GFP_KERNEL);
	path = kunit_kzalloc(test, ECMP_FLOWS, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, path);
	for (i = 0; i < N_CONNS; i++)
		KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", i, 100), 0);
	for (i = 0; i < ECMP_FLOWS; i++) {
		before[i] = ecmp_path(test, i);
		KUNIT_ASSERT_GE(test, before[i], 0);
		share[before[i]]++;
	}
	for (i = 0; i < N_CONNS; i++)
		KUNIT_EXPECT_TRUE_MSG(test, share[i * VPNRT_MAX_TUNNELS] > 2200 &&
				      share[i * VPNRT_MAX_TUNNELS] < 2800,
				      "conn %u carries %u of %u flows", i,
				      share[i * VPNRT_MAX_TUNNELS], ECMP_FLOWS);

	WRITE_ONCE(f->c[2]->tun[0].down, VPNRT_DOWN_HEALTH);
	moved = ecmp_moves(test, before, 2 * VPNRT_MAX_TUNNELS, to);
	kunit_info(test, "4 paths, one down: %u of %u flows moved", moved,
		   ECMP_FLOWS);
	KUNIT_EXPECT_EQ(test, moved, share[2 * VPNRT_MAX_TUNNELS]);
	KUNIT_EXPECT_LE(test, moved * 100, 27u * ECMP_FLOWS);
	for (i = 0; i < N_CONNS; i++)
		if (i != 2)
			KUNIT_EXPECT_GT_MSG(test, to[i * VPNRT_MAX_TUNNELS] * 5,
					    moved, "conn %u took %u of %u", i,
					    to[i * VPNRT_MAX_TUNNELS], moved);
	for (i = 0; i < ECMP_FLOWS; i++)
		path[i] = ecmp_path(test, i);

	/* its return: exactly the flows that left come back */
	WRITE_ONCE(f->c[2]->tun[0].down, 0);
	moved = ecmp_moves(test, path, -1, to);
	KUNIT_EXPECT_EQ(test, moved, share[2 * VPNRT_MAX_TUNNELS]);
	KUNIT_EXPECT_EQ(test, to[2 * VPNRT_MAX_TUNNELS], moved);
	for (i = 0; i < ECMP_FLOWS; i++)
		KUNIT_EXPECT_EQ(test, ecmp_path(test, i), (int)before[i]);

	/* one connection's two tunnels in ECMP mode, alone at the prefix */
	rtnl_lock();
	for (i = 1; i < N_CONNS; i++)
		vpnrt_route_flush_conn(f->c[i]);
	rtnl_unlock();
	f->c[0]->n_tunnels = 2;
	f->c[0]->mode = VPNRT_MODE_ECMP;
	memset(share, 0, sizeof(share));
	for (i = 0; i < ECMP_FLOWS; i++) {
		before[i] = ecmp_path(test, i);
		share[before[i]]++;
	}
	KUNIT_EXPECT_TRUE_MSG(test, share[0] > 4500 && share[0] < 5500,
			      "tunnel 1 carries %u of %u flows", share[0],
			      ECMP_FLOWS);
	WRITE_ONCE(f->c[0]->tun[1].down, VPNRT_DOWN_HEALTH);
	moved = ecmp_moves(test, before, 1, to);
	KUNIT_EXPECT_EQ(test, moved, share[1]);
	WRITE_ONCE(f->c[0]->tun[1].down, 0);
	for (i = 0; i < ECMP_FLOWS; i++)
		KUNIT_EXPECT_EQ(test, ecmp_path(test, i), (int)before[i]);
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

/*
 * IKE state per tunnel: a tunnel whose SA is down is out of use like one
 * failing its health check, by one bit; the connection is IKE down only
 * when every tunnel is, and then reports IKE alone.
 */
static void tunnel_ike_per_tunnel(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_conn *c = f->c[0];
	struct vpnrt_decision d;
	char dst[32];
	unsigned int i;

	c->n_tunnels = 2;
	c->ike_managed = true;
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 1, 0), 0);
	for (i = 0; i < 200; i++) {
		snprintf(dst, sizeof(dst), "10.2.%u.0/24", i);
		KUNIT_ASSERT_EQ(test, STATIC(dst, 0, 100), 0);
	}
	rtnl_lock();
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, vpnrt_conn_down_reason(c), 0u);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, conn_of(test, &d), 0);
	KUNIT_EXPECT_EQ(test, d.tunnel, 0);

	/* tunnel 1's SA down: tunnel 2 carries, the connection stays up */
	rtnl_lock();
	vpnrt_tunnel_set_down(&c->tun[0], VPNRT_DOWN_IKE, true);
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, vpnrt_tunnel_down_reason(&c->tun[0]),
			(u32)VPNRT_DOWN_IKE);
	KUNIT_EXPECT_EQ(test, vpnrt_conn_down_reason(c), 0u);
	KUNIT_EXPECT_TRUE(test, vpnrt_conn_carries(c));
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, conn_of(test, &d), 0);
	KUNIT_EXPECT_EQ(test, d.tunnel, 1);
	KUNIT_EXPECT_EQ(test, (int)d.reason, VPNRT_REASON_WEIGHT);
	KUNIT_EXPECT_FALSE(test, d.fallback);
	/* every prefix of the connection moved with that one bit */
	for (i = 0; i < 200; i++) {
		snprintf(dst, sizeof(dst), "10.2.%u.9", i);
		KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", dst, &d));
		KUNIT_EXPECT_EQ(test, conn_of(test, &d), 0);
		KUNIT_EXPECT_EQ_MSG(test, d.tunnel, 1, "%s", dst);
	}

	/* ECMP drops the tunnel from the set, and takes it back */
	c->mode = VPNRT_MODE_ECMP;
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, 1u);
	KUNIT_EXPECT_EQ(test, d.tunnel, 1);
	rtnl_lock();
	vpnrt_tunnel_set_down(&c->tun[0], VPNRT_DOWN_IKE, false);
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, 2u);
	KUNIT_EXPECT_EQ(test, (int)d.reason, VPNRT_REASON_ECMP);
	c->mode = VPNRT_MODE_ACTIVE_STANDBY;

	/* one SA down, the other tunnel failing its check: no tunnel */
	rtnl_lock();
	vpnrt_tunnel_set_down(&c->tun[0], VPNRT_DOWN_IKE, true);
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_HEALTH, true);
	KUNIT_EXPECT_EQ(test, vpnrt_conn_down_reason(c), (u32)VPNRT_DOWN_NO_TUNNEL);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 1, VPNRT_REASON_FAILOVER);
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_HEALTH, false);

	/* both SAs down: the connection is IKE down, and says IKE alone */
	rtnl_lock();
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_IKE, true);
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	KUNIT_EXPECT_FALSE(test, vpnrt_conn_usable(c));
	KUNIT_EXPECT_EQ(test, vpnrt_conn_down_reason(c), (u32)VPNRT_DOWN_IKE);
	EXPECT_DECISION("1.1.1.1", "10.1.0.1", 1, VPNRT_REASON_FAILOVER);
	/* and a link down on top of it is still no tunnel */
	vpnrt_tunnel_set_down(&c->tun[0], VPNRT_DOWN_LINK, true);
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_LINK, true);
	KUNIT_EXPECT_EQ(test, vpnrt_conn_down_reason(c),
			(u32)(VPNRT_DOWN_IKE | VPNRT_DOWN_NO_TUNNEL));
	vpnrt_tunnel_set_down(&c->tun[0], VPNRT_DOWN_LINK, false);
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_LINK, false);
	/* the other connection down too: the all-down rule keeps conn 0 */
	set_down(f, 1, VPNRT_DOWN_ADMIN, true);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_TRUE(test, d.fallback);
	KUNIT_EXPECT_EQ(test, conn_of(test, &d), 0);
	set_down(f, 1, VPNRT_DOWN_ADMIN, false);

	/* tunnel 2's SA up again: it carries, the connection is up */
	rtnl_lock();
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_IKE, false);
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, vpnrt_conn_down_reason(c), 0u);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.0.1", &d));
	KUNIT_EXPECT_EQ(test, conn_of(test, &d), 0);
	KUNIT_EXPECT_EQ(test, d.tunnel, 1);

	/* a connection not IKE-managed is never IKE down as a whole */
	c->ike_managed = false;
	rtnl_lock();
	vpnrt_tunnel_set_down(&c->tun[1], VPNRT_DOWN_IKE, true);
	vpnrt_conn_ike_sync(c);
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, vpnrt_conn_usable(c));
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
 * Random routes of both families, static, BGP and policy, against a
 * brute-force reference model of the rules. The model keeps its own copy
 * of every route and of the state of each connection and tunnel, and
 * judges them with its own code: nothing of lookup.c, route.c or the
 * usability helpers. Connections go down (admin, IKE) and so do single
 * tunnels (health, link, device gone), in active-standby and ECMP mode,
 * so that often nothing is usable and the all-down rule decides.
 */
#define REF_CONN_DOWN	(VPNRT_DOWN_ADMIN | VPNRT_DOWN_IKE)

struct ref_route {
	u16 family;			/* 0: not in the tables (a duplicate) */
	u8 len, proto, weight, priority, src_len;
	u32 pref;
	int conn;
	union vpnrt_addr dst, src;
};

/* the model's state of the connections */
struct ref_conns {
	unsigned long down[N_CONNS];
	unsigned long tdown[N_CONNS][VPNRT_MAX_TUNNELS];
	unsigned int n_tunnels[N_CONNS];
	bool ecmp[N_CONNS];
	unsigned int max_paths;
};

/* does @addr start with the first @len bits of @prefix? bit by bit */
static bool ref_match(const union vpnrt_addr *prefix, unsigned int len,
		      const union vpnrt_addr *addr)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		u8 m = 0x80 >> (i & 7);

		if ((prefix->bytes[i >> 3] & m) != (addr->bytes[i >> 3] & m))
			return false;
	}
	return true;
}

static bool ref_matches(const struct ref_route *r, const struct vpnrt_flow *fl)
{
	return r->family == fl->family && ref_match(&r->dst, r->len, &fl->dst) &&
	       (r->proto != VPNRT_PROTO_POLICY ||
		ref_match(&r->src, r->src_len, &fl->src));
}

/* the paths @r's connection offers now: 0 if it cannot carry */
static unsigned int ref_paths(const struct ref_conns *m, const struct ref_route *r)
{
	unsigned int t, n = 0;

	if (m->down[r->conn])
		return 0;
	for (t = 0; t < m->n_tunnels[r->conn]; t++)
		n += !m->tdown[r->conn][t];
	return m->ecmp[r->conn] ? n : min(n, 1u);
}

/* the tunnel the all-down rule may use for @r: -1 if none */
static int ref_fallback_tunnel(const struct ref_conns *m, const struct ref_route *r)
{
	unsigned int t;

	if (m->down[r->conn] & VPNRT_DOWN_ADMIN)
		return -1;
	for (t = 0; t < m->n_tunnels[r->conn]; t++)
		if (!(m->tdown[r->conn][t] & VPNRT_DOWN_NO_DEVICE))
			return t;
	return -1;
}

/*
 * Order of routes: for one prefix, static first, higher weight, lower
 * preference; policy routes by priority, longer destination, longer
 * source, then higher weight (routes of one flow at one priority and
 * lengths have the same prefixes). 0: equal, they share the traffic.
 */
static int ref_cmp(const struct ref_route *a, const struct ref_route *b)
{
	if (a->proto == VPNRT_PROTO_POLICY) {
		if (a->priority != b->priority)
			return a->priority < b->priority ? -1 : 1;
		if (a->len != b->len)
			return a->len > b->len ? -1 : 1;
		if (a->src_len != b->src_len)
			return a->src_len > b->src_len ? -1 : 1;
		if (a->weight != b->weight)
			return a->weight > b->weight ? -1 : 1;
		return 0;
	}
	if (a->proto != b->proto)
		return a->proto == VPNRT_PROTO_STATIC ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return 0;
}

/* what the model decides for a flow */
struct ref_decision {
	const struct ref_route *best;	/* a route of the winning tier */
	unsigned int n_paths;
	u32 skipped;
	u8 reason;
	const struct ref_route *fb;	/* the all-down rule's route */
	int fb_tunnel;
	bool any_match;
};

/*
 * Of the routes in @ref that @in selects, the best-ranked tier with a
 * path (into @d), else false; @passed counts the routes of the better
 * tiers without one. Ties among routes of a tier keep insertion order.
 */
static bool ref_best_tier(const struct ref_conns *m, const struct ref_route *ref,
			  unsigned int n, const bool *in, struct ref_decision *d,
			  u32 *passed)
{
	const struct ref_route *best = NULL, *next = NULL;
	unsigned int i, paths = 0;

	for (i = 0; i < n; i++) {
		if (!in[i] || !ref_paths(m, &ref[i]))
			continue;
		if (!best || ref_cmp(&ref[i], best) < 0)
			best = &ref[i];
	}
	if (!best)
		return false;
	for (i = 0; i < n; i++) {
		if (!in[i])
			continue;
		if (!ref_cmp(&ref[i], best))
			paths += ref_paths(m, &ref[i]);
		else if (ref_cmp(&ref[i], best) < 0)
			(*passed)++;
		else if (!next || ref_cmp(&ref[i], next) < 0)
			next = &ref[i];
	}
	d->best = best;
	d->n_paths = min(paths, m->max_paths);
	if (best->proto == VPNRT_PROTO_POLICY)
		d->reason = VPNRT_REASON_POLICY;
	else if (!next)
		d->reason = VPNRT_REASON_PREFIX;
	else if (next->proto != best->proto)
		d->reason = VPNRT_REASON_STATIC;
	else if (next->weight != best->weight)
		d->reason = VPNRT_REASON_WEIGHT;
	else
		d->reason = VPNRT_REASON_PREF;
	return true;
}

/* the first route (in rank, then insertion order) the all-down rule takes */
static void ref_fallback(const struct ref_conns *m, const struct ref_route *ref,
			 unsigned int n, const bool *in, struct ref_decision *d)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!in[i] || ref_fallback_tunnel(m, &ref[i]) < 0)
			continue;
		if (!d->fb || ref_cmp(&ref[i], d->fb) < 0)
			d->fb = &ref[i];
	}
	if (d->fb)
		d->fb_tunnel = ref_fallback_tunnel(m, d->fb);
}

static void ref_decide(const struct ref_conns *m, const struct ref_route *ref,
		       unsigned int n, bool *in, const struct vpnrt_flow *fl,
		       struct ref_decision *d)
{
	unsigned int i;
	int best_len = -1, deepest = -1;
	u32 passed = 0;

	memset(d, 0, sizeof(*d));
	/* rule 1: matching policy routes */
	for (i = 0; i < n; i++) {
		in[i] = ref[i].proto == VPNRT_PROTO_POLICY && ref_matches(&ref[i], fl);
		d->any_match |= in[i];
		passed += in[i];
	}
	if (ref_best_tier(m, ref, n, in, d, &d->skipped))
		goto reason;
	d->skipped = passed;	/* every matching policy route */
	ref_fallback(m, ref, n, in, d);

	/* rules 2-5: the longest prefix with a path; the deepest of all */
	for (i = 0; i < n; i++) {
		const struct ref_route *r = &ref[i];

		in[i] = false;
		if (r->proto == VPNRT_PROTO_POLICY || !ref_matches(r, fl))
			continue;
		d->any_match = true;
		deepest = max_t(int, deepest, r->len);
		if (ref_paths(m, r))
			best_len = max_t(int, best_len, r->len);
	}
	for (i = 0; i < n; i++) {
		const struct ref_route *r = &ref[i];

		if (r->proto == VPNRT_PROTO_POLICY || !ref_matches(r, fl))
			continue;
		if (r->len > best_len)
			d->skipped++;	/* deeper, none usable */
		in[i] = r->len == (best_len >= 0 ? best_len : deepest);
	}
	if (best_len >= 0) {
		d->fb = NULL;
		ref_best_tier(m, ref, n, in, d, &d->skipped);
		goto reason;
	}
	d->skipped = 0;
	if (!d->fb)
		ref_fallback(m, ref, n, in, d);
	return;
reason:
	if (d->n_paths > 1)
		d->reason = VPNRT_REASON_ECMP;
	else if (d->skipped)
		d->reason = VPNRT_REASON_FAILOVER;
}

/*
 * Decide @fl both ways, explained (always from the tries' roots) and as
 * the transmit path does (jump table, no explanation), with the flow's
 * hash; the two must agree. Returns the explained decision in @d.
 */
static bool decide_both(struct kunit *test, struct fixture *f,
			const struct vpnrt_flow *fl, struct vpnrt_decision *d)
{
	struct vpnrt_path fast;
	bool ok;

	rcu_read_lock();
	ok = vpnrt_lookup_explain(f->gw, fl, vpnrt_flow_hash(f->gw, fl), d);
	fast = vpnrt_lookup(f->gw, fl, NULL);
	rcu_read_unlock();
	KUNIT_ASSERT_EQ(test, ok, !!fast.conn);
	if (ok) {
		KUNIT_ASSERT_NOT_NULL(test, d->route);
		KUNIT_ASSERT_PTR_EQ(test, d->conn, d->route->conn);
		KUNIT_ASSERT_PTR_EQ(test, d->conn, fast.conn);
		KUNIT_ASSERT_EQ(test, d->tunnel, fast.tunnel);
		KUNIT_ASSERT_EQ(test, d->fallback, fast.fallback);
	}
	return ok;
}

/*
 * The rounds of random_vs_reference: random states, then three that make
 * sure every branch of the rules runs whatever the random draw (every
 * flow matches a route: each family has a default route): every
 * connection and tunnel up, every one down with its devices (the all-down
 * rule for every flow), every connection administratively down (no
 * fallback: every flow dropped).
 */
#define REF_RANDOM_ROUNDS	12
enum {
	REF_ALL_UP = REF_RANDOM_ROUNDS,
	REF_ALL_FALLBACK,
	REF_ALL_ADMIN,
	REF_ROUNDS
};

/* the model's random state, written to the fixture's connections too */
static void ref_random_state(struct fixture *f, struct ref_conns *m,
			     unsigned int round)
{
	static const unsigned long tdowns[] = {
		VPNRT_DOWN_HEALTH, VPNRT_DOWN_LINK, VPNRT_DOWN_NO_DEVICE,
		VPNRT_DOWN_HEALTH | VPNRT_DOWN_LINK,
	};
	static const unsigned int max_paths[] = { 1, 2, 3, VPNRT_MAX_PATHS };
	/* every other round most tunnels are down: the all-down rule */
	unsigned int p_down = round & 1 ? 4 : 1;	/* in 5 */
	unsigned int k, t;

	m->max_paths = max_paths[get_random_u32_below(ARRAY_SIZE(max_paths))];
	WRITE_ONCE(f->gw->max_paths, m->max_paths);
	for (k = 0; k < N_CONNS; k++) {
		struct vpnrt_conn *c = f->c[k];
		unsigned int x = get_random_u32_below(8);

		m->down[k] = x == 0 ? VPNRT_DOWN_ADMIN : x == 1 ? VPNRT_DOWN_IKE :
			     x == 2 ? REF_CONN_DOWN : 0;
		m->n_tunnels[k] = 1 + get_random_u32_below(VPNRT_MAX_TUNNELS);
		m->ecmp[k] = get_random_u32_below(2);
		for (t = 0; t < VPNRT_MAX_TUNNELS; t++)
			m->tdown[k][t] = get_random_u32_below(5) < p_down ?
				tdowns[get_random_u32_below(ARRAY_SIZE(tdowns))] : 0;
		if (round >= REF_RANDOM_ROUNDS) {
			m->down[k] = round == REF_ALL_UP ? 0 :
				     round == REF_ALL_FALLBACK ? VPNRT_DOWN_IKE :
				     VPNRT_DOWN_ADMIN;
			for (t = 0; t < VPNRT_MAX_TUNNELS; t++)
				m->tdown[k][t] = round == REF_ALL_UP ? 0 :
						 VPNRT_DOWN_HEALTH;
		}
		c->n_tunnels = m->n_tunnels[k];
		c->mode = m->ecmp[k] ? VPNRT_MODE_ECMP : VPNRT_MODE_ACTIVE_STANDBY;
		WRITE_ONCE(c->down, m->down[k]);
		for (t = 0; t < VPNRT_MAX_TUNNELS; t++)
			WRITE_ONCE(c->tun[t].down, m->tdown[k][t]);
	}
}

static void random_addr_in(union vpnrt_addr *a, u16 family)
{
	get_random_bytes(a, sizeof(*a));
	a->bytes[0] &= 0x0f;
	if (family == AF_INET)
		memset(&a->bytes[4], 0, 12);
}

/* @d, the module's explained decision, against the model's @rd */
static void ref_check(struct kunit *test, struct fixture *f,
		      const struct ref_conns *m, const struct ref_decision *rd,
		      bool ok, const struct vpnrt_decision *d)
{
	int k = conn_of(test, d);

	if (rd->best) {
		const struct ref_route *b = rd->best;
		u8 len = b->len;

		KUNIT_ASSERT_TRUE(test, ok);
		KUNIT_ASSERT_FALSE(test, d->fallback);
		KUNIT_ASSERT_EQ(test, d->n_paths, rd->n_paths);
		KUNIT_ASSERT_EQ(test, (int)d->route->proto, (int)b->proto);
		KUNIT_ASSERT_EQ(test, d->route->weight, b->weight);
		if (b->proto == VPNRT_PROTO_POLICY) {
			const struct vpnrt_proute *p =
				container_of(d->route, struct vpnrt_proute, r);

			KUNIT_ASSERT_EQ(test, d->route->priority, b->priority);
			KUNIT_ASSERT_EQ(test, p->dst_len, b->len);
			KUNIT_ASSERT_EQ(test, p->src_len, b->src_len);
		} else {
			KUNIT_ASSERT_EQ(test, d->route->pref, b->pref);
			KUNIT_ASSERT_EQ(test, d->route->node->cidr, len);
		}
		KUNIT_ASSERT_EQ(test, d->skipped, rd->skipped);
		KUNIT_ASSERT_EQ(test, (int)d->reason, (int)rd->reason);
		/* a connection that carries, on a tunnel that is up */
		KUNIT_ASSERT_GE(test, k, 0);
		KUNIT_ASSERT_EQ(test, m->down[k], 0ul);
		KUNIT_ASSERT_LT(test, (unsigned int)d->tunnel, m->n_tunnels[k]);
		KUNIT_ASSERT_EQ(test, m->tdown[k][d->tunnel], 0ul);
		if (!m->ecmp[k] && d->tunnel)
			KUNIT_ASSERT_NE(test, m->tdown[k][0], 0ul);
	} else if (rd->fb) {
		KUNIT_ASSERT_TRUE(test, ok);
		KUNIT_ASSERT_TRUE(test, d->fallback);
		KUNIT_ASSERT_EQ(test, (int)d->reason, VPNRT_REASON_FALLBACK);
		KUNIT_ASSERT_EQ(test, d->n_paths, 1u);
		KUNIT_ASSERT_EQ(test, k, rd->fb->conn);
		KUNIT_ASSERT_EQ(test, (int)d->tunnel, rd->fb_tunnel);
		KUNIT_ASSERT_EQ(test, (int)d->route->proto, (int)rd->fb->proto);
		if (rd->fb->proto != VPNRT_PROTO_POLICY)
			KUNIT_ASSERT_EQ(test, d->route->node->cidr, rd->fb->len);
		else
			KUNIT_ASSERT_EQ(test, d->route->priority, rd->fb->priority);
	} else {
		KUNIT_ASSERT_FALSE(test, ok);
	}
}

static void random_vs_reference(struct kunit *test)
{
	struct fixture *f = test->priv;
	const unsigned int n = 600, n_policy = 30;
	unsigned int i, j, round;
	unsigned int usable = 0, policy = 0, fb_trie = 0, fb_policy = 0;
	unsigned int dropped = 0;
	struct ref_conns *m;
	struct ref_route *ref;
	bool *in;

	ref = kunit_kcalloc(test, n, sizeof(*ref), GFP_KERNEL);
	in = kunit_kcalloc(test, n, sizeof(*in), GFP_KERNEL);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, m);

	for (i = 0; i < n; i++) {
		struct ref_route *r = &ref[i];
		struct vpnrt_route_spec s = {};
		int err;

		r->family = i & 1 ? AF_INET6 : AF_INET;
		/* short prefixes of a small space: many overlaps */
		r->len = get_random_u32_below(r->family == AF_INET ? 13 : 21);
		if (i < n_policy)	/* a policy route matches a flow in 20 */
			r->len = 6 + get_random_u32_below(7);
		/*
		 * but the first of each family matches half of all flows (the
		 * addresses' first 4 bits are 0; its source has 5 bits), and
		 * every flow matches the default route of its family
		 */
		if (i < 2)
			r->len = 4;
		if (i == n_policy || i == n_policy + 1)
			r->len = 0;
		random_addr_in(&r->dst, r->family);
		vpnrt_prefix_mask(r->family, &r->dst, r->len);
		/* policy routes sharing a destination share a trie node */
		if (i < n_policy && i % 3 == 2) {
			r->dst = ref[i - 2].dst;
			r->len = ref[i - 2].len;
		}
		if (i < n_policy) {
			r->proto = VPNRT_PROTO_POLICY;
			r->priority = get_random_u32_below(3);
			r->src_len = i < 2 ? 5 : get_random_u32_below(9);
			random_addr_in(&r->src, r->family);
			vpnrt_prefix_mask(r->family, &r->src, r->src_len);
			r->weight = get_random_u32_below(2) ? 100 : 0;
		} else {
			r->proto = get_random_u32_below(2) ? VPNRT_PROTO_STATIC :
							     VPNRT_PROTO_BGP;
			r->weight = r->proto == VPNRT_PROTO_BGP ||
				    get_random_u32_below(2) ? 100 : 0;
			r->pref = r->proto == VPNRT_PROTO_BGP ?
				  get_random_u32_below(3) : 0;
		}
		r->conn = get_random_u32_below(N_CONNS);
		s.family = r->family;
		s.dst = r->dst;
		s.dst_len = r->len;
		s.src = r->src;
		s.src_len = r->src_len;
		s.proto = r->proto;
		s.weight = r->weight;
		s.priority = r->priority;
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

	for (round = 0; round < REF_ROUNDS; round++) {
		ref_random_state(f, m, round);
		for (j = 0; j < 300; j++) {
			struct vpnrt_flow fl = {};
			struct vpnrt_decision d;
			struct ref_decision rd;
			bool ok;

			fl.family = j & 1 ? AF_INET6 : AF_INET;
			fl.proto = IPPROTO_UDP;
			fl.sport = htons(get_random_u16());
			fl.dport = htons(53);
			random_addr_in(&fl.dst, fl.family);
			random_addr_in(&fl.src, fl.family);
			ref_decide(m, ref, n, in, &fl, &rd);
			ok = decide_both(test, f, &fl, &d);
			ref_check(test, f, m, &rd, ok, &d);
			if (rd.best && rd.best->proto == VPNRT_PROTO_POLICY)
				policy++;
			else if (rd.best)
				usable++;
			else if (rd.fb && rd.fb->proto == VPNRT_PROTO_POLICY)
				fb_policy++;
			else if (rd.fb)
				fb_trie++;
			else
				dropped += rd.any_match;
		}
	}
	kunit_info(test, "usable %u, policy %u, all-down: trie %u, policy %u, none %u",
		   usable, policy, fb_trie, fb_policy, dropped);
	/*
	 * every branch of the rules ran, the all-down rule's included. The
	 * last three rounds see to it (the random ones alone saw no dropped
	 * flow in some draws): REF_ALL_ADMIN drops all 300 flows, and in
	 * REF_ALL_UP and REF_ALL_FALLBACK about half of the flows match the
	 * broad policy route of their family (binomial, 300 flows): the
	 * bounds are many standard deviations below what they give alone
	 */
	KUNIT_EXPECT_GT(test, usable, 100u);
	KUNIT_EXPECT_GT(test, policy, 50u);
	KUNIT_EXPECT_GT(test, fb_trie, 50u);
	KUNIT_EXPECT_GT(test, fb_policy, 3u);
	KUNIT_EXPECT_GT(test, dropped, 10u);

	/* remove in random order: every prefix and branch point must go */
	for (i = 0; i < N_CONNS; i++) {
		rtnl_lock();
		vpnrt_route_flush_conn(f->c[(i * 3) % N_CONNS]);
		KUNIT_EXPECT_EQ(test, vpnrt_trie_jump_check(&f->gw->v4), 0u);
		rtnl_unlock();
	}
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.dst.root));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v6.dst.root));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.policy.root));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v6.policy.root));
	KUNIT_EXPECT_EQ(test, f->gw->v4.n_nodes + f->gw->v6.n_nodes, 0u);
	KUNIT_EXPECT_EQ(test, f->gw->n_static + f->gw->n_bgp + f->gw->n_policy, 0u);
}

/*
 * Proof that the transmit path enters the IPv4 trie at the jump table's
 * slot: a node planted in the slot of @addr, reachable from nowhere else,
 * decides the fast lookup (and only it) while its connection carries;
 * when that connection cannot, the fast lookup walks again from the root
 * and agrees with the explained one. The slot is restored.
 */
static void expect_jump_taken(struct kunit *test, struct fixture *f,
			      struct vpnrt_node *plant, u32 addr)
{
	struct vpnrt_flow fl = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct vpnrt_path fast, fast_down;
	struct vpnrt_decision d;
	bool ok, ok_fast, ok_down;
	struct vpnrt_node __rcu **slot;
	struct vpnrt_jump_sub *sub;
	struct vpnrt_node *old;
	struct vpnrt_conn *spy;
	struct vpnrt_jump *jt;
	u32 j;

	spy = kunit_kzalloc(test, sizeof(*spy), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spy);
	spy->n_tunnels = 1;
	spy->gw = f->gw;
	INIT_LIST_HEAD(&spy->routes);
	memset(plant, 0, sizeof(*plant));
	plant->key.ip = htonl(addr);
	plant->cidr = 32;
	RCU_INIT_POINTER(plant->solo, spy);
	fl.dst.ip = htonl(addr);
	fl.src.ip = htonl(0xc0000201);

	rtnl_lock();
	jt = rtnl_dereference(f->gw->v4.dst.jump);
	if (!jt) {
		rtnl_unlock();
		KUNIT_FAIL(test, "no jump table");
		return;
	}
	j = addr >> (32 - jt->bits);
	slot = &jt->slot[j];
	/* a sub-table's slot if it has one: the lookup must go there */
	sub = vpnrt_jump_sub_of(rtnl_dereference(*slot));
	if (sub)
		slot = &sub->slot[(addr >> (32 - jt->bits - VPNRT_JUMP_SUB_BITS)) &
				  (VPNRT_JUMP_SUB_SLOTS - 1)];
	old = rtnl_dereference(*slot);
	rcu_assign_pointer(*slot, plant);
	rtnl_unlock();

	rcu_read_lock();
	fast = vpnrt_lookup(f->gw, &fl, NULL);
	ok_fast = fast.conn;
	ok = vpnrt_lookup_explain(f->gw, &fl, vpnrt_flow_hash(f->gw, &fl), &d);
	WRITE_ONCE(spy->down, VPNRT_DOWN_HEALTH);
	fast_down = vpnrt_lookup(f->gw, &fl, NULL);
	ok_down = fast_down.conn;
	rcu_read_unlock();

	rtnl_lock();
	rcu_assign_pointer(*slot, old);
	rtnl_unlock();

	KUNIT_EXPECT_TRUE_MSG(test, ok_fast, "%pI4", &fl.dst.ip);
	KUNIT_EXPECT_PTR_EQ_MSG(test, fast.conn, spy,
				"%pI4: the fast lookup did not start at slot %u of %u bits",
				&fl.dst.ip, j, jt->bits);
	KUNIT_EXPECT_TRUE(test, !ok || d.conn != spy);
	KUNIT_EXPECT_EQ(test, ok_down, ok);
	if (ok && ok_down) {
		KUNIT_EXPECT_PTR_EQ(test, fast_down.conn, d.conn);
		KUNIT_EXPECT_EQ(test, fast_down.tunnel, d.tunnel);
		KUNIT_EXPECT_EQ(test, fast_down.fallback, d.fallback);
	}
}

/*
 * The IPv4 jump table: thousands of prefixes from /8 to /32, so the table
 * is built and lookups start below /16, under changing usability; the
 * fast decision must equal the explained one (which walks from the root),
 * the fast one must start at the slot, and every slot must stay exact
 * through additions and removals.
 */
static void jump_table_agrees(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_node *plant;
	unsigned int i, j, round;
	struct vpnrt_jump *jt;

	plant = kunit_kzalloc(test, sizeof(*plant), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plant);
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
	KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(f->gw->v4.dst.jump));
	rtnl_lock();
	i = vpnrt_trie_jump_check(&f->gw->v4);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, i, 0u);

	for (round = 0; round < 6; round++) {
		for (i = 0; i < N_CONNS; i++) {
			f->c[i]->down = get_random_u32() % 3 ? 0 : VPNRT_DOWN_ADMIN;
			f->c[i]->tun[0].down = get_random_u32() % 3 ? 0 : VPNRT_DOWN_HEALTH;
		}
		for (j = 0; j < 2000; j++) {
			struct vpnrt_flow fl = { .family = AF_INET };
			struct vpnrt_decision d;

			fl.dst.ip = htonl(get_random_u32() & 0x0fffffff);
			decide_both(test, f, &fl, &d);
		}
		for (j = 0; j < 8; j++)
			expect_jump_taken(test, f, plant, get_random_u32() & 0x0fffffff);
	}

	/* the same with the large table of 20 bits, built now */
	rtnl_lock();
	vpnrt_trie_jump_build(&f->gw->v4, 20);
	i = rtnl_dereference(f->gw->v4.dst.jump)->bits;
	j = vpnrt_trie_jump_check(&f->gw->v4);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, i, 20u);
	KUNIT_EXPECT_EQ(test, j, 0u);
	for (j = 0; j < 4000; j++) {
		struct vpnrt_flow fl = { .family = AF_INET };
		struct vpnrt_decision d;

		fl.dst.ip = htonl(get_random_u32() & 0x0fffffff);
		decide_both(test, f, &fl, &d);
	}
	for (j = 0; j < 16; j++)
		expect_jump_taken(test, f, plant, get_random_u32() & 0x0fffffff);

	/*
	 * a whole /20 of /24s (and the table of 20 bits again, which the
	 * routes' additions shrank): its slot holds the stride node that
	 * takes them; the next /20's /24s are under a /22, so binary nodes,
	 * and its slot has a sub-table. Lookups take both. Above
	 * the random prefixes, so that none of them is between.
	 */
	for (i = 0; i < 33; i++) {
		char buf[24];
		int err;

		if (i < 32)
			snprintf(buf, sizeof(buf), "16.9.%u.0/24", 144 + i);
		else
			snprintf(buf, sizeof(buf), "16.9.160.0/22");
		err = STATIC(buf, i % N_CONNS, 100);
		KUNIT_ASSERT_TRUE(test, !err || err == -EEXIST);
	}
	rtnl_lock();
	vpnrt_trie_jump_build(&f->gw->v4, 20);
	jt = rtnl_dereference(f->gw->v4.dst.jump);
	i = jt->bits == 20 &&
	    rtnl_dereference(jt->slot[0x10099])->bits == VPNRT_STRIDE_BITS &&
	    vpnrt_jump_sub_of(rtnl_dereference(jt->slot[0x1009a]));
	j = vpnrt_trie_jump_check(&f->gw->v4);
	rtnl_unlock();
	KUNIT_EXPECT_TRUE(test, i);
	KUNIT_EXPECT_EQ(test, j, 0u);
	for (j = 0; j < 32; j++)
		expect_jump_taken(test, f, plant, 0x10090000 | (144 + j) << 8 | j);

	for (i = 0; i < N_CONNS; i++) {
		rtnl_lock();
		vpnrt_route_flush_conn(f->c[i]);
		j = vpnrt_trie_jump_check(&f->gw->v4);
		rtnl_unlock();
		KUNIT_EXPECT_EQ(test, j, 0u);
	}
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.dst.root));
}

/* bits of the jump table, 0 if none */
static unsigned int jump_bits(struct fixture *f)
{
	struct vpnrt_jump *jt;
	unsigned int bits;

	rtnl_lock();
	jt = rtnl_dereference(f->gw->v4.dst.jump);
	bits = jt ? jt->bits : 0;
	rtnl_unlock();
	return bits;
}

/*
 * The jump table comes by itself, through the ordinary route additions:
 * none below 128 prefixes, 16 bits from 128, and no more at 32,768
 * (Documentation/routing.rst). 32,768 /24s in 10.0.0.0/9, added in a
 * scrambled order; then lookups, and the table exact through removals.
 */
static void jump_table_automatic(struct kunit *test)
{
	const u32 n = 32768, mult = 0x2f1d;	/* odd: a permutation of n */
	struct fixture *f = test->priv;
	u32 i, k, off = get_random_u32_below(n), bad;
	struct vpnrt_node *plant;
	unsigned int bits;

	KUNIT_ASSERT_EQ(test, VPNRT_JUMP_MIN_NODES, 128);
	plant = kunit_kzalloc(test, sizeof(*plant), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plant);
	for (k = 1; k <= n; k++) {
		struct vpnrt_route_spec s = {};
		int err;

		i = ((k - 1) * mult + off) & (n - 1);
		s.family = AF_INET;
		s.dst_len = 24;
		s.dst.ip = htonl(0x0a000000 | i << 8);
		s.proto = VPNRT_PROTO_STATIC;
		s.weight = 100;
		s.conn = f->c[i % N_CONNS];
		rtnl_lock();
		err = vpnrt_route_add(&s, NULL, NULL);
		rtnl_unlock();
		KUNIT_ASSERT_EQ(test, err, 0);
		if (k == 127 || k == 128 || k == n - 1 || k == n) {
			bits = jump_bits(f);
			KUNIT_EXPECT_EQ_MSG(test, bits,
					    k < 128 ? 0u : 16u,
					    "jump table with %u prefixes", k);
		}
	}
	KUNIT_EXPECT_EQ(test, f->gw->v4.n_nodes, n);
	KUNIT_ASSERT_EQ(test, jump_bits(f), 16u);
	rtnl_lock();
	bad = vpnrt_trie_jump_check(&f->gw->v4);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, bad, 0u);

	/* 10.x.y.z with x < 128 goes by 10.x.y.0/24, anything else nowhere */
	for (k = 0; k < 2000; k++) {
		struct vpnrt_flow fl = { .family = AF_INET };
		struct vpnrt_decision d;
		u32 a = 0x0a000000 | get_random_u32_below(1 << 24);
		bool ok;

		if (k & 7)
			a &= ~0x00800000;
		fl.dst.ip = htonl(a);
		ok = decide_both(test, f, &fl, &d);
		KUNIT_ASSERT_EQ(test, ok, !(a & 0x00800000));
		if (ok)
			KUNIT_ASSERT_PTR_EQ(test, d.conn,
					    f->c[((a >> 8) & 0x7fff) % N_CONNS]);
	}
	for (k = 0; k < 16; k++)
		expect_jump_taken(test, f, plant,
				  0x0a000000 | get_random_u32_below(1 << 23));

	/* three connections' routes go: the slots follow */
	rtnl_lock();
	for (k = 0; k < N_CONNS - 1; k++)
		vpnrt_route_flush_conn(f->c[k]);
	bad = vpnrt_trie_jump_check(&f->gw->v4);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, bad, 0u);
	KUNIT_EXPECT_EQ(test, f->gw->v4.n_nodes, n / N_CONNS);
	for (k = 0; k < 2000; k++) {
		struct vpnrt_flow fl = { .family = AF_INET };
		struct vpnrt_decision d;
		u32 a = 0x0a000000 | get_random_u32_below(1 << 23);
		bool ok;

		fl.dst.ip = htonl(a);
		ok = decide_both(test, f, &fl, &d);
		KUNIT_ASSERT_EQ(test, ok, ((a >> 8) & 0x7fff) % N_CONNS == N_CONNS - 1);
	}
	for (k = 0; k < 8; k++)
		expect_jump_taken(test, f, plant,
				  0x0a000000 | get_random_u32_below(1 << 23));

	/* the table goes below 32 prefixes */
	for (k = n / N_CONNS; k > 0; k--) {
		struct vpnrt_conn *c = f->c[N_CONNS - 1];

		rtnl_lock();
		vpnrt_route_del(list_first_entry(&c->routes, struct vpnrt_route,
						 conn_link));
		bits = vpnrt_trie_jump_bits(&f->gw->v4);
		/* every slot, around the thresholds and now and then */
		bad = k % 2048 && k != 33 && k != 32 ?
		      0 : vpnrt_trie_jump_check(&f->gw->v4);
		rtnl_unlock();
		KUNIT_ASSERT_EQ(test, bad, 0u);
		KUNIT_ASSERT_EQ_MSG(test, bits, k - 1 >= 32 ? 16u : 0u,
				    "jump table with %u prefixes", k - 1);
		if (k % 256 == 0 || k == 33 || k == 32) {
			struct vpnrt_flow fl = { .family = AF_INET };
			struct vpnrt_decision d;

			fl.dst.ip = htonl(0x0a000000 | get_random_u32_below(1 << 23));
			decide_both(test, f, &fl, &d);
		}
	}
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.dst.root));
}

/* 1500 flows against the brute-force winner among @sp[0..n-1] */
static unsigned int policy_flows(struct kunit *test, struct fixture *f,
				 const struct vpnrt_route_spec *sp,
				 unsigned int n)
{
	unsigned int i, j, hits = 0, bad;

	rtnl_lock();
	bad = vpnrt_trie_jump_check(&f->gw->v4);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, bad, 0u);
	for (j = 0; j < 1500; j++) {
		const struct vpnrt_route_spec *best = NULL;
		struct vpnrt_flow fl = { .family = AF_INET, .proto = IPPROTO_UDP };
		struct vpnrt_decision d;
		const struct vpnrt_proute *p;
		bool ok;

		/* mostly the address of a route, so that many match */
		i = get_random_u32_below(n);
		fl.dst.ip = sp[i].dst.ip | htonl(get_random_u32_below(256));
		fl.src.ip = sp[i].src.ip | htonl(get_random_u32_below(4));
		if (j & 1)
			fl.src.ip = htonl(0xc0a80000 | get_random_u32_below(1 << 16));
		fl.sport = htons(get_random_u16());
		for (i = 0; i < n; i++) {
			const struct vpnrt_route_spec *s = &sp[i];

			if (!s->family ||
			    !vpnrt_prefix_match(AF_INET, &s->dst, s->dst_len, &fl.dst) ||
			    !vpnrt_prefix_match(AF_INET, &s->src, s->src_len, &fl.src))
				continue;
			if (!best || s->priority < best->priority ||
			    (s->priority == best->priority &&
			     (s->dst_len > best->dst_len ||
			      (s->dst_len == best->dst_len &&
			       s->src_len > best->src_len))))
				best = s;
		}
		ok = decide_both(test, f, &fl, &d);
		KUNIT_ASSERT_EQ(test, ok, !!best);
		if (!best)
			continue;
		hits++;
		p = container_of(d.route, struct vpnrt_proute, r);
		KUNIT_ASSERT_EQ(test, (int)d.route->proto, VPNRT_PROTO_POLICY);
		KUNIT_ASSERT_EQ(test, d.route->priority, best->priority);
		KUNIT_ASSERT_EQ(test, p->dst_len, best->dst_len);
		KUNIT_ASSERT_EQ(test, p->src_len, best->src_len);
		KUNIT_ASSERT_EQ(test, d.skipped, 0u);
		KUNIT_ASSERT_TRUE(test, vpnrt_prefix_match(AF_INET, &p->dst,
							   p->dst_len, &fl.dst));
		KUNIT_ASSERT_TRUE(test, vpnrt_prefix_match(AF_INET, &p->src,
							   p->src_len, &fl.src));
	}
	return hits;
}

/*
 * Policy routes are indexed by destination: thousands of them, with
 * nested and shared destinations, sources and priorities, decide as the
 * brute-force order says (the first matching one in policy order, all
 * usable); the explained and the transmit path's lookups agree, and the
 * policy trie holds a node per destination and is empty after.
 */
static void policy_index(struct kunit *test)
{
	const unsigned int n = 2000;
	struct fixture *f = test->priv;
	struct vpnrt_route_spec *sp;
	unsigned int i, j, hits, shared = 0;
	struct vpnrt_jump *jt;

	sp = kunit_kcalloc(test, n, sizeof(*sp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sp);
	f->gw->max_policy_routes = n;
	for (i = 0; i < n; i++) {
		struct vpnrt_route_spec *s = &sp[i];
		int err;

		s->family = AF_INET;
		s->proto = VPNRT_PROTO_POLICY;
		if (i >= 8 && get_random_u32_below(4) == 0) {
			/* the destination of an earlier one */
			j = get_random_u32_below(i);
			s->dst = sp[j].dst;
			s->dst_len = sp[j].dst_len;
			shared++;
		} else {
			s->dst.ip = htonl(0x0a000000 | get_random_u32_below(1 << 16) << 8);
			s->dst_len = 8 + get_random_u32_below(17);
		}
		vpnrt_prefix_mask(AF_INET, &s->dst, s->dst_len);
		s->src.ip = htonl(0xc0a80000 | get_random_u32_below(1 << 16));
		s->src_len = 16 + get_random_u32_below(9);
		vpnrt_prefix_mask(AF_INET, &s->src, s->src_len);
		s->priority = 1 + get_random_u32_below(4);
		s->weight = 100;
		s->conn = f->c[get_random_u32_below(N_CONNS)];
		rtnl_lock();
		err = vpnrt_route_add(s, NULL, NULL);
		rtnl_unlock();
		if (err == -EEXIST)
			s->family = 0;
		else
			KUNIT_ASSERT_EQ(test, err, 0);
	}
	KUNIT_EXPECT_GT(test, shared, n / 8);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.dst.root));

	hits = policy_flows(test, f, sp, n);
	kunit_info(test, "%u policy routes, %u with a shared destination, %u of 1500 flows decided by one",
		   n, shared, hits);
	KUNIT_EXPECT_GT(test, hits, 500u);
	/* some have a destination shorter than the jump slots: from the root */
	KUNIT_EXPECT_GT(test, READ_ONCE(f->gw->v4.policy.n_shallow), 0u);

	/* without those, the transmit path starts at the policy jump slot */
	for (i = 0; i < n; i++) {
		if (!sp[i].family || sp[i].dst_len >= VPNRT_JUMP_BITS)
			continue;
		rtnl_lock();
		vpnrt_route_del(vpnrt_route_find(&sp[i]));
		rtnl_unlock();
		sp[i].family = 0;
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(f->gw->v4.policy.n_shallow), 0u);
	KUNIT_EXPECT_NOT_NULL(test, rcu_access_pointer(f->gw->v4.policy.jump));
	hits = policy_flows(test, f, sp, n);
	kunit_info(test, "without the shallow ones, %u of 1500 flows decided by one",
		   hits);
	KUNIT_EXPECT_GT(test, hits, 300u);

	/*
	 * without those shorter than the bitmap's slots, a clear bit is
	 * trusted: a lookup whose slot has no policy prefix reads no node
	 */
	KUNIT_EXPECT_GT(test, READ_ONCE(f->gw->v4.policy.n_short), 0u);
	for (i = 0; i < n; i++) {
		if (!sp[i].family || sp[i].dst_len >= VPNRT_POLICY_MAP_BITS)
			continue;
		rtnl_lock();
		vpnrt_route_del(vpnrt_route_find(&sp[i]));
		rtnl_unlock();
		sp[i].family = 0;
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(f->gw->v4.policy.n_short), 0u);
	rtnl_lock();
	jt = rtnl_dereference(f->gw->v4.policy.jump);
	KUNIT_EXPECT_TRUE(test, jt && jt->map);
	rtnl_unlock();
	hits = policy_flows(test, f, sp, n);
	kunit_info(test, "without those shorter than /%u, %u of 1500 flows decided by one",
		   VPNRT_POLICY_MAP_BITS, hits);
	KUNIT_EXPECT_GT(test, hits, 100u);

	for (i = 0; i < N_CONNS; i++) {
		rtnl_lock();
		vpnrt_route_flush_conn(f->c[i]);
		rtnl_unlock();
	}
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->gw->v4.policy.root));
	KUNIT_EXPECT_EQ(test, f->gw->n_policy, 0u);
}

/*
 * trie structure: children are longer prefixes inside their parent, each
 * at the index of its bits after the parent's prefix; a node's routes
 * point back to it; a leaf (no child pointers) has routes, a node without
 * routes is a branch point with two children or more, one with routes
 * has a child (else it would be a leaf); /32s and /128s are leaves; a
 * stride node is an IPv4 /20 whose children are /24s or longer
 */
static void check_node(struct kunit *test, const struct vpnrt_node *n,
		       const struct vpnrt_node *parent, unsigned int *count)
{
	const struct vpnrt_route *r;
	const struct vpnrt_node *c;
	unsigned int b, kids = 0;

	if (!n)
		return;
	(*count)++;
	KUNIT_ASSERT_PTR_EQ(test, n->parent, parent);
	if (parent) {
		KUNIT_ASSERT_GT(test, n->cidr, parent->cidr);
		KUNIT_ASSERT_TRUE(test, vpnrt_node_matches(parent, &n->key));
	}
	for (r = rcu_dereference_protected(n->routes, 1); r;
	     r = rcu_dereference_protected(r->next, 1))
		KUNIT_ASSERT_PTR_EQ(test, r->node, n);
	if (n->cidr == vpnrt_addr_bits(n->family))
		KUNIT_ASSERT_EQ(test, n->bits, 0);
	if (!n->bits) {
		KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(n->routes));
		return;
	}
	if (n->bits != 1) {
		KUNIT_ASSERT_EQ(test, n->bits, VPNRT_STRIDE_BITS);
		KUNIT_ASSERT_EQ(test, n->family, AF_INET);
		KUNIT_ASSERT_EQ(test, n->cidr, VPNRT_STRIDE_CIDR);
	}
	for (b = 0; b < BIT(n->bits); b++) {
		c = rcu_dereference_protected(vpnrt_node_child(n)[b], 1);
		if (!c)
			continue;
		kids++;
		KUNIT_ASSERT_GE(test, c->cidr, n->cidr + n->bits);
		KUNIT_ASSERT_EQ(test, vpnrt_node_index(n, &c->key), b);
		check_node(test, c, n, count);
	}
	KUNIT_ASSERT_GE(test, kids, rcu_access_pointer(n->routes) ? 1u : 2u);
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
	struct vpnrt_decision d;
	struct vpnrt_path fast;
	struct vpnrt_node *n;
	unsigned int hits[2] = {}, i;
	u8 len;

	KUNIT_ASSERT_EQ(test, STATIC("10.1.0.0/16", 0, 100), 0);
	parse_prefix(test, "10.1.0.0/16", &s.family, &s.dst, &len);
	rtnl_lock();
	n = vpnrt_trie_find(&f->gw->v4, &f->gw->v4.dst, &s.dst, 16);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_NULL(test, n);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(n->solo), f->c[0]);
	fl.dst.ip = htonl(0x0a010203);
	fl.src.ip = htonl(0x01010101);
	rcu_read_lock();
	fast = vpnrt_lookup(f->gw, &fl, NULL);
	rcu_read_unlock();
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
	root = rtnl_dereference(f->gw->v4.dst.root);
	check_node(test, root, NULL, &count);
	KUNIT_EXPECT_GE(test, count, f->gw->v4.n_nodes);
	KUNIT_EXPECT_LT(test, count, 2 * f->gw->v4.n_nodes);
	rtnl_unlock();
}

/* trie_churn's pool: where its prefix of @i is, in @a (for @fam) */
#define CHURN_POOL	320

static void churn_prefix(u16 fam, unsigned int i, union vpnrt_addr *a, u8 *len)
{
	/* 0-255: every /24 of 10.16.0.0/20 and of 10.32.0.0/20, as bench */
	u32 x = 0x0a100000 | (i & 15) << 8 | (i & 16) << 17, h = i * 0x9e3779b1u;

	*len = 24;
	if (i >= 256) {
		/* shorter ones above and beside them, and /28s inside */
		*len = 8 + (h >> 27) % 21;
		x = 0x0a000000 | ((h & 0x3f) << 14) | (h & 0xf0);
		if (h & 0x100) {	/* among the /24s */
			*len = 20 + (h >> 27) % 9;
			x = 0x0a100000 | (h & 0xff0);
		}
	}
	memset(a, 0, sizeof(*a));
	if (fam == AF_INET) {
		a->ip = htonl(x);
	} else {
		a->ip6.s6_addr32[0] = htonl(0x20010db8);
		a->ip6.s6_addr32[1] = htonl(x);
		*len += 32;
	}
	vpnrt_prefix_mask(fam, a, *len);
}

/* pool entries that repeat an earlier one are never used: -2 */
static void churn_dedup(u16 fam, s8 *conn)
{
	union vpnrt_addr a, b;
	unsigned int i, j;
	u8 la, lb;

	memset(conn, -1, CHURN_POOL);
	for (i = 0; i < CHURN_POOL; i++) {
		churn_prefix(fam, i, &a, &la);
		for (j = 0; j < i; j++) {
			churn_prefix(fam, j, &b, &lb);
			if (la == lb && !memcmp(&a, &b, sizeof(a)))
				conn[i] = -2;
		}
	}
}

/* the pool prefix that holds @dst longest, by trying all; -1 if none */
static int churn_brute(u16 fam, const s8 *conn, const union vpnrt_addr *dst)
{
	int i, best = -1, best_len = -1;
	union vpnrt_addr a;
	u8 len;

	for (i = 0; i < CHURN_POOL; i++) {
		if (conn[i] < 0)
			continue;
		churn_prefix(fam, i, &a, &len);
		if (len > best_len && vpnrt_prefix_match(fam, &a, len, dst)) {
			best = i;
			best_len = len;
		}
	}
	return best;
}

/*
 * Random inserts and deletes of a pool of prefixes, half of them whole
 * /20s of /24s as the benchmark has them: after each, random lookups
 * agree with a brute-force longest match (fast and explained), and every
 * so often the trie's shape, its count and the jump table are checked:
 * deletes must collapse the branch points they leave.
 */
static void trie_churn(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int op, k, fi, count;
	struct vpnrt_route_spec s;
	struct vpnrt_decision d;
	struct vpnrt_path fast;
	struct vpnrt_table *t;
	s8 *conn;
	u16 fam;

	conn = kunit_kmalloc(test, CHURN_POOL, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, conn);
	for (fi = 0; fi < 2; fi++) {
		fam = fi ? AF_INET6 : AF_INET;
		t = vpnrt_table(f->gw, fam);
		churn_dedup(fam, conn);
		for (op = 0; op < 3000; op++) {
			unsigned int i = get_random_u32_below(CHURN_POOL);
			struct vpnrt_flow fl = { .family = fam,
						 .proto = IPPROTO_UDP };
			int want;
			u8 len;

			/* fill up first, then toggle: grow and shrink */
			if (conn[i] == -2 || (op < 1000 && conn[i] >= 0))
				continue;
			memset(&s, 0, sizeof(s));
			s.family = fam;
			churn_prefix(fam, i, &s.dst, &s.dst_len);
			s.proto = VPNRT_PROTO_STATIC;
			s.weight = 100;
			rtnl_lock();
			if (conn[i] >= 0) {
				s.conn = f->c[conn[i]];
				vpnrt_route_del(vpnrt_route_find(&s));
				conn[i] = -1;
			} else {
				conn[i] = get_random_u32_below(N_CONNS);
				s.conn = f->c[conn[i]];
				KUNIT_ASSERT_EQ(test, vpnrt_route_add(&s, NULL, NULL), 0);
			}
			if (op % 100 == 99) {
				count = 0;
				check_node(test, rtnl_dereference(t->dst.root),
					   NULL, &count);
				KUNIT_ASSERT_GE(test, count, t->n_nodes);
				KUNIT_ASSERT_LT(test, count, 2 * t->n_nodes + 1);
				KUNIT_ASSERT_EQ(test, vpnrt_trie_jump_check(t), 0u);
			}
			rtnl_unlock();
			for (k = 0; k < 6; k++) {
				churn_prefix(fam, get_random_u32_below(CHURN_POOL),
					     &fl.dst, &len);
				fl.dst.ip6.s6_addr32[fam == AF_INET ? 0 : 1] ^=
					htonl(get_random_u32_below(256));
				want = churn_brute(fam, conn, &fl.dst);
				rcu_read_lock();
				fast = vpnrt_lookup(f->gw, &fl, NULL);
				KUNIT_ASSERT_EQ(test,
						vpnrt_lookup_explain(f->gw, &fl, 0, &d),
						want >= 0);
				rcu_read_unlock();
				KUNIT_ASSERT_PTR_EQ(test, fast.conn,
						    want >= 0 ? f->c[conn[want]] : NULL);
				if (want >= 0)
					KUNIT_ASSERT_PTR_EQ(test, d.conn, fast.conn);
			}
		}
		/* everything out: every branch point goes with the prefixes */
		for (k = 0; k < N_CONNS; k++) {
			rtnl_lock();
			vpnrt_route_flush_conn(f->c[k]);
			rtnl_unlock();
		}
		KUNIT_EXPECT_NULL(test, rcu_access_pointer(t->dst.root));
		KUNIT_EXPECT_EQ(test, t->n_nodes, 0u);
	}
}

/*
 * One route of a ROUTE_NEW batch of its own (vpnrt_route_set() and the
 * commit): the op done, or -errno.
 */
static int set_route(struct kunit *test, u8 proto, const char *dst,
		     const char *src, int conn, u8 weight, u8 priority,
		     u32 pref, bool replace)
{
	struct vpnrt_route_change ch;
	struct vpnrt_route_spec s;
	int err;

	spec(test, proto, dst, src, conn, weight, priority, pref, &s);
	rtnl_lock();
	err = vpnrt_route_set(&s, replace, &ch, NULL);
	if (!err)
		vpnrt_route_set_commit(&ch, 1);
	rtnl_unlock();
	return err ? err : ch.op;
}

/* the values STATIC(), BGP() and POLICY() give */
#define REPLACE_STATIC(dst, conn, w) \
	set_route(test, VPNRT_PROTO_STATIC, dst, NULL, conn, w, 0, 0, true)
#define REPLACE_BGP(dst, conn, pref) \
	set_route(test, VPNRT_PROTO_BGP, dst, NULL, conn, 100, 0, pref, true)
#define REPLACE_POLICY(dst, src, conn, prio, w) \
	set_route(test, VPNRT_PROTO_POLICY, dst, src, conn, w, prio, 0, true)
#define ADD_BGP(dst, conn, pref) \
	set_route(test, VPNRT_PROTO_BGP, dst, NULL, conn, 100, 0, pref, false)

/* the route of @conn at @dst (static, or the proto given), under RTNL */
static struct vpnrt_route *find(struct kunit *test, u8 proto, const char *dst,
				const char *src, int conn)
{
	struct vpnrt_route_spec s;
	struct vpnrt_route *r;

	spec(test, proto, dst, src, conn, 0, 0, 0, &s);
	rtnl_lock();
	r = vpnrt_route_find(&s);
	rtnl_unlock();
	return r;
}

static unsigned int n_routes_of(struct vpnrt_conn *c)
{
	struct vpnrt_route *r;
	unsigned int n = 0;

	list_for_each_entry(r, &c->routes, conn_link)
		n++;
	return n;
}

/*
 * Replace: weight, pref and priority take new values, the decision
 * follows; the same values change nothing; without replace a route
 * exists; counts and quotas count a replaced route once; the flow
 * protection route is refused.
 */
static void replace_values(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_route_spec s;
	struct vpnrt_decision d;
	struct vpnrt_route *r;
	int err;

	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 1, 100), 0);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.2.3", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, 2u);
	KUNIT_EXPECT_EQ(test, set_route(test, VPNRT_PROTO_STATIC, "10.0.0.0/8",
					NULL, 0, 0, 0, 0, false), -EEXIST);
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("10.0.0.0/8", 0, 0),
			VPNRT_ROUTE_REPLACED);
	EXPECT_DECISION("1.1.1.1", "10.1.2.3", 1, VPNRT_REASON_WEIGHT);
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("10.0.0.0/8", 0, 0),
			VPNRT_ROUTE_UNCHANGED);
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("10.0.0.0/8", 1, 0),
			VPNRT_ROUTE_REPLACED);
	KUNIT_ASSERT_TRUE(test, decide(test, "1.1.1.1", "10.1.2.3", &d));
	KUNIT_EXPECT_EQ(test, d.n_paths, 2u);
	r = find(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->weight, 0);
	KUNIT_EXPECT_EQ(test, f->gw->n_static, 2u);
	KUNIT_EXPECT_EQ(test, f->c[0]->n_static, 1u);
	KUNIT_EXPECT_EQ(test, n_routes_of(f->c[0]), 1u);

	/* BGP pref */
	KUNIT_ASSERT_EQ(test, BGP("20.0.0.0/8", 2, 100), 0);
	KUNIT_ASSERT_EQ(test, BGP("20.0.0.0/8", 3, 200), 0);
	EXPECT_DECISION("1.1.1.1", "20.0.0.1", 2, VPNRT_REASON_PREF);
	KUNIT_EXPECT_EQ(test, REPLACE_BGP("20.0.0.0/8", 2, 300),
			VPNRT_ROUTE_REPLACED);
	EXPECT_DECISION("1.1.1.1", "20.0.0.1", 3, VPNRT_REASON_PREF);
	KUNIT_EXPECT_EQ(test, f->gw->n_bgp, 2u);
	KUNIT_EXPECT_EQ(test, f->c[2]->n_bgp, 1u);

	/* policy priority: the pair is the same, the order changes */
	KUNIT_ASSERT_EQ(test, POLICY("30.0.0.0/8", "1.0.0.0/8", 0, 10, 100), 0);
	KUNIT_ASSERT_EQ(test, POLICY("30.0.0.0/8", "1.0.0.0/8", 1, 20, 100), 0);
	EXPECT_DECISION("1.1.1.1", "30.0.0.1", 0, VPNRT_REASON_POLICY);
	KUNIT_EXPECT_EQ(test, REPLACE_POLICY("30.0.0.0/8", "1.0.0.0/8", 0, 30, 100),
			VPNRT_ROUTE_REPLACED);
	EXPECT_DECISION("1.1.1.1", "30.0.0.1", 1, VPNRT_REASON_POLICY);
	KUNIT_EXPECT_EQ(test, f->gw->n_policy, 2u);

	/* at the quota a replace still works; an addition does not */
	f->gw->max_routes = 2;
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("10.0.0.0/8", 1, 100),
			VPNRT_ROUTE_REPLACED);
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("11.0.0.0/8", 1, 100), -ENOSPC);
	f->gw->max_routes = 10;
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("11.0.0.0/8", 1, 100),
			VPNRT_ROUTE_ADDED);
	KUNIT_EXPECT_EQ(test, f->gw->n_static, 3u);

	/* flow protection's route: not replaced */
	spec(test, VPNRT_PROTO_STATIC, "40.0.0.0/8", NULL, 3, 100, 10, 0, &s);
	s.flags = VPNRT_ROUTE_F_FLOW;
	rtnl_lock();
	err = vpnrt_route_add(&s, NULL, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, REPLACE_STATIC("40.0.0.0/8", 3, 0), -EPERM);
}

/*
 * A failed batch undoes in reverse: replacements (chained ones too) go,
 * the old routes stay as they were; a committed chain leaves one route
 * with the last values, counted once.
 */
static void replace_undo_and_chain(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_route_change ch[3];
	struct vpnrt_route_spec s;
	struct vpnrt_route *orig, *r;
	int i;

	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	orig = find(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	rtnl_lock();
	spec(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0, 0, 10, 0, &s);
	KUNIT_EXPECT_EQ(test, vpnrt_route_set(&s, true, &ch[0], NULL), 0);
	spec(test, VPNRT_PROTO_STATIC, "11.0.0.0/8", NULL, 0, 100, 10, 0, &s);
	KUNIT_EXPECT_EQ(test, vpnrt_route_set(&s, true, &ch[1], NULL), 0);
	spec(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0, 100, 10, 0, &s);
	KUNIT_EXPECT_EQ(test, vpnrt_route_set(&s, true, &ch[2], NULL), 0);
	/* the third replaces the first's new route, not the original */
	KUNIT_EXPECT_EQ(test, ch[2].op, VPNRT_ROUTE_REPLACED);
	KUNIT_EXPECT_PTR_EQ(test, ch[2].old, ch[0].r);
	KUNIT_EXPECT_EQ(test, f->gw->n_static, 2u);
	for (i = 2; i >= 0; i--)
		vpnrt_route_set_undo(&ch[i]);
	rtnl_unlock();
	KUNIT_EXPECT_PTR_EQ(test, find(test, VPNRT_PROTO_STATIC, "10.0.0.0/8",
				       NULL, 0), orig);
	KUNIT_EXPECT_NULL(test, find(test, VPNRT_PROTO_STATIC, "11.0.0.0/8",
				     NULL, 0));
	KUNIT_EXPECT_EQ(test, orig->weight, 100);
	KUNIT_EXPECT_EQ(test, orig->replaced, 0);
	KUNIT_EXPECT_EQ(test, f->gw->n_static, 1u);
	KUNIT_EXPECT_EQ(test, n_routes_of(f->c[0]), 1u);
	KUNIT_EXPECT_EQ(test, f->gw->v4.n_nodes, 1u);

	/* the same chain committed: one route, weight 0 then 100 again */
	rtnl_lock();
	spec(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0, 0, 10, 0, &s);
	KUNIT_EXPECT_EQ(test, vpnrt_route_set(&s, true, &ch[0], NULL), 0);
	spec(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0, 100, 10, 0, &s);
	KUNIT_EXPECT_EQ(test, vpnrt_route_set(&s, true, &ch[1], NULL), 0);
	vpnrt_route_set_commit(ch, 2);
	rtnl_unlock();
	r = find(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_PTR_EQ(test, r, ch[1].r);
	KUNIT_EXPECT_EQ(test, r->weight, 100);
	KUNIT_EXPECT_EQ(test, f->gw->n_static, 1u);
	KUNIT_EXPECT_EQ(test, n_routes_of(f->c[0]), 1u);
	KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(r->node->solo), f->c[0]);
}

/* ---- one node's route list: every position (route_list_positions) ---- */

/* the route of @conn at 10.1.2.0/24, BGP of pref @key or policy of priority @key */
static int lp_set(struct kunit *test, bool policy, int conn, u32 key,
		  bool replace)
{
	if (policy)
		return set_route(test, VPNRT_PROTO_POLICY, "10.1.2.0/24",
				 "1.0.0.0/8", conn, 100, key, 0, replace);
	return set_route(test, VPNRT_PROTO_BGP, "10.1.2.0/24", NULL, conn, 100,
			 0, key, replace);
}

static void lp_del(struct kunit *test, bool policy, int conn)
{
	struct vpnrt_route *r;

	r = find(test, policy ? VPNRT_PROTO_POLICY : VPNRT_PROTO_BGP,
		 "10.1.2.0/24", policy ? "1.0.0.0/8" : NULL, conn);
	KUNIT_ASSERT_NOT_NULL(test, r);
	rtnl_lock();
	vpnrt_route_del(r);
	rtnl_unlock();
}

/*
 * The node of 10.1.2.0/24 has a route of conn c with key @key[c] (0:
 * none), in ascending key order, each pointing back to it, the lone
 * one's conn named (destination trie); no node without routes. @extra
 * routes more (a replacement beside its old route) in the list.
 */
static void lp_check(struct kunit *test, bool policy, const u32 *key,
		     unsigned int extra)
{
	struct fixture *f = test->priv;
	struct vpnrt_table *t = &f->gw->v4;
	struct vpnrt_conn *lone = NULL;
	unsigned int want = extra, got = 0;
	union vpnrt_addr a = {};
	struct vpnrt_route *r;
	struct vpnrt_node *n;
	u32 prev = 0, k;
	int c;

	for (c = 0; c < N_CONNS; c++)
		if (key[c]) {
			want++;
			lone = f->c[c];
		}
	a.ip = htonl(0x0a010200);
	rtnl_lock();
	n = vpnrt_trie_find(t, policy ? &t->policy : &t->dst, &a, 24);
	if (!want) {
		KUNIT_EXPECT_NULL(test, n);
		goto out;
	}
	KUNIT_EXPECT_NOT_NULL(test, n);
	if (!n)
		goto out;
	for (r = rtnl_dereference(n->routes); r && got <= want;
	     r = rtnl_dereference(r->next), got++) {
		for (c = 0; c < N_CONNS && f->c[c] != r->conn; c++)
			;
		KUNIT_EXPECT_LT(test, c, N_CONNS);
		KUNIT_EXPECT_PTR_EQ(test, r->node, n);
		k = policy ? r->priority : r->pref;
		KUNIT_EXPECT_GE(test, k, prev);
		if (!extra && c < N_CONNS)
			KUNIT_EXPECT_EQ(test, k, key[c]);
		prev = k;
	}
	KUNIT_EXPECT_EQ(test, got, want);
	if (!policy)
		KUNIT_EXPECT_PTR_EQ(test, rcu_access_pointer(n->solo),
				    want == 1 ? lone : NULL);
out:
	rtnl_unlock();
}

static void lp_one(struct kunit *test, bool policy)
{
	static const u8 perms[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	static const u32 moves[] = { 5, 15, 25, 35 };
	struct vpnrt_route_change ch;
	struct vpnrt_route_spec s;
	u32 key[N_CONNS] = {};
	unsigned int p, i, m;
	int c, err;

	/* inserted in every order; the route at each position deleted */
	for (p = 0; p < ARRAY_SIZE(perms); p++) {
		for (i = 0; i < 3; i++) {
			c = perms[p][i];
			KUNIT_EXPECT_EQ(test, lp_set(test, policy, c, 10 * (c + 1),
						     false), VPNRT_ROUTE_ADDED);
			key[c] = 10 * (c + 1);
			lp_check(test, policy, key, 0);
		}
		/* conn c is at position c */
		lp_del(test, policy, p % 3);
		key[p % 3] = 0;
		lp_check(test, policy, key, 0);
		for (i = 0; i < 3; i++) {
			c = perms[p][i];
			if (!key[c])
				continue;
			lp_del(test, policy, c);
			key[c] = 0;
			lp_check(test, policy, key, 0);
		}
	}

	/* the route at each position replaced, moving to each position */
	for (c = 0; c < 3; c++) {
		KUNIT_ASSERT_EQ(test, lp_set(test, policy, c, 10 * (c + 1), false),
				VPNRT_ROUTE_ADDED);
		key[c] = 10 * (c + 1);
	}
	for (c = 0; c < 3; c++) {
		for (m = 0; m < ARRAY_SIZE(moves); m++) {
			KUNIT_EXPECT_EQ(test, lp_set(test, policy, c, moves[m], true),
					VPNRT_ROUTE_REPLACED);
			key[c] = moves[m];
			lp_check(test, policy, key, 0);
			KUNIT_EXPECT_EQ(test, lp_set(test, policy, c, 10 * (c + 1),
						     true), VPNRT_ROUTE_REPLACED);
			key[c] = 10 * (c + 1);
			lp_check(test, policy, key, 0);
		}
		/* not committed: both in the list, in order; undone */
		for (m = 0; m < ARRAY_SIZE(moves); m++) {
			spec(test, policy ? VPNRT_PROTO_POLICY : VPNRT_PROTO_BGP,
			     "10.1.2.0/24", policy ? "1.0.0.0/8" : NULL, c, 100,
			     policy ? moves[m] : 0, policy ? 0 : moves[m], &s);
			rtnl_lock();
			err = vpnrt_route_set(&s, true, &ch, NULL);
			rtnl_unlock();
			KUNIT_ASSERT_EQ(test, err, 0);
			lp_check(test, policy, key, 1);
			rtnl_lock();
			vpnrt_route_set_undo(&ch);
			rtnl_unlock();
			lp_check(test, policy, key, 0);
		}
	}
	for (c = 0; c < 3; c++) {
		lp_del(test, policy, c);
		key[c] = 0;
		lp_check(test, policy, key, 0);
	}
}

/*
 * A node's routes, a singly linked list: inserted in every order, deleted
 * and replaced at every position (replacements moving to every position,
 * committed or undone), the list stays sorted, whole, pointing back to
 * its node, with the lone route's conn named; in both tries.
 */
static void route_list_positions(struct kunit *test)
{
	lp_one(test, false);
	lp_one(test, true);
}

/* ---- leaves turning into full nodes and back (leaf_grow_shrink) ---- */

struct lg_case {
	u16 family;
	const char *a, *b, *c;		/* a contains b contains c */
	const char *in_a, *in_b, *in_c;	/* in each, not in the next */
	const char *src, *any;
};

static int lg_add(struct kunit *test, const struct lg_case *lc, bool policy,
		  const char *dst, int conn, bool second)
{
	if (policy)
		return POLICY(dst, lc->any, conn, second ? 20 : 10, 100);
	return STATIC(dst, conn, second ? 0 : 100);
}

static void lg_del(struct kunit *test, const struct lg_case *lc, bool policy,
		   const char *dst, int conn)
{
	struct vpnrt_route *r;

	r = find(test, policy ? VPNRT_PROTO_POLICY : VPNRT_PROTO_STATIC, dst,
		 policy ? lc->any : NULL, conn);
	KUNIT_ASSERT_NOT_NULL(test, r);
	rtnl_lock();
	vpnrt_route_del(r);
	rtnl_unlock();
}

/* the node of @dst in the trie tested, under RTNL */
static struct vpnrt_node *lg_node(struct kunit *test, bool policy,
				  const char *dst)
{
	struct fixture *f = test->priv;
	struct vpnrt_table *t;
	union vpnrt_addr a;
	u16 fam;
	u8 len;

	parse_prefix(test, dst, &fam, &a, &len);
	t = vpnrt_table(f->gw, fam);
	return vpnrt_trie_find(t, policy ? &t->policy : &t->dst, &a, len);
}

static bool lg_leaf(struct kunit *test, bool policy, const char *dst)
{
	struct vpnrt_node *n;
	bool leaf;

	rtnl_lock();
	n = lg_node(test, policy, dst);
	leaf = n && !n->bits;
	KUNIT_EXPECT_NOT_NULL(test, n);
	rtnl_unlock();
	return leaf;
}

/*
 * the trie's shape and jump tables are right; the shape is walked without
 * RTNL (the test is the only writer), so that a failed assertion does not
 * leave it held
 */
static void lg_shape(struct kunit *test, const struct lg_case *lc, bool policy)
{
	struct fixture *f = test->priv;
	struct vpnrt_table *t = vpnrt_table(f->gw, lc->family);
	unsigned int count = 0, bad;

	rtnl_lock();
	bad = vpnrt_trie_jump_check(t);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, bad, 0u);
	check_node(test, rcu_dereference_protected(policy ? t->policy.root :
						   t->dst.root, 1),
		   NULL, &count);
}

/* the conn that the fast and the explaining lookups pick for @dst, or -1 */
static int lg_decide(struct kunit *test, const struct lg_case *lc,
		     const char *dst)
{
	struct fixture *f = test->priv;
	struct vpnrt_flow fl = { .proto = IPPROTO_UDP };
	struct vpnrt_decision d;
	struct vpnrt_path fast;
	union vpnrt_addr a;
	int c = -1;
	bool ok;
	u8 len;

	parse_prefix(test, dst, &fl.family, &fl.dst, &len);
	parse_prefix(test, lc->src, &fl.family, &a, &len);
	fl.src = a;
	rcu_read_lock();
	fast = vpnrt_lookup(f->gw, &fl, NULL);
	ok = vpnrt_lookup_explain(f->gw, &fl, 0, &d);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, fast.conn, ok ? d.conn : NULL);
	while (ok && ++c < N_CONNS && f->c[c] != fast.conn)
		;
	return c;
}

static void lg_one(struct kunit *test, const struct lg_case *lc, bool policy)
{
	struct vpnrt_node *old;

	KUNIT_ASSERT_EQ(test, lg_add(test, lc, policy, lc->a, 0, false), 0);
	KUNIT_EXPECT_TRUE(test, lg_leaf(test, policy, lc->a));
	lg_shape(test, lc, policy);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_b), 0);

	/* the leaf gets a child: a full node takes its place */
	rtnl_lock();
	old = lg_node(test, policy, lc->a);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, lg_add(test, lc, policy, lc->b, 1, false), 0);
	KUNIT_ASSERT_EQ(test, lg_add(test, lc, policy, lc->b, 3, true), 0);
	KUNIT_EXPECT_FALSE(test, lg_leaf(test, policy, lc->a));
	KUNIT_EXPECT_TRUE(test, lg_leaf(test, policy, lc->b));
	rtnl_lock();
	KUNIT_EXPECT_PTR_NE(test, lg_node(test, policy, lc->a), old);
	rtnl_unlock();
	lg_shape(test, lc, policy);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_a), 0);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_b), 1);

	/* a leaf with two routes gets a child */
	KUNIT_ASSERT_EQ(test, lg_add(test, lc, policy, lc->c, 2, false), 0);
	KUNIT_EXPECT_FALSE(test, lg_leaf(test, policy, lc->b));
	KUNIT_EXPECT_TRUE(test, lg_leaf(test, policy, lc->c));
	lg_shape(test, lc, policy);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_b), 1);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_c), 2);

	/* and back: a prefix without children is a leaf again */
	lg_del(test, lc, policy, lc->c, 2);
	KUNIT_EXPECT_TRUE(test, lg_leaf(test, policy, lc->b));
	lg_shape(test, lc, policy);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_c), 1);
	lg_del(test, lc, policy, lc->b, 1);
	lg_del(test, lc, policy, lc->b, 3);
	KUNIT_EXPECT_TRUE(test, lg_leaf(test, policy, lc->a));
	lg_shape(test, lc, policy);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_c), 0);

	/* the parent goes: the leaf moves up */
	KUNIT_ASSERT_EQ(test, lg_add(test, lc, policy, lc->b, 1, false), 0);
	lg_del(test, lc, policy, lc->a, 0);
	KUNIT_EXPECT_TRUE(test, lg_leaf(test, policy, lc->b));
	lg_shape(test, lc, policy);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_a), -1);
	KUNIT_EXPECT_EQ(test, lg_decide(test, lc, lc->in_c), 1);
	lg_del(test, lc, policy, lc->b, 1);
	lg_shape(test, lc, policy);
}

/*
 * A prefix without children is a leaf, allocated without child pointers;
 * one that gets a child is replaced by a full node and becomes a leaf
 * again when it loses the last (its routes, parent, jump slot or
 * sub-slot follow), in both families and both tries, IPv4 under a jump
 * table of 16 bits whose slot takes and loses a sub-table. check_node()
 * and KASAN (a leaf ends where its child pointers would begin) watch
 * every step; trie_churn does it at random.
 */
static void leaf_grow_shrink(struct kunit *test)
{
	static const struct lg_case cases[] = {
		{ AF_INET, "10.1.0.0/16", "10.1.16.0/20", "10.1.16.0/24",
		  "10.1.200.1", "10.1.17.1", "10.1.16.5", "1.1.1.1", "0.0.0.0/0" },
		{ AF_INET6, "2001:db8:1::/48", "2001:db8:1:1000::/52",
		  "2001:db8:1:1000::/56", "2001:db8:1:8000::1",
		  "2001:db8:1:1f00::1", "2001:db8:1:1000::1", "2001:db8:ff::1",
		  "::/0" },
	};
	struct fixture *f = test->priv;
	unsigned int i, p;
	char buf[32];

	/* enough /32s (leaves) for jump tables of 16 bits in both tries */
	for (i = 0; i < 150; i++) {
		snprintf(buf, sizeof(buf), "192.168.%u.%u/32", i / 100, i % 100);
		KUNIT_ASSERT_EQ(test, STATIC(buf, 3, 100), 0);
		KUNIT_ASSERT_EQ(test, POLICY(buf, "0.0.0.0/0", 3, 10, 100), 0);
		KUNIT_EXPECT_TRUE(test, lg_leaf(test, false, buf));
	}
	KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(f->gw->v4.dst.jump));
	KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(f->gw->v4.policy.jump));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		for (p = 0; p < 2; p++)
			lg_one(test, &cases[i], p);
}

/* the kind of @dst's node: its bits, -1 for none */
static int st_bits(struct kunit *test, const char *dst)
{
	struct vpnrt_node *n;
	int bits;

	rtnl_lock();
	n = lg_node(test, false, dst);
	bits = n ? n->bits : -1;
	rtnl_unlock();
	return bits;
}

/* the conns the lookups pick for 10.1.@third.5, @third from 16 */
static void st_expect(struct kunit *test, const struct lg_case *lc,
		      const int *want, unsigned int n)
{
	unsigned int i;
	char buf[32];

	lg_shape(test, lc, false);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "10.1.%u.5", 16 + i);
		KUNIT_EXPECT_EQ_MSG(test, lg_decide(test, lc, buf), want[i],
				    "10.1.%u.5", 16 + i);
	}
}

static void st_one(struct kunit *test, const struct lg_case *lc)
{
	static const int two[] = { 0, 1, -1, -1 };
	static const int three[] = { 0, 1, -1, -1, -1, -1, -1, -1,
				     -1, -1, -1, -1, -1, -1, -1, 2 };
	static const int four[] = { 0, 1, -1, -1, -1, -1, -1, -1,
				    3, -1, -1, -1, -1, -1, -1, 2 };
	static const int p20[] = { 0, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2 };
	static const int p22[] = { 0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2 };
	struct vpnrt_node *s;

	BUILD_BUG_ON(VPNRT_STRIDE_MIN != 4);
	/* three /24s of one /20: binary nodes, the fourth a stride node */
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/24", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.17.0/24", 1, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), -1);
	st_expect(test, lc, two, ARRAY_SIZE(two));
	KUNIT_ASSERT_EQ(test, STATIC("10.1.31.0/24", 2, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), 1);
	st_expect(test, lc, three, ARRAY_SIZE(three));
	KUNIT_ASSERT_EQ(test, STATIC("10.1.24.0/25", 3, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), VPNRT_STRIDE_BITS);
	st_expect(test, lc, four, ARRAY_SIZE(four));
	/* the /20 itself: the stride node takes it */
	rtnl_lock();
	s = lg_node(test, false, "10.1.16.0/20");
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/20", 3, 100), 0);
	rtnl_lock();
	KUNIT_EXPECT_PTR_EQ(test, lg_node(test, false, "10.1.16.0/20"), s);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), VPNRT_STRIDE_BITS);
	st_expect(test, lc, p20, ARRAY_SIZE(p20));

	/* a /22 between it and its /24s: binary nodes take its place */
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/22", 2, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), 1);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/22"), 1);
	st_expect(test, lc, p22, ARRAY_SIZE(p22));
	lg_del(test, lc, false, "10.1.16.0/22", 2);
	st_expect(test, lc, p20, ARRAY_SIZE(p20));
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), 1);
	/* the next /24 makes it a stride node again */
	KUNIT_ASSERT_EQ(test, STATIC("10.1.18.0/24", 3, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), VPNRT_STRIDE_BITS);
	st_expect(test, lc, p20, ARRAY_SIZE(p20));
	/* it stays down to two children, without the /20's routes */
	lg_del(test, lc, false, "10.1.18.0/24", 3);
	lg_del(test, lc, false, "10.1.24.0/25", 3);
	lg_del(test, lc, false, "10.1.31.0/24", 2);
	lg_del(test, lc, false, "10.1.16.0/20", 3);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), VPNRT_STRIDE_BITS);
	st_expect(test, lc, two, ARRAY_SIZE(two));
	/* down to one: it goes, the /24 moves up */
	lg_del(test, lc, false, "10.1.16.0/24", 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), -1);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.17.0/24"), 0);
	st_expect(test, lc, (const int[]){ -1, 1 }, 2);

	/*
	 * a /20 that came before its /24s, under a branch point of /21
	 * first: a stride node from the fourth, split by a /21
	 */
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/24", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/20", 3, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), 1);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.31.0/24", 2, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), 1);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.24.0/25", 3, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), VPNRT_STRIDE_BITS);
	st_expect(test, lc, p20, ARRAY_SIZE(p20));
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/21", 3, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), 1);
	st_expect(test, lc, p20, ARRAY_SIZE(p20));
	lg_del(test, lc, false, "10.1.16.0/21", 3);
	lg_del(test, lc, false, "10.1.16.0/20", 3);
	lg_del(test, lc, false, "10.1.24.0/25", 3);
	lg_del(test, lc, false, "10.1.31.0/24", 2);
	lg_del(test, lc, false, "10.1.16.0/24", 0);

	/* four /24s of one /22: the stride node replaces its branch points */
	KUNIT_ASSERT_EQ(test, STATIC("10.1.18.0/24", 2, 100), 0);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.19.0/24", 3, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/22"), 1);
	KUNIT_ASSERT_EQ(test, STATIC("10.1.16.0/24", 0, 100), 0);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/20"), VPNRT_STRIDE_BITS);
	KUNIT_EXPECT_EQ(test, st_bits(test, "10.1.16.0/22"), -1);
	st_expect(test, lc, (const int[]){ 0, 1, 2, 3, -1 }, 5);
	lg_del(test, lc, false, "10.1.16.0/24", 0);
	lg_del(test, lc, false, "10.1.18.0/24", 2);
	lg_del(test, lc, false, "10.1.19.0/24", 3);
	lg_del(test, lc, false, "10.1.17.0/24", 1);
	lg_shape(test, lc, false);
}

/*
 * The /24s and longer of a /20 in an IPv4 destination trie share a
 * stride node at the /20 from the fourth /24 on, which the /20 itself may
 * be; a prefix between them splits it into binary nodes, and the next
 * /24 makes it again; it goes when it is down to one child.
 * Without a jump table and under one of 16 bits (the node then a
 * sub-slot's); check_node() and vpnrt_trie_jump_check() at every step,
 * lookups fast and explained.
 */
static void stride_nodes(struct kunit *test)
{
	static const struct lg_case lc = {
		.family = AF_INET, .src = "192.0.2.1", .any = "0.0.0.0/0",
	};
	struct fixture *f = test->priv;
	unsigned int i;
	char buf[32];

	st_one(test, &lc);
	for (i = 0; i < 150; i++) {
		snprintf(buf, sizeof(buf), "192.168.%u.%u/32", i / 100, i % 100);
		KUNIT_ASSERT_EQ(test, STATIC(buf, 3, 100), 0);
	}
	KUNIT_ASSERT_NOT_NULL(test, rcu_access_pointer(f->gw->v4.dst.jump));
	st_one(test, &lc);
}

/* a replace done by another thread while the test walks a route list */
struct walker {
	struct vpnrt_route_spec s;
	struct completion go, done;
	atomic_t stage;			/* 1: new route linked, 2: committed */
	int err;
};

static int replace_thread(void *arg)
{
	struct walker *w = arg;
	struct vpnrt_route_change ch;

	wait_for_completion(&w->go);
	rtnl_lock();
	w->err = vpnrt_route_set(&w->s, true, &ch, NULL);
	atomic_set(&w->stage, 1);
	if (!w->err)
		vpnrt_route_set_commit(&ch, 1);
	rtnl_unlock();
	atomic_set(&w->stage, 2);
	complete(&w->done);
	return 0;
}

/*
 * RCU: a reader inside a prefix's route list while a replacement goes in
 * ahead of it still finds the route (the old one): the old one is not
 * unlinked before every reader that could have missed the new one is
 * done. The reader stops behind the first route (c1) and waits, in its
 * read-side section, for the other thread to link the new c0 route in
 * front; then it reads on.
 */
static void replace_seen_by_reader(struct kunit *test)
{
	struct fixture *f = test->priv;
	const struct vpnrt_route *r;
	struct task_struct *t;
	struct vpnrt_node *n;
	struct walker *w;
	bool seen = false;
	int stage, cpu, other;
	u8 len;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, BGP("10.0.0.0/8", 1, 10), 0);
	KUNIT_ASSERT_EQ(test, BGP("10.0.0.0/8", 2, 20), 0);
	KUNIT_ASSERT_EQ(test, BGP("10.0.0.0/8", 3, 30), 0);
	KUNIT_ASSERT_EQ(test, BGP("10.0.0.0/8", 0, 40), 0);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	spec(test, VPNRT_PROTO_BGP, "10.0.0.0/8", NULL, 0, 100, 0, 5, &w->s);
	init_completion(&w->go);
	init_completion(&w->done);
	rtnl_lock();
	n = vpnrt_trie_find(&f->gw->v4, &f->gw->v4.dst, &w->s.dst, 8);
	rtnl_unlock();
	KUNIT_ASSERT_NOT_NULL(test, n);
	len = 0;

	/* the writer on another CPU than ours, which we keep */
	migrate_disable();
	cpu = smp_processor_id();
	other = cpumask_any_but(cpu_online_mask, cpu);
	t = kthread_create(replace_thread, w, "vpnrt-kunit-replace");
	if (IS_ERR(t)) {
		migrate_enable();
		KUNIT_FAIL(test, "no thread");
		return;
	}
	kthread_bind(t, other);
	wake_up_process(t);
	rcu_read_lock();
	r = rcu_dereference(n->routes);
	if (r && r->conn == f->c[0])
		seen = true;
	complete(&w->go);
	for (stage = 0; stage < 10000 && !atomic_read(&w->stage); stage++)
		mdelay(1);
	/* a writer that does not wait for us unlinks the old route now */
	mdelay(100);
	for (; r; r = rcu_dereference(r->next), len++)
		if (r->conn == f->c[0])
			seen = true;
	stage = atomic_read(&w->stage);
	rcu_read_unlock();
	migrate_enable();
	wait_for_completion(&w->done);
	KUNIT_EXPECT_EQ(test, w->err, 0);
	KUNIT_EXPECT_EQ_MSG(test, stage, 1,
			    "the writer must wait for the reader before unlinking");
	KUNIT_EXPECT_TRUE_MSG(test, seen, "the reader saw %u routes, none of c0",
			      len);
	EXPECT_DECISION("1.1.1.1", "10.0.0.1", 0, VPNRT_REASON_PREF);
}

static u32 mark(struct kunit *test, int conn, u8 proto)
{
	struct fixture *f = test->priv;
	struct vpnrt_stale_scope sc = {
		.gw = f->gw,
		.conn = conn < 0 ? NULL : f->c[conn],
		.proto = proto,
	};
	u32 n = 0;

	rtnl_lock();
	KUNIT_EXPECT_EQ(test, vpnrt_stale_mark(&sc, 0, &n), 0);
	rtnl_unlock();
	return n;
}

static u32 sweep(struct kunit *test, int conn, u8 proto)
{
	struct fixture *f = test->priv;
	struct vpnrt_stale_scope sc = {
		.gw = f->gw,
		.conn = conn < 0 ? NULL : f->c[conn],
		.proto = proto,
	};
	struct sk_buff_head q;
	u32 n = 0;

	__skb_queue_head_init(&q);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, vpnrt_stale_sweep(&sc, &n, &q), 0);
	rtnl_unlock();
	__skb_queue_purge(&q);
	return n;
}

static bool stale(struct kunit *test, u8 proto, const char *dst, int conn)
{
	struct vpnrt_route *r = find(test, proto, dst, NULL, conn);

	return r && r->stale;
}

/*
 * Stale marks by scope (conn, proto), never on flow protection's route;
 * stale routes forward; an add of a stale route refreshes it (the same
 * values: the same route, unmarked; others: replaced); a sweep deletes
 * only what is still stale in its scope, and counts.
 */
static void stale_mark_refresh_sweep(struct kunit *test)
{
	struct fixture *f = test->priv;
	struct vpnrt_route_spec s;
	struct vpnrt_route *r;
	int err;

	KUNIT_ASSERT_EQ(test, STATIC("10.0.0.0/8", 0, 100), 0);
	KUNIT_ASSERT_EQ(test, BGP("20.0.0.0/8", 0, 5), 0);
	KUNIT_ASSERT_EQ(test, BGP("21.0.0.0/8", 0, 5), 0);
	KUNIT_ASSERT_EQ(test, BGP("20.0.0.0/8", 1, 7), 0);
	KUNIT_ASSERT_EQ(test, POLICY("30.0.0.0/8", "1.0.0.0/8", 0, 10, 100), 0);
	spec(test, VPNRT_PROTO_STATIC, "40.0.0.0/8", NULL, 1, 100, 10, 0, &s);
	s.flags = VPNRT_ROUTE_F_FLOW;
	rtnl_lock();
	err = vpnrt_route_add(&s, NULL, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_EXPECT_EQ(test, mark(test, 0, VPNRT_PROTO_BGP), 2u);
	KUNIT_EXPECT_TRUE(test, stale(test, VPNRT_PROTO_BGP, "20.0.0.0/8", 0));
	KUNIT_EXPECT_TRUE(test, stale(test, VPNRT_PROTO_BGP, "21.0.0.0/8", 0));
	KUNIT_EXPECT_FALSE(test, stale(test, VPNRT_PROTO_BGP, "20.0.0.0/8", 1));
	KUNIT_EXPECT_FALSE(test, stale(test, VPNRT_PROTO_STATIC, "10.0.0.0/8", 0));
	KUNIT_EXPECT_EQ(test, mark(test, -1, VPNRT_PROTO_BGP), 3u);
	KUNIT_EXPECT_TRUE(test, stale(test, VPNRT_PROTO_BGP, "20.0.0.0/8", 1));
	/* stale routes forward as before */
	EXPECT_DECISION("1.1.1.1", "20.0.0.1", 0, VPNRT_REASON_PREF);

	/* refresh: an add of the same route, without replace */
	r = find(test, VPNRT_PROTO_BGP, "20.0.0.0/8", NULL, 0);
	KUNIT_EXPECT_EQ(test, ADD_BGP("20.0.0.0/8", 0, 5), VPNRT_ROUTE_REFRESHED);
	KUNIT_EXPECT_PTR_EQ(test, find(test, VPNRT_PROTO_BGP, "20.0.0.0/8", NULL, 0), r);
	KUNIT_EXPECT_FALSE(test, stale(test, VPNRT_PROTO_BGP, "20.0.0.0/8", 0));
	/* fresh now: an add is "exists" again */
	KUNIT_EXPECT_EQ(test, ADD_BGP("20.0.0.0/8", 0, 5), -EEXIST);
	/* a stale route added with other values takes them */
	KUNIT_EXPECT_EQ(test, ADD_BGP("21.0.0.0/8", 0, 9), VPNRT_ROUTE_REPLACED);
	r = find(test, VPNRT_PROTO_BGP, "21.0.0.0/8", NULL, 0);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->pref, 9u);
	KUNIT_EXPECT_EQ(test, r->stale, 0);
	/* a static route not stale: exists */
	KUNIT_EXPECT_EQ(test, set_route(test, VPNRT_PROTO_STATIC, "10.0.0.0/8",
					NULL, 0, 100, 0, 0, false), -EEXIST);

	/* sweep: only what is still stale, in scope */
	KUNIT_EXPECT_EQ(test, sweep(test, 0, VPNRT_PROTO_BGP), 0u);
	KUNIT_EXPECT_EQ(test, sweep(test, -1, VPNRT_PROTO_BGP), 1u);
	KUNIT_EXPECT_NULL(test, find(test, VPNRT_PROTO_BGP, "20.0.0.0/8", NULL, 1));
	KUNIT_EXPECT_EQ(test, f->gw->n_bgp, 2u);
	KUNIT_EXPECT_EQ(test, f->c[1]->n_bgp, 0u);
	EXPECT_DECISION("1.1.1.1", "20.0.0.1", 0, VPNRT_REASON_PREFIX);

	/* every proto; flow protection's route never */
	KUNIT_EXPECT_EQ(test, mark(test, -1, 0), 4u);
	KUNIT_EXPECT_FALSE(test, stale(test, VPNRT_PROTO_STATIC, "40.0.0.0/8", 1));
	KUNIT_EXPECT_EQ(test, sweep(test, 1, 0), 0u);
	KUNIT_EXPECT_EQ(test, sweep(test, 0, VPNRT_PROTO_STATIC), 1u);
	KUNIT_EXPECT_EQ(test, sweep(test, -1, 0), 3u);
	KUNIT_EXPECT_EQ(test, f->gw->n_static + f->gw->n_bgp + f->gw->n_policy, 1u);
	KUNIT_EXPECT_NOT_NULL(test, find(test, VPNRT_PROTO_STATIC, "40.0.0.0/8", NULL, 1));
	KUNIT_EXPECT_EQ(test, f->gw->v4.n_nodes, 1u);
}

static struct kunit_case vpnrt_lookup_cases[] = {
	KUNIT_CASE(rule_longest_prefix),
	KUNIT_CASE(rule_static_beats_bgp),
	KUNIT_CASE(rule_weight_then_pref),
	KUNIT_CASE(rule_ecmp),
	KUNIT_CASE(rule_max_paths),
	KUNIT_CASE(ecmp_resilient),
	KUNIT_CASE(rule_policy_first),
	KUNIT_CASE(usability_and_failover),
	KUNIT_CASE(all_down_fallback),
	KUNIT_CASE(tunnels_active_standby_and_ecmp),
	KUNIT_CASE(tunnel_ike_per_tunnel),
	KUNIT_CASE(ipv6_rules),
	KUNIT_CASE(quotas_and_duplicates),
	KUNIT_CASE(random_vs_reference),
	KUNIT_CASE(jump_table_agrees),
	KUNIT_CASE(jump_table_automatic),
	KUNIT_CASE(policy_index),
	KUNIT_CASE(solo_route_by_conn),
	KUNIT_CASE(trie_shape),
	KUNIT_CASE(trie_churn),
	KUNIT_CASE(replace_values),
	KUNIT_CASE(replace_undo_and_chain),
	KUNIT_CASE(route_list_positions),
	KUNIT_CASE(leaf_grow_shrink),
	KUNIT_CASE(stride_nodes),
	KUNIT_CASE(replace_seen_by_reader),
	KUNIT_CASE(stale_mark_refresh_sweep),
	{}
};

static struct kunit_suite vpnrt_lookup_suite = {
	.name = "vpnrt_lookup",
	.init = fx_init,
	.exit = fx_exit,
	.test_cases = vpnrt_lookup_cases,
};

kunit_test_suite(vpnrt_lookup_suite);
