// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the gateway's egress checks, built into device.c (they
 * reach its static functions) with --kunit only: the too-big decision on
 * crafted IPv4, IPv6 and GSO packets, the MSS an auto clamp picks, and the
 * MSS rewrite on crafted SYNs, checked against a TCP checksum computed
 * here over the whole segment.
 */
#include <kunit/test.h>
#include <net/ip6_checksum.h>

#define DT_ROOM		64	/* headroom of the crafted packets */

/* an IPv4 or IPv6 packet of @len bytes with a TCP header of @thlen */
static struct sk_buff *dt_skb(struct kunit *test, int family,
			      unsigned int len, unsigned int thlen)
{
	unsigned int nhlen = family == AF_INET6 ? sizeof(struct ipv6hdr) :
						  sizeof(struct iphdr);
	struct sk_buff *skb = alloc_skb(DT_ROOM + len, GFP_KERNEL);
	struct tcphdr *th;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_GE(test, len, nhlen + thlen);
	skb_reserve(skb, DT_ROOM);
	memset(skb_put(skb, len), 0, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, nhlen);
	if (family == AF_INET6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		skb->protocol = htons(ETH_P_IPV6);
		ip6h->version = 6;
		ip6h->payload_len = htons(len - nhlen);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = 64;
		ip6h->saddr.s6_addr[0] = 0xfd;
		ip6h->saddr.s6_addr[15] = 1;
		ip6h->daddr.s6_addr[0] = 0xfd;
		ip6h->daddr.s6_addr[15] = 2;
	} else {
		struct iphdr *iph = ip_hdr(skb);

		skb->protocol = htons(ETH_P_IP);
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(len);
		iph->frag_off = htons(IP_DF);
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = htonl(0x0a000001);
		iph->daddr = htonl(0xac100005);
		ip_send_check(iph);
	}
	th = tcp_hdr(skb);
	th->source = htons(40000);
	th->dest = htons(80);
	th->doff = thlen / 4;
	th->window = htons(64240);
	return skb;
}

static void dt_free(struct kunit *test, struct sk_buff *skb)
{
	kfree_skb(skb);
}

/* the TCP checksum over the segment, 0 if th->check is right */
static __sum16 dt_tcp_csum(struct sk_buff *skb, int family)
{
	unsigned int off = skb_transport_offset(skb);
	unsigned int tlen = skb->len - off;
	__wsum sum = skb_checksum(skb, off, tlen, 0);

	if (family == AF_INET6)
		return csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				       &ipv6_hdr(skb)->daddr, tlen,
				       IPPROTO_TCP, sum);
	return csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr, tlen,
				 IPPROTO_TCP, sum);
}

static void dt_set_csum(struct sk_buff *skb, int family)
{
	tcp_hdr(skb)->check = 0;
	tcp_hdr(skb)->check = dt_tcp_csum(skb, family);
}

/* the MSS option at byte @at of the TCP options */
static void dt_put_mss(struct sk_buff *skb, unsigned int at, u16 mss)
{
	u8 *o = (u8 *)(tcp_hdr(skb) + 1) + at;

	o[0] = TCPOPT_MSS;
	o[1] = TCPOLEN_MSS;
	o[2] = mss >> 8;
	o[3] = mss & 0xff;
}

static u16 dt_get_mss(const struct sk_buff *skb, unsigned int at)
{
	const u8 *o = (const u8 *)(tcp_hdr(skb) + 1) + at;

	return o[2] << 8 | o[3];
}

static void device_too_big_ipv4(struct kunit *test)
{
	struct sk_buff *skb = dt_skb(test, AF_INET, 1401, 20);

	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1400), 1400);
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1401), 0);
	skb->ignore_df = 1;
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1400), 0);
	skb->ignore_df = 0;
	/* without DF the tunnel fragments */
	ip_hdr(skb)->frag_off = 0;
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1400), 0);
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 576), 0);
	dt_free(test, skb);
}

