/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BGP-4 wire codec for vpnrtd's speaker (one session per IPsec tunnel).
 *
 * Pure functions: no I/O, no global state, no allocation. Every input is
 * from the network and is checked before use; nothing recurses. The
 * speaker owns sockets, timers, the FSM and the RIB, and calls:
 *
 *   bgp_frame()                cut a byte stream into messages
 *   bgp_open_decode()          OPEN: RFC 4271 6.2 checks, capabilities
 *   bgp_open_negotiate()       two OPENs -> the session's bgp_ctx
 *   bgp_update_decode()        UPDATE: RFC 7606 decision, prefixes, attrs
 *   bgp_notification_decode()  NOTIFICATION (+ shutdown text, max prefix)
 *   bgp_route_refresh_decode() ROUTE-REFRESH with RFC 7313 subtypes
 *   bgp_build_*()              every message the speaker sends
 *
 * Lifetimes: a struct bgp_update's prefix runs (struct bgp_nlri) and a
 * struct bgp_open's unknown capabilities point into the message buffer
 * given to the decoder (zero-copy: valid while that buffer is). Attribute
 * sets (struct bgp_attrs) and NOTIFICATION data are copies and own their
 * bytes; a bgp_attrs may be copied by value, or in its first
 * bgp_attrs_size() bytes to keep it compact in a RIB.
 *
 * Limits: messages are at most 4096 bytes (no RFC 8654 extended
 * messages), IPv4 and IPv6 unicast only (other AFI/SAFI are ignored), no
 * ADD-PATH, no ORF, no confederations of our own.
 */
#ifndef VPNRTD_BGP_WIRE_H
#define VPNRTD_BGP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_MARKER_LEN		16
#define BGP_HDR_LEN		19
#define BGP_MSG_MAX		4096
#define BGP_OPEN_MIN		29
#define BGP_UPDATE_MIN		23
#define BGP_NOTIF_MIN		21
#define BGP_NOTIF_DATA_MAX	(BGP_MSG_MAX - BGP_NOTIF_MIN)
#define BGP_REASON_LEN		160
#define BGP_AS_TRANS		23456
#define BGP_SHUTDOWN_MAX	255	/* RFC 9003 */

enum bgp_msg_type {
	BGP_MSG_OPEN		= 1,
	BGP_MSG_UPDATE		= 2,
	BGP_MSG_NOTIFICATION	= 3,
	BGP_MSG_KEEPALIVE	= 4,
	BGP_MSG_ROUTE_REFRESH	= 5,	/* RFC 2918 */
};

/* NOTIFICATION error codes and subcodes (IANA "BGP Error (Sub)Codes") */
enum bgp_err_code {
	BGP_ERR_HEADER		= 1,
	BGP_ERR_OPEN		= 2,
	BGP_ERR_UPDATE		= 3,
	BGP_ERR_HOLD		= 4,
	BGP_ERR_FSM		= 5,
	BGP_ERR_CEASE		= 6,
	BGP_ERR_ROUTE_REFRESH	= 7,	/* RFC 7313 */
};

enum bgp_err_header {
	BGP_ERR_HDR_SYNC	= 1,	/* marker not all ones */
	BGP_ERR_HDR_LEN		= 2,	/* data: the length field */
	BGP_ERR_HDR_TYPE	= 3,	/* data: the type octet */
};

enum bgp_err_open {
	BGP_ERR_OPEN_UNSPEC	= 0,
	BGP_ERR_OPEN_VERSION	= 1,	/* data: our version, 2 octets */
	BGP_ERR_OPEN_PEER_AS	= 2,
	BGP_ERR_OPEN_BGP_ID	= 3,
	BGP_ERR_OPEN_OPT_PARAM	= 4,
	BGP_ERR_OPEN_HOLD	= 6,
	BGP_ERR_OPEN_CAPABILITY	= 7,	/* RFC 5492 */
	BGP_ERR_OPEN_ROLE	= 11,	/* RFC 9234 */
};

