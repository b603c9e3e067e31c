/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * vpnrt: route-based IPsec VPN gateway with cloud-style dynamic routing.
 *
 * Generic netlink ABI. Documentation/netlink.rst describes it;
 * Documentation/netlink/vpnrt.yaml is the machine-readable spec.
 *
 * Objects: gateways (netdevices of link kind "vpnrt"), connections (one or
 * two tunnel netdevices each) and routes (static, policy, BGP) held per
 * connection. Every request carries its objects nested: VPNRT_A_GW,
 * VPNRT_A_CONN, or an array of routes in VPNRT_A_ROUTES. Changes need
 * CAP_NET_ADMIN in the user namespace owning the network namespace; reads
 * do not.
 */
#ifndef _UAPI_LINUX_VPNRT_H
#define _UAPI_LINUX_VPNRT_H

#define VPNRT_GENL_NAME		"vpnrt"
#define VPNRT_GENL_VERSION	1
#define VPNRT_MCGRP_EVENTS	"events"

#define VPNRT_LINK_KIND		"vpnrt"
#define VPNRT_CONN_NAME_MAX	32	/* including the terminating NUL */
#define VPNRT_MAX_TUNNELS	2
#define VPNRT_MAX_PATHS		16	/* hard limit of ECMP paths */

/* default quotas of a new gateway */
#define VPNRT_DEF_MAX_CONNS		50
#define VPNRT_DEF_MAX_BGP_ROUTES	50
#define VPNRT_DEF_MAX_PEER_ROUTES	100
#define VPNRT_DEF_MAX_POLICY_ROUTES	100
#define VPNRT_DEF_MAX_ROUTES		1048576

#define VPNRT_WEIGHT_ACTIVE	100
#define VPNRT_WEIGHT_STANDBY	0
#define VPNRT_PRIORITY_MIN	1
#define VPNRT_PRIORITY_MAX	100
#define VPNRT_PRIORITY_DEFAULT	10

enum vpnrt_cmd {
	VPNRT_CMD_UNSPEC,
	VPNRT_CMD_GW_NEW,	/* do: create a gateway device; event */
	VPNRT_CMD_GW_DEL,	/* do: delete it; event */
	VPNRT_CMD_GW_SET,	/* do: change settings and quotas; event */
	VPNRT_CMD_GW_GET,	/* do, dump */
	VPNRT_CMD_CONN_NEW,	/* do; event */
	VPNRT_CMD_CONN_DEL,	/* do; event */
	VPNRT_CMD_CONN_SET,	/* do; event (also on every state change) */
	VPNRT_CMD_CONN_GET,	/* do, dump */
	VPNRT_CMD_ROUTE_NEW,	/* do: add VPNRT_A_ROUTES, all or none; with
				 * VPNRT_A_REPLACE, existing ones take the
				 * new values atomically; event
				 */
	VPNRT_CMD_ROUTE_DEL,	/* do: delete VPNRT_A_ROUTES, all or none; event */
	VPNRT_CMD_ROUTE_GET,	/* dump, filtered by gateway/conn/proto */
	VPNRT_CMD_ROUTE_LOOKUP,	/* do: the decision for one flow */
	VPNRT_CMD_HEALTH,	/* event only: a tunnel's health state changed */
	VPNRT_CMD_ROUTE_STALE,	/* do: mark the routes of VPNRT_A_STALE's scope
				 * stale, with an optional timed sweep
				 */
	VPNRT_CMD_ROUTE_SWEEP,	/* do: delete the stale routes of the scope */

	__VPNRT_CMD_MAX,
	VPNRT_CMD_MAX = __VPNRT_CMD_MAX - 1
};

