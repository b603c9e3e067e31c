// SPDX-License-Identifier: GPL-2.0
/*
 * vpnrt: route-based IPsec VPN gateway with cloud-style dynamic routing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <linux/vpnrt.h>

#include "vpnrt.h"

static int __init vpnrt_init(void)
{
	int err;

	err = vpnrt_genl_init();
	if (err)
		return err;
	pr_info("generic netlink family %s version %u registered\n",
		VPNRT_GENL_NAME, VPNRT_GENL_VERSION);
	return 0;
}

static void __exit vpnrt_exit(void)
{
	vpnrt_genl_exit();
}

module_init(vpnrt_init);
module_exit(vpnrt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based IPsec VPN gateway with dynamic routing");
MODULE_AUTHOR("The vpnrt developers");
MODULE_ALIAS_GENL_FAMILY(VPNRT_GENL_NAME);
