/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrt: module-wide types.
 *
 * Locking: every configuration change (gateways, connections, routes)
 * runs under RTNL. The transmit path and lookups read under RCU only.
 * Usability of a path is a few bits in the connection and its tunnels,
 * read with READ_ONCE() by the decision procedure; failover flips those
 * bits and touches no route.
 */
#ifndef _VPNRT_H
#define _VPNRT_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rculist.h>
#include <linux/netdevice.h>
#include <linux/siphash.h>
#include <linux/hashtable.h>
#include <linux/xarray.h>
#include <linux/u64_stats_sync.h>
#include <linux/vpnrt.h>

#include "compat.h"

/* An IPv4 or IPv6 address in network byte order; IPv4 in the first word. */
union vpnrt_addr {
	__be32 ip;
	struct in6_addr ip6;
	u8 bytes[16];
};

unsigned int vpnrt_addr_bits(int family);
bool vpnrt_prefix_valid(int family, const union vpnrt_addr *addr, u8 plen);
void vpnrt_prefix_mask(int family, union vpnrt_addr *addr, u8 plen);
bool vpnrt_prefix_match(int family, const union vpnrt_addr *prefix, u8 plen,
			const union vpnrt_addr *addr);

/* ---- connections and tunnels ---- */

struct vpnrt_tstats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t errors;
	struct u64_stats_sync syncp;
};

struct vpnrt_conn;
struct vpnrt_health;

/* a tunnel's health check, as configured */
struct vpnrt_health_cfg {
	u16 family;
	u8 policy;			/* enum vpnrt_health_policy */
	u32 interval_ms, retries, rise;
	union vpnrt_addr dst, src;
	u32 timeout_ms;
};

struct vpnrt_tunnel {
	struct net_device __rcu *dev;	/* NULL once the device is gone */
	netdevice_tracker dev_tracker;
	struct hlist_node dev_link;	/* vpnrt_net->tunnels while it has
					 * a device, RTNL
					 */
	struct vpnrt_conn *conn;	/* the conn it belongs to */
	int ifindex;			/* as configured, kept for reports */
	char ifname[IFNAMSIZ];		/* last known name */
	unsigned long down;		/* VPNRT_DOWN_{IKE,NO_DEVICE,LINK,
					 * HEALTH}, atomic bit operations
					 */
	struct vpnrt_tstats __percpu *stats;
	struct vpnrt_health *health;	/* its prober, or NULL; RTNL */
	/* the check configured, kept while the device is gone; RTNL */
	bool health_on;
	struct vpnrt_health_cfg health_cfg;
	/* the receive handler (rx.c) */
	struct vpnrt_health __rcu *rx_health;	/* @health once started */
	struct net_device *rx_dev;	/* the device it is on, or NULL; RTNL */
	bool rx_closing;		/* rx_dev's handler unpublished, a grace
					 * period to go; RTNL
					 */
};

struct vpnrt_gw;

struct vpnrt_conn {
	struct list_head gw_link;	/* gw->conns, RTNL */
	struct hlist_node name_link;	/* vpnrt_net->conn_names, RTNL */
	struct list_head routes;	/* its routes (route->conn_link), RTNL */
	u32 route_seq;			/* the last route's seq, RTNL */
	u32 route_epoch;		/* bumped when seqs are renumbered */
	struct vpnrt_gw *gw;
	char name[VPNRT_CONN_NAME_MAX];
	u32 id;
	u8 mode;			/* enum vpnrt_conn_mode */
	u8 routing;			/* enum vpnrt_routing_mode */
	u8 n_tunnels;
	u8 owner;			/* enum vpnrt_owner, fixed */
	bool ike_managed;
	unsigned long down;		/* VPNRT_DOWN_ADMIN, atomic bitops, and
					 * VPNRT_DOWN_IKE while every tunnel
					 * has it (vpnrt_conn_ike_sync())
					 */
	struct vpnrt_tunnel tun[VPNRT_MAX_TUNNELS];
	/* flow protection */
	u16 fp_family;
	u8 local_len, peer_len;
	union vpnrt_addr local, peer;
	/* route counts by proto, RTNL */
	u32 n_static, n_policy, n_bgp;
	struct llist_node free_link;	/* deleted: waits for its grace
					 * period with its routes (route.c)
					 */
};

