// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what tunnels receive, built into rx.c (they reach its
 * static functions) with --kunit only: the source check in each mode on
 * crafted IPv4 and IPv6 packets from one connection's tunnel, against a
 * gateway whose tables route prefixes to three connections (one ECMP
 * tier, a standby), ICMP errors judged by what they quote, the inbound
 * MSS clamp, and a device whose receive handler is someone else's. Each
 * packet goes through the handler itself, as the core would call it.
 */
#include <kunit/test.h>
#include <linux/if_arp.h>
#include <linux/inet.h>
#include <net/ip.h>
#include <net/tcp.h>

#define RT_CONNS	3

struct rt_fx {
	struct vpnrt_gw *gw;
	struct vpnrt_conn *c[RT_CONNS];
	struct net_device *dev[RT_CONNS];	/* c[i]'s tunnel device */
};

static void rt_dev_setup(struct net_device *dev)
{
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_NOARP;
	dev->mtu = 1400;
}

static void rt_route(struct kunit *test, struct rt_fx *f, const char *pfx,
		     u8 len, int conn, u8 weight)
{
	struct vpnrt_route_spec s = {
		.proto = VPNRT_PROTO_STATIC,
		.weight = weight,
		.dst_len = len,
		.conn = f->c[conn],
	};
	const char *end;
	int err;

	if (in4_pton(pfx, -1, s.dst.bytes, -1, &end)) {
		s.family = AF_INET;
	} else {
		KUNIT_ASSERT_TRUE(test, in6_pton(pfx, -1, s.dst.bytes, -1, &end));
		s.family = AF_INET6;
	}
	rtnl_lock();
	err = vpnrt_route_add(&s, NULL, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
}

/*
 * c0 routes 172.16.1.0/24, fd20:1::/48; c1 172.16.2.0/24, fd20:2::/48;
 * 172.16.3.0/24 and fd20:3::/48 are an ECMP tier of c0 and c1 with c2 as
 * standby.
 */
static int rt_init(struct kunit *test)
{
	struct rt_fx *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, vpnrt_routes_init(), 0);
	f->gw = kunit_kzalloc(test, sizeof(*f->gw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->gw);
	f->gw->stats = netdev_alloc_pcpu_stats(struct vpnrt_gstats);
	KUNIT_ASSERT_NOT_NULL(test, f->gw->stats);
	INIT_LIST_HEAD(&f->gw->conns);
	INIT_LIST_HEAD(&f->gw->stale_timers);
	vpnrt_table_init(&f->gw->v4, AF_INET);
	vpnrt_table_init(&f->gw->v6, AF_INET6);
	get_random_bytes(&f->gw->hash_key, sizeof(f->gw->hash_key));
	f->gw->max_paths = VPNRT_MAX_PATHS;
	f->gw->max_routes = 1000;
	for (i = 0; i < RT_CONNS; i++) {
		struct vpnrt_conn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, c);
		snprintf(c->name, sizeof(c->name), "c%u", i);
		c->id = i + 1;
		c->gw = f->gw;
		c->n_tunnels = 1;
		c->tun[0].conn = c;
		INIT_LIST_HEAD(&c->routes);
		list_add_tail(&c->gw_link, &f->gw->conns);
		f->c[i] = c;
		f->dev[i] = alloc_netdev(0, "vrtrx%d", NET_NAME_UNKNOWN,
					 rt_dev_setup);
		KUNIT_ASSERT_NOT_NULL(test, f->dev[i]);
		rcu_assign_pointer(f->dev[i]->rx_handler_data, &c->tun[0]);
	}
	test->priv = f;
	rt_route(test, f, "172.16.1.0", 24, 0, VPNRT_WEIGHT_ACTIVE);
	rt_route(test, f, "fd20:1::", 48, 0, VPNRT_WEIGHT_ACTIVE);
	rt_route(test, f, "172.16.2.0", 24, 1, VPNRT_WEIGHT_ACTIVE);
	rt_route(test, f, "fd20:2::", 48, 1, VPNRT_WEIGHT_ACTIVE);
	for (i = 0; i < RT_CONNS; i++) {
		u8 w = i < 2 ? VPNRT_WEIGHT_ACTIVE : VPNRT_WEIGHT_STANDBY;

		rt_route(test, f, "172.16.3.0", 24, i, w);
		rt_route(test, f, "fd20:3::", 48, i, w);
	}
	return 0;
}

static void rt_exit(struct kunit *test)
{
	struct rt_fx *f = test->priv;
	unsigned int i;

	rtnl_lock();
	for (i = 0; i < RT_CONNS; i++)
		vpnrt_route_flush_conn(f->c[i]);
	vpnrt_trie_free(&f->gw->v4);
	vpnrt_trie_free(&f->gw->v6);
	rtnl_unlock();
	for (i = 0; i < RT_CONNS; i++)
		free_netdev(f->dev[i]);
	vpnrt_routes_exit();	/* waits for the RCU frees */
	free_percpu(f->gw->stats);
}

