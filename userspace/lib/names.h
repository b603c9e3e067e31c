/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the vpnrt ABI's enum values, as vpnrtctl prints and parses them
 * (text and JSON alike).
 */
#ifndef VPNRT_NAMES_H
#define VPNRT_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct name_table {
	const char *const *names;	/* indexed by value; NULL = no name */
	size_t n;
};

extern const struct name_table vpnrt_reason_names;	/* enum vpnrt_reason */
extern const struct name_table vpnrt_proto_names;	/* enum vpnrt_proto */
extern const struct name_table vpnrt_mode_names;	/* enum vpnrt_conn_mode */
extern const struct name_table vpnrt_hash_names;	/* enum vpnrt_ecmp_hash */
extern const struct name_table vpnrt_rp_check_names;	/* enum vpnrt_rp_check */
extern const struct name_table vpnrt_state_names;	/* enum vpnrt_state */
extern const struct name_table vpnrt_routing_names;	/* enum vpnrt_routing_mode */
extern const struct name_table vpnrt_owner_names;	/* enum vpnrt_owner */
/* enum vpnrt_health_state, enum vpnrt_health_policy, enum vpnrt_health_reason */
extern const struct name_table vpnrt_health_state_names;
extern const struct name_table vpnrt_health_policy_names;
extern const struct name_table vpnrt_health_reason_names;
/* bit n of enum vpnrt_down_reason */
extern const struct name_table vpnrt_down_reason_names;
/* bit n of enum vpnrt_route_flags */
extern const struct name_table vpnrt_route_flag_names;

/* the name of val, or "unknown" */
const char *name_of(const struct name_table *t, unsigned int val);
/* exact name, else a unique prefix of one; the value, or -1 */
int name_lookup(const struct name_table *t, const char *s);
/* "a|b|c" (or with another separator) of all names, into buf */
const char *name_list(const struct name_table *t, const char *sep,
		      char *buf, size_t len);
/* "link,health" for a bit mask, "" for 0; unknown bits as "bitN" */
const char *flags_str(const struct name_table *t, uint32_t mask,
		      char *buf, size_t len);
/* "inet", "inet6" or "unspec" */
const char *family_name(int family);

#endif
