// SPDX-License-Identifier: GPL-2.0
/*
 * Routes: adding, finding, replacing and removing them, with the
 * gateway's quotas. All under RTNL. A route never changes once published
 * (but for its stale mark, which lookups do not read); readers see it
 * appear or disappear whole, and a replaced route is a new object.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>

#include "vpnrt.h"

static struct kmem_cache *route_cache;
static unsigned int route_cache_users;

/*
 * Deleted routes and conns wait here for readers, however many there
 * are: one work item waits one grace period for everything queued so
 * far, then frees it in a loop that yields the CPU. A conn takes its
 * routes along, still on conn->routes but unpublished (so deleting a
 * gateway or a conn costs no call_rcu() per route).
 */
static LLIST_HEAD(dead_routes);
static LLIST_HEAD(dead_conns);
static void reap(struct work_struct *work);
static DECLARE_WORK(reap_work, reap);

/**
 * vpnrt_routes_init() - the route and trie caches
 *
 * Called by module init and by KUnit suites, which on 6.1 run before the
 * module's init; the caches are shared, not made twice.
 *
 * Return: 0 or -ENOMEM
 */
int vpnrt_routes_init(void)
{
	int err;

	/* a million /24s: 8 MB less than in 64-byte objects */
	BUILD_BUG_ON(sizeof(struct vpnrt_route) != 56);
	/* what lookups read (vpnrt.h) */
	BUILD_BUG_ON(offsetofend(struct vpnrt_route, flags) > 24);
	if (route_cache_users++)
		return 0;
	route_cache = KMEM_CACHE(vpnrt_route, SLAB_ACCOUNT);
	if (!route_cache) {
		route_cache_users = 0;
		return -ENOMEM;
	}
	err = vpnrt_trie_cache_init();
	if (err) {
		kmem_cache_destroy(route_cache);
		route_cache_users = 0;
	}
	return err;
}

/**
 * vpnrt_routes_exit() - drop a user of the route caches; the last one
 * waits for every pending free and destroys them
 */
void vpnrt_routes_exit(void)
{
	if (--route_cache_users)
		return;
	flush_work(&reap_work);	/* every gateway and conn is gone */
	vpnrt_trie_cache_exit();
	kmem_cache_destroy(route_cache);
}

static struct vpnrt_proute *to_proute(const struct vpnrt_route *r)
{
	return container_of(r, struct vpnrt_proute, r);
}

/**
 * vpnrt_route_cmp_rank() - the order of routes of one destination prefix
 * @a: a route
 * @b: another of the same prefix
 *
 * Rank of routes for one destination prefix: static before BGP, then higher
 * weight, then lower BGP preference. Equal rank means equal cost.
 *
 * Return: < 0 if @a ranks first, > 0 if @b does, 0 for equal cost
 */
int vpnrt_route_cmp_rank(const struct vpnrt_route *a,
			 const struct vpnrt_route *b)
{
	if (a->proto != b->proto)
		return a->proto == VPNRT_PROTO_STATIC ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return 0;
}

/**
 * vpnrt_policy_cmp() - the order of policy routes
 * @ra: a policy route
 * @rb: another
 *
 * Priority, then the more specific destination, then the more specific
 * source, then the prefixes themselves (so routes for the same pair sit
 * together), then weight. Routes of one destination prefix hang off one
 * node of the policy trie in this order; the lookup compares routes of
 * different nodes by priority and destination length alone.
 *
 * Return: <0, 0 or >0 as @ra sorts before, with or after @rb.
 */
int vpnrt_policy_cmp(const struct vpnrt_route *ra, const struct vpnrt_route *rb)
{
	const struct vpnrt_proute *a = to_proute(ra), *b = to_proute(rb);
	int c;

	if (ra->priority != rb->priority)
		return ra->priority < rb->priority ? -1 : 1;
	if (a->dst_len != b->dst_len)
		return a->dst_len > b->dst_len ? -1 : 1;
	if (a->src_len != b->src_len)
		return a->src_len > b->src_len ? -1 : 1;
	c = memcmp(&a->dst, &b->dst, sizeof(a->dst));
	if (c)
		return c;
	c = memcmp(&a->src, &b->src, sizeof(a->src));
	if (c)
		return c;
	if (ra->weight != rb->weight)
		return ra->weight > rb->weight ? -1 : 1;
	return 0;
}

