/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping of one IKE-managed tunnel to charon's load-conn and
 * load-shared requests (strongSwan 5.9.8, swanctl.conf(5) keys). Pure
 * functions: no I/O, unit-testable on their own.
 *
 * Each returns 0, or -1 with err saying what was wrong and what is
 * allowed (a config that config.c should have refused, or a name that
 * does not fit the VICI limits).
 */
#ifndef VPNRTD_IKE_MAP_H
#define VPNRTD_IKE_MAP_H

#include <stddef.h>

#include "ike.h"
#include "vici.h"

#define IKE_MAP_ERR_LEN	160

/* "vpnrt.<conn>.<pos>", the conn, child and shared key name */
int ike_map_name(const char *conn, int pos, char *buf, size_t len,
		 char *err, size_t errlen);

/*
 * One strongSwan proposal: "aes128-sha1-modp1024"; for ESP with
 * dh_group 0 (PFS disabled) no group: "aes128-sha1". IKE needs a group.
 */
int ike_map_proposal(const struct cfg_proposal *p, bool ike, char *buf,
		     size_t len, char *err, size_t errlen);

/* the id the tunnel's ends use: the configured id or the address */
const char *ike_map_local_id(const struct cfg_tunnel *t, char *buf,
			     size_t len);
const char *ike_map_remote_id(const struct cfg_tunnel *t, char *buf,
			      size_t len);

/*
 * A finished CMD_REQUEST packet in b (release with vici_build_free()
 * whatever the result): load-conn { <name> { ... } }, or load-shared.
 */
int ike_map_load_conn(struct vici_builder *b, const struct ike_tunnel *t,
		      char *err, size_t errlen);
int ike_map_load_shared(struct vici_builder *b, const struct ike_tunnel *t,
			char *err, size_t errlen);

#endif