static inline bool vpnrt_tunnel_usable(const struct vpnrt_tunnel *t)
{
	return !READ_ONCE(t->down);
}

/* no reason of its own to be down; its tunnels are judged apart */
static inline bool vpnrt_conn_usable(const struct vpnrt_conn *c)
{
	return !READ_ONCE(c->down);
}

/* usable, with a usable tunnel: it can carry traffic now */
static inline bool vpnrt_conn_carries(const struct vpnrt_conn *c)
{
	unsigned int i;

	if (!vpnrt_conn_usable(c))
		return false;
	for (i = 0; i < c->n_tunnels; i++)
		if (vpnrt_tunnel_usable(&c->tun[i]))
			return true;
	return false;
}

/* the highest each gateway quota may be set to (GW_MAX_CONNS ...) */
#define VPNRT_GW_MAX_CONNS		4096
#define VPNRT_GW_MAX_BGP_ROUTES		1000000	/* and per peer */
#define VPNRT_GW_MAX_POLICY_ROUTES	100000
#define VPNRT_GW_MAX_STATIC_ROUTES	16777216

/* ---- routes ---- */

/*
 * Long loops under RTNL (batches, flushes, sweeps) and the frees after a
 * deletion yield the CPU every VPNRT_CHUNK objects.
 */
#define VPNRT_CHUNK	1024

/*
 * What route requests allocate (routes, trie nodes, jump tables, the
 * request's own arrays): charged to the caller's memory cgroup, and a
 * request over its limit fails with -ENOMEM (all of its batch undone)
 * instead of OOM-killing in the cgroup. Every allocation of the path
 * needs it: one without __GFP_RETRY_MAYFAIL that meets the limit first
 * has the memory cgroup's OOM killer kill the caller.
 */
#define VPNRT_GFP_ROUTE	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

/*
 * One route: a (prefix, connection, proto). Every route hangs off the trie
 * node of its destination prefix, sorted: static and BGP routes by rank in
 * the table's destination trie, policy routes by priority in its policy
 * trie. Routes are never changed in place: a replaced route is a new
 * object, linked beside the old one, which is unlinked one grace period
 * later (vpnrt_route_set()). Only the stale mark, which lookups do not
 * read, changes in place.
 *
 * A node's routes are a singly linked RCU list (a prefix has one to a
 * few routes): writers find a route's predecessor from the node's head;
 * an unlinked route keeps its @next, so a reader inside it goes on along
 * the list, and it is freed after a grace period. 56 bytes, unpadded
 * (route.c): what lookups read (@next to @flags, 24 bytes) lies in one
 * cache line in six of eight objects.
 */
struct vpnrt_route {
	/* what lookups read, first */
	struct vpnrt_route __rcu *next;	/* node->routes, RCU */
	struct vpnrt_conn *conn;
	u32 pref;			/* BGP preference, lower wins */
	u8 proto;			/* enum vpnrt_proto */
	u8 weight;			/* 100 or 0 */
	u8 priority;			/* policy only */
	u8 flags;			/* enum vpnrt_route_flags */
	u8 family;
	u8 stale;			/* ROUTE_STALE marked it; not read by
					 * lookups; written under RTNL,
					 * READ_ONCE outside it
					 */
	u8 replaced;			/* a ROUTE_NEW batch under way replaces
					 * it: finds skip it; RTNL
					 */
	u8 picked;			/* named by the ROUTE_DEL request under
					 * way (a duplicate check); RTNL
					 */
	u32 seq;			/* its place in conn->routes, which
					 * keeps their order: dumps resume
					 * by it (vpnrt_route_seq()); RTNL
					 */
	struct vpnrt_node *node;	/* its destination prefix; a copy
					 * replaces it at times (trie.c):
					 * READ_ONCE under RCU
					 */
	union {
		struct list_head conn_link;	/* conn->routes, RTNL; kept
						 * when the conn goes whole
						 */
		struct llist_node free_link;	/* deleted alone (route.c) */
	};
};

