/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtd's IKE half: a VICI client of strongSwan's charon.
 *
 * The daemon hands over the desired set of IKE-managed tunnels; this
 * module loads one conn (with one route-based child) and one shared key
 * per tunnel, unloads conns it loaded earlier that are no longer wanted,
 * keeps each tunnel's SA up (initiating, and re-initiating with a bounded
 * backoff after a failure, a peer DELETE or DPD), follows charon's events
 * and reports each tunnel's IKE state up or down through ops. It
 * reconnects when charon restarts and then reads the truth with list-sas.
 *
 * Conns and keys it owns are named "vpnrt.<connection>.<position>"; any
 * other conn in charon is not touched.
 */
#ifndef VPNRTD_IKE_H
#define VPNRTD_IKE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "json.h"
#include "loop.h"

#define IKE_NAME_MAX	64

/* one tunnel that IKE must keep up */
struct ike_tunnel {
	char conn[VPNRT_CONN_NAME_MAX];	/* the vpnrt connection */
	int pos;			/* 1 or 2 */
	const struct cfg_tunnel *t;	/* addresses, if_id, resolved ike,
					 * psk (generated ones filled in) */
};

struct ike_ops {
	/* charon connected (true) or lost (false) */
	void (*charon)(void *arg, bool connected);
	/*
	 * A tunnel's IKE state: up when at least one INSTALLED child SA of
	 * its conn exists, down otherwise; why says what happened
	 * ("child SA installed", "peer deleted the SA", "DPD timeout",
	 * "proposal mismatch: ...", "charon restarted").
	 */
	void (*tunnel_state)(void *arg, const char *conn, int pos, bool up,
			     const char *why);
};

struct ike;

struct ike *ike_new(struct loop *loop, const char *uri,
		    const struct ike_ops *ops, void *arg);
void ike_free(struct ike *ike);

/*
 * The desired tunnels (copied; t must stay valid until the next call).
 * Conns that differ are (re)loaded, missing ones unloaded and their SAs
 * terminated, unchanged ones left alone so their SAs keep running.
 */
int ike_set_tunnels(struct ike *ike, const struct ike_tunnel *tuns, int n);

bool ike_connected(const struct ike *ike);

/*
 * Write the state of the tunnels of conn (NULL: all) as a JSON array
 * member "tunnels": per tunnel its IKE SA and child SAs (state, SPIs,
 * algorithms, established, rekey in, bytes), and the last error.
 */
void ike_show_json(struct ike *ike, const char *conn, struct json *j);

#endif
