// SPDX-License-Identifier: GPL-2.0
/*
 * The decision procedure: one implementation of the priority rules, used
 * by the transmit path for every packet and by ROUTE_LOOKUP to explain.
 *
 *   1. matching policy routes first, smallest priority number first;
 *   2. else the longest destination prefix with a usable route;
 *   3. at one prefix, static routes before BGP routes;
 *   4. then higher weight, then lower BGP preference;
 *   5. what is still equal shares the flows by hash, up to max-paths.
 *
 * Usability is read from the connection and its tunnels; no route is ever
 * rewritten when a connection fails, so failover costs one flag flip. If
 * nothing is usable, the all-down rule sends the flow along the best
 * matching route whose connection is administratively up and still has a
 * tunnel device, so a false health alarm never blackholes a lone path.
 *
 * Called under rcu_read_lock().
 */
#include <linux/rculist.h>
#include <linux/siphash.h>

#include "trie.h"

u32 vpnrt_flow_hash(const struct vpnrt_gw *gw, const struct vpnrt_flow *fl)
{
	struct {
		union vpnrt_addr src, dst;
		__be16 sport, dport;
		u8 proto, family;
	} __aligned(SIPHASH_ALIGNMENT) k;

	memset(&k, 0, sizeof(k));
	k.src = fl->src;
	k.dst = fl->dst;
	k.family = fl->family == AF_INET6;
	if (READ_ONCE(gw->ecmp_hash) == VPNRT_HASH_L4) {
		k.proto = fl->proto;
		k.sport = fl->sport;
		k.dport = fl->dport;
	}
	return (u32)siphash(&k, sizeof(k), &gw->hash_key);
}

static const struct vpnrt_route *next_route(const struct vpnrt_route *r)
{
	return hlist_entry_safe(rcu_dereference(hlist_next_rcu(&r->link)),
				struct vpnrt_route, link);
}

static const struct vpnrt_route *first_route(const struct hlist_head *h)
{
	return hlist_entry_safe(rcu_dereference(hlist_first_rcu(h)),
				struct vpnrt_route, link);
}

/*
 * Usable tunnels of @c, in order: tunnel 1 alone while it is usable in
 * active-standby mode, every usable one in ECMP mode.
 */
static unsigned int conn_paths(const struct vpnrt_conn *c, u8 *idx,
			       unsigned int room)
{
	unsigned int i, n = 0;

	if (!vpnrt_conn_usable(c))
		return 0;
	for (i = 0; i < c->n_tunnels && n < room; i++) {
		if (!vpnrt_tunnel_usable(&c->tun[i]))
			continue;
		idx[n++] = i;
		if (c->mode == VPNRT_MODE_ACTIVE_STANDBY)
			break;
	}
	return n;
}

static unsigned int route_paths(const struct vpnrt_route *r, u8 *idx,
				unsigned int room)
{
	return conn_paths(r->conn, idx, room);
}

typedef bool (*same_tier_fn)(const struct vpnrt_route *a,
			     const struct vpnrt_route *b);

static bool same_rank(const struct vpnrt_route *a, const struct vpnrt_route *b)
{
	return !vpnrt_route_cmp_rank(a, b);
}

static bool same_policy(const struct vpnrt_route *a, const struct vpnrt_route *b)
{
	const struct vpnrt_proute *pa = container_of(a, struct vpnrt_proute, r);
	const struct vpnrt_proute *pb = container_of(b, struct vpnrt_proute, r);

	return a->priority == b->priority && a->weight == b->weight &&
	       pa->dst_len == pb->dst_len && pa->src_len == pb->src_len &&
	       !memcmp(&pa->dst, &pb->dst, sizeof(pa->dst)) &&
	       !memcmp(&pa->src, &pb->src, sizeof(pa->src));
}

/* a tier: routes of equal rank, from @first up to (not including) @end */
struct tier {
	const struct vpnrt_route *first, *end;
	unsigned int n_routes, n_paths;
	const struct vpnrt_route *r0;	/* the first usable route, */
	u8 t0;				/* its first usable tunnel */
};

