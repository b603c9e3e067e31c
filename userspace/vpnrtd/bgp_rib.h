/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BGP table of one gateway: what its peers sent (Adj-RIB-In), which
 * of it is accepted, which path each connection installs and with which
 * kernel pref, and the kernel and VPC-table operations that follow.
 *
 * Pure logic: no I/O, no clock, no global state. The owner (the speaker)
 * feeds it what its sessions decode (bgp_rib_update() or announce/
 * withdraw), tells it about sessions going down (bgp_rib_peer_down()),
 * and drains the resulting operations (bgp_rib_drain()) into the kernel
 * in batches. Like BIRD's protocol/table split, the table never talks to
 * a session: a quota breach with action teardown is a result the owner
 * acts on.
 *
 * Objects. A peer is one tunnel of one connection (connection name +
 * tunnel position 1 or 2); a connection has one or two peers. Peers and
 * connections are small integers (peer ids 0..BGP_RIB_PEERS_MAX-1,
 * connection ids likewise); the kernel operations carry the connection
 * id, bgp_rib_conn_name() gives its name.
 *
 * Policy (bgp_rib.c gives the reasons for each):
 *  - import deny list: an entry marked exact matches only its own prefix
 *    (the defaults 0.0.0.0/0 and ::/0), any other entry matches its
 *    prefix and everything inside it (100.64.0.0/10: 100.64.1.0/24 too,
 *    100.128.0.0/10 not);
 *  - own prefixes (what the gateway advertises): a peer's route equal to
 *    or inside one of them is refused (BGP_RIB_OWN); a less specific one
 *    is accepted (the host's own route stays the longer match);
 *  - our ASN anywhere in the AS path (sequence or set): refused;
 *  - per-peer quota: accepted prefixes of that peer;
 *  - per-gateway quota: kernel BGP routes, i.e. (prefix, connection)
 *    pairs with at least one accepted path: what the kernel's
 *    max-bgp-routes counts. The two tunnels of one connection carrying
 *    the same prefix count once; two connections carrying it count two;
 *  - a refused route is held with its reason (up to refused_max per
 *    peer, beyond that only counted), and it is accepted later only when
 *    the peer announces it again or bgp_rib_peer_refresh() re-evaluates
 *    it: room freed by a withdrawal is not handed out behind the
 *    operator's back (the reasons are in bgp_rib.c);
 *  - selection within a connection: higher LOCAL_PREF, shorter AS path
 *    (a set counts 1), lower origin, lower MED (only between paths from
 *    the same neighbouring AS, RFC 4271, unless med_always_compare),
 *    then the older path (an identical re-announcement, e.g. after a
 *    graceful restart or a route refresh, keeps its age, so a refresh
 *    never flips the choice), then the lower peer address (a total order
 *    for safety: ages are unique, so it is not reached today); stale
 *    paths compete like fresh ones until swept;
 *  - across connections, each connection's best path gets the kernel
 *    pref 1 + the number of distinct ranks, among the other connections'
 *    best paths for that prefix, that are better: equal ranks share the
 *    traffic (ECMP), a change for one prefix rewrites only that prefix's
 *    routes.
 */
#ifndef VPNRTD_BGP_RIB_H
#define VPNRTD_BGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_wire.h"

#define BGP_RIB_PEERS_MAX	64	/* peers per gateway */
#define BGP_RIB_CONNS_MAX	BGP_RIB_PEERS_MAX
#define BGP_RIB_NAME_MAX	32	/* VPNRT_CONN_NAME_MAX */
#define BGP_RIB_DENY_MAX	64
#define BGP_RIB_OWN_MAX		256
#define BGP_RIB_QUOTA_MAX	1000000	/* as the kernel's BGP quotas */
#define BGP_RIB_REFUSED_MAX	100000
#define BGP_RIB_CONN_VPC	0xffff	/* bgp_rib_op.conn of VPC ops */

enum bgp_rib_action {
	BGP_RIB_ACT_REFUSE = 0,	/* refuse the route, keep the session */
	BGP_RIB_ACT_TEARDOWN,	/* Cease/1 (RFC 4486) with the limit */
};

/* why a held route is not a candidate for installation */
enum bgp_rib_reason {
	BGP_RIB_OK = 0,		/* accepted */
	BGP_RIB_DENY,		/* the import deny list */
	BGP_RIB_OWN,		/* equal to or inside an own prefix */
	BGP_RIB_LOOP,		/* our ASN in the AS path */
	BGP_RIB_QUOTA_PEER,	/* the peer's peer-routes */
	BGP_RIB_QUOTA_GW,	/* the gateway's bgp-routes */
	BGP_RIB_NREASONS
};

struct bgp_rib_deny {
	struct bgp_prefix pfx;
	bool exact;		/* pfx only; else pfx and its more-specifics */
};

struct bgp_rib_config {
	uint32_t local_as;
	uint32_t max_routes;	/* bgp-routes, 0..BGP_RIB_QUOTA_MAX */
	uint32_t refused_max;	/* refused routes held per peer */
	bool med_always_compare;
	unsigned int n_deny;
	struct bgp_rib_deny deny[BGP_RIB_DENY_MAX];
	unsigned int n_own;
	struct bgp_prefix own[BGP_RIB_OWN_MAX];
};

/*
 * Defaults: local AS 45104, 50 routes, 256 refused routes held per peer,
 * MED compared per neighbouring AS, deny 0.0.0.0/0 and ::/0 exactly and
 * 100.64.0.0/10 with its more-specifics, no own prefixes.
 */
void bgp_rib_config_init(struct bgp_rib_config *c);

struct bgp_rib;

/* NULL: bad config (see bgp_rib_config) or no memory */
struct bgp_rib *bgp_rib_new(const struct bgp_rib_config *c);
void bgp_rib_free(struct bgp_rib *rib);

/*
 * New limits, deny list and own prefixes (local_as and med_always_compare
 * stay as created). Held routes are not re-evaluated until
 * bgp_rib_peer_refresh(); a quota lowered below its use evicts nothing.
 * 0 or -EINVAL.
 */
int bgp_rib_reconfigure(struct bgp_rib *rib, const struct bgp_rib_config *c);

/* ---- peers ---- */

struct bgp_rib_peer_conf {
	const char *conn;	/* connection name, < BGP_RIB_NAME_MAX bytes */
	uint8_t tunnel;		/* 1 or 2 */
	struct bgp_prefix addr;	/* neighbour address (len ignored) */
	uint32_t peer_as;
	uint32_t max_routes;	/* peer-routes, 0..BGP_RIB_QUOTA_MAX */
	uint8_t action;		/* enum bgp_rib_action */
};

/* peer id >= 0, or -EINVAL, -EEXIST (conn + tunnel taken), -ENOSPC */
int bgp_rib_peer_add(struct bgp_rib *rib, const struct bgp_rib_peer_conf *pc);
/*
 * removes its routes (operations to drain) and frees the id; -ENOMEM
 * when some could not go yet (no room for their operations): call again
 */
int bgp_rib_peer_del(struct bgp_rib *rib, int peer);
/* a new peer-routes quota and action; like reconfigure, evicts nothing */
int bgp_rib_peer_set_limit(struct bgp_rib *rib, int peer, uint32_t max,
			   uint8_t action);
/* connection id of a name, or -ENOENT */
int bgp_rib_conn_id(const struct bgp_rib *rib, const char *name);
/* "" for an unused id */
const char *bgp_rib_conn_name(const struct bgp_rib *rib, unsigned int conn);

/* ---- routes ---- */

enum bgp_rib_result {
	BGP_RIB_ACCEPTED = 0,
	BGP_RIB_REFUSED,	/* held or counted with its reason */
	BGP_RIB_TEARDOWN,	/* send bgp_rib_teardown_notif(), then
				 * bgp_rib_peer_down(.., false); until then
				 * the peer's announcements are ignored */
	BGP_RIB_IGNORED,	/* bad peer or prefix, or a teardown pending */
	BGP_RIB_ENOMEM,		/* nothing changed (the peer's previous
				 * path for p stays): reset the session
				 * with Cease/8 */
};

/*
 * A path for p from peer; it replaces the peer's previous path for p
 * (implicit withdraw) and clears its stale mark. An identical
 * re-announcement keeps the path's age. *why (may be NULL) gets the
 * reason when refused, BGP_RIB_OK otherwise.
 */
enum bgp_rib_result bgp_rib_announce(struct bgp_rib *rib, int peer,
				     const struct bgp_prefix *p,
				     const struct bgp_attrs *a,
				     enum bgp_rib_reason *why);
/* no-op when the peer holds nothing for p */
void bgp_rib_withdraw(struct bgp_rib *rib, int peer,
		      const struct bgp_prefix *p);

/*
 * A decoded UPDATE (decision below SESSION_RESET): AF_DISABLE flushes
 * that family, then the withdrawals, the announcements (attributes
 * interned once per run), and End-of-RIB sweeps the family's stale
 * routes. Stops at the first TEARDOWN or ENOMEM and returns it; else
 * REFUSED if any route was refused, else ACCEPTED.
 */
enum bgp_rib_result bgp_rib_update(struct bgp_rib *rib, int peer,
				   const struct bgp_update *u);

/* Cease/1 with AFI, SAFI 1 and the limit that was exceeded */
void bgp_rib_teardown_notif(const struct bgp_rib *rib, int peer,
			    struct bgp_notification *n);

/*
 * The session went down: graceful (RFC 4724 helper, or an enhanced route
 * refresh's BoRR): every route of the peer is marked stale and stays; not
 * graceful: they are removed at once. Either clears a pending teardown.
 */
void bgp_rib_peer_down(struct bgp_rib *rib, int peer, bool graceful);
/* mark the peer's routes of the families in afs (BGP_AFS()) stale */
void bgp_rib_peer_stale(struct bgp_rib *rib, int peer, unsigned int afs);
/* remove those still stale (End-of-RIB, EoRR, restart timer); count */
size_t bgp_rib_peer_sweep(struct bgp_rib *rib, int peer, unsigned int afs);
/* remove every route of the families in afs */
void bgp_rib_peer_flush(struct bgp_rib *rib, int peer, unsigned int afs);
/*
 * Re-evaluate the peer's held routes against the current policy and
 * quotas: accepted ones the deny list or own prefixes now refuse are
 * refused; refused ones are tried again, oldest first (a quota never
 * tears down here). Returns how many were accepted; if the peer's
 * refused_dropped is not 0, only a ROUTE-REFRESH brings the rest back.
 */
int bgp_rib_peer_refresh(struct bgp_rib *rib, int peer);

/* ---- kernel and VPC-table operations ---- */

enum bgp_rib_op_type {		/* in the order bgp_rib_drain() gives them */
	BGP_RIB_OP_VPC_DEL,	/* prefix leaves the VPC table */
	BGP_RIB_OP_DEL,		/* kernel BGP route (prefix, conn) */
	BGP_RIB_OP_REPLACE,	/* its pref changed: atomic replace */
	BGP_RIB_OP_ADD,
	BGP_RIB_OP_VPC_ADD,	/* prefix enters the VPC table */
	BGP_RIB_OP_NTYPES
};

struct bgp_rib_op {
	uint8_t type;		/* enum bgp_rib_op_type */
	uint16_t conn;		/* BGP_RIB_CONN_VPC for VPC ops */
	uint32_t pref;		/* ADD, REPLACE */
	struct bgp_prefix pfx;
};

/* operations pending (an upper bound: some may cancel out) */
size_t bgp_rib_pending(const struct bgp_rib *rib);
/*
 * Up to max operations, coalesced since the last drain: what the kernel
 * must do to go from what it was told to what the table holds now (an
 * add and a delete of one route cancel, two pref changes are one
 * replace). Removals first so that a full kernel quota never refuses an
 * add the batch makes room for; VPC deletions before the routes go, VPC
 * additions after they are there. Returns the count written.
 */
size_t bgp_rib_drain(struct bgp_rib *rib, struct bgp_rib_op *ops, size_t max);

/* ---- queries (vpnrtctl bgp routes) ---- */

struct bgp_rib_route {
	struct bgp_prefix pfx;
	int peer;
	unsigned int conn;
	/*
	 * the interned set: only bgp_attrs_size() bytes exist, read it
	 * with bgp_wire's functions, never copy it by value; valid until
	 * the table changes
	 */
	const struct bgp_attrs *attrs;
	enum bgp_rib_reason why;
	bool stale;
	bool installed;		/* its connection's best: a kernel route */
	uint32_t pref;		/* when installed */
	uint64_t seq;		/* arrival order */
};

struct bgp_rib_iter {
	int peer;		/* -1: every peer */
	int conn;		/* -1: every connection */
	bool received;		/* every held route, refused too; else only
				 * the installed ones */
	uint8_t af;
	uint32_t pos;
};

void bgp_rib_iter_init(struct bgp_rib_iter *it, int peer, int conn,
		       bool received);
/* false at the end; the table must not change during an iteration */
bool bgp_rib_iter_next(const struct bgp_rib *rib, struct bgp_rib_iter *it,
		       struct bgp_rib_route *r);
/* the peer's route for p: 0 or -ENOENT */
int bgp_rib_lookup(const struct bgp_rib *rib, int peer,
		   const struct bgp_prefix *p, struct bgp_rib_route *r);

struct bgp_rib_peer_stats {
	unsigned int conn;
	uint8_t tunnel;
	uint32_t max_routes;
	uint8_t action;
	uint32_t received;	/* held: accepted + refused */
	uint32_t accepted;	/* what peer-routes counts */
	uint32_t installed;	/* best of its connection: kernel routes */
	uint32_t stale;
	uint32_t refused[BGP_RIB_NREASONS];	/* held, by reason */
	uint64_t refused_dropped;	/* refused beyond refused_max */
	uint64_t announcements, withdrawals;
	bool teardown;		/* pending: td_* say why */
	uint8_t td_reason;	/* BGP_RIB_QUOTA_PEER or _GW */
	uint8_t td_af;
	uint32_t td_limit;
};

struct bgp_rib_stats {
	uint32_t routes;	/* kernel routes: what bgp-routes counts */
	uint32_t max_routes;
	uint32_t prefixes;	/* in the VPC table */
	uint32_t paths;		/* held, every peer */
	uint32_t accepted;
	uint32_t refused;	/* held */
	uint32_t attrs;		/* distinct interned attribute sets */
	uint32_t peers;
	size_t mem;		/* bytes allocated by the table */
};

int bgp_rib_peer_stats(const struct bgp_rib *rib, int peer,
		       struct bgp_rib_peer_stats *s);
void bgp_rib_stats(const struct bgp_rib *rib, struct bgp_rib_stats *s);

const char *bgp_rib_reason_name(unsigned int why);
const char *bgp_rib_op_name(unsigned int type);

#endif
