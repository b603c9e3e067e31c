// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <linux/vpnrt.h>

#include "genl.h"

int vpnrt_nl_open(struct vpnrt_nl *nl)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	int err;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(stderr, "vpnrt: out of memory\n");
		return -1;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		fprintf(stderr, "vpnrt: cannot open a generic netlink socket: %s\n",
			nl_geterror(err));
		goto fail;
	}
	err = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (err < 0) {
		fprintf(stderr, "vpnrt: cannot list generic netlink families: %s\n",
			nl_geterror(err));
		goto fail;
	}
	fam = genl_ctrl_search_by_name(cache, VPNRT_GENL_NAME);
	if (!fam) {
		fprintf(stderr, "vpnrt: generic netlink family \"%s\" not found; is the vpnrt module loaded (modprobe vpnrt)?\n",
			VPNRT_GENL_NAME);
		goto fail;
	}
	nl->family_id = genl_family_get_id(fam);
	nl->version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	nl->events_grp = genl_ctrl_resolve_grp(nl->sk, VPNRT_GENL_NAME,
					       VPNRT_MCGRP_EVENTS);
	if (nl->events_grp < 0)
		nl->events_grp = -1;
	return 0;
fail:
	nl_cache_free(cache);
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -1;
}

void vpnrt_nl_close(struct vpnrt_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}
