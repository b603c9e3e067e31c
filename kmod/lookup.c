// SPDX-License-Identifier: GPL-2.0
/*
 * The lookup: one implementation of the priority rules, with two entry
 * points: vpnrt_lookup() for the transmit path, every packet, and
 * vpnrt_lookup_explain() for ROUTE_LOOKUP, which also says why.
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
 * Policy routes hang off a trie of their destination prefixes, so a
 * lookup reads those on the walk of its destination, not all of them.
 *
 * Called under rcu_read_lock().
 */
#include <linux/rculist.h>
#include <linux/siphash.h>

#include "trie.h"

/**
 * vpnrt_flow_hash() - the keyed hash of a flow that spreads it over paths
 * @gw: the gateway, whose key and ecmp-hash setting are used
 * @fl: the flow
 *
 * Return: the hash.
 */
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
	return rcu_dereference(r->next);
}

static const struct vpnrt_route *first_route(const struct vpnrt_node *n)
{
	return rcu_dereference(n->routes);
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

/* @a and @b, policy routes of one node (one destination), share a tier */
static bool same_policy(const struct vpnrt_route *a, const struct vpnrt_route *b)
{
	const struct vpnrt_proute *pa = container_of(a, struct vpnrt_proute, r);
	const struct vpnrt_proute *pb = container_of(b, struct vpnrt_proute, r);

	return a->priority == b->priority && a->weight == b->weight &&
	       pa->src_len == pb->src_len &&
	       !memcmp(&pa->src, &pb->src, sizeof(pa->src));
}

/* @a and @b, neighbours in a node's list, are equals for rule 5 */
static inline bool same_tier(const struct vpnrt_route *a,
			     const struct vpnrt_route *b, bool policy)
{
	if (policy)
		return same_policy(a, b);
	return !vpnrt_route_cmp_rank(a, b);
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
static void tier_scan(const struct vpnrt_route *first, bool policy,
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
	} while (r && same_tier(first, r, policy));
	t->end = r;
}

/* the flow's hash: *@hash if given, else its own */
static u32 flow_hash_of(const struct vpnrt_gw *gw, const struct vpnrt_flow *fl,
			const u32 *hash)
{
	return hash ? *hash : vpnrt_flow_hash(gw, fl);
}

/*
 * Equal paths share flows by rendezvous (highest random weight) hashing:
 * each path scores a flow by a mix of the flow's hash and the path's own
 * key, its connection's id and tunnel, and the highest score takes the
 * flow. A path that goes down loses only its own flows, spread over the
 * others, and takes back exactly those when it returns: 1/n of the flows
 * move, the fewest there can be, where a hash modulo n moves most of
 * them. The mix is murmur3's finalizer over the hash and the key.
 */
static u32 path_score(u32 hash, const struct vpnrt_conn *c, unsigned int tunnel)
{
	u32 h = hash ^ ((c->id * VPNRT_MAX_TUNNELS + tunnel + 1) * 0x9e3779b9U);

	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* of @c's usable tunnels @idx[0..@n), the one that scores @hash highest */
static u8 best_tunnel(const struct vpnrt_conn *c, const u8 *idx,
		      unsigned int n, u32 hash)
{
	u32 score, top = path_score(hash, c, idx[0]);
	u8 best = idx[0];
	unsigned int i;

	for (i = 1; i < n; i++) {
		score = path_score(hash, c, idx[i]);
		if (score > top) {
			top = score;
			best = idx[i];
		}
	}
	return best;
}

/*
 * The path of tier @t that scores @hash highest, among the first
 * @max_paths usable ones as tier_scan() counted them. If every path went
 * down since the tier was measured, the first one measured stands.
 */
static void tier_pick(const struct tier *t, u32 hash, unsigned int max_paths,
		      struct vpnrt_decision *d)
{
	const struct vpnrt_route *r;
	u8 idx[VPNRT_MAX_TUNNELS];
	unsigned int i, n, seen = 0;
	u32 score, top = 0;
	bool any = false;

	d->route = t->r0;
	d->conn = t->r0->conn;
	d->tunnel = t->t0;
	for (r = t->first; r != t->end && seen < max_paths; r = next_route(r)) {
		n = route_paths(r, idx, max_paths - seen);
		for (i = 0; i < n; i++) {
			score = path_score(hash, r->conn, idx[i]);
			if (!any || score > top) {
				any = true;
				top = score;
				d->route = r;
				d->conn = r->conn;
				d->tunnel = idx[i];
			}
		}
		seen += n;
	}
}

/*
 * The path of tier @t for the flow: the only one, or the one its hash
 * picks; a single path (the common case) needs no hash.
 */
static void choose(const struct tier *t, const struct vpnrt_gw *gw,
		   const struct vpnrt_flow *fl, const u32 *hash,
		   unsigned int max_paths, struct vpnrt_decision *d)
{
	d->n_paths = t->n_paths;
	if (t->n_paths == 1) {
		d->route = t->r0;
		d->conn = t->r0->conn;
		d->tunnel = t->t0;
		return;
	}
	tier_pick(t, flow_hash_of(gw, fl, hash), max_paths, d);
}

/*
 * The first tier of @first's list that can carry traffic. Routes of the
 * tiers passed over are added to @skipped.
 */
static bool best_tier(const struct vpnrt_route *first,
		      unsigned int max_paths, struct tier *t, u32 *skipped)
{
	u32 passed = 0;

	while (first) {
		tier_scan(first, false, max_paths, t);
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

/* the source of @fl lies in @r's; its destination is the node's business */
static bool policy_src_matches(const struct vpnrt_route *r,
			       const struct vpnrt_flow *fl)
{
	const struct vpnrt_proute *p = container_of(r, struct vpnrt_proute, r);

	return vpnrt_prefix_match(fl->family, &p->src, p->src_len, &fl->src);
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
 * The all-down rule's tunnel of @c: its first with a device, unless the
 * connection is administratively down. Health, link and IKE state do not
 * count. Returns its index, or -1.
 */
static int fallback_tunnel(const struct vpnrt_conn *c)
{
	unsigned int i;

	if (READ_ONCE(c->down) & VPNRT_DOWN_ADMIN)
		return -1;
	for (i = 0; i < c->n_tunnels; i++)
		if (!(READ_ONCE(c->tun[i].down) & VPNRT_DOWN_NO_DEVICE))
			return i;
	return -1;
}

static void fallback_set(const struct vpnrt_route *r, int tunnel,
			 struct vpnrt_decision *d)
{
	d->route = r;
	d->conn = r->conn;
	d->tunnel = tunnel;
	d->fallback = true;
	d->n_paths = 1;
	d->reason = VPNRT_REASON_FALLBACK;
}

/*
 * The all-down rule at a prefix: the best-ranked route of @first's list
 * with a fallback tunnel.
 */
static bool fallback(const struct vpnrt_route *first, struct vpnrt_decision *d)
{
	const struct vpnrt_route *r;
	int tunnel;

	for (r = first; r; r = next_route(r)) {
		tunnel = fallback_tunnel(r->conn);
		if (tunnel >= 0) {
			fallback_set(r, tunnel, d);
			return true;
		}
	}
	return false;
}

/* ---- walking a trie along a destination ---- */

/* does @n's prefix hold @fl's destination (@a: IPv4, in host order)? */
static __always_inline bool on_walk(const struct vpnrt_node *n,
				    const struct vpnrt_flow *fl, u32 a)
{
	unsigned int cidr = n->cidr;

	if (fl->family == AF_INET)
		return !cidr || !((ntohl(n->key.ip) ^ a) >> (32 - cidr));
	return vpnrt_node_matches(n, &fl->dst);
}

/*
 * The child of @n on the way to @fl's destination, NULL at a leaf (which
 * has no child pointers; every /32 and /128 is one)
 */
static __always_inline const struct vpnrt_node *
walk_child(const struct vpnrt_node *n, const struct vpnrt_flow *fl, u32 a)
{
	if (!n->bits)
		return NULL;
	if (fl->family == AF_INET)
		return rcu_dereference(vpnrt_node4_child(n)[vpnrt_node4_index(n, a)]);
	return rcu_dereference(vpnrt_node6_child(n)[vpnrt_key_bit(&fl->dst, n->cidr)]);
}

/* ---- rule 1: policy routes ---- */

/*
 * Where the transmit path's walk of the policy trie starts: the root, or
 * in IPv4 the jump slot of the destination if no prefix with routes lies
 * above the slots' depth (then every one on the walk is at or below the
 * slot's node, and a NULL slot means none). If none lies above the
 * bitmap's depth either, a clear bit means none without reading a node:
 * a lookup that no policy route decides, the common case, reads one word
 * of 128 KiB instead of a slot of 512 KiB and the nodes below it.
 */
static const struct vpnrt_node *policy_start(const struct vpnrt_table *t,
					     const struct vpnrt_flow *fl)
{
	const struct vpnrt_jump *jt;
	u32 a;

	if (fl->family == AF_INET && !READ_ONCE(t->policy.n_shallow)) {
		jt = rcu_dereference(t->policy.jump);
		if (jt) {
			a = ntohl(fl->dst.ip);
			if (jt->map && !READ_ONCE(t->policy.n_short) &&
			    !test_bit(a >> (32 - VPNRT_POLICY_MAP_BITS), jt->map))
				return NULL;
			return rcu_dereference(jt->slot[a >> (32 - jt->bits)]);
		}
	}
	return rcu_dereference(t->policy.root);
}

/*
 * The winning policy tier for @fl, in @best, walking from @start: the
 * first tier in policy order (vpnrt_policy_cmp()) among the matching
 * routes that can carry. The nodes on the walk of the destination hold
 * every route whose destination matches, each node's in policy order;
 * between nodes, the lower priority and then the longer destination (the
 * deeper node) win. So a node is read only up to the priority of the
 * best tier yet.
 */
static bool policy_best(const struct vpnrt_node *start,
			const struct vpnrt_flow *fl, unsigned int max_paths,
			struct tier *best)
{
	u32 a = ntohl(fl->dst.ip);
	const struct vpnrt_route *r;
	const struct vpnrt_node *n;
	unsigned int prio = U8_MAX + 1;
	struct tier tier;

	for (n = start; n && on_walk(n, fl, a); n = walk_child(n, fl, a)) {
		for (r = first_route(n); r && r->priority <= prio; ) {
			if (!policy_src_matches(r, fl)) {
				r = next_route(r);
				continue;
			}
			tier_scan(r, true, max_paths, &tier);
			if (tier.n_paths) {
				*best = tier;
				prio = r->priority;
				break;
			}
			r = tier.end;
		}
	}
	return prio <= U8_MAX;
}

/*
 * The matching policy routes that come before @win in policy order (all
 * of them without @win): what the explanation counts as passed over.
 */
static u32 policy_skipped(const struct vpnrt_table *t,
			  const struct vpnrt_flow *fl,
			  const struct vpnrt_route *win)
{
	u32 a = ntohl(fl->dst.ip), count = 0;
	const struct vpnrt_route *r;
	const struct vpnrt_node *n;

	for (n = rcu_dereference(t->policy.root); n && on_walk(n, fl, a);
	     n = walk_child(n, fl, a)) {
		for (r = first_route(n); r; r = next_route(r)) {
			if (win && vpnrt_policy_cmp(r, win) >= 0)
				break;
			count += policy_src_matches(r, fl);
		}
	}
	return count;
}

/*
 * The all-down rule for policy routes: the first route in policy order
 * among the matching ones with a fallback tunnel.
 */
static bool policy_fallback(const struct vpnrt_node *start,
			    const struct vpnrt_flow *fl, struct vpnrt_decision *d)
{
	const struct vpnrt_route *r, *found = NULL;
	u32 a = ntohl(fl->dst.ip);
	const struct vpnrt_node *n;
	int tunnel, found_tunnel = 0;

	for (n = start; n && on_walk(n, fl, a); n = walk_child(n, fl, a)) {
		for (r = first_route(n); r; r = next_route(r)) {
			if (found && r->priority > found->priority)
				break;
			if (!policy_src_matches(r, fl))
				continue;
			tunnel = fallback_tunnel(r->conn);
			if (tunnel >= 0) {
				found = r;
				found_tunnel = tunnel;
				break;
			}
		}
	}
	if (found)
		fallback_set(found, found_tunnel, d);
	return found;
}

/* ---- rules 2-5: the destination trie ---- */

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
	r = first_route(n);
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
			if (!n->bits)
				break;
			n = rcu_dereference(vpnrt_node4_child(n)[vpnrt_node4_index(n, a)]);
		}
		return;
	}
	while (n && vpnrt_node_matches(n, &fl->dst)) {
		walk_visit(n, fast, w);
		if (!n->bits)
			break;
		n = rcu_dereference(vpnrt_node6_child(n)[vpnrt_key_bit(&fl->dst, n->cidr)]);
	}
}

/*
 * Where an IPv4 walk may start: the jump table's node for the first 16
 * bits, or its sub-table's for 4 more. A usable prefix found from
 * there is deeper than any above it, so it is the answer; if none is, the
 * walk is redone from the root, where the less specific prefixes and the
 * all-down rule's candidates are.
 */
static const struct vpnrt_node *jump_start(const struct vpnrt_table *t,
					   const struct vpnrt_flow *fl)
{
	const struct vpnrt_jump *jt;

	if (fl->family != AF_INET)
		return NULL;
	jt = rcu_dereference(t->dst.jump);
	if (!jt)
		return NULL;
	return vpnrt_jump_start(jt, ntohl(fl->dst.ip));
}

/* rules 2-5's walk: from the jump slot, else from the root */
static __always_inline void dst_walk(const struct vpnrt_table *t,
				     const struct vpnrt_flow *fl,
				     struct walk *w)
{
	const struct vpnrt_node *n = jump_start(t, fl);

	w->best = NULL;
	if (n)
		trie_walk(n, fl, true, w);
	if (!w->best)
		trie_walk(rcu_dereference(t->dst.root), fl, true, w);
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
	unsigned int n = conn_paths(c, idx, max_paths);

	if (!n)
		return false;
	d->conn = c;
	d->tunnel = n > 1 ? best_tunnel(c, idx, n, flow_hash_of(gw, fl, hash)) :
			    idx[0];
	d->n_paths = n;
	return true;
}

/*
 * Rules 2-5 from @w's walk: the best tier of the deepest usable prefix,
 * @here counting its better-ranked routes that cannot carry.
 */
static __always_inline bool dst_best(const struct walk *w,
				     unsigned int max_paths, struct tier *tier,
				     u32 *here)
{
	return w->best && best_tier(first_route(w->best), max_paths,
				    tier, here);
}

/**
 * vpnrt_lookup() - where the transmit path sends a flow
 * @gw: the gateway
 * @fl: the flow
 * @hfl: the flow whose hash picks among equal paths, NULL for @fl itself
 *       (an ICMP error hashes as the flow it belongs to)
 *
 * The flow is hashed only if there are several equal paths. Called under
 * rcu_read_lock(); the connection returned is valid until it is dropped.
 *
 * Return: the connection and tunnel, and whether the all-down rule chose
 * them; a NULL connection if there is no route.
 */
struct vpnrt_path vpnrt_lookup(const struct vpnrt_gw *gw,
			       const struct vpnrt_flow *fl,
			       const struct vpnrt_flow *hfl)
{
	const struct vpnrt_table *t = fl->family == AF_INET6 ? &gw->v6 : &gw->v4;
	unsigned int max_paths = READ_ONCE(gw->max_paths);
	const struct vpnrt_node *policy = NULL;
	struct vpnrt_path p = {};
	struct vpnrt_decision d;
	struct tier tier;
	struct walk w;
	u32 here = 0;

	d.fallback = false;
	/* rule 1: policy routes */
	if (rcu_access_pointer(t->policy.root)) {
		policy = policy_start(t, fl);
		if (policy_best(policy, fl, max_paths, &tier)) {
			choose(&tier, gw, hfl ?: fl, NULL, max_paths, &d);
			goto found;
		}
	}

	/* rules 2-5 */
	dst_walk(t, fl, &w);
	if (w.solo) {
		if (choose_solo(w.solo, gw, hfl ?: fl, NULL, max_paths, &d))
			goto found;
	} else if (dst_best(&w, max_paths, &tier, &here)) {
		choose(&tier, gw, hfl ?: fl, NULL, max_paths, &d);
		goto found;
	}
	/* its paths went down since the walk: as if none were usable */

	/* nothing usable: the all-down rule, policy first as in rule 1 */
	if (!policy_fallback(policy, fl, &d) &&
	    !(w.deepest && fallback(first_route(w.deepest), &d)))
		return p;
found:
	p.conn = d.conn;
	p.tunnel = d.tunnel;
	p.fallback = d.fallback;
	return p;
}

/**
 * vpnrt_lookup_explain() - the transmit path's decision, explained
 * @gw: the gateway
 * @fl: the flow
 * @hash: the flow's hash, vpnrt_flow_hash() for the transmit path's choice
 * @d: the decision: the route, connection and tunnel, the rule that
 *     decided and what was passed over
 *
 * The same rules as vpnrt_lookup(), walked from the roots of the tries to
 * count the routes passed over. Called under rcu_read_lock().
 *
 * Return: true if there is a decision, false for no route.
 */
bool vpnrt_lookup_explain(const struct vpnrt_gw *gw,
			  const struct vpnrt_flow *fl, u32 hash,
			  struct vpnrt_decision *d)
{
	const struct vpnrt_table *t = fl->family == AF_INET6 ? &gw->v6 : &gw->v4;
	const struct vpnrt_node *policy = rcu_dereference(t->policy.root);
	unsigned int max_paths = READ_ONCE(gw->max_paths);
	struct tier tier;
	struct walk w;
	u32 skipped, here = 0;

	memset(d, 0, sizeof(*d));

	/* rule 1: policy routes, from the root */
	if (policy_best(policy, fl, max_paths, &tier)) {
		choose(&tier, gw, fl, &hash, max_paths, d);
		d->skipped = policy_skipped(t, fl, tier.first);
		d->reason = d->n_paths > 1 ? VPNRT_REASON_ECMP :
			    d->skipped ? VPNRT_REASON_FAILOVER :
			    VPNRT_REASON_POLICY;
		return true;
	}
	skipped = policy_skipped(t, fl, NULL);

	/* rules 2-5: the deepest usable prefix, then its best tier */
	trie_walk(rcu_dereference(t->dst.root), fl, false, &w);
	if (dst_best(&w, max_paths, &tier, &here)) {
		choose(&tier, gw, fl, &hash, max_paths, d);
		d->skipped = skipped + here + w.deeper;
		d->reason = d->n_paths > 1 ? VPNRT_REASON_ECMP :
			    d->skipped ? VPNRT_REASON_FAILOVER :
			    rank_reason(&tier);
		return true;
	}

	/* nothing usable: the all-down rule, policy first as in rule 1 */
	if (policy_fallback(policy, fl, d))
		return true;
	return w.deepest && fallback(first_route(w.deepest), d);
}

/* does tier @t have a route over @conn (any, if NULL) that can carry? */
static bool tier_has(const struct tier *t, const struct vpnrt_conn *conn)
{
	const struct vpnrt_route *r;

	if (!conn)
		return true;
	for (r = t->first; r != t->end; r = next_route(r))
		if (r->conn == conn && vpnrt_conn_carries(conn))
			return true;
	return false;
}

/**
 * vpnrt_lookup_source() - the source check: is a flow routed to a connection
 * @gw: the gateway
 * @fl: the flow a reply to the received packet would be (its destination
 *	is the packet's source)
 * @conn: the connection the packet came from; NULL for any
 *
 * The transmit path's rules (vpnrt_lookup()), without the hash: @conn
 * passes if it has a route in the tier those rules choose, whichever of
 * the tier's equal paths the hash would pick (so ECMP replies may come
 * back over any connection of the tier), or if the all-down rule chose
 * it. With a NULL @conn, any decision passes. Called under
 * rcu_read_lock().
 *
 * Return: true if the flow is routed to @conn (to any connection)
 */
bool vpnrt_lookup_source(const struct vpnrt_gw *gw,
			 const struct vpnrt_flow *fl,
			 const struct vpnrt_conn *conn)
{
	const struct vpnrt_table *t = fl->family == AF_INET6 ? &gw->v6 : &gw->v4;
	unsigned int max_paths = READ_ONCE(gw->max_paths);
	const struct vpnrt_node *policy = NULL;
	struct vpnrt_decision d;
	struct tier tier;
	struct walk w;
	u32 here = 0;

	/* rule 1: policy routes */
	if (rcu_access_pointer(t->policy.root)) {
		policy = policy_start(t, fl);
		if (policy_best(policy, fl, max_paths, &tier))
			return tier_has(&tier, conn);
	}

	/* rules 2-5 */
	dst_walk(t, fl, &w);
	if (w.solo)
		return !conn || w.solo == conn;
	if (dst_best(&w, max_paths, &tier, &here))
		return tier_has(&tier, conn);

	/* nothing usable: the all-down rule, policy first as in rule 1 */
	if (!policy_fallback(policy, fl, &d) &&
	    !(w.deepest && fallback(first_route(w.deepest), &d)))
		return false;
	return !conn || d.conn == conn;
}