enum bgp_err_update {
	BGP_ERR_UPD_ATTR_LIST	= 1,	/* Malformed Attribute List */
	BGP_ERR_UPD_UNKNOWN_WK	= 2,	/* data: the attribute */
	BGP_ERR_UPD_MISSING_WK	= 3,
	BGP_ERR_UPD_ATTR_FLAGS	= 4,
	BGP_ERR_UPD_ATTR_LEN	= 5,
	BGP_ERR_UPD_ORIGIN	= 6,
	BGP_ERR_UPD_NEXT_HOP	= 8,
	BGP_ERR_UPD_OPT_ATTR	= 9,	/* data: the attribute */
	BGP_ERR_UPD_NETWORK	= 10,	/* Invalid Network Field */
	BGP_ERR_UPD_AS_PATH	= 11,
};

enum bgp_err_cease {			/* RFC 4486, RFC 8538, RFC 9384 */
	BGP_CEASE_MAX_PREFIX	= 1,	/* data: AFI, SAFI, limit */
	BGP_CEASE_SHUTDOWN	= 2,	/* data: RFC 9003 communication */
	BGP_CEASE_DECONFIGURED	= 3,
	BGP_CEASE_RESET		= 4,	/* data: RFC 9003 communication */
	BGP_CEASE_REJECTED	= 5,
	BGP_CEASE_CONFIG_CHANGE	= 6,
	BGP_CEASE_COLLISION	= 7,
	BGP_CEASE_RESOURCES	= 8,
	BGP_CEASE_HARD_RESET	= 9,
	BGP_CEASE_BFD_DOWN	= 10,
};

#define BGP_ERR_RR_LEN		1	/* Invalid Message Length, RFC 7313 */

/* capability codes (RFC 5492 registry); the codec parses the first five */
enum bgp_cap_code {
	BGP_CAP_MP		= 1,	/* RFC 4760 */
	BGP_CAP_ROUTE_REFRESH	= 2,	/* RFC 2918 */
	BGP_CAP_GRACEFUL	= 64,	/* RFC 4724 */
	BGP_CAP_AS4		= 65,	/* RFC 6793 */
	BGP_CAP_ENHANCED_RR	= 70,	/* RFC 7313 */
};

/* path attribute type codes */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN		= 1,
	BGP_ATTR_AS_PATH	= 2,
	BGP_ATTR_NEXT_HOP	= 3,
	BGP_ATTR_MED		= 4,
	BGP_ATTR_LOCAL_PREF	= 5,
	BGP_ATTR_ATOMIC_AGGR	= 6,
	BGP_ATTR_AGGREGATOR	= 7,
	BGP_ATTR_COMMUNITIES	= 8,	/* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID	= 9,	/* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST	= 10,
	BGP_ATTR_MP_REACH	= 14,	/* RFC 4760 */
	BGP_ATTR_MP_UNREACH	= 15,
	BGP_ATTR_EXT_COMMUNITIES = 16,	/* RFC 4360 */
	BGP_ATTR_AS4_PATH	= 17,	/* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR	= 18,
	BGP_ATTR_IPV6_EXT_COMM	= 25,	/* RFC 5701 */
	BGP_ATTR_LARGE_COMMUNITY = 32,	/* RFC 8092 */
	BGP_ATTR_OTC		= 35,	/* RFC 9234 */
};

/* attribute flags */
#define BGP_AF_OPTIONAL		0x80
#define BGP_AF_TRANSITIVE	0x40
#define BGP_AF_PARTIAL		0x20
#define BGP_AF_EXTLEN		0x10

enum bgp_origin { BGP_ORIGIN_IGP = 0, BGP_ORIGIN_EGP = 1,
		  BGP_ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271, RFC 5065) */