/*
 * A packet from @src to @dst (vpc's side) of protocol @proto with @plen
 * bytes of payload after the IP header, arriving on @dev.
 */
static struct sk_buff *rt_skb(struct kunit *test, struct net_device *dev,
			      const char *src, const char *dst, u8 proto,
			      unsigned int plen)
{
	struct sk_buff *skb;
	union vpnrt_addr s = {}, d = {};
	const char *end;
	unsigned int nh;
	bool v4 = in4_pton(src, -1, s.bytes, -1, &end);

	if (v4) {
		KUNIT_ASSERT_TRUE(test, in4_pton(dst, -1, d.bytes, -1, &end));
	} else {
		KUNIT_ASSERT_TRUE(test, in6_pton(src, -1, s.bytes, -1, &end));
		KUNIT_ASSERT_TRUE(test, in6_pton(dst, -1, d.bytes, -1, &end));
	}
	nh = v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	skb = alloc_skb(nh + plen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_zero(skb, nh + plen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, nh);
	skb->dev = dev;
	if (v4) {
		struct iphdr *iph = ip_hdr(skb);

		skb->protocol = htons(ETH_P_IP);
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(nh + plen);
		iph->ttl = 64;
		iph->protocol = proto;
		iph->saddr = s.ip;
		iph->daddr = d.ip;
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		skb->protocol = htons(ETH_P_IPV6);
		ip6h->version = 6;
		ip6h->payload_len = htons(plen);
		ip6h->nexthdr = proto;
		ip6h->hop_limit = 64;
		ip6h->saddr = s.ip6;
		ip6h->daddr = d.ip6;
	}
	return skb;
}

/* hand @skb to the handler as the core does; *@pskb is what passed on */
static rx_handler_result_t rt_rx(struct sk_buff **pskb)
{
	rx_handler_result_t res;

	rcu_read_lock();
	local_bh_disable();
	res = vpnrt_tunnel_rx(pskb);
	local_bh_enable();
	rcu_read_unlock();
	return res;
}

static u64 rt_stat(struct rt_fx *f, size_t off)
{
	struct vpnrt_gstats st;

	vpnrt_gw_stats(f->gw, &st);
	return u64_stats_read((u64_stats_t *)((char *)&st + off));
}

#define RT_STAT(f, field) rt_stat(f, offsetof(struct vpnrt_gstats, field))

/* true if @skb passed, false if the source check dropped (and counted) it */
static bool rt_passes_skb(struct kunit *test, struct sk_buff *skb)
{
	struct rt_fx *f = test->priv;
	u64 drops = RT_STAT(f, rp_drops);
	rx_handler_result_t res = rt_rx(&skb);

	if (res == RX_HANDLER_PASS) {
		KUNIT_EXPECT_EQ(test, RT_STAT(f, rp_drops), drops);
		kfree_skb(skb);
		return true;
	}
	KUNIT_EXPECT_EQ(test, res, RX_HANDLER_CONSUMED);
	KUNIT_EXPECT_EQ(test, RT_STAT(f, rp_drops), drops + 1);
	return false;
}

/* a UDP datagram from @src arriving from c[@conn]'s tunnel: passes? */
static bool rt_passes(struct kunit *test, int conn, const char *src)
{
	struct rt_fx *f = test->priv;
	const char *dst = strchr(src, ':') ? "fd10::2" : "10.10.0.2";

	return rt_passes_skb(test, rt_skb(test, f->dev[conn], src, dst,
					  IPPROTO_UDP, 16));
}

static void rt_modes(struct kunit *test, bool v6)
{
	struct rt_fx *f = test->priv;
	const char *own = v6 ? "fd20:1::5" : "172.16.1.5";
	const char *other = v6 ? "fd20:2::5" : "172.16.2.5";
	const char *none = v6 ? "fd20:9::5" : "172.16.9.5";

	/* off: the default; nothing is checked */
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, own));
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, other));
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, none));
	KUNIT_EXPECT_EQ(test, RT_STAT(f, rp_drops), 0);

	/* strict: routed to the connection it came from */
	WRITE_ONCE(f->gw->rp_check, VPNRT_RP_CHECK_STRICT);
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, own));
	KUNIT_EXPECT_FALSE(test, rt_passes(test, 0, other));
	KUNIT_EXPECT_FALSE(test, rt_passes(test, 0, none));
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 1, other));
	KUNIT_EXPECT_FALSE(test, rt_passes(test, 1, own));

	/* loose: routed to any connection */
	WRITE_ONCE(f->gw->rp_check, VPNRT_RP_CHECK_LOOSE);
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, own));
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, other));
	KUNIT_EXPECT_FALSE(test, rt_passes(test, 0, none));
	KUNIT_EXPECT_EQ(test, RT_STAT(f, rp_drops), 4);
}

