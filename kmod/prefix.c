// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix arithmetic shared by route validation and lookup.
 */
#include <linux/socket.h>
#include <linux/string.h>

#include "vpnrt.h"

unsigned int vpnrt_addr_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* Clear every bit of @addr past the first @plen. */
void vpnrt_prefix_mask(int family, union vpnrt_addr *addr, u8 plen)
{
	unsigned int bits = vpnrt_addr_bits(family);
	unsigned int i;

	if (plen >= bits)
		return;
	if (family == AF_INET) {
		addr->ip &= plen ? htonl(~0U << (32 - plen)) : 0;
		return;
	}
	for (i = 0; i < 4; i++) {
		unsigned int lo = i * 32;

		if (plen <= lo)
			addr->ip6.s6_addr32[i] = 0;
		else if (plen < lo + 32)
			addr->ip6.s6_addr32[i] &= htonl(~0U << (lo + 32 - plen));
	}
}

/* A prefix is valid if its length fits the family and no host bit is set. */
bool vpnrt_prefix_valid(int family, const union vpnrt_addr *addr, u8 plen)
{
	union vpnrt_addr masked = *addr;

	if (family != AF_INET && family != AF_INET6)
		return false;
	if (plen > vpnrt_addr_bits(family))
		return false;
	vpnrt_prefix_mask(family, &masked, plen);
	if (family == AF_INET)
		return masked.ip == addr->ip;
	return !memcmp(&masked.ip6, &addr->ip6, sizeof(masked.ip6));
}

/* Does @addr lie inside @prefix/@plen? */
bool vpnrt_prefix_match(int family, const union vpnrt_addr *prefix, u8 plen,
			const union vpnrt_addr *addr)
{
	union vpnrt_addr a = *addr;

	vpnrt_prefix_mask(family, &a, plen);
	if (family == AF_INET)
		return a.ip == prefix->ip;
	return !memcmp(&a.ip6, &prefix->ip6, sizeof(a.ip6));
}
