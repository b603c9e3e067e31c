/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vpnrt builds against (Debian's 6.1 and
 * 6.12). Everything version-dependent lives here and nowhere else.
 */
#ifndef _VPNRT_COMPAT_H
#define _VPNRT_COMPAT_H

#include <linux/version.h>

#endif /* _VPNRT_COMPAT_H */