enum bgp_seg_type {
	BGP_SEG_SET		= 1,
	BGP_SEG_SEQUENCE	= 2,
	BGP_SEG_CONFED_SEQUENCE	= 3,
	BGP_SEG_CONFED_SET	= 4,
};

#define BGP_AFI_IPV4		1
#define BGP_AFI_IPV6		2
#define BGP_SAFI_UNICAST	1

/* the address families the codec decodes */
enum bgp_af { BGP_AF_IPV4 = 0, BGP_AF_IPV6 = 1, BGP_AF_COUNT };
#define BGP_AFS(af)		(1u << (af))

/* a NOTIFICATION, received (copied out of the message) or to send */
struct bgp_notification {
	uint8_t code;
	uint8_t subcode;
	uint16_t len;
	uint8_t data[BGP_NOTIF_DATA_MAX];
};

/*
 * What a session's UPDATEs are decoded and encoded with;
 * bgp_open_negotiate() fills all but local_ip4.
 */
struct bgp_ctx {
	bool as4;		/* both sides sent the 4-octet AS capability */
	uint8_t afs;		/* BGP_AFS() of the families negotiated */
	uint32_t peer_as;	/* eBGP: the first AS of every path must be
				 * this one (RFC 4271 6.3); 0: no check */
	bool ebgp;
	uint32_t local_ip4;	/* our address, host order: a NEXT_HOP equal
				 * to it is invalid; 0: no check */
};

/* ---- framing ---- */

enum bgp_frame_result {
	BGP_FRAME_MORE,		/* *msglen: bytes needed in all */
	BGP_FRAME_MSG,		/* one message of *msglen bytes at buf */
	BGP_FRAME_ERROR,	/* header error: send *err, close */
};

/*
 * Looks at the start of a byte stream: marker, length 19..4096, a known
 * type and the type's own length bounds (RFC 4271 6.1). A wrong marker is
 * reported as soon as a byte of it is seen.
 */
enum bgp_frame_result bgp_frame(const uint8_t *buf, size_t avail,
				size_t *msglen, struct bgp_notification *err);

/* ---- OPEN ---- */

#define BGP_OPEN_AF_MAX		16
#define BGP_OPEN_CAP_MAX	16

struct bgp_afi_safi {
	uint16_t afi;
	uint8_t safi;
	uint8_t flags;		/* graceful restart: BGP_GR_AF_F (state kept) */
};

#define BGP_GR_R		0x8	/* restart flags: restarting */
#define BGP_GR_N		0x4	/* RFC 8538 notification support */
#define BGP_GR_AF_F		0x80	/* forwarding state preserved */
#define BGP_GR_TIME_MAX		4095

/* a capability the codec does not parse: kept for show and re-sent as is */
struct bgp_cap_raw {
	uint8_t code;
	uint8_t len;
	const uint8_t *val;	/* into the message (decoded) */
};

struct bgp_open {
	uint8_t version;
	uint32_t as;		/* 4-octet AS if announced, else My AS */
	uint16_t as2;		/* the My AS field as received */
	uint16_t hold_time;
	uint32_t bgp_id;	/* host order */
	bool ext_params;	/* received in RFC 9072 form */
	bool cap_as4;		/* RFC 6793 */
	bool cap_rr;		/* RFC 2918 */
	bool cap_err;		/* RFC 7313 */
	bool cap_gr;		/* RFC 4724: gr_flags, gr_time, gr[] */
	uint8_t n_mp;
	struct bgp_afi_safi mp[BGP_OPEN_AF_MAX];
	uint8_t gr_flags;	/* BGP_GR_R, BGP_GR_N */
	uint16_t gr_time;	/* seconds, 0..4095 */
	uint8_t n_gr;
	struct bgp_afi_safi gr[BGP_OPEN_AF_MAX];
	uint8_t n_other;
	struct bgp_cap_raw other[BGP_OPEN_CAP_MAX];
	/*
	 * after a decode: why it failed, or else the first thing ignored
	 * (a malformed capability...), or ""
	 */
	char why[BGP_REASON_LEN];
};

