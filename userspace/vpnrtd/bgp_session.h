/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One BGP-4 session (RFC 4271 section 8 FSM) per IPsec tunnel, on the
 * event loop (loop.h), with the wire codec of bgp_wire.h.
 *
 * The owner (bgp.c) creates a session with a config and callbacks,
 * starts it, feeds it pre-built UPDATEs with bgp_session_send() and gets
 * decoded UPDATEs, End-of-RIB, route refresh requests and state changes
 * back. The session owns its sockets (a listener on local:179 and at
 * most two connections, for RFC 4271 6.8 collision detection), its
 * timers and its buffers; nothing blocks, every buffer is bounded.
 *
 * Callbacks run from the loop. They may call bgp_session_send() and the
 * admin functions (stop, reset, max prefix) of the same session, but
 * never bgp_session_free() of it: free it from a timer or after the loop
 * turn.
 *
 * Send queue and KEEPALIVEs: the session keeps two output lanes per
 * connection. The owner's UPDATEs (and EoR, ROUTE-REFRESH, whose order
 * relative to UPDATEs matters) go to the bulk lane, bounded by
 * sendq_max bytes, with high/low water marks for the owner's flow
 * control. OPEN, KEEPALIVE and NOTIFICATION go to a small priority lane
 * that is written at the next message boundary, ahead of every queued
 * UPDATE: a KEEPALIVE waits at most for the rest of one partly written
 * UPDATE (4 KiB) and what the kernel already holds. Reading never stops
 * because the output is full, so the peer's KEEPALIVEs keep our hold
 * timer alive however long our queue is. A queue that makes no progress
 * for the send hold time (RFC 9687: max(8 min, 2 x hold time)) ends the
 * session.
 */
#ifndef VPNRTD_BGP_SESSION_H
#define VPNRTD_BGP_SESSION_H

#include <netinet/in.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp_wire.h"
#include "loop.h"

#define BGP_PORT		179
#define BGP_MD5_KEY_MAX		80	/* TCP_MD5SIG_MAXKEYLEN */
#define BGP_SESSION_NAME_MAX	32
/* messages handled per readiness event: the rest on the next loop turn */
#define BGP_SESSION_MSG_BATCH	64
#define BGP_SHUTDOWN_TEXT_MAX	(4 * BGP_SHUTDOWN_MAX + 16)	/* sanitised */
#define BGP_SESSION_ERR_MAX	256	/* last_error */

enum bgp_state {
	BGP_IDLE = 0,
	BGP_CONNECT,
	BGP_ACTIVE,
	BGP_OPENSENT,
	BGP_OPENCONFIRM,
	BGP_ESTABLISHED,
};

struct bgp_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct bgp_session_cfg {
	char name[BGP_SESSION_NAME_MAX];	/* for logs: "dc1/1" */
	struct bgp_addr local, peer;		/* same family */
	uint16_t local_port;	/* listener; 0: 179 */
	uint16_t peer_port;	/* connect to; 0: 179 */
	char dev[IFNAMSIZ];	/* SO_BINDTODEVICE (the xfrm device); "": none */
	uint32_t local_as, peer_as;	/* equal: iBGP */
	uint32_t bgp_id;	/* host order, not 0 */
	uint16_t hold_time;	/* 0 or 3..65535; keepalive = a third */
	uint16_t min_hold;	/* refuse a peer's hold below it (not 0); 0: any */
	char md5_key[BGP_MD5_KEY_MAX + 1];	/* RFC 2385; "": none */
	bool ttl_security;	/* RFC 5082: TTL 255 out, 254 minimum in */
	uint8_t afs;		/* BGP_AFS(BGP_AF_IPV4) | BGP_AFS(BGP_AF_IPV6) */
	uint16_t gr_time;	/* RFC 4724 restart time; 0: no GR capability */
	bool gr_restarting;	/* R bit (set per start, bgp_session_set_gr) */
	uint8_t gr_fwd_afs;	/* F bit per family (BGP_AFS) */
	bool passive;		/* never connect, only listen */
	uint32_t connect_retry_ms;	/* 0: 5000, minus up to 25% jitter */
	uint32_t idle_hold_min_ms;	/* 0: 1000; first wait after a failure */
	uint32_t idle_hold_max_ms;	/* 0: 60000; doubling up to this */
	uint32_t stable_ms;	/* 0: 60000; up this long resets the backoff */
	size_t sendq_max;	/* 0: 1 MiB of queued UPDATEs at most */
	size_t sendq_hiwat;	/* 0: 256 KiB: writable() false above */
	size_t sendq_lowat;	/* 0: 64 KiB: writable callback below */
	int sndbuf;		/* SO_SNDBUF; 0: the kernel's autotuning (up
				 * to tcp_wmem[2], a KEEPALIVE may then wait
				 * behind megabytes already in the kernel) */
};

