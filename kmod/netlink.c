// SPDX-License-Identifier: GPL-2.0
/*
 * The vpnrt generic netlink family.
 */
#include <net/genetlink.h>
#include <linux/vpnrt.h>

#include "vpnrt.h"

enum vpnrt_mcgrp {
	VPNRT_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group vpnrt_mcgrps[] = {
	[VPNRT_MCGRP_EVENTS_ID] = { .name = VPNRT_MCGRP_EVENTS },
};

static struct genl_family vpnrt_genl_family __ro_after_init = {
	.name		= VPNRT_GENL_NAME,
	.version	= VPNRT_GENL_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.mcgrps		= vpnrt_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vpnrt_mcgrps),
};

int __init vpnrt_genl_init(void)
{
	return genl_register_family(&vpnrt_genl_family);
}

void vpnrt_genl_exit(void)
{
	genl_unregister_family(&vpnrt_genl_family);
}