static void rx_rp_ipv4(struct kunit *test)
{
	rt_modes(test, false);
}

static void rx_rp_ipv6(struct kunit *test)
{
	rt_modes(test, true);
}

/*
 * An ECMP tier: either of its connections may bring the flow's replies,
 * the standby may not while the tier carries; once it does not (both
 * down), the standby's tier is the one, as for the transmit path. The
 * all-down rule's choice passes too.
 */
static void rx_rp_ecmp(struct kunit *test)
{
	struct rt_fx *f = test->priv;
	static const char *const srcs[] = { "172.16.3.5", "fd20:3::5" };
	unsigned int i;

	WRITE_ONCE(f->gw->rp_check, VPNRT_RP_CHECK_STRICT);
	for (i = 0; i < ARRAY_SIZE(srcs); i++) {
		KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, srcs[i]));
		KUNIT_EXPECT_TRUE(test, rt_passes(test, 1, srcs[i]));
		KUNIT_EXPECT_FALSE(test, rt_passes(test, 2, srcs[i]));
	}
	vpnrt_conn_set_down(f->c[0], VPNRT_DOWN_ADMIN, true);
	for (i = 0; i < ARRAY_SIZE(srcs); i++) {
		KUNIT_EXPECT_FALSE(test, rt_passes(test, 0, srcs[i]));
		KUNIT_EXPECT_TRUE(test, rt_passes(test, 1, srcs[i]));
		KUNIT_EXPECT_FALSE(test, rt_passes(test, 2, srcs[i]));
	}
	vpnrt_conn_set_down(f->c[1], VPNRT_DOWN_ADMIN, true);
	for (i = 0; i < ARRAY_SIZE(srcs); i++) {
		KUNIT_EXPECT_FALSE(test, rt_passes(test, 1, srcs[i]));
		KUNIT_EXPECT_TRUE(test, rt_passes(test, 2, srcs[i]));
	}
	/* every path down: the all-down rule picks c2 (c0, c1 admin down) */
	vpnrt_tunnel_set_down(&f->c[2]->tun[0], VPNRT_DOWN_HEALTH, true);
	for (i = 0; i < ARRAY_SIZE(srcs); i++) {
		KUNIT_EXPECT_TRUE(test, rt_passes(test, 2, srcs[i]));
		KUNIT_EXPECT_FALSE(test, rt_passes(test, 1, srcs[i]));
	}
	/* loose: the tier's choice, any connection */
	WRITE_ONCE(f->gw->rp_check, VPNRT_RP_CHECK_LOOSE);
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, srcs[0]));
}

/*
 * ICMP errors come from routers inside the far side, whose addresses no
 * route names: they are judged by the packet they quote, which left
 * towards its destination; IPv6 link-local sources are not routed at all.
 */
static void rx_rp_icmp_error(struct kunit *test)
{
	static const struct {
		const char *router, *vpc, *quoted_dst;
		u8 proto, type;
		bool passes;
	} cases[] = {
		{ "172.16.9.1", "10.10.0.2", "172.16.1.5", IPPROTO_ICMP,
		  ICMP_DEST_UNREACH, true },
		{ "172.16.9.1", "10.10.0.2", "172.16.2.5", IPPROTO_ICMP,
		  ICMP_DEST_UNREACH, false },
		{ "fd20:9::1", "fd10::2", "fd20:1::5", IPPROTO_ICMPV6,
		  ICMPV6_DEST_UNREACH, true },
		{ "fd20:9::1", "fd10::2", "fd20:2::5", IPPROTO_ICMPV6,
		  ICMPV6_DEST_UNREACH, false },
	};
	struct rt_fx *f = test->priv;
	unsigned int i, ql = sizeof(struct ipv6hdr) + 8;

	WRITE_ONCE(f->gw->rp_check, VPNRT_RP_CHECK_STRICT);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sk_buff *skb, *q;
		u8 *ic;

		skb = rt_skb(test, f->dev[0], cases[i].router, cases[i].vpc,
			     cases[i].proto, 8 + ql);
		ic = skb_transport_header(skb);
		ic[0] = cases[i].type;
		/* the quoted packet: UDP from vpc to the destination */
		q = rt_skb(test, f->dev[0], cases[i].vpc, cases[i].quoted_dst,
			   IPPROTO_UDP, 8);
		memcpy(ic + 8, q->data, min(q->len, ql));
		kfree_skb(q);
		KUNIT_EXPECT_EQ_MSG(test, rt_passes_skb(test, skb), cases[i].passes,
				    "error quoting a packet to %s", cases[i].quoted_dst);
	}
	/* a link-local source: no route could speak for it */
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, "fe80::1"));
	KUNIT_EXPECT_TRUE(test, rt_passes(test, 0, "169.254.10.1"));
	KUNIT_EXPECT_FALSE(test, rt_passes(test, 0, "169.253.10.1"));
	KUNIT_EXPECT_FALSE(test, rt_passes(test, 0, "fd20:9::1"));
}

