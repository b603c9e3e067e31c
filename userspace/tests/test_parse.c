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

	{
		static const struct { const char *in; uint32_t ms; } dur_ok[] = {
			{ "100ms", 100 }, { "3s", 3000 }, { "1.5s", 1500 },
			{ "0.1s", 100 }, { "0.010s", 10 }, { "60s", 60000 },
			{ "60000ms", 60000 }, { "10ms", 10 }, { "2.25s", 2250 },
			{ "1.500000000s", 1500 },
		};
		static const struct { const char *in, *msg; } dur_bad[] = {
			{ "5ms", "5ms is out of range (allowed: 10ms..60s)" },
			{ "9ms", "out of range (allowed: 10ms..60s)" },
			{ "61s", "61s is out of range (allowed: 10ms..60s)" },
			{ "60001ms", "out of range" },
			{ "0.005s", "out of range" },
			{ "2", "\"2\" has no unit: write 2ms or 2s (allowed units: ms, s)" },
			{ "1.5", "has no unit" },
			{ "1m", "\"1m\" is not a duration: expected a number with unit ms or s, e.g. 100ms, 3s or 1.5s" },
			{ "3h", "is not a duration" },
			{ "1.5ms", "1.5ms is not a whole number of milliseconds" },
			{ "1.0005s", "not a whole number of milliseconds" },
			{ ".5s", "is not a duration" },
			{ "1.s", "is not a duration" },
			{ "-1s", "is not a duration" },
			{ "1 s", "is not a duration" },
			{ "", "is not a duration" },
			{ "1.0000000001s", "is not a duration" },
			{ "99999999999s", "out of range" },
			{ "99999999999999999999999ms", "out of range" },
		};
		size_t k;

		for (k = 0; k < sizeof(dur_ok) / sizeof(dur_ok[0]); k++) {
			v = 0;
			TAP_CHECK(!parse_duration_ms(dur_ok[k].in, 10, 60000, &v, err, sizeof(err)) &&
				  v == dur_ok[k].ms, "duration %s is %u ms (got %u)", dur_ok[k].in,
				  dur_ok[k].ms, v);
		}
		for (k = 0; k < sizeof(dur_bad) / sizeof(dur_bad[0]); k++) {
			err[0] = '\0';
			TAP_CHECK(parse_duration_ms(dur_bad[k].in, 10, 60000, &v, err, sizeof(err)) == -1 &&
				  strstr(err, dur_bad[k].msg), "duration \"%s\" rejected: %s",
				  dur_bad[k].in, err);
		}
	}
	{
		static const struct { uint64_t ms; const char *want; } fmt[] = {
			{ 0, "0ms" }, { 10, "10ms" }, { 999, "999ms" }, { 1000, "1s" },
			{ 1500, "1.5s" }, { 1250, "1.25s" }, { 1234, "1.234s" },
			{ 60000, "60s" }, { 3600001, "3600.001s" },
		};
		size_t k;

		for (k = 0; k < sizeof(fmt) / sizeof(fmt[0]); k++) {
			TAP_STREQ(format_duration_ms(fmt[k].ms, buf, sizeof(buf)), fmt[k].want,
				  "format_duration_ms(%llu)", (unsigned long long)fmt[k].ms);
			if (fmt[k].ms >= 10 && fmt[k].ms <= 60000)
				TAP_CHECK(!parse_duration_ms(buf, 10, 60000, &v, err, sizeof(err)) &&
					  v == fmt[k].ms, "%s reads back", buf);
		}
	}
	return tap_done();
}
