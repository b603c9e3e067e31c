// SPDX-License-Identifier: GPL-2.0
/*
 * The tries: path-compressed binary tries of prefixes, two per family and
 * gateway, one of destination prefixes for static and BGP routes and one
 * of the destination prefixes of policy routes. Writers hold RTNL; the
 * lookup walks them under RCU without locks. Nodes that carry no route
 * exist only as branch points with two children or more, and are removed
 * as soon as they have fewer. A prefix without children is a leaf, without
 * child pointers (vpnrt.h); node_replace() turns one kind into the other.
 * In IPv4 destination tries, the /24s of a /20 that has VPNRT_STRIDE_MIN
 * of them share a stride node at the /20 in place of their branch points
 * (below). IPv4 tries have a jump table as they grow (further below).
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "trie.h"

/*
 * full nodes, leaves and stride nodes of each family (vpnrt.h), jump
 * sub-tables
 */
static struct kmem_cache *node4_cache, *node6_cache, *leaf4_cache, *leaf6_cache;
static struct kmem_cache *stride4_cache, *sub_cache;

static struct kmem_cache *node_cache(int family, unsigned int bits)
{
	if (family == AF_INET)
		return !bits ? leaf4_cache : bits == 1 ? node4_cache : stride4_cache;
	return bits ? node6_cache : leaf6_cache;
}

static void node_free(struct vpnrt_node *n)
{
	kmem_cache_free(node_cache(n->family, n->bits), n);
}

/* the number of child pointers @n has: 0 for a leaf */
static unsigned int node_width(const struct vpnrt_node *n)
{
	return n->bits ? BIT(n->bits) : 0;
}

/* child @b of @n, NULL for a leaf; under RTNL */
static struct vpnrt_node *child_of(const struct vpnrt_node *n, unsigned int b)
{
	return n->bits ? rtnl_dereference(vpnrt_node_child(n)[b]) : NULL;
}

/* the child of @n on the way to @key, NULL for a leaf; under RTNL */
static struct vpnrt_node *child_to(const struct vpnrt_node *n,
				   const union vpnrt_addr *key)
{
	return n->bits ? child_of(n, vpnrt_node_index(n, key)) : NULL;
}

/* how many children @n has, and in @one the last of them */
static unsigned int node_children(const struct vpnrt_node *n,
				  struct vpnrt_node **one)
{
	unsigned int b, count = 0;
	struct vpnrt_node *c;

	*one = NULL;
	for (b = 0; b < node_width(n); b++) {
		c = child_of(n, b);
		if (c) {
			*one = c;
			count++;
		}
	}
	return count;
}

/*
 * Unlinked nodes wait here for a grace period. A node has no room for an
 * rcu_head (IPv4 nodes are 48 bytes), so they are freed in batches by a work
 * item that waits for readers once per batch.
 */
static LLIST_HEAD(node_graveyard);
/* the roots of whole tries cut off by vpnrt_trie_free(), freed alike */
static LLIST_HEAD(trie_graveyard);
/* unpublished jump tables (with their sub-tables) and lone sub-tables */
static LLIST_HEAD(jump_graveyard);
static LLIST_HEAD(sub_graveyard);

/*
 * Free the trie under @root, cut off a grace period ago: a stack of the
 * nodes still to free, linked through their free_link (their parent links
 * are no longer needed; the root's was its place in the graveyard, which
 * the caller has read past). No recursion, linear time.
 */
static void trie_destroy(struct vpnrt_node *root)
{
	struct llist_node *top = &root->free_link;
	unsigned long freed = 0;
	struct vpnrt_node *n, *c;
	unsigned int b;

	root->free_link.next = NULL;
	while (top) {
		n = llist_entry(top, struct vpnrt_node, free_link);
		top = top->next;
		for (b = 0; b < node_width(n); b++) {
			c = rcu_dereference_protected(vpnrt_node_child(n)[b], 1);
			if (c) {
				c->free_link.next = top;
				top = &c->free_link;
			}
		}
		node_free(n);
		if (!(++freed % 1024))
			cond_resched();
	}
}

/* free jump table @jt and the sub-tables its slots hold */
static void jump_destroy(struct vpnrt_jump *jt)
{
	struct vpnrt_jump_sub *sub;
	u32 j;

	for (j = 0; jt->subs && j < (1u << jt->bits); j++) {
		sub = vpnrt_jump_sub_of(rcu_dereference_protected(jt->slot[j], 1));
		if (sub)
			kmem_cache_free(sub_cache, sub);
		if (!(j % (16 * VPNRT_CHUNK)))
			cond_resched();
	}
	kvfree(jt);
}

