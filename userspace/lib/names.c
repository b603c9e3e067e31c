// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vpnrt.h>

#include "names.h"

#define TABLE(var, ...)							\
	static const char *const var##_[] = { __VA_ARGS__ };		\
	const struct name_table var = { var##_, sizeof(var##_) / sizeof(var##_[0]) }

/*
 * Every name is the entry name of the enum in Documentation/netlink/
 * vpnrt.yaml, so vpnrtctl (text and JSON) and ynl print the same word for
 * each value. One exception: the routing mode the YAML calls "flow" is
 * "flow-protection", the keyword of conn add.
 */
TABLE(vpnrt_reason_names,
	[VPNRT_REASON_NONE] = "none",
	[VPNRT_REASON_POLICY] = "policy",
	[VPNRT_REASON_PREFIX] = "prefix",
	[VPNRT_REASON_STATIC] = "static",
	[VPNRT_REASON_WEIGHT] = "weight",
	[VPNRT_REASON_PREF] = "pref",
	[VPNRT_REASON_ECMP] = "ecmp",
	[VPNRT_REASON_FAILOVER] = "failover",
	[VPNRT_REASON_FALLBACK] = "fallback");

TABLE(vpnrt_proto_names,
	[VPNRT_PROTO_UNSPEC] = NULL,
	[VPNRT_PROTO_STATIC] = "static",
	[VPNRT_PROTO_POLICY] = "policy",
	[VPNRT_PROTO_BGP] = "bgp");

TABLE(vpnrt_mode_names,
	[VPNRT_MODE_ACTIVE_STANDBY] = "active-standby",
	[VPNRT_MODE_ECMP] = "ecmp");

TABLE(vpnrt_hash_names,
	[VPNRT_HASH_L4] = "l4",
	[VPNRT_HASH_L3] = "l3");

TABLE(vpnrt_rp_check_names,
	[VPNRT_RP_CHECK_OFF] = "off",
	[VPNRT_RP_CHECK_STRICT] = "strict",
	[VPNRT_RP_CHECK_LOOSE] = "loose");

TABLE(vpnrt_state_names,
	[VPNRT_STATE_DOWN] = "down",
	[VPNRT_STATE_UP] = "up");

TABLE(vpnrt_routing_names,
	[VPNRT_ROUTING_DESTINATION] = "destination",
	[VPNRT_ROUTING_FLOW] = "flow-protection");

TABLE(vpnrt_owner_names,
	[VPNRT_OWNER_NONE] = "none",
	[VPNRT_OWNER_AGENT] = "agent");

TABLE(vpnrt_health_state_names,
	[VPNRT_HEALTH_INIT] = "init",
	[VPNRT_HEALTH_UP] = "up",
	[VPNRT_HEALTH_DOWN] = "down");

TABLE(vpnrt_health_policy_names,
	[VPNRT_HEALTH_REVOKE_ROUTE] = "revoke-route",
	[VPNRT_HEALTH_RESERVE_ROUTE] = "reserve-route");

TABLE(vpnrt_health_reason_names,
	[VPNRT_HEALTH_R_START] = "start",
	[VPNRT_HEALTH_R_LOST] = "lost",
	[VPNRT_HEALTH_R_ANSWERED] = "answered",
	[VPNRT_HEALTH_R_EVENTS_LOST] = "events-lost");

/* indexed by bit number */
TABLE(vpnrt_down_reason_names,
	"admin", "ike", "no-device", "link", "health", "no-tunnel");

TABLE(vpnrt_route_flag_names, "flow");

const char *name_of(const struct name_table *t, unsigned int val)
{
	if (val < t->n && t->names[val])
		return t->names[val];
	return "unknown";
}

int name_lookup(const struct name_table *t, const char *s)
{
	size_t len = strlen(s), i;
	int found = -1;

	if (!len)
		return -1;
	for (i = 0; i < t->n; i++)
		if (t->names[i] && !strcmp(t->names[i], s))
			return (int)i;
	for (i = 0; i < t->n; i++) {
		if (!t->names[i] || strncmp(t->names[i], s, len))
			continue;
		if (found >= 0)
			return -1;	/* ambiguous */
		found = (int)i;
	}
	return found;
}

const char *name_list(const struct name_table *t, const char *sep,
		      char *buf, size_t len)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < t->n && off < len; i++) {
		if (!t->names[i])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? sep : "", t->names[i]);
	}
	return buf;
}

const char *flags_str(const struct name_table *t, uint32_t mask,
		      char *buf, size_t len)
{
	size_t off = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 32 && off < len; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		if (bit < t->n && t->names[bit])
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? "," : "", t->names[bit]);
		else
			off += (size_t)snprintf(buf + off, len - off, "%sbit%u",
						off ? "," : "", bit);
	}
	return buf;
}

const char *family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	default:
		return "unspec";
	}
}
