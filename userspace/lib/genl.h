/* SPDX-License-Identifier: GPL-2.0 */
/* Talking to the vpnrt generic netlink family with libnl-genl-3. */
#ifndef VPNRT_GENL_H
#define VPNRT_GENL_H

#include <stdint.h>
#include <netlink/netlink.h>

struct vpnrt_nl {
	struct nl_sock *sk;
	int family_id;
	uint32_t version;
	int events_grp;		/* multicast group id, or -1 */
};

/* 0, or -1 after printing why (module not loaded, no permission, ...) */
int vpnrt_nl_open(struct vpnrt_nl *nl);
void vpnrt_nl_close(struct vpnrt_nl *nl);

#endif
