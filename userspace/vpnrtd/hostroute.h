/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host routing tables over rtnetlink (hostroute.c), for the BGP speaker:
 *
 *  - the VPC table: BGP-learned prefixes installed into a host table
 *    (vpc-table) via the gateway device, so the VPC's hosts route through
 *    the gateway. Each route carries protocol HOSTROUTE_PROTO, so vpnrtd
 *    recognises its own routes after a restart and never touches another
 *    one; a route of another protocol already there for the same prefix
 *    is left alone and reported (the operator's route wins);
 *  - the advertised table (advertise-table): the routes of a host table
 *    that the gateway announces, followed live (RTNLGRP_IPV4_ROUTE and
 *    IPV6_ROUTE), without those via the gateway device and without
 *    vpnrtd's own.
 *
 * Nothing blocks: requests are queued and pipelined on a non-blocking
 * socket, their acks read from the loop; a refused request is logged
 * with the kernel's reason and retried at the next sync.
 *
 * Restart: hostroute_vpc_begin() marks every HOSTROUTE_PROTO route of the
 * table stale (in memory); hostroute_vpc_add() of a prefix already there
 * changes nothing in the kernel and clears the mark; hostroute_vpc_sweep()
 * deletes the routes still marked. So a restart that relearns the same
 * routes sends the kernel nothing.
 */
#ifndef VPNRTD_HOSTROUTE_H
#define VPNRTD_HOSTROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_wire.h"
#include "loop.h"

/* rtm_protocol of vpnrtd's routes ("vpnrt" in rt_protos) */
#define HOSTROUTE_PROTO		194

struct hostroute;

struct hostroute *hostroute_new(struct loop *l, char *err, size_t len);
void hostroute_free(struct hostroute *h);

/* ---- the VPC table ---- */

/*
 * Take over table (1..2^32-1 but 255, local) for gateway device ifindex:
 * reads the HOSTROUTE_PROTO routes there via that device and marks them
 * stale. 0 or -1 with err.
 */
int hostroute_vpc_begin(struct hostroute *h, uint32_t table, int ifindex,
			char *err, size_t len);
/* queue the route p via ifindex in table; 0, or -1 (no memory) */
int hostroute_vpc_add(struct hostroute *h, uint32_t table, int ifindex,
		      const struct bgp_prefix *p);
int hostroute_vpc_del(struct hostroute *h, uint32_t table, int ifindex,
		      const struct bgp_prefix *p);
/* delete the routes of (table, ifindex) still stale; the count */
size_t hostroute_vpc_sweep(struct hostroute *h, uint32_t table, int ifindex);
/* delete every vpnrtd route of (table, ifindex): vpc-table changed or off */
size_t hostroute_vpc_flush(struct hostroute *h, uint32_t table, int ifindex);
/*
 * Read (table, ifindex) from the kernel again and bring it to what is
 * wanted: routes of ours missing are added again, refused requests are
 * retried, conflicts re-checked (e.g. after the gateway device was down:
 * the kernel drops IPv4 routes of a down device without telling). 0 or
 * -1 with err (no begin for it, dump failed).
 */
int hostroute_vpc_sync(struct hostroute *h, uint32_t table, int ifindex,
		       char *err, size_t len);

struct hostroute_stats {
	uint32_t routes;	/* ours in the kernel (acked) */
	uint32_t queued;	/* requests not yet acked */
	uint32_t conflicts;	/* prefixes held by another protocol's route */
	uint64_t errors;	/* requests the kernel refused */
	uint64_t lost;		/* ours deleted by someone else (re-added) */
};
void hostroute_vpc_stats(const struct hostroute *h, uint32_t table,
			 int ifindex, struct hostroute_stats *s);
/* requests sent to the kernel so far, all tables (diagnostics, tests) */
uint64_t hostroute_requests(const struct hostroute *h);

/* ---- the advertised table ---- */

/* called (from the loop) after the watched table changed */
typedef void (*hostroute_table_cb)(void *arg, uint32_t table);

/*
 * Follow table's unicast routes, leaving out those via any of the
 * n_skip devices (the gateway devices) and vpnrtd's own. cb is called,
 * coalesced, after each change. 0 or -1 with err.
 */
int hostroute_watch(struct hostroute *h, uint32_t table, const int *skip,
		    size_t n_skip, hostroute_table_cb cb, void *arg,
		    char *err, size_t len);
void hostroute_unwatch(struct hostroute *h, uint32_t table);
/*
 * The watched table's prefixes now, sorted, written to out (at most
 * max): the total count is returned (may exceed max).
 */
size_t hostroute_table(const struct hostroute *h, uint32_t table,
		       struct bgp_prefix *out, size_t max);

#endif
