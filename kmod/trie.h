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

#endif /* _VPNRT_TRIE_H */