/* what the received OPEN must agree with; a zero field is not checked */
struct bgp_open_expect {
	uint32_t peer_as;
	uint32_t local_as;	/* with local_id: RFC 6286 iBGP same-ID */
	uint32_t local_id;
	uint16_t min_hold;	/* refuse a hold time below this (but 0) */
};

/* 0, or -1 with the NOTIFICATION to send in *err; exp may be NULL */
int bgp_open_decode(const uint8_t *msg, size_t len,
		    const struct bgp_open_expect *exp, struct bgp_open *o,
		    struct bgp_notification *err);

/*
 * The session's context from our OPEN and the peer's: 4-octet AS when
 * both announced it; the families both announced (a side without any
 * multiprotocol capability supports IPv4 unicast only, RFC 4760); peer_as
 * and ebgp set. Returns the hold time (the smaller one).
 */
uint16_t bgp_open_negotiate(const struct bgp_open *local,
			    const struct bgp_open *peer, bool ebgp,
			    struct bgp_ctx *ctx);

/* ---- prefixes ---- */

struct bgp_prefix {
	uint8_t af;		/* enum bgp_af */
	uint8_t len;		/* bits */
	uint8_t addr[16];	/* network order, bits beyond len zero */
};

/* a run of prefixes in wire form, already checked (zero-copy) */
struct bgp_nlri {
	const uint8_t *p;
	uint16_t len;		/* bytes */
	uint16_t count;		/* prefixes */
	uint8_t af;
	bool mp;		/* MP_REACH/MP_UNREACH: next hop from there */
};

struct bgp_prefix_iter {
	const struct bgp_nlri *run;
	size_t off;
};

void bgp_prefix_iter_init(struct bgp_prefix_iter *it,
			  const struct bgp_nlri *run);
/* false at the end */
bool bgp_prefix_next(struct bgp_prefix_iter *it, struct bgp_prefix *pfx);
/* "192.0.2.0/24"; buf of at least 44 bytes */
const char *bgp_prefix_fmt(const struct bgp_prefix *p, char *buf,
			   size_t len);
/* a total order: family, address, then length; 0 when equal */
int bgp_prefix_cmp(const struct bgp_prefix *a, const struct bgp_prefix *b);

/* ---- the canonical attribute set ---- */

/*
 * Attributes present: bit 1 << type for ORIGIN, AS_PATH, MED, LOCAL_PREF,
 * ATOMIC_AGGREGATE, AGGREGATOR and COMMUNITIES; large communities and
 * the others are there when their var bytes are, the next hop when
 * nh_len is not 0. AS4_PATH and AS4_AGGREGATOR never are: they are
 * merged into the AS path and the aggregator (RFC 6793 4.2.3) and made
 * again on encoding.
 */
#define BGP_ATTRS_HAS(a, t)	(((a)->present >> (t)) & 1)
#define BGP_ATTRS_VAR_MAX	8192

/*
 * One route's path attributes in a canonical form, so two sets can be
 * compared and hashed: fixed fields zero when absent; the AS path with
 * 4-octet ASNs, adjacent sequences joined, each AS_SET sorted and
 * without repeats; communities and large communities sorted, without
 * repeats; other transitive attributes by type, with the Partial bit set
 * where we do not know the type. var holds, in this order: the AS path
 * (segments: type u8, count u16, count x AS u32, all big endian), the
 * communities (u32 each), the large communities (3 x u32 each) and the
 * other attributes (flags u8, type u8, length u16, value).
 */
struct bgp_attrs {
	uint32_t present;
	uint8_t origin;
	uint8_t nh_len;		/* 0, 4, 16 or 32 (IPv6 global + link-local) */
	uint8_t nh[32];
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggr_as;
	uint32_t aggr_id;	/* host order */
	uint16_t aspath_len;	/* bytes of var, in the order above */
	uint16_t comm_len;
	uint16_t lcomm_len;
	uint16_t other_len;
	uint8_t var[BGP_ATTRS_VAR_MAX];
};