/* the inbound clamp: a SYN from the tunnel, auto from its MTU (1400) */
static void rx_mss_clamp(struct kunit *test)
{
	struct rt_fx *f = test->priv;
	static const struct {
		const char *src, *dst;
		u16 clamp, want;
		bool syn;
	} cases[] = {
		{ "172.16.1.5", "10.10.0.2", VPNRT_MSS_CLAMP_AUTO, 1360, true },
		{ "fd20:1::5", "fd10::2", VPNRT_MSS_CLAMP_AUTO, 1340, true },
		{ "172.16.1.5", "10.10.0.2", 1200, 1200, true },
		{ "172.16.1.5", "10.10.0.2", 1200, 1460, false },
		{ "172.16.1.5", "10.10.0.2", VPNRT_MSS_CLAMP_OFF, 1460, true },
	};
	unsigned int i;
	u64 clamped = 0;

	WRITE_ONCE(f->gw->rp_check, VPNRT_RP_CHECK_STRICT);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sk_buff *skb;
		struct tcphdr *th;
		u8 *o;

		WRITE_ONCE(f->gw->mss_clamp, cases[i].clamp);
		skb = rt_skb(test, f->dev[0], cases[i].src, cases[i].dst,
			     IPPROTO_TCP, sizeof(*th) + 4);
		th = tcp_hdr(skb);
		th->doff = (sizeof(*th) + 4) / 4;
		th->syn = cases[i].syn;
		th->ack = !cases[i].syn;
		o = (u8 *)(th + 1);
		o[0] = TCPOPT_MSS;
		o[1] = TCPOLEN_MSS;
		o[2] = 1460 >> 8;
		o[3] = 1460 & 0xff;
		KUNIT_EXPECT_EQ(test, rt_rx(&skb), RX_HANDLER_PASS);
		o = skb_transport_header(skb) + sizeof(*th);
		KUNIT_EXPECT_EQ_MSG(test, o[2] << 8 | o[3], cases[i].want, "case %u", i);
		clamped += cases[i].want != 1460;
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, RT_STAT(f, mss_clamped), clamped);
}

static rx_handler_result_t rt_other_handler(struct sk_buff **pskb)
{
	return RX_HANDLER_PASS;
}

/* a device another receive handler holds is refused, and ours is ours */
static void rx_busy(struct kunit *test)
{
	struct rt_fx *f = test->priv;
	struct netlink_ext_ack ext = {};
	struct vpnrt_tunnel *t = &f->c[0]->tun[0];

	rtnl_lock();
	KUNIT_EXPECT_EQ(test, vpnrt_rx_check(t, f->dev[0], NULL, &ext), 0);
	KUNIT_ASSERT_EQ(test, netdev_rx_handler_register(f->dev[0], rt_other_handler,
							 NULL), 0);
	KUNIT_EXPECT_EQ(test, vpnrt_rx_check(t, f->dev[0], NULL, &ext), -EBUSY);
	KUNIT_EXPECT_NOT_NULL(test, strstr(ext._msg, "another rx handler"));
	netdev_rx_handler_unregister(f->dev[0]);
	KUNIT_ASSERT_EQ(test, netdev_rx_handler_register(f->dev[0], vpnrt_tunnel_rx,
							 t), 0);
	KUNIT_EXPECT_EQ(test, vpnrt_rx_check(t, f->dev[0], NULL, &ext), 0);
	KUNIT_EXPECT_EQ(test, vpnrt_rx_check(&f->c[1]->tun[0], f->dev[0], NULL,
					     &ext), -EBUSY);
	netdev_rx_handler_unregister(f->dev[0]);
	rtnl_unlock();
}

static struct kunit_case vpnrt_rx_cases[] = {
	KUNIT_CASE(rx_rp_ipv4),
	KUNIT_CASE(rx_rp_ipv6),
	KUNIT_CASE(rx_rp_ecmp),
	KUNIT_CASE(rx_rp_icmp_error),
	KUNIT_CASE(rx_mss_clamp),
	KUNIT_CASE(rx_busy),
	{}
};

static struct kunit_suite vpnrt_rx_suite = {
	.name = "vpnrt_rx",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = vpnrt_rx_cases,
};

kunit_test_suite(vpnrt_rx_suite);