static void node_reap(struct work_struct *work)
{
	struct llist_node *batch = llist_del_all(&node_graveyard);
	struct llist_node *tries = llist_del_all(&trie_graveyard);
	struct llist_node *jumps = llist_del_all(&jump_graveyard);
	struct llist_node *subs = llist_del_all(&sub_graveyard);
	struct vpnrt_jump_sub *sub, *stmp;
	struct vpnrt_jump *jt, *jtmp;
	struct vpnrt_node *n, *tmp;
	unsigned long freed = 0;

	if (!batch && !tries && !jumps && !subs)
		return;
	synchronize_rcu();
	llist_for_each_entry_safe(sub, stmp, subs, free_link) {
		kmem_cache_free(sub_cache, sub);
		if (!(++freed % VPNRT_CHUNK))
			cond_resched();
	}
	llist_for_each_entry_safe(jt, jtmp, jumps, free_link)
		jump_destroy(jt);
	/* a conn with a million routes leaves two million nodes here */
	llist_for_each_entry_safe(n, tmp, batch, free_link) {
		node_free(n);
		if (!(++freed % 1024))
			cond_resched();
	}
	llist_for_each_entry_safe(n, tmp, tries, free_link)
		trie_destroy(n);
}

static DECLARE_WORK(node_reap_work, node_reap);

/* free @head (of @graveyard), unlinked, once no reader can be inside it */
static void reap_later(struct llist_node *head, struct llist_head *graveyard)
{
	if (llist_add(head, graveyard))
		queue_work(system_unbound_wq, &node_reap_work);
}

/* free @n, unlinked from the trie, once no reader can be inside it */
static void node_free_rcu(struct vpnrt_node *n)
{
	reap_later(&n->free_link, &node_graveyard);
}

/**
 * vpnrt_trie_cache_init() - the trie nodes' caches
 *
 * Full IPv6 nodes are a cache line each; IPv4 nodes, the most numerous,
 * and leaves are not padded to one: a million prefixes take 32 MiB less
 * (and what lookups read of a full IPv4 node still crosses a line in
 * only one of four, of an IPv4 leaf never).
 *
 * Return: 0 or -ENOMEM
 */
int vpnrt_trie_cache_init(void)
{
	size_t align = __alignof__(struct vpnrt_node);

	BUILD_BUG_ON(VPNRT_NODE6_SIZE > L1_CACHE_BYTES);
	BUILD_BUG_ON(VPNRT_NODE4_SIZE != 48);
	BUILD_BUG_ON(VPNRT_NODE4_LEAF_SIZE != 32);
	BUILD_BUG_ON(VPNRT_NODE6_LEAF_SIZE != 48);
	BUILD_BUG_ON(VPNRT_NODE4_STRIDE_SIZE != 160);
	node4_cache = kmem_cache_create("vpnrt_node4", VPNRT_NODE4_SIZE, align,
					SLAB_ACCOUNT, NULL);
	leaf4_cache = kmem_cache_create("vpnrt_leaf4", VPNRT_NODE4_LEAF_SIZE,
					align, SLAB_ACCOUNT, NULL);
	node6_cache = kmem_cache_create("vpnrt_node6", VPNRT_NODE6_SIZE, align,
					SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT, NULL);
	leaf6_cache = kmem_cache_create("vpnrt_leaf6", VPNRT_NODE6_LEAF_SIZE,
					align, SLAB_ACCOUNT, NULL);
	stride4_cache = kmem_cache_create("vpnrt_stride4", VPNRT_NODE4_STRIDE_SIZE,
					  align, SLAB_ACCOUNT, NULL);
	sub_cache = KMEM_CACHE(vpnrt_jump_sub, SLAB_ACCOUNT);
	if (node4_cache && leaf4_cache && node6_cache && leaf6_cache &&
	    stride4_cache && sub_cache)
		return 0;
	kmem_cache_destroy(node4_cache);
	kmem_cache_destroy(leaf4_cache);
	kmem_cache_destroy(node6_cache);
	kmem_cache_destroy(leaf6_cache);
	kmem_cache_destroy(stride4_cache);
	kmem_cache_destroy(sub_cache);
	return -ENOMEM;
}

/**
 * vpnrt_trie_cache_exit() - destroy the trie nodes' cache, after every table
 * is gone
 */
void vpnrt_trie_cache_exit(void)
{
	flush_work(&node_reap_work);	/* every table is gone already */
	kmem_cache_destroy(node4_cache);
	kmem_cache_destroy(leaf4_cache);
	kmem_cache_destroy(node6_cache);
	kmem_cache_destroy(leaf6_cache);
	kmem_cache_destroy(stride4_cache);
	kmem_cache_destroy(sub_cache);
}

/**
 * vpnrt_table_init() - set up the empty tries of one family
 * @t: the table
 * @family: AF_INET or AF_INET6
 */
void vpnrt_table_init(struct vpnrt_table *t, int family)
{
	RCU_INIT_POINTER(t->dst.root, NULL);
	RCU_INIT_POINTER(t->dst.jump, NULL);
	RCU_INIT_POINTER(t->policy.root, NULL);
	RCU_INIT_POINTER(t->policy.jump, NULL);
	t->policy.n_shallow = 0;
	t->policy.n_short = 0;
	t->family = family;
	t->n_nodes = 0;
	t->n_policy_nodes = 0;
}

/* number of leading bits @a and @b share, at most @max */
static unsigned int common_bits(const union vpnrt_addr *a,
				const union vpnrt_addr *b, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < 4 && n < max; i++) {
		u32 x = ntohl(a->ip6.s6_addr32[i] ^ b->ip6.s6_addr32[i]);

		if (x) {
			n += __builtin_clz(x);
			break;
		}
		n += 32;
	}
	return min(n, max);
}