/* a policy route carries its own prefixes (its node has dst too) */
struct vpnrt_proute {
	struct vpnrt_route r;
	union vpnrt_addr dst, src;
	u8 dst_len, src_len;
};

/*
 * A prefix of a trie (trie.c). In a destination trie, a prefix with a
 * single route names its connection in @solo, so that the transmit path
 * decides without reading the route; policy tries leave it NULL.
 *
 * A node has 1 << @bits children, indexed by the @bits bits after its
 * prefix (vpnrt_node4_index()), or none (@bits 0):
 * - a leaf (@bits 0), a prefix without children (every /24 of a full
 *   /20, every /32), is allocated without child pointers: an IPv4 leaf
 *   is the 32 bytes up to @key.ip (VPNRT_NODE4_LEAF_SIZE), an IPv6 leaf
 *   48;
 * - a full node (@bits 1), a branch point or a prefix with children, has
 *   two child pointers after its key (vpnrt_node_child()): 48 bytes in
 *   IPv4, 64 (a cache line, aligned) in IPv6;
 * - a stride node (@bits VPNRT_STRIDE_BITS), only at /VPNRT_STRIDE_CIDR
 *   in IPv4 destination tries, has 16 (160 bytes): it stands for the
 *   branch points of the four bits below it, so every child is a
 *   /VPNRT_STRIDE_CIDR + VPNRT_STRIDE_BITS or longer. A /20 with
 *   VPNRT_STRIDE_MIN /24s or more gets one, in place of their branch
 *   points: a full /20 of /24s costs one node instead of fifteen.
 * Only @key.ip may be read or written in an IPv4 node, and no one reads
 * the children of a leaf. A leaf that gets a child, a prefix that loses
 * its last one, and a stride node that gets a prefix between it and its
 * children, are replaced by the kind they need (trie.c).
 */
struct vpnrt_node {
	struct vpnrt_route __rcu *routes;	/* the first, sorted by rank,
						 * linked by ->next; RCU
						 */
	union {
		struct vpnrt_node *parent;	/* RTNL */
		struct llist_node free_link;	/* once unlinked */
	};
	struct vpnrt_conn __rcu *solo;	/* the only route's conn, or NULL */
	u8 cidr;
	u8 family;			/* AF_INET or AF_INET6, fixed */
	u8 bits;			/* 1 << bits children, 0: a leaf;
					 * fixed
					 */
	union vpnrt_addr key;		/* host bits clear; the last member */
};

#define VPNRT_STRIDE_CIDR	20
#define VPNRT_STRIDE_BITS	4
#define VPNRT_STRIDE_MIN	4	/* /24s with something in them */

#define VPNRT_NODE4_LEAF_SIZE	(offsetof(struct vpnrt_node, key) + sizeof(__be32))
#define VPNRT_NODE6_LEAF_SIZE	ALIGN(sizeof(struct vpnrt_node), sizeof(void *))
#define VPNRT_NODE4_SIZE	(VPNRT_NODE4_LEAF_SIZE + 2 * sizeof(void *))
#define VPNRT_NODE6_SIZE	(VPNRT_NODE6_LEAF_SIZE + 2 * sizeof(void *))
#define VPNRT_NODE4_STRIDE_SIZE	(VPNRT_NODE4_LEAF_SIZE + \
				 (sizeof(void *) << VPNRT_STRIDE_BITS))

/* the children of IPv4 node @n (never of a leaf) */
static __always_inline struct vpnrt_node __rcu **
vpnrt_node4_child(const struct vpnrt_node *n)
{
	return (struct vpnrt_node __rcu **)((unsigned long)n + VPNRT_NODE4_LEAF_SIZE);
}

/* the two children of full IPv6 node @n (never of a leaf) */
static __always_inline struct vpnrt_node __rcu **
vpnrt_node6_child(const struct vpnrt_node *n)
{
	return (struct vpnrt_node __rcu **)((unsigned long)n + VPNRT_NODE6_LEAF_SIZE);
}