static void device_too_big_ipv6(struct kunit *test)
{
	struct sk_buff *skb = dt_skb(test, AF_INET6, 1401, 20);

	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET6, 1400), 1400);
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET6, 1401), 0);
	/* below 1280 the answer is 1280, and 1280 bytes always go */
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET6, 1000), 1280);
	dt_free(test, skb);
	skb = dt_skb(test, AF_INET6, 1280, 20);
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET6, 1000), 0);
	dt_free(test, skb);
}

static void device_too_big_gso(struct kunit *test)
{
	struct sk_buff *skb = dt_skb(test, AF_INET, 3000, 20);

	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	/* 20 + 20 + 1000 per segment */
	skb_shinfo(skb)->gso_size = 1000;
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1400), 0);
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1040), 0);
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1039), 1039);
	skb_shinfo(skb)->gso_size = 1400;
	KUNIT_EXPECT_EQ(test, vpnrt_too_big(skb, AF_INET, 1400), 1400);
	skb_shinfo(skb)->gso_segs = 3;
	KUNIT_EXPECT_EQ(test, tx_segs(skb), 3);
	skb_shinfo(skb)->gso_size = 0;
	KUNIT_EXPECT_EQ(test, tx_segs(skb), 1);
	dt_free(test, skb);
}

static void device_mss_target(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(VPNRT_MSS_CLAMP_AUTO, AF_INET, 1400), 1360);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(VPNRT_MSS_CLAMP_AUTO, AF_INET6, 1400), 1340);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(VPNRT_MSS_CLAMP_AUTO, AF_INET6, 1000), 1220);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(VPNRT_MSS_CLAMP_AUTO, AF_INET, 68), TCP_MIN_MSS);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(VPNRT_MSS_CLAMP_AUTO, AF_INET, 70000), U16_MAX);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(1000, AF_INET, 1400), 1000);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_target(1000, AF_INET6, 9000), 1000);
}

/* a SYN of @family with options NOP, NOP, MSS 1460, WS, SACK-perm, EOL */
static struct sk_buff *dt_syn(struct kunit *test, int family, bool ack)
{
	unsigned int nhlen = family == AF_INET6 ? 40 : 20;
	struct sk_buff *skb = dt_skb(test, family, nhlen + 20 + 12 + 8, 32);
	u8 *o = (u8 *)(tcp_hdr(skb) + 1);

	tcp_hdr(skb)->syn = 1;
	tcp_hdr(skb)->ack = ack;
	o[0] = TCPOPT_NOP;
	o[1] = TCPOPT_NOP;
	dt_put_mss(skb, 2, 1460);
	o[6] = TCPOPT_WINDOW;
	o[7] = TCPOLEN_WINDOW;
	o[8] = 7;
	o[9] = TCPOPT_SACK_PERM;
	o[10] = TCPOLEN_SACK_PERM;
	o[11] = TCPOPT_EOL;
	/* 8 bytes of payload, as a SYN with data (fast open) has */
	memset(o + 12, 0xa5, 8);
	dt_set_csum(skb, family);
	return skb;
}

static void device_mss_clamp_syn(struct kunit *test)
{
	static const int families[] = { AF_INET, AF_INET6 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		int fam = families[i];
		struct sk_buff *skb = dt_syn(test, fam, false);
		unsigned int thoff = skb_transport_offset(skb);

		KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1360), 1);
		KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1360);
		KUNIT_EXPECT_EQ(test, (__force u16)dt_tcp_csum(skb, fam), 0);
		/* already low enough: nothing changes */
		KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1400), 0);
		KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1360), 0);
		KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1360);
		dt_free(test, skb);

		/* SYN-ACK as well */
		skb = dt_syn(test, fam, true);
		KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1220), 1);
		KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1220);
		KUNIT_EXPECT_EQ(test, (__force u16)dt_tcp_csum(skb, fam), 0);
		dt_free(test, skb);
	}
}

