/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bit helpers for the tries, shared by their writers (trie.c, route.c)
 * and their lockless reader (lookup.c).
 */
#ifndef _VPNRT_TRIE_H
#define _VPNRT_TRIE_H

#include "vpnrt.h"

/* bit @i (0 = most significant) of @k */
static inline unsigned int vpnrt_key_bit(const union vpnrt_addr *k,
					 unsigned int i)
{
	return (k->bytes[i >> 3] >> (7 - (i & 7))) & 1;
}

/* which child of node @n (not a leaf) leads to @key */
static inline unsigned int vpnrt_node_index(const struct vpnrt_node *n,
					    const union vpnrt_addr *key)
{
	if (n->family == AF_INET)
		return vpnrt_node4_index(n, ntohl(key->ip));
	return vpnrt_key_bit(key, n->cidr);
}

/* do the first @n->cidr bits of @key equal @n's key? */
static inline bool vpnrt_node_matches(const struct vpnrt_node *n,
				      const union vpnrt_addr *key)
{
	unsigned int cidr = n->cidr, i;

	for (i = 0; cidr; i++) {
		u32 x = ntohl(n->key.ip6.s6_addr32[i] ^ key->ip6.s6_addr32[i]);

		if (cidr < 32)
			return !(x >> (32 - cidr));
		if (x)
			return false;
		cidr -= 32;
	}
	return true;
}

/* the sub-table a jump slot's value tags, or NULL for a node (or none) */
static inline struct vpnrt_jump_sub *vpnrt_jump_sub_of(const struct vpnrt_node *v)
{
	unsigned long x = (unsigned long)v;

	return x & VPNRT_JUMP_SUB_TAG ?
	       (struct vpnrt_jump_sub *)(x & ~VPNRT_JUMP_SUB_TAG) : NULL;
}

/*
 * Where the walk of IPv4 address @a (host order) starts in jump table
 * @jt: its slot's node, or its sub-slot's. Under RCU.
 */
static __always_inline const struct vpnrt_node *
vpnrt_jump_start(const struct vpnrt_jump *jt, u32 a)
{
	const struct vpnrt_node *n = rcu_dereference(jt->slot[a >> (32 - jt->bits)]);
	const struct vpnrt_jump_sub *sub = vpnrt_jump_sub_of(n);

	if (!sub)
		return n;
	return rcu_dereference(sub->slot[(a >> (32 - jt->bits - VPNRT_JUMP_SUB_BITS)) &
					 (VPNRT_JUMP_SUB_SLOTS - 1)]);
}

#endif /* _VPNRT_TRIE_H */
