// SPDX-License-Identifier: GPL-2.0
/*
 * The destination trie: a path-compressed binary trie of prefixes, one per
 * family and gateway. Writers hold RTNL; the decision procedure walks it
 * under RCU without locks. Nodes that carry no route exist only as branch
 * points with two children, and are removed as soon as they have fewer.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "trie.h"

static struct kmem_cache *node_cache;

/*
 * Unlinked nodes wait here for a grace period. A node has no room for an
 * rcu_head (it is one cache line), so they are freed in batches by a work
 * item that waits for readers once per batch.
 */
static LLIST_HEAD(node_graveyard);
/* the roots of whole tries cut off by vpnrt_trie_free(), freed alike */
static LLIST_HEAD(trie_graveyard);

/*
 * Free the trie under @n, whose parent links are gone (the root's is its
 * free_link): rotate left children up until a node has none, free it and
 * go right. No stack, no recursion, linear time.
 */
static void trie_destroy(struct vpnrt_node *n)
{
	unsigned long freed = 0;

	while (n) {
		struct vpnrt_node *l = rcu_dereference_protected(n->child[0], 1);

		if (l) {
			RCU_INIT_POINTER(n->child[0],
					 rcu_dereference_protected(l->child[1], 1));
			RCU_INIT_POINTER(l->child[1], n);
			n = l;
			continue;
		}
		l = rcu_dereference_protected(n->child[1], 1);
		kmem_cache_free(node_cache, n);
		n = l;
		if (!(++freed % 1024))
			cond_resched();
	}
}

static void node_reap(struct work_struct *work)
{
	struct llist_node *batch = llist_del_all(&node_graveyard);
	struct llist_node *tries = llist_del_all(&trie_graveyard);
	struct vpnrt_node *n, *tmp;

	if (!batch && !tries)
		return;
	synchronize_rcu();
	llist_for_each_entry_safe(n, tmp, batch, free_link)
		kmem_cache_free(node_cache, n);
	llist_for_each_entry_safe(n, tmp, tries, free_link)
		trie_destroy(n);
}

static DECLARE_WORK(node_reap_work, node_reap);

/* free @n, unlinked from the trie, once no reader can be inside it */
static void node_free_rcu(struct vpnrt_node *n)
{
	if (llist_add(&n->free_link, &node_graveyard))
		queue_work(system_unbound_wq, &node_reap_work);
}

int vpnrt_trie_cache_init(void)
{
	BUILD_BUG_ON(sizeof(struct vpnrt_node) > L1_CACHE_BYTES);
	node_cache = KMEM_CACHE(vpnrt_node, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT);
	return node_cache ? 0 : -ENOMEM;
}

void vpnrt_trie_cache_exit(void)
{
	flush_work(&node_reap_work);	/* every table is gone already */
	kmem_cache_destroy(node_cache);
}