/* the children of node @n (never of a leaf) */
static __always_inline struct vpnrt_node __rcu **
vpnrt_node_child(const struct vpnrt_node *n)
{
	return n->family == AF_INET ? vpnrt_node4_child(n) : vpnrt_node6_child(n);
}

/*
 * which child of IPv4 node @n (not a leaf) leads to @a (host order): the
 * @n->bits bits after its prefix
 */
static __always_inline unsigned int
vpnrt_node4_index(const struct vpnrt_node *n, u32 a)
{
	unsigned int bits = n->bits;

	return (a >> (32 - n->cidr - bits)) & (BIT(bits) - 1);
}

/*
 * IPv4 lookups start below the first @bits bits of a jump table (trie.c):
 * slot j holds the first node with a prefix of @bits or more on the walk
 * of the addresses whose first @bits bits are j, if the nodes above it
 * match them (else NULL). A table of VPNRT_JUMP_BITS (512 KiB) is built
 * once a trie has VPNRT_JUMP_MIN_NODES prefixes, and goes again below a
 * quarter of that. Kept exact by every trie change. (One of 20 bits, 8
 * MiB, would save a destination lookup the sub-table's read: 8 bytes per
 * prefix at 1M for one read, which stride nodes made a bad bargain.)
 */
#define VPNRT_JUMP_MIN_NODES	128
#define VPNRT_JUMP_BITS		16
#define VPNRT_POLICY_MAP_BITS	20	/* the policy jump table's bitmap */

/*
 * A policy trie's jump table also has @map, a bit per VPNRT_POLICY_MAP_BITS
 * slot (128 KiB): set if some node of that many bits or more lies in the
 * slot, which jump_target() finds as for the slots. With no prefix with
 * routes shorter than that (n_short), a clear bit tells a lookup that no
 * policy route matches its destination without reading a node.
 *
 * A destination trie's slot whose node is a branch point (it has a child)
 * of fewer than @bits + VPNRT_JUMP_SUB_BITS bits, as the one above a /20
 * of /24s is, holds instead a sub-table, tagged with VPNRT_JUMP_SUB_TAG,
 * of a slot per next VPNRT_JUMP_SUB_BITS bits: sub-slot k holds what a
 * slot of a table of @bits + VPNRT_JUMP_SUB_BITS would hold, or where
 * that is NULL, the slot's node (@base). A lookup then skips the branch
 * points below the slot's node: under a /16 of full /20s, the sub-slot
 * is a /20's stride node, for 136 bytes per /16.
 */
#define VPNRT_JUMP_SUB_BITS	4
#define VPNRT_JUMP_SUB_SLOTS	BIT(VPNRT_JUMP_SUB_BITS)
#define VPNRT_JUMP_SUB_TAG	1UL

struct vpnrt_jump_sub {
	struct vpnrt_node __rcu *slot[VPNRT_JUMP_SUB_SLOTS];
	union {
		struct vpnrt_node *base;	/* the slot's node; RTNL */
		struct llist_node free_link;	/* once unlinked */
	};
};

struct vpnrt_jump {
	struct llist_node free_link;	/* once unpublished (trie.c) */
	unsigned int bits;		/* 16 or 20 */
	bool subs;			/* destination tries: may have
					 * sub-tables
					 */
	unsigned long *map;		/* policy tries: in this allocation,
					 * atomic bit ops; else NULL
					 */
	struct vpnrt_node __rcu *slot[];
};

/* a trie of prefixes, with routes hanging off its nodes */
struct vpnrt_trie {
	struct vpnrt_node __rcu *root;
	struct vpnrt_jump __rcu *jump;	/* IPv4 only */
	u32 n_shallow;			/* policy: prefixes with routes shorter
					 * than VPNRT_JUMP_BITS, which
					 * the jump slots do not lead to;
					 * READ_ONCE
					 */
	u32 n_short;			/* policy: likewise, shorter than
					 * VPNRT_POLICY_MAP_BITS; READ_ONCE
					 */
};

/*
 * One family's routes: static and BGP routes in @dst, policy routes in
 * @policy by their destination prefix. What lookups read comes first; the
 * counts written by every route change have a cache line of their own.
 */
