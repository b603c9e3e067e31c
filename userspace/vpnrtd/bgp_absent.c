// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for bgp.h's control-socket queries while the BGP speaker
 * (vpnrtd/bgp.c) is not in the tree: the Makefile links this file into
 * vpnrtd only when bgp.c does not exist, so that control.c's `bgp`
 * requests build and answer "no BGP peer". It goes away by itself when
 * bgp.c lands (then bgp.c's functions are the only ones).
 */
#include <errno.h>
#include <stdio.h>

#include "vpnrtd.h"

int bgp_n_peers(const struct vpnrtd *d)
{
	(void)d;
	return 0;
}

int bgp_peer_view(const struct vpnrtd *d, int i, struct bgp_peer_view *v)
{
	(void)d;
	(void)i;
	(void)v;
	return -ENOENT;
}

size_t bgp_peer_advertised(const struct vpnrtd *d, int i,
			   struct bgp_prefix *out, size_t max)
{
	(void)d;
	(void)i;
	(void)out;
	(void)max;
	return 0;
}

int bgp_refresh(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	(void)d;
	snprintf(err, len, "connection %.40s: this vpnrtd has no BGP speaker", conn);
	return -1;
}

int bgp_reset(struct vpnrtd *d, const char *conn, char *err, size_t len)
{
	return bgp_refresh(d, conn, err, len);
}