/* top level */
enum vpnrt_attr {
	VPNRT_A_UNSPEC,
	VPNRT_A_GW,		/* nest, enum vpnrt_gw_attr */
	VPNRT_A_CONN,		/* nest, enum vpnrt_conn_attr */
	VPNRT_A_ROUTES,		/* nest: array of nests, enum vpnrt_route_attr */
	VPNRT_A_LOOKUP,		/* nest, enum vpnrt_lookup_attr */
	VPNRT_A_STALE,		/* nest, enum vpnrt_stale_attr */
	VPNRT_A_REPLACE,	/* flag, ROUTE_NEW: replace existing routes
				 * (what NLM_F_REPLACE is to rtnetlink; genl
				 * refuses that bit in requests)
				 */

	__VPNRT_A_MAX,
	VPNRT_A_MAX = __VPNRT_A_MAX - 1
};

enum vpnrt_ecmp_hash {
	VPNRT_HASH_L4,		/* addresses, protocol and ports (default) */
	VPNRT_HASH_L3,		/* addresses only */
};

/*
 * Who created a gateway or connection: given at creation, never changed,
 * so that the agent can tell its own objects from an operator's.
 */
enum vpnrt_owner {
	VPNRT_OWNER_NONE	= 0,	/* by hand, a script, rtnetlink */
	VPNRT_OWNER_AGENT	= 1,	/* vpnrtd */
};

/*
 * TCP MSS clamping of a gateway (VPNRT_A_GW_MSS_CLAMP): SYNs and SYN-ACKs
 * it sends into a tunnel, and those it receives from one, get their MSS
 * option lowered to the value, or with AUTO to that tunnel's MTU less 40
 * (IPv4) or 60 (IPv6) bytes.
 */
#define VPNRT_MSS_CLAMP_OFF	0
#define VPNRT_MSS_CLAMP_AUTO	1
#define VPNRT_MSS_CLAMP_MIN	536
#define VPNRT_MSS_CLAMP_MAX	65535

/*
 * Source check of what a gateway's tunnels receive (VPNRT_A_GW_RP_CHECK):
 * a packet arriving from a connection's tunnel is accepted if the
 * gateway's tables route its source address to that connection (STRICT)
 * or to any connection (LOOSE); others are dropped and counted.
 */
enum vpnrt_rp_check {
	VPNRT_RP_CHECK_OFF,	/* default */
	VPNRT_RP_CHECK_STRICT,
	VPNRT_RP_CHECK_LOOSE,
};

enum vpnrt_gw_attr {
	VPNRT_A_GW_UNSPEC,
	VPNRT_A_GW_IFINDEX,		/* u32 */
	VPNRT_A_GW_IFNAME,		/* string */
	VPNRT_A_GW_ECMP_HASH,		/* u8, enum vpnrt_ecmp_hash */
	VPNRT_A_GW_MAX_PATHS,		/* u32, 1..VPNRT_MAX_PATHS */
	VPNRT_A_GW_MAX_CONNS,		/* u32 */
	VPNRT_A_GW_MAX_BGP_ROUTES,	/* u32, per gateway */
	VPNRT_A_GW_MAX_PEER_ROUTES,	/* u32, BGP routes per connection */
	VPNRT_A_GW_MAX_POLICY_ROUTES,	/* u32 */
	VPNRT_A_GW_MAX_ROUTES,		/* u32, static routes */
	VPNRT_A_GW_N_CONNS,		/* u32, reply only */
	VPNRT_A_GW_N_ROUTES,		/* u32, static, reply only */
	VPNRT_A_GW_N_POLICY_ROUTES,	/* u32, reply only */
	VPNRT_A_GW_N_BGP_ROUTES,	/* u32, reply only */
	VPNRT_A_GW_STATS,		/* nest, enum vpnrt_gw_stats_attr */
	VPNRT_A_GW_PAD,
	VPNRT_A_GW_OWNER,		/* u8, enum vpnrt_owner (NEW; fixed) */
	VPNRT_A_GW_MSS_CLAMP,		/* u32: VPNRT_MSS_CLAMP_OFF (default),
					 * VPNRT_MSS_CLAMP_AUTO, or an MSS of
					 * VPNRT_MSS_CLAMP_MIN..VPNRT_MSS_CLAMP_MAX
					 */
	VPNRT_A_GW_RP_CHECK,		/* u8, enum vpnrt_rp_check */