/*
 * Insert @r into @n's routes after every route that does not sort behind
 * it: @r is complete, its @next set, before its predecessor points to it.
 */
static void insert_sorted(struct vpnrt_node *n, struct vpnrt_route *r,
			  int (*cmp)(const struct vpnrt_route *,
				     const struct vpnrt_route *))
{
	struct vpnrt_route __rcu **pp = &n->routes;
	struct vpnrt_route *pos;

	while ((pos = rtnl_dereference(*pp)) && cmp(r, pos) >= 0)
		pp = &pos->next;
	RCU_INIT_POINTER(r->next, pos);
	rcu_assign_pointer(*pp, r);
}

/*
 * Take @r out of its node's routes: its predecessor points past it. @r
 * keeps its @next, so a reader inside it goes on along the list; the
 * caller frees it after a grace period.
 */
static void route_list_del(struct vpnrt_route *r)
{
	struct vpnrt_route __rcu **pp = &r->node->routes;
	struct vpnrt_route *pos;

	while ((pos = rtnl_dereference(*pp)) != r) {
		if (WARN_ON_ONCE(!pos))
			return;
		pp = &pos->next;
	}
	RCU_INIT_POINTER(*pp, rtnl_dereference(r->next));
}

/*
 * Policy node @n gains its first route (@d 1) or lost its last (-1):
 * counted for the jump table, and if it is shallower than the jump
 * slots, for the lookup, which then walks the policy trie from its root;
 * if shorter than the jump table's bitmap, the lookup does not trust a
 * clear bit. Counted before the first route is linked, after the last
 * is unlinked, so a lookup that can meet the route sees the count.
 */
static void policy_node_count(struct vpnrt_table *t, struct vpnrt_node *n,
			      int d)
{
	t->n_policy_nodes += d;
	if (n->cidr < VPNRT_JUMP_BITS)
		WRITE_ONCE(t->policy.n_shallow, t->policy.n_shallow + d);
	if (n->cidr < VPNRT_POLICY_MAP_BITS)
		WRITE_ONCE(t->policy.n_short, t->policy.n_short + d);
}

/* after a change of @n's routes: name the connection if one route is left */
static void node_solo_update(struct vpnrt_node *n)
{
	struct vpnrt_route *first = rtnl_dereference(n->routes);
	struct vpnrt_conn *c = NULL;

	if (first && !rtnl_dereference(first->next))
		c = first->conn;
	rcu_assign_pointer(n->solo, c);
}

/**
 * vpnrt_route_prefix() - a route's destination and source prefixes
 * @r: the route
 * @dst: its destination
 * @dst_len: the destination's length
 * @src: its source (policy routes), else zero
 * @src_len: the source's length, else 0
 */
void vpnrt_route_prefix(const struct vpnrt_route *r, union vpnrt_addr *dst,
			u8 *dst_len, union vpnrt_addr *src, u8 *src_len)
{
	if (r->proto == VPNRT_PROTO_POLICY) {
		*dst = to_proute(r)->dst;
		*dst_len = to_proute(r)->dst_len;
		*src = to_proute(r)->src;
		*src_len = to_proute(r)->src_len;
	} else {
		/* under RCU, its node may be replaced by a copy (trie.c) */
		const struct vpnrt_node *n = READ_ONCE(r->node);

		/* an IPv4 node has only the first word of its key */
		memset(dst, 0, sizeof(*dst));
		if (r->family == AF_INET)
			dst->ip = n->key.ip;
		else
			*dst = n->key;
		*dst_len = n->cidr;
		memset(src, 0, sizeof(*src));
		*src_len = 0;
	}
}

/**
 * vpnrt_route_find() - the route a spec names
 * @s: the spec, under RTNL
 *
 * Return: the route, or NULL; one that a batch under way replaces does not
 * count
 */