/* a new node of 1 << @bits children (none yet), a leaf for 0 */
static struct vpnrt_node *node_alloc(struct vpnrt_table *t,
				     const union vpnrt_addr *key, u8 cidr,
				     struct vpnrt_node *parent, unsigned int bits)
{
	struct vpnrt_node *n;

	n = kmem_cache_zalloc(node_cache(t->family, bits), VPNRT_GFP_ROUTE);
	if (!n)
		return NULL;
	if (t->family == AF_INET)
		n->key.ip = key->ip;	/* the only word it has */
	else
		n->key = *key;
	vpnrt_prefix_mask(t->family, &n->key, cidr);
	n->family = t->family;
	n->cidr = cidr;
	n->bits = bits;
	n->parent = parent;
	return n;
}

/* the pointer that holds @n: its parent's child slot or the root */
static struct vpnrt_node __rcu **node_link(struct vpnrt_trie *tr,
					   struct vpnrt_node *n)
{
	struct vpnrt_node *p = n->parent;

	if (!p)
		return &tr->root;
	return &vpnrt_node_child(p)[vpnrt_node_index(p, &n->key)];
}

/* ---- the IPv4 jump table ---- */

/*
 * What slot @j of a jump table of @bits must hold: the first node of @bits
 * or more on the walk of the addresses starting with j, if it and every
 * node above agree with j on their first (at most @bits) bits; else NULL.
 * A node is then only ever held by the slots inside its own prefix. The
 * walk starts at @n: the root, or a node all above which agree with j.
 */
static struct vpnrt_node *jump_walk(struct vpnrt_node *n, u32 j,
				    unsigned int bits)
{
	u32 a = j << (32 - bits);

	while (n) {
		unsigned int m = min_t(unsigned int, n->cidr, bits);

		if (m && ((ntohl(n->key.ip) ^ a) >> (32 - m)))
			return NULL;
		if (n->cidr >= bits)
			return n;
		n = n->bits ? child_of(n, vpnrt_node4_index(n, a)) : NULL;
	}
	return NULL;
}

static struct vpnrt_node *jump_target(struct vpnrt_trie *tr, u32 j,
				      unsigned int bits)
{
	return jump_walk(rtnl_dereference(tr->root), j, bits);
}

/*
 * Does slot @j's node @n of table @jt take a sub-table: a branch point
 * that a sub-table's deeper slots skip (jump_sub_target())? A stride
 * node is its own.
 */
static bool jump_wants_sub(const struct vpnrt_jump *jt, const struct vpnrt_node *n)
{
	return jt->subs && n && n->bits == 1 &&
	       n->cidr < jt->bits + VPNRT_JUMP_SUB_BITS &&
	       (child_of(n, 0) || child_of(n, 1));
}

/*
 * What sub-slot @k of slot @j, whose node is @n, must hold: the slot of a
 * table of VPNRT_JUMP_SUB_BITS more bits, else @n. Every node above @n
 * agrees with the slot, so the walk for the deeper slot can start at @n.
 */
static struct vpnrt_node *jump_sub_target(const struct vpnrt_jump *jt,
					  struct vpnrt_node *n, u32 j, u32 k)
{
	return jump_walk(n, j << VPNRT_JUMP_SUB_BITS | k,
			 jt->bits + VPNRT_JUMP_SUB_BITS) ?: n;
}

/*
 * The value of slot @j whose node is @n, for a new table or to replace
 * the slot's: @n, or a new sub-table for it (@n also without memory, as
 * exact, only slower).
 */
static struct vpnrt_node *jump_slot_value(const struct vpnrt_jump *jt,
					  struct vpnrt_node *n, u32 j)
{
	struct vpnrt_jump_sub *sub;
	u32 k;

	if (!jump_wants_sub(jt, n))
		return n;
	sub = kmem_cache_alloc(sub_cache, VPNRT_GFP_ROUTE);
	if (!sub)
		return n;
	sub->base = n;
	for (k = 0; k < VPNRT_JUMP_SUB_SLOTS; k++)
		RCU_INIT_POINTER(sub->slot[k], jump_sub_target(jt, n, j, k));
	return (struct vpnrt_node *)((unsigned long)sub | VPNRT_JUMP_SUB_TAG);
}

/*
 * Bring slot @j of @jt up to date after a change at @a/@len (@a in host
 * order) inside it. With its node and sub-table kept, only the sub-slot
 * of @a can change, and only if @len reaches it (the argument of
 * jump_refresh() one level down); otherwise the slot gets a new value
 * and its old sub-table, if any, goes after a grace period.
 */