	__VPNRT_A_GW_MAX,
	VPNRT_A_GW_MAX = __VPNRT_A_GW_MAX - 1
};

enum vpnrt_gw_stats_attr {
	VPNRT_A_GW_STATS_UNSPEC,
	VPNRT_A_GW_STATS_TX_PACKETS,	/* u64, sent into a tunnel */
	VPNRT_A_GW_STATS_TX_BYTES,	/* u64 */
	VPNRT_A_GW_STATS_NO_ROUTE,	/* u64, dropped: no usable route */
	VPNRT_A_GW_STATS_FALLBACK,	/* u64, sent by the all-down rule */
	VPNRT_A_GW_STATS_TX_ERRORS,	/* u64, the tunnel refused the packet */
	VPNRT_A_GW_STATS_PAD,
	VPNRT_A_GW_STATS_TOO_BIG,	/* u64, dropped: over the tunnel's MTU,
					 * answered with frag-needed or
					 * packet-too-big
					 */
	VPNRT_A_GW_STATS_MSS_CLAMPED,	/* u64, SYNs whose MSS was lowered */
	VPNRT_A_GW_STATS_NO_TUNNEL,	/* u64, dropped: the route's tunnel
					 * device is gone or down
					 */
	VPNRT_A_GW_STATS_RP_DROPS,	/* u64, received from a tunnel and
					 * dropped by the source check
					 */

	__VPNRT_A_GW_STATS_MAX,
	VPNRT_A_GW_STATS_MAX = __VPNRT_A_GW_STATS_MAX - 1
};

enum vpnrt_conn_mode {
	VPNRT_MODE_ACTIVE_STANDBY,	/* tunnel 1 while usable, else 2 */
	VPNRT_MODE_ECMP,		/* both tunnels carry traffic */
};

enum vpnrt_routing_mode {
	VPNRT_ROUTING_DESTINATION,	/* routes decide (default) */
	VPNRT_ROUTING_FLOW,		/* flow protection: local/peer CIDR */
};

enum vpnrt_state {
	VPNRT_STATE_DOWN,
	VPNRT_STATE_UP,
};

/* why a connection or tunnel cannot carry traffic; bit flags */
enum vpnrt_down_reason {
	VPNRT_DOWN_ADMIN	= 1 << 0,	/* connection set admin down */
	VPNRT_DOWN_IKE		= 1 << 1,	/* IKE-managed and IKE is down:
						 * on a tunnel, its SA; on the
						 * connection, every tunnel's
						 */
	VPNRT_DOWN_NO_DEVICE	= 1 << 2,	/* tunnel device deleted */
	VPNRT_DOWN_LINK		= 1 << 3,	/* tunnel device down/no carrier */
	VPNRT_DOWN_HEALTH	= 1 << 4,	/* health check failing */
	VPNRT_DOWN_NO_TUNNEL	= 1 << 5,	/* connection: no usable tunnel */
};