struct vpnrt_route *vpnrt_route_find(const struct vpnrt_route_spec *s)
{
	struct vpnrt_table *t = vpnrt_table(s->conn->gw, s->family);
	struct vpnrt_route *r;
	struct vpnrt_node *n;

	if (s->proto == VPNRT_PROTO_POLICY) {
		n = vpnrt_trie_find(t, &t->policy, &s->dst, s->dst_len);
		if (!n)
			return NULL;
		/* the node's routes all have @s's destination */
		for (r = rtnl_dereference(n->routes); r; r = rtnl_dereference(r->next)) {
			const struct vpnrt_proute *p = to_proute(r);

			if (r->conn == s->conn && !r->replaced &&
			    p->src_len == s->src_len &&
			    !memcmp(&p->src, &s->src, sizeof(p->src)))
				return r;
		}
		return NULL;
	}
	n = vpnrt_trie_find(t, &t->dst, &s->dst, s->dst_len);
	if (!n)
		return NULL;
	for (r = rtnl_dereference(n->routes); r; r = rtnl_dereference(r->next))
		if (r->conn == s->conn && r->proto == s->proto && !r->replaced)
			return r;
	return NULL;
}

static int check_quota(const struct vpnrt_route_spec *s,
		       struct netlink_ext_ack *extack)
{
	const struct vpnrt_conn *c = s->conn;
	const struct vpnrt_gw *gw = c->gw;

	switch (s->proto) {
	case VPNRT_PROTO_STATIC:
		if (gw->n_static >= gw->max_routes) {
			NL_SET_ERR_MSG_FMT(extack,
					   "static route quota of %s reached (max-routes %u)",
					   gw->dev->name, gw->max_routes);
			return -ENOSPC;
		}
		break;
	case VPNRT_PROTO_POLICY:
		if (gw->n_policy >= gw->max_policy_routes) {
			NL_SET_ERR_MSG_FMT(extack,
					   "policy route quota of %s reached (max-policy-routes %u)",
					   gw->dev->name, gw->max_policy_routes);
			return -ENOSPC;
		}
		break;
	case VPNRT_PROTO_BGP:
		if (gw->n_bgp >= gw->max_bgp_routes) {
			NL_SET_ERR_MSG_FMT(extack,
					   "BGP route quota of %s reached (max-bgp-routes %u)",
					   gw->dev->name, gw->max_bgp_routes);
			return -ENOSPC;
		}
		if (c->n_bgp >= gw->max_peer_routes) {
			NL_SET_ERR_MSG_FMT(extack,
					   "BGP route quota of conn %s reached (max-peer-routes %u)",
					   c->name, gw->max_peer_routes);
			return -ENOSPC;
		}
		break;
	}
	return 0;
}

static void count(struct vpnrt_route *r, int d)
{
	struct vpnrt_conn *c = r->conn;
	struct vpnrt_gw *gw = c->gw;

	switch (r->proto) {
	case VPNRT_PROTO_STATIC:
		gw->n_static += d;
		c->n_static += d;
		break;
	case VPNRT_PROTO_POLICY:
		gw->n_policy += d;
		c->n_policy += d;
		break;
	case VPNRT_PROTO_BGP:
		gw->n_bgp += d;
		c->n_bgp += d;
		break;
	}
}

/*
 * Number @r after the routes of conn @c. conn->routes stays in seq order:
 * routes join at its tail, a replacement takes the place and the seq of
 * the route it replaces. Route dumps resume by seq (nl_route.c), so no
 * change needs to tell them. Seqs compare as serial numbers; before the
 * span of one conn's seqs could reach 2^31 they are numbered again from
 * 1 (at most once per 2^31 additions) and route_epoch says so.
 */
static void route_seq_assign(struct vpnrt_conn *c, struct vpnrt_route *r)
{
	struct vpnrt_route *first, *it;
	u32 seq = 0;

	first = list_first_entry_or_null(&c->routes, struct vpnrt_route,
					 conn_link);
	if (first && c->route_seq - first->seq >= (u32)S32_MAX) {
		list_for_each_entry(it, &c->routes, conn_link)
			it->seq = ++seq;
		c->route_seq = seq;
		c->route_epoch++;
	}
	r->seq = ++c->route_seq;
}