void vpnrt_table_init(struct vpnrt_table *t, int family)
{
	RCU_INIT_POINTER(t->root, NULL);
	RCU_INIT_POINTER(t->jump, NULL);
	INIT_HLIST_HEAD(&t->policy);
	t->family = family;
	t->n_nodes = 0;
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

static struct vpnrt_node *node_alloc(struct vpnrt_table *t,
				     const union vpnrt_addr *key, u8 cidr,
				     struct vpnrt_node *parent)
{
	struct vpnrt_node *n = kmem_cache_zalloc(node_cache, VPNRT_GFP_ROUTE);

	if (!n)
		return NULL;
	n->key = *key;
	vpnrt_prefix_mask(t->family, &n->key, cidr);
	n->cidr = cidr;
	n->parent = parent;
	INIT_HLIST_HEAD(&n->routes);
	return n;
}

/* the pointer that holds @n: its parent's child slot or the root */
static struct vpnrt_node __rcu **node_link(struct vpnrt_table *t,
					   struct vpnrt_node *n)
{
	struct vpnrt_node *p = n->parent;

	if (!p)
		return &t->root;
	return &p->child[rtnl_dereference(p->child[1]) == n];
}

/* ---- the IPv4 jump table ---- */

/*
 * What slot @j of a jump table of @bits must hold: the first node of @bits
 * or more on the walk of the addresses starting with j, if it and every
 * node above agree with j on their first (at most @bits) bits; else NULL.
 * A node is then only ever held by the slots inside its own prefix.
 */
static struct vpnrt_node *jump_target(struct vpnrt_table *t, u32 j,
				      unsigned int bits)
{
	u32 a = j << (32 - bits);
	struct vpnrt_node *n = rtnl_dereference(t->root);

	while (n) {
		unsigned int m = min_t(unsigned int, n->cidr, bits);

		if (m && ((ntohl(n->key.ip) ^ a) >> (32 - m)))
			return NULL;
		if (n->cidr >= bits)
			return n;
		n = rtnl_dereference(n->child[(a >> (31 - n->cidr)) & 1]);
	}
	return NULL;
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
static void jump_refresh(struct vpnrt_table *t, const union vpnrt_addr *key,
			 unsigned int len)
{
	struct vpnrt_jump *jt = rtnl_dereference(t->jump);
	u32 j;

	if (!jt || len < jt->bits)
		return;
	j = ntohl(key->ip) >> (32 - jt->bits);
	rcu_assign_pointer(jt->slot[j], jump_target(t, j, jt->bits));
}

/* build and publish a jump table of @bits; without memory, keep the old */
void vpnrt_trie_jump_build(struct vpnrt_table *t, unsigned int bits)
{
	struct vpnrt_jump *old = rtnl_dereference(t->jump), *jt;
	u32 j;

	jt = kvzalloc(struct_size(jt, slot, 1u << bits), VPNRT_GFP_ROUTE);
	if (!jt)
		return;
	jt->bits = bits;
	for (j = 0; j < (1u << bits); j++)
		RCU_INIT_POINTER(jt->slot[j], jump_target(t, j, bits));
	rcu_assign_pointer(t->jump, jt);
	if (old)
		kvfree_rcu(old, rcu);
}

/*
 * IPv4 tables get a jump table as they grow. Called as a prefix goes in,
 * which the caller counts in n_nodes only once it has its route.
 */
static void jump_maybe_build(struct vpnrt_table *t)
{
	struct vpnrt_jump *jt = rtnl_dereference(t->jump);
	u32 prefixes = t->n_nodes + 1;

	if (t->family != AF_INET)
		return;
	if (!jt && prefixes >= VPNRT_JUMP_MIN_NODES)
		vpnrt_trie_jump_build(t, 16);
	else if (jt && jt->bits < 20 && prefixes >= VPNRT_JUMP_BIG_NODES)
		vpnrt_trie_jump_build(t, 20);
}

/* slots that differ from what they must hold: 0 unless there is a bug */
unsigned int vpnrt_trie_jump_check(struct vpnrt_table *t)
{
	struct vpnrt_jump *jt = rtnl_dereference(t->jump);
	unsigned int bad = 0;
	u32 j;

	for (j = 0; jt && j < (1u << jt->bits); j++)
		bad += rtnl_dereference(jt->slot[j]) != jump_target(t, j, jt->bits);
	return bad;
}

struct vpnrt_node *vpnrt_trie_find(struct vpnrt_table *t,
				   const union vpnrt_addr *key, u8 cidr)
{
	struct vpnrt_node *n = rtnl_dereference(t->root);

	while (n && n->cidr <= cidr && vpnrt_node_matches(n, key)) {
		if (n->cidr == cidr)
			return n;
		n = rtnl_dereference(n->child[vpnrt_key_bit(key, n->cidr)]);
	}
	return NULL;
}

/*
 * Find or create the node for @key/@cidr (host bits of @key clear).
 * New nodes are fully built before they are published, so a reader sees
 * either the old trie or the new one.
 */
struct vpnrt_node *vpnrt_trie_insert(struct vpnrt_table *t,
				     const union vpnrt_addr *key, u8 cidr)
{
	struct vpnrt_node __rcu **link = &t->root;
	struct vpnrt_node *parent = NULL, *n, *nn, *branch;
	unsigned int common = 0;

	while ((n = rtnl_dereference(*link))) {
		common = common_bits(&n->key, key, min(n->cidr, cidr));
		if (common < n->cidr)
			break;
		if (n->cidr == cidr) {
			/* a branch point becomes a prefix */
			if (hlist_empty(&n->routes))
				jump_maybe_build(t);
			return n;
		}
		parent = n;
		link = &n->child[vpnrt_key_bit(key, n->cidr)];
	}

	nn = node_alloc(t, key, cidr, parent);
	if (!nn)
		return NULL;
	if (!n)
		goto publish;

	if (common == cidr) {
		/* the new prefix contains n: it goes between parent and n */
		RCU_INIT_POINTER(nn->child[vpnrt_key_bit(&n->key, cidr)], n);
		n->parent = nn;
		goto publish;
	}

	/* they part at bit @common: a branch point takes both */
	branch = node_alloc(t, key, common, parent);
	if (!branch) {
		kmem_cache_free(node_cache, nn);
		return NULL;
	}
	RCU_INIT_POINTER(branch->child[vpnrt_key_bit(key, common)], nn);
	RCU_INIT_POINTER(branch->child[vpnrt_key_bit(&n->key, common)], n);
	nn->parent = branch;
	n->parent = branch;
	rcu_assign_pointer(*link, branch);
	jump_refresh(t, &branch->key, branch->cidr);
	jump_refresh(t, &nn->key, nn->cidr);
	jump_maybe_build(t);
	return nn;

publish:
	rcu_assign_pointer(*link, nn);
	jump_refresh(t, &nn->key, nn->cidr);
	jump_maybe_build(t);
	return nn;
}

/*
 * Take out @n, which no longer carries routes, and any branch point that
 * is left with a single child. Readers inside a removed node still find
 * their way down through its (unchanged) children until the grace period
 * ends and it is freed.
 */
void vpnrt_trie_remove(struct vpnrt_table *t, struct vpnrt_node *n)
{
	for (;;) {
		struct vpnrt_node *c0 = rtnl_dereference(n->child[0]);
		struct vpnrt_node *c1 = rtnl_dereference(n->child[1]);
		struct vpnrt_node *child = c0 ? c0 : c1;
		struct vpnrt_node *parent = n->parent;

		if (c0 && c1)
			return;
		if (child)
			child->parent = parent;
		rcu_assign_pointer(*node_link(t, n), child);
		jump_refresh(t, &n->key, n->cidr);
		node_free_rcu(n);
		if (!parent || !hlist_empty(&parent->routes))
			return;
		n = parent;
	}
}

/**
 * vpnrt_trie_free() - empty @t in O(1): the trie is cut off and freed
 * whole after a grace period, by a work item
 * @t: its routes are the caller's to free (the nodes' lists are not read)
 */
void vpnrt_trie_free(struct vpnrt_table *t)
{
	struct vpnrt_node *n = rtnl_dereference(t->root);
	struct vpnrt_jump *jt = rtnl_dereference(t->jump);

	RCU_INIT_POINTER(t->root, NULL);
	t->n_nodes = 0;
	if (jt) {
		RCU_INIT_POINTER(t->jump, NULL);
		kvfree_rcu(jt, rcu);
	}
	if (n && llist_add(&n->free_link, &trie_graveyard))
		queue_work(system_unbound_wq, &node_reap_work);
}