enum vpnrt_conn_attr {
	VPNRT_A_CONN_UNSPEC,
	VPNRT_A_CONN_NAME,		/* string, unique per netns */
	VPNRT_A_CONN_ID,		/* u32, unique per netns; 0 = pick */
	VPNRT_A_CONN_GW_IFINDEX,	/* u32, the gateway (NEW; replies) */
	VPNRT_A_CONN_TUNNELS,		/* nest: array of nests, enum vpnrt_tunnel_attr */
	VPNRT_A_CONN_MODE,		/* u8, enum vpnrt_conn_mode */
	VPNRT_A_CONN_ROUTING,		/* u8, enum vpnrt_routing_mode */
	VPNRT_A_CONN_FAMILY,		/* u16, AF_INET/AF_INET6 of the CIDRs */
	VPNRT_A_CONN_LOCAL_ADDR,	/* binary, 4 or 16 bytes: local CIDR */
	VPNRT_A_CONN_LOCAL_LEN,		/* u8 */
	VPNRT_A_CONN_PEER_ADDR,		/* binary: peer CIDR */
	VPNRT_A_CONN_PEER_LEN,		/* u8 */
	VPNRT_A_CONN_ADMIN,		/* u8, enum vpnrt_state */
	VPNRT_A_CONN_IKE_MANAGED,	/* u8, 0 or 1 (NEW only) */
	VPNRT_A_CONN_IKE,		/* u8, enum vpnrt_state: sets every
					 * tunnel's; reply: up if any is up
					 */
	VPNRT_A_CONN_STATE,		/* u8, enum vpnrt_state, reply only */
	VPNRT_A_CONN_DOWN_REASON,	/* u32, enum vpnrt_down_reason, reply */
	VPNRT_A_CONN_N_ROUTES,		/* u32, all protos, reply only */
	VPNRT_A_CONN_N_BGP_ROUTES,	/* u32, reply only */
	VPNRT_A_CONN_OWNER,		/* u8, enum vpnrt_owner (NEW; fixed) */

	__VPNRT_A_CONN_MAX,
	VPNRT_A_CONN_MAX = __VPNRT_A_CONN_MAX - 1
};

enum vpnrt_tunnel_attr {
	VPNRT_A_TUNNEL_UNSPEC,
	VPNRT_A_TUNNEL_IFINDEX,		/* u32 */
	VPNRT_A_TUNNEL_IFNAME,		/* string, reply only */
	VPNRT_A_TUNNEL_STATE,		/* u8, enum vpnrt_state, reply only */
	VPNRT_A_TUNNEL_DOWN_REASON,	/* u32, enum vpnrt_down_reason */
	VPNRT_A_TUNNEL_TX_PACKETS,	/* u64, sent by the gateway */
	VPNRT_A_TUNNEL_TX_BYTES,	/* u64 */
	VPNRT_A_TUNNEL_TX_ERRORS,	/* u64 */
	VPNRT_A_TUNNEL_PAD,
	VPNRT_A_TUNNEL_HEALTH,		/* nest, enum vpnrt_health_attr */
	VPNRT_A_TUNNEL_IKE,		/* u8, enum vpnrt_state: this tunnel's
					 * IKE (its SA); IKE-managed only
					 */
	VPNRT_A_TUNNEL_POSITION,	/* u8, 1..VPNRT_MAX_TUNNELS: names the
					 * tunnel in CONN_SET; with an IFINDEX
					 * of another device, rebinds it
					 */

	__VPNRT_A_TUNNEL_MAX,
	VPNRT_A_TUNNEL_MAX = __VPNRT_A_TUNNEL_MAX - 1
};

/*
 * Health checking of one tunnel: ICMP/ICMPv6 echo requests from SRC to DST
 * sent out through the tunnel device every INTERVAL ms. RETRIES probes lost
 * in a row make it down, RISE answered in a row make it up again. Set in
 * CONN_SET, inside the tunnel's nest (the tunnel named by its POSITION, its
 * ifindex, or the connection's only tunnel): a nest with DST and SRC (and
 * the family) starts or replaces the check; a nest with OFF stops it.
 */
#define VPNRT_HEALTH_INTERVAL_MIN	10	/* ms */
#define VPNRT_HEALTH_INTERVAL_MAX	60000
#define VPNRT_HEALTH_INTERVAL_DEF	3000
#define VPNRT_HEALTH_RETRIES_MAX	100
#define VPNRT_HEALTH_RETRIES_DEF	3
#define VPNRT_HEALTH_RISE_MAX		100
#define VPNRT_HEALTH_RISE_DEF		1
#define VPNRT_HEALTH_WINDOW		100	/* probes behind WINDOW_LOST */
/* TIMEOUT: each probe's own, from its send time; default INTERVAL */
#define VPNRT_HEALTH_TIMEOUT_MIN	10	/* ms */
#define VPNRT_HEALTH_TIMEOUT_MAX	60000
#define VPNRT_HEALTH_TIMEOUT_RATIO_MAX	16	/* TIMEOUT <= 16 x INTERVAL: probes
						 * outstanding at once, at most
						 */