/*
 * Measure the tier starting at @first, counting its usable paths, and
 * note the first one: with a single path (the common case) the choice is
 * made here, without a second pass.
 */
static void tier_scan(const struct vpnrt_route *first, same_tier_fn same,
		      unsigned int max_paths, struct tier *t)
{
	const struct vpnrt_route *r = first;
	u8 idx[VPNRT_MAX_TUNNELS];
	unsigned int n;

	t->first = first;
	t->n_routes = 0;
	t->n_paths = 0;
	do {
		t->n_routes++;
		if (t->n_paths < max_paths) {
			n = route_paths(r, idx, max_paths - t->n_paths);
			if (n && !t->n_paths) {
				t->r0 = r;
				t->t0 = idx[0];
			}
			t->n_paths += n;
		}
		r = next_route(r);
	} while (r && same(first, r));
	t->end = r;
}

/*
 * Path number @k of tier @t, by the order route_paths() gives. If paths
 * went down since the tier was measured and there is no path @k any
 * more, the first one measured stands.
 */
static void tier_pick(const struct tier *t, unsigned int k,
		      struct vpnrt_decision *d)
{
	const struct vpnrt_route *r;
	u8 idx[VPNRT_MAX_TUNNELS];
	unsigned int n;

	d->route = t->r0;
	d->conn = t->r0->conn;
	d->tunnel = t->t0;
	for (r = t->first; r != t->end; r = next_route(r)) {
		n = route_paths(r, idx, VPNRT_MAX_TUNNELS);
		if (k < n) {
			d->route = r;
			d->conn = r->conn;
			d->tunnel = idx[k];
			return;
		}
		k -= n;
	}
}

/* which of @n equal paths the flow takes: by *@hash if given, else its own */
static u32 flow_pick(const struct vpnrt_gw *gw, const struct vpnrt_flow *fl,
		     const u32 *hash, unsigned int n)
{
	return reciprocal_scale(hash ? *hash : vpnrt_flow_hash(gw, fl), n);
}

/*
 * The path of tier @t for the flow: the only one, or one picked by the
 * flow hash; a single path (the common case) needs no hash.
 */
static void choose(const struct tier *t, const struct vpnrt_gw *gw,
		   const struct vpnrt_flow *fl, const u32 *hash,
		   struct vpnrt_decision *d)
{
	d->n_paths = t->n_paths;
	if (t->n_paths == 1) {
		d->route = t->r0;
		d->conn = t->r0->conn;
		d->tunnel = t->t0;
		return;
	}
	tier_pick(t, flow_pick(gw, fl, hash, t->n_paths), d);
}

/*
 * The first tier of @first's list that can carry traffic. Routes of the
 * tiers passed over are added to @skipped.
 */
static bool best_tier(const struct vpnrt_route *first, same_tier_fn same,
		      unsigned int max_paths, struct tier *t, u32 *skipped)
{
	u32 passed = 0;

	while (first) {
		tier_scan(first, same, max_paths, t);
		if (t->n_paths) {
			*skipped += passed;
			return true;
		}
		passed += t->n_routes;
		first = t->end;
	}
	*skipped += passed;
	return false;
}

static bool policy_matches(const struct vpnrt_route *r,
			   const struct vpnrt_flow *fl)
{
	const struct vpnrt_proute *p = container_of(r, struct vpnrt_proute, r);

	return vpnrt_prefix_match(fl->family, &p->dst, p->dst_len, &fl->dst) &&
	       vpnrt_prefix_match(fl->family, &p->src, p->src_len, &fl->src);
}

/* why the tier of @t won at its prefix, against the next tier there */
static u8 rank_reason(const struct tier *t)
{
	const struct vpnrt_route *a = t->first, *b = t->end;

	if (!b)
		return VPNRT_REASON_PREFIX;
	if (a->proto != b->proto)
		return VPNRT_REASON_STATIC;
	if (a->weight != b->weight)
		return VPNRT_REASON_WEIGHT;
	return VPNRT_REASON_PREF;
}