/* origin IGP and an empty AS path, nothing else */
void bgp_attrs_init(struct bgp_attrs *a);
/* bytes of a that matter: a copy of that many bytes is a valid set */
size_t bgp_attrs_size(const struct bgp_attrs *a);
/* total order on the content; 0 = the same attributes */
int bgp_attrs_cmp(const struct bgp_attrs *a, const struct bgp_attrs *b);
uint32_t bgp_attrs_hash(const struct bgp_attrs *a);

/* setters keep the canonical form; -1 when it would not fit var */
int bgp_attrs_set_path(struct bgp_attrs *a, const uint32_t *asns, size_t n);
int bgp_attrs_prepend(struct bgp_attrs *a, uint32_t asn, unsigned int times);
int bgp_attrs_set_communities(struct bgp_attrs *a, const uint32_t *c,
			      size_t n);
/* n triples: global administrator, local data 1, local data 2 */
int bgp_attrs_set_large(struct bgp_attrs *a, const uint32_t *l3, size_t n);

struct bgp_aspath_seg {
	uint8_t type;
	uint16_t count;
	const uint8_t *asns;	/* count big-endian u32, inside the attrs */
};

struct bgp_aspath_iter {
	const struct bgp_attrs *a;
	size_t off;
};

void bgp_aspath_iter_init(struct bgp_aspath_iter *it,
			  const struct bgp_attrs *a);
bool bgp_aspath_next(struct bgp_aspath_iter *it, struct bgp_aspath_seg *s);
uint32_t bgp_aspath_asn(const struct bgp_aspath_seg *s, unsigned int i);
/* RFC 4271 9.1.2.2 a): an AS_SET counts 1, confederation segments 0 */
unsigned int bgp_aspath_length(const struct bgp_attrs *a);
/* the neighbouring AS (first of the first AS_SEQUENCE), or 0 */
uint32_t bgp_aspath_first(const struct bgp_attrs *a);
/* "65001 65002 {65003,65004} (65005)", truncated with "..." */
const char *bgp_aspath_fmt(const struct bgp_attrs *a, char *buf, size_t len);

size_t bgp_attrs_n_communities(const struct bgp_attrs *a);
uint32_t bgp_attrs_community(const struct bgp_attrs *a, size_t i);
size_t bgp_attrs_n_large(const struct bgp_attrs *a);
void bgp_attrs_large(const struct bgp_attrs *a, size_t i, uint32_t l3[3]);

/* another transitive attribute kept as is */
struct bgp_raw_attr {
	uint8_t flags;
	uint8_t type;
	uint16_t len;
	const uint8_t *val;	/* inside the attrs */
};

/* *off starts at 0; false at the end */
bool bgp_attrs_other_next(const struct bgp_attrs *a, size_t *off,
			  struct bgp_raw_attr *r);

/*
 * The best-path inputs of RFC 4271 9.1.2.2 steps a) to d), with the
 * defaults for absent attributes (LOCAL_PREF 100, MED 0).
 */
struct bgp_rank {
	uint32_t local_pref;
	unsigned int path_len;
	uint8_t origin;
	uint32_t med;
	uint32_t neighbor_as;	/* MED is compared only when these agree */
};

void bgp_attrs_rank(const struct bgp_attrs *a, struct bgp_rank *r);
/*
 * < 0 when a is preferred: higher LOCAL_PREF, shorter AS path, lower
 * origin, lower MED (same neighbouring AS only), in that order.
 */
int bgp_rank_cmp(const struct bgp_rank *a, const struct bgp_rank *b);

/* ---- UPDATE ---- */