static void device_mss_clamp_not_syn(struct kunit *test)
{
	struct sk_buff *skb = dt_syn(test, AF_INET, true);
	unsigned int thoff = skb_transport_offset(skb);
	__sum16 check;

	tcp_hdr(skb)->syn = 0;
	dt_set_csum(skb, AF_INET);
	check = tcp_hdr(skb)->check;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1000), 0);
	KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1460);
	KUNIT_EXPECT_EQ(test, (__force u16)tcp_hdr(skb)->check, (__force u16)check);
	dt_free(test, skb);
}

static void device_mss_clamp_bad_options(struct kunit *test)
{
	struct sk_buff *skb = dt_syn(test, AF_INET, false);
	unsigned int thoff = skb_transport_offset(skb);
	u8 *o = (u8 *)(tcp_hdr(skb) + 1);

	/* an option of length 0 before the MSS: the walk stops */
	o[0] = TCPOPT_WINDOW;
	o[1] = 0;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1000), 0);
	/* one running past the header */
	o[1] = 40;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1000), 0);
	/* an MSS option of the wrong length is not an MSS option */
	o[0] = TCPOPT_NOP;
	o[1] = TCPOPT_NOP;
	o[3] = 3;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1000), 0);
	/* EOL before the MSS ends the options */
	o[3] = TCPOLEN_MSS;
	o[1] = TCPOPT_EOL;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1000), 0);
	KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1460);
	/* the MSS in the last 4 bytes of the header is found */
	o[1] = TCPOPT_NOP;
	memset(o, TCPOPT_NOP, 12);
	dt_put_mss(skb, 8, 1460);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1000), 1);
	KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 8), 1000);
	/* a header claiming more than the packet holds is left alone */
	tcp_hdr(skb)->doff = 15;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 536), 0);
	/* no options at all */
	tcp_hdr(skb)->doff = 5;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 536), 0);
	dt_free(test, skb);
}

/* a clone's SYN is unshared before it is written; the original keeps its */
static void device_mss_clamp_clone(struct kunit *test)
{
	struct sk_buff *skb = dt_syn(test, AF_INET, false);
	unsigned int thoff = skb_transport_offset(skb);
	struct sk_buff *clone = skb_clone(skb, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, clone);
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(clone, thoff, 1300), 1);
	KUNIT_EXPECT_EQ(test, dt_get_mss(clone, 2), 1300);
	KUNIT_EXPECT_EQ(test, (__force u16)dt_tcp_csum(clone, AF_INET), 0);
	KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1460);
	KUNIT_EXPECT_EQ(test, (__force u16)dt_tcp_csum(skb, AF_INET), 0);
	dt_free(test, clone);
	dt_free(test, skb);
}

/* CHECKSUM_PARTIAL: the checksum field holds the pseudo-header's; kept */
static void device_mss_clamp_partial(struct kunit *test)
{
	struct sk_buff *skb = dt_syn(test, AF_INET, false);
	unsigned int thoff = skb_transport_offset(skb);
	__sum16 check = tcp_hdr(skb)->check;

	skb->ip_summed = CHECKSUM_PARTIAL;
	KUNIT_EXPECT_EQ(test, vpnrt_mss_clamp(skb, thoff, 1300), 1);
	KUNIT_EXPECT_EQ(test, dt_get_mss(skb, 2), 1300);
	KUNIT_EXPECT_EQ(test, (__force u16)tcp_hdr(skb)->check, (__force u16)check);
	dt_free(test, skb);
}

static struct kunit_case vpnrt_device_cases[] = {
	KUNIT_CASE(device_too_big_ipv4),
	KUNIT_CASE(device_too_big_ipv6),
	KUNIT_CASE(device_too_big_gso),
	KUNIT_CASE(device_mss_target),
	KUNIT_CASE(device_mss_clamp_syn),
	KUNIT_CASE(device_mss_clamp_not_syn),
	KUNIT_CASE(device_mss_clamp_bad_options),
	KUNIT_CASE(device_mss_clamp_clone),
	KUNIT_CASE(device_mss_clamp_partial),
	{}
};

static struct kunit_suite vpnrt_device_suite = {
	.name = "vpnrt_device",
	.test_cases = vpnrt_device_cases,
};

kunit_test_suite(vpnrt_device_suite);
