// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup benchmark, built into vpnrt.ko only by `make bench` (BENCH=1):
 * times the decision procedure against the kernel FIB's own lookup, in the
 * same kernel, over the same destination addresses, so the two can be
 * compared as a ratio.
 *
 * debugfs vpnrt/lookup, in the initial network namespace. Write
 *
 *   GATEWAY FAMILY PREFIXES LOOKUPS SEED
 *
 * after installing PREFIXES routes, numbered 0..PREFIXES-1 as
 * bench_prefix() below numbers them (scripts/bench generates the same),
 * into both the gateway and the kernel's main table. Each lookup goes to a
 * random address inside a random one of those prefixes. Read back one
 * line: "vpnrt_ns X fib_ns Y vpnrt_found N fib_found N lookups N rounds N",
 * the best of the rounds (interleaved, so both see the same machine).
 */
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/ip_fib.h>
#include <net/ip6_fib.h>
#include <net/ipv6_stubs.h>

#include "vpnrt.h"

#define ROUNDS		5
#define MAX_LOOKUPS	(4 << 20)

/*
 * Prefix @i of the benchmark: IPv4 /24s in 16.0.0.0/4 and IPv6 /56s in
 * 2001:db8::/32, a multiplicative permutation of the index spreading them
 * over the whole space (an odd multiplier is a bijection modulo 2^bits).
 */
static void bench_prefix(int family, u32 i, union vpnrt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->ip = htonl(0x10000000 | (((i * 0x9e3779b1u) & 0xfffff) << 8));
	} else {
		u32 x = (i * 0x9e3779b1u) & 0xffffff;

		a->ip6.s6_addr32[0] = htonl(0x20010db8);
		a->ip6.s6_addr32[1] = htonl(x << 8);
	}
}

static DEFINE_MUTEX(bench_lock);
static char bench_result[160];
static struct dentry *bench_dir;

static u64 time_vpnrt(const struct vpnrt_gw *gw, struct vpnrt_flow *fl,
		      const union vpnrt_addr *addrs, u32 n, u32 *found)
{
	u64 t0;
	u32 i;

	*found = 0;
	rcu_read_lock();
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		fl->dst = addrs[i];
		*found += !!vpnrt_lookup(gw, fl, NULL).conn;
	}
	t0 = ktime_get_ns() - t0;
	rcu_read_unlock();
	return t0;
}

static u64 time_fib(struct net *net, int family,
		    const union vpnrt_addr *addrs, u32 n, u32 *found)
{
	u64 t0;
	u32 i;

	*found = 0;
	rcu_read_lock();
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		if (family == AF_INET) {
			struct flowi4 fl4 = { .daddr = addrs[i].ip };
			struct fib_result res;

			*found += !fib_lookup(net, &fl4, &res, 0);
		} else {
			struct flowi6 fl6 = { .daddr = addrs[i].ip6 };
			struct fib6_result res = {};

			*found += !ipv6_stub->fib6_lookup(net, 0, &fl6, &res, 0) &&
				  res.f6i != net->ipv6.fib6_null_entry;
		}
	}
	t0 = ktime_get_ns() - t0;
	rcu_read_unlock();
	return t0;
}

static int bench_run(const char *gwname, int family, u32 n_prefixes,
		     u32 n, u32 seed)
{
	struct net *net = &init_net;
	u64 best_v = U64_MAX, best_f = U64_MAX;
	u32 found_v = 0, found_f = 0, i, r;
	struct vpnrt_flow fl = { .family = family };
	union vpnrt_addr *addrs;
	struct rnd_state rnd;
	struct net_device *dev;
	struct vpnrt_gw *gw;
	int err = 0;

	addrs = vmalloc(array_size(n, sizeof(*addrs)));
	if (!addrs)
		return -ENOMEM;
	prandom_seed_state(&rnd, seed);
	for (i = 0; i < n; i++) {
		bench_prefix(family, prandom_u32_state(&rnd) % n_prefixes,
			     &addrs[i]);
		if (family == AF_INET)
			addrs[i].ip |= htonl(prandom_u32_state(&rnd) & 0xff);
		else
			addrs[i].ip6.s6_addr32[3] = prandom_u32_state(&rnd);
	}
	fl.src = addrs[0];

	rtnl_lock();
	dev = __dev_get_by_name(net, gwname);
	gw = dev ? vpnrt_gw_by_ifindex(net, dev->ifindex) : NULL;
	if (!gw) {
		err = -ENODEV;
		goto out;
	}
	for (r = 0; r < ROUNDS; r++) {
		best_v = min(best_v, time_vpnrt(gw, &fl, addrs, n, &found_v));
		best_f = min(best_f, time_fib(net, family, addrs, n, &found_f));
		cond_resched();
	}
	snprintf(bench_result, sizeof(bench_result),
		 "vpnrt_ns %llu.%02llu fib_ns %llu.%02llu vpnrt_found %u fib_found %u lookups %u rounds %u\n",
		 div_u64(best_v, n), div_u64(best_v * 100, n) % 100,
		 div_u64(best_f, n), div_u64(best_f * 100, n) % 100,
		 found_v, found_f, n, ROUNDS);
out:
	rtnl_unlock();
	vfree(addrs);
	return err;
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char buf[96], gw[IFNAMSIZ];
	u32 family, prefixes, n, seed;
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%15s %u %u %u %u", gw, &family, &prefixes, &n,
		   &seed) != 5 ||
	    (family != 4 && family != 6) || !prefixes || !n || n > MAX_LOOKUPS)
		return -EINVAL;
	mutex_lock(&bench_lock);
	bench_result[0] = '\0';
	err = bench_run(gw, family == 4 ? AF_INET : AF_INET6, prefixes, n, seed);
	mutex_unlock(&bench_lock);
	return err ? err : len;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, bench_result,
				      strlen(bench_result));
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations bench_fops = {
	.owner	= THIS_MODULE,
	.write	= bench_write,
	.read	= bench_read,
	.llseek	= default_llseek,
};

/**
 * vpnrt_bench_init() - the lookup benchmark's debugfs file, vpnrt/lookup (make
 * bench only)
 */
void vpnrt_bench_init(void)
{
	bench_dir = debugfs_create_dir("vpnrt", NULL);
	debugfs_create_file("lookup", 0600, bench_dir, NULL, &bench_fops);
}

/**
 * vpnrt_bench_exit() - remove the lookup benchmark's debugfs files
 */
void vpnrt_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
}
