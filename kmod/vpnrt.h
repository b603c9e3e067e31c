/* SPDX-License-Identifier: GPL-2.0 */
/* vpnrt: module-wide declarations. */
#ifndef _VPNRT_H
#define _VPNRT_H

#include <linux/types.h>
#include <linux/in6.h>

#include "compat.h"

/* An IPv4 or IPv6 address in network byte order; IPv4 in the first word. */
union vpnrt_addr {
	__be32 ip;
	struct in6_addr ip6;
};

unsigned int vpnrt_addr_bits(int family);
bool vpnrt_prefix_valid(int family, const union vpnrt_addr *addr, u8 plen);
void vpnrt_prefix_mask(int family, union vpnrt_addr *addr, u8 plen);
bool vpnrt_prefix_match(int family, const union vpnrt_addr *prefix, u8 plen,
			const union vpnrt_addr *addr);

int vpnrt_genl_init(void);
void vpnrt_genl_exit(void);

#endif /* _VPNRT_H */