static void jump_slot_refresh(struct vpnrt_trie *tr, struct vpnrt_jump *jt,
			      u32 j, u32 a, unsigned int len)
{
	struct vpnrt_node *n = jump_target(tr, j, jt->bits);
	struct vpnrt_node *cur = rtnl_dereference(jt->slot[j]);
	struct vpnrt_jump_sub *sub = vpnrt_jump_sub_of(cur);
	u32 k;

	if (sub && sub->base == n && jump_wants_sub(jt, n)) {
		if (len < jt->bits + VPNRT_JUMP_SUB_BITS)
			return;
		k = (a >> (32 - jt->bits - VPNRT_JUMP_SUB_BITS)) &
		    (VPNRT_JUMP_SUB_SLOTS - 1);
		rcu_assign_pointer(sub->slot[k], jump_sub_target(jt, n, j, k));
		return;
	}
	if (!sub && cur == n && !jump_wants_sub(jt, n))
		return;
	rcu_assign_pointer(jt->slot[j], jump_slot_value(jt, n, j));
	if (sub)
		reap_later(&sub->free_link, &sub_graveyard);
}

/*
 * The node for @key/@len came into the trie or left it: recompute the
 * slots whose value that changes. Only a node of @bits or more changes
 * any: it is (or stood in for its child as) the first of @bits or more
 * for the one slot of its first @bits bits. A shorter node agrees with
 * every slot of its prefix, so putting it into a walk or taking it out
 * leaves each walk going on to the same node below, and where there is
 * none, a walk found a mismatch or nothing before and finds nothing
 * after (a new branch point's new leaf is refreshed on its own). So one
 * slot per change, not 2^(@bits - @len): removing 100,000 /24s would
 * otherwise recompute about ten slots per route for the branch points
 * going with them. KUnit's vpnrt_trie_jump_check() checks every slot.
 */
static void jump_refresh(struct vpnrt_trie *tr, const union vpnrt_addr *key,
			 unsigned int len)
{
	struct vpnrt_jump *jt = rtnl_dereference(tr->jump);
	u32 j;

	if (!jt || len < jt->bits)
		return;
	j = ntohl(key->ip) >> (32 - jt->bits);
	jump_slot_refresh(tr, jt, j, ntohl(key->ip), len);
	/* the same argument, for the bitmap's slots */
	if (jt->map && len >= VPNRT_POLICY_MAP_BITS) {
		j = ntohl(key->ip) >> (32 - VPNRT_POLICY_MAP_BITS);
		assign_bit(j, jt->map, jump_target(tr, j, VPNRT_POLICY_MAP_BITS));
	}
}

/*
 * Fill the bitmap of @jt, whose slots are set: a bitmap slot can only be
 * set inside a jump slot that holds a node.
 */
static void map_fill(struct vpnrt_trie *tr, struct vpnrt_jump *jt)
{
	unsigned int shift = VPNRT_POLICY_MAP_BITS - jt->bits;
	u32 j, k, m;

	for (j = 0; j < (1u << jt->bits); j++) {
		if (!rcu_access_pointer(jt->slot[j]))
			continue;
		for (k = 0; k < (1u << shift); k++) {
			m = j << shift | k;
			if (jump_target(tr, m, VPNRT_POLICY_MAP_BITS))
				__set_bit(m, jt->map);
		}
	}
}

/*
 * Publish a jump table of @bits (0: none), with a bitmap if @map;
 * without memory, keep the old.
 */
static void jump_build(struct vpnrt_trie *tr, unsigned int bits, bool map)
{
	struct vpnrt_jump *old = rtnl_dereference(tr->jump), *jt = NULL;
	size_t size;
	u32 j;

	if (bits) {
		size = struct_size(jt, slot, 1u << bits);
		if (map)
			size = size_add(size, BITS_TO_LONGS(1u << VPNRT_POLICY_MAP_BITS) *
					      sizeof(unsigned long));
		jt = kvzalloc(size, VPNRT_GFP_ROUTE);
		if (!jt)
			return;
		jt->bits = bits;
		jt->subs = !map;
		for (j = 0; j < (1u << bits); j++)
			RCU_INIT_POINTER(jt->slot[j],
					 jump_slot_value(jt, jump_target(tr, j, bits), j));
		if (map) {
			jt->map = (unsigned long *)&jt->slot[1u << bits];
			map_fill(tr, jt);
		}
	}
	rcu_assign_pointer(tr->jump, jt);
	if (old)
		reap_later(&old->free_link, &jump_graveyard);
}

/**
 * vpnrt_trie_jump_build() - build and publish a jump table for @t
 * @t: an IPv4 table
 * @bits: its size, up to 20 bits (the tries have VPNRT_JUMP_BITS, KUnit
 *        tries others); 0 to have none
 *
 * For the destination trie. Without memory, the old table stays (it is as
 * exact as a new one).
 */
void vpnrt_trie_jump_build(struct vpnrt_table *t, unsigned int bits)
{
	jump_build(&t->dst, bits, false);
}

/*
 * The jump table's size for @prefixes prefixes, which had one of @bits:
 * IPv4 tries get a jump table as they grow, and lose it as they shrink
 * below a quarter of where they got it, so that a trie going up and down
 * around the threshold does not rebuild it every time.
 */
static unsigned int jump_bits_for(u32 prefixes, unsigned int bits)
{
	if (prefixes >= VPNRT_JUMP_MIN_NODES)
		return VPNRT_JUMP_BITS;
	if (bits && prefixes >= VPNRT_JUMP_MIN_NODES / 4)
		return VPNRT_JUMP_BITS;
	return 0;
}

