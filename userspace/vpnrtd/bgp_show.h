/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `vpnrtctl bgp show`, `vpnrtctl bgp routes` and the BGP lines of
 * `vpnrtctl monitor` print, as text for people or JSON (lib/json.h),
 * written from bgp.h's query functions and the session and table read
 * functions only (never bgp.c's internals), so the unit tests can run
 * them over their own sessions and tables. Documentation/vpnrtctl.rst
 * ("BGP") describes the output and every JSON field.
 *
 * `bgp routes` can list a million routes: it is a walk written in
 * chunks, each of at most a given number of routes, that the control
 * socket produces one at a time as the client reads (control.c). The
 * walk holds no pointer into the speaker between chunks: each chunk
 * finds its peer again by index and checks it is the same peer, and a
 * table that changed between two chunks (a fingerprint of its counters)
 * marks the listing "interrupted": like an interrupted netlink dump, it
 * may then show a route twice or miss one, and says so at its end.
 */
#ifndef VPNRTD_BGP_SHOW_H
#define VPNRTD_BGP_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "bgp.h"
#include "json.h"

struct vpnrtd;

/* routes per chunk control.c asks for */
#define BGP_SHOW_CHUNK		512

/*
 * `bgp show [CONN]`: every peer (of conn, when not NULL), now being the
 * wall clock for the uptimes. 0, or -1 with the reason in err (conn has
 * no BGP peer) and nothing written.
 */
int bgp_show_peers(const struct vpnrtd *d, const char *conn, bool json,
		   time_t now, FILE *f, char *err, size_t errlen);

/* `bgp routes [CONN] [received|advertised]`, one chunk at a time */
struct bgp_routes_walk {
	char conn[BGP_RIB_NAME_MAX];	/* "" every connection */
	bool json, advertised;
	bool started, done, interrupted;
	int peer;			/* index for bgp_peer_view() */
	bool in_peer;			/* its header is written */
	/* who peer is, to find it again in the next chunk */
	char peer_gw[BGP_RIB_NAME_MAX], peer_conn[BGP_RIB_NAME_MAX];
	int peer_pos;
	struct bgp_rib_iter it;
	size_t adv_off, adv_total;
	uint64_t fp;			/* the table's fingerprint */
	uint64_t n_routes, n_peers;
	struct json j;
};

/*
 * Check the request and set w up; 0, or -1 with the reason in err (conn
 * has no BGP peer). Nothing is written yet.
 */
int bgp_routes_begin(struct bgp_routes_walk *w, const struct vpnrtd *d,
		     const char *conn, bool advertised, bool json,
		     char *err, size_t errlen);
/*
 * Write the next at most max routes (at least one line of progress);
 * true when the listing is complete (its last line written).
 */
bool bgp_routes_next(struct bgp_routes_walk *w, const struct vpnrtd *d,
		     FILE *f, size_t max);

/* end the listing now, marked interrupted (the speaker went away) */
void bgp_routes_abort(struct bgp_routes_walk *w, FILE *f);

/*
 * One `vpnrtctl monitor` line for a state change: text
 *   bgp state dc1/1 gateway gw1 peer 169.254.10.2 AS65001 Active -> Established: why
 * or one JSON object, {"event":"bgp-state",...}, then a newline.
 */
void bgp_show_event(const struct bgp_event *ev, bool json, FILE *f);

/* "1d02h03m04s", "5m00s", "42s" */
const char *bgp_show_duration(uint64_t secs, char *buf, size_t len);

#endif
