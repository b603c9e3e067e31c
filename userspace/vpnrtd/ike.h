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
#include <stdio.h>

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
	 * its conn exists, down otherwise. Once charon has been read after
	 * a connect (and for a tunnel added later, when it is added), every
	 * tunnel not yet reported is reported, down if it has no SA ("no
	 * installed child SA in charon", "new tunnel, no SA yet"); after
	 * that only changes. why says
	 * what happened: "child SA installed", "child SA found by list-sas",
	 * "child SA down" (a peer's DELETE, DPD, expiry: charon's events do
	 * not tell them apart), "IKE SA down", "no installed child SA in
	 * list-sas", "charon disconnected", "removed from the
	 * configuration". Why a negotiation failed ("initiate failed:
	 * <errmsg>", "no child SA ... after initiate") is the last error in
	 * ike show.
	 */
	void (*tunnel_state)(void *arg, const char *conn, int pos, bool up,
			     const char *why);
};

struct ike;

/* charon's default socket (Debian's build) */
#define IKE_DEFAULT_URI	"unix:///var/run/charon.vici"

/* the clocks of the module; ike_new() starts with IKE_TIMING_DEFAULT */
struct ike_timing {
	uint32_t retry_min_ms;		/* first re-initiate delay: 1 s */
	uint32_t retry_max_ms;		/* doubling up to 60 s */
	uint32_t up_deadline_ms;	/* initiated, not up: retry, 30 s */
	uint32_t stable_ms;		/* up this long: backoff restarts, 60 s */
	uint32_t reconnect_min_ms;	/* charon lost: 1 s .. */
	uint32_t reconnect_max_ms;	/* .. 10 s */
	uint32_t cmd_timeout_ms;	/* no reply: connection lost, 30 s */
	/*
	 * Re-read charon's conns and keys this often (0: never) and load
	 * again what vanished: `swanctl --load-all`, which strongswan.service
	 * runs on start and reload, unloads every conn and key not in
	 * swanctl.conf, ours included. 30 s.
	 */
	uint32_t resync_ms;
};
#define IKE_TIMING_DEFAULT { 1000, 60000, 30000, 60000, 1000, 10000, 30000, \
			     30000 }

/*
 * uri: unix:///path (NULL: IKE_DEFAULT_URI). Connects at once and keeps
 * reconnecting; NULL (logged) only for a bad uri or no memory. The ops
 * callbacks must not call ike_set_tunnels() or ike_free().
 */
struct ike *ike_new(struct loop *loop, const char *uri,
		    const struct ike_ops *ops, void *arg);
void ike_free(struct ike *ike);
void ike_set_timing(struct ike *ike, const struct ike_timing *tm);

/*
 * The desired tunnels (copied, *t included).
 * Conns that differ are (re)loaded, missing ones unloaded and their SAs
 * terminated, unchanged ones left alone so their SAs keep running.
 * Returns -1 (nothing changed, every error logged) if a tunnel cannot
 * be mapped or two share a name, else 0.
 */
int ike_set_tunnels(struct ike *ike, const struct ike_tunnel *tuns, int n);

bool ike_connected(const struct ike *ike);

/*
 * Write the state of the tunnels of conn (NULL: all) as a JSON array
 * member "tunnels": per tunnel its IKE SA and child SAs (state, SPIs,
 * algorithms, established, rekey in, bytes), and the last error.
 */
void ike_show_json(struct ike *ike, const char *conn, struct json *j);
/* the same as text for vpnrtctl, in the spirit of swanctl --list-sas */
void ike_show_text(struct ike *ike, const char *conn, FILE *out);

#endif