struct vpnrt_table {
	struct vpnrt_trie dst;
	struct vpnrt_trie policy;
	int family;
	/* prefixes with routes, RTNL */
	u32 n_nodes ____cacheline_aligned_in_smp;	/* of @dst */
	u32 n_policy_nodes;				/* of @policy */
};

/* ---- gateways ---- */

struct vpnrt_gstats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t no_route;
	u64_stats_t fallback;
	u64_stats_t errors;
	u64_stats_t too_big;
	u64_stats_t mss_clamped;
	u64_stats_t no_tunnel;
	u64_stats_t rp_drops;
	struct u64_stats_sync syncp;
};

struct vpnrt_gw {
	struct net_device *dev;
	struct list_head net_link;	/* vpnrt_net->gateways, RTNL */
	struct list_head conns;		/* RTNL */
	struct vpnrt_table v4, v6;
	siphash_key_t hash_key;
	u8 ecmp_hash;			/* enum vpnrt_ecmp_hash, READ_ONCE */
	u8 owner;			/* enum vpnrt_owner, fixed */
	u8 max_paths;			/* READ_ONCE */
	u16 mss_clamp;			/* VPNRT_A_GW_MSS_CLAMP, READ_ONCE */
	u8 rp_check;			/* enum vpnrt_rp_check, READ_ONCE */
	/* the rest is not read per packet */
	u32 max_conns ____cacheline_aligned_in_smp;
	u32 max_bgp_routes, max_peer_routes;
	u32 max_policy_routes, max_routes;
	u32 n_conns, n_static, n_policy, n_bgp;
	struct vpnrt_gstats __percpu *stats;
	struct list_head stale_timers;	/* timed sweeps pending (stale.c), RTNL */
	u32 genid;			/* changes of its settings, conns and
					 * routes, for the dumps filtered by
					 * it (vpnrt_gw_changed()); RTNL
					 */
};

/* count one event of a gateway, in any context */
static inline void vpnrt_gstat_inc(struct vpnrt_gw *gw, size_t off)
{
	struct vpnrt_gstats *s = this_cpu_ptr(gw->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc((u64_stats_t *)((char *)s + off));
	u64_stats_update_end(&s->syncp);
}

#define GSTAT_INC(gw, field) \
	vpnrt_gstat_inc(gw, offsetof(struct vpnrt_gstats, field))

static inline struct vpnrt_table *vpnrt_table(struct vpnrt_gw *gw, int family)
{
	return family == AF_INET6 ? &gw->v6 : &gw->v4;
}

/* per network namespace */
struct vpnrt_net {
	struct list_head gateways;	/* RTNL */
	u32 genid;			/* any change, for dumps; RTNL */
	u32 n_gateways;			/* at most vpnrt_max_gateways; RTNL */
	struct xarray conn_ids;		/* conns by id, RTNL */
	DECLARE_HASHTABLE(conn_names, 7);	/* conns by name, RTNL */
	DECLARE_HASHTABLE(tunnels, 7);	/* bound tunnels by ifindex, RTNL */
};

extern unsigned int vpnrt_net_id;
extern unsigned int vpnrt_max_gateways;
struct vpnrt_net *vpnrt_pernet(struct net *net);

/*
 * A change for the dumps under way (NLM_F_DUMP_INTR): a generation is
 * never 0, which would turn the core's check off.
 */
static inline void vpnrt_genid_bump(u32 *genid)
{
	if (!++*genid)
		*genid = 1;
}

/* ---- the lookup (lookup.c) ---- */

struct vpnrt_flow {
	u16 family;
	u8 proto;			/* IPPROTO_*, 0 if unknown or a fragment */
	__be16 sport, dport;		/* 0 unless vpnrt_proto_has_ports() */
	union vpnrt_addr src, dst;
};

/* the protocols whose ports (at the same place) are part of a flow */
static inline bool vpnrt_proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP;
}

/* where the transmit path sends a flow */
struct vpnrt_path {
	struct vpnrt_conn *conn;	/* NULL: no route */
	u8 tunnel;			/* index into conn->tun[] */
	bool fallback;			/* the all-down rule applied */
};