/*
 * Resize the jump table of @tr, which is to have @prefixes prefixes:
 * called as a prefix goes in, which the caller counts only once it has
 * its route, and after one went out. A table that KUnit built of another
 * size goes too.
 */
static void jump_resize(struct vpnrt_table *t, struct vpnrt_trie *tr,
			u32 prefixes)
{
	struct vpnrt_jump *jt = rtnl_dereference(tr->jump);
	unsigned int bits = jt ? jt->bits : 0, want;

	if (t->family != AF_INET)
		return;
	want = jump_bits_for(prefixes, bits);
	if (want != bits)
		jump_build(tr, want, tr == &t->policy);
}

/* the routed nodes of @tr, as its owner counts them */
static u32 trie_prefixes(struct vpnrt_table *t, struct vpnrt_trie *tr)
{
	return tr == &t->dst ? t->n_nodes : t->n_policy_nodes;
}

/**
 * vpnrt_trie_jump_bits() - the size of @t's jump table
 * @t: a table
 *
 * Return: its bits, 0 if it has none.
 */
unsigned int vpnrt_trie_jump_bits(struct vpnrt_table *t)
{
	struct vpnrt_jump *jt = rtnl_dereference(t->dst.jump);

	return jt ? jt->bits : 0;
}

static unsigned int jump_check(struct vpnrt_trie *tr)
{
	struct vpnrt_jump *jt = rtnl_dereference(tr->jump);
	unsigned int bad = 0;
	u32 j;

	for (j = 0; jt && j < (1u << jt->bits); j++) {
		struct vpnrt_node *n = jump_target(tr, j, jt->bits);
		struct vpnrt_node *cur = rtnl_dereference(jt->slot[j]);
		struct vpnrt_jump_sub *sub = vpnrt_jump_sub_of(cur);
		u32 k;

		if (!sub) {
			bad += cur != n || jump_wants_sub(jt, n);
			continue;
		}
		bad += sub->base != n || !jump_wants_sub(jt, n);
		for (k = 0; k < VPNRT_JUMP_SUB_SLOTS; k++)
			bad += rtnl_dereference(sub->slot[k]) !=
			       jump_sub_target(jt, n, j, k);
	}
	/* bits under an empty slot (just checked) must be clear */
	for (j = 0; jt && jt->map && j < (1u << VPNRT_POLICY_MAP_BITS); j++)
		bad += test_bit(j, jt->map) !=
		       (rtnl_dereference(jt->slot[j >> (VPNRT_POLICY_MAP_BITS - jt->bits)]) &&
			jump_target(tr, j, VPNRT_POLICY_MAP_BITS));
	return bad;
}

/**
 * vpnrt_trie_jump_check() - check every slot of @t's jump tables, every
 * sub-table (where there must be one, and its slots) and the policy
 * table's bitmap (KUnit)
 * @t: a table
 *
 * Return: the number of slots that differ from what they must hold: 0
 * unless there is a bug.
 */
unsigned int vpnrt_trie_jump_check(struct vpnrt_table *t)
{
	return jump_check(&t->dst) + jump_check(&t->policy);
}

/**
 * vpnrt_trie_find() - the node of a prefix
 * @t: the table
 * @tr: its destination or policy trie
 * @key: the prefix, host bits clear
 * @cidr: its length
 *
 * Return: the node, which may be a branch point without routes, or NULL.
 */
struct vpnrt_node *vpnrt_trie_find(struct vpnrt_table *t, struct vpnrt_trie *tr,
				   const union vpnrt_addr *key, u8 cidr)
{
	struct vpnrt_node *n = rtnl_dereference(tr->root);

	while (n && n->cidr <= cidr && vpnrt_node_matches(n, key)) {
		if (n->cidr == cidr)
			return n;
		n = child_to(n, key);
	}
	return NULL;
}

/* what goes with a change of @tr at @key/@len: its jump slot */
static void trie_changed(struct vpnrt_table *t, struct vpnrt_trie *tr,
			 const union vpnrt_addr *key, unsigned int len)
{
	jump_refresh(tr, key, len);
}

/* a prefix is coming into @tr: the jump table may grow */
static void trie_grows(struct vpnrt_table *t, struct vpnrt_trie *tr)
{
	jump_resize(t, tr, trie_prefixes(t, tr) + 1);
}

/* @n takes the routes of @old, which it replaces; each route's ->node follows */
static void node_take_routes(struct vpnrt_node *n, struct vpnrt_node *old)
{
	struct vpnrt_route *r;

	RCU_INIT_POINTER(n->routes, rtnl_dereference(old->routes));
	RCU_INIT_POINTER(n->solo, rtnl_dereference(old->solo));
	for (r = rtnl_dereference(n->routes); r; r = rtnl_dereference(r->next))
		WRITE_ONCE(r->node, n);	/* read under RCU too */
}

/*
 * Replace @old, which has no children, by a copy of 1 << @bits children
 * (none yet), a leaf for 0: a leaf that is to get a child, a prefix that
 * lost its last one. The copy takes @old's routes, its place under its
 * parent and in the jump slots; readers inside @old go on with its routes
 * until it is freed, after a grace period.
 *
 * Return: the copy, or NULL without memory (@old stays)
 */