enum vpnrt_health_policy {
	VPNRT_HEALTH_REVOKE_ROUTE,	/* down: its routes are unusable (default) */
	VPNRT_HEALTH_RESERVE_ROUTE,	/* down: reported, routes stay usable */
};

enum vpnrt_health_state {
	VPNRT_HEALTH_INIT,	/* no probe judged yet; usable */
	VPNRT_HEALTH_UP,
	VPNRT_HEALTH_DOWN,
};

/* why a health state changed */
enum vpnrt_health_reason {
	VPNRT_HEALTH_R_START,		/* probing started (INIT) */
	VPNRT_HEALTH_R_LOST,		/* RETRIES probes lost in a row */
	VPNRT_HEALTH_R_ANSWERED,	/* an answer (INIT), RISE in a row (DOWN) */
	VPNRT_HEALTH_R_EVENTS_LOST,	/* no change: events were lost (see
					 * EVENTS_LOST); this is the state now
					 */
};

enum vpnrt_health_attr {
	VPNRT_A_HEALTH_UNSPEC,
	VPNRT_A_HEALTH_OFF,		/* flag (request): stop the check */
	VPNRT_A_HEALTH_FAMILY,		/* u16, AF_INET or AF_INET6 */
	VPNRT_A_HEALTH_DST,		/* binary, 4 or 16 bytes: far side */
	VPNRT_A_HEALTH_SRC,		/* binary: probe source, gateway side */
	VPNRT_A_HEALTH_INTERVAL,	/* u32, ms */
	VPNRT_A_HEALTH_RETRIES,		/* u32, 1..VPNRT_HEALTH_RETRIES_MAX */
	VPNRT_A_HEALTH_RISE,		/* u32, 1..VPNRT_HEALTH_RISE_MAX */
	VPNRT_A_HEALTH_POLICY,		/* u8, enum vpnrt_health_policy */
	VPNRT_A_HEALTH_STATE,		/* u8, enum vpnrt_health_state, reply */
	VPNRT_A_HEALTH_OLD_STATE,	/* u8, event: the state before */
	VPNRT_A_HEALTH_REASON,		/* u8, enum vpnrt_health_reason, event */
	VPNRT_A_HEALTH_TIME,		/* u64, event: CLOCK_REALTIME ns of the change */
	VPNRT_A_HEALTH_LOSS_START,	/* u64, event (down): CLOCK_REALTIME ns the
					 * first lost probe of the run was sent
					 */
	VPNRT_A_HEALTH_SINCE,		/* u64, reply: ms since the last change */
	VPNRT_A_HEALTH_SENT,		/* u64, reply: probes sent */
	VPNRT_A_HEALTH_ANSWERED,	/* u64, reply: probes answered in time */
	VPNRT_A_HEALTH_IGNORED,		/* u64, reply: replies for no outstanding
					 * probe: late, duplicated or forged
					 */
	VPNRT_A_HEALTH_SEND_ERRORS,	/* u64, reply: probes the tunnel refused */
	VPNRT_A_HEALTH_CONSEC_LOST,	/* u32, reply: lost in a row now */
	VPNRT_A_HEALTH_RTT,		/* u32, reply: last round trip, us */
	VPNRT_A_HEALTH_SRTT,		/* u32, reply: smoothed round trip, us */
	VPNRT_A_HEALTH_WINDOW,		/* u32, reply: probes judged, last 100 */
	VPNRT_A_HEALTH_WINDOW_LOST,	/* u32, reply: lost among them */
	VPNRT_A_HEALTH_TRANSITIONS,	/* u32, reply: state changes so far */
	VPNRT_A_HEALTH_PAD,
	VPNRT_A_HEALTH_TIMEOUT,		/* u32, ms: a probe unanswered this long
					 * after it went out is lost;
					 * VPNRT_HEALTH_TIMEOUT_MIN..MAX and at
					 * most RATIO_MAX x INTERVAL; default
					 * INTERVAL
					 */
	VPNRT_A_HEALTH_EVENTS_LOST,	/* u64, reply and event: this check's
					 * HEALTH events not sent (queue full,
					 * no memory) so far
					 */

