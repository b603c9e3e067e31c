// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the prefix helpers, checked against a bit-by-bit
 * reference on random prefixes of both families.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/socket.h>

#include "vpnrt.h"

static bool ref_bit(const union vpnrt_addr *a, unsigned int i)
{
	const u8 *b = (const u8 *)a;

	return b[i / 8] & (0x80 >> (i % 8));
}

static void random_addr(union vpnrt_addr *a)
{
	get_random_bytes(a, sizeof(*a));
}

static void prefix_mask_matches_reference(struct kunit *test)
{
	static const int families[] = { AF_INET, AF_INET6 };
	unsigned int f, n, i;

	for (f = 0; f < ARRAY_SIZE(families); f++) {
		int family = families[f];
		unsigned int bits = vpnrt_addr_bits(family);

		for (n = 0; n < 2000; n++) {
			union vpnrt_addr a, m;
			u8 plen = get_random_u32() % (bits + 1);

			random_addr(&a);
			if (family == AF_INET)
				memset((u8 *)&a + 4, 0, sizeof(a) - 4);
			m = a;
			vpnrt_prefix_mask(family, &m, plen);
			for (i = 0; i < bits; i++)
				KUNIT_ASSERT_EQ(test, ref_bit(&m, i),
						i < plen && ref_bit(&a, i));
			KUNIT_EXPECT_TRUE(test, vpnrt_prefix_valid(family, &m, plen));
			KUNIT_EXPECT_TRUE(test, vpnrt_prefix_match(family, &m, plen, &a));
			/* any host bit set makes the prefix invalid */
			if (plen < bits) {
				unsigned int hb = plen + get_random_u32() % (bits - plen);

				((u8 *)&m)[hb / 8] ^= 0x80 >> (hb % 8);
				KUNIT_EXPECT_FALSE(test, vpnrt_prefix_valid(family, &m, plen));
			}
		}
	}
}

static void prefix_length_limits(struct kunit *test)
{
	union vpnrt_addr a = {};

	KUNIT_EXPECT_TRUE(test, vpnrt_prefix_valid(AF_INET, &a, 0));
	KUNIT_EXPECT_TRUE(test, vpnrt_prefix_valid(AF_INET, &a, 32));
	KUNIT_EXPECT_FALSE(test, vpnrt_prefix_valid(AF_INET, &a, 33));
	KUNIT_EXPECT_TRUE(test, vpnrt_prefix_valid(AF_INET6, &a, 128));
	KUNIT_EXPECT_FALSE(test, vpnrt_prefix_valid(AF_INET6, &a, 129));
	KUNIT_EXPECT_FALSE(test, vpnrt_prefix_valid(AF_UNSPEC, &a, 0));

	/* 10.1.2.0/24 holds 10.1.2.77 but not 10.1.3.1 */
	a.ip = htonl(0x0a010200);
	KUNIT_EXPECT_TRUE(test, vpnrt_prefix_valid(AF_INET, &a, 24));
	KUNIT_EXPECT_FALSE(test, vpnrt_prefix_valid(AF_INET, &a, 22));
	{
		union vpnrt_addr in = { .ip = htonl(0x0a01024d) };
		union vpnrt_addr out = { .ip = htonl(0x0a010301) };

		KUNIT_EXPECT_TRUE(test, vpnrt_prefix_match(AF_INET, &a, 24, &in));
		KUNIT_EXPECT_FALSE(test, vpnrt_prefix_match(AF_INET, &a, 24, &out));
	}
}

static struct kunit_case vpnrt_prefix_cases[] = {
	KUNIT_CASE(prefix_mask_matches_reference),
	KUNIT_CASE(prefix_length_limits),
	{}
};

static struct kunit_suite vpnrt_prefix_suite = {
	.name = "vpnrt_prefix",
	.test_cases = vpnrt_prefix_cases,
};

kunit_test_suite(vpnrt_prefix_suite);
