/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vpnrt builds against (Debian's 6.1 and
 * 6.12). Everything version-dependent lives here and nowhere else.
 */
#ifndef _VPNRT_COMPAT_H
#define _VPNRT_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#include <net/gso.h>	/* skb_gso_validate_network_len(); skbuff.h before */
#endif

/*
 * Lockless transmit and "never leaves its netns": feature bits up to 6.11,
 * device fields from 6.12 (Debian's 6.12 carries the later rename of
 * netns_local to netns_immutable).
 */
static inline void vpnrt_dev_set_lltx_local(struct net_device *dev)
{
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
	dev->lltx = true;
	dev->netns_immutable = true;
#else
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
#endif
}

/* the request's parsed attributes inside a dumpit callback */
static inline struct nlattr **vpnrt_dump_attrs(struct netlink_callback *cb)
{
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* the operation pre_doit and post_doit are given: split ops since 6.2 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#define vpnrt_genl_op genl_split_ops
#else
#define vpnrt_genl_op genl_ops
#endif

/*
 * Formatted extack messages arrived in 6.2, with a buffer in the extack.
 * On 6.1 the message must outlive the handler until the ack is built, so
 * it goes to one of a ring of buffers; 16 requests failing at the same
 * instant would be needed to overwrite one before it is sent.
 */
#ifdef NETLINK_MAX_FMTMSG_LEN
#define VPNRT_ERRLEN NETLINK_MAX_FMTMSG_LEN
#else
#define VPNRT_ERRLEN 80
#endif

#ifndef NL_SET_ERR_MSG_FMT
#define VPNRT_EXTACK_LEN VPNRT_ERRLEN

static inline char *vpnrt_extack_buf(void)
{
	static char ring[16][VPNRT_EXTACK_LEN];
	static atomic_t next = ATOMIC_INIT(0);

	return ring[atomic_inc_return(&next) & 15];
}

#define NL_SET_ERR_MSG_ATTR_FMT(extack, attr, fmt, args...) do {	\
	struct netlink_ext_ack *__e = (extack);				\
	char *__b;							\
									\
	if (!__e)							\
		break;							\
	__b = vpnrt_extack_buf();					\
	snprintf(__b, VPNRT_EXTACK_LEN, fmt, ##args);			\
	__e->_msg = __b;						\
	__e->bad_attr = (attr);						\
} while (0)

#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) \
	NL_SET_ERR_MSG_ATTR_FMT(extack, NULL, fmt, ##args)
#endif

/*
 * Why the gateway dropped a packet whose route chose a tunnel device that
 * is gone or down: 6.12 has a reason for "no target to send to"; 6.1
 * has the nearest in "device not ready".
 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define VPNRT_DROP_NO_TUNNEL	SKB_DROP_REASON_NO_TX_TARGET
#else
#define VPNRT_DROP_NO_TUNNEL	SKB_DROP_REASON_DEV_READY
#endif

#endif /* _VPNRT_COMPAT_H */
