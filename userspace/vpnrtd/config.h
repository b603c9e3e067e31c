/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vpnrtd's configuration: the YAML file (Documentation/vpnrtd.rst) read
 * with libyaml into these structs, then validated as a whole. Every error
 * is "FILE:LINE: PATH: what was wrong; what is allowed", PATH like
 * gateways[0].connections[1].ike.psk. A file with any error yields no
 * config at all: the caller keeps what it had.
 *
 * After a successful load every default is filled in and every tunnel's
 * IKE settings are resolved (connection-wide keys, then the tunnel's own
 * overrides), so the rest of the daemon never looks at defaults.
 *
 * Every key, default and rule: Documentation/vpnrtd-config.rst. Bounds:
 * 4 MiB of UTF-8, one YAML document, no anchors, aliases or tags, 32
 * levels of nesting; at most 10000 messages (then one counting the rest).
 */
#ifndef VPNRTD_CONFIG_H
#define VPNRTD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vpnrt.h>
#include "parse.h"

#define CFG_DEFAULT_FILE	"/etc/vpnrt/vpnrtd.yaml"
#define CFG_PSK_MAX		100
#define CFG_ID_MAX		255	/* local-id/remote-id: IP or FQDN */
#define CFG_LIFETIME_MAX	86400
#define CFG_LIFETIME_DEF	86400
#define CFG_MAX_ROUTES		100000	/* static + policy per connection */

/* BGP (Documentation/vpnrtd-config.rst, "BGP") */
#define CFG_LOCAL_ASN_DEF	45104
#define CFG_MD5_MAX		80	/* the kernel's TCP_MD5SIG_MAXKEYLEN */
#define CFG_HOLD_TIME_DEF	90
#define CFG_GR_TIME_DEF		120
#define CFG_GR_TIME_MAX		4095	/* RFC 4724: a 12-bit field */
#define CFG_BGP_PREFIXES_MAX	10000	/* advertise, import-deny: each */
#define CFG_TABLE_MAIN		254	/* RT_TABLE_MAIN */
#define CFG_ASN_STRLEN		25	/* "4294967295 (65535.65535)" and a NUL */

enum cfg_encr {
	CFG_ENCR_AES,		/* = aes128 */
	CFG_ENCR_AES128,
	CFG_ENCR_AES192,
	CFG_ENCR_AES256,
	CFG_ENCR_DES,
	CFG_ENCR_3DES,
};

enum cfg_integ {
	CFG_INTEG_MD5,
	CFG_INTEG_SHA1,
	CFG_INTEG_SHA256,
	CFG_INTEG_SHA384,
	CFG_INTEG_SHA512,
};

/* one phase's proposal: encryption, integrity, DH group, lifetime */
struct cfg_proposal {
	uint8_t encr;		/* enum cfg_encr */
	uint8_t integ;		/* enum cfg_integ */
	uint8_t dh_group;	/* 1, 2, 5, 14; 0 = disabled (ipsec: no PFS) */
	uint32_t lifetime;	/* s, 0..86400; 0 = never rekey */
};

/* the resolved IKE settings of one tunnel */
struct cfg_ike {
	uint8_t version;	/* 1 or 2 */
	bool aggressive;	/* IKEv1 aggressive mode */
	char psk[CFG_PSK_MAX + 1];
	bool psk_generated;	/* no psk in the file: the daemon makes one */
	char local_id[CFG_ID_MAX + 1];	/* "" = the tunnel's local-address */
	char remote_id[CFG_ID_MAX + 1];	/* "" = the tunnel's remote-address */
	struct cfg_proposal ike, ipsec;
	bool dpd;
	uint32_t dpd_delay;	/* s, default 10 */
	uint32_t dpd_timeout;	/* s (IKEv1 only), default 30 */
	bool nat_traversal;	/* false: never force UDP encapsulation */
	bool initiate;		/* true (default): the gateway initiates */
};

struct cfg_health {
	bool enabled;		/* a health: key was given */
	struct prefix dst, src;	/* host addresses, same family */
	uint32_t interval_ms;	/* 10 ms..60 s, default 3 s */
	uint32_t timeout_ms;	/* 10 ms..60 s and <= 16 x interval,
				 * default interval_ms
				 */
	uint32_t retries;	/* 1..100, default 3 */
	uint32_t rise;		/* 1..100, default 1 */
	uint8_t policy;		/* enum vpnrt_health_policy */
};

/*
 * A tunnel's BGP session (one peer per tunnel). All zero unless present;
 * when present every field is valid and defaults are filled.
 */
struct cfg_tunnel_bgp {
	bool present;		/* a bgp: mapping was given */
	int line;		/* of the bgp: key, for messages */
	struct prefix cidr;	/* a /30 inside 169.254.0.0/16, not reserved,
				 * unique per gateway */
	struct prefix local;	/* local-ip: one of cidr's two usable
				 * addresses, a host prefix */
	struct prefix peer;	/* the other usable address */
	uint32_t peer_asn;	/* 1..2^32-1 but 23456, not the local ASN */
	char md5[CFG_MD5_MAX + 1];	/* TCP MD5 key (RFC 2385), "" = none */
	uint32_t hold_time;	/* s, 0 or 3..65535, default 90 */
	uint32_t keepalive;	/* s, hold_time / 3 */
	bool ttl_security;	/* GTSM (RFC 5082), default false */
	uint32_t graceful_restart;	/* restart time s, 0..4095, default
					 * 120; 0 = no graceful restart */
};