/* a new route object with the values of @s, linked nowhere */
static struct vpnrt_route *route_alloc(const struct vpnrt_route_spec *s)
{
	struct vpnrt_route *r;

	if (s->proto == VPNRT_PROTO_POLICY) {
		struct vpnrt_proute *p = kzalloc(sizeof(*p), VPNRT_GFP_ROUTE);

		if (!p)
			return NULL;
		p->dst = s->dst;
		p->dst_len = s->dst_len;
		p->src = s->src;
		p->src_len = s->src_len;
		r = &p->r;
	} else {
		r = kmem_cache_zalloc(route_cache, VPNRT_GFP_ROUTE);
		if (!r)
			return NULL;
	}
	r->conn = s->conn;
	r->proto = s->proto;
	r->weight = s->weight;
	r->priority = s->priority;
	r->pref = s->pref;
	r->flags = s->flags;
	r->family = s->family;
	route_seq_assign(s->conn, r);
	return r;
}

static void route_free(struct vpnrt_route *r)
{
	if (r->proto == VPNRT_PROTO_POLICY)
		kfree(to_proute(r));
	else
		kmem_cache_free(route_cache, r);
}

/**
 * vpnrt_route_add() - add a route, visible to lookups at once
 * @s: the route, under RTNL
 * @out: the route made, or NULL
 * @extack: where a failure says why
 *
 * Return: 0, or an error with an extack: it exists (-EEXIST), a quota is
 * reached, or no memory
 */
int vpnrt_route_add(const struct vpnrt_route_spec *s,
		    struct vpnrt_route **out, struct netlink_ext_ack *extack)
{
	struct vpnrt_table *t = vpnrt_table(s->conn->gw, s->family);
	bool policy = s->proto == VPNRT_PROTO_POLICY;
	struct vpnrt_route *r;
	struct vpnrt_node *n;
	int err;

	ASSERT_RTNL();
	err = check_quota(s, extack);
	if (err)
		return err;
	if (vpnrt_route_find(s)) {
		NL_SET_ERR_MSG(extack, "route exists");
		return -EEXIST;
	}

	r = route_alloc(s);
	if (!r)
		goto nomem;
	n = vpnrt_trie_insert(t, policy ? &t->policy : &t->dst, &s->dst,
			      s->dst_len);
	if (!n) {
		route_free(r);
		goto nomem;
	}
	r->node = n;
	if (policy) {
		if (!rcu_access_pointer(n->routes))
			policy_node_count(t, n, 1);
		insert_sorted(n, r, vpnrt_policy_cmp);
	} else {
		if (!rcu_access_pointer(n->routes))
			t->n_nodes++;
		insert_sorted(n, r, vpnrt_route_cmp_rank);
		node_solo_update(n);
	}
	list_add_tail(&r->conn_link, &s->conn->routes);
	count(r, 1);
	if (out)
		*out = r;
	return 0;

nomem:
	NL_SET_ERR_MSG(extack, "out of memory (the memory cgroup's limit?)");
	return -ENOMEM;
}

static void reap(struct work_struct *work)
{
	struct llist_node *routes = llist_del_all(&dead_routes);
	struct llist_node *conns = llist_del_all(&dead_conns);
	struct vpnrt_route *r, *rtmp;
	struct vpnrt_conn *c, *ctmp;
	unsigned long n = 0;

	if (!routes && !conns)
		return;
	synchronize_rcu();
	llist_for_each_entry_safe(r, rtmp, routes, free_link) {
		route_free(r);
		if (!(++n % VPNRT_CHUNK))
			cond_resched();
	}
	llist_for_each_entry_safe(c, ctmp, conns, free_link) {
		list_for_each_entry_safe(r, rtmp, &c->routes, conn_link) {
			route_free(r);
			if (!(++n % VPNRT_CHUNK))
				cond_resched();
		}
		vpnrt_conn_free(c);
	}
}

/**
 * vpnrt_reap_flush() - wait until every route and conn deleted so far is
 * freed
 */
void vpnrt_reap_flush(void)
{
	flush_work(&reap_work);
}

