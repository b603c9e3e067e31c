/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * vpnrt: route-based IPsec VPN gateway with cloud-style dynamic routing.
 * Generic netlink ABI. Documentation/netlink.rst describes it;
 * Documentation/netlink/vpnrt.yaml is the machine-readable spec.
 */
#ifndef _UAPI_LINUX_VPNRT_H
#define _UAPI_LINUX_VPNRT_H

#define VPNRT_GENL_NAME		"vpnrt"
#define VPNRT_GENL_VERSION	1
#define VPNRT_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_VPNRT_H */