/* RFC 7606 approaches, weakest first; a decode reports the strongest */
enum bgp_decision {
	BGP_UPD_OK = 0,
	BGP_UPD_ATTR_DISCARD,		/* see notes[] and discarded[] */
	BGP_UPD_TREAT_AS_WITHDRAW,	/* all NLRI moved to withdrawn[] */
	BGP_UPD_AF_DISABLE,		/* disable_af's routes: delete all,
					 * ignore more, or reset with notif */
	BGP_UPD_SESSION_RESET,		/* send notif, close */
};

#define BGP_UPD_NOTES_MAX	8

struct bgp_note {
	uint8_t attr;		/* attribute type, 0: the message itself */
	uint8_t decision;	/* enum bgp_decision; OK = ignored, logged */
	char reason[BGP_REASON_LEN];
};

struct bgp_update {
	enum bgp_decision decision;
	struct bgp_notification notif;	/* AF_DISABLE, SESSION_RESET */
	uint8_t disable_af;		/* AF_DISABLE */
	int8_t eor;			/* End-of-RIB: enum bgp_af, or -1 */
	uint8_t n_withdrawn;
	struct bgp_nlri withdrawn[4];
	uint8_t n_announced;
	struct bgp_nlri announced[2];	/* with attrs (bgp_update_route_attrs) */
	struct bgp_attrs attrs;		/* nh: the NEXT_HOP attribute */
	uint8_t mp_nh_len;		/* MP_REACH next hop (mp runs) */
	uint8_t mp_nh[32];
	uint8_t discarded[32];		/* bitmap of attribute types dropped */
	uint8_t n_notes;
	uint16_t notes_lost;		/* decisions beyond notes[] */
	struct bgp_note notes[BGP_UPD_NOTES_MAX];
};

/*
 * Decodes one UPDATE (header included) and returns u->decision. Every
 * decision is in notes[] with a reason for the log, e.g. "AS_PATH:
 * segment length 7 overruns the attribute (5 bytes left);
 * treat-as-withdraw". What the speaker does: SESSION_RESET: send notif
 * and close, nothing else in u is meaningful. Otherwise withdraw every
 * prefix in withdrawn[], install every prefix in announced[] with
 * bgp_update_route_attrs(); AF_DISABLE: also drop disable_af (its runs
 * are already left out), or reset with notif.
 */
enum bgp_decision bgp_update_decode(const struct bgp_ctx *ctx,
				    const uint8_t *msg, size_t len,
				    struct bgp_update *u);

/* the attribute set of the routes in run, with the run's next hop */
void bgp_update_route_attrs(const struct bgp_update *u,
			    const struct bgp_nlri *run,
			    struct bgp_attrs *out);

/* bit test on u->discarded */
bool bgp_update_discarded(const struct bgp_update *u, uint8_t type);

/* ---- NOTIFICATION ---- */

/* 0, or -1 when msg is not a well-formed NOTIFICATION */
int bgp_notification_decode(const uint8_t *msg, size_t len,
			    struct bgp_notification *n);

/*
 * RFC 9003 Shutdown Communication of Cease/2 and Cease/4: 1 with the
 * text (valid UTF-8, into n) in *txt and *txtlen; 0 when there is none; -1
 * when it is malformed, why saying how (never quoting it).
 */
int bgp_notification_shutdown(const struct bgp_notification *n,
			      const uint8_t **txt, size_t *txtlen,
			      char *why, size_t whylen);
/* RFC 4486 Cease/1 data: 0, or -1 when n is not that or data is short */
int bgp_notification_maxprefix(const struct bgp_notification *n,
			       uint16_t *afi, uint8_t *safi, uint32_t *limit);

void bgp_notif_set(struct bgp_notification *n, uint8_t code,
		   uint8_t subcode, const void *data, size_t len);
/* Cease/subcode with text cut to 255 bytes on a UTF-8 boundary; -1 if
 * text is not UTF-8 */
int bgp_notif_shutdown(struct bgp_notification *n, uint8_t subcode,
		       const char *text);