/**
 * vpnrt_conn_reap() - free @c and the routes still on its list after one
 * grace period, shared with everything else deleted meanwhile
 * @c: a conn that no reader can reach any more once readers that saw it
 *	are done: out of its gateway's list, its routes unpublished
 */
void vpnrt_conn_reap(struct vpnrt_conn *c)
{
	if (llist_add(&c->free_link, &dead_conns))
		queue_work(system_unbound_wq, &reap_work);
}

/* out of what lookups walk: its trie node, which goes if it was the last */
static void route_unpublish(struct vpnrt_route *r)
{
	struct vpnrt_table *t = vpnrt_table(r->conn->gw, r->family);
	struct vpnrt_node *n = r->node;

	route_list_del(r);
	if (r->proto == VPNRT_PROTO_POLICY) {
		if (!rcu_access_pointer(n->routes)) {
			policy_node_count(t, n, -1);
			vpnrt_trie_remove(t, &t->policy, n);
		}
	} else {
		node_solo_update(n);
		if (!rcu_access_pointer(n->routes)) {
			t->n_nodes--;
			vpnrt_trie_remove(t, &t->dst, n);
		}
	}
}

/* out of every list, freed after a grace period; counts are the caller's */
static void route_unlink(struct vpnrt_route *r)
{
	route_unpublish(r);
	list_del(&r->conn_link);
	if (llist_add(&r->free_link, &dead_routes))
		queue_work(system_unbound_wq, &reap_work);
}

/**
 * vpnrt_route_del() - delete a route, freed after a grace period
 * @r: the route, under RTNL
 */
void vpnrt_route_del(struct vpnrt_route *r)
{
	ASSERT_RTNL();
	count(r, -1);
	route_unlink(r);
}

/* the values a route can change; the rest (vpnrt_route_find()) names it */
static bool route_same_values(const struct vpnrt_route *r,
			      const struct vpnrt_route_spec *s)
{
	return r->weight == s->weight && r->priority == s->priority &&
	       r->pref == s->pref;
}

/**
 * vpnrt_route_set() - one route of a ROUTE_NEW batch
 * @s: the route, under RTNL
 * @replace: an existing route takes the values of @s
 * @ch: what was done, for vpnrt_route_set_undo() and vpnrt_route_set_commit()
 * @extack: where a failure says why
 *
 * One route of a ROUTE_NEW batch: added if it does not exist. If it does and
 * @replace is set, or it is stale (a refresh), it takes the values of @s: a
 * new route object is linked at its place in the sorted lists, beside the old
 * one, which stays linked until vpnrt_route_set_commit(); meanwhile a lookup
 * sees one of them or both, never neither. The trie node is the same (same
 * prefix), so no jump slot or solo name changes: the connection is part of
 * what names the route. Undone in reverse order by vpnrt_route_set_undo().
 * Quotas count a replaced route once.
 *
 * Return: 0, or an error with an extack; nothing changed then
 */
int vpnrt_route_set(const struct vpnrt_route_spec *s, bool replace,
		    struct vpnrt_route_change *ch,
		    struct netlink_ext_ack *extack)
{
	struct vpnrt_route *old, *r;

	ASSERT_RTNL();
	memset(ch, 0, sizeof(*ch));
	old = vpnrt_route_find(s);
	if (!old) {
		ch->op = VPNRT_ROUTE_ADDED;
		return vpnrt_route_add(s, &ch->r, extack);
	}
	if (!replace && !old->stale) {
		NL_SET_ERR_MSG(extack, "route exists");
		return -EEXIST;
	}
	if (old->flags & VPNRT_ROUTE_F_FLOW) {
		NL_SET_ERR_MSG_FMT(extack, "owned by flow protection of conn %s",
				   old->conn->name);
		return -EPERM;
	}
	ch->r = old;
	if (route_same_values(old, s)) {
		ch->op = old->stale ? VPNRT_ROUTE_REFRESHED : VPNRT_ROUTE_UNCHANGED;
		return 0;
	}
	r = route_alloc(s);
	if (!r) {
		NL_SET_ERR_MSG(extack, "out of memory (the memory cgroup's limit?)");
		return -ENOMEM;
	}
	r->node = old->node;
	insert_sorted(r->node, r, r->proto == VPNRT_PROTO_POLICY ?
		      vpnrt_policy_cmp : vpnrt_route_cmp_rank);
	/* dumps list it where the old one was, as the old one */
	list_add(&r->conn_link, &old->conn_link);
	r->seq = old->seq;
	old->replaced = 1;
	ch->r = r;
	ch->old = old;
	ch->op = VPNRT_ROUTE_REPLACED;
	return 0;
}