static struct vpnrt_node *node_replace(struct vpnrt_table *t,
				       struct vpnrt_trie *tr,
				       struct vpnrt_node *old, unsigned int bits)
{
	struct vpnrt_node *n;

	n = node_alloc(t, &old->key, old->cidr, old->parent, bits);
	if (!n)
		return NULL;
	node_take_routes(n, old);
	rcu_assign_pointer(*node_link(tr, old), n);
	trie_changed(t, tr, &n->key, n->cidr);
	node_free_rcu(old);
	return n;
}

/* ---- stride nodes ---- */

/* the shortest prefix a stride node's child may have: a /24 */
#define STRIDE_BELOW	(VPNRT_STRIDE_CIDR + VPNRT_STRIDE_BITS)

/* does @tr have stride nodes: an IPv4 destination trie */
static bool stride_trie(const struct vpnrt_table *t, const struct vpnrt_trie *tr)
{
	return t->family == AF_INET && tr == &t->dst;
}

/* what stride_split() builds, at most: the full node and the branch points */
#define STRIDE_SPLIT_MAX	BIT(VPNRT_STRIDE_BITS)

struct stride_split {
	struct vpnrt_node *made[STRIDE_SPLIT_MAX];
	unsigned int n_made;
	bool nomem;
};

/*
 * The binary trie of the @width children of stride node @s from child
 * @lo (@width a power of two, @lo a multiple): none (NULL), the one
 * child, or a new branch point above the two halves' tries, noted in
 * @sp. Recursion four deep at most.
 */
static struct vpnrt_node *stride_range(struct vpnrt_table *t,
				       struct vpnrt_node *s, unsigned int lo,
				       unsigned int width, struct stride_split *sp)
{
	struct vpnrt_node *c0, *c1, *br;
	union vpnrt_addr key = {};
	unsigned int cidr;

	if (width == 1)
		return child_of(s, lo);
	c0 = stride_range(t, s, lo, width / 2, sp);
	c1 = stride_range(t, s, lo + width / 2, width / 2, sp);
	if (!c0 || !c1)
		return c0 ?: c1;
	cidr = s->cidr + s->bits - ilog2(width);
	key.ip = htonl(ntohl(s->key.ip) | lo << (32 - s->cidr - s->bits));
	br = node_alloc(t, &key, cidr, NULL, 1);
	if (!br) {
		sp->nomem = true;
		return c0;
	}
	RCU_INIT_POINTER(vpnrt_node_child(br)[0], c0);
	RCU_INIT_POINTER(vpnrt_node_child(br)[1], c1);
	sp->made[sp->n_made++] = br;
	return br;
}

/*
 * Replace stride node @s by binary nodes: a full node at its prefix if it
 * has routes (it takes them), and the branch points its children need. A
 * prefix is to go between @s and its children. Everything is built before
 * one pointer publishes it; readers inside @s go on through its children,
 * unchanged, until it is freed after a grace period.
 *
 * Return: what now stands where @s stood, or NULL without memory (@s
 * stays, nothing changed)
 */
static struct vpnrt_node *stride_split(struct vpnrt_table *t,
				       struct vpnrt_trie *tr, struct vpnrt_node *s)
{
	bool routed = rcu_access_pointer(s->routes);
	unsigned int half = BIT(s->bits) / 2, i, b;
	struct stride_split sp = {};
	struct vpnrt_node *top, *c;

	if (routed) {
		top = node_alloc(t, &s->key, s->cidr, NULL, 1);
		if (!top)
			return NULL;
		RCU_INIT_POINTER(vpnrt_node_child(top)[0],
				 stride_range(t, s, 0, half, &sp));
		RCU_INIT_POINTER(vpnrt_node_child(top)[1],
				 stride_range(t, s, half, half, &sp));
		sp.made[sp.n_made++] = top;
	} else {
		top = stride_range(t, s, 0, 2 * half, &sp);
	}
	if (sp.nomem) {
		for (i = 0; i < sp.n_made; i++)
			node_free(sp.made[i]);
		return NULL;
	}
	/* every node is published: the parent links, RTNL's alone, follow */
	top->parent = s->parent;
	for (i = 0; i < sp.n_made; i++) {
		for (b = 0; b < 2; b++) {
			c = child_of(sp.made[i], b);
			if (c)
				c->parent = sp.made[i];
		}
	}
	if (routed)
		node_take_routes(top, s);
	rcu_assign_pointer(*node_link(tr, s), top);
	trie_changed(t, tr, &s->key, s->cidr);
	node_free_rcu(s);
	return top;
}

/* which child of a stride node above it @key goes to */
static unsigned int stride_slot(const union vpnrt_addr *key)
{
	return (ntohl(key->ip) >> (32 - STRIDE_BELOW)) &
	       (BIT(VPNRT_STRIDE_BITS) - 1);
}

/* what lies below the top binary node of a /20, down to the /24s */
struct stride_region {
	struct vpnrt_node *slot[BIT(VPNRT_STRIDE_BITS)];	/* /24s and longer */
	struct vpnrt_node *inner[BIT(VPNRT_STRIDE_BITS)];	/* branch points */
	unsigned int n_slots, n_inner;
};