/*
 * The all-down rule: the best-ranked route of @first's list (of those
 * matching @policy_fl, for policy routes) whose connection is
 * administratively up and has a tunnel device left.
 */
static bool fallback(const struct vpnrt_route *first,
		     const struct vpnrt_flow *policy_fl, struct vpnrt_decision *d)
{
	const struct vpnrt_route *r;
	unsigned int i;

	for (r = first; r; r = next_route(r)) {
		struct vpnrt_conn *c = r->conn;

		if (policy_fl && !policy_matches(r, policy_fl))
			continue;
		if (READ_ONCE(c->down) & VPNRT_DOWN_ADMIN)
			continue;
		for (i = 0; i < c->n_tunnels; i++) {
			if (READ_ONCE(c->tun[i].down) & VPNRT_DOWN_NO_DEVICE)
				continue;
			d->route = r;
			d->conn = c;
			d->tunnel = i;
			d->fallback = true;
			d->n_paths = 1;
			d->reason = VPNRT_REASON_FALLBACK;
			return true;
		}
	}
	return false;
}

/* what a walk down the trie found */
struct walk {
	const struct vpnrt_node *deepest;	/* deepest prefix with routes */
	const struct vpnrt_node *best;		/* deepest usable prefix */
	struct vpnrt_conn *solo;		/* best's lone route's conn, if
						 * judged by it (@fast)
						 */
	u32 deeper;				/* routes below best, unusable */
};

/*
 * A prefix on the walk: the deepest yet if it has routes, the deepest
 * usable one if one of them can carry. The transmit path (@fast) takes a
 * prefix with one route by its connection.
 */
static __always_inline void walk_visit(const struct vpnrt_node *n, bool fast,
				       struct walk *w)
{
	const struct vpnrt_route *r;
	struct vpnrt_conn *c;
	u32 count;

	if (fast) {
		c = rcu_dereference(n->solo);
		if (c) {
			w->deepest = n;
			if (vpnrt_conn_carries(c)) {
				w->best = n;
				w->solo = c;
				w->deeper = 0;
			} else {
				w->deeper++;
			}
			return;
		}
	}
	r = first_route(&n->routes);
	if (!r)
		return;
	w->deepest = n;
	for (count = 0; r; r = next_route(r), count++) {
		if (vpnrt_conn_carries(r->conn)) {
			w->best = n;
			w->solo = NULL;
			w->deeper = 0;
			return;
		}
	}
	w->deeper += count;
}

/*
 * Rules 2-5 start here: walk down from @n, noting the deepest usable
 * prefix. IPv4 has a loop of its own on the address in host order: one
 * shift and compare per node instead of the generic 128-bit match.
 */
static __always_inline void trie_walk(const struct vpnrt_node *n,
				      const struct vpnrt_flow *fl, bool fast,
				      struct walk *w)
{
	w->deepest = NULL;
	w->best = NULL;
	w->solo = NULL;
	w->deeper = 0;
	if (fl->family == AF_INET) {
		u32 a = ntohl(fl->dst.ip);

		while (n) {
			unsigned int cidr = n->cidr;

			if (cidr && (ntohl(n->key.ip) ^ a) >> (32 - cidr))
				break;
			walk_visit(n, fast, w);
			if (cidr >= 32)
				break;
			n = rcu_dereference(n->child[(a >> (31 - cidr)) & 1]);
		}
		return;
	}
	while (n && vpnrt_node_matches(n, &fl->dst)) {
		walk_visit(n, fast, w);
		if (n->cidr >= 128)
			break;
		n = rcu_dereference(n->child[vpnrt_key_bit(&fl->dst, n->cidr)]);
	}
}

