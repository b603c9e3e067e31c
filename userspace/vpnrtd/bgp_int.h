/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The speaker glue's internals, shared by its files, one concern each:
 *
 *   bgp.c         speakers and sessions: config, tunnels, callbacks,
 *                 graceful restart, the control socket's queries
 *   bgp_adv.c     what we announce: the advertisement diff and the
 *                 UPDATEs carrying it (pure but for bgp_session_send)
 *   bgp_kernel.c  the table's operations into vpnrt requests: batching,
 *                 refusals, resync, ROUTE_STALE/ROUTE_SWEEP, the dump
 *
 * Nothing outside these files includes this header.
 */
#ifndef VPNRTD_BGP_INT_H
#define VPNRTD_BGP_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vpnrt.h>
#include "bgp.h"
#include "loop.h"
#include "msg.h"

struct vpnrtd;
struct bgp_speaker;

/* ---- bgp_adv.c ---- */

/* a set of prefixes, sorted by bgp_prefix_cmp, each once */
struct bgp_pset {
	size_t n, cap;
	struct bgp_prefix *v;
};

void bgp_pset_free(struct bgp_pset *s);
void bgp_pset_sort(struct bgp_pset *s);	/* sorts, drops repeats */
int bgp_pset_add(struct bgp_pset *s, const struct bgp_prefix *p);
bool bgp_pset_has(const struct bgp_pset *s, const struct bgp_prefix *p);

/* what is announced to one peer, and what it still owes */
struct bgp_adv {
	struct bgp_pset sent;		/* announced now (sorted) */
	uint8_t eor_pending;		/* BGP_AFS: End-of-RIB still to send */
	uint8_t eorr_pending;		/* BGP_AFS: EoRR (RFC 7313) to send */
	uint8_t borr_pending;		/* BGP_AFS: BoRR to send first */
	uint32_t next_hop;		/* the tunnel's local-ip, network order */
	uint32_t local_as;
};

/*
 * The attributes of our announcements: ORIGIN IGP, AS_PATH [local_as],
 * next hop nh4 (IPv4), or for IPv6 the IPv4-mapped ::ffff:nh4 (the
 * session runs over IPv4 inside addresses: RFC 4798's practice for IPv6
 * reachability over an IPv4 session).
 */
void bgp_adv_attrs(struct bgp_attrs *a, uint32_t local_as, uint32_t nh4,
		   enum bgp_af af);

/* where UPDATEs go: bgp_session_send() in the daemon, a buffer in tests */
typedef int (*bgp_adv_send_fn)(void *arg, const uint8_t *msg, size_t len);

/*
 * Bring what adv says is announced to want (restricted to the families
 * in afs), in UPDATEs of many prefixes each: withdrawals first, then
 * announcements, then the pending EoRR and End-of-RIB markers (sent by
 * send_marker(af, subtype): subtype 0xff is End-of-RIB). Stops at the
 * first send that fails (queue full: call again when writable) and
 * returns -1; 0 when everything is sent. *n_msgs counts the UPDATEs.
 */
int bgp_adv_sync(struct bgp_adv *adv, const struct bgp_pset *want,
		 uint8_t afs, const struct bgp_ctx *ctx, bgp_adv_send_fn send,
		 int (*send_marker)(void *arg, enum bgp_af af, uint8_t subtype),
		 void *arg, size_t *n_msgs);
#define BGP_ADV_MARK_EOR	0xff

/* ---- bgp_kernel.c ---- */

/* largest route array per ROUTE_NEW / ROUTE_DEL request */
#define BGP_KERNEL_BATCH	1024

/*
 * The vpnrt route of a table operation (DEL: the key; ADD, REPLACE: with
 * pref); conn is the connection's name.
 */
void bgp_kernel_route(const struct bgp_rib_op *op, const char *conn,
		      struct vpnrt_route *r);

/* what one kernel request did, for the batch log line */
struct bgp_kernel_stats {
	uint32_t added, replaced, deleted;
	uint32_t refused;	/* single routes the kernel would not take */
	uint32_t gone;		/* deletions of routes already absent */
	uint32_t msgs;
	uint64_t kernel_us;	/* time in the kernel's requests */
	char first_err[256];	/* extack of the first refusal */
};

/*
 * VPNRTD_BGP_TIMING=1 in the environment: drains log where their time
 * went (`make bench` reads it; Documentation/benchmarks.rst)
 */
bool bgp_timing(void);
uint64_t bgp_now_us(void);

/*
 * Send ops[0..n) of one speaker to the kernel, in order, routes of one
 * operation type per request and up to BGP_KERNEL_BATCH each. A refused
 * request is narrowed to the route the kernel names (extack "route K:")
 * and the rest sent again; that route: EEXIST on an add is resent as a
 * replace, ESRCH on a delete is counted as gone, anything else counted
 * refused (the caller resyncs later). VPC ops are skipped.
 */
void bgp_kernel_send(struct vpnrtd *d, const struct bgp_rib *rib,
		     const struct bgp_rib_op *ops, size_t n,
		     struct bgp_kernel_stats *st);

/* dump the BGP routes (of gateway gw_ifindex, 0: any); 0 or -1 */
int bgp_kernel_dump(struct vpnrtd *d, uint32_t gw_ifindex,
		    struct vpnrt_route **v, size_t *n);
/*
 * ROUTE_STALE (timeout >= 0) or ROUTE_SWEEP (timeout < 0) of proto bgp
 * on gateway gw_ifindex, connection conn (NULL: all); the count, or -1
 */
long bgp_kernel_stale(struct vpnrtd *d, uint32_t gw_ifindex,
		      const char *conn, long timeout);
/*
 * Make the gateway's kernel BGP routes those the table installs (stale
 * ones not in the table are left to the sweep); 0 when nothing was
 * refused.
 */
int bgp_kernel_resync(struct vpnrtd *d, const struct bgp_rib *rib,
		      uint32_t gw_ifindex, struct bgp_kernel_stats *st);

/*
 * Tests: send route requests to fn instead of the kernel; it returns 0
 * or -errno with the extack in msg. NULL: the kernel again.
 */
typedef int (*bgp_kernel_xfer_fn)(uint8_t cmd, bool replace,
				  const struct vpnrt_route *v, size_t n,
				  char *msg, size_t len);
void bgp_kernel_set_test_xfer(bgp_kernel_xfer_fn fn);

#endif
