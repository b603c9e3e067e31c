/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrt objects in C and their netlink encoding: builders that append an
 * object's attributes to an nl_msg, and parsers that fill an object from a
 * nest. Shared by vpnrtctl and vpnrtd. No socket is needed here.
 *
 * Every object has a `present` mask: bit N set means attribute N (of the
 * object's attribute enum) is present. Builders put exactly the present
 * attributes that a request may carry; parsers set the bits they saw.
 */
#ifndef VPNRT_MSG_H
#define VPNRT_MSG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <linux/vpnrt.h>

#include "parse.h"

#define VPNRT_BIT(attr)		(1u << (attr))
#define VPNRT_HAS(obj, attr)	(!!((obj)->present & VPNRT_BIT(attr)))
#define VPNRT_SET(obj, attr)	((obj)->present |= VPNRT_BIT(attr))

struct vpnrt_gw {
	uint32_t present;		/* enum vpnrt_gw_attr */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint8_t ecmp_hash;
	uint32_t max_paths, max_conns, max_bgp_routes, max_peer_routes;
	uint32_t max_policy_routes, max_routes;
	uint32_t n_conns, n_routes, n_policy_routes, n_bgp_routes;
	uint8_t owner;			/* enum vpnrt_owner */
	uint32_t mss_clamp;		/* VPNRT_MSS_CLAMP_OFF, _AUTO or an MSS */
	uint8_t rp_check;		/* enum vpnrt_rp_check */
	uint32_t stats_present;		/* enum vpnrt_gw_stats_attr */
	uint64_t stats[VPNRT_A_GW_STATS_MAX + 1];
};

/*
 * A tunnel's health check. Requests (CONN_SET) carry OFF, or FAMILY, DST,
 * SRC and optionally INTERVAL, RETRIES, RISE, POLICY, TIMEOUT; replies add the
 * state and counters, events the change (OLD_STATE, REASON, TIME, ...).
 */
struct vpnrt_health {
	uint32_t present;		/* enum vpnrt_health_attr */
	uint16_t family;
	struct prefix dst, src;		/* host addresses */
	uint32_t interval_ms, retries, rise, timeout_ms;
	uint8_t policy;			/* enum vpnrt_health_policy */
	uint8_t state, old_state;	/* enum vpnrt_health_state */
	uint8_t reason;			/* enum vpnrt_health_reason */
	uint64_t time_ns, loss_start_ns;	/* CLOCK_REALTIME */
	uint64_t since_ms;
	uint64_t sent, answered, ignored, send_errors, events_lost;
	uint32_t consec_lost, rtt_us, srtt_us, window, window_lost;
	uint32_t transitions;
};

/*
 * A tunnel of a connection. In CONN_SET requests it is named by POSITION
 * (pos, 1-based; with an IFINDEX of another device it is rebound to that
 * device), else by IFINDEX, else it is the connection's only tunnel.
 */
struct vpnrt_tunnel {
	uint32_t present;		/* enum vpnrt_tunnel_attr */
	int pos;			/* parsed: its nest's type, 1-based;
					 * built: VPNRT_A_TUNNEL_POSITION
					 */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint8_t ike;			/* enum vpnrt_state, its own SA */
	uint8_t state;
	uint32_t down_reason;
	uint64_t tx_packets, tx_bytes, tx_errors;
	struct vpnrt_health health;	/* VPNRT_A_TUNNEL_HEALTH */
};

struct vpnrt_conn {
	uint32_t present;		/* enum vpnrt_conn_attr */
	char name[VPNRT_CONN_NAME_MAX];
	uint32_t id;
	uint32_t gw_ifindex;
	int n_tunnels;
	struct vpnrt_tunnel tunnels[VPNRT_MAX_TUNNELS];
	uint8_t mode, routing;
	uint16_t family;
	struct prefix local, peer;	/* flow protection */
	uint8_t admin, ike_managed, ike, state;
	uint32_t down_reason;
	uint32_t n_routes, n_bgp_routes;
	uint8_t owner;			/* enum vpnrt_owner */
};

struct vpnrt_route {
	uint32_t present;		/* enum vpnrt_route_attr */
	uint16_t family;
	struct prefix dst, src;		/* src: policy routes */
	uint8_t proto;
	char conn[VPNRT_CONN_NAME_MAX];
	uint32_t conn_id;
	uint8_t weight, priority;
	uint32_t pref;
	uint32_t flags;
	uint8_t usable;
	uint32_t gw_ifindex;
	bool stale;			/* VPNRT_A_ROUTE_STALE (replies): marked
					 * by ROUTE_STALE, not refreshed since
					 */
};

/*
 * The scope of ROUTE_STALE (mark) and ROUTE_SWEEP: a gateway, optionally
 * one connection (conn, else conn_id) and one proto; a mark may carry a
 * timeout (s, 0: none) after which the kernel sweeps the scope itself.
 * Replies echo the scope and add COUNT: routes marked, or swept.
 */
struct vpnrt_stale {
	uint32_t present;		/* enum vpnrt_stale_attr */
	uint32_t gw_ifindex;
	char conn[VPNRT_CONN_NAME_MAX];
	uint32_t conn_id;
	uint8_t proto;			/* enum vpnrt_proto */
	uint32_t timeout;		/* s */
	uint32_t count;			/* reply */
};

struct vpnrt_lookup {
	uint32_t present;		/* enum vpnrt_lookup_attr */
	/* query */
	uint32_t gw_ifindex;
	uint16_t family;
	struct prefix dst, src;		/* host addresses, len ignored */
	uint8_t ipproto;
	uint16_t sport, dport;
	/* reply */
	struct vpnrt_route route;
	uint32_t tunnel_ifindex;
	char tunnel_ifname[IFNAMSIZ];
	uint8_t reason, fallback;
	uint32_t n_paths, hash, skipped;
};

/*
 * A new generic netlink request of the vpnrt family with room for size
 * bytes of attributes (0: a page). flags: NLM_F_ACK, NLM_F_DUMP, ...
 */
struct nl_msg *vpnrt_msg_new(int family_id, uint8_t cmd, int flags,
			     size_t size);

/*
 * Append VPNRT_A_GW / VPNRT_A_CONN / VPNRT_A_LOOKUP; 0 or a libnl error.
 * A connection's tunnels go as elements 1..n_tunnels of VPNRT_A_CONN_TUNNELS
 * with their present IFINDEX, POSITION (from pos), IKE and HEALTH (its
 * request attributes only); a tunnel with nothing present is left out.
 * OWNER goes when present.
 */
int vpnrt_put_gw(struct nl_msg *msg, const struct vpnrt_gw *gw);
int vpnrt_put_conn(struct nl_msg *msg, const struct vpnrt_conn *conn);
int vpnrt_put_lookup(struct nl_msg *msg, const struct vpnrt_lookup *lk);
/* Append the nest of one route as element idx (1-based) of a route array. */
int vpnrt_put_route(struct nl_msg *msg, int idx, const struct vpnrt_route *r);
/* Append VPNRT_A_ROUTES holding routes[0..n-1] as elements 1..n. */
int vpnrt_put_routes(struct nl_msg *msg, const struct vpnrt_route *routes,
		     int n);
/* Bytes vpnrt_put_route() appends for r (with the element's header). */
size_t vpnrt_route_size(const struct vpnrt_route *r);

/*
 * A ROUTE_NEW or ROUTE_DEL request (NLM_F_ACK) for routes[0..n-1], sized
 * to fit; NULL without memory. replace (ROUTE_NEW only) adds the flag
 * VPNRT_A_REPLACE, the family's NLM_F_REPLACE (which genl refuses in
 * requests): a route that exists takes the new values atomically (its
 * weight, priority, pref; attributes not given take their defaults), one
 * that does not is added. Without it an existing route fails the request
 * (EEXIST) unless it is stale: then the add refreshes it (unmarked, the
 * new values taken), as a replace would.
 */
struct nl_msg *vpnrt_routes_msg(int family_id, uint8_t cmd, bool replace,
				const struct vpnrt_route *routes, int n);

/*
 * Append VPNRT_A_STALE with the present GW_IFINDEX, CONN, CONN_ID, PROTO
 * and TIMEOUT; 0 or a libnl error.
 */
int vpnrt_put_stale(struct nl_msg *msg, const struct vpnrt_stale *st);
/*
 * A ROUTE_STALE (mark) or ROUTE_SWEEP request (NLM_F_ACK) for st; NULL
 * without memory. Its reply is VPNRT_A_STALE: vpnrt_parse_stale() gives
 * the count marked or swept.
 */
struct nl_msg *vpnrt_stale_msg(int family_id, uint8_t cmd,
			       const struct vpnrt_stale *st);

/* Fill from a nest; 0, or a negative libnl error for a malformed one. */
int vpnrt_parse_gw(struct nlattr *nest, struct vpnrt_gw *gw);
int vpnrt_parse_conn(struct nlattr *nest, struct vpnrt_conn *conn);
int vpnrt_parse_route(struct nlattr *nest, struct vpnrt_route *r);
int vpnrt_parse_lookup(struct nlattr *nest, struct vpnrt_lookup *lk);
int vpnrt_parse_health(struct nlattr *nest, struct vpnrt_health *h);
int vpnrt_parse_stale(struct nlattr *nest, struct vpnrt_stale *st);

/*
 * The top-level attributes of a vpnrt message, tb[0..VPNRT_A_MAX];
 * 0, or a negative libnl error.
 */
int vpnrt_parse_msg(struct nl_msg *msg, struct nlattr **tb);

#endif