void bgp_notif_maxprefix(struct bgp_notification *n, uint16_t afi,
			 uint8_t safi, uint32_t limit);

/* strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) */
bool bgp_utf8_valid(const uint8_t *s, size_t len);
/*
 * Peer text made safe for a log line: printable ASCII as is, \ and "
 * escaped, other valid UTF-8 kept unless it is a control, format or
 * line-separator character (then \u{XXXX}), invalid bytes as \xNN.
 * out is always terminated; returns strlen(out).
 */
size_t bgp_sanitize(const uint8_t *s, size_t len, char *out, size_t outlen);

/* ---- ROUTE-REFRESH ---- */

enum bgp_rr_subtype { BGP_RR_NORMAL = 0, BGP_RR_BORR = 1, BGP_RR_EORR = 2 };

struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};

/*
 * 0: *rr filled; 1: unknown subtype, to be ignored (RFC 7313 5); -1: the
 * NOTIFICATION in *err to send (a length other than 4: no ORF here).
 */
int bgp_route_refresh_decode(const uint8_t *msg, size_t len,
			     struct bgp_route_refresh *rr,
			     struct bgp_notification *err);

/* ---- encoders: message length, or -1 (err says why where given) ---- */

int bgp_build_keepalive(uint8_t *buf, size_t cap);
int bgp_build_notification(const struct bgp_notification *n, uint8_t *buf,
			   size_t cap);
int bgp_build_route_refresh(const struct bgp_route_refresh *rr,
			    uint8_t *buf, size_t cap);
/*
 * OPEN with the capabilities set in o (o->version is ignored: 4). The
 * RFC 9072 extended form is used only when the capabilities do not fit
 * 255 bytes.
 */
int bgp_build_open(const struct bgp_open *o, uint8_t *buf, size_t cap,
		   char *err, size_t errlen);

/*
 * One UPDATE announcing as many of pfx[0..n) as fit in 4096 bytes with
 * the attributes a (IPv4: the NEXT_HOP attribute from a->nh, 4 bytes;
 * IPv6: MP_REACH_NLRI, first, with a->nh of 16 or 32 bytes). pfx is
 * reordered so that the *used prefixes sent are pfx[0..*used): a prefix
 * that does not fit is skipped for smaller ones behind it. Call again
 * with pfx + *used until all are sent. AS_PATH/AS4_PATH and
 * AGGREGATOR/AS4_AGGREGATOR as ctx->as4 asks (RFC 6793).
 */
int bgp_build_announce(const struct bgp_ctx *ctx, const struct bgp_attrs *a,
		       enum bgp_af af, struct bgp_prefix *pfx, size_t n,
		       size_t *used, uint8_t *buf, size_t cap,
		       char *err, size_t errlen);
/* likewise for withdrawals (IPv6 in MP_UNREACH_NLRI) */
int bgp_build_withdraw(enum bgp_af af, struct bgp_prefix *pfx, size_t n,
		       size_t *used, uint8_t *buf, size_t cap,
		       char *err, size_t errlen);
/* End-of-RIB: IPv4 an empty UPDATE, IPv6 an empty MP_UNREACH_NLRI */
int bgp_build_eor(enum bgp_af af, uint8_t *buf, size_t cap);
/* path attribute bytes bgp_build_announce() would write for a */
size_t bgp_attrs_encoded_len(const struct bgp_ctx *ctx,
			     const struct bgp_attrs *a, enum bgp_af af);

/* ---- names for logs (never NULL; "unknown" when unassigned) ---- */

const char *bgp_msg_name(unsigned int type);
const char *bgp_err_name(unsigned int code);
const char *bgp_suberr_name(unsigned int code, unsigned int subcode);
const char *bgp_cap_name(unsigned int code);
const char *bgp_attr_name(unsigned int type);
const char *bgp_decision_name(enum bgp_decision d);
const char *bgp_af_name(unsigned int af);

#endif