struct bgp_session;

/* why an Established session went down */
struct bgp_down {
	const char *reason;	/* one line, also in info.last_error */
	bool graceful;		/* keep the peer's routes stale (RFC 4724) */
	uint16_t restart_time;	/* graceful: seconds to keep them */
	uint8_t gr_afs;		/* graceful: families in the peer's GR cap */
	uint8_t gr_fwd_afs;	/* ... with forwarding state preserved */
};

struct bgp_session_ops {
	/* Established; bgp_session_ctx() says what was negotiated */
	void (*up)(void *arg, struct bgp_session *s);
	/* left Established (after the last update callback) */
	void (*down)(void *arg, struct bgp_session *s,
		     const struct bgp_down *d);
	/* every state change, after up/down */
	void (*state)(void *arg, struct bgp_session *s, enum bgp_state from,
		      enum bgp_state to, const char *why);
	/*
	 * A decoded UPDATE (decision OK, ATTR_DISCARD, TREAT_AS_WITHDRAW,
	 * or AF_DISABLE after af_disabled); valid during the call only. Not
	 * called for End-of-RIB.
	 */
	void (*update)(void *arg, struct bgp_session *s,
		       const struct bgp_update *u);
	/* RFC 7606/4760: drop every route of af, none will come any more */
	void (*af_disabled)(void *arg, struct bgp_session *s,
			    enum bgp_af af, const char *why);
	void (*eor)(void *arg, struct bgp_session *s, enum bgp_af af);
	/* ROUTE-REFRESH: BGP_RR_NORMAL (re-send af), BORR or EORR */
	void (*refresh)(void *arg, struct bgp_session *s, enum bgp_af af,
			uint8_t subtype);
	/* the bulk queue fell below the low-water mark after being full */
	void (*writable)(void *arg, struct bgp_session *s);
};

struct bgp_msg_count {
	uint64_t msgs, bytes;
};

struct bgp_notif_info {
	bool valid;
	time_t when;
	uint8_t code, subcode;
	const char *code_name, *subcode_name;
	char text[BGP_SHUTDOWN_TEXT_MAX];	/* RFC 9003, sanitised; or "" */
};

/* what `vpnrtctl bgp show` prints; read with bgp_session_info() */
struct bgp_session_info {
	enum bgp_state state;
	time_t since;		/* wall clock of the last state change */
	time_t up_since;	/* Established since; 0: not */
	uint16_t hold_time, keepalive;	/* negotiated, seconds */
	bool outgoing;		/* the Established connection is ours */
	struct bgp_ctx ctx;
	uint8_t afs_disabled;	/* RFC 7606 AF disable this session */
	struct bgp_open local_open;
	bool have_peer_open;
	struct bgp_open peer_open;	/* unknown capabilities by code too */
	struct bgp_msg_count in[BGP_MSG_ROUTE_REFRESH + 1];	/* by type */
	struct bgp_msg_count out[BGP_MSG_ROUTE_REFRESH + 1];
	char last_error[BGP_SESSION_ERR_MAX];	/* why it went down */
	char connect_error[BGP_REASON_LEN];	/* why our last connect failed */
	struct bgp_notif_info notif_sent, notif_rcvd;
	unsigned int connect_attempts;
	unsigned int flaps;		/* Established -> down */
	unsigned int failures;		/* consecutive, drive the backoff */
	unsigned int collisions;	/* connections closed by 6.8 */
	unsigned int refused;		/* connections from other addresses */
	uint32_t idle_hold_ms;		/* the last idle hold chosen */
	size_t sendq_bytes;		/* bulk lane, not yet written */
	unsigned int notes_logged, notes_suppressed;
};