	__VPNRT_A_HEALTH_MAX,
	VPNRT_A_HEALTH_MAX = __VPNRT_A_HEALTH_MAX - 1
};

enum vpnrt_proto {
	VPNRT_PROTO_UNSPEC,
	VPNRT_PROTO_STATIC,	/* destination route */
	VPNRT_PROTO_POLICY,	/* source + destination, priority */
	VPNRT_PROTO_BGP,	/* learned by the agent, preference */
};

/* routes the kernel added on a connection's behalf */
enum vpnrt_route_flags {
	VPNRT_ROUTE_F_FLOW	= 1 << 0,	/* flow protection's peer CIDR */
};

enum vpnrt_route_attr {
	VPNRT_A_ROUTE_UNSPEC,
	VPNRT_A_ROUTE_FAMILY,		/* u16, AF_INET or AF_INET6 */
	VPNRT_A_ROUTE_DST,		/* binary, 4 or 16 bytes */
	VPNRT_A_ROUTE_DST_LEN,		/* u8 */
	VPNRT_A_ROUTE_SRC,		/* binary, policy routes only */
	VPNRT_A_ROUTE_SRC_LEN,		/* u8 */
	VPNRT_A_ROUTE_PROTO,		/* u8, enum vpnrt_proto */
	VPNRT_A_ROUTE_CONN,		/* string: connection name */
	VPNRT_A_ROUTE_CONN_ID,		/* u32: or connection id */
	VPNRT_A_ROUTE_WEIGHT,		/* u8, 100 (default) or 0 */
	VPNRT_A_ROUTE_PRIORITY,		/* u8, 1..100, policy only */
	VPNRT_A_ROUTE_PREF,		/* u32, BGP only; lower is better */
	VPNRT_A_ROUTE_FLAGS,		/* u32, enum vpnrt_route_flags, reply */
	VPNRT_A_ROUTE_USABLE,		/* u8, reply: its connection can carry */
	VPNRT_A_ROUTE_GW_IFINDEX,	/* u32, reply; dump filter */
	VPNRT_A_ROUTE_STALE,		/* flag, reply: marked by ROUTE_STALE and
					 * not refreshed since
					 */

	__VPNRT_A_ROUTE_MAX,
	VPNRT_A_ROUTE_MAX = __VPNRT_A_ROUTE_MAX - 1
};

/*
 * Graceful restart of the routes' owner (BGP with the F bit, RFC 4724):
 * ROUTE_STALE marks every route of a scope stale (they keep forwarding);
 * a ROUTE_NEW of the same route (with VPNRT_A_REPLACE or not) refreshes
 * it; ROUTE_SWEEP deletes what is still stale, or the kernel does after
 * TIMEOUT seconds. The scope: a gateway, optionally one connection and
 * one proto. Replies carry the scope and COUNT.
 */
#define VPNRT_STALE_TIMEOUT_MAX	86400	/* s */

enum vpnrt_stale_attr {
	VPNRT_A_STALE_UNSPEC,
	VPNRT_A_STALE_GW_IFINDEX,	/* u32, the gateway (required) */
	VPNRT_A_STALE_CONN,		/* string: one connection by name, */
	VPNRT_A_STALE_CONN_ID,		/* u32: or by id; absent: every one */
	VPNRT_A_STALE_PROTO,		/* u8, enum vpnrt_proto; absent: all */
	VPNRT_A_STALE_TIMEOUT,		/* u32, s (ROUTE_STALE): sweep the
					 * scope then; 0 or absent: never
					 */
	VPNRT_A_STALE_COUNT,		/* u32, reply: routes marked / swept */

