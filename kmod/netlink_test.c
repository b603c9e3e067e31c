// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the netlink policies and the checks behind them, built
 * into netlink.c (they reach its static policies) with --kunit only.
 */
#include <kunit/test.h>

static struct nlattr *nest_begin(struct kunit *test, struct sk_buff *skb, int type)
{
	struct nlattr *n = nla_nest_start(skb, type);

	KUNIT_ASSERT_NOT_NULL(test, n);
	return n;
}

/* parse the one nest in @skb with @pol; the error, with extack message */
static int parse(struct sk_buff *skb, int maxtype, const struct nla_policy *pol,
		 struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct nlattr *outer = (struct nlattr *)skb->data;

	return nla_parse_nested(tb, maxtype, outer, pol, extack);
}

static void policy_types_and_readonly(struct kunit *test)
{
	struct nlattr *tb[VPNRT_A_ROUTE_MAX + 1];
	struct netlink_ext_ack ext = {};
	struct sk_buff *skb;
	struct nlattr *n;
	u8 addr[17] = {};

	/* a well-formed route passes */
	skb = alloc_skb(512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	n = nest_begin(test, skb, VPNRT_A_ROUTES);
	nla_put_u16(skb, VPNRT_A_ROUTE_FAMILY, AF_INET);
	nla_put(skb, VPNRT_A_ROUTE_DST, 4, addr);
	nla_put_u8(skb, VPNRT_A_ROUTE_DST_LEN, 8);
	nla_put_string(skb, VPNRT_A_ROUTE_CONN, "c1");
	nla_nest_end(skb, n);
	KUNIT_EXPECT_EQ(test, parse(skb, VPNRT_A_ROUTE_MAX, route_policy, tb, &ext), 0);
	kfree_skb(skb);

	/* an address longer than 16 bytes is refused by the policy */
	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_ROUTES);
	nla_put(skb, VPNRT_A_ROUTE_DST, 17, addr);
	nla_nest_end(skb, n);
	KUNIT_EXPECT_EQ(test, parse(skb, VPNRT_A_ROUTE_MAX, route_policy, tb, &ext), -ERANGE);
	kfree_skb(skb);

	/* what the kernel reports cannot be set, and says why */
	memset(&ext, 0, sizeof(ext));
	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_ROUTES);
	nla_put_u8(skb, VPNRT_A_ROUTE_USABLE, 1);
	nla_nest_end(skb, n);
	KUNIT_EXPECT_EQ(test, parse(skb, VPNRT_A_ROUTE_MAX, route_policy, tb, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "attribute is read-only");
	kfree_skb(skb);

	/* unknown attributes are refused (strict validation) */
	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_ROUTES);
	nla_put_u32(skb, VPNRT_A_ROUTE_MAX + 1, 1);
	nla_nest_end(skb, n);
	KUNIT_EXPECT_LT(test, parse(skb, VPNRT_A_ROUTE_MAX, route_policy, tb, &ext), 0);
	kfree_skb(skb);

	/* a connection name longer than the limit is refused */
	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_ROUTES);
	nla_put_string(skb, VPNRT_A_ROUTE_CONN, "a-connection-name-of-forty-characters-xx");
	nla_nest_end(skb, n);
	KUNIT_EXPECT_LT(test, parse(skb, VPNRT_A_ROUTE_MAX, route_policy, tb, &ext), 0);
	kfree_skb(skb);
}

static void gateway_settings_checked(struct kunit *test)
{
	struct nlattr *tb[VPNRT_A_GW_MAX + 1];
	struct netlink_ext_ack ext = {};
	struct vpnrt_gw *gw;
	struct sk_buff *skb;
	struct nlattr *n;

	gw = kunit_kzalloc(test, sizeof(*gw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gw);
	INIT_LIST_HEAD(&gw->conns);
	gw->n_conns = 3;
	gw->n_static = 10;

	skb = alloc_skb(512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	n = nest_begin(test, skb, VPNRT_A_GW);
	nla_put_u32(skb, VPNRT_A_GW_MAX_PATHS, 17);
	nla_nest_end(skb, n);
	KUNIT_ASSERT_EQ(test, parse(skb, VPNRT_A_GW_MAX, gw_policy, tb, &ext), 0);
	KUNIT_EXPECT_EQ(test, gw_validate(tb, gw, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "max-paths 17 out of range 1..16");
	kfree_skb(skb);

	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_GW);
	nla_put_u32(skb, VPNRT_A_GW_MAX_CONNS, 2);
	nla_nest_end(skb, n);
	KUNIT_ASSERT_EQ(test, parse(skb, VPNRT_A_GW_MAX, gw_policy, tb, &ext), 0);
	KUNIT_EXPECT_EQ(test, gw_validate(tb, gw, &ext), -EBUSY);
	KUNIT_EXPECT_STREQ(test, ext._msg, "max-conns 2 is below the 3 in use");
	/* a new gateway has nothing in use */
	KUNIT_EXPECT_EQ(test, gw_validate(tb, NULL, &ext), 0);
	kfree_skb(skb);

	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_GW);
	nla_put_u8(skb, VPNRT_A_GW_ECMP_HASH, 2);
	nla_put_u32(skb, VPNRT_A_GW_MAX_ROUTES, 16777217);
	nla_nest_end(skb, n);
	KUNIT_ASSERT_EQ(test, parse(skb, VPNRT_A_GW_MAX, gw_policy, tb, &ext), 0);
	KUNIT_EXPECT_EQ(test, gw_validate(tb, gw, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "ecmp-hash: allowed 0 (l4), 1 (l3)");
	kfree_skb(skb);

	/* valid values apply */
	skb = alloc_skb(512, GFP_KERNEL);
	n = nest_begin(test, skb, VPNRT_A_GW);
	nla_put_u8(skb, VPNRT_A_GW_ECMP_HASH, VPNRT_HASH_L3);
	nla_put_u32(skb, VPNRT_A_GW_MAX_PATHS, 4);
	nla_put_u32(skb, VPNRT_A_GW_MAX_ROUTES, 10);
	nla_nest_end(skb, n);
	KUNIT_ASSERT_EQ(test, parse(skb, VPNRT_A_GW_MAX, gw_policy, tb, &ext), 0);
	KUNIT_ASSERT_EQ(test, gw_validate(tb, gw, &ext), 0);
	gw_apply(tb, gw);
	KUNIT_EXPECT_EQ(test, gw->ecmp_hash, VPNRT_HASH_L3);
	KUNIT_EXPECT_EQ(test, gw->max_paths, 4);
	KUNIT_EXPECT_EQ(test, gw->max_routes, 10u);
	kfree_skb(skb);
}

static void conn_names(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, conn_name_ok("dc1-primary_2.a"));
	KUNIT_EXPECT_FALSE(test, conn_name_ok(""));
	KUNIT_EXPECT_FALSE(test, conn_name_ok("bad/name"));
	KUNIT_EXPECT_FALSE(test, conn_name_ok("has space"));
}

static struct kunit_case vpnrt_netlink_cases[] = {
	KUNIT_CASE(policy_types_and_readonly),
	KUNIT_CASE(gateway_settings_checked),
	KUNIT_CASE(conn_names),
	{}
};

static struct kunit_suite vpnrt_netlink_suite = {
	.name = "vpnrt_netlink",
	.test_cases = vpnrt_netlink_cases,
};

kunit_test_suite(vpnrt_netlink_suite);