/*
 * Where an IPv4 walk may start: the jump table's node for the first 16
 * or 20 bits. A usable prefix found from there is deeper than any above
 * it, so it is the answer; if none is, the walk is redone from the root,
 * where the less specific prefixes and the all-down rule's candidates
 * are.
 */
static const struct vpnrt_node *jump_start(const struct vpnrt_table *t,
					   const struct vpnrt_flow *fl)
{
	const struct vpnrt_jump *jt;

	if (fl->family != AF_INET)
		return NULL;
	jt = rcu_dereference(t->jump);
	if (!jt)
		return NULL;
	return rcu_dereference(jt->slot[ntohl(fl->dst.ip) >> (32 - jt->bits)]);
}

/*
 * The transmit path's choice at a prefix whose only route goes over @c:
 * its usable tunnels, hashed over if there are several.
 */
static __always_inline bool choose_solo(struct vpnrt_conn *c,
					const struct vpnrt_gw *gw,
					const struct vpnrt_flow *fl,
					const u32 *hash, unsigned int max_paths,
					struct vpnrt_decision *d)
{
	u8 idx[VPNRT_MAX_TUNNELS];
	unsigned int n = conn_paths(c, idx, max_paths), k = 0;

	if (!n)
		return false;
	if (n > 1)
		k = flow_pick(gw, fl, hash, n);
	d->conn = c;
	d->tunnel = idx[k];
	d->n_paths = n;
	return true;
}

bool vpnrt_decide(const struct vpnrt_gw *gw, const struct vpnrt_flow *fl,
		  const u32 *hash, bool explain, struct vpnrt_decision *d)
{
	const struct vpnrt_table *t = fl->family == AF_INET6 ? &gw->v6 : &gw->v4;
	unsigned int max_paths = READ_ONCE(gw->max_paths);
	const struct vpnrt_route *r, *fb_policy = NULL;
	const struct vpnrt_node *n;
	struct walk w;
	u32 skipped = 0;

	memset(d, 0, sizeof(*d));

	/* rule 1: policy routes, in priority order */
	for (r = first_route(&t->policy); r; ) {
		struct tier tier;

		if (!policy_matches(r, fl)) {
			r = next_route(r);
			continue;
		}
		tier_scan(r, same_policy, max_paths, &tier);
		if (!fb_policy)
			fb_policy = r;
		if (tier.n_paths) {
			choose(&tier, gw, fl, hash, d);
			d->skipped = skipped;
			if (explain)
				d->reason = d->n_paths > 1 ? VPNRT_REASON_ECMP :
					    skipped ? VPNRT_REASON_FAILOVER :
					    VPNRT_REASON_POLICY;
			return true;
		}
		skipped += tier.n_routes;
		r = tier.end;
	}

	/* rules 2-5: the deepest usable prefix, then its best tier */
	if (explain) {
		trie_walk(rcu_dereference(t->root), fl, false, &w);
	} else {
		n = jump_start(t, fl);
		w.best = NULL;
		if (n)
			trie_walk(n, fl, true, &w);
		if (!w.best)
			trie_walk(rcu_dereference(t->root), fl, true, &w);
	}
	if (w.best) {
		struct tier tier;
		u32 here = 0;

		if (w.solo) {
			if (choose_solo(w.solo, gw, fl, hash, max_paths, d))
				return true;
		} else if (best_tier(first_route(&w.best->routes), same_rank,
				     max_paths, &tier, &here)) {
			choose(&tier, gw, fl, hash, d);
			if (!explain)
				return true;
			d->skipped = skipped + here + w.deeper;
			d->reason = d->n_paths > 1 ? VPNRT_REASON_ECMP :
				    d->skipped ? VPNRT_REASON_FAILOVER :
				    rank_reason(&tier);
			return true;
		}
		/* its paths went down since the walk: as if none were usable */
	}

	/* nothing usable: the all-down rule, policy first as in rule 1 */
	if (fb_policy && fallback(fb_policy, fl, d))
		return true;
	return w.deepest && fallback(first_route(&w.deepest->routes), NULL, d);
}
