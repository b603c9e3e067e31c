// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the transmit path's flow reading, built into device.c
 * (they reach its static functions) with --kunit only: an ICMP error is
 * hashed as the flow of the packet it quotes, reversed, so it takes the
 * path of the flow it belongs to; anything else, or a quote cut short,
 * is hashed as itself.
 */
#include <kunit/test.h>

/* an skb holding @len bytes of @data as its network header onwards */
static struct sk_buff *ft_skb(struct kunit *test, __be16 proto,
			      const void *data, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	skb_put_data(skb, data, len);
	skb->protocol = proto;
	return skb;
}

struct ft_v4 {
	struct iphdr ip;
	struct icmphdr icmp;
	struct iphdr qip;
	__be16 qports[2];
} __packed;

struct ft_v6 {
	struct ipv6hdr ip;
	struct icmp6hdr icmp;
	struct ipv6hdr qip;
	__be16 qports[2];
} __packed;

static void ft_expect_flow(struct kunit *test, const struct vpnrt_flow *a,
			   const struct vpnrt_flow *b)
{
	KUNIT_EXPECT_EQ(test, a->family, b->family);
	KUNIT_EXPECT_EQ(test, a->proto, b->proto);
	KUNIT_EXPECT_EQ(test, a->sport, b->sport);
	KUNIT_EXPECT_EQ(test, a->dport, b->dport);
	KUNIT_EXPECT_EQ(test, memcmp(&a->src, &b->src, sizeof(a->src)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&a->dst, &b->dst, sizeof(a->dst)), 0);
}

static struct vpnrt_gw *ft_gw(struct kunit *test)
{
	struct vpnrt_gw *gw = kunit_kzalloc(test, sizeof(*gw), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, gw);
	get_random_bytes(&gw->hash_key, sizeof(gw->hash_key));
	gw->ecmp_hash = VPNRT_HASH_L4;
	return gw;
}

/* the error's hash flow, or false; frees the skb */
static bool ft_err_flow(struct kunit *test, struct sk_buff *skb,
			struct vpnrt_flow *fl, struct vpnrt_flow *hfl)
{
	unsigned int thoff;
	bool ok;

	KUNIT_ASSERT_EQ(test, vpnrt_flow_from_skb(skb, fl, &thoff), 0);
	ok = thoff && vpnrt_icmp_err_flow(skb, fl, thoff, hfl);
	kfree_skb(skb);
	return ok;
}

static void icmp_error_follows_flow_v4(struct kunit *test)
{
	struct vpnrt_gw *gw = ft_gw(test);
	struct vpnrt_flow fl, hfl, reply;
	struct ft_v4 p = {};

	/* a router on our side tells 198.51.100.7, far away, that its UDP
	 * datagram to 10.1.1.1 port 53 could not be delivered
	 */
	p.ip.version = 4;
	p.ip.ihl = 5;
	p.ip.protocol = IPPROTO_ICMP;
	p.ip.saddr = htonl(0x0a0101fe);
	p.ip.daddr = htonl(0xc6336407);
	p.icmp.type = ICMP_DEST_UNREACH;
	p.icmp.code = ICMP_PORT_UNREACH;
	p.qip.version = 4;
	p.qip.ihl = 5;
	p.qip.protocol = IPPROTO_UDP;
	p.qip.saddr = htonl(0xc6336407);
	p.qip.daddr = htonl(0x0a010101);
	p.qports[0] = htons(40000);
	p.qports[1] = htons(53);
	KUNIT_ASSERT_TRUE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IP),
							 &p, sizeof(p)),
					    &fl, &hfl));
	/* the flow of 10.1.1.1's answers to it */
	memset(&reply, 0, sizeof(reply));
	reply.family = AF_INET;
	reply.proto = IPPROTO_UDP;
	reply.src.ip = htonl(0x0a010101);
	reply.dst.ip = htonl(0xc6336407);
	reply.sport = htons(53);
	reply.dport = htons(40000);
	ft_expect_flow(test, &hfl, &reply);
	KUNIT_EXPECT_EQ(test, vpnrt_flow_hash(gw, &hfl),
			vpnrt_flow_hash(gw, &reply));
	/* the error itself is still routed by its own destination */
	KUNIT_EXPECT_EQ(test, fl.dst.ip, p.ip.daddr);
	KUNIT_EXPECT_EQ(test, fl.proto, IPPROTO_ICMP);

	/* a quoted fragment hashes on addresses, as the fragments did */
	p.qip.frag_off = htons(IP_MF);
	KUNIT_ASSERT_TRUE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IP),
							 &p, sizeof(p)),
					    &fl, &hfl));
	KUNIT_EXPECT_EQ(test, hfl.proto, 0);
	KUNIT_EXPECT_EQ(test, hfl.sport, 0);
	p.qip.frag_off = 0;

	/* echoes are flows of their own */
	p.icmp.type = ICMP_ECHO;
	KUNIT_EXPECT_FALSE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IP),
							  &p, sizeof(p)),
					     &fl, &hfl));
	/* a quote cut short, or not IPv4 */
	p.icmp.type = ICMP_TIME_EXCEEDED;
	KUNIT_EXPECT_FALSE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IP),
							  &p, 40),
					     &fl, &hfl));
	p.qip.version = 6;
	KUNIT_EXPECT_FALSE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IP),
							  &p, sizeof(p)),
					     &fl, &hfl));
}

