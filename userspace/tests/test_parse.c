// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <sys/socket.h>

#include "parse.h"
#include "tap.h"

static const char *roundtrip(const char *in, char *buf, size_t len)
{
	struct prefix p;
	char err[256];

	if (parse_prefix(in, &p, err, sizeof(err))) {
		snprintf(buf, len, "%s", err);
		return buf;
	}
	return format_prefix(&p, false, buf, len);
}

int main(void)
{
	struct { const char *in, *want; } good[] = {
		{ "10.0.0.0/8", "10.0.0.0/8" },
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "192.168.1.7", "192.168.1.7/32" },
		{ "2001:db8::/32", "2001:db8::/32" },
		{ "::/0", "::/0" },
		{ "2001:db8::1", "2001:db8::1/128" },
	};
	struct { const char *in, *msg; } bad[] = {
		{ "10.0.0.1/8", "host bits set; did you mean 10.0.0.0/8?" },
		{ "10.0.0.0/33", "prefix length in \"10.0.0.0/33\" must be 0..32" },
		{ "2001:db8::1/32", "did you mean 2001:db8::/32?" },
		{ "2001:db8::/129", "must be 0..128" },
		{ "10.0.0/8", "is not a prefix" },
		{ "10.0.0.0/", "must be 0..32" },
		{ "10.0.0.0/-1", "must be 0..32" },
		{ "10.0.0.0/8x", "must be 0..32" },
		{ "", "is not a prefix" },
		{ "bogus", "is not a prefix" },
	};
	char buf[256], err[256];
	struct prefix p;
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		TAP_STREQ(roundtrip(good[i].in, buf, sizeof(buf)), good[i].want,
			  "prefix %s parses", good[i].in);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_prefix(bad[i].in, &p, err, sizeof(err));

		TAP_CHECK(rc == -1 && strstr(err, bad[i].msg),
			  "prefix \"%s\" rejected: %s", bad[i].in, err);
	}

	TAP_CHECK(!parse_u32("100", 0, 100, &v, err, sizeof(err)) && v == 100,
		  "u32 at the upper bound");
	TAP_CHECK(parse_u32("101", 0, 100, &v, err, sizeof(err)) &&
		  strstr(err, "allowed: 0..100"), "u32 over the bound: %s", err);
	TAP_CHECK(parse_u32("4294967296", 0, UINT32_MAX, &v, err, sizeof(err)),
		  "u32 overflow rejected");
	TAP_CHECK(parse_u32("-1", 0, 10, &v, err, sizeof(err)), "negative rejected");
	TAP_CHECK(parse_u32("1e3", 0, 10000, &v, err, sizeof(err)), "1e3 rejected");

	TAP_CHECK(!parse_duration_ms("100ms", 10, 60000, &v, err, sizeof(err)) && v == 100,
		  "100ms");
	TAP_CHECK(!parse_duration_ms("3s", 10, 60000, &v, err, sizeof(err)) && v == 3000,
		  "3s");
	TAP_CHECK(!parse_duration_ms("1m", 10, 60000, &v, err, sizeof(err)) && v == 60000,
		  "1m");
	TAP_CHECK(!parse_duration_ms("2", 10, 60000, &v, err, sizeof(err)) && v == 2000,
		  "bare seconds");
	TAP_CHECK(parse_duration_ms("5ms", 10, 60000, &v, err, sizeof(err)) &&
		  strstr(err, "allowed: 10ms..60000ms"), "too short: %s", err);
	TAP_CHECK(parse_duration_ms("61s", 10, 60000, &v, err, sizeof(err)), "too long");
	TAP_CHECK(parse_duration_ms("3h", 10, 60000, &v, err, sizeof(err)) &&
		  strstr(err, "not a duration"), "unknown unit: %s", err);
	TAP_CHECK(parse_duration_ms("99999999999m", 10, 60000, &v, err, sizeof(err)),
		  "overflow");
	return tap_done();
}
