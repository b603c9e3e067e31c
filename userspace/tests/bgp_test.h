/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the BGP unit tests share. */
#ifndef VPNRT_TESTS_BGP_TEST_H
#define VPNRT_TESTS_BGP_TEST_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_wire.h"

/* "10.0.0.0/24" or "2001:db8::/32" as a prefix; the tests' own literals */
static inline struct bgp_prefix test_prefix(const char *s)
{
	struct bgp_prefix p = { 0 };
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*slash = '\0';
	p.len = (uint8_t)atoi(slash + 1);
	if (strchr(buf, ':')) {
		p.af = BGP_AF_IPV6;
		inet_pton(AF_INET6, buf, p.addr);
	} else {
		p.af = BGP_AF_IPV4;
		inet_pton(AF_INET, buf, p.addr);
	}
	return p;
}

#endif
