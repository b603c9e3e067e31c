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
 * Nothing blocks on the network: adds and deletes are queued and
 * pipelined on a non-blocking socket (up to 1024 in flight, many to a
 * sendmsg), their acks read from the loop and matched by sequence
 * number. Only table dumps (hostroute_vpc_begin, _sync, hostroute_watch,
 * and the reloads below) are read to their end at once: a wait on the
 * kernel alone, about 0.1 s per 100,000 routes, 10 s at most.
 *
 * Our route: table (RTA_TABLE, rtm_table too when < 256), dst/len,
 * RTN_UNICAST, scope link, protocol HOSTROUTE_PROTO, RTA_OIF the gateway
 * device, no gateway, no metric (IPv4 0, IPv6 1024). Deletes name the
 * protocol and the device, so they can only match ours.
 *
 * The slot of a prefix is (table, dst/len, TOS 0, that default metric):
 * the kernel holds one route there. hostroute_vpc_begin dumps the table
 * and then follows route events, so it knows who holds each slot:
 *  - a route of another protocol (any type, unicast or blackhole or
 *    ..., one nexthop or several) there: a conflict. Nothing is sent, the
 *    conflict is counted and logged once (prefix, protocol). When that
 *    route goes, ours is installed; when the operator replaces ours
 *    (ip route replace), ours becomes a conflict, it is not put back;
 *  - a HOSTROUTE_PROTO route other than ours there (via another device,
 *    a gateway, several nexthops): vpnrtd's too, replaced (NLM_F_REPLACE)
 *    by the one wanted now;
 *  - else the add is NLM_F_CREATE|NLM_F_EXCL: if a route came first by a
 *    hair, EEXIST makes it a conflict (after the events are read, or the
 *    table read again), never a replace.
 * Routes of another metric or TOS are other slots: no conflict.
 *
 * A request the kernel refuses is logged with errno and the kernel's
 * extack message (the first 10 of a burst, then a count) and counted;
 * it is not retried by itself, but at the next add of that prefix, at
 * hostroute_vpc_sync() or at the next begin.
 *
 * A route of ours deleted by someone else (ip route del, RTM_DELROUTE)
 * is counted (stats.lost), logged and added again after 1 s: vpnrtd owns
 * the VPC table's routes as long as BGP wants them (withdraw it there,
 * or hold the prefix with a route of another protocol, to keep it out).
 * The kernel drops IPv4 routes via a device going down without an
 * event: a device down or deleted makes every table be read again
 * (0.1 s later); routes via the gateway device wait while it is down and
 * are installed again when it comes up. Lost events (ENOBUFS) and lost
 * acks also make the tables be read again.
 *
 * Restart: hostroute_vpc_begin() marks every HOSTROUTE_PROTO route of the
 * table via the device stale (in memory); hostroute_vpc_add() of a prefix
 * already there changes nothing in the kernel and clears the mark;
 * hostroute_vpc_sweep() deletes the routes still marked. So a restart
 * that relearns the same routes sends the kernel nothing.
 * hostroute_free() leaves every route in place.
 *
 * Memory: an entry per prefix of ours or of a conflicting route in the
 * VPC tables (~80 bytes), the pending operation a flag in it (one per
 * prefix: an add then a delete before sending sends nothing); an entry
 * per prefix of a watched table.
 */
#ifndef VPNRTD_HOSTROUTE_H
#define VPNRTD_HOSTROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_wire.h"
#include "loop.h"

/* rtm_protocol of vpnrtd's routes ("vpnrt" in rt_protos) */
#define HOSTROUTE_PROTO		245

struct hostroute;

struct hostroute *hostroute_new(struct loop *l, char *err, size_t len);
void hostroute_free(struct hostroute *h);

/* ---- the VPC table ---- */

/*
 * Take over table (1..2^32-1 but 255, local) for gateway device ifindex:
 * reads the table (a dump), marks the HOSTROUTE_PROTO routes there via
 * that device stale and notes the other routes' slots. Called again for
 * the same (table, ifindex): every route of ours becomes stale again,
 * pending adds are dropped. 0 or -1 with err.
 */
int hostroute_vpc_begin(struct hostroute *h, uint32_t table, int ifindex,
			char *err, size_t len);
/*
 * queue the route p via ifindex in table; 0, or -1 (no memory). Without
 * a begin for (table, ifindex) the table is read first, as begin does.
 * del: ours is deleted (if queued, not added); 0. A HOSTROUTE_PROTO route
 * via ifindex that someone else adds to the table is adopted as stale:
 * the next sweep deletes it unless it was added since.
 */
int hostroute_vpc_add(struct hostroute *h, uint32_t table, int ifindex,
		      const struct bgp_prefix *p);
int hostroute_vpc_del(struct hostroute *h, uint32_t table, int ifindex,
		      const struct bgp_prefix *p);
/* delete the routes of (table, ifindex) still stale; the count */
size_t hostroute_vpc_sweep(struct hostroute *h, uint32_t table, int ifindex);
/*
 * delete every vpnrtd route of (table, ifindex): vpc-table changed or
 * off; the count. (table, ifindex) is forgotten once they are gone.
 */
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

/*
 * called (from the loop, a timer of zero delay) after the watched
 * table's list changed: changes read in one go make one call
 */
typedef void (*hostroute_table_cb)(void *arg, uint32_t table);

/*
 * Follow table's unicast routes (RTN_UNICAST: no local, broadcast,
 * multicast, blackhole...), leaving out those with a nexthop via any of
 * the n_skip devices (the gateway devices; skip is copied), vpnrtd's own
 * (HOSTROUTE_PROTO), cached clones and IPv6 link-local (fe80::/10). A
 * prefix is in the list while one route of it qualifies (multipath,
 * several metrics: once). The table is read before returning (no cb for
 * that); cb is called, coalesced, after each change of the list. Called
 * again for a table: new skip, cb, arg, table read again. 0 or -1 with
 * err.
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