/*
 * NULL with *err set when cfg is not usable (addresses, ASNs, hold
 * time, id, water marks). The session starts Idle: call start.
 */
struct bgp_session *bgp_session_new(struct loop *l,
				    const struct bgp_session_cfg *cfg,
				    const struct bgp_session_ops *ops,
				    void *arg, char *err, size_t errlen);
/* Cease/3 (peer de-configured) to the peer, then free */
void bgp_session_free(struct bgp_session *s);
/*
 * Close without a NOTIFICATION (the daemon stops: the peer keeps our
 * routes as a graceful-restart helper), then free.
 */
void bgp_session_free_quiet(struct bgp_session *s);

/* listen, and connect unless passive; 0 or -1 (already started: 0) */
int bgp_session_start(struct bgp_session *s);
/* Cease/2 with an RFC 9003 text (may be NULL), close, stay Idle */
void bgp_session_stop(struct bgp_session *s, const char *text);
/* Cease/4 with text, close, start again at once */
void bgp_session_reset(struct bgp_session *s, const char *text);
/* Cease/1 with AFI/SAFI/limit (RFC 4486); idle hold backoff applies */
void bgp_session_maxprefix(struct bgp_session *s, enum bgp_af af,
			   uint32_t limit);
/* Cease/8 (out of resources, RFC 4486); idle hold backoff applies */
void bgp_session_resources(struct bgp_session *s, const char *why);
/*
 * RFC 4724 4.2, helper side: the peer whose routes we keep stale is back
 * with the OPEN po. The families of afs (the ones negotiated now) whose
 * stale routes may wait for its End-of-RIB: those its GR capability lists
 * with the F bit (forwarding state preserved). The others' stale routes
 * must go at once: F bit 0, family not listed, or no GR capability (po
 * NULL too: 0).
 */
uint8_t bgp_gr_helper_keep(const struct bgp_open *po, uint8_t afs);
/*
 * RFC 4724 4.2 while we restart: the previous run's routes from this peer
 * are kept stale (in the kernel) like a helper's. True when its OPEN says
 * it restarted too (R bit) and kept the forwarding state of none of the
 * families of afs (negotiated now): those routes must go at once. Without
 * the R bit the peer's forwarding never stopped (its F bit speaks of a
 * restart that did not happen), and without a GR capability we cannot
 * tell: their routes wait for its End-of-RIB.
 */
bool bgp_gr_peer_lost_all(const struct bgp_open *po, uint8_t afs);
/* the R and F bits of the next OPEN (the owner sets them per start) */
void bgp_session_set_gr(struct bgp_session *s, bool restarting,
			uint8_t fwd_afs);

/*
 * Queue an UPDATE (whole message, header included) for the peer. 0, or
 * -1 with errno: ENOTCONN not Established, EINVAL not an UPDATE of the
 * length given, ENOBUFS the queue would exceed sendq_max.
 */
int bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len);
/* below the high-water mark (or was drained below the low one) */
bool bgp_session_writable(const struct bgp_session *s);
int bgp_session_send_eor(struct bgp_session *s, enum bgp_af af);
/*
 * ROUTE-REFRESH for af; BORR/EORR need the peer's enhanced route
 * refresh capability, NORMAL its route refresh one (-1, EOPNOTSUPP).
 */
int bgp_session_route_refresh(struct bgp_session *s, enum bgp_af af,
			      uint8_t subtype);

enum bgp_state bgp_session_state(const struct bgp_session *s);
/* the negotiated context (valid while Established) */
const struct bgp_ctx *bgp_session_ctx(const struct bgp_session *s);
const struct bgp_session_info *bgp_session_info(const struct bgp_session *s);
const struct bgp_session_cfg *bgp_session_cfg(const struct bgp_session *s);
/* "bgp dc1/1 169.254.10.2 AS65001" */
const char *bgp_session_label(const struct bgp_session *s);

const char *bgp_state_name(enum bgp_state st);

#endif