/*
 * The nodes below @n, the top binary node of a /20, in @sr: the first
 * /24 or longer of each /24, and the branch points above them.
 *
 * Return: false if a prefix with routes lies between (a /21../23).
 */
static bool stride_region(const struct vpnrt_node *n, struct stride_region *sr)
{
	unsigned int top = 0, b;
	const struct vpnrt_node *todo[BIT(VPNRT_STRIDE_BITS)];
	struct vpnrt_node *c;

	memset(sr, 0, sizeof(*sr));
	todo[top++] = n;
	while (top) {
		n = todo[--top];
		for (b = 0; b < 2; b++) {
			c = child_of(n, b);
			if (!c)
				continue;
			if (c->cidr >= STRIDE_BELOW) {
				sr->slot[stride_slot(&c->key)] = c;
				sr->n_slots++;
				continue;
			}
			if (rcu_access_pointer(c->routes))
				return false;
			/* a branch point: two children, fourteen at most */
			sr->inner[sr->n_inner++] = c;
			todo[top++] = c;
		}
	}
	return true;
}

/*
 * On the way of a new prefix of @cidr bits at @key, is binary node @n to
 * become a stride node (stride_merge())? In IPv4 destination tries, if
 * @n is the top node of a /20 (the /20 itself, or a branch point below
 * it whose parent is above it), the new prefix a /24 or longer, nothing
 * with routes lies between, and the /20 then has VPNRT_STRIDE_MIN /24s
 * with something in them: from there a stride node (160 bytes) costs
 * less than their branch points (48 bytes each, one fewer than the /24s)
 * or little more, and a lookup reads one node where it read two or more.
 */
static bool stride_fits(struct vpnrt_table *t, struct vpnrt_trie *tr,
			const struct vpnrt_node *n, const union vpnrt_addr *key,
			u8 cidr, struct stride_region *sr)
{
	return stride_trie(t, tr) && n->bits == 1 && cidr >= STRIDE_BELOW &&
	       n->cidr >= VPNRT_STRIDE_CIDR && n->cidr < STRIDE_BELOW &&
	       (!n->parent || n->parent->cidr < VPNRT_STRIDE_CIDR) &&
	       (n->cidr == VPNRT_STRIDE_CIDR || !rcu_access_pointer(n->routes)) &&
	       stride_region(n, sr) &&
	       sr->n_slots + !sr->slot[stride_slot(key)] >= VPNRT_STRIDE_MIN;
}

/*
 * Replace @n, the top binary node of a /20, and the branch points below
 * it, by a stride node at the /20 whose children are the /24s and longer
 * of @sr; it takes @n's routes (those of the /20, if @n is it). Built
 * whole before one pointer publishes it; readers inside the old nodes go
 * on to the same children until they are freed, after a grace period.
 *
 * Return: the stride node, or NULL without memory (@n stays, as exact)
 */
static struct vpnrt_node *stride_merge(struct vpnrt_table *t,
				       struct vpnrt_trie *tr, struct vpnrt_node *n,
				       const struct stride_region *sr)
{
	struct vpnrt_node *s;
	unsigned int k;

	s = node_alloc(t, &n->key, VPNRT_STRIDE_CIDR, n->parent, VPNRT_STRIDE_BITS);
	if (!s)
		return NULL;
	for (k = 0; k < BIT(VPNRT_STRIDE_BITS); k++) {
		if (!sr->slot[k])
			continue;
		RCU_INIT_POINTER(vpnrt_node_child(s)[k], sr->slot[k]);
		sr->slot[k]->parent = s;	/* RTNL's alone */
	}
	node_take_routes(s, n);
	rcu_assign_pointer(*node_link(tr, n), s);
	trie_changed(t, tr, &s->key, s->cidr);
	for (k = 0; k < sr->n_inner; k++)
		node_free_rcu(sr->inner[k]);
	node_free_rcu(n);
	return s;
}

/**
 * vpnrt_trie_insert() - find or create the node of a prefix
 * @t: the table
 * @tr: its destination or policy trie
 * @key: the prefix, host bits clear
 * @cidr: its length
 *
 * New nodes are fully built before they are published, so a reader sees
 * either the old trie or the new one. A new prefix without children is a
 * leaf; a leaf on the way down to a longer new prefix is replaced by a
 * full node first, a stride node above a new prefix that is to go
 * between it and its children by binary nodes, and the binary top of a
 * /20 that is to be a stride node by one (stride_fits()). The caller
 * hangs a route off the node (and counts a new destination prefix in
 * @t->n_nodes).
 *
 * Return: the node, or NULL without memory.
 */