	__VPNRT_A_STALE_MAX,
	VPNRT_A_STALE_MAX = __VPNRT_A_STALE_MAX - 1
};

/* which priority rule made a decision */
enum vpnrt_reason {
	VPNRT_REASON_NONE,	/* no route at all */
	VPNRT_REASON_POLICY,	/* rule 1: matching policy route, priority */
	VPNRT_REASON_PREFIX,	/* rule 2: longest matching prefix */
	VPNRT_REASON_STATIC,	/* rule 3: static beats BGP, same prefix */
	VPNRT_REASON_WEIGHT,	/* rule 4: higher weight */
	VPNRT_REASON_PREF,	/* rule 4: lower BGP preference */
	VPNRT_REASON_ECMP,	/* rule 5: flow hash among equals */
	VPNRT_REASON_FAILOVER,	/* better routes unusable, best usable one */
	VPNRT_REASON_FALLBACK,	/* nothing usable: the all-down rule */
};

enum vpnrt_lookup_attr {
	VPNRT_A_LOOKUP_UNSPEC,
	VPNRT_A_LOOKUP_GW_IFINDEX,	/* u32 (query) */
	VPNRT_A_LOOKUP_FAMILY,		/* u16 (query) */
	VPNRT_A_LOOKUP_DST,		/* binary (query) */
	VPNRT_A_LOOKUP_SRC,		/* binary (query, optional) */
	VPNRT_A_LOOKUP_IPPROTO,		/* u8 (query, optional) */
	VPNRT_A_LOOKUP_SPORT,		/* u16, host order (query, optional) */
	VPNRT_A_LOOKUP_DPORT,		/* u16, host order (query, optional) */
	VPNRT_A_LOOKUP_ROUTE,		/* nest, enum vpnrt_route_attr (reply) */
	VPNRT_A_LOOKUP_TUNNEL_IFINDEX,	/* u32 (reply) */
	VPNRT_A_LOOKUP_TUNNEL_IFNAME,	/* string (reply) */
	VPNRT_A_LOOKUP_REASON,		/* u8, enum vpnrt_reason (reply) */
	VPNRT_A_LOOKUP_FALLBACK,	/* u8, 1 if the all-down rule applied */
	VPNRT_A_LOOKUP_N_PATHS,		/* u32, equal candidates hashed over */
	VPNRT_A_LOOKUP_HASH,		/* u32, the flow hash */
	VPNRT_A_LOOKUP_SKIPPED,		/* u32, better-ranked unusable routes */

	__VPNRT_A_LOOKUP_MAX,
	VPNRT_A_LOOKUP_MAX = __VPNRT_A_LOOKUP_MAX - 1
};

/*
 * The gateway's settings in IFLA_INFO_DATA of its link (ip -d link show);
 * reply only: rtnetlink does not change them.
 */
enum {
	IFLA_VPNRT_UNSPEC,
	IFLA_VPNRT_ECMP_HASH,		/* u8, enum vpnrt_ecmp_hash */
	IFLA_VPNRT_MAX_PATHS,		/* u32 */
	IFLA_VPNRT_MSS_CLAMP,		/* u32, as VPNRT_A_GW_MSS_CLAMP */
	IFLA_VPNRT_N_CONNS,		/* u32 */
	IFLA_VPNRT_OWNER,		/* u8, enum vpnrt_owner */
	IFLA_VPNRT_RP_CHECK,		/* u8, enum vpnrt_rp_check */

	__IFLA_VPNRT_MAX,
	IFLA_VPNRT_MAX = __IFLA_VPNRT_MAX - 1
};

#endif /* _UAPI_LINUX_VPNRT_H */
