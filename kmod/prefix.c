// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix arithmetic shared by route validation and lookup.
 */
#include <linux/socket.h>
#include <linux/string.h>

#include "vpnrt.h"

/**
 * vpnrt_addr_bits() - the bits of an address of @family
 * @family: AF_INET or AF_INET6
 *
 * Return: 32 or 128
 */
unsigned int vpnrt_addr_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/**
 * vpnrt_prefix_mask() - clear every bit of an address past a prefix length
 * @family: AF_INET or AF_INET6
 * @addr: the address
 * @plen: the prefix length
 */
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

/**
 * vpnrt_prefix_valid() - whether a prefix is valid
 * @family: AF_INET or AF_INET6
 * @addr: the address
 * @plen: the prefix length
 *
 * Return: true if the family is known, the length fits it and no host bit is
 * set
 */
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

/**
 * vpnrt_prefix_match() - whether an address lies inside a prefix
 * @family: AF_INET or AF_INET6
 * @prefix: the prefix's address
 * @plen: its length
 * @addr: the address
 *
 * Return: true if it does
 */
bool vpnrt_prefix_match(int family, const union vpnrt_addr *prefix, u8 plen,
			const union vpnrt_addr *addr)
{
	union vpnrt_addr a = *addr;

	vpnrt_prefix_mask(family, &a, plen);
	if (family == AF_INET)
		return a.ip == prefix->ip;
	return !memcmp(&a.ip6, &prefix->ip6, sizeof(a.ip6));
}
