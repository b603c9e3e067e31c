/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake BGP speaker for the tests of bgp_show.c and control.c: bgp.h's
 * control-socket queries over the peers in P[0..N_P), real sessions and
 * tables the test makes. Include it in one test program only once.
 */
#ifndef VPNRT_TEST_BGP_FAKE_H
#define VPNRT_TEST_BGP_FAKE_H

#include <errno.h>
#include <string.h>

#include "bgp.h"

struct fake_peer {
	const char *gw, *conn;
	int pos;
	struct bgp_session *s;
	struct bgp_rib *rib;
	int rib_peer;
	bool tunnel_up;
	size_t n_adv;
	struct bgp_prefix adv[4];
};

static struct fake_peer P[4];
static int N_P;

int bgp_n_peers(const struct vpnrtd *d)
{
	(void)d;
	return N_P;
}

int bgp_peer_view(const struct vpnrtd *d, int i, struct bgp_peer_view *v)
{
	const struct fake_peer *p = &P[i];

	(void)d;
	if (i < 0 || i >= N_P)
		return -ENOENT;
	memset(v, 0, sizeof(*v));
	v->gw = p->gw;
	v->conn = p->conn;
	v->pos = p->pos;
	v->s = p->s;
	v->rib = p->rib;
	v->rib_peer = p->rib_peer;
	bgp_rib_peer_stats(p->rib, p->rib_peer, &v->st);
	v->advertised = (uint32_t)p->n_adv;
	v->tunnel_up = p->tunnel_up;
	return 0;
}

size_t bgp_peer_advertised(const struct vpnrtd *d, int i,
			   struct bgp_prefix *out, size_t max)
{
	(void)d;
	if (i < 0 || i >= N_P)
		return 0;
	for (size_t k = 0; k < P[i].n_adv && k < max; k++)
		out[k] = P[i].adv[k];
	return P[i].n_adv;
}

#endif