struct vpnrt_node *vpnrt_trie_insert(struct vpnrt_table *t,
				     struct vpnrt_trie *tr,
				     const union vpnrt_addr *key, u8 cidr)
{
	struct vpnrt_node __rcu **link = &tr->root;
	struct vpnrt_node *parent = NULL, *n, *nn, *branch;
	struct stride_region sr;
	unsigned int common = 0;

	while ((n = rtnl_dereference(*link))) {
		common = common_bits(&n->key, key, min(n->cidr, cidr));
		if (common < n->cidr)
			break;
		if (n->cidr == cidr) {
			/* a branch point becomes a prefix */
			if (!rcu_access_pointer(n->routes))
				trie_grows(t, tr);
			return n;
		}
		if (!n->bits) {
			/* without memory, no harm: a full node is a leaf's equal */
			n = node_replace(t, tr, n, 1);
			if (!n)
				return NULL;
		} else if (cidr < n->cidr + n->bits) {
			/* into a stride: binary nodes first, then look again */
			if (!stride_split(t, tr, n))
				return NULL;
			continue;
		} else if (stride_fits(t, tr, n, key, cidr, &sr)) {
			/* without memory, it stays binary: as exact */
			n = stride_merge(t, tr, n, &sr) ?: n;
		}
		parent = n;
		link = &vpnrt_node_child(n)[vpnrt_node_index(n, key)];
	}

	/* a leaf unless it goes above n */
	nn = node_alloc(t, key, cidr, parent, n && common == cidr);
	if (!nn)
		return NULL;
	if (!n)
		goto publish;

	if (common == cidr) {
		/* the new prefix contains n: it goes between parent and n */
		RCU_INIT_POINTER(vpnrt_node_child(nn)[vpnrt_node_index(nn, &n->key)], n);
		n->parent = nn;
		goto publish;
	}

	/* they part at bit @common: a branch point takes both */
	branch = node_alloc(t, key, common, parent, 1);
	if (!branch) {
		node_free(nn);
		return NULL;
	}
	RCU_INIT_POINTER(vpnrt_node_child(branch)[vpnrt_node_index(branch, key)], nn);
	RCU_INIT_POINTER(vpnrt_node_child(branch)[vpnrt_node_index(branch, &n->key)], n);
	nn->parent = branch;
	n->parent = branch;
	rcu_assign_pointer(*link, branch);
	trie_changed(t, tr, &branch->key, branch->cidr);
	trie_changed(t, tr, &nn->key, nn->cidr);
	trie_grows(t, tr);
	return nn;

publish:
	rcu_assign_pointer(*link, nn);
	trie_changed(t, tr, &nn->key, nn->cidr);
	trie_grows(t, tr);
	return nn;
}

/*
 * Take out @n and the branch points it leaves with one child; a prefix
 * left without children becomes a leaf. The one child of a node taken
 * out takes its place: it is inside the node's prefix, so inside the
 * parent's part the node held (a stride node's children are /24s and
 * longer: any part of a node above the /20 holds them).
 */
static void trie_unlink(struct vpnrt_table *t, struct vpnrt_trie *tr,
			struct vpnrt_node *n)
{
	struct vpnrt_node *child, *parent, *other;

	for (;;) {
		parent = n->parent;
		if (node_children(n, &child) > 1)
			return;
		if (child)
			child->parent = parent;
		rcu_assign_pointer(*node_link(tr, n), child);
		trie_changed(t, tr, &n->key, n->cidr);
		node_free_rcu(n);
		if (!parent)
			return;
		if (rcu_access_pointer(parent->routes)) {
			/* without memory it stays as it is, as exact */
			if (!node_children(parent, &other))
				node_replace(t, tr, parent, 0);
			return;
		}
		n = parent;
	}
}

/**
 * vpnrt_trie_remove() - take out a node that no longer carries routes
 * @t: the table
 * @tr: its destination or policy trie
 * @n: the node
 *
 * Any branch point left with a single child goes too. Readers inside a
 * removed node still find their way down through its (unchanged)
 * children until the grace period ends and it is freed. The caller has
 * uncounted the prefix (@t->n_nodes, @t->n_policy_nodes): the jump table
 * may shrink (if that fails for want of memory, the old one stays).
 */
void vpnrt_trie_remove(struct vpnrt_table *t, struct vpnrt_trie *tr,
		       struct vpnrt_node *n)
{
	trie_unlink(t, tr, n);
	jump_resize(t, tr, trie_prefixes(t, tr));
}

/*
 * Empty @tr in O(1): cut it off, and free it whole after a grace period
 * (trie_destroy(), by a work item); the nodes' route lists are not read.
 */
static void trie_free(struct vpnrt_trie *tr)
{
	struct vpnrt_node *n = rtnl_dereference(tr->root);
	struct vpnrt_jump *jt = rtnl_dereference(tr->jump);

	RCU_INIT_POINTER(tr->root, NULL);
	if (jt) {
		RCU_INIT_POINTER(tr->jump, NULL);
		reap_later(&jt->free_link, &jump_graveyard);
	}
	if (n)
		reap_later(&n->free_link, &trie_graveyard);
}

/**
 * vpnrt_trie_free() - empty both tries of @t in O(1): they are cut off
 * and freed whole after a grace period, with their jump tables
 * @t: the table; its routes are the caller's to free
 */
void vpnrt_trie_free(struct vpnrt_table *t)
{
	trie_free(&t->dst);
	trie_free(&t->policy);
	WRITE_ONCE(t->policy.n_shallow, 0);
	WRITE_ONCE(t->policy.n_short, 0);
	t->n_nodes = 0;
	t->n_policy_nodes = 0;
}