/* the same decision, explained (ROUTE_LOOKUP) */
struct vpnrt_decision {
	const struct vpnrt_route *route;	/* the route that decided */
	struct vpnrt_conn *conn;		/* NULL: no route */
	u8 tunnel;			/* index into conn->tun[] */
	u8 reason;			/* enum vpnrt_reason */
	bool fallback;			/* the all-down rule applied */
	u32 n_paths;			/* equal candidates hashed over */
	u32 skipped;			/* better-ranked unusable routes */
};

u32 vpnrt_flow_hash(const struct vpnrt_gw *gw, const struct vpnrt_flow *fl);
struct vpnrt_path vpnrt_lookup(const struct vpnrt_gw *gw,
			       const struct vpnrt_flow *fl,
			       const struct vpnrt_flow *hfl);
bool vpnrt_lookup_explain(const struct vpnrt_gw *gw,
			  const struct vpnrt_flow *fl, u32 hash,
			  struct vpnrt_decision *d);
bool vpnrt_lookup_source(const struct vpnrt_gw *gw,
			 const struct vpnrt_flow *fl,
			 const struct vpnrt_conn *conn);
int vpnrt_route_cmp_rank(const struct vpnrt_route *a,
			 const struct vpnrt_route *b);
int vpnrt_policy_cmp(const struct vpnrt_route *a, const struct vpnrt_route *b);

/* ---- the tries (trie.c), writers under RTNL ---- */

int vpnrt_trie_cache_init(void);
void vpnrt_trie_cache_exit(void);
void vpnrt_table_init(struct vpnrt_table *t, int family);
struct vpnrt_node *vpnrt_trie_find(struct vpnrt_table *t, struct vpnrt_trie *tr,
				   const union vpnrt_addr *key, u8 cidr);
struct vpnrt_node *vpnrt_trie_insert(struct vpnrt_table *t,
				     struct vpnrt_trie *tr,
				     const union vpnrt_addr *key, u8 cidr);
void vpnrt_trie_remove(struct vpnrt_table *t, struct vpnrt_trie *tr,
		       struct vpnrt_node *node);
void vpnrt_trie_free(struct vpnrt_table *t);
unsigned int vpnrt_trie_jump_check(struct vpnrt_table *t);
void vpnrt_trie_jump_build(struct vpnrt_table *t, unsigned int bits);
unsigned int vpnrt_trie_jump_bits(struct vpnrt_table *t);

/* ---- routes (route.c), under RTNL ---- */

struct vpnrt_route_spec {
	u16 family;
	u8 proto, weight, priority, dst_len, src_len, flags;
	u32 pref;
	union vpnrt_addr dst, src;
	struct vpnrt_conn *conn;
};

int vpnrt_route_add(const struct vpnrt_route_spec *s,
		    struct vpnrt_route **out, struct netlink_ext_ack *extack);

/* what ROUTE_NEW did with one route of its batch */
enum vpnrt_route_op {
	VPNRT_ROUTE_UNCHANGED,		/* exists as asked: nothing to do */
	VPNRT_ROUTE_ADDED,
	VPNRT_ROUTE_REPLACED,		/* @r replaces @old (other values) */
	VPNRT_ROUTE_REFRESHED,		/* stale, as asked: the mark goes */
};

struct vpnrt_route_change {
	struct vpnrt_route *r;		/* the route as it will be */
	struct vpnrt_route *old;	/* REPLACED: linked until the commit */
	u8 op;				/* enum vpnrt_route_op */
};

int vpnrt_route_set(const struct vpnrt_route_spec *s, bool replace,
		    struct vpnrt_route_change *ch,
		    struct netlink_ext_ack *extack);