/**
 * vpnrt_route_set_undo() - undo one vpnrt_route_set() of a failed batch
 * @ch: what it did, under RTNL; undone in reverse order
 *
 * Never fails and never allocates.
 */
void vpnrt_route_set_undo(struct vpnrt_route_change *ch)
{
	ASSERT_RTNL();
	switch (ch->op) {
	case VPNRT_ROUTE_ADDED:
		vpnrt_route_del(ch->r);
		break;
	case VPNRT_ROUTE_REPLACED:
		ch->old->replaced = 0;
		route_unlink(ch->r);
		break;
	}
}

/**
 * vpnrt_route_set_commit() - the batch holds
 * @ch: what each route of the batch did, under RTNL
 * @n: how many
 *
 * The batch @ch[0..n-1] holds: refreshed routes lose their stale mark,
 * replaced ones go. Between linking the new routes and unlinking the old, one
 * grace period (expedited under RTNL) for the whole batch: a lookup walking a
 * list while a new route went in ahead of it would otherwise miss both. Cannot
 * fail.
 */
void vpnrt_route_set_commit(struct vpnrt_route_change *ch, unsigned int n)
{
	bool replaced = false;
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < n; i++) {
		if (ch[i].op == VPNRT_ROUTE_REFRESHED)
			WRITE_ONCE(ch[i].r->stale, 0);
		replaced |= ch[i].op == VPNRT_ROUTE_REPLACED;
	}
	if (!replaced)
		return;
	synchronize_net();
	for (i = 0; i < n; i++)
		if (ch[i].op == VPNRT_ROUTE_REPLACED)
			route_unlink(ch[i].old);
}

/**
 * vpnrt_route_flush_conn() - delete every route of @conn
 * @conn: its routes go, freed after a grace period; it stays
 */
void vpnrt_route_flush_conn(struct vpnrt_conn *conn)
{
	struct vpnrt_route *r, *tmp;
	unsigned long n = 0;

	ASSERT_RTNL();
	list_for_each_entry_safe(r, tmp, &conn->routes, conn_link) {
		vpnrt_route_del(r);
		if (!(++n % VPNRT_CHUNK))
			cond_resched();
	}
}

/**
 * vpnrt_route_unpublish_conn() - take every route of @conn out of its
 * gateway's tables, for a conn that goes whole (vpnrt_conn_reap())
 * @conn: its routes stay on conn->routes, to be freed with it; its
 *	gateway's route counts drop by its own
 */
void vpnrt_route_unpublish_conn(struct vpnrt_conn *conn)
{
	struct vpnrt_gw *gw = conn->gw;
	struct vpnrt_route *r;
	unsigned long n = 0;

	ASSERT_RTNL();
	list_for_each_entry(r, &conn->routes, conn_link) {
		route_unpublish(r);
		if (!(++n % VPNRT_CHUNK))
			cond_resched();
	}
	gw->n_static -= conn->n_static;
	gw->n_policy -= conn->n_policy;
	gw->n_bgp -= conn->n_bgp;
	conn->n_static = 0;
	conn->n_policy = 0;
	conn->n_bgp = 0;
}

/**
 * vpnrt_table_unpublish() - empty @t for lookups at once, in O(1): its
 * gateway goes
 * @t: both its tries are cut off; trie nodes are freed after a grace
 *	period, routes with their conns (vpnrt_conn_reap())
 */
void vpnrt_table_unpublish(struct vpnrt_table *t)
{
	ASSERT_RTNL();
	vpnrt_trie_free(t);
}
