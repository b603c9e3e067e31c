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
	uint32_t retries;	/* 1..100, default 3 */
	uint32_t rise;		/* 1..100, default 1 */
	uint8_t policy;		/* enum vpnrt_health_policy */
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

struct cfg_gw {
	int line;
	char name[IFNAMSIZ];
	uint8_t ecmp_hash;	/* enum vpnrt_ecmp_hash, default l4 */
	uint32_t max_paths;	/* 1..16, default 16 */
	struct cfg_quotas quotas;
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

/* Lookups in a loaded config; NULL if absent. */
const struct cfg_gw *cfg_find_gw(const struct cfg *cfg, const char *name);
const struct cfg_conn *cfg_find_conn(const struct cfg *cfg, const char *name,
				     const struct cfg_gw **gw);

#endif