void vpnrt_route_set_undo(struct vpnrt_route_change *ch);
void vpnrt_route_set_commit(struct vpnrt_route_change *ch, unsigned int n);
struct vpnrt_route *vpnrt_route_find(const struct vpnrt_route_spec *s);
void vpnrt_route_del(struct vpnrt_route *r);
void vpnrt_route_flush_conn(struct vpnrt_conn *conn);
void vpnrt_route_unpublish_conn(struct vpnrt_conn *conn);
void vpnrt_table_unpublish(struct vpnrt_table *t);
void vpnrt_conn_reap(struct vpnrt_conn *conn);
void vpnrt_reap_flush(void);
void vpnrt_route_prefix(const struct vpnrt_route *r, union vpnrt_addr *dst,
			u8 *dst_len, union vpnrt_addr *src, u8 *src_len);
int vpnrt_routes_init(void);
void vpnrt_routes_exit(void);

/* ---- stale routes and their sweeps (stale.c), under RTNL ---- */

/* which routes: of @gw, of @conn only if set, of @proto only if nonzero */
struct vpnrt_stale_scope {
	struct vpnrt_gw *gw;
	struct vpnrt_conn *conn;
	u8 proto;
};

int vpnrt_stale_mark(const struct vpnrt_stale_scope *sc, u32 timeout_s,
		     u32 *count);
int vpnrt_stale_sweep(const struct vpnrt_stale_scope *sc, u32 *count,
		      struct sk_buff_head *events);
void vpnrt_stale_cancel_gw(struct vpnrt_gw *gw);
void vpnrt_stale_cancel_conn(struct vpnrt_conn *conn);
int vpnrt_stale_init(void);
void vpnrt_stale_exit(void);

/* ---- connections (conn.c), under RTNL ---- */

struct vpnrt_conn *vpnrt_conn_by_name(struct net *net, const char *name);
struct vpnrt_conn *vpnrt_conn_by_id(struct net *net, u32 id);
struct vpnrt_conn *vpnrt_conn_create(struct vpnrt_gw *gw, const char *name,
				     u32 id, struct net_device **tdev,
				     unsigned int n_tunnels,
				     struct netlink_ext_ack *extack);
void vpnrt_conn_destroy(struct vpnrt_conn *conn);
void vpnrt_conn_destroy_all(struct vpnrt_gw *gw);
void vpnrt_conn_free(struct vpnrt_conn *conn);
void vpnrt_conn_set_down(struct vpnrt_conn *conn, unsigned long bit, bool on);
void vpnrt_tunnel_set_down(struct vpnrt_tunnel *t, unsigned long bit, bool on);
void vpnrt_conn_ike_sync(struct vpnrt_conn *conn);
void vpnrt_tunnel_rebind(struct vpnrt_conn *conn, unsigned int idx,
			 struct net_device *dev);
u32 vpnrt_conn_down_reason(const struct vpnrt_conn *conn);
u32 vpnrt_tunnel_down_reason(const struct vpnrt_tunnel *t);
int vpnrt_tunnel_check_dev(struct net_device *gwdev, struct net_device *dev,
			   struct netlink_ext_ack *extack);
void vpnrt_tunnel_stats(const struct vpnrt_tunnel *t, u64 *packets, u64 *bytes,
			u64 *errors);
void vpnrt_conn_net_init(struct vpnrt_net *vn);
int vpnrt_conn_notifier_init(void);
void vpnrt_conn_notifier_exit(void);

/* ---- health checks (health.c) ---- */

/* a state change to report */
struct vpnrt_health_ev {
	u8 old, new, reason;
	u64 time, loss_start;		/* CLOCK_REALTIME ns; 0: none */
	u64 sent, answered;
	u32 consec_lost;
	u64 events_lost;		/* so far, this one excepted */
};

struct vpnrt_health_info {
	struct vpnrt_health_cfg cfg;
	u8 state;
	u64 since_ms, sent, answered, ignored, send_errors, events_lost;
	u32 consec_lost, rtt_us, srtt_us, window, window_lost, transitions;
};

int vpnrt_health_cfg_check(const struct vpnrt_health_cfg *cfg,
			   struct netlink_ext_ack *extack);
struct vpnrt_health *vpnrt_health_prepare(struct vpnrt_conn *c,
					  unsigned int idx,
					  struct net_device *dev,
					  const struct vpnrt_health_cfg *cfg,
					  struct netlink_ext_ack *extack);