static void icmp_error_follows_flow_v6(struct kunit *test)
{
	struct vpnrt_gw *gw = ft_gw(test);
	struct vpnrt_flow fl, hfl, reply;
	struct ft_v6 p = {};
	const struct in6_addr far = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } } };
	const struct in6_addr near = { { { 0xfd, 0x00, [15] = 1 } } };

	p.ip.version = 6;
	p.ip.nexthdr = IPPROTO_ICMPV6;
	p.ip.payload_len = htons(sizeof(p) - sizeof(p.ip));
	p.ip.saddr = near;
	p.ip.daddr = far;
	p.icmp.icmp6_type = ICMPV6_PKT_TOOBIG;
	p.icmp.icmp6_mtu = htonl(1280);
	p.qip.version = 6;
	p.qip.nexthdr = IPPROTO_TCP;
	p.qip.saddr = far;
	p.qip.daddr = near;
	p.qports[0] = htons(50000);
	p.qports[1] = htons(443);
	KUNIT_ASSERT_TRUE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IPV6),
							 &p, sizeof(p)),
					    &fl, &hfl));
	memset(&reply, 0, sizeof(reply));
	reply.family = AF_INET6;
	reply.proto = IPPROTO_TCP;
	reply.src.ip6 = near;
	reply.dst.ip6 = far;
	reply.sport = htons(443);
	reply.dport = htons(50000);
	ft_expect_flow(test, &hfl, &reply);
	KUNIT_EXPECT_EQ(test, vpnrt_flow_hash(gw, &hfl),
			vpnrt_flow_hash(gw, &reply));

	/* informational messages (128 and up) are not errors */
	p.icmp.icmp6_type = ICMPV6_ECHO_REQUEST;
	KUNIT_EXPECT_FALSE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IPV6),
							  &p, sizeof(p)),
					     &fl, &hfl));
	p.icmp.icmp6_type = ICMPV6_DEST_UNREACH;
	KUNIT_EXPECT_FALSE(test, ft_err_flow(test, ft_skb(test, htons(ETH_P_IPV6),
							  &p, 60),
					     &fl, &hfl));
}

static struct kunit_case vpnrt_flow_cases[] = {
	KUNIT_CASE(icmp_error_follows_flow_v4),
	KUNIT_CASE(icmp_error_follows_flow_v6),
	{}
};

static struct kunit_suite vpnrt_flow_suite = {
	.name = "vpnrt_flow",
	.test_cases = vpnrt_flow_cases,
};

kunit_test_suite(vpnrt_flow_suite);
