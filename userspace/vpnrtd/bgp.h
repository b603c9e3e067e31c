/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtd's BGP speakers (bgp.c): one per gateway that has tunnels with
 * bgp:, owning that gateway's table (bgp_rib.h) and one session
 * (bgp_session.h) per such tunnel, over the tunnel's inside addresses.
 *
 * bgp.c is the glue: it starts a tunnel's session when the tunnel can
 * carry it (IKE up, or ike: none) and stops it when it cannot; feeds what
 * the sessions decode to the table; drains the table's operations into
 * vpnrt (BGP routes in batches, atomic replace when a pref changes) and
 * into the VPC table (hostroute.h); announces the gateway's own prefixes
 * to every peer (split horizon: never a route learned from a peer); and
 * on start runs graceful restart over the routes the kernel kept.
 *
 * The control socket (control.c, bgp_show.c) reads it through the
 * functions below, never through the internals.
 */
#ifndef VPNRTD_BGP_H
#define VPNRTD_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp_rib.h"
#include "bgp_session.h"

struct vpnrtd;

/*
 * Called once after kernel_open() and the first config load: kernel
 * BGP routes left by a previous vpnrtd are marked stale (they keep
 * forwarding) for at most the longest graceful-restart time configured,
 * and the sessions will open with the R and F bits (RFC 4724). 0 or -1
 * (logged).
 */
int bgp_open(struct vpnrtd *d);
/*
 * On exit. The sessions' sockets are closed without a NOTIFICATION so
 * the peers keep our routes as graceful-restart helpers, and every
 * route stays in the kernel and the VPC table.
 */
void bgp_close(struct vpnrtd *d);
/*
 * Bring the speakers and sessions to d->cfg (at start and after each
 * reload that applied): new peers are added, removed ones stopped with
 * Cease/3 (peer de-configured) and their routes withdrawn, changed ones
 * restarted only when a session setting changed. 0 or -1 (logged).
 */
int bgp_apply(struct vpnrtd *d);
/*
 * A tunnel's ability to carry its session changed (IKE up/down, or the
 * device came or went). Down: the session is stopped at once and its
 * routes removed (the kernel already stopped using them).
 */
void bgp_tunnel(struct vpnrtd *d, const char *conn, int pos, bool up);
/*
 * After each reconcile: every tunnel with bgp: to what it can carry now
 * (ike: none tunnels come up when their device exists; IKE ones follow
 * d->tuns in case an event was missed).
 */
void bgp_sync_tunnels(struct vpnrtd *d);

/* ---- what the control socket reads ---- */

/* one configured peer, in config order (gateway, connection, tunnel) */
struct bgp_peer_view {
	const char *gw;
	const char *conn;
	int pos;			/* tunnel 1 or 2 */
	const struct bgp_session *s;	/* never NULL */
	const struct bgp_rib *rib;	/* of its gateway */
	int rib_peer;			/* its id in rib */
	struct bgp_rib_peer_stats st;
	uint32_t advertised;		/* prefixes we announce to it now */
	bool tunnel_up;
};

int bgp_n_peers(const struct vpnrtd *d);
/* the i-th peer: 0, or -ENOENT past the end */
int bgp_peer_view(const struct vpnrtd *d, int i, struct bgp_peer_view *v);
/*
 * The prefixes announced to peer i, written to out (at most max); the
 * total count is returned (may exceed max).
 */
size_t bgp_peer_advertised(const struct vpnrtd *d, int i,
			   struct bgp_prefix *out, size_t max);

/*
 * ROUTE-REFRESH (enhanced when the peer has it) to every Established
 * peer of connection conn, and re-evaluation of their refused routes.
 * 0, or -1 with why in err (no such connection, no BGP on it, none
 * Established).
 */
int bgp_refresh(struct vpnrtd *d, const char *conn, char *err, size_t len);
/* Cease/4 (administrative reset) to every peer of conn, then reconnect */
int bgp_reset(struct vpnrtd *d, const char *conn, char *err, size_t len);

/* a BGP state change, for `vpnrtctl monitor` (control.c) */
struct bgp_event {
	const char *gw, *conn;
	int pos;
	const char *peer;		/* the peer's address */
	uint32_t peer_as;
	enum bgp_state from, to;
	const char *why;
};

#endif