void vpnrt_health_discard(struct vpnrt_health *hc);
void vpnrt_health_start(struct vpnrt_conn *c, unsigned int idx,
			struct vpnrt_health *hc);
void vpnrt_health_stop(struct vpnrt_conn *c, unsigned int idx);
bool vpnrt_health_stop_begin(struct vpnrt_conn *c, unsigned int idx);
void vpnrt_health_stop_end(struct vpnrt_conn *c, unsigned int idx);
void vpnrt_health_info(struct vpnrt_health *hc, struct vpnrt_health_info *info);
void vpnrt_health_flush(void);
bool vpnrt_health_rx(struct vpnrt_health *hc, struct sk_buff *skb);
int vpnrt_health_init(void);
void vpnrt_health_exit(void);

/* ---- the gateway device (device.c) ---- */

extern struct rtnl_link_ops vpnrt_link_ops;
bool vpnrt_is_gw(const struct net_device *dev);
struct vpnrt_gw *vpnrt_gw_by_ifindex(struct net *net, int ifindex);
void vpnrt_gw_changed(struct vpnrt_gw *gw);
int vpnrt_gw_create(struct net *net, const char *name, struct vpnrt_gw **out,
		    struct netlink_ext_ack *extack);
void vpnrt_gw_stats(const struct vpnrt_gw *gw, struct vpnrt_gstats *sum);
int vpnrt_flow_from_skb(struct sk_buff *skb, struct vpnrt_flow *fl,
			unsigned int *thoff);
bool vpnrt_icmp_err_flow(struct sk_buff *skb, const struct vpnrt_flow *fl,
			 unsigned int thoff, struct vpnrt_flow *hfl);
u16 vpnrt_mss_target(u16 clamp, int family, unsigned int mtu);
int vpnrt_mss_clamp(struct sk_buff *skb, unsigned int thoff, u16 mss);

/* ---- what tunnels receive (rx.c), configuration under RTNL ---- */

rx_handler_result_t vpnrt_tunnel_rx(struct sk_buff **pskb);
bool vpnrt_rx_gw_wants(const struct vpnrt_gw *gw);
int vpnrt_rx_check(const struct vpnrt_tunnel *t, struct net_device *dev,
		   const struct nlattr *attr, struct netlink_ext_ack *extack);
int vpnrt_rx_gw_check(const struct vpnrt_gw *gw, const struct nlattr *attr,
		      struct netlink_ext_ack *extack);
void vpnrt_rx_attach(struct vpnrt_tunnel *t);
bool vpnrt_rx_detach_begin(struct vpnrt_tunnel *t, bool force);
void vpnrt_rx_detach_end(struct vpnrt_tunnel *t);
void vpnrt_rx_sync(struct vpnrt_tunnel *t);
void vpnrt_rx_gw_sync(struct vpnrt_gw *gw);

/* ---- the lookup benchmark (bench.c, make bench only) ---- */

#ifdef VPNRT_BENCH
void vpnrt_bench_init(void);
void vpnrt_bench_exit(void);
#else
static inline void vpnrt_bench_init(void) { }
static inline void vpnrt_bench_exit(void) { }
#endif

/* ---- the module (main.c) ---- */

int vpnrt_module_start(void);
void vpnrt_module_stop(void);

/* ---- netlink (netlink.c) ---- */

int vpnrt_genl_init(void);
void vpnrt_genl_exit(void);
void vpnrt_notify_conn(struct vpnrt_conn *conn, u8 cmd);
void vpnrt_notify_gw(struct vpnrt_gw *gw, u8 cmd);
int vpnrt_route_events(struct net *net, struct vpnrt_route **rt,
		       unsigned int n, u8 cmd, struct sk_buff_head *q);
void vpnrt_send_events(struct net *net, struct sk_buff_head *q);
int vpnrt_notify_health(struct vpnrt_conn *conn, unsigned int idx,
			struct net_device *dev,
			const struct vpnrt_health_cfg *cfg,
			const struct vpnrt_health_ev *ev);

#endif /* _VPNRT_H */