struct cfg_tunnel {
	int line;		/* of the tunnel's mapping, for messages */
	struct prefix local, remote;	/* underlay host addresses (family 0
					 * when not given: only with ike_none) */
	char device[IFNAMSIZ];	/* default "xfrm<if-id>"; given with ike_none */
	bool device_given;
	uint32_t if_id;		/* non-zero, unique per file; default
				 * 100 * conn id + position, or when that
				 * is taken or there is no id the lowest
				 * free number (vpnrtd-config.rst); 0 with
				 * ike_none */
	bool if_id_given;
	uint32_t mtu;		/* 0 = derive from the underlay */
	bool ike_none;		/* ike: none: an existing device, no IKE */
	struct cfg_ike ike;	/* resolved; unused when ike_none */
	struct cfg_health health;
	struct cfg_tunnel_bgp bgp;
};

struct cfg_route {
	int line;
	struct prefix dst;
	bool policy;		/* from: given: a policy route */
	struct prefix src;
	uint8_t weight;		/* 100 or 0 */
	uint8_t priority;	/* policy routes: 1..100, default 10 */
};

struct cfg_conn {
	int line;
	char name[VPNRT_CONN_NAME_MAX];
	uint32_t id;		/* 0: not given, the kernel picks */
	uint8_t mode;		/* enum vpnrt_conn_mode */
	uint8_t routing;	/* enum vpnrt_routing_mode */
	struct prefix local_cidr, peer_cidr;	/* flow-protection */
	bool enabled;		/* admin state, default true */
	int n_tunnels;		/* 1 or 2; ecmp needs 2 */
	struct cfg_tunnel tunnels[VPNRT_MAX_TUNNELS];
	int n_routes;
	struct cfg_route *routes;
};

struct cfg_quotas {
	uint32_t connections;	/* default 50 */
	uint32_t bgp_routes;	/* default 50 */
	uint32_t peer_routes;	/* default 100 */
	uint32_t bgp_peers;	/* default 8 */
	uint32_t policy_routes;	/* default 100 */
};

enum cfg_max_prefix_action {
	CFG_MAXPFX_REFUSE,	/* keep the session, refuse the excess */
	CFG_MAXPFX_TEARDOWN,	/* close it: NOTIFICATION cease 1 (RFC 4486) */
};

/*
 * A gateway's BGP speaker. Defaults are filled whether bgp: was given
 * or not; a speaker runs only when n_peers > 0 (tunnels with bgp:).
 */
struct cfg_bgp {
	bool present;		/* a bgp: mapping was given */
	int line;		/* of the bgp: key, 0 when absent */
	uint32_t local_asn;	/* 1..2^32-1 but 23456, default 45104 */
	struct in_addr router_id;	/* network order, non-zero; given, else
					 * the lowest tunnel local-ip; 0.0.0.0
					 * only when n_peers is 0 */
	bool router_id_given;
	int n_peers;		/* tunnels with bgp:, at most quotas.bgp_peers */
	int n_advertise;
	struct prefix *advertise;	/* announced to every peer; each once */
	uint32_t advertise_table;	/* also announce this table; 0 = none
					 * (default) */
	uint32_t vpc_table;	/* learned routes go here; default 254
				 * (main), 0 = none */
	int n_import_deny;
	struct prefix *import_deny;	/* refused on import; default
					 * 0.0.0.0/0 and 100.64.0.0/10 */
	uint8_t max_prefix_action;	/* enum cfg_max_prefix_action */
};

struct cfg_gw {
	int line;
	char name[IFNAMSIZ];
	uint8_t ecmp_hash;	/* enum vpnrt_ecmp_hash, default l4 */
	uint32_t max_paths;	/* 1..16, default 16 */
	struct cfg_quotas quotas;
	struct cfg_bgp bgp;
	int n_conns;
	struct cfg_conn *conns;
};

struct cfg {
	char *file;		/* as given */
	int n_gws;
	struct cfg_gw *gws;
};

/* The errors of one load, in file order; each line is complete. */
struct cfg_errors {
	int n;
	char **msg;
};

/*
 * Read and validate path. 0 and *out set, or -1 with every error found
 * appended to errs (at least one) and *out NULL. A missing or unreadable
 * file is an error like any other.
 */
int cfg_load(const char *path, struct cfg **out, struct cfg_errors *errs);
/* The same from memory; name is what the messages call the file. */
int cfg_load_buf(const char *name, const char *buf, size_t len,
		 struct cfg **out, struct cfg_errors *errs);
void cfg_free(struct cfg *cfg);
void cfg_errors_free(struct cfg_errors *errs);

/* Names of the enums as the file spells them: "aes256", "sha1", ... */
const char *cfg_encr_name(uint8_t encr);
const char *cfg_integ_name(uint8_t integ);

/*
 * An ASN for logs and messages, into buf (CFG_ASN_STRLEN bytes will do):
 * cfg_asn_str() gives "65001", or above 65535 plain and asdot, "65546
 * (1.10)"; cfg_asdot_str() asdot as RFC 5396 writes it, "65001" or
 * "1.10".
 */
const char *cfg_asn_str(uint32_t asn, char *buf, size_t len);
const char *cfg_asdot_str(uint32_t asn, char *buf, size_t len);

/* Lookups in a loaded config; NULL if absent. */
const struct cfg_gw *cfg_find_gw(const struct cfg *cfg, const char *name);
const struct cfg_conn *cfg_find_conn(const struct cfg *cfg, const char *name,
				     const struct cfg_gw **gw);

#endif
